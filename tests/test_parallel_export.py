"""Many returns written on the worker processes: the same files as written here, signed, all or none."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from parapp.domain.periods import Period
from parapp.engine.demo import make_demo
from parapp.engine.office import Office
from parapp.exchange import readers, writers
from parapp.exchange.returns import (
    META_SHEET,
    ReturnError,
    export_templates,
    export_with_below,
    file_name,
    preview,
    units_with_figures_below,
)
from parapp.exchange.returns import form as return_form

Q3 = "2025Q3"
STAMP = "2025-10-06T09:15:00+07:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path)
    office = Office.open(path)
    yield office
    office.close()
    readers.shutdown()


@pytest.fixture(scope="module")
def district(demo) -> str:
    """The district with the most communes that have 2025Q3 figures."""
    rows = demo.store.conn.execute("SELECT code FROM units WHERE level = 'district'").fetchall()
    counts = {code: len(units_with_figures_below(demo, code, Q3)) for (code,) in rows}
    return max(sorted(counts), key=lambda c: counts[c])


@pytest.fixture
def fixed_time(monkeypatch):
    """The export's timestamp (on the form and in its signed metadata) held still, so two runs can match."""
    monkeypatch.setattr(return_form, "now", lambda: STAMP)


def contents(path: Path) -> dict:
    """Every sheet's cell values and merged ranges, the hidden sheet (signature included) too."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: ([[c.value for c in row] for row in ws.iter_rows()], sorted(map(str, ws.merged_cells.ranges)),
                       ws.sheet_state)
            for ws in wb.worksheets}


def meta(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for row in wb[META_SHEET].iter_rows(max_col=2):
        if row[0].value and row[1].value is not None:
            out[row[0].value] = row[1].value
    return out


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_returns_written_on_the_workers_are_the_files_written_here(demo, district, fixed_time, tmp_path):
    readers.shutdown()
    here = export_with_below(demo, district, Q3, tmp_path / "here", parallel=False)
    assert not readers.running(demo.catalogue)  # written in this process
    there = export_with_below(demo, district, Q3, tmp_path / "there", parallel=True)
    assert readers.running(demo.catalogue)  # the workers wrote them
    assert len(here) > 5
    assert [p.name for p in there] == [p.name for p in here]
    assert all(p.parent == tmp_path / "there" for p in there)
    for a, b in zip(here, there, strict=True):
        assert contents(a) == contents(b), a.name
    assert meta(there[0])["signature"] == meta(here[0])["signature"]
    assert leftovers(tmp_path / "there") == sorted(p.name for p in there)  # no temporary file left behind
    # the province reads them as it reads the ones written here: signed by the office, nothing refused
    with Office.create(tmp_path / "province.db", "42") as province:
        seen_here = preview(province, [tmp_path / "here"])
        seen_there = preview(province, [tmp_path / "there"])
        assert all(pv.acceptable for pv in seen_there), [pv.refused.message() for pv in seen_there if pv.refused]
        assert [(pv.path.name, pv.seal.kind) for pv in seen_there] == [(pv.path.name, pv.seal.kind)
                                                                        for pv in seen_here]
        assert {pv.seal.kind for pv in seen_there} == {"other_key"}  # the signature verifies (not "edited")


def test_templates_written_on_the_workers_are_the_templates_written_here(demo, district, fixed_time, tmp_path):
    here = export_templates(demo, district, Q3, tmp_path / "here", parallel=False)
    there = export_templates(demo, district, Q3, tmp_path / "there", parallel=True)
    assert [p.name for p in there] == [p.name for p in here] and all(p.name.startswith("mau_") for p in there)
    for a, b in zip(here, there, strict=True):
        assert contents(a) == contents(b), a.name


def test_a_cancel_from_the_progress_box_stops_the_workers_and_leaves_no_file(demo, district, tmp_path):
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 3  # the officer presses Cancel once three files are done

    folder = tmp_path / "out"
    with pytest.raises(ReturnError) as caught:
        export_with_below(demo, district, Q3, folder, progress=progress, parallel=True)
    assert caught.value.text.vi == "Đã huỷ việc xuất tệp Excel."
    total = seen[0][1]
    assert seen[-1][0] >= 3 and seen[-1][0] < total  # stopped before the end
    assert leftovers(folder) == []


@pytest.fixture
def long_named(demo, district, tmp_path):
    """A copy of the demo whose commune in the middle of the district has a name too long for a file name."""
    import sqlite3

    path = tmp_path / "copy.db"
    with sqlite3.connect(demo.store.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    units = [demo.unit(district)] + units_with_figures_below(demo, district, Q3)
    victim = units[len(units) // 2]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE units SET name = ? WHERE code = ?", ("Xã " + "Thạch Kênh Thượng " * 20, victim.code))
    office = Office.open(path)
    yield office, victim.code
    office.close()


@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_that_cannot_be_written_says_so_and_leaves_none(long_named, district, tmp_path, parallel):
    """One file cannot be written (its name is too long for the disk): the same message as when written here,
    and no file left, neither the others nor a temporary one."""
    office, victim = long_named
    blocked = tmp_path / "out" / file_name(office.unit(victim), Period.parse(Q3))
    with pytest.raises(ReturnError) as caught:
        export_with_below(office, district, Q3, tmp_path / "out", parallel=parallel)
    assert caught.value.text.vi.startswith(f"Không ghi được {blocked}: ")
    assert caught.value.text.en.startswith(f"Cannot write {blocked}: ")
    assert leftovers(tmp_path / "out") == []


def test_the_workers_are_used_only_for_enough_files(demo):
    readers.shutdown()
    assert not writers.use_workers(writers.COLD_MIN - 1, demo.catalogue, None)
    assert writers.use_workers(writers.COLD_MIN, demo.catalogue, None)
    assert not writers.use_workers(1000, demo.catalogue, False)
    assert writers.use_workers(1, demo.catalogue, True)
    readers.pool(demo.catalogue, start=True)
    try:
        assert writers.use_workers(writers.WARM_MIN, demo.catalogue, None)  # running: a few files are enough
        assert not writers.use_workers(writers.WARM_MIN - 1, demo.catalogue, None)
    finally:
        readers.shutdown()
