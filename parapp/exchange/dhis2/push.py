"""Sending data values to a DHIS2 server through its Web API: POST /api/dataValueSets, a dry run first.

The client speaks DHIS2's documented Web API with httpx: Basic authentication (user name and password) or a
personal access token (DHIS2 2.37 and later: ``Authorization: ApiToken <token>``). It posts a dataValueSets JSON
document with ``dryRun=true`` (DHIS2 checks everything and keeps nothing), then for real, with
``importStrategy=CREATE_AND_UPDATE`` and ``idScheme=CODE`` (ParApp's own codes; a mapping file with
``id_scheme = "UID"`` sends UIDs and leaves DHIS2's default, UID).

DHIS2's answer is read both as older versions give it (the import summary itself: ``status``, ``importCount``,
``conflicts``) and as 2.38 and later wrap it (``httpStatus``, ``httpStatusCode``, ``status``, and the summary
under ``response``; an import with conflicts then comes with HTTP 409 and the same summary). Every other outcome
is a `PushError` with one sentence in each language: 401, 403, 404, 5xx, a time-out, no connection, a TLS
failure, an answer that is not DHIS2's.

When the server cannot be reached (no connection, a time-out, a 5xx), the payload waits in the outbox
(``<outbox>/dhis2/``) with a small JSON sidecar, to be sent later (`queue`, `waiting`, `remove`).
A waiting payload leaves the outbox only when DHIS2 accepted it: status SUCCESS, or WARNING with no value
ignored; otherwise it stays, with DHIS2's last answer in its sidecar.

Every attempt is a line of ``dhis2-push.log`` in the data folder (JSON, one object a line), and every real
import DHIS2 answered is a row of the office's history (action ``dhis2_push``, one per period). The password or
token is never written anywhere: not in the database, the settings, the outbox, the log nor an error message;
the server's address and the user name are remembered in the office database (meta ``dhis2_url``,
``dhis2_user``). Core: no Qt here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from parapp import __version__, settings
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError, clean, format_number
from parapp.store import audit
from parapp.store.db import now

DEFAULT_TIMEOUT = 60.0
API_PATH = "/api/dataValueSets"
COMPLETIONS_PATH = "/api/completeDataSetRegistrations"  # the completions of approved returns go here, after
TOKEN_ENV = "PARAPP_DHIS2_TOKEN"
META_URL, META_USER = "dhis2_url", "dhis2_user"
OUTBOX_FOLDER = "dhis2"
LOG_NAME = "dhis2-push.log"
AUDIT_ACTION = "dhis2_push"
_PAYLOAD_SUFFIX, _SIDECAR_SUFFIX = ".dataValueSets.json", ".meta.json"
_SIDECAR_FORMAT = "parapp-dhis2-waiting"
_MAX_TEXT = 300  # a server's message or conflict reason is cut here before it reaches a terminal or a file

# What an outcome is, for the log, the outbox and the command's exit: the kinds a retry later may cure.
RETRY_KINDS = frozenset({"offline", "timeout", "server"})


class PushError(ParAppError):
    """A push that did not get an import summary back. kind: auth, forbidden, not_found, redirect, conflict,
    bad_request, server, timeout, offline, tls, bad_answer, bad_url, credentials. retry: whether sending the same
    payload later may succeed (the payload then waits in the outbox)."""

    def __init__(self, vi: str, en: str, kind: str, http_status: int | None = None):
        super().__init__(vi, en)
        self.kind = kind
        self.http_status = http_status
        self.waiting: Waiting | None = None  # where the payload waits, when it was put in the outbox

    @property
    def retry(self) -> bool:
        return self.kind in RETRY_KINDS


# ------------------------------------------------------------------------------------------ credentials


@dataclass(frozen=True)
class Credentials:
    """Who signs in: a user name and password (Basic), or a personal access token. The secret is kept in memory
    only, and left out of repr()."""

    user: str | None
    secret: str = field(repr=False)
    token: bool = False

    def __post_init__(self) -> None:
        if not self.secret:
            raise PushError("Chưa nhập " + ("mã truy cập cá nhân" if self.token else "mật khẩu") + " DHIS2.",
                            "No DHIS2 " + ("personal access token" if self.token else "password") + " was given.",
                            "credentials")
        if any(ord(c) < 32 or ord(c) == 127 for c in self.secret):
            raise PushError("Mã truy cập hoặc mật khẩu có ký tự điều khiển (xuống dòng?); hãy nhập lại.",
                            "The token or password holds a control character (a line break?); type it again.",
                            "credentials")
        if self.token and not self.secret.isascii():
            raise PushError("Mã truy cập cá nhân DHIS2 chỉ gồm chữ cái Latinh, chữ số và dấu gạch; hãy dán lại.",
                            "A DHIS2 personal access token holds only Latin letters, digits and dashes; paste it "
                            "again.", "credentials")
        if not self.token and not self.user:
            raise PushError("Hãy cho biết tên người dùng DHIS2 (--user), hoặc dùng mã truy cập cá nhân (--token).",
                            "Give the DHIS2 user name (--user), or use a personal access token (--token).",
                            "credentials")
        if self.user and (":" in self.user and not self.token):
            raise PushError(f'Tên người dùng DHIS2 "{self.user}" không được có dấu hai chấm.',
                            f'The DHIS2 user name "{self.user}" cannot contain a colon.', "credentials")

    @property
    def method(self) -> str:
        return "token" if self.token else "password"

    def who(self) -> str:
        """The user as the log and the history name them (never the secret)."""
        return self.user or "(token)"


# --------------------------------------------------------------------------------------------- the URL


def normalise_url(text: str | None) -> str:
    """The server's base address as typed ("dhis2.example.gov.vn/dhis/", ".../api") -> "https://host/dhis".
    Raises PushError for anything that is not an http(s) address, or that carries a password."""
    raw = clean(text or "")
    if not raw:
        raise PushError("Hãy cho biết địa chỉ máy chủ DHIS2 (--url), ví dụ https://dhis2.example.gov.vn.",
                        "Give the DHIS2 server's address (--url), e.g. https://dhis2.example.gov.vn.", "bad_url")
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in raw:
        raise PushError(f'"{text}" không phải là địa chỉ máy chủ (ví dụ https://dhis2.example.gov.vn).',
                        f'"{text}" is not a server address (for example https://dhis2.example.gov.vn).', "bad_url")
    if parts.username is not None or parts.password is not None:
        raise PushError("Đừng ghi tên người dùng hay mật khẩu vào địa chỉ máy chủ: dùng --user, mật khẩu sẽ được hỏi.",
                        "Do not put a user name or password in the server's address: use --user; the password is "
                        "asked for.", "bad_url")
    if parts.query or parts.fragment:
        raise PushError(f'Địa chỉ máy chủ "{text}" không được có phần sau dấu ? hoặc #.',
                        f'The server address "{text}" cannot have a part after ? or #.', "bad_url")
    path = re.sub(r"/+", "/", parts.path).rstrip("/")
    path = re.sub(r"/api(/\d+)?(/dataValueSets(\.json)?)?$", "", path)  # typed with the API's own path
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


# ------------------------------------------------------------------------------------ the import summary


@dataclass(frozen=True)
class Conflict:
    """One conflict of an import summary: what (a data element, an org unit, a period...) and why."""

    object: str
    reason: str
    code: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """What DHIS2 answered to a dataValueSets import (or its dry run)."""

    status: str  # SUCCESS, WARNING or ERROR
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: tuple[Conflict, ...] = ()
    description: str = ""
    http_status: int = 200
    dry_run: bool = False
    completions: ImportSummary | None = None  # what DHIS2 answered to the completions sent after the values

    @property
    def accepted(self) -> bool:
        """DHIS2 took the whole payload: SUCCESS, or WARNING with no value ignored (the completions too)."""
        own = self.status == "SUCCESS" or (self.status == "WARNING" and self.ignored == 0)
        return own and (self.completions is None or self.completions.accepted)

    @property
    def clean(self) -> bool:
        """Nothing to look at before sending for real: accepted, no conflict."""
        return self.accepted and not self.conflicts and self.ignored == 0 and (
            self.completions is None or self.completions.clean)

    def counts(self) -> dict:
        return {"status": self.status, "imported": self.imported, "updated": self.updated, "ignored": self.ignored,
                "deleted": self.deleted, "conflicts": len(self.conflicts)}

    def headline(self, lang: str) -> str:
        """One sentence of DHIS2's answer, numbers as the language writes them."""
        def n(v: int) -> str:
            return format_number(v, 0, lang)

        if lang == "en":
            lead = "Dry run (nothing saved): DHIS2 would import" if self.dry_run else "DHIS2 imported"
            verb = {"SUCCESS": "accepted", "WARNING": "accepted with warnings", "ERROR": "refused"}[self.status]
            return (f"{lead} {n(self.imported)} new, updated {n(self.updated)}, ignored {n(self.ignored)}"
                    + (f", deleted {n(self.deleted)}" if self.deleted else "")
                    + f"; {n(len(self.conflicts))} conflict{'s' if len(self.conflicts) != 1 else ''} ({verb}).")
        lead = "Chạy thử (không lưu): DHIS2 sẽ nhập mới" if self.dry_run else "DHIS2 đã nhập mới"
        verb = {"SUCCESS": "chấp nhận", "WARNING": "chấp nhận, có cảnh báo", "ERROR": "từ chối"}[self.status]
        return (f"{lead} {n(self.imported)}, cập nhật {n(self.updated)}, bỏ qua {n(self.ignored)}"
                + (f", xoá {n(self.deleted)}" if self.deleted else "")
                + f"; {n(len(self.conflicts))} xung đột ({verb}).")

    def lines(self, lang: str, most: int = 20) -> list[str]:
        """The headline, then each conflict (object: reason), at most `most` of them."""
        out = [self.headline(lang)]
        if self.description and self.status != "SUCCESS":
            out.append(f"  {self.description}")
        same: dict[Conflict, int] = {}
        for c in self.conflicts:  # one line for the same object and reason (a unit unknown for every value)
            same[c] = same.get(c, 0) + 1
        for c, n in list(same.items())[:most]:
            out.append(f"  - {c.object}: {c.reason}" + (f" [{c.code}]" if c.code else "")
                       + (f" (×{format_number(n, 0, lang)})" if n > 1 else ""))
        if len(same) > most:
            rest = format_number(len(same) - most, 0, lang)
            out.append(f"  … and {rest} more" if lang == "en" else f"  … và {rest} xung đột khác")
        if self.completions is not None:
            c = self.completions

            def n(v: int) -> str:
                return format_number(v, 0, lang)

            out.append(f"Completed returns: new {n(c.imported)}, updated {n(c.updated)}, ignored {n(c.ignored)}."
                       if lang == "en" else
                       f"Báo cáo hoàn thành: mới {n(c.imported)}, cập nhật {n(c.updated)}, bỏ qua {n(c.ignored)}.")
            out.extend(c.lines(lang, most)[1:])
        return out


def _text(v: object) -> str:
    text = clean(str(v)) if v is not None else ""
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 1] + "…"


def _count(v: object) -> int:
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    n = int(v)
    if n < 0 or n != float(v):
        raise ValueError(v)
    return n


def _summary_part(doc: dict) -> dict | None:
    """The import summary in an answer: under "response" (2.38 and later), or the answer itself (older)."""
    inner = doc.get("response")
    for part in (inner, doc):
        if isinstance(part, dict) and any(k in part for k in ("importCount", "dataValueCount", "conflicts")):
            return part
    return None


def parse_summary(doc: object, http_status: int = 200, dry_run: bool = False) -> ImportSummary | None:
    """The import summary of a DHIS2 answer (either shape), or None when the answer holds none. Raises ValueError
    for a summary whose counts are not counts."""
    if not isinstance(doc, dict):
        return None
    part = _summary_part(doc)
    if part is None:
        return None
    count = part.get("importCount", part.get("dataValueCount")) or {}
    if not isinstance(count, dict):
        raise ValueError("importCount")
    numbers = {k: _count(count.get(k, 0)) for k in ("imported", "updated", "ignored", "deleted")}
    conflicts = []
    raw = part.get("conflicts") or []
    if not isinstance(raw, list):
        raise ValueError("conflicts")
    for c in raw:
        if not isinstance(c, dict):
            conflicts.append(Conflict("", _text(c)))
            continue
        what = c.get("object")
        if not what and isinstance(c.get("objects"), dict):  # 2.38+: {"objects": {"dataElement": "X"}}
            what = ", ".join(f"{k} {v}" for k, v in c["objects"].items())
        conflicts.append(Conflict(_text(what), _text(c.get("value") or c.get("message")),
                                  _text(c.get("errorCode")) or None))
    status = str(part.get("status") or doc.get("status") or "").upper()
    if status == "OK":
        status = "SUCCESS"
    if status not in ("SUCCESS", "WARNING", "ERROR"):
        status = "ERROR" if http_status >= 400 else ("WARNING" if conflicts or numbers["ignored"] else "SUCCESS")
    if http_status == 409 and status == "SUCCESS":  # a 409 is never a clean import
        status = "WARNING"
    return ImportSummary(status, **numbers, conflicts=tuple(conflicts), description=_text(part.get("description")),
                         http_status=http_status, dry_run=dry_run)


def _message(doc: object) -> str:
    if isinstance(doc, dict):
        for key in ("message", "devMessage", "description"):
            if doc.get(key):
                return _text(doc[key])
    return ""


def read_answer(response: httpx.Response, url: str, dry_run: bool) -> ImportSummary:
    """DHIS2's answer to a POST of dataValueSets as an ImportSummary, or a PushError saying what went wrong."""
    code = response.status_code
    if 300 <= code < 400:
        where = _text(response.headers.get("location", ""))
        if "login" in where.lower():
            raise PushError(f"{url} chuyển sang trang đăng nhập thay vì trả lời API: tên người dùng, mật khẩu hoặc mã "
                            "truy cập không đúng, hoặc đây không phải địa chỉ API của DHIS2.",
                            f"{url} sent a sign-in page instead of answering the API: the user name, password or "
                            "token is wrong, or this is not DHIS2's API address.", "auth", code)
        raise PushError(f"{url} chuyển hướng sang {where or 'một địa chỉ khác'} ({code}); hãy dùng địa chỉ đó "
                        "(có thể là https://).",
                        f"{url} redirects to {where or 'another address'} ({code}); use that address (perhaps "
                        "https://).", "redirect", code)
    if code == 401:
        raise PushError(f"DHIS2 tại {url} không chấp nhận thông tin đăng nhập (401): tên người dùng, mật khẩu hoặc "
                        "mã truy cập cá nhân sai, đã hết hạn, hoặc tài khoản bị khoá.",
                        f"DHIS2 at {url} did not accept the sign-in (401): the user name, password or personal access "
                        "token is wrong or expired, or the account is locked.", "auth", code)
    if code == 403:
        raise PushError(f"DHIS2 tại {url} từ chối (403): người dùng này không có quyền nhập giá trị dữ liệu, hoặc mã "
                        "truy cập không cho phép gửi (POST) từ máy này.",
                        f"DHIS2 at {url} refused (403): this user may not import data values, or the token does not "
                        "allow sending (POST) from this machine.", "forbidden", code)
    if code == 404:
        raise PushError(f"Không có API DHIS2 tại {url} (404 cho {API_PATH}); hãy kiểm tra địa chỉ, ví dụ "
                        "https://may-chu/dhis nếu DHIS2 chạy dưới /dhis.",
                        f"There is no DHIS2 API at {url} (404 for {API_PATH}); check the address, e.g. "
                        "https://server/dhis if DHIS2 runs under /dhis.", "not_found", code)
    if code >= 500:
        raise PushError(f"Máy chủ DHIS2 {url} đang gặp lỗi ({code}); số liệu sẽ được gửi lại sau.",
                        f"The DHIS2 server {url} has a problem ({code}); the data will be sent again later.",
                        "server", code)
    try:
        doc = response.json()
    except (ValueError, UnicodeDecodeError):
        doc = None
    try:
        summary = parse_summary(doc, code, dry_run) if doc is not None else None
    except (ValueError, TypeError, OverflowError):
        summary = None
        doc = None
    if summary is not None and code in (200, 201, 202, 409):
        return summary
    said = _message(doc)
    if code == 409:
        raise PushError(f"DHIS2 tại {url} từ chối dữ liệu (409)" + (f": {said}" if said else "."),
                        f"DHIS2 at {url} refused the data (409)" + (f": {said}" if said else "."), "conflict", code)
    if 200 <= code < 300:
        kind = "một trang web" if "html" in response.headers.get("content-type", "").lower() else "dữ liệu lạ"
        kind_en = "a web page" if kind == "một trang web" else "something else"
        raise PushError(f"{url} đã trả lời, nhưng bằng {kind} chứ không phải bản tóm tắt nhập của DHIS2; hãy kiểm "
                        "tra địa chỉ máy chủ.",
                        f"{url} answered, but with {kind_en}, not a DHIS2 import summary; check the server's "
                        "address.", "bad_answer", code)
    raise PushError(f"DHIS2 tại {url} không nhận yêu cầu ({code})" + (f": {said}" if said else "."),
                    f"DHIS2 at {url} did not take the request ({code})" + (f": {said}" if said else "."),
                    "bad_request", code)


def _is_tls(e: BaseException) -> bool:
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLError | ssl.CertificateError):
            return True
        e = e.__cause__ or e.__context__
    return False


def transport_error(e: BaseException, url: str, timeout: float) -> PushError:
    """A PushError for a request that got no answer."""
    seconds = format_number(timeout, 0 if timeout == int(timeout) else 1, "vi")
    seconds_en = format_number(timeout, 0 if timeout == int(timeout) else 1, "en")
    if isinstance(e, httpx.TimeoutException):
        return PushError(f"Máy chủ DHIS2 {url} không trả lời trong {seconds} giây; số liệu sẽ được gửi lại sau "
                         "(gửi lại không nhân đôi số liệu: giá trị đã có chỉ được cập nhật).",
                         f"The DHIS2 server {url} did not answer within {seconds_en} seconds; the data will be sent "
                         "again later (sending again does not double anything: values already there are updated).",
                         "timeout")
    if _is_tls(e):
        return PushError(f"Không lập được kết nối an toàn (TLS) tới {url}: chứng chỉ của máy chủ không hợp lệ, hết "
                         "hạn hoặc không khớp tên; hãy báo quản trị máy chủ DHIS2.",
                         f"Cannot make a secure (TLS) connection to {url}: the server's certificate is not valid, "
                         "expired or for another name; tell the DHIS2 server's administrator.", "tls")
    if isinstance(e, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return PushError(f'"{url}" không phải là địa chỉ máy chủ dùng được.', f'"{url}" is not a usable server address.',
                         "bad_url")
    return PushError(f"Không kết nối được tới {url} (không có mạng, sai tên máy chủ, hoặc máy chủ đang tắt); số liệu "
                     "sẽ được gửi lại sau.",
                     f"Cannot connect to {url} (no network, a wrong server name, or the server is down); the data will "
                     "be sent again later.", "offline")


# ---------------------------------------------------------------------------------------------- client


class Client:
    """A connection to one DHIS2 server for one user. Use as a context manager, or close()."""

    def __init__(self, url: str, credentials: Credentials, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None):
        self.url = normalise_url(url)
        self.credentials = credentials
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            timeout = -1.0
        if not 0 < timeout <= 3600:
            raise PushError("Thời gian chờ (--timeout) phải lớn hơn 0 và không quá 3600 giây.",
                            "The time-out (--timeout) must be more than 0 and at most 3600 seconds.", "bad_option")
        self.timeout = timeout
        headers = {"Accept": "application/json", "User-Agent": f"ParApp/{__version__}"}
        auth = None
        if credentials.token:
            headers["Authorization"] = f"ApiToken {credentials.secret}"
        else:
            auth = httpx.BasicAuth(credentials.user or "", credentials.secret)
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers, auth=auth,
                                  follow_redirects=False, transport=transport)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def post(self, payload: bytes, dry_run: bool, id_scheme: str = "CODE") -> ImportSummary:
        """POST a dataValueSets JSON document; the import summary, or a PushError. Completions the document
        carries (completeDataSetRegistrations, which /api/dataValueSets does not take) go after the values to
        /api/completeDataSetRegistrations, with the same dry run and id scheme; their answer is the summary's
        `completions`."""
        params = {"dryRun": "true" if dry_run else "false", "importStrategy": "CREATE_AND_UPDATE"}
        if str(id_scheme).upper() != "UID":
            params["idScheme"] = "CODE"
        values, completions = _split_completions(payload)
        summary = read_answer(self._post(API_PATH, params, values), self.url, dry_run)
        if completions and summary.status != "ERROR":
            done = read_answer(self._post(COMPLETIONS_PATH, params, json.dumps(
                {"completeDataSetRegistrations": completions}, ensure_ascii=False).encode("utf-8")), self.url, dry_run)
            summary = replace(summary, completions=done)
        return summary

    def _post(self, path: str, params: dict, body: bytes) -> httpx.Response:
        try:
            return self._http.post(self.url + path, params=params, content=body,
                                   headers={"Content-Type": "application/json"})
        except httpx.HTTPError as e:
            raise transport_error(e, self.url, self.timeout) from None
        except OSError as e:  # ssl.SSLError included: below httpx's own wrapping, on some platforms
            raise transport_error(e, self.url, self.timeout) from None


def _split_completions(payload: bytes) -> tuple[bytes, list]:
    """The dataValueSets document without its completeDataSetRegistrations, and those."""
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload, []  # DHIS2 says what it makes of it
    if not isinstance(doc, dict) or not isinstance(doc.get("completeDataSetRegistrations"), list):
        return payload, []
    completions = doc.pop("completeDataSetRegistrations")
    return json.dumps(doc, ensure_ascii=False).encode("utf-8"), completions


# ----------------------------------------------------------------------------------- what is sent


@dataclass(frozen=True)
class Payload:
    """A dataValueSets document and what it is: its unit, periods, id scheme and number of values."""

    data: bytes = field(repr=False)
    unit: str
    periods: tuple[str, ...]
    id_scheme: str = "CODE"

    @cached_property
    def values(self) -> int:
        return count_values(self.data)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def count_values(data: bytes) -> int:
    """The number of data values in a dataValueSets JSON document (0 for anything else)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return 0
    values = doc.get("dataValues") if isinstance(doc, dict) else None
    return len(values) if isinstance(values, list) else 0


def build_payload(office, unit_code: str, periods: Iterable, mapping=None, include_below: bool = True) -> Payload:
    """The dataValueSets JSON document of a unit (and those below it) for periods, as DHIS2 imports it."""
    from parapp.exchange.dhis2.datavalues import payload_json

    periods = list(periods)
    data = payload_json(office, unit_code, periods, include_below=include_below, mapping=mapping)
    scheme = getattr(mapping, "id_scheme", "CODE") or "CODE"
    return Payload(bytes(data), unit_code, tuple(str(p) for p in periods), scheme.upper())


# ------------------------------------------------------------------------------------------- the log


def log_path() -> Path:
    return settings.data_dir() / LOG_NAME


def log_attempt(url: str, credentials: Credentials, payload: Payload, dry_run: bool,
                summary: ImportSummary | None = None, error: PushError | None = None,
                outbox: Path | None = None) -> bool:
    """Append a line (one JSON object) to dhis2-push.log: time, server, user, unit, periods, values, dry run or
    not, DHIS2's status and counts or what went wrong, and the outbox file it waits in. Never the secret.
    False when the log cannot be written (the push itself is not undone for that)."""
    entry = {"at": now(), "url": url, "user": credentials.who(), "auth": credentials.method, "unit": payload.unit,
             "periods": list(payload.periods), "values": payload.values, "sha256": payload.sha256,
             "dry_run": dry_run}
    if summary is not None:
        entry.update(summary.counts(), http_status=summary.http_status,
                     conflict_reasons=[f"{c.object}: {c.reason}" for c in summary.conflicts[:50]])
    if error is not None:
        entry.update(status="NOT_SENT", error=error.kind, http_status=error.http_status, message=error.message("en"))
    if outbox is not None:
        entry["waiting_in"] = str(outbox)
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
        return True
    except OSError:
        return False


def record_in_history(office, url: str, credentials: Credentials, payload: Payload, summary: ImportSummary) -> bool:
    """A history row per period of a real import DHIS2 answered (action dhis2_push): who sent it, DHIS2's status
    and counts, the server as the source. False when the database cannot be written (opened read-only)."""
    reason = (f"DHIS2 {summary.status}: imported {summary.imported}, updated {summary.updated}, ignored "
              f"{summary.ignored}, deleted {summary.deleted}, conflicts {len(summary.conflicts)}; "
              f"{payload.values} values sent as {credentials.who()}")
    stamp = now()
    rows = [dict(at=stamp, who=office.officer, action=AUDIT_ACTION, unit=payload.unit, period=p, reason=reason,
                 source=url) for p in payload.periods]
    try:
        with office.store.transaction() as c:
            audit.append(c, rows)
        return True
    except ParAppError:
        return False


def remember(office, url: str, user: str | None) -> None:
    """Keep the server's address and the user name (never a secret) for the next push."""
    try:
        office.store.set_meta(META_URL, url)
        if user:
            office.store.set_meta(META_USER, user)
    except ParAppError:  # a database opened read-only: nothing to remember, nothing lost
        pass


# ---------------------------------------------------------------------------------------- the outbox


@dataclass
class Waiting:
    """A payload waiting in the outbox, with its sidecar."""

    payload_path: Path
    sidecar_path: Path
    meta: dict

    @property
    def url(self) -> str:
        return str(self.meta.get("url") or "")

    @property
    def name(self) -> str:
        return self.payload_path.name

    def payload(self) -> Payload:
        try:
            data = self.payload_path.read_bytes()
        except OSError as e:
            raise ParAppError(f"Không đọc được {self.payload_path} trong hộp thư đi ({e.strerror or e}).",
                              f"Cannot read {self.payload_path} in the outbox ({e.strerror or e}).") from None
        return Payload(data, str(self.meta.get("unit") or ""), tuple(str(p) for p in self.meta.get("periods") or ()),
                       str(self.meta.get("id_scheme") or "CODE").upper())


def outbox_folder(office, create: bool = True) -> Path:
    """<outbox>/dhis2: where payloads wait for a connection."""
    from parapp.exchange.outbox import outbox_dir

    folder = outbox_dir(office, create=create) / OUTBOX_FOLDER
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ParAppError(f"Không tạo được thư mục {folder}: {e.strerror or e}.",
                              f"Cannot create the folder {folder}: {e.strerror or e}.") from None
    return folder


def _stem(payload: Payload) -> str:
    unit = re.sub(r"[^A-Za-z0-9-]+", "_", payload.unit) or "unit"
    periods = list(payload.periods)
    shown = "+".join(periods) if len(periods) <= 4 else f"{periods[0]}-{periods[-1]}_{len(periods)}"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{unit}_{re.sub(r'[^A-Za-z0-9+_-]+', '_', shown)}_{stamp}"


def _write_json(path: Path, doc: dict) -> None:
    data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_atomically(path, lambda tmp: tmp.write_bytes(data))


def queue(office, payload: Payload, url: str, credentials: Credentials, reason: PushError) -> Waiting:
    """Put a payload in the outbox (written to a temporary name and renamed, then its sidecar) to send later."""
    folder = outbox_folder(office)
    stem = _stem(payload)
    n = 1
    while (folder / (stem + _SIDECAR_SUFFIX)).exists() or (folder / (stem + _PAYLOAD_SUFFIX)).exists():
        n += 1
        stem = f"{_stem(payload)}_{n}"
    data_path = write_atomically(folder / (stem + _PAYLOAD_SUFFIX), lambda tmp: tmp.write_bytes(payload.data))
    meta = {"format": _SIDECAR_FORMAT, "version": 1, "url": url, "user": credentials.user or "",
            "auth": credentials.method, "office": office.office_code, "unit": payload.unit,
            "periods": list(payload.periods), "values": payload.values, "id_scheme": payload.id_scheme,
            "sha256": payload.sha256, "created_at": now(), "reason": reason.kind,
            "reason_text": {"vi": reason.message("vi"), "en": reason.message("en")}, "attempts": 1}
    sidecar = folder / (stem + _SIDECAR_SUFFIX)
    _write_json(sidecar, meta)
    return Waiting(data_path, sidecar, meta)


def waiting(office) -> list[Waiting]:
    """The payloads of this office waiting in the outbox, oldest first. A sidecar that cannot be read, or whose
    payload is gone, is left alone (and not listed)."""
    folder = outbox_folder(office, create=False)
    if not folder.is_dir():
        return []
    out = []
    for sidecar in sorted(folder.glob("*" + _SIDECAR_SUFFIX)):
        data_path = sidecar.with_name(sidecar.name[: -len(_SIDECAR_SUFFIX)] + _PAYLOAD_SUFFIX)
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if not isinstance(meta, dict) or meta.get("format") != _SIDECAR_FORMAT or not data_path.is_file():
            continue
        if meta.get("office") not in (None, "", office.office_code):
            continue
        out.append(Waiting(data_path, sidecar, meta))
    out.sort(key=lambda w: str(w.meta.get("created_at") or ""))
    return out


def note_attempt(w: Waiting, summary: ImportSummary | None = None, error: PushError | None = None) -> None:
    """Keep in the sidecar what the last try gave (the payload stays)."""
    w.meta["attempts"] = int(w.meta.get("attempts") or 0) + 1
    w.meta["last_attempt"] = now()
    if summary is not None:
        w.meta["last_result"] = summary.counts() | {
            "conflict_reasons": [f"{c.object}: {c.reason}" for c in summary.conflicts[:50]]}
    if error is not None:
        w.meta["last_result"] = {"status": "NOT_SENT", "error": error.kind, "message": error.message("en")}
    try:
        _write_json(w.sidecar_path, w.meta)
    except ParAppError:
        pass


def remove(w: Waiting) -> None:
    """Take a payload DHIS2 accepted out of the outbox: the sidecar first, so that a payload is never listed
    without its file."""
    for path in (w.sidecar_path, w.payload_path):
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            raise ParAppError(f"Đã gửi, nhưng không xoá được {path} khỏi hộp thư đi ({e.strerror or e}); hãy xoá tay "
                              "để khỏi gửi lại.",
                              f"Sent, but cannot remove {path} from the outbox ({e.strerror or e}); delete it by hand "
                              "so that it is not sent again.") from None


# --------------------------------------------------------------------------------------- one attempt


def attempt(office, client: Client, payload: Payload, dry_run: bool, keep: bool = True,
            waiting_as: Waiting | None = None) -> ImportSummary:
    """Post the payload (a dry run, or for real), log it, and for a real import DHIS2 answered add its rows to
    the history. Returns DHIS2's summary; raises PushError (logged too) when there is none. When the server could
    not be reached (no connection, a time-out, a 5xx) and keep is true, the payload waits in the outbox (a new
    entry, or waiting_as's sidecar notes the try) and the error's `waiting` says where."""
    try:
        summary = client.post(payload.data, dry_run=dry_run, id_scheme=payload.id_scheme)
    except PushError as e:
        e.waiting = None
        if e.retry and keep:
            if waiting_as is None:
                e.waiting = queue(office, payload, client.url, client.credentials, e)
            else:
                note_attempt(waiting_as, error=e)
                e.waiting = waiting_as
        log_attempt(client.url, client.credentials, payload, dry_run, error=e,
                    outbox=e.waiting.payload_path if e.waiting else None)
        raise
    log_attempt(client.url, client.credentials, payload, dry_run, summary=summary)
    if not dry_run:
        record_in_history(office, client.url, client.credentials, payload, summary)
    return summary


def token_from_env() -> str | None:
    value = os.environ.get(TOKEN_ENV, "").strip()
    return value or None
