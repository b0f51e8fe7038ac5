"""Stored values, comments and completions of a unit (and the units below it) for DHIS2.

Three formats, each as DHIS2 reads it:

* ``json``: a dataValueSet, ``{"dataElementIdScheme", "orgUnitIdScheme", "dataValues": [{"dataElement",
  "period", "orgUnit", "value", "storedBy", "lastUpdated", "comment"}], "completeDataSetRegistrations": [...]}``.
  A dataValueSet holds one completion only (``completeDate`` beside one data set, period and unit), so the
  completions of many unit-periods are written as DHIS2's /api/completeDataSetRegistrations takes them:
  ``{"dataSet", "period", "organisationUnit", "date", "storedBy", "completed": true}``.
* ``csv``: DHIS2's dataValueSets CSV, a header row and the columns dataelement, period, orgunit,
  categoryoptioncombo, attributeoptioncombo, value, storedby, lastupdated, comment, followup. The format has
  no place for completions.
* ``adx``: ADX XML (namespace ``urn:ihe:qrph:adx:2015``), one ``<group>`` per unit and period with the
  period as its start and ISO 8601 duration (``2025-07-01/P3M``), ``completeDate`` on approved ones, each
  comment as the value's ``<annotation>``.

Only values stored in the database (what officers entered or imported), never roll-ups: DHIS2 aggregates
itself. A completion is an approved unit-period. The file is written row by row from the SQL cursor, so
memory stays flat whatever the size, to a temporary name renamed at the end.

Identifiers are ParApp's codes (idScheme=CODE) unless a mapping names an instance's UIDs; with a mapping whose
id_scheme is UID, every element and unit written must be mapped, else the export is refused before anything
is written (a file mixing UIDs and codes would import in part).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO
from xml.sax.saxutils import XMLGenerator

from parapp.domain.periods import Period
from parapp.exchange.dhis2.mapping import Mapping
from parapp.exchange.dhis2.metadata import ELEMENT_PERIOD_TYPES, KIND_PERIOD_TYPES
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError
from parapp.store import units as unit_store

FORMATS = ("json", "csv", "adx")
ADX_NS = "urn:ihe:qrph:adx:2015"
CSV_HEADER = ("dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
              "storedby", "lastupdated", "comment", "followup")
_ADX_DURATIONS = {"Y": "P1Y", "S": "P6M", "Q": "P3M", "M": "P1M"}
_BATCH = 5000

Progress = Callable[[int, int], bool | None]

# A whole number comes out of SQLite as an integer (written 12, not 12.0), any other as the float stored
# (written as Python writes it: the shortest text that reads back as the same number).
_VALUE = "CASE WHEN dv.value = CAST(dv.value AS INTEGER) THEN CAST(dv.value AS INTEGER) ELSE dv.value END"


class Cancelled(ParAppError):
    """The officer cancelled the export; no file was left behind."""

    def __init__(self) -> None:
        super().__init__("Đã huỷ xuất dữ liệu DHIS2; không có tệp nào được ghi.",
                         "The DHIS2 export was cancelled; no file was written.")


@dataclass
class ExportSummary:
    values: int
    comments: int
    completions: int
    path: Path
    format: str = "json"
    units: int = 0
    periods: list[str] = field(default_factory=list)
    completions_left_out: int = 0  # approved unit-periods the format has no place for (CSV)


def adx_period(period: Period) -> str:
    """A period as ADX writes it: its first day and its ISO 8601 duration, e.g. 2025-07-01/P3M."""
    return f"{period.start.isoformat()}/{_ADX_DURATIONS[period.kind]}"


def period_type(period: Period) -> str:
    """DHIS2's period type of a period: Quarterly, Yearly, SixMonthly or Monthly."""
    return KIND_PERIOD_TYPES[period.kind]


# ------------------------------------------------------------------------------------------- the query


class _Scope:
    """Which rows an export reads: the unit (and, with include_below, every unit below it and below the old
    units it was made of), for the periods; and the identifiers they are written with."""

    def __init__(self, office, unit_code: str, periods: list[Period], include_below: bool, mapping: Mapping | None):
        if not periods:
            raise ParAppError("Hãy chọn ít nhất một kỳ báo cáo để xuất.", "Choose at least one period to export.")
        bad = [p for p in periods if not isinstance(p, Period)]
        if bad:
            raise ParAppError(f"Kỳ báo cáo không hợp lệ: {bad[0]!r}.", f"Not a reporting period: {bad[0]!r}.")
        self.office = office
        self.conn = office.store.conn
        self.unit = unit_store.get_unit(office.store, unit_code)
        self.periods = sorted(set(periods))
        self.period_ids = [p.id for p in self.periods]
        self.mapping = mapping or Mapping()
        self.include_below = include_below
        marks = ", ".join("?" * len(self.period_ids))
        if include_below:
            roots = self._roots()
            self.unit_sql = (f"IN (SELECT unit FROM unit_tree WHERE ancestor IN ({', '.join('?' * len(roots))}))")
            self.unit_args: list[str] = roots
        else:
            self.unit_sql, self.unit_args = "= ?", [self.unit.code]
        self.values_sql = (
            f"SELECT dv.element, dv.period, dv.unit, ? AS coc, ? AS aoc, {_VALUE} AS value, dv.updated_by, "
            f"dv.updated_at, dv.comment, 'false' AS followup FROM value_details dv WHERE dv.unit {self.unit_sql} "
            f"AND dv.period IN ({marks}) ORDER BY dv.unit, dv.period, dv.element")
        self.values_args = [self.mapping.category_option_combo, self.mapping.attribute_option_combo,
                            *self.unit_args, *self.period_ids]
        self.completions_sql = (
            f"SELECT s.unit, s.period, s.changed_at, s.changed_by FROM statuses s WHERE s.status = 'approved' "
            f"AND s.unit {self.unit_sql} AND s.period IN ({marks}) ORDER BY s.unit, s.period")
        self.completions_args = [*self.unit_args, *self.period_ids]
        self.mapped = bool(self.mapping.data_elements or self.mapping.org_units)
        # The period types the catalogue has a data set for: a completion of another type has none to name.
        self.data_set_types = set(ELEMENT_PERIOD_TYPES.values())

    def _roots(self) -> list[str]:
        out, todo = [], [self.unit.code]
        while todo:
            code = todo.pop(0)
            if code in out:
                continue
            out.append(code)
            todo += [link.predecessor for link in unit_store.predecessors(self.office.store, code)]
        return out

    def count_values(self) -> int:
        sql = (f"SELECT count(*) FROM data_values dv WHERE dv.unit {self.unit_sql} AND dv.period IN "
               f"({', '.join('?' * len(self.period_ids))})")
        return self.conn.execute(sql, [*self.unit_args, *self.period_ids]).fetchone()[0]

    def units_count(self) -> int:
        if not self.include_below:
            return 1
        sql = f"SELECT count(DISTINCT unit) FROM unit_tree WHERE ancestor IN ({', '.join('?' * len(self.unit_args))})"
        return self.conn.execute(sql, self.unit_args).fetchone()[0]

    def check_mapped(self) -> None:
        """Under id_scheme UID, refuse before writing anything when an element or unit written has no UID."""
        m = self.mapping
        if m.id_scheme != "UID":
            return
        marks = ", ".join("?" * len(self.period_ids))
        where = f"dv.unit {self.unit_sql} AND dv.period IN ({marks})"
        args = [*self.unit_args, *self.period_ids]
        elements = {r[0] for r in self.conn.execute(f"SELECT DISTINCT dv.element FROM data_values dv WHERE {where}",
                                                    args)}
        catalogue = self.office.catalogue
        order = {code: i for i, code in enumerate(catalogue.elements)}
        for code in sorted(elements, key=lambda c: (order.get(c, len(order)), c)):
            if code not in m.data_elements:
                el = catalogue.elements.get(code)
                vi, en = (f"{el.name.vi} ({code})", f"{el.name.en} ({code})") if el else (code, code)
                raise ParAppError(
                    f"Tệp ánh xạ {m.path or ''} dùng định danh UID nhưng chưa có UID cho chỉ tiêu {vi}; hãy thêm "
                    "dòng cho chỉ tiêu này vào bảng [data_elements] (không xuất tệp lẫn mã và UID).",
                    f"The mapping file {m.path or ''} uses UIDs but has none for the data element {en}; add it to "
                    "the table [data_elements] (a file mixing codes and UIDs is not written).")
        units = [r[0] for r in self.conn.execute(
            f"SELECT DISTINCT dv.unit FROM data_values dv WHERE {where} UNION SELECT s.unit FROM statuses s "
            f"WHERE s.status = 'approved' AND s.unit {self.unit_sql} AND s.period IN ({marks}) ORDER BY 1",
            [*args, *self.unit_args, *self.period_ids])]
        for code in units:
            if code not in m.org_units:
                u = unit_store.get_unit(self.office.store, code)
                raise ParAppError(
                    f"Tệp ánh xạ {m.path or ''} dùng định danh UID nhưng chưa có UID cho đơn vị {u.name} "
                    f"({code}); hãy thêm dòng cho đơn vị này vào bảng [org_units].",
                    f"The mapping file {m.path or ''} uses UIDs but has none for the unit {u.name} ({code}); "
                    "add it to the table [org_units].")

    def check_data_sets(self) -> None:
        m = self.mapping
        if m.id_scheme != "UID":
            return
        kinds = {row[0] for row in self.conn.execute(
            f"SELECT DISTINCT s.period FROM statuses s WHERE s.status = 'approved' AND s.unit {self.unit_sql} "
            f"AND s.period IN ({', '.join('?' * len(self.period_ids))})", self.completions_args)}
        for ptype in sorted({period_type(Period.parse(p)) for p in kinds} & self.data_set_types):
            if ptype not in m.data_sets:
                raise ParAppError(
                    f"Tệp ánh xạ {m.path or ''} dùng định danh UID nhưng chưa có UID cho bộ dữ liệu {ptype}; "
                    "hãy thêm dòng vào bảng [data_sets].",
                    f"The mapping file {m.path or ''} uses UIDs but has none for the data set {ptype}; add it "
                    "to the table [data_sets].")

    # -- rows -----------------------------------------------------------------------------------------

    def value_batches(self) -> Iterator[list[tuple]]:
        """Batches of rows in CSV column order, identifiers already mapped."""
        cursor = self.conn.execute(self.values_sql, self.values_args)
        m = self.mapping
        elements, units = m.data_elements, m.org_units
        while True:
            batch = cursor.fetchmany(_BATCH)
            if not batch:
                return
            if self.mapped:
                batch = [(elements.get(r[0], r[0]), r[1], units.get(r[2], r[2]), *r[3:]) for r in batch]
            yield batch

    def completions(self) -> Iterator[tuple[str, str, str, str, str | None]]:
        """(data set, period, org unit, date, stored by) of each approved unit-period with a data set."""
        m = self.mapping
        for unit, period, at, who in self.conn.execute(self.completions_sql, self.completions_args):
            ptype = period_type(Period.parse(period))
            if ptype not in self.data_set_types:
                continue
            yield m.data_set(ptype), period, m.org_unit(unit), (at or "")[:10], who

    def count_completions(self) -> int:
        return sum(1 for _ in self.completions())


# ------------------------------------------------------------------------------------------- writers


class _Counter:
    def __init__(self, total: int, progress: Progress | None):
        self.values = self.comments = self.completions = 0
        self.total, self.progress = total, progress

    def add(self, batch: list[tuple]) -> None:
        self.values += len(batch)
        self.comments += len(batch) - list(map(_COMMENT, batch)).count(None)
        if self.progress is not None and self.progress(self.values, self.total) is False:
            raise Cancelled()


_COMMENT = itemgetter(8)


def _write_csv(scope: _Scope, f: IO[str], counter: _Counter) -> None:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for batch in scope.value_batches():
        writer.writerows(batch)
        counter.add(batch)


def _write_json(scope: _Scope, f: IO[str], counter: _Counter) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    scheme = dumps(scope.mapping.id_scheme)
    f.write(f'{{"dataElementIdScheme":{scheme},"orgUnitIdScheme":{scheme},"dataSetIdScheme":{scheme},'
            '"dataValues":[')
    first = True
    for batch in scope.value_batches():
        parts = []
        for de, pe, ou, coc, aoc, value, by, at, comment, _followup in batch:
            d = {"dataElement": de, "period": pe, "orgUnit": ou}
            if coc:
                d["categoryOptionCombo"] = coc
            if aoc:
                d["attributeOptionCombo"] = aoc
            d["value"] = str(value)
            if by:
                d["storedBy"] = by
            if at:
                d["lastUpdated"] = at
            if comment is not None:
                d["comment"] = comment
            parts.append(dumps(d))
        f.write(("\n" if first else ",\n") + ",\n".join(parts))
        first = False
        counter.add(batch)
    f.write("\n]")
    aoc = scope.mapping.attribute_option_combo
    first = True
    for ds, pe, ou, day, by in scope.completions():
        d = {"dataSet": ds, "period": pe, "organisationUnit": ou}
        if aoc:
            d["attributeOptionCombo"] = aoc
        d["date"] = day
        if by:
            d["storedBy"] = by
        d["completed"] = True
        f.write((',"completeDataSetRegistrations":[\n' if first else ",\n") + dumps(d))
        first = False
        counter.completions += 1
    f.write("\n]}\n" if not first else "}\n")


def _write_adx(scope: _Scope, f: IO[bytes], counter: _Counter) -> None:
    out = XMLGenerator(f, encoding="utf-8", short_empty_elements=True)
    out.startDocument()
    exported = datetime.now().astimezone().isoformat(timespec="seconds")
    out.startElement("adx", {"xmlns": ADX_NS, "exported": exported})
    m = scope.mapping
    periods = {p.id: p for p in scope.periods}
    completions = _CompletionMerge(scope)
    aoc = m.attribute_option_combo
    coc = m.category_option_combo

    def open_group(ou_key: str, pe: str, complete: str | None) -> None:
        p = periods[pe]
        attrs = {"orgUnit": m.org_unit(ou_key), "period": adx_period(p), "dataSet": m.data_set(period_type(p))}
        if aoc:
            attrs["attributeOptionCombo"] = aoc
        if complete:
            attrs["completeDate"] = complete
            counter.completions += 1
        out.ignorableWhitespace("\n  ")
        out.startElement("group", attrs)

    current: tuple[str, str] | None = None
    cursor = scope.conn.execute(scope.values_sql, scope.values_args)
    while True:
        batch = cursor.fetchmany(_BATCH)
        if not batch:
            break
        for de, pe, ou, _c, _a, value, _by, _at, comment, _f in batch:
            key = (ou, pe)
            if key != current:
                if current is not None:
                    out.ignorableWhitespace("\n  ")
                    out.endElement("group")
                for lone in completions.before(key):  # approved unit-periods without values, in order
                    open_group(lone[0], lone[1], lone[2])
                    out.endElement("group")
                open_group(ou, pe, completions.take(key))
                current = key
            attrs = {"dataElement": m.element(de), "value": str(value)}
            if coc:
                attrs["categoryOptionCombo"] = coc
            out.ignorableWhitespace("\n    ")
            if comment is None:
                out.startElement("dataValue", attrs)
                out.endElement("dataValue")
            else:
                out.startElement("dataValue", attrs)
                out.startElement("annotation", {})
                out.characters(comment)
                out.endElement("annotation")
                out.endElement("dataValue")
        counter.add(batch)
    if current is not None:
        out.ignorableWhitespace("\n  ")
        out.endElement("group")
    for lone in completions.before(None):
        open_group(lone[0], lone[1], lone[2])
        out.endElement("group")
    out.ignorableWhitespace("\n")
    out.endElement("adx")
    out.endDocument()
    f.write(b"\n")


class _CompletionMerge:
    """The approved unit-periods, read alongside the values (both sorted by unit, then period)."""

    def __init__(self, scope: _Scope):
        self._rows = (row for row in scope.conn.execute(scope.completions_sql, scope.completions_args)
                      if period_type(Period.parse(row[1])) in scope.data_set_types)
        self._next = next(self._rows, None)

    def before(self, key: tuple[str, str] | None) -> Iterator[tuple[str, str, str]]:
        """The completions that sort before key (all that are left, for None), taken."""
        while self._next is not None and (key is None or (self._next[0], self._next[1]) < key):
            unit, period, at, _who = self._next
            self._next = next(self._rows, None)
            yield unit, period, (at or "")[:10]

    def take(self, key: tuple[str, str]) -> str | None:
        """The completion date of key if it is approved (taken), else None."""
        if self._next is not None and (self._next[0], self._next[1]) == key:
            at = self._next[2]
            self._next = next(self._rows, None)
            return (at or "")[:10]
        return None


# ------------------------------------------------------------------------------------------- public


def _read_snapshot(conn):
    """Every query of one export sees the database as of one moment (a read transaction), unless the caller's
    own transaction is open already."""
    class _Snapshot:
        def __enter__(self):
            self.began = not conn.in_transaction
            if self.began:
                conn.execute("BEGIN")
            return self

        def __exit__(self, *exc):
            if self.began and conn.in_transaction:
                conn.execute("ROLLBACK")
    return _Snapshot()


def export(office, unit_code: str, periods: list[Period], fmt: str, out: Path, include_below: bool = True,
           mapping: Mapping | None = None, progress: Progress | None = None) -> ExportSummary:
    """Write the stored values, comments and completions (approved unit-periods) of the unit, and unless
    include_below is False of every unit below it, for the periods, as DHIS2 dataValueSets JSON or CSV or ADX.

    progress(done, total) is called as values are written; returning False cancels (Cancelled, no file)."""
    if fmt not in FORMATS:
        raise ParAppError(f'Định dạng "{fmt}" không có; dùng json, csv hoặc adx.',
                          f'There is no format "{fmt}"; use json, csv or adx.')
    out = Path(out)
    if out.is_dir():
        raise ParAppError(f"{out} là một thư mục; hãy cho tên tệp để ghi.",
                          f"{out} is a folder; give the name of the file to write.")
    scope = _Scope(office, unit_code, periods, include_below, mapping)
    with _read_snapshot(scope.conn):
        scope.check_mapped()
        scope.check_data_sets()
        total = scope.count_values() if progress is not None else 0
        counter = _Counter(total, progress)
        if progress is not None and progress(0, total) is False:
            raise Cancelled()
        left_out = 0

        def write(tmp: Path) -> None:
            if fmt == "adx":
                with tmp.open("wb") as f:
                    _write_adx(scope, f, counter)
            else:
                with tmp.open("w", encoding="utf-8", newline="") as f:
                    (_write_csv if fmt == "csv" else _write_json)(scope, f, counter)

        write_atomically(out, write)
        if fmt == "csv":
            left_out = scope.count_completions()
        units = scope.units_count()
    return ExportSummary(counter.values, counter.comments, counter.completions, out, fmt, units,
                         scope.period_ids, left_out)


def payload_json(office, unit_code: str, periods: list[Period], include_below: bool = True,
                 mapping: Mapping | None = None) -> bytes:
    """The dataValueSets JSON of export(), in memory (for pushing a small payload to a server)."""
    scope = _Scope(office, unit_code, periods, include_below, mapping)
    buffer = io.StringIO()
    with _read_snapshot(scope.conn):
        scope.check_mapped()
        scope.check_data_sets()
        _write_json(scope, buffer, _Counter(0, None))
    return buffer.getvalue().encode("utf-8")
