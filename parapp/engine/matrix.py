"""The units below a unit × the indicators for a period, and who reported on time: one computation for the
overview, the consolidated workbook, the summary report and ``parapp show``.

A row is a unit directly below (in the tree in force for the period; for a time before the unit existed, the
old units it was made of), with its ROLL-UP (its own figures and every unit's below it) assessed at its level;
then the unit's own figures; then the total, the unit's roll-up: rates computed from the summed counts, never
an average of the rows' rates.

Timeliness, as DHIS2's reporting rate summary counts it. A unit-period is *reported* when its own return has
been submitted or approved (completeness); it is *on time* when its first submission came by the period's due
date (``Period.due_date``, the 20th of its last month). The day of a submission is the one the history gives
(the first status row that submitted or approved it); for a return imported as submitted, the date the return
carries when the import kept it (``parapp.store.values.return_date``). The units expected at a level are the
active units of that level in force for the period. Counts are kept per level and added up; rates are worked
out from the added counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from parapp.domain.catalogue import LEVEL_NAMES, Indicator
from parapp.domain.periods import Period
from parapp.engine.aggregate import Aggregate
from parapp.engine.compliance import IndicatorResult, assess
from parapp.engine.lineage import Provenance
from parapp.i18n import ParAppError, Text, format_number
from parapp.records import record
from parapp.store import values as value_store
from parapp.store.units import Unit
from parapp.store.values import return_date

# a step of the work done: False stops it (compute_matrix then returns None); it may raise instead
Step = Callable[[], bool | None]

REPORTED = ("submitted", "approved")
_ADVANCE = ("returned", "draft", "submitted", "approved")  # least advanced first
_CHUNK = 500  # units per query

# timeliness of a unit's own return -> (symbol, the compliance status whose colours it takes)
TIMELINESS_MARKS = {"on_time": ("✔", "met"), "late": ("◷", "missed"), "not_reported": ("○", "no_data")}
TIMELINESS_NAMES = {
    "on_time": Text("Đúng hạn", "On time"),
    "late": Text("Quá hạn", "Late"),
    "not_reported": Text("Chưa báo cáo", "Not reported"),
}


# ------------------------------------------------------------------------------------------ timeliness


@record(frozen=True)
class Submission:
    """One unit's own return for exactly the period, as timeliness sees it."""

    status: str | None  # its workflow status now
    submitted_on: date | None  # the day of its first submission (an imported return: the date it carries)
    due: date
    carried: bool = False  # submitted_on is the date an imported return carries, not this office's

    @property
    def reported(self) -> bool:
        return self.status in REPORTED

    @property
    def on_time(self) -> bool:
        return self.reported and self.submitted_on is not None and self.submitted_on <= self.due

    @property
    def state(self) -> str:
        """on_time, late or not_reported."""
        if not self.reported:
            return "not_reported"
        return "on_time" if self.on_time else "late"


@record(frozen=True)
class Reporting:
    """How many of the units expected at one level reported, and how many of those on time."""

    level: str
    expected: int = 0
    reported: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def reported_rate(self) -> float | None:
        """Per cent of the expected that reported (None when none is expected)."""
        return self.reported * 100.0 / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Per cent of the expected that reported on time."""
        return self.on_time * 100.0 / self.expected if self.expected else None

    def __add__(self, other: Reporting) -> Reporting:
        level = self.level if self.level == other.level else ""
        return Reporting(level, self.expected + other.expected, self.reported + other.reported,
                         self.on_time + other.on_time)

    def text(self, lang: str | None = None) -> str:
        """'Đã báo cáo 24/27, đúng hạn 19' (en: 'Reported 24/27, on time 19'), numbers as the language writes them."""
        n = {k: format_number(v, 0, lang) for k, v in
             (("r", self.reported), ("e", self.expected), ("o", self.on_time))}
        return Text(f"Đã báo cáo {n['r']}/{n['e']}, đúng hạn {n['o']}",
                    f"Reported {n['r']}/{n['e']}, on time {n['o']}").get(lang)

    def level_text(self, lang: str | None = None) -> str:
        """'Cấp xã: đã báo cáo 24/27, đúng hạn 19'."""
        name = LEVEL_NAMES[self.level].get(lang) if self.level in LEVEL_NAMES else self.level
        words = self.text(lang)
        return f"{name}: {words[:1].lower()}{words[1:]}" if name else words


def added(parts: Iterable[Reporting], level: str = "") -> Reporting:
    """Counts added up (over levels or units); rates come from the sums."""
    out = Reporting(level)
    for p in parts:
        out = Reporting(level, out.expected + p.expected, out.reported + p.reported, out.on_time + p.on_time)
    return out


@record(frozen=True)
class ReportingSummary:
    """Timeliness below a unit for a period: per unit below, per level, and the unit's own return."""

    unit: Unit
    period: Period
    due: date
    rows: tuple[Unit, ...]  # the units directly below (as the overview lists them, retired ones included)
    own: Submission  # the unit's own return
    levels: tuple[Reporting, ...]  # per level below the unit, top down
    units: dict[str, Submission]  # the units directly below and the unit itself, by code
    per_unit: dict[str, tuple[Reporting, ...]]  # for each unit directly below: per level below it

    @property
    def first(self) -> Reporting:
        """The level directly below (what "reported 24/27, on time 19" says of the units in the list)."""
        return self.levels[0] if self.levels else Reporting("")

    @property
    def all(self) -> Reporting:
        return added(self.levels)


def _first_submissions(store, codes: Sequence[str], period: Period) -> dict[str, tuple[date, bool]]:
    """The day of each unit's first submission for the period from the history (the date an imported return
    carries, when the import kept it), with whether it is such a carried date."""
    out: dict[str, tuple[date, bool]] = {}
    for i in range(0, len(codes), _CHUNK):
        part = codes[i:i + _CHUNK]
        for unit, at, reason in value_store.status_changes(store, str(period), part, ("submitted", "approved")):
            carried = return_date(reason)
            day = carried or _day(at)
            if day is None:
                continue
            seen = out.get(unit)
            if seen is None or day < seen[0]:
                out[unit] = (day, carried is not None)
    return out


def _day(text: object) -> date | None:
    """The day of an ISO timestamp as its writer's clock gave it; None for anything else."""
    try:
        return date.fromisoformat(str(text)[:10])
    except (TypeError, ValueError):
        return None


def submissions(store, codes: Sequence[str], period: Period) -> dict[str, Submission]:
    """The Submission of each unit's own return for exactly the period."""
    due = period.due_date()
    found: dict[str, tuple[str | None, str | None]] = {}
    cur = store.conn.cursor()
    cur.row_factory = None
    codes = list(dict.fromkeys(codes))
    for i in range(0, len(codes), _CHUNK):
        part = codes[i:i + _CHUNK]
        for code, status, changed_at in cur.execute(
                f"SELECT unit, status, changed_at FROM statuses WHERE period = ? AND unit IN "
                f"({', '.join('?' * len(part))})", (str(period), *part)):
            found[code] = (status, changed_at)
    reported = [c for c, (status, _at) in found.items() if status in REPORTED]
    first = _first_submissions(store, reported, period) if reported else {}
    out = {}
    for code in codes:
        status, changed_at = found.get(code, (None, None))
        day, carried = None, False
        if status in REPORTED:
            day, carried = first.get(code) or (_day(changed_at), False)  # no history row: the status row's day
        out[code] = Submission(status, day, due, carried)
    return out


# Per unit directly below and level: the active units in force for the period below it, those whose own return
# is submitted or approved, and those whose status has not changed since the due date (so surely on time: their
# first submission came before that change). The others that reported are looked up in the history.
_COUNTS = ("SELECT t.ancestor, u.level, count(*), count(CASE WHEN s.status IN ('submitted', 'approved') THEN 1 END), "
           "count(CASE WHEN s.status IN ('submitted', 'approved') AND substr(s.changed_at, 1, 10) <= ?1 THEN 1 END) "
           "FROM unit_tree t JOIN units u ON u.code = t.unit LEFT JOIN statuses s ON s.unit = t.unit AND s.period = ?2 "
           "WHERE t.ancestor IN ({marks}) AND t.depth > 0 AND u.active = 1{in_force} GROUP BY t.ancestor, u.level")
_DOUBTFUL = ("SELECT t.ancestor, u.level, t.unit FROM unit_tree t JOIN units u ON u.code = t.unit "
             "JOIN statuses s ON s.unit = t.unit AND s.period = ?2 "
             "WHERE t.ancestor IN ({marks}) AND t.depth > 0 AND u.active = 1{in_force} "
             "AND s.status IN ('submitted', 'approved') AND NOT substr(s.changed_at, 1, 10) <= ?1")
_IN_FORCE = (" AND NOT EXISTS (SELECT 1 FROM unit_spans sp WHERE sp.code = t.unit AND "
             "(sp.valid_from > ?3 OR sp.valid_to < ?3))")


def reporting_summary(office, unit: str | Unit, period: Period, below: Sequence[Unit] | None = None) -> ReportingSummary:
    """Who of the units below `unit` reported for `period`, and on time: per unit directly below, per level."""
    store = office.store
    top = unit if isinstance(unit, Unit) else office.unit(unit)
    rows = list(office.rows_below(top, period)) if below is None else list(below)
    due = period.due_date()
    subs = submissions(store, [top.code] + [r.code for r in rows], period)
    spans = store.has_spans_cached()
    cur = store.conn.cursor()
    cur.row_factory = None
    counts: dict[tuple[str, str], list[int]] = {}  # (unit directly below, level) -> [expected, reported, on time]
    codes = [r.code for r in rows]
    for i in range(0, len(codes), _CHUNK):
        part = codes[i:i + _CHUNK]
        marks = ", ".join(f"?{4 + k}" for k in range(len(part)))
        args = (due.isoformat(), str(period), period.end.isoformat(), *part)
        in_force = _IN_FORCE if spans else ""
        for ancestor, level, expected, reported, on_time in cur.execute(
                _COUNTS.format(marks=marks, in_force=in_force), args):
            counts[(ancestor, level)] = [expected, reported, on_time]
        doubtful = []
        if any(counts[k][1] > counts[k][2] for k in counts if k[0] in part):  # some reported after the due date
            doubtful = cur.execute(_DOUBTFUL.format(marks=marks, in_force=in_force), args).fetchall()
        if doubtful:
            first = _first_submissions(store, [code for _a, _l, code in doubtful], period)
            for ancestor, level, code in doubtful:
                day = first.get(code)
                if day is not None and day[0] <= due:
                    counts[(ancestor, level)][2] += 1
    depth_of = {lv: k for k, lv in enumerate(_levels(store))}

    def ordered(by: dict[str, list[int]]) -> tuple[Reporting, ...]:
        return tuple(Reporting(lv, *c) for lv, c in sorted(by.items(), key=lambda kv: depth_of.get(kv[0], 99)))

    per_unit: dict[str, dict[str, list[int]]] = {code: {} for code in codes}
    levels: dict[str, list[int]] = {}
    for (ancestor, level), c in counts.items():
        per_unit[ancestor][level] = c
        total = levels.setdefault(level, [0, 0, 0])
        for k in range(3):
            total[k] += c[k]
    for r in rows:  # the units directly below themselves, when expected
        if r.active and r.in_force(period):
            s = subs[r.code]
            total = levels.setdefault(r.level, [0, 0, 0])
            total[0] += 1
            total[1] += s.reported
            total[2] += s.on_time
    return ReportingSummary(top, period, due, tuple(rows), subs[top.code], ordered(levels),
                            subs, {code: ordered(by) for code, by in per_unit.items()})


def _levels(store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT code FROM levels ORDER BY depth")]


# ------------------------------------------------------------------------------------------ the matrix


@record(frozen=True)
class MatrixRow:
    """One line: a unit below (its roll-up), the chosen unit's own figures, or the total (its roll-up)."""

    kind: str  # "unit", "own" or "total"
    unit: Unit
    agg: Aggregate
    results: dict[str, IndicatorResult]  # by indicator code, in the matrix's columns' order
    status: str | None  # the workflow status of the unit's own return for exactly the period
    sub_status: str | None  # without one: the least advanced status of the sub-periods it has returns for
    sub_count: int  # ... and for how many sub-periods
    has_below: bool  # the unit has active units below it
    submission: Submission  # its own return's timeliness
    reporting: tuple[Reporting, ...] = ()  # per level below the unit (the total row: below the chosen unit)
    lineage: Provenance | None = None  # the total row before the unit existed: whose figures they are

    @property
    def shown_status(self) -> str | None:
        """The status a list shows: the period's own, else the least advanced of its sub-periods'."""
        return self.status if self.status is not None else self.sub_status

    @property
    def own_reported(self) -> bool:
        """The unit has a return (any status) for the period or a part of it."""
        return self.status is not None or self.sub_count > 0

    @property
    def coverage(self) -> tuple[int, int] | None:
        """(reported, expected): units below with figures for the period (none for the own-figures row)."""
        return None if self.kind == "own" else (self.agg.reported, self.agg.expected)


@record(frozen=True)
class Matrix:
    """The units below a unit, each with its indicators' results, and their total."""

    unit: Unit
    period: Period
    level: str  # the level of the units below ("" when there are none)
    indicators: tuple[Indicator, ...]  # those of the level below, in the catalogue's order
    rows: tuple[MatrixRow, ...]  # units below, then own, then total; empty for a unit with none below
    reporting: ReportingSummary

    @property
    def units(self) -> list[MatrixRow]:
        return [r for r in self.rows if r.kind == "unit"]

    @property
    def own(self) -> MatrixRow | None:
        return next((r for r in self.rows if r.kind == "own"), None)

    @property
    def total(self) -> MatrixRow | None:
        return next((r for r in self.rows if r.kind == "total"), None)

    def with_values(self) -> list[Indicator]:
        """The indicators some row has a value for (what a printed table shows)."""
        return [i for i in self.indicators if any(r.results[i.code].value is not None for r in self.rows)]


def no_units_below(unit: Unit) -> ParAppError:
    """The refusal of a workbook or summary of units below for a unit that has none."""
    return ParAppError(f"{unit.name} không có đơn vị trực thuộc; bảng tổng hợp dành cho cấp huyện và cấp tỉnh.",
                       f"{unit.name} has no units below it; consolidated workbooks are for districts and provinces.")


def _statuses(store, codes: list[str], period: Period) -> dict[str, tuple[str | None, str | None, int]]:
    """Each unit's (status for the period, least advanced status of its sub-periods', how many sub-periods)."""
    out: dict[str, tuple[str | None, str | None, int]] = dict.fromkeys(codes, (None, None, 0))
    ids = [str(period)] + [str(q) for q in period.descendants()]
    subs: dict[str, list[str]] = {}
    for i in range(0, len(codes), _CHUNK):
        part = codes[i:i + _CHUNK]
        for code, pid, status in store.conn.execute(
                f"SELECT unit, period, status FROM statuses WHERE unit IN ({', '.join('?' * len(part))}) "
                f"AND period IN ({', '.join('?' * len(ids))})", (*part, *ids)):
            if pid == ids[0]:
                out[code] = (status, *out[code][1:])
            else:
                subs.setdefault(code, []).append(status)
    for code, sts in subs.items():
        least = min(sts, key=lambda s: _ADVANCE.index(s) if s in _ADVANCE else -1)
        out[code] = (out[code][0], least, len(sts))
    return out


def compute_matrix(office, unit: str | Unit, period: Period, below: Sequence[Unit] | None = None,
                   step: Step | None = None, own: bool = True) -> Matrix | None:
    """The units below `unit` × the indicators of their level for `period`, then the unit's own figures (unless
    own is False: the window lists no such row) and its roll-up, with statuses, targets and timeliness. step() is
    called once per unit below and once for the unit itself; when it returns False the work stops and None is
    returned."""
    catalogue, margin = office.catalogue, office.margin
    top = unit if isinstance(unit, Unit) else office.unit(unit)
    rows_below = list(office.rows_below(top, period)) if below is None else list(below)
    level = rows_below[0].level if rows_below else ""
    indicators = tuple(catalogue.indicators_for(level or top.level))
    reporting = reporting_summary(office, top, period, rows_below)
    if not rows_below:
        return Matrix(top, period, level, indicators, (), reporting)
    codes = [u.code for u in rows_below]
    statuses = _statuses(office.store, codes + [top.code], period)
    with_below: set[str] = set()
    for i in range(0, len(codes), _CHUNK):
        part = codes[i:i + _CHUNK]
        with_below |= {r[0] for r in office.store.conn.execute(
            f"SELECT DISTINCT parent FROM units WHERE active = 1 AND parent IN ({', '.join('?' * len(part))})", part)}
    wanted = list(indicators)
    out: list[MatrixRow] = []
    for u in rows_below:
        agg = office.figures(u, period, below=True)[0]
        if u.active or agg.values:  # a retired unit only while it has figures for the period
            results = assess(catalogue, office.target_set_for(u, period), u.level, period, agg.values,
                             office.history_lookup(u.code, True), margin, indicators=wanted)
            st, sub, n = statuses[u.code]
            out.append(MatrixRow("unit", u, agg, {r.code: r for r in results}, st, sub, n, u.code in with_below,
                                 reporting.units[u.code], reporting.per_unit.get(u.code, ())))
        if step is not None and step() is False:
            return None
    ts = office.target_set_for(top, period)
    st, sub, n = statuses[top.code]
    if own:
        figures = office.figures(top, period)[0]
        results = assess(catalogue, ts, top.level, period, figures.values, office.history_lookup(top.code, False),
                         margin, indicators=wanted)
        out.append(MatrixRow("own", top, figures, {r.code: r for r in results}, st, sub, n, True, reporting.own))
    total, lineage = office.figures(top, period, below=True)
    results = assess(catalogue, ts, top.level, period, total.values, office.history_lookup(top.code, True), margin,
                     indicators=wanted)
    out.append(MatrixRow("total", top, total, {r.code: r for r in results}, st, sub, n, True, reporting.own,
                         reporting.levels, lineage))
    if step is not None and step() is False:
        return None
    return Matrix(top, period, level, indicators, tuple(out), reporting)
