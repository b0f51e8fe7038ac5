"""Data entry: the unit's form as a spreadsheet-like grid, keyboard first, every edit saved and undoable."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from parapp.domain.catalogue import Element, Group, Indicator
from parapp.domain.periods import Period
from parapp.engine.compliance import IndicatorResult
from parapp.engine.office import Office, UnitReport
from parapp.engine.validation import Message
from parapp.gui.qt import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QAbstractTableModel,
    QApplication,
    QBrush,
    QColor,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QUndoCommand,
    QUndoStack,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.gui.style import ERROR_TINT, GROUP_TINT, STATUS_STYLE, TAMPER_TINT, WARNING_TINT
from parapp.i18n import ParAppError, format_number, language

NAME, VALUE, TARGET, STATUS, COMMENT = range(5)
VALUE_SAMPLE = "9.999.999.999"  # the value column holds at least this much (37.657, 97,89%)


def plain(text: str, catalogue) -> str:
    """The text without the catalogue's internal codes: " (received_new)" goes, a bare code becomes its name.

    The core's messages name an element by its name and its code; the officer reads the name only (the
    tooltips keep the codes).
    """
    if catalogue is None or not text:
        return text
    codes = set(catalogue.elements) | set(catalogue.indicators) | {r.code for r in catalogue.rules}

    def drop(m: re.Match) -> str:
        return "" if m.group(1) in codes else m.group(0)

    def name(m: re.Match) -> str:
        code = m.group(0)
        item = catalogue.elements.get(code) or catalogue.indicators.get(code)
        if item is not None:
            return item.name.get()
        rule = next((r for r in catalogue.rules if r.code == code), None)
        return rule.name.get() if rule is not None else code

    text = re.sub(r"\s*\(([A-Za-z0-9_]+)\)", drop, text)
    return re.sub(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", name, text)


@dataclass(frozen=True)
class _Row:
    kind: str  # group | element | indicator
    group: Group
    element: Element | None = None
    indicator: Indicator | None = None


def _day(stamp: str | None) -> str:
    """An ISO time stamp as the day officers write: dd/mm/yyyy, in this computer's time zone."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp or "").astimezone().strftime("%d/%m/%Y")
    except ValueError:
        return stamp or "?"


class EntryModel(QAbstractTableModel):
    """One unit-period: group headers, elements (editable) and indicators (computed)."""

    refused = Signal(str)  # a value the officer typed that cannot be stored, with the reason
    accepted = Signal()  # a value or a pasted block the officer typed was good (stored, or already so)
    saved = Signal()  # something was written to the database

    def __init__(self, parent=None):
        super().__init__(parent)
        self.office: Office | None = None
        self.unit: str | None = None
        self.period: Period | None = None
        self.report: UnitReport | None = None
        self.undo_stack: QUndoStack | None = None
        self._rows: list[_Row] = []
        self.tampered: dict = {}  # element -> audit.Drift: values changed with another tool
        self._results: dict[str, IndicatorResult] = {}
        self._messages: dict[str, list[Message]] = {}

    # -- context --------------------------------------------------------------------------------

    def set_context(self, office: Office, unit: str, period: Period) -> None:
        self.beginResetModel()
        self.office, self.unit, self.period = office, unit, period
        level = office.unit(unit).level
        cat = office.catalogue
        rows: list[_Row] = []
        for g in cat.groups:
            els = [e for e in cat.elements_for(level) if e.group == g.code]
            inds = [i for i in cat.indicators_for(level) if i.group == g.code]
            if not els and not inds:
                continue
            rows.append(_Row("group", g))
            rows += [_Row("element", g, element=e) for e in els]
            rows += [_Row("indicator", g, indicator=i) for i in inds]
        self._rows = rows
        self._load()
        self.endResetModel()

    def _load(self) -> None:
        self.report = self.office.report(self.unit, self.period, with_rollup=False)
        self.tampered = self.office.tampered(self.unit, self.period)
        self._results = {r.code: r for r in self.report.indicators}
        self._messages = {}
        for m in self.report.messages:
            for e in m.elements:
                self._messages.setdefault(e, []).append(m)

    def reload(self) -> None:
        if self.office is None:
            return
        self._load()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COMMENT))

    @property
    def locked(self) -> bool:
        return bool(self.report and self.report.status and self.report.status.status == "approved")

    # -- lookup ---------------------------------------------------------------------------------

    def row_kind(self, row: int) -> str:
        return self._rows[row].kind

    def element_at(self, row: int) -> Element | None:
        return self._rows[row].element if 0 <= row < len(self._rows) else None

    def row_of(self, code: str) -> int:
        return next(i for i, r in enumerate(self._rows)
                    if (r.element and r.element.code == code) or (r.indicator and r.indicator.code == code))

    def is_editable(self, index: QModelIndex) -> bool:
        return (index.isValid() and self._rows[index.row()].kind == "element" and index.column() in (VALUE, COMMENT)
                and not self.locked)

    # -- QAbstractTableModel ----------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return [self.tr("Item"), self.tr("Value"), self.tr("Target"), self.tr("Status"), self.tr("Comment")][section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(index):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.report is None:
            return None
        row, col = self._rows[index.row()], index.column()
        if row.kind == "group":
            return self._group_data(row, col, role)
        if row.kind == "element":
            return self._element_data(row.element, col, role)
        return self._indicator_data(row.indicator, col, role)

    def _group_data(self, row: _Row, col: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole and col == NAME:
            return row.group.name.get()
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(GROUP_TINT))
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            f.setBold(True)
            return f
        return None

    def _element_data(self, el: Element, col: int, role: int):
        rep = self.report
        value = rep.own.values.get(el.code)
        stored = rep.stored.get(el.code)
        msgs = self._messages.get(el.code, [])
        tampered = self.tampered.get(el.code)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == NAME:
                return el.name.get() if role == Qt.ItemDataRole.DisplayRole else None
            if col == VALUE:
                if value is None:
                    return ""
                return format_number(value, 0 if el.is_whole else _decimals(value))
            if col == COMMENT:
                return (stored.comment or "") if stored else ""
            if col == STATUS and tampered and role == Qt.ItemDataRole.DisplayRole:
                return "⚠ " + self.tr("Changed outside ParApp")
            if col == STATUS and msgs and role == Qt.ItemDataRole.DisplayRole:
                worst = "error" if any(m.severity == "error" for m in msgs) else "warning"
                return ("⚠ " + self.tr("Error")) if worst == "error" else ("⚠ " + self.tr("Warning"))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col in (VALUE, STATUS) and tampered:
            return QBrush(QColor(TAMPER_TINT))
        if role == Qt.ItemDataRole.BackgroundRole and col in (VALUE, STATUS) and msgs:
            return QBrush(QColor(ERROR_TINT if any(m.severity == "error" for m in msgs) else WARNING_TINT))
        if role == Qt.ItemDataRole.FontRole and col == VALUE and value is not None and stored is None:
            f = QFont()
            f.setItalic(True)  # made up from the quarters, not typed for this period
            return f
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{el.name.get()} ({el.code})"]
            if el.unit:
                lines[0] += f" — {el.unit.get()}"
            if value is not None and stored is None:
                lines.append(self.tr("Computed from the shorter periods; typing a value here stores one for this period."))
            if stored and stored.updated_by:
                lines.append(self.tr("Entered by {who}").format(who=stored.updated_by))
            if tampered:
                lines.append("⚠ " + self._tamper_text(el, tampered))
            lines += [("⚠ " if m.severity == "error" else "△ ") + m.describe(language()) for m in msgs]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and tampered:
            return self._tamper_text(el, tampered)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and msgs:
            return "; ".join(m.describe(language()) for m in msgs)
        return None

    def _tamper_text(self, el: Element, d) -> str:
        def show(v):
            return self.tr("(none)") if v is None else format_number(v, 0 if el.is_whole else _decimals(v))

        return self.tr("This value was changed with another tool, not ParApp: the history says {chained}, the "
                       "database holds {stored}. Saving a value here records it in the history again.").format(
            chained=show(d.chained), stored=show(d.stored))

    def _indicator_data(self, ind: Indicator, col: int, role: int):
        r = self._results.get(ind.code)
        if r is None:
            return None
        style = STATUS_STYLE[r.status]
        pct = "%" if ind.kind in ("ratio", "percent") else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if col == NAME:
                return "   ƒ " + ind.name.get()
            if col == VALUE:
                return "—" if r.value is None else format_number(r.value, ind.decimals) + pct
            if col == TARGET:
                return r.target_text(language())
            if col == STATUS:
                return f"{style.symbol} {style.name.get()}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col in (VALUE, STATUS):
            return QBrush(QColor(style.tint))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(style.colour)) if col == STATUS else QBrush(QColor("#333333"))
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [ind.name.get()]
            if ind.denominator is not None:
                lines.append(f"= ({ind.numerator.text}) / ({ind.denominator.text}) × 100")
            if r.checks:
                lines.append(self.tr("Target: {target}").format(target=r.target_text(language())))
                lines.append(self.tr("Source: {source}").format(source=r.source()))
            lines += [c.note.get() for c in r.checks if c.note]
            return "\n".join(lines)
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.is_editable(index):
            return False
        el = self._rows[index.row()].element
        text = "" if value is None else str(value)
        try:
            if index.column() == VALUE:
                new = self.office.parse_value(el.code, text)
                stored = self.report.stored.get(el.code)
                old = stored.value if stored else None
                if new != old:
                    self._push(EditCommand(self, {el.code: old}, {el.code: new}, {}, {},
                                           self.tr("Enter {name}").format(name=el.name.get())))
            else:
                stored = self.report.stored.get(el.code)
                if stored is None:
                    self.refused.emit(self.tr("Enter a value before adding a comment to it."))
                    return False
                old_c, new_c = stored.comment, text.strip() or None
                if old_c == new_c:
                    return True
                self._push(EditCommand(self, {}, {}, {el.code: old_c}, {el.code: new_c},
                                       self.tr("Comment on {name}").format(name=el.name.get())))
        except ParAppError as e:
            self.refused.emit(e.message())
            return False
        self.accepted.emit()
        return True

    def paste(self, start_row: int, text: str) -> int:
        """Paste a block copied from Excel: one value per line, into this and the following elements.

        All the values are checked first; one that cannot be stored refuses the whole block.
        Returns how many values were pasted.
        """
        lines = [ln.split("\t")[0] for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        while lines and not lines[-1].strip():
            lines.pop()
        rows = [i for i in range(start_row, len(self._rows)) if self._rows[i].kind == "element"]
        if not lines or not rows or self.locked:
            return 0
        olds, news = {}, {}
        for i, line in zip(rows, lines, strict=False):
            el = self._rows[i].element
            try:
                new = self.office.parse_value(el.code, line)
            except ParAppError as e:
                self.refused.emit(self.tr("Nothing was pasted: {reason}").format(reason=e.message()))
                return 0
            stored = self.report.stored.get(el.code)
            olds[el.code], news[el.code] = (stored.value if stored else None), new
        try:
            self._push(EditCommand(self, olds, news, {}, {}, self.tr("Paste {n} values").format(n=len(news))))
        except ParAppError as e:
            self.refused.emit(self.tr("Nothing was pasted: {reason}").format(reason=e.message()))
            return 0
        self.accepted.emit()
        return len(news)

    def _push(self, cmd: EditCommand) -> None:
        if self.undo_stack is not None:
            self.undo_stack.push(cmd)  # push() runs redo()
        else:
            cmd.redo()
        if cmd.error:
            raise cmd.error


class EditCommand(QUndoCommand):
    """One edit (or one pasted block) of one unit-period, saved at once; undo saves the old values back."""

    def __init__(self, model: EntryModel, old: dict, new: dict, old_comments: dict, new_comments: dict, text: str):
        super().__init__(text)
        self.model, self.office, self.unit, self.period = model, model.office, model.unit, model.period
        self.old, self.new, self.old_comments, self.new_comments = old, new, old_comments, new_comments
        self.error: ParAppError | None = None

    def _apply(self, values: dict, comments: dict) -> None:
        self.error = None
        try:
            self.office.enter(self.unit, self.period, values, comments=comments)
        except ParAppError as e:  # e.g. the period was approved meanwhile: nothing was stored
            self.error = e
            self.setObsolete(True)
            return
        if self.model.office is self.office and self.model.unit == self.unit and self.model.period == self.period:
            self.model.reload()
        self.model.saved.emit()

    def redo(self) -> None:
        self._apply(self.new, self.new_comments)

    def undo(self) -> None:
        self._apply(self.old, self.old_comments)


def _decimals(v: float) -> int:
    return 0 if v == int(v) else 2


class EntryView(QTableView):
    """Keyboard first: type to edit, Enter and Tab move to the next value, Esc cancels, Ctrl+V pastes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(False)
        self.verticalHeader().hide()
        self.setWordWrap(False)

    def _step(self, delta: int) -> None:
        model: EntryModel = self.model()
        cur = self.currentIndex()
        col = cur.column() if cur.column() in (VALUE, COMMENT) else VALUE
        row = cur.row() + delta
        while 0 <= row < model.rowCount():
            if model.row_kind(row) == "element":
                self.setCurrentIndex(model.index(row, col))
                return
            row += delta

    def closeEditor(self, editor, hint) -> None:
        H = QAbstractItemDelegate.EndEditHint
        super().closeEditor(editor, H.NoHint if hint in (H.EditNextItem, H.EditPreviousItem, H.SubmitModelCache)
                            else hint)
        if hint in (H.EditNextItem, H.SubmitModelCache):
            self._step(+1)
        elif hint == H.EditPreviousItem:
            self._step(-1)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QApplication.clipboard().text()
            if text:
                self.model().paste(self.currentIndex().row(), text)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Down) and \
                self.state() != QAbstractItemView.State.EditingState:
            self._step(+1)
            return
        if event.key() in (Qt.Key.Key_Backtab, Qt.Key.Key_Up) and self.state() != QAbstractItemView.State.EditingState:
            self._step(-1)
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # Tab stays in the grid
        if self.state() == QAbstractItemView.State.EditingState:
            return super().focusNextPrevChild(next)
        self._step(+1 if next else -1)
        return True


class EntryTab(QWidget):
    """The Data entry tab: the grid, a line saying whether the figures are locked, and the messages."""

    unit_requested = Signal(str)
    data_changed = Signal()

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.model = EntryModel(self)
        self.model.undo_stack = undo_stack
        self.view = EntryView(self)
        self.view.setModel(self.model)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"background: {ERROR_TINT}; padding: 6px; border-radius: 3px;")
        self.message.hide()
        hide = QPushButton(self.tr("Close"), self)
        hide.clicked.connect(self.message.hide)
        hide.hide()
        top = QHBoxLayout()
        top.addWidget(self.banner, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.message)
        self._status: tuple | None = None  # (unit, period, status) the banner last showed
        self.model.refused.connect(self.show_refusal)
        self.model.accepted.connect(self.message.hide)
        self.model.saved.connect(self.update_banner)
        self.model.saved.connect(self.data_changed)
        self.model.modelReset.connect(self._after_reset)

    def commit_editing(self) -> bool:
        """Store the value in the cell being edited, if one is; False if it was refused."""
        if self.view.state() != QAbstractItemView.State.EditingState:
            return True
        editor = next((e for e in self.view.findChildren(QLineEdit) if e.isVisible()), None)
        if editor is None:
            return True
        refused: list[str] = []

        def note(text: str) -> None:
            refused.append(text)

        self.model.refused.connect(note)
        try:
            self.view.commitData(editor)
        finally:
            self.model.refused.disconnect(note)
        self.view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        return not refused

    def show_refusal(self, text: str) -> None:
        office = self.model.office
        self.message.setText("⚠ " + plain(text, office.catalogue if office is not None else None))
        self.message.setToolTip(text)  # with the codes, for whoever helps the officer
        self.message.show()

    def set_context(self, office: Office, unit: str, period: Period) -> None:
        self.message.hide()
        self.model.set_context(office, unit, period)

    def refresh(self) -> None:
        self.model.reload()
        self.update_banner()

    def _after_reset(self) -> None:
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.ResizeToContents)
        # Room for a number such as 37.657 or 97,89% even while the form is empty.
        h.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(VALUE, max(self.value_width(), self.view.sizeHintForColumn(VALUE)))
        # A long target ("15% in 2021, +20 points a year (up to 100%)") is cut, whole in its tooltip, so that
        # the names keep their room.
        h.setSectionResizeMode(TARGET, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(TARGET, max(70, min(self.view.sizeHintForColumn(TARGET), 170)))
        h.setSectionResizeMode(COMMENT, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(COMMENT, 220)
        for r in range(self.model.rowCount()):
            self.view.setRowHidden(r, False)
        first = next((r for r in range(self.model.rowCount()) if self.model.row_kind(r) == "element"), None)
        if first is not None:
            self.view.setCurrentIndex(self.model.index(first, VALUE))
        self.update_banner()

    def value_width(self) -> int:
        """The value column's least width: a large number, with the cell's margins."""
        return self.view.fontMetrics().horizontalAdvance(VALUE_SAMPLE) + 24

    def update_banner(self) -> None:
        rep = self.model.report
        if rep is None:
            return
        st = rep.status
        now = (rep.unit.code, str(rep.period), st.status if st else None)
        if self._status is not None and now != self._status:
            self.message.hide()  # submitted, returned, approved, or another unit: the refusal is old news
        self._status = now
        text = f"<b>{rep.unit.name}</b> · {rep.period.label(language())} · {rep.period.data_window_label(language())}"
        if st and st.status == "approved":
            # ✔ (in every office font) rather than a lock emoji, which many PCs draw as an empty box
            text += "<br>✔ " + self.tr("Approved by {who} on {when}: the figures are locked. The level above must "
                                       "return them before they can be changed.").format(
                who=st.changed_by or "?", when=_day(st.changed_at))
        elif st and st.status == "returned":
            text += "<br>↩ " + self.tr("Returned by the level above: {reason}").format(reason=st.reason or "")
        elif st and st.status == "submitted":
            text += "<br>➜ " + self.tr("Submitted; editing a value puts the figures back to draft.")
        if self.model.tampered:
            text += '<br><span style="color:#6A1B9A;">⚠ ' + html.escape(self.tr(
                "{n} value(s) here were changed with another tool, not ParApp (marked in purple); File → Check the "
                "history says more.").format(n=len(self.model.tampered))) + "</span>"
        errors = [m for m in rep.messages if m.severity == "error"]
        if errors:
            text += "<br>⚠ " + self.tr("Checks failing: {n}. The cells involved are marked.").format(n=len(errors))
        # After the 2025 reorganisation: where figures before the unit existed came from, which targets judge it.
        for note in (rep.lineage.note() if rep.lineage is not None else None, rep.target_note):
            if note is not None:
                text += f'<br><span style="color:#5D4037;">▸ {html.escape(note.get(language()))}</span>'
        self.banner.setText(plain(text, self.model.office.catalogue))
