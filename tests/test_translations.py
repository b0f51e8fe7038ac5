"""The Vietnamese translation of the window: complete, compiled, and what the officer sees with it."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.first_run import FirstRunDialog  # noqa: E402
from parapp.gui.mainwindow import MainWindow  # noqa: E402
from parapp.gui.qt import QApplication, QDialogButtonBox, QEvent, QLocale  # noqa: E402
from parapp.i18n import language, set_language  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OK, CANCEL = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel

VI_MENUS = ["&Tệp", "&Sửa", "&Excel", "&DHIS2", "&Báo cáo", "&Quy trình", "&Ngôn ngữ", "Trợ &giúp"]
EN_MENUS = ["&File", "&Edit", "E&xcel", "&DHIS2", "&Reports", "&Workflow", "&Language", "&Help"]
VI_TABS = ["Nhập liệu", "Tổng hợp", "Danh mục và chỉ tiêu", "Nhật ký"]
EN_TABS = ["Data entry", "Overview", "Catalogue and targets", "History"]


def _tool_script():
    """packaging/translations.py (loaded by path: `packaging` is also the name of a PyPI package)."""
    spec = importlib.util.spec_from_file_location("parapp_packaging_translations",
                                                  ROOT / "packaging" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the files -------------------------------------------------------------------------------------


def test_every_text_has_a_translation():
    assert _tool_script().untranslated() == []


def test_the_committed_qm_is_compiled_from_the_ts(tmp_path):
    tool = _tool_script()
    exe = shutil.which("pyside6-lrelease") or Path(sys.executable).parent / "pyside6-lrelease"
    if not Path(exe).exists():
        pytest.skip("pyside6-lrelease is not installed")
    fresh = tmp_path / "fresh.qm"
    tool.compile_qm(fresh)
    assert fresh.read_bytes() == tool.QM.read_bytes(), "run python packaging/translations.py"


def test_translations_keep_placeholders_markup_and_accelerators():
    def marks(text: str) -> tuple:
        return (sorted(re.findall(r"\{\w*\}|%\d|%n", text)), sorted(re.findall(r"<[^>]+>", text)),
                text.count("\n"), text.replace("&&", "").count("&") > 0)

    root = ET.parse(_tool_script().TS).getroot()
    wrong = []
    for ctx in root.iter("context"):
        if not ctx.findtext("name"):  # texts lupdate could not place in a context carry no placeholders
            continue
        for msg in ctx.iter("message"):
            source, translation = msg.findtext("source"), msg.findtext("translation") or ""
            if marks(source) != marks(translation):
                wrong.append((ctx.findtext("name"), source, translation))
    assert wrong == []


# -- the window in Vietnamese, then in English -----------------------------------------------------


def _delete_closed_widgets() -> None:
    """Widgets that earlier tests closed are only scheduled for deletion (deleteLater); a language change
    would reach them too, with their databases already closed. Delete them now."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def controller(qapp, tmp_path, monkeypatch):
    """ParApp's Application on a fresh PARAPP_HOME: no language chosen yet, so Vietnamese is installed."""
    from parapp.gui.app import Application

    monkeypatch.setenv("PARAPP_HOME", str(tmp_path))
    saved_language, saved_locale = language(), QLocale()
    _delete_closed_widgets()
    app = Application(qapp)
    yield app
    for translator in app._translators:  # leave Qt untranslated for the other tests
        qapp.removeTranslator(translator)
    app._translators = []
    set_language(saved_language)
    QLocale.setDefault(saved_locale)
    if app.window is not None:
        app.window.close()
        app.window.deleteLater()
    if app.office is not None:
        app.office.close()
    if app._lock is not None:
        app._lock.unlock()
    _delete_closed_widgets()


def _buttons(qtbot) -> tuple[str, str]:
    box = QDialogButtonBox(OK | CANCEL)
    qtbot.addWidget(box)
    return box.button(OK).text(), box.button(CANCEL).text()


def _menus(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def _tabs(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_the_window_speaks_vietnamese_and_switches_to_english(qtbot, controller, tmp_path):
    assert len(controller._translators) == 1  # parapp_vi.qm was found and loaded
    assert _buttons(qtbot) == ("Đồng ý", "Hủy")

    dialog = FirstRunDialog()  # the Designer form's texts are translated too
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Thiết lập ParApp"
    assert dialog.ok_button.text() == "Đồng ý"

    db = tmp_path / "district.db"
    Office.create(db, "42", office="436", officer="Võ Thị Mai").close()
    assert controller.open_database(db, None, Period.parse("2025Q1"))
    window = controller.window  # closed by the fixture, with the office and its lock
    assert _menus(window) == VI_MENUS
    assert _tabs(window) == VI_TABS
    assert window.submit_action.text() == "&Gửi" and window.approve_action.text() == "&Duyệt"
    assert window.undo_action.text() == "&Hoàn tác"
    assert window.windowTitle() == "ParApp — Thành phố Hà Tĩnh — Quý I/2025"

    controller.switch_language("en")
    assert controller._translators == []
    english = controller.window
    assert english is not window  # a new window, built in English, on the same unit and period
    assert _menus(english) == EN_MENUS
    assert _tabs(english) == EN_TABS
    assert english.unit == "436" and english.period == Period.parse("2025Q1")
    assert _buttons(qtbot) == ("OK", "Cancel")
    assert controller.prefs.value("language") == "en"


def test_the_command_line_speaks_the_language_chosen_in_the_window(tmp_path, cli):
    import os
    from pathlib import Path

    home = Path(os.environ["PARAPP_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "x.db"
    assert cli("init", "--db", db, "--province", "42")[0] == 0
    (home / "parapp.ini").write_text("[General]\nlanguage=en\n", encoding="utf-8")
    code, out, _err = cli("show", "--db", db, "--unit", "42", "--period", "2025Q1")
    assert code == 0 and "Q1 2025 · Not started" in out and "Figures from 15/12/2024" in out
    code, _out, err = cli("show", "--db", tmp_path / "none.db", "--unit", "42", "--period", "2025Q1")
    assert code == 1 and "There is no database" in err
    code, _out, err = cli("show", "--db", tmp_path / "none.db", "--unit", "42", "--period", "2025Q1", "--lang", "vi")
    assert code == 1 and "Không có cơ sở dữ liệu" in err  # --lang still wins


def test_qts_own_file_dialog_speaks_vietnamese(qtbot, controller, tmp_path):
    from parapp.gui.qt import QComboBox, QFileDialog, QLabel

    dialog = QFileDialog(None, "Mở", str(tmp_path), "Excel (*.xlsx)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel)}
    assert {"&Tìm trong:", "&Loại tệp:", "&Tên tệp:"} <= labels, labels
    assert not labels & {"&Look in:", "Files of &type:", "File &name:"}
    assert dialog.findChildren(QComboBox)
