"""Long work off the GUI thread: the progress box goes for good when the work ends, even when what follows
opens a dialog of its own (the import's preview)."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("PySide6")

from parapp.gui import workers  # noqa: E402
from parapp.gui.qt import QApplication, QDialog, QMainWindow, QProgressDialog, QPushButton, QTimer  # noqa: E402


def test_the_progress_box_does_not_come_back_over_the_dialog_that_follows(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()

    def work(progress):
        for i in range(5):  # quick steps from 0 to the end, as the reading of a few returns reports them
            progress(i, 4)
            time.sleep(0.02)
        return "read"

    seen: dict = {}

    def followed(result) -> None:  # the preview: a modal dialog of its own, open for longer than SHOW_AFTER_MS
        dlg = QDialog(window)
        cancel = QPushButton("Cancel", dlg)
        cancel.clicked.connect(dlg.reject)

        def look() -> None:
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
            seen["boxes"] = len(boxes)
            seen["modal"] = QApplication.activeModalWidget() is dlg
            cancel.click()  # the preview's own Cancel works at once

        QTimer.singleShot(workers.SHOW_AFTER_MS * 3, look)
        seen["result"] = result
        seen["exec"] = dlg.exec()

    task = workers.Task(window, "Reading the returns…", work)
    task.finished.connect(followed)
    task.start()
    qtbot.waitUntil(lambda: "exec" in seen, timeout=10000)
    assert seen["result"] == "read"
    assert seen["boxes"] == 0, "the progress box came back over the dialog"
    assert seen["modal"] and seen["exec"] == QDialog.DialogCode.Rejected
