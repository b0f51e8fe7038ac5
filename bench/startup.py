"""How soon the main window is usable: ParApp on the demo database against a bare PySide6 window.

Both are started the same way, as a new Python process, and timed from the start of the process until
the window has been shown and the event loop is idle (the officer can click). Run:

    .venv/bin/python bench/startup.py [--runs 7] [--bundle dist/ParApp]

With --bundle, the bundle is timed the same way, and once cold: its first start with the page cache dropped
(on Linux as root; otherwise its first start in this run).

Each row also gives the processor time the process had used when it said so (all its threads), which moves less
than the wall clock when other work shares the machine. A first row times, against the same bare window, the least a
real window does (Qt's namespace, Vietnamese text, a tree of 104 units, tabs, menus) without any of ParApp: the floor
under the ratio.

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
QTimer.singleShot(0, lambda: (print(f"READY {time.time():.6f} {time.process_time():.6f} {time.thread_time():.6f}", flush=True), app.quit()))
app.exec()
"""

# The least a real window does that the bare one does not: Qt's namespace named, Vietnamese text laid out (fonts
# looked up), a tree of a province's 104 units, four tabs, five menus and a status bar. It reads no database and
# imports nothing of ParApp: its ratio to the bare window is the floor under any window with text.
TEXT = r"""
import sys, time
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QTableView, QTabWidget, QTreeView, \
    QVBoxLayout, QWidget
app = QApplication(sys.argv[:1])
w = QMainWindow(); s = QSplitter(Qt.Orientation.Horizontal)
model = QStandardItemModel(); top = QStandardItem("Thành phố Cần Thơ"); model.appendRow([top, QStandardItem("Đang nhập")])
for i in range(103):
    top.appendRow([QStandardItem(f"Phường {i}"), QStandardItem("Đã gửi")])
tree = QTreeView(); tree.setModel(model); tree.expandToDepth(0); s.addWidget(tree)
right = QWidget(); lay = QVBoxLayout(right)
lay.addWidget(QLabel("Thành phố Cần Thơ: các đơn vị trực thuộc, Quý III/2026"))
tabs = QTabWidget(); lay.addWidget(tabs)
for name in ("Nhập liệu", "Tổng hợp", "Danh mục và chỉ tiêu", "Nhật ký"):
    tabs.addTab(QTableView() if name == "Tổng hợp" else QWidget(), name)
tabs.setCurrentIndex(1); s.addWidget(right); w.setCentralWidget(s)
for m in ("&Tệp", "&Sửa", "Excel", "DHIS2", "Báo cáo"):
    w.menuBar().addMenu(m)
w.statusBar().showMessage("Trần Thị Mai")
w.resize(1280, 800); w.show()
QTimer.singleShot(0, lambda: (print(f"READY {time.time():.6f} {time.process_time():.6f} {time.thread_time():.6f}", flush=True), app.quit()))
app.exec()
"""


def _drop_caches() -> bool:
    """Empty the page cache (Linux, as root), so that the next start reads its files from the disk."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Seconds from starting the process until it says READY (its window shown, its event loop idle), and the
    processor time it had used by then (all its threads); what it does after (closing, the backup on close) is not
    counted. The processor time moves less than the wall clock when other work shares the machine."""
    start = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    ready = cpu = None
    for line in proc.stdout:
        if line.startswith("READY "):
            ready, cpu = (float(x) for x in line.split()[1:3])
    _out, err = proc.communicate()
    if ready is None:
        raise SystemExit(f"the window did not start:\n{err}")
    return ready - start, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bundle", type=Path, help="also time the bundle in this folder (e.g. dist/ParApp)")
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="parapp-startup-"))
    env["PARAPP_HOME"] = str(home)
    # As installed: Python's modules read from bytecode, ParApp's and the bare window's alike (an environment
    # that forbids writing bytecode would have ParApp compile its own modules at every start). The first,
    # uncounted starts write it, to a folder of this run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "bytecode")
    db = home / "demo.db"
    subprocess.run([sys.executable, "-m", "parapp", "demo", "--db", str(db)], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    env["PARAPP_REPORT_READY"] = "1"  # ParApp prints READY and quits once its window is up and idle
    bare_cmd = [sys.executable, "-c", BARE]
    ours_cmd = [sys.executable, "-m", "parapp", "gui", "--db", str(db)]
    rows = [("text", bare_cmd, [sys.executable, "-c", TEXT]), ("checkout", bare_cmd, ours_cmd)]
    if args.bundle is not None:
        exe = args.bundle / ("ParApp.exe" if os.name == "nt" else "ParApp")
        rows.append(("bundle", bare_cmd, [str(exe), "--db", str(db)]))
    print(f"{args.runs} runs each, medians; {os.cpu_count()} CPUs")
    for name, bare_c, ours_c in rows:
        cold = None
        if name == "bundle":  # its first start: with the page cache dropped where the machine lets us (Linux, root)
            dropped = _drop_caches()
            cold = timed(ours_c, env)[0]
        timed(bare_c, env)  # warm the file cache for both
        timed(ours_c, env)
        bare, ours = [], []
        for _ in range(args.runs):  # interleaved: a busy moment of the machine falls on both
            bare.append(timed(bare_c, env))
            ours.append(timed(ours_c, env))
        b, o = (statistics.median(t[0] for t in bare), statistics.median(t[0] for t in ours))
        bc, oc = (statistics.median(t[1] for t in bare), statistics.median(t[1] for t in ours))
        what = "a window with text" if name == "text" else "ParApp"
        print(f"{name:<9} bare PySide6 window {b * 1000:6.0f} ms   {what} {o * 1000:6.0f} ms   ratio {o / b:.2f}x"
              + ("   (the floor: no ParApp)" if name == "text" else "   goal ≤ 1.5x")
              + (f"   {'cold start' if dropped else 'first start'} {cold * 1000:.0f} ms" if cold else ""))
        print(f"{'':<9} processor time     {bc * 1000:6.0f} ms          {oc * 1000:6.0f} ms   ratio {oc / bc:.2f}x")


if __name__ == "__main__":
    main()
