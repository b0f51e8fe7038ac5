"""The office database: one SQLite file per office, opened safely, migrated step by step.

Opening never writes to a file until it is known to be a ParApp database of a version this ParApp
understands: a foreign, corrupt or newer file is refused and left byte-for-byte as it was.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from parapp.i18n import ParAppError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (every command opens a database)
if TYPE_CHECKING:  # imported when a migration runs, not when a database is opened (start-up time)
    import sqlite_utils

APPLICATION_ID = 0x50415241  # "PARA"
BUSY_TIMEOUT_MS = 5000
QUICK_CHECK_MAX_BYTES = 256 << 20


class StoreError(ParAppError):
    """The database cannot be used: missing, foreign, damaged, newer, locked or read-only."""


def file_uri(path: Path | str) -> str:
    """An SQLite file: URI for path, with "#", "?" and "%" in the name escaped (else they cut the URI short)."""
    from urllib.parse import quote

    return "file:" + quote(Path(path).as_posix(), safe="/:")


def schema_version_of(path: Path | str) -> int | None:
    """The schema version of the database at path, read without changing it; None if it cannot be read (not
    there, not a database, damaged: opening it says which)."""
    try:
        conn = sqlite3.connect(file_uri(path) + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------------ schema


def _migration_1(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["levels"].create({"code": str, "depth": int, "name_vi": str, "name_en": str}, pk="code")
    db["units"].create(
        {"code": str, "name": str, "kind": str, "level": str, "parent": str, "official": int,
         "active": int, "created_at": str, "retired_at": str},
        pk="code", not_null={"name", "level", "active"}, defaults={"active": 1, "official": 1},
        foreign_keys=[("level", "levels", "code"), ("parent", "units", "code")],
    )
    db["units"].create_index(["parent"])
    # Every unit with each of its ancestors and itself (depth 0): a roll-up is one join.
    db.execute("""CREATE TABLE unit_tree (
        ancestor TEXT NOT NULL REFERENCES units(code), unit TEXT NOT NULL REFERENCES units(code),
        depth INTEGER NOT NULL, PRIMARY KEY (ancestor, unit)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE data_values (
        unit TEXT NOT NULL REFERENCES units(code), period TEXT NOT NULL, element TEXT NOT NULL,
        value REAL NOT NULL, comment TEXT, updated_by TEXT, updated_at TEXT, source TEXT,
        PRIMARY KEY (unit, period, element)) WITHOUT ROWID""")
    db.execute("CREATE TABLE periods_used (period TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("""CREATE TRIGGER data_values_period AFTER INSERT ON data_values
        BEGIN INSERT OR IGNORE INTO periods_used VALUES (NEW.period); END""")
    db["statuses"].create(
        {"unit": str, "period": str, "status": str, "changed_by": str, "changed_at": str, "reason": str},
        pk=("unit", "period"), not_null={"status"}, foreign_keys=[("unit", "units", "code")],
    )
    db["audit_log"].create(
        {"id": int, "at": str, "who": str, "action": str, "unit": str, "period": str, "element": str,
         "old_value": float, "new_value": float, "old_comment": str, "new_comment": str,
         "old_status": str, "new_status": str, "reason": str, "source": str},
        pk="id", not_null={"at", "action"},
    )
    db["audit_log"].create_index(["unit", "period"])
    for op in ("UPDATE", "DELETE"):
        db.execute(f"""CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")
    db["target_sets"].create({"id": str, "toml": str, "imported_at": str, "imported_by": str}, pk="id")


def _migration_2(db: sqlite_utils.Database) -> None:
    """Units over time (the 2025 reorganisation): spans of validity and predecessors. Adds, never edits.

    A unit without a unit_spans row is valid for all time under its own code. A unit that ended, or began
    on a date, or whose official code is taken in this database by a unit of another time, has one row.
    """
    db.execute("""CREATE TABLE unit_spans (
        code TEXT PRIMARY KEY REFERENCES units(code),
        official_code TEXT NOT NULL,
        valid_from TEXT NOT NULL DEFAULT '0001-01-01',
        valid_to TEXT NOT NULL DEFAULT '9999-12-31',
        CHECK (valid_from <= valid_to)) WITHOUT ROWID""")
    db.execute("CREATE INDEX unit_spans_official ON unit_spans(official_code)")
    # predecessor went (whole, or in part when divided) to successor on the day `at`. share is the part
    # the officer set for a divided predecessor (0-1); divided predecessors' choice is in unit_divisions.
    db.execute("""CREATE TABLE unit_links (
        predecessor TEXT NOT NULL REFERENCES units(code),
        successor TEXT NOT NULL REFERENCES units(code),
        at TEXT NOT NULL,
        divided INTEGER NOT NULL DEFAULT 0,
        is_default INTEGER NOT NULL DEFAULT 1,
        share REAL CHECK (share IS NULL OR (share >= 0 AND share <= 1)),
        PRIMARY KEY (predecessor, successor)) WITHOUT ROWID""")
    db.execute("CREATE INDEX unit_links_successor ON unit_links(successor)")
    # Which elements have values for which periods (kept by a trigger, like periods_used): a roll-up need not
    # check whether a half-year's or year's own value shadows its quarters' when no element has both.
    db.execute("CREATE TABLE elements_used (period TEXT NOT NULL, element TEXT NOT NULL, "
               "PRIMARY KEY (period, element)) WITHOUT ROWID")
    db.execute("INSERT INTO elements_used SELECT DISTINCT period, element FROM data_values")
    db.execute("""CREATE TRIGGER data_values_element AFTER INSERT ON data_values
        BEGIN INSERT OR IGNORE INTO elements_used VALUES (NEW.period, NEW.element); END""")
    # How a divided predecessor's figures are carried: 'shares' (unit_links.share, set by an officer) or
    # 'default' (all to the official default successor, an estimate). No row: not yet decided.
    db.execute("""CREATE TABLE unit_divisions (
        predecessor TEXT PRIMARY KEY REFERENCES units(code),
        method TEXT NOT NULL CHECK (method IN ('shares', 'default')),
        set_by TEXT, set_at TEXT) WITHOUT ROWID""")


def _migration_3(db: sqlite_utils.Database) -> None:
    """The audit log becomes a hash chain (parapp.store.audit); units' signing keys as learned from their returns;
    the office's own signing key."""
    from parapp.store import audit, keys

    c = db.conn
    c.execute("ALTER TABLE audit_log ADD COLUMN hash TEXT")
    c.execute("DROP TRIGGER audit_log_no_update")
    audit.rechain_text(c)
    c.execute("""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")
    # A unit's public key, learned from its first signed return (trust on first use) or accepted later with a
    # reason; each change also has its audit row.
    c.execute("""CREATE TABLE unit_keys (
        unit TEXT PRIMARY KEY REFERENCES units(code),
        public_key TEXT NOT NULL,
        learned_at TEXT NOT NULL,
        learned_from TEXT,
        how TEXT NOT NULL CHECK (how IN ('first_use', 'accepted', 'template')),
        reason TEXT) WITHOUT ROWID""")
    keys.ensure_office_key(c)


# The compact layout (parapp.store.compact). A value row keeps, beside its figure and comment, the id of the audit
# row that wrote it (entry): who, when and from which source are that row's, kept once. A value whose officer, time
# or source is not its last audit row's (carried from another database, or written by another tool) has entry
# NULL and them in value_meta.
_DATA_VALUES_4 = """CREATE TABLE data_values (
    unit TEXT NOT NULL REFERENCES units(code), period TEXT NOT NULL, element TEXT NOT NULL,
    value REAL NOT NULL, comment TEXT, entry INTEGER,
    PRIMARY KEY (unit, period, element)) WITHOUT ROWID"""
_VALUE_META_4 = """CREATE TABLE value_meta (
    unit TEXT NOT NULL, period TEXT NOT NULL, element TEXT NOT NULL,
    officer INTEGER REFERENCES officers(id), at, tz INTEGER, source INTEGER REFERENCES sources(id),
    PRIMARY KEY (unit, period, element)) WITHOUT ROWID"""
# at: seconds since 1970 (with tz, the offset of the officer's zone in minutes) or, for a time in another form,
# its text. who, action, unit, period, element and the statuses are ids (officers, terms); hash is 32 bytes.
_AUDIT_ROWS_4 = """CREATE TABLE audit_rows (
    id INTEGER PRIMARY KEY, at NOT NULL, tz INTEGER, who INTEGER, action INTEGER NOT NULL, unit INTEGER,
    period INTEGER, element INTEGER, old_value REAL, new_value REAL, old_comment TEXT, new_comment TEXT,
    old_status INTEGER, new_status INTEGER, reason TEXT, source INTEGER, hash)"""
# A unit-period's status, kept in the order of its key (the lookups are by unit and period).
_STATUSES_4 = """CREATE TABLE statuses (
    unit TEXT NOT NULL REFERENCES units(code), period TEXT NOT NULL, status TEXT NOT NULL, changed_by TEXT,
    changed_at TEXT, reason TEXT, PRIMARY KEY (unit, period)) WITHOUT ROWID"""
# The officer, time and source of value rows d (joined with audit_rows a on entry, value_meta m when it is NULL).
VALUE_META_JOIN = ("LEFT JOIN audit_rows a ON a.id = d.entry LEFT JOIN value_meta m ON d.entry IS NULL "
                   "AND m.unit = d.unit AND m.period = d.period AND m.element = d.element "
                   "LEFT JOIN officers o ON o.id = coalesce(a.who, m.officer) "
                   "LEFT JOIN sources s ON s.id = coalesce(a.source, m.source)")


def _views_4(c: sqlite3.Connection) -> None:
    """The logical rows: the history as every reader knows it, and the values with their officer, time and source
    as text. The history's view refuses every change, as its table does."""
    from parapp.store.compact import time_sql

    c.execute(f"""CREATE VIEW audit_log(id, at, who, action, unit, period, element, old_value, new_value,
        old_comment, new_comment, old_status, new_status, reason, source, hash) AS
        SELECT a.id, {time_sql('a.at', 'a.tz')}, o.name, ta.text, tu.text, tp.text, te.text, a.old_value,
            a.new_value, a.old_comment, a.new_comment, t1.text, t2.text, a.reason, s.text,
            CASE WHEN typeof(a.hash) = 'blob' THEN lower(hex(a.hash)) ELSE a.hash END
        FROM audit_rows a LEFT JOIN officers o ON o.id = a.who LEFT JOIN terms ta ON ta.id = a.action
            LEFT JOIN terms tu ON tu.id = a.unit LEFT JOIN terms tp ON tp.id = a.period
            LEFT JOIN terms te ON te.id = a.element LEFT JOIN terms t1 ON t1.id = a.old_status
            LEFT JOIN terms t2 ON t2.id = a.new_status LEFT JOIN sources s ON s.id = a.source""")
    for op in ("UPDATE", "DELETE", "INSERT"):
        c.execute(f"""CREATE TRIGGER audit_log_no_{op.lower()} INSTEAD OF {op} ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")
    at = time_sql("coalesce(a.at, m.at)", "coalesce(a.tz, m.tz)")
    c.execute(f"""CREATE VIEW value_details(unit, period, element, value, comment, updated_by, updated_at, source) AS
        SELECT d.unit, d.period, d.element, d.value, d.comment, o.name, {at}, s.text
        FROM data_values d {VALUE_META_JOIN}""")


def _migration_4(db: sqlite_utils.Database) -> None:
    """The compact layout (parapp.store.compact): officers, sources and the history's words as small tables
    referenced by ids, times as integers, the hash as 32 bytes, a value's officer, time and source those of the
    audit row that wrote it; every value, status and audit row's content as it was (the chain's hashes, taken over
    that content, stay valid)."""
    from parapp.store.compact import FIRST_TERMS, split_sql, time_sql

    c = db.conn

    def unhex(text):
        if isinstance(text, str) and len(text) == 64:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
        return text  # not a hash ParApp wrote: kept as it is (verify then shows the row)

    c.create_function("parapp_unhex", 1, unhex, deterministic=True)
    c.execute("CREATE TABLE officers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    c.execute("CREATE TABLE sources (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    c.execute("CREATE TABLE terms (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)")
    c.executemany("INSERT INTO terms(text) VALUES (?)", [(t,) for t in FIRST_TERMS])
    for column in ("action", "old_status", "new_status", "element", "period", "unit"):
        c.execute(f"INSERT OR IGNORE INTO terms(text) SELECT DISTINCT {column} FROM audit_log "
                  f"WHERE {column} IS NOT NULL")
    c.execute("INSERT OR IGNORE INTO officers(name) SELECT DISTINCT updated_by FROM data_values "
              "WHERE updated_by IS NOT NULL")
    c.execute("INSERT OR IGNORE INTO officers(name) SELECT DISTINCT who FROM audit_log WHERE who IS NOT NULL")
    c.execute("INSERT OR IGNORE INTO sources(text) SELECT DISTINCT source FROM data_values WHERE source IS NOT NULL")
    c.execute("INSERT OR IGNORE INTO sources(text) SELECT DISTINCT source FROM audit_log WHERE source IS NOT NULL")

    # The history.
    at, tz = split_sql("l.at")

    def term(column: str) -> str:
        return f"(SELECT id FROM terms WHERE text = l.{column})"

    c.execute(_AUDIT_ROWS_4)
    c.execute(f"""INSERT INTO audit_rows SELECT l.id, {at}, {tz}, o.id, {term('action')}, {term('unit')},
        {term('period')}, {term('element')}, l.old_value, l.new_value, l.old_comment, l.new_comment,
        {term('old_status')}, {term('new_status')}, l.reason, s.id, parapp_unhex(l.hash)
        FROM audit_log l LEFT JOIN officers o ON o.name = l.who LEFT JOIN sources s ON s.text = l.source
        ORDER BY l.id""")
    c.execute("DROP TABLE audit_log")
    # The history tab and the timeliness read a unit's rows, or a unit-period's.
    c.execute("CREATE INDEX audit_rows_unit_period ON audit_rows(unit, period)")
    for op in ("UPDATE", "DELETE"):
        c.execute(f"""CREATE TRIGGER audit_rows_no_{op.lower()} BEFORE {op} ON audit_rows
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")

    # The values: each refers to the last audit row of its key when that row has its officer, time and source.
    c.execute("""CREATE TEMP TABLE last_value (unit INTEGER, period INTEGER, element INTEGER, id INTEGER,
        PRIMARY KEY (unit, period, element)) WITHOUT ROWID""")
    c.execute("""INSERT INTO last_value SELECT unit, period, element, max(id) FROM audit_rows
        WHERE action = (SELECT id FROM terms WHERE text = 'value') AND unit IS NOT NULL AND period IS NOT NULL
        AND element IS NOT NULL GROUP BY unit, period, element""")
    c.execute(_DATA_VALUES_4.replace("CREATE TABLE data_values", "CREATE TABLE data_values_4"))
    c.execute(f"""INSERT INTO data_values_4 SELECT d.unit, d.period, d.element, d.value, d.comment,
        CASE WHEN a.id IS NOT NULL AND o.name IS d.updated_by AND s.text IS d.source
            AND {time_sql('a.at', 'a.tz')} IS d.updated_at THEN a.id END
        FROM data_values d LEFT JOIN terms tu ON tu.text = d.unit LEFT JOIN terms tp ON tp.text = d.period
        LEFT JOIN terms te ON te.text = d.element
        LEFT JOIN last_value l ON l.unit = tu.id AND l.period = tp.id AND l.element = te.id
        LEFT JOIN audit_rows a ON a.id = l.id LEFT JOIN officers o ON o.id = a.who
        LEFT JOIN sources s ON s.id = a.source ORDER BY d.unit, d.period, d.element""")
    c.execute(_VALUE_META_4)
    at, tz = split_sql("d.updated_at")
    c.execute(f"""INSERT INTO value_meta SELECT d.unit, d.period, d.element, o.id, {at}, {tz}, s.id
        FROM data_values d JOIN data_values_4 n ON n.unit = d.unit AND n.period = d.period AND n.element = d.element
        LEFT JOIN officers o ON o.name = d.updated_by LEFT JOIN sources s ON s.text = d.source
        WHERE n.entry IS NULL ORDER BY d.unit, d.period, d.element""")
    c.execute("DROP TABLE last_value")
    c.execute("DROP TABLE data_values")
    c.execute("ALTER TABLE data_values_4 RENAME TO data_values")
    c.execute("""CREATE TRIGGER data_values_period AFTER INSERT ON data_values
        BEGIN INSERT OR IGNORE INTO periods_used VALUES (NEW.period); END""")
    c.execute("""CREATE TRIGGER data_values_element AFTER INSERT ON data_values
        BEGIN INSERT OR IGNORE INTO elements_used VALUES (NEW.period, NEW.element); END""")

    # The statuses, in their key's order.
    c.execute(_STATUSES_4.replace("CREATE TABLE statuses", "CREATE TABLE statuses_4"))
    c.execute("INSERT INTO statuses_4 SELECT unit, period, status, changed_by, changed_at, reason FROM statuses "
              "ORDER BY unit, period")
    c.execute("DROP TABLE statuses")
    c.execute("ALTER TABLE statuses_4 RENAME TO statuses")
    _views_4(c)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2, _migration_3, _migration_4]
SCHEMA_VERSION = len(MIGRATIONS)


# ------------------------------------------------------------------------------------------ opening


# SQLite's primary result codes that are the environment's doing, not ParApp's (sqlite3.Error.sqlite_errorcode
# & 0xFF); every other code is a bug and goes to the crash report.
_ENVIRONMENT = {
    sqlite3.SQLITE_BUSY: "busy", sqlite3.SQLITE_LOCKED: "busy", sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_READONLY: "readonly", sqlite3.SQLITE_CANTOPEN: "cantopen", sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_NOTADB: "notadb", sqlite3.SQLITE_IOERR: "ioerr", sqlite3.SQLITE_PERM: "readonly",
}


def error_kind(e: BaseException, path: Path | None = None) -> str | None:
    """What in the environment an error says went wrong: busy, full, readonly, cantopen, corrupt, notadb, ioerr,
    oserror; None for a bug. SQLite errors by their result code, file-system errors by their errno."""
    if isinstance(e, sqlite3.Error):
        code = getattr(e, "sqlite_errorcode", None)
        kind = _ENVIRONMENT.get(code & 0xFF) if isinstance(code, int) else None
        if kind == "ioerr" and path is not None and _nearly_full(path):
            return "full"  # a full disk often surfaces as an I/O error of the write or the WAL index
        return kind
    if isinstance(e, OSError):
        if e.errno == errno.ENOSPC:
            return "full"
        if e.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            return "readonly"
        return "oserror"
    return None


def _nearly_full(path: Path) -> bool:
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < 1 << 20
    except OSError:
        return False


def explain(e: BaseException, path: Path) -> StoreError | None:
    """The sentence an officer reads for a database or file-system error; None when the error is a bug."""
    kind = error_kind(e, path)
    if kind == "busy":
        return StoreError(
            f"Cơ sở dữ liệu {path} đang bị một chương trình khác (có thể là một cửa sổ ParApp khác) khoá; "
            "hãy đóng chương trình đó hoặc đợi một lát rồi thử lại. Dữ liệu chưa bị thay đổi.",
            f"The database {path} is locked by another program (perhaps another ParApp window); close it or "
            "wait a moment and try again. Nothing was changed.")
    if kind == "readonly" or kind == "cantopen":
        return StoreError(
            f"Không ghi được vào {path}: thư mục hoặc tệp chỉ cho phép đọc; hãy chép cơ sở dữ liệu sang "
            "một thư mục có quyền ghi (ví dụ Tài liệu) và mở từ đó.",
            f"Cannot write to {path}: the folder or file is read-only; copy the database to a folder "
            "you can write to (such as Documents) and open it from there.")
    if kind == "full":
        return StoreError(
            f"Ổ đĩa chứa {path} đã đầy; hãy giải phóng dung lượng rồi thử lại. Dữ liệu chưa bị thay đổi.",
            f"The disk holding {path} is full; free some space and try again. Nothing was changed.")
    if kind in ("corrupt", "notadb"):
        from parapp.store.backup import damaged_message

        return damaged_message(path)
    if kind == "ioerr":
        return StoreError(
            f"Không đọc hoặc ghi được ổ đĩa chứa {path} (USB bị rút, ổ mạng mất kết nối?); hãy kiểm tra rồi thử "
            "lại. Dữ liệu đã lưu trước đó không bị ảnh hưởng.",
            f"The disk holding {path} could not be read or written (a USB stick removed, a network drive "
            "gone?); check it and try again. Figures saved before are not affected.")
    if kind == "oserror":
        return StoreError(f"Không ghi được vào {path} ({e.strerror}); hãy chọn thư mục khác.",
                          f"Cannot write to {path} ({e.strerror}); choose another folder.")
    return None


def environment_error(e: BaseException, path: Path) -> BaseException:
    """The error to raise for e: the officer's sentence for the environment's, e itself for a bug."""
    return explain(e, path) or e


class Store:
    """An open office database. Use Store.open() or Store.create()."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._db = None
        self._check: tuple | None = None  # the quick check begun at opening, while it runs beside the window
        self.read_only = False  # opened for viewing only (read-only media or permissions)
        self._depth = 0
        self._periods_used: tuple[tuple[int, int], frozenset[str]] | None = None
        self._has_spans: tuple[tuple[int, int], bool] | None = None
        self._elements_used: tuple[tuple[int, int], dict[str, frozenset[str]]] | None = None
        self._usage: tuple[tuple[int, int], tuple] | None = None
        self._bounds: tuple[tuple[int, int], dict[tuple[str, bool], tuple[str, str]]] = ((-1, -1), {})

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection through sqlite-utils (the migrations' table builders), made when first asked for."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def _connect(cls, path: Path, mode: str) -> sqlite3.Connection:
        uri = f"{file_uri(path)}?mode={mode}"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as e:
            raise environment_error(e, path) from None
        conn.row_factory = sqlite3.Row
        return conn

    @classmethod
    def open(cls, path: Path | str, check: str = "now") -> Store:
        """Open an existing ParApp database; refuse anything else without writing to it.

        check "now": a damaged page is looked for before anything is read or written (PRAGMA quick_check).
        "later" (the window, which shows itself meanwhile): that look runs on a thread of its own, the first
        write waits for it, and wait_checked() gives its verdict. "done": the caller's own connection to the
        file has been checked already (the window's readers on pool threads)."""
        path = Path(path)
        if not path.exists():
            raise StoreError(
                f"Không có cơ sở dữ liệu tại {path}; hãy tạo bằng lệnh \"parapp init\" hoặc chọn tệp khác.",
                f"There is no database at {path}; create one with \"parapp init\" or choose another file.")
        if path.is_dir():
            raise StoreError(f"{path} là một thư mục, không phải cơ sở dữ liệu.",
                             f"{path} is a folder, not a database.")
        try:
            with path.open("rb") as f:
                head = f.read(100)
        except OSError as e:
            raise environment_error(e, path) from None
        if not head.startswith(b"SQLite format 3\x00"):
            raise StoreError(
                f"Tệp {path} không phải cơ sở dữ liệu ParApp (hoặc đã bị hỏng); tệp không bị thay đổi.",
                f"The file {path} is not a ParApp database (or is damaged); it was left as it was.")
        page = int.from_bytes(head[16:18], "big")
        if len(head) < 100 or head[21:24] != b"\x40\x20\x20" or page not in (1, *(2**k for k in range(9, 16))):
            raise StoreError(
                f"Tệp {path} không phải cơ sở dữ liệu ParApp hoặc đã bị hỏng; hãy mở bản sao lưu gần nhất. "
                "Tệp không bị thay đổi.",
                f"The file {path} is not a ParApp database or is damaged; open your latest backup. "
                "It was left as it was.")
        import os

        from parapp.store import checked

        seen = checked.state(path, head)  # before connecting: a write from now on makes the record differ
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if writable:
            conn = cls._connect(path, "rw")
        else:  # read-only media or permissions: open for viewing only (nothing can change the file here)
            conn = cls._connect(path, "ro&immutable=1" if not os.access(path.parent, os.W_OK) else "ro")
        store = cls(conn, path)
        store.read_only = not writable
        try:
            # Read through SQLite, not from the file header: with WAL, the newest header may still be in the
            # -wal file. Reading the schema also shows a damaged header or schema page before any write.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise StoreError(
                    f"Tệp {path} là cơ sở dữ liệu của một chương trình khác, không phải của ParApp; tệp không bị "
                    "thay đổi.",
                    f"The file {path} is a database of another program, not ParApp's; it was left as it was.")
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"Cơ sở dữ liệu {path} được tạo bởi phiên bản ParApp mới hơn (lược đồ {version}, phiên bản này "
                    f"hiểu đến {SCHEMA_VERSION}); hãy cập nhật ParApp. Tệp không bị thay đổi.",
                    f"The database {path} was written by a newer ParApp (schema {version}; this one understands up "
                    f"to {SCHEMA_VERSION}); update ParApp. The file was left as it was.")
            # A damaged page is found before anything is read or written (an office's database, up to a few
            # hundred MB, checks in well under a second; a national one is checked by its daily backup).
            # A file unchanged since it was last found sound is not looked at again (parapp.store.checked).
            if path.stat().st_size <= QUICK_CHECK_MAX_BYTES and not checked.unchanged(path, seen):
                if check != "now" and version == SCHEMA_VERSION and not store.read_only:
                    if check == "later":
                        store._check_in_background(seen)
                elif conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    from parapp.store.backup import damaged_message

                    checked.forget(path)
                    raise damaged_message(path)
                else:
                    checked.remember(path, seen)
            if store.read_only:
                if version < SCHEMA_VERSION:
                    raise StoreError(
                        f"Cơ sở dữ liệu {path} cần được nâng cấp nhưng nằm ở nơi chỉ đọc được; hãy chép sang một "
                        "thư mục có quyền ghi (ví dụ Tài liệu) rồi mở từ đó.",
                        f"The database {path} needs upgrading but lies where it can only be read; copy it to a "
                        "folder you can write to (such as Documents) and open it from there.")
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                return store
            store._pragmas()
            if 0 < version < SCHEMA_VERSION:  # an upgrade: keep the database as it was first
                from parapp.store.backup import make_backup

                make_backup(store, "before-migration")
            store._migrate(version)
            if 0 < version < 4:  # the compact layout left the old tables' pages free: give them back to the disk
                try:
                    conn.execute("VACUUM")
                except sqlite3.Error:
                    pass  # (a full disk, say) the database is whole and upgraded; it only stays larger
        except sqlite3.Error as e:
            conn.close()
            raise environment_error(e, path) from None
        except StoreError:
            conn.close()
            raise
        return store

    @classmethod
    def create(cls, path: Path | str) -> Store:
        """A new, empty ParApp database at path (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"Đã có tệp tại {path}; hãy chọn tên khác hoặc xoá tệp cũ trước.",
                             f"A file already exists at {path}; choose another name or remove it first.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise environment_error(e, path) from None
        conn = cls._connect(path, "rwc")
        store = cls(conn, path)
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            store._pragmas()
            store._migrate(0)
        except (sqlite3.Error, OSError) as e:
            conn.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            raise environment_error(e, path) from None
        return store

    def _pragmas(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA foreign_keys = ON")
        if c.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")

    def _migrate(self, version: int) -> None:
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                MIGRATIONS[step](self.db)
                self.conn.execute(f"PRAGMA user_version = {step + 1}")

    def close(self) -> None:
        self.conn.close()

    # -- the check at opening, when it runs beside the window -----------------------------------

    def _check_in_background(self, seen: dict) -> None:
        """The quick check on a thread of its own; passed, it is remembered for the file as `seen` saw it before
        it was opened (parapp.store.checked), so that the next open of an unchanged file does not check again."""
        import threading

        done = threading.Event()
        result: list = []

        def check() -> None:
            try:
                conn = self._connect(self.path, "ro")
                try:
                    sound = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                finally:
                    conn.close()
                if sound:
                    from parapp.store import checked

                    checked.remember(self.path, seen)
                result.append(sound)
            except BaseException as e:  # noqa: BLE001 - given to whoever waits for the verdict
                result.append(e)
            finally:
                done.set()

        self._check = (done, result)
        threading.Thread(target=check, name="parapp-quick-check", daemon=True).start()

    def wait_checked(self) -> None:
        """Wait for the check begun at opening (if it still runs); raise the damaged-file error if it failed."""
        check = self._check
        if check is None:
            return
        done, result = check
        done.wait()
        outcome = result[0] if result else False
        if outcome is True:
            self._check = None
            return
        if isinstance(outcome, sqlite3.Error):
            raise environment_error(outcome, self.path)
        if isinstance(outcome, BaseException):
            raise outcome
        from parapp.store.backup import damaged_message

        raise damaged_message(self.path)  # kept: every later write is refused the same way

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.wait_checked()  # a damaged file is never written to
        if self.read_only:
            raise StoreError(
                f"{self.path} chỉ mở để xem (ổ đĩa hoặc tệp chỉ cho phép đọc); hãy chép cơ sở dữ liệu sang một thư "
                "mục có quyền ghi (ví dụ Tài liệu) để nhập số liệu.",
                f"{self.path} is open for viewing only (the disk or file is read-only); copy the database to a "
                "folder you can write to (such as Documents) to enter figures.")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise environment_error(e, self.path) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as e:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(e, sqlite3.Error):
                raise environment_error(e, self.path) from None
            raise
        finally:
            self._depth = 0

    @property
    def in_transaction(self) -> bool:
        """Inside a transaction of this store's (a backup then would not be of a committed state)."""
        return self._depth > 0

    # -- meta -----------------------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, value))

    def data_version(self) -> tuple[int, int]:
        """Changes when anything is written, through this connection or another (for caches)."""
        return (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])

    def periods_used(self) -> frozenset[str]:
        """Every period a value was ever stored for (the periods_used table, kept by a trigger).

        Read again only when something changed: through this connection (total_changes) or through
        another one, in this process or another (PRAGMA data_version).
        """
        key = self.data_version()
        if self._periods_used is None or self._periods_used[0] != key:
            self._periods_used = (key, frozenset(r[0] for r in self.conn.execute("SELECT period FROM periods_used")))
        return self._periods_used[1]

    def usage(self) -> tuple[frozenset[str], bool, dict[str, frozenset[str]], dict]:
        """(periods_used, has_spans, elements_used, memo) with one check that nothing changed: what a roll-up
        asks. memo is a dict for what callers work out from these, emptied whenever they change."""
        key = self.data_version()
        hit = self._usage
        if hit is None or hit[0] != key:
            hit = self._usage = (key, (self.periods_used(), self.has_spans(), self.elements_used(), {}))
        return hit[1]

    def has_spans_cached(self) -> bool:
        """has_spans as the last usage() read it (no new check): for the second statement of one roll-up."""
        return self._usage[1][1] if self._usage is not None else self.has_spans()

    def elements_used(self) -> dict[str, frozenset[str]]:
        """period -> the elements any unit stored a value for in it (the elements_used table, kept by a trigger;
        a value deleted since may still be listed, which only costs a needless check)."""
        key = self.data_version()
        if self._elements_used is None or self._elements_used[0] != key:
            out: dict[str, set[str]] = {}
            for period, element in self.conn.execute("SELECT period, element FROM elements_used"):
                out.setdefault(period, set()).add(element)
            self._elements_used = (key, {p: frozenset(e) for p, e in out.items()})
        return self._elements_used[1]

    def has_spans(self) -> bool:
        """Does any unit here begin or end at a date (a database carried across the 2025 reorganisation)?"""
        key = self.data_version()
        if self._has_spans is None or self._has_spans[0] != key:
            row = self.conn.execute("SELECT EXISTS (SELECT 1 FROM unit_spans)").fetchone()
            self._has_spans = (key, bool(row[0]))
        return self._has_spans[1]

    def span_bounds(self, unit: str, below: bool) -> tuple[str, str]:
        """(latest first day, earliest last day) over the unit's span, or its whole subtree's with below: a
        period within them needs no check of each value's unit (every unit was in force all through it)."""
        key = self.data_version()
        if self._bounds[0] != key:
            self._bounds = (key, {})
        cache = self._bounds[1]
        hit = cache.get((unit, below))
        if hit is None:
            sql = ("SELECT max(coalesce(s.valid_from, '0001-01-01')), min(coalesce(s.valid_to, '9999-12-31')) "
                   "FROM unit_tree t LEFT JOIN unit_spans s ON s.code = t.unit WHERE t.ancestor = ?"
                   + ("" if below else " AND t.depth = 0"))
            row = self.conn.execute(sql, (unit,)).fetchone()
            hit = cache[(unit, below)] = (row[0] or "0001-01-01", row[1] or "9999-12-31")
        return hit

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]
