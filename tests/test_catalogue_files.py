"""The shipped catalogue and target-set files parse and hang together (tomllib only, no ParApp code).

Schema: docs/catalogue-format.md. Domain: the catalogue page (32 numbered indicators, the dossier return,
its validation rules and the three target sets).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
CATALOGUE = RESOURCES / "catalogue" / "catalogue.toml"
TARGET_SETS = {
    "ha_tinh_2022_2025": ("42", [2022, 2025]),
    "soc_trang_2021_2030": ("94", [2021, 2030]),
    "nghe_an_2021": ("40", [2021, 2021]),
}

CODE = re.compile(r"[a-z][a-z0-9_]*")
NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*")  # \b: the "e5" in 1e5 is not a name
FUNCTIONS = {"prev"}
LEVELS = {"province", "district", "commune"}
OPS = {"==", "!=", "<", "<=", ">", ">="}
TARGET_OPS = {">=", ">", "<=", "<", "=="}

DOSSIER_RETURN = {
    "carried_over": "opening",
    "received_new": "flow",
    "received_online": "flow",
    "resolved_early": "flow",
    "resolved_on_time": "flow",
    "resolved_late": "flow",
    "pending_in_time": "closing",
    "pending_overdue": "closing",
    "late_apologised": "flow",
}
# The catalogue page's 32 numbered indicators, in its order.
NUMBERED_INDICATORS = [
    "ontime_rate",
    "apology_rate",
    "backlog",
    "online_rate",
    "dvc_level34_rate",
    "portal_integration_rate",
    "online_payment_procedures_rate",
    "online_payment_transactions_rate",
    "digitised_results_rate",
    "e_transfer_rate",
    "e_workfile_rate",
    "digital_inspection_rate",
    "no_resubmission_rate",
    "internal_procedures_rate",
    "satisfaction_tthc",
    "satisfaction_land",
    "satisfaction_health_education",
    "sipas_satisfaction",
    "commune_officials_standard_rate",
    "officials_trained_rate",
    "self_financing_units_rate",
    "public_service_staff",
    "budget_support",
    "bank_account_rate",
    "iso_9001_rate",
    "new_enterprises",
    "operating_enterprises",
    "par_index_rank",
    "sipas_rank",
    "papi_rank",
    "pci_rank",
    "dti_rank",
]
# resolution_rate comes from the dossier return too, but has no numbered row of its own.
EXTRA_INDICATORS = ["resolution_rate"]


def _load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return _load(CATALOGUE)


@pytest.fixture(scope="module")
def target_sets() -> dict[str, dict]:
    return {name: _load(RESOURCES / "target_sets" / f"{name}.toml") for name in TARGET_SETS}


def names_in(expression: str) -> set[str]:
    """The element codes an expression refers to: every identifier except the functions."""
    return set(NAME.findall(expression)) - FUNCTIONS


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _elements(catalogue):
    return {e["code"]: e for e in catalogue["elements"]}


def _indicators(catalogue):
    return {i["code"]: i for i in catalogue["indicators"]}


def test_all_four_files_parse(catalogue, target_sets):
    assert catalogue["version"] == "2025.1"
    for name, (province, years) in TARGET_SETS.items():
        ts = target_sets[name]
        assert ts["id"] == name
        assert ts["province"] == province
        assert ts["years"] == years
        assert ts.get("catalogue", "2025.1") == catalogue["version"]
        assert ts["targets"], name


def test_codes_are_unique_and_well_formed(catalogue):
    codes = [g["code"] for g in catalogue["groups"]]
    assert len(codes) == len(set(codes))
    everything = [x["code"] for kind in ("elements", "indicators", "rules") for x in catalogue[kind]]
    for code in codes + everything:
        assert CODE.fullmatch(code), code
    duplicates = {c for c in everything if everything.count(c) > 1}
    assert not duplicates


def test_groups_are_known(catalogue):
    groups = {g["code"] for g in catalogue["groups"]}
    for kind in ("elements", "indicators"):
        for x in catalogue[kind]:
            assert x["group"] in groups, x["code"]


def test_elements(catalogue):
    elements = _elements(catalogue)
    for e in elements.values():
        assert e["type"] in {"count", "percent", "rank", "amount"}, e["code"]
        assert e["time"] in {"flow", "opening", "closing", "mean"}, e["code"]
        assert e["period_type"] in {"quarter", "year"}, e["code"]
        assert (e["time"] == "mean") == (e["type"] == "percent"), e["code"]
        if "weight" in e:
            assert e["type"] == "percent", e["code"]
            weight = elements[e["weight"]]
            assert weight["type"] == "count" and set(e["levels"]) <= set(weight["levels"]), e["code"]
        if e["type"] == "rank":
            assert e["levels"] == ["province"] and e["period_type"] == "year" and e["time"] == "closing"


def test_dossier_return(catalogue):
    dossier = {e["code"]: e for e in catalogue["elements"] if e["group"] == "dossiers"}
    assert set(dossier) == set(DOSSIER_RETURN)
    for code, time in DOSSIER_RETURN.items():
        e = dossier[code]
        assert e["type"] == "count"
        assert e["levels"] == ["province", "district", "commune"]
        assert e["time"] == time, code
        assert e["period_type"] == "quarter"


def test_expressions_reference_known_elements(catalogue):
    elements = _elements(catalogue)
    for i in catalogue["indicators"]:
        for field in ("numerator", "denominator"):
            if field in i:
                unknown = names_in(i[field]) - set(elements)
                assert not unknown, (i["code"], field, unknown)
                assert names_in(i[field]), (i["code"], field)
    for r in catalogue["rules"]:
        for field in ("left", "right"):
            unknown = names_in(r[field]) - set(elements)
            assert not unknown, (r["code"], field, unknown)


def test_name_extractor():
    assert names_in("prev(pending_in_time + pending_overdue)") == {"pending_in_time", "pending_overdue"}
    assert names_in("(a_1 + b) / 2.5 * c - 1e3") == {"a_1", "b", "c"}


def test_indicators(catalogue):
    elements = _elements(catalogue)
    indicators = _indicators(catalogue)
    assert len(catalogue["indicators"]) == 33  # the 32 numbered ones and resolution_rate
    assert list(indicators) == NUMBERED_INDICATORS[:4] + EXTRA_INDICATORS + NUMBERED_INDICATORS[4:]
    for i in indicators.values():
        assert i["kind"] in {"ratio", "percent", "count", "rank", "change"}, i["code"]
        assert i["better"] in {"higher", "lower"}
        assert ("denominator" in i) == (i["kind"] == "ratio"), i["code"]
        used = names_in(i["numerator"]) | names_in(i.get("denominator", ""))
        for code in used:
            assert set(i["levels"]) <= set(elements[code]["levels"]), (i["code"], code)
        if i["kind"] in {"percent", "rank", "change"}:
            (element,) = names_in(i["numerator"])
            expected = {"percent": {"percent"}, "rank": {"rank"}, "change": {"count", "amount"}}[i["kind"]]
            assert elements[element]["type"] in expected, i["code"]
        if i["kind"] == "ratio":
            assert all(elements[c]["type"] == "count" for c in used), i["code"]
        if i["kind"] == "rank":
            assert i["levels"] == ["province"] and i["better"] == "lower"


def test_dossier_indicators(catalogue):
    ind = _indicators(catalogue)
    resolved = {"resolved_early", "resolved_on_time", "resolved_late"}
    assert names_in(ind["ontime_rate"]["numerator"]) == {"resolved_early", "resolved_on_time"}
    assert names_in(ind["ontime_rate"]["denominator"]) == resolved
    assert names_in(ind["online_rate"]["numerator"]) == {"received_online"}
    assert names_in(ind["online_rate"]["denominator"]) == {"received_new"}
    assert names_in(ind["apology_rate"]["numerator"]) == {"late_apologised"}
    assert names_in(ind["apology_rate"]["denominator"]) == {"resolved_late", "pending_overdue"}
    assert names_in(ind["resolution_rate"]["numerator"]) == resolved
    assert names_in(ind["resolution_rate"]["denominator"]) == {"carried_over", "received_new"}
    backlog = ind["backlog"]
    assert (backlog["kind"], backlog["numerator"].strip(), backlog["better"]) == (
        "count",
        "pending_overdue",
        "lower",
    )


def test_rules(catalogue):
    rules = {r["code"]: r for r in catalogue["rules"]}
    for r in rules.values():
        assert r["op"] in OPS and r["severity"] in {"error", "warning"}, r["code"]
        assert r["name_vi"].strip() and r["name_en"].strip()
    assert rules["balance"]["op"] == "=="
    assert rules["online_le_received"]["op"] == "<="
    assert rules["apologised_le_late"]["op"] == "<="
    for code in ("balance", "online_le_received", "apologised_le_late"):
        assert rules[code]["severity"] == "error"
    carry = rules["carry_over_matches_previous"]
    assert carry["severity"] == "warning" and "prev(" in carry["right"]
    # every ratio outside the dossier return: numerator <= denominator, an error
    for i in catalogue["indicators"]:
        if i["kind"] == "ratio" and i["group"] != "dossiers":
            r = rules[f"{i['code']}_num_le_den"]
            assert (r["left"], r["op"], r["right"], r["severity"]) == (
                i["numerator"],
                "<=",
                i["denominator"],
                "error",
            )


def test_levels_are_known(catalogue, target_sets):
    for kind in ("elements", "indicators"):
        for x in catalogue[kind]:
            assert x["levels"] and set(x["levels"]) <= LEVELS, x["code"]
    for ts in target_sets.values():
        for t in ts["targets"]:
            assert set(t.get("levels", LEVELS)) <= LEVELS, t


def test_targets(catalogue, target_sets):
    indicators = _indicators(catalogue)
    for name, ts in target_sets.items():
        first, last = ts["years"]
        for t in ts["targets"]:
            where = (name, t.get("indicator"), t.get("years"))
            assert t["indicator"] in indicators, where
            assert t["source"].strip(), where
            ind = indicators[t["indicator"]]
            assert set(t.get("levels", ind["levels"])) <= set(ind["levels"]), where
            y0, y1 = t.get("years", ts["years"])
            assert first <= y0 <= y1 <= last, where
            kind = t["type"]
            if kind in {"threshold", "change", "rank"}:
                assert t["op"] in TARGET_OPS, where
                assert isinstance(t["value"], int | float), where
            if kind == "increment":
                assert t["step"] > 0 and t["cap"] > 0, where
                assert ("base_year" in t) == ("base" in t), where
            elif kind == "change":
                assert ind["kind"] == "change", where
                assert isinstance(t["baseline"], str | list), where
            elif kind in {"rank", "improve"}:
                assert ind["kind"] == "rank", where
                if kind == "improve":
                    assert t["value"] >= 0, where
            else:
                assert kind == "threshold", where


def test_vietnamese_text_is_nfc(catalogue, target_sets):
    for doc in [catalogue, *target_sets.values()]:
        for s in _strings(doc):
            assert unicodedata.is_normalized("NFC", s), s
    # and the files themselves, comments included
    for path in [CATALOGUE, *(RESOURCES / "target_sets" / f"{n}.toml" for n in TARGET_SETS)]:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


def test_nghe_an_online_rate(target_sets):
    ts = target_sets["nghe_an_2021"]
    hits = [
        t
        for t in ts["targets"]
        if t["indicator"] == "online_rate"
        and t["type"] == "threshold"
        and t["op"] == ">="
        and t["value"] == 15
        and t.get("years", ts["years"])[0] <= 2021 <= t.get("years", ts["years"])[1]
    ]
    assert len(hits) == 1
