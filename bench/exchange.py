"""The Excel exchange benchmark: ParApp's returns and consolidated workbook against the bare libraries.

    .venv/bin/python bench/exchange.py [--communes 250] [--out bench/out] [--rebuild] [--runs 5]
                                       [--import-runs 15] [--only export|import|consolidated]

Builds (once, then reuses) a province office database of Nghệ An (three tiers, 412 communes) with the
figures of 2021-2025 made by the demo's own generators, then times, each beside the bare library doing the
same I/O in the same run:

* exporting the returns of --communes communes for one quarter (export_return), against a plain openpyxl
  script writing the same workbooks (the same cells, values, styles, merged ranges, validations...);
* importing those files into a new province database (preview, then apply in one transaction), against
  python-calamine opening the same files and reading the same two sheets;
* the province's consolidated workbook (export_consolidated), against the goal of 3 s.

See bench/README.md, section "Excel exchange", for the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from importlib.machinery import ModuleSpec
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402
from openpyxl.formatting.rule import Rule  # noqa: E402
from openpyxl.styles import Alignment, Border, PatternFill, Protection  # noqa: E402
from openpyxl.workbook.protection import WorkbookProtection  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from bench import calamine_workers  # noqa: E402
from parapp import __version__  # noqa: E402
from parapp.engine import demo  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.exchange import readers, returns  # noqa: E402
from parapp.exchange.consolidated import export_consolidated  # noqa: E402
from parapp.exchange.returns import META_SHEET, PASSWORD, SHEET, apply, export_return, preview, untrusted  # noqa: E402
from parapp.store import units as unit_store  # noqa: E402
from parapp.store import values as value_store  # noqa: E402

GENERATOR_VERSION = 1  # bump when the generated data changes, so that cached files are rebuilt
SEED = 20261124
PROVINCE = "40"  # Nghệ An: 20 districts, 412 communes in the three-tier list
TWO_TIER_PROVINCE = "79"  # Hồ Chí Minh City: 168 communes directly below the province in the two-tier list
TARGET_SET = "ha_tinh_2022_2025"  # the one shipped set with targets for 2022-2025
QUARTER = "2025Q2"  # every commune of the demo's story has figures for it (late communes miss Q3 and Q4)
OFFICER = "bench"


# ------------------------------------------------------------------------------------------ data


def _params(province: str, tiers: int) -> dict:
    return {"generator": GENERATOR_VERSION, "seed": SEED, "province": province, "tiers": tiers,
            "target_set": TARGET_SET}


def build(path: Path, province: str, tiers: int) -> None:
    """A province office database filled the way make_demo fills Hà Tĩnh's: the demo's generators for
    every commune, district and the province (2021-2025), its workflow statuses, through bulk_write."""
    t0 = time.perf_counter()
    part = path.with_name(path.name + ".part")
    for suffix in ("", "-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    office = Office.create(part, province, tiers=tiers, target_set=TARGET_SET, officer=OFFICER)
    store = office.store
    rng = random.Random(SEED)
    units = unit_store.subtree(store, province)
    # The demo's story (late, returned, failing units...) needs districts; the two-tier list has none.
    plan = demo._make_plan(rng, units) if tiers == 3 else demo._Plan()
    make = {"province": demo._province, "district": demo._district, "commune": demo._commune}
    reviews: list[tuple[str, str, str, str | None]] = []
    with store.transaction():
        for unit in units:
            rows = demo._Rows(office.catalogue, unit)
            statuses = []
            for period in make[unit.level](rng, rows, plan):
                final = demo._final_status(unit, period, plan)
                statuses.append((unit.code, period, "draft" if final == "draft" else "submitted", None))
                if final in ("approved", "returned"):
                    reviews.append((unit.code, period, final,
                                    plan.returned.get(unit.code) if final == "returned" else None))
            value_store.bulk_write(store, rows.rows, f"{demo._name(rng)} ({unit.name})", "bench", statuses)
        value_store.bulk_write(store, (), OFFICER, "bench", reviews)
        store.set_meta("bench", json.dumps(_params(province, tiers)))
    office.close()
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.rename(path)
    print(f"built {path.name} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def database(out: Path, province: str, tiers: int, rebuild: bool = False) -> Path:
    """The cached database for this province, built when missing, stale or asked for."""
    path = out / f"exchange-{province}-t{tiers}-g{GENERATOR_VERSION}.sqlite"
    if path.exists() and not rebuild:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            row = conn.execute("SELECT value FROM meta WHERE key = 'bench'").fetchone()
            conn.close()
            if row and json.loads(row[0]) == _params(province, tiers):
                return path
        except sqlite3.Error:
            pass
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    build(path, province, tiers)
    return path


# ------------------------------------------------------------------------------------------ bare openpyxl


_PLAIN = {"fill": PatternFill(), "border": Border(), "alignment": Alignment(), "protection": Protection()}


def record(path: Path) -> dict:
    """Everything a workbook written by export_return holds, read back with openpyxl (outside the timings):
    per sheet its cells (value, type, the styles that are not the default ones), merged ranges, column
    widths, row heights, data validations, conditional formats, print settings, view and protection."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                styles = {}
                if c.has_style:
                    styles["font"] = copy(c.font)
                    for name, plain in _PLAIN.items():
                        obj = getattr(c, name)
                        if obj != plain:
                            styles[name] = copy(obj)
                    if c.number_format != "General":
                        styles["number_format"] = c.number_format
                    if c.quotePrefix:
                        styles["quotePrefix"] = True
                cells.append((c.row, c.column, c.value, c.data_type, styles))
        validations = [dict(type=dv.type, operator=dv.operator, formula1=dv.formula1, formula2=dv.formula2,
                            allow_blank=dv.allow_blank, showErrorMessage=dv.showErrorMessage,
                            errorStyle=dv.errorStyle, errorTitle=dv.errorTitle, error=dv.error,
                            sqref=str(dv.sqref)) for dv in ws.data_validations.dataValidation]
        formats = [(str(cf.sqref), [(r.type, r.operator, list(r.formula), copy(r.dxf)) for r in cf.rules])
                   for cf in ws.conditional_formatting]
        sheets.append({
            "title": ws.title, "state": ws.sheet_state, "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height is not None},
            "validations": validations, "formats": formats,
            "print_area": ws.print_area, "print_titles": ws.print_title_rows,
            "freeze": ws.freeze_panes, "gridlines": ws.sheet_view.showGridLines,
            "protected": ws.protection.sheet, "landscape": ws.page_setup.orientation == "landscape",
            "footer": ws.oddFooter.center.text,
        })
    return {"sheets": sheets, "creator": wb.properties.creator, "title": wb.properties.title}


@dataclass
class Script:
    """A careful openpyxl script's view of the workbooks to write: the styles made once, as a script defines
    its fonts, fills and borders at the top, and each sheet's rows as plain values or (style, value) pairs."""

    styles: list[tuple[tuple[str, object], ...]] = field(default_factory=list)  # style id -> its attributes
    workbooks: list[dict] = field(default_factory=list)


def prepare(records: list[dict]) -> Script:
    """The script's data, made once before the timings: every distinct style of the records given a number
    (equal styles one number), every sheet's cells grouped by row in column order."""
    script = Script()
    ids: dict[tuple, int] = {}
    for rec in records:
        sheets = []
        for sh in rec["sheets"]:
            rows: dict[int, list[tuple[int, object, int | None, bool]]] = {}
            for r, c, value, data_type, styles in sh["cells"]:
                sid = None
                if styles:
                    key = tuple(sorted(styles.items()))
                    sid = ids.get(key)
                    if sid is None:
                        sid = ids[key] = len(script.styles)
                        script.styles.append(key)
                # a text that openpyxl would take for a formula keeps its type
                text = data_type == "s" and isinstance(value, str) and value.startswith("=")
                rows.setdefault(r, []).append((c, value, sid, text))
            last = max([*rows, *sh["heights"]], default=0)
            sheets.append({**sh, "rows": [sorted(rows.get(r, ())) for r in range(1, last + 1)]})
        script.workbooks.append({**rec, "sheets": sheets})
    return script


def replay(script: Script, wb_data: dict, out: Path) -> None:
    """A careful openpyxl script writing one workbook: a write-only workbook, the sheet's settings first, then
    its rows appended in order, plain values as they are and styled cells as write-only cells whose style is
    worked out once per workbook (the first cell of each style) and shared by the others; saved straight to
    its name."""
    wb = openpyxl.Workbook(write_only=True)
    arrays: dict[int, object] = {}  # style id -> openpyxl's style array in this workbook
    styles = script.styles
    for sh in wb_data["sheets"]:
        ws = wb.create_sheet(sh["title"])
        for letter, width in sh["widths"].items():
            ws.column_dimensions[letter].width = width
        for r, height in sh["heights"].items():
            ws.row_dimensions[r].height = height
        for rng in sh["merged"]:
            ws.merged_cells.add(rng)
        for v in sh["validations"]:
            dv = DataValidation(type=v["type"], operator=v["operator"], formula1=v["formula1"],
                                formula2=v["formula2"], allow_blank=v["allow_blank"],
                                showErrorMessage=v["showErrorMessage"], errorStyle=v["errorStyle"],
                                errorTitle=v["errorTitle"], error=v["error"], sqref=v["sqref"])
            ws.data_validations.append(dv)
        for area, rules in sh["formats"]:
            for kind, operator, formula, dxf in rules:
                rule = Rule(type=kind, operator=operator, formula=formula)
                rule.dxf = dxf
                ws.conditional_formatting.add(area, rule)
        if sh["print_area"]:
            ws.print_area = sh["print_area"]
        if sh["print_titles"]:
            ws.print_title_rows = sh["print_titles"]
        if sh["landscape"]:
            ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
            ws.page_setup.orientation = "landscape"
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.print_options.horizontalCentered = True
            ws.page_margins.left = ws.page_margins.right = 0.5
            ws.page_margins.top = ws.page_margins.bottom = 0.6
            ws.page_margins.header = ws.page_margins.footer = 0.3
        if sh["footer"]:
            ws.oddFooter.center.text = sh["footer"]
        ws.sheet_view.showGridLines = sh["gridlines"]
        if sh["freeze"]:
            ws.freeze_panes = sh["freeze"]
        if sh["protected"]:
            ws.protection.sheet = True
            ws.protection.password = PASSWORD
        ws.sheet_state = sh["state"]
        for cells in sh["rows"]:
            row: list[object] = [None] * (cells[-1][0] if cells else 0)
            for c, value, sid, text in cells:
                if sid is None and not text:
                    row[c - 1] = value
                    continue
                cell = WriteOnlyCell(ws, value)
                if text:
                    cell.data_type = "s"
                if sid is not None:
                    shared = arrays.get(sid)
                    if shared is None:
                        for name, obj in styles[sid]:
                            setattr(cell, name, obj)
                        arrays[sid] = copy(cell._style)
                    else:
                        cell._style = copy(shared)
                row[c - 1] = cell
            ws.append(row)
    wb.security = WorkbookProtection(workbookPassword=PASSWORD, lockStructure=True)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = wb_data["creator"]
    wb.properties.title = wb_data["title"]
    wb.save(out)


def check_same_workbook(a: Path, b: Path) -> None:
    """The bare script wrote what the product wrote: the same cells (values, types, styles), merges,
    validations and conditional formats on every sheet."""
    ra, rb = record(a), record(b)
    for sa, sb in zip(ra["sheets"], rb["sheets"], strict=True):
        for key in ("title", "state", "merged", "widths", "heights", "validations", "print_area", "print_titles",
                    "freeze", "gridlines", "protected", "footer"):
            assert sa[key] == sb[key], (a.name, sa["title"], key)
        assert len(sa["cells"]) == len(sb["cells"]), (a.name, sa["title"])
        for ca, cb in zip(sa["cells"], sb["cells"], strict=True):
            assert ca == cb, (a.name, sa["title"], ca, cb)
        assert [(area, [r[:3] for r in rules]) for area, rules in sa["formats"]] == \
            [(area, [r[:3] for r in rules]) for area, rules in sb["formats"]]


# ------------------------------------------------------------------------------------------ bare calamine


def bare_read(files: list[Path]) -> int:
    """python-calamine opening each file and reading its two sheets' cells, in this process."""
    return calamine_workers.read_files(files)


def batches(files: list[Path]) -> list[list[Path]]:
    """The files cut as ParApp's import cuts them for its workers (parapp.exchange.readers.read_many)."""
    size = max(1, min(readers.BATCH, len(files) // (2 * readers.WORKERS)))
    return [files[i:i + size] for i in range(0, len(files), size)]


def bare_pool() -> ProcessPoolExecutor:
    """As many worker processes as ParApp's import uses, started the same way (spawn)."""
    return ProcessPoolExecutor(readers.WORKERS, mp_context=multiprocessing.get_context("spawn"))


def bare_read_parallel(pool: ProcessPoolExecutor, files: list[Path]) -> int:
    """python-calamine reading the files on the pool's processes, in ParApp's batches."""
    return sum(pool.map(calamine_workers.read_files, batches(files)))


@contextmanager
def workers_like_parapp():
    """Worker processes started meanwhile do not import this script again, as ParApp's own do not.

    multiprocessing's spawn makes a new process import the parent's main script (here, this benchmark with
    openpyxl and all of ParApp) unless the main module is named ``*.__main__``, as ParApp's is under ``python
    -m parapp``. Both sides' workers are started so, and pay only for what they import themselves: ParApp's
    its readers and the catalogue, the bare ones python-calamine."""
    main = sys.modules["__main__"]
    old = getattr(main, "__spec__", None)
    main.__spec__ = ModuleSpec("bench.__main__", None)
    try:
        yield
    finally:
        main.__spec__ = old


# ------------------------------------------------------------------------------------------ timing


def measure(product: Callable[[], object], bare: Callable[[], object] | None, runs: int,
            before: Callable[[], object] | None = None,
            before_bare: Callable[[], object] | None = None) -> tuple[float, float | None]:
    """Median seconds of (product, bare), run alternately, each going first every other time; one warm-up
    each. before() runs untimed before every product run, before_bare() before every bare run. The garbage
    collector is off during the runs."""
    if before:
        before()
    product()
    if bare:
        if before_bare:
            before_bare()
        bare()
    times: dict[str, list[float]] = {"product": [], "bare": []}
    sides = [("product", product), ("bare", bare)] if bare else [("product", product)]
    for i in range(runs):
        for name, f in sides if i % 2 == 0 else sides[::-1]:
            if name == "product" and before:
                before()
            if name == "bare" and before_bare:
                before_bare()
            gc.collect()
            gc.disable()
            try:
                t = time.perf_counter()
                f()
                times[name].append(time.perf_counter() - t)
            finally:
                gc.enable()
    return statistics.median(times["product"]), statistics.median(times["bare"]) if bare else None


Row = tuple[str, float, float | None, tuple[str, float] | None]  # operation, ParApp, bare, goal


def time_export(office: Office, communes: list, folder: Path, runs: int) -> tuple[list[Path], list[Row]]:
    """Every commune's return written by ParApp, then the same workbooks by the bare script."""
    ours, theirs = folder / "parapp", folder / "bare"
    ours.mkdir()
    theirs.mkdir()

    def export_all() -> list[Path]:
        return [export_return(office, u.code, QUARTER, ours) for u in communes]

    files = export_all()
    if runs == 0:
        return files, []
    t0 = time.perf_counter()
    records = [record(p) for p in files]
    print(f"recorded {len(records)} workbooks with openpyxl in {time.perf_counter() - t0:.0f} s (untimed)",
          flush=True)

    script = prepare(records)

    def bare_export() -> None:
        for wb_data, p in zip(script.workbooks, files, strict=True):
            replay(script, wb_data, theirs / p.name)

    bare_export()
    for p in (files[0], files[len(files) // 2], files[-1]):
        check_same_workbook(p, theirs / p.name)
    a, b = measure(export_all, bare_export, runs)
    return files, [(f"export {len(files)} commune returns", a, b, ("ratio", 1.5))]


def time_import(office: Office, communes: list, files: list[Path], folder: Path, runs: int) -> list[Row]:
    """The files previewed and applied into a new province database (a copy of an empty one for every run),
    then read by python-calamine."""
    empty = folder / "empty.sqlite"
    with Office.create(empty, PROVINCE, tiers=3, target_set=TARGET_SET, officer="Người nhập (bench)") as target:
        # The same office as the one that signed the files (its key pair), as when a province re-imports the
        # returns it exported: the files are its own, their signatures good.
        with target.store.transaction() as c:
            c.executemany("UPDATE meta SET value = ? WHERE key = ?",
                          [(office.store.meta(k), k) for k in ("signing_key", "public_key")])
    expected = office.store.conn.execute(
        f"SELECT count(*) FROM data_values WHERE period = ? AND unit IN ({', '.join('?' * len(communes))})",
        (QUARTER, *(u.code for u in communes))).fetchone()[0]
    state: dict[str, Office] = {}
    counter = iter(range(10**6))

    def fresh() -> None:
        if "office" in state:
            state["office"].close()
        target = folder / f"import-{next(counter)}.sqlite"
        shutil.copyfile(empty, target)
        state["office"] = Office.open(target)

    def import_all() -> int:
        target = state["office"]
        previews = preview(target, [files[0].parent])
        return apply(target, previews, {pv.path for pv in previews})

    # like for like: every file is read and applied, and the figures arrive as they left
    fresh()
    previews = preview(state["office"], [files[0].parent])
    assert len(previews) == len(files) and all(pv.acceptable and not pv.changes for pv in previews)
    assert apply(state["office"], previews, {pv.path for pv in previews}) == expected
    for u in communes:
        got = value_store.stored_values(state["office"].store, u.code, QUARTER)
        want = value_store.stored_values(office.store, u.code, QUARTER)
        assert {k: (v.value, v.comment) for k, v in got.items()} == {k: (v.value, v.comment) for k, v in want.items()}
    n = len(files)
    workers = readers.WORKERS
    # Cold: the first import of a session. ParApp's import starts its reader processes itself (preview ->
    # readers.read_many), and the bare side starts its own pool of as many processes, both inside the timing.
    bare: dict[str, ProcessPoolExecutor] = {}

    def stop_bare() -> None:
        if "pool" in bare:
            bare.pop("pool").shutdown(wait=True)

    def fresh_cold() -> None:
        fresh()
        readers.shutdown()

    def bare_cold() -> int:
        bare["pool"] = pool = bare_pool()  # shut down untimed, before the next run
        return bare_read_parallel(pool, files)

    a, b = measure(import_all, bare_cold, runs, before=fresh_cold, before_bare=stop_bare)
    stop_bare()
    rows: list[Row] = [(f"import {n} returns, {workers} processes started inside the timing (cold), against "
                        f"python-calamine on {workers} processes started inside the timing", a, b, ("ratio", 2.0))]
    # Warm: ParApp's reader processes are kept for the session, and found running by the next import; the bare
    # pool is started before the runs.
    readers._pool_for(state["office"].catalogue, start=True)
    with bare_pool() as pool:
        bare_read_parallel(pool, files)
        a, b = measure(import_all, lambda: bare_read_parallel(pool, files), runs, before=fresh)
    rows.append((f"import {n} returns, {workers} processes running (warm), against python-calamine on {workers} "
                 "processes running", a, b, ("ratio", 2.0)))
    readers.shutdown()
    started = time.perf_counter()
    assert readers._pool_for(state["office"].catalogue, start=True) is not None
    rows.append((f"… starting ParApp's {workers} reader processes (information)", time.perf_counter() - started,
                 None, None))
    with bare_pool() as pool:
        started = time.perf_counter()
        assert all(f.result() for f in [pool.submit(bool, 1) for _ in range(workers)])
        rows.append((f"… starting {workers} bare processes until each has answered (information)",
                     time.perf_counter() - started, None, None))
    a, b = measure(import_all, lambda: bare_read(files), runs, before=fresh)
    rows.append(("… the same warm import against python-calamine in one process (information)", a, b, None))
    state["office"].close()

    # Where the time goes (information): reading alone, and the checks made before any reader sees a file.
    catalogue = office.catalogue

    def read_all() -> None:
        for p in files:
            returns.read_return(p, catalogue)

    def checks_all() -> None:
        for p in files:
            package = untrusted._check_zip(p)
            kept = (package,) if package is not None else ()  # before 2026-11-23 nothing was kept
            untrusted.scan_sheet(p, META_SHEET, *kept)
            untrusted.scan_sheet(p, SHEET, *kept)

    a, b = measure(read_all, lambda: bare_read(files), runs)
    rows.append(("… of which reading the files in one process (read_return)", a, b, None))
    a, b = measure(checks_all, lambda: bare_read(files), runs)
    rows.append(("… of which the checks before the reader (zip, sheet scans)", a, b, None))
    return rows


def time_consolidated(office: Office, two_tier: Path, folder: Path, runs: int) -> list[Row]:
    cons = folder / "consolidated.xlsx"
    n_below = office.store.conn.execute("SELECT count(*) FROM unit_tree WHERE ancestor = ? AND depth > 0",
                                        (PROVINCE,)).fetchone()[0]
    n_rows = len(unit_store.children(office.store, PROVINCE))
    rows: list[Row] = []
    a, _ = measure(lambda: export_consolidated(office, PROVINCE, QUARTER, cons), None, runs)
    rows.append((f"consolidated: province, {n_rows} district rows over {n_below} units ({QUARTER})", a, None,
                 ("s", 3.0)))
    a, _ = measure(lambda: export_consolidated(office, PROVINCE, "2025", cons), None, runs)
    rows.append(("consolidated: the same, year 2025 from its quarters", a, None, None))
    with Office.open(two_tier) as two:
        n_rows = len(unit_store.children(two.store, TWO_TIER_PROVINCE))
        a, _ = measure(lambda: export_consolidated(two, TWO_TIER_PROVINCE, QUARTER, cons), None, runs)
    rows.append((f"consolidated: two tiers, {n_rows} commune rows ({QUARTER})", a, None, None))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--communes", type=int, default=250, help="returns exported and imported (default 250)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where the databases are cached")
    ap.add_argument("--rebuild", action="store_true", help="build the databases even if cached ones fit")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of the exports and workbooks (default 5)")
    ap.add_argument("--import-runs", type=int, default=15,
                    help="timed runs of the import and its parts, which are short and noisier (default 15)")
    ap.add_argument("--only", choices=("export", "import", "consolidated"), action="append",
                    help="time only this operation (repeatable; default all three)")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.import_runs < 1:
        ap.error("--runs and --import-runs must be at least 1")
    only = set(args.only or ("export", "import", "consolidated"))

    path = database(args.out, PROVINCE, 3, args.rebuild)
    two_tier = database(args.out, TWO_TIER_PROVINCE, 2, args.rebuild)
    work = args.out / "exchange-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    office = Office.open(path)
    communes = [u for u in unit_store.subtree(office.store, PROVINCE, include_self=False) if u.level == "commune"]
    if not 1 <= args.communes <= len(communes):
        ap.error(f"--communes must be between 1 and {len(communes)}")
    communes = communes[:args.communes]
    n_values = office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    print(f"{path.name}: {n_values:,} values; the first {len(communes)} communes' returns for {QUARTER}")
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, openpyxl {openpyxl.__version__}, "
          f"python-calamine {version('python-calamine')}, SQLite {sqlite3.sqlite_version}, ParApp {__version__}; "
          f"{args.runs} runs ({args.import_runs} for the import), medians", flush=True)
    rows: list[Row] = []
    try:
        with workers_like_parapp():
            if only & {"export", "import"}:
                files, timed = time_export(office, communes, work, args.runs if "export" in only else 0)
                rows += timed
                if "import" in only:
                    rows += time_import(office, communes, files, work, args.import_runs)
            if "consolidated" in only:
                rows += time_consolidated(office, two_tier, work, args.runs)
    finally:
        office.close()
        readers.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    print()
    print("| operation | ParApp (median) | bare (median) | ratio | goal | met |")
    print("|---|---:|---:|---:|---|---|")
    missed = 0
    for name, a, b, goal in rows:
        if goal is None:
            shown, met = "information", ""
        elif goal[0] == "s":
            shown, met = f"< {goal[1]:g} s", a < goal[1]
        else:
            shown, met = f"≤ {goal[1]:g}×", a / b <= goal[1]
        missed += met is False
        bare = f"{b:.2f} s" if b is not None else "–"
        ratio = f"{a / b:.2f}×" if b is not None else "–"
        print(f"| {name} | {a:.2f} s | {bare} | {ratio} | {shown} | {'' if met == '' else 'yes' if met else 'NO'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
