"""Paths and settings in one place: platform folders, an override for tests, a portable mode."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "ParApp"


PORTABLE_ENV = "PARAPP_PORTABLE"  # set by --portable, for this process and the workers it starts


def program_dir() -> Path:
    """The folder of the program: the bundle's (beside ParApp.exe), or the checkout's."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def portable() -> bool:
    """Portable mode: a file named `portable` beside the program, or --portable. Everything (databases,
    settings, backups, the outbox, crash reports) is then kept in a folder `data` beside the program, for a
    USB stick moved between PCs."""
    return os.environ.get(PORTABLE_ENV) == "1" or (program_dir() / "portable").exists()


def data_dir() -> Path:
    """Where the office database lives by default, and with it the settings, backups, outbox and reports.

    PARAPP_HOME overrides it (tests, several offices on one PC); in portable mode it is the folder `data`
    beside the program; else the user's data folder of the platform.
    """
    if os.environ.get("PARAPP_HOME"):
        return Path(os.environ["PARAPP_HOME"])
    if portable():
        return program_dir() / "data"
    import platformdirs  # here, not at the top: only this needs it, and with PARAPP_HOME or portable, never

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def saved_language() -> str | None:
    """The language last chosen in the window (its settings file), so that the command line and run.py speak
    it too; None when there is none."""
    path = data_dir() / "parapp.ini"
    try:
        if not path.exists():  # the window was never opened here (configparser's import is then not paid for)
            return None
    except OSError:  # unreadable: as configparser would, read nothing
        return None
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    lang = parser.get("General", "language", fallback=None)
    return lang if lang in ("vi", "en") else None


def default_db() -> Path:
    return data_dir() / "parapp.db"


DEMO_KINDS = ("today", "three-tier")


def demo_db(kind: str = "today") -> Path:
    """The demo database: today's two-tier Cần Thơ, or the three-tier Hà Tĩnh of the first round."""
    return data_dir() / ("demo-can-tho.db" if kind == "today" else "demo-ha-tinh.db")
