"""Nothing lost: backups and restores, damaged and read-only databases, errors that tell bugs from the world,
and the command line's defects found by trying ParApp as an adversary would."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from parapp.engine.office import Office
from parapp.i18n import ParAppError, clean
from parapp.store import backup as bk
from parapp.store import values as vs
from parapp.store.db import Store, StoreError, error_kind, explain


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if not line.startswith("INSERT INTO \"meta\"")]
    finally:
        conn.close()


@pytest.fixture
def district(tmp_path):
    path = tmp_path / "district.db"
    Office.create(path, "42", office="436", officer="Võ Thị Mai").close()
    office = Office.open(path)
    office.enter("18073", "2025Q1", {"received_new": "120", "resolved_on_time": "120"})
    yield office
    office.close()


# ------------------------------------------------------------------------------------------ backups


def test_a_backup_is_a_checked_copy_that_restores_dump_for_dump(district, tmp_path):
    store = district.store
    made = bk.make_backup(store, "manual")
    assert made.parent == bk.folder_for(store.path) and made.name.endswith("-manual.db")
    assert bk.is_sound(made)
    meta = dict(sqlite3.connect(made).execute("SELECT key, value FROM meta").fetchall())
    assert meta["backup_reason"] == "manual" and meta["backup_of"] == str(store.path.resolve())
    path = store.path
    district.close()
    before = _dump(path)
    office = Office.open(path)
    office.enter("18073", "2025Q2", {"received_new": "7"})
    office.close()
    assert _dump(path) != before
    kept = bk.restore(path, made)
    assert _dump(path) == before  # the database as it was when the backup was made
    assert kept is not None and bk.is_sound(kept) and "before-restore" in kept.name
    with Office.open(path) as again:
        assert "2025Q2" not in again.store.periods_used()


def test_an_import_is_preceded_by_a_backup(district, tmp_path):
    from parapp.exchange.returns import apply, export_return, preview

    commune = Office.create(tmp_path / "c.db", "42", office="18073", officer="Cán bộ xã")
    commune.enter("18073", "2025Q3", {"received_new": "50", "resolved_on_time": "50"})
    out = export_return(commune, "18073", "2025Q3", tmp_path / "r.xlsx")
    commune.close()
    before = {b.path for b in bk.backups(district.store.path)}
    path = district.store.path
    district.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    as_it_was = _dump(path)
    apply(district, preview(district, [out]), {out})
    new = [b for b in bk.backups(district.store.path) if b.path not in before]
    assert [b.why for b in new] == ["before-import"]
    assert "2025Q3" not in sqlite3.connect(new[0].path).execute(
        "SELECT group_concat(period) FROM data_values").fetchone()[0]
    # Restoring it undoes the import: the database as it was, dump for dump, its history whole.
    district.close()
    assert _dump(path) != as_it_was
    bk.restore(path, new[0].path)
    assert _dump(path) == as_it_was
    with Office.open(path) as again:
        from parapp.store import audit

        assert audit.verify(again.store).ok


def test_rotation_keeps_days_weeks_months_and_the_newest(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime(2026, 12, 2, 12, 0).astimezone()
    for hours in range(0, 24 * 400, 7):  # a backup every seven hours for more than a year
        at = now - timedelta(hours=hours)
        (folder / f"x-{at:%Y%m%d-%H%M%S}-daily.db").write_bytes(b"")
    bk.rotate(folder, now)
    kept = bk.backups(Path("x"), folder)
    days = {b.at.date() for b in kept if now - b.at <= timedelta(days=7)}
    assert len(days) >= 7
    assert len(kept) <= bk.KEEP_NEWEST + bk.KEEP_DAILY + bk.KEEP_WEEKLY + bk.KEEP_MONTHLY
    assert min(b.at for b in kept) >= now - timedelta(days=31 * bk.KEEP_MONTHLY)
    assert kept[0].at == now  # the newest always


def test_a_second_folder_gets_a_copy(district, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()  # the stick, plugged in
    district.store.set_meta("backup_folder", str(usb))
    made = bk.make_backup(district.store)
    copies = list(usb.glob("*.db"))
    assert [c.name for c in copies] == [made.name] and bk.is_sound(copies[0])
    district.store.set_meta("backup_folder", str(tmp_path / "missing" / "stick"))
    assert bk.make_backup(district.store).exists()  # a stick not plugged in does not stop the backup
    assert not (tmp_path / "missing").exists()  # nor is its folder made on the computer


# ------------------------------------------------------------------------------------------ damaged, read-only


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2 // 4096 * 4096)
        f.write(os.urandom(8192))


def test_a_damaged_database_is_refused_naming_the_newest_sound_backup(district, cli, tmp_path):
    path = district.store.path
    made = bk.make_backup(district.store)
    district.enter("18073", "2025Q4", {"received_new": "3"})
    district.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    district.close()
    _damage(path)
    damaged = path.read_bytes()
    with pytest.raises(bk.DamagedError) as e:
        Office.open(path)
    assert e.value.backup is not None and e.value.backup.path == made
    assert str(made) in e.value.message("vi") and "thiếu các thay đổi" in e.value.message("vi")
    code, _out, err = cli("enter", "--db", path, "--unit", "18073", "--period", "2025Q4", "received_new=4")
    assert code == 1 and "bị hỏng" in err and str(made) in err
    code, _out, err = cli("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 1 and "bị hỏng" in err
    assert path.read_bytes() == damaged  # refused without a write
    code, out, err = cli("restore", "--db", path, made)
    assert code == 0, err
    assert list(bk.folder_for(path).glob("*.damaged")), "the damaged file is kept for the technical support"
    with Office.open(path) as office:
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120


def test_the_window_s_check_at_opening_runs_beside_it_and_no_write_reaches_a_damaged_file(district):
    """The window opens a database with its quick check on a thread (it shows itself meanwhile): the first write
    waits for that check, and a damaged file is refused as an opening would refuse it, unwritten."""
    path = district.store.path
    made = bk.make_backup(district.store)
    district.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    district.close()
    with Office.open(path, check="later") as sound:  # a sound file: the writes go through after the check
        sound.enter("18073", "2025Q4", {"received_new": "3"})
        assert sound.report("18073", "2025Q4").stored["received_new"].value == 3
        sound.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(path)
    damaged = path.read_bytes()
    office = Office.open(path, check="later")  # opens: the damage lies past what opening reads
    try:
        with pytest.raises(bk.DamagedError) as e:
            office.store.wait_checked()
        assert e.value.backup is not None and e.value.backup.path == made
        with pytest.raises(bk.DamagedError):  # and every write after it is refused the same way
            with office.store.transaction() as conn:
                conn.execute("UPDATE meta SET value = 'x' WHERE key = 'officer'")
    finally:
        office.close()
    assert path.read_bytes() == damaged


def test_a_read_only_database_opens_for_viewing(district, monkeypatch, cli):
    path = district.store.path
    district.close()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real(p, mode, **kw))
    with Office.open(path) as office:
        assert office.store.read_only
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120
        with pytest.raises(StoreError) as e:
            office.enter("18073", "2025Q1", {"received_new": "121"})
        assert "chỉ mở để xem" in e.value.message("vi")
    code, out, _ = cli("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 0 and "120" in out


# ------------------------------------------------------------------------------------------ errors by kind


def test_errors_are_told_by_their_code_not_their_text(tmp_path):
    def err(code: int, text: str = "anything") -> sqlite3.Error:
        e = sqlite3.OperationalError(text)
        e.sqlite_errorcode = code
        return e

    assert error_kind(err(sqlite3.SQLITE_BUSY, "no such table: x")) == "busy"
    assert error_kind(err(sqlite3.SQLITE_FULL)) == "full"
    assert error_kind(err(sqlite3.SQLITE_IOERR_WRITE)) == "ioerr"
    assert error_kind(err(sqlite3.SQLITE_READONLY_DBMOVED)) == "readonly"
    assert error_kind(err(sqlite3.SQLITE_CORRUPT_INDEX)) == "corrupt"
    assert error_kind(err(sqlite3.SQLITE_ERROR, "database is locked")) is None  # the text does not decide
    assert explain(err(sqlite3.SQLITE_CONSTRAINT), tmp_path / "x.db") is None  # a bug: not dressed up
    assert "đầy" in explain(err(sqlite3.SQLITE_FULL), tmp_path / "x.db").message("vi")
    assert error_kind(OSError(28, "No space left on device")) == "full"


def test_a_bug_in_a_command_is_a_crash_report_not_a_sentence(district, cli, monkeypatch):
    path = district.store.path
    district.close()

    def broken(*_a, **_k):
        raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(vs, "write_values", broken)
    code, _out, err = cli("enter", "--db", path, "--unit", "18073", "--period", "2025Q2", "received_new=5")
    assert code == 3 and "Báo cáo lỗi" in err


def test_a_locked_database_is_a_sentence_and_nothing_is_lost(district, cli):
    path = district.store.path
    holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        import parapp.store.db as db

        old = db.BUSY_TIMEOUT_MS
        db.BUSY_TIMEOUT_MS = 200
        try:
            code, _out, err = cli("enter", "--db", path, "--unit", "18073", "--period", "2025Q2", "received_new=5")
        finally:
            db.BUSY_TIMEOUT_MS = old
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1 and "khoá" in err and "Traceback" not in err
    assert "2025Q2" not in Store.open(path).periods_used()


# ------------------------------------------------------------------------------------------ defects


def test_enter_refuses_empty_and_repeated_values_and_clears_explicitly(district, cli):
    path = district.store.path
    district.close()
    args = ("enter", "--db", path, "--unit", "18073", "--period", "2025Q1")
    code, _out, err = cli(*args, "received_new=")
    assert code == 1 and "--clear received_new" in err
    code, _out, err = cli(*args, "received_new=5", "received_new=6")
    assert code == 1 and "hai lần" in err
    with Office.open(path) as office:
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120
    code, out, _ = cli(*args, "--clear", "received_new")
    assert code == 0 and "Đã xoá: received_new" in out
    with Office.open(path) as office:
        assert "received_new" not in office.report("18073", "2025Q1").stored


def test_enter_refuses_units_outside_the_office(district):
    with pytest.raises(ParAppError) as e:
        district.enter("437", "2025Q1", {"received_new": "5"})  # a sibling district
    assert "không thuộc đơn vị của văn phòng này" in e.value.message("vi")
    with pytest.raises(ParAppError):
        district.enter("42", "2025Q1", {"received_new": "5"})  # the province above
    assert "437" not in {r[0] for r in district.store.conn.execute("SELECT unit FROM data_values")}


def test_control_characters_never_reach_the_terminal_or_the_files(district, cli):
    assert clean("Xã\x1b[31m Đỏ\n\t ") == "Xã[31m Đỏ"
    assert clean("dòng 1\r\ndòng 2\x07", multiline=True) == "dòng 1\ndòng 2"
    district.enter("18073", "2025Q1", {"received_new": "120"}, comment="ghi chú\x1b]0;pwned\x07 thật")
    assert district.report("18073", "2025Q1").stored["received_new"].comment == "ghi chú]0;pwned thật"
    from parapp.store.units import rename_unit

    assert rename_unit(district.store, "18073", "Phường\x1b[2J Nam Hà", "x").name == "Phường[2J Nam Hà"


def test_figures_saved_are_there_after_a_restore_of_a_newer_backup(district):
    district.enter("18073", "2025Q2", {"received_new": "9"})
    made = bk.make_backup(district.store)
    path = district.store.path
    district.close()
    bk.restore(path, made)
    with Office.open(path) as office:
        assert office.report("18073", "2025Q2").stored["received_new"].value == 9
        assert office.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_approval_by_another_parapp_locks_the_figures_at_once(district):
    """The lock is read inside the write's own transaction: an approval another connection committed is seen."""
    from parapp.store.values import LockedError

    path = district.store.path
    district.enter("18073", "2025Q1", {"resolved_on_time": "120"})
    district.submit("18073", "2025Q1")
    with Office.open(path) as other:  # the district's second window, or a script
        other.approve("18073", "2025Q1")
    with pytest.raises(LockedError):
        district.enter("18073", "2025Q1", {"received_new": "121"})
    assert district.report("18073", "2025Q1").stored["received_new"].value == 120
