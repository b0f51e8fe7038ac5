"""Compliance of indicator values with a target set: met, at_risk, missed, no_data, no_target.

Targets are end-of-year values. A year is judged met or missed; a quarter or half-year that does not yet
meet its year's target is at_risk, never missed (and one that meets it within the margin is at_risk too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from parapp.domain.catalogue import Catalogue, Indicator, Target, TargetSet
from parapp.domain.expressions import compare
from parapp.domain.periods import Period
from parapp.i18n import Text
from parapp.records import field, record

STATUSES = ("met", "at_risk", "missed", "no_data", "no_target")
STATUS_NAMES = {
    "met": Text("Đạt", "Met"),
    "at_risk": Text("Có nguy cơ không đạt", "At risk"),
    "missed": Text("Không đạt", "Missed"),
    "no_data": Text("Chưa có số liệu", "No data"),
    "no_target": Text("Không có chỉ tiêu", "No target"),
}
STATUS_SYMBOLS = {"met": "✔", "at_risk": "▲", "missed": "✘", "no_data": "…", "no_target": "–"}
_WORST = ("missed", "at_risk", "no_data", "met", "no_target")

# history(indicator_code, year) -> the unit's own value of that indicator for that year, or None
History = Callable[[str, int], float | None]


@record(frozen=True)
class TargetCheck:
    """One target judged: its status, the goal worked out, the value compared, a note."""

    target: Target
    status: str
    goal: float | None  # the threshold this year, once increments and baselines are worked out
    compared: float | None  # what was compared with it (the value, or its change in percent)
    note: Text | None = None

    def describe(self, lang: str, decimals: int) -> str:
        return self.target.describe(lang, decimals, percent=True)


@record(frozen=True)
class IndicatorResult:
    """An indicator's value with its status and the checks of its targets."""

    indicator: Indicator
    value: float | None
    status: str
    checks: tuple[TargetCheck, ...] = field(default_factory=tuple)

    @property
    def code(self) -> str:
        return self.indicator.code

    def target_text(self, lang: str = "vi") -> str:
        pct = self.indicator.kind in ("ratio", "percent", "change")
        return "; ".join(c.target.describe(lang, self.indicator.decimals, percent=pct) for c in self.checks)

    def source(self) -> str:
        return "; ".join(dict.fromkeys(c.target.source for c in self.checks))


def _judge(value: float, op: str, goal: float, partial: bool, margin: float, higher: bool) -> str:
    if compare(value, op, goal):
        if partial and margin > 0 and abs(value - goal) < margin and op not in ("==", "!="):
            return "at_risk"
        return "met"
    return "at_risk" if partial else "missed"


def check_target(target: Target, indicator: Indicator, value: float | None, period: Period,
                 history: History | None, margin: float = 0.0) -> TargetCheck:
    partial = period.kind != "Y"
    year = period.year
    higher = indicator.better == "higher"
    if value is None:
        return TargetCheck(target, "no_data", target.value if target.type in ("threshold", "rank") else None, None)
    if target.type in ("threshold", "rank"):
        return TargetCheck(target, _judge(value, target.op, target.value, partial, margin, higher), target.value, value)
    if target.type == "increment":
        cap = target.cap if target.cap is not None else 100.0
        if target.base_year is not None:
            goal = min(cap, target.base + target.step * (year - target.base_year))
        else:
            last = history(indicator.code, year - 1) if history else None
            if last is None:
                return TargetCheck(target, "no_data", None, value, Text(
                    f"Cần số liệu năm {year - 1} để tính mức tăng.", f"Needs the figures of {year - 1} to work out the increase."))
            goal = min(cap, last + target.step)
        return TargetCheck(target, _judge(value, ">=", goal, partial, margin, higher), goal, value)
    if target.type == "improve":
        last = history(indicator.code, year - 1) if history else None
        if last is None:
            return TargetCheck(target, "no_data", None, value, Text(
                f"Cần thứ hạng năm {year - 1} để so sánh.", f"Needs the rank of {year - 1} to compare."))
        goal = last - (target.value or 0)  # a lower rank is better
        return TargetCheck(target, _judge(value, "<=", goal, partial, 0.0, False), goal, value)
    if target.type == "change":
        years = [Period.parse(p).year for p in target.baseline]
        span = range(years[0], years[-1] + 1)
        base_values = [history(indicator.code, y) for y in span] if history else []
        base_values = [v for v in base_values if v is not None]
        if not base_values or sum(base_values) == 0:
            return TargetCheck(target, "no_data", target.value, None, Text(
                f"Cần số liệu kỳ gốc {'–'.join(target.baseline)} để so sánh.",
                f"Needs the baseline figures of {'–'.join(target.baseline)} to compare."))
        base = sum(base_values) / len(base_values)
        change = (value - base) / base * 100.0
        return TargetCheck(target, _judge(change, target.op, target.value, partial, margin, higher), target.value, change)
    raise AssertionError(target.type)


def assess(catalogue: Catalogue, target_set: TargetSet | None, level: str, period: Period,
           values: Mapping[str, float | None], history: History | None = None, margin: float = 0.0,
           indicators: list[Indicator] | None = None) -> list[IndicatorResult]:
    """Each indicator of the level with its value (a rate as a percentage) and its compliance."""
    out = []
    for ind in indicators if indicators is not None else catalogue.indicators_for(level):
        value = ind.compute(dict(values))
        targets = target_set.targets_for(ind.code, level, period.year) if target_set else []
        if not targets:
            out.append(IndicatorResult(ind, value, "no_target"))
            continue
        checks = tuple(check_target(t, ind, value, period, history, margin) for t in targets)
        status = min((c.status for c in checks), key=_WORST.index)
        out.append(IndicatorResult(ind, value, status, checks))
    return out


def summary(results: list[IndicatorResult]) -> dict[str, int]:
    """How many indicators are in each status."""
    out = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r.status] += 1
    return out
