"""Paths and settings in one place: platform folders, an override for tests, a portable mode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "ParApp"


def data_dir() -> Path:
    """Where the office database lives by default.

    PARAPP_HOME overrides it (tests, several offices on one PC); a file named `portable` beside the
    program keeps everything next to it (for a USB stick).
    """
    if os.environ.get("PARAPP_HOME"):
        return Path(os.environ["PARAPP_HOME"])
    exe_dir = Path(sys.executable).resolve().parent
    if (exe_dir / "portable").exists():
        return exe_dir / "data"
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_db() -> Path:
    return data_dir() / "parapp.db"


DEMO_KINDS = ("today", "three-tier")


def demo_db(kind: str = "today") -> Path:
    """The demo database: today's two-tier Cần Thơ, or the three-tier Hà Tĩnh of the first round."""
    return data_dir() / ("demo-can-tho.db" if kind == "today" else "demo-ha-tinh.db")
