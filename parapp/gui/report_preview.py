"""PDF reports in the window: made off the GUI thread, previewed with QtPdf, printed or saved."""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui import qt  # the PDF viewer and printing: loaded when a report is first shown
from parapp.gui.qt import (
    QAction,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMessageBox,
    QObject,
    QPainter,
    QPushButton,
    QSize,
    Qt,
    QtWidgets,
    QVBoxLayout,
)
from parapp.gui.workers import Task
from parapp.i18n import ParAppError, language


def _preferences():
    """The window's settings (parapp.gui.app.preferences), or None when they cannot be had."""
    try:
        from parapp.gui.app import preferences
    except ImportError:  # pragma: no cover
        return None
    return preferences()


class ReportPreview(QDialog):
    """One PDF report: the pages, and buttons to print it or save it where the officer wants."""

    SIZE_KEY, MAXIMISED_KEY = "report_preview/size", "report_preview/maximised"
    DEFAULT = QSize(900, 1000)

    def __init__(self, pdf: Path, title: str, suggested_name: str, parent=None):
        super().__init__(parent)
        self.document = qt.QPdfDocument(self)
        self.view = qt.QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(qt.QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(qt.QPdfView.ZoomMode.FitToWidth)
        self.pages = QLabel(self)
        self.print_button = QPushButton(self.tr("&Print…"), self)
        # Save: at once, into the folder reports were last saved to (else Documents), saying where; Save as…
        # chooses. Enter saves.
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_as_button = QPushButton(self.tr("Save &as…"), self)
        self.save_button.setDefault(True)
        self.print_button.setAutoDefault(False)
        self.save_as_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_here)
        self.save_as_button.clicked.connect(self.save_dialog)
        self.saved_label = QLabel(self)
        self.saved_label.setTextFormat(Qt.TextFormat.RichText)
        self.saved_label.linkActivated.connect(self._open_saved_folder)
        # a long path must not widen the preview past the screen: the label takes the room there is
        self.saved_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.saved: Path | None = None
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        # Esc closes it wherever the focus is (the PDF view would otherwise keep the key)
        self.close_action = QAction(self)
        self.close_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.close_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.close_action.triggered.connect(self.reject)
        self.addAction(self.close_action)
        row = QHBoxLayout()
        row.addWidget(self.pages)
        row.addWidget(self.saved_label, 1)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(self.save_as_button)
        row.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addLayout(row)
        self.load(pdf, title, suggested_name)
        self.small_screen = self.fit_to_screen()

    def load(self, pdf: Path, title: str, suggested_name: str) -> None:
        """Show another report in this window (one preview at a time)."""
        self.pdf = pdf
        self.suggested_name = suggested_name
        self.setWindowTitle(title)
        self.document.load(str(pdf))
        self.pages.setText(self.tr("{n} page(s)").format(n=self.document.pageCount()))
        self.saved = None
        self.saved_label.clear()
        self.save_button.setFocus()

    def _available(self):
        """The free area of the screen the preview opens on (its parent's), or None."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else self.screen()
        avail = screen.availableGeometry() if screen is not None else None
        return avail if avail is not None and avail.width() > 0 else None

    def fit_to_screen(self) -> bool:
        """The size the officer left it at (else 900×1000), within the screen's free area; True: open it
        maximised (a small screen, or it was maximised when last closed)."""
        prefs = _preferences()
        saved = prefs.value(self.SIZE_KEY) if prefs is not None else None
        size = saved if isinstance(saved, QSize) and saved.isValid() else QSize(self.DEFAULT)
        was_maximised = prefs is not None and str(prefs.value(self.MAXIMISED_KEY, "false")).lower() == "true"
        avail = self._available()
        if avail is None:
            self.resize(size)
            return was_maximised
        # leave room for the title bar and frame the window manager adds
        self.resize(min(size.width(), avail.width() - 20), min(size.height(), avail.height() - 40))
        small = avail.height() < 860 or avail.width() < 1024
        return was_maximised or (small and not isinstance(saved, QSize))

    def remember_size(self) -> None:
        prefs = _preferences()
        if prefs is None:
            return
        maximised = self.isMaximized()
        prefs.setValue(self.MAXIMISED_KEY, maximised)
        if not maximised:
            prefs.setValue(self.SIZE_KEY, self.size())
        prefs.sync()

    def show_fitted(self) -> None:
        """Show it, maximised on a small screen, and bring it to the front."""
        if not self.isVisible():
            self.small_screen = self.fit_to_screen()
        if self.small_screen:
            self.showMaximized()
        else:
            self.show()
        self.raise_()
        self.activateWindow()

    def done(self, result: int) -> None:
        self.remember_size()
        super().done(result)

    def closeEvent(self, event) -> None:
        self.remember_size()
        super().closeEvent(event)

    def save_to(self, target: Path) -> Path:
        try:
            shutil.copyfile(self.pdf, target)
        except OSError as e:
            raise ParAppError(f"Không ghi được {target} ({e.strerror}).", f"Cannot write {target} ({e.strerror}).") from None
        return target

    FOLDER_KEY = "report_preview/folder"

    def save_folder(self) -> Path:
        """Where Save puts a report: the folder one was last saved to with Save as…, else Documents, else home."""
        prefs = _preferences()
        kept = prefs.value(self.FOLDER_KEY) if prefs is not None else None
        if kept and Path(str(kept)).is_dir():
            return Path(str(kept))
        documents = Path.home() / "Documents"
        return documents if documents.is_dir() else Path.home()

    def save_here(self) -> Path | None:
        """Save the report in save_folder() under its suggested name (never over another file: "name (2).pdf"),
        and say where, with a link that opens the folder."""
        folder = self.save_folder()
        target = folder / self.suggested_name
        n = 2
        while target.exists() and target != self.saved:
            target = folder / f"{Path(self.suggested_name).stem} ({n}){Path(self.suggested_name).suffix}"
            n += 1
        return self._saved(target)

    def save_dialog(self) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save the report"),
                                                str(self.save_folder() / self.suggested_name),
                                                self.tr("PDF files (*.pdf)"))
        if not chosen:
            return None
        saved = self._saved(Path(chosen))
        prefs = _preferences()
        if saved is not None and prefs is not None:
            prefs.setValue(self.FOLDER_KEY, str(saved.parent))
        return saved

    def _saved(self, target: Path) -> Path | None:
        try:
            self.save_to(target)
        except ParAppError as e:
            QMessageBox.warning(self, "ParApp", e.message())
            return None
        self.saved = target
        self.saved_label.setText("✔ " + html.escape(self.tr("Saved: {path}").format(path=target))
                                 + f' <a href="folder">{html.escape(self.tr("Open the folder"))}</a>')
        self.saved_label.setToolTip(str(target))
        return target

    def _open_saved_folder(self, _href: str) -> None:
        from parapp.gui.qt import QDesktopServices, QUrl

        if self.saved is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved.parent)))

    def print_to(self, printer: qt.QPrinter) -> int:
        """Paint every page on the printer at its resolution; returns how many pages were printed."""
        painter = QPainter()
        if not painter.begin(printer):
            raise ParAppError("Không mở được máy in.", "The printer could not be opened.")
        try:
            n = self.document.pageCount()
            for i in range(n):
                if i:
                    printer.newPage()
                target = painter.viewport()
                points = self.document.pagePointSize(i)
                scale = min(target.width() / points.width(), target.height() / points.height())
                size = QSize(int(points.width() * scale), int(points.height() * scale))
                painter.drawImage(0, 0, self.document.render(i, size))
        finally:
            painter.end()
        return self.document.pageCount()

    def print_dialog(self) -> None:
        printer = qt.QPrinter(qt.QPrinter.PrinterMode.HighResolution)
        dialog = qt.QPrintDialog(printer, self)
        if dialog.exec():
            try:
                self.print_to(printer)
            except ParAppError as e:
                QMessageBox.warning(self, "ParApp", e.message())


class Reports(QObject):
    """The Reports menu of the main window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        menu = window.menuBar().addMenu(self.tr("&Reports"))
        window.menuBar().insertMenu(window.menuBar().actions()[3], menu)
        self.sheet_action = menu.addAction(self.tr("&Compliance sheet (PDF)…"))
        self.sheet_action.setShortcut(QKeySequence.StandardKey.Print)  # Ctrl+P: the sheet, to print or save
        self.summary_action = menu.addAction(self.tr("&Summary of the units below (PDF)…"))
        self.sheet_action.triggered.connect(lambda _c=False: self.open("sheet"))
        self.summary_action.triggered.connect(lambda _c=False: self.open("summary"))
        self.preview: ReportPreview | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="parapp-reports-"))

    def open(self, kind: str, show: bool = True) -> Task:
        """Make the report in a Task, then preview it; returns the Task."""
        from parapp.exchange.reports import compliance_sheet, summary_report

        w = self.window
        unit, period, path = w.unit, w.period, w.office.store.path
        lang = language()
        name = f"{'phieu-danh-gia' if kind == 'sheet' else 'bao-cao-tong-hop'}_{unit}_{period}.pdf"
        # each report in its own file: the one on show stays as it is while the next is made
        out = Path(tempfile.mkdtemp(dir=self._folder)) / name
        make = compliance_sheet if kind == "sheet" else summary_report

        def work(progress):
            with Office.open(path, check="done") as office:  # a reader; the window checked the file
                return make(office, unit, period, out, lang=lang, progress=progress)

        label = self.tr("Making the report…")
        task = Task(w, label, work)

        def done(pdf) -> None:
            u = w.office.unit(unit)
            title = f"{u.name} — {Period.parse(str(period)).label(lang)}"
            if self.preview is None:
                self.preview = ReportPreview(Path(pdf), title, name, w)
            else:  # one preview window: the new report takes the place of the last
                self.preview.load(Path(pdf), title, name)
            if show:
                self.preview.show_fitted()

        task.finished.connect(done)
        task.failed.connect(self._failed)
        return task.start()

    def _failed(self, exc, _text: str) -> None:
        if not isinstance(exc, ParAppError):
            raise exc  # a bug: the crash dialog takes it
        QMessageBox.warning(self.window, "ParApp", exc.message())
