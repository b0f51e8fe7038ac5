"""Numbers as officers type and read them: 1.234,5 in Vietnamese, 1,234.5 in English."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parapp.i18n import format_number, parse_number


@pytest.mark.parametrize("text, lang, value", [
    ("1.234", "vi", 1234), ("1.234,5", "vi", 1234.5), ("12,5", "vi", 12.5), ("37.657", "vi", 37657),
    (" 1 234 ", "vi", 1234), ("1,234.5", "en", 1234.5), ("0.78", "en", 0.78), ("-3", "vi", -3),
])
def test_read_in_locale(text, lang, value):
    assert parse_number(text, lang) == value


@pytest.mark.parametrize("text", ["abc", "1.23", "1..2", "1,2,3", "", "1e5", "١٢", ",5", "5,", "1.2345", "0.78"])
def test_not_a_number_in_vietnamese(text):
    with pytest.raises(ValueError):
        parse_number(text, "vi")


def test_format():
    assert format_number(1234.5, 1, "vi") == "1.234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(None) == ""


@given(st.integers(-10**12, 10**12), st.integers(0, 4), st.sampled_from(["vi", "en"]))
def test_what_is_shown_reads_back(n, decimals, lang):
    value = n / 10**decimals
    assert parse_number(format_number(value, decimals, lang), lang) == pytest.approx(value, abs=10**-decimals)
