"""Writes tests/data/schema3.db: a small district database as ParApp wrote it with schema 3 (before the compact
layout of schema 4), for the migration test in tests/test_storage_compact.py.

It was generated once, by ParApp at schema 3, with
    .venv/bin/python tests/data/make_schema3.py
and is kept as it came out; running it again with a later ParApp would write a later schema, so it is not rerun.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from parapp.engine.office import Office  # noqa: E402
from parapp.store import audit  # noqa: E402
from parapp.store import values as vs  # noqa: E402


def main() -> None:
    path = Path(__file__).with_name("schema3.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    Office.create(path, "42", office="436", officer="Võ Thị Mai").close()
    with Office.open(path) as office:
        assert office.store.schema_version == 3
        office.enter("18073", "2025Q1", {"received_new": "120", "resolved_on_time": "118"})
        office.enter("18073", "2025Q2", {"received_new": "90", "resolved_on_time": "90"},
                     comments={"received_new": "Tháng 4 nghỉ lễ, số hồ sơ ít hơn"})
        office.enter("18073", "2025Q1", {"resolved_on_time": "119"})
        vs.set_status(office.store, "18073", "2025Q1", "submitted", "Nguyễn Văn Hùng")
        vs.set_status(office.store, "18073", "2025Q1", "approved", "Trần Thị Bích Ngọc")
        vs.set_status(office.store, "18073", "2025Q2", "submitted", "Võ Thị Mai")
        vs.set_status(office.store, "18073", "2025Q2", "returned", "Trần Thị Bích Ngọc",
                      "Số hồ sơ giải quyết đúng hạn cần xác minh lại.")
        office.enter("18073", "2025Q2", {"resolved_on_time": "88", "received_new": None})
        communes = [r[0] for r in office.store.conn.execute(
            "SELECT code FROM units WHERE parent = '436' ORDER BY code LIMIT 6")]
        vs.bulk_write(office.store, [(c, p, e, float(i * 3 + j), "nhập từ tệp" if i == 2 else None)
                                     for i, c in enumerate(communes) for j, p in enumerate(("2024Q4", "2025Q1"))
                                     for e in ("received_new", "resolved_on_time", "received_online")],
                      "Lê Hoàng Phương Thảo", "Báo cáo quý - Phường Bắc Hồng.xlsx",
                      [(communes[0], "2024Q4", "submitted", None), (communes[0], "2024Q4", "approved", None)])
        with office.store.transaction() as c:  # rows another ParApp or an import could have written
            audit.append(c, [
                dict(at="2024-01-05T10:00:00+00:00", who=None, action="note", unit="436", reason="giờ UTC"),
                dict(at="2024-01-05 10:00:00", who="Khách", action="note", unit="436", period="2025Q1"),
                dict(at="2023-12-31T23:59:59-05:30", who="Phạm Minh Đức", action="value", unit="18073",
                     period="2023Q4", element="received_new", old_value=None, new_value=None, source="tay"),
                dict(at="12345", who="x", action="key", unit="18073", reason="a string that looks like a number"),
            ])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()
    print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
