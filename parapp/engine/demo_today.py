"""The demo of today: the new Cần Thơ (92), two tiers since 1 July 2025, with its history carried from its
three-tier predecessors, Cần Thơ, Hậu Giang and Sóc Trăng.

Why Cần Thơ: of the provinces merged in 2025 it is the only one a shipped target set reaches today. Sóc
Trăng's resolution 10-NQ/TU runs to 2030, so it keeps judging the communes of the former Sóc Trăng (its
thresholds from 2025 to 2030, +20 points of digitisation a year, ranks that must improve from 2026), and
the first screen shows statuses and targets; Hà Giang's 2019 figures, the other candidate (Tuyên Quang),
have no target set that reaches past 2021.

What it holds, every figure drawn from random.Random(seed):
* the old tree (3 provinces, their districts and communes), quarterly figures from 2022Q1 to 2025Q2 and
  yearly ones from 2021 to 2024, approved; the old Cần Thơ office's own database was carried over by
  ``reorganise``, Hậu Giang's and Sóc Trăng's figures taken in after it;
* the new province and its 103 communes from 2025Q3 to the last quarter whose data window has closed
  (today's reporting period), each new commune's figures continuing those of the communes it was made of
  (its first quarter opens with what they left pending), the year 2025's yearly figures;
* the reporting period caught mid-stream: late communes, returns waiting for approval, a few returned with a
  reason, drafts that fail a check, targets missed; the divided old communes decided (shares, or the
  default successor), but for one left undecided, whose successors say "not comparable" before July 2025.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from parapp.domain.periods import Period, periods_between, reporting_period
from parapp.engine import reorganise as ro
from parapp.engine.demo import (
    _RETURN_REASONS,
    Progress,
    _clamp,
    _discard,
    _dossier_return,
    _Flow,
    _name,
    _pct,
    _ramp,
    _Rows,
    _tick,
)
from parapp.engine.lineage import figures
from parapp.i18n import ParAppError
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.units import Unit

OLD_PROVINCES = ("92", "93", "94")  # Cần Thơ, Hậu Giang, Sóc Trăng
NEW_PROVINCE = "92"
OFFICER = "Trần Thị Mai (demo)"
SOURCE = "demo"
FIRST = Period.quarter(2022, 1)
LAST_OLD = Period.quarter(2025, 2)
FIRST_NEW = Period.quarter(2025, 3)


@dataclass(frozen=True)
class _Character:
    """What makes one commune's figures its own; a new commune's is its predecessors' combined."""

    base: float  # new dossiers in a plain quarter of 2022
    urban: bool
    online: tuple[float, float]  # share received online, first and last quarter of the time line
    pay: float
    pay_online: tuple[float, float]
    transfers: float
    transfers_e: tuple[float, float]
    workfiles: float
    workfiles_online: tuple[float, float]
    no_resub: tuple[float, float]
    satisfaction: float
    valid0: float  # valid results in 2021
    digitised: dict[int, float]  # year-end share digitised, 2021 on
    officials: int
    standard: tuple[float, float]
    adults: float
    bank: tuple[float, float]
    backlog: bool


def _draw(rng: random.Random, unit: Unit, years: range) -> _Character:
    urban = unit.kind in ("phường", "thị trấn")
    rates = {2021: _clamp(rng.gauss(0.17, 0.04), 0.08, 0.3)}
    lag = rng.random() < 0.12
    for y in years:
        if y > 2021:
            rates[y] = min(1.0, rates[y - 1] + (rng.uniform(0.12, 0.17) if lag else rng.uniform(0.19, 0.24)))
    bank0 = rng.uniform(0.5, 0.7)
    return _Character(
        base=rng.uniform(150, 270) if urban else rng.uniform(60, 190), urban=urban,
        online=(_clamp(rng.gauss(0.15, 0.04), 0.04, 0.3), _clamp(rng.gauss(0.68, 0.06), 0.45, 0.85)),
        pay=rng.uniform(0.25, 0.4), pay_online=(0.06 + rng.gauss(0, 0.03), 0.45 + rng.gauss(0, 0.05)),
        transfers=rng.uniform(0.08, 0.18), transfers_e=(0.45 + rng.gauss(0, 0.04), 0.9 + rng.gauss(0, 0.05)),
        workfiles=rng.uniform(120, 350), workfiles_online=(0.3 + rng.gauss(0, 0.06), 0.75 + rng.gauss(0, 0.07)),
        no_resub=(0.4 + rng.gauss(0, 0.04), 0.88 + rng.gauss(0, 0.05)),
        satisfaction=rng.uniform(78, 83) if rng.random() < 0.03 else rng.uniform(88.5, 95.0),
        valid0=rng.uniform(3000, 9000) if urban else rng.uniform(1500, 6000), digitised=rates,
        officials=rng.randint(18, 24), standard=(rng.uniform(0.68, 0.88), rng.uniform(0.9, 1.0)),
        adults=rng.uniform(5000, 12000) if urban else rng.uniform(2800, 9000),
        bank=(bank0, min(0.95, bank0 + rng.uniform(0.15, 0.28))), backlog=rng.random() < 0.05)


def _combine(rng: random.Random, parts: list[tuple[_Character, float]], unit: Unit) -> _Character:
    """A new commune's character: its predecessors' added up (sizes) or weighted by size (shares)."""
    total = sum(c.base * s for c, s in parts) or 1.0

    def mean(get) -> float:
        return sum(get(c) * c.base * s for c, s in parts) / total

    def pair(get) -> tuple[float, float]:
        return mean(lambda c: get(c)[0]), mean(lambda c: get(c)[1])

    years = sorted(parts[0][0].digitised)
    return _Character(
        base=total, urban=unit.kind == "phường", online=pair(lambda c: c.online), pay=mean(lambda c: c.pay),
        pay_online=pair(lambda c: c.pay_online), transfers=mean(lambda c: c.transfers),
        transfers_e=pair(lambda c: c.transfers_e), workfiles=sum(c.workfiles * s for c, s in parts),
        workfiles_online=pair(lambda c: c.workfiles_online), no_resub=pair(lambda c: c.no_resub),
        satisfaction=mean(lambda c: c.satisfaction) + rng.gauss(0, 0.5),
        valid0=sum(c.valid0 * s for c, s in parts),
        digitised={y: mean(lambda c, y=y: c.digitised[y]) for y in years},
        officials=max(18, round(sum(c.officials * s for c, s in parts) * 0.45)),
        standard=pair(lambda c: c.standard), adults=sum(c.adults * s for c, s in parts),
        bank=pair(lambda c: c.bank), backlog=any(c.backlog for c, _s in parts))


def _commune_rows(rng: random.Random, rows: _Rows, ch: _Character, line: list[Period], active: list[Period],
                  years: list[int], carried: int | None, failure: dict[str, str]) -> dict[str, dict[str, int]]:
    """A commune's quarterly and yearly figures over the active part of the time line."""
    n = len(line)
    flow = _Flow(base=ch.base, growth=1.04, online_start=ch.online[0], online_end=ch.online[1],
                 pending=(0.03, 0.08) if not ch.backlog else (0.08, 0.14),
                 overdue=(0.0, 0.0) if not ch.backlog else (0.25, 0.55),
                 late=(0.0, 0.03) if not ch.backlog else (0.04, 0.09), early=rng.uniform(0.3, 0.7),
                 apology=rng.uniform(0.6, 1.0), lo=40, hi=2000)
    # The dossier return runs over the active quarters only, so that a new commune opens with what its
    # predecessors left pending; its online share continues along the whole time line.
    first = line.index(active[0])
    span = (n - 1) or 1
    flow = replace(flow, online_start=ch.online[0] + (ch.online[1] - ch.online[0]) * first / span,
                   online_end=ch.online[0] + (ch.online[1] - ch.online[0]) * line.index(active[-1]) / span)
    written = _dossier_return(rng, rows, flow, set(), failure,
                              "Hồ sơ đất đai chờ xác minh nguồn gốc sử dụng đất." if ch.backlog else None,
                              quarters=active, carried=carried)
    ramps = {name: _ramp(rng, lo, hi, 0.0, 0.01, n) for name, (lo, hi) in (
        ("pay", ch.pay_online), ("transfers", ch.transfers_e), ("workfiles", ch.workfiles_online),
        ("no_resub", ch.no_resub))}
    for p in active:
        if str(p) not in written:
            continue
        i = line.index(p)
        received = written[str(p)]["received_new"]
        rows.ratio(p, "payments_online", "payments_total", received * ch.pay * rng.uniform(0.9, 1.1), ramps["pay"](i))
        rows.ratio(p, "transfers_electronic", "transfers_total", received * ch.transfers * rng.uniform(0.9, 1.1),
                   ramps["transfers"](i))
        rows.ratio(p, "workfiles_online", "workfiles_total", ch.workfiles * rng.uniform(0.85, 1.15),
                   ramps["workfiles"](i))
        rows.ratio(p, "users_no_resubmission", "users_total", received, ramps["no_resub"](i))
        rows.put(p, "satisfaction_tthc_pct", _pct(ch.satisfaction + 1.5 * i / span + rng.gauss(0, 1.0)))
        rows.put(p, "satisfaction_tthc_respondents", rng.randint(15, 60))
        y = p.year
        rate = ch.digitised.get(y - 1, ch.digitised[2021]) + (
            ch.digitised.get(y, 1.0) - ch.digitised.get(y - 1, ch.digitised[2021])) * p.index / 4
        rows.ratio(p, "results_digitised", "results_valid", ch.valid0 * 1.015 ** (i + 1), rate)
    for y in years:
        share = min(1.0, (y - 2021) / 5)
        if y == 2021:
            rows.ratio(y, "results_digitised", "results_valid", ch.valid0, ch.digitised[2021])
        rows.put(y, "committees_new_rural", 0 if ch.urban else 1)
        rows.put(y, "committees_iso_9001", 0 if ch.urban or rng.random() < 0.4 else 1)
        officials = ch.officials + rng.choice((-1, 0, 0, 1))
        rows.ratio(y, "commune_officials_standard", "commune_officials", officials,
                   ch.standard[0] + (ch.standard[1] - ch.standard[0]) * share)
        rows.ratio(y, "officials_trained", "officials_total", officials + rng.randint(0, 3),
                   0.8 + 0.2 * share * rng.uniform(0.85, 1.0))
        rows.ratio(y, "adults_with_bank_account", "adults_total", ch.adults * 1.008 ** (y - 2021),
                   ch.bank[0] + (ch.bank[1] - ch.bank[0]) * share)
    return written


def _office_rows(rng: random.Random, rows: _Rows, level: str, line: list[Period], active: list[Period],
                 years: list[int], scale: float, carried: int | None = None) -> None:
    """The own figures of a province or district office (its departments' dossiers and the rest)."""
    n = len(line)
    flow = _Flow(base=scale, growth=1.05, online_start=0.2, online_end=0.7, pending=(0.07, 0.12),
                 overdue=(0.0, 0.04), late=(0.0, 0.02), early=0.45, apology=0.9, lo=300, hi=80000)
    span = n - 1
    first, last = line.index(active[0]), line.index(active[-1])
    flow = replace(flow, online_start=0.2 + 0.5 * first / span, online_end=0.2 + 0.5 * last / span)
    written = _dossier_return(rng, rows, flow, set(), {}, None, quarters=active, carried=carried)
    dvc, pay_proc = _ramp(rng, 0.84, 1.0, noise=0, n=n), _ramp(rng, 0.4, 0.88, n=n)
    pay_online, transfers_e = _ramp(rng, 0.1, 0.45, n=n), _ramp(rng, 0.55, 0.9, n=n)
    workfiles_online, inspections_d = _ramp(rng, 0.6, 0.92, n=n), _ramp(rng, 0.2, 0.62, n=n)
    no_resub, internal_pub = _ramp(rng, 0.45, 0.86, n=n), _ramp(rng, 0.5, 0.95, n=n)
    big = level == "province"
    for p in active:
        i = line.index(p)
        received = written[str(p)]["received_new"]
        rows.ratio(p, "procedures_dvc_l34", "procedures_eligible_online", (1000 if big else 230) + 4 * i, dvc(i))
        rows.ratio(p, "fee_procedures_online_payment", "fee_procedures", 540 if big else 110, pay_proc(i))
        rows.ratio(p, "payments_online", "payments_total", received * 0.33 * rng.uniform(0.9, 1.1), pay_online(i))
        rows.ratio(p, "transfers_electronic", "transfers_total", received * 0.25 * rng.uniform(0.9, 1.1),
                   transfers_e(i))
        rows.ratio(p, "workfiles_online", "workfiles_total", (7000 if big else 2500) * rng.uniform(0.85, 1.15),
                   workfiles_online(i))
        rows.ratio(p, "inspections_digital", "inspections_total", rng.randint(30, 60) if big else rng.randint(4, 12),
                   inspections_d(i))
        rows.ratio(p, "users_no_resubmission", "users_total", received, no_resub(i))
        rows.ratio(p, "internal_procedures_published", "internal_procedures_total", 280 if big else 60,
                   internal_pub(i))
        rows.put(p, "satisfaction_tthc_pct", _pct(89 + 4 * i / span + rng.gauss(0, 0.7)))
        rows.put(p, "satisfaction_tthc_respondents", rng.randint(300, 700) if big else rng.randint(80, 200))
        rows.put(p, "satisfaction_land_pct", _pct(83 + 4 * i / span + rng.gauss(0, 0.8)))
        rows.put(p, "satisfaction_land_respondents", rng.randint(120, 300) if big else rng.randint(40, 120))
        y = p.year
        rows.ratio(p, "results_digitised", "results_valid", (100_000 if big else 15_000) * 1.015 ** i,
                   min(1.0, 0.3 + 0.2 * (y - 2021 + p.index / 4 - 1)))
        if big:
            rows.ratio(p, "procedures_on_national_portal", "procedures_total", 1800 - 2 * i, 0.5 + 0.4 * i / span)
            rows.put(p, "enterprises_new", round(scale * 0.03 * rng.uniform(0.8, 1.2)))
            rows.put(p, "enterprises_operating", round(scale * 0.9 + 60 * i))
        else:
            rows.put(p, "enterprises_new", round(scale * 0.01 * rng.uniform(0.7, 1.3)))
    for y in years:
        k = y - 2021
        rows.ratio(y, "officials_trained", "officials_total", (2400 if big else 150) + rng.randint(0, 40),
                   min(1.0, 0.85 + 0.03 * k))
        rows.put(y, "public_service_staff_budget", round((5800 if big else 1500) * (1 - 0.025 * k)))
        rows.put(y, "units_self_financing", round((230 if big else 60) * (0.1 + 0.03 * k)))
        rows.put(y, "public_service_units", (230 if big else 60) - 2 * k)
        rows.put(y, "satisfaction_health_education_pct", _pct(83 + 1.1 * k + rng.gauss(0, 0.5)))
        rows.put(y, "satisfaction_health_education_respondents", rng.randint(600, 1100) if big else rng.randint(200, 500))
        if big:
            rows.put(y, "sipas_pct", round(84 + 1.2 * k + rng.uniform(-0.4, 0.4), 1))
            rows.put(y, "sipas_respondents", rng.randint(1000, 1500))
            rows.put(y, "budget_support_amount", round(scale * 120 * (1 - 0.02 * k)))
            for code, start in (("rank_par_index", 24), ("rank_sipas", 20), ("rank_papi", 28), ("rank_pci", 26),
                                ("rank_dti", 30)):
                rows.put(y, code, max(1, start - k + rng.choice((-2, -1, 0, 1, 2))))
        else:
            rows.put(y, "committees_new_rural", 1)
            rows.put(y, "committees_iso_9001", 1)


# ------------------------------------------------------------------------------------------ the story


def make_today_demo(path: Path | str, seed: int = 2026, progress: Progress | None = None,
                    today: date | None = None) -> dict:
    """Create the demo database of today at path (which must not exist); {"units": n, "values": n, ...}."""
    from parapp.engine.office import Office

    path = Path(path)
    last = reporting_period(today)
    if last < FIRST_NEW:
        raise ParAppError("Bản mẫu hai cấp cần ngày hôm nay sau 14/9/2025.",
                          "The two-tier demo needs today's date to be after 14 September 2025.")
    line = periods_between(FIRST, last)
    old_q = [p for p in line if p <= LAST_OLD]
    new_q = [p for p in line if p >= FIRST_NEW]
    old_years = list(range(2021, 2025))
    new_years = [y for y in range(2025, last.year + 1) if Period.for_year(y).data_window()[1] <= last.data_window()[1]]
    rng = random.Random(seed)
    office = Office.create(path, NEW_PROVINCE, tiers=3, target_set=None, officer=OFFICER)
    store = office.store
    try:
        from parapp.domain import unitlists

        units_total = sum(len(unitlists.province_units(3, c)) for c in OLD_PROVINCES) + len(
            unitlists.province_units(2, NEW_PROVINCE))
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            _tick(progress, min(done, units_total), units_total)

        _tick(progress, 0, units_total)
        with store.transaction():
            characters: dict[str, _Character] = {}
            # 1. The old Cần Thơ office's own database, three tiers, then carried into the new structure.
            _old_tree(rng, office, NEW_PROVINCE, line, old_q, old_years, characters, tick)
            ro.reorganise(office, who=OFFICER)
            # 2. Hậu Giang's and Sóc Trăng's figures, taken in from their databases.
            for code in ("93", "94"):
                _old_tree(rng, office, code, line, old_q, old_years, characters, tick)
            _decide_divisions(store)
            # 3. The new communes and the new province, from July 2025.
            new_key = office.office_code
            new_units = unit_store.children(store, new_key, period=FIRST_NEW)
            soc_trang = [u.code for u in new_units if office.origin_provinces(u) == {"94"}]
            plan = _plan(rng, new_units, last, soc_trang)
            for u in new_units:
                links = unit_store.predecessors(store, u.code)
                parts = [(characters[link.predecessor], _share(store, link)) for link in links
                         if link.predecessor in characters]
                parts = [(c, s) for c, s in parts if s > 0] or [(characters[links[0].predecessor], 1.0)]
                ch = _combine(rng, parts, u)
                before, _prov = figures(store, office.catalogue, u, LAST_OLD)
                carried = round(before.values.get("pending_in_time", 0) + before.values.get("pending_overdue", 0)) \
                    if before.values else None
                active = [p for p in new_q if not (u.code in plan["late"] and p == last)]
                rows = _Rows(office.catalogue, u)
                failure = {str(last): plan["failing"][u.code]} if u.code in plan["failing"] else {}
                if active:
                    _commune_rows(rng, rows, ch, line, active, new_years, carried, failure)
                value_store.bulk_write(store, rows.rows, f"{_name(rng)} ({u.name})", SOURCE,
                                       _statuses(u.code, sorted(rows.periods), last, plan))
                tick()
            rows = _Rows(office.catalogue, office.unit(new_key))
            before, _prov = figures(store, office.catalogue, office.unit(new_key), LAST_OLD)
            carried = round(before.values.get("pending_in_time", 0) + before.values.get("pending_overdue", 0))
            _office_rows(rng, rows, "province", line, new_q, new_years, 30000, carried or None)
            value_store.bulk_write(store, rows.rows, OFFICER, SOURCE,
                                   [(new_key, p, "draft" if p in (str(last), str(last.year)) else "submitted", None)
                                    for p in sorted(rows.periods)])
            value_store.bulk_write(store, (), OFFICER, SOURCE, _reviews(new_units, new_q, new_years, last, plan))
            summary = {"seed": seed, "kind": "today", "last_quarter": str(last), "late": sorted(plan["late"]),
                       "failing": plan["failing"], "returned": sorted(plan["returned"])}
            store.set_meta("demo", json.dumps(summary, ensure_ascii=False))
            _tick(progress, units_total, units_total)
        n_values = store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0]
        n_units = store.conn.execute("SELECT count(*) FROM units").fetchone()[0]
    except BaseException:
        _discard(office, path)
        raise
    office.close()
    return {"units": n_units, "values": n_values, "office": new_key, "period": str(last)}


def _share(store, link: unit_store.Link) -> float:
    if not link.divided:
        return 1.0
    if unit_store.division(store, link.predecessor) == "shares":
        return float(link.share or 0.0)
    return 1.0 if link.is_default else 0.0  # the default, or undecided: the demo's figures follow the default


def _old_tree(rng, office, province: str, line, old_q, old_years, characters, tick) -> None:
    """The three-tier figures of one old province, approved, from 2022 to June 2025."""
    store = office.store
    for u in unit_store.subtree(store, province):
        rows = _Rows(office.catalogue, u)
        if u.level == "commune":
            ch = _draw(rng, u, range(2021, line[-1].year + 1))
            characters[u.code] = ch
            failure = {}
            _commune_rows(rng, rows, ch, line, old_q, old_years, None, failure)
        else:
            _office_rows(rng, rows, u.level, line, old_q, old_years, 9000 if u.level == "province" else 1200)
        periods = sorted(rows.periods)
        statuses = [(u.code, p, "submitted", _dated(u.code, p)) for p in periods]
        if u.level != "province":
            statuses += [(u.code, p, "approved", None) for p in periods]
        value_store.bulk_write(store, rows.rows, f"{_name(rng)} ({u.name})", SOURCE, statuses)
        tick()


def _decide_divisions(store) -> None:
    """Most divided old communes follow their default successor; one is apportioned, one left undecided."""
    divided = [r[0] for r in store.conn.execute(
        "SELECT DISTINCT predecessor FROM unit_links WHERE divided = 1 ORDER BY predecessor")]
    for i, code in enumerate(divided):
        links = unit_store.successors(store, code)
        if i == 0:
            shares = {link.successor: (0.7 if link.is_default else 0.3 / (len(links) - 1)) for link in links}
            unit_store.set_division(store, code, OFFICER, shares)
        elif i == len(divided) - 1:
            continue  # left for the officer to decide: its successors' older figures are "not comparable"
        else:
            unit_store.set_division(store, code, OFFICER)


def _plan(rng: random.Random, units: list[Unit], last: Period, judged: list[str]) -> dict:
    """Who stands where in the reporting period; the first commune with a failing check is one that a target
    set judges (the former Sóc Trăng's), so that its form shows both."""
    codes = [u.code for u in units]
    pool = rng.sample(codes, len(codes))
    if judged:
        first = rng.choice(judged)
        pool.remove(first)
        pool.insert(8, first)
    late = set(pool[:8])
    failing = dict(zip(pool[8:11], ("balance", "online_le_received", "apologised_le_late"), strict=True))
    returned = {c: rng.choice(_RETURN_REASONS) for c in pool[11:16]}
    draft = set(pool[16:22])
    approved = set(pool[22:40])
    return {"late": late, "failing": failing, "returned": returned, "draft": draft, "approved": approved,
            "last": str(last)}


def _dated(code: str, period: str) -> str:
    """The day a unit's return says it was made, as an imported return carries it: most a few days before the
    period's due date, about one in seven a few days after (the same every time the demo is made)."""
    import zlib
    from datetime import date, timedelta

    from parapp.store.values import RETURN_DATE_NOTE

    due = Period.parse(period).due_date()
    k = zlib.crc32(f"{code}/{period}".encode())
    day = due + timedelta(days=1 + k % 9) if k % 7 == 0 else due - timedelta(days=k % 12)
    return f"{RETURN_DATE_NOTE}{min(day, date.today()).isoformat()}"


def _statuses(code: str, periods: list[str], last: Period, plan: dict) -> list[tuple[str, str, str, str | None]]:
    out = []
    for p in periods:
        if p == str(last) and (code in plan["failing"] or code in plan["draft"]):
            out.append((code, p, "draft", None))
        else:
            out.append((code, p, "submitted", _dated(code, p)))
    return out


def _reviews(units: list[Unit], new_q: list[Period], years: list[int], last: Period, plan: dict):
    """The province's approvals and returns, after the communes submitted."""
    out = []
    for u in units:
        for p in [*(str(q) for q in new_q), *(str(y) for y in years)]:
            if p == str(last):
                if u.code in plan["returned"]:
                    out.append((u.code, p, "returned", plan["returned"][u.code]))
                elif u.code in plan["approved"]:
                    out.append((u.code, p, "approved", None))
                continue
            if u.code in plan["late"] and p == str(last):
                continue
            out.append((u.code, p, "approved", None))
    return out
