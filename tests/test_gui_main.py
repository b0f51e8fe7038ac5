"""The main window as an officer uses it: choose a unit and a period, enter, submit, approve, see the lock."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.entry import STATUS, VALUE  # noqa: E402
from parapp.gui.mainwindow import MainWindow  # noqa: E402
from parapp.gui.qt import QMessageBox  # noqa: E402
from parapp.i18n import set_language  # noqa: E402


@pytest.fixture
def window(qtbot, tmp_path):
    set_language("vi")
    path = tmp_path / "district.db"
    Office.create(path, "42", office="436", officer="Võ Thị Mai").close()
    office = Office.open(path)
    w = MainWindow(office, None, Period.parse("2025Q1"))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    office.close()


def tree_status(w, code):
    m = w.tree_model
    return m.data(m.index_for(code, 1))


def test_window_opens_on_the_office_unit_with_title(window):
    assert window.unit == "436"
    assert window.tabs.currentWidget() is window.overview  # a district's first look: the communes below
    assert window.windowTitle() == "ParApp — Thành phố Hà Tĩnh — Quý I/2025"
    assert window.tree_proxy.rowCount() == 1  # the office's own unit on top, its communes below
    assert window.tree_model.rowCount(window.tree_model.index_for("436")) > 5


def test_choose_unit_in_tree_and_period_in_picker(qtbot, window):
    commune = "18073"
    window.tree.setCurrentIndex(window.tree_proxy.mapFromSource(window.tree_model.index_for(commune)))
    assert window.unit == commune and "Phường Nam Hà" in window.windowTitle()
    window.picker.part.setCurrentIndex(window.picker.part.findData("S1"))
    assert window.period == Period.parse("2025S1")
    assert "6 tháng đầu năm 2025" in window.windowTitle()
    # the search box narrows the tree
    qtbot.keyClicks(window.search, "Nam")
    assert window.tree_proxy.rowCount(window.tree_proxy.index(0, 0)) >= 1


def test_submit_approve_return_through_the_window(qtbot, window, monkeypatch):
    commune = "18073"
    window.set_unit(commune)
    m = window.entry.model
    assert tree_status(window, commune) == "○ Chưa nhập"
    m.setData(m.index(m.row_of("received_new"), VALUE), "12")
    assert tree_status(window, commune) == "⚠ Có lỗi"  # 12 received, nothing resolved: the balance fails
    warnings, asked = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    monkeypatch.setattr(window, "ask", lambda title, text: asked.append(text) or True)
    window.submit_action.trigger()
    assert warnings and "Chưa gửi được" in warnings[-1]
    assert not asked  # errors: the core refuses, nothing to ask
    m.setData(m.index(m.row_of("resolved_on_time"), VALUE), "12")
    assert tree_status(window, commune) == "✎ Đang nhập"
    assert window.submit_action.isEnabled()
    window.submit_action.trigger()
    assert tree_status(window, commune) == "➜ Đã gửi"
    assert window.approve_action.isEnabled()
    window.approve_action.trigger()
    assert len(asked) == 1 and "You (Võ Thị Mai) entered these figures last" in asked[0]
    assert tree_status(window, commune) == "✔ Đã duyệt"
    assert "✔ Approved by" in window.entry.banner.text()
    assert not m.setData(m.index(m.row_of("received_new"), VALUE), "13")
    window.return_figures("Thiếu số liệu hồ sơ trực tuyến")
    assert tree_status(window, commune) == "↩ Bị trả lại"
    assert "Thiếu số liệu hồ sơ trực tuyến" in window.entry.banner.text()


def test_submit_asks_about_warnings_and_approve_asks_first(qtbot, window, monkeypatch):
    from parapp.store import values as value_store

    commune = "18073"
    window.set_unit(commune)
    window.tabs.setCurrentWidget(window.entry)
    office = window.office
    # Q1 left 4 pending, Q2 says 9 carried over: a warning, not an error
    office.enter(commune, "2025Q1", {"received_new": 10, "resolved_on_time": 6, "pending_in_time": 4})
    window.set_period(Period.parse("2025Q2"))
    m = window.entry.model
    for code, v in (("carried_over", "9"), ("received_new", "1"), ("resolved_on_time", "10")):
        m.setData(m.index(m.row_of(code), VALUE), v)
    assert [x.severity for x in office.validate(commune, "2025Q2")] == ["warning"]
    answers, asked = [False], []
    monkeypatch.setattr(window, "ask", lambda title, text: asked.append((title, text)) or answers[-1])
    window.submit_action.trigger()
    assert len(asked) == 1 and asked[0][0] == "Submit with warnings?"
    assert "△ Số hồ sơ kỳ trước chuyển sang nên bằng" in asked[0][1] and "carry_over" not in asked[0][1]
    assert tree_status(window, commune) == "✎ Đang nhập"  # No: nothing submitted
    answers.append(True)
    window.submit_action.trigger()
    assert len(asked) == 2 and tree_status(window, commune) == "➜ Đã gửi"
    # approving: asked once; No leaves it submitted
    answers.append(False)
    window.approve_action.trigger()
    assert len(asked) == 3 and asked[2][0] == "Approve the figures?"
    assert "entered these figures last" in asked[2][1]  # the same officer typed them
    assert tree_status(window, commune) == "➜ Đã gửi"
    # someone else entered them: no such note
    stored = value_store.stored_values(office.store, commune, "2025Q2")
    value_store.put_values(office.store.conn, [  # as a return typed by another officer brings them
        (commune, "2025Q2", element, v.value, v.comment, "Nguyễn Văn An", v.updated_at, v.source)
        for element, v in stored.items()])
    assert {v.updated_by for v in value_store.stored_values(office.store, commune, "2025Q2").values()} == \
        {"Nguyễn Văn An"}
    answers.append(True)
    window.approve_action.trigger()
    assert len(asked) == 4 and "entered these figures last" not in asked[3][1]
    assert tree_status(window, commune) == "✔ Đã duyệt"


def test_undo_and_redo_keep_short_texts_with_the_detail_in_the_tooltip(window):
    window.tabs.setCurrentWidget(window.entry)
    m = window.entry.model
    texts = (window.undo_action.text(), window.redo_action.text())
    assert texts == ("&Undo", "&Redo") and not window.undo_action.isEnabled()
    m.setData(m.index(m.row_of("received_new"), VALUE), "40")
    assert (window.undo_action.text(), window.redo_action.text()) == texts
    assert window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert window.undo_action.toolTip().startswith("Undo: Enter ") and "Số hồ sơ" in window.undo_action.toolTip()
    assert window.undo_action.statusTip() == window.undo_action.toolTip()
    window.undo_action.trigger()
    assert (window.undo_action.text(), window.redo_action.text()) == texts
    assert window.redo_action.isEnabled() and window.redo_action.toolTip().startswith("Redo: Enter ")
    assert window.undo_action.toolTip() == "Undo"
    window.redo_action.trigger()
    assert window.office.report("436", "2025Q1").own.values == {"received_new": 40}


def test_the_office_cannot_approve_itself(window):
    window.tabs.setCurrentWidget(window.entry)
    m = window.entry.model
    m.setData(m.index(m.row_of("received_new"), VALUE), "5")
    m.setData(m.index(m.row_of("resolved_on_time"), VALUE), "5")
    window.submit_action.trigger()
    assert not window.approve_action.isEnabled()


def test_undo_from_the_edit_menu(window):
    window.tabs.setCurrentWidget(window.entry)
    m = window.entry.model
    m.setData(m.index(m.row_of("received_new"), VALUE), "40")
    m.setData(m.index(m.row_of("received_online"), VALUE), "50")
    assert m.data(m.index(m.row_of("received_online"), STATUS)).startswith("⚠")
    window.undo_action.trigger()
    assert m.data(m.index(m.row_of("received_online"), VALUE)) == ""
    assert window.office.report("436", "2025Q1").own.values == {"received_new": 40}


def test_overview_double_click_opens_the_units_form(qtbot, window):
    window.tabs.setCurrentWidget(window.overview)
    window.overview.unit_requested.emit("18077")
    assert window.tabs.currentWidget() is window.entry and window.unit == "18077"


def test_about_shows_versions_data_folder_key_and_licences(qtbot, tmp_path, monkeypatch):
    from parapp import settings
    from parapp.engine.office import Office
    from parapp.gui.about import AboutDialog
    from parapp.gui.qt import QDesktopServices, QLabel, QTabWidget, QTextBrowser
    from parapp.store import keys

    office = Office.create(tmp_path / "x.db", "42", office="436")
    dlg = AboutDialog(office)
    qtbot.addWidget(dlg)
    text = " ".join(lbl.text() for lbl in dlg.findChildren(QLabel))
    from parapp import __version__

    assert f"ParApp {__version__}" in text and office.catalogue.version in text
    assert str(settings.data_dir()) in text and keys.fingerprint(keys.office_public_key(office.store)) in text
    tabs = dlg.findChildren(QTabWidget)[0]
    assert [tabs.tabText(i) for i in range(tabs.count())][1:] == ["DejaVuSans", "LiberationSerif"]
    libraries = tabs.widget(0).toPlainText()
    assert "LGPL-3.0-only" in libraries and "openpyxl" in libraries and "SIL Open Font License" in libraries
    assert "Reserved Font Name Liberation" in tabs.widget(2).toPlainText()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert dlg.open_data_folder() and opened == [str(settings.data_dir())]
    assert isinstance(tabs.widget(1), QTextBrowser)
    office.close()


def test_portable_mode_keeps_everything_beside_the_program(tmp_path, monkeypatch):
    from parapp import settings

    monkeypatch.delenv("PARAPP_HOME", raising=False)
    monkeypatch.setenv(settings.PORTABLE_ENV, "0")  # restored (removed) after the test, as --portable sets it
    monkeypatch.setattr(settings, "program_dir", lambda: tmp_path / "stick" / "ParApp")
    assert not settings.portable() and "stick" not in str(settings.data_dir())
    (tmp_path / "stick" / "ParApp").mkdir(parents=True)
    (tmp_path / "stick" / "ParApp" / "portable").write_text("")
    assert settings.portable() and settings.data_dir() == tmp_path / "stick" / "ParApp" / "data"
    (tmp_path / "stick" / "ParApp" / "portable").unlink()
    from parapp.cli import main

    assert main(["--portable", "demo"]) == 0  # --portable, given on the command line, does the same
    assert (tmp_path / "stick" / "ParApp" / "data" / "demo-can-tho.db").is_file()
