"""Crash reports: what happened when ParApp met a bug, saved where the officer can send it."""

from __future__ import annotations

import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

from parapp import __version__, settings


def save_report(exc: BaseException, context: str = "") -> Path | None:
    """Write the report to the data folder's crash-reports; its path, or None if even that failed."""
    try:
        folder = settings.data_dir() / "crash-reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.txt"
        text = (f"ParApp {__version__} on Python {platform.python_version()}, {platform.platform()}\n"
                f"command: {' '.join(sys.argv)}\n{context}\n\n" + "".join(traceback.format_exception(exc)))
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None
