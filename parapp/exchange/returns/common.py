"""What the modules of parapp.exchange.returns share: the error they raise, a refusal naming the file (and
the sheet and cell), the progress callback, and cell addresses."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from parapp.i18n import ParAppError, Text

Progress = Callable[[int, int], bool | None]

_CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})\Z")


class ReturnError(ParAppError):
    """A file that cannot be imported as a ParApp return, or a return that cannot be written."""


def _where(path: Path, sheet: str | None = None, cell: str | None = None) -> Text:
    vi, en = f'Tệp "{path.name}"', f'File "{path.name}"'
    if sheet:
        vi += f', trang "{sheet}"'
        en += f', sheet "{sheet}"'
    if cell:
        vi += f", ô {cell}"
        en += f", cell {cell}"
    return Text(vi, en)


def _refuse(path: Path, vi: str, en: str, sheet: str | None = None, cell: str | None = None) -> ReturnError:
    w = _where(path, sheet, cell)
    return ReturnError(f"{w.vi}: {vi}", f"{w.en}: {en}")


@lru_cache(maxsize=4096)  # a form's few hundred addresses, the same in every file
def _split_cell(address: str) -> tuple[int, int]:
    """'E12' -> (row 12, column 5), 1-based."""
    m = _CELL.match(address)
    if not m:
        raise ValueError(address)
    return int(m.group(2)), _column_number(m.group(1))


def _column_number(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col
