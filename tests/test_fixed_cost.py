"""What every command pays before its work, made smaller without changing what it finds or prints: the check of an
unchanged database is not repeated (a damaged or edited one is still caught), a command's own parser alone is
built (--db and mistakes behave as before), the office's own target set alone is read, a province's name comes
without the whole unit lists, and the parsed catalogue comes from its cache."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from parapp import __version__
from parapp.domain import catalogue as cat_mod
from parapp.domain import unitlists
from parapp.engine import office as office_mod
from parapp.engine.office import Office
from parapp.i18n import nfc
from parapp.store import backup as bk
from parapp.store import checked
from parapp.store.db import Store

_RACY_S = checked._RACY_NS / 1e9


@pytest.fixture(autouse=True)
def _language_kept():
    """A command run here with --lang en leaves the language of the tests after it as it was."""
    from parapp import cli
    from parapp.i18n import language, set_language

    before, before_cli = language(), cli._lang
    yield
    set_language(before)
    cli._lang = before_cli


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the office's connections run (the quick check among them)."""
    seen: list[str] = []
    real = Store._connect.__func__

    def connect(cls, path, mode):
        conn = real(cls, path, mode)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(Store, "_connect", classmethod(connect))
    return seen


def _checks(seen: list[str]) -> int:
    return sum("quick_check" in s for s in seen)


def _office_db(tmp_path: Path) -> Path:
    path = tmp_path / "district.db"
    Office.create(path, "42", office="436", officer="Võ Thị Mai").close()
    with Office.open(path) as office:
        below = [r[0] for r in office.store.conn.execute("SELECT code FROM units WHERE parent = '436' ORDER BY code")]
        assert "18073" in below
        for code in below:
            office.enter(code, "2025Q1", {"received_new": "120", "resolved_on_time": "118"})
    return path


def _age(path: Path) -> None:
    """Wait until the file's last change is older than the record trusts (as an officer's database is, written
    minutes or days before the next command)."""
    st = path.stat()
    time.sleep(max(0.0, _RACY_S + 0.2 - (time.time() - max(st.st_mtime, st.st_ctime))))


def _damage_in_place(path: Path) -> None:
    """Overwrite two pages in the middle of the file, then put its modification time back: an edit behind
    ParApp's back that leaves the size, the header and the times it shows as they were."""
    st = path.stat()
    with open(path, "r+b") as f:
        f.seek(st.st_size - 3 * 4096)  # pages of figures, not the schema's: opening alone would not read them
        f.write(os.urandom(8192))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_an_unchanged_database_is_checked_once_and_a_page_edited_behind_parapp_s_back_is_found(tmp_path, statements,
                                                                                               cli):
    path = _office_db(tmp_path)
    _age(path)
    statements.clear()
    with Office.open(path) as office:  # found sound: remembered
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120
    assert _checks(statements) == 1
    statements.clear()
    with Office.open(path) as office:  # nothing changed since: not looked at again
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120
    assert _checks(statements) == 0
    code, out, err = cli("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 0, err
    assert _checks(statements) == 0

    _damage_in_place(path)
    statements.clear()
    with pytest.raises(bk.DamagedError) as e:
        Office.open(path)
    assert _checks(statements) == 1 and "bị hỏng" in e.value.message("vi")
    code, _out, err = cli("show", "--db", path, "--unit", "18073", "--period", "2025Q1")
    assert code == 1 and "bị hỏng" in err
    code, _out, err = cli("enter", "--db", path, "--unit", "18073", "--period", "2025Q1", "received_new=4")
    assert code == 1 and "bị hỏng" in err


def test_the_window_s_check_on_its_thread_is_remembered_too_and_a_damaged_page_is_still_found(tmp_path, statements):
    path = _office_db(tmp_path)
    _age(path)
    statements.clear()
    with Office.open(path, check="later") as office:  # the window: the check runs while it is built
        office.store.wait_checked()
    assert _checks(statements) == 1
    statements.clear()
    with Office.open(path, check="later") as office:  # unchanged since that check passed: not looked at again
        office.store.wait_checked()
        assert office.report("18073", "2025Q1").stored["received_new"].value == 120
    assert _checks(statements) == 0

    _damage_in_place(path)
    statements.clear()
    with Office.open(path, check="later") as office:
        with pytest.raises(bk.DamagedError) as e:
            office.store.wait_checked()
    assert _checks(statements) == 1 and "bị hỏng" in e.value.message("vi")
    statements.clear()
    with Office.open(path, check="later") as office:  # a failed check is never remembered as a sound one
        with pytest.raises(bk.DamagedError):
            office.store.wait_checked()
    assert _checks(statements) == 1


def test_a_change_by_parapp_or_another_program_is_checked_again(tmp_path, statements):
    path = _office_db(tmp_path)
    _age(path)
    with Office.open(path):
        pass
    conn = sqlite3.connect(path)  # another program writes: the file is looked at again, and is sound
    conn.execute("UPDATE meta SET value = 'Nguyễn Văn An' WHERE key = 'officer'")
    conn.commit()
    conn.close()
    statements.clear()
    with Office.open(path) as office:
        assert office.officer == "Nguyễn Văn An"
    assert _checks(statements) == 1
    with Office.open(path) as office:  # ParApp's own write
        office.enter("18073", "2025Q2", {"received_new": "7"})
    statements.clear()
    with Office.open(path) as office:
        assert office.report("18073", "2025Q2").stored["received_new"].value == 7
    assert _checks(statements) == 1


def test_a_file_changed_just_before_its_check_is_checked_again(tmp_path, statements):
    """A write in the same clock tick as the check would leave the same times: such a record is not trusted."""
    path = _office_db(tmp_path)  # written this second
    for _ in range(2):
        statements.clear()
        with Office.open(path):
            pass
        assert _checks(statements) == 1


def test_a_damaged_or_foreign_record_only_means_the_check_runs(tmp_path, statements):
    path = _office_db(tmp_path)
    _age(path)
    with Office.open(path):
        pass
    record = Path(os.environ["PARAPP_HOME"]) / checked.RECORD_NAME
    assert record.exists()
    for text in ("{not json", json.dumps({"format": 1, "files": {str(path.resolve()): "x"}}), "[]", ""):
        record.write_text(text, encoding="utf-8")
        statements.clear()
        with Office.open(path) as office:
            assert office.report("18073", "2025Q1").stored["received_new"].value == 120
        assert _checks(statements) == 1
    statements.clear()
    with Office.open(path):  # the record written again by that check
        pass
    assert _checks(statements) == 0


# ------------------------------------------------------------------------------------------ the command line


def test_db_given_before_or_after_the_command_is_the_one_read(tmp_path, cli):
    path = _office_db(tmp_path)
    code, _out, err = cli("show", "--unit", "18073", "--period", "2025Q1")  # the default database: none yet
    assert code == 1 and "Không có cơ sở dữ liệu" in err
    for args in (("show", "--db", path), ("--db", path, "show"), (f"--db={path}", "show"),
                 ("--lang", "en", "--db", path, "show")):
        code, out, err = cli(*args, "--unit", "18073", "--period", "2025Q1")
        assert code == 0, err
        assert "(18073)" in out and "120" in out
    data = cli.json("--db", path, "show", "--unit", "18073", "--period", "2025Q1")
    assert data["elements"]["received_new"] == 120


def test_a_wrong_command_line_is_told_as_before(tmp_path, capsys):
    from parapp.cli import main

    def wrong(*args) -> tuple[int, str]:
        with pytest.raises(SystemExit) as e:
            main([str(a) for a in args])
        return e.value.code, capsys.readouterr().err

    path = _office_db(tmp_path)
    code, err = wrong("show", "--db", path, "--unit", "18073")
    assert code == 2 and "usage: parapp show" in err and "the following arguments are required: --period" in err
    assert "Lệnh không đúng" in err
    code, err = wrong("show", "--db", path, "--unit", "18073", "--period", "2025Q1", "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err and "shares" in err  # the whole tree's usage
    code, err = wrong("shw", "--db", path)
    assert code == 2 and "invalid choice: 'shw'" in err and "'import-returns'" in err
    code, err = wrong("--lang", "en", "init", "--db", tmp_path / "x.db", "--province", "42", "--tiers", "4")
    assert code == 2 and "Wrong command: argument --tiers: invalid choice: 4" in err
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(SystemExit) as e:
        main(["show", "--help"])
    assert e.value.code == 0 and "--period PERIOD" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["show", "--db", "x.db", "--unit", "18073", "--period", "2025Q1", "--json"],
    ["--lang", "en", "units", "--all"],
    ["--db=x.db", "--portable", "enter", "--unit", "18073", "--period", "2025", "received_new=1", "--clear", "b"],
    ["init", "--province", "42", "--tiers", "2"],
    ["dhis2", "export", "--unit", "42", "--period", "2025Q1", "--out", "o.csv", "--format", "csv", "--db", "y.db"],
    ["dhis2", "push", "--waiting", "--yes"],
    ["import-returns", "a.xlsx", "folder", "--yes", "--accept-unsigned", "điền tay"],
    ["consolidate", "--unit", "42", "--period", "2025", "--period", "2024", "--out", "a.xlsx"],
    ["audit", "verify", "--quick"], ["restore", "f.db"], ["demo", "--kind", "three-tier"], ["gui"],
])
def test_a_command_s_own_parser_reads_the_line_as_the_whole_tree_does(argv):
    from parapp import cli

    command = cli._command_of(argv)
    assert command == next(a for a in argv if a in cli.COMMANDS)
    assert vars(cli._parser(command).parse_args(argv)) == vars(cli._parser().parse_args(argv))


def test_version_is_printed(cli, capsys):
    code, out, _err = cli("--version")
    assert code == 0 and out == f"ParApp {__version__}\n"
    with pytest.raises(SystemExit) as e:  # with other options first, argparse prints it as before
        cli("--lang", "en", "--version")
    assert e.value.code == 0 and capsys.readouterr().out == f"ParApp {__version__}\n"


# ------------------------------------------------------------------------------------------ what opening reads


def test_a_province_s_name_is_the_official_list_s():
    for tiers in (2, 3):
        for unit in unitlists.official_units(tiers):
            if unit.level == "province":
                assert office_mod._official_name(tiers, unit.code) == unit.name
    assert office_mod._official_name(3, "42") == "Tỉnh Hà Tĩnh" and office_mod._official_name(2, "99") is None
    assert office_mod._official_name(3, "436") == unitlists.find_official(3, "436").name  # not a province


def test_the_office_s_own_target_set_is_the_one_the_full_list_gives(tmp_path):
    path = _office_db(tmp_path)
    with Office.open(path) as office:
        every = office.target_sets()
        for set_id in every:
            office.choose_target_set(set_id)
            office._target_set = None
            assert office.target_set == every[set_id]
        own = every["ha_tinh_2022_2025"]
        text = "# the province's copy, imported\n" + own.source_text
        imported = tmp_path / "ha_tinh.toml"
        imported.write_text(text, encoding="utf-8")
        office.import_target_set(imported)
        office.choose_target_set("ha_tinh_2022_2025")
        office._target_set = None
        assert office.target_set == office.target_sets()["ha_tinh_2022_2025"]
        assert office.target_set.source_text == nfc(text) and office.target_set != own


def test_the_parsed_catalogue_comes_from_its_cache(monkeypatch):
    first = cat_mod.load_catalogue()
    monkeypatch.setitem(sys.modules, "tomllib", None)  # no TOML parser at all: only the cache can answer
    again = cat_mod.load_catalogue()
    assert again.version == first.version and list(again.elements) == list(first.elements)
    assert again.indicators == first.indicators and again.rules == first.rules
