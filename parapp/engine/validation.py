"""Validation rules across elements: which fail, how badly, and which cells they involve."""

from __future__ import annotations

from collections.abc import Mapping

from parapp.domain.catalogue import Catalogue
from parapp.domain.expressions import compare
from parapp.i18n import Text, format_number
from parapp.records import record


@record(frozen=True)
class Message:
    """A rule that a unit's figures break: its words, severity and the two sides."""

    rule: str
    severity: str  # error | warning
    text: Text  # the rule's own words
    elements: tuple[str, ...]
    left: float | None
    right: float | None
    op: str = "=="

    def describe(self, lang: str = "vi") -> str:
        """The rule's text with the two sides, e.g. '... (120 ≠ 118)'."""
        sym = {"==": "≠", "!=": "=", "<=": ">", "<": "≥", ">=": "<", ">": "≤"}
        return f"{self.text.get(lang)} ({format_number(self.left, _dec(self.left), lang)} {sym.get(self.op, '?')} " \
               f"{format_number(self.right, _dec(self.right), lang)})"


def _dec(v: float | None) -> int:
    return 0 if v is None or v == int(v) else 2


def validate(catalogue: Catalogue, values: Mapping[str, float | None], previous: Mapping[str, float | None] | None = None,
             level: str | None = None) -> list[Message]:
    """Failing rules for one unit-period's values, errors first.

    A rule none of whose elements has a value is not judged; a missing element among entered ones counts
    as 0. A rule that looks at the previous period is judged only when that period has figures.
    """
    out = []
    for plan in catalogue.rules_for(level):
        names, prev_names = plan.names, plan.prev_names
        if not any(values.get(e) is not None for e in names):
            continue
        if prev_names and (not previous or not any(previous.get(e) is not None for e in prev_names)):
            continue
        # a blank element counts as 0 once any element of the rule has a value: a side left empty fails visibly
        now = {e: values.get(e) or 0.0 for e in names}
        before = {e: (previous or {}).get(e) or 0.0 for e in prev_names}
        rule = plan.rule
        left = rule.left.evaluate(now, before)
        right = rule.right.evaluate(now, before)
        if left is None or right is None:
            continue
        if not compare(left, rule.op, right):
            out.append(Message(rule.code, rule.severity, rule.name, plan.shown, left, right, rule.op))
    out.sort(key=lambda m: m.severity != "error")
    return out
