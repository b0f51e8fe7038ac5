"""The demo of today (Cần Thơ, two tiers, its history carried from Cần Thơ, Hậu Giang and Sóc Trăng) and the
window a newcomer meets on it."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from parapp.domain.periods import Period, reporting_period
from parapp.engine.demo_today import make_today_demo
from parapp.engine.office import Office
from parapp.store import units as us
from parapp.store import values as vs

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("today") / "demo.db"
    summary = make_today_demo(path, today=TODAY)
    return path, summary


@pytest.fixture
def office(demo_file):
    o = Office.open(demo_file[0])
    yield o
    o.close()


def test_figures_run_to_the_reporting_period(office, demo_file):
    _path, summary = demo_file
    assert reporting_period(TODAY) == Period.parse("2026Q3")
    assert summary["period"] == "2026Q3" and office.tiers == 2
    new = office.unit(office.office_code)
    assert new.name == "Thành phố Cần Thơ" and new.official_code == "92" and new.valid_from == "2025-07-01"
    communes = us.children(office.store, new.code, period=Period.parse("2026Q3"))
    assert len(communes) == 103
    used = office.store.periods_used()
    assert "2026Q3" in used and "2026Q4" not in used and "2022Q1" in used
    # The old tree's figures stop in June 2025, the new one's begin in July.
    old = [u.code for u in us.subtree(office.store, "94", period=Period.parse("2025Q2"))]
    assert len(old) > 100
    assert not office.store.conn.execute(
        f"SELECT 1 FROM data_values WHERE period IN ('2025Q3', '2026Q1') AND unit IN ({', '.join('?' * len(old))})",
        old).fetchone()


def test_the_reporting_period_is_caught_mid_stream(office, demo_file):
    summary = json.loads(office.store.meta("demo"))
    communes = {u.code for u in us.children(office.store, office.office_code, period=Period.parse("2026Q3"))}
    statuses = {u: vs.get_status(office.store, u, "2026Q3") for u in communes}
    assert {u for u, s in statuses.items() if s is None} == set(summary["late"])
    kinds = {s.status for s in statuses.values() if s}
    assert kinds == {"draft", "submitted", "approved", "returned"}
    for code, rule in summary["failing"].items():
        assert any(m.rule == rule and m.severity == "error" for m in office.validate(code, "2026Q3"))
    returned = [s for s in statuses.values() if s and s.status == "returned"]
    assert all(s.reason for s in returned)
    rep = office.report(office.office_code, "2026Q3")
    assert rep.rolled.reported == 103 - len(summary["late"]) and rep.rolled.expected == 103


def test_soc_trang_targets_judge_their_own_area(office):
    period = Period.parse("2025")
    judged, unjudged, statuses = 0, 0, set()
    for u in us.children(office.store, office.office_code, period=period):
        rep = office.report(u.code, period)
        if office.origin_provinces(u) == {"94"}:
            assert rep.target_set is not None and rep.target_set.id == "soc_trang_2021_2030"
            judged += 1
            statuses |= {r.status for r in rep.indicators}
        else:
            assert rep.target_set is None and rep.target_note is not None
            unjudged += 1
    assert judged > 20 and unjudged > 20
    assert {"met", "missed"} <= statuses
    # The new province has not chosen a set of its own: the note says what to do.
    note = office.report(office.office_code, "2026Q3").target_note
    assert "Danh mục và chỉ tiêu" in note.vi


def test_new_communes_continue_their_predecessors(office):
    """Each new commune opens July 2025 with what its predecessors left pending, so the carry-over check holds,
    and its figures before July are theirs combined; one divided commune left undecided says so."""
    q3 = Period.parse("2025Q3")
    statuses = set()
    for u in us.children(office.store, office.office_code, period=q3):
        msgs = office.validate(u.code, q3)
        assert not any(m.rule == "carry_over_matches_previous" for m in msgs), u.name
        _agg, prov = office.figures(u, Period.parse("2024"))
        statuses.add(prov.status if prov else None)
    assert {"combined", "estimated", "not_comparable"} <= statuses


def test_same_seed_same_database(demo_file, tmp_path):
    again = tmp_path / "again.db"
    make_today_demo(again, today=TODAY)

    def dump(p):
        with Office.open(p) as o:
            return o.store.conn.execute("SELECT unit, period, element, value, comment FROM data_values "
                                        "ORDER BY 1, 2, 3").fetchall()

    assert [tuple(r) for r in dump(again)] == [tuple(r) for r in dump(demo_file[0])]


def test_too_early_for_the_two_tier_demo(tmp_path):
    from parapp.i18n import ParAppError

    with pytest.raises(ParAppError):
        make_today_demo(tmp_path / "early.db", today=date(2025, 8, 1))
    assert not (tmp_path / "early.db").exists()


# ------------------------------------------------------------------------------------------ the window


def test_the_first_screen_shows_today(qtbot, demo_file, tmp_path):
    pytest.importorskip("PySide6")
    from parapp.gui.mainwindow import MainWindow
    from parapp.i18n import set_language

    set_language("vi")
    path = tmp_path / "demo.db"
    shutil.copy(demo_file[0], path)
    office = Office.open(path)
    w = MainWindow(office, None, Period.parse("2026Q3"))
    qtbot.addWidget(w)
    w.show()
    try:
        assert w.unit == office.office_code
        assert w.tree_model.structure() == (office.office_code,)
        assert w.tree_model.rowCount(w.tree_model.index_for(office.office_code)) == 103
        # A province office opens on its overview: who reported, and how the communes stand against targets.
        assert w.tabs.currentWidget() is w.overview
        qtbot.waitUntil(lambda: w.overview.model.overview() is not None, timeout=20000)
        data = w.overview.model.overview()
        assert len(data.rows) == 104 and data.note and "Sóc Trăng" in data.note
        statuses = {r.status for row in data.rows for r in row.results}
        assert {"met", "at_risk"} <= statuses
        w.tabs.setCurrentWidget(w.entry)
        rep = w.entry.model.report
        assert rep.own.values["received_new"] > 0  # real figures, never an empty grid
        assert "chưa chọn bộ chỉ tiêu" in w.entry.banner.text()
        # Before July 2025 the tree is the old one: the three provinces the office was made of.
        w.set_period(Period.parse("2024Q4"))
        assert set(w.tree_model.structure()) == {"92", "93", "94"}
        assert w.unit in {"92", "93", "94"}
        # A new commune chosen, then a period before it existed: its predecessor takes its place in the tree.
        w.set_period(Period.parse("2026Q3"))
        commune = us.children(office.store, office.office_code, period=Period.parse("2026Q3"))[5]
        w.set_unit(commune.code)
        w.set_period(Period.parse("2024Q2"))
        pred = {link.predecessor for link in us.predecessors(office.store, commune.code)}
        assert w.unit in pred
        assert not w.tiers_hint.isVisible()
    finally:
        w.close()
        office.close()
