"""Colours, symbols and words for statuses in the window (the palette itself: parapp.engine.palette)."""

from __future__ import annotations

from dataclasses import dataclass

from parapp.engine import palette
from parapp.engine.compliance import STATUS_NAMES, STATUS_SYMBOLS
from parapp.engine.palette import STATUS_COLOURS, WORKFLOW_MARKS
from parapp.i18n import Text
from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES


@dataclass(frozen=True)
class StatusStyle:
    symbol: str
    colour: str  # text / icon colour
    tint: str  # cell background
    name: Text


STATUS_STYLE = {status: StatusStyle(STATUS_SYMBOLS[status], colour, tint, STATUS_NAMES[status])
                for status, (colour, tint) in STATUS_COLOURS.items()}

# the status of a unit's return for a period, as the unit tree shows it
WORKFLOW_STYLE = {status: StatusStyle(symbol, colour, tint, WORKFLOW_NAMES[status])
                  for status, (symbol, colour, tint) in WORKFLOW_MARKS.items()}
WORKFLOW_STYLE["errors"] = StatusStyle("⚠", *STATUS_COLOURS["missed"], Text("Có lỗi", "Has errors"))

ERROR_TINT = STATUS_COLOURS["missed"][1]
GROUP_TINT = palette.GROUP_TINT
WARNING_TINT = STATUS_COLOURS["at_risk"][1]
TAMPER_TINT = "#E1BEE7"  # a value changed with another tool than ParApp: neither an error nor a warning
