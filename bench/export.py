"""Writing a province's returns: on one core against on the worker processes, in the same run.

    .venv/bin/python bench/export.py [--runs 3] [--out bench/out] [--rebuild]

Uses the Nghệ An province office database of bench/exchange.py (three tiers: the province, 20 districts,
412 communes, built once and cached) and times export_with_below of the province for 2025Q2 (its 433
workbooks, what `parapp export-return --with-below` writes):

* serial: parallel=False, every workbook laid out and saved in this process, as before;
* parallel, cold: parallel=None with the workers stopped first, so their start-up is in the time (what one
  run of the command line pays);
* parallel, warm: the same with the workers running (the window, once they have been started);
* bare: a careful openpyxl script (bench/exchange.py's replay: a write-only workbook, plain values, each style
  made once per workbook and shared) writing the same 433 workbooks in this process, from a record of ParApp's
  files made before the timings; three of them are checked cell for cell against ParApp's.

The four are run in turn, --runs times (each to a new folder), and the medians compared. The serial and parallel files are then compared
(with the export's timestamp held still): every cell of both sheets, the signature included. The goal is
parallel (cold) <= 0.6x serial. See bench/README.md, section "Writing many returns".
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from python_calamine import CalamineWorkbook  # noqa: E402

from bench import exchange  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.exchange import readers, writers  # noqa: E402
from parapp.exchange.returns import export_with_below  # noqa: E402
from parapp.exchange.returns import form as return_form  # noqa: E402

PERIOD = exchange.QUARTER
GOAL = 0.6


def cells(path: Path) -> list:
    wb = CalamineWorkbook.from_path(str(path))
    return [(name, wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names]


def timed(office: Office, work: Path, label: str, parallel: bool | None, cold: bool, run: int) -> float:
    if cold:
        readers.shutdown()
    elif not readers.running(office.catalogue):
        readers.pool(office.catalogue, start=True)
    folder = work / f"{label}-{run}"
    t0 = time.perf_counter()
    paths = export_with_below(office, office.office_code, PERIOD, folder, parallel=parallel)
    took = time.perf_counter() - t0
    assert len(paths) == 433, len(paths)
    shutil.rmtree(folder)
    print(f"  run {run + 1} {label}: {took:.2f} s", file=sys.stderr)
    return took


def bare_timed(script, names: list[str], work: Path, run: int) -> float:
    """The careful openpyxl script writing the 433 workbooks, each under its name in a new folder."""
    folder = work / f"bare-{run}"
    folder.mkdir()
    t0 = time.perf_counter()
    for wb_data, name in zip(script.workbooks, names, strict=True):
        exchange.replay(script, wb_data, folder / name)
    took = time.perf_counter() - t0
    shutil.rmtree(folder)
    print(f"  run {run + 1} bare: {took:.2f} s", file=sys.stderr)
    return took


def same_files(office: Office, work: Path) -> int:
    """Serial and parallel exports with the timestamp held still: the files whose cells differ (none)."""
    now = return_form.now
    stamp = now()
    return_form.now = lambda: stamp
    try:
        here = export_with_below(office, office.office_code, PERIOD, work / "check-here", parallel=False)
        there = export_with_below(office, office.office_code, PERIOD, work / "check-there", parallel=True)
    finally:
        return_form.now = now
    assert [p.name for p in here] == [p.name for p in there]
    return sum(cells(a) != cells(b) for a, b in zip(here, there, strict=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each way (default 3, the median is shown)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where the database is cached")
    ap.add_argument("--rebuild", action="store_true", help="build the database even if a cached one fits")
    args = ap.parse_args(argv)

    db = exchange.database(args.out, exchange.PROVINCE, 3, args.rebuild)
    work = Path(tempfile.mkdtemp(prefix="parapp-export-bench-"))
    try:
        copy = work / "province.sqlite"
        shutil.copy(db, copy)
        office = Office.open(copy)
        try:
            files = export_with_below(office, office.office_code, PERIOD, work / "warm-up", parallel=False)  # caches
            # The bare side: a careful openpyxl script writing the same 433 workbooks in this process (see
            # exchange.replay), its data recorded from ParApp's files and prepared before the timings.
            t0 = time.perf_counter()
            script = exchange.prepare([exchange.record(p) for p in files])
            print(f"recorded {len(files)} workbooks with openpyxl in {time.perf_counter() - t0:.0f} s (untimed)",
                  file=sys.stderr)
            names = [p.name for p in files]
            bare_check = work / "bare-check"
            bare_check.mkdir()
            for wb_data, name in zip(script.workbooks, names, strict=True):
                exchange.replay(script, wb_data, bare_check / name)
            for i in (0, len(files) // 2, len(files) - 1):
                exchange.check_same_workbook(files[i], bare_check / names[i])
            shutil.rmtree(bare_check)
            shutil.rmtree(work / "warm-up")
            times: dict[str, list[float]] = {"serial": [], "cold": [], "warm": [], "bare": []}
            for run in range(args.runs):  # the four ways in turn, so that other work on the machine weighs alike
                times["serial"].append(timed(office, work, "serial", False, False, run))
                times["cold"].append(timed(office, work, "parallel-cold", None, True, run))
                times["warm"].append(timed(office, work, "parallel-warm", None, False, run))
                times["bare"].append(bare_timed(script, names, work, run))
            serial, cold, warm, bare = (statistics.median(times[k]) for k in ("serial", "cold", "warm", "bare"))
            differ = same_files(office, work)
        finally:
            office.close()
            readers.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"Writing the 433 returns of Nghệ An ({PERIOD}), median of {args.runs}; "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {readers.WORKERS} workers, "
          f"threshold {writers.COLD_MIN} files cold / {writers.WARM_MIN} warm")
    print(f"  serial (one core)          {serial:7.2f} s")
    print(f"  parallel, workers started  {cold:7.2f} s   {cold / serial:.2f}x serial   goal <= {GOAL}x: "
          f"{'met' if cold / serial <= GOAL else 'NOT met'}")
    print(f"  parallel, workers running  {warm:7.2f} s   {warm / serial:.2f}x serial")
    print(f"  bare openpyxl, one core     {bare:7.2f} s   (careful write-only script)")
    print(f"  ParApp against the bare script: one core {serial / bare:.2f}x, workers started {cold / bare:.2f}x, "
          f"workers running {warm / bare:.2f}x")
    print(f"  files whose cells differ from the serial ones: {differ} of 433")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
