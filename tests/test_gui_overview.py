"""The Overview tab: the matrix of the units below against their targets, the chart, the worker."""

from __future__ import annotations

import threading
import time

import pytest

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui import overview
from parapp.gui.overview import NO_DATA, OverviewModel, OverviewTab
from parapp.gui.qt import QMessageBox, QProgressDialog, QPushButton, Qt
from parapp.gui.workers import wait_all
from parapp.i18n import language, set_language
from parapp.store import units as unit_store

QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
# (received_new, received_online) per quarter; the target for 2025 is online_rate > 50%
FIGURES = {
    0: (100, 70),  # 70%: met
    1: (200, 40),  # 20%: at risk in a quarter, missed over the year
    2: (80, 60),  # 75%, but nothing for 2025Q2
}
DISTRICT_OWN = (50, 30)
MISSING = (2, "2025Q2")


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch):
    """A warning box would wait for a click that never comes: fail instead."""
    def warning(_parent, _title, text, *args):
        pytest.fail(f"unexpected warning: {text}")

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))


@pytest.fixture
def office(tmp_path):
    """Hà Tĩnh's office database, figures entered for three communes of a district and the district itself."""
    before = language()
    set_language("en")
    path = tmp_path / "ha-tinh.db"
    with Office.create(path, "42", officer="Test officer") as o:
        district = unit_store.children(o.store, "42")[0]
        communes = unit_store.children(o.store, district.code)[:3]
        for q in QUARTERS:
            for i, (new, online) in FIGURES.items():
                if (i, q) == MISSING:
                    continue
                o.enter(communes[i].code, q, {"received_new": new, "received_online": online})
            o.enter(district.code, q, {"received_new": DISTRICT_OWN[0], "received_online": DISTRICT_OWN[1]})
    o = Office.open(path)  # as the window opens it
    o.district = district
    o.communes = communes
    yield o
    wait_all(10000)
    o.close()
    set_language(before)


def shown_tab(qtbot, office, unit, period) -> OverviewTab:
    tab = OverviewTab()
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_context(office, unit, Period.parse(period))
    wait_filled(qtbot, tab, unit, period)
    return tab


def wait_filled(qtbot, tab: OverviewTab, unit: str, period: str) -> None:
    def filled():
        data = tab.model.overview()
        assert not tab.is_computing
        assert data is not None and data.unit.code == unit and str(data.period) == period

    qtbot.waitUntil(filled, timeout=10000)


def column(model: OverviewModel, code: str) -> int:
    c = model.column_of(code)
    assert c > 0
    return c


def text(model: OverviewModel, row: int, col: int) -> str:
    return model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)


def test_district_matrix(qtbot, qtmodeltester, office):
    tab = shown_tab(qtbot, office, office.district.code, "2025Q2")
    model = tab.model
    qtmodeltester.check(model)
    communes = unit_store.children(office.store, office.district.code)
    rows = [model.unit_code(r) for r in range(model.rowCount())]
    assert rows[:-1] == [c.code for c in communes]
    assert model.is_total(model.rowCount() - 1) and rows[-1] == office.district.code
    assert not any(model.is_total(r) for r in range(model.rowCount() - 1))
    # the row headers name the communes with their codes
    first = model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.DisplayRole)
    assert communes[0].name in first and communes[0].code in first

    online = column(model, "online_rate")
    total = model.rowCount() - 1
    new = sum(n for i, (n, _) in FIGURES.items() if (i, "2025Q2") != MISSING) + DISTRICT_OWN[0]
    got = sum(o for i, (_, o) in FIGURES.items() if (i, "2025Q2") != MISSING) + DISTRICT_OWN[1]
    assert model.data(model.index(total, online), OverviewModel.ValueRole) == pytest.approx(got / new * 100)
    assert text(model, total, online).endswith("40.00%")  # (70 + 40 + 30) / (100 + 200 + 50)
    # reported: the communes with figures for 2025Q2, of all the district's communes
    assert text(model, total, OverviewModel.REPORTED) == f"2/{len(communes)}"

    row = {c.code: model.row_of(c.code) for c in office.communes}
    met, risk, missing = (row[c.code] for c in office.communes)
    assert text(model, met, online) == "✔ 70.00%"
    assert model.data(model.index(met, online), OverviewModel.StatusRole) == "met"
    assert text(model, risk, online) == "▲ 20.00%"  # a quarter below the year's target is at risk
    assert text(model, missing, online) == NO_DATA
    assert model.data(model.index(missing, online), OverviewModel.StatusRole) == "no_data"
    # communes report their own return
    assert "Draft" in text(model, met, OverviewModel.REPORTED)
    assert "Not started" in text(model, missing, OverviewModel.REPORTED)
    # the tooltip says the status, the target and where it comes from
    tip = model.data(model.index(met, online), Qt.ItemDataRole.ToolTipRole)
    assert "Met" in tip and "&gt; 50%" in tip and "Source" in tip
    # a commune without any figures: "—" everywhere, with the no_data tint
    silent = next(r for r in range(model.rowCount() - 1) if model.unit_code(r) not in row)
    for c in range(OverviewModel.FIRST_INDICATOR, model.columnCount()):
        assert text(model, silent, c) == NO_DATA
        assert model.data(model.index(silent, c), OverviewModel.StatusRole) == "no_data"
        brush = model.data(model.index(silent, c), Qt.ItemDataRole.BackgroundRole)
        assert brush.color().name().upper() == overview.STATUS_STYLE["no_data"].tint
    # short headers, the full name in the tooltip
    assert model.headerData(online, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole).startswith(
        "Dossiers received online")


def test_year_shows_missed(qtbot, office):
    tab = shown_tab(qtbot, office, office.district.code, "2025")
    model = tab.model
    online = column(model, "online_rate")
    risk = model.row_of(office.communes[1].code)
    assert text(model, risk, online) == "✘ 20.00%"
    assert model.data(model.index(risk, online), OverviewModel.StatusRole) == "missed"
    # over the year, the third commune's three quarters count
    assert text(model, model.row_of(office.communes[2].code), online) == "✔ 75.00%"


def test_province_rows_are_district_rollups(qtbot, office):
    tab = shown_tab(qtbot, office, "42", "2025Q2")
    model = tab.model
    districts = unit_store.children(office.store, "42")
    assert [model.unit_code(r) for r in range(model.rowCount() - 1)] == [d.code for d in districts]
    r = model.row_of(office.district.code)
    online = column(model, "online_rate")
    assert model.data(model.index(r, online), OverviewModel.ValueRole) == pytest.approx(140 / 350 * 100)
    expected = len(unit_store.children(office.store, office.district.code))
    assert text(model, r, OverviewModel.REPORTED) == f"2/{expected}"
    other = model.row_of(districts[1].code)
    assert text(model, other, online) == NO_DATA


def test_double_click_and_enter_open_the_unit(qtbot, office):
    tab = shown_tab(qtbot, office, office.district.code, "2025Q2")
    model = tab.model
    r = model.row_of(office.communes[1].code)
    index = model.index(r, column(model, "online_rate"))
    tab.view.scrollTo(index)
    rect = tab.view.visualRect(index)
    with qtbot.waitSignal(tab.unit_requested, timeout=2000) as blocker:
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [office.communes[1].code]
    tab.view.setCurrentIndex(model.index(0, 1))
    tab.view.setFocus()
    with qtbot.waitSignal(tab.unit_requested, timeout=2000) as blocker:
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert blocker.args == [model.unit_code(0)]
    # the total row is the unit itself: nothing to open
    with qtbot.assertNotEmitted(tab.unit_requested):
        tab._activate(model.rowCount() - 1)


def test_chart_follows_the_current_column(qtbot, office):
    tab = shown_tab(qtbot, office, office.district.code, "2025Q2")
    model = tab.model
    online = column(model, "online_rate")
    tab.view.setCurrentIndex(model.index(0, online))
    assert tab.combo.currentData() == "online_rate"
    points = tab.chart_points()
    # one point per period from the first with figures (2025Q1) to the chosen one
    assert [str(p) for p, *_ in points] == ["2025Q1", "2025Q2"]
    assert points[1][1] == pytest.approx(40.0)
    assert points[1][2] == 50  # the 2025 threshold
    values = [s for s in tab.chart.series() if s.name() == "Value"]
    assert sum(s.count() for s in values) == 2
    targets = [s for s in tab.chart.series() if s.name() == "Target"]
    assert targets and targets[0].pen().style() == Qt.PenStyle.DashLine
    # each period's target reaches across its category
    line = [(round(pt.x(), 1), pt.y()) for s in targets for pt in s.points()]
    assert line == [(-0.4, 50), (0.4, 50), (0.6, 50), (1.4, 50)]
    axis = tab.chart.axes(Qt.Orientation.Horizontal)[0]
    assert axis.categories() == ["Q1 2025", "Q2 2025"]
    # the combo box chooses too, and moves the current column
    tab.select_indicator("ontime_rate")
    assert tab.view.currentIndex().column() == column(model, "ontime_rate")
    assert tab.chart.title().find("on time") >= 0

    tab.set_context(office, office.district.code, Period.parse("2025Q4"))
    wait_filled(qtbot, tab, office.district.code, "2025Q4")
    tab.select_indicator("online_rate")
    assert [str(p) for p, *_ in tab.chart_points()] == QUARTERS
    assert sum(s.count() for s in tab.chart.series() if s.name() == "Value") == 4


def test_unit_with_nothing_below(qtbot, qtmodeltester, office):
    commune = office.communes[0]
    tab = shown_tab(qtbot, office, commune.code, "2025Q4")
    qtmodeltester.check(tab.model)
    assert tab.model.rowCount() == 0 and tab.model.columnCount() == 0
    assert tab.message.isVisible() and not tab.matrix_box.isVisible()
    assert "no units below" in tab.message.text()
    tab.select_indicator("online_rate")
    points = tab.chart_points()
    assert [str(p) for p, *_ in points] == QUARTERS
    assert all(v == pytest.approx(70.0) for _, v, _, _ in points)


def test_stale_results_are_dropped(qtbot, office):
    tab = shown_tab(qtbot, office, office.district.code, "2025Q2")
    tab.set_context(office, "42", Period.parse("2025Q2"))
    tab.set_context(office, office.district.code, Period.parse("2025Q3"))
    wait_filled(qtbot, tab, office.district.code, "2025Q3")
    wait_all(10000)
    qtbot.wait(50)
    data = tab.model.overview()
    assert data.unit.code == office.district.code and str(data.period) == "2025Q3"


def test_computed_only_when_shown(qtbot, office):
    tab = OverviewTab()
    qtbot.addWidget(tab)
    tab.set_context(office, office.district.code, Period.parse("2025Q2"))
    assert not tab.is_computing and tab.model.overview() is None
    tab.show()
    wait_filled(qtbot, tab, office.district.code, "2025Q2")


def test_cancel_keeps_the_previous_matrix(qtbot, office, monkeypatch):
    tab = shown_tab(qtbot, office, office.district.code, "2025Q2")
    model = tab.model
    before = [[text(model, r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]
    started = threading.Event()
    real = overview.compute_overview

    def slow(office_, unit, period, progress=None, helper=None):
        started.set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # a province that takes its time
            if progress(0, 100) is False:
                return None
            time.sleep(0.01)
        return real(office_, unit, period, progress, helper)

    monkeypatch.setattr(overview, "compute_overview", slow)
    tab.set_context(office, "42", Period.parse("2025Q3"))
    assert started.wait(5) and tab.is_computing
    # the officer presses Cancel on the progress dialog, which shows after half a second
    def shown_dialog():
        shown = [d for d in tab.findChildren(QProgressDialog) if d.isVisible()]
        return shown[0] if shown else None

    qtbot.waitUntil(lambda: shown_dialog() is not None, timeout=5000)
    button = shown_dialog().findChild(QPushButton)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.is_computing, timeout=5000)
    after = [[text(model, r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert after == before
    data = model.overview()
    assert data.unit.code == office.district.code and str(data.period) == "2025Q2"
    assert "cancelled" in tab.state.text().lower()
    # and it can be worked out again later
    monkeypatch.setattr(overview, "compute_overview", real)
    tab.refresh()
    wait_filled(qtbot, tab, "42", "2025Q3")


def test_figures_kept_while_the_database_is_unchanged(qtbot, office, monkeypatch):
    from parapp.engine import office as office_module

    calls = []
    real = office_module.figures

    def counted(store, catalogue, unit, period, below=False, elements=None):
        calls.append((unit.code, str(period), below))
        return real(store, catalogue, unit, period, below, elements)

    monkeypatch.setattr(office_module, "figures", counted)
    district = office.district.code
    tab = shown_tab(qtbot, office, district, "2025Q2")
    online = column(tab.model, "online_rate")
    total = tab.model.rowCount() - 1
    assert text(tab.model, total, online).endswith("40.00%")
    assert calls and tab.figures_cache
    # another unit, then back: the district's overview is shown again without working anything out
    tab.set_context(office, "42", Period.parse("2025Q2"))
    wait_filled(qtbot, tab, "42", "2025Q2")
    calls.clear()
    with qtbot.waitSignal(tab.filled, timeout=10000):
        tab.set_context(office, district, Period.parse("2025Q2"))
    wait_filled(qtbot, tab, district, "2025Q2")
    assert calls == []
    assert text(tab.model, total, online).endswith("40.00%")
    # the officer saves a figure: nothing kept is used again, and the overview shows the new total
    office.enter(office.communes[0].code, "2025Q2", {"received_online": 100})  # 70 -> 100 of 100
    tab.refresh()
    wait_filled(qtbot, tab, district, "2025Q2")
    qtbot.waitUntil(lambda: text(tab.model, total, online).endswith("48.57%"), timeout=10000)  # 170 / 350
    assert (district, "2025Q2", True) in calls


def test_chart_beside_the_matrix_gives_the_same_overview(office):
    catalogue = office.catalogue
    for unit, period in ((office.district.code, "2025Q2"), ("42", "2025Q3"), ("42", "2025")):
        serial = overview.compute_overview(office, unit, Period.parse(period))
        helper = Office.open(office.store.path, check="done")
        try:
            steps: list[tuple[int, int]] = []
            beside = overview.compute_overview(office, unit, Period.parse(period),
                                               lambda done, total, steps=steps: steps.append((done, total)), helper)
        finally:
            helper.close()
        assert beside == serial
        assert [d for d, _ in steps] == list(range(len(steps)))  # every step reported once, in order
        assert steps[-1][0] == steps[-1][1]
        cache = overview.FiguresCache()
        version = cache.begin(office.store.data_version())
        kept = overview.compute_in_own_office(office.store.path, catalogue, unit, Period.parse(period), None,
                                              cache, version)
        assert kept == serial and len(cache) > 0
        assert overview.compute_in_own_office(office.store.path, catalogue, unit, Period.parse(period), None,
                                              cache, version) == serial


def test_the_kept_figures_of_some_elements_are_kept_apart_from_the_whole(office):
    """A target that looks back at last year asks for a few elements' figures only (Office.history_lookup): the
    cache answers that question as the office does, and never gives those figures for the whole."""
    district = office.district.code
    cache = overview.FiguresCache()
    version = office.store.data_version()
    cache.begin(version)
    figures = cache.figures(office, version)
    period = Period.parse("2025Q2")
    some = frozenset({"received_new"})
    part = figures(district, period, True, elements=some)[0]
    assert part.values == office.figures(district, period, True, elements=some)[0].values
    whole = figures(district, period, True)[0]
    assert whole.values == office.figures(district, period, True)[0].values
    assert set(whole.values) > set(part.values)
    assert figures(district, period, True, elements=some)[0] is part and len(cache) == 2
