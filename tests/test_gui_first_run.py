"""The forms under ui/ and the first-run set-up dialog, driven as an officer would."""

from __future__ import annotations

import pytest

from parapp.domain import unitlists
from parapp.engine.office import Office
from parapp.gui import first_run
from parapp.gui.first_run import CODE_ROLE, FirstRunDialog, fold
from parapp.gui.forms import FormError, form_names, load_form
from parapp.gui.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    Qt,
    QtGui,
    QWidget,
)
from parapp.gui.workers import wait_all

LEFT = Qt.MouseButton.LeftButton


# -- the forms ---------------------------------------------------------------------------------


def test_forms_are_found():
    assert "first_run" in form_names()


@pytest.mark.parametrize("name", form_names())
def test_every_form_loads(qtbot, name):
    form = load_form(name)
    qtbot.addWidget(form)
    assert isinstance(form, QWidget)
    assert form.objectName()  # the class name: the translation context of the form's texts
    assert form.layout() is not None


def test_a_missing_form_is_a_clear_error(qtbot):
    with pytest.raises(FormError, match="no_such_form"):
        load_form("no_such_form")


# -- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot):
    d = FirstRunDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    assert wait_all(10000)


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type as a Vietnamese keyboard (an input method such as Unikey) does: the text is committed."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QtGui.QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def replace_text(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    type_text(qtbot, widget, text)


def shown_provinces(d: FirstRunDialog) -> list[str]:
    lst = d.province_list
    return [lst.item(r).text() for r in range(lst.count()) if not lst.item(r).isHidden()]


def click_item(qtbot, lst: QListWidget, item: QListWidgetItem) -> None:
    lst.scrollToItem(item)
    qtbot.mouseClick(lst.viewport(), LEFT, pos=lst.visualItemRect(item).center())


def choose_province(qtbot, d: FirstRunDialog, search: str, name: str) -> None:
    replace_text(qtbot, d.province_search, search)
    item = next(d.province_list.item(r) for r in range(d.province_list.count())
                if d.province_list.item(r).text() == name)
    click_item(qtbot, d.province_list, item)


def official(tiers: int, province: str, level: str, name: str) -> unitlists.OfficialUnit:
    return next(u for u in unitlists.province_units(tiers, province) if u.level == level and u.name == name)


def ok_button(d: FirstRunDialog):
    return d.button_box.button(QDialogButtonBox.StandardButton.Ok)


# -- the dialog --------------------------------------------------------------------------------


def test_fold_ignores_diacritics_case_and_spaces():
    assert fold("Tỉnh  Hà Tĩnh") == "tinh ha tinh"
    assert fold("Huyện Đức Thọ") == "huyen duc tho"
    assert fold("ĐẮK LẮK") == "dak lak"
    assert fold("Ha\u0300 Ti\u0303nh") == "ha tinh"  # decomposed input too


def test_an_officer_sets_up_a_district_office(qtbot, dialog, tmp_path):
    d = dialog
    assert not ok_button(d).isEnabled()

    qtbot.keyClicks(d.province_search, "ha tinh")
    assert shown_provinces(d) == ["Tỉnh Hà Tĩnh"]
    click_item(qtbot, d.province_list, d.province_list.findItems("Tỉnh Hà Tĩnh", Qt.MatchFlag.MatchExactly)[0])
    assert d.province_code == "42"

    qtbot.mouseClick(d.three_tiers, LEFT)
    assert d.three_tiers.isChecked()
    qtbot.mouseClick(d.level_radios["district"], LEFT)
    assert d.level == "district"

    line = d.unit_combo.lineEdit()
    type_text(qtbot, line, "duc tho")
    popup = d.unit_combo.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["Huyện Đức Thọ"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert d.unit_combo.currentText() == "Huyện Đức Thọ"
    duc_tho = official(3, "42", "district", "Huyện Đức Thọ")
    assert d.unit_code == duc_tho.code

    assert d.target_set_combo.currentData(CODE_ROLE) == "ha_tinh_2022_2025"
    assert "Hà Tĩnh" in d.target_set_combo.currentText()

    type_text(qtbot, d.officer_edit, "Nguyễn Thị Lan")
    path = tmp_path / "office.db"
    replace_text(qtbot, d.db_path_edit, str(path))
    assert d.problem() is None
    assert str(path) in d.problem_label.text()

    qtbot.mouseClick(ok_button(d), LEFT)
    qtbot.waitUntil(lambda: d.result() == QDialog.DialogCode.Accepted and not d.isVisible())
    assert d.office_path == path
    assert not d.demo_requested
    assert path.exists()
    with Office.open(path) as office:
        assert office.office_code == duc_tho.code
        assert office.province_code == "42"
        assert office.tiers == 3
        assert office.officer == "Nguyễn Thị Lan"
        assert office.target_set is not None and office.target_set.id == "ha_tinh_2022_2025"


def test_a_province_office_without_a_target_set(qtbot, dialog, tmp_path):
    d = dialog
    type_text(qtbot, d.province_search, "Nghệ")  # with diacritics works as well
    assert shown_provinces(d) == ["Tỉnh Nghệ An"]
    qtbot.keyClick(d.province_search, Qt.Key.Key_Return)  # Enter takes the one shown
    assert d.province_code == "40"
    assert d.level == "province" and d.unit_code == "40"  # the province's own office: nothing to pick
    assert d.target_set_combo.currentData(CODE_ROLE) == "nghe_an_2021"
    d.target_set_combo.setCurrentIndex(d.target_set_combo.findData("", CODE_ROLE))  # "None"
    type_text(qtbot, d.officer_edit, "Trần Văn Bình")
    path = tmp_path / "sub" / "nghe-an.db"
    replace_text(qtbot, d.db_path_edit, str(path))
    with qtbot.waitSignal(d.accepted, timeout=10000):
        qtbot.mouseClick(ok_button(d), LEFT)
    with Office.open(d.office_path) as office:
        assert office.office_code == "40"
        assert office.target_set is None


def test_the_default_location_is_the_settings_one(dialog):
    from parapp import settings

    assert dialog.db_path == settings.default_db()


def test_an_existing_file_keeps_ok_disabled_and_says_why(qtbot, dialog, tmp_path):
    d = dialog
    existing = tmp_path / "office.db"
    existing.write_bytes(b"an officer's earlier file")
    choose_province(qtbot, d, "ha tinh", "Tỉnh Hà Tĩnh")
    type_text(qtbot, d.officer_edit, "Nguyễn Thị Lan")
    replace_text(qtbot, d.db_path_edit, str(existing))
    assert not ok_button(d).isEnabled()
    assert "already exists" in d.problem_label.text()
    assert str(existing) in d.problem_label.text()

    replace_text(qtbot, d.db_path_edit, str(tmp_path))  # a folder
    assert not ok_button(d).isEnabled()
    assert "folder" in d.problem_label.text()

    replace_text(qtbot, d.db_path_edit, str(tmp_path / "other.db"))
    assert ok_button(d).isEnabled()
    assert existing.read_bytes() == b"an officer's earlier file"


def test_ok_needs_province_unit_and_officer(qtbot, dialog, tmp_path):
    d = dialog
    replace_text(qtbot, d.db_path_edit, str(tmp_path / "office.db"))
    assert not ok_button(d).isEnabled() and "province" in d.problem_label.text()
    choose_province(qtbot, d, "ha tinh", "Tỉnh Hà Tĩnh")
    qtbot.mouseClick(d.level_radios["commune"], LEFT)
    assert d.unit_code is None
    assert not ok_button(d).isEnabled() and "unit" in d.problem_label.text()
    type_text(qtbot, d.unit_combo.lineEdit(), "Thị trấn Đức")  # half a name picks nothing yet…
    assert d.unit_code is None
    type_text(qtbot, d.unit_combo.lineEdit(), " Thọ")
    qtbot.keyClick(d.unit_combo.lineEdit(), Qt.Key.Key_Return)  # …a whole one does once typed
    assert d.unit_code == official(3, "42", "commune", "Thị trấn Đức Thọ").code
    assert d.unit_combo.currentText() == "Thị trấn Đức Thọ (Huyện Đức Thọ)"  # communes name their district
    assert not ok_button(d).isEnabled() and "officer" in d.problem_label.text()
    type_text(qtbot, d.officer_edit, "   ")
    assert not ok_button(d).isEnabled()
    type_text(qtbot, d.officer_edit, "Lan")
    assert ok_button(d).isEnabled()


def test_two_tiers_disable_the_district_level_and_list_34_provinces(qtbot, dialog):
    d = dialog
    assert d.province_list.count() == 63
    choose_province(qtbot, d, "ha tinh", "Tỉnh Hà Tĩnh")
    qtbot.mouseClick(d.level_radios["district"], LEFT)
    assert d.unit_combo.count() == len([u for u in unitlists.province_units(3, "42") if u.level == "district"])

    qtbot.mouseClick(d.two_tiers, LEFT)
    assert d.tiers == 2
    assert d.province_list.count() == 34
    assert d.province_list.count() == len([u for u in unitlists.official_units(2) if u.level == "province"])
    assert not d.level_radios["district"].isEnabled()
    assert d.level is None  # no district offices any more: the officer chooses again
    assert d.province_code == "42"  # Hà Tĩnh stays chosen
    assert shown_provinces(d) == ["Tỉnh Hà Tĩnh"]  # the search still applies
    assert not ok_button(d).isEnabled()

    qtbot.mouseClick(d.level_radios["commune"], LEFT)
    assert d.unit_combo.count() == len([u for u in unitlists.province_units(2, "42") if u.level == "commune"])

    replace_text(qtbot, d.province_search, "")
    qtbot.mouseClick(d.three_tiers, LEFT)
    assert d.province_list.count() == 63
    assert d.level_radios["district"].isEnabled()


def test_a_failure_is_explained_and_the_dialog_stays_open(qtbot, dialog, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(first_run.QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    d = dialog
    (tmp_path / "afile").write_text("not a folder")
    choose_province(qtbot, d, "ha tinh", "Tỉnh Hà Tĩnh")
    type_text(qtbot, d.officer_edit, "Nguyễn Thị Lan")
    replace_text(qtbot, d.db_path_edit, str(tmp_path / "afile" / "office.db"))
    assert ok_button(d).isEnabled()
    qtbot.mouseClick(ok_button(d), LEFT)
    qtbot.waitUntil(lambda: bool(warnings))
    assert "afile" in warnings[0]
    assert d.isVisible() and d.office_path is None
    assert d.form.isEnabled() and ok_button(d).isEnabled()  # the officer can fix it and try again


def test_the_demo_button(qtbot, dialog):
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.demo_button, LEFT)
    assert dialog.demo_requested
    assert dialog.office_path is None


def test_cancel(qtbot, dialog):
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(dialog.button_box.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert dialog.office_path is None and not dialog.demo_requested
