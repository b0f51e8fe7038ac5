"""The PDF report benchmark: ParApp's reports against bare reportlab rendering the same content.

    .venv/bin/python bench/reports.py [--out bench/out] [--rebuild] [--runs 11]

Builds (once, then reuses) the demo database (Hà Tĩnh, make_demo) in --out, then times, each beside a bare
reportlab script building the same document in the same run:

* the summary report of the province (summary_report, 42, 2025Q3);
* the compliance sheet of a commune and of the province (compliance_sheet, 2025Q3).

The bare side is made like for like by recording, not by rewriting: one untimed run of each report is made
with reportlab's constructors (Paragraph, Table, TableStyle, Drawing and its shapes, Spacer, page breaks...)
and BaseDocTemplate.build instrumented. That records every flowable's constructor arguments (the markup
text, the paragraph style, the table's cells, column widths and style commands, the chart's shapes), the
story, the page templates and the footer. The timed bare run constructs those flowables again from the
recorded arguments and builds them with a plain BaseDocTemplate and a canvas that writes the same page
footer: the same strings, fonts (registered once, embedded, subset), table styles, page sizes and charts.
The ratio is therefore ParApp's own cost (reading and computing the figures, deciding the layout, making
the markup) on top of reportlab's. Before the timings, the script checks that both PDFs have the same pages,
text and fonts. See bench/README.md, section "PDF reports", for the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reportlab  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
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

from parapp import __version__  # noqa: E402
from parapp.engine import demo  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.exchange import reports  # noqa: E402
from parapp.resources import resource_path  # noqa: E402
from parapp.store import units as unit_store  # noqa: E402

PROVINCE = demo.PROVINCE  # "42", Hà Tĩnh
PERIOD = "2025Q3"
SEED = 2025  # make_demo's default

# ------------------------------------------------------------------------------------------ recording

# The reportlab classes whose constructor calls are recorded (and replayed by the bare side).
RECORDED = (Paragraph, Table, TableStyle, Spacer, CondPageBreak, NextPageTemplate, PageBreak, KeepTogether,
            Drawing, Line, String, Rect, PolyLine)


class Node:
    """One recorded constructor call, with the method calls made on the object afterwards (setStyle, add)."""

    __slots__ = ("cls", "args", "kwargs", "calls")

    def __init__(self, cls: type, args: tuple, kwargs: dict):
        self.cls, self.args, self.kwargs, self.calls = cls, args, kwargs, []


class BareRule(Flowable):
    """The short line under the issuing body, as a bare script would draw it (ParApp's _Rule)."""

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


class Recorder:
    """Instruments reportlab while a report is made once (untimed); gives back what the bare side needs."""

    def __init__(self) -> None:
        self.nodes: dict[int, tuple[object, Node]] = {}  # id(obj) -> (obj kept alive, node)
        self.doc: dict | None = None
        self._saved: list[tuple[type, str, Callable]] = []

    def snap(self, x: object) -> object:
        if isinstance(x, (list, tuple)):
            return type(x)(self.snap(v) for v in x)
        if isinstance(x, dict):
            return {k: self.snap(v) for k, v in x.items()}
        if id(x) in self.nodes and self.nodes[id(x)][0] is x:
            return self.nodes[id(x)][1]
        if type(x).__name__ == "_Rule":  # ParApp's own flowable: the bare script has its own copy
            return Node(BareRule, (x.fraction,), {})
        if isinstance(x, (Flowable, Group)) and not isinstance(x, RECORDED):
            raise TypeError(f"unrecorded flowable {type(x).__name__}: teach bench/reports.py about it")
        return x  # strings, numbers, colours, paragraph styles: constants of a bare script

    def _patch(self, cls: type, name: str, make: Callable[[Callable], Callable]) -> None:
        original = cls.__dict__[name]
        self._saved.append((cls, name, original))
        setattr(cls, name, make(original))

    def __enter__(self) -> Recorder:
        rec = self
        for cls in RECORDED:
            def make_init(original, cls=cls):
                def __init__(self, *args, **kwargs):  # noqa: N807
                    if id(self) not in rec.nodes or rec.nodes[id(self)][0] is not self:  # outermost class only
                        rec.nodes[id(self)] = (self, Node(type(self), rec.snap(args), rec.snap(kwargs)))
                    original(self, *args, **kwargs)
                return __init__
            self._patch(cls, "__init__", make_init)

        def make_set_style(original):
            def setStyle(self, tblstyle):  # noqa: N802
                rec.nodes[id(self)][1].calls.append(("setStyle", (rec.snap(tblstyle),)))
                return original(self, tblstyle)
            return setStyle

        def make_add(original):
            def add(self, node, name=None):
                if id(self) in rec.nodes and rec.nodes[id(self)][0] is self:
                    rec.nodes[id(self)][1].calls.append(("add", (rec.snap(node),)))
                return original(self, node, name)
            return add

        def make_build(original):
            def build(self, flowables, filename=None, canvasmaker=Canvas):
                save = canvasmaker.save
                free = dict(zip(save.__code__.co_freevars, (c.cell_contents for c in save.__closure__), strict=True))
                rec.doc = {
                    "story": rec.snap(list(flowables)),
                    "info": {k: getattr(self, k) for k in ("pagesize", "title", "author", "creator", "subject",
                                                            "initialFontName")},
                    "templates": [(pt.id, pt.pagesize, [
                        (f._x1, f._y1, f._width, f._height, f.id, f._leftPadding, f._rightPadding, f._topPadding,
                         f._bottomPadding) for f in pt.frames]) for pt in self.pageTemplates],
                    "footer": (free["footer"], free["word"]),
                }
                return original(self, flowables, filename, canvasmaker)
            return build

        self._patch(Table, "setStyle", make_set_style)
        self._patch(Group, "add", make_add)
        self._patch(BaseDocTemplate, "build", make_build)
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)


def record(make: Callable[[Path], object], path: Path) -> dict:
    """Run one report with reportlab instrumented; the document it built."""
    with Recorder() as rec:
        make(path)
    assert rec.doc is not None, "the report built no document"
    return rec.doc


# ------------------------------------------------------------------------------------------ bare side


def bare_fonts() -> None:
    """What a bare script does once when it starts: register the same TrueType files under the same names."""
    for name, file in reports._FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))
    f = reports.FONT
    pdfmetrics.registerFontFamily(f, normal=f, bold=f"{f}-Bold", italic=f"{f}-Italic", boldItalic=f"{f}-BoldItalic")


def bare_canvas(footer: str, word: str, font: str):
    """A canvas writing "Trang i/n" and the footer on every page once the number of pages is known."""

    class BareCanvas(Canvas):
        def __init__(self, *args, **kw):
            kw["initialFontName"] = font
            super().__init__(*args, **kw)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            n = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8.5)
                self.setFillColor(colors.HexColor("#5F6368"))
                self.drawCentredString(self._pagesize[0] / 2, 10 * mm, f"{word} {self._pageNumber}/{n}")
                self.setFont(f"{font}-Italic", 7.5)
                self.drawString(15 * mm, 10 * mm, footer[:140])
                super().showPage()
            super().save()

    return BareCanvas


def make(x: object) -> object:
    """Construct again what was recorded."""
    if isinstance(x, Node):
        obj = x.cls(*make(x.args), **make(x.kwargs))
        for method, args in x.calls:
            getattr(obj, method)(*make(args))
        return obj
    if isinstance(x, (list, tuple)):
        return type(x)(make(v) for v in x)
    if isinstance(x, dict):
        return {k: make(v) for k, v in x.items()}
    return x


def bare_report(doc: dict, path: Path) -> None:
    """The bare reportlab script: the same flowables, page templates and footer, built into path."""
    d = BaseDocTemplate(str(path), **doc["info"])
    d.addPageTemplates([PageTemplate(name, [Frame(x, y, w, h, id=fid, leftPadding=lp, rightPadding=rp,
                                                  topPadding=tp, bottomPadding=bp)
                                            for x, y, w, h, fid, lp, rp, tp, bp in frames], pagesize=size)
                        for name, size, frames in doc["templates"]])
    d.build(make(doc["story"]), canvasmaker=bare_canvas(*doc["footer"], doc["info"]["initialFontName"]))


def check_same_pdf(ours: Path, theirs: Path) -> int:
    """Both files have the same pages, the same text on each and the same embedded fonts; the page count."""
    a, b = PdfReader(ours), PdfReader(theirs)
    assert len(a.pages) == len(b.pages), (ours, len(a.pages), len(b.pages))

    def fonts(reader: PdfReader) -> set[str]:
        out = set()
        for page in reader.pages:
            for f in page["/Resources"].get_object().get("/Font", {}).values():
                out.add(str(f.get_object()["/BaseFont"]).split("+")[-1])
        return out

    for pa, pb in zip(a.pages, b.pages, strict=True):
        assert pa.extract_text() == pb.extract_text(), (ours, "text differs")
        assert pa.mediabox == pb.mediabox, (ours, "page size differs")
    assert fonts(a) == fonts(b), (fonts(a), fonts(b))
    return len(a.pages)


# ------------------------------------------------------------------------------------------ timing


def measure(product: Callable[[], object], bare: Callable[[], object], runs: int,
            warmup: int = 2) -> tuple[float, float]:
    """Median seconds of (product, bare), run alternately, each going first every other time; the garbage
    collector is collected before each run and kept off during it."""
    for _ in range(warmup):
        product()
        bare()
    times: dict[Callable[[], object], list[float]] = {product: [], bare: []}
    for i in range(runs):
        for f in (product, bare) if i % 2 == 0 else (bare, product):
            gc.collect()
            gc.disable()
            try:
                t = time.perf_counter()
                f()
                times[f].append(time.perf_counter() - t)
            finally:
                gc.enable()
    return statistics.median(times[product]), statistics.median(times[bare])


def child(side: str, db: Path, doc_file: Path, out: Path) -> None:
    """One cold run in a fresh process (the first report of a session): the modules imported and the fonts
    registered, as at a session's start, then the first document timed. ParApp opens its office untimed (the
    window has it open before the officer asks for a report), so its year caches start empty; the bare side
    loads the recorded story untimed and builds it for the first time in that process."""
    if side == "parapp":
        reports.register_fonts()
        office = Office.open(db)
        t = time.perf_counter()
        reports.summary_report(office, PROVINCE, PERIOD, out)
        elapsed = time.perf_counter() - t
        office.close()
    else:
        bare_fonts()
        doc = pickle.loads(doc_file.read_bytes())
        t = time.perf_counter()
        bare_report(doc, out)
        elapsed = time.perf_counter() - t
    print(json.dumps({"seconds": elapsed}))


def measure_cold(db: Path, doc_file: Path, folder: Path, runs: int) -> tuple[float, float]:
    """Median seconds of ParApp's and the bare script's first summary in a new process each, alternately."""
    times: dict[str, list[float]] = {"parapp": [], "bare": []}
    for i in range(runs):
        for side in ("parapp", "bare") if i % 2 == 0 else ("bare", "parapp"):
            res = subprocess.run([sys.executable, __file__, "--child", side, "--db", str(db),
                                  "--doc", str(doc_file), "--child-out", str(folder / f"summary-cold-{side}.pdf")],
                                 check=True, capture_output=True, text=True)
            times[side].append(json.loads(res.stdout.strip().splitlines()[-1])["seconds"])
    return statistics.median(times["parapp"]), statistics.median(times["bare"])


def database(out: Path, rebuild: bool = False) -> Path:
    """The cached demo database (make_demo with its default seed), made when missing or asked for."""
    path = out / f"demo-s{SEED}.sqlite"
    if path.exists() and not rebuild:
        try:
            office = Office.open(path)
            meta = office.store.meta("demo")
            office.close()
            if meta and json.loads(meta).get("seed") == SEED:
                return path
        except Exception:  # noqa: BLE001 (a broken cache file is made again)
            pass
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    demo.make_demo(path, SEED)
    print(f"made {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where the database is cached")
    ap.add_argument("--rebuild", action="store_true", help="make the demo database even if a cached one exists")
    ap.add_argument("--runs", type=int, default=11, help="timed runs of the summary (default 11)")
    ap.add_argument("--sheet-runs", type=int, default=31, help="timed runs of each compliance sheet (default 31)")
    ap.add_argument("--cold-runs", type=int, default=7, help="timed cold runs of the summary (default 7)")
    ap.add_argument("--child", choices=("parapp", "bare"), help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--doc", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.db, args.doc, args.child_out)
        return 0

    path = database(args.out, args.rebuild)
    office = Office.open(path)
    folder = args.out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    below = unit_store.subtree(office.store, PROVINCE)
    district = max((u for u in below if u.level == "district"),
                   key=lambda u: (len(unit_store.children(office.store, u.code)), -int(u.code)))
    commune = min(unit_store.children(office.store, district.code), key=lambda u: u.code)
    n_values = office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    print(f"{path.name}: {len(below)} units ({sum(u.level == 'commune' for u in below)} communes), "
          f"{n_values:,} values; commune {commune.code} ({commune.name}), province {PROVINCE}, {PERIOD}")
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, reportlab {reportlab.Version}, "
          f"ParApp {__version__}; medians of {args.runs} (summary) and {args.sheet_runs} (sheets) runs")

    cases = [
        (f"summary report, province {PROVINCE} ({PERIOD})", "summary",
         lambda p: reports.summary_report(office, PROVINCE, PERIOD, p), args.runs, ("s", 5.0)),
        (f"compliance sheet, commune {commune.code} ({PERIOD})", "sheet-commune",
         lambda p: reports.compliance_sheet(office, commune.code, PERIOD, p), args.sheet_runs, None),
        (f"compliance sheet, province {PROVINCE} ({PERIOD})", "sheet-province",
         lambda p: reports.compliance_sheet(office, PROVINCE, PERIOD, p), args.sheet_runs, None),
    ]
    reports.register_fonts()
    bare_fonts()  # once, as a script does at its start; the product registered its fonts on first use
    rows = []
    for name, stem, report, runs, extra_goal in cases:
        ours, theirs = folder / f"{stem}-parapp.pdf", folder / f"{stem}-bare.pdf"
        doc = record(report, ours)
        bare_report(doc, theirs)
        pages = check_same_pdf(ours, theirs)
        if stem == "summary" and args.cold_runs:
            doc_file = folder / "summary-story.pickle"
            doc_file.write_bytes(pickle.dumps(doc))
            a, b = measure_cold(path, doc_file, folder, args.cold_runs)
            check_same_pdf(folder / "summary-cold-parapp.pdf", folder / "summary-cold-bare.pdf")
            rows.append((f"{name}, {pages} pages, cold (first of a session, new process)", a, b, extra_goal))
            print(f"  {name} cold: {a * 1000:.0f} ms / {b * 1000:.0f} ms", file=sys.stderr, flush=True)
        a, b = measure(lambda report=report, ours=ours: report(ours),
                       lambda doc=doc, theirs=theirs: bare_report(doc, theirs), runs)
        rows.append((f"{name}, {pages} pages" + (", warm" if stem == "summary" else ""), a, b, extra_goal))
        print(f"  {name}: {a * 1000:.0f} ms / {b * 1000:.0f} ms", file=sys.stderr, flush=True)
    office.close()

    print()
    print("| operation | ParApp (median) | bare reportlab (median) | ratio | goal | met |")
    print("|---|---:|---:|---:|---|---|")
    missed = 0
    for name, a, b, extra_goal in rows:
        goal = "≤ 1.5×" + (f", < {extra_goal[1]:g} s" if extra_goal else "")
        met = a / b <= 1.5 and (extra_goal is None or a < extra_goal[1])
        missed += not met
        print(f"| {name} | {a * 1000:.0f} ms | {b * 1000:.0f} ms | {a / b:.2f}× | {goal} | "
              f"{'yes' if met else '**no**'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
