"""Units (đơn vị hành chính) in the office database: levels are data, codes are never reused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from parapp.domain.catalogue import LEVEL_NAMES
from parapp.domain.unitlists import OfficialUnit, kind_from_name
from parapp.i18n import ParAppError, nfc
from parapp.store.db import Store, now

TIERS = {3: ("province", "district", "commune"), 2: ("province", "commune")}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    active: bool = True
    official: bool = True

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Unit:
        return cls(row["code"], row["name"], row["kind"] or "", row["level"], row["parent"],
                   bool(row["active"]), bool(row["official"]))


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


def get_unit(store: Store, code: str) -> Unit:
    row = store.conn.execute("SELECT * FROM units WHERE code = ?", (str(code).strip(),)).fetchone()
    if row is None:
        raise UnitError(f'Không có đơn vị mã "{code}" trong cơ sở dữ liệu này.',
                        f'There is no unit with code "{code}" in this database.')
    return Unit.from_row(row)


def children(store: Store, code: str | None, include_retired: bool = False) -> list[Unit]:
    sql = "SELECT * FROM units WHERE " + ("parent IS NULL" if code is None else "parent = ?")
    if not include_retired:
        sql += " AND active = 1"
    rows = store.conn.execute(sql + " ORDER BY code", () if code is None else (code,)).fetchall()
    return [Unit.from_row(r) for r in rows]


def subtree(store: Store, code: str, include_self: bool = True, include_retired: bool = False) -> list[Unit]:
    """The unit and every unit below it, parents before children."""
    sql = ("SELECT u.* FROM unit_tree t JOIN units u ON u.code = t.unit JOIN levels l ON l.code = u.level "
           "WHERE t.ancestor = ?" + ("" if include_self else " AND t.depth > 0")
           + ("" if include_retired else " AND u.active = 1") + " ORDER BY l.depth, u.code")
    return [Unit.from_row(r) for r in store.conn.execute(sql, (code,))]


def ancestors(store: Store, code: str) -> list[Unit]:
    """Units above code, nearest first."""
    rows = store.conn.execute("SELECT u.* FROM unit_tree t JOIN units u ON u.code = t.ancestor "
                              "WHERE t.unit = ? AND t.depth > 0 ORDER BY t.depth", (code,)).fetchall()
    return [Unit.from_row(r) for r in rows]


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
    name = nfc(name).strip()
    if not name:
        raise UnitError("Tên đơn vị không được để trống.", "A unit's name cannot be empty.")
    with store.transaction() as c:
        c.execute("UPDATE units SET name = ?, kind = ? WHERE code = ?", (name, _kind(name, unit.kind), code))
        c.execute("INSERT INTO audit_log(at, who, action, unit, reason) VALUES (?, ?, 'rename', ?, ?)",
                  (now(), who, code, f"{unit.name} → {name}"))
    return get_unit(store, code)


def add_unit(store: Store, parent: str, name: str, who: str, code: str | None = None) -> Unit:
    """A new unit below parent, one level down; its code is new and never reused."""
    up = get_unit(store, parent)
    level = level_below(store, up.level)
    if level is None:
        raise UnitError(f"{up.name} ở cấp thấp nhất, không thể thêm đơn vị trực thuộc.",
                        f"{up.name} is at the lowest level; no unit can be added below it.")
    name = nfc(name).strip()
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
        c.execute("INSERT INTO audit_log(at, who, action, unit, reason) VALUES (?, ?, 'add_unit', ?, ?)",
                  (now(), who, code, name))
    return get_unit(store, code)


def retire_unit(store: Store, code: str, who: str, reason: str = "") -> Unit:
    """The unit stops being expected to report; its figures and its code stay."""
    unit = get_unit(store, code)
    if store.conn.execute("SELECT 1 FROM units WHERE parent = ? AND active = 1", (code,)).fetchone():
        raise UnitError(f"{unit.name} còn đơn vị trực thuộc đang hoạt động; hãy chuyển hoặc giải thể chúng trước.",
                        f"{unit.name} still has active units below it; retire or move them first.")
    with store.transaction() as c:
        c.execute("UPDATE units SET active = 0, retired_at = ? WHERE code = ?", (now(), code))
        c.execute("INSERT INTO audit_log(at, who, action, unit, reason) VALUES (?, ?, 'retire_unit', ?, ?)",
                  (now(), who, code, reason))
    return get_unit(store, code)
