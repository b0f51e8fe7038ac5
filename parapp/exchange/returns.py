"""Excel returns: a unit's figures for a period as the paper form officers know, blank templates of the
same form, and their import with a preview.

A workbook has two sheets. "Báo cáo" is the form: the national motto block, the unit and period, a table
of groups, elements (value and comment cells, the only unlocked cells, with Excel's own data validation)
and indicators (live formulas over the value cells, the target, a status, the source), and the signature
block; print-ready on A4. "parapp" is very hidden and protected: what the import needs (unit, period,
catalogue and target-set versions, app version, time, workflow status, a checksum of the values) and where
each element's cells are, so the import finds cells by code, never by position.

Reading uses python-calamine for the cells (hidden sheets included) and a short scan of the form's XML for
formulas typed into value cells, after the file has been checked as a sound, reasonably sized zip (a zip
bomb, a truncated file or a CSV renamed .xlsx is refused before any spreadsheet reader sees it). Every
refusal is a ParAppError naming the file, and the sheet and cell where there is one.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

from parapp import __version__
from parapp.domain.catalogue import Catalogue, Element, Indicator, ValueRefused
from parapp.domain.periods import Period, PeriodError
from parapp.engine.compliance import STATUS_NAMES, IndicatorResult
from parapp.engine.validation import Message, validate
from parapp.exchange import readers
from parapp.exchange.files import share
from parapp.i18n import ParAppError, Text, clean, fold, nfc, parse_number
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.db import now
from parapp.store.units import Unit

__all__ = [
    "FORMAT", "META_SHEET", "SHEET", "FilePreview", "ReturnError", "ReturnFile", "apply", "checksum", "expand",
    "export_return", "export_templates", "export_with_below", "file_name", "preview", "read_return",
]

FORMAT = "parapp-return"
FORMAT_VERSION = "1"
SHEET = "Báo cáo"
META_SHEET = "parapp"
# Protection against accidental edits, not security: anyone can read this line.
PASSWORD = "parapp-cchc"
FONT = "Times New Roman"  # the decree's font (Nghị định 30/2020); Liberation Serif stands in on Linux

KINDS = ("return", "template")
MAX_FILE_BYTES = 10 * 1024 * 1024  # a return is some 20 kB; anything this large is not one
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 500
MAX_RATIO = 150  # XML packs some 10-30 times; a zip bomb packs thousands of times
# python-calamine sets aside room for as many shared strings as the table says it holds (uniqueCount) before
# reading one: a file that claims four billion makes it ask for 96 GB and abort the program. A form has a
# few hundred strings; ParApp writes none.
MAX_SHARED_STRINGS = 1_000_000
_UNIQUE_COUNT = re.compile(rb'uniqueCount[ \t\r\n]{0,100}=[ \t\r\n]{0,100}(["\'])([^"\']{0,100})\1')
_COUNT_WINDOW = 1024
MAX_COMMENT = 2000
MAX_ROWS, MAX_COLUMNS = 5000, 64  # a form is some 100 rows by 8 columns; a cell at XFD1048576 is not one

Progress = Callable[[int, int], bool | None]

# The form's columns.
COL_NO, COL_NAME, COL_CODE, COL_UNIT, COL_VALUE, COL_TARGET, COL_STATUS, COL_NOTE = "ABCDEFGH"
HEADERS = ("STT", "Nội dung", "Mã", "Đơn vị tính", "Số liệu", "Chỉ tiêu", "Đánh giá", "Ghi chú / Nguồn")
WIDTHS = (6, 58, 16, 11, 14, 18, 21, 30)
HEADER_ROW = 10

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
_CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})\Z")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_FILE_SAFE = re.compile(r"[^a-z0-9]+")

# Status texts on the form (Vietnamese: the form is the paper one) and their colours.
_STATUS_STYLE = {
    "met": ("E2EFDA", "375623"),
    "at_risk": ("FFF2CC", "7F6000"),
    "missed": ("F8CBAD", "9C0006"),
    "no_data": ("EDEDED", "595959"),
}
_INPUT_FILL = "FFF9DB"
_GROUP_FILL = "DDEBF7"
_INDICATOR_FILL = "F2F2F2"


class ReturnError(ParAppError):
    """A file that cannot be imported as a ParApp return, or a return that cannot be written."""


# --------------------------------------------------------------------------------------------- what is read


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

    @property
    def checksum_ok(self) -> bool:
        return self.checksum == self.computed_checksum


@dataclass
class FilePreview:
    """What importing one file would do; refused is set when it cannot be imported."""

    path: Path
    unit: Unit | None = None
    period: Period | None = None
    kind: str = "return"
    new: list[tuple[str, float]] = field(default_factory=list)  # (element, value)
    changes: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # (element, old, new)
    comments: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (element, old, new)
    failures: list[Message] = field(default_factory=list)  # validation of the figures as they would be
    checksum_ok: bool = True
    refused: ParAppError | None = None
    warnings: list[Text] = field(default_factory=list)
    status: tuple[str | None, str] | None = None  # (now, after the import) when the workflow status changes
    file: ReturnFile | None = None

    @property
    def acceptable(self) -> bool:
        return self.refused is None

    @property
    def unchanged(self) -> bool:
        return not (self.new or self.changes or self.comments)


# --------------------------------------------------------------------------------------------- small helpers


def _where(path: Path, sheet: str | None = None, cell: str | None = None) -> Text:
    vi, en = f'Tệp "{path.name}"', f'File "{path.name}"'
    if sheet:
        vi += f', trang "{sheet}"'
        en += f', sheet "{sheet}"'
    if cell:
        vi += f", ô {cell}"
        en += f", cell {cell}"
    return Text(vi, en)


def _refuse(path: Path, vi: str, en: str, sheet: str | None = None, cell: str | None = None) -> ReturnError:
    w = _where(path, sheet, cell)
    return ReturnError(f"{w.vi}: {vi}", f"{w.en}: {en}")


def _canon(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def checksum(unit: str, period: str, values: dict[str, float | None], comments: dict[str, str | None]) -> str:
    """sha256 over the canonical lines "code=value" (and "code#=comment") of a unit-period's figures."""
    lines = [f"unit={unit}", f"period={period}"]
    lines += [f"{code}={_canon(v)}" for code, v in sorted(values.items()) if v is not None]
    lines += [f"{code}#={c}" for code, c in sorted(comments.items()) if c]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _clean_comment(text: str | None) -> str | None:
    if text is None:
        return None
    text = clean(str(text), multiline=True)
    return text or None


@lru_cache(maxsize=4096)  # a form's few hundred addresses, the same in every file
def _split_cell(address: str) -> tuple[int, int]:
    """'E12' -> (row 12, column 5), 1-based."""
    m = _CELL.match(address)
    if not m:
        raise ValueError(address)
    return int(m.group(2)), _column_number(m.group(1))


def file_name(unit: Unit, period: Period, blank: bool = False) -> str:
    """'2025Q3_18070_xa-thach-kenh.xlsx' (a template starts with 'mau_')."""
    slug = _FILE_SAFE.sub("-", fold(unit.name)).strip("-") or "don-vi"
    return f"{'mau_' if blank else ''}{period}_{unit.official_code}_{slug}.xlsx"


def _place(unit: Unit) -> str:
    """The place in 'Thạch Kênh, ngày ...': the unit's name without its kind."""
    name = unit.name
    if unit.kind and name.casefold().startswith(unit.kind.casefold() + " "):
        return name[len(unit.kind) + 1:].strip()
    return name


# --------------------------------------------------------------------------------------------- writing


def _sheet_rows(office, unit: Unit, period: Period, values: dict[str, float], comments: dict[str, str]):
    """The form's table: [(kind, group, element or indicator)], elements of the level (a year element only
    on a year's form, unless it has a figure) and the indicators whose elements are all on it."""
    cat: Catalogue = office.catalogue
    shown = [e for e in cat.elements_for(unit.level)
             if e.period_type == "quarter" or period.kind == "Y" or e.code in values or e.code in comments]
    codes = {e.code for e in shown}
    inds = [i for i in cat.indicators_for(unit.level) if i.elements <= codes]
    rows = []
    for g in cat.groups:
        els = [e for e in shown if e.group == g.code]
        gi = [i for i in inds if i.group == g.code]
        if not els and not gi:
            continue
        rows.append(("group", g, None))
        rows += [("element", g, e) for e in els]
        rows += [("indicator", g, i) for i in gi]
    return rows


def _excel_expression(text: str, cells: dict[str, str]) -> str:
    text = "".join(text.split())
    return _NAME.sub(lambda m: cells[m.group(0)], text)


def indicator_formula(ind: Indicator, cells: dict[str, str]) -> str | None:
    """The indicator as an Excel formula over the value cells, as Indicator.compute works it out:
    empty while every cell of the numerator (or the denominator) is empty, a ratio times 100."""
    if ind.numerator.prev_names or (ind.denominator is not None and ind.denominator.prev_names):
        return None
    num = _excel_expression(ind.numerator.text, cells)
    num_cells = ",".join(cells[n] for n in sorted(ind.numerator.names))
    if ind.kind == "ratio" and ind.denominator is not None:
        den = _excel_expression(ind.denominator.text, cells)
        den_cells = ",".join(cells[n] for n in sorted(ind.denominator.names))
        empty = [f"COUNT({c})=0" for c in (num_cells, den_cells) if c]
        body = f'IFERROR(({num})/({den})*100,"")'
    else:
        empty = [f"COUNT({num_cells})=0"] if num_cells else []
        body = f'IFERROR({num},"")'
    if not empty:
        return f"={body}"
    cond = empty[0] if len(empty) == 1 else f"OR({','.join(empty)})"
    return f'=IF({cond},"",{body})'


def _goal(result: IndicatorResult, period: Period) -> tuple[str, float, bool] | None:
    """(op, goal, whether the at-risk margin applies) when the one target is a comparison with a number an
    Excel formula can make. A goal worked out from last year's figures (an increment on last year's rate, a
    better rank than last year's) is such a number once ParApp has worked it out: last year does not change."""
    if len(result.checks) != 1:
        return None
    check = result.checks[0]
    t = check.target
    if t.type in ("threshold", "rank") and t.value is not None:
        return t.op, t.value, True
    if t.type == "increment" and t.base_year is not None and t.base is not None and t.step is not None:
        cap = t.cap if t.cap is not None else 100.0
        return ">=", min(cap, t.base + t.step * (period.year - t.base_year)), True
    if t.type == "increment" and check.goal is not None:  # last year's rate plus the step
        return ">=", check.goal, True
    if t.type == "improve" and check.goal is not None:  # last year's rank, improved
        return "<=", check.goal, False  # compliance judges a rank without the at-risk margin
    return None


def status_formula(cell: str, op: str, goal: float, partial: bool, margin: float) -> str:
    """Compliance of the value in cell, as parapp.engine.compliance judges a fixed target."""
    names = {k: STATUS_NAMES[k].vi for k in ("met", "at_risk", "missed", "no_data")}
    excel_op = {"==": "=", "!=": "<>"}.get(op, op)
    g = _canon(goal)
    miss = names["at_risk"] if partial else names["missed"]
    met = f'"{names["met"]}"'
    if partial and margin > 0 and op not in ("==", "!="):
        met = f'IF(ABS({cell}-{g})<{_canon(margin)},"{names["at_risk"]}","{names["met"]}")'
    return (f'=IF({cell}="","{names["no_data"]}",IF(ROUND({cell},9){excel_op}{g},{met},"{miss}"))')


def _number_format(el: Element) -> str:
    if el.is_whole:
        return "#,##0"
    return "#,##0.0#"


def _indicator_format(ind: Indicator) -> str:
    return "#,##0" if ind.decimals == 0 else "#,##0." + "0" * ind.decimals


def _unit_text(el: Element) -> str:
    if el.type == "percent":
        return "%"
    return el.unit.vi if el.unit else ""


def _indicator_unit(ind: Indicator) -> str:
    return {"ratio": "%", "percent": "%", "rank": "hạng"}.get(ind.kind, "")


class _Writer:
    """One workbook being laid out."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
        from openpyxl.styles.cell_style import StyleArray

        self.illegal = ILLEGAL_CHARACTERS_RE
        self.StyleArray = StyleArray
        self._styles: dict[tuple, tuple[tuple[str, int], ...]] = {}
        self._unlocked: int | None = None
        self.Alignment, self.Font, self.PatternFill, self.Protection = Alignment, Font, PatternFill, Protection
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = SHEET

    def text(self, ws, ref: str, text: str | None, **style):
        """A cell holding text, never a formula: user texts starting with = + - @ stay text."""
        cell = ws.cell(*_split_cell(ref))  # ws[ref], without openpyxl parsing a range
        text = self.illegal.sub("", nfc(text or ""))[:32000]
        cell.value = text if text else None
        if text:
            cell.data_type = "s"
            if text[:1] in "=+-@":
                cell.quotePrefix = True
        self.style(cell, **style)
        return cell

    def style(self, cell, bold=False, italic=False, size=12, align="left", valign="center", wrap=True,
              border=False, fill=None, colour=None, underline=None, number_format=None, shrink=False):
        # openpyxl looks a font, fill, border or alignment up in the workbook's lists on every assignment,
        # which costs more than the rest of the form. The first cell of a style is styled the plain way; the
        # indices it got are remembered and given as they are to the cells after it (the same indices the
        # same assignments would give them: the lists are the same, and nothing new is added to them).
        key = (bold, italic, size, align, valign, wrap, border, fill, colour, underline, number_format, shrink)
        ids = self._styles.get(key)
        if ids is not None:
            if not cell._style:
                cell._style = self.StyleArray()
            for name, index in ids:
                setattr(cell._style, name, index)
            return cell
        cell.font = self.Font(name=FONT, size=size, bold=bold, italic=italic, color=colour, underline=underline)
        cell.alignment = self.Alignment(horizontal=align, vertical=valign, wrap_text=wrap and not shrink,
                                        shrink_to_fit=shrink)
        names = ["fontId", "alignmentId"]
        if border:
            cell.border = self.border
            names.append("borderId")
        if fill:
            cell.fill = self.PatternFill("solid", start_color=fill, end_color=fill)
            names.append("fillId")
        if number_format:
            cell.number_format = number_format
            names.append("numFmtId")
        self._styles[key] = tuple((name, getattr(cell._style, name)) for name in names)
        return cell

    def merged(self, ws, first: str, last: str, text: str | None, **style):
        ws.merge_cells(f"{first}:{last}")
        return self.text(ws, first, text, **style)

    def unlock(self, cell) -> None:
        if self._unlocked is None:
            cell.protection = self.Protection(locked=False)
            self._unlocked = cell._style.protectionId
        else:
            if not cell._style:
                cell._style = self.StyleArray()
            cell._style.protectionId = self._unlocked


def export_return(office, unit: str, period: Period | str, out: Path | str, blank: bool = False,
                  progress: Progress | None = None) -> Path:
    """Write the return (or, blank, the template) of a unit for a period to out; returns the path written.

    out may be a folder: the file is then named by file_name(); ".xlsx" is added to a name without it.
    The file is written under a temporary
    name in the same folder and renamed, so a half-written return never exists under its own name.
    """
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    if not office.in_area(u.code):
        raise ReturnError(f"{u.name} không thuộc đơn vị của văn phòng này nên không xuất báo cáo được.",
                          f"{u.name} is not this office's unit or below it, so its return cannot be written here.")
    office.check_in_force(u, p)  # no return for a time the unit did not exist in (the 2025 reorganisation)
    out = Path(out)
    if out.is_dir():
        out = out / file_name(u, p, blank)
    elif out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    if progress is not None and progress(0, 1) is False:
        raise _cancelled()
    wb = _build(office, u, p, blank)
    _save(wb, out)
    if progress is not None:
        progress(1, 1)
    return out


def _cancelled() -> ReturnError:
    return ReturnError("Đã huỷ việc xuất tệp Excel.", "Writing the Excel files was cancelled.")


def _export_all(office, units: list[Unit], p: Period, folder: Path | str, blank: bool,
                progress: Progress | None) -> list[Path]:
    """The return (or blank template) of each unit in folder: all the files, or none (a failure or a cancel
    removes those already written)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReturnError(f"Không tạo được thư mục {folder}: {e.strerror}.",
                          f"Cannot create the folder {folder}: {e.strerror}.") from None
    written: list[Path] = []
    try:
        for i, each in enumerate(units):
            if progress is not None and progress(i, len(units)) is False:
                raise _cancelled()
            written.append(export_return(office, each.code, p, folder / file_name(each, p, blank), blank=blank))
        if progress is not None:
            progress(len(units), len(units))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def export_templates(office, unit: str, period: Period | str, folder: Path | str,
                     progress: Progress | None = None) -> list[Path]:
    """A blank template for each active unit directly below unit (a district's communes) in folder."""
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    below = unit_store.children(office.store, u.code, period=p)  # the tree in force for the period
    if not below:
        raise ReturnError(f"{u.name} không có đơn vị trực thuộc đang hoạt động.",
                          f"{u.name} has no active units below it.")
    return _export_all(office, below, p, folder, True, progress)


def units_with_figures_below(office, unit: str, period: Period | str) -> list[Unit]:
    """The active units below unit (all levels, parents first) that have figures or a status for period."""
    p = str(Period.parse(period) if isinstance(period, str) else period)
    store = office.store
    having = {r[0] for r in store.conn.execute(
        "SELECT t.unit FROM unit_tree t WHERE t.ancestor = ? AND t.depth > 0 AND ("
        "EXISTS (SELECT 1 FROM data_values d WHERE d.unit = t.unit AND d.period = ?) OR "
        "EXISTS (SELECT 1 FROM statuses s WHERE s.unit = t.unit AND s.period = ?))", (unit, p, p))}
    return [u for u in unit_store.subtree(store, unit, include_self=False, period=Period.parse(p)) if u.code in having]


def export_with_below(office, unit: str, period: Period | str, folder: Path | str,
                      progress: Progress | None = None) -> list[Path]:
    """The return of unit and of every unit below it that has figures for period, in folder: what a district
    sends to the province, which then holds its communes' figures too and rolls them up itself (counts, not
    the district's percentages). All the files or none."""
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    return _export_all(office, [u] + units_with_figures_below(office, u.code, p), p, folder, False, progress)


def _save(wb, out: Path) -> None:
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".~parapp-", suffix=".xlsx", dir=out.parent)
        os.close(fd)
        tmp = Path(name)
        wb.save(tmp)
        share(tmp)
        os.replace(tmp, out)
        tmp = None
    except PermissionError:
        raise ReturnError(
            f"Không ghi được {out}: tệp đang mở trong chương trình khác (Excel?) hoặc thư mục chỉ cho phép đọc; "
            "hãy đóng tệp hoặc chọn thư mục khác.",
            f"Cannot write {out}: the file is open in another program (Excel?) or the folder is read-only; "
            "close the file or choose another folder.") from None
    except OSError as e:
        raise ReturnError(f"Không ghi được {out}: {e.strerror}.", f"Cannot write {out}: {e.strerror}.") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _build(office, u: Unit, p: Period, blank: bool):
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    rep = office.report(u.code, p, with_rollup=False)
    if blank:
        values: dict[str, float] = {}
        comments: dict[str, str] = {}
        results = {r.code: r for r in _assess_blank(office, u, p)}
    else:
        # what was typed for the period itself, else what its sub-periods make (a quarter from months)
        values = {k: v for k, v in rep.own.values.items() if k in office.catalogue.elements}
        values.update({k: s.value for k, s in rep.stored.items() if k in office.catalogue.elements})
        comments = {k: s.comment for k, s in rep.stored.items() if s.comment}
        results = {r.code: r for r in rep.indicators}
    rows = _sheet_rows(office, u, p, values, comments)
    ts = office.target_set
    exported_at = now()
    stamp = datetime.fromisoformat(exported_at)
    parent = office.unit(u.parent) if u.parent else None

    w = _Writer()
    ws = w.ws
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width

    # -- heading: issuing body on the left, the national motto on the right
    w.merged(ws, "A1", "C1", f"UBND {parent.name.upper()}" if parent else "", align="center", size=12)
    w.merged(ws, "A2", "C2", f"UBND {u.name.upper()}", bold=True, align="center", size=12)
    w.merged(ws, "E1", "H1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center", size=12)
    w.merged(ws, "E2", "H2", "Độc lập - Tự do - Hạnh phúc", bold=True, align="center", size=13, underline="single")
    if blank:
        date_line = "............., ngày ..... tháng ..... năm ........"
    else:
        date_line = f"{_place(u)}, ngày {stamp.day} tháng {stamp.month} năm {stamp.year}"
    date_cell = w.merged(ws, "E3", "H3", date_line, italic=True, align="center")
    w.merged(ws, "A5", "H5", "BÁO CÁO SỐ LIỆU KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH", bold=True, size=14,
             align="center")
    w.merged(ws, "A6", "H6", p.label("vi"), bold=True, align="center", size=13)
    w.merged(ws, "A7", "H7", f"({p.data_window_label('vi')})", italic=True, align="center")
    w.merged(ws, "A8", "H8", f"Đơn vị báo cáo: {u.name} (mã {u.official_code})", align="left")
    ts_text = f"Chỉ tiêu theo: {ts.name.vi}" + (f" ({ts.document})" if ts and ts.document else "") if ts else \
        "Chỉ tiêu theo: (chưa chọn bộ chỉ tiêu)"
    w.merged(ws, "A9", "H9", ts_text, align="left", italic=True, size=11, valign="top")
    for i, h in enumerate(HEADERS):
        w.text(ws, f"{'ABCDEFGH'[i]}{HEADER_ROW}", h, bold=True, align="center", border=True, fill="D9D9D9")

    # -- the table: addresses first (an indicator may use an element of a later group)
    cells: dict[str, str] = {}
    r = HEADER_ROW
    placed = []
    for kind, g, item in rows:
        r += 1
        placed.append((r, kind, g, item))
        if kind == "element":
            cells[item.code] = f"{COL_VALUE}{r}"
    last_row = r

    validations = {
        "count": DataValidation(type="whole", operator="between", formula1="0", formula2="1000000000000",
                                allow_blank=True),
        "rank": DataValidation(type="whole", operator="between", formula1="1", formula2="1000000",
                               allow_blank=True),
        "percent": DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                                  allow_blank=True),
        "amount": DataValidation(type="decimal", operator="between", formula1="0", formula2="1000000000000",
                                 allow_blank=True),
    }
    errors = {"count": "Hãy nhập một số nguyên từ 0 trở lên.", "rank": "Hãy nhập thứ hạng: số nguyên từ 1 trở lên.",
              "percent": "Hãy nhập một tỷ lệ phần trăm từ 0 đến 100.", "amount": "Hãy nhập một số từ 0 trở lên."}
    for t, dv in validations.items():
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.errorTitle = "Giá trị không hợp lệ"
        dv.error = errors[t]
        ws.add_data_validation(dv)
    comment_dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_COMMENT),
                                allow_blank=True, showErrorMessage=True, errorTitle="Ghi chú quá dài",
                                error=f"Ghi chú tối đa {MAX_COMMENT} ký tự.")
    ws.add_data_validation(comment_dv)

    element_no = 0
    group_no = 0
    sources: dict[str, int] = {}  # a target's source (long: a clause quoted) -> its footnote number
    element_rows: dict[str, tuple[str, str]] = {}
    status_cells = []
    for r, kind, g, item in placed:
        if kind == "group":
            w.text(ws, f"{COL_NO}{r}", _ROMAN[group_no] if group_no < len(_ROMAN) else str(group_no + 1),
                   bold=True, align="center", border=True, fill=_GROUP_FILL)
            group_no += 1
            w.text(ws, f"{COL_NAME}{r}", g.name.vi, bold=True, border=True, fill=_GROUP_FILL)
            for col in "CDEFGH":
                w.style(ws.cell(r, _column_number(col)), border=True, fill=_GROUP_FILL)
            continue
        if kind == "element":
            el: Element = item
            element_no += 1
            w.text(ws, f"{COL_NO}{r}", str(element_no), align="center", border=True)
            w.text(ws, f"{COL_NAME}{r}", el.name.vi, border=True)
            w.text(ws, f"{COL_CODE}{r}", el.code, size=8, colour="595959", border=True, shrink=True)
            w.text(ws, f"{COL_UNIT}{r}", _unit_text(el), align="center", border=True, size=11)
            vcell = ws.cell(r, _column_number(COL_VALUE))
            v = values.get(el.code)
            if v is not None:
                vcell.value = int(v) if el.is_whole or v == int(v) else float(v)
            w.style(vcell, align="right", border=True, fill=_INPUT_FILL, number_format=_number_format(el), wrap=False)
            w.unlock(vcell)
            validations[el.type].add(vcell.coordinate)
            for col in (COL_TARGET, COL_STATUS):
                w.style(ws.cell(r, _column_number(col)), border=True)
            ccell = w.text(ws, f"{COL_NOTE}{r}", comments.get(el.code), border=True, fill=_INPUT_FILL, size=11)
            w.unlock(ccell)
            comment_dv.add(ccell.coordinate)
            element_rows[el.code] = (vcell.coordinate, ccell.coordinate)
            continue
        ind: Indicator = item
        res = results.get(ind.code)
        w.text(ws, f"{COL_NO}{r}", "", border=True, fill=_INDICATOR_FILL)
        w.text(ws, f"{COL_NAME}{r}", ind.name.vi, italic=True, border=True, fill=_INDICATOR_FILL)
        w.text(ws, f"{COL_CODE}{r}", ind.code, size=8, colour="595959", border=True, shrink=True,
               fill=_INDICATOR_FILL)
        w.text(ws, f"{COL_UNIT}{r}", _indicator_unit(ind), align="center", border=True, size=11,
               fill=_INDICATOR_FILL)
        icell = ws.cell(r, _column_number(COL_VALUE))
        formula = indicator_formula(ind, cells)
        if formula is not None:
            icell.value = formula
        elif res is not None and res.value is not None:
            icell.value = res.value
        w.style(icell, italic=True, align="right", border=True, fill=_INDICATOR_FILL,
                number_format=_indicator_format(ind), wrap=False)
        w.text(ws, f"{COL_TARGET}{r}", res.target_text("vi") if res else "", align="center", border=True,
               size=11, fill=_INDICATOR_FILL)
        scell = ws.cell(r, _column_number(COL_STATUS))
        goal = _goal(res, p) if res is not None else None
        if res is None or not res.checks:
            w.text(ws, scell.coordinate, STATUS_NAMES["no_target"].vi, size=10, colour="808080", align="center",
                   border=True, fill=_INDICATOR_FILL)
        else:
            if goal is not None and formula is not None:
                scell.value = status_formula(icell.coordinate, goal[0], goal[1], p.kind != "Y",
                                             office.margin if goal[2] else 0.0)
            else:
                w.text(ws, scell.coordinate, STATUS_NAMES[res.status].vi)
            w.style(scell, align="center", border=True, fill=_INDICATOR_FILL, size=11, bold=True)
            status_cells.append(scell.coordinate)
        ref = ""
        if res is not None and res.checks:
            notes = " ".join(f"Ghi chú: {c.note.vi}" for c in res.checks if c.note)
            key = res.source() + (f". {notes}" if notes else "")
            ref = f"Nguồn: ({sources.setdefault(key, len(sources) + 1)})"
        w.text(ws, f"{COL_NOTE}{r}", ref, border=True, size=10, fill=_INDICATOR_FILL, colour="404040")

    # statuses coloured by conditional formatting, so a recalculated status is coloured too
    if status_cells:
        area = f"{COL_STATUS}{HEADER_ROW + 1}:{COL_STATUS}{last_row}"
        for status, (bg, fg) in _STATUS_STYLE.items():
            ws.conditional_formatting.add(area, CellIsRule(
                operator="equal", formula=[f'"{STATUS_NAMES[status].vi}"'],
                fill=PatternFill("solid", start_color=bg, end_color=bg), font=Font(name=FONT, color=fg, bold=True)))

    # -- the sources of the targets, as footnotes; then the signature block
    r = last_row + 1
    w.merged(ws, f"{COL_NO}{r}", f"{COL_NOTE}{r}", "Các ô màu vàng là ô nhập số liệu; các chỉ số và đánh giá được "
             "tính tự động từ số liệu.", italic=True, size=10)
    if sources:
        r += 1
        w.merged(ws, f"{COL_NO}{r}", f"{COL_NOTE}{r}", "Nguồn chỉ tiêu:", bold=True, size=10)
        for text, n in sources.items():
            r += 1
            w.merged(ws, f"{COL_NO}{r}", f"{COL_NOTE}{r}", f"({n}) {text}", size=10, valign="top")
    r += 2
    sign = r
    w.text(ws, f"{COL_NAME}{r}", "NGƯỜI LẬP BIỂU", bold=True, align="center")
    w.merged(ws, f"{COL_TARGET}{r}", f"{COL_NOTE}{r}", "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align="center")
    w.text(ws, f"{COL_NAME}{r + 1}", "(Ký, ghi rõ họ tên)", italic=True, align="center")
    w.merged(ws, f"{COL_TARGET}{r + 1}", f"{COL_NOTE}{r + 1}", "(Ký tên, đóng dấu)", italic=True, align="center")
    for k in range(2, 6):
        ws.row_dimensions[r + k].height = 18
    prepared = w.text(ws, f"{COL_NAME}{r + 5}", "" if blank else office.officer, bold=True, align="center",
                      fill=_INPUT_FILL if blank else None)
    w.unlock(prepared)
    if blank:
        w.unlock(date_cell)
    r = sign + 7
    if blank:
        footer = (f"Mẫu trống do ParApp {__version__} tạo ngày {stamp:%d/%m/%Y}. Điền số liệu vào các ô màu vàng, "
                  "lưu lại đúng định dạng .xlsx rồi gửi lại tệp này; không sửa các ô khác.")
    else:
        footer = (f"Lập bằng ParApp {__version__} lúc {stamp:%H:%M} ngày {stamp:%d/%m/%Y}; "
                  f"người xuất: {office.officer}.")
    w.merged(ws, f"{COL_NO}{r}", f"{COL_NOTE}{r}", footer, italic=True, size=9, colour="595959")
    last = r

    _fit_rows(ws, range(1, last + 1))

    # -- print: A4 landscape, one page wide, the table header repeated, page numbers
    ws.print_area = f"A1:H{last}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.protection.sheet = True
    ws.protection.password = PASSWORD
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    # -- the hidden sheet
    status = None if blank else (rep.status.status if rep.status else None)
    stored_values = {} if blank else {code: values.get(code) for code in element_rows}
    meta = [
        ("format", FORMAT), ("format_version", FORMAT_VERSION), ("kind", "template" if blank else "return"),
        ("unit", u.official_code), ("unit_name", u.name), ("level", u.level), ("province", office.province_code),
        ("period", str(p)), ("catalogue_version", office.catalogue.version), ("target_set", ts.id if ts else ""),
        ("app_version", __version__), ("exported_at", exported_at), ("exported_by", office.officer),
        ("office", office.office_code), ("status", status or ""), ("sheet", SHEET),
        ("prepared_by_cell", prepared.coordinate),
        ("checksum", checksum(u.code, str(p), stored_values,
                              {c: comments.get(c) for c in element_rows})),
    ]
    hs = w.wb.create_sheet(META_SHEET)
    for i, (k, v) in enumerate(meta, 1):
        w.text(hs, f"A{i}", k, size=10)
        w.text(hs, f"B{i}", v, size=10)
    r = len(meta) + 2
    for i, h in enumerate(("element", "value_cell", "comment_cell")):
        w.text(hs, f"{'ABC'[i]}{r}", h, size=10, bold=True)
    for code, (vc, cc) in element_rows.items():
        r += 1
        w.text(hs, f"A{r}", code, size=10)
        w.text(hs, f"B{r}", vc, size=10)
        w.text(hs, f"C{r}", cc, size=10)
    hs.column_dimensions["A"].width = 40
    hs.column_dimensions["B"].width = 70
    hs.sheet_state = "veryHidden"
    hs.protection.sheet = True
    hs.protection.password = PASSWORD

    wb = w.wb
    wb.active = 0
    wb.security = WorkbookProtection(workbookPassword=PASSWORD, lockStructure=True)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = f"ParApp {__version__}"
    wb.properties.title = f"{u.name} – {p.label('vi')}"
    return wb


@lru_cache(maxsize=4096)
def _wrapped_lines(text: str, width: int) -> int:
    """Lines textwrap makes of one line of text (at least one); the same labels come on every form."""
    import textwrap

    return max(1, len(textwrap.wrap(text, width)))


def _fit_rows(ws, rows: Iterable[int]) -> None:
    """Row heights for wrapped text. Excel fits rows itself, LibreOffice does not on opening an xlsx: the
    lines are estimated from the column widths (Times New Roman runs about one character per width unit)."""
    from openpyxl.utils import get_column_letter

    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGH"}
    spans: dict[str, float] = {}
    for rng in ws.merged_cells.ranges:
        spans[rng.start_cell.coordinate] = sum(widths.get(get_column_letter(c), 10)
                                               for c in range(rng.min_col, rng.max_col + 1))
    last_col = ws.max_column  # as ws[r] reads it (the loop adds no cell beyond it)
    for r in rows:
        if ws.row_dimensions[r].height is not None:
            continue
        need = 0.0
        for cell in [ws.cell(r, c) for c in range(1, last_col + 1)]:  # ws[r], without a max_column per row
            if not hasattr(cell, "column_letter") or cell.data_type != "s" or not isinstance(cell.value, str) or not cell.value:
                continue
            if not cell.alignment.wrap_text:
                continue
            size = float(cell.font.sz or 12)
            width = spans.get(cell.coordinate, widths.get(get_column_letter(cell.column), 10))
            capacity = max(4, int(width * 1.1 * 12 / size * (0.93 if cell.font.b else 1.0)))
            lines = sum(_wrapped_lines(part, capacity) for part in cell.value.split("\n"))
            need = max(need, lines * size * 1.3 + 3)
        if need > 15.75 * 1.05:
            ws.row_dimensions[r].height = round(need, 1)


def _assess_blank(office, u: Unit, p: Period) -> list[IndicatorResult]:
    from parapp.engine.compliance import assess

    return assess(office.catalogue, office.target_set, u.level, p, {}, None, office.margin)


# --------------------------------------------------------------------------------------------- reading


class _Package:
    """A file that passed _check_zip, with the parts it unpacked kept: the readers after the check use these
    bytes instead of opening and unpacking the file again. Any other part is read from the file's bytes
    through zipfile when asked for (as a stream, so memory stays bounded)."""

    def __init__(self, source: bytes | Path, kept: dict[str, bytes]):
        self.source = source  # the file's bytes, or its path when nothing was checked or kept
        self.kept = kept
        self._trees: dict[str, ElementTree.Element] = {}

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """A part as a binary file; KeyError when there is none (as ZipFile.open)."""
        if name in self.kept:
            yield io.BytesIO(self.kept[name])
            return
        with zipfile.ZipFile(self.source if isinstance(self.source, Path) else io.BytesIO(self.source)) as zf, \
                zf.open(name) as f:
            yield f

    def read(self, name: str) -> bytes:
        with self.open(name) as f:
            return f.read()

    def tree(self, name: str) -> ElementTree.Element:
        """A small part parsed (workbook.xml, its relationships), once per file."""
        if name not in self._trees:
            self._trees[name] = ElementTree.fromstring(self.read(name))
        return self._trees[name]


_KEEP_PART = 4 * 1024 * 1024  # parts larger than this are streamed through zipfile, and not kept
# what is read next, with the worksheets: the styles tell a cell typed as a percentage ("92,5%")
_KEEP_NAMES = frozenset(("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"))
# Parts that no reader opens: calamine opens the workbook, its relationships, the shared strings, the styles and
# the sheets asked for; ParApp the workbook, its relationships and those sheets. These count in the size checks,
# but are not unpacked.
_UNREAD = re.compile(r"(?:docprops/|xl/theme/|xl/printersettings/|xl/media/|customxml/|_rels/\.rels\Z"
                     r"|\[content_types\]\.xml\Z)", re.IGNORECASE)


def _check_zip(path: Path) -> _Package:
    """Refuse what is not a sound, modest xlsx before a spreadsheet reader opens it; the unpacked parts."""
    try:
        with path.open("rb") as f:  # opened once: its size, then (a modest file) all its bytes
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _refuse(path, f"quá lớn ({size // 1024 // 1024} MB) để là một báo cáo ParApp.",
                              f"is too large ({size // 1024 // 1024} MB) to be a ParApp return.")
            data = f.read(size + 1)  # one byte more: a file that grew since is seen to
    except OSError as e:
        raise _refuse(path, f"không mở được ({e.strerror}).", f"cannot be opened ({e.strerror}).") from None
    if len(data) > size:  # it is being written: read it once it is whole
        raise _refuse(path, "đang được ghi dở (tệp thay đổi trong lúc đọc); hãy thử lại sau.",
                      "is still being written (it changed while it was read); try again later.")
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(path, "là tệp Excel 97-2003 (.xls) hoặc có đặt mật khẩu mở; hãy lưu lại dạng Excel "
                            "Workbook (.xlsx) không đặt mật khẩu rồi gửi lại.",
                      "is an Excel 97-2003 workbook (.xls) or has a password to open; save it as an Excel "
                      "Workbook (.xlsx) without a password and send it again.")
    not_excel = ("không phải là tệp Excel (.xlsx) đọc được; có thể tệp bị hỏng, bị cắt cụt khi gửi, hoặc là một "
                 "loại tệp khác (CSV, PDF...) bị đổi đuôi.",
                 "is not a readable Excel workbook (.xlsx); it may be damaged, cut short in transfer, or "
                 "another kind of file (CSV, PDF...) renamed.")
    if not head.startswith(b"PK"):
        raise _refuse(path, *not_excel)
    try:
        # The file is read once; the zip is opened on those bytes, and every reader after this check uses them.
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refuse(path, "chứa quá nhiều thành phần để là một báo cáo ParApp.",
                              "holds too many parts to be a ParApp return.")
            names = {i.filename for i in infos}
            if "mimetype" in names and "xl/workbook.xml" not in names:
                raise _refuse(path, "là tệp OpenDocument (.ods); hãy lưu lại dạng Excel Workbook (.xlsx).",
                              "is an OpenDocument file (.ods); save it as an Excel Workbook (.xlsx).")
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse(path, *not_excel)
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_UNPACKED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                    raise _refuse(path, "giải nén ra quá lớn (nghi là tệp nén độc hại), không mở.",
                                  "unpacks to far too much data (a suspected zip bomb); not opened.")
            # Read every part a reader opens through, bounded by the sizes declared above: a part that unpacks to
            # more than it declares, or whose bytes are damaged, fails its CRC here rather than inside the reader.
            # A plain part is unpacked in one call and, when a reader needs it next, kept. Any other part is
            # read through zipfile, which says what is wrong with it if anything is, and is not kept: the
            # readers read it through zipfile again, as they always did (zipfile may then fail on it where
            # this loop did not, for its reads come in other sizes).
            kept: dict[str, bytes] = {}
            for info in infos:
                if _UNREAD.match(info.filename):
                    continue
                part = _unpacked(data, info) if info.file_size <= _KEEP_PART else None
                if part is None:
                    with zf.open(info) as member:
                        tail = b""
                        while chunk := member.read(1 << 16):
                            _check_counts(path, tail + chunk)
                            tail = chunk[-_COUNT_WINDOW:]
                else:
                    _check_counts(path, part)
                if part is not None and (info.filename in _KEEP_NAMES or info.filename.startswith("xl/worksheets/")):
                    kept[info.filename] = part
                else:
                    kept.pop(info.filename, None)  # a later part of the same name is the one read
    except ReturnError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
        raise _refuse(path, *not_excel) from None
    return _Package(data, kept)


def _check_counts(path: Path, data: bytes) -> None:
    """Refuse a part that claims a table of strings larger than any form has (see MAX_SHARED_STRINGS)."""
    at = data.find(b"uniqueCount")
    while at >= 0:
        m = _UNIQUE_COUNT.match(data, at)
        if m is None and len(data) - at < _COUNT_WINDOW:
            return  # perhaps cut at the end of a chunk: the next one starts this much earlier
        if m is None or not m.group(2).isdigit() or int(m.group(2)) > MAX_SHARED_STRINGS:
            raise _refuse(path, "khai báo một bảng chuỗi lớn bất thường (nghi là tệp độc hại), không mở.",
                          "declares an abnormally large table of strings (a suspected hostile file); not opened.")
        at = data.find(b"uniqueCount", at + 1)


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader


def _unpacked(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part of the zip in data, unpacked in one call, when it is a plain one that zipfile would read without
    a complaint into these same bytes; None for anything else (zipfile then reads it itself). It is: a local
    header where the directory says, with the same name (decoded as zipfile decodes it); neither encrypted
    nor patched; stored or deflated; all its packed bytes there; and they unpack, to the end of the deflate
    stream, to exactly the declared size with the declared CRC-32. zipfile reads the same bytes in chunks,
    stops at that size and checks the same CRC."""
    try:
        at = info.header_offset
        if at < 0 or info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        magic, _v, _s, flags, _m, _t, _d, _c, _cs, _us, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, at)
        start = at + _LOCAL_HEADER.size
        if magic != b"PK\x03\x04" or data[start:start + name_len].decode(
                "utf-8" if flags & 0x800 else "cp437") != info.orig_filename:
            return None
        start += name_len + extra_len
        packed = data[start:start + info.compress_size]
        if len(packed) != info.compress_size:
            return None
        if info.compress_type == zipfile.ZIP_STORED:
            out, ended = packed, info.compress_size == info.file_size
        else:
            inflate = zlib.decompressobj(-15)
            out = inflate.decompress(packed, info.file_size + 1)
            ended = inflate.eof
        if ended and len(out) == info.file_size and zlib.crc32(out) == info.CRC:
            return out
    except (struct.error, ValueError, zlib.error):
        pass
    return None


def _sheet_xml_path(package: _Package, sheet: str) -> str | None:
    kept = package.kept
    if "xl/workbook.xml" in kept and "xl/_rels/workbook.xml.rels" in kept:
        # the same two parts in every return of a batch: worked out once
        return _sheet_paths(kept["xl/workbook.xml"], kept["xl/_rels/workbook.xml.rels"]).get(sheet)
    return _find_sheet_xml_path(package, sheet)


@lru_cache(maxsize=16)
def _sheet_paths(workbook: bytes, rels: bytes) -> dict[str, str | None]:
    package = _Package(b"", {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels})
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    names = [s.get("name") for s in package.tree("xl/workbook.xml").iterfind("m:sheets/m:sheet", ns)]
    return {name: _find_sheet_xml_path(package, name) for name in names if name is not None}


def _find_sheet_xml_path(package: _Package, sheet: str) -> str | None:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    wb = package.tree("xl/workbook.xml")
    rid = None
    for s in wb.iterfind("m:sheets/m:sheet", ns):
        if s.get("name") == sheet:
            rid = s.get(f"{{{ns['r']}}}id")
    if rid is None:
        return None
    rels = package.tree("xl/_rels/workbook.xml.rels")
    for rel in rels.iterfind("p:Relationship", ns):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    return None


def _column_number(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col


def _column_letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def scan_sheet(path: Path, sheet: str, _package: _Package | None = None) -> set[str] | None:
    """The cells of a sheet that hold a formula (python-calamine reads only their results); None when the
    workbook has no such sheet. Refuses a sheet whose cells reach beyond MAX_ROWS or MAX_COLUMNS before
    python-calamine sees it: calamine lays a sheet out as one dense block, and a single cell at XFD1048576
    would make that block some seventeen billion cells."""
    if _package is None:
        _package = _Package(path, {})
    part = _sheet_xml_path(_package, sheet)
    if part is None:
        return None
    data = _package.kept.get(part)
    if data is not None:
        quick = _quick_scan(data)
        if quick is not None:
            return quick
    with _package.open(part) as f:
        return _scan_xml(path, sheet, f)


def _scan_xml(path: Path, sheet: str, f) -> set[str]:
    """scan_sheet's reading of the sheet's XML, event by event: the reference for any sheet. Elements are
    taken by their local name, whatever their namespace, as python-calamine takes them: a <x:c> in a
    namespace of its own is a cell to calamine, so it is one here."""
    def odd(address: str) -> ReturnError:
        # calamine reads such an address in its own way (a lower-case letter, say), which this reading
        # cannot follow; no spreadsheet program writes one
        shown = address if len(address) <= 20 else address[:19] + "…"
        return _refuse(path, f'có ô ghi địa chỉ không hợp lệ ("{shown}"); không phải báo cáo ParApp.',
                       f'has a cell with an address that is not valid ("{shown}"); it is not a ParApp return.', sheet)

    out: set[str] = set()
    row: int | None = 0
    col = 0
    row_r = ""
    for event, elem in ElementTree.iterparse(f, events=("start", "end")):
        name = elem.tag.rpartition("}")[2]
        if event == "start":
            if name == "row":
                r = elem.get("r")
                if r is None:
                    row = None if row is None else row + 1
                else:
                    row = int(r) if re.fullmatch(r"[0-9]{1,7}", r) else None  # None: a place only calamine knows
                    row_r = r
                col = 0
            continue
        if name == "c":
            r = elem.get("r")
            m = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", r) if r is not None else None
            if m:
                col, row = _column_number(m.group(1)), int(m.group(2))
            elif r is not None:
                raise odd(r)
            elif row is None:
                raise odd(row_r)
            else:
                col += 1
            if row > MAX_ROWS or col > MAX_COLUMNS:
                raise _refuse(path, "có ô ghi ở quá xa vùng của biểu mẫu; không phải báo cáo ParApp.",
                              "has cells far outside the form's area; it is not a ParApp return.", sheet)
            if any(child.tag.rpartition("}")[2] == "f" for child in elem):
                out.add(f"{_column_letters(col)}{row}")
            elem.clear()
        elif name == "row":
            elem.clear()
    return out


# The quick scan: what _scan_xml finds, read from the bytes with a few searches, for the plain sheets that
# ParApp, Excel and LibreOffice write. It answers only when it can be sure that python-calamine sees no cell
# and no formula that it does not; anything else (None) goes to _scan_xml. Its reasoning:
# * calamine's XML reader (quick-xml) does not validate: it takes every "<" as the start of a markup, and
#   matches elements by their local name, the part of the name after a colon, whatever the namespace. So a
#   cell to calamine is a tag that starts "<c" or "<prefix:c", and a formula one that starts "<f" or
#   "<prefix:f"; every such tag is found by the searches below. They may find more: a "<c" inside a comment,
#   a CDATA section or an attribute's value is no cell to calamine. That only makes the scan stricter than
#   calamine (such a "cell" must look plain too, and a formula there marks its cell as a formula), never
#   more lenient. The sheet need not be well formed for that: a sheet that calamine cannot read is refused
#   as damaged when it reads it;
# * the part is UTF-8 (or says nothing), so that these searches on its bytes see what calamine sees;
# * no element or attribute whose name ends in ":c" or ":f": every cell is then a plain "<c " tag, and so is
#   every cell _scan_xml reads;
# * every <c> tag is <c r="A1" s=".." t=".."> (s, t, and Excel's cm, vm and ph, each optional, in this order)
#   with a column up to MAX_COLUMNS and a row up to MAX_ROWS, written plainly: no other attribute named r
#   (calamine takes the last one), so calamine places every cell by this r, and none lies beyond the limits;
# * every <f> comes right after the start tag of a <c> (not an empty one): a formula of that cell.
_XML_ROOT = re.compile(
    rb'(?:\xef\xbb\xbf)?(?:<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?(?: standalone="(?:yes|no)")?\s*\?>\s*)?'
    rb'<[A-Za-z_]')
# What the quick scan does not take: a <c> whose r is not a plain address inside the limits, or that has other
# attributes than the plain ones; a name ending in ":c" or ":f". (Two searches, each starting with fixed
# characters, which keeps them fast; one alternation of the two is several times slower.)
_ODD = re.compile(rb'<c(?=[ \t\r\n/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,2}|[1-4][0-9]{3}|5000|0)"'
                  rb'(?: s="[0-9]{1,9}")?(?: t="[A-Za-z]{1,9}")?(?: (?:cm|vm|ph)="[0-9]{1,9}")*[ ]?/?>)')
_PREFIXED = re.compile(rb":[cf][ \t\r\n/>]")
_FORMULA = re.compile(rb"<f[ \t\r\n/>]")
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
assert (MAX_ROWS, MAX_COLUMNS) == (5000, 64), "_ODD spells these limits out"


def _quick_scan(data: bytes) -> set[str] | None:
    root = _XML_ROOT.match(data)
    if root is None or _ODD.search(data) is not None or _PREFIXED.search(data) is not None:
        return None
    out: set[str] = set()
    for m in _FORMULA.finditer(data):
        at = m.start()
        start = data.rfind(b"<", 0, at)
        head = _CELL_HEAD.match(data, start)
        if head is None or data.find(b">", start, at) != at - 1 or data[at - 2] == 47:  # 47: "/"
            return None
        out.add(f"{head.group(1).decode()}{int(head.group(2))}")
    return out


def formula_cells(path: Path, sheet: str) -> set[str]:
    """Addresses of the cells of a sheet that hold a formula."""
    return scan_sheet(path, sheet) or set()


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


def _grid(wb, name: str) -> list[list]:
    """A sheet's cells from A1 (scan_sheet has checked its size)."""
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


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

        wb = CalamineWorkbook.from_filelike(io.BytesIO(package.source))  # the bytes _check_zip checked
        names = list(wb.sheet_names)
        meta_grid = None
        if META_SHEET in names and scan_sheet(path, META_SHEET, package) is not None:
            meta_grid = _grid(wb, META_SHEET)
    except (ReturnError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine's own errors, XML errors, and a Rust panic (a BaseException)
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
    except (ReturnError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
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
    return ReturnFile(
        path=path, kind=kind, unit=unit, unit_name=meta.get("unit_name", ""), province=meta.get("province", ""),
        period=period, catalogue_version=meta["catalogue_version"], target_set=meta.get("target_set", ""),
        app_version=meta.get("app_version", ""), exported_at=meta.get("exported_at", ""),
        exported_by=meta.get("exported_by", ""), office=meta.get("office", ""),
        status=meta.get("status") or None, values=values, comments=comments, cells=cells,
        prepared_by=prepared or "", checksum=meta.get("checksum", ""),
        computed_checksum=checksum(unit, str(period), values, comments), meta_cells=meta_cells)


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


# --------------------------------------------------------------------------------------------- preview, apply


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the .xlsx files of folders (Excel's own ~$ lock files left out); each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            # A file in a folder that is not a link resolves to the resolved folder and its name: that spares a
            # resolve() (a system call per part of the path) for each file.
            folder = p.resolve()
            found = []
            with os.scandir(p) as entries:
                for e in entries:
                    f = p / e.name
                    link = e.is_symlink()
                    if (f.is_file() if link else e.is_file(follow_symlinks=False)) and f.suffix.lower() == ".xlsx" \
                            and not f.name.startswith(("~$", ".~")):
                        found.append((f, f.resolve() if link else folder / e.name))
            found.sort(key=lambda item: item[0])
        else:
            found = [(p, p.resolve())]
        for f, key in found:
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _crashed(path: Path) -> ReturnError:
    return _refuse(path, "làm trình đọc bảng tính dừng đột ngột: tệp bị hỏng hoặc có nội dung bất thường; không nhập.",
                   "made the spreadsheet reader stop: the workbook is damaged or unusual; not imported.")


def preview(office, paths: Iterable[Path | str], progress: Progress | None = None) -> list[FilePreview]:
    """What importing each file (folders: their .xlsx files) would do. Reads only: nothing is written."""
    files = expand(paths)
    out: list[FilePreview] = []
    here = _Here(office)
    reading = readers.read_many(files, office.catalogue, read_return, _crashed)
    try:
        for i, (path, result) in enumerate(reading):
            if progress is not None and progress(i, len(files)) is False:
                break
            pv = FilePreview(path)
            try:
                pv.file = result()
                _compare(office, pv, here)
            except ParAppError as e:
                pv.refused = e
            out.append(pv)
    finally:
        reading.close()
    # two files for one unit-period: the officer must choose
    by_key: dict[tuple[str, str], list[FilePreview]] = {}
    for pv in out:
        if pv.acceptable and pv.unit and pv.period:
            by_key.setdefault((pv.unit.code, str(pv.period)), []).append(pv)
    for group in by_key.values():
        if len(group) > 1:
            names = ", ".join(f'"{g.path.name}"' for g in group)
            u, p = group[0].unit, group[0].period
            for g in group:
                g.refused = _refuse(
                    g.path, f"có {len(group)} tệp cho cùng {u.name}, {p.label('vi')} ({names}); hãy chỉ chọn một.",
                    f"{len(group)} files are for the same {u.name}, {p.label('en')} ({names}); choose one.")
    if progress is not None:
        progress(len(files), len(files))
    return out


class _Here:
    """What every file of a preview is compared with, read once: the office's province and code, and the units
    below it (retired ones too)."""

    def __init__(self, office):
        self.province, self.office = office.province_code, office.office_code
        # After the 2025 reorganisation, returns of the old provinces it was made of are the office's too.
        self.provinces = {self.province, *office._reorganised_from()}
        self.below = {u.code: u for root in office.area_roots()
                      for u in unit_store.subtree(office.store, root, include_retired=True) if u.code != self.office}


def _compare(office, pv: FilePreview, here: _Here) -> None:
    rf = pv.file
    path = rf.path
    pv.kind, pv.period = rf.kind, rf.period
    province = here.province
    if rf.province and rf.province not in here.provinces:
        raise _refuse(path, f"là báo cáo của tỉnh mã {rf.province}, không thuộc tỉnh của văn phòng này "
                            f"({province}).",
                      f"is a return of the province with code {rf.province}, not of this office's province "
                      f"({province}).", META_SHEET, rf.meta_cells.get("province"))
    try:  # an official code names a unit of the tree in force for the return's period
        key = unit_store.resolve(office.store, rf.unit, rf.period) if rf.unit else rf.unit
    except ParAppError:
        key = rf.unit
    unit = here.below.get(key)
    if unit is None:
        try:
            unit = office.unit(key)
        except ParAppError:
            raise _refuse(path, f'đơn vị mã "{rf.unit}" ({rf.unit_name}) không có trong cơ sở dữ liệu này.',
                          f'the unit with code "{rf.unit}" ({rf.unit_name}) is not in this database.',
                          META_SHEET, rf.meta_cells.get("unit")) from None
        pv.unit = unit
        raise _refuse(path, f"{unit.name} không phải là đơn vị cấp dưới của văn phòng này.",
                      f"{unit.name} is not a unit below this office.", META_SHEET, rf.meta_cells.get("unit"))
    pv.unit = unit
    if not unit.active:
        raise _refuse(path, f"{unit.name} đã giải thể, không nhận số liệu mới.",
                      f"{unit.name} is retired and takes no new figures.")
    try:
        office.check_in_force(unit, rf.period)
    except ParAppError as e:
        raise _refuse(path, e.message("vi"), e.message("en"), META_SHEET, rf.meta_cells.get("period")) from None
    for code, (vc, _cc) in rf.cells.items():
        el = office.catalogue.elements[code]
        if unit.level not in el.levels and (rf.values.get(code) is not None or rf.comments.get(code)):
            raise _refuse(path, f"{el.name.vi} ({code}) không được nhập ở cấp của {unit.name}.",
                          f"{el.name.en} ({code}) is not entered at the level of {unit.name}.", SHEET, vc)
    st = value_store.get_status(office.store, unit.code, str(rf.period))
    if st is not None and st.status == "approved":
        raise _refuse(path, f"số liệu {rf.period.label('vi')} của {unit.name} đã được duyệt nên bị khoá; hãy trả lại "
                            "(bỏ duyệt) trước khi nhập.",
                      f"the figures of {unit.name} for {rf.period.label('en')} are approved and locked; return "
                      "them (revoke the approval) before importing.")
    incoming, notes = _incoming(rf)
    stored = value_store.stored_values(office.store, unit.code, str(rf.period))
    for code, new in incoming.items():
        old = stored[code].value if code in stored else None
        if old is None and new is not None:
            pv.new.append((code, new))
        elif old != new:
            pv.changes.append((code, old, new))
    for code, new in notes.items():
        old = stored[code].comment if code in stored else None
        has_value = incoming.get(code, old if code in stored else None) is not None
        if new != old and has_value:
            pv.comments.append((code, old, new))
    merged = {k: s.value for k, s in stored.items()}
    for code, v in incoming.items():
        if v is None:
            merged.pop(code, None)
        else:
            merged[code] = v
    previous = office.previous_values(unit.code, rf.period)
    pv.failures = validate(office.catalogue, merged, previous, unit.level)
    current = st.status if st else None
    after = current
    if (pv.new or pv.changes or pv.comments) and current in (None, "submitted", "returned"):
        after = "draft"  # as write_values does
    if rf.kind == "return" and rf.status in ("submitted", "approved"):
        after = "submitted"
    pv.status = (current, after) if after is not None and after != current else None
    pv.checksum_ok = rf.checksum_ok
    if rf.kind == "template" and not any(v is not None for v in incoming.values()):
        pv.warnings.append(Text("Mẫu chưa được điền số liệu nào.", "No figures were filled in on the template."))
    if rf.kind == "return" and not rf.checksum_ok:
        pv.warnings.append(Text("Tệp đã bị sửa sau khi xuất từ ParApp (mã kiểm tra không khớp); hãy xem kỹ các "
                                "thay đổi.",
                                "The file was edited after it was exported from ParApp (the checksum does not "
                                "match); check the changes closely."))
    ts = office.target_set
    if rf.target_set and ts is not None and rf.target_set != ts.id:
        pv.warnings.append(Text(f'Tệp lập theo bộ chỉ tiêu "{rf.target_set}", văn phòng này dùng "{ts.id}"; '
                                "trạng thái đạt/không đạt sẽ được đánh giá lại.",
                                f'The file was made under the target set "{rf.target_set}"; this office uses '
                                f'"{ts.id}": statuses are judged again.'))
    if rf.unit_name and nfc(rf.unit_name) != unit.name:
        pv.warnings.append(Text(f'Tên đơn vị trong tệp là "{rf.unit_name}", trong cơ sở dữ liệu là "{unit.name}".',
                                f'The unit is called "{rf.unit_name}" in the file and "{unit.name}" here.'))


def _incoming(rf: ReturnFile) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """What the file would write: a return is the whole of the unit-period (an empty cell clears a value);
    a filled-in template only adds what was typed."""
    if rf.kind == "return":
        return dict(rf.values), dict(rf.comments)
    values = {k: v for k, v in rf.values.items() if v is not None}
    return values, {k: c for k, c in rf.comments.items() if c}


def apply(office, previews: Iterable[FilePreview], accept: set[Path] | Iterable[Path]) -> int:
    """Import the accepted files, all or none, in one transaction; returns how many values changed.

    Each file is written as write_values writes it, with the file's name as its source (so the audit log
    names it). A return exported from a submitted or approved unit-period arrives as submitted. An accepted
    file that was refused, or a unit-period approved since the preview, refuses the whole import: nothing is
    written.
    """
    accept = {Path(a) for a in accept}
    chosen = [pv for pv in previews if pv.path in accept]
    for pv in chosen:
        if pv.refused is not None:  # nothing is imported: the file's own refusal says why
            raise ReturnError(pv.refused.message("vi"), pv.refused.message("en"))
    keys = [(pv.unit.code, str(pv.period)) for pv in chosen]
    locked = value_store.statuses_of(office.store, keys)
    for pv, key in zip(chosen, keys, strict=True):  # checked again: the database may have changed since the preview
        if locked.get(key) == "approved":
            value_store.ensure_unlocked(office.store, pv.unit.code, pv.unit.name, str(pv.period),
                                        Text(pv.period.label("vi"), pv.period.label("en")))
    who = office.officer
    store = office.store
    if chosen and not store.in_transaction:
        from parapp.store.backup import make_backup

        make_backup(store, "before-import")  # an import can be undone by restoring this
    with store.transaction() as c:
        writes = _Writes(store, who)
        writes.read(keys)
        # Locked since the check above? Then nothing is written. (A file never approves anything, so
        # checking them all first gives the same answer as checking each just before its writes.)
        for pv in chosen:
            u, period = pv.unit.code, str(pv.period)
            if writes.status(u, period) == "approved":
                value_store.ensure_unlocked(store, u, pv.unit.name, period,
                                            Text(pv.period.label("vi"), pv.period.label("en")))
        for pv in chosen:
            rf = pv.file
            u, period = pv.unit.code, str(pv.period)
            incoming, notes = _incoming(rf)
            by = rf.prepared_by or rf.exported_by
            reason = f"Nhập từ tệp {'báo cáo' if rf.kind == 'return' else 'mẫu'} {rf.path.name}" + \
                (f" (người lập: {by})" if by else "")
            writes.values(u, period, incoming, notes, rf.path.name, reason)
            if rf.kind == "return" and rf.status in ("submitted", "approved") \
                    and writes.status(u, period) != "submitted":
                writes.submitted(u, period, rf.path.name)
        writes.flush(c)
    return writes.changed


class _Writes:
    """The writes of an import, worked out file by file exactly as value_store.write_values (and, for the
    status of a submitted return, value_store.bulk_write) would make them, then made with one executemany per
    table in the same order: the same rows, the same audit log (in the same order), one statement each
    instead of two per value. What an earlier file of the same import wrote is seen by a later one."""

    _UPSERT = ("INSERT INTO data_values(unit, period, element, value, comment, updated_by, updated_at, source) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit, period, element) DO UPDATE SET "
               "value = excluded.value, comment = excluded.comment, updated_by = excluded.updated_by, "
               "updated_at = excluded.updated_at, source = excluded.source")
    _DELETE = "DELETE FROM data_values WHERE unit = ? AND period = ? AND element = ?"
    _AUDIT = ("INSERT INTO audit_log(at, who, action, unit, period, element, old_value, new_value, old_comment, "
              "new_comment, reason, source, old_status, new_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    _STATUS = ("INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT(unit, period) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, "
               "changed_at = excluded.changed_at, reason = excluded.reason")

    def __init__(self, store, who: str):
        self.store, self.who = store, who
        self.changed = 0
        self._stored: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = {}
        self._statuses: dict[tuple[str, str], str | None] = {}
        self._values: list[tuple[bool, tuple]] = []  # (upsert?, parameters), in order
        self._audit: list[tuple] = []
        self._status_rows: list[tuple] = []

    def read(self, keys: list[tuple[str, str]]) -> None:
        """What the database holds for these unit-periods, read at once (in the transaction)."""
        statuses = value_store.statuses_of(self.store, keys)
        for key in keys:
            self._statuses.setdefault(key, statuses.get(key))
        for key, stored in value_store.values_of(self.store, keys).items():
            self._stored.setdefault(key, stored)

    def status(self, unit: str, period: str) -> str | None:
        key = (unit, period)
        if key not in self._statuses:
            st = value_store.get_status(self.store, unit, period)
            self._statuses[key] = st.status if st else None
        return self._statuses[key]

    def _set_status(self, unit: str, period: str, status: str, stamp: str, source: str | None) -> None:
        self._status_rows.append((unit, period, status, self.who, stamp, None))
        self._audit.append((stamp, self.who, "status", unit, period, None, None, None, None, None, None, source,
                            self.status(unit, period), status))
        self._statuses[(unit, period)] = status

    def values(self, unit: str, period: str, values: dict[str, float | None], comments: dict[str, str | None],
               source: str, reason: str) -> None:
        """As value_store.write_values(store, unit, period, values, who, comments, source, reason)."""
        who = self.who
        comments = {k: (clean(v, multiline=True) or None) if v is not None else None for k, v in comments.items()}
        stamp = now()
        key = (unit, period)
        if key not in self._stored:
            self._stored[key] = {k: (s.value, s.comment)
                                 for k, s in value_store.stored_values(self.store, unit, period).items()}
        old = self._stored[key]
        changed = 0
        for element in sorted(set(values) | set(comments)):
            prev = old.get(element)
            old_value, old_comment = prev if prev else (None, None)
            new_value = values[element] if element in values else old_value
            new_comment = comments[element] if element in comments else old_comment
            if new_value == old_value and new_comment == old_comment:
                continue
            if new_value is None:
                if prev is None:
                    continue
                self._values.append((False, (unit, period, element)))
                del old[element]
                new_comment = None
            else:
                self._values.append((True, (unit, period, element, new_value, new_comment, who, stamp, source)))
                old[element] = (float(new_value), new_comment)  # as SQLite gives it back: a REAL
            self._audit.append((stamp, who, "value", unit, period, element, old_value, new_value, old_comment,
                                new_comment, reason, source, None, None))
            changed += 1
        if changed and self.status(unit, period) in (None, "submitted", "returned"):
            self._set_status(unit, period, "draft", stamp, None)
        self.changed += changed

    def submitted(self, unit: str, period: str, source: str) -> None:
        """As value_store.bulk_write(store, (), who, source, [(unit, period, "submitted", None)])."""
        self._set_status(unit, period, "submitted", now(), source)

    def flush(self, c) -> None:
        run: list[tuple] = []
        for i, (upsert, params) in enumerate(self._values):
            run.append(params)
            if i + 1 == len(self._values) or self._values[i + 1][0] != upsert:
                c.executemany(self._UPSERT if upsert else self._DELETE, run)
                run = []
        c.executemany(self._AUDIT, self._audit)
        c.executemany(self._STATUS, self._status_rows)
