"""The DHIS2 menu of the window: export, import with its preview (all or nothing), the metadata package, and the
send to a server (against a local imitation of DHIS2's Web API: no real DHIS2 is reached here)."""

from __future__ import annotations

import json
import sqlite3

import pytest

pytest.importorskip("PySide6")

from dhis2_imitation import PASSWORD, Server  # noqa: E402

from parapp.domain.periods import Period  # noqa: E402
from parapp.engine.office import Office  # noqa: E402
from parapp.gui.mainwindow import MainWindow  # noqa: E402
from parapp.gui.qt import QMessageBox  # noqa: E402
from parapp.i18n import set_language  # noqa: E402

DISTRICT, COMMUNE = "436", "18073"
FIGURES = {"received_new": "120", "received_online": "70", "resolved_on_time": "85", "resolved_late": "5"}


def window_on(qtbot, path, unit=None, period="2025Q2"):
    w = MainWindow(Office.open(path), unit, Period.parse(period))
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def district(tmp_path):
    set_language("en")
    path = tmp_path / "district.db"
    with Office.create(path, "42", office=DISTRICT, officer="Trần Văn Bình") as office:
        office.enter(COMMUNE, "2025Q2", FIGURES, comment=None)
        office.enter(COMMUNE, "2025Q2", {"received_new": "120"}, comment="Số liệu từ một cửa")
    return path


def dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_values_exported_from_the_menu_come_back_in_a_fresh_database_through_the_preview(qtbot, tmp_path, district):
    w = window_on(qtbot, district, DISTRICT)
    said = []
    w.exchange.written = lambda text, folder, files=None: said.append(text)
    out = tmp_path / "dhis2.csv"  # the file type decides the format
    w.dhis2.export_values(out)
    qtbot.waitUntil(lambda: bool(said), timeout=15000)
    assert str(out) in said[0] and "4 value(s)" in said[0] and "1 comment(s)" in said[0]
    assert out.read_text(encoding="utf-8").splitlines()[0].lower().startswith("dataelement,period,orgunit")

    fresh = tmp_path / "fresh.db"
    Office.create(fresh, "42", office=DISTRICT).close()
    w2 = window_on(qtbot, fresh, DISTRICT)
    seen = {}

    def decide(dlg):
        seen["files"] = dlg.table.rowCount()
        seen["summary"] = dlg.summary.text()
        seen["can"] = dlg.apply_button.isEnabled()
        return True

    w2.dhis2.import_paths([out], decide=decide)
    qtbot.waitUntil(lambda: "files" in seen, timeout=15000)
    assert seen == {"files": 1, "summary": seen["summary"], "can": True} and "4 value(s)" in seen["summary"]
    qtbot.waitUntil(lambda: "imported" in w2.statusBar().currentMessage(), timeout=15000)
    with Office.open(fresh) as office:
        stored = office.report(COMMUNE, "2025Q2").stored
        assert {k: v.value for k, v in stored.items()} == {k: float(v) for k, v in FIGURES.items()}
        assert stored["received_new"].comment == "Số liệu từ một cửa"


def test_a_refused_file_cannot_be_imported_and_nothing_changes(qtbot, tmp_path, district, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"dataValues": [{"dataElement": "received_new", "period": "2025Q2",
                                               "orgUnit": COMMUNE, "value": "mười"}]}), encoding="utf-8")
    before = dump(district)
    w = window_on(qtbot, district, DISTRICT)
    seen = {}

    def decide(dlg):
        seen["can"] = dlg.apply_button.isEnabled()
        seen["what"] = dlg.table.item(0, 5).text()
        return False

    w.dhis2.import_paths([bad], decide=decide)
    qtbot.waitUntil(lambda: "can" in seen, timeout=15000)
    assert seen["can"] is False and "bad.json" in seen["what"] and "✘" in seen["what"]
    w.close()
    assert dump(district) == before


def test_the_metadata_package_from_the_menu(qtbot, tmp_path, district):
    w = window_on(qtbot, district, DISTRICT)
    said = []
    w.exchange.written = lambda text, folder, files=None: said.append(text)
    out = tmp_path / "metadata.json"
    w.dhis2.export_metadata(out)
    qtbot.waitUntil(lambda: bool(said), timeout=15000)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"dataElements", "organisationUnits", "dataSets"} <= set(doc)
    assert any(u.get("code") == COMMUNE for u in doc["organisationUnits"])


def test_sending_checks_first_then_sends_and_the_password_is_kept_nowhere(qtbot, tmp_path, district, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = Server()
    server.dhis.elements = set(FIGURES)
    server.dhis.org_units = {DISTRICT, COMMUNE}
    try:
        w = window_on(qtbot, district, DISTRICT)
        dlg = w.dhis2.send_dialog()
        qtbot.waitExposed(dlg)
        assert not dlg.send_button.isEnabled()  # only after a dry run DHIS2 took
        dlg.url.setText(server.url)
        dlg.user.setText("admin")
        dlg.post(dry_run=True)
        assert "password" in dlg.result.toPlainText().lower()  # nothing sent without one
        dlg.secret.setText(PASSWORD)
        dlg.post(dry_run=True)
        qtbot.waitUntil(lambda: dlg.send_button.isEnabled(), timeout=15000)
        assert "Dry run" in dlg.result.toPlainText() and not server.dhis.kept
        dlg.post(dry_run=False)
        qtbot.waitUntil(lambda: len(server.dhis.kept) == 4, timeout=15000)
        qtbot.waitUntil(lambda: "4" in dlg.result.toPlainText() and "Dry run" not in dlg.result.toPlainText(),
                        timeout=15000)
        assert w.office.store.meta("dhis2_url") == server.url and w.office.store.meta("dhis2_user") == "admin"
        dlg.close()
        w.close()
    finally:
        server.stop()
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f


def test_an_unreachable_server_leaves_the_data_waiting_and_the_dialog_sends_them_later(qtbot, tmp_path, district,
                                                                                       monkeypatch):
    from dhis2_imitation import closed_port

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    port = closed_port()
    w = window_on(qtbot, district, DISTRICT)
    dlg = w.dhis2.send_dialog()
    dlg.url.setText(f"http://127.0.0.1:{port}")
    dlg.user.setText("admin")
    dlg.secret.setText(PASSWORD)
    dlg.post(dry_run=False)
    qtbot.waitUntil(lambda: dlg.waiting_button.isVisible(), timeout=15000)
    assert "(1)" in dlg.waiting_button.text()
    server = Server(port=port)  # the connection is back
    server.dhis.elements = set(FIGURES)
    server.dhis.org_units = {DISTRICT, COMMUNE}
    try:
        dlg.send_waiting()
        qtbot.waitUntil(lambda: len(server.dhis.kept) == 4, timeout=15000)
        qtbot.waitUntil(lambda: not dlg.waiting_button.isVisible(), timeout=15000)
    finally:
        server.stop()
        dlg.close()
        w.close()
