"""The bare side of the import benchmark on worker processes: python-calamine reading files, nothing else.

A module of its own so that a worker process started for it imports python-calamine and this file only
(bench/exchange.py, the main script, is not imported again in the workers: see exchange.workers_like_parapp).
"""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

META_SHEET = "parapp"
SHEET = "Báo cáo"


def read_files(paths: list[Path]) -> int:
    """python-calamine opening each file and reading its two sheets' cells; the number of rows read."""
    n = 0
    for p in paths:
        wb = CalamineWorkbook.from_path(p)
        n += len(wb.get_sheet_by_name(META_SHEET).to_python())
        n += len(wb.get_sheet_by_name(SHEET).to_python())
    return n
