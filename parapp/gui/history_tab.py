"""The history tab: every change to a unit's figures for the period (or for all periods), newest first.

Read from the append-only audit log: who changed what, when, from which value to which, with the
comment, the reason and the file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from parapp.domain.catalogue import Catalogue
from parapp.domain.periods import Period
from parapp.gui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QComboBox,
    QCoreApplication,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QtWidgets,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.gui.style import WORKFLOW_STYLE
from parapp.i18n import ParAppError, format_number, matches
from parapp.store.values import STATUS_NAMES, AuditEntry, audit_log

_USER = int(Qt.ItemDataRole.UserRole)
ENTRY_ROLE = _USER + 1  # the AuditEntry of the row
KINDS_ROLE = _USER + 2  # frozenset of "value", "comment", "status", "other"
SEARCH_ROLE = _USER + 3  # who, what and comments: what the filter box looks in

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

FILTER_KINDS = ("all", "value", "comment", "status")


def local_time(stamp: str) -> str:
    """An audit time stamp (ISO 8601 with offset) as dd/mm/yyyy HH:MM in this computer's time zone."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return stamp or ""


def format_value(value: float | None) -> str:
    """A stored value in the current language, with the decimals it has (1.234,5 in Vietnamese)."""
    if value is None:
        return QCoreApplication.translate("HistoryModel", "(empty)")
    if value == int(value):
        return format_number(value, 0)
    shown = repr(float(value))
    decimals = 6 if "e" in shown else min(6, len(shown.partition(".")[2]))
    return format_number(value, decimals)


def status_text(status: str | None) -> str:
    style = WORKFLOW_STYLE.get(status)
    name = STATUS_NAMES.get(status)
    if name is None:
        return status or ""
    return f"{style.symbol} {name.get()}" if style else name.get()


@dataclass(frozen=True)
class _Row:
    entry: AuditEntry
    texts: tuple[str, ...]
    tips: tuple[str, ...]
    kinds: frozenset[str]
    search: str


class HistoryModel(QAbstractTableModel):
    """Audit entries, newest first, as texts in the current language.

    Columns: time, period, who, what, before, after, comment, reason, source file.
    """

    TIME, PERIOD, WHO, WHAT, BEFORE, AFTER, COMMENT, REASON, SOURCE = range(9)
    COLUMNS = 9

    def __init__(self, parent=None):
        super().__init__(parent)
        self._entries: list[AuditEntry] = []
        self._catalogue: Catalogue | None = None
        self._set_names: dict[str, str] = {}
        self._rows: list[_Row] = []

    def set_entries(self, entries: list[AuditEntry], catalogue: Catalogue | None,
                    set_names: dict[str, str] | None = None) -> None:
        """Show these entries (in any order; they are shown newest first)."""
        self.beginResetModel()
        self._entries = sorted(entries, key=lambda e: e.id, reverse=True)
        self._catalogue = catalogue
        self._set_names = dict(set_names or {})
        self._rows = [self._row(e) for e in self._entries]
        self.endResetModel()

    def relabel(self) -> None:
        """The language changed: the texts again."""
        self.set_entries(self._entries, self._catalogue, self._set_names)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.COLUMNS - 1)

    def entry(self, row: int) -> AuditEntry:
        return self._rows[row].entry

    def text(self, row: int, column: int) -> str:
        return self._rows[row].texts[column]

    # -- a row

    def _row(self, e: AuditEntry) -> _Row:
        what, before, after, reason, comment = e.action, "", "", e.reason or "", ""
        what_tip = before_tip = after_tip = comment_tip = ""
        kinds: set[str] = set()
        if e.action == "value":
            el = self._catalogue.elements.get(e.element or "") if self._catalogue else None
            what = el.name.get() if el else (e.element or "")
            what_tip = f"{what} ({e.element})"
            before, after = format_value(e.old_value), format_value(e.new_value)
            if e.old_value != e.new_value:
                kinds.add("value")
            if (e.old_comment or None) != (e.new_comment or None):
                kinds.add("comment")
            if not kinds:
                kinds.add("value")
            comment = e.new_comment or (self.tr("(removed)") if e.old_comment else "")
            if e.old_comment and e.old_comment != e.new_comment:
                comment_tip = self.tr("Before: {comment}").format(comment=e.old_comment)
        elif e.action == "status":
            kinds.add("status")
            what = self.tr("Status")
            before, after = status_text(e.old_status), status_text(e.new_status)
        else:
            kinds.add("other")
            if e.action == "target_set":
                what, reason = self.tr("Target set"), ""
                after = self._set_names.get(e.reason or "", e.reason or "")
                after_tip = e.reason or ""
            elif e.action == "rename":
                what, reason = self.tr("Unit name"), ""
                before, _, after = (e.reason or "").partition(" → ")
            elif e.action == "add_unit":
                what, reason = self.tr("Unit added"), ""
                after = e.reason or ""
            elif e.action == "retire_unit":
                what = self.tr("Unit retired")
            elif e.action == "reorganise":
                what = self.tr("Carried into the two-tier structure")
            elif e.action == "division":
                what, reason = self.tr("Shares of a divided commune"), ""
                after = self.tr("default successor") if e.reason == "default" else (e.reason or "")
            elif e.action == "take_in":
                what = self.tr("Old province's database taken in")
            elif e.action == "accept_return":
                what = self.tr("Return accepted without a sound signature")
            elif e.action == "key":
                what = self.tr("Signing key of an office")
            elif e.action == "dhis2_push":
                what = self.tr("Sent to DHIS2")
        period = ""
        if e.period:
            try:
                period = Period.parse(e.period).label()
            except ParAppError:
                period = e.period
        source = Path(e.source).name if e.source else ""
        texts = (local_time(e.at), period, e.who or "", what, before, after, comment, reason, source)
        tips = (e.at, e.period or "", "", what_tip, before_tip, after_tip, comment_tip or comment, reason,
                e.source or "")
        search = "\n".join((e.who or "", what, e.element or "", e.new_comment or "", e.old_comment or "",
                            e.reason or ""))
        return _Row(e, texts, tips, frozenset(kinds), search)

    # -- the model

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < self.COLUMNS:
            return (self.tr("Time"), self.tr("Period"), self.tr("Who"), self.tr("What"), self.tr("Before"),
                    self.tr("After"), self.tr("Comment"), self.tr("Reason"), self.tr("Source file"))[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == _DISPLAY:
            return row.texts[col]
        if role == _TOOLTIP:
            return row.tips[col] or None
        if role == ENTRY_ROLE:
            return row.entry
        if role == KINDS_ROLE:
            return row.kinds
        if role == SEARCH_ROLE:
            return row.search
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.BEFORE, self.AFTER) \
                and row.entry.action == "value":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class HistoryFilter(QSortFilterProxyModel):
    """Rows whose who, what or comment contain the text, and of the chosen kind (FILTER_KINDS)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._kind = "all"

    def set_text(self, text: str) -> None:
        self._change(lambda: setattr(self, "_text", text.strip()))

    def set_kind(self, kind: str) -> None:
        assert kind in FILTER_KINDS
        self._change(lambda: setattr(self, "_kind", kind))

    def _change(self, change) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        index = self.sourceModel().index(row, 0, parent)
        if self._kind != "all" and self._kind not in (index.data(KINDS_ROLE) or ()):
            return False
        return matches(self._text, index.data(SEARCH_ROLE) or "")


class HistoryTab(QWidget):
    """The audit log of the chosen unit and period; see docs/gui.md for the tab interface."""

    # part of the tab interface; this tab only reads and never emits them
    data_changed = Signal()
    unit_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = None
        self.unit_code: str | None = None
        self.period: Period | None = None
        self._problem = ""

        self.model = HistoryModel(self)
        self.proxy = HistoryFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.kind_combo = QComboBox()
        for kind in FILTER_KINDS:
            self.kind_combo.addItem("", kind)
        self.kind_combo.currentIndexChanged.connect(self._filter_changed)
        self.all_periods = QtWidgets.QCheckBox()
        self.all_periods.toggled.connect(self._all_periods_toggled)
        self.count_label = QLabel()

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnHidden(HistoryModel.PERIOD, True)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.all_periods)
        filters.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        self._retranslate()
        self._update_state()

    # -- the tab interface

    def set_context(self, office, unit_code: str | None, period: Period | str | None) -> None:
        self.office = office
        self.unit_code = unit_code
        self.period = Period.parse(period) if isinstance(period, str) else period
        self.refresh()

    def refresh(self) -> None:
        """Read the log again."""
        office, entries, self._problem = self.office, [], ""
        if office is not None and self.unit_code:
            try:
                if self.all_periods.isChecked():
                    entries = audit_log(office.store, office.unit(self.unit_code).code)
                elif self.period is not None:
                    entries = office.history(self.unit_code, self.period)
            except ParAppError as e:
                self._problem = e.message()
        set_names = {}
        if office is not None and any(e.action == "target_set" for e in entries):
            set_names = {k: ts.name.get() for k, ts in office.target_sets().items()}
        self.model.set_entries(entries, office.catalogue if office is not None else None, set_names)
        self.table.setColumnHidden(HistoryModel.PERIOD, not self.all_periods.isChecked())
        if self.model.rowCount() <= 2000:
            self.table.resizeColumnsToContents()
            for col in (HistoryModel.WHAT, HistoryModel.COMMENT, HistoryModel.REASON):
                self.table.setColumnWidth(col, min(self.table.columnWidth(col), 320))
            self._room_for_last()
        self._update_state()

    def _room_for_last(self) -> None:
        """The last column (stretched over what is left) whole: the long texts give up room for it."""
        table, last = self.table, HistoryModel.SOURCE
        if not self.isVisible():
            return  # not on screen: measured when shown (the window sets a tab's context when it is shown)
        if self.isVisible() and not table.isVisible():  # it was empty: shown now, laid out, to be measured
            table.setVisible(True)
            self.empty_label.setVisible(False)
            self.layout().activate()
        width = table.viewport().width()
        need = table.sizeHintForColumn(last)
        others = sum(table.columnWidth(c) for c in range(last) if not table.isColumnHidden(c))
        short = others + need - width
        for col in (HistoryModel.COMMENT, HistoryModel.REASON, HistoryModel.WHAT):
            if short <= 0:
                break
            give = max(0, min(short, table.columnWidth(col) - 120))
            table.setColumnWidth(col, table.columnWidth(col) - give)
            short -= give

    # -- filtering

    def kind(self) -> str:
        return self.kind_combo.currentData() or "all"

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(FILTER_KINDS.index(kind))

    def _filter_changed(self, *_args) -> None:
        self.proxy.set_text(self.filter_edit.text())
        self.proxy.set_kind(self.kind())
        self._update_state()

    def _all_periods_toggled(self, _checked: bool) -> None:
        self.refresh()

    def _update_state(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.table.setVisible(total > 0)
        self.empty_label.setVisible(total == 0)
        self.empty_label.setText(self._problem or self.tr("No changes yet."))
        if total == 0:
            self.count_label.setText("")
        elif shown == total:
            self.count_label.setText(self.tr("Changes: {count}").format(count=total))
        else:
            self.count_label.setText(self.tr("Changes shown: {shown} of {count}").format(shown=shown, count=total))

    # -- language

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.model.relabel()
            self._update_state()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.filter_edit.setPlaceholderText(self.tr("Filter by who, what or comment"))
        names = {"all": self.tr("All changes"), "value": self.tr("Values"), "comment": self.tr("Comments"),
                 "status": self.tr("Status")}
        for i, kind in enumerate(FILTER_KINDS):
            self.kind_combo.setItemText(i, names[kind])
        self.all_periods.setText(self.tr("All periods"))
        self.all_periods.setToolTip(self.tr("Show the changes of this unit in every period, not only the chosen one."))
