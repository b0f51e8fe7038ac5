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
from functools import lru_cache

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


@lru_cache(maxsize=512)
def _parts(period: Period) -> tuple[tuple[str, tuple[str, ...], bool, bool], ...]:
    """The periods whose stored values may make up `period`: (id, between, opening fits, closing fits).

    `period` itself comes first, then every period inside it, coarse to fine. A value stored for one of
    them counts only when the unit stored nothing for the periods `between` it and `period`; an opening
    stock counts only from a period that starts with `period`, a closing stock from one that ends with it.
    """
    out = [(str(period), (), True, True)]
    for q in period.descendants():
        between = tuple(str(a) for a in q.ancestors() if period.contains(a))
        out.append((str(q), between, q.start == period.start, q.end == period.end))
    return tuple(out)


def _used(store: Store) -> frozenset[str]:
    """Periods any value was ever stored for (kept by a trigger): only those can take part."""
    return frozenset(r[0] for r in store.conn.execute("SELECT period FROM periods_used"))


def aggregate(store: Store, catalogue: Catalogue, unit: str, period: Period, below: bool = False) -> Aggregate:
    """The unit's own values for period, or with below=True its roll-up over every unit under it.

    One statement reads each candidate period's rows once: sums and counts per element for counts and
    amounts, and for percentages (time "mean") one row per unit with its respondent count, combined here
    in the order the units come, as a respondent-weighted mean.
    """
    used = _used(store)
    agg = Aggregate()
    # Periods nobody ever stored have no rows: they need neither a scan nor a NOT EXISTS probe.
    parts = [(q, tuple(b for b in between if b in used), opening, closing)
             for q, between, opening, closing in _parts(period) if q in used]
    if not parts:
        return agg
    weights = {code: el.weight for code, el in catalogue.elements.items() if el.time == "mean"}
    args: dict[str, object] = {"unit": unit}
    if below:
        scope = "FROM unit_tree t JOIN data_values dv ON dv.unit = t.unit WHERE t.ancestor = :unit"
    else:
        scope = "FROM data_values dv WHERE dv.unit = :unit"
    if weights:
        names = []
        for i, (code, weight) in enumerate(weights.items()):
            args[f"m{i}"], args[f"w{i}"] = code, weight
            names.append(f":m{i}")
        is_mean = f"dv.element IN ({', '.join(names)})"
        which_weight = " ".join(f"WHEN :m{i} THEN :w{i}" for i in range(len(weights)))
        per_unit = f"CASE WHEN {is_mean} THEN dv.unit END"
        weight = (f"MAX(CASE WHEN {is_mean} THEN (SELECT w.value FROM data_values w WHERE w.unit = dv.unit "
                  f"AND w.period = dv.period AND w.element = CASE dv.element {which_weight} END) END)")
    else:
        per_unit, weight = "NULL", "NULL"
    sql = []
    for i, (q, between, _, _) in enumerate(parts):
        args[f"q{i}"] = q
        part = (f"SELECT dv.element, :q{i}, SUM(dv.value), COUNT(*), {per_unit}, {weight} {scope} "
                f"AND dv.period = :q{i}")
        if between:
            marks = []
            for j, b in enumerate(between):
                args[f"b{i}_{j}"] = b
                marks.append(f":b{i}_{j}")
            part += (" AND NOT EXISTS (SELECT 1 FROM data_values x WHERE x.unit = dv.unit AND "
                     f"x.element = dv.element AND x.period IN ({', '.join(marks)}))")
        sql.append(part + f" GROUP BY dv.element, {per_unit}")
    sums: dict[str, dict[str, tuple[float, int]]] = {}
    rows: dict[str, list[tuple[float, float | None]]] = {}  # a percentage's (value, respondents), unit by unit
    for element, q, total, n, per, w in store.conn.execute(" UNION ALL ".join(sql), args):
        if per is None:
            sums.setdefault(element, {})[q] = (total, n)
        else:
            sums.setdefault(element, {})
            rows.setdefault(element, []).append((total, w))
    fits = {q: (opening, closing) for q, _, opening, closing in parts}
    for element, per in sums.items():
        el = catalogue.elements.get(element)
        if el is None or el.time == "mean":
            continue
        if el.time == "opening":
            fitting = [(t, n) for q, (t, n) in per.items() if fits[q][0]]
        elif el.time == "closing":
            fitting = [(t, n) for q, (t, n) in per.items() if fits[q][1]]
        else:
            fitting = list(per.values())
        if fitting:
            agg.values[element] = float(sum(t for t, _ in fitting))
            agg.contributors[element] = sum(n for _, n in fitting)
    for element, pairs in rows.items():
        _weighted_mean(element, weights[element], pairs, agg)
    return agg


def _weighted_mean(element: str, weight: str | None, rows: list[tuple[float, float | None]], agg: Aggregate) -> None:
    """Respondent-weighted mean of a percentage over units and sub-periods; the plain mean, marked as such,
    when a respondent count is missing."""
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
    expected, reported = store.conn.execute(
        "SELECT count(*), count(CASE WHEN EXISTS (SELECT 1 FROM statuses s WHERE s.unit = t.unit AND "
        f"s.period IN ({marks})) THEN 1 END) FROM unit_tree t JOIN units u ON u.code = t.unit "
        "WHERE t.ancestor = ? AND t.depth > 0 AND u.active = 1", (*ids, unit)).fetchone()
    return reported, expected


def rollup(store: Store, catalogue: Catalogue, unit: str, period: Period) -> Aggregate:
    """The unit's own figures plus every unit's below it, with reported / expected."""
    agg = aggregate(store, catalogue, unit, period, below=True)
    agg.reported, agg.expected = coverage(store, unit, period)
    return agg
