"""Units (đơn vị hành chính) in the office database: levels are data, codes are never reused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from parapp.domain.catalogue import LEVEL_NAMES
from parapp.domain.periods import Period
from parapp.domain.unitlists import OfficialUnit, kind_from_name
from parapp.i18n import ParAppError, clean, nfc
from parapp.records import record
from parapp.store import audit
from parapp.store.db import Store, now

TIERS = {3: ("province", "district", "commune"), 2: ("province", "commune")}


BEGINNING, FOREVER = "0001-01-01", "9999-12-31"

# The meta key that records the 2025 reorganisation of the office's tree (parapp.engine.reorganise.META_KEY).
REORGANISED_META = "reorganised_2025"

# Every query that makes Units reads the unit's span with it (a unit without a span row is valid for all time).
_UNIT_COLUMNS = ("u.*, coalesce(s.official_code, u.code) AS official_code, "
                 f"coalesce(s.valid_from, '{BEGINNING}') AS valid_from, coalesce(s.valid_to, '{FOREVER}') AS valid_to")
_UNIT_JOIN = "LEFT JOIN unit_spans s ON s.code = u.code"
# A unit is in force for a period when the period's last day lies in its span: the year 2025 belongs to the
# units of 1 July 2025, its first half to those before.
_IN_FORCE = f"coalesce(s.valid_from, '{BEGINNING}') <= ? AND coalesce(s.valid_to, '{FOREVER}') >= ?"


@record(frozen=True)
class Unit:
    """A unit of the office's tree, with the span of time it is in force."""

    code: str  # the key in this database: the official code, unless a unit of another time holds that code
    name: str
    kind: str
    level: str
    parent: str | None
    active: bool = True
    official: bool = True
    official_code: str = ""  # the code on returns and lists; empty: the same as code
    valid_from: str = BEGINNING  # first day (ISO)
    valid_to: str = FOREVER  # last day (ISO)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Unit:
        keys = row.keys()
        return cls(row["code"], row["name"], row["kind"] or "", row["level"], row["parent"],
                   bool(row["active"]), bool(row["official"]),
                   row["official_code"] if "official_code" in keys else row["code"],
                   row["valid_from"] if "valid_from" in keys else BEGINNING,
                   row["valid_to"] if "valid_to" in keys else FOREVER)

    def __post_init__(self) -> None:
        if not self.official_code:
            object.__setattr__(self, "official_code", self.code)

    @property
    def place(self) -> str:
        """The place in 'Thạch Kênh, ngày ...' (a return's or a report's date line): the name without its kind."""
        if self.kind and self.name.casefold().startswith(self.kind.casefold() + " "):
            return self.name[len(self.kind) + 1:].strip()
        return self.name

    def in_force(self, period: Period) -> bool:
        """Is this unit part of the tree in force for the period (the period's last day in its span)?"""
        end = period.end.isoformat()
        return self.valid_from <= end <= self.valid_to

    def starts_after(self, period: Period) -> bool:
        """Did this unit begin after the period started (so some or all of it belongs to its predecessors)?"""
        return period.start.isoformat() < self.valid_from

    @property
    def ended(self) -> bool:
        return self.valid_to != FOREVER


class UnitError(ParAppError):
    pass


def _kind(name: str, default: str = "") -> str:
    try:
        return kind_from_name(name)
    except ValueError:
        return default


def create_levels(store: Store, tiers: int) -> None:
    with store.transaction() as c:
        for depth, code in enumerate(TIERS[tiers]):
            name = LEVEL_NAMES[code]
            c.execute("INSERT INTO levels(code, depth, name_vi, name_en) VALUES (?, ?, ?, ?)",
                      (code, depth, name.vi, name.en))


def load_units(store: Store, units: Iterable[OfficialUnit]) -> int:
    """Insert official units (parents before children) with their closure rows; returns how many."""
    stamp = now()
    rows, tree = [], []
    ancestors: dict[str, list[str]] = {}
    for u in units:
        chain = [u.code] + (ancestors[u.parent] if u.parent else [])
        ancestors[u.code] = chain
        rows.append((u.code, nfc(u.name), u.kind, u.level, u.parent, stamp))
        tree.extend((a, u.code, d) for d, a in enumerate(chain))
    with store.transaction() as c:
        c.executemany("INSERT INTO units(code, name, kind, level, parent, official, active, created_at) "
                      "VALUES (?, ?, ?, ?, ?, 1, 1, ?)", rows)
        c.executemany("INSERT INTO unit_tree(ancestor, unit, depth) VALUES (?, ?, ?)", tree)
    return len(rows)


def _period_args(period: Period) -> tuple[str, str]:
    end = period.end.isoformat()
    return end, end


def get_unit(store: Store, code: str) -> Unit:
    row = store.conn.execute(f"SELECT {_UNIT_COLUMNS} FROM units u {_UNIT_JOIN} WHERE u.code = ?",
                             (str(code).strip(),)).fetchone()
    if row is None:
        raise UnitError(f'Không có đơn vị mã "{code}" trong cơ sở dữ liệu này.',
                        f'There is no unit with code "{code}" in this database.')
    return Unit.from_row(row)


def children(store: Store, code: str | None, include_retired: bool = False,
             period: Period | None = None) -> list[Unit]:
    """The units directly below code (None: the top units); with a period, only those in force then."""
    sql = f"SELECT {_UNIT_COLUMNS} FROM units u {_UNIT_JOIN} WHERE " + ("u.parent IS NULL" if code is None
                                                                         else "u.parent = ?")
    args: list[str] = [] if code is None else [code]
    if not include_retired:
        sql += " AND u.active = 1"
    if period is not None:
        sql += " AND " + _IN_FORCE
        args += _period_args(period)
    rows = store.conn.execute(sql + " ORDER BY u.code", args).fetchall()
    return [Unit.from_row(r) for r in rows]


def subtree(store: Store, code: str, include_self: bool = True, include_retired: bool = False,
            period: Period | None = None) -> list[Unit]:
    """The unit and every unit below it, parents before children; with a period, only those in force then."""
    sql = (f"SELECT {_UNIT_COLUMNS} FROM unit_tree t JOIN units u ON u.code = t.unit {_UNIT_JOIN} "
           "JOIN levels l ON l.code = u.level WHERE t.ancestor = ?" + ("" if include_self else " AND t.depth > 0")
           + ("" if include_retired else " AND u.active = 1"))
    args: list[str] = [code]
    if period is not None:
        sql += " AND " + _IN_FORCE
        args += _period_args(period)
    return [Unit.from_row(r) for r in store.conn.execute(sql + " ORDER BY l.depth, u.code", args)]


def ancestors(store: Store, code: str) -> list[Unit]:
    """Units above code, nearest first."""
    rows = store.conn.execute(f"SELECT {_UNIT_COLUMNS} FROM unit_tree t JOIN units u ON u.code = t.ancestor "
                              f"{_UNIT_JOIN} WHERE t.unit = ? AND t.depth > 0 ORDER BY t.depth", (code,)).fetchall()
    return [Unit.from_row(r) for r in rows]


# The units a code names: two lookups by index (a key, an official code), in the table's order. An OR of the two
# would read every unit for each code (a national database: 10,811 rows a file of an import).
_RESOLVE = (f"SELECT {_UNIT_COLUMNS} FROM units u {_UNIT_JOIN} WHERE u.code IN "
            "(SELECT ?1 UNION ALL SELECT code FROM unit_spans WHERE official_code = ?1) ORDER BY u.rowid")


def resolve(store: Store, code: str, period: Period | None = None) -> str:
    """The key of the unit a user or a file means by code: a key of this database, or an official code,
    which may name a unit of the old tree and one of the new (the one in force for period wins; without a
    period, the newest). Raises UnitError when no unit has that code."""
    code = str(code).strip()
    rows = store.conn.execute(_RESOLVE, (code,)).fetchall()
    found = [Unit.from_row(r) for r in rows]
    if not found:
        raise UnitError(f'Không có đơn vị mã "{code}" trong cơ sở dữ liệu này.',
                        f'There is no unit with code "{code}" in this database.')
    if len(found) == 1:
        return found[0].code
    if period is not None:
        here = [u for u in found if u.in_force(period)]
        if here:
            return here[0].code
        end = period.end.isoformat()
        earlier = [u for u in found if u.valid_from <= end]
        if earlier:  # the last one that had begun by then
            return max(earlier, key=lambda u: u.valid_from).code
        return min(found, key=lambda u: u.valid_from).code
    return max(found, key=lambda u: u.valid_from).code


@record(frozen=True)
class Link:
    """predecessor went (whole, or in part) to successor on the day at."""

    predecessor: str
    successor: str
    at: str
    divided: bool
    is_default: bool
    share: float | None


def _links(store: Store, column: str, code: str) -> list[Link]:
    rows = store.conn.execute(f"SELECT predecessor, successor, at, divided, is_default, share FROM unit_links "
                              f"WHERE {column} = ? ORDER BY predecessor, successor", (code,))
    return [Link(r[0], r[1], r[2], bool(r[3]), bool(r[4]), r[5]) for r in rows]


def predecessors(store: Store, code: str) -> list[Link]:
    """The units this one was made of (empty for a unit that always existed)."""
    return _links(store, "successor", code)


def successors(store: Store, code: str) -> list[Link]:
    return _links(store, "predecessor", code)


def division(store: Store, predecessor: str) -> str | None:
    """How a divided unit's figures are carried to its successors: 'shares', 'default' or None (undecided)."""
    row = store.conn.execute("SELECT method FROM unit_divisions WHERE predecessor = ?", (predecessor,)).fetchone()
    return row[0] if row else None


def _shown(store: Store, code: str) -> str:
    """A unit as an officer names it: its name and official code (a key of this database, else as given)."""
    try:
        u = get_unit(store, code)
    except UnitError:
        return code
    return f"{u.name} ({u.official_code})"


def set_division(store: Store, predecessor: str, who: str, shares: dict[str, float] | None = None) -> None:
    """Decide how a divided unit's figures go to its successors: the share of each (summing to 1, as
    fractions), or, with shares None, all of them to the official default successor (an estimate)."""
    unit = get_unit(store, predecessor)
    links = successors(store, predecessor)
    if len(links) < 2:
        raise UnitError(f"{unit.name} không bị chia tách; không cần đặt tỷ lệ.",
                        f"{unit.name} was not divided; there are no shares to set.")
    if shares is not None:
        names = {link.successor for link in links}
        unknown = sorted(set(shares) - names)
        if unknown:
            shown = ", ".join(_shown(store, code) for code in unknown)
            raise UnitError(f"{shown} không phải đơn vị kế thừa của {unit.name}.",
                            f"{shown} did not take over any part of {unit.name}.")
        if any(not 0 <= v <= 1 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-6:
            raise UnitError(f"Tỷ lệ chia của {unit.name} phải từ 0 đến 100% và cộng lại bằng 100%.",
                            f"The shares of {unit.name} must each be 0–100% and add up to 100%.")
    stamp = now()
    with store.transaction() as c:
        for link in links:
            share = None if shares is None else float(shares.get(link.successor, 0.0))
            c.execute("UPDATE unit_links SET share = ? WHERE predecessor = ? AND successor = ?",
                      (share, predecessor, link.successor))
        method = "default" if shares is None else "shares"
        c.execute("INSERT INTO unit_divisions(predecessor, method, set_by, set_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(predecessor) DO UPDATE SET method = excluded.method, set_by = excluded.set_by, "
                  "set_at = excluded.set_at", (predecessor, method, who, stamp))
        detail = "default" if shares is None else ", ".join(f"{k} {v:.4g}" for k, v in sorted(shares.items()))
        audit.append(c, [dict(at=stamp, who=who, action="division", unit=predecessor, reason=detail)])


def is_below(store: Store, code: str, ancestor: str) -> bool:
    return store.conn.execute("SELECT 1 FROM unit_tree WHERE ancestor = ? AND unit = ? AND depth > 0",
                              (ancestor, code)).fetchone() is not None


def level_below(store: Store, level: str) -> str | None:
    row = store.conn.execute("SELECT code FROM levels WHERE depth = (SELECT depth + 1 FROM levels WHERE code = ?)",
                             (level,)).fetchone()
    return row[0] if row else None


def levels(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT code FROM levels ORDER BY depth")]


def rename_unit(store: Store, code: str, name: str, who: str) -> Unit:
    unit = get_unit(store, code)
    name = clean(name)
    if not name:
        raise UnitError("Tên đơn vị không được để trống.", "A unit's name cannot be empty.")
    with store.transaction() as c:
        c.execute("UPDATE units SET name = ?, kind = ? WHERE code = ?", (name, _kind(name, unit.kind), code))
        audit.append(c, [dict(at=now(), who=who, action="rename", unit=code, reason=f"{unit.name} → {name}")])
    return get_unit(store, code)


def add_unit(store: Store, parent: str, name: str, who: str, code: str | None = None) -> Unit:
    """A new unit below parent, one level down; its code is new and never reused."""
    up = get_unit(store, parent)
    level = level_below(store, up.level)
    if level is None:
        raise UnitError(f"{up.name} ở cấp thấp nhất, không thể thêm đơn vị trực thuộc.",
                        f"{up.name} is at the lowest level; no unit can be added below it.")
    name = clean(name)
    if not name:
        raise UnitError("Tên đơn vị không được để trống.", "A unit's name cannot be empty.")
    if code is None:
        n = store.conn.execute("SELECT count(*) FROM units WHERE official = 0").fetchone()[0] + 1
        code = f"N{n:04d}"
        while store.conn.execute("SELECT 1 FROM units WHERE code = ?", (code,)).fetchone():
            n += 1
            code = f"N{n:04d}"
    elif store.conn.execute("SELECT 1 FROM units WHERE code = ?", (code,)).fetchone():
        raise UnitError(f'Mã "{code}" đã được dùng (mã đơn vị không bao giờ được dùng lại).',
                        f'The code "{code}" is taken (unit codes are never reused).')
    with store.transaction() as c:
        c.execute("INSERT INTO units(code, name, kind, level, parent, official, active, created_at) "
                  "VALUES (?, ?, ?, ?, ?, 0, 1, ?)", (code, name, _kind(name), level, parent, now()))
        c.execute("INSERT INTO unit_tree(ancestor, unit, depth) SELECT ancestor, ?, depth + 1 FROM unit_tree "
                  "WHERE unit = ?", (code, parent))
        c.execute("INSERT INTO unit_tree(ancestor, unit, depth) VALUES (?, ?, 0)", (code, code))
        audit.append(c, [dict(at=now(), who=who, action="add_unit", unit=code, reason=name)])
    return get_unit(store, code)


def retire_unit(store: Store, code: str, who: str, reason: str = "") -> Unit:
    """The unit stops being expected to report; its figures and its code stay."""
    unit = get_unit(store, code)
    if store.conn.execute("SELECT 1 FROM units WHERE parent = ? AND active = 1", (code,)).fetchone():
        raise UnitError(f"{unit.name} còn đơn vị trực thuộc đang hoạt động; hãy chuyển hoặc giải thể chúng trước.",
                        f"{unit.name} still has active units below it; retire or move them first.")
    with store.transaction() as c:
        c.execute("UPDATE units SET active = 0, retired_at = ? WHERE code = ?", (now(), code))
        audit.append(c, [dict(at=now(), who=who, action="retire_unit", unit=code, reason=reason)])
    return get_unit(store, code)
