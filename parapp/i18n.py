"""Bilingual texts for the core (Vietnamese first, English selectable).

The core never imports Qt, so its messages carry both languages themselves; the command line and the
window pick one. Numbers are formatted per locale: 1.234,5 in Vietnamese, 1,234.5 in English.
"""

from __future__ import annotations

import re
import unicodedata

from parapp.records import record

LANGUAGES = ("vi", "en")
_current = "vi"


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _current = lang


def language() -> str:
    return _current


def nfc(text: str) -> str:
    """Vietnamese text in composed form: decomposed marks render misplaced in PDFs and compare unequal."""
    return unicodedata.normalize("NFC", text)


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str, multiline: bool = False) -> str:
    """A user's or a file's text as ParApp keeps it: NFC, without control characters (an escape sequence must
    not reach a terminal or a file raw), trimmed; one line unless multiline (then line breaks stay)."""
    text = nfc(text).replace("\r\n", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ").replace("\r", " ")
    text = _CONTROLS.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def fold(text: str) -> str:
    """Lower case without Vietnamese marks, for searching: 'Trực tuyến' -> 'truc tuyen', 'Đức' -> 'duc'."""
    text = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def matches(query: str, text: str) -> bool:
    """Does text contain the query? With marks typed, they must match; typed without, any marks do."""
    q = nfc(query).casefold().strip()
    if not q:
        return True
    if fold(q) == q:
        return q in fold(text)
    return q in nfc(text).casefold()


@record(frozen=True)
class Text:
    """A text in both languages."""

    vi: str
    en: str

    def get(self, lang: str | None = None) -> str:
        return self.en if (lang or _current) == "en" else self.vi

    def __str__(self) -> str:
        return self.get()

    def format(self, **kw: object) -> Text:
        return Text(self.vi.format(**kw), self.en.format(**kw))


class ParAppError(Exception):
    """An error the user caused or the environment caused: said in one sentence, in either language."""

    def __init__(self, vi: str, en: str):
        self.text = Text(nfc(vi), en)
        super().__init__(self.text.en)

    def message(self, lang: str | None = None) -> str:
        return self.text.get(lang)

    def __str__(self) -> str:
        return self.text.get()

    def __reduce__(self):
        # pickled whole (to come back from a worker process), whatever a subclass's own __init__ takes
        return _rebuild_error, (self.__class__, self.text.en, self.__dict__)


def _rebuild_error(cls: type[ParAppError], en: str, state: dict) -> ParAppError:
    error = cls.__new__(cls)
    Exception.__init__(error, en)
    error.__dict__.update(state)
    return error


def format_number(value: float | int | None, decimals: int = 0, lang: str | None = None) -> str:
    """1234.5 -> '1.234,5' (vi) or '1,234.5' (en); None -> ''."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if (lang or _current) == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def parse_number(text: str, lang: str | None = None) -> float:
    """Read a number as an officer types it: '1.234,5' in Vietnamese, '1,234.5' in English.

    Thousands separators must group by three. Raises ValueError when the text is not a number in that locale.
    """
    s = nfc(text).strip().replace("\u00a0", "").replace(" ", "")
    thousands, point = (".", ",") if (lang or _current) == "vi" else (",", ".")
    m = _NUMBER[thousands].fullmatch(s)
    if not m:
        raise ValueError(text)
    whole, frac = m.group(2).replace(thousands, ""), m.group(3)
    return float(f"{m.group(1) or ''}{whole}.{frac or 0}")


_NUMBER = {
    sep: re.compile(r"([+-]?)(\d{1,3}(?:" + re.escape(sep) + r"\d{3})+|\d+)(?:" + re.escape(dec) + r"(\d+))?", re.ASCII)
    for sep, dec in ((".", ","), (",", "."))
}
