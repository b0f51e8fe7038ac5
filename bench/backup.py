"""A daily backup of the national database: ParApp's make_backup against the bare SQLite online backup and
integrity check of the same file.

    .venv/bin/python bench/backup.py [--quarters 20] [--out bench/out] [--runs 3]

Uses bench/core.py's cached national database. Both sides copy every page with the online backup API and run
`PRAGMA integrity_check` on the copy; ParApp also writes the copy's meta rows, names it, and rotates the folder.
"""

from __future__ import annotations

import argparse
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
from parapp.store.backup import make_backup  # noqa: E402
from parapp.store.db import Store  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quarters", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    path = database(args.out, args.quarters, shipped_catalogue())
    size = path.stat().st_size
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        os.environ["PARAPP_HOME"] = tmp
        store = Store.open(path)
        product, bare = [], []
        for i in range(args.runs):
            for side in ((0, 1) if i % 2 == 0 else (1, 0)):
                t = time.perf_counter()
                if side == 0:
                    made = make_backup(store, "daily")
                    product.append(time.perf_counter() - t)
                    made.unlink()
                else:
                    target = Path(tmp) / f"bare-{i}.db"
                    dst = sqlite3.connect(target)
                    store.conn.backup(dst)
                    assert dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                    dst.close()
                    bare.append(time.perf_counter() - t)
                    target.unlink()
        store.close()
    a, b = statistics.median(product), statistics.median(bare)
    print(f"{path.name}: {size / 2**20:,.0f} MiB, {args.runs} runs, medians")
    print("| operation | ParApp | bare SQLite | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| daily backup of the national database (copy + integrity_check) | {a:.1f} s | {b:.1f} s | {a / b:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
