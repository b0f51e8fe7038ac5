"""The consolidated workbook of a district or province, and the outbox with its e-mail draft."""

from __future__ import annotations

import email
import re
import shutil
import statistics
import subprocess
import time
import zipfile
from email import policy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from parapp.domain.periods import Period
from parapp.engine.aggregate import rollup
from parapp.engine.compliance import STATUS_SYMBOLS
from parapp.engine.office import Office
from parapp.exchange.consolidated import (
    PAGE_WIDTH,
    STATUS_COLOURS,
    Cancelled,
    export_consolidated,
    pages_wide,
)
from parapp.exchange.outbox import make_eml, outbox_dir, set_upper_email, write_outbox
from parapp.i18n import ParAppError
from parapp.store import units as unit_store

PROVINCE = "42"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    from parapp.engine.demo import make_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path)
    return path


@pytest.fixture(scope="module")
def office(demo_path):
    o = Office.open(demo_path)
    yield o
    o.close()


@pytest.fixture(scope="module")
def province_book(office, tmp_path_factory):
    """The province's workbook for 2025Q3, and how long it took to write."""
    out = tmp_path_factory.mktemp("books") / "tong-hop.xlsx"
    start = time.perf_counter()
    path = export_consolidated(office, PROVINCE, "2025Q3", out)
    return path, time.perf_counter() - start


def read_table(ws):
    """The table of a period sheet: (header rows, {indicator name: value column}, body rows as lists)."""
    h2 = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Mã")
    h1 = h2 - 1
    columns = {}
    for col in range(6, ws.max_column + 1, 2):
        name = ws.cell(h1, col).value
        if name:
            columns[re.sub(r" \(%\)$", "", name)] = col
    rows = []
    r = h2 + 1
    while ws.cell(r, 1).value:
        rows.append([ws.cell(r, c) for c in range(1, ws.max_column + 1)])
        r += 1
    return (h1, h2), columns, rows


def split_rows(rows):
    """Unit rows, the own-figures row and the total row."""
    assert "(số liệu riêng)" in rows[-2][1].value
    assert rows[-1][1].value.startswith("TỔNG CỘNG")
    return rows[:-2], rows[-2], rows[-1]


def province_sum(office, period: str, numerator: str, denominator: str) -> float:
    """numerator / denominator * 100 over every unit of the province, straight from the stored values."""
    num, den = office.store.conn.execute(
        "SELECT sum(CASE WHEN dv.element = ? THEN dv.value END), sum(CASE WHEN dv.element = ? THEN dv.value END) "
        "FROM data_values dv JOIN unit_tree t ON t.unit = dv.unit WHERE t.ancestor = ? AND dv.period = ?",
        (numerator, denominator, PROVINCE, period)).fetchone()
    return num / den * 100


def test_province_rows_are_its_districts(office, province_book):
    path, _ = province_book
    wb = load_workbook(path)
    assert wb.sheetnames == ["Quý III-2025", "Số liệu"]
    ws = wb["Quý III-2025"]
    assert "Tỉnh Hà Tĩnh" in ws["A2"].value and "Quý III/2025" in ws["A2"].value
    _, _, rows = read_table(ws)
    units, own, total = split_rows(rows)
    districts = unit_store.children(office.store, PROVINCE)
    assert [r[0].value for r in units] == [d.code for d in districts]
    assert [r[1].value for r in units] == [d.name for d in districts]
    assert own[0].value == total[0].value == PROVINCE


def test_total_is_computed_from_counts(office, province_book):
    path, _ = province_book
    ws = load_workbook(path)["Quý III-2025"]
    _, columns, rows = read_table(ws)
    units, _, total = split_rows(rows)
    col = columns[office.catalogue.indicator("online_rate").name.vi] - 1
    expected = province_sum(office, "2025Q3", "received_online", "received_new")
    assert total[col].value * 100 == pytest.approx(expected, rel=1e-12)
    assert total[col].number_format == "0.00%"
    mean = statistics.mean(r[col].value for r in units) * 100
    assert abs(mean - expected) > 0.1, "the demo should make the mean of rates differ from the rate of sums"
    # the figures sheet holds the counts that give it
    data = load_workbook(path)["Số liệu"]
    h2 = next(r for r in range(1, 30) if data.cell(r, 1).value == "Mã")
    codes = {data.cell(h2, c).value: c for c in range(4, data.max_column + 1)}
    last = next(r for r in range(h2 + 1, 400) if not data.cell(r + 1, 1).value)
    online, new = (data.cell(last, codes[e]).value for e in ("received_online", "received_new"))
    assert online / new * 100 == pytest.approx(expected, rel=1e-12)
    body = range(h2 + 1, last)
    assert sum(data.cell(r, codes["received_new"]).value for r in body) == new  # rows + own = total


def test_coverage_matches_rollup(office, province_book):
    path, _ = province_book
    ws = load_workbook(path)["Quý III-2025"]
    _, _, rows = read_table(ws)
    units, own, total = split_rows(rows)
    period = Period.parse("2025Q3")
    for r in units:
        agg = rollup(office.store, office.catalogue, r[0].value, period)
        assert r[3].value == f"{agg.reported}/{agg.expected}"
    agg = rollup(office.store, office.catalogue, PROVINCE, period)
    assert total[3].value == f"{agg.reported}/{agg.expected}"
    assert re.fullmatch(r"\d+/\d+", total[3].value) and agg.reported < agg.expected  # some communes are late
    assert own[3].value == "—"


def test_statuses_are_symbols_and_colours(office, province_book):
    path, _ = province_book
    ws = load_workbook(path)["Quý III-2025"]
    _, columns, rows = read_table(ws)
    symbols = {c.value for r in rows for c in r[6::2]}
    assert symbols <= set(STATUS_SYMBOLS.values())
    assert {STATUS_SYMBOLS["met"], STATUS_SYMBOLS["at_risk"]} <= symbols
    rep = office.report(PROVINCE, "2025Q3")
    expected = {r.code: r.status for r in rep.rolled_indicators}
    total = rows[-1]
    for code in ("online_rate", "e_workfile_rate"):
        col = columns[office.catalogue.indicator(code).name.vi] - 1
        status = expected[code]
        assert total[col + 1].value == STATUS_SYMBOLS[status]
        assert total[col + 1].data_type == "s"
        assert total[col].fill.fgColor.rgb.endswith(STATUS_COLOURS[status][1])
    assert all(r[2].value.split(" ", 1)[1] in ("Đã gửi", "Đã duyệt", "Bị trả lại", "Đang nhập", "Chưa nhập")
               for r in rows)


def test_sheet_is_ready_to_print(province_book):
    path, _ = province_book
    ws = load_workbook(path)["Quý III-2025"]
    (h1, h2), _, rows = read_table(ws)
    assert ws.freeze_panes == f"F{h2 + 1}"
    assert ws.auto_filter.ref == f"A{h2}:{ws.cell(h2, ws.max_column).column_letter}{h2 + len(rows) - 2}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    # as many pages wide as the sheet needs to print at about 80 % size or more
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1))
    pages = pages_wide(width)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == pages
    assert (pages_wide(150), pages_wide(PAGE_WIDTH), pages_wide(PAGE_WIDTH + 1), pages_wide(312)) == (1, 1, 2, 2)
    # the title lines end on the first page
    title = next(r for r in ws.merged_cells.ranges if r.min_row == 1)
    shown = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, title.max_col + 1))
    assert shown <= width / pages
    assert ws.print_title_rows.replace("$", "") == f"{h1}:{h2}"
    assert ws.column_dimensions["B"].width >= 20 and ws.column_dimensions["G"].width < 4
    legend = [ws.cell(r, 2).value for r in range(h2 + len(rows) + 1, ws.max_row + 1)]
    assert "Không đạt" in legend and "Có nguy cơ không đạt" in legend


def test_province_workbook_is_quick(province_book):
    _, seconds = province_book
    print(f"whole-province consolidated workbook: {seconds:.2f} s")
    assert seconds < 10


def test_user_text_is_never_a_formula(office, tmp_path):
    evil = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'
    old = office.unit("436").name
    unit_store.rename_unit(office.store, "436", evil, "test")
    try:
        path = export_consolidated(office, PROVINCE, "2025Q3", tmp_path / "evil.xlsx")
    finally:
        unit_store.rename_unit(office.store, "436", old, "test")
    ws = load_workbook(path)["Quý III-2025"]
    _, _, rows = read_table(ws)
    cell = next(r[1] for r in rows if r[0].value == "436")
    assert cell.value == evil
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in z.read(n).decode() or "<f " in z.read(n).decode() for n in sheets)


def test_year_and_several_periods(office, tmp_path):
    path = export_consolidated(office, PROVINCE, ["2025Q3", "2025", "2025Q3"], tmp_path / "two")
    assert path.suffix == ".xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["Quý III-2025", "Số liệu Quý III-2025", "Năm 2025", "Số liệu Năm 2025"]
    _, columns, rows = read_table(wb["Năm 2025"])
    col = columns[office.catalogue.indicator("online_rate").name.vi] - 1
    quarters = office.store.conn.execute(
        "SELECT sum(CASE WHEN dv.element = 'received_online' THEN dv.value END), "
        "sum(CASE WHEN dv.element = 'received_new' THEN dv.value END) FROM data_values dv "
        "JOIN unit_tree t ON t.unit = dv.unit WHERE t.ancestor = ? AND dv.period IN "
        "('2025Q1', '2025Q2', '2025Q3', '2025Q4')", (PROVINCE,)).fetchone()
    assert rows[-1][col].value * 100 == pytest.approx(quarters[0] / quarters[1] * 100, rel=1e-12)


def test_district_rows_are_communes(office, tmp_path):
    path = export_consolidated(office, "439", "2025Q3", tmp_path / "huong-son.xlsx")
    _, _, rows = read_table(load_workbook(path).active)
    units, _, _ = split_rows(rows)
    assert [r[0].value for r in units] == [u.code for u in unit_store.children(office.store, "439")]


def test_commune_has_no_consolidated_workbook(office, tmp_path):
    commune = unit_store.children(office.store, "439")[0].code
    with pytest.raises(ParAppError, match="không có đơn vị trực thuộc"):
        export_consolidated(office, commune, "2025Q3", tmp_path / "x.xlsx")
    with pytest.raises(ParAppError, match=r"\.xlsx"):
        export_consolidated(office, PROVINCE, "2025Q3", tmp_path / "x.xls")


def test_cancel_leaves_nothing(office, tmp_path):
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done < 5

    with pytest.raises(Cancelled):
        export_consolidated(office, PROVINCE, "2025Q3", tmp_path / "cancelled.xlsx", progress)
    assert list(tmp_path.iterdir()) == []
    assert seen[-1][0] == 5 and seen[0] == (0, seen[0][1])
    # and a progress that never cancels sees the end
    seen.clear()
    export_consolidated(office, PROVINCE, "2025Q3", tmp_path / "done.xlsx", lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] and [p.name for p in tmp_path.iterdir()] == ["done.xlsx"]


# ------------------------------------------------------------------------------------------ outbox


def test_outbox_and_eml(office, province_book, tmp_path):
    path, _ = province_book
    copy = write_outbox(office, path)
    assert copy.parent == outbox_dir(office) == tmp_path / "home" / "outbox"
    assert copy.name == "42_2025Q3_Tinh_Ha_Tinh.xlsx"
    assert copy.read_bytes() == path.read_bytes()
    set_upper_email(office, "vpubnd@hatinh.gov.vn")
    eml = make_eml(office, copy)
    assert eml == copy.with_suffix(".eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Báo cáo CCHC Quý III/2025 - Tỉnh Hà Tĩnh"
    assert msg["To"] == "vpubnd@hatinh.gov.vn"
    assert msg["X-Unsent"] == "1"
    assert str(msg["From"]) == ""
    body = msg.get_body(("plain",)).get_content()
    assert "Quý III/2025" in body and office.officer in body and "ParApp" in body
    (attachment,) = msg.iter_attachments()
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_filename() == copy.name
    assert attachment.get_content() == path.read_bytes()
    assert not [p for p in copy.parent.iterdir() if p.suffix == ".tmp"]
    # an address given for one message wins
    eml = make_eml(office, copy, to="Sở Nội vụ <snv@hatinh.gov.vn>")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "snv@hatinh.gov.vn"
    assert msg["To"].addresses[0].display_name == "Sở Nội vụ"


def test_upper_email_is_checked(office):
    with pytest.raises(ParAppError) as e:
        set_upper_email(office, "not an address")
    assert "not an address" in e.value.message("en") and "e-mail" in e.value.message("en")
    assert "địa chỉ thư điện tử" in e.value.message("vi")
    for bad in ("", "a@b", "x@@y.vn", "<x@y.vn"):
        with pytest.raises(ParAppError):
            set_upper_email(office, bad)
    assert set_upper_email(office, " a@b.vn; c@d.gov.vn ") == "a@b.vn, c@d.gov.vn"


def test_outbox_needs_to_know_the_return(office, tmp_path):
    stray = tmp_path / "notes.xlsx"
    stray.write_bytes(b"not a workbook")
    with pytest.raises(ParAppError, match="không phải là một sổ tính Excel"):
        write_outbox(office, stray)
    copy = write_outbox(office, _blank_book(tmp_path), unit="439", period="2025Q3")
    assert copy.name == "439_2025Q3_Huyen_Huong_Son.xlsx"


def test_outbox_reads_the_hidden_sheet_of_a_return(office, tmp_path):
    from openpyxl import Workbook

    from parapp.exchange.outbox import set_outbox_dir

    wb = Workbook()
    meta = wb.create_sheet("parapp")
    for row in (("format", "parapp-return"), ("unit", "439"), ("period", "2025Q2")):
        meta.append(row)
    meta.sheet_state = "veryHidden"
    path = tmp_path / "whatever name.xlsx"
    wb.save(path)
    set_outbox_dir(office, tmp_path / "to send")
    try:
        copy = write_outbox(office, path)
    finally:
        set_outbox_dir(office, None)
    assert copy == tmp_path / "to send" / "439_2025Q2_Huyen_Huong_Son.xlsx"
    msg = email.message_from_bytes(make_eml(office, copy, to="a@b.vn").read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Báo cáo CCHC Quý II/2025 - Huyện Hương Sơn"


def _blank_book(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    return path


# ------------------------------------------------------------------------------------- command line


def test_cli(cli, demo_path, tmp_path):
    out = tmp_path / "cli.xlsx"
    code, stdout, err = cli("consolidate", "--db", demo_path, "--unit", PROVINCE, "--period", "2025Q3",
                            "--period", "2025", "--out", out)
    assert code == 0, err
    assert out.exists() and str(out) in stdout
    assert load_workbook(out).sheetnames[::2] == ["Quý III-2025", "Năm 2025"]
    code, stdout, err = cli("outbox", "--db", demo_path, "--file", out, "--eml", "--to", "snv@hatinh.gov.vn")
    assert code == 0, err
    assert "42_2025Q3_Tinh_Ha_Tinh.xlsx" in stdout and ".eml" in stdout
    with Office.open(demo_path) as o:
        assert o.store.meta("upper_email") == "snv@hatinh.gov.vn"
    code, _, err = cli("outbox", "--db", demo_path, "--file", out, "--to", "not an address")
    assert code == 1 and "không phải là địa chỉ thư điện tử" in err


# ------------------------------------------------------------------------------------- LibreOffice


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="needs LibreOffice, poppler")
def test_libreoffice_prints_it(province_book, tmp_path):
    path, _ = province_book
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (path.stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "BẢNG TỔNG HỢP KẾT QUẢ CẢI CÁCH HÀNH CHÍNH" in text
    assert "Huyện Đức Thọ" in text and "TỔNG CỘNG" in text and "Chưa có số liệu" in text
    assert STATUS_SYMBOLS["met"] in text
