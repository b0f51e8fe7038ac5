"""The DHIS2 menu of the main window: the Excel menu's counterpart for a DHIS2 instance.

Export the unit and those below it for the chosen period (dataValueSets JSON or CSV, ADX XML: the file type
chosen decides), write the metadata package, import DHIS2 files with a preview and all-or-nothing apply, and
send to a server: a dry run first, DHIS2's summary shown, then for real; without a connection the data wait in
the outbox and the dialog sends them later. The password or token is typed each time and never kept.
"""

from __future__ import annotations

import html
from pathlib import Path

from parapp.engine.office import Office
from parapp.gui.qt import (
    QAbstractItemView,
    QAction,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QObject,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    Signal,
)
from parapp.gui.workers import Task, add_actions, in_office
from parapp.i18n import ParAppError, format_number, language

FORMATS = {".json": "json", ".csv": "csv", ".xml": "adx", ".adx": "adx"}


class Dhis2Menu(QObject):
    """The DHIS2 menu; what its items do runs on worker threads with their own connection."""

    data_changed = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        menu = window.menuBar().addMenu(self.tr("&DHIS2"))
        bar = window.menuBar().actions()
        after = bar.index(window.exchange.menu.menuAction()) + 1  # right after the Excel menu
        window.menuBar().insertMenu(bar[after], menu)
        self.actions: dict[str, QAction] = add_actions(menu, window, [
            ("export", self.tr("&Export this unit and those below for DHIS2…"), self.export_values),
            ("import", self.tr("&Import DHIS2 data…"), self.import_dialog),
            ("send", self.tr("&Send to a DHIS2 server…"), self.send_dialog),
            ("metadata", self.tr("DHIS2 &metadata package…"), self.export_metadata),
        ], separate_after=("send",))
        self.dialog: QDialog | None = None  # the last preview or send dialog (tests look at it)

    @property
    def office(self) -> Office:
        return self.window.office

    def _run(self, label: str, fn, done, failed=None) -> Task:
        """fn(office, progress) on a worker thread with its own connection; done(result) back here."""
        return in_office(self.window, label, self.office.store.path, fn, done, failed or self.window.exchange._failed)

    # -- out --------------------------------------------------------------------------------------

    def export_values(self, out: Path | None = None) -> None:
        from parapp.exchange.dhis2.datavalues import export

        unit, period = self.window.unit, self.window.period
        if out is None:
            json_f, csv_f, adx_f = (self.tr("dataValueSets JSON (*.json)"), self.tr("dataValueSets CSV (*.csv)"),
                                    self.tr("ADX XML (*.xml)"))
            chosen, kind = QFileDialog.getSaveFileName(self.window, self.tr("Export for DHIS2"),
                                                       str(Path.home() / f"dhis2_{unit}_{period}.json"),
                                                       ";;".join((json_f, csv_f, adx_f)))
            if not chosen:
                return
            out = Path(chosen)
            if out.suffix.lower() not in FORMATS:  # the type chosen, when the name has no known ending
                out = out.with_suffix({json_f: ".json", csv_f: ".csv", adx_f: ".xml"}.get(kind, ".json"))
        fmt = FORMATS.get(out.suffix.lower(), "json")
        self._run(self.tr("Writing the DHIS2 data…"),
                  lambda office, progress: export(office, unit, [period], fmt, out, progress=progress),
                  lambda s: self.window.exchange.written(self.tr(
                      "Written for DHIS2: {path} ({values} value(s), {comments} comment(s), {completions} "
                      "completed return(s)).").format(path=s.path, values=format_number(s.values, 0),
                                                      comments=format_number(s.comments, 0),
                                                      completions=format_number(s.completions, 0)),
                      Path(s.path).parent))

    def export_metadata(self, out: Path | None = None) -> None:
        from parapp.exchange.dhis2.metadata import write

        unit = self.window.unit
        if out is None:
            chosen, _ = QFileDialog.getSaveFileName(self.window, self.tr("DHIS2 metadata package"),
                                                    str(Path.home() / f"dhis2_metadata_{unit}.json"),
                                                    self.tr("DHIS2 metadata (*.json)"))
            if not chosen:
                return
            out = Path(chosen)
        self._run(self.tr("Writing the DHIS2 metadata package…"),
                  lambda office, progress: (write(office, out, unit), out)[1],
                  lambda path: self.window.exchange.written(self.tr(
                      "DHIS2 metadata package written: {path}. Import it in DHIS2 (Import/Export → Metadata "
                      "import) before the data.").format(path=path), Path(path).parent))

    # -- in ---------------------------------------------------------------------------------------

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, self.tr("Import DHIS2 data"), str(Path.home()),
                                                self.tr("DHIS2 data (*.json *.csv *.xml *.adx);;All files (*)"))
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path], decide=None) -> None:
        """Read the files, show the preview, apply them all (or none) if the officer says so.

        decide(dialog) -> bool replaces the dialog's exec() (tests)."""
        from parapp.exchange.dhis2.importing import preview

        def previewed(previews) -> None:
            if not previews:
                QMessageBox.information(self.window, "ParApp", self.tr("There is no DHIS2 file to import there."))
                return
            dlg = Dhis2PreviewDialog(previews, self.window)
            self.dialog = dlg
            ok = decide(dlg) if decide is not None else dlg.exec()
            if ok:
                self._apply(previews)

        self._run(self.tr("Reading the DHIS2 files…"), lambda office, progress: preview(office, paths,
                                                                                       progress=progress), previewed)

    def _apply(self, previews: list) -> None:
        from parapp.exchange.dhis2.importing import apply

        try:  # on the window's own connection: one transaction, and the window reads it next
            n = apply(self.office, previews)
        except ParAppError as e:
            QMessageBox.warning(self.window, "ParApp", e.message())
            return
        self.window.statusBar().showMessage(self.tr("{n} value(s) imported from {files} DHIS2 file(s).").format(
            n=format_number(n, 0), files=len(previews)), 8000)
        self.data_changed.emit()

    # -- send -------------------------------------------------------------------------------------

    def send_dialog(self) -> QDialog:
        dlg = SendDialog(self, self.window)
        self.dialog = dlg
        dlg.open()
        return dlg


class Dhis2PreviewDialog(QDialog):
    """What importing the DHIS2 files would do: per file, its values new, changed and refused. All or none."""

    def __init__(self, previews: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import DHIS2 data"))
        self.previews = previews
        lang = language()
        refused = [p for p in previews if not p.acceptable]
        self.table = QTableWidget(len(previews), 6, self)
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Format"), self.tr("Units and periods"),
                                              self.tr("New"), self.tr("Changed"), self.tr("What happens")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for r, p in enumerate(previews):
            if p.refused is not None:
                what = "✘ " + p.refused.message(lang)
            elif p.unchanged:
                what = self.tr("The database already holds these figures.")
            else:
                failing = sum(1 for up in p.unit_periods if up.failures)
                what = "✔ " + self.tr("Ready to import") + (
                    "; " + self.tr("{n} unit-period(s) with rule failures").format(n=failing) if failing else "")
            cells = [p.path.name, (p.format or "—").upper(), format_number(len(p.unit_periods), 0),
                     format_number(p.new, 0), format_number(p.changes, 0), what]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(p.path) if c == 0 else text)
                self.table.setItem(r, c, item)
        h = self.table.horizontalHeader()
        for c in range(5):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        if refused:
            self.summary.setText("⚠ " + self.tr("{n} file(s) refused: nothing can be imported until they are left "
                                                "out or fixed (all files or none).").format(n=len(refused)))
        else:
            self.summary.setText(self.tr("{values} value(s) new or changed in {files} file(s). Each change is kept "
                                         "in the history with its file's name.").format(
                values=format_number(sum(p.new + p.changes for p in previews), 0), files=len(previews)))
        buttons = QDialogButtonBox(self)
        self.apply_button = buttons.addButton(self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.setEnabled(not refused and any(not p.unchanged for p in previews))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)
        lay.addWidget(buttons)
        from parapp.gui.exchange import fit_to_screen

        fit_to_screen(self, 1000, 480)


class SendDialog(QDialog):
    """Send the unit and those below it, for the chosen period, to a DHIS2 server: check (a dry run), then
    send. The address and user name are remembered; the password or token is typed each time, never kept."""

    def __init__(self, menu: Dhis2Menu, parent=None):
        from parapp.exchange.dhis2 import push

        super().__init__(parent)
        self.menu = menu
        window = menu.window
        self.unit, self.period = window.unit, window.period
        office = menu.office
        u = office.unit(self.unit)
        self.setWindowTitle(self.tr("Send to DHIS2"))
        intro = QLabel(self.tr("{unit} and the units below it, {period}: the figures entered, their comments, and "
                               "the approved returns as complete.").format(unit=u.name,
                                                                          period=self.period.label(language())), self)
        intro.setWordWrap(True)
        self.url = QLineEdit(office.store.meta(push.META_URL) or "", self)
        self.url.setPlaceholderText("https://dhis2.example.gov.vn")
        self.user = QLineEdit(office.store.meta(push.META_USER) or "", self)
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.token = QCheckBox(self.tr("A personal access token instead of a password"), self)
        self.token.toggled.connect(lambda on: self.user.setEnabled(not on))
        form = QFormLayout()
        form.addRow(self.tr("Server:"), self.url)
        form.addRow(self.tr("User name:"), self.user)
        form.addRow(self.tr("Password or token:"), self.secret)
        form.addRow("", self.token)
        self.result = QTextBrowser(self)
        self.result.setMinimumHeight(160)
        self.check_button = QPushButton(self.tr("&Check (dry run)"), self)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setEnabled(False)  # after a dry run DHIS2 took without a conflict
        self.waiting_button = QPushButton(self)
        self.check_button.clicked.connect(lambda: self.post(dry_run=True))
        self.send_button.clicked.connect(lambda: self.post(dry_run=False))
        self.waiting_button.clicked.connect(self.send_waiting)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.waiting_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.result, 1)
        lay.addWidget(buttons)
        self._update_waiting()
        from parapp.gui.exchange import fit_to_screen

        fit_to_screen(self, 720, 520)
        (self.secret if self.url.text() else self.url).setFocus()

    def _update_waiting(self) -> None:
        from parapp.exchange.dhis2 import push

        n = len(push.waiting(self.menu.office))
        self.waiting_button.setText(self.tr("Send the &waiting ({n})").format(n=n))
        self.waiting_button.setVisible(n > 0)

    def _credentials(self):
        from parapp.exchange.dhis2 import push

        url = self.url.text().strip()
        if not url:
            self._say("⚠ " + self.tr("Type the server's address first."))
            return None, None
        if not self.secret.text():
            self._say("⚠ " + self.tr("Type the password (or the token) first; ParApp never keeps it."))
            return None, None
        try:
            url = push.normalise_url(url)
        except ParAppError as e:
            self._say("⚠ " + e.message())
            return None, None
        token = self.token.isChecked()
        return url, push.Credentials(None if token else self.user.text().strip() or None, self.secret.text(), token)

    def _say(self, text: str) -> None:
        self.result.setHtml("<p>" + "<br>".join(html.escape(line) for line in text.splitlines()) + "</p>")

    def _summary_text(self, summary, dry_run: bool) -> str:
        lang = language()
        lines = summary.lines(lang)
        if dry_run:
            lines.insert(0, self.tr("Dry run: DHIS2 checked everything and kept nothing."))
        return "\n".join(lines)

    def post(self, dry_run: bool) -> None:
        from parapp.exchange.dhis2 import push

        url, credentials = self._credentials()
        if credentials is None:
            return
        unit, periods = self.unit, [self.period]
        timeout = push.DEFAULT_TIMEOUT
        self.check_button.setEnabled(False)
        self.send_button.setEnabled(False)

        def work(office, _progress):
            payload = push.build_payload(office, unit, periods)
            client = push.Client(url, credentials, timeout)
            summary = push.attempt(office, client, payload, dry_run=dry_run, keep=not dry_run)
            push.remember(office, url, credentials.user)
            return summary

        def done(summary) -> None:
            self.check_button.setEnabled(True)
            self._say(self._summary_text(summary, dry_run))
            self.send_button.setEnabled(dry_run and summary.clean)
            self._update_waiting()
            if not dry_run:
                self.menu.data_changed.emit()  # the history holds the send

        def failed(exc, _text) -> None:
            self.check_button.setEnabled(True)
            if not isinstance(exc, ParAppError):
                raise exc
            self._say("⚠ " + exc.message())
            self._update_waiting()

        self.menu._run(self.tr("Asking DHIS2…") if dry_run else self.tr("Sending to DHIS2…"), work, done, failed)

    def send_waiting(self) -> None:
        """Each payload waiting in the outbox: a dry run, then the import; it leaves the outbox once DHIS2 took
        it."""
        from parapp.exchange.dhis2 import push

        url, credentials = self._credentials()
        if credentials is None:
            return
        timeout = push.DEFAULT_TIMEOUT

        def work(office, progress):
            lines: list[str] = []
            items = [w for w in push.waiting(office) if w.url == url]
            client = push.Client(url, credentials, timeout)
            for i, w in enumerate(items):
                if progress(i, len(items)) is False:
                    break
                try:
                    payload = w.payload()
                    check = push.attempt(office, client, payload, dry_run=True, keep=False)
                    if not check.clean:
                        lines.append(f"{w.payload_path.name}: {self._summary_text(check, True)}")
                        continue
                    summary = push.attempt(office, client, payload, dry_run=False, waiting_as=w)
                except ParAppError as e:
                    lines.append(f"{w.payload_path.name}: ⚠ {e.message()}")
                    continue
                if summary.accepted:
                    push.remove(w)
                lines.append(f"{w.payload_path.name}: {summary.headline(language())}")
            return "\n".join(lines) or self.tr("Nothing waits for this server.")

        def done(text) -> None:
            self._say(text)
            self._update_waiting()
            self.menu.data_changed.emit()

        self.menu._run(self.tr("Sending what waits in the outbox…"), work, done)
