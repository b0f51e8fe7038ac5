"""Aggregates see a period's first values at once, whichever connection stored them."""

from __future__ import annotations

from parapp.domain.periods import Period
from parapp.engine.aggregate import aggregate, rollup
from parapp.engine.office import Office


def test_new_period_seen_through_the_same_connection(nghe_an):
    district = nghe_an.unit("17014").parent
    assert rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025")).values == {}
    nghe_an.enter("17014", "2025Q1", {"received_new": 10})
    assert rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025")).values == {"received_new": 10}
    nghe_an.enter("17014", "202505", {"received_new": 4})  # a month: a new part of the year
    assert aggregate(nghe_an.store, nghe_an.catalogue, "17014", Period.parse("2025")).values == {"received_new": 14}
    nghe_an.enter("17014", "2025S1", {"received_new": 20})  # the half-year now stands for its quarter and month
    assert aggregate(nghe_an.store, nghe_an.catalogue, "17014", Period.parse("2025")).values == {"received_new": 20}


def test_new_period_seen_through_another_connection(nghe_an):
    nghe_an.enter("17014", "2025Q1", {"received_new": 10})
    assert aggregate(nghe_an.store, nghe_an.catalogue, "17014", Period.parse("2025")).values == {"received_new": 10}
    with Office.open(nghe_an.store.path) as other:  # another window on the same file
        other.enter("17014", "2025Q2", {"received_new": 5})
        other.enter("17014", "2025S2", {"received_new": 1})
    assert aggregate(nghe_an.store, nghe_an.catalogue, "17014", Period.parse("2025")).values == {"received_new": 16}
    assert nghe_an.store.periods_used() == {"2025Q1", "2025Q2", "2025S2"}


def test_stocks_of_the_only_quarter_stored_fit_the_year_by_their_ends(nghe_an):
    nghe_an.enter("40", "2024Q1", {"carried_over": 5, "received_new": 10, "pending_in_time": 3})
    year = aggregate(nghe_an.store, nghe_an.catalogue, "40", Period.parse("2024"))
    assert year.values == {"carried_over": 5, "received_new": 10}  # Q1 opens the year but does not close it
    first_half = aggregate(nghe_an.store, nghe_an.catalogue, "40", Period.parse("2024S1"))
    assert first_half.values == {"carried_over": 5, "received_new": 10}
    quarter = aggregate(nghe_an.store, nghe_an.catalogue, "40", Period.parse("2024Q1"))
    assert quarter.values == {"carried_over": 5, "received_new": 10, "pending_in_time": 3}


def test_a_year_rolls_up_its_quarters_part_by_part(nghe_an):
    """Two communes' quarters (and one's yearly figure) make the district's year: flows add up over the quarters,
    the opening stock is the first quarter's, the closing stock the last's, the percentage is weighted by the
    respondents over every unit and quarter, and the contributors are counted the same way."""
    district = nghe_an.unit("17014").parent
    for q, (a, b) in enumerate([(10, 1), (20, 2), (30, 3), (40, 4)], 1):
        nghe_an.enter("17014", f"2025Q{q}", {"received_new": a, "carried_over": 100 + q, "pending_in_time": q,
                                             "satisfaction_tthc_pct": 80 + q, "satisfaction_tthc_respondents": 10 * q})
        nghe_an.enter("17017", f"2025Q{q}", {"received_new": b, "carried_over": 200 + q, "pending_in_time": 10 * q})
    nghe_an.enter("17017", "2025Q3", {"satisfaction_tthc_pct": 50, "satisfaction_tthc_respondents": 5})
    nghe_an.enter("17014", "2025", {"officials_total": 7})
    year = rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025"))
    pairs = [(81, 10), (82, 20), (83, 30), (50, 5), (84, 40)]  # quarter by quarter, unit by unit
    assert year.values == {
        "received_new": 110, "carried_over": 101 + 201, "pending_in_time": 4 + 40, "officials_total": 7,
        "satisfaction_tthc_respondents": 105,
        "satisfaction_tthc_pct": sum(v * w for v, w in pairs) / sum(w for _, w in pairs)}
    assert year.contributors == {"received_new": 8, "carried_over": 2, "pending_in_time": 2, "officials_total": 1,
                                 "satisfaction_tthc_respondents": 5, "satisfaction_tthc_pct": 5}
    assert list(year.values) == sorted(e for e in year.values if e != "satisfaction_tthc_pct") + ["satisfaction_tthc_pct"]
    assert not year.unweighted
    first_half = rollup(nghe_an.store, nghe_an.catalogue, district, Period.parse("2025S1"))
    assert {e: first_half.values[e] for e in ("received_new", "carried_over", "pending_in_time")} == {
        "received_new": 33, "carried_over": 302, "pending_in_time": 2 + 20}
