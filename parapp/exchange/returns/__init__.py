"""Excel returns: a unit's figures for a period as the paper form officers know, blank templates of the
same form, and their import with a preview.

A workbook has two sheets. "Báo cáo" is the form: the national motto block, the unit and period, a table
of groups, elements (value and comment cells, the only unlocked cells, with Excel's own data validation)
and indicators (live formulas over the value cells, the target, a status, the source), and the signature
block; print-ready on A4. "parapp" is very hidden and protected: what the import needs (unit, period,
catalogue and target-set versions, app version, time, workflow status, a checksum of the values) and where
each element's cells are, so the import finds cells by code, never by position. The form and its writing
are in form.

Reading (reading) uses python-calamine for the cells (hidden sheets included) and a short scan of the
form's XML for formulas typed into value cells, after the file has been checked as a sound, reasonably
sized zip (untrusted: a zip bomb, a truncated file or a CSV renamed .xlsx is refused before any spreadsheet
reader sees it). The preview of an import and its writing are in importing. Every refusal is a ParAppError
(common.ReturnError) naming the file, and the sheet and cell where there is one.
"""

from parapp.exchange.returns.common import ReturnError
from parapp.exchange.returns.form import COL_STATUS as COL_STATUS
from parapp.exchange.returns.form import (
    FORMAT,
    META_SHEET,
    SHEET,
    checksum,
    export_return,
    export_templates,
    export_with_below,
    file_name,
)
from parapp.exchange.returns.form import PASSWORD as PASSWORD
from parapp.exchange.returns.form import _canon as _canon
from parapp.exchange.returns.form import units_with_figures_below as units_with_figures_below
from parapp.exchange.returns.importing import FilePreview, apply, expand, preview
from parapp.exchange.returns.reading import ReturnFile, read_return
from parapp.exchange.returns.untrusted import formula_cells as formula_cells

__all__ = [
    "FORMAT", "META_SHEET", "SHEET", "FilePreview", "ReturnError", "ReturnFile", "apply", "checksum", "expand",
    "export_return", "export_templates", "export_with_below", "file_name", "preview", "read_return",
]
