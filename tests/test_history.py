"""A history that shows tampering: the audit log is a hash chain, its head is kept in every backup and
every exported return, and every stored value must be the last value its chain gives."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from old_schema import to_schema_3

from parapp.engine.office import Office
from parapp.store import audit
from parapp.store import backup as bk
from parapp.store import units as unit_store
from parapp.store.db import SCHEMA_VERSION


@pytest.fixture
def district(tmp_path):
    path = tmp_path / "district.db"
    Office.create(path, "42", office="436", officer="Võ Thị Mai").close()
    office = Office.open(path)
    office.enter("18073", "2025Q1", {"received_new": "120", "resolved_on_time": "118"})
    office.enter("18073", "2025Q2", {"received_new": "90", "resolved_on_time": "90"},
                 comments={"received_new": "Tháng 4 nghỉ lễ"})
    office.enter("18073", "2025Q1", {"resolved_on_time": "119"})
    yield office
    office.close()


def _shell(path: Path, *sql: str) -> None:
    """What anyone can do with the sqlite3 shell: drop the guards and edit."""
    conn = sqlite3.connect(path)
    try:
        for s in sql:
            conn.execute(s)
        conn.commit()
    finally:
        conn.close()


def _rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, action, element, new_value FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


def test_every_write_extends_a_chain_that_verifies(district, cli):
    v = audit.verify(district.store)
    assert v.ok and v.complete and v.rows == len(_rows(district.store.path)) >= 4
    assert v.head is not None and len(v.head[1]) == 64
    district.submit("18073", "2025Q2")
    unit_store.rename_unit(district.store, "18073", "Phường Nam Hà (mới)", "Võ Thị Mai")
    assert audit.verify(district.store).ok
    district.close()
    code, out, _err = cli("audit", "verify", "--db", str(district.store.path))
    assert code == 0 and "nguyên vẹn" in out and "mọi số liệu khớp" in out


def test_a_row_edited_with_the_sqlite_shell_is_found_at_its_row(district, cli):
    path = district.store.path
    district.close()
    rows = _rows(path)
    target = next(r for r in rows if r[2] == "resolved_on_time" and r[3] == 118.0)
    _shell(path, "DROP TRIGGER audit_rows_no_update",
           f"UPDATE audit_rows SET new_value = 140 WHERE id = {target[0]}")
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code == 2
    assert f"từ dòng {target[0]}" in out
    data = json.loads(cli("audit", "verify", "--db", str(path), "--json")[1])
    assert data["ok"] is False and data["broken_at"] == target[0]


def test_a_removed_row_breaks_the_chain_there(district):
    path = district.store.path
    district.close()
    _shell(path, "DROP TRIGGER audit_rows_no_delete", "DELETE FROM audit_rows WHERE id = 2")
    with Office.open(path) as office:
        v = audit.verify(office.store)
        assert not v.ok and v.broken_at == 2


def test_a_chain_rewritten_whole_is_caught_by_the_backups(district, cli):
    store = district.store
    bk.make_backup(store, "manual")
    path = store.path
    district.close()
    rows = _rows(path)
    target = next(r for r in rows if r[2] == "received_new" and r[3] == 120.0)
    # A careful forger: edits the row, then recomputes every hash after it.
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_rows_no_update")
    conn.execute(f"UPDATE audit_rows SET new_value = 150 WHERE id = {target[0]}")
    conn.execute("UPDATE data_values SET value = 150 WHERE unit = '18073' AND period = '2025Q1' "
                 "AND element = 'received_new'")
    audit.rechain(conn)
    conn.commit()
    conn.close()
    with Office.open(path) as office:
        assert audit.verify(office.store, anchors=False).ok  # the chain alone holds together again
        v = audit.verify(office.store)
        assert not v.ok and v.broken_at == target[0] and v.anchor and "-manual.db" in v.anchor
        assert "không khớp với bản lưu" in v.message("vi")
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code == 2 and f"dòng {target[0]}" in out


def test_the_newest_rows_removed_are_caught_by_the_backups(district):
    store = district.store
    bk.make_backup(store, "manual")
    top = audit.head(store.conn)[0]
    path = store.path
    district.close()
    _shell(path, "DROP TRIGGER audit_rows_no_delete", f"DELETE FROM audit_rows WHERE id >= {top - 1}")
    with Office.open(path) as office:
        v = audit.verify(office.store)
        assert not v.ok and v.broken_at == top - 1


def test_a_value_changed_in_data_values_alone_is_caught(district, cli):
    path = district.store.path
    district.close()
    _shell(path, "UPDATE data_values SET value = 999 WHERE unit = '18073' AND period = '2025Q2' "
                 "AND element = 'received_new'",
           "DELETE FROM data_values WHERE unit = '18073' AND period = '2025Q1' AND element = 'received_new'")
    with Office.open(path) as office:
        v = audit.verify(office.store, quick=True)
        assert not v.ok and v.broken_at is None
        found = {(d.period, d.element): (d.stored, d.chained) for d in v.drift}
        assert found == {("2025Q2", "received_new"): (999.0, 90.0), ("2025Q1", "received_new"): (None, 120.0)}
        assert [d.element for d in audit.drift(office.store.conn, "18073", "2025Q2")] == ["received_new"]
    code, out, _err = cli("audit", "verify", "--db", str(path), "--lang", "en")
    assert code == 2 and "2 stored values differ from their history" in out


def test_a_restore_leaves_a_branch_behind_without_a_false_alarm(district):
    store = district.store
    early = bk.make_backup(store, "manual")
    district.enter("18073", "2025Q3", {"received_new": "40"})
    bk.make_backup(store, "daily")  # of the branch the restore will leave behind
    path = store.path
    district.close()
    bk.restore(path, early)
    with Office.open(path) as office:
        office.enter("18073", "2025Q4", {"received_new": "12"})  # the chain goes on from the restored head
        v = audit.verify(office.store)
        assert v.ok, v.message("en")
        assert v.abandoned == 2 and v.anchors_checked >= 1


def test_an_older_database_gets_its_chain_when_upgraded(tmp_path):
    path = tmp_path / "old.db"
    Office.create(path, "42", office="436", officer="A").close()
    with Office.open(path) as office:
        office.enter("18073", "2025Q1", {"received_new": "5"})
    # Make it look like a database of schema 2: no hashes, no keys table, version 2.
    to_schema_3(path)
    _shell(path, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET hash = NULL",
           "ALTER TABLE audit_log DROP COLUMN hash", "DROP TABLE unit_keys",
           "DELETE FROM meta WHERE key IN ('signing_key', 'public_key')",
           "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END",
           "PRAGMA user_version = 2")
    with Office.open(path) as office:
        assert office.store.schema_version == SCHEMA_VERSION
        assert audit.verify(office.store).ok
        assert office.store.meta("public_key")
        with pytest.raises(sqlite3.DatabaseError):
            office.store.conn.execute("UPDATE audit_log SET who = 'x'")
