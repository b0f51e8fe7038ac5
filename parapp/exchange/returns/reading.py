"""Reading a return or template, once its file has passed the checks of untrusted: python-calamine for the
cells (hidden sheets included), checked against the catalogue alone."""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from parapp.domain.catalogue import Catalogue, Element, ValueRefused
from parapp.domain.periods import Period, PeriodError
from parapp.exchange.returns.common import _CELL, ReturnError, _refuse, _split_cell
from parapp.exchange.returns.form import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    MAX_COMMENT,
    META_SHEET,
    SHEET,
    checksum,
    signed_payload,
)
from parapp.exchange.returns.untrusted import _check_zip, _Package, _sheet_xml_path, scan_sheet
from parapp.i18n import clean, parse_number


@dataclass
class ReturnFile:
    """A ParApp return or template as read from its file, checked against the catalogue alone."""

    path: Path
    kind: str  # return | template
    unit: str
    unit_name: str
    province: str
    period: Period
    catalogue_version: str
    target_set: str
    app_version: str
    exported_at: str
    exported_by: str
    office: str
    status: str | None  # the unit-period's workflow status where it was exported
    values: dict[str, float | None]  # every element on the form; None: its cell is empty
    comments: dict[str, str | None]
    cells: dict[str, tuple[str, str]]  # element -> (value cell, comment cell)
    prepared_by: str
    checksum: str  # as written in the file
    computed_checksum: str  # over what the file holds now
    meta_cells: dict[str, str] = field(default_factory=dict)  # key -> its cell on the hidden sheet
    public_key: str = ""  # the signing office's Ed25519 key, as the file names it
    signature: str = ""  # empty: unsigned (a return of an older ParApp, or one whose signature was taken out)
    signature_ok: bool | None = None  # over what the file holds now; None when there is no signature
    chain_head: tuple[int, str] | None = None  # (row, hash) of the office's history when it signed
    external_links: list[str] = field(default_factory=list)  # other files the workbook links to (never opened)

    @property
    def checksum_ok(self) -> bool:
        return self.checksum == self.computed_checksum

    @property
    def signed(self) -> bool:
        return bool(self.signature)


def _clean_comment(text: str | None) -> str | None:
    if text is None:
        return None
    text = clean(str(text), multiline=True)
    return text or None


def _text_of(value) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _cell(grid: list[list], address: str):
    row, col = _split_cell(address)
    if row <= len(grid):
        line = grid[row - 1]
        if col <= len(line):
            return line[col - 1]
    return ""


class _ReaderFailed(Exception):
    """The spreadsheet reader gave up on the file (whatever it raised: its input is the untrusted file)."""


def _lib(fn, *args, **kwargs):
    """Call python-calamine: anything it raises, a Rust panic included, is the file's doing."""
    try:
        return fn(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as e:
        raise _ReaderFailed(repr(e)) from None


# What the XML and zip readers raise on a damaged file while ParApp's own checks read it; anything else raised
# in ParApp's code is a bug, which must reach the crash report, not be called "a damaged workbook".
_DAMAGED = (_ReaderFailed, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError)


def _grid(wb, name: str) -> list[list]:
    """A sheet's cells from A1 (scan_sheet has checked its size)."""
    sheet = _lib(wb.get_sheet_by_name, name)
    return _lib(sheet.to_python, skip_empty_area=False)


# The list of value cells on the hidden sheet, checked, by its rows: the same in every return of one layout.
# (Keyed by the rows; the catalogue's elements, which the check reads, are kept beside the result.)
_TABLES: dict[tuple, tuple[dict, dict[str, tuple[str, str]]]] = {}


def _value_cells(path: Path, grid: list[list], start: int, elements: dict) -> dict[str, tuple[str, str]]:
    """element -> (value cell, comment cell), from the hidden sheet's rows start and after, checked: each
    element of the catalogue and listed once, each address plain and used once."""
    table = tuple(map(tuple, grid[start:]))
    known = _TABLES.get(table)
    if known is not None and known[0] is elements:
        return dict(known[1])
    cells: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for i in range(start, len(grid)):
        row = grid[i]
        code = _text_of(row[0]) if row else ""
        if not code:
            continue
        vc = _text_of(row[1]) if len(row) > 1 else ""
        cc = _text_of(row[2]) if len(row) > 2 else ""
        if code not in elements:
            raise _refuse(path, f'chỉ tiêu "{code}" không có trong danh mục.',
                          f'the element "{code}" is not in the catalogue.', META_SHEET, f"A{i + 1}")
        if code in cells:
            raise _refuse(path, f'chỉ tiêu "{code}" bị ghi hai lần.', f'the element "{code}" is listed twice.',
                          META_SHEET, f"A{i + 1}")
        for address, col in ((vc, "B"), (cc, "C")):
            if address in taken or not _CELL.match(address):
                raise _refuse(path, f'địa chỉ ô "{address}" không hợp lệ.', f'the cell address "{address}" is not valid.',
                              META_SHEET, f"{col}{i + 1}")
            taken.add(address)
        cells[code] = (vc, cc)
    if len(_TABLES) >= 8:
        _TABLES.clear()
    _TABLES[table] = (elements, cells)
    return dict(cells)


def read_return(path: Path | str, catalogue: Catalogue) -> ReturnFile:
    """Read and check one file as a ParApp return or template of this catalogue (no database needed)."""
    path = Path(path)
    package = _check_zip(path)
    try:
        from python_calamine import CalamineWorkbook

        wb = _lib(CalamineWorkbook.from_filelike, io.BytesIO(package.source))  # the bytes _check_zip checked
        names = list(_lib(lambda: wb.sheet_names))
        meta_grid = None
        if META_SHEET in names and scan_sheet(path, META_SHEET, package) is not None:
            meta_grid = _grid(wb, META_SHEET)
    except _DAMAGED:
        raise _refuse(path, "không đọc được: tệp Excel bị hỏng.", "cannot be read: the workbook is damaged.") from None
    if meta_grid is None:
        raise _refuse(path, f'không phải là báo cáo ParApp (không có trang dữ liệu ẩn "{META_SHEET}"); có thể '
                            "đây là bảng tính của chương trình khác hoặc đã được chép sang tệp mới.",
                      f'is not a ParApp return (it has no hidden "{META_SHEET}" sheet); it may be a workbook of '
                      "another program, or its cells were copied into a new file.")
    meta: dict[str, str] = {}
    meta_cells: dict[str, str] = {}
    table_at = None
    for i, row in enumerate(meta_grid):
        key = _text_of(row[0] if row else "")
        if key == "element":
            table_at = i
            break
        if key and key not in meta:
            meta[key] = _text_of(row[1] if len(row) > 1 else "")
            meta_cells[key] = f"B{i + 1}"

    def bad(key: str, vi: str, en: str) -> ReturnError:
        return _refuse(path, vi, en, META_SHEET, meta_cells.get(key, "A1"))

    if meta.get("format") != FORMAT:
        raise bad("format", "không phải là báo cáo ParApp.", "is not a ParApp return.")
    if meta.get("format_version") != FORMAT_VERSION:
        raise bad("format_version",
                  f'được tạo bởi phiên bản ParApp khác (định dạng {meta.get("format_version") or "?"}); '
                  "hãy cập nhật ParApp.",
                  f'was made by another version of ParApp (format {meta.get("format_version") or "?"}); '
                  "update ParApp.")
    kind = meta.get("kind", "")
    if kind not in KINDS:
        raise bad("kind", f'loại tệp "{kind}" không hợp lệ.', f'the kind of file "{kind}" is not valid.')
    if meta.get("catalogue_version") != catalogue.version:
        raise bad("catalogue_version",
                  f'lập theo danh mục chỉ tiêu phiên bản "{meta.get("catalogue_version", "")}", khác với danh mục '
                  f'của ParApp này ({catalogue.version}); hãy dùng mẫu mới.',
                  f'was made for catalogue version "{meta.get("catalogue_version", "")}", not this ParApp\'s '
                  f"({catalogue.version}); use a new template.")
    unit = meta.get("unit", "")
    if not unit:
        raise bad("unit", "thiếu mã đơn vị.", "the unit code is missing.")
    try:
        period = Period.parse(meta.get("period", ""))
    except PeriodError as e:
        raise bad("period", e.message("vi"), e.message("en")) from None
    sheet = meta.get("sheet") or SHEET
    if sheet not in names:
        raise _refuse(path, f'không có trang "{sheet}".', f'has no sheet "{sheet}".')
    if table_at is None:
        raise _refuse(path, "thiếu danh sách ô số liệu.", "the list of value cells is missing.", META_SHEET)
    elements = catalogue.elements
    cells = _value_cells(path, meta_grid, table_at + 1, elements)
    try:
        formulas = scan_sheet(path, sheet, package)
        if formulas is None:
            raise _refuse(path, f'không có trang "{sheet}".', f'has no sheet "{sheet}".')
        grid = _grid(wb, sheet)
    except _DAMAGED:
        raise _refuse(path, "không đọc được: tệp Excel bị hỏng.", "cannot be read: the workbook is damaged.",
                      sheet) from None
    values: dict[str, float | None] = {}
    comments: dict[str, str | None] = {}
    percent_cells = _percent_cells(package, sheet, cells, catalogue)
    for code, (vc, cc) in cells.items():
        el = elements[code]
        raw = _cell(grid, vc)
        if vc in percent_cells and raw.__class__ is float:
            raw = round(raw * 100, 9)  # 92,5% typed in Excel, stored as 0.925
        if raw.__class__ is float and math.isfinite(raw) and vc not in formulas:  # a number, as most are
            try:
                values[code] = el.check(raw)
            except ValueRefused as e:
                raise _refuse(path, e.message("vi"), e.message("en"), sheet, vc) from None
        else:
            values[code] = _read_value(path, sheet, vc, el, raw, vc in formulas)
        raw = _cell(grid, cc)
        if raw == "":
            comments[code] = None
            continue
        comment = _clean_comment(_text_of(raw))
        if comment and len(comment) > MAX_COMMENT:
            raise _refuse(path, f"ghi chú dài quá {MAX_COMMENT} ký tự.", f"the comment is longer than {MAX_COMMENT} "
                          "characters.", sheet, cc)
        comments[code] = comment
    prepared_cell = meta.get("prepared_by_cell", "")
    prepared = _clean_comment(_text_of(_cell(grid, prepared_cell))) if _CELL.match(prepared_cell) else None
    public_key, signature = meta.get("public_key", ""), meta.get("signature", "")
    signature_ok = None
    if signature:
        from parapp.store.keys import signature_ok as check

        signature_ok = check(public_key, signed_payload(meta, cells, values, comments), signature)
    head = None
    id_, _sep, hash_ = meta.get("chain_head", "").partition(":")
    if id_.isdigit() and re.fullmatch(r"[0-9a-f]{64}", hash_):
        head = (int(id_), hash_)
    return ReturnFile(
        path=path, kind=kind, unit=unit, unit_name=meta.get("unit_name", ""), province=meta.get("province", ""),
        period=period, catalogue_version=meta["catalogue_version"], target_set=meta.get("target_set", ""),
        app_version=meta.get("app_version", ""), exported_at=meta.get("exported_at", ""),
        exported_by=meta.get("exported_by", ""), office=meta.get("office", ""),
        status=meta.get("status") or None, values=values, comments=comments, cells=cells,
        prepared_by=prepared or "", checksum=meta.get("checksum", ""),
        computed_checksum=checksum(unit, str(period), values, comments), meta_cells=meta_cells,
        public_key=public_key, signature=signature, signature_ok=signature_ok, chain_head=head,
        external_links=package.external_links)


def _read_value(path: Path, sheet: str, address: str, el: Element, raw, is_formula: bool) -> float | None:
    def refuse(vi: str, en: str) -> ReturnError:
        return _refuse(path, f"{el.name.vi} ({el.code}): {vi}", f"{el.name.en} ({el.code}): {en}", sheet, address)

    if is_formula:
        raise refuse("ô chứa công thức; hãy nhập trực tiếp con số.",
                     "the cell holds a formula; type the number itself.")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise refuse(f'"{raw}" không phải là một số.', f'"{raw}" is not a number.')
    if isinstance(raw, datetime | date | time | timedelta):
        raise refuse("ô chứa ngày tháng, không phải một số (kiểm tra định dạng ô).",
                     "the cell holds a date, not a number (check the cell's format).")
    if isinstance(raw, str):
        text = raw.strip()
        if el.type == "percent" and text.endswith("%"):  # "92,5%" typed as text: 92,5 per cent
            text = text[:-1].rstrip()
        try:
            number = parse_number(text, "vi")
        except ValueError:
            shown = text if len(text) <= 40 else text[:39] + "…"
            raise refuse(f'"{shown}" không phải là một số.', f'"{shown}" is not a number.') from None
    elif isinstance(raw, int | float):
        number = float(raw)
    else:
        raise refuse("giá trị không phải là một số.", "the value is not a number.")
    try:
        return el.check(number)
    except ValueRefused as e:
        raise _refuse(path, e.message("vi"), e.message("en"), sheet, address) from None


# Excel number formats that show a number as a percentage: the built-in 9 (0%) and 10 (0.00%), and any format
# with a % outside quotes, brackets and escapes.
_PERCENT_BUILTIN = frozenset((9, 10))
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@lru_cache(maxsize=16)
def _percent_styles(styles: bytes) -> frozenset[int]:
    """The cell styles (indices into cellXfs) whose number format shows a percentage. An office that types
    "92,5%" into a percentage cell gets 0.925 stored, shown as 92,5% by that format."""
    try:
        root = ElementTree.fromstring(styles)
    except ElementTree.ParseError:
        return frozenset()
    percent = set(_PERCENT_BUILTIN)
    for fmt in root.iter(f"{_MAIN}numFmt"):
        code, fid = fmt.get("formatCode", ""), fmt.get("numFmtId", "")
        if fid.isdigit() and "%" in _FORMAT_LITERALS.sub("", code):
            percent.add(int(fid))
    xfs = root.find(f"{_MAIN}cellXfs")
    return frozenset(i for i, xf in enumerate(xfs if xfs is not None else ())
                     if xf.get("numFmtId", "0").isdigit() and int(xf.get("numFmtId", "0")) in percent)


def _cell_style(sheet: bytes, address: str) -> int | None:
    """The style index (s) of a cell in a sheet's XML; None when it has none or is not there."""
    m = re.search(rb'<c r="' + address.encode() + rb'"([^>]*)>', sheet)
    if m is None:
        return None
    style = re.search(rb'[ \t\r\n]s="([0-9]{1,9})"', m.group(1))
    return int(style.group(1)) if style else None


def _percent_cells(package: _Package, sheet: str, cells: dict[str, tuple[str, str]], catalogue: Catalogue) -> set[str]:
    """The value cells of percentage elements that the workbook shows as percentages: a figure typed there
    with a % sign (92,5%) is stored by Excel as 0.925, and means 92.5."""
    styles = package.kept.get("xl/styles.xml")
    percent = _percent_styles(styles) if styles is not None else frozenset()
    if not percent:
        return set()  # no cell of this workbook is shown as a percentage (ParApp writes none)
    part = _sheet_xml_path(package, sheet)
    data = package.kept.get(part) if part else None
    if data is None:
        return set()
    return {vc for code, (vc, _cc) in cells.items()
            if catalogue.elements[code].type == "percent" and _cell_style(data, vc) in percent}
