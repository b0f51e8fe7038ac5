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
from parapp.domain.unitlists import REORGANISATION_DATE, OfficialUnit, Succession
from parapp.i18n import ParAppError, Text
from parapp.store import units as unit_store
from parapp.store.db import now

AT = REORGANISATION_DATE.isoformat()
LAST_OLD_DAY = "2025-06-30"
META_KEY = "reorganised_2025"

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
    new_province_key: str = ""
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
        communes = sum(1 for _k, u in self.new_units if u.level == "commune")
        return Text(
            f"{self.old_province.name}{merged_vi} → {self.new_province.name}: thêm {communes} xã, phường mới "
            f"từ 01/7/2025, {len(self.links)} liên kết với đơn vị cũ; {len(self.ended)} đơn vị cũ giữ nguyên "
            "số liệu và kết thúc ngày 30/6/2025.",
            f"{self.old_province.name}{merged_en} → {self.new_province.name}: {communes} new communes from "
            f"1 July 2025, {len(self.links)} links to old units; {len(self.ended)} old units keep their figures "
            "and end on 30 June 2025.")


def _key(taken: set[str], code: str) -> str:
    key = code if code not in taken else f"{code}-2025"
    if key in taken:
        raise ReorganiseError(f"Mã {key} đã được dùng trong cơ sở dữ liệu này.",
                              f"The code {key} is already used in this database.")
    taken.add(key)
    return key


def plan(office, office_code: str | None = None) -> Plan:
    """Work out the reorganisation of office's database without writing anything."""
    store = office.store
    old_code = office.province_code
    mapping = unitlists.reorganisation_2025()
    if store.meta(META_KEY):
        info = json.loads(store.meta(META_KEY) or "{}")
        p = Plan(unitlists.find_official(3, info.get("from_province", old_code)) or _no_province(old_code),
                 unitlists.find_official(2, store.meta("province") or "") or _no_province(old_code), [], False)
        p.already = True
        p.office_before = info.get("from_office", "")
        p.office_after = office.office_code
        return p
    if office.tiers != 3:
        raise ReorganiseError(
            "Cơ sở dữ liệu này đã theo mô hình hai cấp (từ 01/7/2025); không cần chuyển đổi.",
            "This database already follows the two-tier structure (since 1 July 2025); there is nothing to carry over.")
    prov_links = [s for s in mapping if s.level == "province"]
    new_code = next((s.new_code for s in prov_links if s.old_code == old_code), None)
    if new_code is None:
        raise ReorganiseError(f"Không tìm thấy tỉnh mã {old_code} trong danh sách sắp xếp năm 2025.",
                              f"The province {old_code} is not in the 2025 reorganisation list.")
    old_prov = unitlists.find_official(3, old_code) or _no_province(old_code)
    new_prov = unitlists.find_official(2, new_code) or _no_province(new_code)
    olds = sorted(s.old_code for s in prov_links if s.new_code == new_code)
    merged = [unitlists.find_official(3, c) for c in olds if c != old_code]
    continuing = olds == [old_code] and new_code == old_code
    p = Plan(old_prov, new_prov, [u for u in merged if u], continuing)

    taken = {r[0] for r in store.conn.execute("SELECT code FROM units")}
    in_db_before = {u.code: u for u in unit_store.subtree(store, old_code, include_retired=True)}
    # Old units: this database's, then those of the provinces merged with it (added, with no figures).
    for u in merged:
        for ou in unitlists.province_units(3, u.code):
            if ou.code in taken:
                raise ReorganiseError(
                    f"Đơn vị mã {ou.code} của {u.name} đã có trong cơ sở dữ liệu này với tên khác.",
                    f"The unit {ou.code} of {u.name} is already in this database under another name.")
            p.new_units.append((ou.code, ou))
            taken.add(ou.code)
    for code, u in in_db_before.items():
        if continuing and code == old_code:
            continue
        p.ended.append(code)
        if not u.official:
            p.unmapped.append(u)
    p.ended += [k for k, _u in p.new_units]
    old_keys = set(p.ended) | ({old_code} if continuing else set())

    # New units.
    if continuing:
        new_prov_key = old_code
    else:
        new_prov_key = _key(taken, new_code)
        p.new_units.append((new_prov_key, new_prov))
    p.new_province_key = new_prov_key
    new_keys: dict[str, str] = {}
    for nu in unitlists.province_units(2, new_code):
        if nu.level != "commune":
            continue
        new_keys[nu.code] = _key(taken, nu.code)
        p.new_units.append((new_keys[nu.code], nu))

    # Links.
    for s in mapping:
        if s.level == "province":
            if s.new_code == new_code and not continuing:
                p.links.append((s.old_code, new_prov_key, s))
        elif s.new_code in new_keys and s.old_code in old_keys:
            p.links.append((s.old_code, new_keys[s.new_code], s))

    # The office after.
    p.office_before = office.office_code
    office_unit = in_db_before.get(p.office_before)
    if office_code:
        want = str(office_code).strip()
        choice = next((k for k, u in p.new_units if (k == want or u.code == want) and k not in old_keys), None)
        if choice is None:
            raise ReorganiseError(f"{want} không phải là tỉnh hay xã, phường mới của {new_prov.name}.",
                                  f"{want} is not the new province or one of its new communes.")
        p.office_after = choice
    elif office_unit is None or office_unit.level == "province" or office_unit.level == "district":
        p.office_after = new_prov_key
    else:
        succ = [(k, s) for o, k, s in p.links if o == office_unit.code]
        default = next((k for k, s in succ if s.default), None)
        p.office_after = default or new_prov_key
    return p


def _no_province(code: str) -> OfficialUnit:
    raise ReorganiseError(f"Không có tỉnh mã {code} trong danh sách chính thức.",
                          f"There is no province with code {code} in the official lists.")


def reorganise(office, office_code: str | None = None, who: str | None = None,
               progress: Progress | None = None) -> Plan:
    """Carry the database into the two-tier structure (see the module's text). Returns what was done."""
    p = plan(office, office_code)
    if p.already:
        return p
    store = office.store
    who = who or office.officer
    stamp = now()
    with store.transaction() as c:
        if progress is not None and progress(0, 3) is False:
            raise ReorganiseError("Đã huỷ.", "Cancelled.")
        old_added = [(k, u) for k, u in p.new_units if k in set(p.ended)]
        fresh = [(k, u) for k, u in p.new_units if k not in set(p.ended)]
        # Old units of the provinces merged with this one: parents first, as in the official list.
        by_key = {u.code: k for k, u in old_added}
        _insert(c, [(k, u, by_key.get(u.parent) if u.parent else None) for k, u in old_added], stamp)
        # The new communes hang under the new province (or the one that continues).
        _insert(c, [(k, u, None if u.level == "province" else p.new_province_key) for k, u in fresh], stamp)
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
        for key, value in (("office", p.office_after), ("tiers", "2"), ("province", p.new_province.code),
                           (META_KEY, json.dumps(info, ensure_ascii=False))):
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, value))
        c.execute("INSERT INTO audit_log(at, who, action, unit, reason) VALUES (?, ?, 'reorganise', ?, ?)",
                  (stamp, who, p.office_after, p.summary().vi))
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
        elif parent in ancestors:
            chain = [key] + ancestors[parent]
        else:
            chain = [key] + [r[0] for r in c.execute("SELECT ancestor FROM unit_tree WHERE unit = ? ORDER BY depth",
                                                     (parent,))]
        ancestors[key] = chain
        c.execute("INSERT INTO units(code, name, kind, level, parent, official, active, created_at) "
                  "VALUES (?, ?, ?, ?, ?, 1, 1, ?)", (key, u.name, u.kind, u.level, parent, stamp))
        c.executemany("INSERT INTO unit_tree(ancestor, unit, depth) VALUES (?, ?, ?)",
                      [(a, key, d) for d, a in enumerate(chain)])
