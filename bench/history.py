"""Checking the history of the national database: ParApp's `audit verify` against the bare reading of the
same rows with one sha256 each.

    .venv/bin/python bench/history.py [--quarters 20] [--out bench/out] [--runs 3]

Uses bench/core.py's cached national database (some 5.9 million history rows). The bare side reads every
audit row in id order with sqlite3 and hashes each with hashlib, which is the least a chain check must do;
ParApp also encodes each row canonically, compares every hash, and checks every stored value against the
last value its history gives (one GROUP BY over the history). The quick check at start walks the newest
5,000 rows and does the value check.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.core import database  # noqa: E402
from parapp.domain.catalogue import shipped_catalogue  # noqa: E402
from parapp.store import audit  # noqa: E402
from parapp.store.db import Store  # noqa: E402


def bare(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = 0
    prev = audit.GENESIS
    for row in conn.execute("SELECT * FROM audit_log ORDER BY id"):
        prev = hashlib.sha256((prev + repr(row)).encode()).hexdigest()
        n += 1
    conn.close()
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quarters", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    path = database(args.out, args.quarters, shipped_catalogue())
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        os.environ["PARAPP_HOME"] = tmp  # no backups of the bench file are anchors here
        store = Store.open(path)
        full, quick, plain = [], [], []
        rows = 0
        for i in range(args.runs):
            for side in ((0, 1) if i % 2 == 0 else (1, 0)):
                t = time.perf_counter()
                if side == 0:
                    v = audit.verify(store)
                    full.append(time.perf_counter() - t)
                    assert v.ok, v.message("en")
                    rows = v.rows
                else:
                    bare(path)
                    plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert audit.verify(store, quick=True).ok
            quick.append(time.perf_counter() - t)
        store.close()
    a, b, q = statistics.median(full), statistics.median(plain), statistics.median(quick)
    print(f"{path.name}: {rows:,} history rows, {args.runs} runs, medians")
    print("| operation | ParApp | bare | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| verify the whole history | {a:.1f} s | {b:.1f} s | {a / b:.2f}× |")
    print(f"| quick check at start (newest 5,000 rows, every value) | {q:.1f} s | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
