"""PDF reports: the compliance sheet and the summary, their text, fonts and edge cases."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.exchange.reports import Cancelled, compliance_sheet, markup, summary_report
from parapp.i18n import ParAppError
from parapp.store import units as unit_store
from parapp.store import values as value_store

HA_GIANG = {"received_new": 37657, "resolved_on_time": 33270, "received_online": 294, "pending_in_time": 4387}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Text with every run of white space made one space (lines wrap anywhere in a PDF)."""
    return " ".join(text.split())


def assert_fonts_embedded(path: Path) -> None:
    """Every font the PDF uses is embedded: pdffonts says so, and each font has its font file."""
    reader = PdfReader(path)
    seen = 0
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            seen += 1
            descriptors = [font.get("/FontDescriptor")]
            for d in font.get("/DescendantFonts", []) or []:
                descriptors.append(d.get_object().get("/FontDescriptor"))
            files = [d.get_object() for d in descriptors if d is not None]
            assert any(k in f for f in files for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
    assert seen
    if shutil.which("pdffonts"):
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = out.splitlines()[2:]
        assert rows
        for row in rows:
            # name type encoding emb sub uni object ID: the emb column is the 4th from the right but 2
            cols = row.split()
            assert cols[-5] == "yes", row
            assert "Helvetica" not in row


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from parapp.engine.demo import make_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path)
    return path


@pytest.fixture
def demo(demo_db):
    office = Office.open(demo_db)
    yield office
    office.close()


def test_ha_giang_sheet_states_the_rates_and_statuses(nghe_an, tmp_path):
    nghe_an.enter("40", "2021", HA_GIANG)
    path = compliance_sheet(nghe_an, "40", "2021", tmp_path / "sheet.pdf")
    assert path == tmp_path / "sheet.pdf" and path.exists()
    text = pdf_text(path)
    assert text == unicodedata.normalize("NFC", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH NGHỆ AN" in text
    assert "Trang 1/" in text
    f = flat(text)
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến" in f
    # the online rate: 0,78% against ≥ 15%, missed (symbol and word)
    assert re.search(r"0,78%\s*≥ 15%\s*✘ Không đạt", f), f
    assert "88,35%" in f
    assert "Phiếu đánh giá".upper() in text.upper()
    assert "4879/QĐ-UBND" in f
    assert "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text
    assert "Cán bộ thử nghiệm" in text
    assert re.search(r"\d+ không đạt", f)
    reader = PdfReader(path)
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842  # A4 portrait
    n = len(reader.pages)
    assert f"Trang {n}/{n}" in text
    assert_fonts_embedded(path)


def test_sheet_in_english(nghe_an, tmp_path):
    nghe_an.enter("40", "2021", HA_GIANG)
    text = flat(pdf_text(compliance_sheet(nghe_an, "40", "2021", tmp_path / "en.pdf", lang="en")))
    assert "0.78%" in text and "✘ Missed" in text and "Page 1/" in text


def test_unit_with_no_figures(nghe_an, tmp_path):
    commune = unit_store.subtree(nghe_an.store, "40")[-1]
    path = compliance_sheet(nghe_an, commune.code, "2021Q2", tmp_path / "empty.pdf")
    text = flat(pdf_text(path))
    assert commune.name in text
    assert "Chưa có số liệu để kiểm tra" in text
    assert "Trang 1/" in text
    assert_fonts_embedded(path)


def test_period_without_targets(nghe_an, tmp_path):
    nghe_an.enter("40", "2024", HA_GIANG)
    text = flat(pdf_text(compliance_sheet(nghe_an, "40", "2024", tmp_path / "later.pdf")))
    assert "nên đã hết hạn với năm 2024: không có chỉ tiêu nào để đánh giá" in text
    assert "Hãy nạp bộ chỉ tiêu mới" in text
    assert "0,78%" in text and "Không có chỉ tiêu" in text
    assert "Không đạt" not in text.replace("Không đạt:", "").split("Chú thích")[0]


def test_long_name_and_comment_wrap(nghe_an, tmp_path):
    long_name = "Xã " + " ".join(["Thượng Trạch Hòa Bình Đông Nam Bộ"] * 12)
    long_word = "Khôngdấucáchnàotrongmộttừrấtdài" * 6
    comment = ("Giải trình: " + "số hồ sơ tồn đọng do hệ thống một cửa điện tử bị gián đoạn kéo dài, " * 22
               + long_word + " HẾT.")[:2000]
    commune = unit_store.subtree(nghe_an.store, "40")[-1]
    unit_store.rename_unit(nghe_an.store, commune.code, long_name, "test")
    nghe_an.enter(commune.code, "2021", HA_GIANG, comment=comment)
    path = compliance_sheet(nghe_an, commune.code, "2021", tmp_path / "long.pdf")
    text = flat(pdf_text(path))
    assert "Thượng Trạch Hòa Bình Đông Nam Bộ" in text
    assert "HẾT." in comment and "HẾT." in text
    assert "0,78%" in text
    # the district's summary shows the long name too
    district = commune.parent
    text = flat(pdf_text(summary_report(nghe_an, district, "2021", tmp_path / "sum.pdf")))
    assert "Thượng Trạch Hòa Bình Đông Nam Bộ" in text
    assert_fonts_embedded(tmp_path / "sum.pdf")


def test_nfd_text_comes_out_nfc(nghe_an, tmp_path):
    nfd_name = unicodedata.normalize("NFD", "Xã Đức Hưởng Thử Nghiệm")
    assert nfd_name != "Xã Đức Hưởng Thử Nghiệm"
    commune = unit_store.subtree(nghe_an.store, "40")[-1]
    with nghe_an.store.transaction() as c:  # as an old database or another tool might have stored it
        c.execute("UPDATE units SET name = ? WHERE code = ?", (nfd_name, commune.code))
    text = pdf_text(compliance_sheet(nghe_an, commune.code, "2021", tmp_path / "nfd.pdf"))
    assert "Xã Đức Hưởng Thử Nghiệm" in text
    assert unicodedata.normalize("NFD", "Hưởng") not in text
    assert markup(unicodedata.normalize("NFD", "Hưởng ✔")) == 'Hưởng <font name="ParAppSymbol">✔</font>'


def test_cancel_leaves_no_file(nghe_an, tmp_path):
    out = tmp_path / "x" / "cancelled.pdf"
    with pytest.raises(Cancelled):
        compliance_sheet(nghe_an, "40", "2021", out, progress=lambda done, total: False)
    with pytest.raises(Cancelled):
        summary_report(nghe_an, "40", "2021", out, progress=lambda done, total: done < 5)
    assert not out.exists()
    assert not list(tmp_path.rglob("*.tmp"))


def test_summary_refuses_a_commune_and_a_wrong_suffix(nghe_an, tmp_path):
    commune = unit_store.subtree(nghe_an.store, "40")[-1]
    with pytest.raises(ParAppError):
        summary_report(nghe_an, commune.code, "2021", tmp_path / "c.pdf")
    with pytest.raises(ParAppError):
        compliance_sheet(nghe_an, "40", "2021", tmp_path / "c.xlsx")


def test_demo_province_summary(demo, tmp_path):
    started = time.perf_counter()
    calls = []
    path = summary_report(demo, "42", "2025Q3", tmp_path / "summary.pdf", progress=lambda d, t: calls.append((d, t)))
    elapsed = time.perf_counter() - started
    print(f"demo province summary: {elapsed:.2f} s")
    assert elapsed < 15
    assert calls and calls[-1][0] == calls[-1][1]
    reader = PdfReader(path)
    text = flat(pdf_text(path))
    assert "BÁO CÁO TỔNG HỢP" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Quý III/2025" in text
    assert "TỔNG CỘNG: Tỉnh Hà Tĩnh" in text
    assert "Huyện Kỳ Anh" in text
    assert "Trang 1/" in text
    assert any(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)  # a landscape matrix
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)
    assert_fonts_embedded(path)


def test_demo_commune_sheet_and_district_summary(demo, tmp_path):
    commune = unit_store.children(demo.store, unit_store.children(demo.store, "42")[0].code)[0]
    text = flat(pdf_text(compliance_sheet(demo, commune.code, "2025Q3", tmp_path / "c.pdf")))
    assert commune.name in text and "Tổng hợp" in text
    text = flat(pdf_text(summary_report(demo, commune.parent, "2025", tmp_path / "d.pdf")))
    assert "Năm 2025" in text


def test_large_two_tier_province(tmp_path):
    """Hồ Chí Minh City in the two-tier list: 168 communes, the matrix runs over several landscape pages."""
    office = Office.create(tmp_path / "hcm.db", "79", tiers=2, officer="Thử nghiệm")
    try:
        rng = random.Random(7)
        communes = unit_store.children(office.store, "79")
        assert len(communes) > 150
        rows, statuses = [], []
        for q in range(1, 5):
            period = str(Period.quarter(2025, q))
            for u in communes[:-5]:
                new = rng.randint(200, 3000)
                online = rng.randint(0, new)
                on_time = rng.randint(new // 2, new)
                rows += [(u.code, period, "received_new", new, None), (u.code, period, "received_online", online, None),
                         (u.code, period, "resolved_on_time", on_time, None),
                         (u.code, period, "pending_in_time", new - on_time, None)]
                statuses.append((u.code, period, "submitted", None))
        value_store.bulk_write(office.store, rows, "test", "test", statuses)
        started = time.perf_counter()
        path = summary_report(office, "79", "2025Q4", tmp_path / "hcm.pdf")
        print(f"two-tier province summary ({len(communes)} communes): {time.perf_counter() - started:.2f} s")
        reader = PdfReader(path)
        assert len(reader.pages) >= 4
        text = flat(pdf_text(path))
        assert "Chưa báo cáo (5)" in text
        assert communes[0].name in text and communes[-1].name in text
        assert_fonts_embedded(path)
    finally:
        office.close()


def test_command_line_report(cli, tmp_path):
    db = tmp_path / "cli.db"
    assert cli("init", "--db", db, "--province", "40")[0] == 0
    assert cli("enter", "--db", db, "--unit", "40", "--period", "2021",
               *[f"{k}={v}" for k, v in HA_GIANG.items()])[0] == 0
    code, out, err = cli("report", "--db", db, "--unit", "40", "--period", "2021", "--out", tmp_path / "r.pdf")
    assert code == 0, err
    assert "0,78%" in flat(pdf_text(tmp_path / "r.pdf"))
    code, out, err = cli("report", "--db", db, "--unit", "40", "--period", "2021", "--kind", "summary",
                         "--out", tmp_path / "s.pdf")
    assert code == 0, err
    assert (tmp_path / "s.pdf").exists()
    assert cli("report", "--db", db, "--unit", "40", "--period", "2021", "--out", tmp_path / "r.txt")[0] == 1
