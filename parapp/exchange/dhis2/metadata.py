"""ParApp's catalogue and units as a DHIS2 metadata package (JSON for DHIS2's metadata import, /api/metadata).

What goes in: ``dataElements`` (every element of the catalogue), ``indicatorTypes`` and ``indicators`` (the
catalogue's indicators, numerator over denominator), ``validationRules`` (the rules that compare one period),
``dataSets`` (one per return period type: quarterly, yearly), ``organisationUnitLevels`` and
``organisationUnits`` (the office's units, or one unit's, with the units above them up to the top, so that
the hierarchy is whole).

Identifiers. DHIS2's stored expressions (indicator numerators, validation rule sides) name data elements by
their UID, ``#{fbfJHSPpUQD}``; a metadata import does not turn codes inside an expression into UIDs. So every
object gets an ``id``: the instance's UID where a mapping file names one, else a UID derived from its ParApp
code (a SHA-256 of kind and code, so the same code always gets the same UID, on every office's machine), and
each object keeps its ParApp ``code``, which data exchanged with idScheme=CODE matches on.

The same catalogue, units and mapping give the same bytes: objects are sorted, no time is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from parapp.domain.catalogue import LEVEL_NAMES, Catalogue, Element, Indicator, Rule
from parapp.domain.expressions import Expression
from parapp.domain.periods import FIRST_YEAR
from parapp.exchange.dhis2.mapping import Mapping, data_set_code
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError, Text, nfc
from parapp.store import units as unit_store
from parapp.store.units import FOREVER, Unit

SHORT_NAME_MAX = 50
NAME_MAX = 230

# ParApp's element period types and period kinds -> DHIS2's period type names.
ELEMENT_PERIOD_TYPES = {"quarter": "Quarterly", "year": "Yearly"}
KIND_PERIOD_TYPES = {"Y": "Yearly", "S": "SixMonthly", "Q": "Quarterly", "M": "Monthly"}

# DHIS2's validation rule operators, as its Web API spells them.
OPERATORS = {"==": "equal_to", "!=": "not_equal_to", "<": "less_than", "<=": "less_than_or_equal_to",
             ">": "greater_than", ">=": "greater_than_or_equal_to"}

# An organisation unit must be open for every period data comes for: a unit ParApp holds for all time opens on
# the first day of the first year ParApp knows.
OPENING_DATE = f"{FIRST_YEAR}-01-01"

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALPHANUMERIC = _LETTERS + "0123456789"

_DATA_SET_NAMES = {
    "Quarterly": Text("ParApp – Báo cáo quý", "ParApp – Quarterly return"),
    "Yearly": Text("ParApp – Báo cáo năm", "ParApp – Yearly return"),
    "SixMonthly": Text("ParApp – Báo cáo 6 tháng", "ParApp – Half-year return"),
    "Monthly": Text("ParApp – Báo cáo tháng", "ParApp – Monthly return"),
}
_PERCENTAGE = ("PARAPP_PERCENTAGE", Text("Phần trăm", "Percentage"), 100, False)
_NUMBER = ("PARAPP_NUMBER", Text("Số", "Number"), 1, True)


def uid_for(kind: str, code: str) -> str:
    """A DHIS2 UID (11 characters, a letter first) that a ParApp code always gets, for one kind of object."""
    digest = hashlib.sha256(f"parapp\0{kind}\0{code}".encode()).digest()
    return _LETTERS[digest[0] % len(_LETTERS)] + "".join(_ALPHANUMERIC[b % len(_ALPHANUMERIC)] for b in digest[1:11])


def value_type(element: Element) -> str:
    """DHIS2's value type for an element: whole counts, ranks (1 = best), percentages, amounts."""
    return {"count": "INTEGER_ZERO_OR_POSITIVE", "rank": "INTEGER_POSITIVE", "percent": "PERCENTAGE",
            "amount": "NUMBER"}[element.type]


def aggregation_type(element: Element) -> str:
    """How DHIS2 should aggregate an element over time and the hierarchy, as ParApp's roll-up does: flows sum;
    an opening stock takes the first period's value and a closing stock the last (both summed over units);
    a measured percentage is averaged; a rank is never aggregated."""
    if element.type == "rank":
        return "NONE"
    if element.type == "percent" or element.time == "mean":
        return "AVERAGE"
    return {"flow": "SUM", "opening": "FIRST", "closing": "LAST"}[element.time]


def dhis2_expression(expr: Expression, element_id) -> str:
    """The expression in DHIS2's syntax: each element as #{UID}, prev(x) as a period offset of -1 on every data
    item inside it (the shift is the same for each item, so the value is the same)."""
    out: list[str] = []
    text = expr.text
    i, n, depth_prev = 0, len(text), []  # depth_prev: the bracket depths at which a prev( opened
    depth = 0
    while i < n:
        c = text[i]
        if c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            name = text[i:j]
            k = j
            while k < n and text[k].isspace():
                k += 1
            if name == "prev" and k < n and text[k] == "(":
                depth_prev.append(depth)
                depth += 1
                out.append("(")
                i = k + 1
                continue
            item = "#{" + element_id(name) + "}"
            if depth_prev:
                item += ".periodOffset(-1)"
            out.append(item)
            i = j
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth_prev and depth_prev[-1] == depth:
                depth_prev.pop()
        if not c.isspace():
            out.append(c)
        elif out and out[-1] != " ":
            out.append(" ")
        i += 1
    return "".join(out).strip()


def short_name(name: str, code: str, taken: set[str]) -> str:
    """The name cut to DHIS2's 50 characters (with …), made unique among taken by the code where needed."""
    name = nfc(name)
    short = name if len(name) <= SHORT_NAME_MAX else name[:SHORT_NAME_MAX - 1].rstrip() + "…"
    if short in taken:
        tail = f" ({code})"
        short = name[:SHORT_NAME_MAX - len(tail) - 1].rstrip() + "…" + tail
        if len(name) + len(tail) <= SHORT_NAME_MAX:
            short = name + tail
    taken.add(short)
    return short


def _translations(text: Text, short: str | None = None) -> list[dict]:
    out = [{"locale": "en", "property": "NAME", "value": text.en}]
    if short is not None:
        out.append({"locale": "en", "property": "SHORT_NAME", "value": text.en[:SHORT_NAME_MAX]})
    return out


@dataclass
class Package:
    """The metadata package and what it left out (rules DHIS2 cannot state)."""

    doc: dict
    skipped_rules: list[Rule]

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.doc.items() if isinstance(v, list)}


class _Ids:
    def __init__(self, mapping: Mapping):
        self.mapping = mapping

    def element(self, code: str) -> str:
        return self.mapping.data_elements.get(code) or uid_for("dataElement", code)

    def unit(self, code: str) -> str:
        return self.mapping.org_units.get(code) or uid_for("organisationUnit", code)

    def data_set(self, period_type: str) -> str:
        return self.mapping.data_sets.get(period_type) or uid_for("dataSet", data_set_code(period_type))


def _data_elements(catalogue: Catalogue, ids: _Ids) -> list[dict]:
    out, taken = [], set()
    for e in sorted(catalogue.elements.values(), key=lambda e: e.code):
        short = short_name(e.name.vi, e.code, taken)
        d = {"id": ids.element(e.code), "code": e.code, "name": nfc(e.name.vi)[:NAME_MAX], "shortName": short,
             "formName": nfc(e.name.vi)[:NAME_MAX], "domainType": "AGGREGATE", "valueType": value_type(e),
             "aggregationType": aggregation_type(e), "zeroIsSignificant": True}
        if e.unit is not None and e.unit.vi:
            d["description"] = f"{nfc(e.name.vi)} ({nfc(e.unit.vi)})"
        d["translations"] = _translations(e.name, short)
        out.append(d)
    return out


def _indicator(ind: Indicator, ids: _Ids, taken: set[str]) -> dict:
    ratio = ind.kind == "ratio" and ind.denominator is not None
    kind = _PERCENTAGE if ratio else _NUMBER
    short = short_name(ind.name.vi, ind.code, taken)
    d = {"id": uid_for("indicator", ind.code), "code": ind.code, "name": nfc(ind.name.vi)[:NAME_MAX],
         "shortName": short, "indicatorType": {"id": uid_for("indicatorType", kind[0])},
         "numerator": dhis2_expression(ind.numerator, ids.element), "numeratorDescription": ind.numerator.text,
         "denominator": dhis2_expression(ind.denominator, ids.element) if ratio else "1",
         "denominatorDescription": ind.denominator.text if ratio else "1",
         "decimals": ind.decimals, "annualized": False}
    if ind.kind == "change":
        # DHIS2 has no change against a baseline year: the indicator is the value; the target compares it.
        d["description"] = "Giá trị được so sánh với năm gốc theo chỉ tiêu của nghị quyết."
    d["translations"] = _translations(ind.name, short)
    return d


def _rule_period_type(rule: Rule, catalogue: Catalogue) -> str:
    kinds = {catalogue.elements[e].period_type for e in rule.elements if e in catalogue.elements}
    return "Yearly" if kinds == {"year"} else "Quarterly"


def _validation_rules(catalogue: Catalogue, ids: _Ids) -> tuple[list[dict], list[Rule]]:
    out, skipped = [], []
    for rule in sorted(catalogue.rules, key=lambda r: r.code):
        if rule.left.uses_prev or rule.right.uses_prev:
            skipped.append(rule)  # DHIS2's validation rules compare values of one period only
            continue
        # ParApp judges a rule once any of its elements has a value, a missing one counting as 0. A comparison
        # that holds for 0 against 0 can be judged always; the others are skipped where nothing was entered.
        strategy = "NEVER_SKIP" if rule.op in ("==", "<=", ">=") else "SKIP_IF_ALL_VALUES_MISSING"
        name = nfc(rule.name.vi)
        out.append({
            "id": uid_for("validationRule", rule.code), "code": rule.code, "name": name[:NAME_MAX],
            "instruction": name, "importance": "HIGH" if rule.severity == "error" else "MEDIUM",
            "periodType": _rule_period_type(rule, catalogue), "operator": OPERATORS[rule.op],
            "leftSide": {"expression": dhis2_expression(rule.left, ids.element), "description": rule.left.text,
                         "missingValueStrategy": strategy},
            "rightSide": {"expression": dhis2_expression(rule.right, ids.element), "description": rule.right.text,
                          "missingValueStrategy": strategy},
            "translations": [{"locale": "en", "property": "NAME", "value": rule.name.en[:NAME_MAX]},
                             {"locale": "en", "property": "INSTRUCTION", "value": rule.name.en}],
        })
    return out, skipped


def export_units(office, unit_code: str | None = None) -> list[Unit]:
    """The units of the package: the unit (default: the office's, with the old units it was made of), every
    unit below, and every unit above them, parents before children."""
    store = office.store
    roots = [unit_store.get_unit(store, unit_code).code] if unit_code else office.area_roots()
    found: dict[str, Unit] = {}
    for root in roots:
        for u in unit_store.ancestors(store, root):
            found.setdefault(u.code, u)
        for u in unit_store.subtree(store, root, include_retired=True):
            found.setdefault(u.code, u)
    depth: dict[str, int] = {}

    def level(u: Unit) -> int:
        if u.code not in depth:
            depth[u.code] = 1 if u.parent is None or u.parent not in found else level(found[u.parent]) + 1
        return depth[u.code]

    return sorted(found.values(), key=lambda u: (level(u), u.code))


def _closed_date(store, u: Unit) -> str | None:
    if u.valid_to != FOREVER:
        return u.valid_to
    if not u.active:
        row = store.conn.execute("SELECT retired_at FROM units WHERE code = ?", (u.code,)).fetchone()
        if row and row[0]:
            return str(row[0])[:10]
    return None


def _org_units(office, units: list[Unit], ids: _Ids) -> tuple[list[dict], list[dict], dict[str, int]]:
    codes = {u.code for u in units}
    levels: dict[str, int] = {}
    out = []
    for u in units:  # parents come first
        levels[u.code] = levels[u.parent] + 1 if u.parent in codes else 1
        name = nfc(u.name)
        d = {"id": ids.unit(u.code), "code": u.code, "name": name[:NAME_MAX], "shortName": name[:SHORT_NAME_MAX],
             "openingDate": u.valid_from if u.valid_from > OPENING_DATE else OPENING_DATE}
        closed = _closed_date(office.store, u)
        if closed:
            d["closedDate"] = closed
        if u.official_code != u.code:
            d["description"] = f"Mã chính thức {u.official_code}"
        if u.parent in codes:
            d["parent"] = {"id": ids.unit(u.parent)}
        out.append(d)
    # A DHIS2 level is a depth in the hierarchy; its name says which ParApp levels sit there (after the 2025
    # reorganisation the new communes sit where the old districts did).
    at: dict[int, list[str]] = {}
    order = {code: i for i, code in enumerate(("country", "province", "district", "commune"))}
    for u in units:
        names = at.setdefault(levels[u.code], [])
        if u.level not in names:
            names.append(u.level)
    level_docs = []
    for n in sorted(at):
        names = sorted(at[n], key=lambda lv: (order.get(lv, 99), lv))
        vi = " / ".join(LEVEL_NAMES[lv].vi if lv in LEVEL_NAMES else _level_name(office, lv).vi for lv in names)
        en = " / ".join(LEVEL_NAMES[lv].en if lv in LEVEL_NAMES else _level_name(office, lv).en for lv in names)
        level_docs.append({"id": uid_for("organisationUnitLevel", str(n)), "code": f"PARAPP_LEVEL_{n}",
                           "name": nfc(vi), "level": n,
                           "translations": [{"locale": "en", "property": "NAME", "value": en}]})
    return out, level_docs, levels


def _level_name(office, level: str) -> Text:
    row = office.store.conn.execute("SELECT name_vi, name_en FROM levels WHERE code = ?", (level,)).fetchone()
    return Text(row[0] or level, row[1] or level) if row else Text(level, level)


def _data_sets(catalogue: Catalogue, units: list[Unit], ids: _Ids) -> list[dict]:
    out = []
    for ptype_key, ptype in ELEMENT_PERIOD_TYPES.items():
        elements = sorted((e for e in catalogue.elements.values() if e.period_type == ptype_key), key=lambda e: e.code)
        if not elements:
            continue
        levels = set().union(*(e.levels for e in elements))
        name = _DATA_SET_NAMES[ptype]
        ds_id = ids.data_set(ptype)
        out.append({
            "id": ds_id, "code": data_set_code(ptype), "name": name.vi, "shortName": name.vi[:SHORT_NAME_MAX],
            "periodType": ptype, "openFuturePeriods": 0, "expiryDays": 0,
            "dataSetElements": [{"dataElement": {"id": ids.element(e.code)}, "dataSet": {"id": ds_id}}
                                for e in elements],
            "organisationUnits": [{"id": ids.unit(u.code)} for u in sorted(units, key=lambda u: u.code)
                                  if u.level in levels],
            "translations": [{"locale": "en", "property": "NAME", "value": name.en}],
        })
    return out


def build(office, unit_code: str | None = None, mapping: Mapping | None = None) -> Package:
    """The metadata package of the office's catalogue and of its units (or one unit's and those below it)."""
    catalogue: Catalogue = office.catalogue
    ids = _Ids(mapping or Mapping())
    units = export_units(office, unit_code)
    indicators, taken = [], set()
    for ind in sorted(catalogue.indicators.values(), key=lambda i: i.code):
        indicators.append(_indicator(ind, ids, taken))
    rules, skipped = _validation_rules(catalogue, ids)
    org_units, levels, _depths = _org_units(office, units, ids)
    types = []
    for code, name, factor, number in (_PERCENTAGE, _NUMBER):
        types.append({"id": uid_for("indicatorType", code), "code": code, "name": name.vi, "factor": factor,
                      "number": number, "translations": [{"locale": "en", "property": "NAME", "value": name.en}]})
    doc = {
        "dataElements": _data_elements(catalogue, ids),
        "indicatorTypes": types,
        "indicators": indicators,
        "validationRules": rules,
        "dataSets": _data_sets(catalogue, units, ids),
        "organisationUnitLevels": levels,
        "organisationUnits": org_units,
    }
    _check_unique(doc)
    return Package(doc, skipped)


def _check_unique(doc: dict) -> None:
    """Two objects with one UID would make DHIS2 merge them: refuse (a mapping file giving an instance's UID
    that ParApp also derived for another object, say)."""
    seen: dict[str, str] = {}
    for kind, items in doc.items():
        for item in items:
            other = seen.get(item["id"])
            if other is not None:
                raise ParAppError(
                    f"Định danh DHIS2 {item['id']} được gán cho hai đối tượng ({other} và {kind} {item['code']}); "
                    "hãy sửa tệp ánh xạ.",
                    f"The DHIS2 id {item['id']} is given to two objects ({other} and {kind} {item['code']}); "
                    "correct the mapping file.")
            seen[item["id"]] = f"{kind} {item['code']}"


def to_bytes(package: Package) -> bytes:
    return (json.dumps(package.doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(office, out: Path, unit_code: str | None = None, mapping: Mapping | None = None) -> Package:
    """Build the package and write it to out (a temporary name, then renamed)."""
    out = Path(out)
    if out.is_dir():
        raise ParAppError(f"{out} là một thư mục; hãy cho tên tệp .json để ghi.",
                          f"{out} is a folder; give the name of the .json file to write.")
    package = build(office, unit_code, mapping)
    data = to_bytes(package)
    write_atomically(out, lambda tmp: tmp.write_bytes(data))
    return package

