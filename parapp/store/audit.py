"""The audit log as a hash chain: a history that shows where it was altered.

Every row of ``audit_log`` carries ``hash`` = sha256 over the previous row's hash and the row's own content
(its id and every column, in a fixed canonical form). A row edited, deleted or slipped in with another tool
breaks the chain from that row on. Whoever rewrites the whole chain after an edit cannot reach the copies of
its head kept elsewhere: in every backup (a backup is a whole copy of the database, chain included) and in
every exported return (its signed metadata names the head). `verify` walks the chain, compares it with the
backups, and checks that every stored value is the last value its chain gives, so that a value changed in
``data_values`` alone is caught too.

Every write of the audit log goes through `append` (one SELECT of the head, then one executemany).

Since schema 4 the rows are kept compact in ``audit_rows`` (parapp.store.compact: ids for the officer, the
source and the history's words, the time as integers, the hash as 32 bytes) and read through the view
``audit_log``, which gives every column as before. The hash is taken over that logical content, as it always
was: a chain made before the compact layout stays valid after it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from parapp.i18n import Text
from parapp.records import field, record
from parapp.store import compact

COLUMNS = ("at", "who", "action", "unit", "period", "element", "old_value", "new_value", "old_comment",
           "new_comment", "old_status", "new_status", "reason", "source")
_REAL = frozenset({COLUMNS.index("old_value"), COLUMNS.index("new_value")})
# audit_rows: id, at, tz, then COLUMNS[1:] (the words as ids), then hash
RAW_COLUMNS = ("id", "at", "tz", *COLUMNS[1:], "hash")
_INSERT = f"INSERT INTO audit_rows({', '.join(RAW_COLUMNS)}) VALUES ({', '.join('?' * len(RAW_COLUMNS))})"
_RAW_SELECT = f"SELECT {', '.join(RAW_COLUMNS)} FROM audit_rows"
_TERMS = ("action", "unit", "period", "element", "old_status", "new_status")
_TERM_AT = tuple(COLUMNS.index(k) for k in _TERMS)
_WHO, _SOURCE = COLUMNS.index("who"), COLUMNS.index("source")
GENESIS = "0" * 64
QUICK_ROWS = 5000  # what the quick check at start walks of the chain: its newest rows
# The quick check compares the values too up to this size: an office's database in well under a second; the
# national bench database (1.5 GB) would take half a minute of one core.
QUICK_VALUES_MAX_BYTES = 256 << 20

Progress = Callable[[int, int], bool | None]


def _normal(row: Sequence) -> tuple:
    """A row as SQLite gives it back: numbers in the value columns as REAL, everything else as TEXT."""
    out = [v if v is None or v.__class__ is str else str(v) for v in row]
    for i in _REAL:
        v = row[i]
        if v is not None:
            out[i] = float(v)
    return tuple(out)


# The canonical form of a row's content: compact JSON, letters as they are. One encoder for every row (json.dumps
# with these options would make a new one each time); what it writes is the same.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _chained(prev: str, fields: Sequence):
    """sha256 over the previous row's hash and a row's canonical content (digest's; append keeps its bytes)."""
    from hashlib import sha256  # here: a command that only reads never pays for its import

    return sha256(f"{prev}\n{_CANONICAL(fields)}".encode())


def digest(prev: str, fields: Sequence) -> str:
    """The hash of a row (its id, then COLUMNS in order, normalised) chained to the previous row's hash."""
    return _chained(prev, fields).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(id, hash) of the newest row, or None for an empty log (of any schema: a backup may be older)."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1] or "") if row else None


def _hex(stored) -> str:
    return stored.hex() if isinstance(stored, bytes) else (stored or "")


def _raw_head(c: sqlite3.Connection) -> tuple[int, str] | None:
    row = c.execute("SELECT id, hash FROM audit_rows ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], _hex(row[1])) if row else None


def _packed(c: sqlite3.Connection, rows: list[tuple]) -> list[list]:
    """Logical rows (COLUMNS, normal form) as audit_rows holds them, without id and hash: (at, tz, *ids...)."""
    who = compact.ids(c, "officers", (r[_WHO] for r in rows))
    source = compact.ids(c, "sources", (r[_SOURCE] for r in rows))
    terms = compact.ids(c, "terms", (r[i] for r in rows for i in _TERM_AT))
    out = []
    times: dict = {}  # a batch's rows share a few times
    for r in rows:
        p = list(r)
        p[_WHO], p[_SOURCE] = who[r[_WHO]], source[r[_SOURCE]]
        for i in _TERM_AT:
            p[i] = terms[r[i]]
        t = times.get(r[0])
        if t is None:
            t = times[r[0]] = compact.split_time(r[0])
        p[0:1] = t
        out.append(p)
    return out


class Reader:
    """Raw audit_rows rows back to their logical content (id, *COLUMNS), with the lookups read once."""

    def __init__(self, conn: sqlite3.Connection, rows: Sequence[Sequence] | None = None):
        """rows: the raw rows to be read (only their ids are looked up); None: the whole tables."""
        if rows is None:
            self.who = compact.texts(conn, "officers")
            self.source = compact.texts(conn, "sources")
            self.terms = compact.texts(conn, "terms")
        else:
            self.who = compact.texts(conn, "officers", {r[3] for r in rows})
            self.source = compact.texts(conn, "sources", {r[15] for r in rows})
            self.terms = compact.texts(conn, "terms", {r[i] for r in rows for i in (4, 5, 6, 7, 12, 13)})
        self._time: tuple = (None, None, None)

    def row(self, r: Sequence) -> tuple:
        at, tz = r[1], r[2]
        if self._time[0] != at or self._time[1] != tz:
            self._time = (at, tz, compact.join_time(at, tz))
        terms = self.terms
        return (r[0], self._time[2], self.who.get(r[3]), terms.get(r[4]), terms.get(r[5]), terms.get(r[6]),
                terms.get(r[7]), r[8], r[9], r[10], r[11], terms.get(r[12]), terms.get(r[13]), r[14],
                self.source.get(r[15]))


def append(c: sqlite3.Connection, rows: Iterable[dict | Sequence]) -> tuple[int, str] | None:
    """Append rows (dicts of COLUMNS, or tuples of all of COLUMNS in order) to the chain; returns the new head.

    Must run inside the caller's write transaction (BEGIN IMMEDIATE: no other writer can append meanwhile)."""
    top = _raw_head(c)
    last_id, prev = top if top else (0, GENESIS)
    logical = []
    for row in rows:
        if isinstance(row, dict):
            unknown = set(row) - set(COLUMNS)
            if unknown:
                raise ValueError(f"unknown audit columns {sorted(unknown)}")
            row = tuple(row.get(k) for k in COLUMNS)
        elif len(row) != len(COLUMNS):
            raise ValueError(f"an audit row has {len(COLUMNS)} columns, not {len(row)}")
        row = _normal(row)
        if row[0] is None or row[2] is None:
            raise ValueError("an audit row needs at and action")
        logical.append(row)
    if not logical:
        return top
    params = []
    for row, packed in zip(logical, _packed(c, logical), strict=True):
        last_id += 1
        chained = _chained(prev, (last_id, *row))
        prev = chained.hexdigest()
        params.append((last_id, *packed, chained.digest()))
    c.executemany(_INSERT, params)
    return last_id, prev


def _plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor giving plain tuples. Values read back are already in normal form: SQLite's column affinities
    store numbers in the value columns as REAL and everything else as TEXT."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur


def rechain(c: sqlite3.Connection, chunk: int = 100_000) -> int:
    """Give every row its hash, in id order (a bulk load). The caller lifts the append-only trigger
    (audit_rows_no_update) around it. Returns the rows. Reads and writes a chunk of ids at a time."""
    prev, n, after = GENESIS, 0, 0
    cur = _plain(c)
    reader = Reader(c)
    while True:
        rows = cur.execute(f"{_RAW_SELECT} WHERE id > ? ORDER BY id LIMIT ?", (after, chunk)).fetchall()
        if not rows:
            return n
        updates = []
        for r in rows:
            prev = digest(prev, reader.row(r))
            updates.append((bytes.fromhex(prev), r[0]))
        c.executemany("UPDATE audit_rows SET hash = ? WHERE id = ?", updates)
        n += len(rows)
        after = rows[-1][0]


def rechain_text(c: sqlite3.Connection, chunk: int = 100_000) -> int:
    """rechain for the layout of schemas 1-3 (the migration that brought in the chain): audit_log a table,
    its hash text."""
    prev, n, after = GENESIS, 0, 0
    cur = _plain(c)
    while True:
        rows = cur.execute(f"SELECT id, {', '.join(COLUMNS)} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
                           (after, chunk)).fetchall()
        if not rows:
            return n
        updates = []
        for r in rows:
            prev = digest(prev, r)
            updates.append((prev, r[0]))
        c.executemany("UPDATE audit_log SET hash = ? WHERE id = ?", updates)
        n += len(rows)
        after = rows[-1][0]


# ------------------------------------------------------------------------------------------ verifying


@record(frozen=True)
class Drift:
    """A stored value that is not the last value its chain gives (changed with another tool)."""

    unit: str
    period: str
    element: str
    stored: float | None  # None: the value was deleted from data_values
    chained: float | None  # None: the chain has no value (slipped in)
    unit_name: str = ""

    def label(self, lang: str) -> str:
        """"Xã Liêu Tú, Quý III/2026, Số hồ sơ mới tiếp nhận trong kỳ": what an officer recognises."""
        from parapp.domain.catalogue import shipped_catalogue
        from parapp.domain.periods import Period, PeriodError

        try:
            period = Period.parse(self.period).label(lang)
        except PeriodError:
            period = self.period
        el = shipped_catalogue().elements.get(self.element)
        return f"{self.unit_name or self.unit}, {period}, {el.name.get(lang) if el else self.element}"


@record
class Verdict:
    """What a check of the history found: its rows, its head, where the chain breaks."""

    rows: int = 0
    head: tuple[int, str] | None = None
    broken_at: int | None = None  # the first row whose hash does not follow (edited, removed or added there)
    broken_row: tuple | None = None  # (at, who, action, unit, period, element) of that row, if it is there
    anchor: str | None = None  # the backup or return whose copy of the chain disagrees
    anchors_checked: int = 0
    abandoned: int = 0  # backups of a branch a restore left behind (not a sign of tampering)
    drift: list[Drift] = field(default_factory=list)
    complete: bool = True  # False when only the newest rows were walked (a quick check)
    values_checked: bool = True  # False when a quick check of a very large database left the values out
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.drift

    def message(self, lang: str = "vi") -> str:
        return self.text().get(lang)

    def text(self) -> Text:
        if self.cancelled:
            return Text("Đã huỷ kiểm tra lịch sử.", "The check of the history was cancelled.")
        parts_vi, parts_en = [], []
        if self.broken_at is not None:
            where_vi = where_en = ""
            if self.broken_row:
                at, who, action = self.broken_row[:3]
                where_vi = f" ({action}, {who or '—'}, lúc {at})"
                where_en = f" ({action}, {who or '—'}, at {at})"
            if self.anchor:
                parts_vi.append(f"Lịch sử thay đổi đã bị sửa từ dòng {self.broken_at}{where_vi}: không khớp với "
                                f"bản lưu ở {self.anchor}.")
                parts_en.append(f"The history was altered from row {self.broken_at}{where_en}: it does not match "
                                f"the copy in {self.anchor}.")
            else:
                parts_vi.append(f"Lịch sử thay đổi đã bị sửa bằng công cụ khác từ dòng {self.broken_at}{where_vi}.")
                parts_en.append(f"The history was altered with another tool from row {self.broken_at}{where_en}.")
        if self.drift:
            more = f" (+{len(self.drift) - 3})" if len(self.drift) > 3 else ""
            shown_vi = "; ".join(d.label("vi") for d in self.drift[:3]) + more
            shown_en = "; ".join(d.label("en") for d in self.drift[:3]) + more
            parts_vi.append(f"{len(self.drift)} số liệu khác với lịch sử (bị sửa bằng công cụ khác): {shown_vi}.")
            parts_en.append(f"{len(self.drift)} stored values differ from their history (changed with another "
                            f"tool): {shown_en}.")
        if not parts_vi:
            scope_vi = f"{self.rows} dòng" if self.complete else f"{self.rows} dòng mới nhất"
            scope_en = f"{self.rows} rows" if self.complete else f"the newest {self.rows} rows"
            anchors_vi = f", khớp với {self.anchors_checked} bản sao lưu" if self.anchors_checked else ""
            anchors_en = f", matching {self.anchors_checked} backups" if self.anchors_checked else ""
            if not self.values_checked:
                return Text(f"Lịch sử thay đổi nguyên vẹn ({scope_vi}{anchors_vi}); cơ sở dữ liệu rất lớn nên số liệu "
                            "chưa được đối chiếu (chạy \"parapp audit verify\").",
                            f"The history is whole ({scope_en}{anchors_en}); the database is very large, so the "
                            "values were not compared with it (run \"parapp audit verify\").")
            return Text(f"Lịch sử thay đổi nguyên vẹn ({scope_vi}{anchors_vi}); mọi số liệu khớp với lịch sử.",
                        f"The history is whole ({scope_en}{anchors_en}); every stored value matches it.")
        return Text(" ".join(parts_vi), " ".join(parts_en))


def _walk(conn: sqlite3.Connection, verdict: Verdict, since: int | None, progress: Progress | None) -> None:
    """Recompute the chain (from the row after `since`, trusting that row's hash, or from the start)."""
    cursor = _plain(conn)
    reader = Reader(conn)
    if since is None:
        prev, expected_id = GENESIS, 1
        cursor.execute(_RAW_SELECT + " ORDER BY id")
    else:
        row = conn.execute("SELECT hash FROM audit_rows WHERE id = ?", (since,)).fetchone()
        prev, expected_id = (_hex(row[0]) if row else GENESIS), since + 1
        cursor.execute(_RAW_SELECT + " WHERE id > ? ORDER BY id", (since,))
    total = conn.execute("SELECT max(id) FROM audit_rows").fetchone()[0] or 0
    n = 0
    for r in cursor:
        id_, stored = r[0], r[-1]
        n += 1
        if progress is not None and n % 20000 == 0 and progress(id_, total) is False:
            verdict.cancelled = True
            return
        if id_ != expected_id:  # a row removed just before this one (ids are given one after the other)
            verdict.broken_at, verdict.broken_row = expected_id, None
            break
        logical = reader.row(r)
        want = digest(prev, logical)
        if _hex(stored) != want or not isinstance(stored, bytes):
            verdict.broken_at, verdict.broken_row = id_, logical[1:4]
            break
        prev, expected_id = want, id_ + 1
    verdict.rows = n


def chain_at(conn: sqlite3.Connection, id_: int) -> str | None:
    row = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (id_,)).fetchone()
    return row[0] if row else None


def first_difference(conn: sqlite3.Connection, other: sqlite3.Connection, upto: int) -> int:
    """The first id (≤ upto) at which two chains differ; upto + 1 if they agree all the way."""
    lo, hi = 1, upto  # chains agree up to some point and differ after it: a binary search on the hashes
    while lo <= hi:
        mid = (lo + hi) // 2
        if chain_at(conn, mid) == chain_at(other, mid):
            lo = mid + 1
        else:
            hi = mid - 1
    return lo


def drift(conn: sqlite3.Connection, unit: str | None = None, period: str | None = None,
          limit: int | None = None) -> list[Drift]:
    """Stored values that are not the last value their chain gives (optionally of one unit-period)."""
    where, args = "", [compact.id_of(conn, "terms", "value")]
    if unit is not None:
        where = " AND unit = ? AND period = ?"
        args += [compact.id_of(conn, "terms", unit), compact.id_of(conn, "terms", period)]
    last = ("SELECT tu.text AS unit, tp.text AS period, te.text AS element, g.new_value FROM (SELECT unit, period, "
            f"element, new_value, max(id) AS id FROM audit_rows WHERE action = ?{where} GROUP BY unit, period, "
            "element) g LEFT JOIN terms tu ON tu.id = g.unit LEFT JOIN terms tp ON tp.id = g.period "
            "LEFT JOIN terms te ON te.id = g.element")
    dwhere = " WHERE d.unit = ? AND d.period = ?" if unit is not None else ""
    sql = (f"SELECT d.unit, d.period, d.element, d.value, l.new_value FROM data_values d LEFT JOIN ({last}) l "
           f"ON l.unit = d.unit AND l.period = d.period AND l.element = d.element{dwhere} "
           f"{'AND' if dwhere else 'WHERE'} l.new_value IS NOT d.value "
           f"UNION ALL SELECT l.unit, l.period, l.element, NULL, l.new_value FROM ({last}) l "
           "WHERE l.new_value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM data_values d WHERE d.unit = l.unit "
           "AND d.period = l.period AND d.element = l.element)")
    params = [*args, *([unit, period] if unit is not None else []), *args]
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    found = conn.execute(sql, params).fetchall()
    names = {}
    for code in {r[0] for r in found}:
        row = conn.execute("SELECT name FROM units WHERE code = ?", (code,)).fetchone()
        names[code] = row[0] if row else ""
    return [Drift(*r, unit_name=names[r[0]]) for r in found]


def _backup_head(path: Path) -> tuple[tuple[int, str] | None, dict[str, str]]:
    from parapp.store.db import file_uri

    conn = sqlite3.connect(f"{file_uri(path)}?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        return head(conn), meta
    finally:
        conn.close()


def _check_anchors(store, verdict: Verdict) -> None:
    """Compare the chain with the head each backup holds. Backups of a branch that a restore replaced are
    told apart by the restore's own backup (made just before it, naming the head it went back to)."""
    from parapp.store import backup as backup_store
    from parapp.store.db import file_uri

    found = []
    folders = [backup_store.folder_for(store.path)]
    second = store.meta("backup_folder")
    if second and Path(second).is_dir():
        folders.append(Path(second))
    for folder in folders:
        for b in backup_store.backups(store.path, folder):
            try:
                top, meta = _backup_head(b.path)
            except sqlite3.Error:
                continue  # a damaged or foreign file is not an anchor
            if meta.get("backup_of") and Path(meta["backup_of"]) != Path(store.path).resolve():
                continue
            found.append((b, top, meta))
    # A restore to head R (recorded in its before-restore backup) leaves behind what came after R before then.
    restores = [(b.at, int(meta["restored_to"])) for b, _t, meta in found if meta.get("restored_to", "").isdigit()]
    ours = head(store.conn)
    for b, top, _meta in sorted(found, key=lambda f: f[0].at):
        if top is None:
            continue
        id_, h = top
        if any(b.at <= at and id_ > to for at, to in restores):
            verdict.abandoned += 1
            continue
        verdict.anchors_checked += 1
        if chain_at(store.conn, id_) == h:
            continue
        # Where do they part? Then the chain itself from there says whether it was only rewritten whole.
        conn = sqlite3.connect(f"{file_uri(b.path)}?mode=ro", uri=True)
        try:
            at = first_difference(store.conn, conn, min(id_, ours[0] if ours else 0))
        finally:
            conn.close()
        if verdict.broken_at is None or at < verdict.broken_at:
            row = store.conn.execute("SELECT at, who, action FROM audit_log WHERE id = ?", (at,)).fetchone()
            verdict.broken_at, verdict.broken_row = at, tuple(row) if row else None
            verdict.anchor = str(b.path)


def verify(store, quick: bool = False, progress: Progress | None = None, anchors: bool = True) -> Verdict:
    """Is the history whole? The chain walked (with quick, only its newest QUICK_ROWS rows), compared with the
    heads in the backups, and every stored value compared with the last value its chain gives."""
    v = Verdict()
    v.head = head(store.conn)
    if v.head is None and not store.conn.execute("SELECT 1 FROM data_values LIMIT 1").fetchone():
        return v
    since = None
    if quick and v.head is not None and v.head[0] > QUICK_ROWS:
        since, v.complete = v.head[0] - QUICK_ROWS, False
    _walk(store.conn, v, since, progress)
    if v.cancelled:
        return v
    if anchors:
        _check_anchors(store, v)
    if quick and _size(store.path) > QUICK_VALUES_MAX_BYTES:
        v.values_checked = False  # a national database: half a minute of one core; its full check says
    else:
        v.drift = drift(store.conn, limit=1000)
    return v


def _size(path) -> int:
    try:
        return Path(path).stat().st_size
    except (OSError, TypeError):
        return 0


def verify_file(path: Path | str, quick: bool = False, progress: Progress | None = None) -> Verdict:
    """verify() over a connection of its own, read-only: for a check on another thread while the database is in
    use (the window's check at start)."""
    from parapp.store.db import Store, file_uri

    conn = sqlite3.connect(f"{file_uri(path)}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        return verify(Store(conn, Path(path)), quick=quick, progress=progress)
    finally:
        conn.close()


def verify_head(store, id_: int, hash_: str) -> bool | None:
    """Does the chain hold hash_ at row id_ (a head named by an exported return)? None: no such row here."""
    here = chain_at(store.conn, id_)
    return None if here is None else here == hash_
