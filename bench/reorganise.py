"""The 2025 reorganisation at national size: carrying the country's three-tier database into the two-tier
structure, and a new province's roll-up of a year before it existed, from its predecessors.

    .venv/bin/python bench/reorganise.py [--quarters 18] [--out bench/out] [--runs 21]

Uses bench/core.py's national database (every unit of the three-tier list under a root "VN", the whole
catalogue every quarter from 2021Q1; 18 quarters reach 2025Q2, the last of the old tree), copies it, and:
* times `reorganise` on the copy (one transaction: 3,321 new communes and 34 provinces, every link);
* times the new Cần Thơ's roll-up of 2024 (Cần Thơ, Hậu Giang and Sóc Trăng combined: their districts' and
  communes' quarters and yearly figures) beside the bare SQLite statement that does the same joins (the
  successor's links, each predecessor's subtree, its values for the year and the periods inside it) and the
  same coverage count, after checking that both give the same sums. Figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.core import bare_connection, database, measure  # noqa: E402
from parapp.domain.catalogue import shipped_catalogue  # noqa: E402
from parapp.domain.periods import Period  # noqa: E402
from parapp.engine import reorganise as ro  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.store import units as unit_store  # noqa: E402
from parapp.store.db import Store  # noqa: E402

NEW_PROVINCE = "92"  # Cần Thơ: Cần Thơ + Hậu Giang + Sóc Trăng


@lru_cache
def _bare_sql(n: int) -> tuple[str, str]:
    marks = ", ".join("?" * n)
    sums = ("SELECT dv.element, dv.period, SUM(dv.value) FROM unit_links l "
            "JOIN unit_tree t ON t.ancestor = l.predecessor JOIN data_values dv ON dv.unit = t.unit "
            f"WHERE l.successor = ? AND dv.period IN ({marks}) GROUP BY dv.element, dv.period")
    coverage = ("SELECT count(*), count(CASE WHEN EXISTS (SELECT 1 FROM statuses s WHERE s.unit = t.unit AND "
                f"s.period IN ({marks})) THEN 1 END) FROM unit_links l JOIN unit_tree t ON t.ancestor = l.predecessor "
                "JOIN units u ON u.code = t.unit WHERE l.successor = ? AND t.depth > 0 AND u.active = 1")
    return sums, coverage


def bare_successor_rollup(conn: sqlite3.Connection, successor: str, ids: tuple[str, ...]) -> tuple:
    sums_sql, coverage_sql = _bare_sql(len(ids))
    return (conn.execute(sums_sql, (successor, *ids)).fetchall(),
            conn.execute(coverage_sql, (*ids, successor)).fetchone())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quarters", type=int, default=18, help="quarters of figures from 2021Q1 (default 18: to 2025Q2)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--runs", type=int, default=21, help="runs of the roll-up (default 21)")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args(argv)
    catalogue = shipped_catalogue()
    source = database(args.out, args.quarters, catalogue, args.rebuild)
    copy = args.out / "national-reorganised.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    t = time.perf_counter()
    shutil.copyfile(source, copy)
    copied = time.perf_counter() - t
    office = Office(Store.open(copy), catalogue)
    n_values = office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    print(f"{source.name}: {n_values:,} values; copied in {copied:.1f} s")
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")

    t = time.perf_counter()
    plan = ro.reorganise(office, who="bench")
    took = time.perf_counter() - t
    n_links = office.store.conn.execute("SELECT count(*) FROM unit_links").fetchone()[0]
    print(f"reorganise: {took:.2f} s for {len(plan.new_units):,} new units, {n_links:,} links, "
          f"{len(plan.ended):,} old units ended (one transaction)")
    t = time.perf_counter()
    again = ro.reorganise(office, who="bench")
    print(f"reorganise again: {time.perf_counter() - t:.3f} s, changed nothing: {again.already}")

    key = unit_store.resolve(office.store, NEW_PROVINCE, Period.quarter(2025, 3))
    year = Period.for_year(2024)
    ids = (str(year), *(str(q) for q in year.descendants()))
    conn = bare_connection(copy)
    # Like for like: the product's sums are the bare statement's (periods combined as the roll-up does).
    agg, prov = office.figures(key, year, below=True)
    sums, (expected, reported) = bare_successor_rollup(conn, key, ids)
    quarter_sums: dict[str, float] = {}
    for element, period, total in sums:
        el = catalogue.elements[element]
        if el.time == "flow" and period != str(year) and len(period) == 6 and period[4] == "Q":
            quarter_sums[element] = quarter_sums.get(element, 0.0) + total
    for element, total in quarter_sums.items():
        if element in agg.values and not any(p == str(year) for e, p, _ in sums if e == element):
            assert abs(agg.values[element] - total) < 1e-6 * max(1.0, total), element
    assert (agg.reported, agg.expected) == (reported, expected), ((agg.reported, agg.expected), (reported, expected))
    assert prov is not None and prov.status == "combined"

    product_s, bare_s = measure(lambda: office.figures(key, year, below=True),
                                lambda: bare_successor_rollup(conn, key, ids), args.runs)
    ratio = product_s / bare_s
    print()
    print("| operation | ParApp (median) | bare SQLite (median) | ratio | goal | met |")
    print("|---|---:|---:|---:|---|---|")
    print(f"| reorganise the country (three tiers → two) | {took:.2f} s | | | timed | |")
    print(f"| new Cần Thơ, 2024 from its 3 predecessors | {product_s * 1000:.1f} ms | {bare_s * 1000:.1f} ms | "
          f"{ratio:.2f}× | ≤ 1.5× | {'yes' if ratio <= 1.5 else 'NO'} |")
    conn.close()
    office.close()
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
