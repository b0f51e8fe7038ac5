"""Reporting periods: identifiers, calendar arithmetic, labels and the 581/BNV-CCHC reporting rhythm."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parapp.domain.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    PeriodError,
    current_period,
    periods_between,
)
from parapp.i18n import ParAppError

COUNTS = {"Y": 1, "S": 2, "Q": 4, "M": 12}


@st.composite
def periods(draw: st.DrawFn, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> Period:
    kind = draw(st.sampled_from(tuple(COUNTS)))
    year = draw(st.integers(first_year, last_year))
    index = draw(st.integers(1, COUNTS[kind]))
    return Period(kind, year, index)


# ------------------------------------------------------------------------------------ identifiers


@given(periods())
def test_round_trip(p: Period) -> None:
    assert Period.parse(str(p)) == p
    assert Period.parse(p.id) == p
    assert Period.parse(f"  {p.id.lower()}\t") == p


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", Period.for_year(2025)),
        ("2025S1", Period.half(2025, 1)),
        ("2025s2", Period.half(2025, 2)),
        ("2025Q1", Period.quarter(2025, 1)),
        ("2025q4", Period.quarter(2025, 4)),
        ("202506", Period.month(2025, 6)),
        (" 202512 ", Period.month(2025, 12)),
        ("1900", Period.for_year(1900)),
        ("2199Q4", Period.quarter(2199, 4)),
    ],
)
def test_parse(text: str, expected: Period) -> None:
    assert Period.parse(text) == expected


def test_ids() -> None:
    assert [str(p) for p in (Period.for_year(2025), Period.half(2025, 2), Period.quarter(2025, 3),
                             Period.month(2025, 6))] == ["2025", "2025S2", "2025Q3", "202506"]


@pytest.mark.parametrize(
    "text", ["2025Q5", "2025S3", "202513", "25Q1", "abc", "", "2025Q0", "202500", "1899", "2200", "2025Q",
             "2025Q01", "2025M06", "2025-06", "２０２５", "2025Q1x", "20250"],
)
def test_bad_ids(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    vi = info.value.message("vi")
    assert f'"{text}"' in vi
    assert "2025, 2025S1, 2025Q2 hoặc 202506" in vi
    assert f'"{text}"' in info.value.message("en")


def test_bad_id_message() -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse("2025Q5")
    assert info.value.message("vi") == (
        'Kỳ báo cáo "2025Q5" không hợp lệ: quý phải từ 1 đến 4; dùng dạng 2025, 2025S1, 2025Q2 hoặc 202506.')
    assert info.value.message("en") == (
        'The reporting period "2025Q5" is not valid: the quarter must be 1 to 4; '
        "use the form 2025, 2025S1, 2025Q2 or 202506.")
    assert isinstance(info.value, ParAppError)


@given(st.text())
def test_arbitrary_text_only_raises_period_error(text: str) -> None:
    try:
        p = Period.parse(text)
    except PeriodError:
        return
    assert Period.parse(str(p)) == p


@given(st.from_regex(r"\A[0-9]{4}([SsQq][0-9]{1,2}|[0-9]{2})?\Z"))
def test_near_miss_ids_only_raise_period_error(text: str) -> None:
    try:
        Period.parse(text)
    except PeriodError:
        pass


@pytest.mark.parametrize(("kind", "year", "index"), [("X", 2025, 1), ("Q", 2025, 5), ("M", 2025, 0),
                                                     ("Y", 1899, 1), ("Y", 2025, 2), ("S", 2200, 1)])
def test_constructor_validates(kind: str, year: int, index: int) -> None:
    with pytest.raises(PeriodError):
        Period(kind, year, index)


# ------------------------------------------------------------------------------------ ordering


def test_sort_is_chronological_then_longer_first() -> None:
    year = Period.for_year(2025)
    shuffled = sorted([*year.descendants(), year], key=lambda p: (p.kind, p.index))
    assert [str(p) for p in sorted(shuffled)][:9] == [
        "2025", "2025S1", "2025Q1", "202501", "202502", "202503", "2025Q2", "202504", "202505"]
    assert Period.month(2024, 12) < Period.for_year(2025) < Period.month(2025, 1)


@given(periods(), periods())
def test_order_follows_start_then_length(a: Period, b: Period) -> None:
    if a != b:
        assert (a < b) == ((a.start, -(a.end - a.start)) < (b.start, -(b.end - b.start)))


# ------------------------------------------------------------------------------------ calendar


def test_dates() -> None:
    assert Period.parse("2025").start == date(2025, 1, 1)
    assert Period.parse("2025").end == date(2025, 12, 31)
    assert (Period.parse("2025S2").start, Period.parse("2025S2").end) == (date(2025, 7, 1), date(2025, 12, 31))
    assert (Period.parse("2025Q1").start, Period.parse("2025Q1").end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert Period.parse("202402").end == date(2024, 2, 29)
    assert Period.parse("202502").end == date(2025, 2, 28)


@given(periods())
def test_children_partition_parent(p: Period) -> None:
    kids = p.children()
    if p.kind == "M":
        assert kids == []
        return
    assert len(kids) == {"Y": 2, "S": 2, "Q": 3}[p.kind]
    assert kids[0].start == p.start
    assert kids[-1].end == p.end
    for a, b in zip(kids, kids[1:], strict=False):
        assert a.end + timedelta(days=1) == b.start
    for k in kids:
        assert k.parent() == p
        assert p.contains(k) and k in p


@given(periods())
def test_hierarchy(p: Period) -> None:
    ancestors = p.ancestors()
    assert [a.kind for a in ancestors] == {"M": ["Q", "S", "Y"], "Q": ["S", "Y"], "S": ["Y"], "Y": []}[p.kind]
    assert all(a.contains(p) and a != p for a in ancestors)
    assert p.year_period() == Period.for_year(p.year)
    assert p.year_period().contains(p)
    descendants = p.descendants()
    assert len(descendants) == {"Y": 18, "S": 8, "Q": 3, "M": 0}[p.kind]
    assert all(p.contains(d) and d != p for d in descendants)
    assert [d.months for d in descendants] == sorted((d.months for d in descendants), reverse=True)
    assert p.is_partial_year == (p.kind != "Y")
    quarters = p.quarters()
    assert p.first_quarter == quarters[0] and p.last_quarter == quarters[-1]
    assert all(q.kind == "Q" for q in quarters)
    if p.kind == "M":
        assert quarters == [p.parent()]
    else:
        assert quarters[0].start == p.start and quarters[-1].end == p.end


def test_hierarchy_examples() -> None:
    assert Period.parse("202508").parent() == Period.parse("2025Q3")
    assert Period.parse("2025Q3").parent() == Period.parse("2025S2")
    assert Period.parse("2025S2").parent() == Period.parse("2025")
    assert Period.parse("2025").parent() is None
    assert [str(c) for c in Period.parse("2025S2").children()] == ["2025Q3", "2025Q4"]
    assert [str(c) for c in Period.parse("2025Q2").children()] == ["202504", "202505", "202506"]
    assert [str(q) for q in Period.parse("2025").quarters()] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert [str(a) for a in Period.parse("202511").ancestors()] == ["2025Q4", "2025S2", "2025"]
    assert not Period.parse("2025Q1").contains(Period.parse("2025S1"))
    assert not Period.parse("2025S1").contains(Period.parse("202507"))


@given(periods(FIRST_YEAR + 1, LAST_YEAR - 1))
def test_previous_next(p: Period) -> None:
    assert p.previous().next() == p
    assert p.next().previous() == p
    assert p.previous() < p < p.next()
    assert p.previous().kind == p.kind == p.next().kind
    assert p.previous().end + timedelta(days=1) == p.start
    assert p.end + timedelta(days=1) == p.next().start


def test_neighbour_examples() -> None:
    assert Period.parse("2025Q1").previous() == Period.parse("2024Q4")
    assert Period.parse("2024S2").next() == Period.parse("2025S1")
    assert Period.parse("202412").next() == Period.parse("202501")
    assert Period.parse("2025").previous() == Period.parse("2024")
    with pytest.raises(PeriodError):
        Period.parse("1900Q1").previous()
    with pytest.raises(PeriodError):
        Period.parse("219912").next()


def test_periods_between() -> None:
    assert [str(p) for p in periods_between(Period.parse("2024Q3"), Period.parse("2025Q2"))] == [
        "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert periods_between(Period.parse("2025"), Period.parse("2025")) == [Period.parse("2025")]
    assert periods_between(Period.parse("2026"), Period.parse("2025")) == []
    with pytest.raises(PeriodError):
        periods_between(Period.parse("2025"), Period.parse("2025Q1"))


def test_current_period() -> None:
    today = date(2025, 8, 15)
    assert current_period("Y", today) == Period.parse("2025")
    assert current_period("S", today) == Period.parse("2025S2")
    assert current_period("Q", today) == Period.parse("2025Q3")
    assert current_period("M", today) == Period.parse("202508")
    with pytest.raises(PeriodError):
        current_period("W", today)


@given(st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)), st.sampled_from(tuple(COUNTS)))
def test_current_period_contains_today(today: date, kind: str) -> None:
    p = current_period(kind, today)
    assert p.kind == kind and p.start <= today <= p.end


# ------------------------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    ("pid", "vi", "en"),
    [
        ("2025", "Năm 2025", "Year 2025"),
        ("2025S1", "6 tháng đầu năm 2025", "First half of 2025"),
        ("2025S2", "6 tháng cuối năm 2025", "Second half of 2025"),
        ("2025Q1", "Quý I/2025", "Q1 2025"),
        ("2025Q2", "Quý II/2025", "Q2 2025"),
        ("2025Q3", "Quý III/2025", "Q3 2025"),
        ("2025Q4", "Quý IV/2025", "Q4 2025"),
        ("202506", "Tháng 6/2025", "June 2025"),
        ("202512", "Tháng 12/2025", "December 2025"),
    ],
)
def test_labels(pid: str, vi: str, en: str) -> None:
    p = Period.parse(pid)
    assert p.label("vi") == vi
    assert p.label("en") == en


def test_short_labels() -> None:
    assert Period.parse("2025Q2").short_label("vi") == "Quý II/2025"  # on the chart axis too
    assert Period.parse("2025S1").short_label("vi") == "6T đầu 2025"
    assert Period.parse("2025S2").short_label("vi") == "6T cuối 2025"
    assert Period.parse("202506").short_label("vi") == "T6/2025"
    assert Period.parse("2025").short_label("vi") == "2025"
    assert Period.parse("2025S1").short_label("en") == "H1 2025"
    assert Period.parse("202506").short_label("en") == "Jun 2025"


# ------------------------------------------------------------------------------------ reporting rhythm


@pytest.mark.parametrize(
    ("pid", "start", "end", "due"),
    [
        ("2025Q1", date(2024, 12, 15), date(2025, 3, 14), date(2025, 3, 20)),
        ("2025S1", date(2024, 12, 15), date(2025, 6, 14), date(2025, 6, 20)),
        ("2025Q3", date(2025, 6, 15), date(2025, 9, 14), date(2025, 9, 20)),
        ("2025", date(2024, 12, 15), date(2025, 12, 14), date(2025, 12, 20)),
        ("2025S2", date(2025, 6, 15), date(2025, 12, 14), date(2025, 12, 20)),
        ("202506", date(2025, 5, 15), date(2025, 6, 14), date(2025, 6, 20)),
        ("202501", date(2024, 12, 15), date(2025, 1, 14), date(2025, 1, 20)),
    ],
)
def test_data_window_and_due_date(pid: str, start: date, end: date, due: date) -> None:
    p = Period.parse(pid)
    assert p.data_window() == (start, end)
    assert p.due_date() == due


def test_data_window_label() -> None:
    p = Period.parse("2025Q1")
    assert p.data_window_label("vi") == "Số liệu tính từ 15/12/2024 đến 14/3/2025"
    assert p.data_window_label("en") == "Figures from 15/12/2024 to 14/3/2025"


@given(periods(FIRST_YEAR + 1, LAST_YEAR))
def test_data_windows_of_a_kind_tile_time(p: Period) -> None:
    start, end = p.data_window()
    assert start < end < p.due_date() <= p.end
    assert p.previous().data_window()[1] + timedelta(days=1) == start
