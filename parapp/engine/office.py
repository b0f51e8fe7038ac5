"""An office's database with its catalogue and target set: what the command line and the window call.

Every method either does all it says or raises a ParAppError with one sentence in both languages and
leaves the database as it was.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from parapp import __version__
from parapp.domain import unitlists
from parapp.domain.catalogue import (
    Catalogue,
    CatalogueError,
    TargetSet,
    parse_target_set,
    shipped_catalogue,
    shipped_target_sets,
)
from parapp.domain.periods import Period
from parapp.engine.aggregate import Aggregate, aggregate, rollup
from parapp.engine.compliance import IndicatorResult, assess
from parapp.engine.lineage import Provenance, figures
from parapp.engine.validation import Message, validate
from parapp.i18n import ParAppError, Text, nfc, parse_number
from parapp.records import field, record
from parapp.store import audit
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.db import Store, StoreError, now
from parapp.store.units import Unit


class WorkflowError(ParAppError):
    pass


@record
class UnitReport:
    """What an officer sees of one unit and period."""

    unit: Unit
    period: Period
    status: value_store.Status | None
    own: Aggregate
    stored: dict[str, value_store.StoredValue]
    indicators: list[IndicatorResult]
    messages: list[Message]
    rolled: Aggregate | None = None
    rolled_indicators: list[IndicatorResult] = field(default_factory=list)
    rolled_messages: list[Message] = field(default_factory=list)
    # Where figures for a time before the unit existed came from (its predecessors), else None.
    lineage: Provenance | None = None
    target_set: TargetSet | None = None  # the set that judged it (after a merger, maybe a predecessor's)
    target_note: Text | None = None  # why that set, or none, after a merger


@lru_cache(maxsize=1)
def _shipped_sets() -> dict[str, TargetSet]:
    return shipped_target_sets(shipped_catalogue())


@lru_cache(maxsize=8)
def _shipped_set(set_id: str) -> TargetSet | None:
    """The shipped target set with this id, parsing only its own file when no other file names the id (else, or
    when its file says another id, all of them, as _shipped_sets does: the last file with an id wins)."""
    if _shipped_sets.cache_info().currsize:
        return _shipped_sets().get(set_id)
    from parapp.domain.catalogue import load_target_set
    from parapp.resources import resource_path

    quoted = f'"{set_id}"'
    naming = [p for p in sorted(resource_path("target_sets").glob("*.toml"))
              if quoted in p.read_text(encoding="utf-8", errors="replace")]
    if len(naming) == 1:
        ts = load_target_set(naming[0], shipped_catalogue())
        if ts.id == set_id:
            return ts
    return _shipped_sets().get(set_id)


@lru_cache(maxsize=1)
def _province_names() -> dict[tuple[int, str], str]:
    """(tiers, code) -> the official name of every province of the three-tier and the two-tier list, read from the
    province rows at the head of the 2025 mapping (a few dozen lines; the whole lists take a tenth of a second)."""
    import csv

    from parapp.resources import resource_path

    out: dict[tuple[int, str], str] = {}
    with resource_path(*unitlists.REORGANISATION_CSV).open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        if next(reader, None) != unitlists.REORGANISATION_COLUMNS:
            return {}
        for row in reader:
            if row[0] != "province":
                break
            out[(3, row[1])] = unitlists.clean_name(row[2])
            out[(2, row[3])] = unitlists.clean_name(row[4])
    return out


def _official_name(tiers: int, code: str) -> str | None:
    """The official name of a unit of the three-tier or two-tier list: a province's from _province_names, any
    other's from the whole list; None for a code the list does not have."""
    name = _province_names().get((tiers, code))
    if name is not None:
        return name
    unit = unitlists.find_official(tiers, code)
    return unit.name if unit else None


class Office:
    """One office's database, ready to use."""

    def __init__(self, store: Store, catalogue: Catalogue | None = None):
        self.store = store
        self.catalogue = catalogue or shipped_catalogue()
        self._target_set: TargetSet | None = None
        self._years: dict[tuple[str, bool, int, frozenset[str]], tuple[tuple[int, int], dict[str, float]]] = {}
        self._needs: dict[tuple[str, ...], frozenset[str]] = {}  # elements_of

    # -- opening and creating ------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, check: str = "now") -> Office:
        """The office in the database at path (check: see Store.open)."""
        store = Store.open(path, check)
        if store.meta("office") is None:
            store.close()
            raise StoreError(f"Cơ sở dữ liệu {path} chưa được khởi tạo xong; hãy tạo lại bằng \"parapp init\".",
                             f"The database {path} was never fully set up; create it again with \"parapp init\".")
        return cls(store)

    @classmethod
    def create(cls, path: Path | str, province: str, office: str | None = None, tiers: int = 3,
               target_set: str | None = None, officer: str | None = None) -> Office:
        """A new database for an office: the province's units, the office's unit and a target set."""
        province = str(province).strip().zfill(2)
        catalogue = shipped_catalogue()
        try:
            units = unitlists.province_units(tiers, province)
        except ValueError:
            raise ParAppError(
                f'Không có tỉnh mã "{province}" trong danh sách {tiers} cấp chính thức.',
                f'There is no province with code "{province}" in the official {tiers}-tier list.') from None
        office = str(office).strip() if office else province
        office_unit = next((u for u in units if u.code == office), None)
        if office_unit is None:
            raise ParAppError(f'Đơn vị "{office}" không thuộc tỉnh {units[0].name}.',
                              f'The unit "{office}" is not part of {units[0].name}.')
        sets = _shipped_sets()
        if target_set is None:
            target_set = next((s.id for s in sets.values() if s.province == province), None)
        elif target_set not in sets:
            raise ParAppError(f'Không có bộ chỉ tiêu "{target_set}"; xem danh sách bằng "parapp target-sets".',
                              f'There is no target set "{target_set}"; list them with "parapp target-sets".')
        store = Store.create(path)
        try:
            with store.transaction():
                unit_store.create_levels(store, tiers)
                unit_store.load_units(store, units)
                for key, value in {"province": province, "office": office, "tiers": str(tiers),
                                   "target_set": target_set or "", "officer": nfc(officer or ""),
                                   "created_at": now(), "created_by_version": __version__,
                                   "catalogue_version": catalogue.version}.items():
                    store.set_meta(key, value)
        except BaseException:
            store.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            raise
        return cls(store, catalogue)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the office ----------------------------------------------------------------------------

    @property
    def office_code(self) -> str:
        return self.store.meta("office") or ""

    @property
    def province_code(self) -> str:
        return self.store.meta("province") or ""

    @property
    def tiers(self) -> int:
        return int(self.store.meta("tiers") or 3)

    @property
    def officer(self) -> str:
        name = self.store.meta("officer")
        if name:
            return name
        try:
            return getpass.getuser()
        except Exception:  # no user name on some systems
            return "?"

    @property
    def margin(self) -> float:
        return float(self.store.meta("at_risk_margin") or 0)

    def unit(self, code: str) -> Unit:
        return unit_store.get_unit(self.store, code)

    # -- target sets ----------------------------------------------------------------------------

    def target_sets(self) -> dict[str, TargetSet]:
        """Shipped sets and those this office imported (an imported set with a shipped id wins)."""
        out = dict(_shipped_sets())
        for row in self.store.conn.execute("SELECT id, toml FROM target_sets ORDER BY id"):
            try:
                out[row[0]] = parse_target_set(row[1], self.catalogue, f"{row[0]} (imported)")
            except CatalogueError:
                continue
        return out

    @property
    def target_set(self) -> TargetSet | None:
        if self._target_set is None:
            ts_id = self.store.meta("target_set")
            self._target_set = self._own_set(ts_id) if ts_id else None
        return self._target_set

    def _own_set(self, set_id: str) -> TargetSet | None:
        """target_sets().get(set_id), parsing only that set: the office's import of it if it reads, else the
        shipped one."""
        row = self.store.conn.execute("SELECT toml FROM target_sets WHERE id = ?", (set_id,)).fetchone()
        if row is not None:
            try:
                return parse_target_set(row[0], self.catalogue, f"{set_id} (imported)")
            except CatalogueError:
                pass
        return _shipped_set(set_id)

    def _reorganised_from(self) -> set[str]:
        """The old provinces this office's province was made of (empty before the 2025 reorganisation, or
        for a province that kept its territory). Read again only when the database has changed."""
        version = self.store.data_version()
        hit = self.__dict__.get("_reorganised")
        if hit is not None and hit[0] == version:
            return set(hit[1])
        raw = self.store.meta(unit_store.REORGANISED_META)
        if not raw:
            olds: set[str] = set()
        else:
            import json

            info = json.loads(raw)
            olds = {info.get("from_province", ""), *info.get("merged_with", [])}
            if olds == {self.province_code}:
                olds = set()
        self._reorganised = (version, frozenset(olds))
        return olds

    def origin_provinces(self, unit: str | Unit) -> frozenset[str]:
        """The old provinces a unit's territory came from: its own province for a unit of the old tree, those of
        its predecessors for a unit of 1 July 2025."""
        u = unit if isinstance(unit, Unit) else self.unit(unit)
        key = (self.store.data_version(), u.code)
        cache = self.__dict__.setdefault("_origins", {})
        if key in cache:
            return cache[key]
        links = unit_store.predecessors(self.store, u.code)
        if links:
            out: frozenset[str] = frozenset().union(*(self.origin_provinces(link.predecessor) for link in links))
        else:
            top = unit_store.ancestors(self.store, u.code)
            out = frozenset({(top[-1] if top else u).official_code})
        cache[key] = out
        return out

    def target_set_for(self, unit: str | Unit, period: Period) -> TargetSet | None:
        """The target set that judges a unit. After a merger, until the new province chooses a set of its own,
        each predecessor province's set keeps judging its own area (the communes that were in it)."""
        ts = self.target_set
        olds = self._reorganised_from()
        if not olds or (ts is not None and ts.province not in olds):
            return ts
        origins = self.origin_provinces(unit)
        if len(origins) != 1:
            return None
        (origin,) = origins
        if ts is not None and ts.province == origin:
            return ts
        sets = self._sets_of(origin)
        return next((s for s in sets if s.covers(period.year)), sets[0] if sets else None)

    def _sets_of(self, province: str) -> list[TargetSet]:
        """The target sets (shipped and imported, as target_sets gives them) of one province; worked out once
        per change of the database (a report asks for each unit of a merged province)."""
        version = self.store.data_version()
        hit = self.__dict__.get("_province_sets")
        if hit is None or hit[0] != version:
            hit = self._province_sets = (version, {})
        sets = hit[1].get(province)
        if sets is None:
            sets = hit[1][province] = [s for s in self.target_sets().values() if s.province == province]
        return sets

    def target_note(self, unit: str | Unit, period: Period) -> Text | None:
        """Why a unit is judged by a predecessor's target set, or by none, after a merger; that the set ends
        before the period's year; None otherwise."""
        olds = self._reorganised_from()
        ts = self.target_set
        if not olds or (ts is not None and ts.province not in olds):
            return self._years_note(ts, period)
        used = self.target_set_for(unit, period)
        new_name = _official_name(2, self.province_code) or self.province_code
        if used is not None and (ended := self._years_note(used, period)) is not None:
            return ended
        if used is not None:
            old_name = _official_name(3, used.province) or used.province
            return Text(f"{used.document} của {old_name} tiếp tục đánh giá địa bàn {old_name} cũ cho đến khi "
                        f"{new_name} chọn bộ chỉ tiêu của mình.",
                        f"{used.document} of {old_name} keeps judging the area of the former {old_name} until "
                        f"{new_name} chooses a target set of its own.")
        return Text(f"Chưa có bộ chỉ tiêu cho địa bàn này: {new_name} chưa chọn bộ chỉ tiêu của mình và bộ chỉ tiêu "
                    "của tỉnh cũ chỉ đánh giá địa bàn tỉnh cũ. Hãy nạp nghị quyết mới trong thẻ Danh mục và chỉ tiêu.",
                    f"No target set for this area: {new_name} has not chosen a set of its own, and an old province's "
                    "set judges only its own former area. Load the new resolution in the Catalogue and targets tab.")

    @staticmethod
    def _years_note(ts: TargetSet | None, period: Period) -> Text | None:
        """A target set that does not cover the period's year: which years it covers and what to do."""
        if ts is None:
            return None
        first, last = ts.years
        if ts.covers(period.year):
            return None
        when = "đã hết hạn" if period.year > last else "chưa có hiệu lực"
        when_en = "ended" if period.year > last else "has not begun"
        return Text(f"Bộ chỉ tiêu này đặt chỉ tiêu cho các năm {first}–{last} nên {when} với năm {period.year}: "
                    "không có chỉ tiêu nào để đánh giá. Hãy nạp bộ chỉ tiêu mới trong thẻ Danh mục và chỉ tiêu.",
                    f"This target set sets targets for {first}–{last}, so it {when_en} for {period.year}: there is no "
                    "target to judge by. Load the new target set in the Catalogue and targets tab.")

    def area_target_note(self, unit: str | Unit, rows: list[Unit], period: Period) -> Text | None:
        """After a merger, for a list of units (an overview, a workbook): which old province's set judges which
        of them, and that the rest (and the whole) wait for the new province's own set; None otherwise."""
        own = self.target_note(unit, period)
        if own is None:
            return None
        olds, ts = self._reorganised_from(), self.target_set
        if not olds or (ts is not None and ts.province not in olds):
            return own  # no merger: only the years of the office's own set can be the matter
        used = {ts.id: ts for u in rows if (ts := self.target_set_for(u, period)) is not None}
        if not used:
            return own
        province = unitlists.find_official(2, self.province_code)
        new_name = province.name if province else self.province_code
        parts = []
        for ts in used.values():
            old = unitlists.find_official(3, ts.province)
            parts.append((ts.document, old.name if old else ts.province))
        vi = "; ".join(f"{doc} của {name} đánh giá các đơn vị thuộc {name} cũ" for doc, name in parts)
        en = "; ".join(f"{doc} of {name} judges the units of the former {name}" for doc, name in parts)
        return Text(f"{vi}. Các đơn vị khác và toàn {new_name} chưa có chỉ tiêu cho đến khi {new_name} chọn bộ chỉ "
                    "tiêu của mình (thẻ Danh mục và chỉ tiêu).",
                    f"{en}. The other units, and {new_name} as a whole, have no targets until {new_name} chooses "
                    "a target set of its own (Catalogue and targets tab).")

    def choose_target_set(self, set_id: str) -> TargetSet:
        sets = self.target_sets()
        if set_id not in sets:
            raise ParAppError(f'Không có bộ chỉ tiêu "{set_id}".', f'There is no target set "{set_id}".')
        self.store.set_meta("target_set", set_id)
        self._target_set = sets[set_id]
        return sets[set_id]

    def import_target_set(self, path: Path | str) -> TargetSet:
        """Read a target set from a user's TOML file; store it in the database if it is valid."""
        from parapp.domain.catalogue import load_target_set

        ts = load_target_set(Path(path), self.catalogue)
        with self.store.transaction() as c:
            c.execute("INSERT INTO target_sets(id, toml, imported_at, imported_by) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT(id) DO UPDATE SET toml = excluded.toml, imported_at = excluded.imported_at, "
                      "imported_by = excluded.imported_by", (ts.id, ts.source_text, now(), self.officer))
            audit.append(c, [dict(at=now(), who=self.officer, action="target_set", reason=ts.id, source=str(path))])
        self._target_set = None
        return ts

    # -- entering -------------------------------------------------------------------------------

    def parse_value(self, element: str, text: str | float | int | None, lang: str | None = None) -> float | None:
        """A value as typed, checked against its element; None (empty) clears it."""
        el = self.catalogue.element(element)
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        if isinstance(text, str):
            try:
                number = parse_number(text, lang)
            except ValueError:
                raise value_store_refused(el, text) from None
        else:
            number = text
        return el.check(number)

    def enter(self, unit: str, period: Period | str, values: Mapping[str, str | float | None],
              comment: str | None = None, comments: Mapping[str, str | None] | None = None,
              who: str | None = None, source: str | None = None, lang: str | None = None) -> int:
        """Check and store values for one unit and period, all or none. Returns how many changed."""
        u = self.unit(unit)
        p = Period.parse(period) if isinstance(period, str) else period
        if not u.active:
            raise ParAppError(f"{u.name} đã giải thể, không nhận số liệu mới.",
                              f"{u.name} is retired and takes no new figures.")
        if not self.in_area(u.code):
            raise ParAppError(f"{u.name} không thuộc đơn vị của văn phòng này; số liệu của đơn vị đó do văn phòng của "
                              "nó nhập (hoặc nhập báo cáo của đơn vị đó).",
                              f"{u.name} is not this office's unit or below it; its figures are entered by its own "
                              "office (or import its return).")
        self.check_in_force(u, p)
        checked: dict[str, float | None] = {}
        for code, raw in values.items():
            el = self.catalogue.element(code)
            if u.level not in el.levels:
                raise ParAppError(f'{el.name.vi} ({code}) không được nhập ở cấp của {u.name}.',
                                  f'{el.name.en} ({code}) is not entered at the level of {u.name}.')
            checked[code] = self.parse_value(code, raw, lang)
        notes: dict[str, str | None] = dict(comments or {})
        if comment is not None:
            for code in checked:
                notes.setdefault(code, comment)
        for code in notes:
            self.catalogue.element(code)
        return value_store.write_values(self.store, u.code, str(p), checked, who or self.officer,
                                        comments=notes, source=source, lock=(u.name, _label(p)))

    def check_in_force(self, u: Unit, p: Period) -> None:
        """Refuse figures for a period the unit did not exist in (the 2025 reorganisation), naming where they go."""
        if u.in_force(p):  # a period belongs to the units in force at its end: the year 2025 to the new ones
            return
        from parapp.store.units import predecessors, successors

        def day(iso: str) -> str:
            y, m, d = iso.split("-")
            return f"{int(d):02d}/{int(m):02d}/{y}"

        if u.starts_after(p):
            names = ", ".join(self.unit(link.predecessor).name for link in predecessors(self.store, u.code))
            vi_to = f" ({names})" if names else ""
            en_to = f" ({names})" if names else ""
            raise ParAppError(
                f"{u.name} được thành lập từ ngày {day(u.valid_from)}; số liệu {p.label('vi')} thuộc các đơn vị "
                f"trước đó{vi_to}.",
                f"{u.name} was established on {day(u.valid_from)}; the figures for {p.label('en')} belong to the "
                f"units before it{en_to}.")
        names = ", ".join(dict.fromkeys(self.unit(link.successor).name for link in successors(self.store, u.code)))
        raise ParAppError(
            f"{u.name} chỉ tồn tại đến ngày {day(u.valid_to)}; hãy nhập số liệu {p.label('vi')} cho "
            f"{names or 'đơn vị mới'}.",
            f"{u.name} existed until {day(u.valid_to)}; enter the figures for {p.label('en')} under "
            f"{names or 'the new unit'}.")

    # -- seeing ---------------------------------------------------------------------------------

    def history_lookup(self, unit: str, below: bool):
        """history(indicator, year): the unit's own (or rolled-up) value of an indicator for a whole year,
        as targets that look at last year or at a baseline need it. Years are rolled up once and kept
        until the database changes (a year's roll-up is the costly part of a report)."""
        def history(indicator: str, year: int) -> float | None:
            ind = self.catalogue.indicators[indicator]
            needs = self.elements_of((ind,))
            key = (unit, below, year, needs)
            version = self.store.data_version()
            hit = self._years.get(key)
            if hit is None or hit[0] != version:
                agg = self.figures(unit, Period.for_year(year), below, elements=needs)[0]
                hit = self._years[key] = (version, agg.values)
            return ind.compute(hit[1])

        return history

    def elements_of(self, indicators) -> frozenset[str]:
        """The elements the indicators are computed from, with the respondent counts that weight their
        percentages: what figures(..., elements=) must read for them."""
        key = tuple(ind.code for ind in indicators)
        needs = self._needs.get(key)
        if needs is None:
            elements = self.catalogue.elements
            names = set().union(*(ind.elements for ind in indicators))
            needs = self._needs[key] = frozenset(
                names | {elements[e].weight for e in names if e in elements and elements[e].weight})
        return needs

    def figures(self, unit: str | Unit, period: Period, below: bool = False,
                elements: frozenset[str] | None = None) -> tuple[Aggregate, Provenance | None]:
        """The unit's figures (own, or rolled up with below) for any period, carried from its predecessors for
        a time before it existed (the 2025 reorganisation); the provenance says from which, else None.
        elements: only those elements' values, without the counts of units that reported (lineage.figures)."""
        u = unit if isinstance(unit, Unit) else self.unit(unit)
        return figures(self.store, self.catalogue, u, period, below, elements)

    def area_roots(self) -> list[str]:
        """The office's unit and, after the 2025 reorganisation, the old units it was made of (and theirs)."""
        out, todo = [], [self.office_code]
        while todo:
            code = todo.pop(0)
            if code in out:
                continue
            out.append(code)
            todo += [link.predecessor for link in unit_store.predecessors(self.store, code)]
        return out

    def in_area(self, code: str, below_only: bool = False) -> bool:
        """Is the unit the office's own (unless below_only), below it, or part of the old units it was made of?"""
        if code == self.office_code:
            return not below_only
        return any(code == root or unit_store.is_below(self.store, code, root) for root in self.area_roots())

    def rows_below(self, unit: str | Unit, period: Period, include_retired: bool = True) -> list[Unit]:
        """The units directly below in the tree in force for the period; for a time before the unit existed, the
        old units it was made of (what a district's or province's overview, workbook and summary list)."""
        u = unit if isinstance(unit, Unit) else self.unit(unit)
        if period.end.isoformat() < u.valid_from:
            links = unit_store.predecessors(self.store, u.code)
            if links:
                return [self.unit(link.predecessor) for link in links]
        return unit_store.children(self.store, u.code, include_retired=include_retired, period=period)

    def tampered(self, unit: str, period: Period | str) -> dict[str, audit.Drift]:
        """The unit-period's stored values that are not what their history says (changed with another tool), by
        element: what the entry grid marks."""
        return {d.element: d for d in audit.drift(self.store.conn, self.unit(unit).code, str(period))}

    def previous_values(self, unit: str, period: Period) -> dict[str, float]:
        return self.figures(unit, period.previous())[0].values

    def report(self, unit: str, period: Period | str, with_rollup: bool | None = None) -> UnitReport:
        u = self.unit(unit)
        p = Period.parse(period) if isinstance(period, str) else period
        own, lineage = self.figures(u, p)
        stored = value_store.stored_values(self.store, u.code, str(p))
        prev = self.previous_values(u.code, p) if any(r.left.prev_names or r.right.prev_names
                                                      for r in self.catalogue.rules) else None
        ts = self.target_set_for(u, p)
        indicators = assess(self.catalogue, ts, u.level, p, own.values, self.history_lookup(u.code, False), self.margin)
        messages = validate(self.catalogue, own.values, prev, u.level)
        rep = UnitReport(u, p, value_store.get_status(self.store, u.code, str(p)), own, stored, indicators, messages,
                         lineage=lineage, target_set=ts, target_note=self.target_note(u, p))
        has_below = self.store.conn.execute("SELECT 1 FROM units WHERE parent = ? LIMIT 1", (u.code,)).fetchone()
        if with_rollup or (with_rollup is None and has_below):
            if u.starts_after(p):
                rep.rolled, rep.lineage = self.figures(u, p, below=True)
            else:
                rep.rolled = rollup(self.store, self.catalogue, u.code, p)
            rep.rolled_indicators = assess(self.catalogue, ts, u.level, p, rep.rolled.values,
                                           self.history_lookup(u.code, True), self.margin)
            rep.rolled_messages = validate(self.catalogue, rep.rolled.values, None, u.level)
        return rep

    def validate(self, unit: str, period: Period | str) -> list[Message]:
        p = Period.parse(period) if isinstance(period, str) else period
        u = self.unit(unit)
        own = aggregate(self.store, self.catalogue, u.code, p)
        return validate(self.catalogue, own.values, self.previous_values(u.code, p), u.level)

    # -- workflow -------------------------------------------------------------------------------

    def submit(self, unit: str, period: Period | str, who: str | None = None) -> None:
        u, p = self.unit(unit), (Period.parse(period) if isinstance(period, str) else period)
        st = value_store.get_status(self.store, u.code, str(p))
        if st is None:
            raise WorkflowError(f"{u.name} chưa có số liệu {p.label('vi')} để gửi.",
                                f"{u.name} has no figures for {p.label('en')} to submit.")
        if st.status in ("submitted", "approved"):
            raise WorkflowError(
                f"Số liệu {p.label('vi')} của {u.name} đã {'được gửi' if st.status == 'submitted' else 'được duyệt'}.",
                f"The figures of {u.name} for {p.label('en')} are already {st.status}.")
        errors = [m for m in self.validate(u.code, p) if m.severity == "error"]
        if errors:
            vi = "; ".join(m.describe("vi") for m in errors)
            en = "; ".join(m.describe("en") for m in errors)
            raise WorkflowError(f"Chưa gửi được vì còn {len(errors)} lỗi: {vi}.",
                                f"Cannot submit while {len(errors)} error(s) remain: {en}.")
        value_store.set_status(self.store, u.code, str(p), "submitted", who or self.officer)

    def _check_reviewer(self, u: Unit, p: Period, action_vi: str, action_en: str) -> value_store.Status:
        if u.code == self.office_code or not self.in_area(u.code, below_only=True):
            raise WorkflowError(f"Chỉ cấp trên của {u.name} mới được {action_vi} số liệu của đơn vị này.",
                                f"Only the level above {u.name} can {action_en} its figures.")
        st = value_store.get_status(self.store, u.code, str(p))
        return st

    def approve(self, unit: str, period: Period | str, who: str | None = None) -> None:
        u, p = self.unit(unit), (Period.parse(period) if isinstance(period, str) else period)
        st = self._check_reviewer(u, p, "duyệt", "approve")
        if st is None or st.status != "submitted":
            raise WorkflowError(f"Chỉ duyệt được số liệu đã gửi; số liệu {p.label('vi')} của {u.name} chưa được gửi.",
                                f"Only submitted figures can be approved; {u.name} has not submitted {p.label('en')}.")
        value_store.set_status(self.store, u.code, str(p), "approved", who or self.officer)

    def return_(self, unit: str, period: Period | str, reason: str, who: str | None = None) -> None:
        u, p = self.unit(unit), (Period.parse(period) if isinstance(period, str) else period)
        if not reason or not reason.strip():
            raise WorkflowError("Hãy ghi lý do trả lại.", "Give a reason for returning the figures.")
        st = self._check_reviewer(u, p, "trả lại", "return")
        if st is None or st.status not in ("submitted", "approved"):
            raise WorkflowError(f"Chỉ trả lại được số liệu đã gửi hoặc đã duyệt; {u.name} chưa gửi {p.label('vi')}.",
                                f"Only submitted or approved figures can be returned; {u.name} has not submitted "
                                f"{p.label('en')}.")
        value_store.set_status(self.store, u.code, str(p), "returned", who or self.officer, reason.strip())

    def history(self, unit: str, period: Period | str) -> list[value_store.AuditEntry]:
        u, p = self.unit(unit), (Period.parse(period) if isinstance(period, str) else period)
        return value_store.audit_log(self.store, u.code, str(p))


def _label(p: Period):
    from parapp.i18n import Text

    return Text(p.label("vi"), p.label("en"))


def value_store_refused(el, text: str) -> ParAppError:
    from parapp.domain.catalogue import ValueRefused

    return ValueRefused(f'{el.name.vi} ({el.code}): "{text}" không phải là một số.',
                        f'{el.name.en} ({el.code}): "{text}" is not a number.')
