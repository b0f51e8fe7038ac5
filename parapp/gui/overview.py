"""The Overview tab: the units directly below the chosen one against their targets, and one indicator over time.

The matrix has a row for each unit directly below (a district row is the district's roll-up over its
communes and its own figures), a column for each indicator of the level below, and a last row for the chosen
unit's own roll-up. Each cell carries the status as a tint, a symbol and, in its tooltip, a word with the
target and its source. Under it, a chart follows the selected indicator of the chosen unit over the last
periods of the same kind, with each year's target as a dashed line.

The matrix is the engine's (``parapp.engine.matrix.compute_matrix``, which the consolidated workbook and the
summary report read too), with a column saying whether each unit's return came by the due date and a line over
it counting, per level below, the returns submitted and those on time.

All of it is worked out by :func:`compute_overview`, a plain function of the core run on a pool thread
(``parapp.gui.workers.Task``) with its own connection to the database; the tab shows the previous matrix
until the new one is ready and drops results of a context it has since left.

The roll-ups worked out for one overview are kept for the next (:class:`FiguresCache`) while nothing is
written to the database: the chart's periods, the years that increment targets look back at, the units below.
So another period, or a unit seen before, needs only what it does not share with what was shown.
"""

from __future__ import annotations

import html
import os
import sqlite3
import sys
import textwrap
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from parapp.domain.catalogue import LEVEL_NAMES, Catalogue, Indicator
from parapp.domain.periods import Period, PeriodError
from parapp.engine.compliance import IndicatorResult, assess
from parapp.engine.matrix import (
    TIMELINESS_MARKS,
    TIMELINESS_NAMES,
    Reporting,
    ReportingSummary,
    Submission,
    added,
    compute_matrix,
)
from parapp.engine.office import Office
from parapp.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QBrush,
    QColor,
    QComboBox,
    QEvent,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QModelIndex,
    QSplitter,
    Qt,
    QTableView,
    QtCore,
    QtGui,
    QTimer,
    QtWidgets,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.gui.style import GROUP_TINT, STATUS_STYLE, WORKFLOW_STYLE
from parapp.gui.workers import Task
from parapp.i18n import ParAppError, format_number, language
from parapp.store.units import Unit

# how many periods of the chosen one's kind the chart goes back over (itself included)
CHART_SPAN = {"Y": 4, "S": 6, "Q": 8, "M": 12}
# the chart's line colours (Okabe-Ito blue for the figures, dark grey for the targets)
VALUE_COLOUR = "#0072B2"
TARGET_COLOUR = "#5F6368"
NO_DATA = "—"
TARGET_HALF_WIDTH = 0.4  # how far a period's target reaches either side of its point, in categories

Progress = Callable[[int, int], bool | None]


# ------------------------------------------------------------------------------------------ computing


@dataclass(frozen=True)
class OverviewRow:
    """One row of the matrix: a unit directly below (or, last, the chosen unit itself) for the period."""

    unit: Unit
    results: tuple[IndicatorResult, ...]  # one per column, in the columns' order
    reported: int  # units below the row's unit with figures for the period (or a part of it)
    expected: int  # active units below the row's unit
    has_below: bool  # the row's unit has units below it
    has_figures: bool  # any figures at all in the row's roll-up for the period
    own_reported: bool  # the row's unit itself has figures for the period or a part of it
    workflow: str | None  # the status of the row's unit's own return for exactly this period
    total: bool = False  # the chosen unit's own roll-up
    submission: Submission | None = None  # the row's unit's own return: on time, late or not reported
    reporting: tuple[Reporting, ...] = ()  # returns of the units below the row's unit, per level


@dataclass(frozen=True)
class ChartPoint:
    """The chosen unit's roll-up (its own figures for a unit with nothing below) for one period."""

    period: Period
    results: dict[str, IndicatorResult]  # by indicator code
    has_figures: bool
    lineage: str | None = None  # for a time before the unit existed: which old units the figures came from


@dataclass(frozen=True)
class OverviewData:
    unit: Unit
    period: Period
    indicators: tuple[Indicator, ...]  # the matrix's columns (and the chart's choice)
    rows: tuple[OverviewRow, ...]  # units directly below, then the total row; empty for a unit with none below
    points: tuple[ChartPoint, ...]  # oldest first, ending with `period`
    note: str | None = None  # after the 2025 reorganisation: which units the rows are, which targets judge them
    reporting: ReportingSummary | None = None  # who of the units below reported, and on time (None: none below)


def chart_periods(period: Period, span: int | None = None) -> list[Period]:
    """The periods of the same kind the chart shows: the last `span` (8 quarters, 4 years...) up to period."""
    n = span or CHART_SPAN[period.kind]
    out = [period]
    while len(out) < n:
        try:
            out.insert(0, out[0].previous())
        except PeriodError:
            break
    return out


def _history(office: Office, unit: str, below: bool):
    """history(indicator, year) for increment and change targets: the unit's (roll-up) value in that year,
    carried from its predecessors for a year before it existed."""
    return office.history_lookup(unit, below)


def _chart_point(office: Office, unit: Unit, period: Period, below: bool, history, indicators) -> ChartPoint:
    agg, lineage = office.figures(unit, period, below=below)
    results = assess(office.catalogue, office.target_set_for(unit, period), unit.level, period, agg.values, history,
                     office.margin, indicators=list(indicators))
    return ChartPoint(period, {r.code: r for r in results}, bool(agg.values),
                      lineage.note().get(language()) if lineage is not None else None)


def compute_overview(office: Office, unit_code: str, period: Period, progress: Progress | None = None,
                     helper: Office | None = None) -> OverviewData | None:
    """The matrix (the engine's, parapp.engine.matrix) and the chart's series for a unit and period; None once
    progress(...) returned False.

    helper: an office on a connection of its own to the same database; the chart's other periods are then
    worked out with it on a thread beside the matrix (SQLite reads on both cores), newest first, this thread
    taking the rest once the matrix is done; the result is the same."""
    store_catalogue = office.catalogue
    unit = office.unit(unit_code)
    below = office.rows_below(unit, period)
    periods = chart_periods(period)
    total = len(below) + len(periods)
    done = 0
    lock = threading.Lock()
    stop = threading.Event()

    def tick() -> bool:
        nonlocal done
        with lock:  # the two threads' steps counted, and reported, in order
            done += 1
            if stop.is_set() or (progress is not None and progress(done, total) is False):
                stop.set()
                return False
        return True

    if progress is not None and progress(0, total) is False:
        return None
    # the matrix's columns (compute_matrix's): the indicators of the level below, or the unit's own
    indicators = tuple(store_catalogue.indicators_for(below[0].level if below else unit.level))
    others = [p for p in periods if not (below and p == period)]  # the total row is this period's point
    points: dict[Period, ChartPoint] = {}
    failed: list[BaseException] = []

    todo = deque(others[::-1] if helper is not None else others)  # both threads take the next period from it

    def chart(o: Office) -> None:
        history = _history(o, unit.code, bool(below))
        while not stop.is_set():
            try:
                p = todo.popleft()
            except IndexError:
                return
            points[p] = _chart_point(o, unit, p, bool(below), history, indicators)
            if not tick():
                return

    def chart_beside() -> None:
        try:
            chart(helper)
        except BaseException as e:  # given to the caller once the matrix is done
            failed.append(e)
            stop.set()

    side = None
    if helper is not None and below and others:
        side = threading.Thread(target=chart_beside, name="parapp-overview-chart", daemon=True)
        side.start()
    rows: list[OverviewRow] = []
    matrix = None
    try:
        if below:
            matrix = compute_matrix(office, unit, period, below, tick, own=False)
            if matrix is None:
                return None
            for r in matrix.rows:
                rows.append(OverviewRow(r.unit, tuple(r.results[i.code] for i in indicators), r.agg.reported,
                                        r.agg.expected, r.has_below, bool(r.agg.values), r.own_reported, r.status,
                                        r.kind == "total", r.submission, r.reporting))
            last = matrix.total
            points[period] = ChartPoint(period, dict(last.results), bool(last.agg.values),
                                        last.lineage.note().get(language()) if last.lineage is not None else None)
        chart(office)  # the chart's periods, or those the thread beside has not taken yet
    except BaseException:
        stop.set()
        raise
    finally:
        if side is not None:
            side.join()
    if failed:
        raise failed[0]
    if stop.is_set():
        return None
    ordered = tuple(points[p] for p in periods)
    notes = []
    if below and below[0].parent != unit.code:
        notes.append(ordered[-1].lineage or "")
    target_note = office.area_target_note(unit, list(below), period)
    if target_note is not None:
        notes.append(target_note.get(language()))
    return OverviewData(unit, period, indicators, tuple(rows), ordered, " ".join(n for n in notes if n) or None,
                        matrix.reporting if matrix is not None else None)


class FiguresCache:
    """Office.figures results (own or rolled-up figures of a unit for a period) kept from one overview to the
    next, for as long as the database is unchanged.

    The window's own connection says when anything was written, by it or by any other connection or program
    (``Store.data_version``): the tab calls :meth:`begin` with that version on the GUI thread before each
    computation, which empties the cache when the version moved, and hands the computation the version it
    began with. What a computation of an older version finds is not kept. Safe for several threads."""

    def __init__(self, size: int = 4096):
        self._size = size
        self._lock = threading.Lock()
        self._version: object = None
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._busy: dict[tuple, threading.Event] = {}  # figures a thread is working out now

    def begin(self, version: object) -> object:
        """Start a computation at this version of the database; returns the tag it passes to figures()."""
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
        return version

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def figures(self, office: Office, version: object):
        """office.figures(unit, period, below, elements) answered from the cache where it can, keeping what it
        works out (figures of some elements only, as a target that looks back at last year asks, are kept apart from
        the whole). When another thread is working out the same figures, it waits for them instead of doing it
        twice."""
        plain = office.figures
        catalogue = office.catalogue

        def figures(unit, period: Period, below: bool = False, elements: frozenset[str] | None = None):
            key = (unit if isinstance(unit, str) else unit.code, period, bool(below), id(catalogue),
                   None if elements is None else frozenset(elements))
            with self._lock:
                current = version == self._version
                hit = self._entries.get(key) if current else None
                if hit is not None:
                    self._entries.move_to_end(key)
                    return hit
                busy = self._busy.get(key) if current else None
                mine = current and busy is None
                if mine:
                    busy = self._busy[key] = threading.Event()
            if not mine and busy is not None:
                busy.wait()
                with self._lock:
                    hit = self._entries.get(key) if version == self._version else None
                if hit is not None:
                    return hit
            try:
                out = plain(unit, period, below, elements)
                if mine:
                    with self._lock:
                        if version == self._version:
                            self._entries[key] = out
                            while len(self._entries) > self._size:
                                self._entries.popitem(last=False)
                return out
            finally:
                if mine:
                    with self._lock:
                        if self._busy.get(key) is busy:
                            del self._busy[key]
                    busy.set()

        return figures


def compute_in_own_office(path: Path | str, catalogue: Catalogue, unit_code: str, period: Period,
                          progress: Progress | None = None, cache: FiguresCache | None = None,
                          version: object = None) -> OverviewData | None:
    """compute_overview on a connection of its own (for a pool thread of the window, whose own opening checks
    the file); with a cache, the figures of earlier overviews (begun at the same version) are reused, and on a
    machine with more than one core the chart is worked out beside the matrix on a second connection."""
    office = Office.open(path, check="done")
    helper = None
    try:
        office.catalogue = catalogue
        if cache is not None:
            office.figures = cache.figures(office, version)  # the matrix, the chart and the history all ask it
            if (os.cpu_count() or 1) > 1:  # the chart's periods on a second connection, beside the matrix
                helper = Office.open(path, check="done")
                helper.catalogue = catalogue
                helper.figures = cache.figures(helper, version)
        return compute_overview(office, unit_code, period, progress, helper)
    finally:
        if helper is not None:
            helper.close()
        office.close()


# ------------------------------------------------------------------------------------------ showing


def short_name(text: str, width: int = 18, lines: int = 3) -> str:
    """An indicator's name on at most `lines` lines of about `width` characters, for a column header."""
    wrapped = textwrap.wrap(text, width) or [text]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1].rstrip(" ,.;:") + "…"
    return "\n".join(wrapped)


def is_percent(indicator: Indicator) -> bool:
    """Shown with '%': ratios and percentages (a change indicator's value is a count or an amount)."""
    return indicator.kind in ("ratio", "percent")


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return NO_DATA
    return format_number(value, indicator.decimals) + ("%" if is_percent(indicator) else "")


def cell_status(row: OverviewRow, result: IndicatorResult) -> str:
    """The status a cell shows: no_data for a unit without figures or an indicator without a value."""
    if not row.has_figures or result.value is None:
        return "no_data"
    return result.status


def goal_of(result: IndicatorResult) -> float | None:
    """The value to draw as the target: a threshold's value, else the goal a check worked out.

    A change target's goal is a change in percent, not comparable with the indicator's value: left out.
    """
    for check in result.checks:
        if check.target.type != "change" and check.goal is not None:
            return check.goal
    return None


class OverviewModel(QAbstractTableModel):
    """Rows: units directly below, then the chosen unit (total); columns: 'Reported', 'On time', then indicators."""

    REPORTED = 0
    TIMELINESS = 1  # the row's own return on time, late or not reported; with units below, theirs counted
    FIRST_INDICATOR = 2
    StatusRole = Qt.ItemDataRole.UserRole + 1  # the cell's status (met, at_risk, missed, no_data, no_target)
    ValueRole = Qt.ItemDataRole.UserRole + 2  # the indicator's value, a float or None
    CodeRole = Qt.ItemDataRole.UserRole + 3  # the row's unit code

    def __init__(self, parent=None):
        super().__init__(parent)
        self._data: OverviewData | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ----------------------------------------------------------------------------------

    def set_overview(self, data: OverviewData | None) -> None:
        self.beginResetModel()
        self._data = data
        self.endResetModel()

    def overview(self) -> OverviewData | None:
        return self._data

    def retranslate(self) -> None:
        """Texts again in the current language."""
        if self.rowCount() and self.columnCount():
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, self.rowCount() - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def row(self, row: int) -> OverviewRow | None:
        if self._data is None or not 0 <= row < len(self._data.rows):
            return None
        return self._data.rows[row]

    def unit_code(self, row: int) -> str | None:
        r = self.row(row)
        return r.unit.code if r is not None else None

    def is_total(self, row: int) -> bool:
        r = self.row(row)
        return r is not None and r.total

    def row_of(self, code: str) -> int:
        if self._data is not None:
            for i, r in enumerate(self._data.rows):
                if r.unit.code == code and not r.total:
                    return i
        return -1

    def indicator(self, column: int) -> Indicator | None:
        first = self.FIRST_INDICATOR
        if self._data is None or not self._data.rows or not first <= column < first + len(self._data.indicators):
            return None
        return self._data.indicators[column - first]

    def column_of(self, indicator: str) -> int:
        if self._data is not None and self._data.rows:
            for i, ind in enumerate(self._data.indicators):
                if ind.code == indicator:
                    return i + self.FIRST_INDICATOR
        return -1

    # -- Qt ---------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._data is None:
            return 0
        return len(self._data.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._data is None or not self._data.rows:
            return 0
        return self.FIRST_INDICATOR + len(self._data.indicators)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < self.columnCount():
            return None
        if role == self.CodeRole:
            return row.unit.code
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.total else None
        if index.column() == self.REPORTED:
            return self._reported(row, role)
        if index.column() == self.TIMELINESS:
            return self._timeliness(row, role)
        result = row.results[index.column() - self.FIRST_INDICATOR]
        status = cell_status(row, result)
        style = STATUS_STYLE[status]
        if role == Qt.ItemDataRole.DisplayRole:
            if not row.has_figures or result.value is None:
                return NO_DATA
            text = format_value(result.indicator, result.value)
            # no symbol without a target: "– 45,00%" would read as a negative number
            return text if status == "no_target" else f"{style.symbol} {text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tooltip(row, result, status)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(style.tint))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == self.StatusRole:
            return status
        if role == self.ValueRole:
            return result.value if row.has_figures else None
        return None

    def _reported(self, row: OverviewRow, role: int):
        if row.has_below:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{format_number(row.reported)}/{format_number(row.expected)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("{reported} of the {expected} units below {unit} have entered figures for "
                               "this period.").format(reported=format_number(row.reported),
                                                      expected=format_number(row.expected), unit=row.unit.name)
            if role == Qt.ItemDataRole.BackgroundRole:
                if row.total:
                    return QBrush(QColor(GROUP_TINT))
                return None
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            if role == self.StatusRole:
                return "complete" if row.expected and row.reported >= row.expected else "incomplete"
            return None
        # a unit with nothing below: its own return
        if row.workflow is not None:
            style = WORKFLOW_STYLE.get(row.workflow, WORKFLOW_STYLE[None])
            word = style.name.get()
        elif row.own_reported:
            style = WORKFLOW_STYLE["draft"]
            word = self.tr("Has figures")
        else:
            style = WORKFLOW_STYLE[None]
            word = style.name.get()
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{style.symbol} {word}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.workflow is not None:
                return self.tr("{unit}: figures entered for this period ({status}).").format(
                    unit=row.unit.name, status=word)
            if row.own_reported:
                return self.tr("{unit}: figures entered for parts of this period.").format(unit=row.unit.name)
            return self.tr("{unit}: no figures entered for this period yet.").format(unit=row.unit.name)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(style.tint))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == self.StatusRole:
            return row.workflow or ("reported" if row.own_reported else "not_reported")
        return None

    def _counts(self, r: Reporting) -> str:
        return self.tr("{reported}/{expected}, on time {on_time}").format(
            reported=format_number(r.reported), expected=format_number(r.expected), on_time=format_number(r.on_time))

    def _own_return(self, row: OverviewRow) -> str:
        """The sentence on the row's unit's own return: when it came, against the due date."""
        sub = row.submission
        due = self._data.period.due_date() if self._data is not None else None
        due_text = due.strftime("%d/%m/%Y") if due is not None else ""
        if sub is None or not sub.reported:
            return self.tr("{unit}: no return submitted for this period (due {due}).").format(
                unit=row.unit.name, due=due_text)
        day = sub.submitted_on.strftime("%d/%m/%Y") if sub.submitted_on is not None else "?"
        if sub.on_time:
            text = self.tr("{unit}: submitted on {day}, on time (due {due}).")
        else:
            text = self.tr("{unit}: submitted on {day}, late (due {due}).")
        text = text.format(unit=row.unit.name, day=day, due=due_text)
        if sub.carried:
            text += " " + self.tr("The date is the one the imported return carries.")
        return text

    def _timeliness(self, row: OverviewRow, role: int):
        state = row.submission.state if row.submission is not None else "not_reported"
        symbol, colours = TIMELINESS_MARKS[state]
        style = STATUS_STYLE[colours]
        below = added(row.reporting) if row.reporting else None
        if role == Qt.ItemDataRole.DisplayRole:
            if below is not None and below.expected:
                return f"{symbol} {self._counts(below)}"
            return f"{symbol} {TIMELINESS_NAMES[state].get()}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [self._own_return(row)] if not row.total or row.workflow is not None else []
            if row.reporting:
                lines.append(self.tr("Returns of the units below {unit}, submitted or approved, of those expected; "
                                     "on time: first submitted by the due date:").format(unit=row.unit.name))
                lines += [f"  {r.level_text(language())}" for r in row.reporting]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.BackgroundRole:
            if below is not None and below.expected:
                return QBrush(QColor(GROUP_TINT)) if row.total else None
            return QBrush(QColor(style.tint))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.colour)) if below is None or not below.expected else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == self.StatusRole:
            return state
        return None

    def _cell_tooltip(self, row: OverviewRow, result: IndicatorResult, status: str) -> str:
        ind = result.indicator
        style = STATUS_STYLE[status]
        whose = self.tr("{unit}, with all units below").format(unit=row.unit.name) if row.has_below else row.unit.name
        lines = [f"<b>{html.escape(ind.name.get())}</b>", html.escape(whose),
                 f"<b>{html.escape(style.symbol)} {html.escape(style.name.get())}</b>"]
        if row.has_figures and result.value is not None:
            lines.append(html.escape(self.tr("Value: {value}").format(value=format_value(ind, result.value))))
        elif not row.has_figures:
            lines.append(html.escape(self.tr("No figures for this period.")))
        if result.checks:
            lines.append(html.escape(self.tr("Target: {target}").format(target=result.target_text(language()))))
            for check in result.checks:
                if check.note is not None:
                    lines.append(f"<i>{html.escape(check.note.get())}</i>")
                if check.target.note is not None:
                    lines.append(f"<i>{html.escape(check.target.note.get())}</i>")
            source = self.tr("Source: {source}").format(source=result.source())
            lines.append(f"<small>{html.escape(source)}</small>")
        else:
            lines.append(html.escape(self.tr("No target for this indicator at this level and year.")))
        return "<br>".join(lines)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if self._data is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < self.columnCount():
                return None
            if section == self.REPORTED:
                if role == Qt.ItemDataRole.DisplayRole:
                    return self.tr("Reported")
                if role == Qt.ItemDataRole.ToolTipRole:
                    return self.tr("Units below that entered figures for the period, of those expected; for a "
                                   "unit with nothing below, its own return.")
                return None
            if section == self.TIMELINESS:
                if role == Qt.ItemDataRole.DisplayRole:
                    return self.tr("On time")
                if role == Qt.ItemDataRole.ToolTipRole:
                    return self.tr("Returns submitted or approved, and of those first submitted by the due date "
                                   "({due}); for a unit with units below, theirs counted.").format(
                        due=self._data.period.due_date().strftime("%d/%m/%Y"))
                return None
            ind = self._data.indicators[section - self.FIRST_INDICATOR]
            if role == Qt.ItemDataRole.DisplayRole:
                return short_name(ind.name.get())
            if role == Qt.ItemDataRole.ToolTipRole:
                unit = " (%)" if is_percent(ind) else ""
                return f"{ind.name.get()}{unit} · {ind.code}"
            return None
        row = self.row(section)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if row.total:
                return self.tr("Total: {unit}").format(unit=row.unit.name)
            return f"{row.unit.name} ({row.unit.official_code})"
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.total:
                return self.tr("{unit} ({code}): its own figures and those of every unit below it.").format(
                    unit=row.unit.name, code=row.unit.code)
            hint = (self.tr("Double-click to open this unit.") if row.unit.active
                    else self.tr("Retired unit; its figures still count."))
            return f"{row.unit.name} ({row.unit.official_code})\n{hint}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.total else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        return None


class _Matrix(QTableView):
    """The table, with Enter opening the current row's unit as a double-click does."""

    row_activated = Signal(int)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_activated.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


class OverviewTab(QWidget):
    """The units directly below the chosen one against their targets, and one indicator over time."""

    unit_requested = Signal(str)
    filled = Signal()  # a new overview is shown: its matrix and its chart

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._office: Office | None = None
        self._unit_code: str | None = None
        self._period: Period | None = None
        self._indicator: str | None = None  # the chart's indicator, kept across contexts when it exists
        self._task: Task | None = None
        self._generation = 0
        self._pending = False
        self._note = ""
        self._ended: list[Task] = []  # tasks that reported back, deleted when the next one starts
        self.figures_cache = FiguresCache()  # roll-ups of earlier overviews of this office, while unchanged
        self._build()

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self)
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.title.setFont(f)
        self.state = QLabel(self)
        self.state.setStyleSheet("color: #5F6368;")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.state)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #3C4043; padding: 6px;")
        self.message.hide()

        self.model = OverviewModel(self)
        self.view = _Matrix(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setCornerButtonEnabled(False)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
        self.view.horizontalHeader().setHighlightSections(True)
        self.view.setStyleSheet("QTableView { gridline-color: #DADCE0; }")
        self.view.doubleClicked.connect(lambda index: self._activate(index.row()))
        self.view.verticalHeader().sectionDoubleClicked.connect(self._activate)
        self.view.row_activated.connect(self._activate)
        self.view.selectionModel().currentChanged.connect(self._current_changed)

        self.legend = QWidget(self)
        self._legend_layout = QHBoxLayout(self.legend)
        self._legend_layout.setContentsMargins(0, 2, 0, 2)

        # who of the units below reported for the period, and on time, per level (DHIS2's reporting rates)
        self.reporting_label = QLabel(self)
        self.reporting_label.setWordWrap(True)
        self.reporting_label.setObjectName("reporting-line")
        self.reporting_label.setStyleSheet("QLabel#reporting-line { color: #3C4043; padding: 2px 0; }")

        matrix_box = QWidget(self)
        lay = QVBoxLayout(matrix_box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.reporting_label)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.legend)
        self.matrix_box = matrix_box

        self.indicator_label = QLabel(self)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(40)
        self.combo.currentIndexChanged.connect(self._combo_changed)
        self.indicator_label.setBuddy(self.combo)
        controls = QHBoxLayout()
        controls.addWidget(self.indicator_label)
        controls.addWidget(self.combo, 1)
        controls.addStretch(1)

        chart_box = QWidget(self)
        lay = QVBoxLayout(chart_box)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(controls)
        # The chart is made when it is first drawn, with its figures (see _make_chart); till then its space.
        self._chart = self._chart_view = None
        self._chart_space = QWidget(chart_box)
        self._chart_space.setMinimumHeight(220)
        self._chart_layout = lay
        lay.addWidget(self._chart_space, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(matrix_box)
        self.splitter.addWidget(chart_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        # After the 2025 reorganisation: which old units the rows or figures are, and which targets judge them.
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setObjectName("lineage-note")
        self.note_label.setStyleSheet("QLabel#lineage-note { background: #FFF8E1; color: #5D4037; padding: 4px; }")
        self.note_label.hide()
        main = QVBoxLayout(self)
        main.setContentsMargins(8, 8, 8, 8)
        main.addLayout(top)
        main.addWidget(self.message)
        main.addWidget(self.note_label)
        main.addWidget(self.splitter, 1)

        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(250)
        self._busy_timer.timeout.connect(self._show_state)
        self._retranslate()

    def _build_legend(self) -> None:
        while self._legend_layout.count():
            item = self._legend_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        for status in ("met", "at_risk", "missed", "no_data", "no_target"):
            style = STATUS_STYLE[status]
            symbol = {"no_data": NO_DATA, "no_target": format_number(12.3, 1)}.get(status, style.symbol)
            label = QLabel(self.legend)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(
                f'<span style="background-color:{style.tint}; color:{style.colour};">&nbsp;{html.escape(symbol)}'
                f'&nbsp;</span>&nbsp;{html.escape(style.name.get())}')
            label.setToolTip(self._legend_tip(status))
            self._legend_layout.addWidget(label)
            self._legend_layout.addSpacing(12)
        hint = QLabel(self.tr("Quarters and half-years not yet at their year's target are at risk, never missed. "
                              "Double-click a unit to open it."), self.legend)
        hint.setStyleSheet("color: #5F6368;")
        hint.setWordWrap(True)
        self._legend_layout.addWidget(hint, 1)

    def _legend_tip(self, status: str) -> str:
        return {
            "met": self.tr("The value meets every target of the indicator."),
            "at_risk": self.tr("Part of a year below the year's target, or within the margin of it."),
            "missed": self.tr("The year's value does not meet a target."),
            "no_data": self.tr("No figures, or not enough to judge (e.g. last year's figures are needed)."),
            "no_target": self.tr("The target set has no target for this indicator, level and year."),
        }[status]

    def _retranslate(self) -> None:
        self.indicator_label.setText(self.tr("&Indicator:"))
        self.message.setText(self.tr("This unit has no units below; see its figures in Data entry."))
        self._build_legend()
        self.model.retranslate()
        self._fill_combo()
        self._update_title()
        self._update_reporting()
        self._draw_chart()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- the context --------------------------------------------------------------------------------

    def set_context(self, office: Office, unit_code: str, period: Period) -> None:
        """Show unit_code's units below for period; worked out now if the tab is shown, else when it is."""
        if office is not self._office:
            self.cancel()
            self.model.set_overview(None)
            self._indicator = None
            self.figures_cache = FiguresCache()
        self._office, self._unit_code, self._period = office, unit_code, period
        self._request()

    def refresh(self) -> None:
        """Work the figures out again (after data changed)."""
        self._request()

    def cancel(self) -> None:
        """Stop the computation under way, if any; the matrix shown stays."""
        if self._task is not None:
            self._task.cancel()

    @property
    def is_computing(self) -> bool:
        return self._task is not None

    @property
    def task(self) -> Task | None:
        return self._task

    def _request(self) -> None:
        if self._office is None or self._unit_code is None or self._period is None:
            return
        if not self.isVisible():
            self._pending = True
            return
        self._start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending:
            self._pending = False
            self._start()

    def _start(self) -> None:
        self._pending = False
        for old in self._ended:  # long returned from their pool thread by now
            old.deleteLater()
        self._ended.clear()
        if self._task is not None:
            self._task.cancel()  # its result would be stale: dropped when it comes
        self._generation += 1
        gen = self._generation
        office, code, period = self._office, self._unit_code, self._period
        path, catalogue = office.store.path, office.catalogue
        cache = self.figures_cache
        version = cache.begin(office.store.data_version())
        try:
            name = office.unit(code).name
        except ParAppError:
            name = code

        def work(progress):
            return compute_in_own_office(path, catalogue, code, period, progress, cache, version)

        task = Task(self, self.tr("Working out the overview of {unit}, {period}…").format(
            unit=name, period=period.label(language())), work)
        task.finished.connect(partial(self._finished, gen, task))
        task.cancelled.connect(partial(self._cancelled, gen, task))
        task.failed.connect(partial(self._failed, gen, task))
        self._task = task
        self._note = self.tr("Working out {unit}, {period}…").format(unit=name, period=period.short_label(language()))
        self._busy_timer.start()
        task.start()

    def _end(self, gen: int, task: Task) -> bool:
        """Forget a task that ended; True when it is the current one."""
        self._ended.append(task)
        if gen != self._generation:
            return False
        self._task = None
        self._busy_timer.stop()
        return True

    def _finished(self, gen: int, task: Task, result: object) -> None:
        if not self._end(gen, task):
            return
        if result is None:  # stopped on cancel between two steps
            self._cancelled_note()
            return
        self._note = ""
        self._show(result)

    def _cancelled(self, gen: int, task: Task) -> None:
        if self._end(gen, task):
            self._cancelled_note()

    def _cancelled_note(self) -> None:
        data = self.model.overview()
        if data is not None:
            self._note = self.tr("Update cancelled; still showing {unit}, {period}.").format(
                unit=data.unit.name, period=data.period.short_label(language()))
        else:
            self._note = self.tr("Cancelled.")
        self._show_state()

    def _failed(self, gen: int, task: Task, exc: object, _text: str) -> None:
        if not self._end(gen, task):
            return
        self._note = ""
        self._show_state()
        if isinstance(exc, sqlite3.Error) and self._office is not None:  # the file's doing, not a bug
            from parapp.store.backup import DamagedError
            from parapp.store.db import explain

            exc = explain(exc, self._office.store.path) or exc
            if isinstance(exc, DamagedError):
                return  # the window's own check of the file says so, and offers the backup
        if isinstance(exc, ParAppError):
            QMessageBox.warning(self, "ParApp", exc.message())
        elif isinstance(exc, BaseException):
            sys.excepthook(type(exc), exc, exc.__traceback__)  # the crash dialog

    def _show_state(self) -> None:
        self.state.setText(self._note)

    # -- showing ----------------------------------------------------------------------------------

    def _show(self, data: OverviewData) -> None:
        keep_row = self.model.unit_code(self.view.currentIndex().row()) if self.view.currentIndex().isValid() else None
        self.model.set_overview(data)
        self._show_state()
        has_matrix = bool(data.rows)
        self.note_label.setText(data.note or "")
        self.note_label.setVisible(bool(data.note))
        self.matrix_box.setVisible(has_matrix)
        self.message.setVisible(not has_matrix)
        if has_matrix:
            self._size_columns()
        codes = [i.code for i in data.indicators]
        if self._indicator not in codes:
            self._indicator = codes[0] if codes else None
        self._fill_combo()
        self._update_reporting()
        if has_matrix and self._indicator is not None:
            row = self.model.row_of(keep_row) if keep_row else -1
            col = self.model.column_of(self._indicator)
            if row >= 0 and col >= 0:
                self.view.setCurrentIndex(self.model.index(row, col))
        self._update_title()
        self._draw_chart()
        self.filled.emit()

    def _size_columns(self) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for c in range(self.model.columnCount()):
            header.resizeSection(c, min(max(header.sectionSize(c), 72), 170))
        self.view.resizeRowsToContents()

    def _update_title(self) -> None:
        data = self.model.overview()
        if data is None:
            self.title.setText("")
            return
        if data.rows:
            self.title.setText(self.tr("{unit}: the units below, {period}").format(
                unit=data.unit.name, period=data.period.label(language())))
        else:
            self.title.setText(self.tr("{unit}, {period}").format(unit=data.unit.name,
                                                                   period=data.period.label(language())))

    def reporting_text(self) -> str:
        """The line above the matrix: per level below, how many returns came and how many on time."""
        data = self.model.overview()
        if data is None or data.reporting is None or not data.reporting.levels:
            return ""
        parts = []
        for r in data.reporting.levels:
            level = LEVEL_NAMES[r.level].get() if r.level in LEVEL_NAMES else r.level
            parts.append(self.tr("{level}: Reported {reported}/{expected}, on time {on_time}").format(
                level=level, reported=format_number(r.reported), expected=format_number(r.expected),
                on_time=format_number(r.on_time)))
        due = self.tr("due {due}").format(due=data.reporting.due.strftime("%d/%m/%Y"))
        return " · ".join(parts) + f" ({due})"

    def _update_reporting(self) -> None:
        text = self.reporting_text()
        self.reporting_label.setText(text)
        self.reporting_label.setVisible(bool(text))

    def _fill_combo(self) -> None:
        data = self.model.overview()
        self.combo.blockSignals(True)
        self.combo.clear()
        if data is not None:
            for ind in data.indicators:
                self.combo.addItem(ind.name.get(), ind.code)
                self.combo.setItemData(self.combo.count() - 1, f"{ind.name.get()} · {ind.code}",
                                       Qt.ItemDataRole.ToolTipRole)
            i = self.combo.findData(self._indicator)
            self.combo.setCurrentIndex(max(i, 0))
        self.combo.blockSignals(False)

    def _combo_changed(self, i: int) -> None:
        code = self.combo.itemData(i)
        if code is None or code == self._indicator:
            return
        self._indicator = code
        col = self.model.column_of(code)
        cur = self.view.currentIndex()
        if col >= 0 and cur.isValid() and cur.column() != col:
            self.view.setCurrentIndex(self.model.index(cur.row(), col))
        self._draw_chart()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ind = self.model.indicator(current.column()) if current.isValid() else None
        if ind is not None and ind.code != self._indicator:
            self._indicator = ind.code
            i = self.combo.findData(ind.code)
            if i >= 0:
                self.combo.blockSignals(True)
                self.combo.setCurrentIndex(i)
                self.combo.blockSignals(False)
            self._draw_chart()

    def _activate(self, row: int) -> None:
        code = self.model.unit_code(row)
        if code is not None and not self.model.is_total(row):
            self.unit_requested.emit(code)

    def select_indicator(self, code: str) -> None:
        """Show this indicator in the chart (and make its column current)."""
        i = self.combo.findData(code)
        if i >= 0:
            self.combo.setCurrentIndex(i)

    # -- the chart --------------------------------------------------------------------------------

    def chart_points(self) -> list[tuple[Period, float | None, float | None, str]]:
        """What the chart shows: (period, value, target, status) from the first period with figures on."""
        data = self.model.overview()
        if data is None or self._indicator is None:
            return []
        points = list(data.points)
        while points and not points[0].has_figures:
            points.pop(0)
        out = []
        for p in points:
            r = p.results.get(self._indicator)
            if r is None:
                continue
            value = r.value if p.has_figures else None
            out.append((p.period, value, goal_of(r), r.status if value is not None else "no_data"))
        return out

    @property
    def chart(self):
        """The chart (a QChart), made now if it was not yet."""
        self._make_chart()
        return self._chart

    @property
    def chart_view(self):
        self._make_chart()
        return self._chart_view

    def _make_chart(self) -> None:
        """The chart and its view, in the space kept for them. They are made when first drawn, not with the tab:
        Qt's charts library is loaded then, while the window opens without it."""
        if self._chart is not None:
            return
        from parapp.gui.qt import QChart, QChartView, QPainter

        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QtCore.QMargins(4, 4, 4, 4))
        view = QChartView(chart, self)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        self._chart, self._chart_view = chart, view
        self._chart_layout.replaceWidget(self._chart_space, view)
        self._chart_space.deleteLater()
        self._chart_space = None

    def _draw_chart(self) -> None:
        data = self.model.overview()
        ind = next((i for i in data.indicators if i.code == self._indicator), None) if data else None
        if self._chart is None and (data is None or ind is None):
            return  # nothing drawn yet: nothing to clear
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if data is None or ind is None:
            chart.setTitle("")
            return
        points = self.chart_points()
        if not points:
            chart.setTitle(self.tr("{indicator} — {unit}: no figures yet").format(
                indicator=html.escape(ind.name.get()), unit=html.escape(data.unit.name)))
            return
        whose = self.tr("all units below") if data.rows else self.tr("own figures")
        chart.setTitle(f"<b>{html.escape(ind.name.get())}</b> — {html.escape(data.unit.name)} ({html.escape(whose)})")
        carried = {p.period for p in data.points if p.lineage}
        if any(p in carried for p, *_ in points):
            chart.setTitle(chart.title() + "<br><small>" + html.escape(
                self.tr("* before the unit existed: its predecessors' figures combined")) + "</small>")
        from parapp.gui.qt import QBarCategoryAxis, QValueAxis

        axis_x = QBarCategoryAxis()
        axis_x.append([p.short_label(language()) + (" *" if p in carried else "") for p, *_ in points])
        axis_y = QValueAxis()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)

        value_pen = QtGui.QPen(QColor(VALUE_COLOUR))
        value_pen.setWidthF(2.5)
        target_pen = QtGui.QPen(QColor(TARGET_COLOUR))
        target_pen.setWidthF(1.8)
        target_pen.setStyle(Qt.PenStyle.DashLine)
        self._segments(points, 1, self.tr("Value"), value_pen, axis_x, axis_y, ind, True)
        self._segments(points, 2, self.tr("Target"), target_pen, axis_x, axis_y, ind, False)

        numbers = [x for _, v, g, _ in points for x in (v, g) if x is not None]
        low, high = min(numbers + [0.0]), max(numbers + [0.0])
        if is_percent(ind) and high <= 100:
            low, high = min(low, 0.0), 100.0
        elif high == low:
            high = low + 1
        else:
            high += (high - low) * 0.08
        axis_y.setRange(low, high)
        if not is_percent(ind):
            axis_y.applyNiceNumbers()
        axis_y.setLabelFormat("%.0f")
        axis_y.setTitleText("%" if is_percent(ind) else "")

    def _segments(self, points, field: int, name: str, pen, axis_x, axis_y, ind: Indicator, markers: bool) -> None:
        """Lines through the consecutive points that have a value (field 1) or a target (field 2)."""
        from parapp.gui.qt import QLineSeries, QXYSeries

        first = True
        run: list[int] = []

        def flush() -> None:
            nonlocal first
            if not run:
                return
            series = QLineSeries()
            series.setName(name)
            series.setPen(pen)
            if markers:  # a point per period, coloured by its status
                for i in run:
                    series.append(float(i), float(points[i][field]))
                series.setPointsVisible(True)
                series.setMarkerSize(8.0)
                for k, i in enumerate(run):
                    status = points[i][3]
                    colour = QColor(VALUE_COLOUR if status == "no_target" else STATUS_STYLE[status].colour)
                    series.setPointConfiguration(k, {QXYSeries.PointConfiguration.Color: colour})
            else:  # a target holds for the whole period: a level across its category, a step between years
                for i in run:
                    series.append(i - TARGET_HALF_WIDTH, float(points[i][field]))
                    series.append(i + TARGET_HALF_WIDTH, float(points[i][field]))
            series.hovered.connect(partial(self._hovered, list(run), ind))
            self.chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            if not first:
                for m in self.chart.legend().markers(series):
                    m.setVisible(False)
            first = False
            run.clear()

        for i, point in enumerate(points):
            if point[field] is None:
                flush()
            else:
                run.append(i)
        flush()

    def _hovered(self, run: list[int], ind: Indicator, point, state: bool) -> None:
        if not state:
            QtWidgets.QToolTip.hideText()
            return
        points = self.chart_points()
        i = round(point.x())
        if i not in run or not 0 <= i < len(points):
            return
        period, value, goal, status = points[i]
        style = STATUS_STYLE[status]
        text = f"{period.label(language())}\n{style.symbol} {style.name.get()}: {format_value(ind, value)}"
        if goal is not None:
            text += "\n" + self.tr("Target: {target}").format(target=format_value(ind, goal))
        data = self.model.overview()
        lineage = next((p.lineage for p in data.points if p.period == period), None) if data else None
        if lineage:
            text += "\n" + "\n".join(textwrap.wrap(lineage, 60))
        QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), text, self.chart_view)
