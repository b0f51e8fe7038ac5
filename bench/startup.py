"""How soon the main window is usable: ParApp on the demo database against a bare PySide6 window.

Both are started the same way, as a new Python process, and timed from the start of the process until
the window has been shown and the event loop is idle (the officer can click). Run:

    .venv/bin/python bench/startup.py [--runs 7]

Needs a display or QT_QPA_PLATFORM=offscreen (set by default here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView, QTableView, QSplitter
app = QApplication(sys.argv[:1])
w = QMainWindow(); s = QSplitter(); s.addWidget(QTreeView()); s.addWidget(QTableView()); w.setCentralWidget(s)
w.resize(1280, 800); w.show()
QTimer.singleShot(0, app.quit)
app.exec()
print("READY")
"""

PARAPP = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from parapp.gui import app as gui
qapp = QApplication(sys.argv[:1])
controller = gui.Application(qapp)
assert controller.open_database(Path(sys.argv[1]), "42", __import__("parapp.domain.periods").domain.periods.Period.parse("2025Q3"))
QTimer.singleShot(0, qapp.quit)
qapp.exec()
print("READY")
"""


def timed(code: str, *args: str, env: dict) -> float:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if "READY" not in out.stdout:
        raise SystemExit(f"the window did not start:\n{out.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="parapp-startup-"))
    env["PARAPP_HOME"] = str(home)
    db = home / "demo.db"
    subprocess.run([sys.executable, "-m", "parapp", "demo", "--db", str(db)], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    timed(BARE, env=env)  # warm the file cache for both
    timed(PARAPP, str(db), env=env)
    bare = [timed(BARE, env=env) for _ in range(args.runs)]
    ours = [timed(PARAPP, str(db), env=env) for _ in range(args.runs)]
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"bare PySide6 window     {b * 1000:8.0f} ms")
    print(f"ParApp on the demo      {o * 1000:8.0f} ms   ratio {o / b:.2f}x   goal: usable within 1500 ms")


if __name__ == "__main__":
    main()
