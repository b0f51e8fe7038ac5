"""The assistant that carries a three-tier office database into the two-tier structure of 1 July 2025, and
then lets the officer decide how each divided old commune's figures go to the new communes.

Page 1 says what will happen (from parapp.engine.reorganise.plan, nothing written) and which unit the office
becomes; "Carry over" runs the reorganisation on a worker thread, all of it or nothing. Page 2 lists the
divided old communes: for each, the share of every successor (adding up to 100%), or "use the default
successor" (the series then says "estimated"); one left undecided keeps its successors' older figures
"not comparable".
"""

from __future__ import annotations

import html

from parapp.engine import reorganise as ro
from parapp.engine.office import Office
from parapp.gui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QtWidgets,
    QVBoxLayout,
    QWidget,
    Signal,
)
from parapp.gui.workers import Task
from parapp.i18n import ParAppError, format_number, language, parse_number
from parapp.store import units as unit_store

QStackedWidget = QtWidgets.QStackedWidget

QTableWidget = QtWidgets.QTableWidget
QTableWidgetItem = QtWidgets.QTableWidgetItem


class ReorganiseDialog(QDialog):
    """Carry the database across the 2025 reorganisation, then set the divided communes' shares."""

    reorganised = Signal()  # the database changed: the window reads it again once the assistant closes

    def __init__(self, office: Office, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = office
        self.setWindowTitle(self.tr("The two-tier structure of 1 July 2025"))
        self.pages = QStackedWidget(self)
        self.plan: ro.Plan | None = None
        self._task: Task | None = None
        self.changed = False
        self.reorganised.connect(lambda: setattr(self, "changed", True))
        self.pages.addWidget(self._build_plan_page())
        self.pages.addWidget(self._build_shares_page())
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        if office.tiers == 3:
            self._fill_plan()
        else:
            self._show_shares()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(min(880, screen.width() - 40) if screen else 880, min(600, screen.height() - 60) if screen else 600)

    # -- page 1: what will happen ---------------------------------------------------------------------

    def _build_plan_page(self) -> QWidget:
        page = QWidget(self)
        self.intro = QLabel(page)
        self.intro.setWordWrap(True)
        self.intro.setText(self.tr(
            "Since 1 July 2025 there are no districts, and most communes and many provinces were merged. This "
            "assistant carries this database into the new structure, following the official list: the old units "
            "keep every figure, status and history entry exactly as they are and end on 30 June 2025; the new "
            "province and communes are added from 1 July 2025, each linked to the old units it was made of, so "
            "that their figures before July 2025 are the old units' figures combined. "
            "Nothing is changed or removed, and if anything goes wrong nothing is written."))
        self.summary = QLabel(page)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.office_combo = QComboBox(page)
        form = QFormLayout()
        form.addRow(self.tr("The office becomes:"), self.office_combo)
        self.run_button = QPushButton(self.tr("&Carry over"), page)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        cancel = QPushButton(self.tr("Cancel"), page)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.run_button)
        lay = QVBoxLayout(page)
        lay.addWidget(self.intro)
        lay.addWidget(self.summary)
        lay.addLayout(form)
        lay.addStretch(1)
        lay.addLayout(buttons)
        return page

    def _fill_plan(self) -> None:
        try:
            self.plan = ro.plan(self.office)
        except ParAppError as e:
            self.summary.setText(html.escape(e.message()))
            self.run_button.setEnabled(False)
            return
        p = self.plan
        lang = language()
        lines = [html.escape(p.summary().get(lang))]
        if p.merged_with:
            lines.append(html.escape(self.tr(
                "The units of {names} come in too, with no figures yet: take in their offices' databases on the next "
                "page, or their returns (Excel → Import returns).").format(names=", ".join(u.name for u in p.merged_with))))
        if p.late_note() is not None:
            lines.append(html.escape(p.late_note().get(lang)))
        divided = len({o for o, _n, s in p.links if s.divided})
        if divided:
            lines.append(html.escape(self.tr(
                "{n} old communes were divided between new ones: after carrying over you can set how their figures "
                "are shared.").format(n=divided)))
        for u in p.unmapped:
            lines.append(html.escape(self.tr(
                "{name} was added by an officer and has no successor: its figures stay, carried to no new "
                "unit.").format(name=u.name)))
        self.summary.setText("<p>" + "</p><p>".join(lines) + "</p>")
        self.office_combo.clear()
        choices = [(p.new_province_key, p.new_province.name)] + [
            (k, u.name) for k, u in p.new_units if u.level == "commune" and k not in set(p.ended)]
        for key, name in choices:
            self.office_combo.addItem(name, key)
        self.office_combo.setCurrentIndex(max(0, self.office_combo.findData(p.office_after)))

    def run(self) -> None:
        office, choice = self.office, self.office_combo.currentData()
        self.run_button.setEnabled(False)
        self._task = Task(self, self.tr("Carrying the database over…"),
                          lambda progress: ro.reorganise(office, choice, progress=progress))
        self._task.finished.connect(self._done)
        self._task.failed.connect(self._failed)
        self._task.cancelled.connect(lambda: self.run_button.setEnabled(True))
        self._task.start()

    def _done(self, plan: ro.Plan) -> None:
        self.plan = plan
        self.reorganised.emit()
        self._show_shares()

    def _failed(self, exc: object, _text: str) -> None:
        self.run_button.setEnabled(True)
        if isinstance(exc, ParAppError):
            QMessageBox.warning(self, "ParApp", exc.message())
        elif isinstance(exc, BaseException):
            raise exc

    # -- page 2: the divided communes -----------------------------------------------------------------

    def _build_shares_page(self) -> QWidget:
        page = QWidget(self)
        self.shares_intro = QLabel(page)
        self.shares_intro.setWordWrap(True)
        self.table = QTableWidget(0, 4, page)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.default_button = QPushButton(self.tr("Use the &default successor for all undecided"), page)
        self.default_button.clicked.connect(self.use_defaults)
        self.take_in_button = QPushButton(self.tr("&Take in an old province's database…"), page)
        self.take_in_button.clicked.connect(self.choose_take_in)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close,
                                        page)
        self.buttons.accepted.connect(self.save_shares)
        self.buttons.rejected.connect(self.accept)
        self.shares_error = QLabel(page)
        self.shares_error.setWordWrap(True)
        self.shares_error.setStyleSheet("color: #B3261E;")
        lay = QVBoxLayout(page)
        lay.addWidget(self.shares_intro)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.shares_error)
        row = QHBoxLayout()
        row.addWidget(self.default_button)
        row.addWidget(self.take_in_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        lay.addLayout(row)
        return page

    def _show_shares(self) -> None:
        store = self.office.store
        preds = [r[0] for r in store.conn.execute(
            "SELECT DISTINCT predecessor FROM unit_links WHERE divided = 1 ORDER BY predecessor")]
        office_name = self.office.unit(self.office.office_code).name
        self.shares_intro.setText(self.tr(
            "The database now follows the two-tier structure; the office is {office}. These old communes were "
            "divided between new ones. For each, type the share (%) of its figures that went to each new commune, "
            "adding up to 100, or leave it to the default successor the official list names (the figures before "
            "July 2025 are then marked as estimated). Until one or the other is chosen, the new communes that "
            "took a part say “not comparable” for the time before July 2025.").format(office=office_name))
        self.table.setHorizontalHeaderLabels([self.tr("Old commune"), self.tr("New commune"),
                                              self.tr("Default"), self.tr("Share (%)")])
        self.table.setRowCount(0)
        self._rows: list[tuple[str, str]] = []
        for pred in preds:
            method = unit_store.division(store, pred)
            pred_name = self.office.unit(pred).name
            for link in unit_store.successors(store, pred):
                r = self.table.rowCount()
                self.table.insertRow(r)
                self._rows.append((pred, link.successor))
                items = [QTableWidgetItem(pred_name), QTableWidgetItem(self.office.unit(link.successor).name),
                         QTableWidgetItem("✔" if link.is_default else ""), QTableWidgetItem(
                             "" if link.share is None else format_number(link.share * 100, 0))]
                if method == "default":
                    items[3].setText(self.tr("default"))
                for c, item in enumerate(items):
                    if c != 3:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(r, c, item)
        self.default_button.setEnabled(bool(preds))
        own = {json_from(store).get("from_province")}
        self.take_in_button.setVisible(bool(self.office._reorganised_from() - own))
        self.pages.setCurrentIndex(1)
        self.setWindowTitle(self.tr("Divided communes"))

    def _shares(self) -> dict[str, dict[str, float] | None]:
        """What the table says: for each old commune, its shares (fractions) or None (the default)."""
        out: dict[str, dict[str, float] | None] = {}
        for r, (pred, succ) in enumerate(self._rows):
            text = (self.table.item(r, 3).text() or "").strip()
            if text == self.tr("default"):
                out[pred] = None
                continue
            if not text:
                out.setdefault(pred, {})
                continue
            try:
                value = parse_number(text.rstrip("%").strip())
            except ValueError:
                raise ParAppError(f'"{text}" không phải là tỷ lệ phần trăm.', f'"{text}" is not a percentage.') from None
            shares = out.setdefault(pred, {})
            if shares is not None:
                shares[succ] = value / 100
        return out

    def save_shares(self) -> None:
        self.shares_error.clear()
        try:
            wanted = self._shares()
            store = self.office.store
            with store.transaction():
                for pred, shares in wanted.items():
                    if shares == {}:  # left undecided
                        continue
                    if shares is not None and not all(shares.values()) and sum(shares.values()) == 0:
                        continue
                    if shares is not None:
                        for link in unit_store.successors(store, pred):
                            shares.setdefault(link.successor, 0.0)
                    if shares is None and unit_store.division(store, pred) == "default":
                        continue
                    unit_store.set_division(store, pred, self.office.officer, shares)
        except ParAppError as e:
            self.shares_error.setText(e.message())
            return
        self.reorganised.emit()
        self._show_shares()

    def choose_take_in(self) -> None:
        from parapp.gui.qt import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, self.tr("The database of an old province"), "",
                                              self.tr("ParApp databases (*.db);;All files (*)"))
        if path:
            self.take_in(path)

    def take_in(self, path) -> None:
        """Take in the three-tier database of an old province merged into this one (the file is only read)."""
        try:
            done = ro.take_in(self.office, path)
        except ParAppError as e:
            QMessageBox.warning(self, "ParApp", e.message())
            return
        self.reorganised.emit()
        QMessageBox.information(self, "ParApp", done.summary().get(language()))
        self._show_shares()

    def use_defaults(self) -> None:
        store = self.office.store
        with store.transaction():
            for pred in dict.fromkeys(p for p, _s in self._rows):
                if unit_store.division(store, pred) is None:
                    unit_store.set_division(store, pred, self.office.officer)
        self.reorganised.emit()
        self._show_shares()


def json_from(store) -> dict:
    import json

    return json.loads(store.meta(ro.META_KEY) or "{}")
