"""Excel returns in the window: export, blank templates, import with a preview, consolidated workbook, outbox.

Every file operation runs in a Task (progress and Cancel after ~0.5 s) on its own database connection;
the window's connection sees the result once it is committed.
"""

from __future__ import annotations

import html
from pathlib import Path

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QAction,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QModelIndex,
    QObject,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTextBrowser,
    QUrl,
    QVBoxLayout,
    Signal,
)
from parapp.gui.workers import Task, add_actions, in_office
from parapp.i18n import ParAppError, format_number, language


def _num(v: float | None) -> str:
    return "—" if v is None else format_number(v, 0 if v == int(v) else 2)


def join_notes(notes: list[str]) -> str:
    """Notes one after the other, "; " between them; a note's own closing full stop goes where a "; " follows,
    so that no ".;" shows."""
    notes = [n.strip() for n in notes if n and n.strip()]
    return "; ".join([n[:-1].rstrip() if n.endswith(".") and not n.endswith("..") else n for n in notes[:-1]]
                     + notes[-1:])


def fit_to_screen(widget, width: int, height: int) -> None:
    """Resize a dialog to width×height, or less on a screen whose free area is smaller."""
    parent = widget.parentWidget()
    screen = parent.screen() if parent is not None else widget.screen()
    avail = screen.availableGeometry() if screen is not None else None
    if avail is None or avail.width() <= 0:
        widget.resize(width, height)
        return
    # leave room for the title bar and frame the window manager adds
    widget.resize(min(width, avail.width() - 20), min(height, avail.height() - 40))


class PreviewModel(QAbstractTableModel):
    """One row per file: whether to apply it, the file, unit, period, new, changed, checks, signature, remarks.

    A file whose signature is not sound (edited after export, unsigned, another key, a filled-in template) is
    not ticked at first; ticking it asks for the reason (ask_reason), which the import keeps in the history."""

    SIGNATURE, REMARKS = 6, 7

    def __init__(self, previews: list, parent=None):
        super().__init__(parent)
        self.previews = previews
        self.checked = [p.acceptable and not p.unchanged and p.sound for p in previews]
        self.reasons: dict[int, str] = {}
        self.ask_reason = None  # (FilePreview) -> str | None, set by the dialog

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.previews)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 8

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return [self.tr("File"), self.tr("Unit"), self.tr("Period"), self.tr("New"), self.tr("Changed"),
                    self.tr("Checks"), self.tr("Signature"), self.tr("Remarks")][section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self.previews[index.row()].acceptable:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        return f

    def signature_text(self, p) -> str:
        if p.seal is None:
            return ""
        short = {"signed": self.tr("Signed"), "first_use": self.tr("Signed (key seen for the first time)"),
                 "edited": self.tr("Edited after export"), "other_key": self.tr("Another key"),
                 "other_office": self.tr("Signed by another office"), "unsigned": self.tr("No signature"),
                 "template": self.tr("Filled in Excel, no signature")}[p.seal.kind]
        return ("✔ " if p.sound else "✘ ") + short

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p, col = self.previews[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            if not p.acceptable:
                return None
            return Qt.CheckState.Checked if self.checked[index.row()] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return p.path.name
            if col == 1:
                return p.unit.name if p.unit else "—"
            if col == 2:
                return p.period.label(language()) if p.period else "—"
            if col == 3:
                return str(len(p.new)) if p.acceptable else ""
            if col == 4:
                return str(len(p.changes) + len(p.comments)) if p.acceptable else ""
            if col == 5:
                errors = sum(m.severity == "error" for m in p.failures)
                return ("⚠ " + self.tr("{n} failing").format(n=len(p.failures))) if p.failures else (
                    "✔" if p.acceptable and not errors else "")
            if col == self.SIGNATURE:
                return self.signature_text(p) if p.acceptable else ""
            if col == self.REMARKS:
                if not p.acceptable:
                    return "✘ " + p.refused.message()
                notes = [w.get() for w in p.warnings]
                if p.unchanged:
                    notes.append(self.tr("Nothing new"))
                if index.row() in self.reasons:
                    notes.append(self.tr("Accepted: {reason}").format(reason=self.reasons[index.row()]))
                return join_notes(notes)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return str(p.path)
            if col == self.SIGNATURE and p.seal is not None:
                return p.seal.text.get()
            return p.refused.message() if p.refused else None
        if role == Qt.ItemDataRole.ForegroundRole and (not p.acceptable or (col == self.SIGNATURE and not p.sound)):
            from parapp.gui.qt import QBrush, QColor

            return QBrush(QColor("#B34000"))
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0 and self.previews[index.row()].acceptable:
            on = Qt.CheckState(value) == Qt.CheckState.Checked
            row, p = index.row(), self.previews[index.row()]
            if on and not p.sound and row not in self.reasons:
                reason = self.ask_reason(p) if self.ask_reason is not None else None
                if not reason or not reason.strip():
                    return False  # not ticked: a file that is not sound goes in only with a reason
                self.reasons[row] = reason.strip()
            self.checked[row] = on
            self.dataChanged.emit(index, self.index(row, self.REMARKS), [role])
            return True
        return False

    def set_all(self, on: bool) -> None:
        """Select all ticks the sound files (and those already accepted with a reason); none unticks all."""
        self.checked = [on and p.acceptable and (p.sound or i in self.reasons) for i, p in enumerate(self.previews)]
        if self.previews:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.previews) - 1, 0))

    def accepted_paths(self) -> set[Path]:
        return {p.path for p, c in zip(self.previews, self.checked, strict=True) if c}

    def accepted_reasons(self) -> dict[Path, str]:
        return {self.previews[i].path: r for i, r in self.reasons.items() if self.checked[i]}


class ImportPreviewDialog(QDialog):
    """What the import would do, file by file; the officer ticks the files to apply."""

    def __init__(self, office: Office, previews: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import returns: preview"))
        self.office = office
        self.model = PreviewModel(previews, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.model.ask_reason = self._ask_reason
        h = self.view.horizontalHeader()
        for c in range(7):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(PreviewModel.REMARKS, QHeaderView.ResizeMode.Stretch)
        self.details = QTextBrowser(self)
        refused = sum(not p.acceptable for p in previews)
        summary = self.tr("{files} file(s) read; {ok} can be imported, {refused} refused. Tick the files to apply: "
                          "they are applied together, or not at all.").format(
            files=len(previews), ok=len(previews) - refused, refused=refused)
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(self.details)
        split.setSizes([260, 240])
        all_btn = QPushButton(self.tr("Select all"), self)
        none_btn = QPushButton(self.tr("Select none"), self)
        all_btn.clicked.connect(lambda: self.model.set_all(True))
        none_btn.clicked.connect(lambda: self.model.set_all(False))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self._apply_clicked)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        row.addStretch(1)
        row.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)
        lay.addLayout(row)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))
        self.model.dataChanged.connect(self._update_apply)
        self._update_apply()
        fit_to_screen(self, 1200, 620)
        if previews:
            self.view.selectRow(0)

    def _update_apply(self, *_args) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).setEnabled(bool(self.model.accepted_paths()))

    def _apply_clicked(self) -> None:
        self.accept()

    def accepted_paths(self) -> set[Path]:
        return self.model.accepted_paths()

    def accepted_reasons(self) -> dict[Path, str]:
        return self.model.accepted_reasons()

    def _ask_reason(self, p) -> str | None:
        text, ok = QInputDialog.getText(
            self, self.tr("Accept a file that is not soundly signed"),
            self.tr("{file}: {verdict}\n\nWhy accept it? (kept in the history)").format(
                file=p.path.name, verdict=p.seal.text.get() if p.seal else ""))
        return text if ok else None

    def _show(self, row: int) -> None:
        if row < 0:
            return
        p = self.model.previews[row]
        cat = self.office.catalogue
        lang = language()
        parts = [f"<h3>{html.escape(p.path.name)}</h3>"]
        if p.refused:
            parts.append(f"<p style='color:#B34000'>✘ {html.escape(p.refused.message())}</p>")
            self.details.setHtml("".join(parts))
            return
        kind = self.tr("blank template") if p.kind == "template" else self.tr("return")
        parts.append(f"<p><b>{html.escape(p.unit.name)}</b> ({p.unit.official_code}) · {html.escape(p.period.label(lang))}"
                     f" · {html.escape(kind)}</p>")
        if p.seal is not None:
            colour = "#2E7D32" if p.sound else "#B34000"
            parts.append(f"<p style='color:{colour}'>{'✔' if p.sound else '✘'} {html.escape(p.seal.text.get())}</p>")
            if not p.sound:
                reason = self.model.reasons.get(row)
                parts.append("<p>" + html.escape(
                    self.tr("Accepted with the reason: {reason}").format(reason=reason) if reason else
                    self.tr("Tick it to accept it anyway: you will be asked why.")) + "</p>")
        for w in p.warnings:
            parts.append(f"<p>△ {html.escape(w.get())}</p>")
        for m in p.failures:
            parts.append(f"<p>{'⚠' if m.severity == 'error' else '△'} {html.escape(m.describe(lang))}</p>")

        def name(code: str) -> str:
            el = cat.elements.get(code)
            return html.escape(el.name.get() if el else code)

        if p.changes:
            parts.append("<h4>" + html.escape(self.tr("Changed")) + "</h4><ul>")
            parts += [f"<li>{name(c)}: {_num(o)} → <b>{_num(n)}</b></li>" for c, o, n in p.changes]
            parts.append("</ul>")
        if p.new:
            parts.append("<h4>" + html.escape(self.tr("New")) + "</h4><ul>")
            parts += [f"<li>{name(c)}: <b>{_num(v)}</b></li>" for c, v in p.new]
            parts.append("</ul>")
        if p.comments:
            parts.append("<h4>" + html.escape(self.tr("Comments")) + "</h4><ul>")
            parts += [f"<li>{name(c)}: {html.escape(o or '')} → <b>{html.escape(n or '')}</b></li>"
                      for c, o, n in p.comments]
            parts.append("</ul>")
        if p.unchanged:
            parts.append("<p>" + html.escape(self.tr("The database already holds these figures.")) + "</p>")
        self.details.setHtml("".join(parts))


class Exchange(QObject):
    """The Excel menu of the main window and what its items do."""

    data_changed = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        menu = window.menuBar().addMenu(self.tr("E&xcel"))
        window.menuBar().insertMenu(window.menuBar().actions()[2], menu)
        self.menu = menu
        self.actions: dict[str, QAction] = add_actions(menu, window, [
            ("export", self.tr("&Export this unit's return…"), self.export_return),
            ("export_below", self.tr("Export the returns of this unit and the units &below…"), self.export_with_below),
            ("outbox", self.tr("Export to the &outbox with an e-mail draft"), self.export_to_outbox),
            ("templates", self.tr("Blank &templates for the units below…"), self.export_templates),
            ("import", self.tr("&Import returns…"), self.import_files_dialog),
            ("import_folder", self.tr("Import a &folder of returns…"), self.import_folder_dialog),
            ("consolidated", self.tr("&Consolidated workbook…"), self.export_consolidated),
            ("email", self.tr("E-mail address of the level &above…"), self.set_upper_email),
        ], separate_after=("outbox", "import_folder", "consolidated"))
        self._tasks: list[Task] = []
        self.written_box: QMessageBox | None = None  # the last "written" message (tests look at it)
        self.open_folder_button = None

    # -- helpers --------------------------------------------------------------------------------

    @property
    def office(self) -> Office:
        return self.window.office

    def _context(self) -> tuple[str, Period]:
        return self.window.unit, self.window.period

    def _run(self, label: str, fn, done) -> Task:
        """fn(office, progress) on a worker thread with its own connection; done(result) back here."""
        task = in_office(self.window, label, self.office.store.path, fn, done, self._failed)
        self._tasks = [t for t in self._tasks if not t.is_cancelled] + [task]
        return task

    def _failed(self, exc, text: str) -> None:
        if isinstance(exc, ParAppError):
            QMessageBox.warning(self.window, "ParApp", exc.message())
        else:
            raise exc

    def _folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self.window, title, str(Path.home()))
        return Path(chosen) if chosen else None

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def written(self, text: str, folder: Path, files: list[Path] | None = None) -> QMessageBox:
        """Say what was written and where, with a button that opens the folder; the box is shown with open()
        (the window goes on) and returned, and kept in self.written_box (tests)."""
        self._say(text)
        if self.written_box is not None:
            self.written_box.close()
            self.written_box.deleteLater()
        box = QMessageBox(QMessageBox.Icon.Information, "ParApp", text, QMessageBox.StandardButton.Ok, self.window)
        if files and len(files) > 1:
            box.setDetailedText("\n".join(str(f) for f in files))
        self.open_folder_button = box.addButton(self.tr("Open &folder"), QMessageBox.ButtonRole.ActionRole)
        self.open_folder_button.clicked.connect(lambda _c=False, folder=folder: self.open_folder(folder))
        box.setDefaultButton(QMessageBox.StandardButton.Ok)
        self.written_box = box
        box.open()
        return box

    def open_folder(self, folder: Path) -> bool:
        """Open the folder in the file manager of the system."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- export ---------------------------------------------------------------------------------

    def export_return(self, out: Path | None = None) -> None:
        from parapp.exchange.returns import export_return, file_name

        unit, period = self._context()
        u = self.office.unit(unit)
        if out is None:
            chosen, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export the return"),
                                                    str(Path.home() / file_name(u, period)),
                                                    self.tr("Excel workbooks (*.xlsx)"))
            if not chosen:
                return
            out = Path(chosen)
        self._run(self.tr("Writing the return…"), lambda office, progress: export_return(
            office, unit, period, out, progress=progress),
            lambda path: self.written(self.tr("Return written: {path}").format(path=path), Path(path).parent))

    def export_with_below(self, folder: Path | None = None) -> None:
        from parapp.exchange.returns import export_with_below

        unit, period = self._context()
        self._warm_readers()  # many files are laid out on the workers: they start while the officer picks the folder
        folder = folder or self._folder(self.tr("Folder for the returns"))
        if folder is None:
            return
        self._run(self.tr("Writing the returns…"), lambda office, progress: export_with_below(
            office, unit, period, folder, progress=progress),
            lambda paths: self.written(self.tr("{n} return(s) written to {folder}").format(n=len(paths), folder=folder),
                                       folder, paths))

    def export_to_outbox(self, to: str | None = None, report=None) -> None:
        """The unit's return, and those of the units below that have figures (a district forwards its communes'
        figures, from which the province rolls up), into the outbox with one e-mail draft. report(text, folder)
        says what was written (the send bar), else a box does."""
        from parapp.exchange.outbox import make_eml, outbox_dir, upper_email, write_outbox
        from parapp.exchange.returns import export_return, file_name, units_with_figures_below

        unit, period = self._context()
        if not to and not upper_email(self.office):
            # no address for the level above yet: ask for it (and keep it) rather than write a draft to no one
            to = self.set_upper_email(self.tr("The level above has no e-mail address yet. Returns are "
                                              "addressed to:"))
            if not to:
                return

        def work(office, progress):
            folder = outbox_dir(office)
            units = [office.unit(unit)] + units_with_figures_below(office, unit, period)
            boxed: list[Path] = []
            try:
                for i, u in enumerate(units):
                    if progress(i, len(units)) is False:
                        raise InterruptedError
                    written = export_return(office, u.code, period, folder / file_name(u, period))
                    box = write_outbox(office, written, unit=u.code, period=period)
                    if box != written:
                        written.unlink(missing_ok=True)
                    boxed.append(box)
                return make_eml(office, boxed[0], to=to, unit=unit, period=period, below=boxed[1:])
            except BaseException as e:  # all of it in the outbox, or nothing
                for box in boxed:
                    box.unlink(missing_ok=True)
                if isinstance(e, InterruptedError):
                    return None  # cancelled: the task says nothing
                raise

        def done(eml) -> None:
            if eml is None:  # cancelled: nothing was written
                return
            text = self.tr("In the outbox: {path} — open it in your mail program to send it when the "
                           "connection is back.").format(path=eml)
            if report is not None:
                self._say(text)
                report(text, Path(eml).parent)
            else:
                self.written(text, Path(eml).parent)

        self._run(self.tr("Writing the return and the e-mail draft…"), work, done)

    def export_templates(self, folder: Path | None = None) -> None:
        from parapp.exchange.returns import export_templates

        unit, period = self._context()
        self._warm_readers()  # many files are laid out on the workers: they start while the officer picks the folder
        folder = folder or self._folder(self.tr("Folder for the blank templates"))
        if folder is None:
            return
        self._run(self.tr("Writing blank templates…"), lambda office, progress: export_templates(
            office, unit, period, folder, progress=progress),
            lambda paths: self.written(self.tr("{n} blank template(s) written to {folder}").format(
                n=len(paths), folder=folder), folder, paths))

    def export_consolidated(self, out: Path | None = None) -> None:
        from parapp.exchange.consolidated import export_consolidated

        unit, period = self._context()
        if out is None:
            u = self.office.unit(unit)
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, self.tr("Consolidated workbook"),
                str(Path.home() / f"{period}_{u.code}_tong-hop.xlsx"), self.tr("Excel workbooks (*.xlsx)"))
            if not chosen:
                return
            out = Path(chosen)
        self._run(self.tr("Rolling up and writing the consolidated workbook…"),
                  lambda office, progress: export_consolidated(office, unit, period, out, progress=progress,
                                                               lang=language()),
                  lambda path: self.written(self.tr("Consolidated workbook written: {path}").format(path=path),
                                            Path(path).parent))

    def set_upper_email(self, prompt: str | None = None) -> str | None:
        """Ask for the e-mail address of the level above and keep it; returns it as kept, None if cancelled.
        An address that is not one is said, and asked for again."""
        from parapp.exchange.outbox import set_upper_email

        address = self.office.store.meta("upper_email") or ""
        while True:
            address, ok = QInputDialog.getText(self.window, self.tr("E-mail of the level above"),
                                               prompt or self.tr("Returns are addressed to:"), text=address)
            if not ok:
                return None
            try:
                return set_upper_email(self.office, address)
            except ParAppError as e:
                QMessageBox.warning(self.window, "ParApp", e.message())

    # -- import ---------------------------------------------------------------------------------

    def _warm_readers(self) -> None:
        # the workers start while the officer picks the files to read or the folder to write to (see
        # parapp.exchange.readers and parapp.exchange.writers)
        from parapp.exchange import readers

        readers.warm(self.office.catalogue)

    def import_files_dialog(self) -> None:
        self._warm_readers()
        files, _ = QFileDialog.getOpenFileNames(self.window, self.tr("Import returns"), str(Path.home()),
                                                self.tr("Excel workbooks (*.xlsx)"))
        if files:
            self.import_paths([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        self._warm_readers()
        folder = QFileDialog.getExistingDirectory(self.window, self.tr("Import a folder of returns"),
                                                  str(Path.home()))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path], decide=None) -> None:
        """Read the files, show the preview, apply the ticked ones in one transaction.

        decide(dialog) -> bool replaces the dialog's exec() (tests); it may tick or untick files first.
        """
        from parapp.exchange.returns import preview

        def previewed(previews) -> None:
            if not previews:
                QMessageBox.information(self.window, "ParApp", self.tr("There is no Excel workbook to import there."))
                return
            dlg = ImportPreviewDialog(self.office, previews, self.window)
            ok = decide(dlg) if decide is not None else dlg.exec()
            if ok:
                self._apply(previews, dlg.accepted_paths(), dlg.accepted_reasons())

        self._run(self.tr("Reading the returns…"), lambda office, progress: preview(office, paths, progress),
                  previewed)

    def _apply(self, previews: list, accepted: set[Path], reasons: dict[Path, str] | None = None) -> None:
        from parapp.exchange.returns import apply

        if not accepted:
            return

        def done(n: int) -> None:
            self._say(self.tr("{n} value(s) imported from {files} file(s).").format(n=n, files=len(accepted)))
            self.data_changed.emit()

        # apply on the window's own connection: it is quick (one transaction) and the window reads it next
        try:
            n = apply(self.office, previews, accepted, reasons)
        except ParAppError as e:
            QMessageBox.warning(self.window, "ParApp", e.message())
            return
        done(n)


def dropped_paths(mime) -> list[Path]:
    """The .xlsx files and folders in a drag-and-drop."""
    if not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.is_dir() or p.suffix.lower() == ".xlsx":
                out.append(p)
    return out

