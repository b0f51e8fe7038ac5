"""PDF reports (reportlab): the compliance sheet of one unit and period, and the summary of a district
or province.

Both follow the layout of a Vietnamese administrative document (Decree 30/2020/NĐ-CP): the issuing body
and the national motto side by side, place and date, title, body, signatures; A4, Times-metric serif
(Liberation Serif, shipped in resources/fonts and embedded, subset, in every file). A status is always a
symbol and a word as well as a colour, so a black-and-white printer keeps it. Liberation Serif has no
✔ ✘, so those (and any other character it lacks) come from DejaVu Sans, also shipped and embedded.

All text is normalised to NFC before it reaches reportlab. The file is written to a temporary name beside
the target and renamed over it; a cancelled report (progress returning False) leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from parapp import __version__
from parapp.domain.catalogue import LEVEL_NAMES, Indicator
from parapp.domain.periods import Period
from parapp.engine import palette
from parapp.engine.compliance import STATUS_NAMES, STATUS_SYMBOLS, IndicatorResult, assess, summary
from parapp.engine.matrix import compute_matrix, no_units_below
from parapp.engine.palette import STATUS_COLOURS, WORKFLOW_MARKS
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError, format_number, nfc
from parapp.resources import resource_path
from parapp.store.units import Unit
from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES

# (done, total) -> False to cancel
Progress = Callable[[int, int], bool | None]

FONT = "ParAppSerif"
SYMBOL_FONT = "ParAppSymbol"
_FONT_FILES = {
    FONT: "LiberationSerif-Regular.ttf",
    f"{FONT}-Bold": "LiberationSerif-Bold.ttf",
    f"{FONT}-Italic": "LiberationSerif-Italic.ttf",
    f"{FONT}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
    SYMBOL_FONT: "DejaVuSans.ttf",
}

WORKFLOW_SYMBOLS = {status: mark[0] for status, mark in WORKFLOW_MARKS.items()}
GROUP_TINT = colors.HexColor(palette.GROUP_TINT)
HEADER_TINT = colors.HexColor(palette.HEADER_TINT)
GRID = colors.HexColor("#9AA5B1")
_colour = cache(colors.HexColor)  # the status colours, parsed once (reportlab never changes a Color it is given)
KEY_INDICATORS = ("online_rate", "ontime_rate", "resolution_rate", "online_payment_transactions_rate",
                  "digitised_results_rate", "e_workfile_rate", "satisfaction_tthc", "e_transfer_rate")
MAX_KEY = 8  # columns of the matrix: a landscape page holds eight with room for the names
TREND_PERIODS = 8


class Cancelled(ParAppError):
    """The officer cancelled the PDF report; no file was left behind."""

    def __init__(self) -> None:
        super().__init__("Đã huỷ lập báo cáo PDF.", "Making the PDF report was cancelled.")


# ------------------------------------------------------------------------------------------- fonts


@cache
def register_fonts() -> frozenset[int]:
    """Register the shipped fonts with reportlab (once); the code points the serif font has."""
    for name, file in _FONT_FILES.items():
        path = resource_path("fonts", file)
        if not path.is_file():
            raise ParAppError(f"Thiếu tệp phông chữ {path}; hãy cài lại ParApp.",
                              f"The font file {path} is missing; reinstall ParApp.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic",
                                  boldItalic=f"{FONT}-BoldItalic")
    serif = pdfmetrics.getFont(FONT)
    return frozenset(serif.face.charToGlyph)


def markup(text: object) -> str:
    """Text as Paragraph markup: NFC, escaped, characters the serif lacks set in the symbol font."""
    covered = register_fonts()
    text = nfc(str(text))
    if covered.issuperset(map(ord, set(text).difference("\n\t "))):  # the usual case: one font for it all
        return escape(text).replace("\n", "<br/>")
    out, run = [], []
    for ch in text:
        if ord(ch) in covered or ch in "\n\t ":
            if run:
                out.append(f'<font name="{SYMBOL_FONT}">{escape("".join(run))}</font>')
                run = []
            out.append(escape(ch) if ch != "\n" else "<br/>")
        else:
            run.append(ch)
    if run:
        out.append(f'<font name="{SYMBOL_FONT}">{escape("".join(run))}</font>')
    return "".join(out)


@cache
def _style(size: float = 11, bold: bool = False, italic: bool = False, align: int = TA_LEFT,
           colour: str | None = None, leading: float | None = None, space_after: float = 0) -> ParagraphStyle:
    name = FONT + ("-BoldItalic" if bold and italic else "-Bold" if bold else "-Italic" if italic else "")
    return ParagraphStyle(f"p{size}{bold}{italic}{align}{colour}{leading}{space_after}", fontName=name,
                          fontSize=size, leading=leading or size * 1.22, alignment=align,
                          textColor=colors.HexColor(colour) if colour else colors.black, spaceAfter=space_after,
                          splitLongWords=True)


def para(text: object, size: float = 11, bold: bool = False, italic: bool = False, align: int = TA_LEFT,
         colour: str | None = None, space_after: float = 0, raw: bool = False) -> Paragraph:
    """A paragraph of plain text (raw=True: the text is markup already)."""
    return Paragraph(text if raw else markup(text), _style(size, bold, italic, align, colour, None, space_after))


# ------------------------------------------------------------------------------------------- pages


def _numbered_canvas(footer: str, lang: str):
    """A canvas that writes "Trang i/n" on every page once the number of pages is known."""
    word = "Page" if lang == "en" else "Trang"

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kw):
            kw["initialFontName"] = FONT  # never reference a font that is not embedded (Helvetica)
            super().__init__(*args, **kw)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            n = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(FONT, 8.5)
                self.setFillColor(colors.HexColor("#5F6368"))
                self.drawCentredString(width / 2, 10 * mm, f"{word} {self._pageNumber}/{n}")
                self.setFont(f"{FONT}-Italic", 7.5)
                self.drawString(15 * mm, 10 * mm, footer[:140])
                super().showPage()
            super().save()

    return NumberedCanvas


class _Doc(BaseDocTemplate):
    def __init__(self, filename: str, title: str, author: str, **kw):
        super().__init__(filename, pagesize=A4, title=title, author=author, creator=f"ParApp {__version__}",
                         subject="ParApp", initialFontName=FONT, **kw)
        pw, ph = A4
        portrait = Frame(30 * mm, 18 * mm, pw - 45 * mm, ph - 38 * mm, id="portrait", leftPadding=0,
                         rightPadding=0, topPadding=0, bottomPadding=0)
        lw, lh = landscape(A4)
        wide = Frame(20 * mm, 18 * mm, lw - 35 * mm, lh - 36 * mm, id="landscape", leftPadding=0,
                     rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("portrait", [portrait], pagesize=A4),
                               PageTemplate("landscape", [wide], pagesize=landscape(A4))])


PORTRAIT_WIDTH = A4[0] - 45 * mm
LANDSCAPE_WIDTH = landscape(A4)[0] - 35 * mm


def _write(out: Path | str, build: Callable[[str], None]) -> Path:
    """Build into a temporary file beside `out`, then rename it over `out`."""
    out = Path(out)
    if not out.suffix:
        out = out.with_suffix(".pdf")
    elif out.suffix.lower() != ".pdf":
        raise ParAppError(f"Tệp báo cáo phải có đuôi .pdf, không phải {out.suffix}.",
                          f"The report must end in .pdf, not {out.suffix}.")
    write_atomically(out, lambda tmp: build(str(tmp)))
    return out


class _Rule(Flowable):
    """A short line centred under the issuing body, as the decree draws it."""

    def __init__(self, fraction: float):
        super().__init__()
        self.fraction = fraction

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, 6

    def draw(self):
        w = self.width * self.fraction
        self.canv.setLineWidth(0.6)
        self.canv.line((self.width - w) / 2, 1, (self.width + w) / 2, 1)


class _Ticker:
    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, steps: int = 1) -> None:
        self.done = min(self.total, self.done + steps)
        if self.progress is not None and self.progress(self.done, self.total) is False:
            raise Cancelled()


# ------------------------------------------------------------------------------------------- pieces


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _place(unit: Unit) -> str:
    """The place in 'Thạch Kênh, ngày ...' (Unit.place: the return and the report write it alike)."""
    return unit.place


def _issuing_body(unit: Unit) -> str:
    """'UBND XÃ THẠCH KÊNH': the people's committee of the unit, as the Excel return writes it."""
    return f"UBND {unit.name.upper()}"


def heading(office, unit: Unit, lang: str, width: float, stamp: datetime) -> list[Flowable]:
    """The issuing body and the national motto side by side, then place and date (Decree 30/2020)."""
    parent = office.unit(unit.parent) if unit.parent else None
    left: list[Flowable] = []
    if parent is not None:
        left.append(para(_issuing_body(parent), 12, align=TA_CENTER))
    left.append(para(_issuing_body(unit), 12, bold=True, align=TA_CENTER))
    left.append(_Rule(0.4))
    right: list[Flowable] = [
        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True, align=TA_CENTER),
        para("<u>Độc lập - Tự do - Hạnh phúc</u>", 13, bold=True, align=TA_CENTER, raw=True),
        Spacer(1, 4),
        para(f"{_place(unit)}, ngày {stamp.day} tháng {stamp.month} năm {stamp.year}", 12, italic=True,
             align=TA_CENTER),
    ]
    lw = min(80 * mm, width * 0.42)
    table = Table([[left, right]], colWidths=[lw, width - lw])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, Spacer(1, 10)]


def value_text(ind: Indicator, value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    text = format_number(value, ind.decimals, lang)
    return text + "%" if ind.kind in ("ratio", "percent") else text


def status_text(status: str, lang: str) -> str:
    return f"{STATUS_SYMBOLS[status]} {STATUS_NAMES[status].get(lang)}"


def status_para(status: str, lang: str, size: float = 10, short: bool = False) -> Paragraph:
    colour = STATUS_COLOURS[status][0]
    text = STATUS_SYMBOLS[status] if short else status_text(status, lang)
    return para(text, size, bold=True, colour=colour, align=TA_CENTER if short else TA_LEFT)


def _target_line(office, lang: str, ts=False) -> str:
    """The target set's line: the office's, or the one given (after a merger, a predecessor's may judge a unit)."""
    ts = office.target_set if ts is False else ts
    if ts is None:
        return _t(lang, "Bộ chỉ tiêu: (chưa chọn, không đánh giá)", "Target set: (none, nothing judged)")
    doc = ", ".join(x for x in (ts.document, ts.date) if x)
    return _t(lang, "Bộ chỉ tiêu: ", "Target set: ") + ts.name.get(lang) + (f" ({doc})" if doc else "")


def _no_target_note(office, period: Period, lang: str, ts=False) -> str | None:
    """Why nothing is judged, if so: the office's set, or the one given (after a merger, a unit's own)."""
    ts = office.target_set if ts is False else ts
    if ts is None:
        return _t(lang, "Chưa chọn bộ chỉ tiêu nên không đánh giá đạt hay không đạt.",
                  "No target set is chosen, so nothing is judged met or missed.")
    if not ts.covers(period.year):
        return _t(lang, f"Bộ chỉ tiêu không có chỉ tiêu cho năm {period.year} (chỉ áp dụng {ts.years[0]}–"
                        f"{ts.years[1]}); các chỉ số chỉ được liệt kê, không đánh giá.",
                  f"The target set has no targets for {period.year} (it covers {ts.years[0]}–{ts.years[1]}); "
                  "the indicators are listed, not judged.")
    return None


def _table_style(extra: list | None = None) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_TINT),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        *(extra or []),
    ])


def _summary_sentence(results: list[IndicatorResult], lang: str) -> str:
    s = summary(results)
    judged = s["met"] + s["at_risk"] + s["missed"] + s["no_data"]
    if lang == "en":
        return (f"Of {judged} indicator(s) with a target: {s['met']} met, {s['at_risk']} at risk, "
                f"{s['missed']} missed, {s['no_data']} without figures.")
    return (f"Trong {judged} chỉ tiêu được giao: {s['met']} đạt, {s['at_risk']} có nguy cơ không đạt, "
            f"{s['missed']} không đạt, {s['no_data']} chưa có số liệu.")


def signatures(office, lang: str, width: float) -> Flowable:
    left = [para(_t(lang, "NGƯỜI LẬP BIỂU", "PREPARED BY"), 12, bold=True, align=TA_CENTER),
            para(_t(lang, "(Ký, ghi rõ họ tên)", "(Signature, full name)"), 11, italic=True, align=TA_CENTER),
            Spacer(1, 22 * mm), para(office.officer, 12, bold=True, align=TA_CENTER)]
    right = [para(_t(lang, "THỦ TRƯỞNG ĐƠN VỊ", "HEAD OF THE UNIT"), 12, bold=True, align=TA_CENTER),
             para(_t(lang, "(Ký tên, đóng dấu)", "(Signature and seal)"), 11, italic=True, align=TA_CENTER),
             Spacer(1, 22 * mm), para("", 12)]
    table = Table([[left, right]], colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT)]))
    return KeepTogether([Spacer(1, 8), table])


def _legend(lang: str) -> Paragraph:
    parts = []
    for s in ("met", "at_risk", "missed", "no_data", "no_target"):
        colour = STATUS_COLOURS[s][0]
        parts.append(f'<font color="{colour}"><b>{markup(STATUS_SYMBOLS[s])}</b></font> '
                     f'{markup(STATUS_NAMES[s].get(lang))}')
    return para(markup(_t(lang, "Chú thích: ", "Legend: ")) + "&nbsp;&nbsp;&nbsp; ".join(parts), 9, raw=True)


# ------------------------------------------------------------------------------------------- the sheet


def compliance_sheet(office, unit: str, period: Period | str, out: Path | str, lang: str = "vi",
                     progress: Progress | None = None) -> Path:
    """Write the compliance sheet (phiếu đánh giá) of one unit and period; returns the path written.

    A unit with units below is judged on its roll-up (its own figures and every unit's below it); the
    rules and comments are those of its own figures.
    """
    register_fonts()
    tick = _Ticker(progress, 3)
    p = Period.parse(period) if isinstance(period, str) else period
    rep = office.report(unit, p)
    u = rep.unit
    tick()
    rolled = rep.rolled is not None
    results = rep.rolled_indicators if rolled else rep.indicators
    stamp = datetime.now().astimezone()
    width = PORTRAIT_WIDTH
    story: list[Flowable] = heading(office, u, lang, width, stamp)
    story += [
        para(_t(lang, "PHIẾU ĐÁNH GIÁ<br/>KẾT QUẢ THỰC HIỆN CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH",
                "COMPLIANCE SHEET<br/>OF ADMINISTRATIVE-REFORM TARGETS"), 14, bold=True, align=TA_CENTER, raw=True),
        para(p.label(lang), 13, bold=True, align=TA_CENTER),
        para(f"({p.data_window_label(lang)})", 11, italic=True, align=TA_CENTER, space_after=8),
        para(_t(lang, f"Đơn vị: {u.name} (mã {u.official_code})", f"Unit: {u.name} (code {u.official_code})"), 12),
        para(_target_line(office, lang, rep.target_set), 11, italic=True),
    ]
    # After the 2025 reorganisation: which targets judge this unit, and where older figures came from.
    for note in (rep.target_note, rep.lineage.note() if rep.lineage is not None else None):
        if note is not None:
            story.append(para(note.get(lang), 10, italic=True, colour="#5F6368"))
    st = rep.status.status if rep.status else None
    line = _t(lang, "Tình trạng báo cáo: ", "Return status: ") + \
        f"{WORKFLOW_SYMBOLS.get(st, '○')} {WORKFLOW_NAMES.get(st, WORKFLOW_NAMES[None]).get(lang)}"
    if rep.status and rep.status.status == "returned" and rep.status.reason:
        line += _t(lang, f" (lý do: {rep.status.reason})", f" (reason: {rep.status.reason})")
    story.append(para(line, 11))
    if rolled:
        agg = rep.rolled
        story.append(para(_t(lang, f"Số liệu tổng hợp toàn đơn vị (số liệu riêng và các đơn vị trực thuộc; "
                                   f"{agg.reported}/{agg.expected} đơn vị trực thuộc đã có số liệu).",
                             f"Figures of the whole unit (its own and every unit below it; {agg.reported}/"
                             f"{agg.expected} units below have figures)."), 11, italic=True))
    # (the target note above says already why there is no set, or that its years end before this one)
    note = None if rep.target_note is not None else _no_target_note(office, p, lang, rep.target_set)
    if note:
        story.append(para(note, 11, italic=True, colour="#5F6368"))
    story.append(Spacer(1, 8))

    # -- the indicators, grouped as in the catalogue
    shown = [r for r in results if r.value is not None or r.checks]
    hidden = [r for r in results if r not in shown]
    sources: dict[str, int] = {}
    if shown:
        cw = [10 * mm, None, 21 * mm, 27 * mm, 31 * mm, 15 * mm]
        cw[1] = width - sum(c for c in cw if c)
        head = [para(h, 10, bold=True, align=TA_CENTER) for h in (
            _t(lang, "STT", "No."), _t(lang, "Chỉ số", "Indicator"), _t(lang, "Giá trị", "Value"),
            _t(lang, "Chỉ tiêu", "Target"), _t(lang, "Đánh giá", "Status"), _t(lang, "Nguồn", "Source"))]
        rows: list[list] = [head]
        extra: list = []
        roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
        n = 0
        for g_no, group in enumerate(office.catalogue.groups):
            items = [r for r in shown if r.indicator.group == group.code]
            if not items:
                continue
            r_i = len(rows)
            rows.append([para(roman[g_no] if g_no < len(roman) else str(g_no + 1), 10, bold=True,
                              align=TA_CENTER), para(group.name.get(lang), 10, bold=True), "", "", "", ""])
            extra += [("SPAN", (1, r_i), (-1, r_i)), ("BACKGROUND", (0, r_i), (-1, r_i), GROUP_TINT)]
            for r in items:
                n += 1
                r_i = len(rows)
                notes = [c.note.get(lang) for c in r.checks if c.note] + \
                    ([r.checks[0].target.note.get(lang)] if r.checks and r.checks[0].target.note else [])
                name_cell = [para(r.indicator.name.get(lang), 10)]
                name_cell += [para(x, 8.5, italic=True, colour="#5F6368") for x in notes]
                refs = []
                for src in dict.fromkeys(c.target.source for c in r.checks if c.target.source):
                    refs.append(sources.setdefault(src, len(sources) + 1))
                rows.append([para(str(n), 10, align=TA_CENTER), name_cell,
                             para(value_text(r.indicator, r.value, lang), 10, bold=True, align=TA_RIGHT),
                             para(r.target_text(lang) or "—", 10, align=TA_CENTER),
                             status_para(r.status, lang, 10),
                             para(", ".join(f"[{k}]" for k in refs) or "—", 9, align=TA_CENTER)])
                extra.append(("BACKGROUND", (4, r_i), (4, r_i), _colour(STATUS_COLOURS[r.status][1])))
        table = Table(rows, colWidths=cw, repeatRows=1)
        table.setStyle(_table_style(extra))
        story += [table, Spacer(1, 3), _legend(lang)]
    else:
        story.append(para(_t(lang, f"{u.name} chưa có số liệu nào cho {p.label('vi')}.",
                             f"{u.name} has no figures for {p.label('en')}."), 11, italic=True))
    if hidden and shown:
        story.append(para(_t(lang, "Không có số liệu và không có chỉ tiêu: ", "No figures and no target: ")
                          + "; ".join(r.indicator.name.get(lang) for r in hidden) + ".", 9, italic=True,
                          colour="#5F6368"))
    if sources:
        story.append(Spacer(1, 4))
        story.append(para(_t(lang, "Nguồn chỉ tiêu:", "Sources of the targets:"), 10, bold=True))
        for src, k in sources.items():
            story.append(para(f"[{k}] {src}", 9))
    tick()

    # -- failing rules, comments, summary
    story.append(Spacer(1, 8))
    story.append(para(_t(lang, "Kiểm tra số liệu", "Checks of the figures"), 12, bold=True, space_after=2))
    if rep.messages:
        for m in rep.messages:
            word = _t(lang, "Lỗi", "Error") if m.severity == "error" else _t(lang, "Cảnh báo", "Warning")
            colour = STATUS_COLOURS["missed" if m.severity == "error" else "at_risk"][0]
            story.append(para(f'<font color="{colour}"><b>{markup("✘" if m.severity == "error" else "▲")} '
                              f'{markup(word)}:</b></font> {markup(m.describe(lang))}', 10.5, raw=True))
    elif rep.own.values:
        story.append(para(_t(lang, "Số liệu đạt mọi quy tắc kiểm tra.", "The figures pass every check."), 10.5))
    else:
        story.append(para(_t(lang, "Chưa có số liệu để kiểm tra.", "No figures to check."), 10.5))
    comments = [(code, s.comment) for code, s in rep.stored.items() if s.comment]
    if comments:
        story.append(Spacer(1, 4))
        story.append(para(_t(lang, "Ghi chú, giải trình", "Comments"), 12, bold=True, space_after=2))
        for code, text in comments:
            el = office.catalogue.elements.get(code)
            name = el.name.get(lang) if el else code
            story.append(para(f"<b>{markup(name)}:</b> {markup(text)}", 10.5, raw=True, space_after=2))
    story.append(Spacer(1, 4))
    story.append(para(_t(lang, "Tổng hợp", "Summary"), 12, bold=True, space_after=2))
    story.append(para(_summary_sentence(results, lang), 11))
    story.append(signatures(office, lang, width))

    title = _t(lang, f"Phiếu đánh giá CCHC {p.label(lang)} - {u.name}", f"PAR compliance sheet {p.label(lang)} - {u.name}")
    footer = f"{u.name} · {p.label(lang)} · ParApp {__version__}, {stamp:%d/%m/%Y %H:%M}"

    def build(path: str) -> None:
        doc = _Doc(path, nfc(title), nfc(office.officer))
        doc.build(story, canvasmaker=_numbered_canvas(nfc(footer), lang))

    path = _write(out, build)
    tick()
    return path


# ------------------------------------------------------------------------------------------- the summary


@dataclass
class _Gap:
    row: object
    result: IndicatorResult
    goal: float | None
    compared: float | None

    @property
    def size(self) -> float:
        if self.goal is None or self.compared is None:
            return 0.0
        return abs(self.goal - self.compared) / max(abs(self.goal), 1.0)


def _sets_used(office, rows, period: Period) -> list:
    """The target sets that judge the rows' units: the office's, or after a merger each old province's own."""
    used = {ts.id: ts for r in rows if (ts := office.target_set_for(r.unit, period)) is not None}
    return list(used.values()) or ([office.target_set] if office.target_set is not None else [])


def _key_indicators(office, unit_rows, period: Period, indicators: list[Indicator], level: str) -> list[Indicator]:
    sets = _sets_used(office, unit_rows, period)
    year = period.year
    with_target = [i for i in indicators if any(ts.targets_for(i.code, level, year) for ts in sets)]
    keys = [i for i in indicators if i.code in KEY_INDICATORS]
    out = list(dict.fromkeys(with_target + keys))
    out.sort(key=lambda i: (i.code not in KEY_INDICATORS, list(office.catalogue.indicators).index(i.code)))
    return out[:MAX_KEY]


def _trend(office, top: Unit, period: Period, indicators: list[Indicator],
           known: dict[str, IndicatorResult] | None = None):
    """The top unit's roll-up of each indicator over the last periods, with the goal of each period.

    known: the top unit's results for `period` itself when they are worked out already (the total row of
    the summary, assessed the same way), so that its roll-up is not made twice.
    """
    periods = [period]
    while len(periods) < TREND_PERIODS:
        periods.insert(0, periods[0].previous())
    out: dict[str, list[tuple[Period, float | None, float | None, str]]] = {i.code: [] for i in indicators}
    history = office.history_lookup(top.code, True)
    needs = office.elements_of(indicators)  # the charts' indicators alone: their elements are all that is read
    for q in periods:
        if q == period and known is not None:
            results = [known[i.code] for i in indicators]
        else:
            agg = office.figures(top, q, below=True, elements=needs)[0]
            results = assess(office.catalogue, office.target_set_for(top, q), top.level, q, agg.values, history,
                             office.margin, indicators)
        for r in results:
            goal = next((c.goal for c in r.checks if c.goal is not None), None)
            out[r.code].append((q, r.value, goal, r.status))
    return periods, out


def trend_chart(ind: Indicator, points, lang: str, width: float, height: float) -> Drawing:
    """A small line chart of one indicator over the periods, its goal dashed; drawn with shapes only."""
    d = Drawing(width, height, initialFontName=FONT)  # not Helvetica, which would not be embedded
    left, bottom, right, top = 34, 26, 8, 30
    pw, ph = width - left - right, height - bottom - top
    name = nfc(ind.name.get(lang))
    # the title, in up to two lines
    words, lines, cur = name.split(), [], ""
    for w in words:
        if pdfmetrics.stringWidth(f"{cur} {w}".strip(), f"{FONT}-Bold", 8) > width - 6 and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: max(1, len(lines[1]) - 2)] + "…"]
    for k, text in enumerate(lines):
        d.add(String(width / 2, height - 9 - 9 * k, text, fontName=f"{FONT}-Bold", fontSize=8, textAnchor="middle"))
    values = [v for _, v, _, _ in points if v is not None] + [g for _, _, g, _ in points if g is not None]
    d.add(Rect(left, bottom, pw, ph, strokeColor=GRID, strokeWidth=0.5, fillColor=None))
    n = len(points)

    def x(k: int) -> float:
        return left + pw * (k + 0.5) / n

    for k, (q, _, _, _) in enumerate(points):
        label = q.short_label(lang).replace("Quý ", "").replace("/20", "/").replace(" 20", " ")  # III/25, Q3 25
        d.add(String(x(k), bottom - 9, nfc(label), fontName=FONT, fontSize=6, textAnchor="middle"))
    if not values:
        d.add(String(left + pw / 2, bottom + ph / 2, _t(lang, "Chưa có số liệu", "No figures"), fontName=f"{FONT}-Italic",
                     fontSize=8, textAnchor="middle", fillColor=colors.HexColor("#5F6368")))
        return d
    pct = ind.kind in ("ratio", "percent")
    lo, hi = min(values), max(values)
    if pct:
        lo, hi = max(0.0, min(lo, 0.0 if hi - lo > 40 else lo - 5)), min(100.0, max(hi + 5, lo + 10))
        if hi <= lo:
            lo, hi = lo - 5, hi + 5
    else:
        pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1
        lo, hi = lo - pad, hi + pad

    def y(v: float) -> float:
        return bottom + ph * (v - lo) / (hi - lo)

    for v in (lo, (lo + hi) / 2, hi):
        d.add(Line(left - 2, y(v), left, y(v), strokeColor=GRID, strokeWidth=0.5))
        d.add(String(left - 3, y(v) - 2, format_number(v, 0, lang) + ("%" if pct else ""), fontName=FONT,
                     fontSize=6, textAnchor="end"))
    # the goal, dashed, period by period
    for k, (_, _, goal, _) in enumerate(points):
        if goal is not None and lo <= goal <= hi:
            d.add(Line(x(k) - pw / n / 2, y(goal), x(k) + pw / n / 2, y(goal), strokeColor=colors.black,
                       strokeWidth=0.8, strokeDashArray=[3, 2]))
    run: list[float] = []
    for k, (_, v, _, _) in enumerate(points):
        if v is None:
            if len(run) >= 4:
                d.add(PolyLine(run, strokeColor=colors.HexColor("#0072B2"), strokeWidth=1.2))
            run = []
            continue
        run += [x(k), y(v)]
    if len(run) >= 4:
        d.add(PolyLine(run, strokeColor=colors.HexColor("#0072B2"), strokeWidth=1.2))
    for k, (_, v, _, status) in enumerate(points):
        if v is None:
            continue
        colour = _colour(STATUS_COLOURS[status][0])
        d.add(Rect(x(k) - 2, y(v) - 2, 4, 4, fillColor=colour, strokeColor=colour))
    last = next(((k, v, s) for k, (_, v, _, s) in reversed(list(enumerate(points))) if v is not None), None)
    if last:
        k, v, s = last
        d.add(String(x(k), min(y(v) + 4, bottom + ph - 7), value_text(ind, v, lang), fontName=f"{FONT}-Bold",
                     fontSize=7, textAnchor="end" if k == n - 1 else "middle"))
    return d


def summary_report(office, unit: str, period: Period | str, out: Path | str, lang: str = "vi",
                   progress: Progress | None = None) -> Path:
    """Write the summary report of a district or province for a period; returns the path written."""
    register_fonts()
    p = Period.parse(period) if isinstance(period, str) else period
    top = office.unit(unit)

    below = office.rows_below(top, p)
    if not below:
        raise no_units_below(top)
    tick = _Ticker(progress, len(below) + 1 + TREND_PERIODS + 2)
    tick(0)
    matrix = compute_matrix(office, top, p, below, tick)
    shown = matrix.with_values()  # the indicators with figures somewhere
    unit_rows = matrix.units
    total = matrix.total
    below_level = unit_rows[0].unit.level if unit_rows else top.level
    level_name = LEVEL_NAMES[below_level].get(lang).lower() if below_level in LEVEL_NAMES else below_level
    keys = _key_indicators(office, unit_rows, p, shown, below_level)
    stamp = datetime.now().astimezone()
    width = PORTRAIT_WIDTH

    story: list[Flowable] = heading(office, top, lang, width, stamp)
    story += [
        para(_t(lang, "BÁO CÁO TỔNG HỢP<br/>KẾT QUẢ THỰC HIỆN CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH",
                "SUMMARY REPORT<br/>OF ADMINISTRATIVE-REFORM TARGETS"), 14, bold=True, align=TA_CENTER, raw=True),
        para(p.label(lang), 13, bold=True, align=TA_CENTER),
        para(f"({p.data_window_label(lang)})", 11, italic=True, align=TA_CENTER, space_after=8),
        para(_t(lang, f"Đơn vị: {top.name} (mã {top.official_code})", f"Unit: {top.name} (code {top.official_code})"), 12),
        para(_target_line(office, lang), 11, italic=True),
    ]
    area = office.area_target_note(top, [r.unit for r in unit_rows], p)
    note = area.get(lang) if area is not None else _no_target_note(office, p, lang)
    if note:
        story.append(para(note, 11, italic=True, colour="#5F6368"))
    story.append(Spacer(1, 6))

    # -- coverage
    story.append(para(_t(lang, "I. TÌNH HÌNH BÁO CÁO", "I. WHO REPORTED"), 12, bold=True, space_after=2))
    reported, expected = total.coverage or (0, 0)
    story.append(para(_t(lang, f"Toàn {top.name}: {reported}/{expected} đơn vị trực thuộc các cấp đã có số liệu "
                               f"{p.label('vi')}.",
                         f"All of {top.name}: {reported}/{expected} units below at every level have figures for "
                         f"{p.label('en')}."), 11))
    silent = [r for r in unit_rows if r.unit.active and r.shown_status is None and not (r.coverage and r.coverage[0])]
    counts: dict[str | None, int] = {}
    for r in unit_rows:
        counts[r.shown_status] = counts.get(r.shown_status, 0) + 1
    parts = [f"{WORKFLOW_SYMBOLS.get(s, '○')} {WORKFLOW_NAMES.get(s, WORKFLOW_NAMES[None]).get(lang)}: {n}"
             for s, n in sorted(counts.items(), key=lambda kv: list(WORKFLOW_SYMBOLS).index(kv[0])
                                if kv[0] in WORKFLOW_SYMBOLS else 9)]
    story.append(para(_t(lang, f"Các đơn vị cấp {level_name} ({len(unit_rows)}): ",
                         f"Units at {level_name} level ({len(unit_rows)}): ") + ";  ".join(parts) + ".", 11))
    rep = matrix.reporting
    due = f"{rep.due:%d/%m/%Y}"
    for level in rep.levels:  # DHIS2's reporting rates: returns submitted or approved, and those by the due date
        story.append(para(level.level_text(lang) + _t(lang, f" (hạn nộp {due}).", f" (due {due})."), 11))
    late = [r for r in unit_rows if r.submission.state == "late"]
    if late:
        story.append(para(_t(lang, f"Nộp quá hạn ({len(late)}): ", f"Late ({len(late)}): ")
                          + "; ".join(f"{r.unit.name} ({r.submission.submitted_on:%d/%m/%Y})"
                                      if r.submission.submitted_on else r.unit.name for r in late) + ".", 11,
                          colour=STATUS_COLOURS["at_risk"][0]))
    if silent:
        story.append(para(_t(lang, f"Chưa báo cáo ({len(silent)}): ", f"Not reported ({len(silent)}): ")
                          + "; ".join(r.unit.name for r in silent) + ".", 11,
                          colour=STATUS_COLOURS["missed"][0]))
    else:
        story.append(para(_t(lang, f"Tất cả các đơn vị cấp {level_name} đã báo cáo.",
                             f"Every unit at {level_name} level has reported."), 11))
    story.append(Spacer(1, 6))

    # -- targets met per indicator across the units below
    story.append(para(_t(lang, f"II. KẾT QUẢ THEO CHỈ SỐ (số đơn vị cấp {level_name} theo mức đánh giá; "
                               f"giá trị toàn {top.name})",
                         f"II. RESULTS BY INDICATOR (units at {level_name} level by status; value for all of "
                         f"{top.name})"), 12, bold=True, space_after=2))
    sets = _sets_used(office, unit_rows, p)
    head = [para(h, 9, bold=True, align=TA_CENTER) for h in (
        _t(lang, "Chỉ số", "Indicator"), _t(lang, f"Chỉ tiêu cấp {level_name}", f"{level_name} target"),
        STATUS_SYMBOLS["met"] + " " + STATUS_NAMES["met"].get(lang),
        STATUS_SYMBOLS["at_risk"] + " " + _t(lang, "Nguy cơ", "At risk"),
        STATUS_SYMBOLS["missed"] + " " + STATUS_NAMES["missed"].get(lang),
        STATUS_SYMBOLS["no_data"] + " " + _t(lang, "Chưa có", "No data"),
        _t(lang, "Toàn đơn vị", "Whole unit"))]
    cw = [None, 30 * mm, 13 * mm, 13 * mm, 14 * mm, 13 * mm, 30 * mm]
    cw[0] = width - sum(c for c in cw if c)
    rows: list[list] = [head]
    extra = []
    for ind in shown:
        targets = [t for ts in sets for t in ts.targets_for(ind.code, below_level, p.year)]
        pct = ind.kind in ("ratio", "percent", "change")
        goal = "; ".join(dict.fromkeys(x.describe(lang, ind.decimals, percent=pct) for x in targets)) or "—"
        c = {s: 0 for s in STATUS_COLOURS}
        for r in unit_rows:
            c[r.results[ind.code].status] += 1
        res = total.results[ind.code]
        k = len(rows)
        rows.append([para(ind.name.get(lang), 9), para(goal, 9, align=TA_CENTER)]
                    + [para(str(c[s]) if targets else "—", 9, align=TA_CENTER)
                       for s in ("met", "at_risk", "missed", "no_data")]
                    + [para(f'{markup(value_text(ind, res.value, lang))} <font color="{STATUS_COLOURS[res.status][0]}">'
                            f'<b>{markup(STATUS_SYMBOLS[res.status])}</b></font>', 9, align=TA_RIGHT, raw=True)])
        extra.append(("BACKGROUND", (6, k), (6, k), _colour(STATUS_COLOURS[res.status][1])))
        for col, s in ((2, "met"), (3, "at_risk"), (4, "missed")):
            if targets and c[s]:
                extra.append(("BACKGROUND", (col, k), (col, k), _colour(STATUS_COLOURS[s][1])))
    if len(rows) > 1:
        t = Table(rows, colWidths=cw, repeatRows=1)
        t.setStyle(_table_style(extra))
        story += [t, Spacer(1, 2), _legend(lang)]
    else:
        story.append(para(_t(lang, "Chưa có số liệu nào trong kỳ.", "No figures in this period."), 11, italic=True))
    story.append(Spacer(1, 4))
    story.append(para(_t(lang, "Toàn đơn vị: ", "Whole unit: ") + _summary_sentence(list(total.results.values()),
                                                                                     lang), 11))

    # -- the worst gaps
    gaps: list[_Gap] = []
    for r in unit_rows:
        for ind in shown:
            res = r.results[ind.code]
            if res.status in ("missed", "at_risk"):
                c = next((c for c in res.checks if c.status == res.status), None)
                gaps.append(_Gap(r, res, c.goal if c else None, c.compared if c else None))
    gaps.sort(key=lambda g: (g.result.status != "missed", -g.size))
    story.append(CondPageBreak(40 * mm))
    story.append(Spacer(1, 6))
    story.append(para(_t(lang, "III. CÁC CHỈ TIÊU CÓ KHOẢNG CÁCH LỚN NHẤT", "III. THE WORST GAPS"), 12, bold=True,
                      space_after=2))
    if gaps:
        head = [para(h, 9, bold=True, align=TA_CENTER) for h in (
            _t(lang, "Đơn vị", "Unit"), _t(lang, "Chỉ số", "Indicator"), _t(lang, "Giá trị", "Value"),
            _t(lang, "Chỉ tiêu", "Target"), _t(lang, "Đánh giá", "Status"))]
        cw = [45 * mm, None, 20 * mm, 24 * mm, 27 * mm]
        cw[1] = width - sum(c for c in cw if c)
        rows = [head]
        extra = []
        for g in gaps[:15]:
            k = len(rows)
            rows.append([para(g.row.unit.name, 9), para(g.result.indicator.name.get(lang), 9),
                         para(value_text(g.result.indicator, g.result.value, lang), 9, align=TA_RIGHT),
                         para(g.result.target_text(lang), 9, align=TA_CENTER), status_para(g.result.status, lang, 9)])
            extra.append(("BACKGROUND", (4, k), (4, k), _colour(STATUS_COLOURS[g.result.status][1])))
        t = Table(rows, colWidths=cw, repeatRows=1)
        t.setStyle(_table_style(extra))
        story.append(t)
        if len(gaps) > 15:
            story.append(para(_t(lang, f"(15 trên tổng số {len(gaps)} trường hợp chưa đạt hoặc có nguy cơ)",
                                 f"(15 of {len(gaps)} cases missed or at risk)"), 9, italic=True))
    else:
        story.append(para(_t(lang, "Không có chỉ tiêu nào không đạt hoặc có nguy cơ không đạt.",
                             "No target is missed or at risk."), 11))

    # -- the matrix, landscape
    story += [NextPageTemplate("landscape"), PageBreak()]
    lwidth = LANDSCAPE_WIDTH
    story.append(para(_t(lang, f"IV. KẾT QUẢ CÁC CHỈ SỐ CHÍNH THEO ĐƠN VỊ CẤP {level_name.upper()} – {p.label('vi')}",
                         f"IV. KEY INDICATORS BY UNIT AT {level_name.upper()} LEVEL – {p.label('en')}"), 12,
                      bold=True, space_after=4))
    if keys:
        fixed = [12 * mm, None, 24 * mm, 16 * mm]
        col_w = min(26 * mm, (lwidth - 12 * mm - 55 * mm - 40 * mm) / len(keys))
        fixed[1] = lwidth - 12 * mm - 24 * mm - 16 * mm - col_w * len(keys)
        head = [para(h, 8, bold=True, align=TA_CENTER) for h in (
            _t(lang, "Mã", "Code"), _t(lang, "Tên đơn vị", "Name"), _t(lang, "Tình trạng báo cáo", "Return status"),
            _t(lang, "Đã BC/ tổng số", "Reported/ expected"))]
        for ind in keys:
            targets = [t for ts in sets for t in ts.targets_for(ind.code, below_level, p.year)]
            pct = ind.kind in ("ratio", "percent", "change")
            goal = "; ".join(dict.fromkeys(x.describe(lang, ind.decimals, percent=pct) for x in targets))
            head.append([para(ind.name.get(lang), 7.5, bold=True, align=TA_CENTER)]
                        + ([para(goal, 7.5, italic=True, align=TA_CENTER)] if goal else []))
        rows = [head]
        extra = []
        for r in matrix.rows:
            k = len(rows)
            name = r.unit.name
            if r.kind == "own":
                name = _t(lang, f"{name} (số liệu riêng)", f"{name} (own figures)")
            elif r.kind == "total":
                name = _t(lang, f"TỔNG CỘNG: {name}", f"TOTAL: {name}")
            elif not r.unit.active:
                name = _t(lang, f"{name} (đã giải thể)", f"{name} (retired)")
            strong = r.kind == "total"
            st_name = WORKFLOW_NAMES.get(r.shown_status, WORKFLOW_NAMES[None]).get(lang)
            cov = f"{r.coverage[0]}/{r.coverage[1]}" if r.coverage and r.coverage[1] else "—"
            cells = [para(r.unit.code, 8, align=TA_CENTER), para(name, 8.5, bold=strong, italic=r.kind == "own"),
                     para(f"{WORKFLOW_SYMBOLS.get(r.shown_status, '○')} {st_name}", 8),
                     para(cov, 8, align=TA_CENTER)]
            for j, ind in enumerate(keys):
                res = r.results[ind.code]
                colour = STATUS_COLOURS[res.status][0]
                cells.append(para(f'{markup(value_text(ind, res.value, lang))} <font color="{colour}"><b>'
                                  f'{markup(STATUS_SYMBOLS[res.status])}</b></font>', 8.5, bold=strong,
                                  align=TA_RIGHT, raw=True))
                extra.append(("BACKGROUND", (4 + j, k), (4 + j, k), _colour(STATUS_COLOURS[res.status][1])))
            if r.kind != "unit":
                extra.append(("BACKGROUND", (0, k), (3, k), GROUP_TINT))
            rows.append(cells)
        t = Table(rows, colWidths=fixed + [col_w] * len(keys), repeatRows=1)
        t.setStyle(_table_style(extra))
        story += [t, Spacer(1, 3), _legend(lang),
                  para(_t(lang, "Mỗi dòng là số liệu tổng hợp toàn đơn vị (gồm các đơn vị trực thuộc); dòng tổng "
                                "cộng tính từ tổng các số đếm, không lấy trung bình các tỷ lệ.",
                          "Each row is the unit's roll-up (with every unit below it); the total row is computed "
                          "from the summed counts, never by averaging rates."), 8.5, italic=True)]
    else:
        story.append(para(_t(lang, "Chưa có số liệu nào trong kỳ.", "No figures in this period."), 11, italic=True))

    # -- trend charts
    if keys:
        periods, trend = _trend(office, top, p, keys, total.results)
        tick(TREND_PERIODS)
        story.append(CondPageBreak(80 * mm))
        story.append(Spacer(1, 8))
        story.append(para(_t(lang, f"V. DIỄN BIẾN CÁC CHỈ SỐ CHÍNH CỦA TOÀN {top.name.upper()} "
                                   f"({periods[0].label('vi')} – {periods[-1].label('vi')})",
                             f"V. TREND OF THE KEY INDICATORS FOR ALL OF {top.name.upper()} "
                             f"({periods[0].label('en')} – {periods[-1].label('en')})"), 12, bold=True,
                          space_after=2))
        story.append(para(_t(lang, "Đường liền: giá trị từng kỳ (điểm tô màu theo mức đánh giá); đường đứt: chỉ "
                                   "tiêu của kỳ đó (nếu có).",
                             "Solid line: each period's value (points coloured by status); dashed: that period's "
                             "target (where one is set)."), 9, italic=True, space_after=4))
        per_row = 4
        cw = lwidth / per_row
        charts = [trend_chart(ind, trend[ind.code], lang, cw - 6, 48 * mm) for ind in keys]
        grid = [charts[k:k + per_row] for k in range(0, len(charts), per_row)]
        grid[-1] += [""] * (per_row - len(grid[-1]))
        t = Table(grid, colWidths=[cw] * per_row)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        story.append(t)
    story += [NextPageTemplate("portrait"), signatures(office, lang, lwidth * 0.8)]

    title = _t(lang, f"Báo cáo tổng hợp CCHC {p.label(lang)} - {top.name}", f"PAR summary {p.label(lang)} - {top.name}")
    footer = f"{top.name} · {p.label(lang)} · ParApp {__version__}, {stamp:%d/%m/%Y %H:%M}"

    def build(path: str) -> None:
        doc = _Doc(path, nfc(title), nfc(office.officer))
        doc.build(story, canvasmaker=_numbered_canvas(nfc(footer), lang))

    path = _write(out, build)
    tick(2)
    return path
