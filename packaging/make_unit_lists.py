"""Write resources/units/vn_three_tier.csv: the three-tier unit list in force before 1 July 2025.

Run once by a developer, from the repository root, with a Python that has the *old* release of
vietnam-provinces (the current releases only carry the two-tier list of 1 July 2025)::

    python -m venv /tmp/vp06 && /tmp/vp06/bin/pip install vietnam-provinces==0.6.0
    /tmp/vp06/bin/python packaging/make_unit_lists.py

ParApp itself need not be installed in that Python: the script puts the checkout on sys.path to
use parapp.domain.unitlists.kind_from_name, the same rule the app uses for the two-tier list.

Source: the package's nested-divisions.json (63 provinces, districts, communes; data of
2025-01-04). Its ``division_type`` field is wrong (every commune says "xã", every district
"huyện"), so each unit's kind is derived from the prefix of its name instead.

Output columns: code,name,kind,level,parent — UTF-8, NFC, "\\n" line ends, sorted by level
(province, district, commune) then code. Codes are the official statistical codes zero-padded to
2 (province), 3 (district) and 5 (commune) digits; parent is the parent's code, empty for
provinces. Names are the package's full names, kind prefix included ("Tỉnh Hà Tĩnh",
"Huyện Đức Thọ", "Xã Tùng Ảnh"); only whitespace is tidied.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from parapp.domain.unitlists import CSV_COLUMNS, clean_name, kind_from_name  # noqa: E402

OUT = REPO / "resources" / "units" / "vn_three_tier.csv"

WIDTH = {"province": 2, "district": 3, "commune": 5}
KINDS = {
    "province": {"tỉnh", "thành phố"},
    "district": {"huyện", "quận", "thị xã", "thành phố"},
    "commune": {"xã", "phường", "thị trấn"},
}


def main() -> int:
    try:
        import vietnam_provinces
    except ImportError:
        sys.exit("vietnam-provinces is not installed here; use a Python with vietnam-provinces==0.6.0")
    if vietnam_provinces.__version__ != "0.6.0":
        sys.exit(f"need vietnam-provinces 0.6.0 (three-tier data), found {vietnam_provinces.__version__}")

    data = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))

    rows: list[dict[str, str]] = []

    def add(raw: dict, level: str, parent: str) -> str:
        number = int(raw["code"])
        code = f"{number:0{WIDTH[level]}d}"
        if len(code) != WIDTH[level]:
            raise SystemExit(f"{level} code {number} does not fit in {WIDTH[level]} digits")
        name = clean_name(raw["name"])
        if name != raw["name"]:
            print(f"note: tidied whitespace in {raw['name']!r}")
        kind = kind_from_name(name)
        if kind not in KINDS[level]:
            raise SystemExit(f"{name!r} ({code}) has kind {kind!r}, unexpected for a {level}")
        rows.append({"code": code, "name": name, "kind": kind, "level": level, "parent": parent})
        return code

    for province in data:
        p = add(province, "province", "")
        for district in province["districts"]:
            d = add(district, "district", p)
            if not district["wards"]:
                print(f"note: {district['name']} ({d}) has no communes")
            for ward in district["wards"]:
                add(ward, "commune", d)

    for level in WIDTH:
        codes = Counter(r["code"] for r in rows if r["level"] == level)
        dups = sorted(c for c, n in codes.items() if n > 1)
        if dups:
            raise SystemExit(f"duplicate {level} codes: {dups}")

    rows.sort(key=lambda r: (list(WIDTH).index(r["level"]), r["code"]))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    counts = Counter(r["level"] for r in rows)
    print(f"vietnam-provinces {vietnam_provinces.__version__}, data of {vietnam_provinces.__data_version__}")
    for level in WIDTH:
        print(f"{level}: {counts[level]}")
    for level in WIDTH:
        kinds = Counter(r["kind"] for r in rows if r["level"] == level)
        print(f"{level} kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print(f"wrote {OUT.relative_to(REPO)}: {len(rows)} rows, {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
