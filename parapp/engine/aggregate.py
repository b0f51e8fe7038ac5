"""Element values of a unit for any period, own or rolled up over every unit below it.

Over time: a period's value is the value stored for it, else the values of its sub-periods combined by
the element's time kind (flows sum, opening stocks take the first sub-period's, closing stocks the last's,
percentages their weighted mean). Across units: counts sum; percentages take the respondent-weighted
mean. Percentages of indicators are computed afterwards from these sums, never averaged.

Each unit's value is resolved on its own (a unit that entered the half-year directly and another that
entered quarters both count once), and the work is done by SQLite: one statement per part of the period
for the sums, grouped by element alone, and one more, when there are percentages, for each unit's value with
its respondent count. Only periods someone stored values for are read (Store.periods_used); the statements are
built once per period.
"""

from __future__ import annotations

from functools import lru_cache

from parapp.domain.catalogue import Catalogue
from parapp.domain.periods import Period
from parapp.records import field, record
from parapp.store.db import Store


@record
class Aggregate:
    """Element values of one unit (or a subtree) for one period."""

    values: dict[str, float] = field(default_factory=dict)
    contributors: dict[str, int] = field(default_factory=dict)  # how many unit-values went into each
    unweighted: set[str] = field(default_factory=set)  # percentages averaged without respondent counts
    reported: int = 0
    expected: int = 0


@record(frozen=True)
class _Part:
    """A period whose stored values may make up the period asked for."""

    id: str
    between: tuple[str, ...]  # periods between it and the one asked for: a value stored there shadows it
    opening: bool  # starts with the period asked for: its opening stocks count
    closing: bool  # ends with it: its closing stocks count


@lru_cache(maxsize=512)
def _candidates(period: Period) -> tuple[tuple[_Part, ...], frozenset[str]]:
    """Every part of `period`: itself first, then each period inside it, coarse to fine; and all their ids."""
    parts = [_Part(str(period), (), True, True)]
    for q in period.descendants():
        parts.append(_Part(str(q), tuple(str(a) for a in q.ancestors() if period.contains(a)),
                           q.start == period.start, q.end == period.end))
    return tuple(parts), frozenset(p.id for p in parts)


@record(frozen=True, eq=False)  # one per (period, below, used), cached: compared by identity
class _Plan:
    """The statements that read a period's values, for the periods stored."""

    parts: tuple[_Part, ...]  # the parts someone stored values for, `between` cut down the same way
    scope: str
    conditions: tuple[str, ...]  # each part's WHERE terms
    args: tuple[str, ...]  # their parameters ?2, ?3, ... (?1 is the unit)
    # Per part, the sums and counts per element (grouped by element alone: SQLite's sorter compares a one-column
    # key much faster than an (element, period) pair) and their parameters after the unit.
    statements: tuple[tuple[str, tuple[str, ...]], ...]
    order: object  # the key rows are sorted by across the parts (None: part by part, as they come)


# A value counts only while its unit is in force (after the 2025 reorganisation, figures kept for an old unit
# for a later period are not part of any roll-up). Only databases with unit spans pay for the probe.
_IN_SPAN = ("NOT EXISTS (SELECT 1 FROM unit_spans s WHERE s.code = dv.unit AND "
            "(s.valid_from > ?{n} OR s.valid_to < ?{n}))")


_SCOPES = {
    (True, False): "FROM unit_tree t JOIN data_values dv ON dv.unit = t.unit WHERE t.ancestor = ?1",
    (False, False): "FROM data_values dv WHERE dv.unit = ?1",
    # ?1 is a unit of 1 July 2025 and the values are those of the old units it was made of (whole).
    (True, True): ("FROM unit_links l JOIN unit_tree t ON t.ancestor = l.predecessor "
                   "JOIN data_values dv ON dv.unit = t.unit WHERE l.successor = ?1"),
    (False, True): "FROM unit_links l JOIN data_values dv ON dv.unit = l.predecessor WHERE l.successor = ?1",
}


def _by_element_and_period(row: tuple) -> tuple[str, str]:
    return row[0], row[1]


def _by_period_and_element(row: tuple) -> tuple[str, str]:
    return row[1], row[0]


@lru_cache(maxsize=1024)
def _plan(period: Period, below: bool, used: frozenset[str], spans: bool = False, links: bool = False,
          shadows: frozenset[tuple[str, str]] | None = None, elements: frozenset[str] | None = None) -> _Plan:
    """What to read for `period` when only the periods in `used` have values (any other has no rows, so
    it needs neither a scan nor a NOT EXISTS probe). Built once; SQLite keeps the statements prepared.
    With spans, a value counts only when its period's last day lies in its unit's span. With links, the
    values are those of the unit's predecessors (and, with below, of every unit under them). shadows: the
    (part, period around it) pairs where some element has values for both (None: assume any may); a value
    stored for the period around a part is looked for only there. elements: read only these elements' values
    (None: every element's)."""
    scope = _SCOPES[below, links]
    # A few elements are sought one by one in the key; more are picked out of each unit-period's values as
    # they are read ("+" keeps SQLite from seeking each), which is quicker then.
    only = "" if elements is None else \
        (" AND dv.element IN (" if len(elements) <= 4 else " AND +dv.element IN (") \
        + ", ".join("'" + e.replace("'", "''") + "'" for e in sorted(elements)) + ")"
    parts, conditions, args, statements = [], [], [], []
    for part in _candidates(period)[0]:
        if part.id not in used:
            continue
        part = _Part(part.id, tuple(b for b in part.between if b in used
                                    and (shadows is None or (part.id, b) in shadows)), part.opening, part.closing)
        cond, local = _condition(part, spans, len(args) + 2)
        args += local
        cond += only
        parts.append(part)
        conditions.append(cond)
        statements.append((f"SELECT dv.element, SUM(dv.value), COUNT(*) {scope} AND {_condition(part, spans, 2)[0]}"
                           f"{only} GROUP BY dv.element", tuple(local)))
    # When nothing shadows anything, the rows are taken in the order one pass over all the parts grouped by
    # element and period gives them: a unit's own values in its key's order (period, element), a subtree's
    # sorted by element and period.
    order = None
    if len(parts) > 1 and not spans and not any(part.between for part in parts):
        order = _by_period_and_element if (below, links) == (False, False) else _by_element_and_period
    return _Plan(tuple(parts), scope, tuple(conditions), tuple(args), tuple(statements), order)


def _condition(part: _Part, spans: bool, first: int) -> tuple[str, list[str]]:
    """A part's WHERE terms, their parameters numbered from ?first, and those parameters."""
    args = [part.id]
    cond = f"dv.period = ?{first}"
    if part.between:
        marks = []
        for b in part.between:
            args.append(b)
            marks.append(f"?{first + len(args) - 1}")
        cond += (" AND NOT EXISTS (SELECT 1 FROM data_values x WHERE x.unit = dv.unit AND "
                 f"x.element = dv.element AND x.period IN ({', '.join(marks)}))")
    if spans:
        args.append(Period.parse(part.id).end.isoformat())
        cond += " AND " + _IN_SPAN.format(n=first + len(args) - 1)
    return cond, args


def _shadows(elements: dict[str, frozenset[str]], period: Period, used: frozenset[str]) -> frozenset[tuple[str, str]]:
    """The (part, period around it) pairs of `period` where some element has values for both: only there can a
    unit's value for the larger period shadow its values for the part."""
    out = []
    for part in _candidates(period)[0]:
        if part.id in used:
            mine = elements.get(part.id, frozenset())
            out += [(part.id, b) for b in part.between if b in used and not mine.isdisjoint(elements.get(b, ()))]
    return frozenset(out)


def _mixed(store: Store, unit: str, period: Period, below: bool) -> bool:
    """Might a unit of the roll-up be out of force for some part of the period (so each value's unit is checked)?"""
    first, last = store.span_bounds(unit, below)
    return not (first <= period.start.isoformat() and period.end.isoformat() <= last)


def aggregate(store: Store, catalogue: Catalogue, unit: str, period: Period, below: bool = False,
              only_itself: bool = False, predecessors: tuple[str, ...] = (),
              elements: frozenset[str] | None = None) -> Aggregate:
    """The unit's own values for period, or with below=True its roll-up over every unit under it.
    only_itself: just the values stored for the period itself, none of the periods inside it.
    predecessors: the old units `unit` was made of, each whole: their values (and, with below, those of the
    units under them) summed as one unit's, in one statement (parapp.engine.lineage).
    elements: only these elements' values are read (each the same as in the whole roll-up; None: all)."""
    agg = Aggregate()
    periods_used, has_spans, elements_used, memo = store.usage()
    used = _candidates(period)[1] & periods_used
    if only_itself:
        used = used & {str(period)}
    spans = has_spans and (any(_mixed(store, p, period, below) for p in predecessors) if predecessors
                           else _mixed(store, unit, period, below))
    shadows = memo.get((period, used))
    if shadows is None:
        shadows = memo[(period, used)] = _shadows(elements_used, period, used)
    plan = _plan(period, below, used, spans, bool(predecessors), shadows, elements)
    if not plan.parts:
        return agg
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples
    elements = catalogue.elements
    means = []
    if len(plan.parts) == 1 and plan.parts[0].id == str(period):
        # Nothing stored inside the period, only for itself: every value fits and each element comes once.
        sql, args = plan.statements[0]
        for element, total, n in cursor.execute(sql, (unit, *args)):
            el = elements.get(element)
            if el is None:
                continue
            if el.time == "mean":
                means.append(element)
            else:
                agg.values[element] = float(total)
                agg.contributors[element] = n
        if means:
            _weighted_means(store, catalogue, unit, plan, (0,), means, agg)
        return agg
    rows = []
    for part, (sql, args) in zip(plan.parts, plan.statements, strict=True):
        q = part.id
        rows += [(element, q, total, n) for element, total, n in cursor.execute(sql, (unit, *args))]
    if plan.order is not None:
        rows.sort(key=plan.order)
    sums: dict[str, dict[str, tuple[float, int]]] = {}
    for element, q, total, n in rows:
        if element in sums:
            sums[element][q] = (total, n)
        else:
            sums[element] = {q: (total, n)}
    parts = {part.id: part for part in plan.parts}
    for element, per in sums.items():
        el = elements.get(element)
        if el is None:
            continue
        time = el.time
        if time == "mean":
            means.append(element)
            continue
        if time == "opening":
            fitting = [tn for q, tn in per.items() if parts[q].opening]
        elif time == "closing":
            fitting = [tn for q, tn in per.items() if parts[q].closing]
        else:
            fitting = list(per.values())
        if fitting:
            agg.values[element] = float(sum(t for t, _ in fitting))
            agg.contributors[element] = sum(n for _, n in fitting)
    if means:
        present = tuple(i for i, part in enumerate(plan.parts) if any(part.id in sums[m] for m in means))
        _weighted_means(store, catalogue, unit, plan, present, means, agg)
    return agg


@lru_cache(maxsize=1024)
def _means_sql(plan: _Plan, present: tuple[int, ...], count: int) -> str:
    first = len(plan.args) + 2  # after the unit and the plan's own parameters: low, high, element, weight, ...
    names = ", ".join(f"?{first + 2 + 2 * k}" for k in range(count))
    weights = " ".join(f"WHEN ?{first + 2 + 2 * k} THEN ?{first + 3 + 2 * k}" for k in range(count))
    w_join = ("LEFT JOIN data_values w ON w.unit = dv.unit AND w.period = dv.period AND "
              f"w.element = CASE dv.element {weights} END")
    scope = plan.scope.replace("WHERE", f"{w_join} WHERE", 1)
    # One seek per unit-period for the range the elements lie in, not one per element ("+" keeps SQLite
    # from seeking each element of the list).
    return " UNION ALL ".join(f"SELECT dv.element, dv.value, w.value {scope} AND {plan.conditions[i]} "
                              f"AND dv.element BETWEEN ?{first} AND ?{first + 1} AND +dv.element IN ({names})"
                              for i in present)


def _weighted_means(store: Store, catalogue: Catalogue, unit: str, plan: _Plan, present: tuple[int, ...],
                    elements: list[str], agg: Aggregate) -> None:
    """Respondent-weighted mean of percentage elements over units and sub-periods.

    One statement for all of them, over the parts that have any: each unit's value with its respondent
    count, part by part, in the order the units come.
    """
    args = [unit, *plan.args, min(elements), max(elements)]
    rows: dict[str, list[tuple[float, float | None]]] = {}
    for element in elements:
        args += (element, catalogue.elements[element].weight)
        rows[element] = []
    cursor = store.conn.cursor()
    cursor.row_factory = None
    for element, v, w in cursor.execute(_means_sql(plan, present, len(elements)), args):
        rows[element].append((v, w))
    for element in elements:
        weight = catalogue.elements[element].weight
        pairs = rows[element]
        if not pairs:
            continue
        if weight and all(w is not None and w > 0 for _, w in pairs):
            agg.values[element] = sum([v * w for v, w in pairs]) / sum([w for _, w in pairs])
        else:
            agg.values[element] = sum([v for v, _ in pairs]) / len(pairs)
            if len(pairs) > 1:
                agg.unweighted.add(element)
        agg.contributors[element] = len(pairs)


@lru_cache(maxsize=512)
def _coverage_sql(period: Period, spans: bool) -> tuple[str, tuple[str, ...]]:
    ids = (str(period), *(str(q) for q in period.descendants()))
    sql = ("SELECT count(*), count(CASE WHEN EXISTS (SELECT 1 FROM statuses s WHERE s.unit = t.unit AND "
           f"s.period IN ({', '.join('?' * len(ids))})) THEN 1 END) FROM unit_tree t JOIN units u ON u.code = t.unit "
           "WHERE t.ancestor = ? AND t.depth > 0 AND u.active = 1")
    if spans:  # only the units in force for the period are expected
        end = period.end.isoformat()
        sql += (" AND NOT EXISTS (SELECT 1 FROM unit_spans p WHERE p.code = t.unit AND "
                f"(p.valid_from > '{end}' OR p.valid_to < '{end}'))")
    return sql, ids


def coverage(store: Store, unit: str, period: Period, spans: bool | None = None) -> tuple[int, int]:
    """(reported, expected): active units below `unit`, in force for the period, with figures for it (or a
    part of it). spans: whether the database has unit spans, when the caller knows."""
    sql, ids = _coverage_sql(period, store.usage()[1] if spans is None else spans)
    expected, reported = store.conn.execute(sql, (*ids, unit)).fetchone()
    return reported, expected


def rollup(store: Store, catalogue: Catalogue, unit: str, period: Period) -> Aggregate:
    """The unit's own figures plus every unit's below it, with reported / expected."""
    agg = aggregate(store, catalogue, unit, period, below=True)
    agg.reported, agg.expected = coverage(store, unit, period, store.has_spans_cached())
    return agg
