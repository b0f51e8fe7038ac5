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
