"""A local imitation of DHIS2's Web API for the tests (no real DHIS2 server is reached by them).

It answers POST /api/dataValueSets as DHIS2's documentation describes: Basic authentication or a personal access
token (Authorization: ApiToken ...), 401 for a wrong sign-in, an import summary that counts what was posted (a
dry run counts and keeps nothing; a real import keeps the values, and the same keys sent again are "updated"),
conflicts for an unknown data element or organisation unit (2.38 and later: the summary wrapped under "response",
HTTP 409 when there are conflicts; older versions: the summary itself, HTTP 200), and on demand a slow answer (a
time-out), a 503, a web page instead of JSON.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PASSWORD = "Pw-xanh-7731-secret"
TOKEN = "d2pat_TestTokenValue0123456789abcdefABCDEF0123"
ELEMENTS = {"received_new", "received_online", "resolved_on_time", "resolved_late"}
ORG_UNITS = {"40", "412", "41201"}


# ------------------------------------------------------------------------------------- the imitation


class Imitation:
    """What the imitation server knows and does."""

    def __init__(self, legacy: bool = False):
        self.legacy = legacy  # answer as DHIS2 before 2.38: the summary itself, always 200
        self.users = {"admin": PASSWORD}
        self.tokens = {TOKEN}
        self.elements = set(ELEMENTS)
        self.org_units = set(ORG_UNITS)
        self.kept: dict[tuple, str] = {}
        self.completed: set[tuple] = set()  # (data set, period, org unit) registered complete
        self.requests: list[dict] = []
        self.delay = 0.0  # seconds before answering (a time-out for the client)
        self.fail: int | None = None  # answer every request with this HTTP status (503...)
        self.html = False  # answer 200 with a web page
        self.lock = threading.Lock()

    def authorised(self, header: str) -> str | None:
        """The user an Authorization header signs in, or None."""
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return user if self.users.get(user) == password else None
        if header.startswith("ApiToken "):
            return "token-user" if header[9:] in self.tokens else None
        return None

    def import_values(self, doc: dict, dry_run: bool) -> tuple[int, dict]:
        imported = updated = ignored = 0
        conflicts = []
        for i, dv in enumerate(doc.get("dataValues") or []):
            element, unit, period = dv.get("dataElement"), dv.get("orgUnit"), dv.get("period")
            problem = None
            if element not in self.elements:
                problem = ("dataElement", element, "E7610", f"Data element not found or not accessible: `{element}`")
            elif unit not in self.org_units:
                problem = ("orgUnit", unit, "E7612", f"Organisation unit not found or not accessible: `{unit}`")
            if problem:
                ignored += 1
                kind, what, code, text = problem
                conflicts.append({"object": what, "value": text} if self.legacy else
                                 {"object": what, "objects": {kind: what}, "value": text, "errorCode": code,
                                  "property": kind, "indexes": [i]})
                continue
            key = (element, period, unit, dv.get("categoryOptionCombo"), dv.get("attributeOptionCombo"))
            if key in self.kept:
                updated += 1
            else:
                imported += 1
            if not dry_run:
                self.kept[key] = str(dv.get("value"))
        status = "SUCCESS" if not conflicts else ("WARNING" if imported + updated else "ERROR")
        summary = {"responseType": "ImportSummary", "status": status,
                   "importOptions": {"dryRun": dry_run, "importStrategy": "CREATE_AND_UPDATE"},
                   "description": "Import process completed successfully" if status == "SUCCESS" else
                   "Import process completed with conflicts",
                   "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": 0},
                   "conflicts": conflicts, "dataSetComplete": "false"}
        if self.legacy:
            return 200, summary
        if status == "SUCCESS":
            return 200, {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
                         "message": "Import was successful.", "response": summary}
        return 409, {"httpStatus": "Conflict", "httpStatusCode": 409, "status": status,
                     "message": "One more conflicts encountered, please check import summary.", "response": summary}


def _import_completions(self, doc: dict, dry_run: bool) -> tuple[int, dict]:
    """completeDataSetRegistrations: each registration of a known org unit counted, kept unless a dry run."""
    imported = updated = ignored = 0
    conflicts = []
    for reg in doc.get("completeDataSetRegistrations") or []:
        unit = reg.get("organisationUnit") or reg.get("orgUnit")
        if unit not in self.org_units:
            ignored += 1
            conflicts.append({"object": unit, "value": f"Organisation unit not found: `{unit}`"})
            continue
        key = (reg.get("dataSet"), reg.get("period"), unit)
        if key in self.completed:
            updated += 1
        else:
            imported += 1
        if not dry_run:
            self.completed.add(key)
    status = "SUCCESS" if not conflicts else ("WARNING" if imported + updated else "ERROR")
    return 200, {"responseType": "ImportSummary", "status": status, "conflicts": conflicts,
                 "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": 0}}


Imitation.import_completions = _import_completions


def _handler(dhis: Imitation):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def answer(self, code: int, doc: object, content_type: str = "application/json", extra: dict | None = None):
            body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (a time-out)
                pass

        def do_POST(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            with dhis.lock:
                dhis.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers),
                                      "body": body})
            if dhis.delay:
                time.sleep(dhis.delay)
            if dhis.fail:
                return self.answer(dhis.fail, b"<html><body>Service Unavailable</body></html>", "text/html")
            if dhis.html:
                return self.answer(200, b"<html><body>Welcome</body></html>", "text/html")
            if parts.path == "/api/completeDataSetRegistrations" and dhis.authorised(
                    self.headers.get("Authorization", "")) is not None:
                with dhis.lock:
                    code, answer = dhis.import_completions(json.loads(body), query.get("dryRun") == "true")
                return self.answer(code, answer)
            if parts.path != "/api/dataValueSets":
                return self.answer(404, {"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR",
                                         "message": f"No endpoint {parts.path}"})
            if dhis.authorised(self.headers.get("Authorization", "")) is None:
                return self.answer(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR",
                                         "message": "Unauthorized"}, extra={"WWW-Authenticate": 'Basic realm="DHIS2"'})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.answer(415, {"httpStatus": "Unsupported Media Type", "httpStatusCode": 415,
                                         "status": "ERROR", "message": "Content type not supported"})
            try:
                doc = json.loads(body)
            except ValueError:
                return self.answer(400, {"httpStatus": "Bad Request", "httpStatusCode": 400, "status": "ERROR",
                                         "message": "Invalid JSON"})
            with dhis.lock:
                code, answer = dhis.import_values(doc, query.get("dryRun") == "true")
            self.answer(code, answer)

    return Handler


class Server:
    def __init__(self, legacy: bool = False, port: int = 0):
        self.dhis = Imitation(legacy)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.dhis))
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *a: None
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
