"""Data values, their statuses and the append-only audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from parapp.i18n import ParAppError, Text, clean
from parapp.records import record
from parapp.store import audit, compact
from parapp.store.db import VALUE_META_JOIN, Store, now

STATUSES = ("draft", "submitted", "approved", "returned")
STATUS_NAMES = {
    None: Text("Chưa nhập", "Not started"),
    "draft": Text("Đang nhập", "Draft"),
    "submitted": Text("Đã gửi", "Submitted"),
    "approved": Text("Đã duyệt", "Approved"),
    "returned": Text("Bị trả lại", "Returned"),
}


class LockedError(ParAppError):
    pass


# The status row of a return imported as submitted keeps the date the return carries (when it was made where it
# was submitted) in its reason: that date, not the import's, says whether the return came on time.
RETURN_DATE_NOTE = "Ngày lập báo cáo: "


def return_date(reason: str | None) -> date | None:
    """The date a status row's reason keeps of an imported return (see Batch.set_status), else None."""
    if not reason or not reason.startswith(RETURN_DATE_NOTE):
        return None
    try:
        return date.fromisoformat(reason[len(RETURN_DATE_NOTE):][:10])
    except ValueError:
        return None


@record(frozen=True)
class StoredValue:
    """A value as stored, with its comment and who changed it when."""

    value: float
    comment: str | None
    updated_by: str | None
    updated_at: str | None
    source: str | None = None


@record(frozen=True)
class Status:
    """The workflow status of a unit-period, with who changed it when."""

    status: str
    changed_by: str | None
    changed_at: str | None
    reason: str | None


def stored_values(store: Store, unit: str, period: str) -> dict[str, StoredValue]:
    rows = store.conn.execute(
        "SELECT d.element, d.value, d.comment, o.name, coalesce(a.at, m.at), coalesce(a.tz, m.tz), s.text "
        f"FROM data_values d {VALUE_META_JOIN} WHERE d.unit = ? AND d.period = ?", (unit, period)).fetchall()
    return {r[0]: StoredValue(r[1], r[2], r[3], compact.join_time(r[4], r[5]), r[6]) for r in rows}


_PUT = ("INSERT INTO data_values(unit, period, element, value, comment, entry) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(unit, period, element) DO UPDATE SET value = excluded.value, comment = excluded.comment, "
        "entry = excluded.entry")
_PUT_META = ("INSERT INTO value_meta(unit, period, element, officer, at, tz, source) VALUES (?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT(unit, period, element) DO UPDATE SET officer = excluded.officer, at = excluded.at, "
             "tz = excluded.tz, source = excluded.source")
_DROP_META = "DELETE FROM value_meta WHERE unit = ? AND period = ? AND element = ?"


def _has_meta(c) -> bool:
    return c.execute("SELECT EXISTS (SELECT 1 FROM value_meta)").fetchone()[0] == 1


def put_values(c, rows: list[tuple], entries: list[int] | None = None, replace: bool = True) -> None:
    """Insert or replace value rows given as (unit, period, element, value, comment, updated_by, updated_at,
    source), inside the caller's transaction. entries: the id of the audit row that wrote each (its officer, time
    and source are the row's, kept there once); None: they are kept in value_meta (values carried from elsewhere).
    replace=False: a row already stored is an error (IntegrityError), not replaced."""
    if not rows:
        return
    put = _PUT if replace else _PUT.split(" ON CONFLICT")[0]
    if entries is not None:
        if _has_meta(c):
            c.executemany(_DROP_META, [r[:3] for r in rows])
        c.executemany(put, [(*r[:5], e) for r, e in zip(rows, entries, strict=True)])
        return
    officers = compact.ids(c, "officers", {r[5] for r in rows})
    sources = compact.ids(c, "sources", {r[7] for r in rows})
    times: dict = {}
    meta = []
    for unit, period, element, _value, _comment, who, stamp, source in rows:
        t = times.get(stamp)
        if t is None:
            t = times[stamp] = compact.split_time(stamp)
        meta.append((unit, period, element, officers[who], t[0], t[1], sources[source]))
    c.executemany(put, [(*r[:5], None) for r in rows])
    c.executemany(_PUT_META, meta)


def drop_values(c, keys: list[tuple[str, str, str]]) -> None:
    """Delete value rows (unit, period, element), with what value_meta kept of them."""
    if not keys:
        return
    c.executemany("DELETE FROM data_values WHERE unit = ? AND period = ? AND element = ?", keys)
    if _has_meta(c):
        c.executemany(_DROP_META, keys)


def get_status(store: Store, unit: str, period: str) -> Status | None:
    row = store.conn.execute("SELECT status, changed_by, changed_at, reason FROM statuses WHERE unit = ? AND period = ?",
                             (unit, period)).fetchone()
    return Status(*row) if row else None


def statuses_below(store: Store, ancestor: str, period: str) -> dict[str, str]:
    """Status of every unit in ancestor's subtree (itself included) for period."""
    rows = store.conn.execute("SELECT s.unit, s.status FROM unit_tree t JOIN statuses s ON s.unit = t.unit "
                              "WHERE t.ancestor = ? AND s.period = ?", (ancestor, period)).fetchall()
    return {r[0]: r[1] for r in rows}


def _by_period(keys: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(period, up to 500 of its units) for a set of (unit, period): the parameters of one query each."""
    units: dict[str, list[str]] = {}
    for unit, period in dict.fromkeys(keys):
        units.setdefault(period, []).append(unit)
    for period, codes in units.items():
        for i in range(0, len(codes), 500):
            yield period, codes[i:i + 500]


def statuses_of(store: Store, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The status of each (unit, period) that has one, in one query per period."""
    out: dict[tuple[str, str], str] = {}
    for period, codes in _by_period(keys):
        rows = store.conn.execute(f"SELECT unit, status FROM statuses WHERE period = ? AND unit IN "
                                  f"({', '.join('?' * len(codes))})", (period, *codes))
        out.update(((unit, period), status) for unit, status in rows)
    return out


def values_of(store: Store, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, tuple[float, str | None]]]:
    """The stored (value, comment) of every element of each (unit, period), in one query per period."""
    keys = list(keys)
    out: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = {key: {} for key in keys}
    for period, codes in _by_period(keys):
        rows = store.conn.execute(f"SELECT unit, element, value, comment FROM data_values WHERE period = ? AND unit IN "
                                  f"({', '.join('?' * len(codes))})", (period, *codes))
        for unit, element, value, comment in rows:
            out[(unit, period)][element] = (value, comment)
    return out


def ensure_unlocked(store: Store, unit: str, unit_name: str, period: str, period_label: Text) -> None:
    st = get_status(store, unit, period)
    if st is not None and st.status == "approved":
        raise LockedError(
            f"Số liệu {period_label.vi} của {unit_name} đã được duyệt nên bị khoá; cấp trên phải trả lại "
            "trước khi sửa.",
            f"The figures of {unit_name} for {period_label.en} are approved and locked; the level above "
            "must return them before they can be changed.")


class Batch:
    """The one write path of figures: entry and import alike. Values and statuses are worked out unit-period by
    unit-period (what an earlier call wrote is seen by a later one), then written with one executemany per
    table, the audit rows appended to the chain in the order they were made. Use inside store.transaction():

        with store.transaction() as c:
            batch = Batch(store, who)
            batch.values(unit, period, {...}, {...}, source, reason)
            batch.flush(c)

    A change of a submitted or returned (or not yet started) unit-period puts it back to draft.
    """

    _STATUS = ("INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT(unit, period) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, "
               "changed_at = excluded.changed_at, reason = excluded.reason")

    def __init__(self, store: Store, who: str):
        self.store, self.who = store, who
        self.changed = 0
        self._stored: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = {}
        self._statuses: dict[tuple[str, str], str | None] = {}
        self._values: list[tuple[bool, tuple, int]] = []  # (upsert?, parameters, its audit row's index), in order
        self._audit: list[tuple] = []
        self._status_rows: list[tuple] = []

    def read(self, keys: list[tuple[str, str]]) -> None:
        """What the database holds for these unit-periods, read at once (call it inside the transaction)."""
        statuses = statuses_of(self.store, keys)
        for key in keys:
            self._statuses.setdefault(key, statuses.get(key))
        for key, stored in values_of(self.store, keys).items():
            self._stored.setdefault(key, stored)

    def status(self, unit: str, period: str) -> str | None:
        key = (unit, period)
        if key not in self._statuses:
            st = get_status(self.store, unit, period)
            self._statuses[key] = st.status if st else None
        return self._statuses[key]

    def set_status(self, unit: str, period: str, status: str, source: str | None = None,
                   reason: str | None = None, dated: str | None = None) -> None:
        """dated: for a return imported as submitted, the date (ISO) the return carries; its status row in the
        history keeps it as its reason (return_date reads it back), the status itself is written as ever."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        stamp = now()
        reason = clean(reason, multiline=True) or None if reason else None
        self._status_rows.append((unit, period, status, self.who, stamp, reason))
        day = None
        if dated and status in ("submitted", "approved"):
            try:
                day = date.fromisoformat(str(dated).strip()[:10])
            except ValueError:
                day = None  # a date the file garbled: the import's own day stands
        logged = f"{RETURN_DATE_NOTE}{day.isoformat()}" if day is not None and not reason else reason
        self._audit.append((stamp, self.who, "status", unit, period, None, None, None, None, None,
                            self.status(unit, period), status, logged, source))
        self._statuses[(unit, period)] = status

    def values(self, unit: str, period: str, values: dict[str, float | None],
               comments: dict[str, str | None] | None = None, source: str | None = None,
               reason: str | None = None) -> int:
        """Checked values (None clears one) and comments of one unit-period; returns how many changed."""
        who = self.who
        comments = {k: (clean(v, multiline=True) or None) if v is not None else None
                    for k, v in (comments or {}).items()}
        stamp = now()
        key = (unit, period)
        if key not in self._stored:
            self._stored[key] = {k: (s.value, s.comment) for k, s in stored_values(self.store, unit, period).items()}
        old = self._stored[key]
        changed = 0
        for element in sorted(set(values) | set(comments)):
            prev = old.get(element)
            old_value, old_comment = prev if prev else (None, None)
            new_value = values[element] if element in values else old_value
            new_comment = comments[element] if element in comments else old_comment
            if new_value is not None:
                new_value = float(new_value)  # as SQLite gives it back: a REAL
            if new_value == old_value and new_comment == old_comment:
                continue
            if new_value is None:
                if prev is None:
                    continue
                self._values.append((False, (unit, period, element), len(self._audit)))
                del old[element]
                new_comment = None
            else:
                self._values.append((True, (unit, period, element, new_value, new_comment, who, stamp, source),
                                     len(self._audit)))
                old[element] = (new_value, new_comment)
            self._audit.append((stamp, who, "value", unit, period, element, old_value, new_value, old_comment,
                                new_comment, None, None, reason, source))
            changed += 1
        if changed and self.status(unit, period) in (None, "submitted", "returned"):
            self.set_status(unit, period, "draft")
        self.changed += changed
        return changed

    def add_audit(self, **row) -> None:
        """One more audit row of this batch (for example the acceptance of a return's signature)."""
        self._audit.append(tuple(row.get(k) for k in audit.COLUMNS))

    def flush(self, c) -> tuple[int, str] | None:
        """Write what the batch worked out; returns the chain's new head."""
        top = audit.append(c, self._audit)
        first = top[0] - len(self._audit) + 1 if top and self._audit else 0  # the id of the batch's first row
        run: list[tuple] = []
        entries: list[int] = []
        for i, (upsert, params, at) in enumerate(self._values):
            run.append(params)
            entries.append(first + at)
            if i + 1 == len(self._values) or self._values[i + 1][0] != upsert:
                if upsert:
                    put_values(c, run, entries)
                else:
                    drop_values(c, run)
                run, entries = [], []
        c.executemany(self._STATUS, self._status_rows)
        self._values, self._audit, self._status_rows = [], [], []
        return top


def write_values(store: Store, unit: str, period: str, values: dict[str, float | None], who: str,
                 comments: dict[str, str | None] | None = None, source: str | None = None,
                 reason: str | None = None, lock: tuple[str, Text] | None = None) -> int:
    """Store checked values (None clears one) and comments, each change with its audit row (a Batch).

    One transaction (or part of the caller's). Returns how many values or comments changed.
    An edit of a submitted or returned unit-period puts it back to draft. lock: (unit name, period label) to
    refuse an approved unit-period, checked inside the write's own transaction, so that an approval another
    ParApp committed a moment before is never missed.
    """
    with store.transaction() as c:
        if lock is not None:
            ensure_unlocked(store, unit, lock[0], period, lock[1])
        batch = Batch(store, who)
        changed = batch.values(unit, period, values, comments, source, reason)
        batch.flush(c)
    return changed


def set_status(store: Store, unit: str, period: str, status: str, who: str, reason: str | None = None) -> None:
    """One workflow status change, with its audit row (through the Batch, as every write of figures)."""
    with store.transaction() as c:
        batch = Batch(store, who)
        batch.set_status(unit, period, status, reason=reason)
        batch.flush(c)


def bulk_write(store: Store, rows: Iterable[tuple[str, str, str, float, str | None]], who: str, source: str,
               statuses: Iterable[tuple[str, str, str, str | None]] = ()) -> int:
    """Store many values and statuses at once (an import, the demo), all or none. Returns how many values changed.

    rows are (unit, period, element, value, comment), values already checked against their elements
    (Element.check); a row's comment replaces the stored one. A row equal to what is stored is skipped;
    every other one gets its audit row ('value', with the old value and comment), as write_values does.
    statuses are (unit, period, status, reason), applied in order after the values, each with its audit
    row ('status'); a unit-period whose values changed and that has no status in the call goes back to
    draft as in write_values. Locks are the caller's business: approved unit-periods are written as well.
    One transaction (or part of the caller's), with executemany: fast enough for a province's history.
    """
    stamp = now()
    rows = [(str(u), str(p), str(e), float(v), (clean(c, multiline=True) or None) if c else None)
            for u, p, e, v, c in rows]
    statuses = [(str(u), str(p), s, (clean(r, multiline=True) or None) if r else None) for u, p, s, r in statuses]
    for _u, _p, s, _r in statuses:
        if s not in STATUSES:
            raise ValueError(f"unknown status {s!r}")
    with store.transaction() as c:
        old: dict[tuple[str, str, str], tuple[float, str | None]] = {}
        for unit in sorted({r[0] for r in rows}):
            for period, element, value, comment in c.execute(
                    "SELECT period, element, value, comment FROM data_values WHERE unit = ?", (unit,)):
                old[(unit, period, element)] = (value, comment)
        values, chain, touched, at = [], [], {}, []
        for unit, period, element, value, comment in rows:
            prev = old.get((unit, period, element))
            if prev == (value, comment):
                continue
            at.append(len(chain))
            values.append((unit, period, element, value, comment, who, stamp, source))
            chain.append((stamp, who, "value", unit, period, element, prev[0] if prev else None, value,
                          prev[1] if prev else None, comment, None, None, None, source))
            old[(unit, period, element)] = (value, comment)
            touched[(unit, period)] = None
        current: dict[tuple[str, str], str] = {}
        for unit in sorted({k[0] for k in touched} | {s[0] for s in statuses}):
            for period, status in c.execute("SELECT period, status FROM statuses WHERE unit = ?", (unit,)):
                current[(unit, period)] = status
        explicit = {(u, p) for u, p, _s, _r in statuses}
        changes = [(u, p, "draft", None) for u, p in touched
                   if (u, p) not in explicit and current.get((u, p)) in (None, "submitted", "returned")]
        status_rows = []
        for unit, period, status, reason in changes + statuses:
            status_rows.append((unit, period, status, who, stamp, reason))
            chain.append((stamp, who, "status", unit, period, None, None, None, None, None,
                          current.get((unit, period)), status, reason, source))
            current[(unit, period)] = status
        c.executemany(
            "INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(unit, period) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, "
            "changed_at = excluded.changed_at, reason = excluded.reason", status_rows)
        top = audit.append(c, chain)
        first = top[0] - len(chain) + 1 if top and chain else 0
        # The data_values_period trigger fills periods_used row by row, as for a single write.
        put_values(c, values, [first + i for i in at])
    return len(values)


def status_changes(store: Store, period: str, units: list[str], statuses: tuple[str, ...]) -> list[tuple]:
    """(unit, at, reason) of every history row that set one of these units' period to one of these statuses,
    through the index of audit_rows by unit and period."""
    terms = compact.ids_known(store.conn, "terms", [period, "status", *statuses, *units])
    unit_ids = [terms[u] for u in units if u in terms]
    wanted = [terms[s] for s in statuses if s in terms]
    if period not in terms or "status" not in terms or not unit_ids or not wanted:
        return []
    rows = store.conn.execute(
        f"SELECT a.unit, a.at, a.tz, a.reason FROM audit_rows a WHERE a.unit IN ({', '.join('?' * len(unit_ids))}) "
        f"AND a.period = ? AND a.action = ? AND a.new_status IN ({', '.join('?' * len(wanted))})",
        (*unit_ids, terms[period], terms["status"], *wanted)).fetchall()
    code = {terms[u]: u for u in units if u in terms}
    return [(code[r[0]], compact.join_time(r[1], r[2]), r[3]) for r in rows]


@record(frozen=True)
class AuditEntry:
    """One row of the history."""

    id: int
    at: str
    who: str | None
    action: str
    unit: str | None
    period: str | None
    element: str | None
    old_value: float | None
    new_value: float | None
    old_comment: str | None
    new_comment: str | None
    old_status: str | None
    new_status: str | None
    reason: str | None
    source: str | None


def audit_log(store: Store, unit: str | None = None, period: str | None = None) -> list[AuditEntry]:
    """The history (of one unit, or one unit-period), oldest first: its rows as they were written (names, the
    time in the officer's zone, sources), read through the index of audit_rows by unit and period."""
    sql, args = "SELECT * FROM audit_rows WHERE 1 = 1", []
    for column, text in (("unit", unit), ("period", period)):
        if text is not None:
            id_ = compact.id_of(store.conn, "terms", text)
            if id_ is None:
                return []  # no row names it
            sql += f" AND {column} = ?"
            args.append(id_)
    cur = store.conn.cursor()
    cur.row_factory = None
    rows = cur.execute(sql.replace("*", ", ".join(audit.RAW_COLUMNS)) + " ORDER BY id", args).fetchall()
    if not rows:
        return []
    reader = audit.Reader(store.conn, rows)
    return [AuditEntry(*reader.row(r)) for r in rows]
