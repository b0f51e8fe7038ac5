"""The catalogue tab: what ParApp measures and the targets it judges the figures against.

Left, the indicator tree (groups → indicators → the data elements they use, and the validation rules)
with a search box; right, the selected item explained in words. A second page lists the target sets,
the targets of the selected one, and lets the officer choose the set in use or import one from a file.
"""

from __future__ import annotations

import html
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from parapp.domain import unitlists
from parapp.domain.catalogue import LEVEL_NAMES, LEVELS, Catalogue, Element, Indicator, Target, TargetSet
from parapp.domain.periods import Period
from parapp.gui.qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QFileDialog,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QPushButton,
    QSortFilterProxyModel,
    QSplitter,
    Qt,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QtGui,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.i18n import ParAppError, language, matches

_USER = int(Qt.ItemDataRole.UserRole)
KIND_ROLE = _USER + 1  # "group", "indicator", "element", "others", "rules" or "rule"
CODE_ROLE = _USER + 2  # the item's code (the group's, indicator's, element's or rule's)
SEARCH_ROLE = _USER + 3  # the texts the search box looks in
SET_ID_ROLE = _USER + 4  # TargetSetListModel: the set's id

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FONT = Qt.ItemDataRole.FontRole
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_CURRENT_MARK = "✔"
NAME_WIDTH_CAP = 720  # px: the tree's name column at most (the tree scrolls sideways)


# ------------------------------------------------------------------------------------------ helpers


def levels_text(levels: frozenset[str] | None) -> str:
    if levels is None or set(levels) >= set(LEVELS):
        return QCoreApplication.translate("CatalogueTab", "All levels")
    return ", ".join(LEVEL_NAMES[lv].get() for lv in LEVELS if lv in levels)


def years_text(years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def target_text(target: Target, indicator: Indicator | None, lang: str | None = None) -> str:
    """The target as the officer reads it, in the indicator's own unit and decimals."""
    decimals = indicator.decimals if indicator else 0
    percent = indicator is None or indicator.kind in ("ratio", "percent")
    return target.describe(lang or language(), decimals, percent)


def province_name(code: str, tiers: int = 3) -> str:
    for t in (tiers, 5 - tiers):
        unit = unitlists.find_official(t, code)
        if unit is not None:
            return unit.name
    return code


def _tooltip(*parts: str) -> str:
    """A plain-text tooltip Qt wraps (rich text wraps; plain text makes one long line)."""
    return "<qt>" + "<br/>".join(html.escape(p) for p in parts if p) + "</qt>"


# ------------------------------------------------------------------------------------------ the tree


@dataclass(eq=False)
class _Node:
    kind: str
    code: str
    parent: int
    row: int
    children: list[int] = field(default_factory=list)


class CatalogueModel(QAbstractItemModel):
    """Groups → indicators → their elements (and elements no indicator uses), then the validation rules.

    Column 0 is the name in the current language, column 1 the code. KIND_ROLE and CODE_ROLE tell what
    an item is; an element appears under every indicator that uses it.
    """

    COLUMNS = 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self._catalogue: Catalogue | None = None
        self._nodes: list[_Node] = [_Node("root", "", -1, 0)]

    # -- building

    def set_catalogue(self, catalogue: Catalogue | None) -> None:
        self.beginResetModel()
        self._catalogue = catalogue
        self._nodes = [_Node("root", "", -1, 0)]
        if catalogue is not None:
            self._build(catalogue)
        self.endResetModel()

    def _add(self, kind: str, code: str, parent: int) -> int:
        siblings = self._nodes[parent].children
        self._nodes.append(_Node(kind, code, parent, len(siblings)))
        siblings.append(len(self._nodes) - 1)
        return len(self._nodes) - 1

    def _build(self, cat: Catalogue) -> None:
        used: set[str] = set()
        for ind in cat.indicators.values():
            used |= ind.elements
        for group in cat.groups:
            g = self._add("group", group.code, 0)
            for ind in cat.indicators.values():
                if ind.group != group.code:
                    continue
                i = self._add("indicator", ind.code, g)
                for code in indicator_elements(ind):
                    self._add("element", code, i)
            others = [e.code for e in cat.elements.values() if e.group == group.code and e.code not in used]
            if others:
                o = self._add("others", group.code, g)
                for code in others:
                    self._add("element", code, o)
        if cat.rules:
            r = self._add("rules", "", 0)
            for rule in cat.rules:
                self._add("rule", rule.code, r)

    # -- finding

    def find(self, kind: str, code: str) -> QModelIndex:
        """The first item of that kind and code, or an invalid index."""
        for node_id, node in enumerate(self._nodes):
            if node.kind == kind and node.code == code:
                return self.createIndex(node.row, 0, node_id)
        return QModelIndex()

    def count(self, kind: str) -> int:
        return sum(1 for n in self._nodes if n.kind == kind)

    # -- the model

    def _node_id(self, index: QModelIndex) -> int:
        return int(index.internalId()) if index.isValid() else 0

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._nodes[self._node_id(parent)].children[row])

    def parent(self, index: QModelIndex | None = None):  # noqa: B008
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        node = self._nodes[self._node_id(index)]
        if node.parent <= 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._nodes[self._node_id(parent)].children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return self.COLUMNS

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < self.COLUMNS:
            return (self.tr("Name"), self.tr("Code"))[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        if not index.isValid() or self._catalogue is None:
            return None
        node = self._nodes[self._node_id(index)]
        if role == KIND_ROLE:
            return node.kind
        if role == CODE_ROLE:
            return node.code
        if role in (_DISPLAY, _TOOLTIP, SEARCH_ROLE):
            name_vi, name_en = self._names(node)
            if role == SEARCH_ROLE:
                return f"{name_vi}\n{name_en}\n{node.code}"
            name = name_en if language() == "en" else name_vi
            if role == _TOOLTIP:
                return _tooltip(name, node.code)
            return name if index.column() == 0 else node.code
        if role == _FONT and node.kind in ("group", "rules") and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _names(self, node: _Node) -> tuple[str, str]:
        cat = self._catalogue
        assert cat is not None
        if node.kind == "group":
            name = cat.group(node.code).name
        elif node.kind == "indicator":
            name = cat.indicators[node.code].name
        elif node.kind == "element":
            name = cat.elements[node.code].name
        elif node.kind == "rule":
            name = next(r.name for r in cat.rules if r.code == node.code)
        elif node.kind == "rules":  # window texts: English source, translated by Qt
            return self.tr("Validation rules"), self.tr("Validation rules")
        else:
            return self.tr("Other data elements"), self.tr("Other data elements")
        return name.vi, name.en


def indicator_elements(ind: Indicator) -> list[str]:
    """The elements an indicator uses, in the order its formula names them."""
    out: list[str] = []
    for expr in (ind.numerator, ind.denominator):
        if expr is None:
            continue
        for name in _NAME.findall(expr.text):
            if name in expr.all_names and name not in out:
                out.append(name)
    return out


class CatalogueFilter(QSortFilterProxyModel):
    """Keeps the items whose name (either language) or code contains the search text, with their parents
    and children."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._query = ""
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)

    def set_query(self, text: str) -> None:
        _change_filter(self, lambda: setattr(self, "_query", text.strip()))

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        if not self._query:
            return True
        index = self.sourceModel().index(row, 0, parent)
        return matches(self._query, index.data(SEARCH_ROLE) or "")


def _change_filter(proxy: QSortFilterProxyModel, change) -> None:
    if hasattr(proxy, "beginFilterChange"):  # Qt 6.9 and later
        proxy.beginFilterChange()
        change()
        proxy.endFilterChange()
    else:
        change()
        proxy.invalidateFilter()


# ------------------------------------------------------------------------------------------ target sets


class TargetSetListModel(QAbstractTableModel):
    """The target sets the office can use, the one in use marked with ✔ and a word, and bold."""

    HEADERS = ("In use", "ID", "Province", "Years", "Targets", "Name", "Document", "Issuer", "Origin")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._sets: list[TargetSet] = []
        self._current: str | None = None
        self._tiers = 3

    def set_sets(self, sets: list[TargetSet], current: str | None, tiers: int = 3) -> None:
        self.beginResetModel()
        self._sets = list(sets)
        self._current = current
        self._tiers = tiers
        self.endResetModel()

    def set_id(self, row: int) -> str | None:
        return self._sets[row].id if 0 <= row < len(self._sets) else None

    def row_of(self, set_id: str | None) -> int:
        return next((i for i, s in enumerate(self._sets) if s.id == set_id), -1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sets)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.HEADERS):
            return (self.tr("In use"), self.tr("ID"), self.tr("Province"), self.tr("Years"), self.tr("Targets"),
                    self.tr("Name"), self.tr("Document"), self.tr("Issuer"), self.tr("Origin"))[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self._sets):
            return None
        ts = self._sets[index.row()]
        current = ts.id == self._current
        col = index.column()
        if role == SET_ID_ROLE:
            return ts.id
        if role == _FONT and current:
            font = QFont()
            font.setBold(True)
            return font
        if role == _DISPLAY:
            return self._text(ts, col, current)
        if role == _TOOLTIP:
            lines = [ts.name.get(), ts.document, ts.issuer, ts.date]
            if current:
                lines.insert(0, self.tr("{mark} This target set is in use.").format(mark=_CURRENT_MARK))
            return _tooltip(*lines)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, ts: TargetSet, col: int, current: bool) -> str:
        if col == 0:
            return _CURRENT_MARK + " " + self.tr("In use") if current else ""
        if col == 1:
            return ts.id
        if col == 2:
            return f"{province_name(ts.province, self._tiers)} ({ts.province})"
        if col == 3:
            return years_text(ts.years)
        if col == 4:
            return str(len(ts.targets))
        if col == 5:
            return ts.name.get()
        if col == 6:
            return ts.document
        if col == 7:
            return ts.issuer
        return self.tr("Imported") if ts.path is None else self.tr("Shipped with ParApp")


class TargetSetModel(QAbstractTableModel):
    """The targets of one target set: indicator, levels, years, target and the quoted source."""

    HEADERS = ("Indicator", "Levels", "Years", "Target", "Source")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._set: TargetSet | None = None
        self._catalogue: Catalogue | None = None

    def set_target_set(self, target_set: TargetSet | None, catalogue: Catalogue | None) -> None:
        self.beginResetModel()
        self._set = target_set
        self._catalogue = catalogue
        self.endResetModel()

    @property
    def target_set(self) -> TargetSet | None:
        return self._set

    def _targets(self) -> list[Target]:
        return self._set.targets if self._set is not None else []

    def target(self, row: int) -> Target:
        return self._targets()[row]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._targets())

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.HEADERS):
            return (self.tr("Indicator"), self.tr("Levels"), self.tr("Years"), self.tr("Target"),
                    self.tr("Source"))[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        targets = self._targets()
        if not index.isValid() or not 0 <= index.row() < len(targets):
            return None
        t = targets[index.row()]
        ind = self._catalogue.indicators.get(t.indicator) if self._catalogue else None
        col = index.column()
        if role == CODE_ROLE:
            return t.indicator
        if role == _DISPLAY:
            if col == 0:
                return ind.name.get() if ind else t.indicator
            if col == 1:
                return levels_text(t.levels)
            if col == 2:
                return years_text(t.years)
            if col == 3:
                return target_text(t, ind)
            return " ".join(t.source.split())
        if role == _TOOLTIP:
            if col == 0:
                return _tooltip(ind.name.get() if ind else "", t.indicator)
            if col == 3 and t.note is not None:
                return _tooltip(target_text(t, ind), t.note.get())
            return _tooltip(t.source, t.note.get() if t.note else "")
        return None


# ------------------------------------------------------------------------------------------ the tab


def _fit_columns(view: QTableView, widest: int = 380) -> None:
    """Columns as wide as their contents, but none so wide that the others go off screen."""
    view.resizeColumnsToContents()
    for col in range(view.model().columnCount() - 1):
        view.setColumnWidth(col, min(view.columnWidth(col), widest))


class CatalogueTab(QWidget):
    """The indicator catalogue and the target sets; see docs/gui.md for the tab interface."""

    data_changed = Signal()
    unit_requested = Signal(str)  # part of the tab interface; this tab never asks for another unit

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = None
        self.unit_code: str | None = None
        self.period: Period | None = None
        self._sets: dict[str, TargetSet] = {}
        self._current_set: str | None = None
        self._last_dir = str(Path.home())

        # -- the indicators page
        self.model = CatalogueModel(self)
        self.proxy = CatalogueFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The names whole (the tree scrolls sideways if it must), the codes in what is left.
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setMinimumSectionSize(60)
        self.tree.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.tree.selectionModel().currentChanged.connect(self._show_details)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._follow_link)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.tree)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.details)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([560, 640])
        indicators_page = QWidget()
        QVBoxLayout(indicators_page).addWidget(split)

        # -- the target sets page
        self.current_label = QLabel()
        self.current_label.setWordWrap(True)
        self.sets_model = TargetSetListModel(self)
        self.sets_view = QTableView()
        self.sets_view.setModel(self.sets_model)
        self.sets_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sets_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sets_view.verticalHeader().hide()
        self.sets_view.horizontalHeader().setStretchLastSection(True)
        self.sets_view.selectionModel().currentRowChanged.connect(self._show_set)
        self.sets_view.doubleClicked.connect(lambda _index: self.use_selected_set())
        self.targets_model = TargetSetModel(self)
        self.targets_view = QTableView()
        self.targets_view.setModel(self.targets_model)
        self.targets_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.targets_view.verticalHeader().hide()
        self.targets_view.setWordWrap(False)
        self.targets_view.horizontalHeader().setStretchLastSection(True)
        self.targets_view.doubleClicked.connect(self._target_clicked)
        self.use_button = QPushButton()
        self.use_button.clicked.connect(self.use_selected_set)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_set)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.targets_label = QLabel()

        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.current_label)
        top_layout.addWidget(self.sets_view)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.note_label)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.targets_label)
        bottom_layout.addWidget(self.targets_view)
        sets_split = QSplitter(Qt.Orientation.Vertical)
        sets_split.addWidget(top)
        sets_split.addWidget(bottom)
        sets_split.setStretchFactor(0, 1)
        sets_split.setStretchFactor(1, 2)
        sets_page = QWidget()
        QVBoxLayout(sets_page).addWidget(sets_split)

        self.tabs = QTabWidget()
        self.tabs.addTab(indicators_page, "")
        self.tabs.addTab(sets_page, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._retranslate()
        self._update_buttons()

    # -- the tab interface

    def set_context(self, office, unit_code: str | None, period: Period | str | None) -> None:
        self.office = office
        self.unit_code = unit_code
        self.period = Period.parse(period) if isinstance(period, str) else period
        self.refresh()  # milliseconds; the targets that apply now depend on the unit and period

    def refresh(self) -> None:
        """Read the catalogue and target sets again, keeping the selections."""
        selected = self.selected_item()
        selected_set = self.selected_set_id()
        office = self.office
        self._sets = dict(sorted(office.target_sets().items())) if office is not None else {}
        ts = office.target_set if office is not None else None
        self._current_set = ts.id if ts is not None else None
        self.model.set_catalogue(office.catalogue if office is not None else None)
        self._expand()
        self._fit_names()
        if selected is not None:
            self.select_item(*selected)
        else:
            self._show_details()
        self.sets_model.set_sets(list(self._sets.values()), self._current_set,
                                 office.tiers if office is not None else 3)
        _fit_columns(self.sets_view)
        self.select_set(selected_set or self._current_set)
        self._show_current()

    # -- the indicators page

    def selected_item(self) -> tuple[str, str] | None:
        """(kind, code) of the item selected in the tree, or None."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        return index.data(KIND_ROLE), index.data(CODE_ROLE)

    def select_item(self, kind: str, code: str) -> bool:
        """Select an item of the tree (clearing the search if it hides it); False if there is none."""
        source = self.model.find(kind, code)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.search.clear()
            index = self.proxy.mapFromSource(source)
        self.tree.scrollTo(index)
        self.tree.setCurrentIndex(index)
        self._show_details()
        return True

    def _search(self, text: str) -> None:
        self.proxy.set_query(text)
        self._expand()
        current = self.tree.currentIndex()
        if current.isValid():
            self.tree.scrollTo(current)

    def _expand(self) -> None:
        if self.search.text().strip():
            self.tree.expandAll()
        else:
            self.tree.collapseAll()
            for row in range(self.proxy.rowCount()):
                self.tree.expand(self.proxy.index(row, 0))

    def _follow_link(self, url) -> None:
        kind, _, code = url.toString().partition(":")
        if kind in ("indicator", "element", "rule", "group"):
            self.tabs.setCurrentIndex(0)
            self.select_item(kind, code)

    def _show_details(self, *_args) -> None:
        item = self.selected_item()
        cat = self.office.catalogue if self.office is not None else None
        if cat is None:
            self.details.setHtml("")
            return
        if item is None:
            title = self.tr("Indicator catalogue")
            summary = self.tr("Version {version}: {indicators} indicators computed from {elements} data elements, "
                              "checked by {rules} rules.").format(
                version=cat.version, indicators=len(cat.indicators), elements=len(cat.elements), rules=len(cat.rules))
            hint = self.tr("Choose an item on the left to see what it means, how it is computed and its targets.")
            self.details.setHtml(self._page(
                f"<h3>{html.escape(title)}</h3><p>{html.escape(summary)}</p><p>{html.escape(hint)}</p>"))
            return
        kind, code = item
        body = {"indicator": self._indicator_html, "element": self._element_html, "rule": self._rule_html,
                "group": self._group_html, "rules": self._rules_html, "others": self._others_html}[kind](cat, code)
        self.details.setHtml(self._page(body))

    @staticmethod
    def _page(body: str) -> str:
        return ("<html><head><style>th { text-align: left; vertical-align: top; padding-right: 8px; }"
                " td { vertical-align: top; } .code { color: #5F6368; } .src { color: #333333; }"
                "</style></head><body>" + body + "</body></html>")

    def _link(self, kind: str, code: str, name: str) -> str:
        return f'<a href="{kind}:{html.escape(code)}">{html.escape(name)}</a>'

    def _formula(self, cat: Catalogue, text: str) -> str:
        """An expression with element names (linked) for codes, and its codes below, small."""
        out, pos = [], 0
        for m in _NAME.finditer(text):
            out.append(html.escape(text[pos:m.start()]))
            name = m.group(0)
            if name == "prev":
                out.append(html.escape(self.tr("previous period of")) + " ")
            elif name in cat.elements:
                out.append(self._link("element", name, cat.elements[name].name.get()))
            else:
                out.append(html.escape(name))
            pos = m.end()
        out.append(html.escape(text[pos:]))
        return f'{"".join(out)}<br/><small class="code"><code>{html.escape(text)}</code></small>'

    @staticmethod
    def _rows(rows: list[tuple[str, str]]) -> str:
        return ("<table cellspacing='0' cellpadding='3'>"
                + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")

    def _heading(self, name: str, code: str) -> str:
        return f"<h3>{html.escape(name)}</h3><p class='code'><code>{html.escape(code)}</code></p>"

    def _levels(self, levels: frozenset[str]) -> str:
        return html.escape(", ".join(LEVEL_NAMES[lv].get() for lv in LEVELS if lv in levels))

    def _indicator_kinds(self) -> dict[str, str]:
        return {
            "ratio": self.tr("Ratio: numerator ÷ denominator × 100, in percent."),
            "percent": self.tr("Percentage: the value of a measured percentage (0–100)."),
            "count": self.tr("Count: a whole number."),
            "rank": self.tr("Rank in a national ranking: 1 is best; never added up over units."),
            "change": self.tr("Change: a count or amount compared with a baseline period."),
        }

    def _indicator_html(self, cat: Catalogue, code: str) -> str:
        ind = cat.indicators[code]
        rows = [(self.tr("Group"), self._link("group", ind.group, cat.group(ind.group).name.get())),
                (self.tr("Kind"), html.escape(self._indicator_kinds().get(ind.kind, ind.kind)))]
        if ind.denominator is not None:
            rows.append((self.tr("Numerator"), self._formula(cat, ind.numerator.text)))
            rows.append((self.tr("Denominator"), self._formula(cat, ind.denominator.text)))
        else:
            rows.append((self.tr("Formula"), self._formula(cat, ind.numerator.text)))
        rows.append((self.tr("Levels"), self._levels(ind.levels)))
        rows.append((self.tr("Better"), html.escape(
            self.tr("Higher values are better.") if ind.better == "higher" else self.tr("Lower values are better."))))
        rows.append((self.tr("Decimals shown"), str(ind.decimals)))
        parts = [self._heading(ind.name.get(), ind.code), self._rows(rows),
                 "<h4>" + html.escape(self.tr("Targets")) + "</h4>"]
        found = False
        for ts in self._sets_in_order():
            targets = [t for t in ts.targets if t.indicator == code]
            if not targets:
                continue
            found = True
            parts.append(self._targets_html(ts, ind, targets))
        if not found:
            parts.append("<p>" + html.escape(self.tr("No target set has a target for this indicator.")) + "</p>")
        return "".join(parts)

    def _sets_in_order(self) -> list[TargetSet]:
        """The set in use first, then the others by id."""
        return sorted(self._sets.values(), key=lambda s: (s.id != self._current_set, s.id))

    def _targets_html(self, ts: TargetSet, ind: Indicator, targets: list[Target]) -> str:
        title = f"<b>{html.escape(ts.name.get())}</b> <span class='code'>({html.escape(ts.id)})</span>"
        if ts.id == self._current_set:
            title += f" — {_CURRENT_MARK} " + html.escape(self.tr("in use"))
        level, year = self._unit_level(), self.period.year if self.period is not None else None
        heads = [self.tr("Years"), self.tr("Levels"), self.tr("Target"), self.tr("Source")]
        rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>"]
        applies, note = self.tr("applies to the chosen unit and year"), self.tr("Note:")
        for t in targets:
            what = html.escape(target_text(t, ind))
            if ts.id == self._current_set and level is not None and year is not None and t.applies(level, year):
                what += f"<br/><i>▶ {html.escape(applies)}</i>"
            source = html.escape(t.source)
            if t.note is not None:
                source += f"<br/><i>{html.escape(note)} {html.escape(t.note.get())}</i>"
            rows.append(f"<tr><td>{html.escape(years_text(t.years))}</td><td>{html.escape(levels_text(t.levels))}</td>"
                        f"<td><b>{what}</b></td><td class='src'>{source}</td></tr>")
        return (f"<p>{title}</p><table border='1' cellspacing='0' cellpadding='4' width='100%'>"
                + "".join(rows) + "</table>")

    def _unit_level(self) -> str | None:
        if self.office is None or not self.unit_code:
            return None
        try:
            return self.office.unit(self.unit_code).level
        except ParAppError:
            return None

    def _element_types(self) -> dict[str, str]:
        return {
            "count": self.tr("Count: a whole number, 0 or more."),
            "percent": self.tr("Percentage: from 0 to 100, decimals allowed."),
            "rank": self.tr("Rank: a whole number, 1 or more; 1 is best."),
            "amount": self.tr("Amount: 0 or more, decimals allowed (money in million VND)."),
        }

    def _time_kinds(self) -> dict[str, str]:
        return {
            "flow": self.tr("Flow: a half-year or a year is the sum of its quarters."),
            "opening": self.tr("Opening stock: a half-year or a year takes the value of its first quarter."),
            "closing": self.tr("Closing stock: a half-year or a year takes the value of its last quarter."),
            "mean": self.tr("Mean: a half-year or a year is the mean of its quarters, weighted by the "
                            "respondents when a weight is given."),
        }

    def _element_html(self, cat: Catalogue, code: str) -> str:
        el: Element = cat.elements[code]
        rows = [(self.tr("Group"), self._link("group", el.group, cat.group(el.group).name.get())),
                (self.tr("Type"), html.escape(self._element_types().get(el.type, el.type)))]
        if el.unit is not None and el.unit.get():
            rows.append((self.tr("Unit"), html.escape(el.unit.get())))
        rows.append((self.tr("Levels"), self._levels(el.levels)))
        rows.append((self.tr("Over time"), html.escape(self._time_kinds().get(el.time, el.time))))
        rows.append((self.tr("Entered"), html.escape(
            self.tr("Each quarter.") if el.period_type == "quarter" else self.tr("Once a year."))))
        if el.weight:
            weight = cat.elements.get(el.weight)
            rows.append((self.tr("Weight"), self._link("element", el.weight, weight.name.get() if weight else el.weight)))
        else:
            rows.append((self.tr("Weight"), html.escape(self.tr("None"))))
        used = [i for i in cat.indicators.values() if code in i.elements]
        weighted = [e for e in cat.elements.values() if e.weight == code]
        rules = cat.rules_by_element.get(code, [])
        parts = [self._heading(el.name.get(), el.code), self._rows(rows)]
        for title, items in ((self.tr("Used by the indicators"), [("indicator", i.code, i.name.get()) for i in used]),
                             (self.tr("Weight of"), [("element", e.code, e.name.get()) for e in weighted]),
                             (self.tr("Checked by the rules"), [("rule", r.code, r.name.get()) for r in rules])):
            if items:
                parts.append(f"<h4>{html.escape(title)}</h4><ul>"
                             + "".join(f"<li>{self._link(*item)}</li>" for item in items) + "</ul>")
        return "".join(parts)

    def _rule_html(self, cat: Catalogue, code: str) -> str:
        rule = next(r for r in cat.rules if r.code == code)
        op = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}[rule.op]
        severity = (self.tr("Error: the figures cannot be submitted until it is corrected.")
                    if rule.severity == "error"
                    else self.tr("Warning: the figures can be submitted with a comment explaining them."))
        rows = [(self.tr("Left"), self._formula(cat, rule.left.text)),
                (self.tr("Must be"), html.escape(op)),
                (self.tr("Right"), self._formula(cat, rule.right.text)),
                (self.tr("Severity"), html.escape(severity))]
        return self._heading(rule.name.get(), rule.code) + self._rows(rows)

    def _group_html(self, cat: Catalogue, code: str) -> str:
        group = cat.group(code)
        inds = [i for i in cat.indicators.values() if i.group == code]
        els = [e for e in cat.elements.values() if e.group == code]
        text = self.tr("Indicators: {indicators}; data elements: {elements}.").format(
            indicators=len(inds), elements=len(els))
        return (self._heading(group.name.get(), code) + f"<p>{html.escape(text)}</p><ul>"
                + "".join(f"<li>{self._link('indicator', i.code, i.name.get())}</li>" for i in inds) + "</ul>")

    def _rules_html(self, cat: Catalogue, code: str) -> str:
        text = self.tr("Rules check the figures of a unit and period against each other. An error blocks "
                       "submission; a warning asks for a comment.")
        title = self.tr("Validation rules")
        return (f"<h3>{html.escape(title)}</h3><p>{html.escape(text)}</p><ul>"
                + "".join(f"<li>{self._link('rule', r.code, r.name.get())}</li>" for r in cat.rules) + "</ul>")

    def _others_html(self, cat: Catalogue, code: str) -> str:
        used: set[str] = set()
        for ind in cat.indicators.values():
            used |= ind.elements
        els = [e for e in cat.elements.values() if e.group == code and e.code not in used]
        text = self.tr("Data elements that no indicator uses directly: weights of means, and figures that rules "
                       "check.")
        title = self.tr("Other data elements")
        return (f"<h3>{html.escape(title)}</h3><p>{html.escape(text)}</p><ul>"
                + "".join(f"<li>{self._link('element', e.code, e.name.get())}</li>" for e in els) + "</ul>")

    # -- the target sets page

    def selected_set_id(self) -> str | None:
        index = self.sets_view.currentIndex()
        return self.sets_model.set_id(index.row()) if index.isValid() else None

    def select_set(self, set_id: str | None) -> None:
        row = self.sets_model.row_of(set_id)
        if row < 0:
            self.sets_view.clearSelection()
            self._show_set()
            return
        self.sets_view.setCurrentIndex(self.sets_model.index(row, 0))
        self.sets_view.selectRow(row)
        self._show_set()

    def _show_set(self, *_args) -> None:
        set_id = self.selected_set_id()
        ts = self._sets.get(set_id) if set_id else None
        self.targets_model.set_target_set(ts, self.office.catalogue if self.office is not None else None)
        _fit_columns(self.targets_view)
        if ts is None:
            self.targets_label.setText(self.tr("Choose a target set above to see its targets."))
        else:
            self.targets_label.setText(self.tr("Targets of {name}: {count}").format(
                name=ts.name.get(), count=len(ts.targets)))
        self._update_buttons()

    def _show_current(self) -> None:
        ts = self._sets.get(self._current_set) if self._current_set else None
        if self.office is None:
            self.current_label.setText("")
        elif ts is None:
            self.current_label.setText(self.tr("No target set is in use: the figures are not judged against "
                                               "targets. Choose one below."))
        else:
            self.current_label.setText(self.tr("{mark} In use: {name} ({id})").format(
                mark=_CURRENT_MARK, name=ts.name.get(), id=ts.id))
        self._update_buttons()

    def _update_buttons(self) -> None:
        set_id = self.selected_set_id()
        self.use_button.setEnabled(self.office is not None and set_id is not None and set_id != self._current_set)
        self.import_button.setEnabled(self.office is not None)

    def _target_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.tabs.setCurrentIndex(0)
            self.select_item("indicator", self.targets_model.target(index.row()).indicator)

    def use_selected_set(self) -> None:
        """Judge the figures against the selected target set from now on."""
        set_id = self.selected_set_id()
        if self.office is None or set_id is None or set_id == self._current_set:
            return
        try:
            self.office.choose_target_set(set_id)
        except ParAppError as e:
            QMessageBox.warning(self, self.tr("Target set not changed"), e.message())
            return
        self.note_label.setText("")
        self.refresh()
        self.data_changed.emit()

    def import_set(self) -> None:
        """Read a target set from a TOML file the officer chooses; a file with a fault changes nothing."""
        if self.office is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Import a target set"), self._last_dir,
                                                    self.tr("Target sets (*.toml)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        known = set(self._sets)
        try:
            ts = self.office.import_target_set(path)
        except ParAppError as e:
            QMessageBox.warning(self, self.tr("Target set not imported"), e.message())
            return
        self.refresh()
        self.select_set(ts.id)
        if ts.id in known:
            note = self.tr("Imported {name} ({id}, {count} targets); it replaces the set with the same ID.")
        else:
            note = self.tr("Imported {name} ({id}, {count} targets).")
        note = note.format(name=ts.name.get(), id=ts.id, count=len(ts.targets))
        if ts.id != self._current_set:
            note += " " + self.tr("Press \"Use this target set\" to judge the figures against it.")
        self.note_label.setText(note)
        self.data_changed.emit()

    # -- language

    def name_width(self) -> int:
        """What the name column needs for its widest name (a very long rule's is cut, whole in its tooltip)."""
        fm, indent, model = self.tree.fontMetrics(), self.tree.indentation(), self.model
        bold = QFont(self.tree.font())
        bold.setBold(True)
        fm_bold = QtGui.QFontMetrics(bold)
        widest = 0

        def walk(parent: QModelIndex, depth: int) -> None:
            nonlocal widest
            for r in range(model.rowCount(parent)):
                index = model.index(r, 0, parent)
                metrics = fm_bold if index.data(KIND_ROLE) in ("group", "rules") else fm
                widest = max(widest, metrics.horizontalAdvance(index.data() or "") + indent * (depth + 1) + 16)
                walk(index, depth + 1)

        walk(QModelIndex(), 0)
        return min(widest, NAME_WIDTH_CAP)

    def _fit_names(self) -> None:
        self.tree.header().resizeSection(0, max(self.name_width(), 200))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, CatalogueModel.COLUMNS - 1)
            self.sets_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(TargetSetListModel.HEADERS) - 1)
            self.targets_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(TargetSetModel.HEADERS) - 1)
            try:
                self.refresh()
            except sqlite3.ProgrammingError:  # a tab whose window closed its database: nothing to show any more
                pass  # (raised inside Qt's event handler, it would end the program)
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.tabs.setTabText(0, self.tr("Indicators"))
        self.tabs.setTabText(1, self.tr("Target sets"))
        self.search.setPlaceholderText(self.tr("Search indicators, data elements and rules (name or code)"))
        self.use_button.setText(self.tr("Use this target set"))
        self.use_button.setToolTip(self.tr("Judge the figures against the selected target set from now on."))
        self.import_button.setText(self.tr("Import from file…"))
        self.import_button.setToolTip(self.tr("Read a target set from a TOML file (see the catalogue format)."))
        self._show_current()
        self._show_set()
