"""Carry a three-tier office database into the two-tier structure of 1 July 2025.

What it does, in one transaction (all of it or, killed or refused, nothing):
* the old units, their figures, statuses and audit rows stay exactly as they were; each old unit's span
  now ends on 30 June 2025 (a row in unit_spans, never an edit of its own row);
* the other provinces merged into the same new province come in as units (the official three-tier list)
  with no figures, so that their databases or returns can be taken in later and every new commune knows
  all its predecessors;
* the new province and its communes are added, valid from 1 July 2025, each linked to the old units it
  was made of (the official mapping, resources/units/reorganisation_2025.csv); a new unit whose official
  code is held here by an old unit gets the key CODE-2025, and keeps CODE as its official code;
* the office becomes the new province, or the new commune that took in the office's commune.

A province that kept its territory (Hà Tĩnh, Nghệ An ...) stays one unit across the change: only what is
below it changes. Running it again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from parapp import __version__
from parapp.domain import unitlists
from parapp.domain.periods import Period
from parapp.domain.unitlists import REORGANISATION_DATE, OfficialUnit, Succession
from parapp.i18n import ParAppError, Text
from parapp.store import audit as audit_store
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.db import now

AT = REORGANISATION_DATE.isoformat()
LAST_OLD_DAY = "2025-06-30"
META_KEY = unit_store.REORGANISED_META

Progress = Callable[[int, int], bool | None]


class ReorganiseError(ParAppError):
    pass


@dataclass
class Plan:
    """What the reorganisation will do (a preview) or did."""

    old_province: OfficialUnit
    new_province: OfficialUnit
    merged_with: list[OfficialUnit]  # the other old provinces merged into the new one
    continuing: bool  # the province kept its territory: one unit across the change
    new_units: list[tuple[str, OfficialUnit]] = field(default_factory=list)  # (key, unit)
    links: list[tuple[str, str, Succession]] = field(default_factory=list)  # (old key, new key, link)
    ended: list[str] = field(default_factory=list)  # old units whose span ends on 30 June 2025
    unmapped: list[unit_store.Unit] = field(default_factory=list)  # officer-added units with no successor
    late_values: int = 0  # figures kept for old units for periods after 30 June 2025: kept, in no roll-up
    new_province_key: str = ""
    groups: list = field(default_factory=list)  # Group: each new province of this database
    office_before: str = ""
    office_after: str = ""
    already: bool = False

    def summary(self) -> Text:
        if self.already:
            return Text("Cơ sở dữ liệu đã được chuyển sang mô hình chính quyền hai cấp; không có gì thay đổi.",
                        "This database was already carried into the two-tier structure; nothing changed.")
        names_vi = ", ".join(p.name for p in self.merged_with)
        merged_vi = f" (hợp nhất với {names_vi})" if self.merged_with else ""
        merged_en = f" (merged with {names_vi})" if self.merged_with else ""
        ended = set(self.ended)
        communes = sum(1 for k, u in self.new_units if u.level == "commune" and k not in ended)
        return Text(
            f"{self.old_province.name}{merged_vi} → {self.new_province.name}: thêm {communes} xã, phường mới "
            f"từ 01/7/2025, {len(self.links)} liên kết với đơn vị cũ; {len(self.ended)} đơn vị cũ giữ nguyên "
            "số liệu và kết thúc ngày 30/6/2025.",
            f"{self.old_province.name}{merged_en} → {self.new_province.name}: {communes} new communes from "
            f"1 July 2025, {len(self.links)} links to old units; {len(self.ended)} old units keep their figures "
            "and end on 30 June 2025.")

    def late_note(self) -> Text | None:
        """Figures recorded for old units after 30 June 2025: what happens to them."""
        if not self.late_values:
            return None
        return Text(f"{self.late_values} giá trị đã nhập cho các đơn vị cũ sau ngày 30/6/2025 được giữ nguyên nhưng "
                    "không còn được tổng hợp; hãy nhập (hoặc nhập báo cáo) các số liệu đó cho đơn vị mới.",
                    f"{self.late_values} values entered for old units after 30 June 2025 are kept but no longer "
                    "rolled up; enter (or import) those figures under the new units.")


def _key(taken: set[str], code: str) -> str:
    key = code if code not in taken else f"{code}-2025"
    if key in taken:
        raise ReorganiseError(f"Mã {key} đã được dùng trong cơ sở dữ liệu này.",
                              f"The code {key} is already used in this database.")
    taken.add(key)
    return key


@dataclass
class Group:
    """One new province of this database and the old provinces it was made of."""

    new: OfficialUnit
    key: str  # its key here: an old province's key when it kept its territory
    olds: list[str]
    continuing: bool
    parent: str | None  # the unit above it here (a national database's root), else None


def plan(office, office_code: str | None = None) -> Plan:
    """Work out the reorganisation of office's database without writing anything.

    A province, district or commune office's database becomes its new province's; a database above the
    provinces (a national one) carries every province it holds."""
    store = office.store
    old_code = office.province_code
    mapping = unitlists.reorganisation_2025()
    if store.meta(META_KEY):
        info = json.loads(store.meta(META_KEY) or "{}")
        p = Plan(unitlists.find_official(3, info.get("from_province", old_code)) or _country(office),
                 unitlists.find_official(2, store.meta("province") or "") or _country(office), [], False)
        p.already = True
        p.office_before = info.get("from_office", "")
        p.office_after = office.office_code
        return p
    if office.tiers != 3:
        raise ReorganiseError(
            "Cơ sở dữ liệu này đã theo mô hình hai cấp (từ 01/7/2025); không cần chuyển đổi.",
            "This database already follows the two-tier structure (since 1 July 2025); there is nothing to carry over.")
    prov_links = [s for s in mapping if s.level == "province"]
    new_of = {s.old_code: s.new_code for s in prov_links}
    top = unit_store.get_unit(store, office.office_code)
    national = top.level not in unitlists.LEVELS
    if national:  # the provinces this database holds, under its root
        held = [u.code for u in unit_store.children(store, top.code, include_retired=True) if u.level == "province"]
    else:
        held = [old_code]
    if not held or any(c not in new_of for c in held):
        bad = next((c for c in held if c not in new_of), old_code)
        raise ReorganiseError(f"Không tìm thấy tỉnh mã {bad} trong danh sách sắp xếp năm 2025.",
                              f"The province {bad} is not in the 2025 reorganisation list.")
    taken = {r[0] for r in store.conn.execute("SELECT code FROM units")}
    new_codes = sorted({new_of[c] for c in held})
    groups: list[Group] = []
    merged: list[OfficialUnit] = []
    for new_code in new_codes:
        olds = sorted(c for c, n in new_of.items() if n == new_code)
        for c in olds:
            if c not in held and not national:
                merged.append(unitlists.find_official(3, c))
        groups.append(Group(unitlists.find_official(2, new_code), "", olds, olds == [new_code] and new_code in held,
                            top.code if national else None))
    if national and any(c not in held for g in groups for c in g.olds):
        missing = sorted(c for g in groups for c in g.olds if c not in held)
        raise ReorganiseError(f"Cơ sở dữ liệu thiếu các tỉnh cũ {', '.join(missing)} đã hợp nhất với các tỉnh có ở đây.",
                              f"The database lacks the old provinces {', '.join(missing)} merged with those it holds.")
    first = groups[0]
    old_prov = (unitlists.find_official(3, old_code) or _country(office)) if not national else _country(office)
    p = Plan(old_prov, first.new if not national else _country(office), [u for u in merged if u],
             first.continuing if not national else True)
    p.groups = groups
    # Old units: this database's, then those of the provinces merged with it (added, with no figures).
    for u in p.merged_with:
        for ou in unitlists.province_units(3, u.code):
            if ou.code in taken:
                raise ReorganiseError(
                    f"Đơn vị mã {ou.code} của {u.name} đã có trong cơ sở dữ liệu này với tên khác.",
                    f"The unit {ou.code} of {u.name} is already in this database under another name.")
            p.new_units.append((ou.code, ou))
            taken.add(ou.code)
    continuing = {g.new.code for g in groups if g.continuing}
    in_db_before: dict[str, unit_store.Unit] = {}
    for code in held:
        in_db_before.update({u.code: u for u in unit_store.subtree(store, code, include_retired=True)})
    for code, u in in_db_before.items():
        if code in continuing:
            continue
        p.ended.append(code)
        if not u.official:
            p.unmapped.append(u)
    p.ended += [k for k, _u in p.new_units]
    old_keys = set(p.ended) | continuing
    late = [q for q in store.periods_used() if Period.parse(q).end.isoformat() > LAST_OLD_DAY]
    if late:
        marks = ", ".join("?" * len(late))
        p.late_values = sum(n for unit, n in store.conn.execute(
            f"SELECT unit, count(*) FROM data_values WHERE period IN ({marks}) GROUP BY unit", late)
            if unit in in_db_before and unit not in continuing)

    # New units: each new province (unless it continues), then its communes.
    new_keys: dict[str, str] = {}
    for g in groups:
        g.key = g.new.code if g.continuing else _key(taken, g.new.code)
        if not g.continuing:
            p.new_units.append((g.key, g.new))
    for g in groups:
        for nu in unitlists.province_units(2, g.new.code):
            if nu.level == "commune":
                new_keys[nu.code] = _key(taken, nu.code)
                p.new_units.append((new_keys[nu.code], nu))
    p.new_province_key = first.key
    group_key = {g.new.code: g.key for g in groups}
    for s in mapping:
        if s.level == "province":
            if s.new_code in group_key and s.new_code not in continuing:
                p.links.append((s.old_code, group_key[s.new_code], s))
        elif s.new_code in new_keys and s.old_code in old_keys:
            p.links.append((s.old_code, new_keys[s.new_code], s))

    # The office after.
    p.office_before = office.office_code
    office_unit = in_db_before.get(p.office_before)
    if national:
        p.office_after = top.code
        p.new_province_key = top.code
    elif office_code:
        want = str(office_code).strip()
        choice = first.key if want in (first.key, first.new.code) else next(
            (k for k, u in p.new_units if (k == want or u.code == want) and k not in old_keys), None)
        if choice is None:
            raise ReorganiseError(f"{want} không phải là tỉnh hay xã, phường mới của {first.new.name}.",
                                  f"{want} is not the new province or one of its new communes.")
        p.office_after = choice
    elif office_unit is None or office_unit.level in ("province", "district"):
        p.office_after = first.key
    else:
        succ = [(k, s) for o, k, s in p.links if o == office_unit.code]
        p.office_after = next((k for k, s in succ if s.default), None) or first.key
    return p


def _country(office) -> OfficialUnit:
    u = unit_store.get_unit(office.store, office.office_code)
    return OfficialUnit(u.code, u.name, u.kind, u.level, None)


def reorganise(office, office_code: str | None = None, who: str | None = None,
               progress: Progress | None = None) -> Plan:
    """Carry the database into the two-tier structure (see the module's text). Returns what was done."""
    p = plan(office, office_code)
    if p.already:
        return p
    store = office.store
    who = who or office.officer
    from parapp.store.backup import make_backup

    if not store.in_transaction:  # (a caller's own transaction, as the demo's, is all or nothing already)
        make_backup(store, "before-reorganise")
    stamp = now()
    with store.transaction() as c:
        if progress is not None and progress(0, 3) is False:
            raise ReorganiseError("Đã huỷ.", "Cancelled.")
        ended = set(p.ended)
        old_added = [(k, u) for k, u in p.new_units if k in ended]
        fresh = [(k, u) for k, u in p.new_units if k not in ended]
        # Old units of the provinces merged with this one: parents first, as in the official list.
        by_key = {u.code: k for k, u in old_added}
        _insert(c, [(k, u, by_key.get(u.parent) if u.parent else None) for k, u in old_added], stamp)
        # Each new province under the database's root (if any), its new communes under it.
        parent_of = {g.new.code: g.key for g in p.groups}
        root_of = {g.key: g.parent for g in p.groups}
        _insert(c, [(k, u, root_of.get(k) if u.level == "province" else parent_of[u.parent]) for k, u in fresh
                    if u.level == "province"], stamp)
        _insert(c, [(k, u, parent_of[u.parent]) for k, u in fresh if u.level != "province"], stamp)
        if progress is not None and progress(1, 3) is False:
            raise ReorganiseError("Đã huỷ.", "Cancelled.")
        c.executemany("INSERT INTO unit_spans(code, official_code, valid_to) VALUES (?, ?, ?)",
                      [(k, k, LAST_OLD_DAY) for k in p.ended])
        c.executemany("INSERT INTO unit_spans(code, official_code, valid_from) VALUES (?, ?, ?)",
                      [(k, u.code, AT) for k, u in fresh])
        c.executemany("INSERT INTO unit_links(predecessor, successor, at, divided, is_default) VALUES (?, ?, ?, ?, ?)",
                      [(o, n, AT, int(s.divided), int(s.default)) for o, n, s in p.links])
        if progress is not None and progress(2, 3) is False:
            raise ReorganiseError("Đã huỷ.", "Cancelled.")
        info = {"from_province": p.old_province.code, "from_office": p.office_before, "at": stamp, "by": who,
                "version": __version__, "merged_with": [u.code for u in p.merged_with]}
        province_meta = p.new_province.code if len(p.groups) == 1 else (office.province_code or "")
        for key, value in (("office", p.office_after), ("tiers", "2"), ("province", province_meta),
                           (META_KEY, json.dumps(info, ensure_ascii=False))):
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, value))
        audit_store.append(c, [dict(at=stamp, who=who, action="reorganise", unit=p.office_after, reason=p.summary().vi)])
    if progress is not None:
        progress(3, 3)
    office._target_set = None
    return p


def _insert(c, rows: list[tuple[str, OfficialUnit, str | None]], stamp: str) -> None:
    """Units with their closure rows; parents come before their children."""
    ancestors: dict[str, list[str]] = {}
    for key, u, parent in rows:
        if parent is None:
            chain = [key]
        else:
            if parent not in ancestors:  # a unit already here: its chain, read once (unit_tree is keyed by ancestor)
                ancestors[parent] = [r[0] for r in c.execute(
                    "SELECT ancestor FROM unit_tree WHERE unit = ? ORDER BY depth", (parent,))]
            chain = [key] + ancestors[parent]
        ancestors[key] = chain
        c.execute("INSERT INTO units(code, name, kind, level, parent, official, active, created_at) "
                  "VALUES (?, ?, ?, ?, ?, 1, 1, ?)", (key, u.name, u.kind, u.level, parent, stamp))
        c.executemany("INSERT INTO unit_tree(ancestor, unit, depth) VALUES (?, ?, ?)",
                      [(a, key, d) for d, a in enumerate(chain)])


@dataclass
class TakenIn:
    province: OfficialUnit
    values: int
    statuses: int
    audit: int
    units_added: int
    already: bool = False

    def summary(self) -> Text:
        if self.already:
            return Text(f"Số liệu của {self.province.name} đã được nhận trước đây; không có gì thay đổi.",
                        f"The figures of {self.province.name} were taken in before; nothing changed.")
        return Text(f"Đã nhận số liệu của {self.province.name}: {self.values} giá trị, {self.statuses} trạng thái, "
                    f"{self.audit} dòng nhật ký.",
                    f"Took in the figures of {self.province.name}: {self.values} values, {self.statuses} statuses, "
                    f"{self.audit} history rows.")


@dataclass
class _Neighbour:
    path: object
    meta: dict
    units: list
    values: list
    statuses: list
    audit: list


def _read_neighbour(path) -> _Neighbour:
    """Everything ParApp takes in from another office's database, read from a copy (with its log) in a
    temporary folder, so that nothing is ever written or created beside the other file."""
    import shutil
    import sqlite3
    import tempfile
    from pathlib import Path

    from parapp.store.db import APPLICATION_ID, SCHEMA_VERSION

    path = Path(path)
    if path.is_dir():
        raise ReorganiseError(f"{path} là một thư mục; hãy chọn tệp cơ sở dữ liệu (.db) của tỉnh cũ.",
                              f"{path} is a folder; choose the old province's database file (.db).")
    if not path.is_file():
        raise ReorganiseError(f"Không có tệp {path}.", f"There is no file {path}.")
    with tempfile.TemporaryDirectory(prefix="parapp-take-in-") as tmp:
        copy = Path(tmp) / "other.db"
        try:
            shutil.copyfile(path, copy)
            if Path(str(path) + "-wal").is_file():
                shutil.copyfile(Path(str(path) + "-wal"), Path(str(copy) + "-wal"))
        except OSError as e:
            raise ReorganiseError(f"Không đọc được {path} ({e.strerror}).", f"Cannot read {path} ({e.strerror}).") from None
        try:
            other = sqlite3.connect(copy)
            try:
                app_id = other.execute("PRAGMA application_id").fetchone()[0]
                version = other.execute("PRAGMA user_version").fetchone()[0]
                if app_id != APPLICATION_ID or version > SCHEMA_VERSION:
                    raise ReorganiseError(f"{path} không phải cơ sở dữ liệu ParApp mà phiên bản này đọc được.",
                                          f"{path} is not a ParApp database this version can read.")
                meta = dict(other.execute("SELECT key, value FROM meta").fetchall())
                units = other.execute("SELECT code, name, kind, level, parent, official FROM units").fetchall()
                values = other.execute("SELECT unit, period, element, value, comment, updated_by, updated_at, source "
                                       f"FROM {'value_details' if version >= 4 else 'data_values'}").fetchall()
                statuses = other.execute("SELECT unit, period, status, changed_by, changed_at, reason FROM statuses"
                                         ).fetchall()
                audit = other.execute("SELECT at, who, action, unit, period, element, old_value, new_value, "
                                      "old_comment, new_comment, old_status, new_status, reason, source FROM audit_log "
                                      "ORDER BY id").fetchall()
            finally:
                other.close()
        except sqlite3.DatabaseError:
            raise ReorganiseError(f"{path} bị hỏng hoặc không phải cơ sở dữ liệu; tệp không bị thay đổi.",
                                  f"{path} is damaged or not a database; it was left as it was.") from None
    return _Neighbour(path, meta, units, values, statuses, audit)


def _check_neighbour(n: _Neighbour, olds: set[str]) -> OfficialUnit:
    """The old province a neighbour's database is of; refuses one that is not a three-tier database of a province
    merged into this office's (olds)."""
    province = n.meta.get("province", "")
    found = unitlists.find_official(3, province)
    names = ", ".join(u.name for c in sorted(olds) if (u := unitlists.find_official(3, c))) or "—"
    if META_KEY in n.meta:
        raise ReorganiseError(
            f"{n.path} đã được chuyển sang mô hình hai cấp nên không nhận cả cơ sở dữ liệu được; hãy nhập các báo cáo "
            "của tỉnh đó trước tháng 7/2025 (Excel → Nhập báo cáo).",
            f"{n.path} was carried into the two-tier structure already, so it cannot be taken in whole; import "
            "that province's returns from before July 2025 instead (Excel → Import returns).")
    if n.meta.get("tiers") != "3" or found is None or province not in olds:
        raise ReorganiseError(
            f"{n.path} không phải cơ sở dữ liệu ba cấp của một tỉnh đã hợp nhất vào đơn vị này ({names}).",
            f"{n.path} is not the three-tier database of a province merged into this one ({names}).")
    return found


def check_take_in(office, paths, plan_: Plan | None = None) -> None:
    """Refuse, before anything is written, a file that cannot be taken in (after the reorganisation planned)."""
    if plan_ is not None and not plan_.already:
        olds = {u.code for u in plan_.merged_with}
    else:
        olds = office._reorganised_from() - {json.loads(office.store.meta(META_KEY) or "{}").get("from_province")}
    for path in paths:
        _check_neighbour(_read_neighbour(path), olds)


def take_in(office, path, who: str | None = None, dry_run: bool = False) -> TakenIn:
    """Take in the three-tier database of an old province merged into this office's province: its figures,
    statuses and history rows for its own units, which the reorganisation added here with none. The other file
    is only read. All of it or nothing; taking the same file in again changes nothing. dry_run: only say what
    would be taken in."""
    store = office.store
    if not store.meta(META_KEY):
        raise ReorganiseError("Hãy chuyển cơ sở dữ liệu này sang mô hình hai cấp trước (parapp reorganise).",
                              "Carry this database into the two-tier structure first (parapp reorganise).")
    n = _read_neighbour(path)
    path = n.path
    olds = office._reorganised_from() - {json.loads(store.meta(META_KEY) or "{}").get("from_province")}
    found = _check_neighbour(n, olds)
    province = found.code
    units, values, statuses, audit = n.units, n.values, n.statuses, n.audit
    mine = {r[0] for r in store.conn.execute("SELECT unit FROM unit_tree WHERE ancestor = ?", (province,))}
    theirs = {r[0]: r for r in units}
    # Taken in before (or figures of these units imported from returns since)? Compared on the official units.
    existing = store.conn.execute(
        "SELECT count(*) FROM data_values WHERE unit IN (SELECT unit FROM unit_tree WHERE ancestor = ?)",
        (province,)).fetchone()[0]
    if existing:
        have = {tuple(r) for r in store.conn.execute(
            "SELECT dv.unit, dv.period, dv.element, dv.value FROM data_values dv JOIN units u ON u.code = dv.unit "
            "WHERE u.official = 1 AND dv.unit IN (SELECT unit FROM unit_tree WHERE ancestor = ?)", (province,))}
        official = {r[0] for r in store.conn.execute(
            "SELECT t.unit FROM unit_tree t JOIN units u ON u.code = t.unit WHERE t.ancestor = ? AND u.official = 1",
            (province,))}
        if have == {(v[0], v[1], v[2], v[3]) for v in values if v[0] in official}:
            return TakenIn(found, 0, 0, 0, 0, already=True)
        raise ReorganiseError(
            f"Đã có số liệu của {found.name} trong cơ sở dữ liệu này (nhập từ báo cáo?) và khác với {path}; "
            "không nhận để tránh ghi đè.",
            f"This database already holds figures of {found.name} (imported from returns?) that differ from "
            f"{path}; nothing was taken in, so that none is overwritten.")
    # Units the other office added by hand come too (they end with the old tree), so their figures have a home;
    # one whose code is taken here gets a new one (codes of added units are only the office's own numbering).
    added = [r for code, r in theirs.items() if code not in mine and not r[5]]
    taken = {r[0] for r in store.conn.execute("SELECT code FROM units")}
    rekey: dict[str, str] = {}
    counter = len([c for c in taken if c.startswith("N")])
    for r in added:
        code = r[0]
        if code in taken:
            while True:
                counter += 1
                new = f"N{counter:04d}"
                if new not in taken:
                    break
            rekey[code] = new
            taken.add(new)
    if rekey:
        def k(code):
            return rekey.get(code, code)

        added = [(k(c), name, kind, level, k(parent) if parent else parent, off) for c, name, kind, level, parent, off
                 in added]
        values = [(k(v[0]), *v[1:]) for v in values]
        statuses = [(k(st[0]), *st[1:]) for st in statuses]
        audit = [(*a[:3], k(a[3]) if a[3] else a[3], *a[4:]) for a in audit]
    unknown = [code for code, r in theirs.items() if code not in mine and r[5]]
    if unknown:
        raise ReorganiseError(f"{path}: đơn vị mã {', '.join(sorted(unknown)[:5])} không có trong danh sách chính thức.",
                              f"{path}: the units {', '.join(sorted(unknown)[:5])} are not in the official list.")
    keep = mine | {r[0] for r in added}
    values = [v for v in values if v[0] in keep]
    statuses = [s for s in statuses if s[0] in keep]
    audit = [a for a in audit if a[3] in keep]
    if dry_run:
        return TakenIn(found, len(values), len(statuses), len(audit), len(added))
    who = who or office.officer
    from parapp.store.backup import make_backup

    if not store.in_transaction:
        make_backup(store, "before-import")
    stamp = now()
    label = path.name
    with store.transaction() as c:
        for code, name, kind, level, parent, _official in sorted(added, key=lambda r: r[3] != "district"):
            c.execute("INSERT INTO units(code, name, kind, level, parent, official, active, created_at) "
                      "VALUES (?, ?, ?, ?, ?, 0, 1, ?)", (code, name, kind, level, parent, stamp))
            c.execute("INSERT INTO unit_tree(ancestor, unit, depth) SELECT ancestor, ?, depth + 1 FROM unit_tree "
                      "WHERE unit = ?", (code, parent))
            c.execute("INSERT INTO unit_tree(ancestor, unit, depth) VALUES (?, ?, 0)", (code, code))
            c.execute("INSERT INTO unit_spans(code, official_code, valid_to) VALUES (?, ?, ?)", (code, code, LAST_OLD_DAY))
        value_store.put_values(c, values, replace=False)
        c.executemany("INSERT INTO statuses(unit, period, status, changed_by, changed_at, reason) "
                      "VALUES (?, ?, ?, ?, ?, ?)", statuses)
        audit_store.append(c, [(*a[:13], f"{label}: {a[13]}" if a[13] else label) for a in audit])
        result = TakenIn(found, len(values), len(statuses), len(audit), len(added))
        audit_store.append(c, [dict(at=stamp, who=who, action="take_in", unit=province, reason=result.summary().vi,
                                    source=str(path))])
    return result
