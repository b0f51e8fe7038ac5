"""Official lists of Vietnam's administrative units, for both the old and the current structure.

* ``tiers=3``: the three-tier list in force before 1 July 2025 (province → district → commune),
  read from ``resources/units/vn_three_tier.csv``. That file is generated once by
  ``packaging/make_unit_lists.py`` from ``vietnam-provinces==0.6.0``.
* ``tiers=2``: the two-tier list in force since 1 July 2025 (province → commune), read at run time
  from the installed ``vietnam-provinces`` package (imported only when first asked for).

Codes are the official statistical codes as zero-padded strings: province 2 digits, district
3 digits, commune 5 digits. ``level`` is ``"province"``, ``"district"`` or ``"commune"``. ``kind``
is the Vietnamese division type in lower case, taken from the name's prefix (see
:func:`kind_from_name`), never from the package's own division-type field. All text is NFC.

Lists are loaded once per process and returned parents first: all provinces by code, then all
districts by code, then all communes by code.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from functools import lru_cache

from parapp.records import record
from parapp.resources import resource_path

LEVELS = ("province", "district", "commune")

# Name prefix -> kind. Longest prefixes first so that no prefix shadows a longer one.
_PREFIX_KINDS: tuple[tuple[str, str], ...] = (
    ("thành phố", "thành phố"),
    ("thị trấn", "thị trấn"),
    ("đặc khu", "đặc khu"),
    ("phường", "phường"),
    ("thị xã", "thị xã"),
    ("huyện", "huyện"),
    ("quận", "quận"),
    ("tỉnh", "tỉnh"),
    ("xã", "xã"),
)

THREE_TIER_CSV = ("units", "vn_three_tier.csv")
CSV_COLUMNS = ["code", "name", "kind", "level", "parent"]
REORGANISATION_CSV = ("units", "reorganisation_2025.csv")
REORGANISATION_COLUMNS = ["level", "old_code", "old_name", "new_code", "new_name", "divided", "default", "via"]
# The two-tier structure is in force from this day (Resolution 202/2025/QH15; Law on Local Government 2025).
REORGANISATION_DATE = date(2025, 7, 1)

_CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}


@record(frozen=True)
class OfficialUnit:
    """A unit of an official list (three-tier or two-tier)."""

    code: str
    name: str
    kind: str
    level: str
    parent: str | None


@record(frozen=True)
class Succession:
    """One link of the 2025 reorganisation: an old unit (three-tier list) went, whole or in part, to a new one."""

    level: str  # of the old unit: province, district (an island district with no communes) or commune
    old_code: str
    new_code: str
    divided: bool  # the old unit went to more than one new unit
    default: bool  # the successor that takes a divided unit's figures when no shares are set


def clean_name(name: str) -> str:
    """NFC, with runs of whitespace collapsed to one space and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def kind_from_name(name: str) -> str:
    """The division type a unit's official name starts with, e.g. "Thị xã Kỳ Anh" -> "thị xã".

    Matching ignores case, Unicode normalisation form and extra spaces. Raises ValueError when
    the name starts with no known prefix (or is the bare prefix with nothing after it).
    """
    folded = clean_name(name).casefold()
    for prefix, kind in _PREFIX_KINDS:
        if folded.startswith(prefix + " "):
            return kind
    raise ValueError(f"no division-type prefix in unit name {name!r}")


def official_units(tiers: int) -> list[OfficialUnit]:
    """Every unit of the three-tier (``tiers=3``) or two-tier (``tiers=2``) list, parents first."""
    return list(_units(tiers))


def province_units(tiers: int, province_code: str) -> list[OfficialUnit]:
    """The province with this code and every unit under it, parents first.

    Raises ValueError if the code is not a province of that list.
    """
    found = _by_province(tiers).get(province_code)
    if found is None:
        raise ValueError(f"{province_code!r} is not a province code in the {tiers}-tier list")
    return list(found)


def find_official(tiers: int, code: str) -> OfficialUnit | None:
    """The unit with this code in the given list, or None."""
    return _by_code(tiers).get(code)


def reorganisation_2025() -> list[Succession]:
    """Every link of the official 2025 mapping, old provinces and communes to new ones (see
    packaging/make_reorganisation.py for its source), in ParApp's codes."""
    return list(_reorganisation())


@lru_cache(maxsize=1)
def _reorganisation() -> tuple[Succession, ...]:
    path = resource_path(*REORGANISATION_CSV)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != REORGANISATION_COLUMNS:
            raise ValueError(f"{path}: expected columns {REORGANISATION_COLUMNS}, found {reader.fieldnames}")
        return tuple(Succession(r["level"], r["old_code"], r["new_code"], r["divided"] == "1", r["default"] == "1")
                     for r in reader)


# --- loading -------------------------------------------------------------------------------


@lru_cache(maxsize=2)  # only tiers 2 and 3 ever load
def _units(tiers: int) -> tuple[OfficialUnit, ...]:
    if tiers == 3:
        return _load_three_tier()
    if tiers == 2:
        return _load_two_tier()
    raise ValueError(f"tiers must be 2 or 3, not {tiers!r}")


@lru_cache(maxsize=2)  # only tiers 2 and 3 ever load
def _by_code(tiers: int) -> dict[str, OfficialUnit]:
    return {u.code: u for u in _units(tiers)}


@lru_cache(maxsize=2)  # only tiers 2 and 3 ever load
def _by_province(tiers: int) -> dict[str, tuple[OfficialUnit, ...]]:
    by_code = _by_code(tiers)
    groups: dict[str, list[OfficialUnit]] = {}
    for unit in _units(tiers):  # parents come first, so each group keeps the global order
        top = unit
        while top.parent is not None:
            top = by_code[top.parent]
        groups.setdefault(top.code, []).append(unit)
    return {code: tuple(group) for code, group in groups.items()}


def _sorted(units: list[OfficialUnit]) -> tuple[OfficialUnit, ...]:
    return tuple(sorted(units, key=lambda u: (LEVELS.index(u.level), u.code)))


def _load_three_tier() -> tuple[OfficialUnit, ...]:
    path = resource_path(*THREE_TIER_CSV)
    units: list[OfficialUnit] = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != CSV_COLUMNS:
            raise ValueError(f"{path}: expected columns {CSV_COLUMNS}, found {reader.fieldnames}")
        for row in reader:
            units.append(
                OfficialUnit(
                    code=row["code"],
                    name=unicodedata.normalize("NFC", row["name"]),
                    kind=row["kind"],
                    level=row["level"],
                    parent=row["parent"] or None,
                )
            )
    return _sorted(units)


def _load_two_tier() -> tuple[OfficialUnit, ...]:
    # Imported here, not at module level: the package's lookup tables are large.
    from vietnam_provinces import Province, Ward

    units: list[OfficialUnit] = []
    for p in Province.iter_all():
        name = clean_name(p.name)
        try:
            kind = kind_from_name(name)
        except ValueError:
            # The package gives most provinces without their prefix ("Hà Tĩnh"); cities keep theirs
            # ("Thành phố Huế"). Restore the full official name, as the three-tier list has it.
            name = f"Tỉnh {name}"
            kind = "tỉnh"
        units.append(OfficialUnit(_code(int(p.code), "province"), name, kind, "province", None))
    for w in Ward.iter_all():
        name = clean_name(w.name)
        units.append(
            OfficialUnit(
                _code(int(w.code), "commune"),
                name,
                kind_from_name(name),
                "commune",
                _code(int(w.province_code), "province"),
            )
        )
    return _sorted(units)


def _code(number: int, level: str) -> str:
    return f"{number:0{_CODE_WIDTH[level]}d}"
