"""The indicator catalogue and the target sets, read from TOML (see docs/catalogue-format.md).

Plain dataclasses and pure functions: a file that is not valid is refused with its name, the line and
the reason, in both languages.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path

from parapp.domain.expressions import Expression, ExpressionError
from parapp.i18n import ParAppError, Text, format_number, nfc
from parapp.records import field, record

LEVELS = ("province", "district", "commune")
LEVEL_NAMES = {
    "province": Text("Tỉnh", "Province"),
    "district": Text("Huyện", "District"),
    "commune": Text("Xã", "Commune"),
}
ELEMENT_TYPES = ("count", "percent", "rank", "amount")
TIME_KINDS = ("flow", "opening", "closing", "mean")
INDICATOR_KINDS = ("ratio", "percent", "count", "rank", "change")
TARGET_TYPES = ("threshold", "increment", "change", "rank", "improve")
OPS = ("==", "!=", "<", "<=", ">", ">=")
_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")


class CatalogueError(ParAppError):
    """A catalogue or target-set file that ParApp cannot use."""


class ValueRefused(ParAppError):
    """A value that does not fit its element (type or bounds): refused at entry, nothing stored."""


# --------------------------------------------------------------------------------------- catalogue


@record(frozen=True)
class Group:
    """A group of the catalogue: elements and indicators are shown under it."""

    code: str
    name: Text


@record(frozen=True)
class Element:
    """A figure an office enters (or rolls up): its type, levels, how it combines over time, its weight."""

    code: str
    group: str
    name: Text
    type: str
    levels: frozenset[str]
    time: str = "flow"
    period_type: str = "quarter"
    weight: str | None = None
    unit: Text | None = None

    @property
    def is_whole(self) -> bool:
        return self.type in ("count", "rank")

    def check(self, value: float) -> float:
        """The value as stored, or ValueRefused saying why it does not fit this element."""
        if value.__class__ is float and self.type == "count" and 0 <= value <= 1e12 and value == int(value):
            return float(int(value))  # the common case, a whole count, decided at once
        name_vi, name_en = self.name.vi, self.name.en
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueRefused(
                f"{name_vi} ({self.code}): giá trị phải là một số.",
                f"{name_en} ({self.code}): the value must be a number.",
            )
        whole = value == int(value)
        low = 1 if self.type == "rank" else 0
        if (whole or not self.is_whole) and value >= low and (value <= 100 or self.type != "percent") and value <= 1e12:
            return float(int(value)) if self.is_whole else float(value)
        shown = format_number(value, 6).rstrip("0").rstrip(",.") if not whole else str(int(value))
        shown_en = repr(value) if not whole else str(int(value))
        if self.is_whole and not whole:
            raise ValueRefused(
                f"{name_vi} ({self.code}): phải là số nguyên, không nhận {shown}.",
                f"{name_en} ({self.code}): must be a whole number, not {shown_en}.",
            )
        if value < low:
            raise ValueRefused(
                f"{name_vi} ({self.code}): không được nhỏ hơn {low}, không nhận {shown}.",
                f"{name_en} ({self.code}): cannot be less than {low}; {shown_en} refused.",
            )
        if self.type == "percent" and value > 100:
            raise ValueRefused(
                f"{name_vi} ({self.code}): tỷ lệ phần trăm phải từ 0 đến 100, không nhận {shown}.",
                f"{name_en} ({self.code}): a percentage must be between 0 and 100; {shown_en} refused.",
            )
        raise ValueRefused(
            f"{name_vi} ({self.code}): giá trị {shown} quá lớn.",
            f"{name_en} ({self.code}): the value {shown_en} is too large.",
        )


@record(frozen=True)
class Indicator:
    """A figure worked out from elements (a rate, a count, a rank), judged against targets."""

    code: str
    group: str
    name: Text
    kind: str
    numerator: Expression
    denominator: Expression | None
    levels: frozenset[str]
    better: str = "higher"
    decimals: int = 2

    @property
    def elements(self) -> frozenset[str]:
        names = set(self.numerator.all_names)
        if self.denominator is not None:
            names |= self.denominator.all_names
        return frozenset(names)

    @property
    def is_percentage(self) -> bool:
        return self.kind in ("ratio", "percent", "change")

    def compute(self, values: dict[str, float | None]) -> float | None:
        """The indicator's value from element values (a ratio as a percentage 0-100)."""
        if self.kind == "ratio":
            num = self.numerator.evaluate(values, missing="zero")
            den = self.denominator.evaluate(values, missing="zero") if self.denominator else None
            if num is None or den is None or den == 0:
                return None
            return num / den * 100.0
        return self.numerator.evaluate(values, missing="zero")


@record(frozen=True)
class Rule:
    """A check between elements (left op right) that a return must pass, as an error or a warning."""

    code: str
    name: Text
    left: Expression
    op: str
    right: Expression
    severity: str = "error"

    @property
    def elements(self) -> frozenset[str]:
        return self.left.all_names | self.right.all_names


@record(frozen=True)
class RulePlan:
    """A rule with what validation reads of it: the names it reads now and from the previous period."""
    rule: Rule
    names: frozenset[str]
    prev_names: frozenset[str]
    shown: tuple[str, ...]  # the names, sorted: the cells a failure marks


@record
class Catalogue:
    """The elements, indicators and rules ParApp works with, read from catalogue.toml."""

    version: str
    groups: list[Group]
    elements: dict[str, Element]
    indicators: dict[str, Indicator]
    rules: list[Rule]
    path: Path | None = None

    def elements_for(self, level: str) -> list[Element]:
        return [e for e in self.elements.values() if level in e.levels]

    def indicators_for(self, level: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if level in i.levels]

    def element(self, code: str) -> Element:
        try:
            return self.elements[code]
        except KeyError:
            raise ParAppError(
                f'Không có chỉ tiêu nhập liệu "{code}" trong danh mục.',
                f'There is no data element "{code}" in the catalogue.',
            ) from None

    def indicator(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise ParAppError(
                f'Không có chỉ số "{code}" trong danh mục.',
                f'There is no indicator "{code}" in the catalogue.',
            ) from None

    def group(self, code: str) -> Group:
        return next((g for g in self.groups if g.code == code), Group(code, Text(code, code)))

    @cached_property
    def _rules_at(self) -> dict[str | None, list[RulePlan]]:
        return {}

    def rules_for(self, level: str | None) -> list[RulePlan]:
        """The rules judged for a unit of this level (all of them for None), each with the names it reads;
        worked out once per level (the catalogue does not change once loaded)."""
        plans = self._rules_at.get(level)
        if plans is None:
            plans = []
            for rule in self.rules:
                if level is None or all(level in self.elements[e].levels for e in rule.elements if e in self.elements):
                    names = rule.left.names | rule.right.names
                    plans.append(RulePlan(rule, names, rule.left.prev_names | rule.right.prev_names,
                                          tuple(sorted(names))))
            self._rules_at[level] = plans
        return plans

    @cached_property
    def rules_by_element(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for r in self.rules:
            for e in r.elements:
                out.setdefault(e, []).append(r)
        return out


# --------------------------------------------------------------------------------------- target sets


@record(frozen=True)
class Target:
    """One target of a target set: an indicator's goal for some years and levels, with its source."""

    indicator: str
    type: str
    source: str
    levels: frozenset[str] | None = None
    years: tuple[int, int] | None = None
    op: str = ">="
    value: float | None = None
    step: float | None = None
    cap: float | None = None
    base_year: int | None = None
    base: float | None = None
    baseline: tuple[str, ...] = ()
    note: Text | None = None
    line: int = 0

    def applies(self, level: str, year: int) -> bool:
        if self.levels is not None and level not in self.levels:
            return False
        return self.years is None or self.years[0] <= year <= self.years[1]

    def describe(self, lang: str = "vi", decimals: int = 0, percent: bool = True) -> str:
        """The target as an officer reads it: '≥ 90%', '+20 điểm/năm (tối đa 100%)', 'top 10'."""
        sym = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}[self.op]
        pct = "%" if percent else ""
        vi = lang != "en"

        def num(v: float | None) -> str:
            return format_number(v, decimals if v is not None and v != int(v) else 0, lang)

        if self.type == "threshold":
            return f"{sym} {num(self.value)}{pct}"
        if self.type == "rank":
            return f"{'nhóm' if vi else 'top'} {num(self.value)}" if self.op in ("<=", "<") else f"{sym} {num(self.value)}"
        if self.type == "improve":
            v = num(self.value or 0)
            return f"tăng ≥ {v} bậc/năm" if vi else f"up ≥ {v} place(s) a year"
        if self.type == "change":
            base = "–".join(self.baseline)
            return f"{sym} {num(self.value)}% so với {base}" if vi else f"{sym} {num(self.value)}% vs {base}"
        if self.type == "increment":
            cap = num(self.cap if self.cap is not None else 100)
            if self.base_year is not None:
                return (f"{num(self.base)}% năm {self.base_year}, +{num(self.step)} điểm/năm (tối đa {cap}%)" if vi
                        else f"{num(self.base)}% in {self.base_year}, +{num(self.step)} points a year (up to {cap}%)")
            return (f"+{num(self.step)} điểm/năm (tối đa {cap}%)" if vi
                    else f"+{num(self.step)} points a year (up to {cap}%)")
        return self.type


@record
class TargetSet:
    """A province's targets (its resolution or plan), read from a TOML file."""

    id: str
    province: str
    name: Text
    document: str
    issuer: str
    date: str
    years: tuple[int, int]
    targets: list[Target]
    catalogue: str | None = None
    source_text: str = ""
    path: Path | None = None

    def targets_for(self, indicator: str, level: str, year: int) -> list[Target]:
        return [t for t in self.targets if t.indicator == indicator and t.applies(level, year)]

    def covers(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


# --------------------------------------------------------------------------------------- loading


# The catalogue and the target sets are read at every start. TOML parsing is most of that; its result is kept as
# JSON in the cache folder beside the data, under the SHA-256 of the text, and checked like a fresh parse. Only
# documents whose values JSON holds exactly are kept (a TOML date, say, is parsed each time).
_CACHE_FORMAT = "toml-json-1"


def _cache_file(text: str) -> Path | None:
    import hashlib

    try:
        from parapp import settings

        folder = settings.data_dir() / "cache"
    except Exception:  # noqa: BLE001 - no data folder to be had: no cache, the text is parsed
        return None
    key = hashlib.sha256((_CACHE_FORMAT + "\0" + text).encode("utf-8", "surrogatepass")).hexdigest()
    return folder / f"parsed-{key[:40]}.json"


def _parsed_cache(text: str) -> dict | None:
    path = _cache_file(text)
    if path is None:
        return None
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _keep_parsed(text: str, doc: dict) -> None:
    path = _cache_file(text)
    if path is None:
        return
    try:
        data = json.dumps(doc, ensure_ascii=False, allow_nan=True).encode("utf-8")
        if json.loads(data) != doc:  # e.g. a tuple, or a float that reads back otherwise
            return
    except (TypeError, ValueError):  # a TOML date or time: not kept
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk: the text is parsed again next time
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


# The objects built from a catalogue or a target set are kept too (pickled, in the same folder), under the SHA-256
# of what they were built from: the text, its label (it names the file in errors), for a target set the catalogue
# it was checked against, and the code that builds them (ParApp's version and the size and time of these modules'
# files, so that a changed class is never read from an old file). A file that is missing, unreadable, damaged or
# of another key is ignored and the text is parsed; only a text that parses is kept, so its errors stay the same.
_BUILT_FORMAT = "built-pickle-1"
_BUILT_MODULES = ("parapp.domain.catalogue", "parapp.domain.expressions", "parapp.i18n")  # whose classes they hold


@lru_cache(maxsize=1)
def _code_stamp() -> str | None:
    """What identifies the code that builds catalogues and target sets; None when it cannot be told (no files)."""
    import sys

    from parapp import __version__, i18n
    from parapp.domain import expressions

    parts = [__version__, sys.version]
    try:
        for module in (sys.modules[__name__], expressions, i18n):
            st = os.stat(module.__file__)
            parts.append(f"{module.__name__}:{st.st_size}:{st.st_mtime_ns}")
    except (OSError, TypeError, AttributeError):
        return None
    return "\0".join(parts)


def _built_key(kind: str, text: str, label: str, of: str = "") -> str | None:
    try:  # the interpreter's own SHA-256, without hashlib's import (OpenSSL's, a part of every start-up)
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256
    stamp = _code_stamp()
    if stamp is None:
        return None
    whole = "\0".join((_BUILT_FORMAT, stamp, kind, label, of, text))
    return sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()


def _built_file(key: str) -> Path | None:
    try:
        from parapp import settings

        return settings.data_dir() / "cache" / f"built-{key[:40]}.pickle"
    except Exception:  # noqa: BLE001 - no data folder to be had: nothing is kept
        return None


def _built(key: str | None, kind: type):
    """The object kept under key, if its file is there, reads whole and holds one of kind under that very key."""
    path = _built_file(key) if key is not None else None
    if path is None:
        return None
    import io
    import pickle

    class Restricted(pickle.Unpickler):
        """Unpickles the catalogue's and target sets' own classes and nothing else: a cache file written by
        anyone but ParApp (a shared stick, say) can name no function to call, only these classes to fill."""

        def find_class(self, module: str, name: str):
            if module in _BUILT_MODULES:
                found = getattr(sys.modules.get(module) or __import__(module, fromlist=[name]), name, None)
                if isinstance(found, type) and found.__module__ == module:
                    return found
            raise pickle.UnpicklingError(f"{module}.{name} is not kept in a built catalogue")

    try:
        kept_key, obj = Restricted(io.BytesIO(path.read_bytes())).load()
    except Exception:  # noqa: BLE001 - missing, cut short, damaged, of an older layout, foreign: parse the text
        return None
    return obj if kept_key == key and type(obj) is kind else None


def _keep_built(key: str | None, obj: object) -> None:
    path = _built_file(key) if key is not None else None
    if path is None:
        return
    import pickle

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        data = pickle.dumps((key, obj), protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - a read-only or full disk, an object that does not pickle: parsed next time
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


class _Reader:
    """Reads one TOML document, turning every problem into a CatalogueError naming file and line."""

    def __init__(self, text: str, label: str):
        self.label = label
        self.text = nfc(text)
        self.lines = self.text.splitlines()
        self._tables: dict[str, list[int]] = {}
        self._bracketed: list[tuple[int, str]] | None = None

    def fail(self, line: int, vi: str, en: str) -> CatalogueError:
        where_vi = f"{self.label}, dòng {line}" if line else self.label
        where_en = f"{self.label}, line {line}" if line else self.label
        return CatalogueError(f"{where_vi}: {vi}", f"{where_en}: {en}")

    def load(self) -> dict:
        cached = _parsed_cache(self.text)
        if cached is not None:
            return cached
        import tomllib  # only when the text is not in the cache: its import is a part of every command's start-up

        try:
            doc = tomllib.loads(self.text)
            _keep_parsed(self.text, doc)
            return doc
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"line (\d+)", str(e))
            reason = str(e)
            raise self.fail(int(m.group(1)) if m else 0, f"không đọc được TOML ({reason}).",
                            f"not valid TOML ({reason}).") from None

    def table_line(self, header: str, index: int) -> int:
        """Line (1-based) of the index-th [[header]] table, 0 if not found."""
        lines = self._tables.get(header)
        if lines is None:  # every [[header]] line, found among the lines with "[[" the first time it is asked for
            if self._bracketed is None:  # those lines, found in one pass over the text for every header
                self._bracketed = [(i, line) for i, line in enumerate(self.lines, 1) if "[[" in line]
            pat = re.compile(r"\s*\[\[\s*" + re.escape(header) + r"\s*\]\]")
            lines = self._tables[header] = [i for i, line in self._bracketed if pat.match(line)]
        return lines[index] if 0 <= index < len(lines) else 0

    def key_line(self, key: str) -> int:
        pat = re.compile(r"\s*" + re.escape(key) + r"\s*=")
        return next((i for i, line in enumerate(self.lines, 1) if pat.match(line)), 0)

    def string(self, d: dict, key: str, line: int, required: bool = True, default: str = "") -> str:
        v = d.get(key, None)
        if v is None:
            if required:
                raise self.fail(line, f'thiếu khoá "{key}".', f'the key "{key}" is missing.')
            return default
        if not isinstance(v, str):
            raise self.fail(line, f'"{key}" phải là chuỗi ký tự.', f'"{key}" must be a string.')
        return nfc(v)

    def code(self, d: dict, key: str, line: int) -> str:
        v = self.string(d, key, line)
        if not _CODE.match(v):
            raise self.fail(line, f'mã "{v}" không hợp lệ (chỉ chữ thường không dấu, số và "_").',
                            f'the code "{v}" is not valid (lower-case letters, digits and "_" only).')
        return v

    def choice(self, d: dict, key: str, options: Iterable[str], line: int, default: str | None = None) -> str:
        options = tuple(options)
        v = d.get(key, default)
        if v not in options:
            raise self.fail(line, f'"{key}" phải là một trong {", ".join(options)}, không phải {v!r}.',
                            f'"{key}" must be one of {", ".join(options)}, not {v!r}.')
        return v

    def number(self, d: dict, key: str, line: int, required: bool = True) -> float | None:
        v = d.get(key)
        if v is None:
            if required:
                raise self.fail(line, f'thiếu khoá "{key}".', f'the key "{key}" is missing.')
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.fail(line, f'"{key}" phải là một số.', f'"{key}" must be a number.')
        return float(v)

    def levels(self, d: dict, line: int, required: bool = True) -> frozenset[str] | None:
        v = d.get("levels")
        if v is None:
            if required:
                raise self.fail(line, 'thiếu khoá "levels".', 'the key "levels" is missing.')
            return None
        if not isinstance(v, list) or not v or any(x not in LEVELS for x in v):
            raise self.fail(line, f'"levels" phải là danh sách trong {", ".join(LEVELS)}.',
                            f'"levels" must be a list of {", ".join(LEVELS)}.')
        return frozenset(v)

    def years(self, d: dict, line: int, required: bool = True) -> tuple[int, int] | None:
        v = d.get("years")
        if v is None:
            if required:
                raise self.fail(line, 'thiếu khoá "years".', 'the key "years" is missing.')
            return None
        if (not isinstance(v, list) or len(v) != 2 or any(not isinstance(y, int) or isinstance(y, bool) for y in v)
                or not 1900 <= v[0] <= v[1] <= 2199):
            raise self.fail(line, '"years" phải là [năm đầu, năm cuối], ví dụ [2022, 2025].',
                            '"years" must be [first year, last year], e.g. [2022, 2025].')
        return (v[0], v[1])

    def expression(self, d: dict, key: str, line: int, known: dict[str, Element]) -> Expression:
        text = self.string(d, key, line)
        try:
            expr = Expression.parse(text)
        except ExpressionError as e:
            raise self.fail(line, e.message("vi"), e.message("en")) from None
        unknown = sorted(expr.all_names - known.keys())
        if unknown:
            raise self.fail(line, f'biểu thức "{text}" dùng chỉ tiêu không có: {", ".join(unknown)}.',
                            f'the expression "{text}" uses unknown elements: {", ".join(unknown)}.')
        return expr

    def tables(self, doc: dict, key: str) -> list[dict]:
        v = doc.get(key, [])
        if not isinstance(v, list) or any(not isinstance(x, dict) for x in v):
            raise self.fail(self.key_line(key), f'"{key}" phải là danh sách bảng [[{key}]].',
                            f'"{key}" must be a list of [[{key}]] tables.')
        return v


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CatalogueError(f"Không mở được tệp {path}: {e.strerror}.", f"Cannot open the file {path}: {e.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(f"Tệp {path} không phải văn bản UTF-8.", f"The file {path} is not UTF-8 text.") from None


def _text(r: _Reader, d: dict, stem: str, line: int, required: bool = True) -> Text:
    vi = r.string(d, f"{stem}_vi", line, required)
    en = r.string(d, f"{stem}_en", line, required=False, default=vi)
    return Text(vi, en)


def parse_catalogue(text: str, label: str = "catalogue.toml") -> Catalogue:
    key = _built_key("catalogue", text, label)
    cat = _built(key, Catalogue)
    if cat is None:
        cat = _parse_catalogue(text, label)
        _keep_built(key, cat)
    cat._built_key = key  # what a target set checked against it is kept under (the catalogue does not change)
    return cat


def _parse_catalogue(text: str, label: str) -> Catalogue:
    r = _Reader(text, label)
    doc = r.load()
    version = r.string(doc, "version", r.key_line("version"))
    groups = [Group(r.code(g, "code", r.table_line("groups", i)), _text(r, g, "name", r.table_line("groups", i)))
              for i, g in enumerate(r.tables(doc, "groups"))]
    group_codes = {g.code for g in groups}

    def check_group(d: dict, line: int) -> str:
        g = r.code(d, "group", line)
        if g not in group_codes:
            raise r.fail(line, f'nhóm "{g}" không có trong [[groups]].', f'the group "{g}" is not in [[groups]].')
        return g

    def unique(code: str, seen: set[str], line: int) -> str:
        if code in seen:
            raise r.fail(line, f'mã "{code}" bị trùng.', f'the code "{code}" is used twice.')
        seen.add(code)
        return code

    elements: dict[str, Element] = {}
    raw_weights: list[tuple[str, str, int]] = []
    for i, e in enumerate(r.tables(doc, "elements")):
        line = r.table_line("elements", i)
        code = unique(r.code(e, "code", line), set(elements), line)
        weight = e.get("weight")
        if weight is not None:
            raw_weights.append((code, r.string(e, "weight", line), line))
        unit = Text(r.string(e, "unit_vi", line, False), r.string(e, "unit_en", line, False)) if "unit_vi" in e else None
        elements[code] = Element(
            code=code, group=check_group(e, line), name=_text(r, e, "name", line),
            type=r.choice(e, "type", ELEMENT_TYPES, line), levels=r.levels(e, line),
            time=r.choice(e, "time", TIME_KINDS, line, "flow"),
            period_type=r.choice(e, "period_type", ("quarter", "year"), line, "quarter"),
            weight=weight, unit=unit,
        )
    for _code, weight, line in raw_weights:
        if weight not in elements or elements[weight].type != "count":
            raise r.fail(line, f'trọng số "{weight}" phải là một chỉ tiêu đếm trong danh mục.',
                         f'the weight "{weight}" must be a count element of the catalogue.')
    indicators: dict[str, Indicator] = {}
    for i, d in enumerate(r.tables(doc, "indicators")):
        line = r.table_line("indicators", i)
        code = unique(r.code(d, "code", line), set(indicators) | set(elements), line)
        kind = r.choice(d, "kind", INDICATOR_KINDS, line)
        den = r.expression(d, "denominator", line, elements) if kind == "ratio" else None
        dec = d.get("decimals", 2 if kind in ("ratio", "percent", "change") else 0)
        if not isinstance(dec, int) or isinstance(dec, bool) or not 0 <= dec <= 6:
            raise r.fail(line, '"decimals" phải là số nguyên từ 0 đến 6.', '"decimals" must be a whole number from 0 to 6.')
        indicators[code] = Indicator(
            code=code, group=check_group(d, line), name=_text(r, d, "name", line), kind=kind,
            numerator=r.expression(d, "numerator", line, elements), denominator=den,
            levels=r.levels(d, line),
            better=r.choice(d, "better", ("higher", "lower"), line, "lower" if kind == "rank" else "higher"),
            decimals=dec,
        )
    rules: list[Rule] = []
    seen_rules: set[str] = set()
    for i, d in enumerate(r.tables(doc, "rules")):
        line = r.table_line("rules", i)
        rules.append(Rule(
            code=unique(r.code(d, "code", line), seen_rules, line), name=_text(r, d, "name", line),
            left=r.expression(d, "left", line, elements), op=r.choice(d, "op", OPS, line),
            right=r.expression(d, "right", line, elements),
            severity=r.choice(d, "severity", ("error", "warning"), line, "error"),
        ))
    return Catalogue(version, groups, elements, indicators, rules)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The shipped catalogue, or the one at path."""
    if path is None:
        from parapp.resources import resource_path

        path = resource_path("catalogue", "catalogue.toml")
    cat = parse_catalogue(_read_text(path), str(path.name))
    cat.path = path
    return cat


def parse_target_set(text: str, catalogue: Catalogue, label: str = "target set") -> TargetSet:
    of = getattr(catalogue, "_built_key", None)  # None: a catalogue not read from text, nothing is kept
    key = _built_key("target set", text, label, of) if of is not None else None
    ts = _built(key, TargetSet)
    if ts is None:
        ts = _parse_target_set(text, catalogue, label)
        _keep_built(key, ts)
    return ts


def _parse_target_set(text: str, catalogue: Catalogue, label: str) -> TargetSet:
    r = _Reader(text, label)
    doc = r.load()
    top = r.key_line
    set_id = r.code(doc, "id", top("id"))
    province = r.string(doc, "province", top("province"))
    if not re.fullmatch(r"\d{2}", province):
        raise r.fail(top("province"), f'mã tỉnh "{province}" phải gồm 2 chữ số.',
                     f'the province code "{province}" must be two digits.')
    years = r.years(doc, top("years"))
    targets: list[Target] = []
    for i, d in enumerate(r.tables(doc, "targets")):
        line = r.table_line("targets", i)
        ind_code = r.string(d, "indicator", line)
        if ind_code not in catalogue.indicators:
            raise r.fail(line, f'chỉ số "{ind_code}" không có trong danh mục.',
                         f'the indicator "{ind_code}" is not in the catalogue.')
        ind = catalogue.indicators[ind_code]
        ttype = r.choice(d, "type", TARGET_TYPES, line)
        source = r.string(d, "source", line)
        if not source.strip():
            raise r.fail(line, 'thiếu nguồn ("source") của chỉ tiêu.', 'the target\'s "source" is empty.')
        levels = r.levels(d, line, required=False)
        if levels is not None and not levels <= ind.levels:
            extra = ", ".join(sorted(levels - ind.levels))
            raise r.fail(line, f'chỉ số "{ind_code}" không áp dụng cho cấp {extra}.',
                         f'the indicator "{ind_code}" does not apply to the level {extra}.')
        tyears = r.years(d, line, required=False) or years
        kw: dict = {}
        if ttype in ("threshold", "change", "rank"):
            kw["op"] = r.choice(d, "op", OPS, line)
            kw["value"] = r.number(d, "value", line)
        elif ttype == "improve":
            v = r.number(d, "value", line, required=False)
            kw["value"] = 1.0 if v is None else v
            kw["op"] = ">="
        else:  # increment
            kw["step"] = r.number(d, "step", line)
            cap = r.number(d, "cap", line, required=False)
            kw["cap"] = 100.0 if cap is None else cap
            kw["base"] = r.number(d, "base", line, required=False)
            by = d.get("base_year")
            if (by is None) != (kw["base"] is None):
                raise r.fail(line, '"base_year" và "base" phải đi cùng nhau.', '"base_year" and "base" go together.')
            if by is not None and (not isinstance(by, int) or isinstance(by, bool)):
                raise r.fail(line, '"base_year" phải là một năm.', '"base_year" must be a year.')
            kw["base_year"] = by
        if ttype in ("rank", "improve") and ind.kind != "rank":
            raise r.fail(line, f'chỉ tiêu xếp hạng chỉ dùng cho chỉ số xếp hạng, "{ind_code}" không phải.',
                         f'a rank target needs a rank indicator; "{ind_code}" is not one.')
        if ttype == "change":
            bl = d.get("baseline")
            bl = [bl] if isinstance(bl, str) else bl
            if not isinstance(bl, list) or not 1 <= len(bl) <= 2 or any(not isinstance(x, str) for x in bl):
                raise r.fail(line, '"baseline" phải là một kỳ ("2021") hoặc hai năm (["2016", "2020"]).',
                             '"baseline" must be a period ("2021") or two years (["2016", "2020"]).')
            from parapp.domain.periods import Period, PeriodError

            try:
                for p in bl:
                    Period.parse(p)
            except PeriodError as e:
                raise r.fail(line, e.message("vi"), e.message("en")) from None
            kw["baseline"] = tuple(bl)
        note = Text(r.string(d, "note_vi", line, False), r.string(d, "note_en", line, False)) if "note_vi" in d else None
        targets.append(Target(indicator=ind_code, type=ttype, source=source, levels=levels, years=tyears,
                              note=note, line=line, **kw))
    return TargetSet(
        id=set_id, province=province, name=_text(r, doc, "name", top("name_vi")),
        document=r.string(doc, "document", top("document"), False), issuer=r.string(doc, "issuer", top("issuer"), False),
        date=str(doc.get("date", "")), years=years, targets=targets,
        catalogue=doc.get("catalogue"), source_text=r.text,
    )


def load_target_set(path: Path, catalogue: Catalogue) -> TargetSet:
    ts = parse_target_set(_read_text(path), catalogue, str(path.name))
    ts.path = path
    return ts


def shipped_target_sets(catalogue: Catalogue) -> dict[str, TargetSet]:
    from parapp.resources import resource_path

    out = {}
    for p in sorted(resource_path("target_sets").glob("*.toml")):
        ts = load_target_set(p, catalogue)
        out[ts.id] = ts
    return out


@record
class _Registry:
    """What the process has read of the shipped catalogue."""

    catalogue: Catalogue | None = None
    target_sets: dict[str, TargetSet] = field(default_factory=dict)


_cache = _Registry()


def shipped_catalogue() -> Catalogue:
    """The shipped catalogue, read once per process."""
    if _cache.catalogue is None:
        _cache.catalogue = load_catalogue()
    return _cache.catalogue
