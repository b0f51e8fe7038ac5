"""A command's fixed cost: `parapp --version` and `parapp show` against `python -c "import sqlite3"`.

Each is started the same way, as a new process of this Python (`python -m parapp ...`, `python -c ...`), and
timed from its start to its end. The runs take turns (each command goes first in turn), 11 of each by default,
after two uncounted runs of each; the table gives the medians and each command's ratio to the bare import, with
the goal of 2x. Run:

    .venv/bin/python bench/cli.py [--runs 11] [--unit CODE] [--period 2025Q4]

`show` reads the demo database (`parapp demo`, today's Cần Thơ) made in a folder of this run, for a commune
(default: the first commune of the demo) and a quarter (default: the latest quarter it has figures for).
As installed: Python's and ParApp's modules are read from bytecode (written by the uncounted runs to a folder of
this run), and the data folder is the platform's own (on Linux through XDG_DATA_HOME, pointed at this run's
folder), so that finding it costs what it costs an officer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 2.0


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "bytecode")
    env.pop("PARAPP_PORTABLE", None)
    if sys.platform.startswith("linux"):
        env.pop("PARAPP_HOME", None)
        env["XDG_DATA_HOME"] = str(home / "xdg")
    else:  # the platform's folder is the user's own: keep this run's data out of it
        env["PARAPP_HOME"] = str(home / "data")
    return env


def _pick(db: Path) -> tuple[str, str]:
    """(the official code of the commune with the latest quarterly figures, the first by code among several; that quarter) in the demo database."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT u.code, coalesce(s.official_code, u.code), max(v.period) FROM units u "
            "JOIN levels l ON l.code = u.level LEFT JOIN unit_spans s ON s.code = u.code "
            "JOIN data_values v ON v.unit = u.code AND v.period GLOB '[0-9][0-9][0-9][0-9]Q[1-4]' "
            "WHERE u.active = 1 AND l.depth = (SELECT max(depth) FROM levels) "
            "GROUP BY u.code ORDER BY max(v.period) DESC, u.code LIMIT 1").fetchone()
    finally:
        conn.close()
    if row is None:
        raise SystemExit("the demo database has no commune with quarterly figures")
    return row[1], row[2]


def _run(command: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, encoding="utf-8")
    return time.perf_counter() - start, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--unit", help="the commune to show (default: the demo's first)")
    ap.add_argument("--period", help="the quarter to show (default: the latest with figures)")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="parapp-cli-bench-"))
    try:
        _bench(args, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _bench(args, home: Path) -> None:
    env = _env(home)
    db = home / "demo.db"
    subprocess.run([sys.executable, "-m", "parapp", "demo", "--db", str(db)], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    unit, period = _pick(db)
    unit, period = args.unit or unit, args.period or period
    # The record of a sound file trusts no time within seconds of its check (parapp.store.checked): an officer's
    # database was last written minutes or days before, not this second. Let the new file's times age first.
    age = time.time() - db.stat().st_mtime
    time.sleep(max(0.0, 3.5 - age))
    commands = {
        "python -c \"import sqlite3\"": [sys.executable, "-c", "import sqlite3"],
        "parapp --version": [sys.executable, "-m", "parapp", "--version"],
        f"parapp show --unit {unit} --period {period}": [sys.executable, "-m", "parapp", "show", "--db", str(db),
                                                         "--unit", unit, "--period", period],
    }
    names = list(commands)
    for name in names:  # uncounted: write the bytecode, the parse cache and the record of the sound file
        for _ in range(2):
            _t, done = _run(commands[name], env)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr}")
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(args.runs):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            t, done = _run(commands[name], env)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr}")
            times[name].append(t)
    base = statistics.median(times[names[0]])
    print(f"median of {args.runs} fresh processes each, interleaved; Python {sys.version.split()[0]}, {sys.platform}")
    print(f"{'command':<46} {'median ms':>10} {'min ms':>8} {'ratio':>7}  goal")
    for name in names:
        med = statistics.median(times[name])
        ratio = med / base
        verdict = "" if name == names[0] else f"≤ {GOAL:.0f}x  " + ("met" if ratio <= GOAL else "NOT met")
        print(f"{name:<46} {med * 1000:>10.1f} {min(times[name]) * 1000:>8.1f} {ratio:>6.2f}x  {verdict}")


if __name__ == "__main__":
    main()
