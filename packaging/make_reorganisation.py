"""Write resources/units/reorganisation_2025.csv: how the units of 1 July 2025 came from the old ones.

Run by a developer, from the repository root, with ParApp's own Python (it reads ParApp's two unit
lists) and the data folder of ``vietnamadminunits`` (MIT licence), installed without its heavy
dependencies, which this script never imports::

    python -m venv /tmp/vau && /tmp/vau/bin/pip install --no-deps vietnamadminunits==1.0.4
    .venv/bin/python packaging/make_reorganisation.py --data /tmp/vau/lib/python3.11/site-packages/vietnamadminunits/data

Sources, in the package's data folder:
* ``converter_2025.json``: ``DICT_PROVINCE`` (new province -> the old provinces merged into it, as
  Resolution 202/2025/QH15 lists them), ``DICT_PROVINCE_WARD_NO_DIVIDED`` (new commune -> the old
  communes merged whole into it) and ``DICT_PROVINCE_WARD_DIVIDED`` (old commune -> the new communes it
  was divided between, one of them marked as the default successor the official list names);
* ``dataset.db``: ``admin_units_legacy`` (old communes with province/district/ward codes) and
  ``admin_units`` (new communes with codes), to turn the converter's name keys into codes.

ParApp's unit lists stay what they are (three tiers from vietnam-provinces 0.6.0, two tiers from the
current vietnam-provinces), so every row is written with ParApp's codes. Where the two sources disagree
the script says so and decides (tests/test_reorganisation.py pins each decision):
* a new commune is matched to ParApp's two-tier list by province and name, not by code: the two
  packages number some communes differently (both codes are printed); names that differ only by
  spelling (Hòa/Hoà, Thủy/Thuỷ, ' and ’) match;
* an old commune of ParApp's three-tier list missing from the package's legacy list (codes renumbered
  or communes merged in the rearrangements of early 2025) is found in the package's list by district
  and name, or by the former names the package lists as aliases; the row says ``via``; the two found
  neither way (Xã Đông Xuân 16411, Xã Phù Mỹ 25186) take the successor of the communes beside them by
  code in their district, and ``via`` says it is a guess;
* the five island districts that had no communes (Hoàng Sa, Bạch Long Vĩ, Côn Đảo, Lý Sơn, Cồn Cỏ)
  map as districts to the special zone (đặc khu) that succeeded each.

Output columns (UTF-8, NFC, "\\n" line ends): level of the old unit (province, district, commune),
old_code, old_name, new_code, new_name, divided (1 when the old unit went to more than one new one),
default (1 for the successor that takes a divided unit's figures when no shares are set), via (how an
old commune missing from the package was matched, else empty). Sorted by level, old code, new code.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from parapp.domain import unitlists  # noqa: E402
from parapp.domain.unitlists import REORGANISATION_COLUMNS, clean_name  # noqa: E402

OUT = REPO / "resources" / "units" / "reorganisation_2025.csv"
ISLANDS = {"huyenhoangsa", "huyenbachlongvi", "huyencondao", "huyenlyson", "huyenconco"}


def key(name: str) -> str:
    """The package's name key: no marks, no spaces or punctuation, lower case ("Phường Phúc Xá" -> "phuongphucxa")."""
    text = unicodedata.normalize("NFD", clean_name(name).replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


def find_data(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    import importlib.util

    spec = importlib.util.find_spec("vietnamadminunits")  # found, never imported: it pulls in shapely
    if spec is None or not spec.submodule_search_locations:
        sys.exit("vietnamadminunits is not installed here; install it with --no-deps or give --data DIR")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="the data folder of vietnamadminunits")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = find_data(args.data)
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)

    three = {u.code: u for u in unitlists.official_units(3)}
    two = {u.code: u for u in unitlists.official_units(2)}
    notes: list[str] = []

    # --- provinces: the package's keys -> codes, both lists
    old_prov = {r[0]: r[1] for r in db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy")}
    new_prov = {r[0]: r[1] for r in db.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")}
    for code in sorted(set(old_prov.values())):
        if code not in three:
            sys.exit(f"old province {code} of the package is not in ParApp's three-tier list")
    for code in sorted(set(new_prov.values())):
        if code not in two:
            sys.exit(f"new province {code} of the package is not in ParApp's two-tier list")

    rows: list[dict[str, str]] = []

    def add(level: str, old: str, new: str, divided: bool, default: bool, via: str = "") -> None:
        rows.append({"level": level, "old_code": old, "old_name": three[old].name, "new_code": new,
                     "new_name": two[new].name, "divided": "1" if divided else "0",
                     "default": "1" if default else "0", "via": via})

    for new_key, olds in conv["DICT_PROVINCE"].items():
        for old_key in olds:
            add("province", old_prov[old_key], new_prov[new_key], False, True)

    # --- new communes: the package's (province key, ward key) -> ParApp's two-tier code, by name
    parapp_new: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u in two.values():
        if u.level == "commune":
            parapp_new[(u.parent, key(u.name))].append(u.code)
    new_code: dict[tuple[str, str], str] = {}
    renumbered = 0
    for pk, wk, pcode, wcode, wname in db.execute(
            "SELECT provinceKey, wardKey, provinceCode, wardCode, ward FROM admin_units"):
        found = parapp_new.get((pcode, key(wname)), [])
        if len(found) > 1:  # names alike but for their marks (Văn Lang, Văn Lăng): the same code, or the same name
            found = [c for c in found if c == wcode] or [c for c in found if two[c].name == clean_name(wname)]
        if len(found) != 1:
            sys.exit(f"new commune {wname} ({wcode}, province {pcode}) matches {len(found)} communes of ParApp's list")
        new_code[(pk, wk)] = found[0]
        if found[0] != wcode:
            renumbered += 1
            notes.append(f"new commune {clean_name(wname)}: code {wcode} in vietnamadminunits, "
                         f"{found[0]} in vietnam-provinces (kept)")
    if len(set(new_code.values())) != len(new_code):
        sys.exit("two new communes of the package match the same commune of ParApp's list")

    # --- old communes: the package's "province_district_ward" key -> ParApp's three-tier code
    legacy: dict[str, tuple[str, str, str]] = {}
    by_district: dict[tuple[str, str], str] = {}  # (district code, ward key or alias) -> package ward code
    for pk, dk, wk, dcode, wcode, wname, aliases in db.execute(
            "SELECT provinceKey, districtKey, wardKey, districtCode, wardCode, ward, wardAlias FROM admin_units_legacy"):
        legacy[f"{pk}_{dk}_{wk or ''}"] = (dcode, wcode, wname)
        if wcode:
            by_district[(dcode, key(wname))] = wcode
            for alias in json.loads(aliases) if aliases else []:
                for short in (alias, alias.removeprefix("xa").removeprefix("phuong").removeprefix("thitran")):
                    by_district.setdefault((dcode, short), wcode)

    links: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # package old ward code -> [(new, default)]
    island: dict[str, str] = {}  # old district code -> new special zone
    for pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wk, olds in wards.items():
            for old_key in olds:
                dcode, wcode, _ = legacy[old_key] if old_key in legacy else legacy[old_key + "None"]
                if wcode is None:
                    island[dcode] = new_code[(pk, wk)]
                else:
                    links[wcode].append((new_code[(pk, wk)], True))
    for pk, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            _, wcode, _ = legacy[old_key]
            if wcode in links:
                sys.exit(f"old commune {wcode} is both merged whole and divided")
            defaults = [p for p in parts if p["isDefaultNewWard"]]
            if len(defaults) != 1:
                sys.exit(f"divided commune {wcode} has {len(defaults)} default successors")
            for p in parts:
                links[wcode].append((new_code[(pk, p["newWardKey"])], p["isDefaultNewWard"]))

    old_communes = sorted(c for c, u in three.items() if u.level == "commune")
    matched_via = 0
    for code in old_communes:
        via = ""
        source = code
        if code not in links:
            unit = three[code]
            name_key = key(unit.name)
            short = name_key.removeprefix("xa").removeprefix("phuong").removeprefix("thitran")
            source = by_district.get((unit.parent, name_key)) or by_district.get((unit.parent, short))
            if source is not None and source in links:
                via = f"{source} {legacy_name(db, source)}"
            else:
                # Merged in early 2025 and listed nowhere: the successor of its neighbours by code in its
                # district (they border it); where the two disagree, the next one's. Marked as a guess.
                peers = [c for c in old_communes if three[c].parent == unit.parent]
                i = peers.index(code)
                before = next((links[c] for c in reversed(peers[:i]) if c in links), None)
                after = next((links[c] for c in peers[i + 1:] if c in links), None)
                source_links = after or before
                if source_links is None:
                    sys.exit(f"old commune {unit.name} ({code}) has no successor in the package")
                agree = "" if before == after else ", neighbours disagree"
                via = f"guess: as the communes beside it in its district{agree}"
                links[code] = source_links
                source = code
            matched_via += 1
            notes.append(f"old commune {unit.name} ({code}) is not in the package's list; taken as {via}")
        elif legacy_name(db, code) and key(legacy_name(db, code)) != key(three[code].name):
            notes.append(f"old commune {code}: {three[code].name!r} in vietnam-provinces 0.6.0, "
                         f"{legacy_name(db, code)!r} in vietnamadminunits (ParApp's name kept)")
        succ = links[source]
        for new, default in succ:
            add("commune", code, new, len(succ) > 1, default or len(succ) == 1, via)
    for dcode, new in island.items():
        add("district", dcode, new, False, True)
    unused = set(links) - set(old_communes) - {by_district.get((three[c].parent, key(three[c].name)))
                                               for c in old_communes}
    for wcode in sorted(unused):
        if not any(r["via"].startswith(wcode + " ") for r in rows):
            notes.append(f"package commune {wcode} {legacy_name(db, wcode)} is not in ParApp's three-tier list "
                         "and no commune of it maps through it")

    level_order = {"province": 0, "district": 1, "commune": 2}
    rows.sort(key=lambda r: (level_order[r["level"]], r["old_code"], r["new_code"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REORGANISATION_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    for note in notes:
        print("note:", note)
    counts = Counter(r["level"] for r in rows)
    divided_count = len({r["old_code"] for r in rows if r["divided"] == "1"})
    print(f"provinces: {counts['province']} old -> {len({r['new_code'] for r in rows if r['level'] == 'province'})} new")
    print(f"communes: {len(old_communes)} old -> {len({r['new_code'] for r in rows if r['level'] != 'province'})} new; "
          f"{divided_count} divided; {matched_via} matched by name or alias; {renumbered} numbered differently")
    print(f"wrote {args.out}: {len(rows)} rows")
    return 0


def legacy_name(db: sqlite3.Connection, code: str) -> str | None:
    row = db.execute("SELECT ward FROM admin_units_legacy WHERE wardCode = ?", (code,)).fetchone()
    return clean_name(row[0]) if row else None


if __name__ == "__main__":
    raise SystemExit(main())
