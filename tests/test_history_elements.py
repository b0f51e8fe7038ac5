"""The year figures that targets look back at (last year, a baseline) are read for the indicator's elements
alone: each value is the one the whole roll-up gives, for own figures and roll-ups, before and after the 2025
reorganisation (figures carried from the old units, and a year that straddles the change)."""

from __future__ import annotations

import pytest

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.store import units as unit_store


@pytest.fixture(scope="module")
def offices(tmp_path_factory):
    from parapp.engine.demo import make_demo
    from parapp.engine.demo_today import make_today_demo

    folder = tmp_path_factory.mktemp("history")
    make_demo(folder / "ha-tinh.db")
    make_today_demo(folder / "can-tho.db")
    out = [Office.open(folder / "ha-tinh.db"), Office.open(folder / "can-tho.db")]
    yield out
    for office in out:
        office.close()


def _cases(office: Office):
    top = office.office_code
    below = unit_store.children(office.store, top)
    yield top, True
    yield top, False
    for u in below[:3]:
        yield u.code, True
        yield u.code, False


def test_history_reads_the_same_values_as_the_whole_figures(offices):
    compared = 0
    for office in offices:
        for code, below in _cases(office):
            history = office.history_lookup(code, below)
            for year in (2022, 2023, 2024, 2025, 2026):
                whole = office.figures(code, Period.for_year(year), below)[0].values
                for ind in office.catalogue.indicators.values():
                    assert history(ind.code, year) == ind.compute(whole), (code, below, year, ind.code)
                    compared += whole != {}
    assert compared > 100


def test_some_elements_alone_are_the_whole_figures_restricted(offices):
    for office in offices:
        elements = frozenset(e for e in office.catalogue.elements if e.endswith(("_pct", "_respondents", "_total")))
        assert elements
        for code, below in _cases(office):
            for period in ("2024", "2025", "2025S1", "2025Q3", "2024Q4"):
                p = Period.parse(period)
                whole = office.figures(code, p, below)[0]
                part = office.figures(code, p, below, elements=elements)[0]
                assert part.values == {k: v for k, v in whole.values.items() if k in elements}, (code, period)
                assert part.contributors == {k: v for k, v in whole.contributors.items() if k in elements}
                assert part.unweighted == whole.unweighted & elements


def test_history_follows_a_change_of_the_figures(offices):
    office = offices[0]
    code = office.office_code
    ind = next(i for i in office.catalogue.indicators.values() if i.kind == "ratio")
    history = office.history_lookup(code, True)
    before = history(ind.code, 2024)
    element = sorted(ind.numerator.all_names)[0]
    unit, period, value = office.store.conn.execute(
        "SELECT dv.unit, dv.period, dv.value FROM data_values dv JOIN unit_tree t ON t.unit = dv.unit "
        "WHERE t.ancestor = ? AND dv.element = ? AND dv.period LIKE '2024%' ORDER BY dv.unit LIMIT 1",
        (code, element)).fetchone()
    with office.store.conn:
        office.store.conn.execute("UPDATE data_values SET value = ? WHERE unit = ? AND period = ? AND element = ?",
                                  (value + 7, unit, period, element))
    try:
        after = history(ind.code, 2024)
        assert after == ind.compute(office.figures(code, Period.for_year(2024), True)[0].values)
        assert after != before
    finally:
        with office.store.conn:
            office.store.conn.execute("UPDATE data_values SET value = ? WHERE unit = ? AND period = ? AND element = ?",
                                      (value, unit, period, element))
    assert history(ind.code, 2024) == before
