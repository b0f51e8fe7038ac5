"""Targets beyond thresholds: yearly increments, changes against a baseline, rank cut-offs and improvements."""

from __future__ import annotations

import pytest

from parapp.engine.office import Office


@pytest.fixture
def ha_tinh(tmp_path):
    office = Office.create(tmp_path / "ht.db", "42", officer="Trần Thị Hoa")
    assert office.target_set.id == "ha_tinh_2022_2025"
    yield office
    office.close()


def result(office, unit, period, code):
    rep = office.report(unit, period, with_rollup=False)
    return next(r for r in rep.indicators if r.code == code)


def test_digitisation_must_rise_twenty_points_a_year(ha_tinh):
    ha_tinh.enter("42", "2022", {"results_digitised": 30, "results_valid": 100})
    ha_tinh.enter("42", "2023", {"results_digitised": 45, "results_valid": 100})
    r = result(ha_tinh, "42", "2023", "digitised_results_rate")
    assert r.value == 45 and r.status == "missed"
    assert r.checks[0].goal == 50  # 30% the year before + 20 points
    ha_tinh.enter("42", "2024", {"results_digitised": 70, "results_valid": 100})
    assert result(ha_tinh, "42", "2024", "digitised_results_rate").status == "met"
    # a half-year behind the year's goal is at risk, not missed
    ha_tinh.enter("42", "2023S1", {"results_digitised": 20, "results_valid": 100})
    assert result(ha_tinh, "42", "2023S1", "digitised_results_rate").status == "at_risk"
    # without last year's figure the goal cannot be worked out
    r = result(ha_tinh, "42", "2022", "digitised_results_rate")
    assert r.status == "no_data" and "2021" in r.checks[0].note.vi


def test_staff_down_ten_percent_against_2021(ha_tinh):
    ha_tinh.enter("42", "2021", {"public_service_staff_budget": 1000})
    ha_tinh.enter("42", "2025", {"public_service_staff_budget": 880})
    r = result(ha_tinh, "42", "2025", "public_service_staff")
    assert r.status == "met" and r.checks[0].compared == pytest.approx(-12)
    ha_tinh.enter("42", "2025", {"public_service_staff_budget": 950})
    assert result(ha_tinh, "42", "2025", "public_service_staff").status == "missed"


def test_rank_cut_off(ha_tinh):
    ha_tinh.enter("42", "2025", {"rank_pci": 15})
    r = result(ha_tinh, "42", "2025", "pci_rank")
    assert r.status == "met" and r.target_text("vi") == "nhóm 20" and r.target_text("en") == "top 20"
    ha_tinh.enter("42", "2025", {"rank_pci": 25})
    assert result(ha_tinh, "42", "2025", "pci_rank").status == "missed"


def test_per_level_targets(ha_tinh):
    commune = ha_tinh.store.conn.execute("SELECT code FROM units WHERE level = 'commune' LIMIT 1").fetchone()[0]
    ha_tinh.enter(commune, "2025", {"workfiles_online": 65, "workfiles_total": 100})
    ha_tinh.enter("42", "2025", {"workfiles_online": 65, "workfiles_total": 100})
    assert result(ha_tinh, commune, "2025", "e_workfile_rate").status == "met"  # communes: 60%
    assert result(ha_tinh, "42", "2025", "e_workfile_rate").status == "missed"  # the province: 90%


def test_rank_must_improve_each_year(tmp_path):
    with Office.create(tmp_path / "st.db", "94") as office:
        assert office.target_set.id == "soc_trang_2021_2030"
        office.enter("94", "2026", {"rank_pci": 30})
        r = result(office, "94", "2026", "pci_rank")
        assert r.status == "no_data"  # no 2025 rank to compare with
        office.enter("94", "2025", {"rank_pci": 30})
        assert result(office, "94", "2026", "pci_rank").status == "missed"
        office.enter("94", "2026", {"rank_pci": 28})
        assert result(office, "94", "2026", "pci_rank").status == "met"


def test_no_target_outside_the_sets_years(ha_tinh):
    ha_tinh.enter("42", "2030", {"received_new": 10, "received_online": 9})
    assert result(ha_tinh, "42", "2030", "online_rate").status == "no_target"


def test_a_target_set_that_ends_before_the_period_says_which_years_it_covers(tmp_path, cli):
    from parapp.engine.office import Office

    with Office.create(tmp_path / "ha-tinh.db", "42", office="436") as office:
        ts = office.target_set
        first, last = ts.years
        rep = office.report("18073", f"{last + 1}Q1")
        assert rep.target_note is not None
        assert f"{first}–{last}" in rep.target_note.vi and "hết hạn" in rep.target_note.vi
        assert "Load the new target set" in rep.target_note.en
        assert office.report("18073", f"{last}Q4").target_note is None  # a year it covers: nothing to say
    code, out, _err = cli("show", "--db", tmp_path / "ha-tinh.db", "--unit", "18073", "--period", f"{last + 1}Q1")
    assert code == 0 and f"{first}–{last}" in out
