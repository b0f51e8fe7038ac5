"""parapp dhis2 push: send a unit's values (and those below it) to a DHIS2 server, a dry run first.

    parapp dhis2 push --url https://dhis2.example.gov.vn --user can_bo --unit 42 --period 2025Q3 [--yes]
    parapp dhis2 push --token --period 2025Q3 --dry-run      (the token from PARAPP_DHIS2_TOKEN, or asked for)
    parapp dhis2 push --waiting [--yes]                     (what waits in the outbox from earlier pushes)

The password (or token) is asked for and kept in memory only. The dry run's summary is printed; then, unless
--dry-run, the payload is sent for real: with --yes when the dry run was clean (no conflict, nothing ignored),
otherwise after "Send for real? [y/N]" on a terminal. Without a terminal and without --yes nothing is sent.

Exit codes: 0 when DHIS2 accepted the data, when only a dry run was asked for and DHIS2 would take it, when
nothing was sent because no one said yes, and when the server could not be reached and the payload waits in the
outbox (the data are safe and queued: the command did what it promises, and says so; `--waiting` sends them
later). 1 with a sentence when DHIS2 refused or would refuse the data, when --yes met a dry run with conflicts
(nothing sent: someone must look), when the sign-in failed, or when a waiting payload was refused.
"""

from __future__ import annotations

import getpass
import sys

from parapp.domain.periods import Period
from parapp.exchange.dhis2 import push
from parapp.exchange.dhis2.mapping import load_mapping
from parapp.i18n import ParAppError, clean, format_number

_YES = {"c", "có", "co", "y", "yes", "ok"}


def _interactive() -> bool:
    """Is there someone at a terminal to answer a question?"""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _secret(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError):
        return ""


def credentials(args, user: str | None, ctx) -> push.Credentials:
    """The sign-in: a personal access token (--token: PARAPP_DHIS2_TOKEN, else asked for) or the user's password
    (asked for). Never read from or written to a file."""
    t = ctx.t
    if args.token:
        token = push.token_from_env() or _secret(t("Mã truy cập cá nhân DHIS2 (không hiện khi gõ): ",
                                                   "DHIS2 personal access token (not shown as you type): "))
        return push.Credentials(user, token.strip(), token=True)
    if not user:
        raise ParAppError("Hãy cho biết tên người dùng DHIS2 (--user), hoặc dùng mã truy cập cá nhân (--token).",
                          "Give the DHIS2 user name (--user), or use a personal access token (--token).")
    password = _secret(t(f"Mật khẩu DHIS2 của {user} (không hiện khi gõ): ",
                         f"DHIS2 password of {user} (not shown as you type): "))
    return push.Credentials(user, password, token=False)


def _periods(texts: list[str]) -> list[Period]:
    out: list[Period] = []
    for text in texts:
        p = Period.parse(text)
        if p not in out:
            out.append(p)
    return out


def _labels(periods, lang: str) -> str:
    shown = []
    for p in periods:
        try:
            shown.append(Period.parse(str(p)).label(lang))
        except ParAppError:
            shown.append(str(p))
    return ", ".join(shown)


def _unit_name(office, code: str) -> str:
    try:
        return office.unit(code).name
    except ParAppError:
        return code


def _print_summary(summary: push.ImportSummary, ctx) -> None:
    for line in summary.lines(ctx.lang):
        print(line)


def _decide(dry: push.ImportSummary, args, ctx) -> str:
    """After a dry run DHIS2 would take: "send", "declined" (no one said yes: nothing wrong) or "refused" (--yes,
    but the dry run had conflicts or ignored values: --yes sends only a clean dry run)."""
    t = ctx.t
    if args.yes:
        if dry.clean:
            return "send"
        print(t("Chưa gửi: lần chạy thử có xung đột hoặc giá trị bị bỏ qua; với --yes ParApp chỉ gửi khi lần chạy thử "
                "sạch. Hãy sửa các xung đột trên (mã trong DHIS2, tệp ánh xạ --mapping), hoặc chạy lại không có --yes "
                "để tự quyết định.",
                "Not sent: the dry run has conflicts or ignored values; with --yes ParApp sends only after a clean dry "
                "run. Fix the conflicts above (codes in DHIS2, the --mapping file), or run again without --yes to "
                "decide yourself."))
        return "refused"
    if not _interactive():
        print(t("Chưa gửi: không có ai để hỏi (không phải cửa sổ lệnh); thêm --yes để gửi sau lần chạy thử.",
                "Not sent: there is no one to ask (not a terminal); add --yes to send after the dry run."))
        return "declined"
    try:
        answer = input(t("Gửi thật? [c/K] ", "Send for real? [y/N] "))
    except EOFError:
        answer = ""
    if clean(answer).lower() in _YES:
        return "send"
    print(t("Chưa gửi.", "Not sent."))
    return "declined"


def _waits_sentence(e: push.PushError, ctx) -> str:
    where = e.waiting.payload_path if e.waiting else ""
    return ctx.t(f"{e.message('vi')} Số liệu đang chờ trong hộp thư đi ({where}); gửi lại bằng "
                 "\"parapp dhis2 push --waiting\" khi có mạng.",
                 f"{e.message('en')} The data wait in the outbox ({where}); send them with "
                 "\"parapp dhis2 push --waiting\" once online.")


def _others_waiting(office, url: str, ctx, exclude=()) -> None:
    try:
        rest = [w for w in push.waiting(office) if w.url == url and w.payload_path not in exclude]
    except ParAppError:
        return
    if rest:
        n = format_number(len(rest), 0, ctx.lang)
        print(ctx.t(f"Còn {n} gói số liệu chờ gửi tới {url} trong hộp thư đi; gửi bằng \"parapp dhis2 push --waiting\".",
                    f"{n} more payload(s) wait in the outbox for {url}; send them with \"parapp dhis2 push --waiting\"."))


def _push_one(office, client: push.Client, payload: push.Payload, args, ctx) -> int:
    t = ctx.t
    name = _unit_name(office, payload.unit)
    n = format_number(payload.values, 0, ctx.lang)
    print(t(f"Gửi {n} giá trị của {name} và các đơn vị trực thuộc ({_labels(payload.periods, 'vi')}) tới "
            f"{client.url}, người dùng {client.credentials.who()}.",
            f"Sending {n} values of {name} and the units below it ({_labels(payload.periods, 'en')}) to "
            f"{client.url} as {client.credentials.who()}."))
    try:
        dry = push.attempt(office, client, payload, dry_run=True, keep=not args.dry_run)
    except push.PushError as e:
        if e.waiting:
            print(_waits_sentence(e, ctx))
            return 0
        raise
    push.remember(office, client.url, client.credentials.user)
    _print_summary(dry, ctx)
    if dry.status == "ERROR":
        print(t("DHIS2 sẽ từ chối các số liệu này: chưa gửi gì. Hãy sửa các xung đột trên rồi gửi lại.",
                "DHIS2 would refuse these data: nothing was sent. Fix the conflicts above and send again."))
        return 1
    if args.dry_run:
        return 0
    decision = _decide(dry, args, ctx)
    if decision != "send":
        return 1 if decision == "refused" else 0
    try:
        real = push.attempt(office, client, payload, dry_run=False)
    except push.PushError as e:
        if e.waiting:
            print(_waits_sentence(e, ctx))
            return 0
        raise
    _print_summary(real, ctx)
    _others_waiting(office, client.url, ctx)
    if real.accepted:
        print(t("Đã gửi xong; lần gửi được ghi vào nhật ký.", "Sent; the push is recorded in the log."))
        return 0
    print(t("DHIS2 không nhận hết số liệu: xem các xung đột trên.",
            "DHIS2 did not take all of the data: see the conflicts above."))
    return 1


# Outcomes that would be the same for every waiting payload: stop at the first.
_STOP_KINDS = frozenset({"auth", "forbidden", "not_found", "redirect", "tls", "bad_url", "bad_answer"})


def _send_waiting(office, client: push.Client, items: list[push.Waiting], args, ctx) -> int:
    t = ctx.t
    sent = kept = refused = 0
    for w in items:
        payload = w.payload()
        n = format_number(payload.values, 0, ctx.lang)
        print(t(f"— {w.name}: {n} giá trị của {_unit_name(office, payload.unit)} "
                f"({_labels(payload.periods, 'vi')}), chờ từ {w.meta.get('created_at', '?')}.",
                f"— {w.name}: {n} values of {_unit_name(office, payload.unit)} "
                f"({_labels(payload.periods, 'en')}), waiting since {w.meta.get('created_at', '?')}."))
        summary = None
        try:
            dry = push.attempt(office, client, payload, dry_run=True, waiting_as=w)
            push.remember(office, client.url, client.credentials.user)
            _print_summary(dry, ctx)
            if dry.status == "ERROR":
                push.note_attempt(w, summary=dry)
                print(t("  DHIS2 sẽ từ chối gói này; vẫn giữ trong hộp thư đi.",
                        "  DHIS2 would refuse this payload; it stays in the outbox."))
                refused += 1
                continue
            decision = "declined" if args.dry_run else _decide(dry, args, ctx)
            if decision != "send":
                push.note_attempt(w, summary=dry)
                if decision == "refused":
                    refused += 1
                else:
                    kept += 1
                continue
            summary = push.attempt(office, client, payload, dry_run=False, waiting_as=w)
        except push.PushError as e:
            if e.retry:
                print(t(f"  {e.message('vi')} Gói này và các gói sau vẫn chờ trong hộp thư đi.",
                        f"  {e.message('en')} This payload and the next ones stay in the outbox."))
                kept += len(items) - items.index(w)
                break
            push.note_attempt(w, error=e)
            if e.kind in _STOP_KINDS:
                raise
            print(t(f"  {e.message('vi')} Gói này vẫn giữ trong hộp thư đi.",
                    f"  {e.message('en')} This payload stays in the outbox."))
            refused += 1
            continue
        _print_summary(summary, ctx)
        if summary.accepted:
            push.remove(w)
            print(t("  DHIS2 đã nhận; đã xoá khỏi hộp thư đi.", "  DHIS2 took it; removed from the outbox."))
            sent += 1
        else:
            push.note_attempt(w, summary=summary)
            print(t("  DHIS2 không nhận hết; vẫn giữ trong hộp thư đi.",
                    "  DHIS2 did not take all of it; it stays in the outbox."))
            refused += 1
    print(t(f"Hộp thư đi DHIS2: đã gửi {format_number(sent, 0, 'vi')}, còn chờ {format_number(kept + refused, 0, 'vi')}"
            + (f" (trong đó {format_number(refused, 0, 'vi')} cần xem lại: DHIS2 từ chối hoặc báo xung đột)."
               if refused else "."),
            f"DHIS2 outbox: {format_number(sent, 0, 'en')} sent, {format_number(kept + refused, 0, 'en')} still waiting"
            + (f" ({format_number(refused, 0, 'en')} to look at: DHIS2 refused them or reported conflicts)."
               if refused else ".")))
    return 1 if refused else 0


def run(args, ctx) -> int:
    t = ctx.t
    if args.waiting and args.period:
        raise ParAppError("Dùng --waiting (gửi các gói đang chờ) hoặc --period (gửi số liệu mới), không dùng cả hai.",
                          "Use --waiting (send what waits) or --period (send new figures), not both.")
    if not args.waiting and not args.period:
        raise ParAppError("Hãy cho biết kỳ báo cáo cần gửi (--period 2025Q3), hoặc --waiting để gửi các gói đang chờ.",
                          "Say which period to send (--period 2025Q3), or --waiting to send what waits.")
    with ctx.open_office(args) as office:
        remembered = office.store.meta(push.META_URL)
        user = clean(args.user) if args.user else None
        if args.waiting:
            items = push.waiting(office)
            if not items:
                print(t("Không có gói số liệu DHIS2 nào chờ trong hộp thư đi.", "Nothing waits in the DHIS2 outbox."))
                return 0
            # without --url, the server the oldest waiting payload was meant for
            url = push.normalise_url(args.url or items[0].url)
            mine = [w for w in items if w.url == url]
            for other in sorted({w.url for w in items} - {url}):
                count = format_number(sum(w.url == other for w in items), 0, ctx.lang)
                print(t(f"{count} gói chờ gửi tới máy chủ khác ({other}): gửi bằng --url {other} --waiting.",
                        f"{count} payload(s) wait for another server ({other}): send them with --url {other} "
                        "--waiting."))
            if not mine:
                return 0
            user = user or next((w.meta.get("user") for w in mine if w.meta.get("user")), None) \
                or office.store.meta(push.META_USER)
            creds = credentials(args, user, ctx)
            with push.Client(url, creds, args.timeout) as client:
                return _send_waiting(office, client, mine, args, ctx)
        url = push.normalise_url(args.url or remembered)
        user = user or office.store.meta(push.META_USER)
        mapping = load_mapping(args.mapping)
        unit = args.unit or office.office_code
        office.unit(unit)  # an unknown unit is refused before anything is asked
        payload = push.build_payload(office, unit, _periods(args.period), mapping)
        if payload.values == 0:
            raise ParAppError(f"{_unit_name(office, unit)} chưa có số liệu nào cho {_labels(payload.periods, 'vi')} "
                              "để gửi.",
                              f"{_unit_name(office, unit)} has no figures for {_labels(payload.periods, 'en')} to send.")
        creds = credentials(args, user, ctx)
        with push.Client(url, creds, args.timeout) as client:
            return _push_one(office, client, payload, args, ctx)
