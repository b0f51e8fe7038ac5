"""The import of DHIS2 data: dataValueSets JSON and CSV, and ADX XML, read as a stream, mapped back to ParApp's
units, periods and data elements, previewed against the database, then written, every file or none.

A DHIS2 file carries only the values it has: it adds or changes those (and their comments) and never clears
any other. A completion in a file (completeDataSetRegistrations, a top-level completeDate, ADX's completeDate)
marks the unit-period submitted, never more: a file never approves. Anything the file says that ParApp cannot
take (a data element or organisation unit it does not know, a value that is not a number, a period it has no
such duration for, a disaggregated value, a unit-period approved here) refuses the whole file, in a sentence
naming the file and the line.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax import SAXException, SAXParseException, handler
from xml.sax.expatreader import ExpatLocator

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.expatreader import DefusedExpatParser

from parapp.domain.periods import HALF, MONTH, QUARTER, YEAR, Period
from parapp.engine.validation import Message, validate
from parapp.exchange.dhis2.mapping import Mapping, load_mapping
from parapp.i18n import ParAppError, Text, clean, nfc
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.units import Unit

Progress = Callable[[int, int], bool | None]

JSON, CSV, ADX = "json", "csv", "adx"
FORMAT_NAMES = {JSON: "dataValueSets JSON", CSV: "dataValueSets CSV", ADX: "ADX XML"}
ADX_NS = "urn:ihe:qrph:adx:2015"
DXF2_NS = "http://dhis2.org/schema/dxf/2.0"
SUFFIXES = (".json", ".csv", ".xml", ".adx")
# DHIS2's default category option combination: left out, its code "default", or the UID most instances give it.
DEFAULT_COMBOS = frozenset({"", "default", "HllvX50cXC0"})
_CHUNK = 1 << 16
_LARGEST = 64 << 20  # one element of a JSON array, or one other top-level field
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_DURATION = {"P1Y": YEAR, "P12M": YEAR, "P6M": HALF, "P3M": QUARTER, "P1M": MONTH}
_MONTHS = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}


class Dhis2ImportError(ParAppError):
    """A DHIS2 file that cannot be imported, or an import that cannot be written."""


def _where(path: Path, line: int | None = None, item: str | None = None) -> Text:
    vi, en = f'Tệp "{path.name}"', f'File "{path.name}"'
    if line is not None:
        vi += f", dòng {line}"
        en += f", line {line}"
    if item:
        vi += f" ({item})"
        en += f" ({item})"
    return Text(vi, en)


def _refuse(path: Path, vi: str, en: str, line: int | None = None, item: str | None = None) -> Dhis2ImportError:
    w = _where(path, line, item)
    return Dhis2ImportError(f"{w.vi}: {vi}", f"{w.en}: {en}")


def _shown(text: object) -> str:
    s = clean(str(text))
    return s if len(s) <= 60 else s[:59] + "…"


# ------------------------------------------------------------------------------------------------ what files say


@dataclass
class _Value:
    """One data value as a file gives it, before it is mapped."""

    line: int | None
    item: str | None  # where in a JSON file: dataValues[i]
    element: object
    period: object
    org_unit: object
    value: object
    comment: object = None
    category_option_combo: object = None
    attribute_option_combo: object = None
    deleted: bool = False


@dataclass
class _Completion:
    line: int | None
    item: str | None
    period: object
    org_unit: object
    attribute_option_combo: object = None
    completed: bool = True


# ------------------------------------------------------------------------------------------------ JSON


class _JsonStream:
    """The tokens of a dataValueSets document read a chunk at a time: the outer object and its arrays are walked
    here, each element of an array decoded on its own, so a large file is never held whole."""

    _decoder = json.JSONDecoder()
    _SPACE = " \t\r\n"

    def __init__(self, path: Path, f):
        self.path, self.f = path, f
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self._want = _CHUNK

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.f.read(self._want)
        except UnicodeDecodeError:
            raise _refuse(self.path, "không phải văn bản UTF-8 (tệp JSON của DHIS2 luôn là UTF-8); không nhập.",
                          "is not UTF-8 text (DHIS2's JSON always is); not imported.", self.line) from None
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def _advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            n = len(self.buf)
            i = self.pos
            while i < n and self.buf[i] in self._SPACE:
                i += 1
            self._advance(i)
            if i < n:
                return self.buf[i]
            if not self._more():
                return ""

    def expect(self, chars: str, what_vi: str, what_en: str, item: str | None = None) -> str:
        ch = self.peek()
        if ch == "":
            raise self.truncated(item)
        if ch not in chars:
            raise _refuse(self.path, f"không đúng cấu trúc JSON của dataValueSets: cần {what_vi}, gặp \"{ch}\".",
                          f"does not have the structure of a dataValueSets JSON: {what_en} expected, \"{ch}\" found.",
                          self.line, item)
        self._advance(self.pos + 1)
        return ch

    def truncated(self, item: str | None = None) -> Dhis2ImportError:
        return _refuse(self.path, "kết thúc giữa chừng (tệp bị cắt cụt hoặc chưa tải xong); không nhập.",
                       "ends in the middle (the file is cut short or was not fully downloaded); not imported.",
                       self.line, item)

    def value(self, item: str | None = None):
        """The next JSON value, decoded (reading on while the buffer holds only part of it)."""
        self.peek()
        while True:
            try:
                obj, end = self._decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                # Only a string left open can be about text not read yet far from where the error points.
                open_string = e.msg.startswith("Unterminated string")
                if (open_string or e.pos + 1024 >= len(self.buf)) and self._more_for(item):
                    continue
                if self.eof and (open_string or e.pos >= len(self.buf.rstrip())):
                    raise self.truncated(item) from None
                line = self.line + self.buf.count("\n", self.pos, e.pos)
                raise _refuse(self.path, f"không phải JSON hợp lệ ({e.msg}); không nhập.",
                              f"is not valid JSON ({e.msg}); not imported.", line, item) from None
            except RecursionError:
                raise _refuse(self.path, "có cấu trúc JSON lồng nhau quá sâu; không nhập.",
                              "nests JSON too deeply; not imported.", self.line, item) from None
            except ValueError as e:  # e.g. a number of more digits than Python converts
                raise _refuse(self.path, f"có giá trị JSON không đọc được ({_shown(e)}); không nhập.",
                              f"has a JSON value that cannot be read ({_shown(e)}); not imported.",
                              self.line, item) from None
            if end >= len(self.buf) and not self.eof and self._more_for(item):
                continue  # a number may go on in the next chunk
            self._advance(end)
            return obj

    def _more_for(self, item: str | None) -> bool:
        """Read more before decoding again; each read is as large as what is held, so a long value costs a few
        decodes, not one per chunk. One value larger than _LARGEST is refused."""
        held = len(self.buf) - self.pos
        if held > _LARGEST:
            raise _refuse(self.path, "có một phần tử JSON quá lớn (hơn 64 MB); không nhập.",
                          "has a JSON element larger than 64 MB; not imported.", self.line, item)
        self._want = max(_CHUNK, held)
        return self._more()


def _read_json(path: Path, raw, combos: frozenset[str]) -> Iterator[_Value | _Completion]:
    f = codecs.getreader("utf-8-sig")(raw, errors="strict")
    s = _JsonStream(path, f)
    if s.peek() != "{":
        raise _refuse(path, 'không phải tệp dataValueSets JSON của DHIS2 (phải là một đối tượng {"dataValues": [...]}); '
                            "không nhập.",
                      'is not a DHIS2 dataValueSets JSON (it must be an object {"dataValues": [...]}); not imported.',
                      s.line)
    s.expect("{", "{", "{")
    top: dict[str, object] = {}
    waiting: list[_Value | _Completion] = []  # rows that need the top-level period or orgUnit, given after them
    top_line = s.line
    seen_values = False

    bare_combo = 0  # rows given out before a top-level attributeOptionCombo was read, without their own

    def needs_top(row) -> bool:
        return row.period in (None, "") or row.org_unit in (None, "")

    def fill(row):
        if row.period in (None, ""):
            row.period = top.get("period")
        if row.org_unit in (None, ""):
            row.org_unit = top.get("orgUnit")
        if row.attribute_option_combo is None:
            row.attribute_option_combo = top.get("attributeOptionCombo")
        return row

    first = True
    while True:
        ch = s.peek()
        if ch == "}":
            s._advance(s.pos + 1)
            break
        if not first:
            s.expect(",", '"," hoặc "}"', '"," or "}"')
        first = False
        if s.peek() != '"':
            s.expect('"', "tên một trường", "a field name")
        key_line = s.line
        key = s.value()
        s.expect(":", '":"', '":"')
        if key in ("dataValues", "completeDataSetRegistrations"):
            values = key == "dataValues"
            seen_values = True
            s.expect("[", "một mảng [...]", "an array [...]", key)
            i = 0
            while True:
                if s.peek() == "]":
                    s._advance(s.pos + 1)
                    break
                if i:
                    s.expect(",", '"," hoặc "]"', '"," or "]"', f"{key}[{i}]")
                item = f"{key}[{i}]"
                line = s.line
                if s.peek() == "":
                    raise s.truncated(item)
                obj = s.value(item)
                row = _json_value(path, obj, line, item) if values else _json_completion(path, obj, line, item)
                if needs_top(row):
                    waiting.append(row)
                else:
                    if row.attribute_option_combo is None:
                        if "attributeOptionCombo" in top:
                            row.attribute_option_combo = top["attributeOptionCombo"]
                        else:
                            bare_combo += 1
                    yield row
                i += 1
        else:
            top[key] = s.value(key)
            if key == "attributeOptionCombo" and bare_combo and _text(top[key]) not in combos:
                raise _refuse(path, f'nhóm phân tổ thuộc tính (attributeOptionCombo) "{_shown(top[key])}" không phải '
                                    "nhóm mặc định; ParApp chỉ nhận số liệu không phân tổ; không nhập.",
                              f'the attribute option combination "{_shown(top[key])}" is not the default one; '
                              "ParApp takes only values that are not disaggregated; not imported.", key_line)
            if key in ("period", "orgUnit", "attributeOptionCombo", "completeDate", "dataSet") \
                    and top[key] is not None and not isinstance(top[key], str):
                raise _refuse(path, f'trường "{key}" phải là một chuỗi.', f'the field "{key}" must be a string.',
                              key_line)
    if s.peek() != "":
        raise _refuse(path, "có nội dung thừa sau đối tượng JSON; không nhập.",
                      "has more after the JSON object; not imported.", s.line)
    for row in waiting:
        yield fill(row)
    if top.get("completeDate") and top.get("period") and top.get("orgUnit"):
        yield _Completion(top_line, "completeDate", top["period"], top["orgUnit"], top.get("attributeOptionCombo"))
    if not seen_values:
        raise _refuse(path, 'không có mảng "dataValues": không phải tệp dataValueSets của DHIS2; không nhập.',
                      'has no "dataValues" array: it is not a DHIS2 dataValueSets file; not imported.', top_line)


def _json_value(path: Path, obj, line: int, item: str) -> _Value:
    if not isinstance(obj, dict):
        raise _refuse(path, "mỗi phần tử của dataValues phải là một đối tượng {...}.",
                      "each element of dataValues must be an object {...}.", line, item)
    deleted = obj.get("deleted")
    return _Value(line, item, obj.get("dataElement"), obj.get("period"), obj.get("orgUnit"), obj.get("value"),
                  obj.get("comment"), obj.get("categoryOptionCombo"), obj.get("attributeOptionCombo"),
                  deleted is True or (isinstance(deleted, str) and deleted.strip().lower() == "true"))


def _json_completion(path: Path, obj, line: int, item: str) -> _Completion:
    if not isinstance(obj, dict):
        raise _refuse(path, "mỗi phần tử của completeDataSetRegistrations phải là một đối tượng {...}.",
                      "each element of completeDataSetRegistrations must be an object {...}.", line, item)
    done = obj.get("completed", True)
    return _Completion(line, item, obj.get("period"), obj.get("organisationUnit", obj.get("orgUnit")),
                       obj.get("attributeOptionCombo"),
                       done is not False and not (isinstance(done, str) and done.strip().lower() == "false"))


# ------------------------------------------------------------------------------------------------ CSV

_CSV_NAMES = {
    "dataelement": "element", "de": "element", "period": "period", "pe": "period", "orgunit": "org_unit",
    "ou": "org_unit", "organisationunit": "org_unit", "categoryoptioncombo": "coc", "catoptcombo": "coc",
    "coc": "coc", "co": "coc", "attributeoptioncombo": "aoc", "attroptcombo": "aoc", "aoc": "aoc", "value": "value",
    "storedby": "stored_by", "lastupdated": "last_updated", "timestamp": "last_updated", "comment": "comment",
    "followup": "followup", "flwup": "followup", "deleted": "deleted",
}
# DHIS2's column order, for a file without a header row
_CSV_ORDER = ("element", "period", "org_unit", "coc", "aoc", "value", "stored_by", "last_updated", "comment",
              "followup", "deleted")


def _header_key(cell: str) -> str:
    return re.sub(r"[\s_\-]", "", cell.strip().lower())


def _read_csv(path: Path, raw, combos: frozenset[str]) -> Iterator[_Value]:
    f = codecs.getreader("utf-8-sig")(raw, errors="strict")
    lines = _Lines(f)
    reader = csv.reader(lines, strict=True)
    columns: dict[str, int] | None = None
    start = 1
    try:
        for row in reader:
            line, start = start, lines.count + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                if _header_key(row[0]) in ("dataelement", "de"):  # a header row: columns by their names
                    columns = {}
                    for i, cell in enumerate(row):
                        name = _CSV_NAMES.get(_header_key(cell))
                        if name is not None:
                            columns.setdefault(name, i)
                    missing = [n for n, k in (("dataelement", "element"), ("period", "period"),
                                              ("orgunit", "org_unit"), ("value", "value")) if k not in columns]
                    if missing:
                        raise _refuse(path, f"dòng tiêu đề thiếu cột {', '.join(missing)}; không nhập.",
                                      f"the header row lacks the column(s) {', '.join(missing)}; not imported.", line)
                    continue
                columns = {name: i for i, name in enumerate(_CSV_ORDER)}
            need = max(columns[k] for k in ("element", "period", "org_unit", "value"))
            if len(row) <= need:
                raise _refuse(path, f"dòng chỉ có {len(row)} cột, cần ít nhất {need + 1} (dataelement, period, orgunit, "
                                    "categoryoptioncombo, attributeoptioncombo, value); tệp bị cắt cụt hoặc không "
                                    "phải CSV của DHIS2.",
                              f"the row has only {len(row)} column(s), at least {need + 1} are needed (dataelement, "
                              "period, orgunit, categoryoptioncombo, attributeoptioncombo, value); the file is cut "
                              "short or not a DHIS2 CSV.", line)

            def cell(name: str, row=row, columns=columns) -> str | None:
                i = columns.get(name)
                return row[i] if i is not None and i < len(row) else None

            deleted = (cell("deleted") or "").strip().lower() == "true"
            yield _Value(line, None, cell("element"), cell("period"), cell("org_unit"), cell("value"),
                         cell("comment"), cell("coc"), cell("aoc"), deleted)
    except csv.Error as e:
        raise _refuse(path, f"không đọc được như CSV ({_shown(e)}); tệp bị cắt cụt hoặc hỏng.",
                      f"cannot be read as CSV ({_shown(e)}); the file is cut short or damaged.", lines.count) from None
    except UnicodeDecodeError:
        raise _refuse(path, "không phải văn bản UTF-8; hãy xuất lại từ DHIS2 (CSV của DHIS2 luôn là UTF-8).",
                      "is not UTF-8 text; export it again from DHIS2 (its CSV always is).", lines.count + 1) from None
    if columns is None:
        raise _refuse(path, "không có số liệu nào.", "holds no data values.")


class _Lines:
    """A text file's lines for the csv reader, counting them (csv's own count is of records)."""

    def __init__(self, f):
        self.f, self.count = f, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.f.readline()
        if not line:
            raise StopIteration
        self.count += 1
        return line


# ------------------------------------------------------------------------------------------------ ADX


class _AdxHandler(handler.ContentHandler):
    """ADX read event by event: <adx><group orgUnit period dataSet completeDate?><dataValue dataElement value>
    <annotation>comment</annotation></dataValue></group></adx>."""

    _GROUP = frozenset({"orgUnit", "period", "dataSet", "completeDate", "comment", "attributeOptionCombo"})
    _VALUE = frozenset({"dataElement", "value", "categoryOptionCombo", "attributeOptionCombo"})

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.rows: list[_Value | _Completion] = []
        self.locator = None
        self.stack: list[tuple[str | None, str]] = []
        self.group: dict[str, str] | None = None
        self.value: _Value | None = None
        self.text: list[str] | None = None
        self.text_size = 0
        self.skip = 0  # depth inside an element of another namespace (ignored)
        self.groups = 0

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    @property
    def line(self) -> int | None:
        return self.locator.getLineNumber() if self.locator is not None else None

    def refuse(self, vi: str, en: str) -> Dhis2ImportError:
        return _refuse(self.path, vi, en, self.line)

    def _plain(self, attrs, allowed: frozenset[str], what_vi: str, what_en: str) -> dict[str, str]:
        out = {}
        for (uri, name), v in attrs.items():
            if uri:  # xsi:schemaLocation and the like
                continue
            if name not in allowed:
                raise self.refuse(f'{what_vi} có thuộc tính "{name}" (một nhóm phân tổ của DHIS2); ParApp chỉ nhận '
                                  "số liệu theo nhóm phân tổ mặc định (default); không nhập.",
                                  f'{what_en} has the attribute "{name}" (a DHIS2 disaggregation); ParApp takes only '
                                  "values of the default category option combination; not imported.")
            out[name] = v
        return out

    def startElementNS(self, name, qname, attrs) -> None:
        uri, local = name
        depth = len(self.stack)
        self.stack.append(name)
        if self.skip:
            self.skip += 1
            return
        if depth == 0:
            if name == (ADX_NS, "adx"):
                return
            if uri == DXF2_NS:
                raise self.refuse("là tệp XML dataValueSet của DHIS2, không phải ADX; hãy xuất từ DHIS2 dạng ADX, "
                                  "JSON hoặc CSV.",
                                  "is DHIS2's dataValueSet XML, not ADX; export from DHIS2 as ADX, JSON or CSV.")
            shown = f"{{{uri}}}{local}" if uri else local
            raise self.refuse(f'không phải tệp ADX: phần tử gốc là <{shown}>, cần <adx xmlns="{ADX_NS}">; không nhập.',
                              f'is not an ADX file: the root element is <{shown}>, <adx xmlns="{ADX_NS}"> is '
                              "expected (wrong namespace); not imported.")
        if uri != ADX_NS:
            self.skip = 1
            return
        if depth == 1 and local == "group":
            self.group = self._plain(attrs, self._GROUP, "Nhóm <group>", "The <group>")
            self.groups += 1
            for key in ("orgUnit", "period"):
                if not self.group.get(key, "").strip():
                    raise self.refuse(f'nhóm <group> thiếu thuộc tính "{key}".', f'the <group> lacks "{key}".')
            if self.group.get("completeDate", "").strip():
                self.rows.append(_Completion(self.line, None, self.group["period"], self.group["orgUnit"],
                                             self.group.get("attributeOptionCombo")))
        elif depth == 2 and local == "dataValue" and self.group is not None:
            a = self._plain(attrs, self._VALUE, "Giá trị <dataValue>", "The <dataValue>")
            if "dataElement" not in a:
                raise self.refuse('<dataValue> thiếu thuộc tính "dataElement".', 'the <dataValue> lacks "dataElement".')
            g = self.group
            self.value = _Value(self.line, None, a["dataElement"], g["period"], g["orgUnit"], a.get("value"), None,
                                a.get("categoryOptionCombo"),
                                a.get("attributeOptionCombo", g.get("attributeOptionCombo")))
        elif depth == 3 and local == "annotation" and self.value is not None:
            self.text, self.text_size = [], 0
        else:
            shown = "/".join(n for _u, n in self.stack)
            raise self.refuse(f"có phần tử <{local}> không đúng chỗ ({shown}) trong ADX; không nhập.",
                              f"has the element <{local}> out of place ({shown}) for ADX; not imported.")

    def endElementNS(self, name, qname) -> None:
        self.stack.pop()
        if self.skip:
            self.skip -= 1
            return
        depth = len(self.stack)
        if depth == 3 and self.text is not None:
            self.value.comment = "".join(self.text)
            self.text = None
        elif depth == 2 and self.value is not None:
            self.rows.append(self.value)
            self.value = None
        elif depth == 1:
            self.group = None

    def characters(self, content: str) -> None:
        if self.text is not None and not self.skip:
            self.text.append(content)
            self.text_size += len(content)
            if self.text_size > 100_000:
                raise self.refuse("có ghi chú (annotation) quá dài; không nhập.",
                                  "has an annotation that is far too long; not imported.")


def _read_adx(path: Path, raw, combos: frozenset[str]) -> Iterator[_Value | _Completion]:
    h = _AdxHandler(path)
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(handler.feature_namespaces, True)
    parser.setContentHandler(h)
    h.setDocumentLocator(ExpatLocator(parser))  # fed a chunk at a time, the reader does not set it itself

    def why(e: Exception) -> Dhis2ImportError:
        if isinstance(e, DTDForbidden | DefusedXmlException):
            return _refuse(path, "có khai báo DTD hoặc thực thể (entity); ParApp không đọc chúng vì chúng có thể giấu "
                                 "một \"quả bom thực thể\" làm treo máy; không nhập.",
                           "has a DTD or entity declarations; ParApp does not read them, as they can hide an "
                           "\"entity bomb\" that hangs the computer; not imported.", h.line)
        if isinstance(e, SAXParseException):
            return _refuse(path, f"không phải XML hợp lệ ({_shown(e.getMessage())}); tệp bị cắt cụt hoặc hỏng.",
                           f"is not well-formed XML ({_shown(e.getMessage())}); the file is cut short or damaged.",
                           e.getLineNumber())
        return _refuse(path, f"không đọc được như XML ({_shown(e)}).", f"cannot be read as XML ({_shown(e)}).", h.line)

    try:
        while True:
            chunk = raw.read(_CHUNK)
            if not chunk:
                break
            parser.feed(chunk)
            if h.rows:
                rows, h.rows = h.rows, []
                yield from rows
        try:
            parser.close()
        except SAXParseException as e:
            raise _refuse(path, f"kết thúc giữa chừng ({_shown(e.getMessage())}): tệp bị cắt cụt hoặc chưa tải xong; "
                                "không nhập.",
                          f"ends in the middle ({_shown(e.getMessage())}): the file is cut short or was not fully "
                          "downloaded; not imported.", e.getLineNumber()) from None
    except (DefusedXmlException, SAXException, ValueError) as e:
        if isinstance(e, ParAppError):
            raise
        raise why(e) from None
    yield from h.rows
    if not h.groups:
        raise _refuse(path, "không có nhóm <group> nào: không có số liệu.", "has no <group>: it holds no data.")


# ------------------------------------------------------------------------------------------------ files


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the .json, .csv, .xml and .adx files of folders; each once."""
    from parapp.exchange.files import expand as files_of

    return files_of(paths, SUFFIXES)


def sniff(path: Path, head: bytes) -> str:
    """json, csv or adx, from the first bytes of a file (its name may say otherwise)."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not start:
        raise _refuse(path, "trống, không có số liệu.", "is empty: it holds no data.")
    if start[:2] == b"\x1f\x8b" or start[:4] == b"PK\x03\x04":
        raise _refuse(path, "là tệp nén (gzip hoặc zip); hãy giải nén rồi nhập tệp bên trong.",
                      "is compressed (gzip or zip); unpack it and import the file inside.")
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise _refuse(path, "là văn bản UTF-16; DHIS2 ghi UTF-8: hãy xuất lại từ DHIS2.",
                      "is UTF-16 text; DHIS2 writes UTF-8: export it again from DHIS2.")
    if start[:1] in (b"{", b"["):
        return JSON
    if start[:1] == b"<":
        return ADX
    return CSV


_READERS = {JSON: _read_json, CSV: _read_csv, ADX: _read_adx}


# ------------------------------------------------------------------------------------------------ preview


@dataclass
class UnitPeriodPreview:
    """What a file would do to one unit-period."""

    unit: Unit
    period: Period
    new: list[tuple[str, float]] = field(default_factory=list)  # (element, value)
    changes: list[tuple[str, float | None, float]] = field(default_factory=list)  # (element, old, new)
    comments: list[tuple[str, str | None, str]] = field(default_factory=list)  # (element, old, new)
    failures: list[Message] = field(default_factory=list)  # validation of the figures as they would be
    status: tuple[str | None, str] | None = None  # (now, after the import) when the workflow status changes
    complete: bool = False  # the file marks it complete: submitted once imported
    values: dict[str, float] = field(default_factory=dict, repr=False)  # what the file writes
    notes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def unchanged(self) -> bool:
        return not (self.new or self.changes or self.comments or self.status)


@dataclass
class DhisPreview:
    """What importing one DHIS2 file would do, unit-period by unit-period; refused is set when it cannot be
    imported (then nothing of any file is)."""

    path: Path
    format: str | None = None
    values: int = 0  # data values read
    unit_periods: list[UnitPeriodPreview] = field(default_factory=list)
    refused: ParAppError | None = None
    warnings: list[Text] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return self.refused is None

    @property
    def new(self) -> int:
        return sum(len(up.new) for up in self.unit_periods)

    @property
    def changes(self) -> int:
        return sum(len(up.changes) for up in self.unit_periods)

    @property
    def comments(self) -> int:
        return sum(len(up.comments) for up in self.unit_periods)

    @property
    def unchanged(self) -> bool:
        return all(up.unchanged for up in self.unit_periods)


class _Here:
    """What the rows of every file are mapped through, with what was looked up kept: identifiers to units,
    periods and elements, and the statuses and stored values of unit-periods."""

    def __init__(self, office, mapping: Mapping):
        self.office, self.mapping = office, mapping
        self.catalogue = office.catalogue
        self.combos = DEFAULT_COMBOS | {c for c in (mapping.category_option_combo, mapping.attribute_option_combo)
                                        if c}
        self._periods: dict[str, Period | Text] = {}
        self._units: dict[tuple[str, Period], Unit | Text] = {}
        self._statuses: dict[tuple[str, str], str | None] = {}
        # the state of each unit-period after the files accepted so far: element -> (value, comment)
        self.state: dict[tuple[str, str], dict[str, tuple[float, str | None]]] = {}
        # (unit, period, element) -> (value, comment, file name, line) of the files accepted so far
        self.given: dict[tuple[str, str, str], tuple[float, str | None, str, int | None]] = {}

    def period(self, text: str) -> Period | Text:
        hit = self._periods.get(text)
        if hit is None:
            try:
                hit = _period(text)
            except ParAppError as e:
                hit = e.text
            self._periods[text] = hit
        return hit

    def unit(self, identifier: str, period: Period) -> Unit | Text:
        key = (identifier, period)
        hit = self._units.get(key)
        if hit is None:
            hit = self._find_unit(identifier, period)
            self._units[key] = hit
        return hit

    def _find_unit(self, identifier: str, period: Period) -> Unit | Text:
        office = self.office
        code = self.mapping.org_unit_code(identifier)
        try:
            u = office.unit(unit_store.resolve(office.store, code, period))
        except ParAppError:
            shown = f"{identifier} (mã {code})" if code != identifier else identifier
            shown_en = f"{identifier} (code {code})" if code != identifier else identifier
            return Text(f'đơn vị (orgUnit) "{shown}" không có trong cơ sở dữ liệu này.',
                        f'the organisation unit "{shown_en}" is not in this database.')
        if not office.in_area(u.code):
            return Text(f"{u.name} không phải là đơn vị của văn phòng này hay đơn vị cấp dưới của nó.",
                        f"{u.name} is neither this office's unit nor below it.")
        if not u.active:
            return Text(f"{u.name} đã giải thể, không nhận số liệu mới.",
                        f"{u.name} is retired and takes no new figures.")
        try:
            office.check_in_force(u, period)
        except ParAppError as e:
            return e.text
        return u

    def status(self, unit: str, period: str) -> str | None:
        key = (unit, period)
        if key not in self._statuses:
            st = value_store.get_status(self.office.store, unit, period)
            self._statuses[key] = st.status if st else None
        return self._statuses[key]


def _period(text: str) -> Period:
    """A DHIS2 period identifier (2025Q3) or an ADX one, a start and a duration (2025-07-01/P3M)."""
    if "/" not in text:
        return Period.parse(text)
    start, _, duration = text.partition("/")
    try:
        day = date.fromisoformat(start.strip())
    except ValueError:
        raise ParAppError(f'kỳ "{_shown(text)}" không hợp lệ: ngày bắt đầu phải có dạng 2025-07-01.',
                          f'the period "{_shown(text)}" is not valid: its start must be a date such as 2025-07-01.'
                          ) from None
    kind = _DURATION.get(duration.strip().upper())
    if kind is None or day.day != 1 or (day.month - 1) % _MONTHS[kind]:
        raise ParAppError(f'kỳ "{_shown(text)}" không phải là một kỳ báo cáo của ParApp (năm P1Y, 6 tháng P6M, quý P3M '
                          "hoặc tháng P1M, bắt đầu từ ngày đầu kỳ).",
                          f'the period "{_shown(text)}" is not a ParApp reporting period (a year P1Y, half-year P6M, '
                          "quarter P3M or month P1M, starting on its first day).")
    return Period.containing(kind, day)


def _number(raw) -> float | None:
    """A DHIS2 value as a number: DHIS2 writes numbers as strings, with a point for decimals. None: not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        s = raw.strip()
        if _NUMBER.fullmatch(s):
            return float(s)
    return None


def _text(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None
    return nfc(str(raw)).strip()


@dataclass
class _Incoming:
    """What one file gives for one unit-period."""

    unit: Unit
    period: Period
    values: dict[str, tuple[float, int | None]] = field(default_factory=dict)  # element -> (value, line)
    notes: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # element -> (comment, line)
    bare: dict[str, int | None] = field(default_factory=dict)  # comments without a value: element -> line
    complete: bool = False  # the file marks it complete
    first: int | None = None  # line of the first row


def _take(here: _Here, path: Path, row: _Value | _Completion, into: dict[tuple[str, str], _Incoming]) -> None:
    line, item = row.line, row.item

    def refuse(vi: str, en: str) -> Dhis2ImportError:
        return _refuse(path, vi, en, line, item)

    def ident(raw, name: str) -> str:
        s = _text(raw)
        if s is None and raw is not None:
            raise refuse(f'"{name}" phải là văn bản.', f'"{name}" must be text.')
        if not s:
            raise refuse(f'thiếu "{name}".', f'"{name}" is missing.')
        return s

    def default_combos() -> None:
        combos = [(row.attribute_option_combo, "nhóm phân tổ thuộc tính (attributeOptionCombo)",
                   "attribute option combination")]
        if isinstance(row, _Value):
            combos.append((row.category_option_combo, "nhóm phân tổ (categoryOptionCombo)",
                           "category option combination"))
        for raw, name_vi, name_en in combos:
            combo = _text(raw) if raw is not None else ""
            if combo is None or combo not in here.combos:
                raise refuse(f'{name_vi} "{_shown(raw)}" không phải nhóm mặc định; ParApp chỉ nhận số liệu không phân '
                             "tổ; không nhập.",
                             f'the {name_en} "{_shown(raw)}" is not the default one; ParApp takes only values that '
                             "are not disaggregated; not imported.")

    period = here.period(ident(row.period, "period"))
    if isinstance(period, Text):
        raise refuse(period.vi[:1].lower() + period.vi[1:], period.en[:1].lower() + period.en[1:])
    org = ident(row.org_unit, "orgUnit")
    unit = here.unit(org, period)
    if isinstance(unit, Text):
        raise refuse(unit.vi, unit.en)
    key = (unit.code, str(period))
    inc = into.get(key)
    if inc is None:
        inc = into[key] = _Incoming(unit, period, first=line)
    if here.status(*key) == "approved":
        raise refuse(f"số liệu {period.label('vi')} của {unit.name} đã được duyệt nên bị khoá; cấp trên phải trả lại "
                     "(bỏ duyệt) trước khi nhập; không nhập tệp nào.",
                     f"the figures of {unit.name} for {period.label('en')} are approved and locked; the level above "
                     "must return them (revoke the approval) before importing; nothing was imported.")
    if isinstance(row, _Completion):
        default_combos()
        inc.complete = inc.complete or row.completed
        return
    code = here.mapping.element_code(ident(row.element, "dataElement"))
    el = here.catalogue.elements.get(code)
    if el is None:
        raise refuse(f'chỉ tiêu (dataElement) "{_shown(row.element)}" không có trong danh mục của ParApp.',
                     f'the data element "{_shown(row.element)}" is not in ParApp\'s catalogue.')
    if unit.level not in el.levels:
        raise refuse(f"{el.name.vi} ({code}) không được nhập ở cấp của {unit.name}.",
                     f"{el.name.en} ({code}) is not entered at the level of {unit.name}.")
    default_combos()
    if row.deleted:
        raise refuse(f"giá trị {code} được đánh dấu đã xoá (deleted) trong DHIS2; ParApp không xoá số liệu theo tệp "
                     "DHIS2: hãy xuất lại không kèm giá trị đã xoá.",
                     f"the value of {code} is marked deleted in DHIS2; ParApp does not clear figures from a DHIS2 "
                     "file: export again without deleted values.")
    comment = row.comment
    if comment is not None and not isinstance(comment, str):
        raise refuse(f"ghi chú của {code} phải là văn bản.", f"the comment of {code} must be text.")
    comment = clean(comment, multiline=True) or None if comment else None
    raw = row.value
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if empty:
        if comment is None:
            raise refuse(f"{el.name.vi} ({code}) không có giá trị (trong DHIS2 như vậy là xoá giá trị); ParApp không "
                         "xoá số liệu theo tệp DHIS2; không nhập.",
                         f"{el.name.en} ({code}) has no value (in DHIS2 that deletes the value); ParApp does not "
                         "clear figures from a DHIS2 file; not imported.")
        inc.bare.setdefault(code, line)
    else:
        number = _number(raw)
        if number is None:
            raise refuse(f'{el.name.vi} ({code}): "{_shown(raw)}" không phải là một số.',
                         f'{el.name.en} ({code}): "{_shown(raw)}" is not a number.')
        try:
            value = el.check(number)
        except ParAppError as e:
            raise refuse(e.message("vi"), e.message("en")) from None
        before = inc.values.get(code)
        if before is not None and before[0] != value:
            raise refuse(f"{el.name.vi} ({code}) của {unit.name}, {period.label('vi')} có hai giá trị khác nhau trong "
                         f"tệp (dòng {before[1]} và dòng {line}); không nhập.",
                         f"{el.name.en} ({code}) of {unit.name}, {period.label('en')} is given twice with different "
                         f"values (lines {before[1]} and {line}); not imported.")
        inc.values[code] = (value, line)
    if comment is not None:
        inc.notes[code] = (comment, line)


def preview(office, paths: Iterable[Path | str], mapping: Mapping | Path | str | None = None,
            progress: Progress | None = None) -> list[DhisPreview]:
    """What importing each DHIS2 file (folders: their .json, .csv, .xml and .adx files) would do. Reads only.

    Files are compared in order, each with the database as the files before it would leave it. mapping: a
    Mapping, a mapping file, or None for ParApp's own codes. progress(done, total) returning False stops early.
    """
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    files = expand(paths)
    here = _Here(office, mapping)
    out: list[DhisPreview] = []
    for i, path in enumerate(files):
        if progress is not None and progress(i, len(files)) is False:
            break
        pv = DhisPreview(path)
        try:
            incoming = _read(here, pv)
            _compare(here, pv, incoming)
        except ParAppError as e:
            pv.refused = e
            pv.unit_periods = []
        out.append(pv)
    if progress is not None:
        progress(len(files), len(files))
    return out


def _read(here: _Here, pv: DhisPreview) -> dict[tuple[str, str], _Incoming]:
    path = pv.path
    incoming: dict[tuple[str, str], _Incoming] = {}
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise _refuse(path, "không có tệp này.", "there is no such file.") from None
    except IsADirectoryError:
        raise _refuse(path, "là một thư mục.", "is a folder.") from None
    except OSError as e:
        raise _refuse(path, f"không mở được ({e.strerror or e}).", f"cannot be opened ({e.strerror or e}).") from None
    with raw:
        try:
            head = raw.read(64)
            raw.seek(0)
            pv.format = sniff(path, head)
            for row in _READERS[pv.format](path, raw, here.combos):
                if isinstance(row, _Value):
                    pv.values += 1
                _take(here, path, row, incoming)
        except OSError as e:
            raise _refuse(path, f"không đọc được ({e.strerror or e}).", f"cannot be read ({e.strerror or e}).") from None
    if not pv.values and not any(inc.complete for inc in incoming.values()):
        raise _refuse(path, "không có giá trị nào để nhập.", "holds no data values to import.")
    return incoming


def _compare(here: _Here, pv: DhisPreview, incoming: dict[tuple[str, str], _Incoming]) -> None:
    office, catalogue, path = here.office, here.catalogue, pv.path
    keys = [k for k in incoming if k not in here.state]
    for key, stored in value_store.values_of(office.store, keys).items():
        here.state[key] = dict(stored)
    # another file of this import gives something else for the same value: the officer must choose
    for (unit, period), inc in incoming.items():
        for code, (value, line) in inc.values.items():
            other = here.given.get((unit, period, code))
            note = inc.notes.get(code, (None,))[0]
            if other is not None and (other[0] != value or (note and other[1] and note != other[1])):
                raise _refuse(path, f"{code} của {inc.unit.name}, {inc.period.label('vi')} khác với tệp \"{other[2]}\" "
                                    f"(dòng {other[3]}); hãy chỉ chọn một trong hai tệp.",
                              f"{code} of {inc.unit.name}, {inc.period.label('en')} differs from the file "
                              f"\"{other[2]}\" (line {other[3]}); choose one of the two files.", line)
    ups = []
    ordered = sorted(incoming.items(), key=lambda kv: (kv[1].unit.code, kv[1].period))
    for key, inc in ordered:
        state = here.state[key]
        for code, line in inc.bare.items():
            if code not in inc.values and code not in state:
                el = catalogue.elements[code]
                raise _refuse(path, f"{el.name.vi} ({code}) chỉ có ghi chú mà không có giá trị; ParApp giữ ghi chú cùng "
                                    "với giá trị: hãy nhập giá trị trước.",
                              f"{el.name.en} ({code}) has a comment but no value; ParApp keeps comments with "
                              "values: enter the value first.", line)
        up = UnitPeriodPreview(inc.unit, inc.period)
        up.values = {code: v for code, (v, _line) in inc.values.items()}
        up.notes = {code: c for code, (c, _line) in inc.notes.items()}
        for code, new in up.values.items():
            old = state.get(code)
            if old is None:
                up.new.append((code, new))
            elif old[0] != new:
                up.changes.append((code, old[0], new))
        for code, note in up.notes.items():
            old = state.get(code)
            if old is None or old[1] != note:
                up.comments.append((code, old[1] if old else None, note))
        merged = {code: v for code, (v, _c) in state.items()}
        merged.update(up.values)
        up.failures = validate(catalogue, merged, office.previous_values(inc.unit.code, inc.period), inc.unit.level)
        current = here.status(*key)
        after = current
        if (up.new or up.changes or up.comments) and current in (None, "submitted", "returned"):
            after = "draft"  # as write_values does
        if inc.complete:
            errors = [m for m in up.failures if m.severity == "error"]
            if not merged:
                pv.warnings.append(Text(f"{inc.unit.name}, {inc.period.label('vi')}: tệp đánh dấu hoàn thành nhưng "
                                        "chưa có số liệu; giữ nguyên trạng thái.",
                                        f"{inc.unit.name}, {inc.period.label('en')}: the file marks it complete but "
                                        "it has no figures; its status stays."))
            elif errors:
                pv.warnings.append(Text(f"{inc.unit.name}, {inc.period.label('vi')}: tệp đánh dấu hoàn thành nhưng số "
                                        f"liệu còn {len(errors)} lỗi; chưa coi là đã gửi.",
                                        f"{inc.unit.name}, {inc.period.label('en')}: the file marks it complete but "
                                        f"{len(errors)} error(s) remain; not taken as submitted."))
            else:
                up.complete = True
                after = "submitted"
        up.status = (current, after) if after is not None and after != current else None
        ups.append(up)
    pv.unit_periods = ups
    # what the next files are compared with
    for (key, inc), up in zip(ordered, ups, strict=True):
        state = here.state[key]
        for code, v in up.values.items():
            state[code] = (v, up.notes.get(code, state.get(code, (None, None))[1]))
            here.given[(*key, code)] = (v, up.notes.get(code), path.name, inc.values[code][1])
        for code, note in up.notes.items():
            if code not in up.values and code in state:
                state[code] = (state[code][0], note)


# ------------------------------------------------------------------------------------------------ apply


def apply(office, previews: Iterable[DhisPreview]) -> int:
    """Import the previewed files, all or none, in one transaction; returns how many values changed.

    Each value is written through the one write path (values.Batch) with the file's name as its source, so
    the audit log names it; a completion marks the unit-period submitted. A backup is made first. A refused
    file, or a unit-period approved since the preview, refuses the whole import: nothing is written.
    """
    chosen = list(previews)
    for pv in chosen:
        if pv.refused is not None:
            raise Dhis2ImportError(pv.refused.message("vi"), pv.refused.message("en"))
    work = [(pv, up) for pv in chosen for up in pv.unit_periods if not up.unchanged]
    if not work:
        return 0
    store = office.store
    wanted = [(up.unit.code, str(up.period)) for _pv, up in work]
    locked = value_store.statuses_of(store, wanted)
    for _pv, up in work:  # checked again: the database may have changed since the preview
        if locked.get((up.unit.code, str(up.period))) == "approved":
            value_store.ensure_unlocked(store, up.unit.code, up.unit.name, str(up.period),
                                        Text(up.period.label("vi"), up.period.label("en")))
    if not store.in_transaction:
        from parapp.store.backup import make_backup

        make_backup(store, "before-import")  # an import can be undone by restoring this
    with store.transaction() as c:
        writes = value_store.Batch(store, office.officer)
        writes.read(wanted)
        for _pv, up in work:  # approved since the check above? then nothing is written
            u, period = up.unit.code, str(up.period)
            if writes.status(u, period) == "approved":
                value_store.ensure_unlocked(store, u, up.unit.name, period,
                                            Text(up.period.label("vi"), up.period.label("en")))
        for pv, up in work:
            u, period = up.unit.code, str(up.period)
            name = pv.path.name
            writes.values(u, period, dict(up.values), dict(up.notes), name,
                          f"Nhập từ tệp DHIS2 {name} ({FORMAT_NAMES.get(pv.format, pv.format)})")
            if up.complete and writes.status(u, period) != "submitted":
                writes.set_status(u, period, "submitted", name, f"Hoàn thành theo tệp DHIS2 {name}")
        writes.flush(c)
    return writes.changed


__all__ = ["ADX", "CSV", "JSON", "FORMAT_NAMES", "Dhis2ImportError", "DhisPreview", "UnitPeriodPreview", "apply",
           "expand", "preview", "sniff"]

