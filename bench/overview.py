"""The window's overview of the whole country: from the officer's choice until the table and the chart are filled.

    .venv/bin/python bench/overview.py [--quarters 20] [--out bench/out] [--rebuild] [--runs 7] [--period 2025Q4]

Opens core.py's national database (10,811 units under "VN" Việt Nam; built once and cached in bench/out/ by
core.py's own builder) in the main window (offscreen), on the Overview tab, with province 42 chosen. Each run
then makes a choice as the officer does and times it until the overview's table and chart are filled and the
event loop is idle (a zero timer fired after the tab said it is filled):

* the country (VN) chosen in the unit tree, coming from province 42, with nothing kept from earlier
  overviews (the tab's figures cache emptied first: a first look);
* the same with the figures of earlier overviews kept (the officer comes back to the country);
* the quarter before chosen, the country shown for the period (only that overview's figures kept);
* the period chosen again, coming from the quarter before.

The unit tree's status refresh for each period, which the window makes on the GUI thread before the overview
starts, is timed apart too (information).

Beside each, a bare equivalent: a plain window with a QTableView over a plain QAbstractTableModel and a QChart
with one line, filled from bare SQL on a plain connection (the sums per province and element for the period in
one grouped statement, the country's sums for the chart's eight quarters in another, the coverage counts),
built on the GUI thread. The two sides take turns, each going first every other time; the table gives medians.

Memory: the process's peak RSS over each choice (VmHWM, reset before it through /proc/self/clear_refs where
the kernel allows it) and, in one extra untimed run of each, the peak of Python's allocations (tracemalloc).

The goal is absolute: the overview of the country shown within 0.5 s of choosing it.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sqlite3
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import core  # noqa: E402

from parapp.domain.catalogue import shipped_catalogue  # noqa: E402
from parapp.domain.periods import Period  # noqa: E402

GOAL = 0.5  # seconds
START_UNIT = "42"
CHART_QUARTERS = 8


# ------------------------------------------------------------------------------------------ memory


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Set the peak RSS back to the current RSS (Linux 4.0+: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5\n")
        return True
    except OSError:
        return False


# ------------------------------------------------------------------------------------------ bare side


def bare_statements(n: int) -> tuple[str, str, str]:
    marks = ", ".join("?" * n)
    per_child = ("SELECT t.ancestor, dv.element, SUM(dv.value) FROM units c JOIN unit_tree t ON t.ancestor = c.code "
                 "JOIN data_values dv ON dv.unit = t.unit WHERE c.parent = ? AND dv.period = ? "
                 "GROUP BY t.ancestor, dv.element")
    chart = ("SELECT dv.period, dv.element, SUM(dv.value) FROM unit_tree t JOIN data_values dv ON dv.unit = t.unit "
             f"WHERE t.ancestor = ? AND dv.period IN ({marks}) GROUP BY dv.period, dv.element")
    coverage = ("SELECT c.code, c.name, count(t.unit), count(CASE WHEN EXISTS (SELECT 1 FROM statuses s "
                "WHERE s.unit = t.unit AND s.period = ?) THEN 1 END) FROM units c JOIN unit_tree t "
                "ON t.ancestor = c.code AND t.depth > 0 JOIN units u ON u.code = t.unit AND u.active = 1 "
                "WHERE c.parent = ? GROUP BY c.code ORDER BY c.code")
    return per_child, chart, coverage


class Bare:
    """A plain window: a table of the provinces' sums and a chart of the country's sums over eight quarters."""

    def __init__(self, path: Path):
        from PySide6.QtCharts import QChart, QChartView
        from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
        from PySide6.QtWidgets import QSplitter, QTableView

        class Model(QAbstractTableModel):
            def __init__(self):
                super().__init__()
                self.rows: list[list[str]] = []
                self.header: list[str] = []
                self.names: list[str] = []

            def set_rows(self, names, header, rows):
                self.beginResetModel()
                self.names, self.header, self.rows = names, header, rows
                self.endResetModel()

            def rowCount(self, parent=QModelIndex()):  # noqa: B008
                return 0 if parent.isValid() else len(self.rows)

            def columnCount(self, parent=QModelIndex()):  # noqa: B008
                return 0 if parent.isValid() or not self.rows else len(self.header)

            def data(self, index, role=Qt.ItemDataRole.DisplayRole):
                if role == Qt.ItemDataRole.DisplayRole:
                    return self.rows[index.row()][index.column()]
                return None

            def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
                if role != Qt.ItemDataRole.DisplayRole:
                    return None
                if orientation == Qt.Orientation.Horizontal:
                    return self.header[section] if section < len(self.header) else None
                return self.names[section] if section < len(self.names) else None

        self.conn = core.bare_connection(path)
        self.window = QSplitter(Qt.Orientation.Vertical)
        self.model = Model()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_view = QChartView(self.chart)
        self.window.addWidget(self.view)
        self.window.addWidget(self.chart_view)
        self.window.resize(1280, 800)
        self.window.show()

    def choose(self, unit: str, period: Period) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QLineSeries, QValueAxis
        from PySide6.QtCore import Qt

        quarters = [period]
        while len(quarters) < CHART_QUARTERS:
            quarters.insert(0, quarters[0].previous())
        per_child, chart_sql, coverage_sql = bare_statements(len(quarters))
        c = self.conn
        cells: dict[str, dict[str, float]] = {}
        for code, element, total in c.execute(per_child, (unit, str(period))):
            cells.setdefault(code, {})[element] = total
        cover = c.execute(coverage_sql, (str(period), unit)).fetchall()
        series: dict[str, dict[str, float]] = {}
        for pid, element, total in c.execute(chart_sql, (unit, *map(str, quarters))):
            series.setdefault(pid, {})[element] = total
        elements = sorted({e for v in cells.values() for e in v})
        names, rows = [], []
        for code, name, expected, reported in cover:
            names.append(f"{name} ({code})")
            own = cells.get(code, {})
            rows.append([f"{reported}/{expected}"] + [f"{own[e]:,.2f}" if e in own else "—" for e in elements])
        self.model.set_rows(names, ["Reported", *elements], rows)
        self.view.resizeColumnsToContents()
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        line = QLineSeries()
        element = elements[0] if elements else None
        for i, q in enumerate(quarters):
            v = series.get(str(q), {}).get(element)
            if v is not None:
                line.append(float(i), float(v))
        self.chart.addSeries(line)
        ax, ay = QBarCategoryAxis(), QValueAxis()
        ax.append([str(q) for q in quarters])
        self.chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft)
        line.attachAxis(ax)
        line.attachAxis(ay)


# ------------------------------------------------------------------------------------------ timing


def idle_after(app, start_fn, filled_signal=None, timeout_s: float = 120.0) -> float:
    """Seconds from calling start_fn until (filled_signal emitted, or start_fn returned) and then a zero timer
    fired: the posted events (layouts, paints) handled and the event loop idle."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    end: list[float] = []

    def idle() -> None:
        end.append(time.perf_counter())
        loop.quit()

    def filled() -> None:
        QTimer.singleShot(0, idle)

    if filled_signal is not None:
        filled_signal.connect(filled)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(int(timeout_s * 1000))
    t0 = time.perf_counter()
    start_fn()
    if filled_signal is None:
        QTimer.singleShot(0, idle)
    loop.exec()
    guard.stop()
    if filled_signal is not None:
        filled_signal.disconnect(filled)
    if not end:
        raise SystemExit("the overview was not filled in time")
    return end[0] - t0


def settle(app) -> None:
    from parapp.gui.workers import wait_all

    wait_all(120000)
    for _ in range(3):
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quarters", type=int, default=20, help="quarters of figures from 2021Q1 (default 20)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where the database is cached")
    ap.add_argument("--rebuild", action="store_true", help="build the database even if a cached one fits")
    ap.add_argument("--runs", type=int, default=7, help="timed runs of each choice and side (default 7)")
    ap.add_argument("--period", help="the period chosen (default: the last quarter with figures)")
    args = ap.parse_args(argv)

    catalogue = shipped_catalogue()
    path = core.database(args.out, args.quarters, catalogue, args.rebuild)
    qs, _ = core._periods(args.quarters)
    period = Period.parse(args.period) if args.period else qs[-1]
    other = period.previous()

    os.environ.setdefault("PARAPP_HOME", str(args.out / "home"))
    from parapp.engine.office import Office
    from parapp.gui.qt import QApplication
    from parapp.i18n import set_language

    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language("vi")
    from parapp.gui.mainwindow import MainWindow

    office = Office.open(path, check="done")
    window = MainWindow(office, START_UNIT, period)
    window.resize(1280, 800)
    window.show()
    window.tabs.setCurrentWidget(window.overview)
    settle(app)
    tab = window.overview.page
    bare = Bare(path)
    settle(app)
    n_units = office.store.conn.execute("SELECT count(*) FROM units").fetchone()[0]
    n_values = office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    print(f"{path.name}: {n_units:,} units, {n_values:,} values; {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}; load {os.getloadavg()[0]:.2f}")

    def choose_country(kept: bool) -> float:
        window.set_period(period)
        window.set_unit(START_UNIT)
        settle(app)
        if not kept:
            tab.figures_cache.clear()
        index = window.tree_proxy.mapFromSource(window.tree_model.index_for(core.COUNTRY))
        t = idle_after(app, lambda: window.tree.setCurrentIndex(index), tab.filled)
        _check(tab, core.COUNTRY, period)
        return t

    def choose_period(to: Period, kept: bool) -> float:
        back = period if to != period else other
        window.set_unit(core.COUNTRY)
        window.set_period(back)
        settle(app)
        if not kept:  # only the overview just shown is known
            tab.figures_cache.clear()
            window.set_period(to)
            window.set_period(back)
            settle(app)
            tab.figures_cache.clear()
            tab.refresh()
            settle(app)
        t = idle_after(app, lambda: window.set_period(to), tab.filled)
        _check(tab, core.COUNTRY, to)
        return t

    def tree_statuses(to: Period) -> float:
        window.tree_model.set_period(other if to == period else period)
        t = time.perf_counter()
        window.tree_model.set_period(to)
        return time.perf_counter() - t

    def bare_country() -> float:
        return idle_after(app, lambda: bare.choose(core.COUNTRY, period))

    cases = [
        ("the country (VN) chosen in the tree, nothing kept (first look)", lambda: choose_country(False)),
        ("the country chosen again (roll-ups of earlier overviews kept)", lambda: choose_country(True)),
        (f"the period {other} chosen, the country shown for {period}", lambda: choose_period(other, False)),
        (f"the period {period} chosen again", lambda: choose_period(period, True)),
    ]
    results = []
    peaks = {}
    for name, product in cases:
        product()
        bare_country()  # warm-up
        times: dict[str, list[float]] = {"p": [], "b": []}
        hwm: dict[str, list[int]] = {"p": [], "b": []}
        for i in range(args.runs):
            for side in ("p", "b") if i % 2 == 0 else ("b", "p"):
                gc.collect()
                reset = _reset_peak()
                before = _status_kb("VmRSS")
                times[side].append(product() if side == "p" else bare_country())
                hwm[side].append((_status_kb("VmHWM") - before) if reset else 0)
        results.append((name, statistics.median(times["p"]), statistics.median(times["b"]),
                        min(times["p"]), max(times["p"])))
        peaks[name] = (max(hwm["p"]), max(hwm["b"]))
    trees = [(f"… of which the unit tree's statuses for {p} (GUI thread, before the overview starts)",
              statistics.median(tree_statuses(p) for _ in range(3))) for p in (other, period)]

    # Python's allocations over one first look at the country (untimed: tracemalloc slows everything down)
    window.set_unit(START_UNIT)
    settle(app)
    tab.figures_cache.clear()
    tracemalloc.start()
    choose_country(False)
    _, traced_p = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    bare_country()
    _, traced_b = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rss = _status_kb("VmRSS") / 1024
    peak = _status_kb("VmHWM") / 1024
    print(f"\n{args.runs} runs of each, medians; the bare side reads everything every time; "
          f"load average now {os.getloadavg()[0]:.2f}\n")
    print("| choice | ParApp (median) | min–max | bare (median) | ratio | goal | met |")
    print("|---|---:|---:|---:|---:|---|---|")
    missed = False
    for name, p, b, lo, hi in results:
        met = p <= GOAL
        missed |= not met
        print(f"| {name} | {p * 1000:.0f} ms | {lo * 1000:.0f}–{hi * 1000:.0f} ms | {b * 1000:.0f} ms | "
              f"{p / b:.2f}× | ≤ {GOAL * 1000:.0f} ms | {'yes' if met else '**no**'} |")
    for name, t in trees:
        print(f"| {name} | {t * 1000:.0f} ms | | | | information | |")
    print()
    for name, (p, b) in peaks.items():
        print(f"peak RSS growth over one choice ({name}): ParApp {p / 1024:.1f} MiB, bare {b / 1024:.1f} MiB")
    print(f"Python allocations' peak over one first look at the country (tracemalloc): ParApp "
          f"{traced_p / 2**20:.1f} MiB, bare {traced_b / 2**20:.1f} MiB; figures kept: {len(tab.figures_cache)}")
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"the process: RSS {rss:.0f} MiB, peak RSS {peak:.0f} MiB since the last reset, {maxrss:.0f} MiB over "
          "the whole run (ru_maxrss)")
    window.close()
    settle(app)
    office.close()
    return 1 if missed else 0


def _check(tab, unit: str, period: Period) -> None:
    data = tab.model.overview()
    if data is None or data.unit.code != unit or data.period != period or not tab.model.rowCount():
        raise SystemExit(f"the overview shows {data and (data.unit.code, data.period)}, not {unit} {period}")
    if not tab.chart.series():
        raise SystemExit("the chart is empty")


if __name__ == "__main__":
    sys.exit(main())
