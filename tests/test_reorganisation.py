"""The July 2025 reorganisation: the official mapping, carrying a database across it, comparable series."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from parapp.domain import unitlists
from parapp.domain.periods import Period
from parapp.engine import reorganise as ro
from parapp.engine.demo import make_demo
from parapp.engine.office import Office
from parapp.i18n import ParAppError
from parapp.resources import resource_path
from parapp.store import units as us
from parapp.store import values as vs

RETURN = ("carried_over", "received_new", "received_online", "resolved_early", "resolved_on_time",
          "resolved_late", "pending_in_time", "pending_overdue", "late_apologised")
RESOLVED = ("resolved_early", "resolved_on_time", "resolved_late")


# ------------------------------------------------------------------------------------------ the mapping


@pytest.fixture(scope="module")
def mapping():
    return unitlists.reorganisation_2025()


def test_mapping_file_is_clean():
    path = resource_path(*unitlists.REORGANISATION_CSV)
    text = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    rows = list(csv.DictReader(text.splitlines()))
    order = {"province": 0, "district": 1, "commune": 2}
    keys = [(order[r["level"]], r["old_code"], r["new_code"]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_provinces_merge_as_resolution_202(mapping):
    new_of = {s.old_code: s.new_code for s in mapping if s.level == "province"}
    old_of: dict[str, set[str]] = defaultdict(set)
    for old, new in new_of.items():
        old_of[new].add(old)
    assert len(new_of) == 63 and len(old_of) == 34
    assert {u.code for u in unitlists.official_units(3) if u.level == "province"} == set(new_of)
    assert {u.code for u in unitlists.official_units(2) if u.level == "province"} == set(old_of)
    assert old_of["08"] == {"02", "08"}  # Hà Giang + Tuyên Quang -> Tuyên Quang
    assert old_of["92"] == {"92", "93", "94"}  # Cần Thơ + Hậu Giang + Sóc Trăng -> Cần Thơ
    assert old_of["79"] == {"74", "77", "79"}  # Bình Dương + Bà Rịa - Vũng Tàu + TP Hồ Chí Minh
    assert old_of["48"] == {"48", "49"}  # Đà Nẵng + Quảng Nam
    assert old_of["31"] == {"30", "31"}  # Hải Dương + Hải Phòng
    assert old_of["91"] == {"89", "91"}  # An Giang + Kiên Giang -> An Giang (code of Kiên Giang)
    assert old_of["25"] == {"17", "25", "26"}  # Hòa Bình + Phú Thọ + Vĩnh Phúc -> Phú Thọ
    for kept in ("01", "46", "12", "11", "14", "20", "22", "38", "40", "42", "04"):  # the eleven unchanged
        assert old_of[kept] == {kept}
    assert sum(1 for olds in old_of.values() if len(olds) == 1) == 11


def test_every_old_commune_has_a_successor_in_its_new_province(mapping):
    three = {u.code: u for u in unitlists.official_units(3)}
    two = {u.code: u for u in unitlists.official_units(2)}
    new_province = {s.old_code: s.new_code for s in mapping if s.level == "province"}

    def province_of(code: str) -> str:
        while three[code].parent:
            code = three[code].parent
        return code

    succ: dict[str, list] = defaultdict(list)
    for s in mapping:
        if s.level != "province":
            succ[s.old_code].append(s)
    for code, u in three.items():
        if u.level != "commune":
            continue
        links = succ[code]
        assert links, f"{u.name} ({code}) has no successor"
        for s in links:
            assert two[s.new_code].level == "commune"
            assert two[s.new_code].parent == new_province[province_of(code)], (code, s.new_code)
        assert sum(s.default for s in links) == 1
        assert all(s.divided == (len(links) > 1) for s in links)
    # every new commune was made of something
    made_of = {s.new_code for s in mapping if s.level != "province"}
    assert made_of == {c for c, u in two.items() if u.level == "commune"}


def test_decisions_where_the_sources_disagree(mapping):
    """What packaging/make_reorganisation.py decided, pinned."""
    by_old: dict[str, list[str]] = defaultdict(list)
    for s in mapping:
        by_old[(s.level, s.old_code)].append(s.new_code)
    # Codes renumbered in early 2025: Phường 14 of Bình Thạnh is 26935 in ParApp's list, 26929 in the package.
    assert by_old[("commune", "26935")] == by_old[("commune", "26935")] and by_old[("commune", "26935")]
    # Found by an alias the package lists: Xã Đông Khê (16387) took in Xã Đông Anh as 16408.
    assert by_old[("commune", "16387")] == ["16378"]
    # Listed nowhere in the package: the successor of the communes beside it (a guess, said in the file).
    assert by_old[("commune", "16411")] == ["16378"]
    assert by_old[("commune", "25186")] == ["25159"]
    # The island districts with no communes became special zones.
    assert by_old[("district", "318")] and unitlists.find_official(2, by_old[("district", "318")][0]).kind == "đặc khu"
    # A new commune numbered differently by the two packages keeps ParApp's (vietnam-provinces') code.
    assert unitlists.find_official(2, "00196").name == "Phường Văn Miếu - Quốc Tử Giám"
    rows = {(r["level"], r["old_code"]): r["via"] for r in csv.DictReader(
        resource_path(*unitlists.REORGANISATION_CSV).read_text(encoding="utf-8").splitlines())}
    assert rows[("commune", "16411")].startswith("guess")
    assert rows[("commune", "26935")].startswith("26929 ")


def test_divided_communes_have_one_default(mapping):
    divided = defaultdict(list)
    for s in mapping:
        if s.divided:
            divided[s.old_code].append(s)
    assert len(divided) > 400
    assert all(sum(s.default for s in links) == 1 and len(links) >= 2 for links in divided.values())


# ------------------------------------------------------------------------------------------ carrying a database


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("reorg") / "demo.db"
    make_demo(path)
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    office = Office.open(path)
    yield office
    office.close()


def _dump(store, old_ids: int | None = None) -> dict[str, list]:
    c = store.conn
    out = {}
    for table, order in (("units", "code"), ("data_values", "unit, period, element"), ("statuses", "unit, period"),
                         ("unit_tree", "ancestor, unit")):
        out[table] = [tuple(r) for r in c.execute(f"SELECT * FROM {table} ORDER BY {order}")]
    limit = old_ids if old_ids is not None else c.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    out["audit_log"] = [tuple(r) for r in c.execute("SELECT * FROM audit_log WHERE id <= ? ORDER BY id", (limit,))]
    return out


def test_reorganise_keeps_the_old_rows_and_adds_the_new(demo):
    before = _dump(demo.store)
    last_audit = before["audit_log"][-1][0]
    plan = ro.reorganise(demo)
    after = _dump(demo.store, last_audit)
    old_codes = {r[0] for r in before["units"]}
    assert [r for r in after["units"] if r[0] in old_codes] == before["units"]
    assert after["data_values"] == before["data_values"]
    assert after["statuses"] == before["statuses"]
    assert after["audit_log"] == before["audit_log"]
    assert set(before["unit_tree"]) <= set(after["unit_tree"])
    # Hà Tĩnh kept its territory: one province across the change, 69 new communes below it.
    assert plan.continuing and demo.office_code == "42" and demo.tiers == 2
    # The first round's demo kept recording under the old units after June 2025: said, kept, not rolled up.
    assert plan.late_values > 1000 and "30/6/2025" in plan.late_note().vi
    new = us.children(demo.store, "42", period=Period.parse("2026Q1"))
    assert len(new) == 69 and all(u.level == "commune" and u.valid_from == "2025-07-01" for u in new)
    old = us.children(demo.store, "42", period=Period.parse("2024Q4"))
    assert len(old) == 12 and all(u.level == "district" and u.valid_to == "2025-06-30" for u in old)
    # A new commune whose official code an old commune holds here gets its own key and keeps the code.
    thanh_sen = us.get_unit(demo.store, us.resolve(demo.store, "18073", Period.parse("2026Q1")))
    assert thanh_sen.name == "Phường Thành Sen" and thanh_sen.code == "18073-2025"
    assert thanh_sen.official_code == "18073"
    assert us.get_unit(demo.store, us.resolve(demo.store, "18073", Period.parse("2024Q1"))).name == "Phường Nam Hà"
    # ...found by index, not by reading every unit (an import resolves a code per file)
    plan = " ".join(r[-1] for r in demo.store.conn.execute("EXPLAIN QUERY PLAN " + us._RESOLVE, ("18073",)))
    assert "SEARCH u USING INDEX" in plan and "SCAN u" not in plan
    # Run again: nothing changes.
    snapshot = _dump(demo.store)
    again = ro.reorganise(demo)
    assert again.already and _dump(demo.store) == snapshot


def test_three_communes_make_one_rate(demo):
    ro.reorganise(demo)
    store = demo.store
    # A new commune made of three old ones, none of them divided.
    rows = store.conn.execute(
        "SELECT successor FROM unit_links GROUP BY successor HAVING count(*) = 3 AND max(divided) = 0 "
        "ORDER BY successor").fetchall()
    assert rows
    new = rows[0][0]
    olds = [link.predecessor for link in us.predecessors(store, new)]
    sums = dict.fromkeys(RETURN, 0.0)
    for old in olds:
        own = demo.figures(old, Period.for_year(2024))[0].values
        for code in RETURN:
            sums[code] += own[code]
    by_hand = sum(sums[c] for c in RESOLVED) / (sums["carried_over"] + sums["received_new"]) * 100
    rep = demo.report(new, "2024")
    rate = next(r for r in rep.indicators if r.code == "resolution_rate")
    assert rate.value == pytest.approx(by_hand, abs=1e-9)
    assert rep.lineage is not None and rep.lineage.status == "combined"
    names = [demo.unit(o).name for o in olds]
    assert all(n in rep.lineage.note().vi for n in names)


def test_a_divided_commune_counts_once(demo):
    ro.reorganise(demo)
    store = demo.store
    year = Period.for_year(2024)
    new_units = us.children(store, "42", period=Period.parse("2026Q1"))
    divided = sorted({r[0] for r in store.conn.execute("SELECT predecessor FROM unit_links WHERE divided = 1")})
    assert divided
    takers = {link.successor for d in divided for link in us.successors(store, d)}
    # Undecided: the new units that took a part say so, and have no figure.
    some = sorted(takers)[0]
    agg, prov = demo.figures(some, year)
    assert prov.status == "not_comparable" and not agg.values
    assert "chia tách" in prov.note().vi and "was divided" in prov.note().en
    # Shares for the first, the default successor for the rest: every old commune is counted once.
    first = us.successors(store, divided[0])
    us.set_division(store, divided[0], "test", {link.successor: share for link, share in
                                                  zip(first, [0.6] + [0.4 / (len(first) - 1)] * (len(first) - 1),
                                                      strict=True)})
    for d in divided[1:]:
        us.set_division(store, d, "test")
    total = sum(demo.figures(u.code, year)[0].values.get("received_new", 0.0) for u in new_units)
    old_communes = [u.code for u in us.subtree(store, "42", period=Period.parse("2024Q4")) if u.level == "commune"]
    expected = sum(demo.figures(c, year)[0].values["received_new"] for c in old_communes)
    assert total == pytest.approx(expected)
    statuses = {demo.figures(u.code, year)[1].status for u in new_units}
    assert statuses == {"combined", "apportioned", "estimated"}
    # Shares that do not add up are refused, and the database is left as it was.
    with pytest.raises(ParAppError):
        us.set_division(store, divided[0], "test", {first[0].successor: 0.5})


def test_new_units_take_figures_only_while_they_exist(demo):
    ro.reorganise(demo)
    new = us.resolve(demo.store, "18073", Period.parse("2026Q1"))
    with pytest.raises(ParAppError) as e:
        demo.enter(new, "2025Q2", {"received_new": "5"})
    assert "01/07/2025" in e.value.message("vi") and "Phường Nam Hà" in e.value.message("vi")
    with pytest.raises(ParAppError) as e:
        demo.enter("18073", "2025Q3", {"received_new": "5"})
    assert "30/06/2025" in e.value.message("vi") and "Phường Thành Sen" in e.value.message("vi")
    assert demo.enter(new, "2025Q3", {"received_new": "5"}) == 1


def _flows_and_stocks(office, units, periods):
    out = dict.fromkeys(RETURN, 0.0)
    for u in units:
        for p in periods:
            vals = vs.stored_values(office.store, u, p)
            for code in RETURN:
                if code in vals:
                    out[code] += vals[code].value
    return out


def test_the_year_2025_is_made_of_both_trees(demo):
    ro.reorganise(demo)
    store = demo.store
    new_units = [u.code for u in us.children(store, "42", period=Period.parse("2025Q3"))]
    rng = random.Random(7)
    for code in new_units[:20]:
        for q in ("2025Q3", "2025Q4"):
            received, carried = rng.randint(50, 200), rng.randint(0, 20)
            pending = rng.randint(0, 10)
            demo.enter(code, q, {"carried_over": carried, "received_new": received, "received_online": received // 2,
                                 "resolved_early": 0, "resolved_on_time": carried + received - pending,
                                 "resolved_late": 0, "pending_in_time": pending, "pending_overdue": 0,
                                 "late_apologised": 0})
    old_units = [u.code for u in us.subtree(store, "42", period=Period.parse("2025Q2"))]
    year = demo.report("42", "2025").rolled.values
    flows = _flows_and_stocks(demo, old_units, ["2025Q1", "2025Q2"])
    later = _flows_and_stocks(demo, new_units + ["42"], ["2025Q3", "2025Q4"])
    assert year["received_new"] == flows["received_new"] + later["received_new"]
    assert year["resolved_on_time"] == flows["resolved_on_time"] + later["resolved_on_time"]
    # The opening stock is the first quarter's, of the old tree; the closing stock the last's, of the new.
    assert year["carried_over"] == _flows_and_stocks(demo, old_units, ["2025Q1"])["carried_over"]
    assert year["pending_in_time"] == _flows_and_stocks(demo, new_units + ["42"], ["2025Q4"])["pending_in_time"]
    # The figures the three-tier demo kept for old units after June 2025 stay, but count in no roll-up.
    assert vs.stored_values(store, old_units[-1], "2025Q4") or vs.stored_values(store, old_units[-2], "2025Q4")


# ------------------------------------------------------------------------------------------ a merged province


@pytest.fixture
def tuyen_quang(tmp_path):
    """Tuyên Quang (08), three tiers, a few communes with figures; Hà Giang (02) merges into it."""
    office = Office.create(tmp_path / "tq.db", "08", tiers=3, officer="Cán bộ thử nghiệm")
    yield office
    office.close()


def _dossiers(received: int, pending: int, carried: int = 0) -> dict[str, int]:
    return {"carried_over": carried, "received_new": received, "received_online": received // 4,
            "resolved_early": 0, "resolved_on_time": carried + received - pending, "resolved_late": 0,
            "pending_in_time": pending, "pending_overdue": 0, "late_apologised": 0}


def test_a_merged_province_carries_both_histories(tuyen_quang, tmp_path):
    office = tuyen_quang
    communes = [u.code for u in us.subtree(office.store, "08") if u.level == "commune"][:6]
    for i, c in enumerate(communes):
        for q in (1, 2):
            office.enter(c, f"2025Q{q}", _dossiers(100 + i, 5, carried=3 if q == 1 else 5))
        office.enter(c, "2024Q4", _dossiers(90 + i, 5))
    plan = ro.reorganise(office)
    assert not plan.continuing and [u.code for u in plan.merged_with] == ["02"]
    new_key = office.office_code
    assert new_key == "08-2025" and office.unit(new_key).official_code == "08"
    assert office.unit(new_key).name == "Tỉnh Tuyên Quang" and office.store.meta("province") == "08"
    # Hà Giang's old units came in, with no figures, so a new commune knows all it was made of.
    assert office.unit("02").name == "Tỉnh Hà Giang" and office.unit("02").valid_to == "2025-06-30"
    assert len(us.children(office.store, new_key, period=Period.parse("2026Q1"))) == 124
    # Hà Giang's old office sends a return from before the change: it lands on the old unit by its code.
    hg = next(u.code for u in us.subtree(office.store, "02") if u.level == "commune")
    office.enter(hg, "2024Q4", _dossiers(1000, 10))
    agg, prov = office.figures(new_key, Period.parse("2024Q4"), below=True)
    assert agg.values["received_new"] == sum(90 + i for i in range(6)) + 1000
    assert {s.unit.code for s in prov.sources} == {"02", "08"}
    # The year 2025: the first half from the old provinces, the second from the new communes.
    new_commune = us.children(office.store, new_key, period=Period.parse("2025Q3"))[0].code
    office.enter(new_commune, "2025Q3", _dossiers(400, 20, carried=30))
    office.enter(new_commune, "2025Q4", _dossiers(500, 25, carried=20))
    year, prov = office.figures(new_key, Period.for_year(2025), below=True)
    assert year.values["received_new"] == sum(2 * (100 + i) for i in range(6)) + 900
    assert year.values["carried_over"] == 6 * 3  # the opening stock: 2025Q1 of the old tree
    assert year.values["pending_in_time"] == 25  # the closing stock: 2025Q4 of the new
    rep = office.report(new_key, "2025")
    assert rep.lineage is not None and rep.rolled.values["received_new"] == year.values["received_new"]


# ------------------------------------------------------------------------------------------ the command line


def test_command_line(demo_file, tmp_path, cli):
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    code, out, _ = cli("reorganise", "--db", path, "--dry-run")
    assert code == 0 and "69" in out and "Tỉnh Hà Tĩnh" in out
    assert Office.open(path).tiers == 3  # a dry run writes nothing
    code, out, _ = cli("--db", path, "reorganise", "--lang", "en")
    assert code == 0 and "The office is now: Tỉnh Hà Tĩnh (42)" in out and "divided" in out
    code, out, _ = cli("reorganise", "--db", path)
    assert code == 0 and "không có gì thay đổi" in out
    code, out, _ = cli("shares", "--db", path)
    assert code == 0 and "Phường Đại Nài" in out and "chưa quyết định" in out
    code, _out, err = cli("shares", "--db", path, "--unit", "18082", "18073=70", "18652=20")
    assert code == 1 and "100%" in err
    code, out, _ = cli("shares", "--db", path, "--unit", "18082", "18073=70", "18652=30")
    assert code == 0
    data = cli.json("show", "--db", path, "--unit", "18073-2025", "--period", "2024")
    assert data["lineage"]["status"] == "apportioned"
    assert {s["name"] for s in data["lineage"]["sources"]} >= {"Phường Nam Hà", "Phường Đại Nài"}
    # By its official code and a period, a unit of either tree.
    assert cli.json("show", "--db", path, "--unit", "18073", "--period", "2024")["unit_name"] == "Phường Nam Hà"
    assert cli.json("show", "--db", path, "--unit", "18073", "--period", "2026Q1")["unit_name"] == "Phường Thành Sen"
    code, _out, err = cli("enter", "--db", path, "--unit", "18073", "--period", "2025Q3", "received_new=5")
    assert code == 0


def test_global_db_option_is_kept(demo_file, tmp_path, cli):
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    assert cli.json("--db", path, "show", "--unit", "42", "--period", "2024Q1")["unit"] == "42"


# ------------------------------------------------------------------------------------------ killed midway


def test_killed_at_random_points_leaves_before_or_after(demo_file, tmp_path):
    rng = random.Random(2025)
    script = ("import sys; from parapp.engine.office import Office; from parapp.engine import reorganise as ro; "
              "o = Office.open(sys.argv[1]); print('ready', flush=True); ro.reorganise(o); print('done', flush=True)")
    outcomes = set()
    for i in range(6):
        path = tmp_path / f"k{i}.db"
        shutil.copy(demo_file, path)
        with Office.open(path) as o:
            before = _dump(o.store)
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Office.open(path) as o:
            now_ = _dump(o.store, before["audit_log"][-1][0])
            done = o.store.meta(ro.META_KEY) is not None
            outcomes.add(done)
            if done:
                assert o.tiers == 2 and len(us.children(o.store, "42", period=Period.parse("2026Q1"))) == 69
                assert now_["data_values"] == before["data_values"]
            else:
                assert now_ == before and o.tiers == 3
                assert o.store.conn.execute("SELECT count(*) FROM unit_spans").fetchone()[0] == 0
            assert o.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert outcomes  # at least one run observed


# ------------------------------------------------------------------------------------------ taking in a neighbour


def test_a_merged_province_takes_in_its_neighbours_database(tuyen_quang, tmp_path, cli):
    office = tuyen_quang
    ha_giang = Office.create(tmp_path / "hg.db", "02", tiers=3, officer="Cán bộ Hà Giang")
    hg_commune = next(u.code for u in us.subtree(ha_giang.store, "02") if u.level == "commune")
    ha_giang.enter(hg_commune, "2024Q4", _dossiers(37657, 4387))
    ha_giang.submit(hg_commune, "2024Q4")
    ha_giang.close()
    hg_file = tmp_path / "hg.db"
    before = hashlib_of(hg_file)
    # Not before the carry-over, and never a province that did not merge into this one.
    with pytest.raises(ParAppError):
        ro.take_in(office, hg_file)
    ro.reorganise(office)
    other = Office.create(tmp_path / "ht.db", "42", tiers=3)
    other.close()
    with pytest.raises(ParAppError) as e:
        ro.take_in(office, tmp_path / "ht.db")
    assert "Tỉnh Hà Giang" in e.value.message("vi")
    (tmp_path / "junk.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(ParAppError):
        ro.take_in(office, tmp_path / "junk.db")
    done = ro.take_in(office, hg_file)
    assert done.values == 9 and done.statuses == 1 and "Tỉnh Hà Giang" in done.summary().vi
    assert hashlib_of(hg_file) == before  # the neighbour's file was only read
    new_key = office.office_code
    agg, prov = office.figures(new_key, Period.parse("2024Q4"), below=True)
    assert agg.values["received_new"] == 37657
    assert vs.get_status(office.store, hg_commune, "2024Q4").status == "submitted"
    hist = vs.audit_log(office.store, hg_commune, "2024Q4")
    assert hist and all(e.source and e.source.startswith("hg.db") for e in hist)
    assert ro.take_in(office, hg_file).already
    code, out, _ = cli("reorganise", "--db", office.store.path, "--take-in", hg_file)
    assert code == 0 and "không có gì thay đổi" in out


def hashlib_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ returns across trees


def test_returns_travel_by_official_code_across_the_change(demo_file, tmp_path):
    from parapp.exchange.returns import apply, export_return, preview

    path = tmp_path / "ht.db"
    shutil.copy(demo_file, path)
    for folder in ("out", "back", "old", "x"):
        (tmp_path / folder).mkdir()
    province = Office.open(path)
    ro.reorganise(province)
    thanh_sen = us.resolve(province.store, "18073", Period.parse("2025Q3"))
    # A fresh two-tier commune office (keys are the official codes) sends its 2025Q3 return.
    commune = Office.create(tmp_path / "c.db", "42", office="18073", tiers=2, officer="Cán bộ phường")
    commune.enter("18073", "2025Q3", _dossiers(321, 12, carried=10))
    out = export_return(commune, "18073", "2025Q3", tmp_path / "out")
    commune.close()
    pv = preview(province, [out])
    assert pv[0].acceptable, pv[0].refused and pv[0].refused.message("vi")
    assert pv[0].unit.code == thanh_sen
    apply(province, pv, {out})
    assert vs.stored_values(province.store, thanh_sen, "2025Q3")["received_new"].value == 321
    # The reorganised province's return of a new commune carries the official code, not the key.
    back = export_return(province, thanh_sen, "2025Q3", tmp_path / "back")
    assert "_18073_" in back.name
    # An old commune's return for 2024 still lands on the old commune.
    old = export_return(province, "18073", "2024Q1", tmp_path / "old")
    assert "Phường Nam Hà" in preview(province, [old])[0].unit.name
    # A return of a new commune for a time before it existed is refused, naming where the figures belong.
    with pytest.raises(ParAppError) as e:
        export_return(province, thanh_sen, "2025Q1", tmp_path / "x")
    assert "01/07/2025" in e.value.message("vi")
    province.close()


# ------------------------------------------------------------------------------------------ the assistant


def test_the_assistant_carries_over_and_sets_shares(qtbot, demo_file, tmp_path):
    pytest.importorskip("PySide6")
    from parapp.gui.mainwindow import MainWindow
    from parapp.gui.reorganise_dialog import ReorganiseDialog
    from parapp.i18n import set_language

    set_language("vi")
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    office = Office.open(path)
    w = MainWindow(office, None, Period.parse("2025Q2"))
    qtbot.addWidget(w)
    w.show()
    assert w.tiers_hint.isVisible() and "two-tier" in w.tiers_hint.text()
    dlg = ReorganiseDialog(office, w)
    qtbot.addWidget(dlg)
    dlg.show()
    assert "69" in dlg.summary.text() and dlg.office_combo.currentData() == "42"
    assert office.tiers == 3  # the first page writes nothing
    dlg.run()
    qtbot.waitUntil(lambda: dlg.pages.currentIndex() == 1, timeout=20000)
    assert office.tiers == 2 and dlg.changed
    rows = {(p, s): r for r, (p, s) in enumerate(dlg._rows)}
    dai_nai = [(r, s) for (p, s), r in rows.items() if p == "18082"]
    assert len(dai_nai) == 2
    dlg.table.item(dai_nai[0][0], 3).setText("55")
    dlg.table.item(dai_nai[1][0], 3).setText("40")
    dlg.save_shares()
    assert "100" in dlg.shares_error.text() and us.division(office.store, "18082") is None
    dlg.table.item(dai_nai[1][0], 3).setText("45")
    dlg.save_shares()
    assert dlg.shares_error.text() == "" and us.division(office.store, "18082") == "shares"
    assert {link.successor: round(link.share, 2) for link in us.successors(office.store, "18082")} == {
        dai_nai[0][1]: 0.55, dai_nai[1][1]: 0.45}
    dlg.use_defaults()
    assert us.division(office.store, "18796") == "default"
    dlg.accept()
    w.close()
    office.close()


# ------------------------------------------------------------------------------------------ found by an adversary


def test_take_in_reads_any_file_name_only(tuyen_quang, tmp_path, cli):
    ha_giang = Office.create(tmp_path / "src.db", "02", tiers=3)
    commune = next(u.code for u in us.subtree(ha_giang.store, "02") if u.level == "commune")
    ha_giang.enter(commune, "2024Q4", _dossiers(100, 4))
    # Both offices numbered a unit of their own N0001: the neighbour's gets a new code here.
    us.add_unit(ha_giang.store, next(u.code for u in us.children(ha_giang.store, "02")), "Xã Thêm", "x")
    us.add_unit(tuyen_quang.store, next(u.code for u in us.children(tuyen_quang.store, "08")), "Xã Riêng", "x")
    ha_giang.close()
    odd = tmp_path / "hà giang #1 ?x=%20.db"
    shutil.copy(tmp_path / "src.db", odd)
    def neighbours() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("hà giang", "src", "hà")))

    before = neighbours()
    path = tuyen_quang.store.path
    tuyen_quang.close()
    # A file that cannot be taken in is found before anything is written.
    snapshot = hashlib_of(path)
    code, _out, err = cli("reorganise", "--db", path, "--take-in", tmp_path / "missing.db")
    assert code == 1 and "missing.db" in err and hashlib_of(path) == snapshot
    code, out, err = cli("reorganise", "--db", path, "--take-in", odd)
    assert code == 0, err
    assert "Đã nhận số liệu của Tỉnh Hà Giang" in out and "thêm 124 xã" in out
    assert neighbours() == before  # no -wal, -shm or stray file beside the neighbour's
    with Office.open(path) as office:
        names = {u.name for u in us.subtree(office.store, "02", include_retired=True)}
        assert "Xã Thêm" in names and office.unit("N0001").name == "Xã Riêng"
    # A dry run with a file to take in writes nothing.
    other = tmp_path / "again.db"
    shutil.copy(tmp_path / "src.db", other)
    snapshot = hashlib_of(path)
    code, out, _ = cli("reorganise", "--db", path, "--dry-run", "--take-in", other)
    assert code == 0 and hashlib_of(path) == snapshot


def test_shares_of_an_old_commune_whose_code_a_new_one_kept(tmp_path, cli):
    path = tmp_path / "demo.db"
    from parapp.engine.demo_today import make_today_demo

    make_today_demo(path, today=__import__("datetime").date(2026, 12, 2))
    with Office.open(path) as office:
        store = office.store
        pred = next(p for (p,) in store.conn.execute(
            "SELECT DISTINCT predecessor FROM unit_links WHERE divided = 1")
            if any(u.official_code == p and u.code != p for u in us.children(store, office.office_code)))
        succ = [office.unit(link.successor).official_code for link in us.successors(store, pred)]
    code, out, err = cli("shares", "--db", path, "--unit", pred, f"{succ[0]}=70", *(f"{s}=30" for s in succ[1:2]),
                         *(f"{s}=0" for s in succ[2:]))
    assert code == 0, err
    with Office.open(path) as office:
        assert us.division(office.store, pred) == "shares"
    code, _out, err = cli("shares", "--db", path, f"{succ[0]}=100")
    assert code == 1 and "--unit" in err


def test_a_new_commune_takes_the_year_2025s_yearly_figures(demo):
    ro.reorganise(demo)
    new = us.resolve(demo.store, "18073", Period.parse("2025Q3"))
    assert demo.enter(new, "2025", {"commune_officials": "24", "commune_officials_standard": "22"}) == 2
    with pytest.raises(ParAppError):
        demo.enter("18073", "2025", {"commune_officials": "24"})  # the old commune ended in June
