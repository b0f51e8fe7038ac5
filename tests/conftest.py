"""Shared fixtures: a fresh office database per test, and the command line run in-process."""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Keep every test's default database and crash reports in its own folder."""
    monkeypatch.setenv("PARAPP_HOME", str(tmp_path / "home"))


@pytest.fixture
def cli(capsys):
    """Run `parapp ARGS...` in-process: returns (exit code, stdout, stderr)."""
    from parapp.cli import main

    def run(*args: str):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    run.json = lambda *args: json.loads(run(*args, "--json")[1])
    return run


@pytest.fixture
def nghe_an(tmp_path):
    """A province office database for Nghệ An (40) under Nghệ An's 2021 plan."""
    from parapp.engine.office import Office

    path = tmp_path / "nghe-an.db"
    office = Office.create(path, "40", officer="Cán bộ thử nghiệm")
    yield office
    office.close()
