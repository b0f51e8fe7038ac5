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


def demo_db() -> Path:
    return data_dir() / "demo-ha-tinh.db"
