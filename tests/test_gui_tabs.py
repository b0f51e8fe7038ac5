"""The catalogue and history tabs as an officer uses them: search, read, choose a target set, trace changes."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.catalogue_tab import CODE_ROLE, KIND_ROLE, CatalogueTab  # noqa: E402
from parapp.gui.history_tab import HistoryModel, HistoryTab  # noqa: E402
from parapp.gui.qt import QApplication, QEvent, QFileDialog, QMessageBox, Qt, QtGui  # noqa: E402
from parapp.i18n import language, set_language  # noqa: E402

DISTRICT = "436"  # Thành phố Hà Tĩnh, below the province office
OFFICER = "Trần Thị Hoa"
REVIEWER = "Lê Văn Bình"


@pytest.fixture
def office(tmp_path):
    before = language()
    set_language("vi")
    o = Office.create(tmp_path / "t.db", "42")
    yield o
    o.close()
    set_language(before)


@pytest.fixture
def figures(office):
    """A district's first quarter entered, corrected with a comment, submitted and returned; one Q2 figure."""
    office.enter(DISTRICT, "2025Q1", {"received_new": 10, "resolved_on_time": 6, "pending_in_time": 4}, who=OFFICER)
    office.enter(DISTRICT, "2025Q1", {"received_new": 1234, "pending_in_time": 1228},
                 comment="Sửa theo sổ tiếp nhận", who=OFFICER, source="/home/hoa/quy1.xlsx")
    office.enter(DISTRICT, "2025Q1", {"satisfaction_tthc_pct": 85.5, "satisfaction_tthc_respondents": 200},
                 who=OFFICER)
    office.submit(DISTRICT, "2025Q1", who=OFFICER)
    office.return_(DISTRICT, "2025Q1", "Thiếu số hồ sơ trực tuyến", who=REVIEWER)
    office.enter(DISTRICT, "2025Q2", {"received_new": 7, "resolved_on_time": 7}, who=OFFICER)
    return office


def type_text(widget, text: str) -> None:
    """Type text key by key, Vietnamese letters too (QTest.keyClicks takes only ASCII)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QtGui.QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def rows(tab: HistoryTab) -> list[list[str]]:
    p = tab.proxy
    return [[p.data(p.index(r, c)) for c in range(p.columnCount())] for r in range(p.rowCount())]


def find_row(table: list[list[str]], **cols: str) -> list[str]:
    names = {"what": HistoryModel.WHAT, "before": HistoryModel.BEFORE, "after": HistoryModel.AFTER,
             "who": HistoryModel.WHO}
    hits = [r for r in table if all(r[names[k]] == v for k, v in cols.items())]
    assert len(hits) == 1, (cols, table)
    return hits[0]


# ------------------------------------------------------------------------------------------ history


@pytest.fixture
def history(qtbot, figures):
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    tab.set_context(figures, DISTRICT, Period.parse("2025Q1"))
    return tab


def test_history_shows_changes_newest_first_with_old_and_new_values(history, figures, qtmodeltester):
    qtmodeltester.check(history.model)
    qtmodeltester.check(history.proxy)
    table = rows(history)
    # 3 + 2 + 2 value rows, draft, submitted, returned: 10 changes of Q1; Q2 is not shown
    assert len(table) == 10 == len(figures.history(DISTRICT, "2025Q1"))
    assert history.count_label.text() == "Changes: 10"
    assert history.table.isColumnHidden(HistoryModel.PERIOD)
    assert not history.empty_label.isVisible()

    newest = table[0]  # the return, with its reason
    assert newest[HistoryModel.WHAT] == "Status"
    assert newest[HistoryModel.BEFORE] == "➜ Đã gửi" and newest[HistoryModel.AFTER] == "↩ Bị trả lại"
    assert newest[HistoryModel.WHO] == REVIEWER
    assert newest[HistoryModel.REASON] == "Thiếu số hồ sơ trực tuyến"
    ids = [history.model.entry(r).id for r in range(history.model.rowCount())]
    assert ids == sorted(ids, reverse=True)

    corrected = find_row(table, what="Số hồ sơ mới tiếp nhận trong kỳ", before="10")
    assert corrected[HistoryModel.AFTER] == "1.234"  # Vietnamese thousands separator
    assert corrected[HistoryModel.COMMENT] == "Sửa theo sổ tiếp nhận"
    assert corrected[HistoryModel.SOURCE] == "quy1.xlsx"
    first = find_row(table, what="Số hồ sơ mới tiếp nhận trong kỳ", after="10")
    assert first[HistoryModel.BEFORE] == "(empty)"
    pct = [r for r in table if r[HistoryModel.AFTER] == "85,5"]
    assert len(pct) == 1 and pct[0][HistoryModel.BEFORE] == "(empty)"
    find_row(table, what="Status", before="○ Chưa nhập", after="✎ Đang nhập")
    find_row(table, what="Status", before="✎ Đang nhập", after="➜ Đã gửi")
    assert corrected[HistoryModel.TIME].count("/") == 2 and ":" in corrected[HistoryModel.TIME]


def test_history_filters(qtbot, history):
    type_text(history.filter_edit, "sổ tiếp")  # a comment
    table = rows(history)
    assert len(table) == 2  # received_new and pending_in_time took the comment
    assert {r[HistoryModel.COMMENT] for r in table} == {"Sửa theo sổ tiếp nhận"}
    assert history.count_label.text() == "Changes shown: 2 of 10"

    history.filter_edit.clear()
    qtbot.keyClicks(history.filter_edit, "binh")  # who, typed without marks
    assert [r[HistoryModel.WHO] for r in rows(history)] == [REVIEWER]

    history.filter_edit.clear()
    history.set_kind("status")
    table = rows(history)
    assert len(table) == 3 and {r[HistoryModel.WHAT] for r in table} == {"Status"}
    history.set_kind("comment")
    assert len(rows(history)) == 2
    history.set_kind("value")
    assert len(rows(history)) == 7
    history.set_kind("all")
    assert len(rows(history)) == 10


def test_history_all_periods_and_refresh(qtbot, history, figures):
    history.all_periods.setChecked(True)
    table = rows(history)
    assert len(table) == 13  # Q2: two values and its draft status
    assert not history.table.isColumnHidden(HistoryModel.PERIOD)
    assert table[0][HistoryModel.PERIOD] == "Quý II/2025"

    history.all_periods.setChecked(False)
    assert len(rows(history)) == 10
    figures.enter(DISTRICT, "2025Q1", {"received_online": 3}, who=OFFICER)
    assert len(rows(history)) == 10  # until the window says the data changed
    history.refresh()
    table = rows(history)
    assert len(table) == 12  # the value, and the return going back to draft
    assert table[0][HistoryModel.AFTER] == "✎ Đang nhập"


def test_history_empty_state(qtbot, office):
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.show()
    tab.set_context(office, DISTRICT, "2025Q1")
    assert tab.model.rowCount() == 0
    assert tab.empty_label.isVisible() and tab.empty_label.text() == "No changes yet."
    assert not tab.table.isVisible()
    office.enter(DISTRICT, "2025Q1", {"received_new": 1, "pending_in_time": 1})
    tab.refresh()
    assert tab.table.isVisible() and not tab.empty_label.isVisible()


# ------------------------------------------------------------------------------------------ catalogue


@pytest.fixture
def catalogue_tab(qtbot, office):
    tab = CatalogueTab()
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.set_context(office, "42", Period.parse("2025"))
    return tab


def visible_items(tab: CatalogueTab, kind: str) -> list[str]:
    """Codes of the items of that kind the tree shows (with the search applied)."""
    out, model = [], tab.proxy

    def walk(parent):
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            if index.data(KIND_ROLE) == kind:
                out.append(index.data(CODE_ROLE))
            walk(index)

    walk(tab.proxy.index(-1, -1))
    return out


def test_catalogue_tree_lists_indicators_under_groups(catalogue_tab, office, qtmodeltester):
    qtmodeltester.check(catalogue_tab.model)
    qtmodeltester.check(catalogue_tab.proxy)
    proxy = catalogue_tab.proxy
    groups = [proxy.index(r, 0) for r in range(proxy.rowCount())]
    assert [g.data(KIND_ROLE) for g in groups] == ["group"] * len(office.catalogue.groups) + ["rules"]
    indicators = visible_items(catalogue_tab, "indicator")
    assert len(indicators) == 33 == len(set(indicators)) == len(office.catalogue.indicators)
    for g in groups[:-1]:
        for r in range(proxy.rowCount(g)):
            child = proxy.index(r, 0, g)
            if child.data(KIND_ROLE) == "indicator":
                assert office.catalogue.indicators[child.data(CODE_ROLE)].group == g.data(CODE_ROLE)
    online = proxy.match(proxy.index(0, 0), CODE_ROLE, "online_rate", 1,
                         Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    assert online.data() == "Tỷ lệ hồ sơ tiếp nhận trực tuyến"
    assert online.siblingAtColumn(1).data() == "online_rate"
    elements = [proxy.index(r, 0, online).data(CODE_ROLE) for r in range(proxy.rowCount(online))]
    assert elements == ["received_online", "received_new"]
    assert len(visible_items(catalogue_tab, "rule")) == len(office.catalogue.rules)
    # every element is somewhere in the tree, those no indicator uses as well
    assert set(visible_items(catalogue_tab, "element")) == set(office.catalogue.elements)


def test_catalogue_search_and_details(qtbot, catalogue_tab):
    type_text(catalogue_tab.search, "trực tuyến")
    found = visible_items(catalogue_tab, "indicator")
    assert "online_rate" in found and "ontime_rate" not in found
    catalogue_tab.search.clear()
    qtbot.keyClicks(catalogue_tab.search, "truc tuyen")  # without marks, as typed on a plain keyboard
    assert "online_rate" in visible_items(catalogue_tab, "indicator")

    proxy, tree = catalogue_tab.proxy, catalogue_tab.tree
    index = proxy.match(proxy.index(0, 0), CODE_ROLE, "online_rate", 1,
                        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    tree.scrollTo(index)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(index).center())
    assert catalogue_tab.selected_item() == ("indicator", "online_rate")
    text = catalogue_tab.details.toPlainText()
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến" in text
    assert "Trong đó: số hồ sơ tiếp nhận trực tuyến" in text  # the formula names its elements
    assert "Số hồ sơ mới tiếp nhận trong kỳ" in text
    assert "Higher values are better." in text
    # the targets of every set, with their sources; the set in use (Hà Tĩnh) first
    assert "ha_tinh_2022_2025" in text and "nghe_an_2021" in text
    assert text.index("ha_tinh_2022_2025") < text.index("nghe_an_2021")
    assert "> 50%" in text and "≥ 15%" in text
    assert "Trên 50% hồ sơ thủ tục hành chính thuộc danh mục dịch vụ công trực tuyến" in text
    assert "Quyết định số 4879/QĐ-UBND ngày 30/12/2020" in text
    assert "applies to the chosen unit and year" in text  # Hà Tĩnh's 2025 target, for the province in 2025

    catalogue_tab.select_item("element", "carried_over")
    text = catalogue_tab.details.toPlainText()
    assert "Opening stock" in text and "Each quarter." in text
    catalogue_tab.select_item("rule", "balance")
    text = catalogue_tab.details.toPlainText()
    assert "cannot be submitted" in text and "=" in text


def test_choose_another_target_set(qtbot, catalogue_tab, office, tmp_path, qtmodeltester):
    tab = catalogue_tab
    qtmodeltester.check(tab.sets_model)
    qtmodeltester.check(tab.targets_model)
    tab.tabs.setCurrentIndex(1)
    assert office.target_set.id == "ha_tinh_2022_2025"
    model = tab.sets_model
    current = model.row_of("ha_tinh_2022_2025")
    assert model.data(model.index(current, 0)).startswith("✔")
    assert model.data(model.index(current, 2)) == "Tỉnh Hà Tĩnh (42)"
    assert not tab.use_button.isEnabled()  # the set in use is selected

    row = model.row_of("nghe_an_2021")
    tab.sets_view.selectRow(row)
    assert tab.targets_model.target_set.id == "nghe_an_2021"
    targets = tab.targets_model
    online = next(r for r in range(targets.rowCount()) if targets.target(r).indicator == "online_rate")
    assert targets.data(targets.index(online, 0)) == "Tỷ lệ hồ sơ tiếp nhận trực tuyến"
    assert targets.data(targets.index(online, 3)) == "≥ 15%"
    assert "4879/QĐ-UBND" in targets.data(targets.index(online, 4))
    assert "4879/QĐ-UBND" in targets.data(targets.index(online, 4), Qt.ItemDataRole.ToolTipRole)
    assert tab.use_button.isEnabled()
    with qtbot.waitSignal(tab.data_changed, timeout=1000):
        qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert office.target_set.id == "nghe_an_2021"
    assert office.store.meta("target_set") == "nghe_an_2021"
    assert model.data(model.index(model.row_of("nghe_an_2021"), 0)).startswith("✔")
    assert model.data(model.index(model.row_of("ha_tinh_2022_2025"), 0)) == ""
    assert "nghe_an_2021" in tab.current_label.text()
    assert not tab.use_button.isEnabled()


BAD_SET = """\
id = "bad_set"
province = "42"
name_vi = "Bộ chỉ tiêu thử"
name_en = "A test set"
years = [2025, 2025]
document = "Thử"

[[targets]]
indicator = "no_such_indicator"
type = "threshold"
op = ">="
value = 50
source = "Thử"
"""


def test_import_refuses_a_bad_file_and_changes_nothing(qtbot, catalogue_tab, office, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_SET, encoding="utf-8")
    warnings = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), "*.toml"))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    catalogue_tab.tabs.setCurrentIndex(1)
    rows_before = catalogue_tab.sets_model.rowCount()
    with qtbot.assertNotEmitted(catalogue_tab.data_changed):
        qtbot.mouseClick(catalogue_tab.import_button, Qt.MouseButton.LeftButton)
    assert len(warnings) == 1
    assert "bad.toml" in warnings[0] and "dòng 8" in warnings[0] and "no_such_indicator" in warnings[0]
    assert office.target_set.id == "ha_tinh_2022_2025"
    assert "bad_set" not in office.target_sets()
    assert catalogue_tab.sets_model.rowCount() == rows_before


def test_import_a_good_file(qtbot, catalogue_tab, office, tmp_path, monkeypatch):
    good = tmp_path / "good.toml"
    good.write_text(BAD_SET.replace("bad_set", "my_set").replace("no_such_indicator", "online_rate"),
                    encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), "*.toml"))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: pytest.fail("no warning expected"))
    with qtbot.waitSignal(catalogue_tab.data_changed, timeout=1000):
        qtbot.mouseClick(catalogue_tab.import_button, Qt.MouseButton.LeftButton)
    model = catalogue_tab.sets_model
    row = model.row_of("my_set")
    assert row >= 0 and model.data(model.index(row, 8)) == "Imported"
    assert catalogue_tab.selected_set_id() == "my_set"
    assert office.target_set.id == "ha_tinh_2022_2025"  # imported, not yet in use
    assert "my_set" in catalogue_tab.note_label.text()
    catalogue_tab.tabs.setCurrentIndex(0)
    catalogue_tab.select_item("indicator", "online_rate")
    assert "my_set" in catalogue_tab.details.toPlainText()


def test_language_change_relabels(qtbot, catalogue_tab, history):
    set_language("en")
    for tab in (catalogue_tab, history):
        QApplication.sendEvent(tab, QEvent(QEvent.Type.LanguageChange))
    catalogue_tab.select_item("indicator", "online_rate")
    assert catalogue_tab.tree.currentIndex().data() == "Dossiers received online"
    assert "Of which: dossiers received online" in catalogue_tab.details.toPlainText()
    table = rows(history)
    corrected = find_row(table, what="New dossiers received in the period", before="10")
    assert corrected[HistoryModel.AFTER] == "1,234"
    assert table[0][HistoryModel.AFTER] == "↩ Returned"


def test_history_last_column_is_whole(qtbot, figures):
    figures.enter(DISTRICT, "2025Q1", {"received_online": 3}, who=OFFICER, comment="Ghi chú rất dài " * 12,
                  source="/home/hoa/so-lieu-quy-1-nam-2025-ban-cuoi-da-sua.xlsx")
    tab = HistoryTab()
    qtbot.addWidget(tab)
    tab.resize(1100, 600)
    tab.show()
    tab.set_context(figures, DISTRICT, Period.parse("2025Q1"))
    table, last = tab.table, HistoryModel.SOURCE
    assert table.horizontalHeader().stretchLastSection()
    assert table.columnWidth(last) >= table.sizeHintForColumn(last)
    used = sum(table.columnWidth(c) for c in range(last + 1) if not table.isColumnHidden(c))
    assert used <= table.viewport().width() + 1  # nothing cut at the right edge


def test_catalogue_tree_shows_names_whole(catalogue_tab, office):
    tree, proxy = catalogue_tab.tree, catalogue_tab.proxy
    fm = tree.fontMetrics()
    for kind, code in (("indicator", "online_rate"), ("element", "late_apologised")):
        index = proxy.match(proxy.index(0, 0), CODE_ROLE, code, 1,
                            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
        tree.scrollTo(index)
        name = index.data()
        assert len(name) > 25
        assert tree.visualRect(index).width() >= fm.horizontalAdvance(name), (kind, name)
    assert tree.columnWidth(0) >= catalogue_tab.name_width() or tree.columnWidth(0) >= 200
