"""Backups of the office database: made with SQLite's online backup API, checked, rotated, restored.

A backup is a complete ParApp database file, named ``<database>-<yyyymmdd-hhmmss>-<why>.db``, in the data
folder's ``backups/<database>-<id>/`` and, if the office chose one, a second folder (a USB stick). Each is
checked with ``integrity_check`` before it takes its name, and records in its own meta table what it is a
backup of, when and why. ParApp makes one before every import, reorganisation, migration and restore,
when the window closes and once a day while it is open; ``parapp backup`` and the File menu make one on
demand. Old ones are rotated: the newest of each of the last 7 days, 4 weeks and 12 months are kept, and
always the newest 3.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from parapp.i18n import Text
from parapp.store.db import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Store,
    StoreError,
    environment_error,
    file_uri,
    now,
)

KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_NEWEST = 7, 4, 12, 3
# A temporary copy untouched for this long was left by a ParApp killed while writing it (the national database's
# daily backup takes about 11 s): the next backup or restore into its folder removes it.
STALE_TEMPORARY_SECONDS = 3600
_NAME = re.compile(r"^(?P<stem>.+)-(?P<at>\d{8}-\d{6})(?:-(?P<n>\d+))?-(?P<why>[a-z-]+)\.db$")
REASONS = {
    "manual": Text("sao lưu theo yêu cầu", "made on request"),
    "daily": Text("sao lưu hằng ngày", "daily"),
    "close": Text("khi đóng ParApp", "when ParApp closed"),
    "before-import": Text("trước khi nhập báo cáo", "before an import"),
    "before-reorganise": Text("trước khi chuyển sang mô hình hai cấp", "before carrying over to two tiers"),
    "before-migration": Text("trước khi nâng cấp cơ sở dữ liệu", "before the database was upgraded"),
    "before-restore": Text("trước khi khôi phục", "before a restore"),
}


class DamagedError(StoreError):
    """The database is damaged; backup names the newest sound backup, if there is one."""

    def __init__(self, vi: str, en: str, backup: Backup | None = None):
        super().__init__(vi, en)
        self.backup = backup


@dataclass(frozen=True)
class Backup:
    path: Path
    at: datetime
    why: str

    def label(self, lang: str) -> str:
        reason = REASONS.get(self.why)
        return f"{self.at:%d/%m/%Y %H:%M}" + (f" ({reason.get(lang)})" if reason else "")


def folder_for(db_path: Path | str) -> Path:
    """This database's backup folder in the data folder: named after the file, and where it lives."""
    from parapp import settings

    path = Path(db_path).resolve()
    tag = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:8]
    return settings.data_dir() / "backups" / f"{path.stem}-{tag}"


def _name(db_path: Path, why: str, when: datetime, folder: Path) -> Path:
    base = f"{Path(db_path).stem}-{when:%Y%m%d-%H%M%S}"
    target = folder / f"{base}-{why}.db"
    n = 1
    while target.exists():  # two in one second (an import right after a restore)
        n += 1
        target = folder / f"{base}-{n}-{why}.db"
    return target


def make_backup(store: Store, why: str = "manual", out: Path | str | None = None) -> Path:
    """A checked copy of the open database (out, or a new file in its backup folder), also in the second folder
    if one is set; returns its path. The database itself is only read. Raises StoreError (disk full, folder
    not writable, the database damaged) and leaves no partial file."""
    if store.in_transaction:
        raise RuntimeError("a backup is made between transactions, never inside one")
    when = datetime.now().astimezone()
    if out is not None:
        target = Path(out)
        if target.is_dir():
            target = _name(store.path, why, when, target)
    else:
        target = _name(store.path, why, when, folder_for(store.path))
    _write(store, target, why, when)
    if out is None:
        rotate(target.parent, when)
        second = store.meta("backup_folder")
        try:
            if second and Path(second).is_dir():  # never created here: a stick not plugged in is skipped
                copy = _name(store.path, why, when, Path(second))
                _copy_checked(target, copy)
                rotate(copy.parent, when)
        except (OSError, ValueError, StoreError):
            pass  # the stick is full or gone: the backup in the data folder is made all the same
    return target


def _write(store: Store, target: Path, why: str, when: datetime, extra: dict[str, str] | None = None) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = _temporary(target.parent, ".~backup-")
        os.close(fd)
    except OSError as e:
        raise environment_error(e, target) from None
    tmp = Path(name)
    try:
        dst = sqlite3.connect(tmp)
        try:
            store.conn.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            with dst:
                for key, value in (("backup_of", str(Path(store.path).resolve())), ("backup_at", now()),
                                   ("backup_reason", why), *(extra or {}).items()):
                    dst.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
        if check != "ok":
            raise StoreError(
                f"Không sao lưu được {store.path}: cơ sở dữ liệu bị hỏng (kiểm tra toàn vẹn không đạt).",
                f"Cannot back up {store.path}: the database is damaged (its integrity check fails).")
        os.replace(tmp, target)
    except sqlite3.Error as e:
        tmp.unlink(missing_ok=True)
        raise environment_error(e, target) from None
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise environment_error(e, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temporary(folder: Path, prefix: str) -> tuple[int, str]:
    """A new temporary file in folder (mkstemp), after removing the stale ones of the same kind that a killed
    ParApp left there: each is as big as a database, and nothing else would ever remove them."""
    stale = time.time() - STALE_TEMPORARY_SECONDS
    for f in folder.glob(f"{prefix}*"):
        try:
            if f.stat().st_mtime < stale:
                f.unlink()
        except OSError:
            pass  # gone already, or in use (Windows)
    return tempfile.mkstemp(prefix=prefix, suffix=".db", dir=folder)


def _synced_copy(src: Path, folder: Path, prefix: str) -> Path:
    """src copied to a temporary name in folder and flushed to the disk (the caller renames or removes it)."""
    fd, name = _temporary(folder, prefix)
    os.close(fd)
    tmp = Path(name)
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _copy_checked(src: Path, target: Path) -> None:
    tmp = _synced_copy(src, target.parent, ".~backup-")
    try:
        if not is_sound(tmp):
            raise StoreError("Bản sao bị lỗi khi chép.", "The copy was damaged while it was written.")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def backups(db_path: Path | str, folder: Path | None = None) -> list[Backup]:
    """The backups of this database in its backup folder (or the folder given), newest first."""
    folder = folder or folder_for(db_path)
    out = []
    if folder.is_dir():
        for f in folder.iterdir():
            m = _NAME.match(f.name)
            if m and f.is_file():
                try:
                    at = datetime.strptime(m["at"], "%Y%m%d-%H%M%S").astimezone()
                except ValueError:
                    continue
                out.append(Backup(f, at, m["why"]))
    return sorted(out, key=lambda b: (b.at, b.path.name), reverse=True)


def rotate(folder: Path, when: datetime | None = None) -> list[Path]:
    """Delete the backups no longer kept; returns them. Kept: the newest KEEP_NEWEST, and the newest of each of
    the last KEEP_DAILY days, KEEP_WEEKLY ISO weeks and KEEP_MONTHLY months."""
    when = when or datetime.now().astimezone()
    found = backups(Path("x"), folder)
    keep = {b.path for b in found[:KEEP_NEWEST]}
    for horizon, key in ((timedelta(days=KEEP_DAILY), lambda d: d.date()),
                         (timedelta(weeks=KEEP_WEEKLY), lambda d: d.isocalendar()[:2]),
                         (timedelta(days=31 * KEEP_MONTHLY), lambda d: (d.year, d.month))):
        seen = set()
        for b in found:  # newest first: the first of each bucket is its newest
            if when - b.at <= horizon and key(b.at) not in seen:
                seen.add(key(b.at))
                keep.add(b.path)
    dropped = [b.path for b in found if b.path not in keep]
    for p in dropped:
        p.unlink(missing_ok=True)
    return dropped


def is_sound(path: Path, quick: bool = False) -> bool:
    """Is the file a ParApp database this version can open, whole by SQLite's own check?"""
    try:
        conn = sqlite3.connect(f"{file_uri(path)}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return False
            if conn.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
                return False
            return conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def newest_sound(db_path: Path | str) -> Backup | None:
    for b in backups(db_path):
        if is_sound(b.path, quick=True):
            return b
    return None


def damaged_message(path: Path | str) -> DamagedError:
    """The sentence for a damaged database, naming the newest sound backup and what it lacks."""
    path = Path(path)
    b = newest_sound(path)
    if b is None:
        return DamagedError(
            f"Tệp {path} bị hỏng và chưa có bản sao lưu nào còn tốt; tệp không bị thay đổi. Hãy chép tệp này "
            "cho bộ phận kỹ thuật.",
            f"The file {path} is damaged and there is no sound backup of it yet; it was left as it was. Give a "
            "copy of it to your technical support.")
    return DamagedError(
        f"Tệp {path} bị hỏng; tệp không bị thay đổi. Bản sao lưu gần nhất còn tốt là {b.path} (lúc "
        f"{b.label('vi')}): nó thiếu các thay đổi sau thời điểm đó. Khôi phục bằng lệnh "
        f"\"parapp restore {b.path}\" hoặc Tệp → Khôi phục từ bản sao lưu.",
        f"The file {path} is damaged; it was left as it was. The newest sound backup is {b.path} (of "
        f"{b.label('en')}): it lacks the changes made after then. Restore it with \"parapp restore {b.path}\" "
        "or File → Restore from a backup.", b)


def _head_of(path: Path) -> int:
    conn = sqlite3.connect(f"{file_uri(path)}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def restore(db_path: Path | str, backup: Path | str) -> Path | None:
    """Put a backup in the place of the database (which must not be open here). The database as it was is kept
    first (a backup, or for a damaged file a plain copy); returns that copy. All or nothing: the new file takes
    the database's name in one rename."""
    db_path, backup = Path(db_path), Path(backup)
    if not backup.is_file() or not is_sound(backup):
        raise StoreError(
            f"{backup} không phải bản sao lưu ParApp còn tốt (hoặc do phiên bản mới hơn tạo ra); không khôi phục.",
            f"{backup} is not a sound ParApp backup (or was made by a newer version); nothing was restored.")
    safety = None
    if db_path.exists():
        when = datetime.now().astimezone()
        safety = _name(db_path, "before-restore", when, folder_for(db_path))
        try:
            store = Store.open(db_path)
        except StoreError:
            store = None
        try:
            if store is not None:
                # The history after the restored backup's head is left behind: its later backups are of a branch
                # no longer followed, which the check of the history must not take for tampering.
                _write(store, safety, "before-restore", when, {"restored_to": str(_head_of(backup)),
                                                                "restored_from": str(backup)})
                # Everything committed goes into the file, so that its log can go before the rename below.
                store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:  # damaged: keep it as it is, bytes and WAL, for the technical support
                safety.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(db_path, safety.with_suffix(".damaged"))
                wal = Path(str(db_path) + "-wal")
                if wal.exists():
                    shutil.copyfile(wal, safety.with_suffix(".damaged-wal"))
                safety = safety.with_suffix(".damaged")
        except OSError as e:
            raise environment_error(e, safety) from None
        finally:
            if store is not None:
                store.close()
    try:
        tmp = _synced_copy(backup, db_path.parent, ".~restore-")
        try:
            for suffix in ("-wal", "-shm"):  # the old database's log must not be replayed onto the backup
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            os.replace(tmp, db_path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as e:
        raise environment_error(e, db_path) from None
    return safety
