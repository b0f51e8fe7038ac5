"""The unit tree: province → districts → communes, each with its return's status for the chosen period.

The tree is the one in force for the period: after the 2025 reorganisation a period before July 2025 shows
the old units (for an office that did not exist yet, the old units it was made of), a later one the new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parapp.domain.periods import Period
from parapp.engine.office import Office
from parapp.gui.qt import QAbstractItemModel, QBrush, QColor, QModelIndex, Qt, Signal
from parapp.gui.style import WORKFLOW_STYLE
from parapp.store import units as unit_store
from parapp.store import values as value_store


@dataclass
class _Node:
    code: str
    name: str
    level: str
    parent: int  # index into the model's node list, -1 for the top
    row: int
    children: list[int] = field(default_factory=list)
    status: str | None = None
    official: str = ""  # the code on lists and returns


CHECKED_AT_ONCE = 300  # open returns checked while the tree is loaded; more are checked on a pool thread


def failing(office: Office, codes: list[str], period: Period, stop=lambda: False) -> list[str] | None:
    """The units among codes whose figures for the period fail a check (an error, not a warning); None if stop()
    said to give up on the way."""
    out = []
    for code in codes:
        if stop():
            return None
        if any(m.severity == "error" for m in office.validate(code, period)):
            out.append(code)
    return out


class UnitTreeModel(QAbstractItemModel):
    """Units under the office's own unit; column 0 the name, column 1 the status of the period."""

    statuses_checked = Signal()  # the open returns checked on a pool thread are marked (a national tree)

    def __init__(self, office: Office, period: Period, parent=None):
        super().__init__(parent)
        self._office = office
        self._period = period
        self._checks = 0
        self._nodes: list[_Node] = []
        self._by_code: dict[str, int] = {}
        self._tops: list[int] = []
        self._load()

    # -- loading --------------------------------------------------------------------------------

    def _roots(self) -> list[str]:
        """The top units for the period: the office's unit, or the old units it was made of before it existed."""
        store, period = self._office.store, self._period
        todo, roots = [self._office.office_code], []
        while todo:
            code = todo.pop(0)
            u = unit_store.get_unit(store, code)
            links = unit_store.predecessors(store, code)
            if period.end.isoformat() < u.valid_from and links:
                todo += [link.predecessor for link in links if link.predecessor not in roots]
            else:
                roots.append(code)
        return roots

    def structure(self) -> tuple[str, ...]:
        return tuple(self._nodes[i].code for i in self._tops)

    def _load(self) -> None:
        office = self._office
        roots = self._roots()
        units = []
        for root in roots:
            below = unit_store.subtree(office.store, root, period=self._period)
            if not below or below[0].code != root:  # a unit out of its time still shows, alone
                below = [unit_store.get_unit(office.store, root)] + below
            units += below
        seen: set[str] = set()
        units = [u for u in units if not (u.code in seen or seen.add(u.code))]
        self._layout_key = _layout_key(office, self._period)
        self._nodes, self._by_code, self._tops = [], {}, []
        for u in units:
            parent = self._by_code.get(u.parent, -1) if u.code not in roots else -1
            siblings = self._nodes[parent].children if parent >= 0 else self._tops
            idx = len(self._nodes)
            self._nodes.append(_Node(u.code, u.name, u.level, parent, len(siblings), official=u.official_code))
            siblings.append(idx)
            self._by_code[u.code] = idx
        self._load_statuses()

    def _load_statuses(self) -> None:
        """Each unit's status for the period; a draft or returned one that fails a check shows "errors". A few
        such returns (an office's communes) are checked at once; many (a national database's ten thousand drafts)
        on a pool thread with a connection of its own, their statuses shown as they stand until it is done, so
        that the window never waits for them."""
        office, period = self._office, str(self._period)
        statuses: dict[str, str] = {}
        for i in self._tops:
            statuses.update(value_store.statuses_below(office.store, self._nodes[i].code, period))
        open_returns = []
        for node in self._nodes:
            node.status = statuses.get(node.code)
            if node.status in ("draft", "returned"):
                open_returns.append(node.code)
        self._checks += 1  # a check still running for an earlier load is stale now
        if len(open_returns) <= CHECKED_AT_ONCE:
            for code in failing(office, open_returns, self._period):
                self._nodes[self._by_code[code]].status = "errors"
            return
        self._check_in_background(open_returns)

    def _check_in_background(self, codes: list[str]) -> None:
        from parapp.gui.workers import in_background

        generation, path, period = self._checks, self._office.store.path, self._period
        stale = lambda: generation != self._checks  # noqa: E731 - read on the pool thread, written on the GUI's

        def work():
            with Office.open(path, check="done") as office:
                return generation, failing(office, codes, period, stop=stale)

        in_background(work, self._checked)

    def stop_checks(self) -> None:
        """Give up a check running on a pool thread (the window closes): it stops at its next unit."""
        self._checks += 1

    def _checked(self, result) -> None:
        generation, codes = result
        if generation != self._checks or codes is None:
            return  # the tree was loaded again meanwhile (another period, new figures): its own check says
        for code in codes:
            i = self._by_code.get(code)
            if i is not None and self._nodes[i].status in ("draft", "returned"):
                self._nodes[i].status = "errors"
                index = self.index_for(code, 1)
                self.dataChanged.emit(index, index)
        self.statuses_checked.emit()

    def set_period(self, period: Period) -> None:
        """A new period; the tree is laid out again when the units in force change (the 2025 reorganisation)."""
        self._period = period
        if self._roots() != list(self.structure()) or self._changes_within(period):
            self.reload()
        else:
            self.refresh_statuses()

    def _changes_within(self, period: Period) -> bool:
        """Does any unit of the tree begin or end between the loaded layout and this period?"""
        return self._layout_key != _layout_key(self._office, period)

    def refresh_statuses(self) -> None:
        self._load_statuses()
        self._emit_all(QModelIndex())

    def _emit_all(self, parent: QModelIndex) -> None:
        rows = self.rowCount(parent)
        if rows:
            self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, 1, parent))
            for r in range(rows):
                self._emit_all(self.index(r, 0, parent))

    def reload(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    # -- lookup ---------------------------------------------------------------------------------

    def index_for(self, code: str, column: int = 0) -> QModelIndex:
        i = self._by_code.get(code)
        if i is None:
            return QModelIndex()
        return self.createIndex(self._nodes[i].row, column, i)

    def code_at(self, index: QModelIndex) -> str | None:
        return self._nodes[index.internalId()].code if index.isValid() else None

    def status_of(self, code: str) -> str | None:
        i = self._by_code.get(code)
        return self._nodes[i].status if i is not None else None

    # -- QAbstractItemModel ---------------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column > 1 or row < 0:
            return QModelIndex()
        siblings = self._nodes[parent.internalId()].children if parent.isValid() else self._tops
        if row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        p = self._nodes[index.internalId()].parent
        if p < 0:
            return QModelIndex()
        return self.createIndex(self._nodes[p].row, 0, p)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.isValid():
            return len(self._nodes[parent.internalId()].children) if parent.column() == 0 else 0
        return len(self._tops)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 2

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr("Unit") if section == 0 else self.tr("Status")
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        style = WORKFLOW_STYLE[node.status]
        if role == Qt.ItemDataRole.DisplayRole:
            return node.name if index.column() == 0 else f"{style.symbol} {style.name.get()}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{node.name} ({node.official or node.code}) — {style.name.get()}"
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QBrush(QColor(style.colour))
        if role == Qt.ItemDataRole.UserRole:
            return node.code
        return None


def _layout_key(office: Office, period: Period) -> tuple[str, ...]:
    """The dates at which units begin or end that lie before the period's end: equal keys, equal trees."""
    if not office.store.has_spans():
        return ()
    end = period.end.isoformat()
    rows = office.store.conn.execute(
        "SELECT DISTINCT valid_from FROM unit_spans WHERE valid_from <= ?1 UNION "
        "SELECT DISTINCT valid_to FROM unit_spans WHERE valid_to < ?1 ORDER BY 1", (end,))
    return tuple(r[0] for r in rows)
