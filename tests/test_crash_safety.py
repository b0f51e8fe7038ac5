"""Nothing lost when the worst happens: ParApp killed (kill -9) in the middle of entry, an import, an upgrade of
the database, a backup, a restore or the reorganisation; two ParApps writing at once; a full disk; read-only
files and folders; a database edited with the sqlite3 shell; a crash in native code.

The kills run in child processes forked from one server process that has imported ParApp once (a new
interpreter per kill would cost more time than the operations themselves): each job is forked, killed at a
seeded random moment spread over the operation's duration (measured once first, by a run that is not
killed), and the database is then checked: SQLite's integrity check, Office.open, every confirmed save, all
or nothing, the audit chain, the backups.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from parapp.domain.periods import Period
from parapp.engine import reorganise as ro
from parapp.engine.office import Office
from parapp.store import audit
from parapp.store import backup as bk
from parapp.store import units as us
from parapp.store import values as vs
from parapp.store.db import SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parents[1]
KILLS = 20
OFFICER = "Võ Thị Mai"
ELEMENTS = ("carried_over", "received_new", "received_online", "resolved_on_time")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill tests fork (POSIX only)")


def _env(home: Path | str | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **extra}
    if home is not None:
        env["PARAPP_HOME"] = str(home)
    return env


def _dump(path: Path, tables: tuple[str, ...] | None = None) -> list[str]:
    """The database as SQL (what SQLite's .dump gives), or only some of its tables' rows."""
    conn = sqlite3.connect(path)
    try:
        if tables is None:
            return list(conn.iterdump())
        return [repr(tuple(r)) for t in tables for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")]
    finally:
        conn.close()


def _values(path: Path) -> dict[tuple[str, str, str], float]:
    conn = sqlite3.connect(path)
    try:
        return {(u, p, e): v for u, p, e, v in conn.execute("SELECT unit, period, element, value FROM data_values")}
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _sound_backups(db: Path, *folders: Path) -> int:
    """Every file under a backup's final name is a sound database; returns how many half-written ones were left
    under their temporary names (never taken for backups)."""
    left = 0
    for folder in (bk.folder_for(db), *folders):
        if not folder.is_dir():
            continue
        for f in folder.iterdir():
            if f.name.startswith(".~"):
                left += 1
                assert not bk._NAME.match(f.name)
            else:
                assert bk._NAME.match(f.name), f"a file that is not a backup: {f}"
                assert bk.is_sound(f), f"a backup under its final name is not sound: {f}"
    return left


def _whole(path: Path, *backup_folders: Path) -> int:
    """What must hold after any kill: the file is whole, opens, its history verifies, its backups are sound."""
    assert _integrity(path) == "ok"
    with Office.open(path) as office:
        verdict = audit.verify(office.store)
        assert verdict.ok, verdict.message("en")
    assert _integrity(path) == "ok"
    return _sound_backups(path, *backup_folders)


# ------------------------------------------------------------------------------------------ the fork server


SERVER = r'''
import json, os, sys, traceback
from parapp.engine.office import Office
from parapp.engine import reorganise as ro
from parapp.exchange import readers
from parapp.exchange.returns import apply, preview
from parapp.store import backup as bk

readers.MIN_FILES = 1 << 30  # read the returns in this process: a pool's threads must not be forked
OUT = sys.stdout.fileno()


def say(text):
    os.write(OUT, (text + "\n").encode("utf-8"))


def prepare(job):
    if job["op"] == "import":  # what the officer saw before pressing Import (it only reads the database)
        with Office.open(job["preview_db"]) as office:
            previews = preview(office, job["files"])
        assert all(pv.acceptable for pv in previews), [str(pv.refused) for pv in previews if pv.refused]
        return previews
    return None


def work(job, prepared):
    op, db = job["op"], job["db"]
    say("start")
    if op == "enter":
        office = Office.open(db)
        for unit, period, element, value in job["cells"]:
            office.enter(unit, period, {element: str(value)})
            say(f"saved {unit} {period} {element} {value}")
    elif op == "import":
        office = Office.open(db)
        say(f"imported {apply(office, prepared, {pv.path for pv in prepared})}")
    elif op == "migrate":
        Office.open(db).close()
    elif op == "backup":
        office = Office.open(db)
        bk.make_backup(office.store, "manual")
    elif op == "restore":
        bk.restore(db, job["backup"])
    elif op == "reorganise":
        ro.reorganise(Office.open(db))
    say("done")


say("ready")
while True:
    line = sys.stdin.readline()
    if not line:
        break
    job = json.loads(line)
    os.environ["PARAPP_HOME"] = job["home"]
    prepared = prepare(job)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            work(job, prepared)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            code = 1
        os._exit(code)
    say(f"pid {pid}")
    sys.stdin.readline()  # "reap": until then the child's pid stays ours, even once it has ended
    _, status = os.waitpid(pid, 0)
    say(f"exit {os.waitstatus_to_exitcode(status)}")
'''


class Run:
    def __init__(self, lines: list[str], code: int, seconds: float | None):
        self.lines, self.code, self.seconds = lines, code, seconds

    @property
    def killed(self) -> bool:
        return self.code == -signal.SIGKILL


class ForkServer:
    """One interpreter with ParApp imported; every job runs in a child forked from it, killed or not."""

    def __init__(self, folder: Path):
        self.errors = folder / "server-stderr.txt"
        self._err = open(self.errors, "wb")  # closed in close()
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, env=_env(), cwd=folder)
        self._buf = b""
        assert self._line(timeout=60) == "ready"

    def _line(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 1 << 16) if ready else None
            if not chunk:
                raise AssertionError(("no answer from the server" if chunk is None else "the server ended") + ":\n"
                                     + self.errors.read_text(errors="replace")[-3000:])
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode("utf-8")

    def _send(self, text: str) -> None:
        self.proc.stdin.write(text.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def run(self, job: dict, kill_after: float | None = None) -> Run:
        """Run job in a new child; kill it (SIGKILL) kill_after seconds after it said "start"."""
        self.last_op = job["op"]
        self._send(json.dumps({"home": os.environ["PARAPP_HOME"], **job}))
        pid = started = None
        while pid is None or started is None:
            line = self._line()
            if line.startswith("pid "):
                pid = int(line[4:])
            elif line == "start":
                started = time.monotonic()
            else:
                raise AssertionError(f"unexpected {line!r}:\n" + self.errors.read_text(errors="replace")[-3000:])
        if kill_after is not None:
            time.sleep(max(0.0, started + kill_after - time.monotonic()))
            os.kill(pid, signal.SIGKILL)  # our child: running, or ended and not yet reaped (its pid still ours)
        self._send("reap")
        lines, seconds = [], None
        while not (line := self._line()).startswith("exit "):
            lines.append(line)
            if line == "done":
                seconds = time.monotonic() - started
        code = int(line[5:])
        if code not in (0, -signal.SIGKILL):
            raise AssertionError(f"the child failed ({code}):\n" + self.errors.read_text(errors="replace")[-3000:])
        return Run(lines, code, seconds)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._err.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = ForkServer(tmp_path_factory.mktemp("server"))
    yield s
    s.close()


def _delays(seed: int, duration: float) -> list[float]:
    """KILLS moments spread evenly (with seeded jitter) over the operation and a little beyond its end."""
    rng = random.Random(seed)
    span = duration * 1.15
    return [(i + rng.random()) * span / KILLS for i in range(KILLS)]


def _kill_runs(server: ForkServer, seed: int, measure: dict, job, check) -> dict:
    """Measure the operation once (not killed), then kill it KILLS times; after each run, check(i, run) returns
    (temporary files left, what the database was found to be)."""
    first = server.run(job(-1))
    assert first.code == 0 and first.seconds is not None, first.lines
    check(-1, first)
    killed = left = 0
    outcomes: dict[str, int] = {}
    for i, delay in enumerate(_delays(seed, first.seconds)):
        run = server.run(job(i), kill_after=delay)
        killed += run.killed
        files, outcome = check(i, run)
        left += files
        if run.killed:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    measure.update(seconds=round(first.seconds, 4), killed=killed, outcomes_of_kills=outcomes,
                   temporary_files_left=left)
    print(f"\n{server.last_op}: {measure}")  # shown with pytest -s
    assert killed, "no run was killed before its end: the kills tested nothing"
    return measure


# ------------------------------------------------------------------------------------------ databases


def _communes(path: Path, parent: str = "436") -> list[str]:
    with Office.open(path) as office:
        return [u.code for u in us.children(office.store, parent)]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Made once, copied for every run: a district office with two years of history (big enough that a backup or
    an upgrade takes some tens of ms), the same database as of the previous schema, a backup of it, 30 returns
    of the district's communes, and a small three-tier province office."""
    folder = tmp_path_factory.mktemp("seeds")
    old_home = os.environ.get("PARAPP_HOME")
    os.environ["PARAPP_HOME"] = str(folder / "home")
    try:
        district = folder / "district.db"
        Office.create(district, "42", office="436", officer=OFFICER).close()
        communes = _communes(district)
        with Office.open(district) as office:
            office.enter("18073", "2025Q1", {"received_new": "120", "resolved_on_time": "120"})
            for n in range(4):  # four passes over the history: many audit rows for the upgrade to chain
                vs.bulk_write(office.store, [(c, f"{y}{m:02d}", e, float(10 * n + i % 7), None)
                                             for i, (c, y, m, e) in enumerate(
                                                 (c, y, m, e) for c in communes for y in (2023, 2024)
                                                 for m in range(1, 13) for e in ELEMENTS)], OFFICER, "seed")
            backup = bk.make_backup(office.store, "manual", folder / "district-backup.db")
            office.enter("18073", "2025Q1", {"received_new": "125"})  # the database moves on after its backup
        # The same database as ParApp's schema 2 wrote it: no hashes, no keys table, version 2.
        old = folder / "schema2.db"
        shutil.copy(district, old)
        from old_schema import to_schema_3

        to_schema_3(old)
        conn = sqlite3.connect(old)
        for sql in ("DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET hash = NULL",
                    "ALTER TABLE audit_log DROP COLUMN hash", "DROP TABLE unit_keys",
                    "DELETE FROM meta WHERE key IN ('signing_key', 'public_key')",
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END",
                    "PRAGMA user_version = 2"):
            conn.execute(sql)
        conn.commit()
        conn.close()
        # 30 returns (the district's communes for 2025Q2, three for 2025Q3), exported by the province office.
        from parapp.exchange.returns import export_return

        returns = folder / "returns"
        returns.mkdir()
        expected: dict[tuple[str, str, str], float] = {}
        with Office.create(folder / "province.db", "42", officer="Cán bộ tỉnh") as province:
            for i, (c, p) in enumerate([(c, "2025Q2") for c in communes] + [(c, "2025Q3") for c in communes[:3]]):
                figures = {"received_new": 40 + i, "resolved_on_time": 40 + i, "received_online": i}
                province.enter(c, p, {k: str(v) for k, v in figures.items()})
                export_return(province, c, p, returns)
                expected.update({(c, p, k): float(v) for k, v in figures.items()})
        assert len(list(returns.glob("*.xlsx"))) == 30
        # A small three-tier province office with some figures, to carry over to two tiers.
        three = folder / "three-tier.db"
        with Office.create(three, "42", tiers=3, officer=OFFICER) as office:
            for i, c in enumerate(communes[:8]):
                office.enter(c, "2025Q1", {"received_new": str(10 + i), "resolved_on_time": str(10 + i)})
    finally:
        if old_home is None:
            os.environ.pop("PARAPP_HOME", None)
        else:
            os.environ["PARAPP_HOME"] = old_home
    return {"district": district, "schema2": old, "backup": backup, "returns": returns, "expected": expected,
            "three": three, "communes": communes}


# ------------------------------------------------------------------------------------------ killed midway


def test_killed_while_entering_keeps_every_confirmed_save(server, seeds, tmp_path):
    communes = seeds["communes"][:10]
    cells = [(c, p, e) for c in communes for p in ("2025Q1", "2025Q2") for e in ("received_new", "resolved_on_time")]
    plan = [(*cells[i % len(cells)], 1000 + i) for i in range(200)]  # every save changes its cell
    before = _values(seeds["district"])

    def state(k: int) -> dict:
        out = dict(before)
        for u, p, e, v in plan[:k]:
            out[(u, p, e)] = float(v)
        return out

    def job(i):
        path = tmp_path / f"enter{i}.db"
        shutil.copy(seeds["district"], path)
        return {"op": "enter", "db": str(path), "cells": plan}

    def check(i, run):
        path = tmp_path / f"enter{i}.db"
        saved = [line.split() for line in run.lines if line.startswith("saved ")]
        k = len(saved)
        assert [(u, p, e, int(v)) for _s, u, p, e, v in saved] == plan[:k]
        left = _whole(path)
        now = _values(path)
        # Every confirmed save is there; the one being made when the kill came is there whole or not at all.
        assert now == state(k) or (k < len(plan) and now == state(k + 1)), f"run {i}: {k} confirmed"
        if not run.killed:
            assert k == len(plan)
        path.unlink()
        return left, "as confirmed" if now == state(k) else "one more than confirmed"

    _kill_runs(server, 101, {}, job, check)


def test_an_import_killed_midway_is_all_or_nothing(server, seeds, tmp_path):
    files = sorted(str(f) for f in seeds["returns"].glob("*.xlsx"))
    expected = seeds["expected"]
    before = _dump(seeds["district"], ("data_values", "statuses"))

    def job(i):
        path = tmp_path / f"import{i}.db"
        shutil.copy(seeds["district"], path)
        return {"op": "import", "db": str(path), "preview_db": str(seeds["district"]), "files": files}

    def check(i, run):
        path = tmp_path / f"import{i}.db"
        left = _whole(path)
        now = _values(path)
        imported = {k: now.get(k) for k in expected}
        if imported == expected:
            assert all(now[k] == v for k, v in _values(seeds["district"]).items() if k not in expected)
        else:
            assert set(imported.values()) == {None}, f"run {i}: part of an import"
            assert _dump(path, ("data_values", "statuses")) == before
        if not run.killed:
            assert imported == expected and any(line.startswith("imported ") for line in run.lines)
        path.unlink()
        return left, "all" if imported == expected else "none"

    assert _kill_runs(server, 202, {}, job, check)["outcomes_of_kills"].get("none")


def test_an_upgrade_killed_midway_leaves_the_old_schema_or_the_new(server, seeds, tmp_path):
    old = seeds["schema2"]
    values = _values(old)
    rows = _dump(old, ("data_values", "statuses"))
    conn = sqlite3.connect(old)
    audit_rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    conn.close()
    assert audit_rows > 10000

    def job(i):
        path = tmp_path / f"old{i}.db"
        shutil.copy(old, path)
        return {"op": "migrate", "db": str(path)}

    def check(i, run):
        path = tmp_path / f"old{i}.db"
        conn = sqlite3.connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.close()
        assert version in (2, 3, SCHEMA_VERSION)  # each step of the upgrade commits on its own
        if version == 2:  # not upgraded: exactly as it was
            assert _dump(path, ("data_values", "statuses")) == rows
        left = _whole(path)  # Office.open upgrades it now, if the kill came first
        with Office.open(path) as office:
            assert office.store.schema_version == SCHEMA_VERSION
            assert office.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
        assert _values(path) == values
        if not run.killed:
            assert version == SCHEMA_VERSION
        path.unlink()
        return left, f"schema {version}"

    _kill_runs(server, 303, {}, job, check)


def test_a_backup_killed_midway_never_leaves_a_broken_file_under_its_name(server, seeds, tmp_path):
    source = tmp_path / "source.db"
    shutil.copy(seeds["district"], source)
    second = tmp_path / "usb"
    second.mkdir()
    with Office.open(source) as office:
        office.store.set_meta("backup_folder", str(second))  # a second folder (a USB stick) gets a copy too
    before = _dump(source)
    made = {"final": 0}

    def job(i):
        path = tmp_path / f"b{i}.db"
        shutil.copy(source, path)
        return {"op": "backup", "db": str(path)}

    def check(i, run):
        path = tmp_path / f"b{i}.db"
        assert _dump(path) == before  # a backup only reads the database
        left = _whole(path)
        _sound_backups(path, second)
        finals = bk.backups(path)
        made["final"] += len(finals)
        if not run.killed:
            assert len(finals) == 1 and bk.is_sound(finals[0].path)
            assert any(f.name == finals[0].path.name for f in second.iterdir())
        return left, "backup made" if finals else "no backup"

    _kill_runs(server, 404, made, job, check)
    made["temporary_files_left"] += sum(1 for f in second.iterdir() if f.name.startswith(".~"))
    # What the kills left under temporary names goes with a later backup into the same folder, once stale; a
    # temporary file being written now (by another ParApp) stays.
    _age_leftovers_and_clear(second, [(tmp_path / f"b{i}.db") for i in range(KILLS)],
                             _backup_and_close)


def test_a_restore_killed_midway_leaves_the_old_database_or_the_backup(server, seeds, tmp_path):
    backup = seeds["backup"]
    old, restored = _dump(seeds["district"]), _dump(backup)
    assert old != restored

    def job(i):
        path = tmp_path / f"r{i}.db"
        shutil.copy(seeds["district"], path)
        return {"op": "restore", "db": str(path), "backup": str(backup)}

    def check(i, run):
        path = tmp_path / f"r{i}.db"
        assert _integrity(path) == "ok"
        now = _dump(path)
        assert now in (old, restored), f"run {i}: neither the old database nor the backup"
        if not run.killed:
            assert now == restored
        return _whole(path), "backup" if now == restored else "old"

    measure = _kill_runs(server, 505, {}, job, check)
    assert measure["outcomes_of_kills"].get("old")
    measure["temporary_files_left"] += sum(1 for f in tmp_path.iterdir() if f.name.startswith(".~restore-"))
    _age_leftovers_and_clear(tmp_path, [(tmp_path / f"r{i}.db") for i in range(KILLS)],
                             lambda db: bk.restore(db, backup))


def _backup_and_close(db: Path) -> None:
    with Store.open(db) as store:
        bk.make_backup(store, "manual")


def _age_leftovers_and_clear(folder: Path, dbs: list[Path], again) -> None:
    """Make the temporary files that killed runs left (in folder and in the dbs' backup folders) an hour old; run
    again(db) for each db whose folder has some: they are all gone, and a fresh one (another ParApp's, being
    written) is not."""
    old = time.time() - 2 * bk.STALE_TEMPORARY_SECONDS
    stale = list(folder.glob(".~*"))
    for f in stale:
        os.utime(f, (old, old))
    fresh = folder / ".~backup-being-written.db"
    fresh.write_bytes(b"")
    for db in dbs:
        mine = list(bk.folder_for(db).glob(".~*"))
        for f in mine:
            os.utime(f, (old, old))
        if mine or stale:
            again(db)
            stale = [f for f in stale if f.exists()]
        assert not [f for f in mine if f.exists()], db
    assert not stale and fresh.exists()
    fresh.unlink()


def test_a_reorganisation_killed_midway_leaves_three_tiers_or_two(server, seeds, tmp_path):
    three = seeds["three"]
    tables = ("units", "data_values", "statuses", "unit_tree", "unit_spans", "unit_links")
    before = _dump(three, tables)
    values = _values(three)

    def job(i):
        path = tmp_path / f"t{i}.db"
        shutil.copy(three, path)
        return {"op": "reorganise", "db": str(path)}

    def check(i, run):
        path = tmp_path / f"t{i}.db"
        left = _whole(path)
        with Office.open(path) as office:
            done = office.store.meta(ro.META_KEY) is not None
            if done:
                assert office.tiers == 2
                assert len(us.children(office.store, "42", period=Period.parse("2026Q1"))) == 69
            else:
                assert office.tiers == 3
        if not done:
            assert _dump(path, tables) == before
        assert _values(path) == values
        if not run.killed:
            assert done
        path.unlink()
        return left, "two tiers" if done else "three tiers"

    _kill_runs(server, 606, {}, job, check)


# ------------------------------------------------------------------------------------------ two at once


# An officer's entry: a save, a moment to type the next value. (Without the pause one process writing
# without a break keeps the other out until it stops: SQLite's busy wait is not a queue. Nothing is lost
# then either, but the two would not be writing at the same time.)
WRITER = r'''
import json, sys, time
from parapp.engine.office import Office
db, who, base, cells = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
office = Office.open(db)
print("ready", flush=True)
sys.stdin.readline()
for i, (unit, period, element) in enumerate(cells):
    office.enter(unit, period, {element: str(base + i)}, who=who)
    print(f"saved {unit} {period} {element} {base + i}", flush=True)
    time.sleep(0.002)
office.close()
'''


def test_two_parapps_entering_at_once_lose_nothing(seeds, tmp_path):
    path = tmp_path / "shared.db"
    shutil.copy(seeds["district"], path)
    c = seeds["communes"]
    shared = [(u, "2025Q1", e) for u in c[:3] for e in ("received_new", "resolved_on_time")]
    own = {"A": [(c[5], p, "received_new") for p in ("2025Q2", "2025Q3")],
           "B": [(c[6], p, "received_new") for p in ("2025Q2", "2025Q3")] + [(c[0], "2025Q2", "received_new")]}
    procs = {}
    for who, base in (("A", 10000), ("B", 20000)):
        mine = shared + own[who]
        cells = [mine[(i * (3 if who == "A" else 5)) % len(mine)] for i in range(300)]
        procs[who] = (subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"Cán bộ {who}", str(base),
                                        json.dumps(cells)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env=_env(os.environ["PARAPP_HOME"])),
                      cells, base)
    for proc, _cells, _base in procs.values():
        assert proc.stdout.readline().strip() == "ready"
    for proc, _cells, _base in procs.values():
        proc.stdin.write("go\n")
        proc.stdin.flush()
    confirmed = {}
    for who, (proc, cells, base) in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and err == "", err
        saved = [line.split() for line in out.splitlines() if line.startswith("saved ")]
        assert [(u, p, e, int(v)) for _s, u, p, e, v in saved] == [(*cell, base + i) for i, cell in enumerate(cells)]
        confirmed[f"Cán bộ {who}"] = saved
    assert _whole(path) == 0
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id, who, unit, period, element, old_value, new_value FROM audit_log "
                        "WHERE action = 'value' AND who IN ('Cán bộ A', 'Cán bộ B') ORDER BY id").fetchall()
    conn.close()
    switches = sum(1 for a, b in zip(rows, rows[1:], strict=False) if a[1] != b[1])
    assert switches > 10, "the two did not write at the same time"
    stored, seeded = _values(path), _values(seeds["district"])
    history: dict[tuple, list] = {}
    for _id, who, u, p, e, old, new in rows:
        history.setdefault((u, p, e), []).append((who, old, new))
    for who, saved in confirmed.items():  # every confirmed save is in the history, in its writer's order
        for _s, u, p, e, v in saved:
            assert (who, float(v)) in {(w, n) for w, _o, n in history[(u, p, e)]}
        assert len([r for r in rows if r[1] == who]) == len(saved)
    for cell, steps in history.items():
        assert steps[0][1] == seeded.get(cell)
        for (_w0, _o0, new0), (_w1, old1, _n1) in zip(steps, steps[1:], strict=False):
            assert old1 == new0, f"{cell}: a write did not see the one before it (a lost update)"
        assert stored[cell] == steps[-1][2]  # the last writer wins, and the history says who
    both = [cell for cell in history if len({w for w, _o, _n in history[cell]}) == 2]
    assert len(both) >= len(shared)
    with Office.open(path) as office:
        for u, p, e in both:
            last = [h for h in office.history(u, p) if h.element == e][-1]
            assert last.new_value == stored[(u, p, e)] and last.who == history[(u, p, e)][-1][0]


# The command line as the program starts it (native reports on), the busy timeout optionally cut to 0.3 s.
CLI = ("import sys\nfrom parapp.crash import enable_native_reports\nenable_native_reports()\n"
       "if sys.argv[1] == 'fast':\n    import parapp.store.db as db\n    db.BUSY_TIMEOUT_MS = 300\n"
       "from parapp.cli import main\nraise SystemExit(main(sys.argv[2:]))")


def _parapp(*args, home: Path | str | None = None, fast_busy: bool = False, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", CLI, "fast" if fast_busy else "-"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=_env(home or os.environ["PARAPP_HOME"]), **kw)


def test_a_write_that_cannot_get_the_lock_is_a_sentence_in_another_process(seeds, tmp_path):
    """Another program holds a write transaction: enter and an import give the sentence after the busy timeout
    (exit 1, no traceback, nothing changed); a backup still works, as it only reads."""
    path = tmp_path / "locked.db"
    shutil.copy(seeds["district"], path)
    before = _dump(path, ("data_values", "statuses"))
    holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for args in (("enter", "--unit", "18073", "--period", "2025Q2", "received_new=5"),
                     ("import-returns", seeds["returns"], "--yes")):
            started = time.monotonic()
            done = _parapp(*args, "--db", path, fast_busy=True)
            assert done.returncode == 1, (args, done.stdout, done.stderr)
            assert "đang bị một chương trình khác" in done.stderr and "khoá" in done.stderr
            assert "Traceback" not in done.stderr and "Báo cáo lỗi" not in done.stderr
            assert time.monotonic() - started < 30
        done = _parapp("backup", "--db", path, fast_busy=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _dump(path, ("data_values", "statuses")) == before
    assert _whole(path) == 0


# ------------------------------------------------------------------------------------------ a full disk


@contextlib.contextmanager
def _small_disk(folder: Path, size: str = "3m"):
    """A size-limited tmpfs mounted at folder (root only), unmounted at the end."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a size-limited disk needs mount -t tmpfs, which needs root")
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "ab", buffering=0) as f:
        for chunk in (1 << 16, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC
    assert shutil.disk_usage(folder).free < 1 << 16
    return filler


def test_a_full_disk_is_a_sentence_and_changes_nothing(seeds, tmp_path):
    disk = tmp_path / "disk"
    with _small_disk(disk):
        path = disk / "district.db"
        Office.create(path, "42", office="436", officer=OFFICER).close()
        with Office.open(path) as office:
            office.enter("18073", "2025Q1", {"received_new": "120", "resolved_on_time": "120"})
        before = _dump(path)
        home_on_disk, home_elsewhere = disk / "home", tmp_path / "home-elsewhere"
        # what runs, with the data folder (the backups) on the full disk or elsewhere, and whether another
        # ParApp has the database open (then the shared-memory index exists and the write itself fails)
        cases = [
            (("enter", "--unit", "18073", "--period", "2025Q2", "received_new=5"), home_on_disk, False),
            (("enter", "--unit", "18073", "--period", "2025Q2", "received_new=5"), home_on_disk, True),
            (("import-returns", seeds["returns"], "--yes"), home_on_disk, True),
            (("import-returns", seeds["returns"], "--yes"), home_elsewhere, True),
            (("backup",), home_on_disk, True),
            (("backup", "--out", disk / "copy.db"), home_elsewhere, True),
        ]
        for args, home, held in cases:
            reader = None
            if held:
                reader = sqlite3.connect(path)
                reader.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                reader.execute("SELECT count(*) FROM data_values").fetchone()
            filler = _fill(disk)
            try:
                done = _parapp(*args, "--db", path, home=home)
            finally:
                filler.unlink()
                if reader is not None:
                    reader.close()
            assert done.returncode == 1, (args, done.stdout, done.stderr)
            assert "đầy" in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
            assert _dump(path) == before, args
            assert _integrity(path) == "ok"
            assert not (disk / "copy.db").exists()
            for folder in [*(home_on_disk / "backups").glob("*"), *(home_elsewhere / "backups").glob("*"), disk]:
                assert not [f for f in folder.iterdir() if f.name.startswith(".~")], (args, folder)
                assert all(bk.is_sound(b.path) for b in bk.backups(path, folder))
            assert not list((home_on_disk / "crash-reports").glob("*")), args
            with Office.open(path) as office:
                assert audit.verify(office.store).ok
        done = _parapp("enter", "--unit", "18073", "--period", "2025Q2", "received_new=5", "--db", path,
                       home=home_on_disk)
        assert done.returncode == 0, done.stderr  # room again: it works


# ------------------------------------------------------------------------------------------ read-only


def _as_other_user():
    """(subprocess options, chown) to run the command line as an unprivileged user when this is root, for whom
    chmod stops nothing; None when that is not possible."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return {}, None
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return None
    opts = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    return opts, (nobody.pw_uid, nobody.pw_gid)


def _writes(path: Path, opts: dict) -> bool:
    """Can the user the command line runs as write to path? (Tried, not guessed from the mode bits.)"""
    code = "import sys\ntry:\n open(sys.argv[1], 'ab').close()\nexcept OSError:\n sys.exit(1)"
    return subprocess.run([sys.executable, "-c", code, str(path)], **opts).returncode == 0


def test_read_only_files_and_folders_show_but_refuse_entry(seeds):
    who = _as_other_user()
    if who is None:
        pytest.skip("running as root without an unprivileged user to run as: chmod would not stop the writes")
    opts, owner = who
    # Not under pytest's tmp_path: its parent folders are private to the user running the tests.
    base = Path(tempfile.mkdtemp(prefix="parapp-ro-"))
    try:
        os.chmod(base, 0o755)
        home = base / "home"
        home.mkdir()
        for case, file_mode, folder_mode in (("file", 0o444, 0o755), ("folder", 0o644, 0o555),
                                             ("both", 0o444, 0o555)):
            folder = base / case
            folder.mkdir()
            path = folder / "district.db"
            shutil.copy(seeds["district"], path)
            if owner is not None:
                for p in (home, folder, path):
                    os.chown(p, *owner)
            os.chmod(path, file_mode)
            os.chmod(folder, folder_mode)
            probe = path if file_mode == 0o444 else folder / "probe"
            if _writes(probe, opts):
                pytest.skip("chmod does not stop this user's writes")
            before, files = path.read_bytes(), sorted(os.listdir(folder))
            show = _parapp("show", "--db", path, "--unit", "18073", "--period", "2025Q1", home=home, **opts)
            assert show.returncode == 0 and "125" in show.stdout, (case, show.stderr)
            enter = _parapp("enter", "--db", path, "--unit", "18073", "--period", "2025Q1", "received_new=7",
                            home=home, **opts)
            assert enter.returncode == 1 and "Traceback" not in enter.stderr, (case, enter.stderr)
            assert "chỉ mở để xem" in enter.stderr or "chỉ cho phép đọc" in enter.stderr, (case, enter.stderr)
            assert path.read_bytes() == before, case
            # In a folder it may write to, SQLite's read-only connection leaves an empty log (and its index).
            made = sorted(set(os.listdir(folder)) - set(files))
            assert made in ([], [f"{path.name}-shm", f"{path.name}-wal"]), (case, made)
            assert not made or (folder / f"{path.name}-wal").stat().st_size == 0, case
            os.chmod(folder, 0o755)
            os.chmod(path, 0o644)
            assert _values(path) == _values(seeds["district"])
    finally:
        for p in base.rglob("*"):
            if p.is_dir():
                os.chmod(p, 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_a_database_on_read_only_media_shows_but_refuses_entry(seeds, tmp_path):
    disk = tmp_path / "cd"
    with _small_disk(disk, "4m"):
        path = disk / "district.db"
        shutil.copy(seeds["district"], path)
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
        before = path.read_bytes()
        with pytest.raises(OSError):
            open(path, "ab").close()  # root too
        show = _parapp("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
        assert show.returncode == 0 and "125" in show.stdout, show.stderr
        for args in (("enter", "--unit", "18073", "--period", "2025Q1", "received_new=7"),
                     ("rename-unit", "--unit", "18073", "--name", "Phường Mới")):
            done = _parapp(*args, "--db", path)
            assert done.returncode == 1 and "Traceback" not in done.stderr, (args, done.stderr)
            assert "chỉ mở để xem" in done.stderr or "chỉ cho phép đọc" in done.stderr, (args, done.stderr)
        backup = _parapp("backup", "--db", path)  # the backups go to the data folder: a CD can be backed up
        assert backup.returncode == 0, backup.stderr
        assert path.read_bytes() == before and os.listdir(disk) == ["district.db"]


# ------------------------------------------------------------------------------------------ edited by hand


def test_a_database_edited_with_the_sqlite_shell_is_told_and_still_shows(seeds, tmp_path, cli):
    path = tmp_path / "edited.db"
    shutil.copy(seeds["district"], path)
    before = _values(path)
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT id FROM audit_log WHERE unit = ? AND period = '202402' AND element = "
                       "'received_new' ORDER BY id LIMIT 1", (seeds["communes"][1],)).fetchone()[0]
    conn.execute("UPDATE data_values SET value = 999 WHERE unit = '18073' AND period = '2025Q1' "
                 "AND element = 'received_new'")
    conn.execute("DROP TRIGGER audit_rows_no_update")
    conn.execute(f"UPDATE audit_rows SET new_value = 77 WHERE id = {row}")
    conn.commit()
    conn.close()
    code, out, _err = cli("audit", "verify", "--db", path)
    assert code == 2
    assert f"bị sửa bằng công cụ khác từ dòng {row}" in out and "1 số liệu khác với lịch sử" in out
    data = json.loads(cli("audit", "verify", "--db", path, "--json")[1])
    assert data["ok"] is False and data["broken_at"] == row
    assert [(d["unit"], d["period"], d["element"], d["stored"]) for d in data["drift"]] == \
        [("18073", "2025Q1", "received_new", 999.0)]
    code, out, _err = cli("audit", "verify", "--db", path, "--lang", "en")
    assert code == 2 and f"from row {row}" in out and "1 stored values differ" in out
    # The figures still show, and nothing else was touched.
    code, out, err = cli("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 0 and "999" in out, err
    assert cli.json("show", "--db", path, "--unit", "18073", "--period", "2025Q1")["elements"]["received_new"] == 999
    code, out, _err = cli("history", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 0 and "125" in out
    after = _values(path)
    assert {k: v for k, v in after.items() if k != ("18073", "2025Q1", "received_new")} == \
        {k: v for k, v in before.items() if k != ("18073", "2025Q1", "received_new")}
    assert _integrity(path) == "ok"


# ------------------------------------------------------------------------------------------ native crashes


NATIVE = r'''
import sys
from parapp.crash import enable_native_reports
path = enable_native_reports()
assert enable_native_reports() == path  # once per process
print(path, flush=True)
if sys.argv[1] == "segfault":
    import faulthandler
    faulthandler._sigsegv()
elif sys.argv[1] == "null":
    import ctypes
    ctypes.string_at(0)
elif sys.argv[1] == "error":
    raise SystemExit(1)
elif sys.argv[1] == "killed":
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)
'''


def _native(how: str, home: Path) -> tuple[subprocess.CompletedProcess, Path]:
    done = subprocess.run([sys.executable, "-c", NATIVE, how], capture_output=True, text=True, timeout=60,
                          env=_env(home))
    return done, Path(done.stdout.strip())


def test_a_native_crash_leaves_a_report_and_a_normal_run_none(tmp_path):
    home = tmp_path / "home"
    reports = home / "crash-reports"
    for how in ("normal", "error"):
        done, path = _native(how, home)
        assert done.returncode == (0 if how == "normal" else 1), done.stderr
        assert path.parent == reports and not path.exists()
    assert list(reports.iterdir()) == []
    done, path = _native("segfault", home)
    assert done.returncode == -signal.SIGSEGV
    assert [p.name for p in reports.iterdir()] == [path.name] and path.name.startswith("crash-")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("ParApp ") and "Fatal Python error: Segmentation fault" in text
    assert 'File "<string>", line 9 in <module>' in text  # the Python line that called into the crash
    done, second = _native("null", home)
    assert done.returncode == -signal.SIGSEGV and "Segmentation fault" in second.read_text(encoding="utf-8")
    # A run killed from outside leaves its empty report behind; the next start removes it, not the crashes.
    done, killed = _native("killed", home)
    assert done.returncode == -signal.SIGKILL and killed.exists()
    done, _path = _native("normal", home)
    assert sorted(p.name for p in reports.iterdir()) == sorted([path.name, second.name])
    # A data folder that cannot be written never stops ParApp from starting.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    done, _path = _native("normal", blocked)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr


def test_the_report_of_a_running_parapp_is_left_alone(tmp_path):
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-c", NATIVE.replace('print(path, flush=True)',
                                                                 'print(path, flush=True); sys.stdin.read()'),
                             "normal"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(home))
    try:
        live = Path(proc.stdout.readline().strip())
        done, path = _native("normal", home)  # another start sweeps the folder
        assert done.returncode == 0 and live.exists()
    finally:
        proc.communicate("", timeout=30)
    assert proc.returncode == 0 and not live.exists()


def test_the_window_writes_native_reports(monkeypatch):
    pytest.importorskip("PySide6")
    from parapp import crash
    from parapp.gui import app as gui_app

    called = []

    class Nothing:  # the window's controller, opening no database
        def __init__(self, app):
            pass

        def start(self, db):
            return False

    monkeypatch.setattr(crash, "enable_native_reports", lambda: called.append(True))
    monkeypatch.setattr(gui_app, "Application", Nothing)
    monkeypatch.setattr(gui_app, "install_crash_dialog", lambda app: None)
    assert gui_app.run(None) == 0 and called == [True]


def test_reader_workers_end_with_the_parapp_that_started_them(tmp_path):
    """A ParApp ended without its own cleanup (SIGTERM, kill -9) leaves no reader worker behind."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import time\n"
            "from parapp.domain.catalogue import shipped_catalogue\n"
            "from parapp.exchange import readers\n"
            "pool = readers._pool_for(shipped_catalogue(), True)\n"
            "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
            "time.sleep(120)\n")
    for sig in (signal.SIGTERM, signal.SIGKILL):
        parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2, workers
        parent.send_signal(sig)
        parent.wait(10)
        deadline = time.monotonic() + 10
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [p for p in workers if _alive(p)]
        assert not alive, f"{sig.name}: workers {alive} outlived their ParApp"


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped by its new parent) counts as ended
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True
