"""The core as an officer meets it through the command line: figures, rates, statuses, roll-ups, refusals."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from parapp.domain.periods import Period
from parapp.engine.aggregate import rollup
from parapp.engine.office import Office

HA_GIANG = ["received_new=37657", "resolved_on_time=33270", "received_online=294", "pending_in_time=4387"]


def digest(path: Path) -> str:
    """The database file's bytes, and its side files' (a WAL that grew means something was written)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal", "-journal"):
        f = Path(str(path) + suffix)
        h.update(f.read_bytes() if f.exists() and f.stat().st_size else b"-")
    return h.hexdigest()


@pytest.fixture
def db(tmp_path, cli):
    path = tmp_path / "office.db"
    assert cli("init", "--db", path, "--province", "40", "--officer", "Hoàng Văn Nam")[0] == 0
    return path


def indicator(data: dict, code: str) -> dict:
    return next(i for i in data["indicators"] if i["code"] == code)


# ------------------------------------------------------------------------ the figures of catalogue.md


def test_ha_giang_figures_for_nghe_an_2021_year(db, cli):
    code, out, err = cli("enter", "--db", db, "--unit", "40", "--period", "2021", *HA_GIANG)
    assert code == 0, err
    data = cli.json("show", "--db", db, "--unit", "40", "--period", "2021")
    assert data["unit"] == "40" and data["period"] == "2021"
    assert data["elements"]["received_new"] == 37657
    assert round(indicator(data, "resolution_rate")["value"], 2) == 88.35
    online = indicator(data, "online_rate")
    assert round(online["value"], 2) == 0.78
    assert online["target"] == 15 and online["status"] == "missed"
    assert "4879/QĐ-UBND" in online["source"]
    assert indicator(data, "ontime_rate")["status"] == "met"
    assert not [m for m in data["messages"] if m["rule"] == "balance"]  # the balance rule holds
    assert data["messages"] == []


def test_ha_giang_figures_as_half_year_are_at_risk_not_missed(db, cli):
    assert cli("enter", "--db", db, "--unit", "40", "--period", "2021S1", *HA_GIANG)[0] == 0
    data = cli.json("show", "--db", db, "--unit", "40", "--period", "2021S1")
    assert indicator(data, "online_rate")["status"] == "at_risk"
    assert round(indicator(data, "resolution_rate")["value"], 2) == 88.35


def test_show_in_english_and_text(db, cli):
    cli("enter", "--db", db, "--unit", "40", "--period", "2021", *HA_GIANG)
    code, out, _ = cli("show", "--db", db, "--unit", "40", "--period", "2021", "--lang", "en")
    assert code == 0
    assert "Year 2021" in out and "Missed" in out and "0.78%" in out and "37,657" in out
    code, out, _ = cli("show", "--db", db, "--unit", "40", "--period", "2021")
    assert "Năm 2021" in out and "Không đạt" in out and "0,78%" in out and "37.657" in out


def test_balance_rule_failure_is_reported_and_blocks_submission(db, cli):
    cli("enter", "--db", db, "--unit", "40", "--period", "2021Q1", "received_new=100", "resolved_on_time=90",
        "received_online=120")
    data = cli.json("show", "--db", db, "--unit", "40", "--period", "2021Q1")
    rules = {m["rule"]: m for m in data["messages"]}
    assert set(rules) >= {"balance", "online_le_received"}
    assert rules["balance"]["severity"] == "error"
    assert "received_new" in rules["balance"]["elements"]
    code, _, err = cli("submit", "--db", db, "--unit", "40", "--period", "2021Q1")
    assert code == 1 and "Chưa gửi được" in err and "trực tuyến" in err
    assert cli.json("show", "--db", db, "--unit", "40", "--period", "2021Q1")["status"] == "draft"


# ------------------------------------------------------------------------ roll-up


def test_thirty_communes_roll_up_to_their_district(nghe_an):
    district = "412"
    communes = [u[0] for u in nghe_an.store.conn.execute(
        "SELECT code FROM units WHERE parent = ? ORDER BY code", (district,)).fetchall()]
    assert len(communes) > 30
    expected_sum = {"received_new": 0, "received_online": 0, "resolved_on_time": 0, "resolved_late": 0,
                    "pending_in_time": 0}
    for i, c in enumerate(communes[:30]):
        received = 40 + 7 * i
        online = i * 3 % received
        late = i % 4
        pending = i % 5
        values = {"received_new": received, "received_online": online, "resolved_on_time": received - late - pending,
                  "resolved_late": late, "pending_in_time": pending}
        nghe_an.enter(c, "2025Q2", values)
        for k, v in values.items():
            expected_sum[k] += v
    agg = rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025Q2"))
    assert agg.values == {k: float(v) for k, v in expected_sum.items()}
    assert (agg.reported, agg.expected) == (30, len(communes))
    rep = nghe_an.report(district, "2025Q2")
    online = next(r for r in rep.rolled_indicators if r.code == "online_rate")
    assert online.value == pytest.approx(expected_sum["received_online"] / expected_sum["received_new"] * 100)
    # the province sees the same sums through every level
    prov = rollup(nghe_an.store, nghe_an.catalogue, "40", Period.parse("2025Q2"))
    assert prov.values == agg.values and prov.reported == 30 and prov.expected == 432


def test_quarters_make_half_year_and_year(nghe_an):
    quarters = {  # carried_over, received_new, resolved_on_time, pending_in_time
        "2024Q1": (10, 100, 95, 15), "2024Q2": (15, 120, 125, 10), "2024Q3": (10, 80, 70, 20), "2024Q4": (20, 90, 100, 10),
    }
    for q, (co, rn, rot, pit) in quarters.items():
        nghe_an.enter("40", q, {"carried_over": co, "received_new": rn, "resolved_on_time": rot, "pending_in_time": pit})
    rep = nghe_an.report("40", "2024S1")
    assert rep.own.values == {"carried_over": 10, "received_new": 220, "resolved_on_time": 220, "pending_in_time": 10}
    year = nghe_an.report("40", "2024")
    assert year.own.values == {"carried_over": 10, "received_new": 390, "resolved_on_time": 390, "pending_in_time": 10}
    assert not [m for m in year.messages if m.rule == "balance"]
    res = next(r for r in year.indicators if r.code == "resolution_rate")
    assert res.value == pytest.approx(390 / 400 * 100)
    # a unit that entered the half-year directly counts once, with its own half-year figure
    nghe_an.enter("40", "2024S1", {"received_new": 250})
    assert nghe_an.report("40", "2024").own.values["received_new"] == 250 + 80 + 90


def test_warning_when_carried_over_differs_from_last_quarter(nghe_an):
    nghe_an.enter("40", "2024Q1", {"received_new": 10, "resolved_on_time": 6, "pending_in_time": 4})
    nghe_an.enter("40", "2024Q2", {"carried_over": 3, "received_new": 10, "resolved_on_time": 13})
    msgs = nghe_an.validate("40", "2024Q2")
    assert [(m.rule, m.severity) for m in msgs] == [("carry_over_matches_previous", "warning")]
    nghe_an.submit("40", "2024Q2")  # a warning does not block


# ------------------------------------------------------------------------ workflow


def test_submit_approve_lock_and_return(db, cli):
    commune = "17014"
    assert cli("enter", "--db", db, "--unit", commune, "--period", "2025Q1", "received_new=12",
               "resolved_on_time=12", "--comment", "Số liệu từ bộ phận một cửa")[0] == 0
    assert cli("submit", "--db", db, "--unit", commune, "--period", "2025Q1")[0] == 0
    assert cli("approve", "--db", db, "--unit", commune, "--period", "2025Q1")[0] == 0
    before = digest(db)
    code, _, err = cli("enter", "--db", db, "--unit", commune, "--period", "2025Q1", "received_new=13")
    assert code == 1 and "đã được duyệt nên bị khoá" in err
    assert digest(db) == before
    code, _, err = cli("return", "--db", db, "--unit", commune, "--period", "2025Q1", "--reason", "Thiếu số liệu quý I")
    assert code == 0
    assert cli("enter", "--db", db, "--unit", commune, "--period", "2025Q1", "received_new=13",
               "resolved_on_time=13")[0] == 0
    log = cli.json("history", "--db", db, "--unit", commune, "--period", "2025Q1")
    actions = [(e["action"], e["element"], e["old_value"], e["new_value"], e["new_status"]) for e in log]
    assert ("value", "received_new", 12.0, 13.0, None) in actions
    assert [a[4] for a in actions if a[0] == "status"] == ["draft", "submitted", "approved", "returned", "draft"]
    assert log[0]["new_comment"] == "Số liệu từ bộ phận một cửa" and log[0]["who"] == "Hoàng Văn Nam"
    returned = next(e for e in log if e["new_status"] == "returned")
    assert returned["reason"] == "Thiếu số liệu quý I"


def test_an_office_cannot_approve_its_own_figures(db, cli):
    cli("enter", "--db", db, "--unit", "40", "--period", "2025Q1", "received_new=1", "resolved_on_time=1")
    cli("submit", "--db", db, "--unit", "40", "--period", "2025Q1")
    code, _, err = cli("approve", "--db", db, "--unit", "40", "--period", "2025Q1", "--lang", "en")
    assert code == 1 and "Only the level above" in err


def test_audit_log_is_append_only(nghe_an):
    nghe_an.enter("40", "2025Q1", {"received_new": 5})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        nghe_an.store.conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        nghe_an.store.conn.execute("UPDATE audit_log SET new_value = 6")


# ------------------------------------------------------------------------ bad input leaves everything as it was


@pytest.mark.parametrize("args, words", [
    (["received_new=abc"], "không phải là một số"),
    (["received_new=-5"], "không được nhỏ hơn 0"),
    (["received_new=12,5"], "phải là số nguyên"),
    (["received_new=10", "received_online=x"], "không phải là một số"),
    (["no_such_element=5"], 'Không có chỉ tiêu nhập liệu "no_such_element"'),
    (["received_new"], "phải có dạng"),
    (["satisfaction_tthc_score=120"], None),
])
def test_bad_values_are_refused_and_nothing_is_stored(db, cli, args, words):
    before = digest(db)
    code, out, err = cli("enter", "--db", db, "--unit", "40", "--period", "2025Q1", *args)
    assert code == 1 and err.strip() and "\n" not in err.strip()
    if words:
        assert words in err
    assert digest(db) == before


@pytest.mark.parametrize("unit, period, words", [
    ("99999", "2025Q1", 'Không có đơn vị mã "99999"'),
    ("40", "2025Q5", '"2025Q5" không hợp lệ'),
    ("40", "25Q1", '"25Q1" không hợp lệ'),
])
def test_unknown_unit_or_period_is_refused(db, cli, unit, period, words):
    before = digest(db)
    code, _, err = cli("enter", "--db", db, "--unit", unit, "--period", period, "received_new=5")
    assert code == 1 and words in err
    assert digest(db) == before


def test_element_of_another_level_is_refused(db, cli):
    code, _, err = cli("enter", "--db", db, "--unit", "17014", "--period", "2025", "rank_pci=20", "--lang", "en")
    assert code == 1 and "is not entered at the level of" in err


def test_foreign_corrupt_newer_and_missing_databases(tmp_path, cli):
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    text = tmp_path / "notes.db"
    text.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    for path, words in [(foreign, "chương trình khác"), (corrupt, "không phải cơ sở dữ liệu ParApp"),
                        (text, "không phải cơ sở dữ liệu ParApp"), (tmp_path / "none.db", "Không có cơ sở dữ liệu")]:
        before = path.read_bytes() if path.exists() else None
        code, _, err = cli("show", "--db", path, "--unit", "40", "--period", "2025Q1")
        assert code == 1 and words in err, err
        assert (path.read_bytes() if path.exists() else None) == before


def test_database_from_a_newer_parapp_is_refused_unchanged(db, cli):
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = digest(db)
    code, _, err = cli("show", "--db", db, "--unit", "40", "--period", "2025Q1", "--lang", "en")
    assert code == 1 and "newer ParApp" in err
    assert digest(db) == before


def test_damaged_pages_give_a_sentence_not_a_traceback(db, cli):
    data = bytearray(db.read_bytes())
    for i in range(4096 * 2, len(data), 97):
        data[i] = 0xFF
    db.write_bytes(bytes(data))
    code, out, err = cli("show", "--db", db, "--unit", "40", "--period", "2025Q1")
    assert code == 1 and "Traceback" not in err and err.strip()


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_location(tmp_path, cli):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = cli("init", "--db", folder / "x.db", "--province", "40")
        assert code == 1 and "chỉ cho phép đọc" in err
    finally:
        folder.chmod(0o700)


def test_read_only_location_when_root(tmp_path):
    """Even as root (CI), a location that cannot be written gives one sentence."""
    from parapp.store.db import Store, StoreError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as e:
        Store.create(blocker / "sub" / "x.db")
    assert e.value.message("en").startswith("Cannot write to")


def test_locked_database_is_explained(db, cli):
    con = sqlite3.connect(db, timeout=0.1)
    con.execute("BEGIN EXCLUSIVE")
    try:
        from parapp.store import db as store_db

        old = store_db.BUSY_TIMEOUT_MS
        store_db.BUSY_TIMEOUT_MS = 100
        code, _, err = cli("enter", "--db", db, "--unit", "40", "--period", "2025Q1", "received_new=3")
        store_db.BUSY_TIMEOUT_MS = old
        assert code == 1 and "khoá" in err
    finally:
        con.rollback()
        con.close()


# ------------------------------------------------------------------------ units, target sets, set-up


def test_units_rename_add_retire_codes_never_reused(db, cli):
    units = cli.json("units", "--db", db, "--under", "412")
    assert len(units) == 33 and all(u["level"] == "commune" for u in units)
    assert cli("rename-unit", "--db", db, "--unit", units[0]["code"], "--name", "Phường Cầu Giát")[0] == 0
    code, out, _ = cli("add-unit", "--db", db, "--parent", "412", "--name", "Xã Quỳnh Mới")
    assert code == 0
    new = next(u for u in cli.json("units", "--db", db, "--under", "412") if u["name"] == "Xã Quỳnh Mới")
    assert new["kind"] == "xã" and new["level"] == "commune"
    assert cli("retire-unit", "--db", db, "--unit", new["code"])[0] == 0
    code, _, err = cli("add-unit", "--db", db, "--parent", "412", "--name", "Xã Khác", "--code", new["code"])
    assert code == 1 and "không bao giờ được dùng lại" in err
    renamed = next(u for u in cli.json("units", "--db", db, "--under", "412") if u["code"] == units[0]["code"])
    assert renamed["name"] == "Phường Cầu Giát" and renamed["kind"] == "phường"


def test_two_tier_office(tmp_path, cli):
    path = tmp_path / "two.db"
    code, out, err = cli("init", "--db", path, "--province", "42", "--tiers", "2", "--lang", "en")
    assert code == 0, err
    units = cli.json("units", "--db", path, "--all")
    assert {u["level"] for u in units} == {"province", "commune"}
    assert all(u["parent"] == "42" for u in units if u["level"] == "commune")


def test_target_sets_listed_and_a_users_invalid_set_is_refused(db, cli, tmp_path):
    code, out, _ = cli("target-sets", "--db", db)
    assert code == 0 and "ha_tinh_2022_2025" in out and "soc_trang_2021_2030" in out and "* nghe_an_2021" in out
    bad = tmp_path / "my-set.toml"
    bad.write_text('id = "my_set"\nprovince = "40"\nname_vi = "Bộ thử"\nyears = [2025, 2025]\n\n'
                   '[[targets]]\nindicator = "online_rate"\ntype = "threshold"\nop = ">="\nvalue = 30\n'
                   'source = "Văn bản thử"\n\n[[targets]]\nindicator = "no_such_rate"\ntype = "threshold"\n'
                   'op = ">="\nvalue = 1\nsource = "x"\n', encoding="utf-8")
    before = digest(db)
    code, _, err = cli("target-sets", "--db", db, "--import", bad)
    assert code == 1 and "my-set.toml, dòng 13" in err and "no_such_rate" in err
    assert digest(db) == before
    bad.write_text("id = \n", encoding="utf-8")
    code, _, err = cli("target-sets", "--db", db, "--import", bad, "--lang", "en")
    assert code == 1 and "my-set.toml, line 1" in err and "not valid TOML" in err


def test_a_users_own_target_set_judges_the_figures(db, cli, tmp_path):
    mine = tmp_path / "strict.toml"
    mine.write_text('id = "nghe_an_strict"\nprovince = "40"\nname_vi = "Chỉ tiêu riêng"\nyears = [2021, 2021]\n\n'
                    '[[targets]]\nindicator = "resolution_rate"\ntype = "threshold"\nop = ">="\nvalue = 90\n'
                    'source = "Công văn thử số 1"\n', encoding="utf-8")
    assert cli("target-sets", "--db", db, "--import", mine)[0] == 0
    assert cli("use-target-set", "--db", db, "nghe_an_strict")[0] == 0
    cli("enter", "--db", db, "--unit", "40", "--period", "2021", *HA_GIANG)
    data = cli.json("show", "--db", db, "--unit", "40", "--period", "2021")
    res = indicator(data, "resolution_rate")
    assert res["status"] == "missed" and res["target"] == 90 and res["source"] == "Công văn thử số 1"
    assert indicator(data, "online_rate")["status"] == "no_target"


def test_init_refuses_unknown_province_and_existing_file(db, cli, tmp_path):
    code, _, err = cli("init", "--db", tmp_path / "x.db", "--province", "03")
    assert code == 1 and 'Không có tỉnh mã "03"' in err
    assert not (tmp_path / "x.db").exists()
    before = digest(db)
    code, _, err = cli("init", "--db", db, "--province", "40")
    assert code == 1 and "Đã có tệp" in err
    assert digest(db) == before


def test_core_imports_without_qt():
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import parapp.cli, parapp.engine.office, parapp.engine.aggregate, parapp.engine.compliance\n"
            "import parapp.domain.catalogue, parapp.domain.periods, parapp.store.db\n"
            "assert parapp.cli.main(['--version']) == 0\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "ParApp" in result.stdout, result.stderr


def test_satisfaction_rolls_up_weighted_by_respondents(nghe_an):
    nghe_an.enter("17014", "2025Q1", {"satisfaction_tthc_pct": 90, "satisfaction_tthc_respondents": 100})
    nghe_an.enter("17017", "2025Q1", {"satisfaction_tthc_pct": 60, "satisfaction_tthc_respondents": 300})
    district = nghe_an.unit("17014").parent
    agg = rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025Q1"))
    assert agg.values["satisfaction_tthc_pct"] == pytest.approx(67.5)
    assert agg.values["satisfaction_tthc_respondents"] == 400
    assert not agg.unweighted
    # without respondent counts the plain mean is used, and marked as such
    nghe_an.enter("17014", "2025Q2", {"satisfaction_tthc_pct": 90})
    nghe_an.enter("17017", "2025Q2", {"satisfaction_tthc_pct": 60})
    agg = rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025Q2"))
    assert agg.values["satisfaction_tthc_pct"] == pytest.approx(75)
    assert agg.unweighted == {"satisfaction_tthc_pct"}


def test_a_second_window_opens_a_database_still_open_in_the_first(tmp_path):
    """With WAL the newest header may sit in the -wal file: opening must read it through SQLite."""
    first = Office.create(tmp_path / "o.db", "40")
    first.enter("40", "2025Q1", {"received_new": 5})
    second = Office.open(tmp_path / "o.db")
    assert second.report("40", "2025Q1").own.values == {"received_new": 5}
    second.close()
    first.close()
