"""The compact layout of schema 4: repeated words as small integer ids, times as integers.

Officers' names are kept once in ``officers``, sources (files, "nhập tay") once in ``sources``, and the words the
history repeats on every row (its actions, statuses, units, periods and elements) once in ``terms``; a value row
and an audit row refer to them by id. A time ParApp wrote ("2026-11-23T10:00:00+07:00", the officer's own zone)
is kept as its second since 1970 (``at``) and its zone's offset in minutes (``tz``); any other text in a time
column (written by another tool or an older version) is kept as it was, as text, with ``tz`` NULL. Either way
the text read back is the text written, so the history's hashes, taken over that text, stay what they were.

Readers see the logical rows through two views: ``audit_log`` (every column of the history as before) and
``value_details`` (data_values with its officer, time and source as text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

# Words the history uses on almost every row: given the first ids (one byte each) in a new or migrated database.
FIRST_TERMS = ("value", "status", "draft", "submitted", "approved", "returned")

# table -> its text column
LOOKUPS = {"officers": "name", "sources": "text", "terms": "text"}


def time_sql(at: str, tz: str) -> str:
    """The SQL expression that gives a time's text back from its two columns (the views use it)."""
    return (f"CASE WHEN typeof({at}) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%S', {at} + {tz} * 60, 'unixepoch') "
            f"|| CASE WHEN {tz} < 0 THEN '-' ELSE '+' END || printf('%02d:%02d', abs({tz}) / 60, abs({tz}) % 60) "
            f"ELSE {at} END")


def split_sql(text: str) -> tuple[str, str]:
    """SQL expressions (at, tz) splitting a time's text, for a migration's INSERT … SELECT: text that would not
    come back the same from the two integers stays text."""
    tz = (f"((CAST(substr({text}, 21, 2) AS INTEGER) * 60 + CAST(substr({text}, 24, 2) AS INTEGER)) * "
          f"CASE substr({text}, 20, 1) WHEN '-' THEN -1 ELSE 1 END)")
    epoch = f"CAST(strftime('%s', {text}) AS INTEGER)"
    ok = (f"(typeof({text}) = 'text' AND length({text}) = 25 AND substr({text}, 11, 1) = 'T' "
          f"AND substr({text}, 20, 1) IN ('+', '-') AND {time_sql(epoch, tz)} = {text})")
    return f"CASE WHEN {ok} THEN {epoch} ELSE {text} END", f"CASE WHEN {ok} THEN {tz} END"


def split_time(text: str | None) -> tuple[int | str | None, int | None]:
    """(at, tz) for a time's text: integers when they give the same text back, else (text, None)."""
    if isinstance(text, str) and len(text) == 25 and text[10] == "T" and text[19] in "+-":
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return text, None
        offset = dt.utcoffset()
        if offset is not None and not offset.microseconds and offset.seconds % 60 == 0:
            tz = int(offset.total_seconds()) // 60
            epoch = int(dt.timestamp())
            if join_time(epoch, tz) == text:
                return epoch, tz
    return text, None


def join_time(at: int | str | None, tz: int | None) -> str | None:
    """The text of a time kept as (at, tz): the officer's zone as it was written."""
    if isinstance(at, int) and tz is not None:
        return datetime.fromtimestamp(at, timezone(timedelta(minutes=tz))).isoformat(timespec="seconds")
    return None if at is None else str(at)


def ids(c: sqlite3.Connection, table: str, texts: Iterable[str | None]) -> dict[str | None, int | None]:
    """The id of each text in a lookup table, adding the ones it lacks (inside the caller's transaction, so an
    id never outlives a rolled-back write). None maps to None."""
    column = LOOKUPS[table]
    wanted = {t for t in texts if t is not None}
    out: dict[str | None, int | None] = {None: None}
    if not wanted:
        return out
    select = f"SELECT {column}, id FROM {table} WHERE {column} IN"
    listed = sorted(wanted)
    out.update(_pairs(c, select, listed))
    missing = [t for t in listed if t not in out]
    if missing:
        c.executemany(f"INSERT INTO {table}({column}) VALUES (?)", [(t,) for t in missing])
        out.update(_pairs(c, select, missing))
    return out


def ids_known(c: sqlite3.Connection, table: str, texts: Iterable[str]) -> dict[str, int]:
    """The id of each text the lookup table has (nothing is added)."""
    column = LOOKUPS[table]
    return _pairs(c, f"SELECT {column}, id FROM {table} WHERE {column} IN", sorted(set(texts)))


def texts(c: sqlite3.Connection, table: str, only: Iterable[int | None] | None = None) -> dict[int, str]:
    """id -> text of a lookup table: the whole table (a walk of the whole history), or only the ids asked for."""
    column = LOOKUPS[table]
    if only is None:
        return dict(c.execute(f"SELECT id, {column} FROM {table}").fetchall())
    return _pairs(c, f"SELECT id, {column} FROM {table} WHERE id IN", sorted(i for i in set(only) if i is not None))


def _pairs(c: sqlite3.Connection, select: str, keys: list) -> dict:
    """The (key, value) rows of `select ... IN (keys)`, asked 500 keys at a time (SQLite's limit on parameters)."""
    out: dict = {}
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        out.update(c.execute(f"{select} ({', '.join('?' * len(part))})", part).fetchall())
    return out


def id_of(c: sqlite3.Connection, table: str, text: str) -> int | None:
    """The id of one text, or None when no row uses it (nothing is added)."""
    row = c.execute(f"SELECT id FROM {table} WHERE {LOOKUPS[table]} = ?", (text,)).fetchone()
    return row[0] if row else None
