"""A record of the office databases last found sound, so that opening an unchanged one needs no new check.

Store.open looks for damaged pages (PRAGMA quick_check) before anything is read or written. For a file that has
not changed since it was last found sound, that look only repeats itself: every `parapp show` in a script paid it.
This record, a small JSON file in the data folder, keeps for each database what its file looked like when the
check passed: size, modification and change times, inode, the first 100 bytes (SQLite's header), and the same
for its -wal file. Opening compares; any difference (a write by ParApp or another program, a page edited behind
ParApp's back, the file replaced or restored) and the check runs again. Where the change time is the file's
birth (Windows), a program that edits pages and then sets the modification time back goes unseen until the
file changes otherwise; the daily backup's full check still sees it.

A file whose times are within a few seconds of the moment it was checked is not trusted (a write in the same
clock tick as the check would leave the same times; FAT keeps times to two seconds): it is checked again next
time, by which time its times are old enough to be trusted if nothing changed. A missing, unreadable or foreign
record only means the check runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

RECORD_NAME = "checked.json"
_FORMAT = 1
_RACY_NS = 3_000_000_000  # times this close to the check are not trusted (coarse clocks, FAT's two seconds)
_KEEP = 64  # databases remembered; the oldest checks are forgotten first


def _record_path() -> Path | None:
    try:
        from parapp import settings

        return settings.data_dir() / RECORD_NAME
    except Exception:  # noqa: BLE001 - no data folder to be had: nothing remembered, every open checks
        return None


def _file_state(path: str) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def state(path: Path, head: bytes) -> dict:
    """What the database file and its -wal file look like now (taken before the check, so that a write during
    the check makes the record differ from the file). An empty -wal counts as none: SQLite makes and removes it."""
    wal = _file_state(str(path) + "-wal")
    return {"db": _file_state(str(path)), "wal": wal if wal and wal[0] > 0 else None, "head": head.hex(),
            "at": time.time_ns()}


def _key(path: Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(Path(path).absolute())


def _load(record: Path) -> dict:
    try:
        doc = json.loads(record.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT or not isinstance(doc.get("files"), dict):
        return {}
    return doc["files"]


def _same(saved: object, now: dict) -> bool:
    if not isinstance(saved, dict) or now["db"] is None:
        return False
    if any(saved.get(k) != now[k] for k in ("db", "wal", "head")):
        return False
    at = saved.get("at")
    if not isinstance(at, int):
        return False
    newest = max(now["db"][1], now["db"][2], *(now["wal"][1:3] if now["wal"] else ()))
    return newest < at - _RACY_NS


def unchanged(path: Path, now: dict) -> bool:
    """Was this database found sound when it looked exactly as it does now (and long enough after its last
    change for the times to tell)?"""
    record = _record_path()
    if record is None:
        return False
    return _same(_load(record).get(_key(path)), now)


def remember(path: Path, now: dict) -> None:
    """The check passed for the file as `now` saw it. A record that cannot be written is no harm."""
    record = _record_path()
    if record is None or now["db"] is None:
        return
    files = _load(record)
    files[_key(path)] = now
    if len(files) > _KEEP:
        newest = sorted(files.items(), key=lambda kv: kv[1].get("at", 0) if isinstance(kv[1], dict) else 0)
        files = dict(newest[-_KEEP:])
    _write(record, files)


def forget(path: Path) -> None:
    """The check found damage: nothing about this file is remembered as sound."""
    record = _record_path()
    if record is None:
        return
    files = _load(record)
    if files.pop(_key(path), None) is not None:
        _write(record, files)


def _write(record: Path, files: dict) -> None:
    """Replace the record whole (another ParApp reading it meanwhile sees the old one or the new one)."""
    from _thread import get_ident  # the window's check remembers from a thread of its own

    tmp = record.with_name(f"{record.name}.{os.getpid()}.{get_ident()}.tmp")
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"format": _FORMAT, "files": files}), encoding="utf-8")
        os.replace(tmp, record)
    except OSError:  # a read-only or full disk: every open checks
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
