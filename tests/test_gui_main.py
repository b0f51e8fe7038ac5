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
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    window.submit_action.trigger()
    assert warnings and "Chưa gửi được" in warnings[-1]
    m.setData(m.index(m.row_of("resolved_on_time"), VALUE), "12")
    assert tree_status(window, commune) == "✎ Đang nhập"
    assert window.submit_action.isEnabled()
    window.submit_action.trigger()
    assert tree_status(window, commune) == "➜ Đã gửi"
    assert window.approve_action.isEnabled()
    window.approve_action.trigger()
    assert tree_status(window, commune) == "✔ Đã duyệt"
    assert "🔒" in window.entry.banner.text()
    assert not m.setData(m.index(m.row_of("received_new"), VALUE), "13")
    window.return_figures("Thiếu số liệu hồ sơ trực tuyến")
    assert tree_status(window, commune) == "↩ Bị trả lại"
    assert "Thiếu số liệu hồ sơ trực tuyến" in window.entry.banner.text()


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
