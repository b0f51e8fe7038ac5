"""Excel returns from the window: export, import with the preview, refusal, drag and drop."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.entry import VALUE  # noqa: E402
from parapp.gui.exchange import PreviewModel, dropped_paths  # noqa: E402
from parapp.gui.mainwindow import MainWindow  # noqa: E402
from parapp.gui.qt import QDialogButtonBox, QtCore  # noqa: E402
from parapp.i18n import set_language  # noqa: E402

COMMUNE, DISTRICT = "18073", "436"
FIGURES = {"carried_over": 4, "received_new": 120, "received_online": 70, "resolved_on_time": 110,
           "pending_in_time": 14}


def window_on(qtbot, path, period="2025Q2"):
    office = Office.open(path)
    w = MainWindow(office, None, Period.parse(period))
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def commune_return(qtbot, tmp_path):
    """A commune office enters its figures and exports its return from the window."""
    set_language("vi")
    path = tmp_path / "commune.db"
    Office.create(path, "42", office=COMMUNE, officer="Lê Thị Hằng").close()
    w = window_on(qtbot, path)
    m = w.entry.model
    for code, value in FIGURES.items():
        assert m.setData(m.index(m.row_of(code), VALUE), str(value))
    out = tmp_path / "ra" / "bao-cao.xlsx"
    w.exchange.export_return(out)
    qtbot.waitUntil(out.exists, timeout=15000)
    w.close()
    w.office.close()
    return out


def test_a_return_exported_by_the_commune_is_imported_by_the_district(qtbot, tmp_path, commune_return,
                                                                      qtmodeltester):
    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình").close()
    w = window_on(qtbot, path)
    seen = {}

    def decide(dlg):
        qtmodeltester.check(dlg.model)
        p = dlg.model.previews[0]
        seen.update(unit=p.unit.code, new=dict(p.new), apply=dlg.buttons.button(
            QDialogButtonBox.StandardButton.Apply).isEnabled())
        return True

    w.exchange.import_paths([commune_return], decide=decide)
    qtbot.waitUntil(lambda: bool(seen), timeout=15000)
    assert seen["unit"] == COMMUNE and seen["apply"]
    assert seen["new"] == {k: float(v) for k, v in FIGURES.items()}
    qtbot.waitUntil(lambda: w.office.report(COMMUNE, "2025Q2").own.values == {k: float(v) for k, v in FIGURES.items()})
    log = w.office.history(COMMUNE, "2025Q2")
    assert all(e.source and "bao-cao.xlsx" in e.source for e in log if e.action == "value")
    # the tree and the grid show what came in
    w.set_unit(COMMUNE)
    m = w.entry.model
    assert m.data(m.index(m.row_of("received_new"), VALUE)) == "120"


def test_a_broken_file_is_refused_in_the_preview_and_nothing_changes(qtbot, tmp_path):
    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT).close()
    bad = tmp_path / "bao-cao-hong.xlsx"
    bad.write_text("mã,giá trị\nreceived_new,5\n", encoding="utf-8")
    w = window_on(qtbot, path)
    seen = {}

    def decide(dlg):
        p = dlg.model.previews[0]
        seen.update(refused=p.refused.message() if p.refused else None,
                    apply=dlg.buttons.button(QDialogButtonBox.StandardButton.Apply).isEnabled(),
                    shown=dlg.model.data(dlg.model.index(0, PreviewModel.REMARKS)))
        return False

    w.exchange.import_paths([bad], decide=decide)
    qtbot.waitUntil(lambda: bool(seen), timeout=15000)
    assert seen["refused"] and "bao-cao-hong.xlsx" in seen["refused"]
    assert not seen["apply"] and seen["shown"].startswith("✘")
    assert w.office.store.conn.execute("SELECT count(*) FROM data_values").fetchone()[0] == 0


def test_preview_model_ticks(qtmodeltester, tmp_path, commune_return):
    from parapp.exchange.returns import preview

    path = tmp_path / "district.db"
    with Office.create(path, "42", office=DISTRICT) as office:
        previews = preview(office, [commune_return])
    model = PreviewModel(previews)
    qtmodeltester.check(model)
    assert model.accepted_paths() == {commune_return}
    model.set_all(False)
    assert model.accepted_paths() == set()


def test_a_return_edited_after_export_is_ticked_only_with_a_reason(qtbot, tmp_path, commune_return):
    import openpyxl

    from parapp.exchange.returns import META_SHEET, SHEET

    wb = openpyxl.load_workbook(commune_return)
    cells = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows() if r[0].value and r[1].value}
    wb[SHEET][cells["received_new"]] = 150
    edited = tmp_path / "sua.xlsx"
    wb.save(edited)
    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình").close()
    w = window_on(qtbot, path)
    seen = {}

    def decide(dlg):
        m = dlg.model
        apply_button = dlg.buttons.button(QDialogButtonBox.StandardButton.Apply)
        seen["signature"] = m.data(m.index(0, PreviewModel.SIGNATURE))
        seen["ticked"], seen["apply"] = m.accepted_paths(), apply_button.isEnabled()
        m.ask_reason = lambda p: ""  # the officer gives no reason: the file stays unticked
        seen["without"] = m.setData(m.index(0, 0), QtCore.Qt.CheckState.Checked.value,
                                    QtCore.Qt.ItemDataRole.CheckStateRole)
        m.ask_reason = lambda p: "Xã báo sửa qua điện thoại"
        seen["with"] = m.setData(m.index(0, 0), QtCore.Qt.CheckState.Checked.value,
                                 QtCore.Qt.ItemDataRole.CheckStateRole)
        seen["remarks"] = m.data(m.index(0, PreviewModel.REMARKS))
        return True

    w.exchange.import_paths([edited], decide=decide)
    qtbot.waitUntil(lambda: "with" in seen, timeout=15000)
    assert seen["signature"] == "✘ Edited after export"
    assert seen["ticked"] == set() and not seen["apply"]
    assert seen["without"] is False and seen["with"] is True and "qua điện thoại" in seen["remarks"]
    qtbot.waitUntil(lambda: w.office.report(COMMUNE, "2025Q2").own.values.get("received_new") == 150)
    [accepted] = [e for e in w.office.history(COMMUNE, "2025Q2") if e.action == "accept_return"]
    assert "qua điện thoại" in accepted.reason and accepted.source == "sua.xlsx"


def test_files_dropped_on_the_window(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.txt").write_text("x")
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(tmp_path / n)) for n in ("a.xlsx", "b.txt")]
                 + [QtCore.QUrl.fromLocalFile(str(tmp_path))])
    assert dropped_paths(mime) == [tmp_path / "a.xlsx", tmp_path]


def test_the_district_sends_its_return_with_its_communes_in_one_e_mail(qtbot, tmp_path, commune_return):
    """From the district's window, the outbox gets the district's return, the returns of its communes with
    figures, and one e-mail draft carrying them all; a folder export writes the same returns."""
    import email
    from email import policy

    from parapp.exchange.outbox import outbox_dir

    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình").close()
    w = window_on(qtbot, path)
    w.exchange.import_paths([commune_return], decide=lambda dlg: True)
    qtbot.waitUntil(lambda: bool(w.office.report(COMMUNE, "2025Q2").own.values), timeout=15000)
    w.set_unit(DISTRICT)
    w.exchange.export_to_outbox(to="ubnd@hatinh.gov.vn")
    box = outbox_dir(w.office)
    qtbot.waitUntil(lambda: any(box.glob("*.eml")), timeout=15000)
    [eml] = box.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert len(names) == 2 and names[0].startswith(DISTRICT) and names[1].startswith(COMMUNE)
    w.exchange.export_with_below(tmp_path / "gui")
    qtbot.waitUntil(lambda: len(list((tmp_path / "gui").glob("*.xlsx"))) == 2, timeout=15000)
    assert "export_below" in w.exchange.actions


def _open_folder_button(box):
    [button] = [b for b in box.buttons() if b.text() == "Open &folder"]
    return button


def _opened(monkeypatch):
    from parapp.gui.qt import QDesktopServices

    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def test_an_export_says_what_it_wrote_and_where_and_opens_the_folder(qtbot, tmp_path, monkeypatch):
    from pathlib import Path

    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình").close()
    w = window_on(qtbot, path)
    urls = _opened(monkeypatch)
    out = tmp_path / "ra" / "bao-cao-huyen.xlsx"
    w.exchange.export_return(out)
    qtbot.waitUntil(lambda: w.exchange.written_box is not None, timeout=15000)
    box = w.exchange.written_box
    assert out.exists() and box.isVisible()
    assert str(out) in box.text() and box.icon() == box.Icon.Information
    _open_folder_button(box).click()
    assert [Path(u.toLocalFile()) for u in urls] == [out.parent]
    # blank templates: how many, and the folder
    w.exchange.export_templates(tmp_path / "mau")
    qtbot.waitUntil(lambda: w.exchange.written_box is not box, timeout=15000)
    box = w.exchange.written_box
    written = list((tmp_path / "mau").glob("*.xlsx"))
    assert written and box.text() == f"{len(written)} blank template(s) written to {tmp_path / 'mau'}"
    _open_folder_button(box).click()
    assert Path(urls[-1].toLocalFile()) == tmp_path / "mau"


def test_an_e_mail_draft_asks_for_the_address_of_the_level_above(qtbot, tmp_path, monkeypatch):
    import email
    from email import policy
    from pathlib import Path

    from parapp.exchange.outbox import outbox_dir
    from parapp.gui.qt import QInputDialog

    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình").close()
    w = window_on(qtbot, path)
    w.set_unit(DISTRICT)
    urls = _opened(monkeypatch)
    box = outbox_dir(w.office)
    asked = []
    # cancelled: nothing is written, nothing is kept
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a[2]) or ("", False))
    w.exchange.export_to_outbox()
    assert asked and "no e-mail address yet" in asked[0]
    qtbot.wait(300)
    assert list(box.iterdir()) == [] and w.exchange.written_box is None
    assert not w.office.store.meta("upper_email")
    # given: kept for the next time, and the draft is addressed to it
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("snv@hatinh.gov.vn", True))
    w.exchange.export_to_outbox()
    qtbot.waitUntil(lambda: w.exchange.written_box is not None, timeout=15000)
    [eml] = box.glob("*.eml")
    assert email.message_from_bytes(eml.read_bytes(), policy=policy.default)["To"] == "snv@hatinh.gov.vn"
    assert w.office.store.meta("upper_email") == "snv@hatinh.gov.vn"
    said = w.exchange.written_box
    assert str(eml) in said.text() and said.isVisible()
    _open_folder_button(said).click()
    assert [Path(u.toLocalFile()) for u in urls] == [box]
    # the next draft does not ask again
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: pytest.fail("asked again"))
    w.exchange.export_to_outbox()
    qtbot.waitUntil(lambda: w.exchange.written_box is not said, timeout=15000)


def test_remarks_join_notes_without_a_stray_full_stop(qtbot):
    from types import SimpleNamespace

    note = SimpleNamespace(get=lambda: "Kỳ này đã có số liệu trong cơ sở dữ liệu.")
    other = SimpleNamespace(get=lambda: "Tệp lập bằng phiên bản ParApp cũ hơn.")
    p = SimpleNamespace(acceptable=True, unchanged=True, sound=True, warnings=[note, other], refused=None,
                        seal=None, path=None)
    model = PreviewModel([p])
    shown = model.data(model.index(0, PreviewModel.REMARKS))
    assert ".;" not in shown
    assert shown == "Kỳ này đã có số liệu trong cơ sở dữ liệu; Tệp lập bằng phiên bản ParApp cũ hơn; Nothing new"
    from parapp.gui.exchange import join_notes

    assert join_notes(["A.", "B."]) == "A; B." and join_notes(["Chờ..."]) == "Chờ..."


def test_the_import_preview_fits_a_small_screen(qtbot, tmp_path, monkeypatch):
    from parapp.gui.exchange import ImportPreviewDialog
    from parapp.gui.qt import QtCore, QtGui

    laptop = QtCore.QRect(0, 0, 1366, 728)
    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda self: laptop)
    path = tmp_path / "district.db"
    Office.create(path, "42", office=DISTRICT).close()
    w = window_on(qtbot, path)
    dlg = ImportPreviewDialog(w.office, [], w)
    assert dlg.width() <= laptop.width() and dlg.height() <= laptop.height() - 40
    assert (dlg.width(), dlg.height()) == (1200, 620)
    monkeypatch.setattr(QtGui.QScreen, "availableGeometry", lambda self: QtCore.QRect(0, 0, 1024, 600))
    dlg = ImportPreviewDialog(w.office, [], w)
    assert dlg.width() <= 1024 and dlg.height() <= 560
