"""Comparable series across the 2025 reorganisation: a new unit's figures for the time before it existed.

For a period before a unit began, its figures are its predecessors' combined by the rules of the roll-up:
counts summed, rates recomputed from the sums (they are computed from these values afterwards), percentages
weighted by respondents, ranks never combined. A predecessor that went whole counts whole. A divided one
counts once in all: with the shares an officer set (apportioned), or all of it with the official default
successor (estimated); until one of the two is chosen the figure is "not comparable". A period that
straddles the change (the year 2025) is made of the parts before and after, combined over time as the
roll-up combines quarters; values stored for the period itself (a yearly figure) come on top.
"""

from __future__ import annotations

from datetime import date, timedelta

from parapp.domain.catalogue import Catalogue
from parapp.domain.periods import Period
from parapp.engine.aggregate import Aggregate, aggregate, coverage
from parapp.i18n import Text
from parapp.records import field, record
from parapp.store import units as unit_store
from parapp.store.db import Store
from parapp.store.units import Unit


@record(frozen=True)
class Source:
    """An old unit whose figures are carried, with its share and how the share was set."""

    unit: Unit
    share: float
    how: str  # whole, shares (set by an officer), default (an estimate), undecided


@record
class Provenance:
    """Which old units a figure came from, and how far it can be compared."""

    sources: list[Source] = field(default_factory=list)

    @property
    def not_comparable(self) -> list[Unit]:
        return [s.unit for s in self.sources if s.how == "undecided"]

    @property
    def estimated(self) -> list[Unit]:
        return [s.unit for s in self.sources if s.how == "default"]

    @property
    def apportioned(self) -> list[Unit]:
        return [s.unit for s in self.sources if s.how == "shares"]

    @property
    def comparable(self) -> bool:
        return not self.not_comparable

    @property
    def status(self) -> str:
        if self.not_comparable:
            return "not_comparable"
        if self.estimated:
            return "estimated"
        if self.apportioned:
            return "apportioned"
        return "combined"

    def note(self) -> Text:
        def names(units: list[Unit]) -> str:
            return ", ".join(dict.fromkeys(u.name for u in units))

        if self.not_comparable:
            return Text(f"Không so sánh được: {names(self.not_comparable)} đã bị chia tách; hãy đặt tỷ lệ chia "
                        "hoặc dùng đơn vị kế thừa mặc định.",
                        f"Not comparable: {names(self.not_comparable)} was divided; set the shares or use the "
                        "default successor.")
        parts = []
        for s in self.sources:
            if s.how == "whole":
                parts.append((s.unit.name, s.unit.name))
            else:
                pct = f"{s.share * 100:.0f}%"
                parts.append((f"{s.unit.name} ({pct})", f"{s.unit.name} ({pct})"))
        vi = "Số liệu gộp từ " + ", ".join(p[0] for p in parts)
        en = "Combined from " + ", ".join(p[1] for p in parts)
        if self.estimated:
            vi += f"; ước tính: {names(self.estimated)} bị chia tách, tính cả cho đơn vị kế thừa mặc định"
            en += f"; estimated: {names(self.estimated)} was divided and counted whole with its default successor"
        elif self.apportioned:
            vi += "; phần của đơn vị bị chia tách theo tỷ lệ do cán bộ đặt"
            en += "; the divided units' parts as the officer set them"
        return Text(vi + ".", en + ".")


def _span_start(unit: Unit) -> date:
    return date.fromisoformat(unit.valid_from)


def tile(first: date, last: date) -> list[Period]:
    """The fewest whole years, half-years and quarters that cover first..last exactly (quarter bounds)."""
    out: list[Period] = []
    day = first
    while day <= last:
        for kind in ("Y", "S", "Q"):
            p = Period.containing(kind, day)
            if p.start == day and p.end <= last:
                out.append(p)
                day = p.end + timedelta(days=1)
                break
        else:
            raise ValueError(f"{first}..{last} does not fall on quarter bounds")
    return out


def figures(store: Store, catalogue: Catalogue, unit: Unit, period: Period,
            below: bool = False, elements: frozenset[str] | None = None) -> tuple[Aggregate, Provenance | None]:
    """The unit's figures for the period (own, or rolled up with below), carried from its predecessors for
    any part of the period before it began. The provenance is None when nothing was carried.
    elements: only these elements' values (each as in the whole figures), and no count of the units that
    reported (reported and expected are then not made); None: every element's, with the counts."""
    start = _span_start(unit)
    if period.start >= start:
        return _plain(store, catalogue, unit.code, period, below, elements), None
    links = unit_store.predecessors(store, unit.code)
    if not links:
        return _plain(store, catalogue, unit.code, period, below, elements), None
    if period.end < start:
        return _combined(store, catalogue, unit, links, period, below, elements)
    # Straddling: the part before from the predecessors, the part after from the unit, then the values
    # stored for the whole period itself.
    pieces = [(p, True) for p in tile(period.start, start - timedelta(days=1))]
    pieces += [(p, False) for p in tile(start, period.end)]
    aggs, prov = [], Provenance()
    for piece, before in pieces:
        if before:
            agg, pv = _combined(store, catalogue, unit, links, piece, below, elements)
            for s in pv.sources if pv else ():
                if s not in prov.sources:
                    prov.sources.append(s)
        else:
            agg = _plain(store, catalogue, unit.code, piece, below, elements)
        aggs.append(agg)
    if not prov.comparable:
        return Aggregate(), prov
    out = combine_over_time(catalogue, aggs)
    itself = aggregate(store, catalogue, unit.code, period, below=below, only_itself=True, elements=elements)
    for element, value in itself.values.items():
        out.values[element] = value
        out.contributors[element] = itself.contributors.get(element, 1)
    if below and elements is None:
        out.reported, out.expected = coverage(store, unit.code, period)
    return out, prov


def _plain(store: Store, catalogue: Catalogue, code: str, period: Period, below: bool,
           elements: frozenset[str] | None = None) -> Aggregate:
    agg = aggregate(store, catalogue, code, period, below=below, elements=elements)
    if below and elements is None:
        agg.reported, agg.expected = coverage(store, code, period)
    return agg


def _combined(store: Store, catalogue: Catalogue, unit: Unit, links: list[unit_store.Link], period: Period,
              below: bool, elements: frozenset[str] | None = None) -> tuple[Aggregate, Provenance]:
    preds = [unit_store.get_unit(store, link.predecessor) for link in links]
    if all(not link.divided for link in links) and not any(p.starts_after(period) for p in preds):
        # Every predecessor went whole and existed all through the period: one statement over all of them.
        agg = aggregate(store, catalogue, unit.code, period, below=below, predecessors=tuple(p.code for p in preds),
                        elements=elements)
        if len(preds) > 1:  # a rank belongs to one province: several are never combined
            for code in [c for c in agg.values if catalogue.elements[c].type == "rank"]:
                del agg.values[code]
                agg.contributors.pop(code, None)
        if elements is not None:  # values only: the units that reported are not counted
            pass
        elif below:
            agg.reported = agg.expected = 0
            for p in preds:
                r, e = coverage(store, p.code, period)
                agg.reported += r
                agg.expected += e
        else:
            agg.expected = len(preds)
            agg.reported = sum(1 for p in preds if store.conn.execute(
                "SELECT 1 FROM data_values WHERE unit = ? LIMIT 1", (p.code,)).fetchone())
        return agg, Provenance([Source(p, 1.0, "whole") for p in preds])
    prov = Provenance()
    parts: list[tuple[Aggregate, float]] = []
    for link in links:
        pred = unit_store.get_unit(store, link.predecessor)
        if not link.divided:
            share, how = 1.0, "whole"
        else:
            method = unit_store.division(store, pred.code)
            if method == "shares":
                share, how = float(link.share or 0.0), "shares"
            elif method == "default":
                share, how = (1.0 if link.is_default else 0.0), "default"
            else:
                share, how = 0.0, "undecided"
        prov.sources.append(Source(pred, share, how))
        if share > 0:
            agg, _ = figures(store, catalogue, pred, period, below, elements)
            parts.append((agg, share))
    if not prov.comparable:
        empty = Aggregate()
        return empty, prov
    out = combine_units(catalogue, parts)
    if not below and elements is None:
        out.reported = sum(1 for agg, _s in parts if agg.values)
        out.expected = len(parts)
    return out, prov


def combine_units(catalogue: Catalogue, parts: list[tuple[Aggregate, float]]) -> Aggregate:
    """Several units' figures for one period as one unit's, each counted with its share: sums for counts,
    respondent-weighted means for percentages; a rank only when it comes whole from one unit."""
    out = Aggregate()
    codes = dict.fromkeys(code for agg, _s in parts for code in agg.values)
    for code in codes:
        el = catalogue.elements.get(code)
        if el is None:
            continue
        present = [(agg, s) for agg, s in parts if code in agg.values]
        if el.type == "rank":
            if len(present) == 1 and len(parts) == 1 and present[0][1] == 1.0:
                out.values[code] = present[0][0].values[code]
                out.contributors[code] = 1
            continue
        if el.time == "mean":
            weights = [(agg.values.get(el.weight) if el.weight else None) for agg, _s in present]
            if el.weight and all(w is not None and w > 0 for w in weights):
                total = sum(w * s for w, (_a, s) in zip(weights, present, strict=True))
                out.values[code] = sum(agg.values[code] * w * s
                                       for w, (agg, s) in zip(weights, present, strict=True)) / total
            else:
                out.values[code] = sum(agg.values[code] for agg, _s in present) / len(present)
                if len(present) > 1:
                    out.unweighted.add(code)
            if any(code in agg.unweighted for agg, _s in present):
                out.unweighted.add(code)
        else:
            out.values[code] = sum(agg.values[code] * s for agg, s in present)
        out.contributors[code] = sum(agg.contributors.get(code, 1) for agg, _s in present)
    for agg, _s in parts:
        out.reported += agg.reported
        out.expected += agg.expected
    return out


def combine_over_time(catalogue: Catalogue, aggs: list[Aggregate]) -> Aggregate:
    """Consecutive periods' figures as the figures of the whole, as the roll-up combines quarters: flows
    add up, an opening stock is the first part's, a closing stock the last's, percentages are weighted."""
    out = Aggregate()
    if not aggs:
        return out
    codes = dict.fromkeys(code for agg in aggs for code in agg.values)
    for code in codes:
        el = catalogue.elements.get(code)
        if el is None:
            continue
        present = [agg for agg in aggs if code in agg.values]
        if el.time == "opening":
            if code not in aggs[0].values:
                continue
            present = [aggs[0]]
        elif el.time == "closing":
            if code not in aggs[-1].values:
                continue
            present = [aggs[-1]]
        if el.time == "mean":
            weights = [(agg.values.get(el.weight) if el.weight else None) for agg in present]
            if el.weight and all(w is not None and w > 0 for w in weights):
                out.values[code] = (sum(agg.values[code] * w for agg, w in zip(present, weights, strict=True))
                                    / sum(weights))
            else:
                out.values[code] = sum(agg.values[code] for agg in present) / len(present)
                if len(present) > 1:
                    out.unweighted.add(code)
        else:
            out.values[code] = sum(agg.values[code] for agg in present)
        out.contributors[code] = sum(agg.contributors.get(code, 1) for agg in present)
    return out
