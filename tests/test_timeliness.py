"""Timeliness (DHIS2's reporting rates): who of the units below submitted the period's return, and who by its
due date, in the engine, the overview, the consolidated workbook, the summary PDF and `parapp show --json`."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from parapp.domain.periods import Period
from parapp.engine.matrix import Reporting, compute_matrix, reporting_summary
from parapp.engine.office import Office
from parapp.i18n import language, set_language
from parapp.store import units as unit_store
from parapp.store import values as value_store

PERIOD = "2025Q1"  # due 20/03/2025
FIGURES = {"received_new": 10, "resolved_on_time": 10}  # balanced: can be submitted


class Clock:
    """The time the store writes into statuses and the history, set by the test."""

    def __init__(self):
        self.stamp = "2025-03-01T09:00:00+07:00"

    def __call__(self) -> str:
        return self.stamp


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(value_store, "now", c)
    return c


def _imported(office, code: str, dated: str, name: str) -> None:
    """What the import of a return exported as submitted writes: the figures with the file as their source, then
    the status, keeping the date the return carries."""
    store = office.store
    with store.transaction() as c:
        batch = value_store.Batch(store, office.officer)
        batch.values(code, PERIOD, {k: float(v) for k, v in FIGURES.items()}, {}, name, f"Nhập từ tệp báo cáo {name}")
        batch.set_status(code, PERIOD, "submitted", name, dated=dated)
        batch.flush(c)


@pytest.fixture
def office(tmp_path, clock):
    """Hà Tĩnh's office; the communes of a district reported for 2025Q1 before, on and after the due date."""
    o = Office.create(tmp_path / "province.db", "42", officer="Cán bộ tỉnh")
    district = unit_store.children(o.store, "42")[0]
    c = unit_store.children(o.store, district.code)
    assert len(c) >= 9

    def at(stamp: str) -> None:
        clock.stamp = stamp

    def submitted(code: str, stamp: str) -> None:
        at(stamp)
        o.enter(code, PERIOD, FIGURES)
        o.submit(code, PERIOD)

    submitted(c[0].code, "2025-03-10T10:00:00+07:00")  # before the due date
    submitted(c[1].code, "2025-03-20T23:30:00+07:00")  # on the due date itself
    submitted(c[2].code, "2025-03-25T08:00:00+07:00")  # late
    submitted(c[3].code, "2025-03-15T08:00:00+07:00")  # on time, approved after the due date
    at("2025-03-28T08:00:00+07:00")
    o.approve(c[3].code, PERIOD)
    at("2025-03-27T15:00:00+07:00")  # imported after the due date, the return made before it
    _imported(o, c[4].code, "2025-03-19T16:45:00+07:00", "xa-4.xlsx")
    at("2025-03-12T08:00:00+07:00")
    o.enter(c[5].code, PERIOD, FIGURES)  # a draft: not reported
    submitted(c[6].code, "2025-03-12T08:00:00+07:00")  # submitted on time, then returned: not reported
    at("2025-03-22T08:00:00+07:00")
    o.return_(c[6].code, PERIOD, "Thiếu số liệu trực tuyến")
    submitted(c[7].code, "2025-03-22T08:00:00+07:00")  # late, then approved
    at("2025-03-30T08:00:00+07:00")
    o.approve(c[7].code, PERIOD)
    submitted(district.code, "2025-03-21T08:00:00+07:00")  # the district's own return: late
    o.district, o.communes = district, c
    yield o
    o.close()


EXPECTED_STATES = ["on_time", "on_time", "late", "on_time", "on_time", "not_reported", "not_reported", "late"]


def test_engine_counts_and_states(office):
    p = Period.parse(PERIOD)
    summary = reporting_summary(office, office.district.code, p)
    n = len(office.communes)
    assert summary.due == date(2025, 3, 20)
    assert summary.levels == (Reporting("commune", n, 6, 4),)
    assert summary.first.late == 2
    assert summary.first.reported_rate == pytest.approx(600 / n)
    assert summary.first.on_time_rate == pytest.approx(400 / n)
    states = [summary.units[u.code].state for u in office.communes]
    assert states[:8] == EXPECTED_STATES and set(states[8:]) == {"not_reported"}
    subs = [summary.units[u.code] for u in office.communes]
    assert subs[1].submitted_on == date(2025, 3, 20)  # the due date itself is on time
    assert subs[3].status == "approved" and subs[3].submitted_on == date(2025, 3, 15)  # the first submission counts
    assert subs[4].carried and subs[4].submitted_on == date(2025, 3, 19)  # the date the return carries
    assert summary.own.state == "late" and summary.own.submitted_on == date(2025, 3, 21)
    assert summary.first.text("vi") == f"Đã báo cáo 6/{n}, đúng hạn 4"
    assert summary.first.text("en") == f"Reported 6/{n}, on time 4"
    # the matrix carries the same, per row and in total
    matrix = compute_matrix(office, office.district.code, p)
    assert [r.submission.state for r in matrix.units][:8] == EXPECTED_STATES
    assert matrix.total.reporting == summary.levels
    assert matrix.own.submission.state == "late"


def test_province_counts_every_level(office):
    """Above the district, each level is counted on its own and the counts add up; the district's row says how
    its communes reported."""
    p = Period.parse(PERIOD)
    summary = reporting_summary(office, "42", p)
    districts = unit_store.children(office.store, "42")
    communes = unit_store.subtree(office.store, "42", include_self=False)
    n_communes = sum(1 for u in communes if u.level == "commune")
    assert summary.levels == (Reporting("district", len(districts), 1, 0), Reporting("commune", n_communes, 6, 4))
    assert summary.all == Reporting("", len(districts) + n_communes, 7, 4)
    assert summary.per_unit[office.district.code] == (Reporting("commune", len(office.communes), 6, 4),)
    other = districts[1].code
    assert summary.per_unit[other][0].reported == 0


def test_a_retired_commune_is_not_expected(office):
    p = Period.parse(PERIOD)
    unit_store.retire_unit(office.store, office.communes[-1].code, "test")
    summary = reporting_summary(office, office.district.code, p)
    assert summary.first.expected == len(office.communes) - 1


def test_a_garbled_return_date_falls_back_to_the_import(office, clock):
    clock.stamp = "2025-03-18T08:00:00+07:00"
    code = office.communes[9].code if len(office.communes) > 9 else office.communes[8].code
    _imported(office, code, "not a date", "xa-x.xlsx")
    summary = reporting_summary(office, office.district.code, Period.parse(PERIOD))
    sub = summary.units[code]
    assert sub.state == "on_time" and not sub.carried and sub.submitted_on == date(2025, 3, 18)
    assert value_store.return_date("Ngày lập báo cáo: 2025-02-30") is None
    assert value_store.return_date(None) is None


def test_overview_shows_it(qtbot, office):
    from parapp.gui.overview import OverviewModel, OverviewTab, compute_overview

    before = language()
    set_language("en")
    try:
        data = compute_overview(office, office.district.code, Period.parse(PERIOD))
        n = len(office.communes)
        assert data.reporting.first == Reporting("commune", n, 6, 4)
        tab = OverviewTab()
        qtbot.addWidget(tab)
        tab.model.set_overview(data)
        tab._update_reporting()
        assert tab.reporting_text() == f"Commune: Reported 6/{n}, on time 4 (due 20/03/2025)"
        model = tab.model
        col = OverviewModel.TIMELINESS
        states = [model.data(model.index(r, col), OverviewModel.StatusRole) for r in range(8)]
        assert states == EXPECTED_STATES
        texts = [model.data(model.index(r, col)) for r in range(8)]
        assert texts[0] == "✔ On time" and texts[2] == "◷ Late" and texts[5] == "○ Not reported"
        tip = model.data(model.index(4, col), Qt_tooltip())
        assert "19/03/2025" in tip and "imported return" in tip
        total = model.rowCount() - 1
        assert model.is_total(total)
        assert model.data(model.index(total, col)) == f"◷ 6/{n}, on time 4"  # the district's own return is late
        assert model.headerData(col, Qt_horizontal()) == "On time"
        assert model.indicator(OverviewModel.FIRST_INDICATOR) is data.indicators[0]
    finally:
        set_language(before)


def Qt_tooltip():  # noqa: N802
    from parapp.gui.qt import Qt

    return Qt.ItemDataRole.ToolTipRole


def Qt_horizontal():  # noqa: N802
    from parapp.gui.qt import Qt

    return Qt.Orientation.Horizontal


def test_consolidated_workbook_shows_it(office, tmp_path):
    from parapp.exchange.consolidated import export_consolidated

    path = export_consolidated(office, office.district.code, PERIOD, tmp_path / "book.xlsx")
    ws = load_workbook(path)["Quý I-2025"]
    h2 = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Mã")
    assert ws.cell(h2, 5).value == "Nộp báo cáo (hạn 20/03/2025)"
    by_code = {ws.cell(r, 1).value: ws.cell(r, 5).value for r in range(h2 + 1, h2 + 1 + len(office.communes))}
    c = office.communes
    assert by_code[c[0].code] == "✔ Đúng hạn 10/03"
    assert by_code[c[1].code] == "✔ Đúng hạn 20/03"
    assert by_code[c[2].code] == "◷ Quá hạn 25/03"
    assert by_code[c[3].code] == "✔ Đúng hạn 15/03"
    assert by_code[c[4].code] == "✔ Đúng hạn 19/03"
    assert by_code[c[5].code] == by_code[c[6].code] == "○ Chưa báo cáo"
    total_row = h2 + len(office.communes) + 2
    assert ws.cell(total_row, 2).value.startswith("TỔNG CỘNG")
    assert ws.cell(total_row, 5).value == f"◷ Quá hạn 21/03\nĐã báo cáo 6/{len(c)}, đúng hạn 4"
    lines = [ws.cell(r, 1).value for r in range(total_row + 1, ws.max_row + 1)]
    assert "TÌNH HÌNH NỘP BÁO CÁO (hạn nộp 20/03/2025)" in lines
    assert f"Xã: đã báo cáo 6/{len(c)}, đúng hạn 4" in lines


def test_summary_pdf_says_it(office, tmp_path):
    from parapp.exchange.reports import summary_report

    path = summary_report(office, office.district.code, PERIOD, tmp_path / "summary.pdf")
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(path).pages))
    n = len(office.communes)
    assert f"Xã: đã báo cáo 6/{n}, đúng hạn 4 (hạn nộp 20/03/2025)." in text
    late = office.communes[2].name, office.communes[7].name
    assert f"Nộp quá hạn (2): {late[0]} (25/03/2025); {late[1]} (22/03/2025)." in text
    path = summary_report(office, office.district.code, PERIOD, tmp_path / "summary-en.pdf", lang="en")
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(path).pages))
    assert f"Commune: reported 6/{n}, on time 4 (due 20/03/2025)." in text


def test_show_json_and_text(office, cli):
    db = str(office.store.path)
    code, out, _ = cli("show", "--db", db, "--unit", office.district.code, "--period", PERIOD, "--json")
    assert code == 0
    rep = json.loads(out)["reporting"]
    n = len(office.communes)
    assert (rep["expected"], rep["reported"], rep["on_time"], rep["due"]) == (n, 6, 4, "2025-03-20")
    assert rep["levels"] == [{"level": "commune", "expected": n, "reported": 6, "on_time": 4}]
    assert rep["own"] == {"status": "submitted", "submitted_on": "2025-03-21", "state": "late",
                          "date_from_return": False}
    units = {u["key"]: u for u in rep["units"]}
    assert [units[u.code]["state"] for u in office.communes[:8]] == EXPECTED_STATES
    assert units[office.communes[4].code]["date_from_return"] is True
    assert units[office.communes[3].code]["submitted_on"] == "2025-03-15"
    code, out, _ = cli("show", "--db", db, "--unit", office.district.code, "--period", PERIOD)
    assert f"Xã: đã báo cáo 6/{n}, đúng hạn 4 (hạn nộp 20/03/2025)" in out
    assert "Báo cáo của đơn vị: Quá hạn, gửi ngày 21/03/2025 (hạn nộp 20/03/2025)" in out
    # a commune: its own return only
    code, out, _ = cli("show", "--db", db, "--unit", office.communes[0].code, "--period", PERIOD, "--json")
    rep = json.loads(out)["reporting"]
    assert rep["own"]["state"] == "on_time" and rep["units"] == [] and rep["expected"] == 0


def test_a_real_import_keeps_the_date_the_return_carries(office, clock, tmp_path, monkeypatch):
    from parapp.exchange.returns import export_return, form, importing

    commune = office.communes[8]
    path = tmp_path / "commune.db"
    Office.create(path, "42", office=commune.code, officer="Cán bộ xã").close()
    clock.stamp = "2025-03-18T08:00:00+07:00"
    with Office.open(path) as lower:
        lower.enter(commune.code, PERIOD, FIGURES)
        lower.submit(commune.code, PERIOD)
        monkeypatch.setattr(form, "now", lambda: "2025-03-19T10:00:00+07:00")
        book = export_return(lower, commune.code, PERIOD, tmp_path / "xa.xlsx")
    clock.stamp = "2025-03-26T08:00:00+07:00"  # imported after the due date
    previews = importing.preview(office, [book])
    importing.apply(office, previews, {book})
    sub = reporting_summary(office, office.district.code, Period.parse(PERIOD)).units[commune.code]
    assert sub.reported
    assert sub.submitted_on == date(2025, 3, 19) and sub.on_time
