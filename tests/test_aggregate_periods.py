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
