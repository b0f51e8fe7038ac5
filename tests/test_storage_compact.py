"""The compact layout (schema 4): an older database carried forward with its content unchanged, its history still
a chain that verifies and still shows an edit; names, times in the officer's zone and sources read back as
written."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from parapp.engine.office import Office
from parapp.store import audit, compact
from parapp.store import backup as bk
from parapp.store import values as vs
from parapp.store.db import SCHEMA_VERSION, Store

FIXTURE = Path(__file__).parent / "data" / "schema3.db"  # written by ParApp at schema 3 (data/make_schema3.py)


def _old_content(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        return {
            "values": conn.execute("SELECT * FROM data_values ORDER BY unit, period, element").fetchall(),
            "statuses": conn.execute("SELECT * FROM statuses ORDER BY unit, period").fetchall(),
            "audit": conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall(),
            "units": conn.execute("SELECT * FROM units ORDER BY code").fetchall(),
            "meta": conn.execute("SELECT * FROM meta ORDER BY key").fetchall(),
        }
    finally:
        conn.close()


@pytest.fixture
def migrated(tmp_path):
    path = tmp_path / "district.db"
    shutil.copy(FIXTURE, path)
    before = _old_content(path)
    office = Office.open(path)  # migrates, after a backup
    yield office, before
    office.close()


def test_the_fixture_holds_what_the_migration_must_carry():
    before = _old_content(FIXTURE)
    ats = [r[1] for r in before["audit"]]
    assert len(before["values"]) > 30 and len(before["audit"]) > 60
    assert "2024-01-05 10:00:00" in ats and "12345" in ats and "2023-12-31T23:59:59-05:30" in ats
    assert any(r[7] for r in before["values"]) and any(r[4] for r in before["values"])  # sources, comments
    assert {r[2] for r in before["statuses"]} >= {"approved", "draft"}
    assert {r[12] for r in before["audit"]} >= {"submitted", "approved", "returned", "draft"}


def test_migration_keeps_every_value_status_and_audit_row(migrated):
    office, before = migrated
    store = office.store
    assert store.schema_version == SCHEMA_VERSION == 4
    c = store.conn
    # The value rows as they were, through the readers' view and through the product's reader.
    assert [tuple(r) for r in c.execute("SELECT * FROM value_details ORDER BY unit, period, element")] == \
        before["values"]
    for unit, period, element, value, comment, by, at, source in before["values"]:
        got = vs.stored_values(store, unit, period)[element]
        assert (got.value, got.comment, got.updated_by, got.updated_at, got.source) == (value, comment, by, at, source)
    assert [tuple(r) for r in c.execute("SELECT * FROM statuses ORDER BY unit, period")] == before["statuses"]
    assert [tuple(r) for r in c.execute("SELECT * FROM units ORDER BY code")] == before["units"]
    # Every audit row's logical content and hash, through the view and through the history's reader.
    assert [tuple(r) for r in c.execute("SELECT * FROM audit_log ORDER BY id")] == before["audit"]
    assert [tuple(e.__dict__.values()) for e in vs.audit_log(store)] == [r[:-1] for r in before["audit"]]
    assert [e.id for e in vs.audit_log(store, "18073", "2025Q2")] == \
        [r[0] for r in before["audit"] if r[4] == "18073" and r[5] == "2025Q2"]
    v = audit.verify(store)
    assert v.ok and v.complete and v.rows == len(before["audit"])
    assert v.head == (before["audit"][-1][0], before["audit"][-1][-1])
    # The old file was kept first.
    kept = [b for b in bk.backups(store.path) if b.why == "before-migration"]
    assert len(kept) == 1 and _old_content(kept[0].path)["audit"] == before["audit"]


def test_the_layout_is_compact(migrated):
    office, before = migrated
    c = office.store.conn
    # Every value was written with its audit row: it keeps that row's id, not the officer, time and source again.
    assert c.execute("SELECT count(*) FROM data_values WHERE typeof(entry) <> 'integer'").fetchone()[0] == 0
    assert c.execute("SELECT count(*) FROM value_meta").fetchone()[0] == 0
    kinds = dict(c.execute("SELECT typeof(at), count(*) FROM audit_rows GROUP BY 1").fetchall())
    assert kinds == {"integer": len(before["audit"]) - 2, "text": 2}  # the two times in another form stay text
    assert c.execute("SELECT count(*) FROM audit_rows WHERE typeof(hash) <> 'blob' OR length(hash) <> 32"
                     ).fetchone()[0] == 0
    names = {r[0] for r in c.execute("SELECT name FROM officers")}
    assert names == {r[2] for r in before["audit"] if r[2]} | {r[5] for r in before["values"] if r[5]}
    plan = " ".join(r[3] for r in c.execute("EXPLAIN QUERY PLAN SELECT id FROM audit_rows WHERE unit = 5 "
                                            "AND period = 7 ORDER BY id"))
    assert "audit_rows_unit_period" in plan


def test_a_value_whose_officer_is_not_its_history_s_keeps_its_own(tmp_path):
    path = tmp_path / "district.db"
    shutil.copy(FIXTURE, path)
    conn = sqlite3.connect(path)  # a value row changed by another tool, or carried from another database
    conn.execute("UPDATE data_values SET updated_by = 'Hoàng Văn Khác', source = NULL, updated_at = '2020-01-01' "
                 "WHERE unit = '18073' AND period = '2025Q2' AND element = 'resolved_on_time'")
    conn.commit()
    conn.close()
    before = _old_content(path)
    with Office.open(path) as office:
        c = office.store.conn
        assert [tuple(r) for r in c.execute("SELECT * FROM value_details ORDER BY unit, period, element")] == \
            before["values"]
        assert c.execute("SELECT count(*) FROM value_meta").fetchone()[0] == 1
        got = vs.stored_values(office.store, "18073", "2025Q2")["resolved_on_time"]
        assert (got.updated_by, got.updated_at, got.source) == ("Hoàng Văn Khác", "2020-01-01", None)
        # Written again through ParApp: the value now has its own audit row's officer, and nothing is left over.
        office.enter("18073", "2025Q2", {"resolved_on_time": "87"}, who="Võ Thị Mai")
        got = vs.stored_values(office.store, "18073", "2025Q2")["resolved_on_time"]
        assert (got.value, got.updated_by) == (87.0, "Võ Thị Mai")
        assert c.execute("SELECT count(*) FROM value_meta").fetchone()[0] == 0


def test_a_row_edited_after_the_migration_is_found(migrated, cli):
    office, before = migrated
    path = office.store.path
    office.close()
    target = next(r for r in before["audit"] if r[3] == "value" and r[8] == 120.0)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_rows_no_update")
    conn.execute("UPDATE audit_rows SET new_value = 140 WHERE id = ?", (target[0],))
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        v = audit.verify(store)
    assert v.broken_at == target[0] and v.broken_row == tuple(target[1:4])
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code != 0 and f"dòng {target[0]}" in out


def test_an_officer_renamed_in_the_lookup_table_breaks_the_chain_at_the_first_row(migrated):
    office, before = migrated
    path = office.store.path
    office.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE officers SET name = 'Người khác' WHERE name = 'Trần Thị Bích Ngọc'")
    conn.commit()
    conn.close()
    first = next(r[0] for r in before["audit"] if r[2] == "Trần Thị Bích Ngọc")
    with Store.open(path) as store:
        assert audit.verify(store).broken_at == first


def test_writes_after_the_migration_continue_the_chain_and_read_back(migrated, cli):
    office, before = migrated
    office.enter("18073", "2025Q3", {"received_new": "7"}, comments={"received_new": "Số liệu tạm"},
                 who="Đặng Quốc Bảo", source="2025Q3_18073_phuong-nam-ha.xlsx")
    entries = vs.audit_log(office.store, "18073", "2025Q3")
    value = next(e for e in entries if e.action == "value")
    assert (value.who, value.new_value, value.new_comment, value.source) == \
        ("Đặng Quốc Bảo", 7.0, "Số liệu tạm", "2025Q3_18073_phuong-nam-ha.xlsx")
    assert compact.split_time(value.at)[1] is not None  # the officer's zone, kept with the time
    stored = vs.stored_values(office.store, "18073", "2025Q3")["received_new"]
    assert (stored.updated_by, stored.updated_at, stored.source) == (value.who, value.at, value.source)
    assert entries[-1].new_status == "draft"
    assert office.store.conn.execute("SELECT updated_by FROM value_details WHERE unit = '18073' AND "
                                     "period = '2025Q3'").fetchone()[0] == "Đặng Quốc Bảo"
    assert audit.verify(office.store).ok
    path = office.store.path
    office.close()
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code == 0 and "nguyên vẹn" in out and f"{len(before['audit']) + 2} dòng" in out


def test_the_history_refuses_changes_through_its_view(migrated):
    office, _before = migrated
    for sql in ("DELETE FROM audit_log", "UPDATE audit_log SET who = 'x'",
                "INSERT INTO audit_log(at, action) VALUES ('x', 'y')", "DELETE FROM audit_rows",
                "UPDATE audit_rows SET reason = 'x'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            office.store.conn.execute(sql)


@pytest.mark.parametrize("text", [
    "2026-11-23T10:00:00+07:00", "2024-01-05T10:00:00+00:00", "2023-12-31T23:59:59-05:30",
    "1969-07-20T20:17:40+00:00", "2024-02-29T00:00:00+14:00"])
def test_a_time_in_the_products_form_is_kept_as_integers_and_read_back_the_same(text):
    at, tz = compact.split_time(text)
    assert isinstance(at, int) and isinstance(tz, int)
    assert compact.join_time(at, tz) == text
    conn = sqlite3.connect(":memory:")
    sql_at, sql_tz = compact.split_sql("?1")
    assert conn.execute(f"SELECT {sql_at}, {sql_tz}", (text,)).fetchone() == (at, tz)
    assert conn.execute(f"SELECT {compact.time_sql('?1', '?2')}", (at, tz)).fetchone()[0] == text


@pytest.mark.parametrize("text", [
    "2024-01-05 10:00:00", "12345", "2024-13-45T99:99:99+07:00", "2026-11-23T10:00:00.5+07:00",
    "2026-11-23T10:00:00Z", "", "hôm qua"])
def test_a_time_in_another_form_is_kept_as_text(text):
    assert compact.split_time(text) == (text, None)
    assert compact.join_time(text, None) == text
    conn = sqlite3.connect(":memory:")
    sql_at, sql_tz = compact.split_sql("?1")
    assert conn.execute(f"SELECT {sql_at}, {sql_tz}", (text,)).fetchone() == (text, None)
