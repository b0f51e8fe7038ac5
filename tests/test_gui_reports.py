"""PDF reports from the window: made off the GUI thread, previewed, printed and saved."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from pypdf import PdfReader  # noqa: E402

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.mainwindow import MainWindow  # noqa: E402
from parapp.gui.qt import QPrinter  # noqa: E402
from parapp.i18n import set_language  # noqa: E402

HA_GIANG = {"received_new": 37657, "resolved_on_time": 33270, "received_online": 294, "pending_in_time": 4387}


@pytest.fixture
def window(qtbot, tmp_path):
    set_language("vi")
    path = tmp_path / "nghe-an.db"
    with Office.create(path, "40", officer="Hồ Thị Thu") as office:
        office.enter("40", "2021", HA_GIANG)
    office = Office.open(path)
    w = MainWindow(office, "40", Period.parse("2021"))
    qtbot.addWidget(w)
    yield w
    w.close()
    office.close()


def test_compliance_sheet_previewed_saved_and_printed(qtbot, window, tmp_path):
    window.reports.open("sheet", show=False)
    qtbot.waitUntil(lambda: window.reports.preview is not None, timeout=20000)
    preview = window.reports.preview
    assert preview.document.pageCount() >= 1
    saved = preview.save_to(tmp_path / "phieu.pdf")
    text = PdfReader(saved).pages[0].extract_text()
    assert "0,78%" in text and "Không đạt" in text and "88,35%" in text
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "in.pdf"))
    assert preview.print_to(printer) == preview.document.pageCount()
    assert len(PdfReader(tmp_path / "in.pdf").pages) == preview.document.pageCount()


def test_summary_of_a_commune_is_refused_with_a_sentence(qtbot, window, monkeypatch):
    from parapp.gui.qt import QMessageBox

    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: said.append(a[2]))
    window.set_unit("17014")
    window.reports.open("summary", show=False)
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    assert window.reports.preview is None and said[0]


def _preview(qtbot, window, kind="sheet"):
    before = window.reports.preview.pdf if window.reports.preview is not None else None
    window.reports.open(kind)
    qtbot.waitUntil(lambda: window.reports.preview is not None and window.reports.preview.pdf != before,
                    timeout=20000)
    return window.reports.preview


def test_the_preview_fits_a_small_screen_and_opens_maximised(qtbot, window, monkeypatch):
    from parapp.gui.qt import QtCore, QtGui

    laptop = QtCore.QRect(0, 0, 1366, 728)  # 1366×768 less the task bar
    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda self: laptop)
    preview = _preview(qtbot, window)
    qtbot.waitExposed(preview)
    assert preview.small_screen and preview.isMaximized()
    # not maximised, it still fits the free area: its buttons are on the screen
    normal = preview.normalGeometry()
    assert normal.height() <= laptop.height() - 40 and normal.width() <= laptop.width()


def test_the_preview_remembers_its_size_closes_with_esc_and_is_reused(qtbot, window, monkeypatch):
    from parapp.gui.qt import QtCore, QtGui
    from parapp.gui.report_preview import ReportPreview

    large = QtCore.QRect(0, 0, 1920, 1040)
    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda self: large)
    first = _preview(qtbot, window)
    qtbot.waitExposed(first)
    assert not first.isMaximized() and (first.width(), first.height()) == (900, 1000)
    first.resize(700, 640)
    qtbot.keyClick(first.view, QtCore.Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not first.isVisible())
    # a second report: the same window, the new report in it, at the size the officer left it
    second = _preview(qtbot, window, "sheet")
    qtbot.waitExposed(second)
    assert second is first and len(window.findChildren(ReportPreview)) == 1
    assert (second.width(), second.height()) == (700, 640)
    # while it is open another report replaces its content rather than opening a second window
    shown = second.pdf
    third = _preview(qtbot, window, "sheet")
    assert third is first and third.pdf != shown and third.isVisible()
    assert len([p for p in window.findChildren(ReportPreview) if p.isVisible()]) == 1
    third.reject()
    # a new preview (another session of the window) opens at the remembered size too
    fresh = ReportPreview(third.pdf, "x", "x.pdf", window)
    assert (fresh.width(), fresh.height()) == (700, 640) and not fresh.small_screen
