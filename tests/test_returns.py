"""Excel returns (parapp.exchange.returns): export, blank templates, import with a preview, and refusals."""

from __future__ import annotations

import io
import os
import re as _re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_core import digest

from parapp.domain.periods import Period
from parapp.engine.aggregate import rollup
from parapp.engine.compliance import STATUS_NAMES
from parapp.engine.demo import make_demo
from parapp.engine.office import Office
from parapp.exchange import readers
from parapp.exchange.returns import (
    META_SHEET,
    SHEET,
    ReturnError,
    apply,
    export_return,
    export_templates,
    formula_cells,
    importing,
    preview,
    read_return,
    untrusted,
)
from parapp.i18n import ParAppError
from parapp.store import units as unit_store
from parapp.store import values as value_store

Q3 = "2025Q3"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The Hà Tĩnh demo database, a province office: only read here (exports never write)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path)
    office = Office.open(path)
    yield office
    office.close()


@pytest.fixture(scope="module")
def district(demo) -> str:
    """A district whose communes' 2025Q3 returns show every status and some comments."""
    rows = demo.store.conn.execute(
        "SELECT u.parent, count(DISTINCT s.status) + count(DISTINCT v.unit) FROM units u "
        "JOIN statuses s ON s.unit = u.code AND s.period = ? "
        "LEFT JOIN data_values v ON v.unit = u.code AND v.period = ? AND v.comment IS NOT NULL "
        "WHERE u.level = 'commune' GROUP BY u.parent ORDER BY 2 DESC, 1 LIMIT 1", (Q3, Q3)).fetchone()
    return rows[0]


@pytest.fixture(scope="module")
def exported(demo, district, tmp_path_factory) -> dict[str, Path]:
    """Every commune's 2025Q3 return of the district, exported from the demo database."""
    folder = tmp_path_factory.mktemp("returns")
    return {u.code: export_return(demo, u.code, Q3, folder) for u in unit_store.children(demo.store, district)}


@pytest.fixture(scope="module")
def exported_2024(demo, district, tmp_path_factory) -> dict[str, Path]:
    """The year 2024 returns too: the history that increment targets look back on."""
    folder = tmp_path_factory.mktemp("returns2024")
    return {u.code: export_return(demo, u.code, "2024", folder) for u in unit_store.children(demo.store, district)}


@pytest.fixture
def fresh(tmp_path, district):
    """A new district office database, as the district officer makes one."""
    office = Office.create(tmp_path / "district.db", "42", office=district, officer="Trần Văn Huyện")
    yield office
    office.close()


def hidden_map(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """(key -> value, element -> (value cell, comment cell)) from the hidden sheet, read with openpyxl."""
    wb = openpyxl.load_workbook(path)
    meta, cells, table = {}, {}, False
    for row in wb[META_SHEET].iter_rows(values_only=True):
        if row[0] == "element":
            table = True
        elif row[0] and table:
            cells[row[0]] = (row[1], row[2])
        elif row[0]:
            meta[row[0]] = row[1]
    return meta, cells


def fill(path: Path, out: Path, values: dict, comments: dict | None = None, name: str | None = None) -> Path:
    """Fill a template in as an office would with Excel: numbers (or text) in the yellow cells."""
    meta, cells = hidden_map(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for code, v in values.items():
        ws[cells[code][0]] = v
    for code, c in (comments or {}).items():
        cell = ws[cells[code][1]]
        cell.value = c
        cell.data_type = "s"  # as Excel stores text typed after an apostrophe: '=...
    if name:
        ws[meta["prepared_by_cell"]] = name
    wb.save(out)
    return out


def edit(path: Path, out: Path, sheet: str, cell: str, value) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(out)
    return out


def meta_cell(path: Path, key: str) -> str:
    wb = openpyxl.load_workbook(path)
    for row in wb[META_SHEET].iter_rows():
        if row[0].value == key:
            return row[1].coordinate
    raise KeyError(key)


def expected_status(st: value_store.Status | None) -> str | None:
    if st is None:
        return None
    return "submitted" if st.status in ("submitted", "approved") else "draft"


# ------------------------------------------------------------------------------------------------ round trip


def test_round_trip_of_every_commune_of_a_district(demo, district, exported, exported_2024, fresh):
    communes = unit_store.children(demo.store, district)
    assert len(exported) == len(exported_2024) == len(communes) > 3
    for path in [*exported.values(), *exported_2024.values()]:
        openpyxl.load_workbook(path)  # openpyxl reads every export
    folders = [next(iter(exported.values())).parent, next(iter(exported_2024.values())).parent]
    previews = preview(fresh, folders)
    assert len(previews) == 2 * len(communes)
    assert all(pv.acceptable and pv.checksum_ok and not pv.warnings for pv in previews), \
        [pv.refused for pv in previews if pv.refused]
    assert all(pv.kind == "return" and not pv.changes for pv in previews)
    predicted = {(pv.unit.code, str(pv.period)): pv.status for pv in previews}
    changed = apply(fresh, previews, {pv.path for pv in previews})
    for (unit, period), status in predicted.items():
        now = value_store.get_status(fresh.store, unit, period)
        assert (now.status if now else None) == (status[1] if status else None)
    assert changed == sum(len(pv.new) + len([c for c in pv.comments if c[2]]) - len(
        [c for c in pv.comments if c[2] and c[0] in dict(pv.new)]) for pv in previews)

    statuses = set()
    for u in communes:
        year = fresh.report(u.code, "2024").own.values
        assert year == pytest.approx(demo.report(u.code, "2024").own.values) and year
        want = value_store.stored_values(demo.store, u.code, Q3)
        got = value_store.stored_values(fresh.store, u.code, Q3)
        assert {k: (v.value, v.comment) for k, v in got.items()} == {k: (v.value, v.comment) for k, v in want.items()}
        assert all(v.source == exported[u.code].name for v in got.values())
        src = value_store.get_status(demo.store, u.code, Q3)
        statuses.add(src.status if src else None)
        new = value_store.get_status(fresh.store, u.code, Q3)
        assert (new.status if new else None) == expected_status(src), u.code
        a, b = demo.report(u.code, Q3), fresh.report(u.code, Q3)
        assert [(r.code, r.value, r.status) for r in a.indicators] == [(r.code, r.value, r.status) for r in b.indicators]
        assert [m.rule for m in a.messages] == [m.rule for m in b.messages]
    assert {"submitted", "approved"} <= statuses and len(statuses) >= 3
    assert any(v.comment for u in communes for v in value_store.stored_values(fresh.store, u.code, Q3).values())

    # every applied value is in the audit log with its file
    log = value_store.audit_log(fresh.store)
    values = [e for e in log if e.action == "value"]
    files = {(c, Q3): p.name for c, p in exported.items()} | {(c, "2024"): p.name for c, p in exported_2024.items()}
    assert values and all(e.source == files[(e.unit, e.period)] and e.who == "Trần Văn Huyện" for e in values)

    # the district's own figures, entered by the district itself: then the roll-ups are the same
    own = value_store.stored_values(demo.store, district, Q3)
    value_store.write_values(fresh.store, district, Q3, {k: v.value for k, v in own.items()}, "x")
    want, got = rollup(demo.store, demo.catalogue, district, Period.parse(Q3)), \
        rollup(fresh.store, fresh.catalogue, district, Period.parse(Q3))
    assert got.values == pytest.approx(want.values) and want.values
    assert (got.reported, got.expected) == (want.reported, want.expected)
    a, b = demo.report(district, Q3), fresh.report(district, Q3)
    assert [(r.code, r.status) for r in a.rolled_indicators] == [(r.code, r.status) for r in b.rolled_indicators]

    # the same files again: nothing new, nothing written
    before = digest(fresh.store.path)
    again = preview(fresh, folders)
    assert all(pv.acceptable and pv.unchanged for pv in again)
    assert digest(fresh.store.path) == before


def test_export_refuses_a_unit_outside_the_office(fresh, demo, tmp_path):
    other = next(u for u in unit_store.children(demo.store, "42") if u.code != fresh.office_code)
    with pytest.raises(ReturnError, match="không thuộc đơn vị của văn phòng này"):
        export_return(fresh, other.code, Q3, tmp_path)
    assert not list(tmp_path.glob("*.xlsx"))


def test_user_texts_starting_with_formula_signs_stay_text(fresh, district, tmp_path):
    commune = unit_store.children(fresh.store, district)[0].code
    notes = {"received_new": "=SUM(1,2)", "received_online": "+84 912 345 678", "carried_over": "-giảm 2 hồ sơ",
             "resolved_on_time": "@bộ phận một cửa"}
    fresh.enter(commune, Q3, {"received_new": 10, "received_online": 4, "carried_over": 1, "resolved_on_time": 11},
                comments=notes)
    unit_store.rename_unit(fresh.store, commune, "=HYPERLINK(\"http://x\")", "t")
    fresh.store.set_meta("officer", "+Người lập")
    path = export_return(fresh, commune, Q3, tmp_path)
    _, cells = hidden_map(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for code, text in notes.items():
        cell = ws[cells[code][1]]
        assert cell.value == text and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row
                   if isinstance(c.value, str) and ("HYPERLINK" in c.value or "Người lập" in c.value))
    rf = read_return(path, fresh.catalogue)
    assert {k: rf.comments[k] for k in notes} == notes
    assert rf.prepared_by == "+Người lập" and rf.checksum_ok


# ------------------------------------------------------------------------------------------------ templates


def test_templates_for_a_district_and_for_one_commune(fresh, district, tmp_path):
    communes = unit_store.children(fresh.store, district)
    paths = export_templates(fresh, district, "2025Q2", tmp_path / "mau")
    assert len(paths) == len(communes) and all(p.name.startswith("mau_2025Q2_") for p in paths)
    rf = read_return(paths[0], fresh.catalogue)
    assert rf.kind == "template" and all(v is None for v in rf.values.values())
    assert rf.checksum_ok and rf.status is None
    # a quarter's template holds the quarter's elements; a year's holds the yearly ones too
    year = read_return(export_return(fresh, communes[0].code, "2025", tmp_path, blank=True), fresh.catalogue)
    assert "adults_total" in year.values and "adults_total" not in rf.values
    assert set(rf.values) < set(year.values)


def test_a_template_filled_in_with_openpyxl_imports_right(fresh, district, tmp_path):
    commune = unit_store.children(fresh.store, district)[1]
    template = export_return(fresh, commune.code, "2025Q2", tmp_path, blank=True)
    typed = {"carried_over": 12, "received_new": "1.234", "received_online": 600, "resolved_early": 300,
             "resolved_on_time": 800, "resolved_late": 46, "pending_in_time": 100, "pending_overdue": 0,
             "satisfaction_tthc_pct": 92.5, "satisfaction_tthc_respondents": "40"}
    filled = fill(template, tmp_path / "filled.xlsx", typed, {"pending_overdue": "=không có"}, "Phạm Thị Xã")
    [pv] = preview(fresh, [filled])
    assert pv.acceptable, pv.refused
    assert pv.kind == "template" and pv.unit.code == commune.code and str(pv.period) == "2025Q2"
    assert not pv.checksum_ok and not pv.warnings  # a template is meant to be edited
    assert pv.status == (None, "draft")
    want = {k: (1234.0 if k == "received_new" else 40.0 if k == "satisfaction_tthc_respondents" else float(v))
            for k, v in typed.items()}
    assert dict(pv.new) == want
    # Its figures carry no signature: applied only by an explicit choice, with a reason the history keeps.
    assert pv.seal.kind == "template" and not pv.sound and "không có chữ ký số" in pv.seal.text.vi
    before = digest(fresh.store.path)
    with pytest.raises(ParAppError, match="kèm lý do"):
        apply(fresh, [pv], {filled})
    assert digest(fresh.store.path) == before
    assert apply(fresh, [pv], {filled}, {filled: "Xã gửi bản giấy có chữ ký, đã đối chiếu"}) == len(want)
    accepted = [e for e in value_store.audit_log(fresh.store, commune.code, "2025Q2") if e.action == "accept_return"]
    assert len(accepted) == 1 and "đã đối chiếu" in accepted[0].reason and accepted[0].source == "filled.xlsx"
    stored = value_store.stored_values(fresh.store, commune.code, "2025Q2")
    assert {k: v.value for k, v in stored.items()} == want
    assert stored["pending_overdue"].comment == "=không có"
    assert value_store.get_status(fresh.store, commune.code, "2025Q2").status == "draft"
    entries = [e for e in value_store.audit_log(fresh.store, commune.code, "2025Q2") if e.action == "value"]
    assert all(e.source == "filled.xlsx" and "Phạm Thị Xã" in e.reason for e in entries)
    # a second template with only some cells: the others are left as they are
    again = fill(template, tmp_path / "again.xlsx", {"received_new": 1300})
    [pv] = preview(fresh, [again])
    assert pv.changes == [("received_new", 1234.0, 1300.0)] and not pv.new
    apply(fresh, [pv], {again}, {again: "Bổ sung theo điện thoại"})
    assert value_store.stored_values(fresh.store, commune.code, "2025Q2")["carried_over"].value == 12


def test_percentages_typed_with_a_percent_sign_read_as_percentages(fresh, district, tmp_path):
    """In Excel, 92,5% typed into a cell is stored as 0.925 and the cell shown as a percentage: it means 92.5.
    A percentage typed as text with its sign ("85%") means 85. A plain 0.78 stays 0.78 (a real online rate)."""
    commune = unit_store.children(fresh.store, district)[2]
    template = export_return(fresh, commune.code, "2025Q2", tmp_path, blank=True)
    _, cells = hidden_map(template)
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET]
    ws[cells["satisfaction_tthc_pct"][0]] = 0.925
    ws[cells["satisfaction_tthc_pct"][0]].number_format = "0.0%"
    ws[cells["satisfaction_tthc_respondents"][0]] = 40
    wb.save(tmp_path / "pct.xlsx")
    [pv] = preview(fresh, [tmp_path / "pct.xlsx"])
    assert pv.acceptable, pv.refused
    assert dict(pv.new)["satisfaction_tthc_pct"] == 92.5
    ws[cells["satisfaction_tthc_pct"][0]] = "85%"
    wb.save(tmp_path / "pct-text.xlsx")
    [pv] = preview(fresh, [tmp_path / "pct-text.xlsx"])
    assert dict(pv.new)["satisfaction_tthc_pct"] == 85.0
    ws[cells["satisfaction_tthc_pct"][0]] = 0.78
    ws[cells["satisfaction_tthc_pct"][0]].number_format = "#,##0.0#"
    wb.save(tmp_path / "plain.xlsx")
    [pv] = preview(fresh, [tmp_path / "plain.xlsx"])
    assert dict(pv.new)["satisfaction_tthc_pct"] == 0.78
    # 150% is 150: refused as a percentage past 100, naming the cell
    ws[cells["satisfaction_tthc_pct"][0]] = 1.5
    ws[cells["satisfaction_tthc_pct"][0]].number_format = "0%"
    wb.save(tmp_path / "over.xlsx")
    [pv] = preview(fresh, [tmp_path / "over.xlsx"])
    assert pv.refused is not None and "từ 0 đến 100" in pv.refused.message("vi")
    assert f"ô {cells['satisfaction_tthc_pct'][0]}" in pv.refused.message("vi")


def _soffice_convert(src: Path, outdir: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    profile = outdir / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / (src.stem + ".xlsx")
    assert out.exists()
    return out


@needs_soffice
def test_a_template_passed_through_libreoffice_imports_right(fresh, district, tmp_path):
    commune = unit_store.children(fresh.store, district)[2]
    template = export_return(fresh, commune.code, "2025Q2", tmp_path, blank=True)
    typed = {"received_new": 200, "received_online": 120, "resolved_on_time": 150, "resolved_late": 10,
             "pending_in_time": 40, "satisfaction_tthc_pct": 91.5}
    filled = fill(template, tmp_path / "filled.xlsx", typed, {"received_new": "Số liệu từ một cửa"})
    converted = _soffice_convert(filled, tmp_path / "lo")
    # LibreOffice recalculated the indicator formulas: they agree with ParApp's own
    import python_calamine

    grid = python_calamine.CalamineWorkbook.from_path(str(converted)).get_sheet_by_name(SHEET).to_python(
        skip_empty_area=False)
    by_code = {row[2]: row for row in grid if len(row) > 6 and isinstance(row[2], str)}
    values = {k: float(v) for k, v in typed.items()}
    for code in ("online_rate", "ontime_rate", "resolution_rate", "satisfaction_tthc"):
        ind = fresh.catalogue.indicators[code]
        assert by_code[code][4] == pytest.approx(ind.compute(values)), code
    [pv] = preview(fresh, [converted])
    assert pv.acceptable, pv.refused
    apply(fresh, [pv], {converted})
    stored = value_store.stored_values(fresh.store, commune.code, "2025Q2")
    assert {k: v.value for k, v in stored.items()} == values
    assert stored["received_new"].comment == "Số liệu từ một cửa"
    # and so do the status formulas, for the targets a formula can judge
    live = {c for c in formula_cells(template, SHEET) if c.startswith("G")}
    judged = {row[2]: row[6] for i, row in enumerate(grid, 1) if f"G{i}" in live}
    assert "online_rate" in judged
    for r in fresh.report(commune.code, "2025Q2").indicators:
        if r.code in judged:
            assert judged[r.code] == STATUS_NAMES[r.status].vi, r.code


@needs_soffice
def test_a_return_renders_to_pdf_with_its_diacritics(demo, exported, tmp_path):
    path = next(iter(exported.values()))
    profile = tmp_path / "profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quý III/2025",
                      "NGƯỜI LẬP BIỂU", "Trang 1/"):
            assert words in text, words
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, capture_output=True)
        assert list(tmp_path.glob("page*.png"))


# ------------------------------------------------------------------------------------------------ refusals


def _nghe_an_return(tmp_path: Path) -> Path:
    with Office.create(tmp_path / "na.db", "40") as na:
        na.enter("17014", Q3, {"received_new": 5})
        return export_return(na, "17014", Q3, tmp_path)


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    return path


def _other_program(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["Họ tên", "Số điện thoại"])
    wb.active.append(["Nguyễn Văn A", "0912345678"])
    wb.save(path)
    return path


BAD = {
    "truncated": lambda good, tmp: (tmp / "cut.xlsx").write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2])
    and (tmp / "cut.xlsx", "không phải là tệp Excel (.xlsx) đọc được", None, None),
    "csv": lambda good, tmp: (tmp / "csv.xlsx").write_text("ma,gia_tri\nreceived_new,5\n", encoding="utf-8")
    and (tmp / "csv.xlsx", "không phải là tệp Excel (.xlsx) đọc được", None, None),
    "zip bomb": lambda good, tmp: (_zip_bomb(tmp / "bomb.xlsx"), "nghi là tệp nén độc hại", None, None),
    "other program": lambda good, tmp: (_other_program(tmp / "danh-ba.xlsx"), "không phải là báo cáo ParApp",
                                        None, None),
    "another province": lambda good, tmp: (_nghe_an_return(tmp), "là báo cáo của tỉnh mã 40", META_SHEET,
                                           "province"),
    "catalogue version": lambda good, tmp: (edit(good, tmp / "cat.xlsx", META_SHEET, meta_cell(good, "catalogue_version"),
                                                 "2024.9"), 'phiên bản "2024.9"', META_SHEET, "catalogue_version"),
    "formula in a count": lambda good, tmp: (_set_value(good, tmp / "f.xlsx", "received_new", "=10+5"),
                                             "ô chứa công thức", SHEET, "received_new"),
    "text in a count": lambda good, tmp: (_set_value(good, tmp / "t.xlsx", "received_new", "mười hai"),
                                          '"mười hai" không phải là một số', SHEET, "received_new"),
    "negative count": lambda good, tmp: (_set_value(good, tmp / "n.xlsx", "received_online", -5),
                                         "không được nhỏ hơn 0", SHEET, "received_online"),
    "fraction in a count": lambda good, tmp: (_set_value(good, tmp / "h.xlsx", "carried_over", 2.5),
                                              "phải là số nguyên", SHEET, "carried_over"),
    "percentage past 100": lambda good, tmp: (_set_value(good, tmp / "p.xlsx", "satisfaction_tthc_pct", 120),
                                              "từ 0 đến 100", SHEET, "satisfaction_tthc_pct"),
    # "1,234" reads in Vietnamese as one point two three four: not a count
    "English thousands": lambda good, tmp: (_set_value(good, tmp / "e.xlsx", "received_new", "1,234"),
                                            "phải là số nguyên, không nhận 1,234", SHEET, "received_new"),
    "text in the English way": lambda good, tmp: (_set_value(good, tmp / "e2.xlsx", "received_new", "1,234.5"),
                                                  '"1,234.5" không phải là một số', SHEET, "received_new"),
    "a cell far away": lambda good, tmp: (edit(good, tmp / "far.xlsx", SHEET, "XFD1048576", 1),
                                          "quá xa vùng của biểu mẫu", SHEET, None),
    # calamine takes elements by their local name, whatever their namespace: so does the scan
    "a far cell in another namespace": lambda good, tmp: (_edit_sheet_xml(good, tmp / "ns.xlsx", lambda x: x.replace(
        b"<worksheet ", b'<worksheet xmlns:zz="urn:example:other" ', 1).replace(
        b"</sheetData>", b'<row r="4999"><zz:c r="XFD1048576" t="n"><zz:v>1</zz:v></zz:c></row></sheetData>')),
        "quá xa vùng của biểu mẫu", SHEET, None),
    "a formula in another namespace": lambda good, tmp: (_edit_sheet_xml(good, tmp / "nsf.xlsx", lambda x: _re.sub(
        rb'<c r="(' + hidden_map(good)[1]["received_new"][0].encode() + rb')"[^>]*?(?:/>|>.*?</c>)',
        rb'<c r="\1" t="n"><zz:f>10+5</zz:f><v>15</v></c>',
        x.replace(b"<worksheet ", b'<worksheet xmlns:zz="urn:example:other" ', 1), count=1)),
        "ô chứa công thức", SHEET, "received_new"),
    # calamine sets aside room for uniqueCount strings before reading one: four billion would abort ParApp
    "a hostile table of strings": lambda good, tmp: (_with_shared_strings(good, tmp / "sst.xlsx", b'count="1" uniqueCount="4000000000"'),
                                                     "nghi là tệp độc hại", None, None),
    "a date": lambda good, tmp: (_set_value(good, tmp / "d.xlsx", "received_new", __import__("datetime").date(2025, 9, 1)),
                                 "ngày tháng", SHEET, "received_new"),
}


def _edit_sheet_xml(good: Path, out: Path, change) -> Path:
    """The return with the report sheet's XML changed by change(bytes) -> bytes, in a sound zip."""
    part = untrusted._sheet_xml_path(untrusted._Package(good, {}), SHEET)
    with zipfile.ZipFile(good) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    changed = change(parts[part])
    assert changed != parts[part]
    parts[part] = changed
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


def _with_shared_strings(good: Path, out: Path, attributes: bytes) -> Path:
    """The return with a table of shared strings (as Excel writes one) whose start tag has these attributes."""
    with zipfile.ZipFile(good) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                                     b'spreadsheetml/2006/main" ' + attributes + b'><si><t>x</t></si></sst>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out


def test_a_table_of_strings_of_a_sensible_size_is_read(exported, fresh, tmp_path):
    good = next(iter(exported.values()))
    path = _with_shared_strings(good, tmp_path / "sst-ok.xlsx", b'count="1" uniqueCount="1"')
    [pv] = preview(fresh, [path])
    assert pv.refused is None and pv.acceptable


def _set_value(good: Path, out: Path, code: str, value) -> Path:
    _, cells = hidden_map(good)
    return edit(good, out, SHEET, cells[code][0], value)


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_refused_naming_file_sheet_and_cell(case, exported, fresh, tmp_path, cli):
    good = next(iter(exported.values()))
    path, words, sheet, where = BAD[case](good, tmp_path)
    before = digest(fresh.store.path)
    [pv] = preview(fresh, [path])
    assert pv.refused is not None
    message = pv.refused.message("vi")
    assert f'Tệp "{path.name}"' in message and words in message, message
    assert "\n" not in message
    if sheet is not None:
        assert f'trang "{sheet}"' in message
        if where is None:
            pass
        elif sheet == META_SHEET:
            assert f"ô {meta_cell(good, where)}" in message
        else:
            assert f"ô {hidden_map(good)[1][where][0]}" in message
    assert pv.refused.message("en").startswith(f'File "{path.name}"')
    with pytest.raises(ParAppError):
        apply(fresh, [pv], {path})
    # with a good file beside it: all or nothing
    code, out, err = cli("import-returns", "--db", fresh.store.path, good, path, "--yes")
    assert code == 1 and "Không nhập tệp nào" in err and "BỊ TỪ CHỐI" in out
    assert digest(fresh.store.path) == before


def test_an_approved_period_is_refused_until_the_approval_is_revoked(demo, fresh, exported, tmp_path):
    commune = next(c for c in exported if expected_status(value_store.get_status(demo.store, c, Q3)) == "submitted")
    path = exported[commune]
    apply(fresh, preview(fresh, [path]), {path})
    fresh.approve(commune, Q3)
    changed = _set_value(path, tmp_path / "changed.xlsx", "received_new", 999)
    before = digest(fresh.store.path)
    [pv] = preview(fresh, [changed])
    assert pv.refused is not None
    message = pv.refused.message("vi")
    assert "đã được duyệt nên bị khoá" in message and pv.unit.name in message and "Quý III/2025" in message
    # a preview made while the period was open does not get past an approval given since
    fresh.return_(commune, Q3, "Kiểm tra lại")
    [stale] = preview(fresh, [changed])
    assert stale.acceptable and stale.seal.kind == "edited"  # edited after export: applied only by choice
    value_store.set_status(fresh.store, commune, Q3, "approved", "Trưởng phòng")
    before = digest(fresh.store.path)
    with pytest.raises(value_store.LockedError) as e:
        apply(fresh, [stale], {changed}, {changed: "Sửa theo công văn"})
    assert "Quý III/2025" in e.value.message("vi") and stale.unit.name in e.value.message("vi")
    assert digest(fresh.store.path) == before
    # revoked: the return goes in
    fresh.return_(commune, Q3, "Mở khoá để nhập lại")
    [pv] = preview(fresh, [changed])
    assert pv.acceptable and pv.changes == [("received_new", value_store.stored_values(
        fresh.store, commune, Q3)["received_new"].value, 999.0)]
    apply(fresh, [pv], {changed}, {changed: "Sửa theo công văn"})
    assert value_store.stored_values(fresh.store, commune, Q3)["received_new"].value == 999


def test_two_files_for_one_unit_and_period_are_both_refused(fresh, exported, tmp_path):
    path = next(iter(exported.values()))
    copy = tmp_path / "copy.xlsx"
    shutil.copy(path, copy)
    previews = preview(fresh, [path, copy, path])  # the same file twice counts once
    assert len(previews) == 2
    assert all(pv.refused is not None and "hãy chỉ chọn một" in pv.refused.message("vi") for pv in previews)


def test_a_unit_not_below_the_office_is_refused(demo, fresh, tmp_path):
    other = next(u for u in unit_store.subtree(demo.store, "42") if u.level == "commune"
                 and not unit_store.is_below(fresh.store, u.code, fresh.office_code))
    path = export_return(demo, other.code, Q3, tmp_path)
    [pv] = preview(fresh, [path])
    assert pv.refused is not None and "không phải là đơn vị cấp dưới" in pv.refused.message("vi")


# ------------------------------------------------------------------------------------------------ command line


def test_command_line_export_template_and_import(demo, district, fresh, tmp_path, cli):
    demo_db, db = demo.store.path, fresh.store.path
    commune = next(u.code for u in unit_store.children(demo.store, district)
                   if len(value_store.stored_values(demo.store, u.code, Q3)) == 21)
    out = tmp_path / "r.xlsx"
    code, stdout, err = cli("export-return", "--db", demo_db, "--unit", commune, "--period", Q3, "--out", out)
    assert code == 0 and out.exists() and "Đã ghi báo cáo Quý III/2025" in stdout, err
    code, stdout, _ = cli("template", "--db", db, "--unit", district, "--period", Q3, "--out", tmp_path / "mau")
    assert code == 0 and len(list((tmp_path / "mau").glob("mau_*.xlsx"))) == len(unit_store.children(demo.store,
                                                                                                     district))
    code, stdout, _ = cli("template", "--db", db, "--unit", commune, "--period", Q3, "--out", tmp_path / "one.xlsx")
    assert code == 0 and (tmp_path / "one.xlsx").exists()

    before = digest(db)
    code, stdout, _ = cli("import-returns", "--db", db, out)
    assert code == 0 and "Mới: 21 giá trị" in stdout and "--yes" in stdout
    code, stdout, _ = cli("import-returns", "--db", db, out, "--yes", "--dry-run", "--lang", "en")
    assert code == 0 and "New: 21 value(s)" in stdout
    assert digest(db) == before
    code, stdout, _ = cli("import-returns", "--db", db, out, "--yes", "--lang", "en")
    assert code == 0 and "Imported 1 file(s): 21 value(s) changed." in stdout
    code, stdout, err = cli("import-returns", "--db", db, tmp_path / "none")
    assert code == 1 and err.strip()
    (tmp_path / "empty").mkdir()
    code, stdout, err = cli("import-returns", "--db", db, tmp_path / "empty")
    assert code == 1 and "Không tìm thấy tệp .xlsx" in err


# ------------------------------------------------------------------------------------------------ random mutations


@pytest.fixture(scope="module")
def base(tmp_path_factory, demo, district, exported):
    """A fresh district database file and one valid return, copied per example."""
    folder = tmp_path_factory.mktemp("base")
    with Office.create(folder / "base.db", "42", office=district) as office:
        del office
    commune, path = next((c, p) for c, p in exported.items()
                         if len(value_store.stored_values(demo.store, c, Q3)) > 15)
    keys = {k: meta_cell(path, k) for k in hidden_map(path)[0]}
    return folder / "base.db", path, hidden_map(path), keys


_value = st.one_of(
    st.text(max_size=12), st.integers(-10**13, 10**13), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["=1+1", "=A1", "1.234", "12,5", "-0", "  7 ", "1.2.3", "1e3", "TRUE", "#DIV/0!"]),
    st.booleans())
_mutation = st.one_of(
    st.tuples(st.just("value"), st.integers(0, 100), _value),
    st.tuples(st.just("meta"), st.sampled_from(["unit", "period", "catalogue_version", "format", "kind", "province",
                                                 "format_version", "checksum"]), st.text(max_size=10)),
    st.tuples(st.just("drop hidden sheet"), st.none(), st.none()),
    st.tuples(st.just("truncate"), st.integers(0, 40000), st.none()),
    st.tuples(st.just("flip"), st.integers(0, 40000), st.integers(1, 255)),
    st.tuples(st.just("xml"), st.tuples(st.integers(0, 20), st.integers(0, 10**6)), st.binary(max_size=8)),
)


def _mutate_xml(path: Path, which: int, at: int, insert: bytes) -> None:
    """Cut or splice bytes inside one unpacked part of the workbook, and pack it again (sound zip, odd XML)."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    names = sorted(parts)
    name = names[which % len(names)]
    data = parts[name]
    at = at % (len(data) + 1)
    parts[name] = data[:at] + insert + data[at + (0 if insert else 1):]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in names:
            zf.writestr(n, parts[n])


@settings(max_examples=int(os.environ.get("PARAPP_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(_mutation, min_size=1, max_size=3))
def test_mutated_returns_import_cleanly_or_are_refused(base, tmp_path, mutations):
    db_file, good, (meta, cells), keys = base
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "d.db"
    shutil.copy(db_file, db)
    path = work / "mutated.xlsx"
    shutil.copy(good, path)
    codes = sorted(cells)
    for kind, where, what in mutations:
        if kind in ("value", "meta", "drop hidden sheet"):
            try:
                wb = openpyxl.load_workbook(path)
            except Exception:
                continue  # an earlier mutation broke the file for openpyxl too
            try:
                if kind == "value":
                    wb[SHEET][cells[codes[where % len(codes)]][0]] = what
                elif kind == "meta":
                    wb[META_SHEET][keys[where]] = what
                elif META_SHEET in wb.sheetnames:
                    del wb[META_SHEET]
                wb.save(path)
            except Exception:
                continue  # openpyxl will not write it (a control character, ...): no mutation this time
        elif kind == "xml":
            try:
                _mutate_xml(path, where[0], where[1], what)
            except Exception:
                continue  # an earlier mutation broke the zip
        elif kind == "truncate":
            data = path.read_bytes()
            path.write_bytes(data[:where % max(len(data), 1)])
        else:
            data = bytearray(path.read_bytes())
            if data:
                data[where % len(data)] ^= what
                path.write_bytes(bytes(data))
    office = Office.open(db)
    try:
        before = digest(db)
        [pv] = preview(office, [path])
        assert digest(db) == before
        event("refused" if pv.refused is not None else "imported")
        if pv.refused is not None:
            assert pv.refused.message("vi").startswith(f'Tệp "{path.name}"')
            with pytest.raises(ParAppError):
                apply(office, [pv], {path})
            assert digest(db) == before
            return
        rf = pv.file
        if pv.sound:  # a signature that still holds vouches for every signed thing in the file
            original = read_return(good, office.catalogue)
            assert (rf.unit, str(rf.period), rf.values, rf.comments, rf.status) == \
                (original.unit, str(original.period), original.values, original.comments, original.status)
        else:
            event(f"seal {pv.seal.kind}")
            with pytest.raises(ParAppError):
                apply(office, [pv], {path})
            assert digest(db) == before
        apply(office, [pv], {path}, {path: "thử"})
        stored = value_store.stored_values(office.store, pv.unit.code, str(pv.period))
        for code, v in rf.values.items():
            el = office.catalogue.elements[code]
            if v is None:
                assert code not in stored
            else:
                assert stored[code].value == el.check(v) == v
        assert pv.unit.level == "commune" and unit_store.is_below(office.store, pv.unit.code, office.office_code)
    finally:
        office.close()


def test_zip_checks_happen_before_any_reader(tmp_path, fresh):
    """A member that declares less than it holds fails its CRC in the zip check, not inside calamine."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<x/>" * 1000)
    data = bytearray(buf.getvalue())
    # shrink the declared size of the last member in the central directory
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    [pv] = preview(fresh, [path])
    assert pv.refused is not None and 'Tệp "liar.xlsx"' in pv.refused.message("vi")


def test_written_files_are_readable_by_others_in_the_office(tmp_path):
    """Files go through a temporary name, which mkstemp makes owner-only: the final file is not."""
    import os

    from parapp.exchange.files import write_atomically

    out = write_atomically(tmp_path / "bao-cao.pdf", lambda tmp: tmp.write_bytes(b"%PDF-1.4"))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


# Pieces of sheet XML that try to hide a cell or a formula from the scan, or to make calamine lay out a
# sheet beyond the form's limits (the far ones stay small enough for calamine to lay out in a test).
_XML_PIECES = [
    b'<c r="A1">', b'<c r="BL5000"/>', b'<c r="BM1"/>', b'<c r="A5001"/>', b'<c r="CZ9" t="n"><v>1</v></c>',
    b'<zz:c r="CZ9" t="n"><zz:v>1</zz:v></zz:c>', b'<zz:c r="A9000"/>', b'<c>', b'<c/>', b'<c s="1" r="CZ9">',
    b'<c r="A1" r="CZ9">', b"<c r='CZ9'>", b'<c\tr="CZ9"/>', b'<C r="CZ9"/>', b'<c r="A0"/>', b'<f>1+1</f>',
    b'<zz:f>1</zz:f>', b'<c r="B2"><f>2</f><v>2</v></c>', b'<!-- <c r="CZ9"/> -->', b'<![CDATA[<c r="CZ9"/>]]>',
    b'<?pi <c r="CZ9"/>?>', b' xmlns:zz="urn:example:other"', b' xmlns:zz="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
    b'<row r="9000">', b'<row>', b'</row>', b'</c>', b'<v>5</v>', b'"', b">", b"<", b":c ", b"</sheetData>",
    b'<c r="\xd9\xa3"/>', b'<zz:row r="9000"><c/></zz:row>',
]


@settings(max_examples=int(os.environ.get("PARAPP_FUZZ_EXAMPLES", "60")) * 3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(splices=st.lists(st.tuples(st.integers(0, 10**6), st.one_of(st.sampled_from(_XML_PIECES), st.binary(max_size=4)),
                                  st.booleans()), min_size=1, max_size=4))
def test_the_sheet_scan_sees_every_cell_calamine_reads(base, splices):
    """Whatever is spliced into a sheet's XML: when the scan lets it through, calamine lays it out inside the
    form's limits; and the quick scan, when it answers, answers as the reference reading does."""
    from python_calamine import CalamineWorkbook

    _, good, _, _ = base
    part = untrusted._sheet_xml_path(untrusted._Package(good, {}), SHEET)
    with zipfile.ZipFile(good) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    data = parts[part]
    for at, piece, between_tags in splices:
        if between_tags:  # before a "<": the sheet stays well formed more often, and reaches the reference reading
            starts = [i for i in range(len(data)) if data[i] == 60]
            at = starts[at % len(starts)] if starts else 0
        at %= len(data) + 1
        data = data[:at] + piece + data[at:]
    try:
        reference = untrusted._scan_xml(good, SHEET, io.BytesIO(data))
    except ReturnError:
        reference = "far"
    except Exception:
        reference = None  # not well formed: no reference answer
    quick = untrusted._quick_scan(data)
    if quick is not None:
        assert reference != "far"
        if reference is not None and b"<!" not in data and b"<?" not in data[5:]:
            assert quick == reference
        elif reference is not None:  # a comment or CDATA section may hold what looks like a formula
            assert quick >= reference
    if quick is None and reference in (None, "far"):
        event("refused by the scan")
        return  # read_return refuses the file before calamine sees the sheet
    event("passed by the quick scan" if quick is not None else "passed by the reference scan")
    parts[part] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    buf.seek(0)
    try:
        sheet = CalamineWorkbook.from_filelike(buf).get_sheet_by_name(SHEET)
    except Exception:
        return  # calamine cannot read it: refused as damaged
    if sheet.end is not None:
        assert sheet.end[0] < untrusted.MAX_ROWS and sheet.end[1] < untrusted.MAX_COLUMNS, (sheet.end, splices)


# ------------------------------------------------------------------------------------------------ reader workers


def _summary(pvs):
    return [(pv.path.name, pv.unit.code if pv.unit else None, str(pv.period), pv.new, pv.changes, pv.comments,
             pv.refused.message("vi") if pv.refused else None) for pv in pvs]


def test_returns_read_on_worker_processes_preview_as_read_here(exported, fresh, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in exported.values():
        shutil.copy(p, folder / p.name)
    _set_value(next(iter(exported.values())), folder / "z-bad.xlsx", "received_new", "mười hai")
    monkeypatch.setattr(readers, "MIN_FILES", 10**6)
    here = preview(fresh, [folder])
    monkeypatch.setattr(readers, "MIN_FILES", 2)
    there = preview(fresh, [folder])
    assert readers._pool is not None  # the workers did the reading
    assert _summary(there) == _summary(here)
    assert sum(pv.refused is not None for pv in there) == 1 and len(there) == len(exported) + 1
    before = digest(fresh.store.path)
    assert apply(fresh, there, {pv.path for pv in there if pv.acceptable}) > 0
    assert digest(fresh.store.path) != before


def test_a_file_that_ends_its_reader_is_refused_and_the_others_are_read(exported, fresh, tmp_path, monkeypatch):
    import crashing_reader

    monkeypatch.setattr(readers, "MIN_FILES", 2)
    goods = list(exported.values())[:9]
    paths = []
    for i, p in enumerate(goods):
        paths.append(shutil.copy(p, tmp_path / p.name))
        if i == 4:
            paths.append(shutil.copy(p, tmp_path / "crash-me.xlsx"))
    got = list(readers.read_many([Path(p) for p in paths], fresh.catalogue, crashing_reader.read_or_die,
                                 importing._crashed))
    assert [p.name for p, _ in got] == [Path(p).name for p in paths]  # every file, in order
    for path, result in got:
        if path.name == "crash-me.xlsx":
            with pytest.raises(ReturnError, match="dừng đột ngột"):
                result()
        else:
            assert result().unit == read_return(path, fresh.catalogue).unit
    # the workers were started again and still serve
    again = list(readers.read_many([Path(p) for p in paths if "crash" not in str(p)], fresh.catalogue,
                                   crashing_reader.read_or_die, importing._crashed))
    assert all(result().unit for _, result in again)


# ------------------------------------------------------------------------------------------------ forwarding upward


def test_a_district_forwards_its_communes_and_the_province_rolls_them_up(demo, district, tmp_path, cli):
    """A district sends its own return and its communes' (with figures) in one e-mail; the province imports
    them all and its roll-up of the district is the district's own roll-up, computed from the counts."""
    import email
    from email import policy

    from parapp.exchange.outbox import make_eml
    from parapp.exchange.returns import export_with_below, units_with_figures_below

    with_figures = units_with_figures_below(demo, district, Q3)
    assert with_figures and all(u.level == "commune" for u in with_figures)
    code, out, _err = cli("export-return", "--db", demo.store.path, "--unit", district, "--period", Q3,
                          "--out", tmp_path / "fwd", "--with-below")
    assert code == 0 and f"{len(with_figures)} đơn vị trực thuộc" in out
    paths = sorted((tmp_path / "fwd").glob("*.xlsx"))
    assert len(paths) == 1 + len(with_figures)
    again = export_with_below(demo, district, Q3, tmp_path / "again")
    assert again[0].name.startswith(f"{Q3}_{district}_")  # the district's own return first
    with Office.create(tmp_path / "province.db", "42") as province:
        pvs = preview(province, [tmp_path / "fwd"])
        assert all(pv.acceptable for pv in pvs), [pv.refused.message() for pv in pvs if pv.refused]
        # Signed by the demo's province office: this new database of the same office has a key of its own.
        assert {pv.seal.kind for pv in pvs} == {"other_key"} and "Tỉnh Hà Tĩnh" in pvs[0].seal.text.vi
        apply(province, pvs, {pv.path for pv in pvs}, {pv.path: "Bản của máy cũ" for pv in pvs})
        period = Period.parse(Q3)
        here, there = rollup(province.store, province.catalogue, district, period), rollup(demo.store, demo.catalogue,
                                                                                         district, period)
        assert here.values == pytest.approx(there.values) and here.values
    # the e-mail draft carries them all, the district's first
    eml = make_eml(demo, again[0], to="ubnd@hatinh.gov.vn", below=again[1:])
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert names == [p.name for p in again]
    assert f"báo cáo của {len(again) - 1} đơn vị trực thuộc" in msg.get_body().get_content()


def test_the_workers_can_be_started_ahead_and_stopped(fresh):
    import time

    readers.shutdown()
    assert readers._pool is None
    readers.warm(fresh.catalogue)  # returns at once; the window calls it as the import dialog opens
    deadline = time.monotonic() + 60
    while readers._pool_for(fresh.catalogue, start=False) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert readers._pool_for(fresh.catalogue, start=False) is not None
    readers.shutdown()
    assert readers._pool_for(fresh.catalogue, start=False) is None


def test_a_target_on_last_years_rate_is_a_live_status_in_the_workbook(demo, exported_2024):
    """Hà Tĩnh's digitisation target is last year's rate plus 20 points: the number is fixed once worked
    out, so the year return's status cell is a formula over the rate, as for a plain threshold."""
    from parapp.exchange.returns import COL_STATUS, _canon

    commune, path = next((c, p) for c, p in exported_2024.items()
                         if next(r for r in demo.report(c, "2024").indicators
                                 if r.code == "digitised_results_rate").checks[0].goal is not None)
    [res] = [r for r in demo.report(commune, "2024").indicators if r.code == "digitised_results_rate"]
    assert res.checks[0].target.type == "increment" and res.checks[0].target.base_year is None
    goal = res.checks[0].goal  # 2023's rate plus 20 points, at most 100
    ws = openpyxl.load_workbook(path)[SHEET]
    formulas = [c.value for c in ws[COL_STATUS] if isinstance(c.value, str) and c.value.startswith("=IF(")]
    assert any(f">={_canon(goal)}," in f for f in formulas), formulas
