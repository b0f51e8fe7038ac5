"""DHIS2 out: the metadata package (parapp.exchange.dhis2.metadata) and the data export (datavalues), checked
against the structure DHIS2 publishes for them and against what the database holds."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from parapp.domain.periods import Period
from parapp.engine.demo import make_demo
from parapp.engine.office import Office
from parapp.exchange.dhis2 import datavalues, metadata
from parapp.exchange.dhis2.mapping import is_uid, load_mapping
from parapp.i18n import ParAppError

DISTRICT = "436"  # Thành phố Hà Tĩnh in the three-tier demo
PERIODS = [Period.parse("2025Q2"), Period.parse("2025")]
ADX = "{urn:ihe:qrph:adx:2015}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("dhis2") / "demo.db"
    make_demo(path)
    office = Office.open(path)
    yield office
    office.close()


def _subtree(office, unit: str) -> list[str]:
    return [r[0] for r in office.store.conn.execute("SELECT unit FROM unit_tree WHERE ancestor = ?", (unit,))]


def _db_counts(office, units: list[str], periods: list[Period]) -> tuple[int, int, set[tuple[str, str]]]:
    u, p = ", ".join("?" * len(units)), ", ".join("?" * len(periods))
    ids = [x.id for x in periods]
    values, comments = office.store.conn.execute(
        f"SELECT count(*), count(comment) FROM data_values WHERE unit IN ({u}) AND period IN ({p})",
        (*units, *ids)).fetchone()
    approved = set(tuple(r) for r in office.store.conn.execute(
        f"SELECT unit, period FROM statuses WHERE status = 'approved' AND unit IN ({u}) AND period IN ({p})",
        (*units, *ids)).fetchall())
    return values, comments, approved


def _refs(expression: str) -> set[str]:
    return {m.split(".")[0] for m in re.findall(r"#\{([^}]*)\}", expression)}


# ------------------------------------------------------------------------------------------- metadata


def test_metadata_holds_together(demo):
    doc = metadata.build(demo).doc
    elements = {d["id"]: d for d in doc["dataElements"]}
    assert len(elements) == len(demo.catalogue.elements) == len({d["code"] for d in doc["dataElements"]})
    assert {d["code"] for d in doc["dataElements"]} == set(demo.catalogue.elements)
    # every data element of a data set exists; one data set per period type of the return
    assert sorted(ds["periodType"] for ds in doc["dataSets"]) == ["Quarterly", "Yearly"]
    units = {d["id"]: d for d in doc["organisationUnits"]}
    for ds in doc["dataSets"]:
        assert ds["dataSetElements"] and all(x["dataElement"]["id"] in elements for x in ds["dataSetElements"])
        assert all(x["id"] in units for x in ds["organisationUnits"])
    quarterly = next(ds for ds in doc["dataSets"] if ds["periodType"] == "Quarterly")
    assert {elements[x["dataElement"]["id"]]["code"] for x in quarterly["dataSetElements"]} >= {
        "received_new", "resolved_on_time", "pending_overdue"}
    # every indicator's #{…} names an exported element, and only ratios are percentages
    types = {t["id"]: t for t in doc["indicatorTypes"]}
    for ind in doc["indicators"]:
        refs = _refs(ind["numerator"]) | _refs(ind["denominator"])
        assert refs and refs <= set(elements), ind["code"]
        assert types[ind["indicatorType"]["id"]]["factor"] == (100 if demo.catalogue.indicators[ind["code"]].kind
                                                               == "ratio" else 1)
    ontime = next(i for i in doc["indicators"] if i["code"] == "ontime_rate")
    code_of = {d["id"]: d["code"] for d in doc["dataElements"]}
    assert sorted(code_of[r] for r in _refs(ontime["denominator"])) == ["resolved_early", "resolved_late",
                                                                        "resolved_on_time"]
    for rule in doc["validationRules"]:
        assert rule["operator"] in ("equal_to", "not_equal_to", "less_than", "less_than_or_equal_to",
                                    "greater_than", "greater_than_or_equal_to")
        assert _refs(rule["leftSide"]["expression"]) | _refs(rule["rightSide"]["expression"]) <= set(elements)
        assert rule["importance"] in ("HIGH", "MEDIUM") and rule["periodType"] in ("Quarterly", "Yearly")
    balance = next(r for r in doc["validationRules"] if r["code"] == "balance")
    assert balance["operator"] == "equal_to" and balance["importance"] == "HIGH"
    # the rule against the previous period has no DHIS2 counterpart and is said to be left out
    assert "carry_over_matches_previous" not in {r["code"] for r in doc["validationRules"]}
    # parents exist, codes are unique, every id is a DHIS2 UID and used once
    for u in doc["organisationUnits"]:
        assert "parent" not in u or u["parent"]["id"] in units
        assert u["openingDate"] <= "2022-01-01" and len(u["shortName"]) <= 50
    assert len({u["code"] for u in doc["organisationUnits"]}) == len(doc["organisationUnits"])
    assert len(doc["organisationUnits"]) == demo.store.conn.execute("SELECT count(*) FROM units").fetchone()[0]
    ids = [x["id"] for items in doc.values() for x in items]
    assert len(ids) == len(set(ids)) and all(is_uid(i) for i in ids)
    assert [lv["level"] for lv in doc["organisationUnitLevels"]] == [1, 2, 3]
    assert [lv["name"] for lv in doc["organisationUnitLevels"]] == ["Tỉnh", "Huyện", "Xã"]


def test_metadata_types_and_names(demo):
    doc = metadata.build(demo).doc
    by_code = {d["code"]: d for d in doc["dataElements"]}
    assert by_code["received_new"]["valueType"] == "INTEGER_ZERO_OR_POSITIVE"
    assert by_code["received_new"]["aggregationType"] == "SUM"
    assert by_code["carried_over"]["aggregationType"] == "FIRST"  # opening stock
    assert by_code["pending_overdue"]["aggregationType"] == "LAST"  # closing stock
    assert by_code["satisfaction_tthc_pct"]["valueType"] == "PERCENTAGE"
    assert by_code["satisfaction_tthc_pct"]["aggregationType"] == "AVERAGE"
    assert by_code["rank_pci"]["aggregationType"] == "NONE"
    assert all(d["domainType"] == "AGGREGATE" and d["zeroIsSignificant"] for d in doc["dataElements"])
    assert by_code["received_new"]["name"] == "Số hồ sơ mới tiếp nhận trong kỳ"
    shorts = [d["shortName"] for d in doc["dataElements"]]
    assert all(len(s) <= 50 for s in shorts) and len(set(shorts)) == len(shorts)
    names = [x.get("name", "") for items in doc.values() for x in items] + shorts
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    hanoi = next(u for u in doc["organisationUnits"] if u["code"] == DISTRICT)
    assert hanoi["name"] == "Thành phố Hà Tĩnh"


def test_metadata_deterministic_and_cli(demo, tmp_path, cli):
    a, b = metadata.to_bytes(metadata.build(demo)), metadata.to_bytes(metadata.build(demo))
    assert a == b
    out = tmp_path / "meta.json"
    code, text, _ = cli("--lang", "en", "dhis2", "metadata", "--db", demo.store.path, "--unit", DISTRICT,
                        "--out", out)
    assert code == 0 and "organisation units" in text and str(out) in text
    doc = json.loads(out.read_bytes())
    codes = [u["code"] for u in doc["organisationUnits"]]
    # the district, everything below it, and the province above it: nothing else
    assert set(codes) == set(_subtree(demo, DISTRICT)) | {"42"}
    assert out.read_bytes() == (cli("dhis2", "metadata", "--db", demo.store.path, "--unit", DISTRICT, "--out", out)
                                and out.read_bytes())


def test_mapping_changes_ids(demo, tmp_path):
    path = tmp_path / "map.toml"
    path.write_text('id_scheme = "CODE"\n[data_elements]\nresolved_late = "AbCdEfGhIj1"\n'
                    '[org_units]\n"436" = "DiszpKrYNg8"\n[data_sets]\nQuarterly = "BfMAe6Itzgt"\n', encoding="utf-8")
    doc = metadata.build(demo, mapping=load_mapping(path)).doc
    late = next(d for d in doc["dataElements"] if d["code"] == "resolved_late")
    assert late["id"] == "AbCdEfGhIj1"
    ontime = next(i for i in doc["indicators"] if i["code"] == "ontime_rate")
    assert "#{AbCdEfGhIj1}" in ontime["denominator"]
    district = next(u for u in doc["organisationUnits"] if u["code"] == DISTRICT)
    assert district["id"] == "DiszpKrYNg8"
    assert any(u.get("parent", {}).get("id") == "DiszpKrYNg8" for u in doc["organisationUnits"])
    assert next(ds for ds in doc["dataSets"] if ds["periodType"] == "Quarterly")["id"] == "BfMAe6Itzgt"


# ------------------------------------------------------------------------------------------- data out


def test_json_counts_comments_completions(demo, tmp_path):
    out = tmp_path / "values.json"
    s = datavalues.export(demo, DISTRICT, PERIODS, "json", out)
    values, comments, approved = _db_counts(demo, _subtree(demo, DISTRICT), PERIODS)
    doc = json.loads(out.read_bytes())
    assert (s.values, s.comments, s.completions) == (values, comments, len(approved))
    assert len(doc["dataValues"]) == values > 500
    assert sum("comment" in v for v in doc["dataValues"]) == comments > 0
    assert doc["dataElementIdScheme"] == doc["orgUnitIdScheme"] == "CODE"
    # a value with its comment, as it stands in the database
    row = next(v for v in doc["dataValues"] if "comment" in v)
    value, comment, by = demo.store.conn.execute(
        "SELECT value, comment, updated_by FROM value_details WHERE unit = ? AND period = ? AND element = ?",
        (row["orgUnit"], row["period"], row["dataElement"])).fetchone()
    assert float(row["value"]) == value and row["comment"] == comment and row["storedBy"] == by
    assert all(re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", v["value"]) for v in doc["dataValues"])
    regs = doc["completeDataSetRegistrations"]
    assert {(r["organisationUnit"], r["period"]) for r in regs} == approved
    assert all(r["completed"] is True and re.fullmatch(r"\d{4}-\d\d-\d\d", r["date"]) for r in regs)
    assert {r["dataSet"] for r in regs} <= {"PARAPP_QUARTERLY", "PARAPP_YEARLY"}
    assert all(r["dataSet"] == ("PARAPP_YEARLY" if r["period"] == "2025" else "PARAPP_QUARTERLY") for r in regs)
    # the in-memory payload for a push is the same JSON
    assert json.loads(datavalues.payload_json(demo, DISTRICT, PERIODS)) == doc


def test_completions_only_for_approved(demo, tmp_path):
    statuses = dict(((u, p), st) for u, p, st in demo.store.conn.execute(
        "SELECT unit, period, status FROM statuses WHERE period = '2025Q3'"))
    assert {"approved", "submitted"} <= set(statuses.values())  # the demo has both this quarter
    out = tmp_path / "q3.json"
    datavalues.export(demo, "42", [Period.parse("2025Q3")], "json", out)
    regs = json.loads(out.read_bytes())["completeDataSetRegistrations"]
    assert regs and all(statuses[(r["organisationUnit"], r["period"])] == "approved" for r in regs)
    assert len(regs) == sum(st == "approved" for st in statuses.values())


def test_csv_columns(demo, tmp_path):
    out = tmp_path / "values.csv"
    s = datavalues.export(demo, DISTRICT, PERIODS, "csv", out)
    values, comments, approved = _db_counts(demo, _subtree(demo, DISTRICT), PERIODS)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
                       "storedby", "lastupdated", "comment", "followup"]
    body = rows[1:]
    assert len(body) == s.values == values and all(len(r) == 10 for r in body)
    assert sum(1 for r in body if r[8]) == s.comments == comments
    assert {r[1] for r in body} == {"2025Q2", "2025"} and {r[2] for r in body} <= set(_subtree(demo, DISTRICT))
    assert all(r[0] in demo.catalogue.elements for r in body)
    stored = dict(((u, p, e), v) for u, p, e, v in demo.store.conn.execute(
        "SELECT unit, period, element, value FROM data_values WHERE period IN ('2025Q2', '2025')"))
    assert all(float(r[5]) == stored[(r[2], r[1], r[0])] for r in body)
    assert not any(r[5].endswith(".0") for r in body)  # whole numbers are written whole
    # CSV has no completions: they are counted as left out, not silently lost
    assert s.completions == 0 and s.completions_left_out == len(approved) > 0


def test_adx_structure(demo, tmp_path):
    out = tmp_path / "values.adx"
    s = datavalues.export(demo, DISTRICT, PERIODS, "adx", out)
    values, comments, approved = _db_counts(demo, _subtree(demo, DISTRICT), PERIODS)
    root = ET.parse(out).getroot()  # well-formed
    assert root.tag == ADX + "adx" and root.get("exported")
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith('<adx xmlns="urn:ihe:qrph:adx:2015"')
    groups = root.findall(ADX + "group")
    expected = {"2025-04-01/P3M": "2025Q2", "2025-01-01/P1Y": "2025"}
    seen = set()
    for g in groups:
        assert g.get("period") in expected
        period = Period.parse(expected[g.get("period")])
        start, duration = g.get("period").split("/")
        assert start == period.start.isoformat() and duration == {"Q": "P3M", "Y": "P1Y"}[period.kind]
        key = (g.get("orgUnit"), expected[g.get("period")])
        assert key not in seen
        seen.add(key)
        assert (g.get("completeDate") is not None) == (key in approved)
        assert g.get("dataSet") == ("PARAPP_YEARLY" if period.kind == "Y" else "PARAPP_QUARTERLY")
    dvs = root.findall(f"{ADX}group/{ADX}dataValue")
    assert len(dvs) == s.values == values
    notes = [dv.find(ADX + "annotation").text for dv in dvs if dv.find(ADX + "annotation") is not None]
    assert len(notes) == s.comments == comments > 0 and all(notes)
    assert s.completions == len(approved) == sum(g.get("completeDate") is not None for g in groups)
    assert Period.parse("2025S2").start.isoformat() + "/P6M" == datavalues.adx_period(Period.parse("2025S2"))
    assert datavalues.adx_period(Period.parse("202506")) == "2025-06-01/P1M"


def test_only_unit_and_cli_sentence(demo, tmp_path, cli):
    out = tmp_path / "own.json"
    code, text, err = cli("dhis2", "export", "--db", demo.store.path, "--unit", DISTRICT, "--period", "2025Q2",
                          "--format", "json", "--out", out, "--only-unit")
    values, comments, approved = _db_counts(demo, [DISTRICT], [Period.parse("2025Q2")])
    assert code == 0, err
    doc = json.loads(out.read_bytes())
    assert {v["orgUnit"] for v in doc["dataValues"]} == {DISTRICT} and len(doc["dataValues"]) == values
    assert f"{values} giá trị" in text and str(out) in text and "Thành phố Hà Tĩnh" in text
    code, text, _ = cli("--lang", "en", "dhis2", "export", "--db", demo.store.path, "--unit", DISTRICT,
                        "--period", "2025Q2", "--format", "csv", "--out", tmp_path / "all.csv")
    assert code == 0 and "values" in text and "completions" in text and "left out" in text


def test_bad_input_is_a_sentence(demo, tmp_path, cli):
    out = tmp_path / "x.json"
    code, _, err = cli("--lang", "en", "dhis2", "export", "--db", demo.store.path, "--unit", "99999",
                       "--period", "2025Q2", "--out", out)
    assert code == 1 and "99999" in err and not out.exists()
    code, _, err = cli("--lang", "en", "dhis2", "export", "--db", demo.store.path, "--unit", DISTRICT,
                       "--period", "2025Q9", "--out", out)
    assert code == 1 and "2025Q9" in err and not out.exists()
    code, _, err = cli("--lang", "en", "dhis2", "export", "--db", demo.store.path, "--unit", DISTRICT,
                       "--period", "2025Q2", "--out", tmp_path)
    assert code == 1 and "folder" in err
    with pytest.raises(ParAppError, match="format"):
        datavalues.export(demo, DISTRICT, PERIODS, "xml", out)
    with pytest.raises(ParAppError):
        datavalues.export(demo, DISTRICT, [], "json", out)
    assert not out.exists()


def test_cancel_leaves_no_file(demo, tmp_path):
    out = tmp_path / "big.csv"
    seen = []
    with pytest.raises(datavalues.Cancelled):
        datavalues.export(demo, "42", PERIODS, "csv", out, progress=lambda done, total: seen.append(done) or False)
    assert seen == [0] and not out.exists() and list(tmp_path.iterdir()) == []
    ticks = []
    s = datavalues.export(demo, "42", PERIODS, "csv", out, progress=lambda d, t: ticks.append((d, t)))
    assert ticks[-1] == (s.values, s.values) and ticks[0] == (0, s.values)


def _uid_mapping(demo, tmp_path, skip_element: str | None = None):
    units = _subtree(demo, DISTRICT)
    lines = ['id_scheme = "UID"', "[data_elements]"]
    lines += [f'{code} = "{metadata.uid_for("x", code)}"' for code in demo.catalogue.elements if code != skip_element]
    lines += ["[org_units]"] + [f'"{u}" = "{metadata.uid_for("y", u)}"' for u in units]
    lines += ["[data_sets]", 'Quarterly = "BfMAe6Itzgt"', 'Yearly = "QX4ZTUbOt3a"']
    path = tmp_path / "uid.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_mapping(path)


def test_uid_mapping_rewrites_every_id(demo, tmp_path):
    mapping = _uid_mapping(demo, tmp_path)
    out = tmp_path / "uid.json"
    s = datavalues.export(demo, DISTRICT, PERIODS, "json", out, mapping=mapping)
    doc = json.loads(out.read_bytes())
    assert doc["dataElementIdScheme"] == "UID" and s.values == len(doc["dataValues"]) > 0
    assert all(is_uid(v["dataElement"]) and is_uid(v["orgUnit"]) for v in doc["dataValues"])
    assert doc["dataValues"][0]["dataElement"] in mapping.data_elements.values()
    assert {r["dataSet"] for r in doc["completeDataSetRegistrations"]} <= {"BfMAe6Itzgt", "QX4ZTUbOt3a"}
    adx = tmp_path / "uid.adx"
    datavalues.export(demo, DISTRICT, PERIODS, "adx", adx, mapping=mapping)
    groups = ET.parse(adx).getroot().findall(ADX + "group")
    assert all(g.get("orgUnit") in mapping.org_units.values() for g in groups)


def test_unmapped_element_under_uid_is_refused(demo, tmp_path):
    mapping = _uid_mapping(demo, tmp_path, skip_element="received_online")
    out = tmp_path / "refused.csv"
    with pytest.raises(ParAppError) as info:
        datavalues.export(demo, DISTRICT, PERIODS, "csv", out, mapping=mapping)
    assert "received_online" in info.value.message("en")
    assert demo.catalogue.elements["received_online"].name.vi in info.value.message("vi")
    assert not out.exists()
