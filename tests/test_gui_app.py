"""Starting the window: last unit and period, databases that cannot be used, a second window, a crash."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui import app as gui_app  # noqa: E402
from parapp.gui.qt import QApplication, QMessageBox  # noqa: E402


@pytest.fixture
def warnings(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: said.append(a[2]))
    return said


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "office.db"
    Office.create(path, "42", office="436", officer="Đặng Văn Hùng").close()
    return path


def close(controller):
    controller.close()


def test_later_starts_open_the_last_unit_on_the_reporting_period(qtbot, db):
    from parapp.domain.periods import reporting_period

    first = gui_app.Application(QApplication.instance())
    assert first.start(db)
    assert first.window.period == reporting_period()
    first.window.set_unit("18073")
    first.window.set_period(Period.parse("2024Q2"))
    close(first)
    again = gui_app.Application(QApplication.instance())
    assert again.start(None)
    # the unit last worked on, but the office's current reporting period, not the one last looked at
    assert again.window.unit == "18073" and again.window.period == reporting_period()
    close(again)


def test_a_second_parapp_cannot_open_the_same_database(qtbot, db, warnings):
    first = gui_app.Application(QApplication.instance())
    assert first.open_database(db)
    second = gui_app.Application(QApplication.instance())
    assert not second.open_database(db)
    assert "another ParApp window" in warnings[-1] or "cửa sổ ParApp khác" in warnings[-1]
    close(first)
    assert second.open_database(db)  # free again once the first is closed
    close(second)


def test_unusable_databases_are_explained_and_left_alone(qtbot, tmp_path, warnings):
    foreign = tmp_path / "sổ tay.db"
    foreign.write_bytes(b"SQLite format 3\x00" + bytes(200))
    before = foreign.read_bytes()
    controller = gui_app.Application(QApplication.instance())
    assert not controller.open_database(foreign)
    assert warnings and str(foreign) in warnings[-1]
    assert foreign.read_bytes() == before
    assert controller.window is None
    controller.close()


def test_a_bug_reaches_the_crash_dialog_with_a_saved_report(qtbot, tmp_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    old = sys.excepthook
    try:
        gui_app.install_crash_dialog(QApplication.instance())
        try:
            raise ZeroDivisionError("a bug")
        except ZeroDivisionError as e:
            sys.excepthook(type(e), e, e.__traceback__)
    finally:
        sys.excepthook = old
    reports = list((tmp_path / "home" / "crash-reports").glob("crash-*.txt"))
    assert len(reports) == 1 and "ZeroDivisionError: a bug" in reports[0].read_text(encoding="utf-8")
    assert shown and str(reports[0]) in shown[0]


def test_a_database_that_does_not_exist_yet_opens_the_set_up_for_it(qtbot, tmp_path, monkeypatch, warnings):
    from parapp.gui.first_run import FirstRunDialog

    offered = []

    def exec_(dlg):
        offered.append(dlg.db_path_edit.text())
        return 0  # the officer cancels

    monkeypatch.setattr(FirstRunDialog, "exec", exec_)
    controller = gui_app.Application(QApplication.instance())
    new = tmp_path / "xa-moi.db"
    assert controller.start(new) is False  # parapp gui --db NEW.db
    assert offered == [str(new)] and not warnings and not new.exists()
    close(controller)


def test_a_damaged_database_found_after_the_window_opened_offers_its_backup(qtbot, db, monkeypatch):
    """The quick check runs beside the opening window: when it finds damage, the window goes, nothing more is
    written, and the newest sound backup is offered as an opening would offer it."""
    from parapp.store import backup as bk

    with Office.open(db) as office:
        made = bk.make_backup(office.store)
        office.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root, page = office.store.conn.execute(
            "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = 'audit_rows'"
        ).fetchone()
    with open(db, "r+b") as f:  # the history's first page: the window does not read it to open
        f.seek((root - 1) * page)
        f.write(b"\xa5" * page)
    damaged = db.read_bytes()
    offered: list[str] = []

    def exec_(box):
        offered.append(box.text())
        return 0  # the officer closes the box without restoring

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    quit_called = []
    monkeypatch.setattr(gui_app.Application, "_quit", lambda self: quit_called.append(True))
    controller = gui_app.Application(QApplication.instance())
    assert controller.start(db)  # the window opens at once
    qtbot.waitUntil(lambda: bool(offered), timeout=10000)  # and the check beside it finds the damage
    assert str(made) in offered[-1] and ("bị hỏng" in offered[-1] or "damaged" in offered[-1])
    assert controller.window is None and controller.office is None and quit_called
    controller.close()
    assert db.read_bytes() == damaged


def test_a_database_of_an_older_parapp_is_upgraded_off_the_window_s_thread(qtbot, tmp_path, monkeypatch, warnings):
    """Opening a database written by an older ParApp upgrades it (a backup first) on a worker thread behind a
    progress box without a Cancel button; the window then opens on its figures, unchanged."""
    import shutil
    import threading
    from pathlib import Path

    from parapp.gui import workers
    from parapp.store.db import SCHEMA_VERSION, schema_version_of

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "schema3.db", path)
    assert schema_version_of(path) == 3
    seen: dict = {}
    real_open = Office.open

    def watched_open(p, *a, **k):
        seen.setdefault("threads", []).append(threading.current_thread() is threading.main_thread())
        return real_open(p, *a, **k)

    monkeypatch.setattr(gui_app.Office, "open", watched_open)
    real_task = workers.Task.__init__

    def watched_task(self, parent, label, fn, cancellable=True):
        seen.setdefault("tasks", []).append((label, cancellable))
        real_task(self, parent, label, fn, cancellable)

    monkeypatch.setattr(workers.Task, "__init__", watched_task)
    controller = gui_app.Application(QApplication.instance())
    assert controller.open_database(path)
    assert warnings == []
    assert seen["threads"] and not any(seen["threads"])  # opened (and upgraded) on a worker thread only
    [upgrade] = [t for t in seen["tasks"] if "old.db" in t[0]]
    assert upgrade[1] is False
    assert schema_version_of(path) == SCHEMA_VERSION
    assert controller.office.report("18073", "2025Q1").stored["received_new"].value > 0
    close(controller)
