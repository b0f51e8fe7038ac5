"""The DHIS2 export against a bare csv.writer: the whole country's values as dataValueSets CSV.

    .venv/bin/python bench/dhis2.py [--db PATH] [--runs 3]

ParApp's export (parapp.exchange.dhis2.datavalues.export, format csv, every unit below the top unit, every
period with values) is timed beside a bare csv.writer over the same SQL query on a plain connection, in the
same run, alternately; then each is run once more under tracemalloc for its peak of Python memory. Without
--db, the national database of bench/core.py is used (built by it when missing; a smaller one of 4 quarters
is built here if neither exists). Goal: the export within 1.5× of the bare writer, memory flat.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parapp.domain.catalogue import shipped_catalogue  # noqa: E402
from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.exchange.dhis2 import datavalues  # noqa: E402
from parapp.store.db import Store  # noqa: E402

GOAL = 1.5


def _database(db: Path | None) -> Path:
    if db is not None:
        return db
    out = ROOT / "bench" / "out"
    national = out / "national-q20-g2.sqlite"
    if national.exists():
        return national
    sys.path.insert(0, str(ROOT / "bench"))
    import core  # the national generator of the core benchmark

    return core.database(out, 4, shipped_catalogue())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="the database to export (default: the national bench database)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    args = ap.parse_args(argv)
    path = _database(args.db)
    office = Office(Store.open(path, "done"), shipped_catalogue())
    conn = office.store.conn
    top = conn.execute("SELECT code FROM units WHERE parent IS NULL ORDER BY code LIMIT 1").fetchone()[0]
    periods = [Period.parse(r[0]) for r in conn.execute("SELECT period FROM periods_used ORDER BY period")]
    scope = datavalues._Scope(office, top, periods, True, None)  # the export's own query, for the bare writer
    bare_conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n_values = conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    size = path.stat().st_size
    print(f"{path.name}: {n_values:,} values, {size / 2**20:,.0f} MiB; unit {top}, {len(periods)} periods")
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{args.runs} runs, medians")

    folder = Path(tempfile.mkdtemp(prefix="parapp-dhis2-bench-"))
    product_out, bare_out = folder / "product.csv", folder / "bare.csv"

    def product() -> int:
        return datavalues.export(office, top, periods, "csv", product_out).values

    def bare() -> int:
        n = 0
        with bare_out.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(datavalues.CSV_HEADER)
            cursor = bare_conn.execute(scope.values_sql, scope.values_args)
            while batch := cursor.fetchmany(5000):
                writer.writerows(batch)
                n += len(batch)
        return n

    try:
        times: dict[str, list[float]] = {"product": [], "bare": []}
        counts = {}
        for i in range(args.runs):
            order = (("product", product), ("bare", bare)) if i % 2 == 0 else (("bare", bare), ("product", product))
            for name, fn in order:
                gc.collect()
                start = time.perf_counter()
                counts[name] = fn()
                times[name].append(time.perf_counter() - start)
        if counts["product"] != counts["bare"] or product_out.read_bytes()[:4096] != bare_out.read_bytes()[:4096] \
                or product_out.stat().st_size != bare_out.stat().st_size:
            print("the two files differ: the comparison is not like for like")
            return 2
        peaks = {}
        for name, fn in (("product", product), ("bare", bare)):
            gc.collect()
            tracemalloc.start()
            fn()
            peaks[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        written = product_out.stat().st_size
    finally:
        for p in (product_out, bare_out):
            p.unlink(missing_ok=True)
        folder.rmdir()
        bare_conn.close()
        office.close()

    a, b = statistics.median(times["product"]), statistics.median(times["bare"])
    ratio = a / b
    print()
    print("| export of every value as dataValueSets CSV | time (median) | peak Python memory |")
    print("|---|---:|---:|")
    print(f"| ParApp (`datavalues.export`, csv) | {a:.2f} s | {peaks['product'] / 2**20:.1f} MiB |")
    print(f"| bare `csv.writer` over the same query | {b:.2f} s | {peaks['bare'] / 2**20:.1f} MiB |")
    print()
    print(f"{counts['product']:,} rows, {written / 2**20:,.0f} MiB written; ratio {ratio:.2f}× "
          f"(goal ≤ {GOAL:g}×: {'met' if ratio <= GOAL else 'NOT met'}); runs: "
          + ", ".join(f"{x:.2f}/{y:.2f} s" for x, y in zip(times["product"], times["bare"], strict=True)))
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
