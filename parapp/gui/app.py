"""Starting the window: language, the office database (or the first-run set-up), the crash dialog."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from parapp import settings
from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui.qt import (
    QApplication,
    QEventLoop,
    QFileDialog,
    QIcon,
    QLocale,
    QLockFile,
    QMessageBox,
    QObject,
    QSettings,
    QTimer,
    QTranslator,
)
from parapp.i18n import ParAppError, set_language
from parapp.resources import resource_path


def preferences() -> QSettings:
    """The window's own settings (language, last database, unit and period), beside the data."""
    return QSettings(str(settings.data_dir() / "parapp.ini"), QSettings.Format.IniFormat)


class Application(QObject):
    """Owns the open Office and the main window; reopens the window when the language changes."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.app = app
        self.prefs = preferences()
        self.office: Office | None = None
        self.window = None
        self._translators: list[QTranslator] = []
        self._lock: QLockFile | None = None  # the open database is ours alone while this window runs
        self.set_language(str(self.prefs.value("language", "vi")))

    def close(self) -> None:
        """Close the window and the database, free the lock, take the translators off the application."""
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
        if self.office is not None:
            self.office.close()
            self.office = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        for t in self._translators:
            self.app.removeTranslator(t)
        self._translators = []

    # -- language -------------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        lang = lang if lang in ("vi", "en") else "vi"
        for t in self._translators:
            self.app.removeTranslator(t)
        self._translators = []
        set_language(lang)
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English,
                                   QLocale.Country.Vietnam if lang == "vi" else QLocale.Country.UnitedKingdom))
        if lang == "vi":
            t = QTranslator(self.app)
            if t.load(str(resource_path("translations", "parapp_vi.qm"))):
                self.app.installTranslator(t)
                self._translators.append(t)
        self.prefs.setValue("language", lang)

    def switch_language(self, lang: str) -> None:
        unit, period = (self.window.unit, self.window.period) if self.window else (None, None)
        self.set_language(lang)
        if self.office is not None:
            self._show_window(unit, period)

    # -- databases ------------------------------------------------------------------------------

    def start(self, db: Path | None) -> bool:
        """Open the given database, else the last one, else run the first-run set-up. False: nothing open."""
        if db is not None:
            if not Path(db).exists():  # parapp gui --db NEW.db: set up a new office in that file
                return self.first_run(Path(db))
            return self.open_database(Path(db))
        last = self.prefs.value("database")
        if last and Path(str(last)).exists():
            # The last unit, but always the office's current reporting period (not the one last looked at).
            unit = self.prefs.value("unit")
            return self.open_database(Path(str(last)), unit and str(unit), None)
        return self.first_run()

    def open_database(self, path: Path, unit: str | None = None, period: Period | None = None) -> bool:
        lock = QLockFile(str(path) + ".lock")
        lock.setStaleLockTime(0)  # a lock left by a ParApp that was killed is taken over (its process is gone)
        same = self.office is not None and Path(self.office.store.path).resolve() == Path(path).resolve()
        if not same and not lock.tryLock(100):
            QMessageBox.warning(self.window, "ParApp", self.tr(
                "The database {path} is open in another ParApp window. Close that window first, then open it "
                "here.").format(path=path))
            return False
        try:
            office = self._open_office(path)
        except ParAppError as e:
            if not same:
                lock.unlock()
            from parapp.store.backup import DamagedError

            if isinstance(e, DamagedError) and e.backup is not None:
                return self._offer_restore(path, e)
            QMessageBox.warning(self.window, "ParApp", e.message())
            return False
        if self.office is not None:
            self.office.close()
        if not same:
            if self._lock is not None:
                self._lock.unlock()
            self._lock = lock
        self.office = office
        self.prefs.setValue("database", str(path))
        try:
            self._show_window(unit, period)
        except sqlite3.DatabaseError:  # a damaged page met while the window read the office: the check says
            try:
                office.store.wait_checked()
            except ParAppError as e:
                self._drop_window()
                office.close()
                self.office = None
                if self._lock is not None:
                    self._lock.unlock()
                    self._lock = None
                from parapp.store.backup import DamagedError

                if isinstance(e, DamagedError) and e.backup is not None:
                    return self._offer_restore(path, e)
                QMessageBox.warning(None, "ParApp", e.message())
                return False
            raise
        return True

    def _open_office(self, path: Path) -> Office:
        """Office.open(path); its check runs while the window is built. A database of an older ParApp is
        upgraded first (a backup, then its tables carried forward: seconds for a province's), off the window's
        thread and with a progress box, so that the window does not freeze meanwhile."""
        from parapp.store.db import SCHEMA_VERSION, schema_version_of

        version = schema_version_of(path)
        if not version or version >= SCHEMA_VERSION:  # current, new, or unreadable: Office.open says which
            return Office.open(path, check="later")
        from parapp.gui.workers import Task

        loop = QEventLoop()
        out: dict = {}
        task = Task(self.window, self.tr("Upgrading {path} for this version of ParApp (a backup is made first)…")
                    .format(path=path.name), lambda _progress: Office.open(path, check="later"), cancellable=False)
        task.finished.connect(lambda office: (out.update(office=office), loop.quit()))
        task.failed.connect(lambda exc, _text: (out.update(error=exc), loop.quit()))
        task.start()
        loop.exec()
        if "error" in out:
            raise out["error"]
        return out["office"]

    def _drop_window(self) -> None:
        if self.window is not None:
            self.window._closing_for_restore = True  # no backup of a damaged file on close
            self.window.hide()
            self.window.deleteLater()
            self.window = None

    def _show_window(self, unit: str | None, period: Period | None) -> None:
        from parapp.gui.mainwindow import MainWindow

        old = self.window
        self.window = MainWindow(self.office, unit, period)
        self.window.setWindowIcon(app_icon())
        self.window.language_requested.connect(self.switch_language)
        self.window.open_requested.connect(self.choose_database)
        self.window.new_requested.connect(lambda: self.first_run())
        self.window.demo_requested.connect(self.open_demo)
        self.window.context_changed.connect(self._remember)
        self.window.reopen_requested.connect(lambda: self._show_window(None, None))
        self.window.restore_requested.connect(self.choose_restore)
        self.window.damaged.connect(self._damaged)
        if old is not None:
            maximised = old.isMaximized()
            self.window.setGeometry(old.geometry())
            old.hide()
            old.deleteLater()
        else:
            maximised = self.window.small_screen
        if maximised:
            self.window.showMaximized()
        else:
            self.window.show()

    def _damaged(self, error) -> None:
        """The check begun at opening found the file damaged: nothing more is written to it; say so, and offer
        its newest sound backup as an opening would have."""
        from parapp.store.backup import DamagedError

        path = Path(self.office.store.path)
        self.window._closing_for_restore = True  # no backup of a damaged file on close
        self.window.hide()
        if isinstance(error, DamagedError) and error.backup is not None:
            self.office.close()  # the object stays: reopening the same path keeps this window's lock
            if self._offer_restore(path, error):
                return
        else:
            QMessageBox.warning(None, "ParApp", error.message())
        self.close()
        self._quit()

    def _quit(self) -> None:
        self.app.quit()

    def _offer_restore(self, path: Path, error) -> bool:
        """A damaged database: offer its newest sound backup, saying its date and what it lacks."""
        box = QMessageBox(QMessageBox.Icon.Warning, "ParApp", error.message(), parent=self.window)
        restore = box.addButton(self.tr("&Restore that backup"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not restore:
            return False
        return self._restore(path, error.backup.path)

    def choose_restore(self) -> None:
        """File > Restore from a backup: choose one of this database's backups (or any file)."""
        from parapp.store.backup import folder_for

        if self.office is None:
            return
        path = Path(self.office.store.path)
        chosen, _ = QFileDialog.getOpenFileName(self.window, self.tr("Restore from a backup"),
                                                str(folder_for(path)), self.tr("ParApp databases (*.db);;All files (*)"))
        if not chosen:
            return
        if QMessageBox.question(self.window, "ParApp", self.tr(
                "Put the backup {backup} in the place of {database}? The database as it is now is kept as a backup "
                "first.").format(backup=chosen, database=path)) != QMessageBox.StandardButton.Yes:
            return
        self.window._closing_for_restore = True
        self.office.close()  # the object stays: reopening the same path keeps this window's lock
        self._restore(path, Path(chosen))

    def _restore(self, path: Path, backup: Path) -> bool:
        from parapp.store.backup import restore

        try:
            kept = restore(path, backup)
        except ParAppError as e:
            QMessageBox.warning(self.window, "ParApp", e.message())
            return self.open_database(path) if self.office is not None and path.exists() else False
        QMessageBox.information(self.window, "ParApp", self.tr(
            "Restored {database} from {backup}. The database as it was is kept at {kept}.").format(
            database=path, backup=backup, kept=kept or "—"))
        return self.open_database(path)

    def _remember(self, unit: str, period: Period) -> None:
        self.prefs.setValue("unit", unit)
        self.prefs.setValue("period", str(period))

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Open an office database"),
                                              str(settings.data_dir()), self.tr("ParApp databases (*.db);;All files (*)"))
        if path:
            self.open_database(Path(path))

    def first_run(self, path: Path | None = None) -> bool:
        """The set-up of a new office (in path, if given); then open it. False: cancelled."""
        import gc

        from parapp.gui.first_run import FirstRunDialog

        gc.enable()  # the set-up (a demo database, perhaps) is long work: the collector runs again
        dlg = FirstRunDialog(self.window, path)
        if not dlg.exec():
            return False
        if getattr(dlg, "demo_requested", False):
            return self.open_demo()
        return self.open_database(Path(dlg.office_path))

    def open_demo(self) -> bool:
        from parapp.engine.demo_today import make_today_demo
        from parapp.gui.workers import Task

        path = settings.demo_db()
        if path.exists():
            return self.open_database(path)
        task = Task(self.window, self.tr("Making the demo database…"),
                    lambda progress: make_today_demo(path, progress=progress))
        result: dict = {}
        loop = QEventLoop()
        task.finished.connect(lambda _r: (result.setdefault("ok", True), loop.quit()))
        task.failed.connect(lambda e, _t: (result.setdefault("error", e), loop.quit()))
        task.cancelled.connect(lambda: (result.setdefault("cancelled", True), loop.quit()))
        task.start()
        if not result:
            loop.exec()
        if "error" in result:
            err = result["error"]
            if isinstance(err, ParAppError):
                QMessageBox.warning(self.window, "ParApp", err.message())
                return False
            raise err
        if "cancelled" in result:
            return False
        return self.open_database(path)


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "parapp.svg")))


def install_crash_dialog(app: QApplication) -> None:
    """A bug anywhere in the window: save a report, tell the officer the data are safe, keep running."""
    from parapp.crash import save_report

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, ParAppError):  # a known condition that escaped a handler: say it plainly
            QMessageBox.warning(app.activeWindow(), "ParApp", exc.message())
            return
        report = save_report(exc.with_traceback(tb), "in the window")
        box = QMessageBox(app.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(app.translate("Crash", "ParApp ran into a problem"))
        box.setText(app.translate("Crash", "ParApp ran into an unexpected problem. Everything you entered is saved in "
                                           "the database. A report was written to:\n{path}\nPlease send it to "
                                           "whoever supports ParApp in your province.").format(path=report))
        box.exec()

    sys.excepthook = hook


def _collect_from_now_on() -> None:
    import gc

    gc.freeze()
    gc.enable()


def run(db: Path | None = None) -> int:
    from parapp.crash import enable_native_reports

    enable_native_reports()  # a crash in Qt's native code (or another library's) leaves a report too
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ParApp")
    app.setOrganizationName("ParApp")
    app.setWindowIcon(app_icon())
    install_crash_dialog(app)
    controller = Application(app)
    if not controller.start(db):
        return 0
    # The objects made while starting (Qt's types, the modules, the window) live as long as ParApp: the
    # collector, paused while they were made (parapp.cli), leaves them out of its rounds from now on.
    QTimer.singleShot(0, _collect_from_now_on)
    if os.environ.get("PARAPP_REPORT_READY"):  # bench/startup.py: the moment the window is up and idle
        import time

        QTimer.singleShot(0, lambda: (print(f"READY {time.time():.6f} {time.process_time():.6f} {time.thread_time():.6f}", flush=True), controller.window.close(),
                                      app.quit()))
    quit_after = os.environ.get("PARAPP_QUIT_AFTER_MS", "")
    if quit_after.isdigit():  # the bundle's smoke test: the window opens, lives a while, and closes as on Quit
        QTimer.singleShot(int(quit_after), lambda: controller.window.close() if controller.window else app.quit())
    return app.exec()
