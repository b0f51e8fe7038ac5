"""Crash reports: what happened when ParApp met a bug, saved where the officer can send it.

A bug in Python code is caught and written by save_report. A crash in native code (Qt, SQLite, a spreadsheet
reader, a driver) ends the process before any Python handler runs: for that, enable_native_reports has
faulthandler write the Python stack of every thread into a report file that is kept open for the whole run.
A run that ends normally removes its file if nothing was written to it, and so does the next start for the
file of a run that was killed (from the task manager, or by a power cut): only real native crashes leave one.
"""

from __future__ import annotations

import atexit
import faulthandler
import os
import sys
from datetime import datetime
from pathlib import Path

from parapp import __version__, settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (this module is imported at every start)
if TYPE_CHECKING:
    from typing import BinaryIO

# The last line of a native report's heading: whatever follows it is what faulthandler wrote at the crash.
NATIVE_MARK = "Native crash (faulthandler):\n"

_native: tuple[Path, BinaryIO, int] | None = None  # (report, its open file, size of its heading)


def reports_folder() -> Path:
    return settings.data_dir() / "crash-reports"


def _report_name(folder: Path) -> Path:
    return folder / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.txt"


def _heading(quick: bool = False) -> str:
    """ParApp's version, Python's and the system's, and the command. quick (the native-report file, written at
    every start): the system as os.uname() gives it, without the platform module's probing."""
    if quick:
        uname = getattr(os, "uname", None)
        system = " ".join(uname()[0:3:2]) if uname else sys.platform
        if sys.platform == "win32":
            v = sys.getwindowsversion()
            system = f"Windows {v.major}.{v.minor}.{v.build}"
        return (f"ParApp {__version__} on Python {sys.version.split()[0]}, {system}\n"
                f"command: {' '.join(sys.argv)}\n")
    import platform

    return (f"ParApp {__version__} on Python {platform.python_version()}, {platform.platform()}\n"
            f"command: {' '.join(sys.argv)}\n")


def save_report(exc: BaseException, context: str = "") -> Path | None:
    """Write the report to the data folder's crash-reports; its path, or None if even that failed."""
    try:
        folder = reports_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = _report_name(folder)
        import traceback

        text = _heading() + f"{context}\n\n" + "".join(traceback.format_exception(exc))
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None


def enable_native_reports() -> Path | None:
    """From now until the process ends, a native crash writes its report (the Python stack of every thread) to a
    new file in the crash-reports folder, named like the other reports; returns that file. Called once at start
    by the command line and the window (a second call returns the same file). Never stops ParApp from starting:
    None when the folder cannot be written."""
    global _native
    if _native is not None:
        return _native[0]
    try:
        folder = reports_folder()
        folder.mkdir(parents=True, exist_ok=True)
        _sweep(folder)
        path = _report_name(folder)
        f = open(path, "xb", buffering=0)  # kept open for the life of the process
    except OSError:
        return None
    try:
        _hold(f)
        heading = (_heading(quick=True) + f"process: {os.getpid()}, started {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}"
                   f"\n\n{NATIVE_MARK}").encode("utf-8")
        f.write(heading)
        faulthandler.enable(file=f, all_threads=True)
    except (OSError, ValueError, RuntimeError):
        f.close()
        path.unlink(missing_ok=True)
        return None
    _native = (path, f, len(heading))
    atexit.register(_close_native)
    return path


def _close_native() -> None:
    """At a normal end: stop writing native reports; remove the file if no crash was written to it."""
    global _native
    if _native is None:
        return
    path, f, heading = _native
    _native = None
    try:
        faulthandler.disable()
        size = os.fstat(f.fileno()).st_size
        f.close()
        if size <= heading:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _hold(f: BinaryIO) -> None:
    """Mark the file as this live process's (the next start's sweep leaves it alone). POSIX: an advisory lock,
    freed by the system however the process ends. Windows needs none: a file open elsewhere cannot be removed."""
    try:
        import fcntl
    except ImportError:
        return
    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _sweep(folder: Path) -> None:
    """Remove the empty native reports of earlier runs that ended without closing theirs (killed); a report with a
    crash in it, a Python report and the file of a ParApp still running are kept."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    mark = NATIVE_MARK.encode("utf-8")
    for path in folder.glob("crash-*.txt"):
        try:
            with open(path, "rb") as f:
                head = f.read(1 << 16)
                if not head.endswith(mark) or f.read(1):  # a Python report, or a native one with a crash
                    continue
                if fcntl is not None:
                    try:
                        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # held: the report of a ParApp that is running now
            path.unlink()  # on Windows this fails for the file of a ParApp still running, as it should
        except OSError:
            continue
