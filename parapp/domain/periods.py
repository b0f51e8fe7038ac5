"""Reporting periods with DHIS2-style identifiers: 2025, 2025S1, 2025Q2, 202506.

A :class:`Period` is a year (``Y``), a half-year (``S``), a quarter (``Q``) or a month (``M``). Periods
sort chronologically by start date, longer periods first when two start on the same day, so
``sorted()`` gives 2025, 2025S1, 2025Q1, 202501, 202502, 202503, 2025Q2, ...

The reporting rhythm follows the Ministry of Home Affairs (581/BNV-CCHC): figures for a period are
counted from the 15th of the month before it starts to the 14th of its last month, and the report is
due on the 20th of its last month.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from parapp.i18n import ParAppError, language
from parapp.records import field, record

YEAR, HALF, QUARTER, MONTH = "Y", "S", "Q", "M"
KINDS = (YEAR, HALF, QUARTER, MONTH)
FIRST_YEAR, LAST_YEAR = 1900, 2199

_MONTHS_IN = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}
_COUNT_IN_YEAR = {YEAR: 1, HALF: 2, QUARTER: 4, MONTH: 12}
_FINER = {YEAR: HALF, HALF: QUARTER, QUARTER: MONTH}
_COARSER = {MONTH: QUARTER, QUARTER: HALF, HALF: YEAR}
_ROMAN = ("I", "II", "III", "IV")
_MONTH_EN = (
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December")
_MONTH_EN_SHORT = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_FORMS_VI = "dùng dạng 2025, 2025S1, 2025Q2 hoặc 202506"
_FORMS_EN = "use the form 2025, 2025S1, 2025Q2 or 202506"
_ID = re.compile(r"([0-9]{4})(?:([SsQq])([0-9]+)|([0-9]{2}))?", re.ASCII)


class PeriodError(ParAppError):
    """A period identifier or period arithmetic that ParApp cannot use."""


def _shown(text: str) -> str:
    """The text as quoted back to the user, cut short when very long."""
    return text if len(text) <= 40 else text[:39] + "…"


def _bad_id(text: str, reason_vi: str = "", reason_en: str = "") -> PeriodError:
    why_vi = f"{reason_vi}; " if reason_vi else ""
    why_en = f"{reason_en}; " if reason_en else ""
    return PeriodError(
        f'Kỳ báo cáo "{_shown(text)}" không hợp lệ: {why_vi}{_FORMS_VI}.',
        f'The reporting period "{_shown(text)}" is not valid: {why_en}{_FORMS_EN}.',
    )


def _check_kind(kind: object) -> None:
    if kind not in KINDS:
        raise PeriodError(
            f'Loại kỳ "{kind}" không hợp lệ: dùng Y (năm), S (6 tháng), Q (quý) hoặc M (tháng).',
            f'The period kind "{kind}" is not valid: use Y (year), S (half-year), Q (quarter) or M (month).',
        )


def _day(d: date) -> str:
    """15/12/2024: day and month without leading zeros, as on Vietnamese official documents."""
    return f"{d.day}/{d.month}/{d.year}"


@record(frozen=True, order=True)
class Period:
    """A year, half-year, quarter or month; ``index`` is 1 for a year, 1-2, 1-4 or 1-12 otherwise."""

    # Compared first: (year, first month, -length) orders by start date, then longer periods first.
    _key: tuple[int, int, int] = field(init=False, repr=False)
    kind: str
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        if isinstance(self.year, bool) or not isinstance(self.year, int) or not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise PeriodError(
                f"Năm {self.year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR} mà ParApp nhận.",
                f"The year {self.year} is outside the range {FIRST_YEAR}–{LAST_YEAR} that ParApp accepts.",
            )
        count = _COUNT_IN_YEAR[self.kind]
        if isinstance(self.index, bool) or not isinstance(self.index, int) or not 1 <= self.index <= count:
            raise PeriodError(
                f"Số thứ tự kỳ {self.index} không hợp lệ cho loại {self.kind}: phải từ 1 đến {count}.",
                f"The period number {self.index} is not valid for kind {self.kind}: it must be 1 to {count}.",
            )
        object.__setattr__(self, "_key", (self.year, self.first_month, -_MONTHS_IN[self.kind]))

    # ------------------------------------------------------------------------------ construction

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read an identifier such as ``2025``, ``2025S1``, ``2025q2`` or ``202506`` (spaces around are ignored)."""
        if not isinstance(text, str):
            raise _bad_id(repr(text))
        s = text.strip()
        if not s:
            raise _bad_id(s, "chưa nhập kỳ nào", "it is empty")
        m = _ID.fullmatch(s)
        if m is None:
            raise _bad_id(s)
        year = int(m[1])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise _bad_id(s, f"năm phải từ {FIRST_YEAR} đến {LAST_YEAR}",
                          f"the year must be {FIRST_YEAR} to {LAST_YEAR}")
        if m[4] is not None:
            month = int(m[4])
            if not 1 <= month <= 12:
                raise _bad_id(s, "tháng phải từ 01 đến 12", "the month must be 01 to 12")
            return cls(MONTH, year, month)
        if m[2] is None:
            return cls(YEAR, year, 1)
        letter, number = m[2].upper(), m[3]
        if letter == "S":
            if number not in ("1", "2"):
                raise _bad_id(s, "nửa năm chỉ có S1 hoặc S2", "a half-year is S1 or S2")
            return cls(HALF, year, int(number))
        if number not in ("1", "2", "3", "4"):
            raise _bad_id(s, "quý phải từ 1 đến 4", "the quarter must be 1 to 4")
        return cls(QUARTER, year, int(number))

    @classmethod
    def for_year(cls, year: int) -> Period:
        """The whole year."""
        return cls(YEAR, year, 1)

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        """Half-year 1 (January–June) or 2 (July–December)."""
        return cls(HALF, year, half)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1 to 4."""
        return cls(QUARTER, year, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """Month 1 to 12."""
        return cls(MONTH, year, month)

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The period of this kind that contains the day."""
        _check_kind(kind)
        return cls(kind, day.year, (day.month - 1) // _MONTHS_IN[kind] + 1)

    # ------------------------------------------------------------------------------ identity

    @property
    def id(self) -> str:
        """The identifier: 2025, 2025S1, 2025Q2 or 202506."""
        if self.kind == YEAR:
            return f"{self.year}"
        if self.kind == MONTH:
            return f"{self.year}{self.index:02d}"
        return f"{self.year}{self.kind}{self.index}"

    def __str__(self) -> str:
        return self.id

    # ------------------------------------------------------------------------------ dates

    @property
    def first_month(self) -> int:
        """The calendar month (1-12) the period starts in."""
        return (self.index - 1) * _MONTHS_IN[self.kind] + 1

    @property
    def last_month(self) -> int:
        """The calendar month (1-12) the period ends in."""
        return self.index * _MONTHS_IN[self.kind]

    @property
    def months(self) -> int:
        """How many months the period lasts."""
        return _MONTHS_IN[self.kind]

    @property
    def start(self) -> date:
        """The first day of the period."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def is_partial_year(self) -> bool:
        """True for half-years, quarters and months."""
        return self.kind != YEAR

    def contains(self, other: Period) -> bool:
        """True when ``other`` lies within this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def __contains__(self, other: object) -> bool:
        return isinstance(other, Period) and self.contains(other)

    # ------------------------------------------------------------------------------ hierarchy

    def year_period(self) -> Period:
        """The year that contains this period."""
        return Period(YEAR, self.year, 1)

    def parent(self) -> Period | None:
        """The next coarser period: month → quarter → half-year → year → None."""
        coarser = _COARSER.get(self.kind)
        if coarser is None:
            return None
        return Period(coarser, self.year, (self.first_month - 1) // _MONTHS_IN[coarser] + 1)

    def children(self) -> list[Period]:
        """The next finer periods, in order: year → 2 halves, half → 2 quarters, quarter → 3 months."""
        finer = _FINER.get(self.kind)
        if finer is None:
            return []
        per = _MONTHS_IN[finer]
        first = (self.first_month - 1) // per + 1
        return [Period(finer, self.year, i) for i in range(first, first + self.months // per)]

    def descendants(self) -> list[Period]:
        """Every period strictly inside this one, coarse to fine (a year: S1, S2, Q1..Q4, months)."""
        result: list[Period] = []
        level = self.children()
        while level:
            result.extend(level)
            level = [c for p in level for c in p.children()]
        return result

    def ancestors(self) -> list[Period]:
        """Every period strictly containing this one, fine to coarse (a month: quarter, half, year)."""
        result: list[Period] = []
        p = self.parent()
        while p is not None:
            result.append(p)
            p = p.parent()
        return result

    def quarters(self) -> list[Period]:
        """The quarters this period covers; for a month, the quarter it belongs to."""
        first = (self.first_month - 1) // 3 + 1
        last = (self.last_month - 1) // 3 + 1
        return [Period(QUARTER, self.year, q) for q in range(first, last + 1)]

    @property
    def first_quarter(self) -> Period:
        """The first quarter this period covers."""
        return self.quarters()[0]

    @property
    def last_quarter(self) -> Period:
        """The last quarter this period covers."""
        return self.quarters()[-1]

    # ------------------------------------------------------------------------------ neighbours

    def _shift(self, steps: int) -> Period:
        count = _COUNT_IN_YEAR[self.kind]
        n = self.year * count + (self.index - 1) + steps
        year, index = divmod(n, count)
        return Period(self.kind, year, index + 1)

    def previous(self) -> Period:
        """The period of the same kind just before (raises PeriodError before 1900)."""
        return self._shift(-1)

    def next(self) -> Period:
        """The period of the same kind just after (raises PeriodError after 2199)."""
        return self._shift(1)

    # ------------------------------------------------------------------------------ labels

    def label(self, lang: str | None = None) -> str:
        """'Quý I/2025', '6 tháng đầu năm 2025', 'Tháng 6/2025', 'Năm 2025' (en: 'Q1 2025', 'June 2025', ...).

        ``lang`` is "vi" or "en"; None means the current language (see :mod:`parapp.i18n`).
        """
        en = (lang or language()) == "en"
        y, i = self.year, self.index
        if self.kind == YEAR:
            return f"Year {y}" if en else f"Năm {y}"
        if self.kind == HALF:
            if en:
                return f"{'First' if i == 1 else 'Second'} half of {y}"
            return f"6 tháng {'đầu' if i == 1 else 'cuối'} năm {y}"
        if self.kind == QUARTER:
            return f"Q{i} {y}" if en else f"Quý {_ROMAN[i - 1]}/{y}"
        return f"{_MONTH_EN[i]} {y}" if en else f"Tháng {i}/{y}"

    def short_label(self, lang: str | None = None) -> str:
        """'Quý II/2025', '6T đầu 2025', 'T6/2025', '2025' (en: 'Q2 2025', 'H1 2025', 'Jun 2025', '2025')."""
        en = (lang or language()) == "en"
        y, i = self.year, self.index
        if self.kind == YEAR:
            return f"{y}"
        if self.kind == HALF:
            return f"H{i} {y}" if en else f"6T {'đầu' if i == 1 else 'cuối'} {y}"
        if self.kind == QUARTER:
            return f"Q{i} {y}" if en else f"Quý {_ROMAN[i - 1]}/{y}"  # "Q2/2025" is not Vietnamese
        return f"{_MONTH_EN_SHORT[i]} {y}" if en else f"T{i}/{y}"

    # ------------------------------------------------------------------------------ reporting rhythm

    def data_window(self) -> tuple[date, date]:
        """The days whose figures count for this period: 15th of the month before it starts to 14th of its last month."""
        if self.first_month == 1:
            start = date(self.year - 1, 12, 15)
        else:
            start = date(self.year, self.first_month - 1, 15)
        return start, date(self.year, self.last_month, 14)

    def due_date(self) -> date:
        """The day the report is due: the 20th of the period's last month."""
        return date(self.year, self.last_month, 20)

    def data_window_label(self, lang: str | None = None) -> str:
        """'Số liệu tính từ 15/12/2024 đến 14/3/2025' (en: 'Figures from 15/12/2024 to 14/3/2025')."""
        start, end = self.data_window()
        if (lang or language()) == "en":
            return f"Figures from {_day(start)} to {_day(end)}"
        return f"Số liệu tính từ {_day(start)} đến {_day(end)}"


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (same kind); empty when ``last`` comes before ``first``."""
    if first.kind != last.kind:
        raise PeriodError(
            f"Không thể liệt kê các kỳ từ {first} đến {last} vì hai kỳ khác loại.",
            f"Cannot list the periods from {first} to {last} because they are of different kinds.",
        )
    result: list[Period] = []
    p = first
    while p <= last:
        result.append(p)
        if p == last:
            break
        p = p.next()
    return result


def current_period(kind: str, today: date | None = None) -> Period:
    """The period of this kind that contains ``today`` (the system date when omitted)."""
    return Period.containing(kind, today or date.today())


def reporting_period(today: date | None = None) -> Period:
    """The quarter an office is reporting on now: the last one whose data window has closed (581/BNV: a
    quarter's figures run to the 14th of its last month; on 2 December that is the third quarter, from
    15 December the fourth)."""
    today = today or date.today()
    q = Period.containing(QUARTER, today)
    return q if q.data_window()[1] < today else q.previous()
