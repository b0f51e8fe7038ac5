"""Data values, their statuses and the append-only audit log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from parapp.i18n import ParAppError, Text, clean
from parapp.store.db import Store, now

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


@dataclass(frozen=True)
class StoredValue:
    value: float
    comment: str | None
    updated_by: str | None
    updated_at: str | None
    source: str | None = None


@dataclass(frozen=True)
class Status:
    status: str
    changed_by: str | None
    changed_at: str | None
    reason: str | None


def stored_values(store: Store, unit: str, period: str) -> dict[str, StoredValue]:
    rows = store.conn.execute(
        "SELECT element, value, comment, updated_by, updated_at, source FROM data_values "
        "WHERE unit = ? AND period = ?", (unit, period)).fetchall()
    return {r[0]: StoredValue(r[1], r[2], r[3], r[4], r[5]) for r in rows}


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


def write_values(store: Store, unit: str, period: str, values: dict[str, float | None], who: str,
                 comments: dict[str, str | None] | None = None, source: str | None = None,
                 reason: str | None = None, lock: tuple[str, Text] | None = None) -> int:
    """Store checked values (None clears one) and comments, each change with its audit row.

    One transaction (or part of the caller's). Returns how many values or comments changed.
    An edit of a submitted or returned unit-period puts it back to draft. lock: (unit name, period label) to
    refuse an approved unit-period, checked inside the write's own transaction, so that an approval another
    ParApp committed a moment before is never missed.
    """
    comments = {k: (clean(v, multiline=True) or None) if v is not None else None for k, v in (comments or {}).items()}
    stamp = now()
    changed = 0
    with store.transaction() as c:
        if lock is not None:
            ensure_unlocked(store, unit, lock[0], period, lock[1])
        old = stored_values(store, unit, period)
        for element in sorted(set(values) | set(comments)):
            prev = old.get(element)
            old_value = prev.value if prev else None
            old_comment = prev.comment if prev else None
            new_value = values[element] if element in values else old_value
            new_comment = comments[element] if element in comments else old_comment
            if new_value == old_value and new_comment == old_comment:
                continue
            if new_value is None:
                if prev is None:
                    continue
                c.execute("DELETE FROM data_values WHERE unit = ? AND period = ? AND element = ?",
                          (unit, period, element))
                new_comment = None
            else:
                c.execute(
                    "INSERT INTO data_values(unit, period, element, value, comment, updated_by, updated_at, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit, period, element) DO UPDATE SET "
                    "value = excluded.value, comment = excluded.comment, updated_by = excluded.updated_by, "
                    "updated_at = excluded.updated_at, source = excluded.source",
                    (unit, period, element, new_value, new_comment, who, stamp, source))
            c.execute(
                "INSERT INTO audit_log(at, who, action, unit, period, element, old_value, new_value, old_comment, "
                "new_comment, reason, source) VALUES (?, ?, 'value', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, who, unit, period, element, old_value, new_value, old_comment, new_comment, reason, source))
            changed += 1
        if changed:
            st = get_status(store, unit, period)
            if st is None or st.status in ("submitted", "returned"):
                _set_status(c, unit, period, "draft", who, stamp, None, st.status if st else None)
    return changed


def _set_status(c, unit: str, period: str, status: str, who: str, stamp: str, reason: str | None,
                old: str | None) -> None:
    c.execute("INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(unit, period) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, "
              "changed_at = excluded.changed_at, reason = excluded.reason",
              (unit, period, status, who, stamp, reason))
    c.execute("INSERT INTO audit_log(at, who, action, unit, period, reason, old_status, new_status) "
              "VALUES (?, ?, 'status', ?, ?, ?, ?, ?)", (stamp, who, unit, period, reason, old, status))


def set_status(store: Store, unit: str, period: str, status: str, who: str, reason: str | None = None) -> None:
    assert status in STATUSES
    with store.transaction() as c:
        st = get_status(store, unit, period)
        _set_status(c, unit, period, status, who, now(), clean(reason, multiline=True) if reason else None,
                    st.status if st else None)


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
        values, audit, touched = [], [], {}
        for unit, period, element, value, comment in rows:
            prev = old.get((unit, period, element))
            if prev == (value, comment):
                continue
            values.append((unit, period, element, value, comment, who, stamp, source))
            audit.append((stamp, who, unit, period, element, prev[0] if prev else None, value,
                          prev[1] if prev else None, comment, source))
            old[(unit, period, element)] = (value, comment)
            touched[(unit, period)] = None
        # The data_values_period trigger fills periods_used row by row, as for a single write.
        c.executemany(
            "INSERT INTO data_values(unit, period, element, value, comment, updated_by, updated_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit, period, element) DO UPDATE SET "
            "value = excluded.value, comment = excluded.comment, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at, source = excluded.source", values)
        c.executemany(
            "INSERT INTO audit_log(at, who, action, unit, period, element, old_value, new_value, old_comment, "
            "new_comment, source) VALUES (?, ?, 'value', ?, ?, ?, ?, ?, ?, ?, ?)", audit)
        current: dict[tuple[str, str], str] = {}
        for unit in sorted({k[0] for k in touched} | {s[0] for s in statuses}):
            for period, status in c.execute("SELECT period, status FROM statuses WHERE unit = ?", (unit,)):
                current[(unit, period)] = status
        explicit = {(u, p) for u, p, _s, _r in statuses}
        changes = [(u, p, "draft", None) for u, p in touched
                   if (u, p) not in explicit and current.get((u, p)) in (None, "submitted", "returned")]
        status_rows, status_audit = [], []
        for unit, period, status, reason in changes + statuses:
            status_rows.append((unit, period, status, who, stamp, reason))
            status_audit.append((stamp, who, unit, period, reason, current.get((unit, period)), status, source))
            current[(unit, period)] = status
        c.executemany(
            "INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(unit, period) DO UPDATE SET status = excluded.status, changed_by = excluded.changed_by, "
            "changed_at = excluded.changed_at, reason = excluded.reason", status_rows)
        c.executemany(
            "INSERT INTO audit_log(at, who, action, unit, period, reason, old_status, new_status, source) "
            "VALUES (?, ?, 'status', ?, ?, ?, ?, ?, ?)", status_audit)
    return len(values)


@dataclass(frozen=True)
class AuditEntry:
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
    sql, args = "SELECT id, at, who, action, unit, period, element, old_value, new_value, old_comment, " \
                "new_comment, old_status, new_status, reason, source FROM audit_log WHERE 1 = 1", []
    if unit is not None:
        sql += " AND unit = ?"
        args.append(unit)
    if period is not None:
        sql += " AND period = ?"
        args.append(period)
    return [AuditEntry(*r) for r in store.conn.execute(sql + " ORDER BY id", args)]
