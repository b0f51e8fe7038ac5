"""The demo database (parapp.engine.demo) and the bulk writer it uses (parapp.store.values.bulk_write)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time

import pytest

from parapp.domain.catalogue import shipped_catalogue
from parapp.domain.periods import Period
from parapp.engine.demo import Cancelled, make_demo
from parapp.engine.office import Office
from parapp.store import values as value_store

QUARTERS = [f"{y}Q{q}" for y in range(2022, 2026) for q in range(1, 5)]
RETURN = ("carried_over", "received_new", "received_online", "resolved_early", "resolved_on_time",
          "resolved_late", "pending_in_time", "pending_overdue", "late_apologised")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ticks: list[tuple[int, int]] = []
    start = time.perf_counter()
    summary = make_demo(path, progress=lambda done, total: ticks.append((done, total)) or True)
    elapsed = time.perf_counter() - start
    office = Office.open(path)
    yield {"path": path, "summary": summary, "ticks": ticks, "elapsed": elapsed, "office": office}
    office.close()


@pytest.fixture(scope="module")
def returns(demo):
    """{(unit, quarter): {element: value}} of the dossier return, with each unit's level."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    rows = demo["office"].store.conn.execute(
        f"SELECT unit, period, element, value FROM data_values WHERE element IN ({', '.join('?' * len(RETURN))}) "
        "AND period LIKE '____Q_'", RETURN)
    for unit, period, element, value in rows:
        out.setdefault((unit, period), {})[element] = value
    return out


def _levels(office) -> dict[str, str]:
    return {r[0]: r[1] for r in office.store.conn.execute("SELECT code, level FROM units")}


def _balance_ok(v: dict[str, float]) -> bool:
    return v["carried_over"] + v["received_new"] == (v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
                                                     + v["pending_in_time"] + v["pending_overdue"])


# ----------------------------------------------------------------------------------------- the whole


def test_units_and_first_quarter(demo, returns):
    office = demo["office"]
    levels = _levels(office)
    counts = {lvl: sum(1 for v in levels.values() if v == lvl) for lvl in ("province", "district", "commune")}
    assert counts["province"] == 1 and 10 <= counts["district"] <= 15 and counts["commune"] >= 200
    assert demo["summary"]["units"] == len(levels)
    assert demo["summary"]["values"] == office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
    assert demo["summary"]["values"] > 50_000
    # Every commune, every district and the province itself has its dossier return for 2022Q1.
    assert {u for u, p in returns if p == "2022Q1"} == set(levels)
    assert office.province_code == "42" and office.target_set.id == "ha_tinh_2022_2025"
    assert office.officer == "Nguyễn Thị Lan (demo)"


def test_fast_with_progress(demo):
    assert demo["elapsed"] < 10
    ticks = demo["ticks"]
    assert ticks[0][0] == 0 and ticks[-1][0] == ticks[-1][1] and len(ticks) > 100
    assert [d for d, _ in ticks] == sorted(d for d, _ in ticks)


def test_every_value_fits_its_element(demo):
    cat = shipped_catalogue()
    levels = _levels(demo["office"])
    seen = set()
    for unit, period, element, value in demo["office"].store.conn.execute(
            "SELECT unit, period, element, value FROM data_values"):
        el = cat.elements[element]
        assert el.check(value) == value
        assert levels[unit] in el.levels, (unit, element)
        p = Period.parse(period)
        if el.period_type == "year":
            assert p.kind == "Y", (element, period)
        else:  # quarterly, or a year before 2022 as the baseline of a yearly increment (digitisation)
            assert p.kind == "Q" or (p.year == 2021 and element.startswith("results_")), (element, period)
        seen.add(element)
    assert seen == set(cat.elements)  # every element of the catalogue has something to show


def test_volumes_are_plausible(returns, demo):
    levels = _levels(demo["office"])
    received = {lvl: [v["received_new"] for (u, _p), v in returns.items() if levels[u] == lvl]
                for lvl in ("commune", "district", "province")}
    assert 40 <= min(received["commune"]) and max(received["commune"]) <= 450
    assert 450 <= min(received["district"]) and max(received["district"]) <= 3200
    assert 5000 <= min(received["province"]) and max(received["province"]) <= 15000


# ----------------------------------------------------------------------------------------- the dossier return


def test_balance_holds_except_the_deliberate_failures(demo, returns):
    office = demo["office"]
    levels = _levels(office)
    broken = sorted(k for k, v in returns.items() if levels[k[0]] == "commune" and not _balance_ok(v))
    assert 1 <= len(broken) <= 5
    for unit, period in broken:
        assert value_store.get_status(office.store, unit, period).status == "draft"
        assert "balance" in {m.rule for m in office.validate(unit, period) if m.severity == "error"}
    planned = json.loads(office.store.meta("demo"))["failures"]
    assert broken == sorted((f["unit"], f["period"]) for f in planned
                            if f["rule"] == "balance" and levels[f["unit"]] == "commune")


def test_rule_failures_are_few_and_left_in_draft(demo):
    office = demo["office"]
    failing = {}
    for unit, period, status in office.store.conn.execute(
            "SELECT unit, period, status FROM statuses WHERE period LIKE '____Q_'").fetchall():
        messages = office.validate(unit, period)
        assert all(m.severity == "error" for m in messages), (unit, period, messages)  # no stray warnings
        if messages:
            assert status == "draft", (unit, period)
            failing[(unit, period)] = {m.rule for m in messages}
    planned = {(f["unit"], f["period"]): {f["rule"]} for f in json.loads(office.store.meta("demo"))["failures"]}
    assert failing == planned
    rules = set().union(*failing.values())
    assert {"balance", "online_le_received", "apologised_le_late"} <= rules
    assert len({u for u, _ in failing}) >= 4


def test_carried_over_is_the_previous_pending(returns):
    checked = 0
    for (unit, period), v in returns.items():
        prev = str(Period.parse(period).previous())
        if (unit, prev) not in returns:
            continue
        before = returns[(unit, prev)]
        assert v["carried_over"] == before["pending_in_time"] + before["pending_overdue"], (unit, period)
        checked += 1
    assert checked > 3000


def test_on_time_mostly_high_with_a_few_backlogs(returns):
    rates = []
    backlog_units = set()
    for (unit, _p), v in returns.items():
        resolved = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
        rates.append((v["resolved_early"] + v["resolved_on_time"]) / resolved)
        if v["pending_overdue"] >= 3:
            backlog_units.add(unit)
    assert sum(r >= 0.95 for r in rates) / len(rates) > 0.9
    assert min(rates) < 0.95
    assert 3 <= len(backlog_units) <= 40


# ----------------------------------------------------------------------------------------- workflow


def test_statuses_tell_a_story(demo):
    conn = demo["office"].store.conn
    by = {(u, p): (s, r) for u, p, s, r in conn.execute("SELECT unit, period, status, reason FROM statuses")}
    levels = _levels(demo["office"])
    assert {s for s, _ in by.values()} == {"approved", "submitted", "returned", "draft"}
    returned = [(k, r) for k, (s, r) in by.items() if s == "returned"]
    assert returned and all(r for _, r in returned) and all(p == "2025Q3" for (_u, p), _ in returned)
    below = [k for k in by if levels[k[0]] != "province"]
    old = [by[k][0] for k in below if k[1] <= "2025Q2" and "Q" in k[1]]
    assert sum(s == "approved" for s in old) / len(old) > 0.97
    q3 = [by[k][0] for k in below if k[1] == "2025Q3"]
    assert sum(s == "submitted" for s in q3) / len(q3) > 0.7
    assert {by[k][0] for k in by if k[1] == "2025Q4"} == {"draft"}


def test_late_communes_show_in_the_rollup(demo):
    office = demo["office"]
    levels = _levels(office)
    communes = {u for u, lvl in levels.items() if lvl == "commune"}
    q4 = {r[0] for r in office.store.conn.execute("SELECT DISTINCT unit FROM data_values WHERE period = '2025Q4'")}
    q3 = {r[0] for r in office.store.conn.execute("SELECT DISTINCT unit FROM data_values WHERE period = '2025Q3'")}
    missing_q4, missing_q3 = communes - q4, communes - q3
    assert 0.05 <= len(missing_q4) / len(communes) <= 0.12
    assert 1 <= len(missing_q3) < len(missing_q4) and missing_q3 <= missing_q4
    rep = office.report("42", "2025Q4")
    assert rep.rolled.expected == len(levels) - 1
    assert rep.rolled.reported == rep.rolled.expected - len(missing_q4)
    assert office.report("42", "2024Q4").rolled.reported == rep.rolled.expected


def test_history_of_a_returned_and_corrected_quarter(demo):
    office = demo["office"]
    unit = json.loads(office.store.meta("demo"))["resubmitted_2025Q2"]
    steps = [(e.old_status, e.new_status) for e in office.history(unit, "2025Q2") if e.action == "status"]
    assert steps == [(None, "submitted"), ("submitted", "returned"), ("returned", "submitted"),
                     ("submitted", "approved")]
    edits = [e for e in office.history(unit, "2025Q2") if e.action == "value" and e.old_value is not None]
    assert len(edits) == 1 and edits[0].new_comment


# ----------------------------------------------------------------------------------------- roll-up and targets


def test_online_rate_2024_is_computed_from_counts(demo):
    office = demo["office"]
    rep = office.report("42", "2024")
    value = next(r.value for r in rep.rolled_indicators if r.code == "online_rate")
    online, new = office.store.conn.execute(
        "SELECT SUM(CASE WHEN element = 'received_online' THEN value END), "
        "SUM(CASE WHEN element = 'received_new' THEN value END) FROM data_values "
        "WHERE period IN ('2024Q1', '2024Q2', '2024Q3', '2024Q4') AND unit IN "
        "(SELECT unit FROM unit_tree WHERE ancestor = '42')").fetchone()
    assert 30 < value < 70
    assert value == pytest.approx(online / new * 100)


def test_online_rate_rises_over_the_years(demo):
    office = demo["office"]
    rates = [next(r.value for r in office.report("42", str(y)).rolled_indicators if r.code == "online_rate")
             for y in range(2022, 2026)]
    assert rates == sorted(rates)
    assert 15 < rates[0] < 28 and 52 < rates[-1] < 68


def test_some_targets_met_and_some_missed_in_2024(demo):
    office = demo["office"]
    rep = office.report("42", "2024")
    statuses = {(r.code, r.status) for r in rep.indicators + rep.rolled_indicators}
    assert ("new_enterprises", "met") in statuses
    assert ("digitised_results_rate", "missed") in statuses
    district = office.report("441", "2024")
    assert {r.status for r in district.indicators} & {"met", "missed"}


def test_targets_with_baselines_have_their_history(demo):
    office = demo["office"]
    own = {r.code: r for r in office.report("42", "2025").indicators}
    for code in ("public_service_staff", "budget_support", "digitised_results_rate", "sipas_rank", "pci_rank"):
        assert own[code].status in ("met", "missed"), code
    assert own["budget_support"].status == "met" and own["public_service_staff"].status == "met"
    assert own["operating_enterprises"].status == "missed"
    first = {r.code: r for r in office.report("42", "2022").indicators}
    assert first["digitised_results_rate"].status in ("met", "missed")  # needs 2021, which is there
    ranks = office.store.conn.execute("SELECT period, value FROM data_values WHERE unit = '42' AND "
                                      "element = 'rank_pci' ORDER BY period").fetchall()
    assert [p for p, _ in ranks] == [str(y) for y in range(2021, 2026)]
    assert all(abs(a[1] - b[1]) <= 4 for a, b in zip(ranks, ranks[1:], strict=False))


def test_deliberate_misses_in_2025(demo):
    office = demo["office"]
    scenario = json.loads(office.store.meta("demo"))
    wf = {r.code: r for r in office.report(scenario["low_workfiles"], "2025").indicators}["e_workfile_rate"]
    assert wf.status == "missed" and wf.value < 80
    for code in scenario["low_satisfaction"]:
        sat = {r.code: r for r in office.report(code, "2024").indicators}["satisfaction_tthc"]
        assert sat.value < 88


def test_show_json_through_the_command_line(demo, cli):
    code, out, err = cli("show", "--db", demo["path"], "--unit", "42", "--period", "2024", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["unit"] == "42" and data["target_set"] == "ha_tinh_2022_2025"
    assert data["reported"] == data["expected"] > 200
    online = next(i for i in data["rollup"]["indicators"] if i["code"] == "online_rate")
    assert 30 < online["value"] < 70
    code, out, err = cli("show", "--db", demo["path"], "--unit", "42", "--period", "2025Q4", "--lang", "en")
    assert code == 0, err
    assert "ROLL-UP" in out


# ----------------------------------------------------------------------------------------- making it


def _fingerprint(path) -> str:
    office = Office.open(path)
    try:
        rows = office.store.conn.execute("SELECT unit, period, element, value, comment FROM data_values "
                                         "ORDER BY unit, period, element").fetchall()
        statuses = office.store.conn.execute("SELECT unit, period, status, reason FROM statuses "
                                             "ORDER BY unit, period").fetchall()
    finally:
        office.close()
    return hashlib.sha256(repr([tuple(r) for r in rows + statuses]).encode()).hexdigest()


def test_same_seed_same_database_through_the_command(demo, cli, tmp_path):
    path = tmp_path / "again.db"
    code, out, err = cli("demo", "--kind", "three-tier", "--db", path)
    assert code == 0, err
    assert str(demo["summary"]["values"]) in out.replace(".", "").replace(",", "")
    assert _fingerprint(path) == _fingerprint(demo["path"])
    code, out, _ = cli("demo", "--kind", "three-tier", "--db", path)
    assert code == 0 and "--force" in out


def test_cancel_removes_the_partial_file(tmp_path):
    path = tmp_path / "cancelled.db"
    with pytest.raises(Cancelled):
        make_demo(path, progress=lambda done, total: done < 5)
    assert not path.exists()
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------------------- bulk_write


def test_bulk_write_values_audit_and_statuses(nghe_an):
    store = nghe_an.store
    rows = [("40", "2021Q1", "received_new", 100.0, None), ("40", "2021Q1", "received_online", 20.0, " ghi chú "),
            ("40", "2021", "rank_pci", 30.0, None)]
    n = value_store.bulk_write(store, rows, "Cán bộ A", "import", [("40", "2021", "submitted", None)])
    assert n == 3
    assert {r[0] for r in store.conn.execute("SELECT period FROM periods_used")} == {"2021Q1", "2021"}
    stored = value_store.stored_values(store, "40", "2021Q1")
    assert stored["received_online"].comment == "ghi chú" and stored["received_new"].source == "import"
    audit = value_store.audit_log(store, "40")
    assert [(e.action, e.element, e.new_value, e.source) for e in audit if e.action == "value"] == [
        ("value", "received_new", 100.0, "import"), ("value", "received_online", 20.0, "import"),
        ("value", "rank_pci", 30.0, "import")]
    # A unit-period whose values changed without a status in the call is a draft; the other as asked.
    assert value_store.get_status(store, "40", "2021Q1").status == "draft"
    assert value_store.get_status(store, "40", "2021").status == "submitted"
    # Unchanged rows are skipped; a change records the old value; a submitted period goes back to draft.
    n = value_store.bulk_write(store, [("40", "2021", "rank_pci", 30.0, None), ("40", "2021", "rank_papi", 9.0, None)],
                               "Cán bộ B", "import")
    assert n == 1
    assert value_store.get_status(store, "40", "2021").status == "draft"
    n = value_store.bulk_write(store, [("40", "2021Q1", "received_new", 120.0, None)], "Cán bộ B", "import",
                               [("40", "2021Q1", "submitted", None), ("40", "2021Q1", "returned", "Sai số liệu")])
    assert n == 1
    last = value_store.audit_log(store, "40", "2021Q1")
    assert (last[-3].old_value, last[-3].new_value) == (100.0, 120.0)
    assert [(e.old_status, e.new_status, e.reason) for e in last[-2:]] == [
        ("draft", "submitted", None), ("submitted", "returned", "Sai số liệu")]
    assert value_store.get_status(store, "40", "2021Q1") == value_store.Status(
        "returned", "Cán bộ B", last[-1].at, "Sai số liệu")


def test_bulk_write_is_all_or_nothing(nghe_an):
    store = nghe_an.store
    # An unknown unit breaks the foreign key of statuses: the caller's bug (callers check units first), so
    # it is not dressed up as the environment's; nothing is written all the same.
    with pytest.raises(sqlite3.IntegrityError):
        value_store.bulk_write(store, [("40", "2021Q1", "received_new", 1.0, None)], "A", "import",
                               [("99999", "2021Q1", "draft", None)])
    assert store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'value'").fetchone()[0] == 0
    with pytest.raises(ValueError):
        value_store.bulk_write(store, (), "A", "import", [("40", "2021Q1", "done", None)])
