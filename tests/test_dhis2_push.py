"""parapp dhis2 push against a local imitation of DHIS2's Web API (no real DHIS2 server is reached here).

The imitation answers POST /api/dataValueSets as DHIS2's documentation describes: Basic authentication or a
personal access token (Authorization: ApiToken ...), 401 for a wrong sign-in, an import summary that counts what
was posted (a dry run counts and keeps nothing; a real import keeps the values, and the same keys sent again are
"updated"), conflicts for an unknown data element or organisation unit (2.38 and later: the summary wrapped under
"response", HTTP 409 when there are conflicts; older versions: the summary itself, HTTP 200), and on demand a
slow answer (a time-out), a 503, a web page instead of JSON.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import types
from pathlib import Path

import pytest
from dhis2_imitation import ELEMENTS, ORG_UNITS, PASSWORD, TOKEN, Server, closed_port  # noqa: F401

from parapp.exchange.dhis2 import push


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(push.TOKEN_ENV, raising=False)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def legacy_server():
    s = Server(legacy=True)
    yield s
    s.stop()


def values_doc(n: int = 3, element: str | None = None, unit: str = "40", period: str = "2025Q3") -> bytes:
    names = sorted(ELEMENTS)
    return json.dumps({"dataValues": [
        {"dataElement": element or names[i % len(names)], "period": period if element or i < len(names) else
         f"{2000 + i // len(names)}Q{1 + i % 4}", "orgUnit": unit, "value": str(10 + i)} for i in range(n)
    ]}).encode()


def payload(data: bytes, unit: str = "40", periods=("2025Q3",)) -> push.Payload:
    return push.Payload(data, unit, tuple(periods))


BASIC = push.Credentials("admin", PASSWORD)


# ---------------------------------------------------------------------------------------- the client


def test_dry_run_counts_and_keeps_nothing_then_the_import_keeps_and_a_resend_updates(server):
    with push.Client(server.url, BASIC, timeout=5) as client:
        dry = client.post(values_doc(3), dry_run=True)
        assert (dry.status, dry.imported, dry.updated, dry.ignored, dry.dry_run) == ("SUCCESS", 3, 0, 0, True)
        assert client.post(values_doc(3), dry_run=True).imported == 3  # the dry run kept nothing
        real = client.post(values_doc(3), dry_run=False)
        assert (real.status, real.imported, real.updated, real.accepted) == ("SUCCESS", 3, 0, True)
        again = client.post(values_doc(3), dry_run=False)
        assert (again.imported, again.updated) == (0, 3)
    first = server.dhis.requests[0]
    assert first["path"] == "/api/dataValueSets"
    assert first["query"] == {"dryRun": "true", "importStrategy": "CREATE_AND_UPDATE", "idScheme": "CODE"}
    assert server.dhis.requests[2]["query"]["dryRun"] == "false"
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["Authorization"] == "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    assert json.loads(first["body"]) == json.loads(values_doc(3))


def test_completions_go_after_the_values_to_their_own_endpoint(server):
    """/api/dataValueSets takes values; the completions of approved returns go to
    /api/completeDataSetRegistrations after them, with the same dry run, and both answers are shown."""
    doc = json.loads(values_doc(2))
    doc["completeDataSetRegistrations"] = [
        {"dataSet": "PARAPP_QUARTERLY", "period": "2025Q3", "organisationUnit": "40", "completed": True},
        {"dataSet": "PARAPP_QUARTERLY", "period": "2025Q3", "organisationUnit": "99999", "completed": True}]
    data = json.dumps(doc).encode()
    with push.Client(server.url, BASIC, timeout=5) as client:
        dry = client.post(data, dry_run=True)
        assert (dry.imported, dry.completions.imported, dry.completions.ignored) == (2, 1, 1)
        assert not dry.clean and not server.dhis.completed  # an unknown unit among the completions: looked at first
        lines = dry.lines("en")
        assert any(line.startswith("Completed returns: new 1, updated 0, ignored 1") for line in lines)
        assert any("99999" in line for line in lines)
        real = client.post(data, dry_run=False)
        assert server.dhis.completed == {("PARAPP_QUARTERLY", "2025Q3", "40")} and real.completions.imported == 1
        assert "Báo cáo hoàn thành: mới 1" in "\n".join(real.lines("vi"))
    values_request, completions_request = server.dhis.requests[0], server.dhis.requests[1]
    assert values_request["path"] == "/api/dataValueSets"
    assert "completeDataSetRegistrations" not in json.loads(values_request["body"])
    assert completions_request["path"] == "/api/completeDataSetRegistrations"
    assert completions_request["query"]["dryRun"] == "true" and completions_request["query"]["idScheme"] == "CODE"
    assert len(json.loads(completions_request["body"])["completeDataSetRegistrations"]) == 2


def test_a_personal_access_token_goes_in_the_apitoken_header_and_uid_mapping_drops_idscheme(server):
    creds = push.Credentials(None, TOKEN, token=True)
    with push.Client(server.url + "/", creds, timeout=5) as client:
        assert client.post(values_doc(2), dry_run=True, id_scheme="UID").imported == 2
    request = server.dhis.requests[0]
    assert request["headers"]["Authorization"] == f"ApiToken {TOKEN}"
    assert "idScheme" not in request["query"]
    assert "token" not in repr(creds).lower().replace("token=true", "") and TOKEN not in repr(creds)


@pytest.mark.parametrize("creds", [push.Credentials("admin", "wrong"), push.Credentials("nobody", PASSWORD),
                                   push.Credentials(None, "d2pat_wrong", token=True)])
def test_a_wrong_sign_in_is_401_in_both_languages(server, creds):
    with push.Client(server.url, creds, timeout=5) as client, pytest.raises(push.PushError) as e:
        client.post(values_doc(1), dry_run=True)
    assert (e.value.kind, e.value.http_status, e.value.retry) == ("auth", 401, False)
    assert "401" in e.value.message("vi") and "không chấp nhận" in e.value.message("vi")
    assert "did not accept the sign-in" in e.value.message("en")


@pytest.mark.parametrize("legacy", [False, True])
def test_conflicts_are_listed_with_object_and_reason_in_either_shape(legacy, server, legacy_server):
    s = legacy_server if legacy else server
    data = json.dumps({"dataValues": [
        {"dataElement": "received_new", "period": "2025Q3", "orgUnit": "40", "value": "5"},
        {"dataElement": "no_such_element", "period": "2025Q3", "orgUnit": "40", "value": "6"},
        {"dataElement": "received_online", "period": "2025Q3", "orgUnit": "99999", "value": "7"},
    ]}).encode()
    with push.Client(s.url, BASIC, timeout=5) as client:
        summary = client.post(data, dry_run=True)
    assert summary.http_status == (200 if legacy else 409)
    assert (summary.status, summary.imported, summary.ignored, summary.accepted) == ("WARNING", 1, 2, False)
    assert [(c.object, c.code) for c in summary.conflicts] == (
        [("no_such_element", None), ("99999", None)] if legacy else
        [("no_such_element", "E7610"), ("99999", "E7612")])
    vi, en = "\n".join(summary.lines("vi")), "\n".join(summary.lines("en"))
    assert "no_such_element: Data element not found or not accessible" in vi
    assert "99999: Organisation unit not found" in en
    assert "nhập mới 1, cập nhật 0, bỏ qua 2; 2 xung đột" in vi
    assert "would import 1 new, updated 0, ignored 2; 2 conflicts" in en


def test_everything_unknown_is_a_409_error(server):
    with push.Client(server.url, BASIC, timeout=5) as client:
        summary = client.post(values_doc(2, unit="99999"), dry_run=False)
    assert (summary.status, summary.http_status, summary.imported, summary.ignored) == ("ERROR", 409, 0, 2)
    assert not server.dhis.kept


def test_a_slow_server_is_a_time_out_that_may_be_retried(server):
    server.dhis.delay = 1.5
    started = time.monotonic()
    with push.Client(server.url, BASIC, timeout=0.3) as client, pytest.raises(push.PushError) as e:
        client.post(values_doc(1), dry_run=True)
    assert time.monotonic() - started < 1.4
    assert (e.value.kind, e.value.retry) == ("timeout", True)
    assert "0,3 giây" in e.value.message("vi") and "0.3 seconds" in e.value.message("en")


def test_a_closed_port_and_an_unknown_host_are_offline():
    for url in (f"http://127.0.0.1:{closed_port()}", "http://no-such-host.invalid"):
        with push.Client(url, BASIC, timeout=2) as client, pytest.raises(push.PushError) as e:
            client.post(values_doc(1), dry_run=True)
        assert (e.value.kind, e.value.retry) == ("offline", True), url
        assert "Không kết nối được" in e.value.message("vi") and "Cannot connect" in e.value.message("en")


def test_other_answers_each_have_their_sentence(server):
    port = server.url.rsplit(":", 1)[1]
    cases = [
        (lambda: setattr(server.dhis, "fail", 503), server.url, "server", True, "503"),
        (lambda: setattr(server.dhis, "fail", 403), server.url, "forbidden", False, "403"),
        (lambda: setattr(server.dhis, "html", True), server.url, "bad_answer", False, "web page"),
        (lambda: None, server.url + "/wrong", "not_found", False, "404"),
        (lambda: None, f"https://127.0.0.1:{port}", "tls", False, "TLS"),
    ]
    for arrange, url, kind, retry, said in cases:
        server.dhis.fail, server.dhis.html = None, False
        arrange()
        with push.Client(url, BASIC, timeout=5) as client, pytest.raises(push.PushError) as e:
            client.post(values_doc(1), dry_run=True)
        assert (e.value.kind, e.value.retry) == (kind, retry), url
        assert said in e.value.message("en"), e.value.message("en")
        assert e.value.message("vi") != e.value.message("en")


def test_summaries_of_every_shape_and_nonsense_are_read_or_refused():
    old = {"responseType": "ImportSummary", "status": "SUCCESS",
           "dataValueCount": {"imported": 2, "updated": 1, "ignored": 0, "deleted": 0}}
    s = push.parse_summary(old)
    assert (s.status, s.imported, s.updated, s.accepted, s.clean) == ("SUCCESS", 2, 1, True, True)
    wrapped = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
               "response": {"status": "WARNING", "importCount": {"imported": 4, "updated": 0, "ignored": 0,
                                                                 "deleted": 0}, "conflicts": []}}
    s = push.parse_summary(wrapped)
    assert (s.status, s.accepted, s.clean) == ("WARNING", True, True)  # a WARNING with nothing ignored is taken
    assert push.parse_summary({"httpStatus": "OK", "message": "hello"}) is None
    assert push.parse_summary([1, 2]) is None
    for bad in ({"importCount": {"imported": -1}}, {"importCount": {"imported": "many"}},
                {"importCount": [1]}, {"importCount": {}, "conflicts": "x"}):
        with pytest.raises((ValueError, TypeError)):
            push.parse_summary(bad)
    # a control character from the server never reaches the terminal
    s = push.parse_summary({"importCount": {}, "status": "WARNING",
                            "conflicts": [{"object": "x\x1b[31m", "value": "bad\x07 " + "y" * 500}]})
    assert "\x1b" not in s.conflicts[0].object and "\x07" not in s.conflicts[0].reason
    assert len(s.conflicts[0].reason) <= 300


def test_addresses_are_normalised_and_a_password_in_one_is_refused():
    assert push.normalise_url("dhis2.example.gov.vn/dhis/api/") == "https://dhis2.example.gov.vn/dhis"
    assert push.normalise_url(" HTTP://Host:8080//api/dataValueSets ") == "http://host:8080"
    for bad in ("", "ftp://x.vn", "https://admin:pw@x.vn", "https://x.vn/?a=1", "https://", "http://x y"):
        with pytest.raises(push.PushError):
            push.normalise_url(bad)


def test_credentials_are_checked_without_showing_the_secret():
    for bad in (dict(user="admin", secret=""), dict(user=None, secret="x"),
                dict(user="a", secret="pa\nss"), dict(user=None, secret="tökén", token=True)):
        with pytest.raises(push.PushError) as e:
            push.Credentials(**bad)
        assert bad["secret"] not in e.value.message("en") or not bad["secret"]
    assert PASSWORD not in repr(BASIC) and PASSWORD not in str(BASIC)


# ---------------------------------------------------------------------------------------- the outbox


@pytest.fixture
def office(tmp_path):
    from parapp.engine.office import Office

    office = Office.create(tmp_path / "office.db", "40", officer="Cán bộ thử nghiệm")
    yield office
    office.close()


def test_an_unreachable_server_puts_the_payload_in_the_outbox_and_it_goes_later(office):
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    p = payload(values_doc(3))
    with push.Client(url, BASIC, timeout=2) as client, pytest.raises(push.PushError) as e:
        push.attempt(office, client, p, dry_run=True)
    w = e.value.waiting
    assert w is not None and w.payload_path.read_bytes() == p.data
    assert w.payload_path.parent == push.outbox_folder(office)
    meta = json.loads(w.sidecar_path.read_text(encoding="utf-8"))
    assert (meta["url"], meta["unit"], meta["periods"], meta["values"], meta["reason"]) == (
        url, "40", ["2025Q3"], 3, "offline")
    assert [x.payload_path for x in push.waiting(office)] == [w.payload_path]
    assert not list(w.payload_path.parent.glob(".~*"))  # no temporary file left

    s = Server(port=port)  # the server is back, on the same address
    try:
        with push.Client(url, BASIC, timeout=5) as client:
            [item] = push.waiting(office)
            summary = push.attempt(office, client, item.payload(), dry_run=False, waiting_as=item)
            assert summary.accepted
            push.remove(item)
        assert push.waiting(office) == [] and not w.payload_path.exists() and not w.sidecar_path.exists()
        assert len(s.dhis.kept) == 3
    finally:
        s.stop()


def test_every_attempt_is_a_log_line_and_a_real_import_a_history_row(office, server):
    with push.Client(server.url, BASIC, timeout=5) as client:
        push.attempt(office, client, payload(values_doc(3)), dry_run=True)
        push.attempt(office, client, payload(values_doc(3)), dry_run=False)
    with push.Client(server.url, push.Credentials("admin", "wrong"), timeout=5) as client, \
            pytest.raises(push.PushError):
        push.attempt(office, client, payload(values_doc(3)), dry_run=True)
    lines = [json.loads(x) for x in push.log_path().read_text(encoding="utf-8").splitlines()]
    assert [(x["dry_run"], x["status"], x.get("imported")) for x in lines] == [
        (True, "SUCCESS", 3), (False, "SUCCESS", 3), (True, "NOT_SENT", None)]
    assert lines[0]["url"] == server.url and lines[0]["user"] == "admin" and lines[0]["values"] == 3
    assert lines[0]["unit"] == "40" and lines[0]["periods"] == ["2025Q3"] and lines[2]["error"] == "auth"
    rows = office.store.conn.execute("SELECT action, unit, period, reason, source, who FROM audit_log "
                                     "WHERE action = 'dhis2_push'").fetchall()
    assert len(rows) == 1  # the real import only
    action, unit, period, reason, source, who = rows[0]
    assert (unit, period, source, who) == ("40", "2025Q3", server.url, "Cán bộ thử nghiệm")
    assert "SUCCESS: imported 3" in reason and "as admin" in reason
    from parapp.store.audit import verify

    assert verify(office.store).ok  # the history's chain still holds


# ------------------------------------------------------------------------------ the command, end to end


FAKE_VALUES: dict[str, bytes] = {}


@pytest.fixture
def fake_payload(monkeypatch):
    """Stand in for the dataValueSets writer: the command's flow tested on its own. The payload of a push is
    whatever FAKE_VALUES[unit] holds (default: three good values of the unit for each period)."""
    module = types.ModuleType("parapp.exchange.dhis2.datavalues")
    calls = []

    def payload_json(office, unit_code, periods, include_below=True, mapping=None):
        calls.append((unit_code, [str(p) for p in periods], include_below, mapping))
        if unit_code in FAKE_VALUES:
            return FAKE_VALUES[unit_code]
        return json.dumps({"dataValues": [{"dataElement": e, "period": str(p), "orgUnit": unit_code, "value": "4"}
                                          for p in periods for e in sorted(ELEMENTS)[:3]]}).encode()

    module.payload_json = payload_json
    monkeypatch.setitem(sys.modules, "parapp.exchange.dhis2.datavalues", module)
    FAKE_VALUES.clear()
    yield calls
    FAKE_VALUES.clear()


@pytest.fixture
def asked(monkeypatch):
    """getpass answers with the password; what it was asked is recorded."""
    prompts = []

    def fake(prompt=""):
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr("getpass.getpass", fake)
    return prompts


@pytest.fixture
def db(office):
    path = office.store.path
    office.close()
    return path


def run_push(cli, db, *args):
    return cli("dhis2", "push", "--db", db, *args)


def test_push_with_yes_prints_both_summaries_and_a_second_push_updates(cli, db, server, asked, fake_payload):
    code, out, err = run_push(cli, db, "--url", server.url, "--user", "admin", "--unit", "40",
                              "--period", "2025Q3", "--yes")
    assert code == 0, err
    assert asked == ["Mật khẩu DHIS2 của admin (không hiện khi gõ): "]
    assert "Chạy thử (không lưu): DHIS2 sẽ nhập mới 3, cập nhật 0, bỏ qua 0; 0 xung đột (chấp nhận)." in out
    assert "DHIS2 đã nhập mới 3, cập nhật 0, bỏ qua 0; 0 xung đột (chấp nhận)." in out
    assert [r["query"]["dryRun"] for r in server.dhis.requests] == ["true", "false"]
    assert fake_payload == [("40", ["2025Q3"], True, fake_payload[0][3])]
    # the address and the user name are remembered; the password is asked again
    code, out, err = run_push(cli, db, "--period", "2025Q3", "--yes", "--lang", "en")
    assert code == 0, err
    assert asked[-1] == "DHIS2 password of admin (not shown as you type): "
    assert "DHIS2 imported 0 new, updated 3, ignored 0; 0 conflicts (accepted)." in out


def test_numbers_follow_the_language(cli, db, server, asked, fake_payload):
    FAKE_VALUES["40"] = json.dumps({"dataValues": [
        {"dataElement": "received_new", "period": f"{2000 + i // 4}Q{1 + i % 4}", "orgUnit": "40", "value": "1"}
        for i in range(1234)]}).encode()
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--dry-run")
    assert code == 0 and "Gửi 1.234 giá trị" in out and "sẽ nhập mới 1.234," in out
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--dry-run",
                            "--lang", "en")
    assert code == 0 and "Sending 1,234 values" in out and "would import 1,234 new" in out
    assert all(r["query"]["dryRun"] == "true" for r in server.dhis.requests) and not server.dhis.kept


def test_without_a_terminal_or_yes_nothing_is_sent(cli, db, server, asked, fake_payload):
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3")
    assert code == 0
    assert "Chưa gửi: không có ai để hỏi" in out
    assert [r["query"]["dryRun"] for r in server.dhis.requests] == ["true"] and not server.dhis.kept


@pytest.mark.parametrize(("answer", "sent"), [("c", True), ("Có", True), ("", False), ("k", False)])
def test_a_terminal_is_asked_before_sending(cli, db, server, asked, fake_payload, monkeypatch, answer, sent):
    from parapp.exchange.dhis2 import cmd_push

    questions = []
    monkeypatch.setattr(cmd_push, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda q="": questions.append(q) or answer)
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3")
    assert code == 0 and questions == ["Gửi thật? [c/K] "]
    assert bool(server.dhis.kept) is sent
    assert ("DHIS2 đã nhập mới 3" in out) is sent and ("Chưa gửi." in out) is not sent


def test_conflicts_are_shown_and_yes_does_not_send_them(cli, db, server, asked, fake_payload):
    FAKE_VALUES["40"] = json.dumps({"dataValues": [
        {"dataElement": "received_new", "period": "2025Q3", "orgUnit": "40", "value": "5"},
        {"dataElement": "typo_element", "period": "2025Q3", "orgUnit": "40", "value": "6"}]}).encode()
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes",
                            "--lang", "en")
    assert code == 1
    assert "would import 1 new, updated 0, ignored 1; 1 conflict (accepted with warnings)." in out
    assert "- typo_element: Data element not found or not accessible: `typo_element` [E7610]" in out
    assert "Not sent: the dry run has conflicts" in out and not server.dhis.kept


def test_data_dhis2_would_refuse_whole_are_not_sent(cli, db, server, asked, fake_payload):
    server.dhis.org_units.discard("40")
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes")
    assert code == 1
    assert "bỏ qua 3; 3 xung đột (từ chối)" in out and "Organisation unit not found or not accessible: `40`" in out
    assert "DHIS2 sẽ từ chối các số liệu này: chưa gửi gì" in out
    assert len(server.dhis.requests) == 1


def test_a_wrong_password_is_one_sentence_and_exit_1(cli, db, server, monkeypatch, fake_payload):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "not-the-password")
    code, out, err = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes")
    assert code == 1 and "(401)" in err and "không chấp nhận thông tin đăng nhập" in err
    assert "Traceback" not in err and out.count("\n") == 1  # the "Sending ..." line, then nothing
    from parapp import settings

    assert not list((settings.data_dir() / "outbox").rglob("*.json"))  # a wrong password does not queue


def test_a_token_from_the_environment_is_never_asked_for(cli, db, server, monkeypatch, fake_payload):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked for a secret"))
    monkeypatch.setenv(push.TOKEN_ENV, TOKEN)
    code, out, err = run_push(cli, db, "--url", server.url, "--token", "--period", "2025Q3", "--yes")
    assert code == 0, err
    assert {r["headers"]["Authorization"] for r in server.dhis.requests} == {f"ApiToken {TOKEN}"}


def test_offline_time_out_and_503_wait_in_the_outbox_and_waiting_sends_them(cli, db, server, asked, fake_payload,
                                                                             tmp_path):
    from parapp import settings

    outbox = settings.data_dir() / "outbox" / "dhis2"
    port = closed_port()
    offline = f"http://127.0.0.1:{port}"
    code, out, err = run_push(cli, db, "--url", offline, "--user", "admin", "--period", "2025Q3", "--yes")
    assert code == 0, err
    assert "Không kết nối được" in out and "đang chờ trong hộp thư đi" in out and "--waiting" in out
    assert len(list(outbox.glob("*.dataValueSets.json"))) == 1 and len(list(outbox.glob("*.meta.json"))) == 1

    server.dhis.delay = 1.0  # every answer comes after the client gave up
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q4", "--yes",
                            "--timeout", "0.3")
    assert code == 0 and "không trả lời trong 0,3 giây" in out
    server.dhis.delay = 0
    server.dhis.fail = 503
    code, out, _ = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2026Q1", "--yes")
    assert code == 0 and "(503)" in out
    server.dhis.fail = None
    assert len(list(outbox.glob("*.meta.json"))) == 3

    # --dry-run alone never queues anything
    code, out, err = run_push(cli, db, "--url", offline, "--user", "admin", "--period", "2026Q2", "--dry-run")
    assert code == 1 and "Không kết nối được" in err and len(list(outbox.glob("*.meta.json"))) == 3

    # the two for the server go; the one for the other address stays and is named
    server.dhis.requests.clear()
    code, out, err = run_push(cli, db, "--url", server.url, "--user", "admin", "--waiting", "--yes")
    assert code == 0, err
    assert f"1 gói chờ gửi tới máy chủ khác ({offline})" in out
    assert out.count("DHIS2 đã nhận; đã xoá khỏi hộp thư đi.") == 2
    assert "Hộp thư đi DHIS2: đã gửi 2, còn chờ 0." in out
    assert sorted({r["body"] for r in server.dhis.requests if r["query"]["dryRun"] == "false"}) == sorted(
        {json.dumps({"dataValues": [{"dataElement": e, "period": p, "orgUnit": "40", "value": "4"}
                                    for e in sorted(ELEMENTS)[:3]]}).encode() for p in ("2025Q4", "2026Q1")})
    [left] = list(outbox.glob("*.meta.json"))
    assert json.loads(left.read_text(encoding="utf-8"))["url"] == offline

    # the server comes up at the offline address: --waiting sends the last one
    s = Server(port=port)
    try:
        code, out, err = run_push(cli, db, "--url", offline, "--waiting", "--yes", "--lang", "en")
        assert code == 0, err
        assert "DHIS2 outbox: 1 sent, 0 still waiting." in out
        assert list(outbox.iterdir()) == [] and len(s.dhis.kept) == 3
    finally:
        s.stop()
    code, out, _ = run_push(cli, db, "--waiting")
    assert code == 0 and "Không có gói số liệu DHIS2 nào chờ" in out


def test_a_waiting_payload_dhis2_refuses_stays_with_its_reason(cli, db, server, asked, fake_payload):
    from parapp import settings

    port = closed_port()
    assert run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q2", "--yes")[0] == 0
    FAKE_VALUES["40"] = json.dumps({"dataValues": [
        {"dataElement": "received_new", "period": "2025Q3", "orgUnit": "40", "value": "5"},
        {"dataElement": "typo_element", "period": "2025Q3", "orgUnit": "40", "value": "6"}]}).encode()
    run_push(cli, db, "--url", f"http://127.0.0.1:{port}", "--period", "2025Q3", "--yes")
    s = Server(port=port)
    try:
        # without --url, the waiting payload goes where it was meant to go, not to the last server answered
        code, out, _ = run_push(cli, db, "--waiting", "--yes")
        assert len(server.dhis.requests) == 2 and len(s.dhis.requests) == 1
        assert code == 1 and "Chưa gửi: lần chạy thử có xung đột" in out
        assert "Hộp thư đi DHIS2: đã gửi 0, còn chờ 1 (trong đó 1 cần xem lại: DHIS2 từ chối hoặc báo xung đột)." in out
        assert not s.dhis.kept
        code, out, _ = run_push(cli, db, "--waiting", "--dry-run")
        assert code == 0 and "typo_element" in out
    finally:
        s.stop()
    [sidecar] = list((settings.data_dir() / "outbox" / "dhis2").glob("*.meta.json"))
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert meta["attempts"] >= 3 and meta["last_result"]["ignored"] == 1


def test_bad_input_is_a_sentence(cli, db, server, asked, fake_payload):
    cases = [
        (("--url", server.url, "--user", "admin"), "--period 2025Q3"),
        (("--url", server.url, "--user", "admin", "--period", "2025Q3", "--waiting"), "--waiting"),
        (("--url", "ftp://x", "--user", "admin", "--period", "2025Q3"), "không phải là địa chỉ máy chủ"),
        (("--user", "admin", "--period", "2025Q3"), "--url"),
        (("--url", server.url, "--period", "2025Q3"), "--user"),
        (("--url", server.url, "--user", "admin", "--period", "2025Q9"), "2025Q9"),
        (("--url", server.url, "--user", "admin", "--period", "2025Q3", "--unit", "nowhere"), "nowhere"),
        (("--url", server.url, "--user", "admin", "--period", "2025Q3", "--timeout", "0"), "--timeout"),
        (("--url", "https://admin:pw@x.vn", "--user", "admin", "--period", "2025Q3"), "mật khẩu"),
    ]
    for args, said in cases:
        code, out, err = run_push(cli, db, *args)
        assert code == 1, (args, out, err)
        assert said in err and "Traceback" not in err, (args, err)
    FAKE_VALUES["40"] = json.dumps({"dataValues": []}).encode()
    code, _, err = run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3")
    assert code == 1 and "chưa có số liệu nào" in err
    assert server.dhis.requests == []


def test_no_secret_is_written_anywhere(cli, db, server, asked, fake_payload, monkeypatch, tmp_path):
    run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes")
    run_push(cli, db, "--url", f"http://127.0.0.1:{closed_port()}", "--user", "admin", "--period", "2025Q4",
             "--yes")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Another-Wrong-Pw-9")
    run_push(cli, db, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes")
    monkeypatch.setenv(push.TOKEN_ENV, TOKEN)
    run_push(cli, db, "--url", server.url, "--token", "--period", "2025Q3", "--yes")
    run_push(cli, db, "--url", f"http://127.0.0.1:{closed_port()}", "--token", "--period", "2026Q1", "--yes")
    from parapp import settings

    secrets = [PASSWORD, TOKEN, "Another-Wrong-Pw-9", base64.b64encode(f"admin:{PASSWORD}".encode()).decode()]
    files = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert Path(str(db)) in files and push.log_path() in files
    assert len(list((settings.data_dir() / "outbox" / "dhis2").glob("*.meta.json"))) == 2
    for f in files:
        data = f.read_bytes()
        for s in secrets:
            assert s.encode() not in data, f
    log = push.log_path().read_text(encoding="utf-8")
    assert log.count("\n") >= 7 and '"user":"admin"' in log and '"auth":"token"' in log


# ------------------------------------------------------------- through the real dataValueSets writer


@pytest.fixture
def entered(tmp_path):
    """An office database with figures of the province and of one district for 2025Q3 (and one for 2025Q4)."""
    from parapp.engine.office import Office

    path = tmp_path / "entered.db"
    with Office.create(path, "40", officer="Cán bộ thử nghiệm") as office:
        office.enter("40", "2025Q3", {"received_new": "120", "carried_over": "7"})
        office.enter("412", "2025Q3", {"received_new": "12", "received_online": "5"}, comment="Số liệu quý")
        office.enter("412", "2025Q4", {"received_new": "13"})
        elements = set(office.catalogue.elements)
    return path, elements


def test_a_push_of_stored_figures_end_to_end(cli, entered, server, asked):
    path, elements = entered
    server.dhis.elements = elements
    server.dhis.org_units = {"40", "412"}
    code, out, err = run_push(cli, path, "--url", server.url, "--user", "admin", "--unit", "40",
                              "--period", "2025Q3", "--period", "2025Q4", "--yes")
    assert code == 0, err
    assert "Gửi 5 giá trị của Tỉnh Nghệ An" in out
    assert "DHIS2 sẽ nhập mới 5, cập nhật 0, bỏ qua 0; 0 xung đột" in out and "DHIS2 đã nhập mới 5" in out
    assert server.dhis.kept == {
        ("received_new", "2025Q3", "40", None, None): "120", ("carried_over", "2025Q3", "40", None, None): "7",
        ("received_new", "2025Q3", "412", None, None): "12", ("received_online", "2025Q3", "412", None, None): "5",
        ("received_new", "2025Q4", "412", None, None): "13"}
    code, out, _ = cli("history", "--db", path, "--unit", "40", "--period", "2025Q4")
    assert code == 0 and "dhis2_push DHIS2 SUCCESS: imported 5" in out and server.url in out
    code, out, _ = cli("audit", "verify", "--db", path)
    assert code == 0


def test_a_unit_dhis2_does_not_know_is_a_conflict_end_to_end(cli, entered, server, asked):
    path, elements = entered
    server.dhis.elements = elements
    server.dhis.org_units = {"40"}
    code, out, _ = run_push(cli, path, "--url", server.url, "--user", "admin", "--period", "2025Q3", "--yes",
                            "--lang", "en")
    assert code == 1
    assert "would import 2 new, updated 0, ignored 2; 2 conflicts (accepted with warnings)." in out
    assert out.count("- 412: Organisation unit not found or not accessible: `412` [E7612] (×2)") == 1
    assert not server.dhis.kept
