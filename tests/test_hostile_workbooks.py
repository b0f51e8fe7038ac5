"""Workbooks that carry more than a return should: macro parts are refused, links to other files are named,
and a fault in ParApp's own reading is a bug for the crash report, never "the workbook is damaged"."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from parapp.engine.office import Office
from parapp.exchange.returns import export_return, preview, read_return, reading

Q = "2025Q3"


@pytest.fixture
def offices(tmp_path):
    district = Office.create(tmp_path / "district.db", "42", office="436", officer="Võ Thị Mai")
    commune = Office.create(tmp_path / "nam-ha.db", "42", office="18073", officer="Lê Văn Nam")
    commune.enter("18073", Q, {"received_new": "120", "resolved_on_time": "120"})
    out = export_return(commune, "18073", Q, tmp_path / "r.xlsx")
    yield district, out
    district.close()
    commune.close()


def _with_parts(src: Path, out: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for name, data in parts.items():
            zout.writestr(name, data)
    return out


def test_a_workbook_with_macros_is_refused(offices, tmp_path):
    district, good = offices
    bad = _with_parts(good, tmp_path / "macro.xlsx", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 500})
    [pv] = preview(district, [bad])
    assert pv.refused is not None
    message = pv.refused.message("vi")
    assert message.startswith('Tệp "macro.xlsx"') and "macro" in message and "xl/vbaProject.bin" in message
    assert "without macros" in pv.refused.message("en")


def test_a_workbook_linking_to_other_files_says_so(offices, tmp_path):
    district, good = offices
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/externalLinkPath" Target="file:///C:/So%20lieu/xa-khac.xlsx" TargetMode="External"/>'
            b"</Relationships>")
    linked = _with_parts(good, tmp_path / "linked.xlsx", {
        "xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="http://schemas.openxmlformats.org/'
                                              b'spreadsheetml/2006/main"/>',
        "xl/externalLinks/_rels/externalLink1.xml.rels": rels})
    [pv] = preview(district, [linked])
    assert pv.acceptable and pv.sound  # the figures and their signature are untouched
    [warning] = [w for w in pv.warnings if "liên kết" in w.vi]
    assert "xa-khac.xlsx" in warning.vi and "never opens the links" in warning.en


def test_a_fault_in_parapps_reading_is_a_bug_not_a_damaged_workbook(offices, monkeypatch):
    district, good = offices

    def broken(*_args, **_kwargs):
        raise TypeError("a bug in ParApp's own code")

    monkeypatch.setattr(reading, "_value_cells", broken)
    with pytest.raises(TypeError):
        read_return(good, district.catalogue)


def test_what_the_spreadsheet_reader_raises_is_the_files_doing(offices, monkeypatch):
    district, good = offices
    from python_calamine import CalamineWorkbook

    def reader_gives_up(*_args, **_kwargs):
        raise ValueError("year 0 is out of range")  # raised inside the library, on the file's cells

    monkeypatch.setattr(CalamineWorkbook, "from_filelike", reader_gives_up)
    with pytest.raises(reading.ReturnError) as e:
        read_return(good, district.catalogue)
    assert "tệp Excel bị hỏng" in e.value.message("vi")
