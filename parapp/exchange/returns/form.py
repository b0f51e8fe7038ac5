"""The form of a return and its writing: a unit's figures for a period (or, blank, a template) as the
paper form officers know, with the very hidden "parapp" sheet that the import reads."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from parapp import __version__
from parapp.domain.catalogue import Catalogue, Element, Indicator
from parapp.domain.periods import Period
from parapp.engine.compliance import STATUS_NAMES, IndicatorResult
from parapp.exchange.files import share
from parapp.exchange.returns.common import Progress, ReturnError, _column_number, _split_cell
from parapp.i18n import fold, nfc
from parapp.store import audit, keys
from parapp.store import units as unit_store
from parapp.store.db import now
from parapp.store.units import Unit

FORMAT = "parapp-return"
FORMAT_VERSION = "1"
SHEET = "Báo cáo"
META_SHEET = "parapp"
# Protection against accidental edits, not security: anyone can read this line.
PASSWORD = "parapp-cchc"
FONT = "Times New Roman"  # the decree's font (Nghị định 30/2020); Liberation Serif stands in on Linux

KINDS = ("return", "template")
MAX_COMMENT = 2000

# The form's columns.
COL_NO, COL_NAME, COL_CODE, COL_UNIT, COL_VALUE, COL_TARGET, COL_STATUS, COL_NOTE = "ABCDEFGH"
HEADERS = ("STT", "Nội dung", "Mã", "Đơn vị tính", "Số liệu", "Chỉ tiêu", "Đánh giá", "Ghi chú / Nguồn")
WIDTHS = (6, 58, 16, 11, 14, 18, 21, 30)
HEADER_ROW = 10

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
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


# What a return's signature covers: these metadata, the map of value cells and (a return, not a template, whose
# cells are filled in Excel) its values and comments. The person named under "Người lập" is left out: it is the
# form's signature block, which an officer may write in after printing.
SIGNED_META = ("format", "format_version", "kind", "unit", "unit_name", "level", "province", "period",
               "catalogue_version", "target_set", "app_version", "exported_at", "exported_by", "office", "status",
               "sheet", "chain_head")


def signed_payload(meta: dict[str, str], cells: dict[str, tuple[str, str]], values: dict[str, float | None],
                   comments: dict[str, str | None]) -> bytes:
    """The canonical bytes a return's Ed25519 signature is made over (and checked against on import)."""
    import json

    body = {"signed": "parapp-return-1", "meta": {k: str(meta.get(k, "")) for k in SIGNED_META},
            "cells": {code: list(pair) for code, pair in sorted(cells.items())}}
    if meta.get("kind") == "return":
        body["values"] = {code: _canon(v) for code, v in sorted(values.items()) if v is not None}
        body["comments"] = {code: c for code, c in sorted(comments.items()) if c}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def file_name(unit: Unit, period: Period, blank: bool = False) -> str:
    """'2025Q3_18070_xa-thach-kenh.xlsx' (a template starts with 'mau_')."""
    slug = _FILE_SAFE.sub("-", fold(unit.name)).strip("-") or "don-vi"
    return f"{'mau_' if blank else ''}{period}_{unit.official_code}_{slug}.xlsx"


def _place(unit: Unit) -> str:
    """The place in 'Thạch Kênh, ngày ...' (Unit.place: the return and the report write it alike)."""
    return unit.place


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
    u, p, out = _target(office, unit, period, out, blank)
    if progress is not None and progress(0, 1) is False:
        raise _cancelled()
    _write(_gather(office, u, p, blank), out)
    if progress is not None:
        progress(1, 1)
    return out


def _target(office, unit: str, period: Period | str, out: Path | str, blank: bool) -> tuple[Unit, Period, Path]:
    """The unit, the period and the file of a return to write, once the unit may have one for the period."""
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    if not office.in_area(u.code):
        raise ReturnError(f"{u.name} không thuộc đơn vị của văn phòng này nên không xuất báo cáo được.",
                          f"{u.name} is not this office's unit or below it, so its return cannot be written here.")
    office.check_in_force(u, p)  # no return for a time the unit did not exist in (the 2025 reorganisation)
    out = Path(out)
    try:
        folder = out.is_dir()
    except OSError:  # a name the disk cannot hold (too long): saving it says so, with the file's name
        folder = False
    if folder:
        out = out / file_name(u, p, blank)
    elif out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    return u, p, out


def _write(form: _Form, out: Path) -> Path:
    """Lay out and save one gathered form (here or in a worker process); the path written."""
    _save(_layout(form), out)
    return out


def _cancelled() -> ReturnError:
    return ReturnError("Đã huỷ việc xuất tệp Excel.", "Writing the Excel files was cancelled.")


def _export_all(office, units: list[Unit], p: Period, folder: Path | str, blank: bool,
                progress: Progress | None, parallel: bool | None = None) -> list[Path]:
    """The return (or blank template) of each unit in folder: all the files, or none (a failure or a cancel
    removes those already written). The figures are read and signed here; the workbooks are laid out and
    saved on the worker processes when there are enough of them (parallel None), always (True) or never
    (False): see parapp.exchange.writers."""
    from parapp.exchange import writers

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReturnError(f"Không tạo được thư mục {folder}: {e.strerror}.",
                          f"Cannot create the folder {folder}: {e.strerror}.") from None

    def gather(each: Unit) -> tuple[_Form, Path]:
        u, _p, out = _target(office, each.code, p, folder / file_name(each, p, blank), blank)
        return _gather(office, u, p, blank), out

    return writers.write_all(units, office.catalogue, gather, _write, _cancelled, progress, parallel)


def export_templates(office, unit: str, period: Period | str, folder: Path | str,
                     progress: Progress | None = None, parallel: bool | None = None) -> list[Path]:
    """A blank template for each active unit directly below unit (a district's communes) in folder (parallel:
    as _export_all)."""
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    below = unit_store.children(office.store, u.code, period=p)  # the tree in force for the period
    if not below:
        raise ReturnError(f"{u.name} không có đơn vị trực thuộc đang hoạt động.",
                          f"{u.name} has no active units below it.")
    return _export_all(office, below, p, folder, True, progress, parallel)


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
                      progress: Progress | None = None, parallel: bool | None = None) -> list[Path]:
    """The return of unit and of every unit below it that has figures for period, in folder: what a district
    sends to the province, which then holds its communes' figures too and rolls them up itself (counts, not
    the district's percentages). All the files or none; parallel as _export_all."""
    u = office.unit(unit)
    p = Period.parse(period) if isinstance(period, str) else period
    return _export_all(office, [u] + units_with_figures_below(office, u.code, p), p, folder, False, progress, parallel)


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


@dataclass
class _Form:
    """A return (or template) read from the database and signed, as plain data: what _layout needs to lay the
    workbook out, with no database or key (a worker process lays it out and saves it)."""

    unit: Unit
    period: Period
    blank: bool
    parent_name: str | None
    values: dict[str, float]
    comments: dict[str, str]
    results: dict[str, IndicatorResult]
    rows: list
    ts_text: str
    margin: float
    officer: str
    exported_at: str
    sources: dict[str, int]  # a target's source (long: a clause quoted) -> its footnote number
    element_rows: dict[str, tuple[str, str]]  # element -> its value and comment cells
    prepared: str  # the cell of the name under "Người lập biểu"
    meta: list[tuple[str, str]]  # the hidden sheet's lines, signature included


def _source_key(res: IndicatorResult) -> str:
    notes = " ".join(f"Ghi chú: {c.note.vi}" for c in res.checks if c.note)
    return res.source() + (f". {notes}" if notes else "")


def _gather(office, u: Unit, p: Period, blank: bool) -> _Form:
    """What the form of u for p shows, from the database, and its signature (made here, where the key is)."""
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
    parent = office.unit(u.parent) if u.parent else None
    ts_text = f"Chỉ tiêu theo: {ts.name.vi}" + (f" ({ts.document})" if ts and ts.document else "") if ts else \
        "Chỉ tiêu theo: (chưa chọn bộ chỉ tiêu)"

    # The cells _layout gives the elements and the officer's name (the signature covers them): the table's rows
    # from under the header, then a line, the sources' footnotes, two lines, the signature block.
    element_rows: dict[str, tuple[str, str]] = {}
    sources: dict[str, int] = {}
    r = HEADER_ROW
    for kind, _g, item in rows:
        r += 1
        if kind == "element":
            element_rows[item.code] = (f"{COL_VALUE}{r}", f"{COL_NOTE}{r}")
        elif kind == "indicator":
            res = results.get(item.code)
            if res is not None and res.checks:
                sources.setdefault(_source_key(res), len(sources) + 1)
    sign = r + 1 + (1 + len(sources) if sources else 0) + 2
    prepared = f"{COL_NAME}{sign + 5}"

    status = None if blank else (rep.status.status if rep.status else None)
    stored_values = {} if blank else {code: values.get(code) for code in element_rows}
    top = audit.head(office.store.conn)
    meta = [
        ("format", FORMAT), ("format_version", FORMAT_VERSION), ("kind", "template" if blank else "return"),
        ("unit", u.official_code), ("unit_name", u.name), ("level", u.level), ("province", office.province_code),
        ("period", str(p)), ("catalogue_version", office.catalogue.version), ("target_set", ts.id if ts else ""),
        ("app_version", __version__), ("exported_at", exported_at), ("exported_by", office.officer),
        ("office", office.unit(office.office_code).official_code), ("status", status or ""), ("sheet", SHEET),
        ("prepared_by_cell", prepared),
        ("checksum", checksum(u.official_code, str(p), stored_values,
                              {c: comments.get(c) for c in element_rows})),
        # The head of the office's history when it signed: where the chain can be checked from outside.
        ("chain_head", f"{top[0]}:{top[1]}" if top else ""),
    ]
    public, signature = keys.sign(office.store, signed_payload(
        dict(meta), element_rows, stored_values, {c: comments.get(c) for c in element_rows}))
    meta += [("public_key", public), ("signature", signature)]
    return _Form(u, p, blank, parent.name if parent else None, values, comments, results, rows, ts_text,
                 office.margin, office.officer, exported_at, sources, element_rows, prepared, meta)


def _layout(form: _Form):
    """The workbook of a gathered form (no database: this runs in a worker process as well as here)."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    u, p, blank, values, comments, results, rows = (form.unit, form.period, form.blank, form.values,
                                                     form.comments, form.results, form.rows)
    stamp = datetime.fromisoformat(form.exported_at)
    w = _Writer()
    ws = w.ws
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width

    # -- heading: issuing body on the left, the national motto on the right
    w.merged(ws, "A1", "C1", f"UBND {form.parent_name.upper()}" if form.parent_name else "", align="center", size=12)
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
    w.merged(ws, "A9", "H9", form.ts_text, align="left", italic=True, size=11, valign="top")
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
    sources = form.sources
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
                                             form.margin if goal[2] else 0.0)
            else:
                w.text(ws, scell.coordinate, STATUS_NAMES[res.status].vi)
            w.style(scell, align="center", border=True, fill=_INDICATOR_FILL, size=11, bold=True)
            status_cells.append(scell.coordinate)
        ref = ""
        if res is not None and res.checks:
            ref = f"Nguồn: ({sources[_source_key(res)]})"
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
    prepared = w.text(ws, f"{COL_NAME}{r + 5}", "" if blank else form.officer, bold=True, align="center",
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
                  f"người xuất: {form.officer}.")
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
    if element_rows != form.element_rows or prepared.coordinate != form.prepared:  # what was signed is not here
        raise RuntimeError(f"the form of {u.official_code} {p} is not laid out where it was signed")
    meta = form.meta
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
