"""The first-run set-up: which office this computer serves, and where its database lives.

The main window shows it when there is no database yet::

    dialog = FirstRunDialog(parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        if dialog.demo_requested:
            ...  # make (if needed) and open settings.demo_db()
        else:
            ...  # open dialog.office_path: the database exists, fully set up, and is closed again

The form is ui/first_run.ui (texts translated in the context "FirstRunForm"); this module wires it.
Creating the database runs as a parapp.gui.workers.Task; a ParAppError (a read-only folder, a file
that appeared meanwhile…) is shown in a message box and the dialog stays open.
"""

from __future__ import annotations

import threading
from pathlib import Path

from parapp import settings
from parapp.domain import unitlists
from parapp.domain.unitlists import OfficialUnit
from parapp.engine.office import Office, _shipped_sets
from parapp.gui.forms import child, load_form
from parapp.gui.qt import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QObject,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from parapp.gui.workers import Task
from parapp.i18n import ParAppError, fold, nfc

CODE_ROLE = Qt.ItemDataRole.UserRole
FOLD_ROLE = Qt.ItemDataRole.UserRole + 1  # the text as fold() makes it, for searching

LEVELS = ("province", "district", "commune")


class _FoldingCompleter(QCompleter):
    """Completes from FOLD_ROLE with what was typed folded the same way, so "duc tho" finds "Đức Thọ"."""

    def __init__(self, combo: QComboBox):
        super().__init__(combo.model(), combo)
        self.setCompletionRole(FOLD_ROLE)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(15)

    def splitPath(self, path: str) -> list[str]:
        return [fold(path)]

    def pathFromIndex(self, index) -> str:
        return index.data(Qt.ItemDataRole.DisplayRole) or ""


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class FirstRunDialog(QDialog):
    """Set up this computer's office database, or ask for the demo.

    After exec() returns Accepted, exactly one of these holds:
    * ``demo_requested`` is True: the officer wants to try the demo database first;
    * ``office_path`` is the Path of the new database (created, set up and closed).
    """

    def __init__(self, parent: QWidget | None = None, path: Path | None = None):
        super().__init__(parent)
        self.office_path: Path | None = None
        self.demo_requested = False
        self._task: Task | None = None
        self._units: dict[str, OfficialUnit] = {}

        self.form = load_form("first_run", self)
        QVBoxLayout(self).addWidget(self.form)  # the form's own layout has no margins: the dialog's frame it
        self.resize(self.form.size().expandedTo(self.sizeHint()))  # the size drawn in Designer

        f = self.form
        self.province_search = child(f, QLineEdit, "provinceSearch")
        self.province_list = child(f, QListWidget, "provinceList")
        self.three_tiers = child(f, QRadioButton, "threeTiersRadio")
        self.two_tiers = child(f, QRadioButton, "twoTiersRadio")
        self.level_radios = {level: child(f, QRadioButton, f"level{level.capitalize()}Radio") for level in LEVELS}
        self.unit_combo = child(f, QComboBox, "unitCombo")
        self.target_set_combo = child(f, QComboBox, "targetSetCombo")
        self.officer_edit = child(f, QLineEdit, "officerEdit")
        self.db_path_edit = child(f, QLineEdit, "dbPathEdit")
        self.browse_button = child(f, QPushButton, "browseButton")
        self.problem_label = child(f, QLabel, "problemLabel")
        self.demo_button = child(f, QPushButton, "demoButton")
        self.button_box = child(f, QDialogButtonBox, "buttonBox")
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)

        self._tier_group = QButtonGroup(self)
        self._tier_group.addButton(self.three_tiers, 3)
        self._tier_group.addButton(self.two_tiers, 2)
        self._level_group = QButtonGroup(self)
        for i, level in enumerate(LEVELS):
            self._level_group.addButton(self.level_radios[level], i)

        self.province_list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.unit_combo.setCompleter(_FoldingCompleter(self.unit_combo))
        self.unit_combo.setCurrentIndex(-1)
        self.db_path_edit.setText(str(path if path is not None else settings.default_db()))
        self._fill_target_sets()
        self._retranslate()
        self._load_provinces()

        self.province_search.textChanged.connect(self._filter_provinces)
        self.province_search.installEventFilter(self)
        self.province_list.itemSelectionChanged.connect(self._province_changed)
        self._tier_group.idToggled.connect(self._tiers_toggled)
        self._level_group.idToggled.connect(self._level_toggled)
        self.unit_combo.currentIndexChanged.connect(self._validate)
        self.unit_combo.editTextChanged.connect(self._validate)
        self.unit_combo.lineEdit().editingFinished.connect(self._resolve_typed_unit)
        self.officer_edit.textChanged.connect(self._validate)
        self.db_path_edit.textChanged.connect(self._validate)
        self.browse_button.clicked.connect(self._browse)
        self.demo_button.clicked.connect(self._open_demo)
        self.button_box.accepted.connect(self._create)
        self.button_box.rejected.connect(self.reject)

        self.province_search.setFocus()
        self._validate()

    # -- what the officer chose ------------------------------------------------------------------

    @property
    def tiers(self) -> int:
        return 2 if self.two_tiers.isChecked() else 3

    @property
    def province_code(self) -> str | None:
        items = [i for i in self.province_list.selectedItems() if not i.isHidden()]
        return items[0].data(CODE_ROLE) if items else None

    @property
    def level(self) -> str | None:
        i = self._level_group.checkedId()
        return LEVELS[i] if i >= 0 else None

    @property
    def unit_code(self) -> str | None:
        """The chosen unit, only while the combo's text is that unit's name (not half-typed text)."""
        i = self.unit_combo.currentIndex()
        if i < 0 or self.unit_combo.currentText() != self.unit_combo.itemText(i):
            return None
        return self.unit_combo.itemData(i, CODE_ROLE)

    @property
    def target_set_id(self) -> str | None:
        return self.target_set_combo.currentData(CODE_ROLE) or None

    @property
    def officer(self) -> str:
        return nfc(" ".join(self.officer_edit.text().split()))

    @property
    def db_path(self) -> Path | None:
        text = self.db_path_edit.text().strip()
        return Path(text).expanduser().absolute() if text else None

    # -- provinces ---------------------------------------------------------------------------------

    def _load_provinces(self) -> None:
        keep = self.province_code
        lst = self.province_list
        lst.blockSignals(True)
        try:
            lst.clear()
            for unit in unitlists.official_units(self.tiers):
                if unit.level != "province":
                    continue
                item = QListWidgetItem(unit.name)
                item.setData(CODE_ROLE, unit.code)
                item.setData(FOLD_ROLE, fold(unit.name))
                lst.addItem(item)
                if unit.code == keep:
                    item.setSelected(True)
                    lst.setCurrentItem(item)
            self._filter_provinces(self.province_search.text(), notify=False)
        finally:
            lst.blockSignals(False)
        self._province_changed()

    def _filter_provinces(self, text: str, notify: bool = True) -> None:
        wanted = fold(text)
        lst = self.province_list
        lost_selection = False
        for row in range(lst.count()):
            item = lst.item(row)
            hidden = wanted not in item.data(FOLD_ROLE)
            item.setHidden(hidden)
            if hidden and item.isSelected():
                item.setSelected(False)
                lost_selection = True
        if lost_selection and notify:
            self._province_changed()

    def _visible_provinces(self) -> list[QListWidgetItem]:
        lst = self.province_list
        return [lst.item(r) for r in range(lst.count()) if not lst.item(r).isHidden()]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # In the search box, Enter picks the first province shown (rather than pressing OK) and Down
        # moves into the list.
        if obj is self.province_search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
                visible = self._visible_provinces()
                if visible:
                    if key != Qt.Key.Key_Down or self.province_code is None:
                        self.province_list.setCurrentItem(visible[0])
                        visible[0].setSelected(True)
                    self.province_list.setFocus()
                return True
        return super().eventFilter(obj, event)

    def _province_changed(self) -> None:
        self._preselect_target_set()
        self._load_units()

    def _tiers_toggled(self, tier_id: int, checked: bool) -> None:
        if not checked:
            return
        district = self.level_radios["district"]
        district.setEnabled(self.tiers == 3)
        if self.tiers == 2 and district.isChecked():
            # There are no district offices any more: let the officer choose the level again.
            self._level_group.setExclusive(False)
            district.setChecked(False)
            self._level_group.setExclusive(True)
        self._retranslate()
        self._load_provinces()

    # -- the office's unit -------------------------------------------------------------------------

    def _level_toggled(self, level_id: int, checked: bool) -> None:
        if checked:
            self._load_units()

    def _load_units(self, keep_unit: bool = False) -> None:
        combo = self.unit_combo
        province, level = self.province_code, self.level
        self._units = {u.code: u for u in unitlists.province_units(self.tiers, province)} if province else {}
        units = [u for u in self._units.values() if u.level == level]
        keep = self.unit_code if keep_unit else None
        combo.blockSignals(True)
        try:
            combo.clear()
            for unit in units:
                parent = self._units.get(unit.parent or "")
                if unit.level == "commune" and parent is not None and parent.level == "district":
                    # Communes of different districts can share a name: say which district.
                    text = self.tr("{commune} ({district})").format(commune=unit.name, district=parent.name)
                else:
                    text = unit.name
                combo.addItem(text)
                row = combo.count() - 1
                combo.setItemData(row, unit.code, CODE_ROLE)
                combo.setItemData(row, fold(text), FOLD_ROLE)
            row = combo.findData(keep, CODE_ROLE) if keep else -1
            combo.setCurrentIndex(0 if len(units) == 1 else row)
            if combo.currentIndex() < 0:
                combo.clearEditText()
        finally:
            combo.blockSignals(False)
        combo.setEnabled(bool(units))
        self._validate()

    def _resolve_typed_unit(self) -> None:
        """Typed text that names one unit (exactly, or as the only match) selects that unit."""
        combo = self.unit_combo
        if self.unit_code is not None:
            return
        typed = fold(combo.currentText())
        if not typed:
            return
        folded = [combo.itemData(r, FOLD_ROLE) for r in range(combo.count())]
        exact = [r for r, t in enumerate(folded) if t == typed]
        found = exact or [r for r, t in enumerate(folded) if typed in t]
        if len(found) == 1:
            combo.setCurrentIndex(found[0])
            combo.setEditText(combo.itemText(found[0]))

    # -- target set --------------------------------------------------------------------------------

    def _fill_target_sets(self) -> None:
        combo = self.target_set_combo
        keep = combo.currentData(CODE_ROLE)
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(self.tr("None (choose or import one later)"))
            combo.setItemData(0, "", CODE_ROLE)
            for ts in _shipped_sets().values():
                combo.addItem(ts.name.get())
                row = combo.count() - 1
                combo.setItemData(row, ts.id, CODE_ROLE)
                tip = self.tr("{document}, {issuer}, {date}; years {first}–{last}").format(
                    document=ts.document, issuer=ts.issuer, date=ts.date, first=ts.years[0], last=ts.years[1])
                combo.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)
            if keep is not None:
                combo.setCurrentIndex(max(0, combo.findData(keep, CODE_ROLE)))
        finally:
            combo.blockSignals(False)

    def _preselect_target_set(self) -> None:
        """The province's own target set, if ParApp ships one; otherwise none."""
        province = self.province_code
        own = next((ts.id for ts in _shipped_sets().values() if province and ts.province == province), "")
        self.target_set_combo.setCurrentIndex(max(0, self.target_set_combo.findData(own, CODE_ROLE)))

    # -- database file -----------------------------------------------------------------------------

    def _browse(self) -> None:
        start = self.db_path or settings.default_db()
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Where to keep the office database"), str(start),
            self.tr("ParApp databases (*.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite)  # we never overwrite: the label explains
        if chosen:
            path = Path(chosen)
            self.db_path_edit.setText(str(path if path.suffix else path.with_suffix(".db")))

    # -- checking ----------------------------------------------------------------------------------

    def problem(self) -> str | None:
        """What still keeps OK disabled, as a sentence for the officer; None when all is ready."""
        if self.province_code is None:
            return self.tr("Choose your province from the list.")
        if self.level is None:
            return self.tr("Choose the level of this office: province, district or commune.")
        if self.unit_code is None:
            return self.tr("Choose this office's unit from the list (type part of its name to search).")
        if not self.officer:
            return self.tr("Type the officer's name; it is recorded with every figure entered.")
        path = self.db_path
        if path is None:
            return self.tr("Choose where to keep the database file.")
        if path.is_dir():
            return self.tr("⚠ {path} is a folder. Add a file name, for example parapp.db.").format(path=path)
        if path.exists():
            return self.tr("⚠ A file already exists at {path}. ParApp never overwrites a file: "
                           "choose another name, or cancel and open that database instead.").format(path=path)
        return None

    def _validate(self) -> None:
        problem = self.problem()
        busy = self._task is not None
        self.ok_button.setEnabled(problem is None and not busy)
        if problem is None:
            problem = self.tr("The database will be created at {path}.").format(path=self.db_path)
        self.problem_label.setText(problem)

    # -- creating ----------------------------------------------------------------------------------

    def _create(self) -> None:
        if self._task is not None or self.problem() is not None:
            return
        path, province, office, tiers = self.db_path, self.province_code, self.unit_code, self.tiers
        target_set, officer = self.target_set_id, self.officer
        made = threading.Event()  # set while a database this task created is on disk

        def work(progress):
            db = Office.create(path, province, office=office, tiers=tiers, target_set=target_set, officer=officer)
            try:
                if target_set is None and db.target_set is not None:
                    db.store.set_meta("target_set", "")  # "None" chosen over the province's own set
            except BaseException:
                db.close()
                _remove_database(path)
                raise
            db.close()
            made.set()
            if not progress(1, 1):  # cancelled meanwhile: leave nothing behind
                _remove_database(path)
                made.clear()
                return None
            return path

        self._task = Task(self, self.tr("Creating the office database…"), work)
        self._task.finished.connect(self._created)
        self._task.failed.connect(self._failed)
        self._task.cancelled.connect(lambda: self._cancelled(path, made))
        self._set_busy(True)
        self._task.start()

    def _set_busy(self, busy: bool) -> None:
        if not busy:
            self._task = None
        self.form.setEnabled(not busy)
        self._validate()

    def _created(self, path: Path) -> None:
        self._set_busy(False)
        self.office_path = path
        self.accept()

    def _failed(self, exc: BaseException, text: str) -> None:
        self._set_busy(False)
        if isinstance(exc, ParAppError):
            QMessageBox.warning(self, self.tr("ParApp"), exc.message())
            return
        raise exc  # a bug: the application's excepthook shows the crash dialog

    def _cancelled(self, path: Path, made: threading.Event) -> None:
        if made.is_set():  # cancelled after the database was finished
            _remove_database(path)
        self._set_busy(False)

    def _open_demo(self) -> None:
        self.demo_requested = True
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            return  # the progress dialog's Cancel stops the creation
        super().reject()

    # -- language ----------------------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.setWindowTitle(self.form.windowTitle())
        self.unit_combo.lineEdit().setPlaceholderText(self.tr("Type part of the name to search"))
        self.level_radios["district"].setToolTip(
            self.tr("There are no districts in the two-tier structure.") if self.tiers == 2 else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill_target_sets()
            self._load_units(keep_unit=True)
        super().changeEvent(event)
