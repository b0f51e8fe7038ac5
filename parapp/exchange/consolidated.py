"""The consolidated workbook of a district or province: the units directly below as rows, the indicators
of their level as columns, one sheet per period, and a sheet of the summed counts behind every rate.

Each row is that unit's ROLL-UP (its own figures plus every unit's below it), assessed at its level with
the office's target set. The unit's own figures get a row of their own, and the TOTAL row is the unit's
roll-up: rates computed from the summed counts, never an average of the rows' rates. A status is shown
as a coloured cell and as a symbol written as text beside the value, so a grey printer keeps it. The figures,
statuses and timeliness come from the engine's matrix (parapp.engine.matrix), as the window's overview and the
summary report have them: a column says whether each unit's own return came by the due date (and, for a unit
with units below, how many of theirs came and on time), and lines under the table count it per level.

Text from users (unit names, target-set names, the officer's name) is written as text, never as a
formula. The file is written to a temporary name beside the target and renamed over it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parapp import __version__
from parapp.domain.catalogue import LEVEL_NAMES, Indicator
from parapp.domain.periods import Period
from parapp.engine import palette
from parapp.engine.compliance import STATUS_NAMES, STATUS_SYMBOLS
from parapp.engine.matrix import (
    TIMELINESS_MARKS,
    TIMELINESS_NAMES,
    Matrix,
    MatrixRow,
    added,
    compute_matrix,
    no_units_below,
)
from parapp.engine.palette import WORKFLOW_MARKS
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError, nfc
from parapp.store.units import Unit
from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES

# (done, total) -> False to cancel
Progress = Callable[[int, int], bool | None]

# the palette (parapp.engine.palette) as openpyxl takes colours: without the "#"
# status -> (text colour, cell tint)
STATUS_COLOURS = {status: (colour[1:], tint[1:]) for status, (colour, tint) in palette.STATUS_COLOURS.items()}
# workflow status of a return -> (symbol, text colour, cell tint)
WORKFLOW_STYLE = {status: (symbol, colour[1:], tint[1:]) for status, (symbol, colour, tint) in WORKFLOW_MARKS.items()}
GROUP_TINT = palette.GROUP_TINT[1:]
HEADER_TINT = palette.HEADER_TINT[1:]
_FIXED = 5  # code, name, return status, coverage, timeliness
_TITLE_ROWS = 5  # four lines of title, one blank


class Cancelled(ParAppError):
    """The officer cancelled the consolidated workbook; no file was left behind."""

    def __init__(self) -> None:
        super().__init__("Đã huỷ lập bảng tổng hợp.", "Making the consolidated workbook was cancelled.")


# ------------------------------------------------------------------------------------------- figures


Row = MatrixRow  # a unit below (its roll-up), the unit's own figures, or the total


@dataclass
class Sheet:
    """One period's table: the engine's matrix, with the indicators and elements that have figures."""

    matrix: Matrix
    indicators: list[Indicator]
    dropped: list[Indicator] = field(default_factory=list)  # no figures anywhere in the period
    elements: list[str] = field(default_factory=list)

    @property
    def period(self) -> Period:
        return self.matrix.period

    @property
    def rows(self) -> tuple[MatrixRow, ...]:  # units below, then own, then total
        return self.matrix.rows


def _compute(office, top: Unit, period: Period, tick: Callable[[], None]) -> Sheet:
    """The period's table, from the engine's matrix (parapp.engine.matrix)."""
    cat = office.catalogue
    below = office.rows_below(top, period)
    if not below:
        raise no_units_below(top)
    matrix = compute_matrix(office, top, period, below, tick)
    rows, level, indicators = matrix.rows, matrix.level, list(matrix.indicators)
    shown = matrix.with_values()
    dropped = [i for i in indicators if i not in shown]
    used: set[str] = set()
    for ind in shown:
        used |= ind.elements
    used |= {e.code for e in cat.elements_for(level)}
    weights = {cat.elements[e].weight for e in used if e in cat.elements and cat.elements[e].weight}
    used |= {w for w in weights if w in cat.elements}
    elements = [e for e in cat.elements if e in used and any(e in r.agg.values for r in rows)]
    return Sheet(matrix, shown, dropped, elements)


# ------------------------------------------------------------------------------------------- writing


def _clean(text: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", nfc(str(text)))


FONT = "Times New Roman"  # the font of Vietnamese administrative documents (Liberation Serif elsewhere)


@cache
def _font(size: float = 10, **kw) -> Font:
    return Font(name=FONT, size=size, **kw)


@cache
def _fill(hex_colour: str) -> PatternFill:
    return PatternFill("solid", start_color=hex_colour, end_color=hex_colour)


_PLAIN = _font()
_BOLD = _font(bold=True)
_HEAD_FONT = _font(8, bold=True)
_TITLE = _font(14, bold=True)
_NOTE = _font(9, italic=True)
_CODE_FONT = _font(7, color="5F6368")


def _set_text(cell, text: object) -> bool:
    """Put text in a cell as text (never a formula); True when it needs Excel's quote prefix, so that a
    leading = + - @ stays text when the cell is edited too."""
    value = _clean(text)
    cell.value = value
    cell.data_type = "s"
    return value[:1] in ("=", "+", "-", "@")


def put_text(ws: Worksheet, row: int, col: int, text: object, font: Font = _PLAIN):
    """Text as text: a leading = + - @ never makes a formula, now or when the cell is edited in Excel."""
    cell = ws.cell(row, col)
    if _set_text(cell, text):
        cell.quotePrefix = True
    cell.font = font
    return cell


_THIN = Side(style="thin", color="9AA5B1")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LEFT_ONLY = Border(left=_THIN, top=_THIN, bottom=_THIN)
_RIGHT_ONLY = Border(right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = Alignment(wrap_text=True, horizontal="center", vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center")
_NAME = Alignment(vertical="center", wrap_text=True)
_NUMBER = Alignment(horizontal="right", vertical="center")
_WIDE = Alignment(wrap_text=True, vertical="top")
_SHRINK = Alignment(horizontal="center", vertical="center", shrink_to_fit=True)


class _Styles:
    """The cell styles of one workbook, each built once. openpyxl looks every font, fill and border up
    again on each assignment, which would cost more than all the rest for a province of 250 units; a
    style already built is copied as it is (its indices into this workbook's style tables)."""

    def __init__(self) -> None:
        self._built: dict[tuple, StyleArray] = {}

    def __call__(self, cell, font: Font = _PLAIN, fill: str | None = None, border: Border | None = None,
                 alignment: Alignment | None = None, number_format: str | None = None, quote: bool = False):
        key = (id(font), fill, id(border), id(alignment), number_format, quote)
        built = self._built.get(key)
        if built is not None:
            cell._style = copy(built)
            return cell
        cell._style = StyleArray()
        cell.font = font
        if fill:
            cell.fill = _fill(fill)
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        if number_format:
            cell.number_format = number_format
        if quote:
            cell.quotePrefix = True
        self._built[key] = copy(cell._style)
        return cell


def _number_format(ind: Indicator) -> str:
    if ind.is_percentage and ind.kind != "change":
        return "0" + ("." + "0" * ind.decimals if ind.decimals else "") + "%"
    if ind.decimals:
        return "#,##0." + "0" * ind.decimals
    return "#,##0"


def _cell_value(ind: Indicator, value: float | None) -> float | None:
    if value is None:
        return None
    return value / 100.0 if ind.is_percentage and ind.kind != "change" else value


def _shown_width(ind: Indicator, value: float | None) -> float:
    """The column width a value needs as its number format shows it (bold, with a little room)."""
    if value is None:
        return 0
    if ind.is_percentage and ind.kind != "change":
        text = f"{value:,.{ind.decimals}f}%"
    else:
        text = f"{value:,.{ind.decimals}f}"
    return len(text) * 1.1 + 1


def _sheet_name(text: str, taken: set[str]) -> str:
    name = "".join("-" if c in "/\\?*[]:" else c for c in text)[:31]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _lines(text: str, width: float, size: float = 10, bold: bool = False) -> int:
    """Roughly how many lines a wrapped text of `size` points takes in a column `width` characters wide
    (column widths count digits of the default 11-point font, about 7 pixels)."""
    per_line = max(4, int(width * 7 / (size * (0.68 if bold else 0.62))))
    lines, current = 1, 0
    for word in text.split():
        while len(word) > per_line:  # a word longer than the line is broken anywhere
            lines, current, word = lines + (1 if current else 0), per_line, word[per_line:]
        if current and current + 1 + len(word) > per_line:
            lines, current = lines + 1, len(word)
        else:
            current += (1 if current else 0) + len(word)
    return lines


def _height(lines: int, size: float = 10) -> float:
    return round(lines * size * 1.3 + 4, 1)


# A landscape A4 page holds about 150 characters of column width at full size. A table wider than PAGE_WIDTH
# (about 80 % size) is printed on pages side by side, laid next to each other: the rows line up, and the
# title and the notes sit on the first page. (Repeating the code and name columns on every page would also
# repeat the start of the title lines, cut off.)
PAGE_WIDTH = 190


def pages_wide(width: float) -> int:
    """How many landscape A4 pages a table `width` characters wide is printed across."""
    return max(1, math.ceil(width / PAGE_WIDTH))


def _layout(widths: dict[int, float]) -> tuple[int, int, float]:
    """(pages wide, last column of the title and note lines, their width). On a sheet printed across pages,
    those lines span only what the first page shows, so that no page boundary cuts them."""
    total = sum(widths.values())
    pages = pages_wide(total)
    if pages == 1:
        return 1, max(widths), total
    room = total / pages * 0.9  # a page's share, with some slack
    last, used = 1, 0.0
    for col in sorted(widths):
        if used + widths[col] > room:
            break
        last, used = col, used + widths[col]
    return pages, last, used


def _print_setup(ws: Worksheet, title_rows: str, area: str, footer: str, pages: int = 1) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = pages
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.35
    ws.page_margins.top = ws.page_margins.bottom = 0.55
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_title_rows = title_rows
    ws.print_area = area
    ws.oddFooter.left.text = footer.replace("&", "&&")
    ws.oddFooter.left.size = 8
    ws.oddFooter.left.font = FONT
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = 8
    ws.oddFooter.right.font = FONT


class _Writer:
    def __init__(self, office, top: Unit, lang: str):
        self.office, self.top, self.lang = office, top, lang
        self.stamp = datetime.now().astimezone()
        self.style = _Styles()

    def t(self, vi: str, en: str) -> str:
        return en if self.lang == "en" else vi

    def text(self, ws: Worksheet, r: int, c: int, text: object, font: Font = _PLAIN, **style):
        cell = ws.cell(r, c)
        return self.style(cell, font, quote=_set_text(cell, text), **style)

    def number(self, ws: Worksheet, r: int, c: int, value: float | None, font: Font = _PLAIN, **style):
        cell = ws.cell(r, c)
        cell.value = value
        return self.style(cell, font, **style)

    def row_name(self, row: Row) -> str:
        if row.kind == "own":
            return self.t(f"{row.unit.name} (số liệu riêng)", f"{row.unit.name} (own figures)")
        if row.kind == "total":
            return self.t(f"TỔNG CỘNG: {row.unit.name}", f"TOTAL: {row.unit.name}")
        if not row.unit.active:
            return self.t(f"{row.unit.name} (đã giải thể)", f"{row.unit.name} (retired)")
        return row.unit.name

    def status_text(self, row: Row) -> str:
        status = row.shown_status
        symbol = WORKFLOW_STYLE.get(status, WORKFLOW_STYLE[None])[0]
        name = WORKFLOW_NAMES.get(status, WORKFLOW_NAMES[None]).get(self.lang)
        if row.status is None and row.sub_count:
            name += self.t(f" ({row.sub_count} kỳ con)", f" ({row.sub_count} sub-periods)")
        return f"{symbol} {name}"

    def timeliness_text(self, row: Row) -> str:
        """The unit's own return: on time, late (with the day it came) or not reported; under it, for a unit with
        units below, how many of theirs came and on time."""
        sub = row.submission
        state = sub.state
        text = f"{TIMELINESS_MARKS[state][0]} {TIMELINESS_NAMES[state].get(self.lang)}"
        if sub.reported and sub.submitted_on is not None:
            text += f" {sub.submitted_on:%d/%m}"
        if row.reporting:
            text += "\n" + added(row.reporting).text(self.lang)
        return text

    @staticmethod
    def coverage_text(row: Row) -> str:
        return f"{row.coverage[0]}/{row.coverage[1]}" if row.coverage is not None and row.coverage[1] else "—"

    def wide(self, ws: Worksheet, r: int, text: str, last_col: int, width: float, font: Font = _PLAIN) -> None:
        """A line of text across the table, wrapped inside it (so that printing never cuts it off)."""
        self.text(ws, r, 1, text, font, alignment=_WIDE)
        if last_col > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
        ws.row_dimensions[r].height = _height(_lines(text, width, font.sz or 10, bool(font.b)), font.sz or 10)

    def title_block(self, ws: Worksheet, period: Period, heading: str, last_col: int, width: float) -> None:
        ts, top, t = self.office.target_set, self.top, self.t
        if ts is not None:
            doc = ", ".join(x for x in (ts.document, ts.date) if x)
            target_line = t("Bộ chỉ tiêu: ", "Target set: ") + ts.name.get(self.lang) + (f" ({doc})" if doc else "")
        else:
            target_line = t("Bộ chỉ tiêu: (chưa chọn, không đánh giá)", "Target set: (none, nothing judged)")
        lines = [
            (heading, _TITLE),
            (t(f"Đơn vị: {top.name} (mã {top.official_code})  ·  Kỳ báo cáo: {period.label('vi')}  ·  ",
               f"Unit: {top.name} (code {top.official_code})  ·  Period: {period.label('en')}  ·  ")
             + period.data_window_label(self.lang), _BOLD),
            (target_line, _PLAIN),
            (t(f"Lập lúc {self.stamp:%d/%m/%Y %H:%M} bởi {self.office.officer}, ParApp {__version__}",
               f"Generated {self.stamp:%d/%m/%Y %H:%M} by {self.office.officer}, ParApp {__version__}"), _NOTE),
        ]
        for r, (text, font) in enumerate(lines, 1):
            self.wide(ws, r, text, last_col, width, font)

    def header(self, ws: Worksheet, rows: tuple[int, int], fixed: list[str], last_col: int,
               texts: dict[tuple[int, int], str], small: frozenset[tuple[int, int]] = frozenset()) -> None:
        """Two header rows: "UNIT" over the fixed columns' names, then the given texts; every cell framed."""
        h1, h2 = rows
        self.text(ws, h1, 1, self.t("ĐƠN VỊ", "UNIT"), _HEAD_FONT, fill=HEADER_TINT, border=_BORDER, alignment=_HEAD)
        ws.merge_cells(start_row=h1, start_column=1, end_row=h1, end_column=len(fixed))
        cells = {(h2, c): text for c, text in enumerate(fixed, 1)} | texts
        for r in rows:
            for c in range(1, last_col + 1):
                if (r, c) == (h1, 1):
                    continue
                font, align = (_CODE_FONT, _SHRINK) if (r, c) in small else (_HEAD_FONT, _HEAD)
                if (r, c) in cells:
                    self.text(ws, r, c, cells[(r, c)], font, fill=HEADER_TINT, border=_BORDER, alignment=align)
                else:
                    self.style(ws.cell(r, c), font, fill=HEADER_TINT, border=_BORDER, alignment=align)

    # -- the period sheet --------------------------------------------------------------------------

    def main_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        t, lang, period = self.t, self.lang, sheet.period
        symbol_w = 2.8
        widths = {1: 5.5, 2: 22, 3: 12, 4: 8.5, 5: 13}
        value_widths = []
        for k, ind in enumerate(sheet.indicators):
            value_widths.append(max([7.6] + [_shown_width(ind, row.results[ind.code].value) for row in sheet.rows]))
            widths[_FIXED + 1 + 2 * k], widths[_FIXED + 2 + 2 * k] = value_widths[-1], symbol_w
        last_col = max(widths)
        pages, text_last, text_width = _layout(widths)
        for col, w in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = w
        self.title_block(ws, period, t("BẢNG TỔNG HỢP KẾT QUẢ CẢI CÁCH HÀNH CHÍNH",
                                       "CONSOLIDATED ADMINISTRATIVE-REFORM RESULTS"), text_last, text_width)
        h1, h2 = _TITLE_ROWS + 1, _TITLE_ROWS + 2
        first = h2 + 1
        below_level = next((r.unit.level for r in sheet.rows if r.kind == "unit"), "")
        ts = self.office.target_set
        texts: dict[tuple[int, int], str] = {}
        name_lines, goal_lines = 1, 2
        for k, ind in enumerate(sheet.indicators):
            col = _FIXED + 1 + 2 * k
            name = ind.name.get(lang) + ("" if not ind.is_percentage or ind.kind == "change" else " (%)")
            targets = ts.targets_for(ind.code, below_level, period.year) if ts else []
            pct = ind.kind in ("ratio", "percent", "change")
            goal = "; ".join(x.describe(lang, ind.decimals, percent=pct) for x in targets)
            goal = goal or t("(không có chỉ tiêu)", "(no target)")
            texts[(h1, col)], texts[(h2, col)], texts[(h2, col + 1)] = name, goal, t("TT", "St")
            name_lines = max(name_lines, _lines(name, value_widths[k] + symbol_w, 8, True))
            goal_lines = max(goal_lines, _lines(goal, value_widths[k], 8, True))
        due = f"{sheet.matrix.reporting.due:%d/%m/%Y}"
        self.header(ws, (h1, h2), [t("Mã", "Code"), t("Tên đơn vị", "Name"), t("Tình trạng báo cáo", "Return status"),
                                   t("Đã báo cáo / tổng số", "Reported / expected"),
                                   t(f"Nộp báo cáo (hạn {due})", f"Return on time (due {due})")], last_col, texts)
        for k in range(len(sheet.indicators)):
            col = _FIXED + 1 + 2 * k
            ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + 1)
        ws.row_dimensions[h1].height = _height(name_lines, 8)
        ws.row_dimensions[h2].height = _height(goal_lines, 8)
        r = first
        units_end = first - 1
        for row in sheet.rows:
            if row.kind == "own":
                units_end = r - 1
            self.body_row(ws, r, row, sheet, widths[2])
            r += 1
        last_row = r - 1
        ws.freeze_panes = ws.cell(first, _FIXED + 1)
        if units_end >= first:
            ws.auto_filter.ref = f"A{h2}:{get_column_letter(last_col)}{units_end}"
        end = self.reporting_lines(ws, last_row + 2, sheet, text_last, text_width)
        end = self.legend(ws, end + 2, sheet, below_level, text_last, text_width)
        _print_setup(ws, f"{h1}:{h2}", f"A1:{get_column_letter(last_col)}{end}",
                     f"{self.top.name} · {period.label(lang)}", pages)

    def body_row(self, ws: Worksheet, r: int, row: Row, sheet: Sheet, name_w: float) -> None:
        strong = row.kind == "total"
        tint = GROUP_TINT if row.kind != "unit" else None
        font = _font(bold=strong, italic=row.kind == "own")
        name = self.row_name(row)
        self.text(ws, r, 1, row.unit.code, font, fill=tint, border=_BORDER, alignment=_CENTER)
        self.text(ws, r, 2, name, font, fill=tint, border=_BORDER, alignment=_NAME)
        _, colour, wtint = WORKFLOW_STYLE.get(row.shown_status, WORKFLOW_STYLE[None])
        status = self.status_text(row)
        self.text(ws, r, 3, status, _font(9, color=colour, bold=strong), fill=wtint, border=_BORDER, alignment=_NAME)
        self.text(ws, r, 4, self.coverage_text(row), font, fill=tint, border=_BORDER, alignment=_CENTER)
        timely = self.timeliness_text(row)
        colour, ttint = STATUS_COLOURS[TIMELINESS_MARKS[row.submission.state][1]]
        self.text(ws, r, 5, timely, _font(9, color=colour, bold=strong), fill=ttint, border=_BORDER, alignment=_NAME)
        for k, ind in enumerate(sheet.indicators):
            col = _FIXED + 1 + 2 * k
            res = row.results[ind.code]
            text_colour, cell_tint = STATUS_COLOURS[res.status]
            self.number(ws, r, col, _cell_value(ind, res.value), font, fill=cell_tint, border=_LEFT_ONLY,
                        alignment=_NUMBER, number_format=_number_format(ind))
            self.text(ws, r, col + 1, STATUS_SYMBOLS[res.status], _font(color=text_colour, bold=True),
                      fill=cell_tint, border=_RIGHT_ONLY, alignment=_CENTER)
        lines = max(_lines(name, name_w, 10, strong), _lines(status, 12, 9),
                    sum(_lines(part, 13, 9) for part in timely.split("\n")))
        ws.row_dimensions[r].height = max(16.0, _height(lines))

    def reporting_lines(self, ws: Worksheet, r: int, sheet: Sheet, last_col: int, width: float) -> int:
        """Under the table: per level below, how many returns came and how many by the due date (the summary
        line of DHIS2's reporting rates); returns the last row written."""
        rep = sheet.matrix.reporting
        due = f"{rep.due:%d/%m/%Y}"
        self.wide(ws, r, self.t(f"TÌNH HÌNH NỘP BÁO CÁO (hạn nộp {due})", f"RETURNS RECEIVED (due {due})"), last_col,
                  width, _BOLD)
        for level in rep.levels:
            r += 1
            self.wide(ws, r, level.level_text(self.lang), last_col, width)
        return r

    def legend(self, ws: Worksheet, r: int, sheet: Sheet, below_level: str, last_col: int, width: float) -> int:
        """The legend under the table; returns its last row."""
        t, lang = self.t, self.lang
        self.text(ws, r, 1, t("CHÚ THÍCH", "LEGEND"), _BOLD)
        r += 1
        for status in ("met", "at_risk", "missed", "no_data", "no_target"):
            colour, tint = STATUS_COLOURS[status]
            self.text(ws, r, 1, STATUS_SYMBOLS[status], _font(color=colour, bold=True), fill=tint, border=_BORDER,
                      alignment=_CENTER)
            self.text(ws, r, 2, STATUS_NAMES[status].get(lang))
            r += 1
        marks = "    ".join(f"{WORKFLOW_STYLE[s][0]} {WORKFLOW_NAMES[s].get(lang)}" for s in WORKFLOW_STYLE)
        self.wide(ws, r, t("Tình trạng báo cáo: ", "Return status: ") + marks, last_col, width)
        r += 1
        marks = "    ".join(f"{symbol} {TIMELINESS_NAMES[s].get(lang)}" for s, (symbol, _c) in TIMELINESS_MARKS.items())
        self.wide(ws, r, t("Nộp báo cáo: ", "Return on time: ") + marks, last_col, width)
        r += 1
        level_name = LEVEL_NAMES[below_level].get(lang).lower() if below_level in LEVEL_NAMES else below_level
        top_level = LEVEL_NAMES[self.top.level].get(lang).lower() if self.top.level in LEVEL_NAMES else ""
        notes = [
            t(f"Mỗi dòng đơn vị là số liệu tổng hợp toàn đơn vị (gồm các đơn vị trực thuộc), đánh giá theo chỉ "
              f"tiêu cấp {level_name} (dòng tiêu đề thứ hai); TT: tình trạng so với chỉ tiêu.",
              f"Each unit row is that unit's roll-up (its own figures and every unit below it), judged against "
              f"the {level_name}-level targets (second header row); St: status against the target."),
            t(f"Dòng tổng cộng = các đơn vị trực thuộc + số liệu riêng của {self.top.name}; tỷ lệ tính từ tổng các "
              f"số đếm (xem trang \"Số liệu\"), không phải trung bình các tỷ lệ; đánh giá theo chỉ tiêu cấp "
              f"{top_level}.",
              f"The total row = the units below + {self.top.name}'s own figures; rates are computed from the "
              f"summed counts (see the \"Figures\" sheet), never averaged; judged against the {top_level}-level "
              "targets."),
            t("\"Đã báo cáo / tổng số\": số đơn vị trực thuộc đang hoạt động đã có số liệu cho kỳ này.",
              "\"Reported / expected\": active units below that have figures for this period."),
            t("\"Nộp báo cáo\": báo cáo của chính đơn vị đã gửi hoặc đã duyệt, đúng hạn khi gửi lần đầu không muộn "
              "hơn hạn nộp (báo cáo nhập từ tệp: theo ngày ghi trên tệp); dòng dưới: số đơn vị cấp dưới đã báo cáo "
              "trên tổng số và số đúng hạn.",
              "\"Return on time\": the unit's own return submitted or approved, on time when first submitted by the "
              "due date (an imported return: by the date it carries); below it: returns of the units below, of "
              "those expected, and how many on time."),
        ]
        if sheet.dropped:
            names = "; ".join(i.name.get(lang) for i in sheet.dropped)
            notes.append(t(f"Không đưa vào bảng vì không đơn vị nào có số liệu trong kỳ: {names}.",
                           f"Left out, as no unit has figures for them in this period: {names}."))
        unweighted = sorted({e for row in sheet.rows for e in row.agg.unweighted})
        if unweighted:
            names = "; ".join(self.office.catalogue.elements[e].name.get(lang) for e in unweighted)
            notes.append(t(f"Thiếu số người được khảo sát ở một số đơn vị, tính trung bình không trọng số: {names}.",
                           f"Respondent counts missing somewhere, averaged without weights: {names}."))
        for note in notes:
            self.wide(ws, r, note, last_col, width, _NOTE)
            r += 1
        return r - 1

    # -- the figures sheet --------------------------------------------------------------------------

    def data_sheet(self, ws: Worksheet, sheet: Sheet) -> None:
        t, lang, cat = self.t, self.lang, self.office.catalogue
        fixed, el_w = 3, 10
        widths = {1: 5.5, 2: 22, 3: 8.5}
        for k in range(len(sheet.elements)):
            widths[fixed + 1 + k] = el_w
        last_col = max(widths)
        pages, text_last, text_width = _layout(widths)
        for col, w in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = w
        self.title_block(ws, sheet.period, t("SỐ LIỆU TỔNG HỢP (CÁC SỐ ĐẾM) ĐỂ TÍNH CÁC TỶ LỆ",
                                             "SUMMED FIGURES (COUNTS) BEHIND THE RATES"), text_last, text_width)
        h1, h2 = _TITLE_ROWS + 1, _TITLE_ROWS + 2
        first = h2 + 1
        texts: dict[tuple[int, int], str] = {}
        name_lines = 1
        for k, code in enumerate(sheet.elements):
            el = cat.elements[code]
            name = el.name.get(lang) + (" (%)" if el.type == "percent" else "")
            texts[(h1, fixed + 1 + k)], texts[(h2, fixed + 1 + k)] = name, code
            name_lines = max(name_lines, _lines(name, el_w, 8, True))
        self.header(ws, (h1, h2), [t("Mã", "Code"), t("Tên đơn vị", "Name"),
                                   t("Đã báo cáo / tổng số", "Reported / expected")], last_col, texts,
                    frozenset((h2, c) for c in range(fixed + 1, last_col + 1)))
        ws.row_dimensions[h1].height = _height(name_lines, 8)
        ws.row_dimensions[h2].height = _height(2, 8)
        formats = {code: "#,##0" if cat.elements[code].is_whole else "#,##0.0#" for code in sheet.elements}
        r = first
        for row in sheet.rows:
            strong = row.kind == "total"
            font = _font(bold=strong, italic=row.kind == "own")
            tint = GROUP_TINT if row.kind != "unit" else None
            name = self.row_name(row)
            self.text(ws, r, 1, row.unit.code, font, fill=tint, border=_BORDER, alignment=_CENTER)
            self.text(ws, r, 2, name, font, fill=tint, border=_BORDER, alignment=_NAME)
            self.text(ws, r, 3, self.coverage_text(row), font, fill=tint, border=_BORDER, alignment=_CENTER)
            for k, code in enumerate(sheet.elements):
                self.number(ws, r, fixed + 1 + k, row.agg.values.get(code), font, fill=tint, border=_BORDER,
                            alignment=_NUMBER, number_format=formats[code])
            ws.row_dimensions[r].height = max(16.0, _height(_lines(name, widths[2], 10, strong)))
            r += 1
        units_end = first + sum(1 for row in sheet.rows if row.kind == "unit") - 1
        ws.freeze_panes = ws.cell(first, fixed + 1)
        if units_end >= first:
            ws.auto_filter.ref = f"A{h2}:{get_column_letter(last_col)}{units_end}"
        r += 1
        self.text(ws, r, 1, t("CÔNG THỨC CÁC CHỈ SỐ", "HOW EACH INDICATOR IS COMPUTED"), _BOLD)
        r += 1
        for ind in sheet.indicators:
            if ind.kind == "ratio" and ind.denominator is not None:
                formula = f"({ind.numerator.text}) / ({ind.denominator.text}) × 100"
            else:
                formula = ind.numerator.text
            self.wide(ws, r, f"{ind.name.get(lang)}  =  {formula}", text_last, text_width, _font(9))
            r += 1
        self.wide(ws, r, t("Tổng cộng = các đơn vị trực thuộc + số liệu riêng. Tỷ lệ phần trăm (%) nhập trực tiếp "
                           "(mức độ hài lòng) được lấy trung bình có trọng số theo số người được khảo sát.",
                           "Total = the units below + the own figures. Percentages entered as such (satisfaction) "
                           "are averaged weighted by the number of respondents."), text_last, text_width, _NOTE)
        _print_setup(ws, f"{h1}:{h2}", f"A1:{get_column_letter(last_col)}{r}",
                     f"{self.top.name} · {sheet.period.label(lang)}", pages)


def _periods(period: Period | str | Sequence[Period | str]) -> list[Period]:
    items = [period] if isinstance(period, Period | str) else list(period)
    out: list[Period] = []
    for p in items:
        p = Period.parse(p) if isinstance(p, str) else p
        if p not in out:
            out.append(p)
    if not out:
        raise ParAppError("Hãy chọn ít nhất một kỳ báo cáo.", "Choose at least one period.")
    return out


def export_consolidated(office, unit: str, period: Period | str | Sequence[Period | str], out: Path | str,
                        progress: Progress | None = None, lang: str = "vi") -> Path:
    """Write the consolidated workbook of `unit` (a district or province) for one period or several.

    progress(done, total) is called as rows are computed; returning False cancels: Cancelled is raised
    and no file is left. Returns the path written (".xlsx" is added when `out` has no extension).
    """
    out = Path(out)
    if not out.suffix:
        out = out.with_suffix(".xlsx")
    elif out.suffix.lower() != ".xlsx":
        raise ParAppError(f"Tệp bảng tổng hợp phải có đuôi .xlsx, không phải {out.suffix}.",
                          f"The consolidated workbook must end in .xlsx, not {out.suffix}.")
    top = office.unit(unit)
    periods = _periods(period)
    n_below = max((len(office.rows_below(top, p)) for p in periods), default=0)
    total = len(periods) * (n_below + 1) + 1
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and progress(done, total) is False:
            raise Cancelled()

    if progress is not None and progress(0, total) is False:
        raise Cancelled()
    sheets = [_compute(office, top, p, tick) for p in periods]

    writer = _Writer(office, top, lang)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    data_label = "Số liệu" if lang != "en" else "Figures"
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_name(sheet.period.label(lang), taken))
        writer.main_sheet(ws, sheet)
        name = data_label if len(sheets) == 1 else f"{data_label} {sheet.period.label(lang)}"
        writer.data_sheet(wb.create_sheet(_sheet_name(name, taken)), sheet)
    wb.active = 0
    props = wb.properties
    props.title = _clean(f"{'Bảng tổng hợp CCHC' if lang != 'en' else 'Consolidated PAR figures'} "
                         f"{', '.join(p.label(lang) for p in periods)} - {top.name}")
    props.creator = _clean(office.officer)
    props.subject = "ParApp consolidated workbook"
    for key, value in (("parapp_kind", "consolidated"), ("parapp_unit", top.code),
                       ("parapp_period", " ".join(str(p) for p in periods)), ("parapp_version", __version__)):
        wb.custom_doc_props.append(StringProperty(name=key, value=value))
    _save(wb, out)
    if progress is not None:
        progress(total, total)
    return out


def _save(wb: Workbook, out: Path) -> None:
    """Save to a temporary name beside `out`, then rename it over `out`."""
    write_atomically(out, lambda tmp: wb.save(tmp))

