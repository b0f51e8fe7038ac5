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


def test_work_whose_window_closed_reports_and_ends_without_harm(qtbot):
    """The dialog the work was started from is closed (and deleted, its progress box and the task with it) while
    the work still reports progress: the reports and the end reach nobody, and nothing breaks."""
    from parapp.gui.qt import alive

    host = QDialog()
    go = __import__("threading").Event()

    def work(progress):
        go.wait(5)
        for i in range(50):
            progress(i, 49)
        return "done"

    got: list = []
    task = workers.Task(host, "Working…", work)
    task.finished.connect(got.append)
    task.start()
    box = task._dialog
    host.deleteLater()  # the dialog goes, and the progress box it owned with it
    qtbot.waitUntil(lambda: not alive(box), timeout=5000)
    go.set()
    assert workers.wait_all(10000)
    qtbot.wait(300)  # the queued reports and the end are delivered (to nobody)
    assert got == []
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_the_end_of_work_met_while_its_box_updates_waits_for_the_update(qtbot):
    """The box is up (the work took a while) and the work ends amid a burst of progress: the end is taken after
    the box's own update, so a dialog opened at the end (the import's preview) does not run inside it and the
    box is not deleted under it."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()

    def work(progress):
        time.sleep(workers.SHOW_AFTER_MS / 1000 + 0.3)  # long enough for the box to show
        for i in range(400):
            progress(i, 399)
        return "read"

    seen: dict = {}
    task = workers.Task(window, "Reading the returns…", work)

    def followed(result) -> None:
        seen["inside_update"] = task._updating
        dlg = QDialog(window)
        QTimer.singleShot(100, dlg.reject)
        seen["exec"] = dlg.exec()
        seen["result"] = result

    task.finished.connect(followed)
    task.start()
    qtbot.waitUntil(lambda: "result" in seen, timeout=15000)
    qtbot.wait(200)  # the deferred deletion of the box happens here, with nothing of it left on the stack
    assert seen == {"inside_update": False, "exec": QDialog.DialogCode.Rejected, "result": "read"}
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
