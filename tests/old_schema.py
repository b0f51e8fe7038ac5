"""A database of today's schema put back into the layout of schema 3 (the text layout, before the compact one),
with the SQL of that schema: for tests of what happens when an older database is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def to_schema_3(path: Path | str) -> None:
    """Rewrite the database at path (closed) as schema 3 held it: data_values and audit_log tables of text."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for sql in (
            """CREATE TABLE audit_log_3 (id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT, action TEXT NOT NULL,
               unit TEXT, period TEXT, element TEXT, old_value FLOAT, new_value FLOAT, old_comment TEXT,
               new_comment TEXT, old_status TEXT, new_status TEXT, reason TEXT, source TEXT, hash TEXT)""",
            "INSERT INTO audit_log_3 SELECT * FROM audit_log ORDER BY id",
            """CREATE TABLE data_values_3 (
               unit TEXT NOT NULL REFERENCES units(code), period TEXT NOT NULL, element TEXT NOT NULL,
               value REAL NOT NULL, comment TEXT, updated_by TEXT, updated_at TEXT, source TEXT,
               PRIMARY KEY (unit, period, element)) WITHOUT ROWID""",
            "INSERT INTO data_values_3 SELECT * FROM value_details",
            "DROP VIEW audit_log", "DROP VIEW value_details", "DROP TABLE audit_rows", "DROP TABLE data_values",
            """CREATE TABLE statuses_3 (unit TEXT REFERENCES units(code), period TEXT, status TEXT NOT NULL,
               changed_by TEXT, changed_at TEXT, reason TEXT, PRIMARY KEY (unit, period))""",
            "INSERT INTO statuses_3 SELECT * FROM statuses", "DROP TABLE statuses",
            "ALTER TABLE statuses_3 RENAME TO statuses", "DROP TABLE value_meta",
            "DROP TABLE officers", "DROP TABLE sources", "DROP TABLE terms",
            "ALTER TABLE audit_log_3 RENAME TO audit_log", "ALTER TABLE data_values_3 RENAME TO data_values",
            "CREATE INDEX idx_audit_log_unit_period ON audit_log (unit, period)",
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
            "CREATE TRIGGER data_values_period AFTER INSERT ON data_values "
            "BEGIN INSERT OR IGNORE INTO periods_used VALUES (NEW.period); END",
            "CREATE TRIGGER data_values_element AFTER INSERT ON data_values "
            "BEGIN INSERT OR IGNORE INTO elements_used VALUES (NEW.period, NEW.element); END",
            "PRAGMA user_version = 3",
        ):
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
