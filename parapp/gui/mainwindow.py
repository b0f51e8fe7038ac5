"""The main window: the unit tree, the period, and the tabs (data entry, overview, catalogue, history)."""

from __future__ import annotations

import html
import sqlite3

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui.lazy_tab import LazyTab
from parapp.gui.period_picker import PeriodPicker
from parapp.gui.qt import (
    QAction,
    QActionGroup,
    QApplication,
    QHeaderView,
    QInputDialog,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSortFilterProxyModel,
    QSplitter,
    Qt,
    QTabWidget,
    QToolBar,
    QTreeView,
    QUndoStack,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.gui.style import WORKFLOW_STYLE
from parapp.gui.unit_tree import UnitTreeModel
from parapp.i18n import ParAppError, language
from parapp.store import units as unit_store


class MainWindow(QMainWindow):
    """One office database open; asks the application to open others or to change language."""

    open_requested = Signal()  # File > Open
    new_requested = Signal()  # File > New office database
    demo_requested = Signal()  # File > Open the demo database
    language_requested = Signal(str)
    reopen_requested = Signal()  # the office changed (the 2025 reorganisation): build the window again
    restore_requested = Signal()  # File > Restore from a backup: the application closes, restores, reopens
    context_changed = Signal(str, object)  # unit code, Period
    damaged = Signal(object)  # the check at opening found the file damaged (a ParAppError saying so)

    def __init__(self, office: Office, unit: str | None = None, period: Period | None = None, parent=None):
        super().__init__(parent)
        self.office = office
        self.undo_stack = QUndoStack(self)
        self.unit = unit if unit and self._exists(unit) else office.office_code
        self.period = period or _default_period()
        self._build()
        if not self.tree_model.index_for(self.unit).isValid():
            self.unit = self._counterpart(self.unit) or self.tree_model.structure()[0]
        self._select_unit(self.unit)
        self._stale = set()
        if self.unit == office.office_code and self.tree_model.rowCount(self.tree_model.index_for(self.unit)):
            # A district's or province's first look: who reported and how the units below stand.
            self.tabs.setCurrentWidget(self.overview)
        self._apply_context()
        if self.tabs.currentWidget() is self.entry:
            self.entry.view.setFocus()  # the officer types at once: the form's first figure has the focus

    def _exists(self, code: str) -> bool:
        try:
            unit_store.get_unit(self.office.store, code)
            return True
        except ParAppError:
            return False

    # -- building -------------------------------------------------------------------------------

    def fits_small_screen(self) -> bool:
        """Size the window to the screen's free area; True when that area is small (open it maximised)."""
        screen = QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen is not None else None
        if avail is None or avail.width() <= 0:
            self.resize(1280, 800)
            return False
        # leave room for the title bar and frame the window manager adds
        self.resize(min(1280, avail.width()), min(800, avail.height() - 40))
        return avail.width() < 1440 or avail.height() < 860

    def _build(self) -> None:
        self.small_screen = self.fits_small_screen()
        # left: the units
        self.tree_model = UnitTreeModel(self.office, self.period, self)
        self.tree_proxy = QSortFilterProxyModel(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree_proxy.setRecursiveFilteringEnabled(True)
        self.tree_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tree_proxy.setFilterKeyColumn(0)
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # The status column as wide as its longest word, measured once (sizing it to its contents would ask
        # every unit of a province for its text at each layout).
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        metrics = self.tree.fontMetrics()
        self.tree.header().resizeSection(1, 24 + max(
            metrics.horizontalAdvance(f"{style.symbol} {style.name.get()}") for style in WORKFLOW_STYLE.values()))
        self.tree.header().setStretchLastSection(False)
        self.tree.expandToDepth(0)
        self.tree.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Find a unit…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter_tree)
        left = QWidget(self)
        lay = QVBoxLayout(left)
        lay.setContentsMargins(4, 4, 0, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree)
        # right: the tabs
        self.tabs = QTabWidget(self)
        # Each tab is built when first shown (a district's or province's office opens on its overview, a
        # commune's on its form): the window opens sooner.
        self.entry = LazyTab(self._entry_tab, self)
        self.overview = LazyTab(_overview_tab, self)
        self.catalogue = LazyTab(_catalogue_tab, self)
        self.history = LazyTab(_history_tab, self)
        self.tabs.addTab(self.entry, self.tr("Data entry"))
        self.tabs.addTab(self.overview, self.tr("Overview"))
        self.tabs.addTab(self.catalogue, self.tr("Catalogue and targets"))
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.currentChanged.connect(lambda _i: self._update_tab())
        for tab in (self.entry, self.overview, self.catalogue, self.history):
            if hasattr(tab, "unit_requested"):
                tab.unit_requested.connect(self._open_unit_entry)
            if hasattr(tab, "data_changed"):
                tab.data_changed.connect(self._data_changed)
        right = QWidget(self)
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        self.tiers_hint = QLabel(right)
        self.tiers_hint.setWordWrap(True)
        self.tiers_hint.setObjectName("tiers-hint")
        self.tiers_hint.setStyleSheet("QLabel#tiers-hint { background: #FFF8E1; color: #5D4037; padding: 6px; }")
        self.tiers_hint.setText(self.tr(
            "This database follows the three-tier structure in force until 30 June 2025. "
            "<a href=\"reorganise\">Carry it into the two-tier structure…</a>"))
        self.tiers_hint.linkActivated.connect(lambda _l: self.reorganise())
        self.tiers_hint.setVisible(self.office.tiers == 3)
        right_lay.addWidget(self.tiers_hint)
        self.history_alert = QLabel(right)  # what the check of the history found, if anything
        self.history_alert.setWordWrap(True)
        self.history_alert.setObjectName("history-alert")
        self.history_alert.setStyleSheet("QLabel#history-alert { background: #F3E5F5; color: #4A148C; padding: 6px; }")
        self.history_alert.linkActivated.connect(lambda _l: self.check_history())
        self.history_alert.hide()
        right_lay.addWidget(self.history_alert)
        from parapp.gui.send_bar import SendBar

        self.send_bar = SendBar(self)  # after a submission: send the return to the level above
        right_lay.addWidget(self.send_bar)
        right_lay.addWidget(self.tabs, 1)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 960])
        self.setCentralWidget(split)
        self._build_actions()
        from parapp.gui.exchange import Exchange

        self.exchange = Exchange(self)
        self.exchange.data_changed.connect(self._imported)
        from parapp.gui.report_preview import Reports

        self.reports = Reports(self)
        from parapp.gui.dhis2_menu import Dhis2Menu

        self.dhis2 = Dhis2Menu(self)  # beside the Excel menu
        self.dhis2.data_changed.connect(self._imported)
        self.setAcceptDrops(True)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self.status_label.setText(self.tr("{officer} · {path}").format(
            officer=self.office.officer, path=self.office.store.path))
        from parapp.gui.qt import QTimer

        self.backup_timer = QTimer(self)  # a backup a day while the window stays open
        self.backup_timer.setInterval(60 * 60 * 1000)
        self.backup_timer.timeout.connect(self._daily_backup)
        self.backup_timer.start()
        # Once the window is up and idle: the check of the file begun at opening, then the history's.
        QTimer.singleShot(0, self._check_file_quietly)
        QTimer.singleShot(300, self._check_history_quietly)

    def _build_actions(self) -> None:
        m = self.menuBar()
        file = m.addMenu(self.tr("&File"))
        self._action(file, self.tr("&New office database…"), self.new_requested.emit, QKeySequence.StandardKey.New)
        self._action(file, self.tr("&Open…"), self.open_requested.emit, QKeySequence.StandardKey.Open)
        self._action(file, self.tr("Open the &demo database"), self.demo_requested.emit)
        file.addSeparator()
        self._action(file, self.tr("&Back up now"), self.back_up)
        self._action(file, self.tr("&Restore from a backup…"), self.restore_requested.emit)
        self._action(file, self.tr("Second backup &folder (USB stick)…"), self.choose_backup_folder)
        self._action(file, self.tr("Check the &history…"), self.check_history)
        file.addSeparator()
        self.reorganise_action = self._action(
            file, self.tr("Carry into the &two-tier structure (1 July 2025)…") if self.office.tiers == 3
            else self.tr("Divided &communes of the 2025 reorganisation…"), self.reorganise)
        file.addSeparator()
        self._action(file, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        edit = m.addMenu(self.tr("&Edit"))
        # Short fixed texts, so that the toolbar does not move; what would be undone is in the tooltip.
        self.undo_action = QAction(self.tr("&Undo"), self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda _c=False: self.undo_stack.undo())
        self.redo_action = QAction(self.tr("&Redo"), self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.triggered.connect(lambda _c=False: self.undo_stack.redo())
        # Bound methods, not lambdas: Qt drops the connections when the window goes, lambdas would outlive it.
        for signal in (self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged,
                       self.undo_stack.undoTextChanged, self.undo_stack.redoTextChanged):
            signal.connect(self._undo_changed)
        self._update_undo_actions()
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        flow = m.addMenu(self.tr("&Workflow"))
        self.submit_action = self._action(flow, self.tr("&Submit"), self.submit)
        self.approve_action = self._action(flow, self.tr("&Approve"), self.approve)
        self.return_action = self._action(flow, self.tr("&Return with a reason…"), self.return_figures)
        lang = m.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        for code, name in (("vi", "Tiếng Việt"), ("en", "English")):
            a = QAction(name, self, checkable=True)
            a.setChecked(language() == code)
            a.triggered.connect(lambda _c=False, code=code: self.language_requested.emit(code))
            group.addAction(a)
            lang.addAction(a)
        help_ = m.addMenu(self.tr("&Help"))
        self._action(help_, self.tr("&About ParApp"), self.about)
        bar = QToolBar(self.tr("Period and workflow"), self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.picker = PeriodPicker(self.period, self)
        self.picker.period_changed.connect(self.set_period)
        bar.addWidget(self.picker)
        bar.addSeparator()
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)
        bar.addSeparator()
        for a in (self.submit_action, self.approve_action, self.return_action):
            bar.addAction(a)
        self.addToolBar(bar)

    def _undo_changed(self, *_args) -> None:
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        stack = self.undo_stack
        for action, can, detail, plain, named in (
                (self.undo_action, stack.canUndo(), stack.undoText(), self.tr("Undo"), self.tr("Undo: {what}")),
                (self.redo_action, stack.canRedo(), stack.redoText(), self.tr("Redo"), self.tr("Redo: {what}"))):
            action.setEnabled(can)
            tip = named.format(what=detail) if can and detail else plain
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(shortcut)
        a.triggered.connect(lambda _c=False: slot())
        menu.addAction(a)
        return a

    # -- context --------------------------------------------------------------------------------

    def _filter_tree(self, text: str) -> None:
        self.tree_proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()

    def _select_unit(self, code: str) -> None:
        src = self.tree_model.index_for(code)
        idx = self.tree_proxy.mapFromSource(src)
        if idx.isValid():
            self.tree.blockSignals(False)
            self.tree.setCurrentIndex(idx)
            self.tree.scrollTo(idx)

    def _tree_current_changed(self, current, _previous) -> None:
        code = self.tree_model.code_at(self.tree_proxy.mapToSource(current))
        if code and code != self.unit:
            self.set_unit(code)

    def set_unit(self, code: str) -> None:
        self.unit = code
        self._select_unit(code)
        if self.tabs.currentWidget() is self.overview and not self.tree_model.rowCount(self.tree_model.index_for(code)):
            self.tabs.setCurrentWidget(self.entry)  # a unit with none below has nothing to overview: its form
        self._apply_context()

    def set_period(self, period: Period) -> None:
        if period == self.period:
            return
        self.period = period
        self.picker.set_period(period)
        before = self.tree_model.structure()
        self.tree_model.set_period(period)
        if not self.tree_model.index_for(self.unit).isValid():
            # The unit is not in the tree in force for this period (the 2025 reorganisation): its successor
            # or predecessor that is, else the top of the tree.
            self.unit = self._counterpart(self.unit) or self.tree_model.structure()[0]
        if self.tree_model.structure() != before:
            self.tree.expandToDepth(0)
        self._select_unit(self.unit)
        self._apply_context()

    def _counterpart(self, code: str) -> str | None:
        """The unit in the current tree that took over from code, or that code took over from."""
        links = unit_store.successors(self.office.store, code) + unit_store.predecessors(self.office.store, code)
        for link in sorted(links, key=lambda k: not k.is_default):
            for other in (link.successor, link.predecessor):
                if other != code and self.tree_model.index_for(other).isValid():
                    return other
        return None

    def _open_unit_entry(self, code: str) -> None:
        self.set_unit(code)
        self.tabs.setCurrentWidget(self.entry)

    def _apply_context(self) -> None:
        self._stale = {self.entry, self.overview, self.catalogue, self.history}
        self.send_bar.hide()  # it spoke of the unit and period just left
        self._update_tab()
        u = self.office.unit(self.unit)
        from parapp import settings

        portable = " — " + self.tr("portable (data beside the program)") if settings.portable() else ""
        self.setWindowTitle(f"ParApp — {u.name} — {self.period.label(language())}{portable}")
        self._update_actions()
        self.context_changed.emit(self.unit, self.period)

    def _update_tab(self) -> None:
        """Only the visible tab is brought up to date; the others when they are shown."""
        tab = self.tabs.currentWidget()
        if tab in self._stale:
            self._stale.discard(tab)
            try:
                tab.set_context(self.office, self.unit, self.period)
            except ParAppError as e:
                QMessageBox.warning(self, "ParApp", e.message())

    def _data_changed(self) -> None:
        self.tree_model.refresh_statuses()
        self._stale = {self.overview, self.catalogue, self.history, self.entry} - {self.tabs.currentWidget()}
        if self.tabs.currentWidget() is not self.entry:
            self.tabs.currentWidget().refresh()
        elif self.entry.built:
            self.entry.page.update_banner()
        self._update_actions()

    def _imported(self) -> None:
        """Returns were imported: every tab and the tree read the database again."""
        self.tree_model.refresh_statuses()
        current = self.tabs.currentWidget()
        current.refresh()
        self._stale = {self.entry, self.overview, self.catalogue, self.history} - {current}
        self._update_actions()

    def dragEnterEvent(self, event) -> None:
        from parapp.gui.exchange import dropped_paths

        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        from parapp.gui.exchange import dropped_paths

        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.exchange.import_paths(paths)

    def _update_actions(self) -> None:
        st = self.tree_model.status_of(self.unit)
        below_office = self.unit != self.office.office_code
        self.submit_action.setEnabled(st in ("draft", "returned", "errors"))
        self.approve_action.setEnabled(below_office and st == "submitted")
        self.return_action.setEnabled(below_office and st in ("submitted", "approved"))

    # -- workflow -------------------------------------------------------------------------------

    def _workflow(self, fn, done: str) -> bool:
        try:
            fn()
        except ParAppError as e:
            QMessageBox.warning(self, self.tr("ParApp"), e.message())
            return False
        self.undo_stack.clear()  # edits before a status change are not undone across it
        self.entry.refresh()
        self._data_changed()
        self.statusBar().showMessage(done, 5000)
        return True

    def ask(self, title: str, text: str) -> bool:
        """One Yes/No question to the officer, No by default; the tests answer it themselves."""
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def submit(self) -> None:
        # A figure still being typed is stored first (the toolbar's button does not take the focus from it);
        # refused, nothing is submitted: the form says why.
        if self.tabs.currentWidget() is self.entry and not self.entry.commit_editing():
            return
        try:
            messages = self.office.validate(self.unit, self.period)
        except ParAppError:
            messages = []  # the core says why when it is asked to submit
        warnings = [m for m in messages if m.severity == "warning"]
        if warnings and not any(m.severity == "error" for m in messages):  # errors: the core refuses anyway
            from parapp.gui.entry import plain

            lines = "\n".join("△ " + plain(m.describe(language()), self.office.catalogue) for m in warnings)
            if not self.ask(self.tr("Submit with warnings?"), self.tr(
                    "The figures have {n} warning(s):\n\n{warnings}\n\nSubmit them all the same?").format(
                    n=len(warnings), warnings=lines)):
                return
        if self._workflow(lambda: self.office.submit(self.unit, self.period), self.tr("Submitted.")):
            self.send_bar.offer(self.office.unit(self.unit).name, self.period.label(language()))

    def approve(self) -> None:
        from parapp.store.values import stored_values

        u = self.office.unit(self.unit)
        text = self.tr("Approve the figures of {unit} for {period}? They will be locked until the level above "
                       "returns them.").format(unit=u.name, period=self.period.label(language()))
        try:
            stored = stored_values(self.office.store, u.code, str(self.period))
        except ParAppError:
            stored = {}
        latest = max(stored.values(), key=lambda v: v.updated_at or "", default=None)
        if latest is not None and latest.updated_by and latest.updated_by == self.office.officer:
            text += "\n\n" + self.tr("You ({officer}) entered these figures last: approving them yourself means "
                                       "nobody else has checked them.").format(officer=self.office.officer)
        if not self.ask(self.tr("Approve the figures?"), text):
            return
        self._workflow(lambda: self.office.approve(self.unit, self.period), self.tr("Approved and locked."))

    def return_figures(self, reason: str | None = None) -> None:
        if reason is None:
            reason, ok = QInputDialog.getMultiLineText(
                self, self.tr("Return the figures"), self.tr("Why are the figures returned? The unit will read this."))
            if not ok:
                return
        self._workflow(lambda: self.office.return_(self.unit, self.period, reason), self.tr("Returned."))

    def reorganise(self) -> None:
        """The assistant for the 2025 reorganisation; the window is built again if the database changed."""
        from parapp.gui.reorganise_dialog import ReorganiseDialog

        dlg = ReorganiseDialog(self.office, self)
        dlg.exec()
        if dlg.changed:
            self.reopen_requested.emit()

    def about(self) -> None:
        from parapp.gui.about import AboutDialog

        AboutDialog(self.office, self).exec()

    # -- backups --------------------------------------------------------------------------------

    def back_up(self, why: str = "manual", quiet: bool = False) -> bool:
        """A checked backup into the backup folder (and the second folder, if set); says where unless quiet."""
        from parapp.store.backup import make_backup

        if self.office.store.read_only:
            return False
        try:
            path = make_backup(self.office.store, why)
        except ParAppError as e:
            if not quiet:
                QMessageBox.warning(self, "ParApp", e.message())
            return False
        except sqlite3.ProgrammingError:  # the database was closed already (the window outlived it)
            return False
        if not quiet:
            self.statusBar().showMessage(self.tr("Backed up to {path}").format(path=path), 10000)
        return True

    def _daily_backup(self) -> None:
        from datetime import datetime, timedelta

        from parapp.store.backup import backups

        found = backups(self.office.store.path)
        if not found or datetime.now().astimezone() - found[0].at > timedelta(hours=24):
            self.back_up("daily", quiet=True)

    def choose_backup_folder(self) -> None:
        from parapp.gui.qt import QFileDialog

        current = self.office.store.meta("backup_folder") or ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("A second folder for the backups (a USB stick)"),
                                                  current)
        if folder:
            try:
                self.office.store.set_meta("backup_folder", folder)
            except ParAppError as e:
                QMessageBox.warning(self, "ParApp", e.message())
                return
            self.back_up()

    # -- the history's chain ------------------------------------------------------------------------

    def _show_verdict(self, verdict) -> None:
        if verdict is None or verdict.cancelled:
            return
        if verdict.ok:
            self.history_alert.hide()
            return
        self.history_alert.setText("⚠ " + html.escape(verdict.message(language())) + " <a href=\"check\">"
                                   + self.tr("Check the whole history…") + "</a>")
        self.history_alert.show()

    def _check_file_quietly(self) -> None:
        """The quick check of the database file, begun on a thread when it was opened: say if it failed."""
        from parapp.gui.workers import in_background

        store = self.office.store

        def verdict():
            try:
                store.wait_checked()
            except ParAppError as e:
                return e
            return None

        in_background(verdict, self._file_checked)

    def _file_checked(self, error) -> None:
        if error is not None:
            self.damaged.emit(error)

    def _check_history_quietly(self) -> None:
        """At start, on a thread of its own: the newest rows of the chain, the backups' heads, every value."""
        from parapp.gui.workers import in_background
        from parapp.store import audit

        path = self.office.store.path
        in_background(lambda: audit.verify_file(path, quick=True), self._show_verdict)

    def check_history(self) -> None:
        """File → Check the history: the whole chain, with a progress bar and Cancel."""
        from parapp.gui.workers import Task
        from parapp.store import audit

        path = self.office.store.path

        def done(verdict) -> None:
            self._show_verdict(verdict)
            box = QMessageBox.information if verdict.ok else QMessageBox.warning
            box(self, self.tr("The history"), verdict.message(language()))

        task = Task(self, self.tr("Checking the history…"), lambda progress: audit.verify_file(path, progress=progress))
        task.finished.connect(done)
        task.failed.connect(lambda e, _t: QMessageBox.warning(
            self, "ParApp", e.message() if isinstance(e, ParAppError) else str(e)))
        self._history_task = task.start()

    def closeEvent(self, event) -> None:
        from parapp.gui.workers import wait_all

        if self.overview.built:
            self.overview.cancel()
        self.tree_model.stop_checks()
        wait_all(10000)
        if not getattr(self, "_closing_for_restore", False):
            self.back_up("close", quiet=True)
        super().closeEvent(event)


    def _entry_tab(self, parent):
        from parapp.gui.entry import EntryTab

        return EntryTab(self.undo_stack, parent)


def _overview_tab(parent):
    from parapp.gui.overview import OverviewTab

    return OverviewTab(parent)


def _catalogue_tab(parent):
    from parapp.gui.catalogue_tab import CatalogueTab

    return CatalogueTab(parent)


def _history_tab(parent):
    from parapp.gui.history_tab import HistoryTab

    return HistoryTab(parent)


def _default_period() -> Period:
    from parapp.domain.periods import reporting_period

    return reporting_period()
