"""Element values of a unit for any period, own or rolled up over every unit below it.

Over time: a period's value is the value stored for it, else the values of its sub-periods combined by
the element's time kind (flows sum, opening stocks take the first sub-period's, closing stocks the last's,
percentages their weighted mean). Across units: counts sum; percentages take the respondent-weighted
mean. Percentages of indicators are computed afterwards from these sums, never averaged.

Each unit's value is resolved on its own (a unit that entered the half-year directly and another that
entered quarters both count once), and the work is done by SQLite in one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parapp.domain.catalogue import Catalogue
from parapp.domain.periods import Period
from parapp.store.db import Store


@dataclass
class Aggregate:
    """Element values of one unit (or a subtree) for one period."""

    values: dict[str, float] = field(default_factory=dict)
    contributors: dict[str, int] = field(default_factory=dict)  # how many unit-values went into each
    unweighted: set[str] = field(default_factory=set)  # percentages averaged without respondent counts
    reported: int = 0
    expected: int = 0


def _candidates(period: Period, used: set[str]) -> list[tuple[Period, list[str]]]:
    """Periods whose stored values may make up `period`, each with the periods between it and `period`.

    A value stored for a candidate counts only when the unit stored nothing for those in-between periods.
    """
    out = [(period, [])]
    for q in period.descendants():
        if str(q) not in used:
            continue
        between = [str(a) for a in q.ancestors() if period.contains(a)]
        out.append((q, between))
    return out


def _fits(time: str, q: Period, period: Period) -> bool:
    if time == "opening":
        return q.start == period.start
    if time == "closing":
        return q.end == period.end
    return True


def aggregate(store: Store, catalogue: Catalogue, unit: str, period: Period, below: bool = False) -> Aggregate:
    """The unit's own values for period, or with below=True its roll-up over every unit under it."""
    used = {r[0] for r in store.conn.execute("SELECT period FROM periods_used")}
    cands = _candidates(period, used)
    if below:
        scope = "FROM unit_tree t JOIN data_values dv ON dv.unit = t.unit WHERE t.ancestor = ?"
    else:
        scope = "FROM data_values dv WHERE dv.unit = ?"
    parts, args = [], []
    for q, between in cands:
        if str(q) not in used:
            continue
        sql = f"SELECT dv.element, ?, SUM(dv.value), COUNT(*) {scope} AND dv.period = ?"
        args += [str(q), unit, str(q)]
        if between:
            marks = ", ".join("?" * len(between))
            sql += (" AND NOT EXISTS (SELECT 1 FROM data_values x WHERE x.unit = dv.unit AND "
                    f"x.element = dv.element AND x.period IN ({marks}))")
            args += between
        parts.append(sql + " GROUP BY dv.element")
    agg = Aggregate()
    if not parts:
        return agg
    sums: dict[str, dict[str, tuple[float, int]]] = {}
    for element, q, total, n in store.conn.execute(" UNION ALL ".join(parts), args):
        sums.setdefault(element, {})[q] = (total, n)
    by_id = {str(q): q for q, _ in cands}
    means = []
    for element, per in sums.items():
        el = catalogue.elements.get(element)
        if el is None:
            continue
        if el.time == "mean":
            means.append(element)
            continue
        fitting = [(t, n) for q, (t, n) in per.items() if _fits(el.time, by_id[q], period)]
        if fitting:
            agg.values[element] = float(sum(t for t, _ in fitting))
            agg.contributors[element] = sum(n for _, n in fitting)
    if means:
        _weighted_means(store, catalogue, unit, period, cands, used, scope, means, agg)
    return agg


def _weighted_means(store: Store, catalogue: Catalogue, unit: str, period: Period, cands, used, scope: str,
                    elements: list[str], agg: Aggregate) -> None:
    """Respondent-weighted mean of percentage elements over units and sub-periods."""
    for element in elements:
        weight = catalogue.elements[element].weight
        parts, args = [], []
        for q, between in cands:
            if str(q) not in used:
                continue
            w_join = ("LEFT JOIN data_values w ON w.unit = dv.unit AND w.period = dv.period AND w.element = ?"
                      if weight else "")
            w_col = "w.value" if weight else "NULL"
            sql = (f"SELECT dv.value, {w_col} " + scope.replace("WHERE", f"{w_join} WHERE", 1)
                   + " AND dv.period = ? AND dv.element = ?")
            args += ([weight] if weight else []) + [unit, str(q), element]
            if between:
                marks = ", ".join("?" * len(between))
                sql += (" AND NOT EXISTS (SELECT 1 FROM data_values x WHERE x.unit = dv.unit AND "
                        f"x.element = dv.element AND x.period IN ({marks}))")
                args += between
            parts.append(sql)
        rows = store.conn.execute(" UNION ALL ".join(parts), args).fetchall()
        if not rows:
            continue
        if weight and all(w is not None and w > 0 for _, w in rows):
            agg.values[element] = sum(v * w for v, w in rows) / sum(w for _, w in rows)
        else:
            agg.values[element] = sum(v for v, _ in rows) / len(rows)
            if len(rows) > 1:
                agg.unweighted.add(element)
        agg.contributors[element] = len(rows)


def coverage(store: Store, unit: str, period: Period) -> tuple[int, int]:
    """(reported, expected): active units below `unit` with figures for the period (or a part of it)."""
    ids = [str(period)] + [str(q) for q in period.descendants()]
    marks = ", ".join("?" * len(ids))
    expected = store.conn.execute(
        "SELECT count(*) FROM unit_tree t JOIN units u ON u.code = t.unit WHERE t.ancestor = ? AND t.depth > 0 "
        "AND u.active = 1", (unit,)).fetchone()[0]
    reported = store.conn.execute(
        "SELECT count(DISTINCT s.unit) FROM unit_tree t JOIN units u ON u.code = t.unit "
        f"JOIN statuses s ON s.unit = t.unit AND s.period IN ({marks}) "
        "WHERE t.ancestor = ? AND t.depth > 0 AND u.active = 1", (*ids, unit)).fetchone()[0]
    return reported, expected


def rollup(store: Store, catalogue: Catalogue, unit: str, period: Period) -> Aggregate:
    """The unit's own figures plus every unit's below it, with reported / expected."""
    agg = aggregate(store, catalogue, unit, period, below=True)
    agg.reported, agg.expected = coverage(store, unit, period)
    return agg
