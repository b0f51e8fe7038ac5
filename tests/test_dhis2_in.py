"""The import of DHIS2 data (parapp.exchange.dhis2.importing, `parapp dhis2 import`): dataValueSets JSON and CSV
and ADX read as streams, mapped back to ParApp, previewed, and written all files or none."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from parapp.domain.periods import Period
from parapp.engine.demo import make_demo
from parapp.engine.office import Office
from parapp.exchange.dhis2 import importing
from parapp.exchange.dhis2.importing import Dhis2ImportError, apply, preview
from parapp.exchange.dhis2.mapping import Mapping
from parapp.store import units as unit_store
from parapp.store import values as value_store

Q3 = "2025Q3"
ADX_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015" exported="2025-10-01T08:00:00Z">\n'


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def office(tmp_path):
    """A new Hà Tĩnh province office database, as the province officer makes one."""
    o = Office.create(tmp_path / "province.db", "42", officer="Lê Văn Tỉnh")
    yield o
    o.close()


@pytest.fixture
def units(office) -> dict[str, str]:
    """A district of the province, a commune in it and a second commune."""
    district = unit_store.children(office.store, "42")[0]
    communes = unit_store.children(office.store, district.code)
    return {"district": district.code, "commune": communes[0].code, "other": communes[1].code}


def dump(office) -> list[str]:
    return list(office.store.conn.iterdump())


def stored(office, unit: str, period: str = Q3) -> dict[str, tuple[float, str | None]]:
    return {k: (s.value, s.comment) for k, s in value_store.stored_values(office.store, unit, period).items()}


def json_file(path: Path, values: list[dict], **top) -> Path:
    """A dataValueSets JSON with one data value per line: dataValues[i] is on line i + 3."""
    lines = ["{"] + [f'  "{k}": {json.dumps(v, ensure_ascii=False)},' for k, v in top.items()] + ['  "dataValues": [']
    lines += [("    " if i == 0 else "  , ") + json.dumps(v, ensure_ascii=False) for i, v in enumerate(values)]
    lines += ["  ]", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def csv_file(path: Path, rows: list[list[str]], header: bool = True) -> Path:
    head = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated," \
           "comment,followup\n" if header else ""
    path.write_text(head + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def adx_file(path: Path, body: str) -> Path:
    path.write_text(ADX_HEAD + body + "</adx>\n", encoding="utf-8")
    return path


def refused(office, path: Path) -> str:
    """The English refusal of a file that must be refused, having checked that applying it writes nothing."""
    before = dump(office)
    [pv] = preview(office, [path])
    assert pv.refused is not None, "the file was accepted"
    with pytest.raises(Dhis2ImportError):
        apply(office, [pv])
    assert dump(office) == before
    return pv.refused.message("en")


# ------------------------------------------------------------------------------------------------ each format


def test_a_json_file_gives_its_values_comments_and_completion(office, units, tmp_path):
    c = units["commune"]
    path = json_file(tmp_path / "quy3.json", [
        {"dataElement": "carried_over", "value": "10"},
        {"dataElement": "received_new", "value": "40", "comment": "Tăng do dịch vụ co\u0302ng"},
        {"dataElement": "received_online", "value": 25, "categoryOptionCombo": "HllvX50cXC0"},
        {"dataElement": "resolved_on_time", "value": "45", "storedBy": "dhis", "lastUpdated": "2025-09-30"},
        {"dataElement": "pending_in_time", "value": "5.0"},
        {"dataElement": "satisfaction_tthc_pct", "period": Q3, "orgUnit": c, "value": "87.5"},
    ], dataSet="PARAPP_QUARTERLY", period=Q3, orgUnit=c, completeDate="2025-10-02")
    [pv] = preview(office, [path])
    assert pv.acceptable, pv.refused
    assert pv.format == "json" and pv.values == 6 and pv.new == 6 and pv.changes == 0
    [up] = pv.unit_periods
    assert up.unit.code == c and str(up.period) == Q3 and up.complete and up.status == (None, "submitted")
    assert not [m for m in up.failures if m.severity == "error"]
    assert apply(office, [pv]) == 6
    got = stored(office, c)
    assert got["carried_over"] == (10.0, None) and got["received_online"] == (25.0, None)
    assert got["pending_in_time"] == (5.0, None) and got["satisfaction_tthc_pct"] == (87.5, None)
    assert got["received_new"] == (40.0, "Tăng do dịch vụ c\u00f4ng")  # kept composed (NFC)
    assert value_store.get_status(office.store, c, Q3).status == "submitted"  # a completion submits, never approves


def test_top_level_defaults_given_after_the_values_are_used(office, units, tmp_path):
    c = units["commune"]
    path = tmp_path / "sau.json"
    path.write_text(json.dumps({"dataValues": [{"dataElement": "received_new", "value": "7"}],
                                "period": "2025Q2", "orgUnit": c}), encoding="utf-8")
    [pv] = preview(office, [path])
    assert pv.acceptable, pv.refused
    apply(office, [pv])
    assert stored(office, c, "2025Q2") == {"received_new": (7.0, None)}


def test_completions_of_complete_data_set_registrations(office, units, tmp_path):
    c, o, d = units["commune"], units["other"], units["district"]
    path = tmp_path / "xong.json"
    path.write_text(json.dumps({
        "dataValues": [{"dataElement": "received_new", "period": Q3, "orgUnit": c, "value": "3"},
                       {"dataElement": "resolved_on_time", "period": Q3, "orgUnit": c, "value": "3"},
                       {"dataElement": "received_new", "period": Q3, "orgUnit": o, "value": "4"},
                       {"dataElement": "resolved_on_time", "period": Q3, "orgUnit": o, "value": "4"},
                       {"dataElement": "received_new", "period": Q3, "orgUnit": d, "value": "5"}],
        "completeDataSetRegistrations": [
            {"dataSet": "PARAPP_QUARTERLY", "period": Q3, "organisationUnit": c, "completed": True},
            {"dataSet": "PARAPP_QUARTERLY", "period": Q3, "organisationUnit": o, "completed": False},
            {"dataSet": "PARAPP_QUARTERLY", "period": Q3, "organisationUnit": d}]}),
        encoding="utf-8")
    [pv] = preview(office, [path])
    # the district's figures do not balance: its completion is not taken as a submission, and the preview says so
    assert [w.en for w in pv.warnings if "error(s) remain" in w.en and "not taken as submitted" in w.en]
    apply(office, [pv])
    assert value_store.get_status(office.store, c, Q3).status == "submitted"
    assert value_store.get_status(office.store, o, Q3).status == "draft"
    assert value_store.get_status(office.store, d, Q3).status == "draft"


@pytest.mark.parametrize("header", [True, False])
def test_a_csv_file_with_or_without_its_header_row(office, units, tmp_path, header):
    c, d = units["commune"], units["district"]
    path = csv_file(tmp_path / "so-lieu.csv", [
        ["received_new", Q3, c, "", "", "40", "dhis", "2025-10-01", '"Ghi chú, có dấu phẩy"', "false"],
        ["received_online", Q3, c, "HllvX50cXC0", "HllvX50cXC0", "12", "", "", "", ""],
        ["received_new", "2025Q2", d, "", "", "120"],
        ["received_new", "202507", c, "", "", "15"],
    ], header=header)
    [pv] = preview(office, [path])
    assert pv.acceptable, pv.refused
    assert pv.format == "csv" and pv.values == 4
    assert apply(office, [pv]) == 4
    assert stored(office, c) == {"received_new": (40.0, "Ghi chú, có dấu phẩy"), "received_online": (12.0, None)}
    assert stored(office, d, "2025Q2") == {"received_new": (120.0, None)}
    assert stored(office, c, "202507") == {"received_new": (15.0, None)}


def test_an_adx_file_with_durations_iso_periods_and_annotations(office, units, tmp_path):
    c, d = units["commune"], units["district"]
    path = adx_file(tmp_path / "du-lieu.adx", f"""  <group orgUnit="{c}" period="2025-07-01/P3M" dataSet="PARAPP_QUARTERLY"
         completeDate="2025-10-02">
    <dataValue dataElement="received_new" value="40"><annotation>Số liệu đã rà soát</annotation></dataValue>
    <dataValue dataElement="received_online" value="12"/>
    <dataValue dataElement="resolved_on_time" value="40"/>
  </group>
  <group orgUnit="{d}" period="2025Q2" dataSet="PARAPP_QUARTERLY">
    <dataValue dataElement="received_new" value="120"/>
  </group>
  <group orgUnit="{c}" period="2025-01-01/P1Y" dataSet="PARAPP_YEARLY">
    <dataValue dataElement="received_new" value="150"/>
  </group>
  <group orgUnit="{c}" period="2025-07-01/P6M"><dataValue dataElement="received_new" value="90"/></group>
  <group orgUnit="{c}" period="2025-08-01/P1M"><dataValue dataElement="received_new" value="30"/></group>
""")
    [pv] = preview(office, [path])
    assert pv.acceptable, pv.refused
    assert pv.format == "adx" and pv.values == 7
    apply(office, [pv])
    assert stored(office, c) == {"received_new": (40.0, "Số liệu đã rà soát"), "received_online": (12.0, None),
                                 "resolved_on_time": (40.0, None)}
    assert stored(office, d, "2025Q2") == {"received_new": (120.0, None)}
    assert stored(office, c, "2025") == {"received_new": (150.0, None)}
    assert stored(office, c, "2025S2") == {"received_new": (90.0, None)}
    assert stored(office, c, "202508") == {"received_new": (30.0, None)}
    assert value_store.get_status(office.store, c, Q3).status == "submitted"
    assert value_store.get_status(office.store, d, "2025Q2").status == "draft"


def test_a_file_adds_and_changes_and_never_clears(office, units, tmp_path):
    c = units["commune"]
    office.enter(c, Q3, {"received_new": 5, "received_online": 2, "carried_over": 1},
                 comments={"received_online": "giữ nguyên"})
    path = json_file(tmp_path / "sua.json", [{"dataElement": "received_new", "period": Q3, "orgUnit": c, "value": "9"},
                                              {"dataElement": "resolved_late", "period": Q3, "orgUnit": c,
                                               "value": "1"}])
    [pv] = preview(office, [path])
    [up] = pv.unit_periods
    assert up.changes == [("received_new", 5.0, 9.0)] and up.new == [("resolved_late", 1.0)] and not up.comments
    assert apply(office, [pv]) == 2
    assert stored(office, c) == {"received_new": (9.0, None), "received_online": (2.0, "giữ nguyên"),
                                 "carried_over": (1.0, None), "resolved_late": (1.0, None)}
    [again] = preview(office, [path])
    assert again.unchanged and apply(office, [again]) == 0


def test_the_audit_log_names_the_file(office, units, tmp_path):
    c = units["commune"]
    path = csv_file(tmp_path / "nguon-dhis2.csv", [["received_new", Q3, c, "", "", "40"]])
    apply(office, preview(office, [path]))
    rows = [e for e in value_store.audit_log(office.store, c, Q3) if e.action == "value"]
    assert [(e.element, e.new_value, e.source) for e in rows] == [("received_new", 40.0, "nguon-dhis2.csv")]
    assert "nguon-dhis2.csv" in rows[0].reason
    backups = list((Path(office.store.path).parent).rglob("*before-import*"))
    assert backups, "no backup was made before the import"


def test_a_mapping_reads_uids_back_to_codes(office, units, tmp_path):
    c = units["commune"]
    mapping = Mapping("UID", data_elements={"received_new": "fbfJHSPpUQD"}, org_units={c: "DiszpKrYNg8"},
                      category_option_combo="bRowv6yZOF2")
    path = json_file(tmp_path / "uid.json", [{"dataElement": "fbfJHSPpUQD", "period": Q3, "orgUnit": "DiszpKrYNg8",
                                              "categoryOptionCombo": "bRowv6yZOF2", "value": "11"}])
    [pv] = preview(office, [path], mapping)
    assert pv.acceptable, pv.refused
    apply(office, [pv])
    assert stored(office, c) == {"received_new": (11.0, None)}
    [plain] = preview(office, [path])  # without the mapping the UIDs mean nothing here
    assert plain.refused is not None and "DiszpKrYNg8" in plain.refused.message("en")


def test_values_split_across_reads_are_read_whole(office, units, tmp_path, monkeypatch):
    """The readers take a file a few bytes at a time: a number, a string or a tag cut between two reads."""
    c = units["commune"]
    monkeypatch.setattr(importing, "_CHUNK", 5)
    elements = ["carried_over", "received_new", "received_online", "resolved_early", "resolved_on_time"]
    j = json_file(tmp_path / "a.json", [{"dataElement": e, "period": Q3, "orgUnit": c, "value": 12345 + i,
                                         "comment": f"ghi chú số {i}"} for i, e in enumerate(elements)])
    x = adx_file(tmp_path / "b.adx", f'<group orgUnit="{c}" period="2025-04-01/P3M">' + "".join(
        f'<dataValue dataElement="{e}" value="{12345 + i}"><annotation>ghi chú số {i}</annotation></dataValue>'
        for i, e in enumerate(elements)) + "</group>\n")
    pvs = preview(office, [j, x])
    assert all(pv.acceptable for pv in pvs), [pv.refused for pv in pvs]
    apply(office, pvs)
    want = {e: (12345.0 + i, f"ghi chú số {i}") for i, e in enumerate(elements)}
    assert stored(office, c) == want and stored(office, c, "2025Q2") == want


# ------------------------------------------------------------------------------------------------ refusals


def _bad_json(tmp_path, units, **change) -> Path:
    c = units["commune"]
    good = {"dataElement": "received_new", "period": Q3, "orgUnit": c, "value": "4"}
    return json_file(tmp_path / "hong.json", [good, {**good, "dataElement": "received_online", **change}])


def _bad_csv(tmp_path, units, row: list[str]) -> Path:
    return csv_file(tmp_path / "hong.csv", [["received_new", Q3, units["commune"], "", "", "4"], row])


def _bad_adx(tmp_path, units, group: str, value: str = 'dataElement="received_online" value="3"') -> Path:
    c = units["commune"]
    return adx_file(tmp_path / "hong.adx", f'  <group orgUnit="{c}" period="2025-07-01/P3M">\n'
                                          f'    <dataValue dataElement="received_new" value="4"/>\n  </group>\n'
                                          f'  <group {group}>\n    <dataValue {value}/>\n  </group>\n')


CASES = {
    # name: (make the file, what the refusal says, where)
    "json unknown element": (lambda t, u: _bad_json(t, u, dataElement="khong_co"), '"khong_co"',
                             "line 4 (dataValues[1])"),
    "json unknown unit": (lambda t, u: _bad_json(t, u, orgUnit="99999"), '"99999"', "line 4 (dataValues[1])"),
    "json not a number": (lambda t, u: _bad_json(t, u, value="12a"), '"12a" is not a number', "line 4"),
    "json a fraction of a count": (lambda t, u: _bad_json(t, u, value="2.5"), "whole number", "line 4"),
    "json no such period": (lambda t, u: _bad_json(t, u, period="2025Q5"), "2025Q5", "line 4"),
    "json a week": (lambda t, u: _bad_json(t, u, period="2025W10"), "2025W10", "line 4"),
    "json other combo": (lambda t, u: _bad_json(t, u, categoryOptionCombo="Prlt0C1RF0s"), "Prlt0C1RF0s",
                         "line 4"),
    "json other attribute combo": (lambda t, u: _bad_json(t, u, attributeOptionCombo="Prlt0C1RF0s"),
                                   "not the default", "line 4"),
    "json deleted": (lambda t, u: _bad_json(t, u, deleted=True), "deleted", "line 4"),
    "json empty value": (lambda t, u: _bad_json(t, u, value=""), "has no value", "line 4"),
    "json a level that does not enter it": (lambda t, u: _bad_json(t, u, dataElement="rank_par_index"),
                                            "not entered at the level", "line 4"),
    "csv unknown element": (lambda t, u: _bad_csv(t, u, ["khong_co", Q3, u["commune"], "", "", "3"]), "khong_co",
                            "line 3"),
    "csv unknown unit": (lambda t, u: _bad_csv(t, u, ["received_online", Q3, "99999", "", "", "3"]), "99999",
                         "line 3"),
    "csv not a number": (lambda t, u: _bad_csv(t, u, ["received_online", Q3, u["commune"], "", "", "ba"]),
                         '"ba" is not a number', "line 3"),
    "csv decimal comma": (lambda t, u: _bad_csv(t, u, ["satisfaction_tthc_pct", Q3, u["commune"], "", "", '"87,5"']),
                          "not a number", "line 3"),
    "csv no such period": (lambda t, u: _bad_csv(t, u, ["received_online", "2025S3", u["commune"], "", "", "3"]),
                           "2025S3", "line 3"),
    "csv other combo": (lambda t, u: _bad_csv(t, u, ["received_online", Q3, u["commune"], "Prlt0C1RF0s", "", "3"]),
                        "Prlt0C1RF0s", "line 3"),
    "csv short row": (lambda t, u: _bad_csv(t, u, ["received_online", Q3, u["commune"]]), "only 3 column",
                      "line 3"),
    "csv two values": (lambda t, u: _bad_csv(t, u, ["received_new", Q3, u["commune"], "", "", "5"]),
                       "lines 2 and 3", "line 3"),
    "adx wrong namespace": (lambda t, u: (t / "khac.adx").write_text(
        '<?xml version="1.0"?>\n<adx xmlns="urn:ihe:qrph:adx:2013">\n</adx>\n') and t / "khac.adx",
        "wrong namespace", "line 2"),
    "adx dxf2": (lambda t, u: (t / "dxf.xml").write_text(
        '<?xml version="1.0"?>\n<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"/>\n') and t / "dxf.xml",
        "not ADX", "line 2"),
    "adx unknown element": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025Q3"',
                                                  'dataElement="khong_co" value="1"'), "khong_co", "line 7"),
    "adx unknown unit": (lambda t, u: _bad_adx(t, u, 'orgUnit="99999" period="2025Q3"'), "99999", "line 7"),
    "adx not a number": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025Q3"',
                                               'dataElement="received_online" value="NaN"'), '"NaN"', "line 7"),
    "adx duration": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025-02-01/P3M"'),
                     "2025-02-01/P3M", "line 7"),
    "adx no such duration": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025-07-01/P2M"'),
                             "P2M", "line 7"),
    "adx disaggregated": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025Q3"',
                                                'dataElement="received_online" value="3" SEX="F"'), '"SEX"',
                          "line 7"),
    "adx attribute dimension": (lambda t, u: _bad_adx(t, u, f'orgUnit="{u["commune"]}" period="2025Q3" FUND="X"'),
                                '"FUND"', "line 6"),
    "adx no org unit": (lambda t, u: _bad_adx(t, u, 'period="2025Q3"'), '"orgUnit"', "line 6"),
    "adx dtd": (lambda t, u: (t / "dtd.adx").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE adx SYSTEM "http://example.org/adx.dtd">\n'
        '<adx xmlns="urn:ihe:qrph:adx:2015"/>\n') and t / "dtd.adx", "DTD", "line 2"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_files_are_refused_naming_file_and_line(office, units, tmp_path, case):
    make, says, where = CASES[case]
    path = make(tmp_path, units)
    message = refused(office, path)
    assert f'File "{path.name}", {where}' in message and says in message, message
    [pv] = preview(office, [path])
    assert f'Tệp "{path.name}", dòng' in pv.refused.message("vi")


def test_an_entity_bomb_is_refused_at_once(office, units, tmp_path):
    lol = ["<!ENTITY lol \"lol\">"] + [f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)]
    path = tmp_path / "bom.adx"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE adx [\n' + "\n".join(lol) + "\n]>\n"
                    '<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&lol9;" period="2025Q3">'
                    '<dataValue dataElement="received_new" value="1"/></group></adx>\n')
    start = time.perf_counter()
    message = refused(office, path)
    assert time.perf_counter() - start < 2
    assert 'File "bom.adx", line 2' in message and "entity" in message


@pytest.mark.parametrize("suffix", ["json", "adx", "csv"])
def test_a_truncated_file_is_refused(office, units, tmp_path, suffix):
    c = units["commune"]
    full = {"json": json_file(tmp_path / "full.json", [
                {"dataElement": e, "period": Q3, "orgUnit": c, "value": "4", "comment": "một ghi chú dài"}
                for e in ("received_new", "received_online", "carried_over")]),
            "adx": _bad_adx(tmp_path, units, f'orgUnit="{c}" period="2025Q2"'),
            "csv": csv_file(tmp_path / "full.csv", [["received_new", Q3, c, "", "", "4", "", "", '"một ghi chú"']])}
    text = full[suffix].read_text(encoding="utf-8")
    cuts = {"json": lambda: [len(text) - 5, text.index("một ghi chú dài") + 3, text.index('"received_online"') + 4],
            "adx": lambda: [len(text) - 9, text.index("<dataValue") + 5],
            "csv": lambda: [len(text) - 4]}[suffix]()
    for cut in cuts:
        path = tmp_path / f"cut.{suffix}"
        path.write_text(text[:cut], encoding="utf-8")
        message = refused(office, path)
        assert f'File "cut.{suffix}", line' in message, message
        assert "cut short" in message, message


def test_other_damaged_files_are_refused_with_a_sentence(office, units, tmp_path):
    cases = {
        "empty.json": b"", "list.json": b"[1, 2]", "zero.csv": b"\x00\x01\x02,,,,,\n", "latin.csv":
        "received_new,2025Q3,x,,,4,Nguy\u1ec5n\n".encode("cp1258", "replace") + b"\xff\xfe\n",
        "packed.json": b"\x1f\x8b\x08\x00", "deep.json": b'{"dataValues": [' + b"[" * 100000 + b"]" * 100000 + b"]}",
        "nothing.json": b'{"dataSet": "PARAPP_QUARTERLY"}', "more.json": b'{"dataValues": []} {"x": 1}',
        "objects.json": b'{"dataValues": [1]}', "bad.json": b'{"dataValues": [{"dataElement": tru}]}',
        "huge.json": b'{"dataValues": [{"dataElement": "received_new", "period": "2025Q3", "orgUnit": "x", '
                     b'"value": ' + b"9" * 5000 + b"}]}",
        "text.adx": b"<adx xmlns='urn:ihe:qrph:adx:2015'><group orgUnit='1' period='2025Q3'>&amp;</group></adx>",
    }
    before = dump(office)
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        [pv] = preview(office, [tmp_path / name])
        assert pv.refused is not None, name
        assert f'File "{name}"' in pv.refused.message("en"), (name, pv.refused.message("en"))
    assert dump(office) == before
    [missing] = preview(office, [tmp_path / "not-there.json"])
    assert "no such file" in missing.refused.message("en")


def test_an_approved_unit_period_refuses_the_whole_import(office, units, tmp_path):
    c, o = units["commune"], units["other"]
    office.enter(c, Q3, {"received_new": 5})
    value_store.set_status(office.store, c, Q3, "approved", "Trưởng phòng")
    good = csv_file(tmp_path / "tot.csv", [["received_new", Q3, o, "", "", "8"]])
    locked = json_file(tmp_path / "khoa.json", [{"dataElement": "received_online", "period": Q3, "orgUnit": o,
                                                 "value": "1"},
                                                {"dataElement": "received_new", "period": Q3, "orgUnit": c,
                                                 "value": "6"}])
    before = dump(office)
    pvs = preview(office, [good, locked])
    assert pvs[0].acceptable and pvs[1].refused is not None
    message = pvs[1].refused.message("en")
    assert 'File "khoa.json", line 4 (dataValues[1])' in message and "approved and locked" in message
    with pytest.raises(Dhis2ImportError):
        apply(office, pvs)
    assert dump(office) == before
    # approved after the preview: the write refuses it inside its transaction, and writes nothing
    value_store.set_status(office.store, c, Q3, "returned", "Trưởng phòng", "mở lại")
    pvs = preview(office, [good, locked])
    assert all(pv.acceptable for pv in pvs)
    value_store.set_status(office.store, c, Q3, "approved", "Trưởng phòng")
    before = dump(office)
    with pytest.raises(value_store.LockedError):
        apply(office, pvs)
    assert dump(office) == before


def test_two_files_disagreeing_on_a_value_are_refused(office, units, tmp_path):
    c = units["commune"]
    a = csv_file(tmp_path / "a.csv", [["received_new", Q3, c, "", "", "8"]])
    b = csv_file(tmp_path / "b.csv", [["received_new", Q3, c, "", "", "9"]])
    same = csv_file(tmp_path / "c.csv", [["received_new", Q3, c, "", "", "8"], ["received_online", Q3, c, "", "", "2"]])
    pvs = preview(office, [a, b])
    assert pvs[0].acceptable and 'differs from the file "a.csv"' in pvs[1].refused.message("en")
    pvs = preview(office, [a, same])
    assert all(pv.acceptable for pv in pvs)
    assert apply(office, pvs) == 2 and stored(office, c) == {"received_new": (8.0, None), "received_online": (2.0, None)}


# ------------------------------------------------------------------------------------------------ command line


def test_the_command_previews_applies_and_refuses(office, units, tmp_path, cli):
    c = units["commune"]
    db = office.store.path
    office.enter(c, Q3, {"received_new": 5})
    good = json_file(tmp_path / "tot.json", [{"dataElement": "received_new", "period": Q3, "orgUnit": c,
                                              "value": "1234"}])
    bad = csv_file(tmp_path / "xau.csv", [["received_new", Q3, "99999", "", "", "1"]])
    before = dump(office)
    code, out, err = cli("dhis2", "import", good, bad, "--db", db, "--yes", "--lang", "en")
    assert code == 1 and "REFUSED" in out and 'File "xau.csv", line 2' in err and "Nothing was imported" in err
    assert dump(office) == before
    code, out, _ = cli("dhis2", "import", good, "--db", db, "--dry-run", "--yes", "--lang", "en")
    assert code == 0 and "tot.json — dataValueSets JSON" in out and "5 → 1,234" in out and "Nothing imported" in out
    assert dump(office) == before
    code, out, _ = cli("dhis2", "import", good, "--db", db)
    assert code == 0 and "5 → 1.234" in out and "Chưa nhập gì" in out
    code, out, _ = cli("dhis2", "import", good, "--db", db, "--yes", "--lang", "en")
    assert code == 0 and "1 value(s) changed" in out, out
    assert stored(office, c) == {"received_new": (1234.0, None)}


# ------------------------------------------------------------------------------------------------ round trip


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path)
    o = Office.open(path)
    yield o
    o.close()


@pytest.mark.parametrize("fmt", ["json", "csv", "adx"])
def test_the_demo_province_exported_and_imported_again_is_the_same(demo, tmp_path, fmt):
    datavalues = pytest.importorskip("parapp.exchange.dhis2.datavalues")
    periods = [Period.parse(p) for p in ("2024", "2025S1", "2025Q2", Q3)]
    out = tmp_path / f"ha-tinh.{fmt}"
    summary = datavalues.export(demo, "42", periods, fmt, out)
    assert summary.values > 5000
    fresh = Office.create(tmp_path / "fresh.db", "42", officer="Cán bộ mới")
    try:
        [pv] = preview(fresh, [out])
        assert pv.acceptable, pv.refused
        assert pv.values == summary.values and pv.new == summary.values and pv.changes == 0
        assert apply(fresh, [pv]) == summary.values
        q = "SELECT unit, period, element, value, comment FROM data_values WHERE period IN (?, ?, ?, ?) ORDER BY 1, 2, 3"
        ids = [str(p) for p in periods]
        assert [tuple(r) for r in fresh.store.conn.execute(q, ids)] == [tuple(r) for r in demo.store.conn.execute(q, ids)]
        assert fresh.store.conn.execute("SELECT count(*) FROM data_values WHERE comment IS NOT NULL").fetchone()[0] \
            == summary.comments > 0
        district = unit_store.children(demo.store, "42")[0].code
        for unit in ("42", district):
            a, b = demo.report(unit, Q3), fresh.report(unit, Q3)
            assert b.rolled.values == a.rolled.values and b.rolled.values
            assert [(r.indicator.code, r.value) for r in b.rolled_indicators] == \
                [(r.indicator.code, r.value) for r in a.rolled_indicators]
        approved = {tuple(r) for r in demo.store.conn.execute(
            "SELECT unit, period FROM statuses WHERE status = 'approved' AND period IN (?, ?, ?, ?)", ids)}
        submitted = {tuple(r) for r in fresh.store.conn.execute(
            "SELECT unit, period FROM statuses WHERE status = 'submitted'")}
        if fmt == "csv":  # the CSV format has no place for completions
            assert not submitted
        else:  # an approval there is a completion here: submitted, never approved
            assert approved and submitted <= approved and len(submitted) >= len(approved) * 0.9
            assert not fresh.store.conn.execute("SELECT 1 FROM statuses WHERE status = 'approved'").fetchone()
        # the same file again changes nothing
        [again] = preview(fresh, [out])
        assert again.acceptable and again.unchanged and apply(fresh, [again]) == 0
    finally:
        fresh.close()


def test_refusing_keeps_the_database_file_byte_for_byte(demo, tmp_path):
    """All or nothing across files: the good one is not written either, and the file's dump is the same."""
    datavalues = pytest.importorskip("parapp.exchange.dhis2.datavalues")
    out = tmp_path / "tot.json"
    datavalues.export(demo, "42", [Period.parse(Q3)], "json", out)
    path = tmp_path / "p.db"
    fresh = Office.create(path, "42", officer="Cán bộ mới")
    fresh.close()
    bad = csv_file(tmp_path / "xau.csv", [["received_new", Q3, "42", "", "", "-1"]])
    with sqlite3.connect(path) as conn:
        before = list(conn.iterdump())
    with Office.open(path) as o:
        pvs = preview(o, [out, bad])
        assert pvs[0].acceptable and "cannot be less than 0" in pvs[1].refused.message("en")
        with pytest.raises(Dhis2ImportError):
            apply(o, pvs)
    conn = sqlite3.connect(path)
    try:
        assert list(conn.iterdump()) == before
    finally:
        conn.close()


def test_a_folder_gives_its_dhis2_files_once(office, units, tmp_path, cli):
    c = units["commune"]
    folder = tmp_path / "tu-dhis2"
    folder.mkdir()
    a = csv_file(folder / "a.csv", [["received_new", Q3, c, "", "", "8"]])
    json_file(folder / "b.json", [{"dataElement": "received_online", "period": Q3, "orgUnit": c, "value": "3"}])
    (folder / "ghi-chu.txt").write_text("không phải số liệu", encoding="utf-8")
    pvs = preview(office, [folder, a])
    assert [pv.path.name for pv in pvs] == ["a.csv", "b.json"] and all(pv.acceptable for pv in pvs)
    empty = tmp_path / "trong"
    empty.mkdir()
    code, _out, err = cli("dhis2", "import", empty, "--db", office.store.path, "--lang", "en")
    assert code == 1 and "No .json, .csv, .xml or .adx files" in err
    code, out, _ = cli("dhis2", "import", folder, "--db", office.store.path, "--yes", "--lang", "en")
    assert code == 0 and "Imported 2 file(s): 2 value(s) changed." in out
    assert stored(office, c) == {"received_new": (8.0, None), "received_online": (3.0, None)}
