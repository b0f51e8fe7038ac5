"""Colours, symbols and words for statuses: never colour alone (colour-blind officers, grey printers).

Colours are from the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from parapp.engine.compliance import STATUS_NAMES, STATUS_SYMBOLS
from parapp.i18n import Text
from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES


@dataclass(frozen=True)
class StatusStyle:
    symbol: str
    colour: str  # text / icon colour
    tint: str  # cell background
    name: Text


STATUS_STYLE = {
    "met": StatusStyle(STATUS_SYMBOLS["met"], "#00795A", "#D5F0E6", STATUS_NAMES["met"]),
    "at_risk": StatusStyle(STATUS_SYMBOLS["at_risk"], "#A86A00", "#FCEBC4", STATUS_NAMES["at_risk"]),
    "missed": StatusStyle(STATUS_SYMBOLS["missed"], "#B34000", "#F8D9C8", STATUS_NAMES["missed"]),
    "no_data": StatusStyle(STATUS_SYMBOLS["no_data"], "#5F6368", "#EEEEEE", STATUS_NAMES["no_data"]),
    "no_target": StatusStyle(STATUS_SYMBOLS["no_target"], "#8A8F94", "#FFFFFF", STATUS_NAMES["no_target"]),
}

# the status of a unit's return for a period, as the unit tree shows it
WORKFLOW_STYLE = {
    None: StatusStyle("○", "#8A8F94", "#FFFFFF", WORKFLOW_NAMES[None]),
    "draft": StatusStyle("✎", "#0072B2", "#DCEBF7", WORKFLOW_NAMES["draft"]),
    "errors": StatusStyle("⚠", "#B34000", "#F8D9C8", Text("Có lỗi", "Has errors")),
    "submitted": StatusStyle("➜", "#6A3D9A", "#E9E0F2", WORKFLOW_NAMES["submitted"]),
    "approved": StatusStyle("✔", "#00795A", "#D5F0E6", WORKFLOW_NAMES["approved"]),
    "returned": StatusStyle("↩", "#A86A00", "#FCEBC4", WORKFLOW_NAMES["returned"]),
}

ERROR_TINT = "#F8D9C8"
WARNING_TINT = "#FCEBC4"
GROUP_TINT = "#E8EEF4"
