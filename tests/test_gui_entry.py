"""The data-entry grid driven by keyboard as an officer would: type, Enter, paste, undo, submit, approve."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.entry import COMMENT, STATUS, TARGET, VALUE, EntryTab  # noqa: E402
from parapp.gui.qt import QApplication, QLineEdit, Qt, QUndoStack  # noqa: E402
from parapp.gui.unit_tree import UnitTreeModel  # noqa: E402
from parapp.i18n import set_language  # noqa: E402


@pytest.fixture
def office(tmp_path):
    set_language("vi")
    o = Office.create(tmp_path / "na.db", "40", officer="Phan Văn Đức")
    yield o
    o.close()


@pytest.fixture
def tab(qtbot, office):
    stack = QUndoStack()
    t = EntryTab(stack)
    t.undo_stack = stack
    qtbot.addWidget(t)
    t.resize(1000, 700)
    t.show()
    return t


def cell(tab, code, col):
    m = tab.model
    return m.data(m.index(m.row_of(code), col))


def type_value(qtbot, tab, code, text):
    view, m = tab.view, tab.model
    view.setCurrentIndex(m.index(m.row_of(code), VALUE))
    qtbot.keyClicks(view, text[0])  # typing starts the editor, with that first key in it
    editor = visible_editor(view)
    assert editor is not None
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits the edit on the next turn of the event loop
    qtbot.waitUntil(lambda: visible_editor(view) is None)


def visible_editor(view):
    return next((e for e in view.findChildren(QLineEdit) if e.isVisible()), None)


def test_ha_giang_figures_by_keyboard(qtbot, office, tab, qtmodeltester):
    tab.set_context(office, "40", Period.parse("2021"))
    qtmodeltester.check(tab.model)
    for code, text in [("received_new", "37.657"), ("resolved_on_time", "33.270"), ("received_online", "294"),
                       ("pending_in_time", "4.387")]:
        type_value(qtbot, tab, code, text)
        assert cell(tab, code, VALUE) == text
    assert cell(tab, "online_rate", VALUE) == "0,78%"
    assert cell(tab, "online_rate", STATUS) == "✘ Không đạt"
    assert cell(tab, "online_rate", TARGET) == "≥ 15%"
    assert cell(tab, "resolution_rate", VALUE) == "88,35%"
    assert "4879/QĐ-UBND" in tab.model.data(tab.model.index(tab.model.row_of("online_rate"), STATUS),
                                            Qt.ItemDataRole.ToolTipRole)
    # Enter moved on: after the last value the cursor stands on the next element
    assert tab.model.element_at(tab.view.currentIndex().row()).code != "pending_in_time"
    # saved at once, in the database itself
    assert office.report("40", "2021").own.values["received_new"] == 37657
    qtmodeltester.check(tab.model)


def test_wrong_kind_of_value_is_refused_in_the_cell(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q1"))
    type_value(qtbot, tab, "received_new", "12,5")
    assert cell(tab, "received_new", VALUE) == ""
    assert tab.message.isVisible() and "phải là số nguyên" in tab.message.text()
    type_value(qtbot, tab, "received_new", "abc")
    assert "không phải là một số" in tab.message.text()
    assert office.report("40", "2025Q1").own.values == {}


def test_rule_failure_marks_every_cell_involved(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q1"))
    type_value(qtbot, tab, "received_new", "100")
    type_value(qtbot, tab, "received_online", "120")
    for code in ("received_new", "received_online"):
        tip = tab.model.data(tab.model.index(tab.model.row_of(code), VALUE), Qt.ItemDataRole.ToolTipRole)
        assert "trực tuyến không được lớn hơn" in tip
        assert cell(tab, code, STATUS).startswith("⚠")
    assert "kiểm tra" in tab.banner.text() or "Checks failing: 2" in tab.banner.text()


def test_paste_a_block_then_undo_and_redo(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q2"))
    m = tab.model
    tab.view.setCurrentIndex(m.index(m.row_of("carried_over"), VALUE))
    QApplication.clipboard().setText("10\t\r\n1.200\r\n300\r\n")
    qtbot.keyClick(tab.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [cell(tab, c, VALUE) for c in ("carried_over", "received_new", "received_online")] == ["10", "1.200", "300"]
    tab.model.undo_stack.undo()
    assert [cell(tab, c, VALUE) for c in ("carried_over", "received_new", "received_online")] == ["", "", ""]
    assert office.report("40", "2025Q2").own.values == {}
    tab.model.undo_stack.redo()
    assert office.report("40", "2025Q2").own.values["received_new"] == 1200
    # a block with one bad value pastes nothing
    tab.view.setCurrentIndex(m.index(m.row_of("carried_over"), VALUE))
    QApplication.clipboard().setText("5\nabc\n7")
    qtbot.keyClick(tab.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert cell(tab, "carried_over", VALUE) == "10" and "abc" in tab.message.text()


def test_comment_per_value(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q3"))
    type_value(qtbot, tab, "received_new", "50")
    m = tab.model
    assert m.setData(m.index(m.row_of("received_new"), COMMENT), "Số liệu tạm tính")
    assert office.report("40", "2025Q3").stored["received_new"].comment == "Số liệu tạm tính"


def test_submit_approve_and_the_lock(qtbot, office, tab, qtmodeltester):
    commune = "17014"
    office.enter(commune, "2025Q1", {"received_new": 12, "resolved_on_time": 12})
    office.submit(commune, "2025Q1")
    tree = UnitTreeModel(office, Period.parse("2025Q1"))
    qtmodeltester.check(tree)
    assert tree.data(tree.index_for(commune, 1)) == "➜ Đã gửi"
    office.approve(commune, "2025Q1")
    tree.refresh_statuses()
    assert tree.data(tree.index_for(commune, 1)) == "✔ Đã duyệt"
    tab.set_context(office, commune, Period.parse("2025Q1"))
    m = tab.model
    assert not (m.flags(m.index(m.row_of("received_new"), VALUE)) & Qt.ItemFlag.ItemIsEditable)
    banner = tab.banner.text()
    assert "✔ Approved by" in banner and "🔒" not in banner  # a symbol every office font has
    from datetime import date

    assert f"on {date.today():%d/%m/%Y}:" in banner  # the day as officers write it, not 2026-12-02


def test_a_value_changed_with_another_tool_is_marked_as_such(qtbot, office, tab):
    import sqlite3

    office.enter("40", "2021", {"received_new": "37657", "resolved_on_time": "33270"})
    conn = sqlite3.connect(office.store.path)
    conn.execute("UPDATE data_values SET value = 40000 WHERE unit = '40' AND period = '2021' "
                 "AND element = 'received_new'")
    conn.commit()
    conn.close()
    tab.set_context(office, "40", Period.parse("2021"))
    # (Qt's own texts are untranslated in these tests; numbers follow the Vietnamese locale.)
    marked = "⚠ Changed outside ParApp"
    assert cell(tab, "received_new", STATUS) == marked
    m = tab.model
    tip = m.data(m.index(m.row_of("received_new"), VALUE), Qt.ItemDataRole.ToolTipRole)
    assert "the history says 37.657, the database holds 40.000" in tip
    assert "changed with another tool" in tab.banner.text()
    assert cell(tab, "resolved_on_time", STATUS) != marked
    # Saving a value again through ParApp puts it back in the history.
    type_value(qtbot, tab, "received_new", "37657")
    assert cell(tab, "received_new", STATUS) != marked


def test_a_refusal_goes_once_the_value_is_fixed_and_shows_no_codes(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q1"))
    type_value(qtbot, tab, "received_new", "-5")
    text = tab.message.text()
    assert tab.message.isVisible() and "Số hồ sơ mới tiếp nhận trong kỳ" in text
    assert "received_new" not in text and "()" not in text
    assert "received_new" in tab.message.toolTip()  # the tooltip keeps the code
    type_value(qtbot, tab, "received_new", "5")
    assert not tab.message.isVisible()
    # a successful paste hides it too
    type_value(qtbot, tab, "received_new", "abc")
    assert tab.message.isVisible()
    m = tab.model
    assert m.paste(m.row_of("carried_over"), "1\n2\n") == 2
    assert not tab.message.isVisible()
    # and another unit or period
    type_value(qtbot, tab, "received_new", "-1")
    assert tab.message.isVisible()
    tab.set_context(office, "40", Period.parse("2025Q2"))
    assert not tab.message.isVisible()


def test_a_refusal_goes_when_the_status_changes(qtbot, office, tab):
    commune = "17014"
    office.enter(commune, "2025Q1", {"received_new": 12, "resolved_on_time": 12})
    tab.set_context(office, commune, Period.parse("2025Q1"))
    type_value(qtbot, tab, "received_new", "-5")
    assert tab.message.isVisible()
    office.submit(commune, "2025Q1")
    tab.refresh()  # what the main window does after submit, approve or return
    assert not tab.message.isVisible()
    type_value(qtbot, tab, "resolved_on_time", "x")
    assert tab.message.isVisible()
    office.approve(commune, "2025Q1")
    tab.refresh()
    assert not tab.message.isVisible()


def test_plain_strips_and_names_catalogue_codes(office):
    from parapp.gui.entry import plain

    cat = office.catalogue
    assert plain("Số hồ sơ mới tiếp nhận trong kỳ (received_new): phải là số nguyên.", cat) == \
        "Số hồ sơ mới tiếp nhận trong kỳ: phải là số nguyên."
    assert plain("xem late_apologised", cat) == "xem " + cat.elements["late_apologised"].name.get()
    assert plain("Quý I (2025) (not_a_code)", cat) == "Quý I (2025) (not_a_code)"


def test_the_value_column_has_room_for_a_number(qtbot, office, tab):
    tab.set_context(office, "40", Period.parse("2025Q1"))  # an empty form
    fm = tab.view.fontMetrics()
    width = tab.view.columnWidth(VALUE)
    assert width >= fm.horizontalAdvance("37.657.000") + 12 and width >= fm.horizontalAdvance("97,89%") + 12
    assert width == tab.value_width()


@pytest.mark.parametrize("at_once", [True, False])
def test_an_open_return_that_fails_a_check_shows_errors_at_once_or_once_checked_on_a_pool_thread(
        qtbot, office, monkeypatch, at_once):
    """An office's few open returns are checked while the tree loads; a national database's thousands on a pool
    thread (their statuses as they stand meanwhile, the window free), each failing one then marked."""
    from parapp.gui import unit_tree

    bad, good = "17014", [r[0] for r in office.store.conn.execute(
        "SELECT code FROM units WHERE parent = (SELECT parent FROM units WHERE code = '17014') AND code <> '17014' "
        "ORDER BY code LIMIT 1")][0]
    office.enter(bad, "2025Q1", {"received_new": 10, "resolved_on_time": 20})  # 10 received, 20 resolved
    office.enter(good, "2025Q1", {"received_new": 12, "resolved_on_time": 12})
    if not at_once:
        monkeypatch.setattr(unit_tree, "CHECKED_AT_ONCE", 1)
    tree = UnitTreeModel(office, Period.parse("2025Q1"))
    status = lambda code: tree.data(tree.index_for(code, 1))  # noqa: E731
    if at_once:
        assert status(bad) == "⚠ Có lỗi" and status(good) == "✎ Đang nhập"
        return
    assert status(bad) == "✎ Đang nhập"  # as it stands, until its check is done
    qtbot.waitUntil(lambda: status(bad) == "⚠ Có lỗi", timeout=10000)
    assert status(good) == "✎ Đang nhập"
    tree.set_period(Period.parse("2025Q2"))  # nothing open in Q2; the check begun for Q1 again marks it again
    tree.set_period(Period.parse("2025Q1"))
    assert status(bad) == "✎ Đang nhập"
    qtbot.waitUntil(lambda: status(bad) == "⚠ Có lỗi", timeout=10000)
