"""The colours and marks of statuses, one palette for the window, the PDF reports and the workbooks.

Never colour alone: each status also has a symbol and a word (colour-blind officers, grey printers). The
colours are from the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

# compliance status -> (text colour, cell tint)
STATUS_COLOURS = {
    "met": ("#00795A", "#D5F0E6"),
    "at_risk": ("#A86A00", "#FCEBC4"),
    "missed": ("#B34000", "#F8D9C8"),
    "no_data": ("#5F6368", "#EEEEEE"),
    "no_target": ("#8A8F94", "#FFFFFF"),
}
# workflow status of a unit's return for a period -> (symbol, text colour, cell tint)
WORKFLOW_MARKS = {
    None: ("○", "#8A8F94", "#FFFFFF"),
    "draft": ("✎", "#0072B2", "#DCEBF7"),
    "submitted": ("➜", "#6A3D9A", "#E9E0F2"),
    "approved": ("✔", "#00795A", "#D5F0E6"),
    "returned": ("↩", "#A86A00", "#FCEBC4"),
}
GROUP_TINT = "#E8EEF4"  # rows that sum others up
HEADER_TINT = "#DDE5EE"
