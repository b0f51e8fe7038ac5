"""Long work off the GUI thread, with a progress bar and a cancel button that appear after ~0.5 s.

A task is a plain function of the core, called as fn(progress) on a pool thread; progress(done, total)
reports and returns False once the officer pressed Cancel (the core then stops and undoes its work).
Results come back to the GUI thread by signal; workers never touch a widget.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from parapp.gui.qt import QObject, QProgressDialog, QRunnable, Qt, QThreadPool, QTimer, QWidget, Signal, alive

SHOW_AFTER_MS = 500


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object, str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Callable[[int, int], bool]], Any], cancel: threading.Event):
        super().__init__()
        self.fn = fn
        self.cancel = cancel
        self.signals = _Signals()
        self.setAutoDelete(False)

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progress.emit(int(done), int(total))
        return not self.cancel.is_set()

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except BaseException as e:  # reported to the GUI thread, which decides what the officer reads
            self._emit(self.signals.failed, e, "".join(traceback.format_exception(e)))
        else:
            self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # ParApp is ending and its objects are gone: nobody is left to tell
            pass


class Task(QObject):
    """One piece of long work; connect finished/failed, then start()."""

    finished = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()

    _running: set[Task] = set()

    def __init__(self, parent: QWidget | None, label: str, fn: Callable[[Callable[[int, int], bool]], Any],
                 cancellable: bool = True):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._runnable = _Runnable(fn, self._cancel)
        self._dialog = QProgressDialog(label, self.tr("Cancel"), 0, 0, parent)
        if not cancellable:  # work that cannot stop halfway (an upgrade): no button that would not work
            self._dialog.setCancelButton(None)
        self._dialog.setWindowTitle("ParApp")
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(SHOW_AFTER_MS)
        self._dialog.setAutoClose(False)
        self._dialog.setAutoReset(False)
        self._dialog.canceled.connect(self._cancel.set)
        self._dialog.reset()  # hidden until SHOW_AFTER_MS has passed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show)
        # A modal progress box's setValue() handles pending events itself: the end of the work may arrive inside
        # it. What follows the end (closing the box, a preview dialog of its own) then waits until setValue()
        # has returned, so that the box is never deleted under its own feet.
        self._updating = False
        self._after_update: Callable[[], None] | None = None
        s = self._runnable.signals
        s.progress.connect(self._on_progress)
        s.done.connect(self._on_done)
        s.failed.connect(self._on_failed)

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def start(self) -> Task:
        Task._running.add(self)
        self._timer.start(SHOW_AFTER_MS)
        QThreadPool.globalInstance().start(self._runnable)
        return self

    def _box(self) -> QProgressDialog | None:
        """The progress box while the work runs; None once it is closed, or gone with the window it was shown
        over (a report of progress queued before that must not reach it)."""
        if self not in Task._running or not alive(self._dialog):
            return None
        return self._dialog

    def _show(self) -> None:
        if (box := self._box()) is not None:
            box.show()

    def _on_progress(self, done: int, total: int) -> None:
        if total <= 0 or self._updating or (box := self._box()) is None:
            return
        self._updating = True
        try:
            box.setMaximum(total)
            box.setValue(min(done, total))
        finally:
            self._updating = False
        if self._after_update is not None:
            then, self._after_update = self._after_update, None
            then()

    def _close(self) -> None:
        self._timer.stop()
        if not alive(self._dialog):  # went with its window
            Task._running.discard(self)
            return
        # reset() stops the box's own timer too: started by a report of progress at its start, it would show
        # the box again later (at 100%, over whatever dialog follows the work, and modal over it).
        try:
            self._dialog.canceled.disconnect(self._cancel.set)
        except (RuntimeError, TypeError):  # closed already
            pass
        self._dialog.reset()
        self._dialog.hide()
        self._dialog.deleteLater()
        Task._running.discard(self)

    def _on_done(self, result: object) -> None:
        if self._updating:
            self._after_update = lambda: self._on_done(result)
            return
        self._close()
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit(result)

    def _on_failed(self, exc: object, text: str) -> None:
        if self._updating:
            self._after_update = lambda: self._on_failed(exc, text)
            return
        self._close()
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.failed.emit(exc, text)


def wait_all(timeout_ms: int = 30000) -> bool:
    """Wait for every running task (used on quit and in tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


_quiet: set[_Runnable] = set()


def in_background(fn: Callable[[], Any], done: Callable[[object], None]) -> None:
    """Work the officer did not ask for (a check at start): no dialog, no progress; done(result) on the GUI
    thread if it succeeds (connect a method of a QObject: it is dropped if that object is gone by then).
    A failure says nothing: such work must never stand in the officer's way."""
    runnable = _Runnable(lambda _progress: fn(), threading.Event())
    _quiet.add(runnable)
    runnable.signals.done.connect(done)
    runnable.signals.done.connect(lambda _r: _quiet.discard(runnable))
    runnable.signals.failed.connect(lambda _e, _t: _quiet.discard(runnable))
    QThreadPool.globalInstance().start(runnable)


def in_office(parent: QWidget, label: str, path, fn: Callable, done: Callable, failed: Callable) -> Task:
    """fn(office, progress) on a worker thread, with a connection of its own to the database at path (the
    window's, already checked at its opening); done(result) or failed(exc, text) back on the GUI thread."""

    def work(progress):
        from parapp.engine.office import Office

        with Office.open(path) as office:
            return fn(office, progress)

    task = Task(parent, label, work)
    task.finished.connect(done)
    task.failed.connect(failed)
    return task.start()


def add_actions(menu, window, items: list[tuple[str, str, Callable]], separate_after: tuple[str, ...] = ()) -> dict:
    """The menu's items (key, text, slot), each an action of the window; returns them by key."""
    from parapp.gui.qt import QAction

    actions = {}
    for key, text, slot in items:
        a = QAction(text, window)
        a.triggered.connect(lambda _c=False, slot=slot: slot())
        menu.addAction(a)
        actions[key] = a
        if key in separate_after:
            menu.addSeparator()
    return actions
