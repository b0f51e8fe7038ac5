"""The `parapp` command line: every core feature without a display.

Exit 0 on success; 1 with one clear sentence (in the chosen language) when the input or the
environment is wrong; 2 for a command typed wrongly; 3 for a bug, with a report saved.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from parapp import __version__, settings
from parapp.i18n import ParAppError, Text, format_number, set_language

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from parapp.domain.periods import Period
    from parapp.engine.compliance import IndicatorResult

# What a command needs is imported by the command (or by main once --version is ruled out), not here: the
# start-up of every command paid for the modules of all of them.

_lang = "vi"


def _t(vi: str, en: str) -> str:
    return en if _lang == "en" else vi


def _parser_classes() -> tuple[type, type]:
    """(the parser, the parser of a tree built for one command), made when first asked for (argparse is
    imported then)."""
    global _classes
    if _classes is None:
        import argparse

        class _Parser(argparse.ArgumentParser):
            def error(self, message: str) -> None:  # argparse's own words stay English; the lead-in follows --lang
                self.print_usage(sys.stderr)
                self.exit(2, _t(f"Lệnh không đúng: {message}\n", f"Wrong command: {message}\n"))

        class _OneParser(_Parser):
            """In the tree built for one command, a mistake is told by the whole tree (_Retry), in its words."""

            def error(self, message: str) -> None:
                raise _Retry

        _classes = (_Parser, _OneParser)
    return _classes


_classes: tuple[type, type] | None = None


class _Retry(Exception):
    """The command line is wrong: parse it again with every command's parser, which says what is wrong."""


# Options of the main parser that take a value (the command is the first word that is not an option or a value).
_VALUED = ("--db", "--lang")


def _command_of(argv: list[str]) -> str | None:
    """The command argv names, if the words before it are only the main parser's own options; else None."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _VALUED:
            i += 2
            continue
        if a == "--portable" or any(a.startswith(v + "=") for v in _VALUED):
            i += 1
            continue
        return a if a in COMMANDS else None
    return None


def _parse(argv: list[str]):
    """argv parsed: with the parsers of the command it names alone when it names one (building all of them was
    most of a command's start-up), else, or when that finds it wrong, with the whole tree."""
    command = _command_of(argv)
    if command is not None:
        try:
            return _parser(command).parse_args(argv)
        except _Retry:
            pass
    return _parser().parse_args(argv)


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command's, or with only, that command's alone."""
    import argparse

    _Parser, _OneParser = _parser_classes()
    if only is not None:
        _Parser = _OneParser

    class _Skip:
        """Stands for the parser of a command not built (only): takes its arguments and does nothing."""

        def add_argument(self, *a, **k) -> None:
            pass

        def add_subparsers(self, *a, **k) -> _Skip:
            return self

        def add_parser(self, *a, **k) -> _Skip:
            return self

    skip = _Skip()

    def options(default):
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--db", type=Path, default=default,
                            help="the office database (default: the user's data folder)")
        parser.add_argument("--lang", choices=("vi", "en"), default=default, help="language of messages (default vi)")
        parser.add_argument("--portable", action="store_true", default=default,
                            help="keep the databases, settings, backups and outbox in a folder 'data' beside the "
                                 "program (for a USB stick); a file named 'portable' there does the same")
        return parser

    # Given before or after the command: a subcommand's own default must not overwrite the main parser's value.
    common = options(argparse.SUPPRESS)
    p = _Parser(prog="parapp", parents=[options(None)],
                description="ParApp: administrative-reform figures for commune, district and province offices.")
    p.add_argument("--version", action="version", version=f"ParApp {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return skip
        return sub.add_parser(name, help=help, parents=[common])

    def unit_period(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--unit", required=True, help="unit code, e.g. 42 or 18070")
        sp.add_argument("--period", required=True, help="2025, 2025S1, 2025Q2 or 202506")

    c = cmd("init", "create the database of an office")
    c.add_argument("--province", required=True, help="province code, e.g. 42 (Hà Tĩnh)")
    c.add_argument("--office", help="the office's own unit code (default: the province)")
    c.add_argument("--tiers", type=int, choices=(3, 2), default=3)
    c.add_argument("--target-set", help="target set id (default: the province's own)")
    c.add_argument("--officer", help="the officer's name, recorded with every change")
    cmd("target-sets", "list the target sets").add_argument("--import", dest="import_file", type=Path,
                                                           help="import a target set from a TOML file")
    c = cmd("use-target-set", "choose the office's target set")
    c.add_argument("id")
    c = cmd("units", "list units")
    c.add_argument("--under", help="only the units below this code")
    c.add_argument("--all", action="store_true", help="every level below, not just the next one")
    c.add_argument("--period", help="the tree in force for this period (default: today's reporting period)")
    c.add_argument("--json", action="store_true")
    c = cmd("add-unit", "add a unit below another")
    c.add_argument("--parent", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--code")
    c = cmd("rename-unit", "rename a unit")
    c.add_argument("--unit", required=True)
    c.add_argument("--name", required=True)
    c = cmd("retire-unit", "retire a unit (its code is never reused)")
    c.add_argument("--unit", required=True)
    c.add_argument("--reason", default="")
    c = cmd("enter", "enter values: ELEMENT=VALUE ...")
    unit_period(c)
    c.add_argument("values", nargs="*", metavar="ELEMENT=VALUE")
    c.add_argument("--clear", action="append", metavar="ELEMENT", help="clear a stored value (repeat for several)")
    c.add_argument("--comment")
    for name, help in (("show", "show a unit's figures for a period"), ("validate", "check a unit's figures"),
                       ("submit", "submit a unit's figures"), ("approve", "approve figures of a unit below"),
                       ("return", "return figures to a unit below, with a reason"),
                       ("history", "the audit log of a unit and period")):
        c = cmd(name, help)
        unit_period(c)
        if name in ("show", "validate", "history"):
            c.add_argument("--json", action="store_true")
        if name == "return":
            c.add_argument("--reason", required=True)
    c = cmd("export-return", "write a unit's Excel return for a period")
    unit_period(c)
    c.add_argument("--out", required=True, type=Path, help="the .xlsx file to write (or a folder)")
    c.add_argument("--with-below", action="store_true",
                   help="also the return of every unit below that has figures for the period (--out is a folder): "
                        "what a district sends to the province")
    c = cmd("template", "blank Excel templates: one per unit below --unit in a folder, or one for a unit")
    unit_period(c)
    c.add_argument("--out", required=True, type=Path,
                   help="a folder (a unit with units below it) or a .xlsx file (a unit without)")
    c = cmd("import-returns", "import Excel returns and filled-in templates: prints the preview, applies with --yes")
    c.add_argument("paths", nargs="+", type=Path, metavar="FILE|DIR")
    c.add_argument("--yes", action="store_true",
                   help="apply the import (all files, or none if any is refused); alone, only files signed by the "
                        "unit or an office above it, with the key known for it (or its first)")
    c.add_argument("--accept-edited", metavar="REASON",
                   help="also apply returns edited after export (their signature does not match), for this reason")
    c.add_argument("--accept-unsigned", metavar="REASON",
                   help="also apply unsigned returns and templates filled in Excel, for this reason")
    c.add_argument("--accept-other-key", metavar="REASON",
                   help="also apply returns signed with another key than the one known for their office (the new "
                        "key is then remembered), for this reason")
    c.add_argument("--dry-run", action="store_true", help="only print the preview, even with --yes")
    c = cmd("consolidate", "write the consolidated workbook of a district or province (one sheet per period)")
    c.add_argument("--unit", required=True, help="the district or province code")
    c.add_argument("--period", required=True, action="append", help="2025Q3, 2025, ...; repeat for several")
    c.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    c = cmd("report", "write a PDF report: a unit's compliance sheet or a district's/province's summary")
    unit_period(c)
    c.add_argument("--kind", choices=("sheet", "summary"), default="sheet",
                   help="sheet: the unit's compliance sheet (default); summary: a district or province overview")
    c.add_argument("--out", required=True, type=Path, help="the .pdf file to write")
    c = cmd("outbox", "copy a return into the outbox, optionally with an e-mail draft (.eml) to the level above")
    c.add_argument("--file", required=True, type=Path, help="the return (.xlsx)")
    c.add_argument("--eml", action="store_true", help="also write an e-mail draft with the return attached")
    c.add_argument("--to", help="the level above's e-mail address (kept for next time)")
    c.add_argument("--unit", help="the unit, when the file does not say")
    c.add_argument("--period", help="the period, when the file does not say")
    c = cmd("demo", "create the demo database: today's Cần Thơ, two tiers with its history since 2022 (default), "
                    "or the three-tier Hà Tĩnh of 2022-2025")
    c.add_argument("--kind", choices=settings.DEMO_KINDS, default="today")
    c.add_argument("--force", action="store_true", help="replace an existing demo database")
    cmd("gui", "open the window")
    c = cmd("reorganise", "carry a three-tier office database into the two-tier structure of 1 July 2025")
    c.add_argument("--office", help="the new unit the office becomes (default: the new province, or the new "
                                    "commune that took in the office's commune)")
    c.add_argument("--dry-run", action="store_true", help="only say what would be done")
    c.add_argument("--take-in", type=Path, nargs="+", metavar="FILE",
                   help="after carrying over: take in the three-tier databases of the other old provinces merged "
                        "into this one (their files are only read)")
    c = cmd("backup", "back up the office database (checked), or list its backups")
    c.add_argument("--out", type=Path, help="the file (or folder) to write; default: the backup folder, rotated")
    c.add_argument("--list", action="store_true", help="list the backups instead, newest first")
    c.add_argument("--folder", help="a second folder (a USB stick) that gets a copy of every backup; \"\" to stop")
    c = cmd("restore", "put a backup in the place of the office database (the database as it was is kept first)")
    c.add_argument("file", type=Path, help="the backup (.db)")
    c = cmd("audit", "check that the history (the audit log, a hash chain) is whole and matches every stored value")
    c.add_argument("action", choices=("verify",))
    c.add_argument("--quick", action="store_true", help="only the newest rows of the chain (as at start)")
    c.add_argument("--return", dest="returns", type=Path, nargs="+", metavar="FILE",
                   help="also check the chain's head named by returns exported from this office")
    c.add_argument("--json", action="store_true")
    c = cmd("dhis2", "DHIS2: its metadata package, data out and in (dataValueSets JSON or CSV, ADX), push to a server")
    d = c.add_subparsers(dest="dhis2_command", parser_class=_Parser, required=True)

    def dhis2_cmd(name: str, help: str) -> argparse.ArgumentParser:
        sp = d.add_parser(name, help=help, parents=[common])
        sp.add_argument("--mapping", type=Path, metavar="FILE.toml",
                        help="map ParApp's codes to an existing DHIS2 instance's UIDs (default: codes, idScheme=CODE)")
        return sp

    sp = dhis2_cmd("metadata", "write the DHIS2 metadata package: data elements, indicators, validation rules, "
                               "data sets, organisation units")
    sp.add_argument("--out", required=True, type=Path, help="the .json file to write")
    sp.add_argument("--unit", help="only this unit and those below it (default: the office's)")
    sp = dhis2_cmd("export", "write values, comments and completions of a unit and those below it for DHIS2")
    sp.add_argument("--unit", required=True, help="unit code")
    sp.add_argument("--period", required=True, action="append", help="2025Q3, 2025, ...; repeat for several")
    sp.add_argument("--format", choices=("json", "csv", "adx"), default="json")
    sp.add_argument("--out", required=True, type=Path, help="the file to write")
    sp.add_argument("--only-unit", action="store_true", help="only the unit itself, not those below it")
    sp = dhis2_cmd("import", "import DHIS2 data (dataValueSets JSON or CSV, ADX): prints the preview, applies with "
                             "--yes, all files or none")
    sp.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    sp.add_argument("--yes", action="store_true", help="apply the import (all files, or none if any is refused)")
    sp.add_argument("--dry-run", action="store_true", help="only print the preview, even with --yes")
    sp = dhis2_cmd("push", "send values to a DHIS2 server (/api/dataValueSets): a dry run first, then the import; "
                           "without a connection the data wait in the outbox")
    sp.add_argument("--url", help="the server, e.g. https://dhis2.example.gov.vn (default: the last one used)")
    sp.add_argument("--user", help="the DHIS2 user name (the password is asked for, never stored)")
    sp.add_argument("--token", action="store_true",
                    help="use a personal access token instead of a password (asked for, or from PARAPP_DHIS2_TOKEN)")
    sp.add_argument("--unit", help="unit code (with --period: what to send)")
    sp.add_argument("--period", action="append", help="2025Q3, 2025, ...; repeat for several")
    sp.add_argument("--waiting", action="store_true", help="send what waits in the outbox from earlier pushes")
    sp.add_argument("--yes", action="store_true", help="send after the dry run without asking")
    sp.add_argument("--dry-run", action="store_true", help="only the dry run: show what DHIS2 would do")
    sp.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)")
    c = cmd("shares", "how a divided old commune's figures go to its successors; without --unit, list the "
                      "divided ones")
    c.add_argument("--unit", help="the old commune that was divided")
    c.add_argument("--default", action="store_true",
                   help="all of its figures to the official default successor (the series says estimated)")
    c.add_argument("shares", nargs="*", metavar="NEW=PERCENT", help="the share of each successor, adding up to 100")
    return p


def _open(args):
    from parapp.domain.periods import Period
    from parapp.engine.office import Office
    from parapp.store.units import resolve

    office = Office.open(args.db or settings.default_db())
    # A unit may be named by its official code: the old tree's unit or the new one's, by the period asked for.
    for name in ("unit", "under", "parent"):
        code = getattr(args, name, None)
        if code:
            # shares name an old commune: the unit of that code before 1 July 2025
            period = getattr(args, "period", None) or ("2025Q2" if args.command == "shares" else None)
            if isinstance(period, list):
                period = period[-1] if period else None
            try:
                setattr(args, name, resolve(office.store, code, Period.parse(period) if period else None))
            except ParAppError:
                office.close()
                raise
    return office


def _period(text: str) -> Period:
    from parapp.domain.periods import Period

    return Period.parse(text)


def _num(v: float | None, decimals: int) -> str:
    return format_number(v, decimals, _lang) if v is not None else "—"


def _indicator_json(r: IndicatorResult) -> dict:
    from parapp.engine.compliance import STATUS_NAMES

    ind = r.indicator
    goal = next((c.goal for c in r.checks if c.goal is not None), None)
    return {
        "code": ind.code, "name": ind.name.get(_lang), "kind": ind.kind,
        "value": None if r.value is None else round(r.value, 6),
        "target": goal, "target_text": r.target_text(_lang) or None, "status": r.status,
        "status_text": STATUS_NAMES[r.status].get(_lang), "source": r.source() or None,
        "notes": [c.note.get(_lang) for c in r.checks if c.note],
    }


def _lineage_json(prov) -> dict | None:
    if prov is None:
        return None
    return {"status": prov.status, "note": prov.note().get(_lang),
            "sources": [{"code": s.unit.code, "official_code": s.unit.official_code, "name": s.unit.name,
                         "share": s.share, "how": s.how} for s in prov.sources]}


def _message_json(m) -> dict:
    return {"rule": m.rule, "severity": m.severity, "text": m.text.get(_lang), "message": m.describe(_lang),
            "elements": list(m.elements), "left": m.left, "right": m.right}


def _submission_json(sub) -> dict:
    return {"status": sub.status, "submitted_on": sub.submitted_on.isoformat() if sub.submitted_on else None,
            "state": sub.state, "date_from_return": sub.carried}


def _counts_json(r) -> dict:
    return {"level": r.level, "expected": r.expected, "reported": r.reported, "on_time": r.on_time}


def _reporting_json(summary) -> dict:
    """Timeliness for show --json: the unit's own return, the units directly below (counts and each), every level."""
    first = summary.first
    units = []
    for u in summary.rows:
        units.append({"unit": u.official_code, "key": u.code, "name": u.name, "level": u.level,
                      "expected": u.active and u.in_force(summary.period), **_submission_json(summary.units[u.code]),
                      "below": [_counts_json(r) for r in summary.per_unit.get(u.code, ())]})
    return {"due": summary.due.isoformat(), "own": _submission_json(summary.own),
            "expected": first.expected, "reported": first.reported, "on_time": first.on_time,
            "levels": [_counts_json(r) for r in summary.levels], "units": units}


def _submission_line(sub) -> str:
    from parapp.engine.matrix import TIMELINESS_NAMES

    words = TIMELINESS_NAMES[sub.state].get(_lang)
    due = f"{sub.due:%d/%m/%Y}"
    if sub.submitted_on is None:
        return _t(f"Báo cáo của đơn vị: {words} (hạn nộp {due})", f"The unit's return: {words} (due {due})")
    day = f"{sub.submitted_on:%d/%m/%Y}"
    return _t(f"Báo cáo của đơn vị: {words}, gửi ngày {day} (hạn nộp {due})",
              f"The unit's return: {words}, submitted on {day} (due {due})")


def cmd_show(args) -> int:
    from parapp.engine.matrix import reporting_summary
    from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES

    with _open(args) as office:
        rep = office.report(args.unit, _period(args.period))
        summary = reporting_summary(office, rep.unit, rep.period)
        if args.json:
            out = {
                "unit": rep.unit.official_code, "key": rep.unit.code, "unit_name": rep.unit.name,
                "level": rep.unit.level,
                "period": str(rep.period), "period_label": rep.period.label(_lang),
                "status": rep.status.status if rep.status else None,
                "target_set": rep.target_set.id if rep.target_set else None,
                "target_note": rep.target_note.get(_lang) if rep.target_note else None,
                "elements": rep.own.values,
                "comments": {k: v.comment for k, v in rep.stored.items() if v.comment},
                "indicators": [_indicator_json(r) for r in rep.indicators],
                "messages": [_message_json(m) for m in rep.messages],
                "reported": rep.rolled.reported if rep.rolled else None,
                "expected": rep.rolled.expected if rep.rolled else None,
                "lineage": _lineage_json(rep.lineage),
                "reporting": _reporting_json(summary),
            }
            if rep.rolled:
                out["rollup"] = {"elements": rep.rolled.values,
                                 "indicators": [_indicator_json(r) for r in rep.rolled_indicators],
                                 "messages": [_message_json(m) for m in rep.rolled_messages],
                                 "unweighted": sorted(rep.rolled.unweighted)}
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        status = WORKFLOW_NAMES[rep.status.status if rep.status else None].get(_lang)
        print(f"{rep.unit.name} ({rep.unit.official_code}) · {rep.period.label(_lang)} · {status}")
        print(rep.period.data_window_label(_lang))
        if rep.lineage is not None:
            print(rep.lineage.note().get(_lang))
        ts = rep.target_set
        print(_t("Bộ chỉ tiêu: ", "Target set: ") + (ts.name.get(_lang) if ts else _t("(chưa chọn)", "(none)")))
        if rep.target_note is not None:
            print(rep.target_note.get(_lang))
        print(_submission_line(summary.own))
        _print_block(office, rep.own.values, rep.indicators, rep.messages, rep.unit.level)
        if rep.rolled:
            print()
            print(_t(f"TỔNG HỢP toàn {rep.unit.name} (đã báo cáo {rep.rolled.reported}/{rep.rolled.expected} đơn vị)",
                     f"ROLL-UP of all {rep.unit.name} (reported {rep.rolled.reported}/{rep.rolled.expected} units)"))
            for level in summary.levels:  # returns submitted or approved, and those by the due date
                print("  " + level.level_text(_lang) + _t(f" (hạn nộp {summary.due:%d/%m/%Y})",
                                                          f" (due {summary.due:%d/%m/%Y})"))
            _print_block(office, rep.rolled.values, rep.rolled_indicators, rep.rolled_messages, rep.unit.level)
    return 0


def _print_block(office, values, indicators, messages, level) -> None:
    from parapp.engine.compliance import STATUS_NAMES, STATUS_SYMBOLS

    cat = office.catalogue
    print(_t("\nSố liệu:", "\nFigures:"))
    shown = False
    for el in cat.elements_for(level):
        if el.code in values:
            shown = True
            print(f"  {el.name.get(_lang):<60} {_num(values[el.code], 0 if el.is_whole else 2):>14}  ({el.code})")
    if not shown:
        print(_t("  (chưa có số liệu)", "  (no figures yet)"))
    print(_t("\nChỉ số:", "\nIndicators:"))
    for r in indicators:
        if r.value is None and r.status == "no_target":
            continue
        ind = r.indicator
        unit = "%" if ind.kind in ("ratio", "percent") else ""
        print(f"  {STATUS_SYMBOLS[r.status]} {ind.name.get(_lang):<58} {_num(r.value, ind.decimals):>10}{unit:1}  "
              f"{r.target_text(_lang) or '':<22} {STATUS_NAMES[r.status].get(_lang)}")
        if r.source():
            print(f"      {_t('Nguồn', 'Source')}: {r.source()}")
        for c in r.checks:
            if c.note:
                print(f"      {c.note.get(_lang)}")
    if messages:
        print(_t("\nKiểm tra:", "\nChecks:"))
        for m in messages:
            tag = _t("LỖI", "ERROR") if m.severity == "error" else _t("CẢNH BÁO", "WARNING")
            print(f"  {tag}: {m.describe(_lang)}")


def cmd_init(args) -> int:
    from parapp.engine.office import Office

    path = args.db or settings.default_db()
    with Office.create(path, args.province, args.office, args.tiers, args.target_set, args.officer) as office:
        u = office.unit(office.office_code)
        n = office.store.conn.execute("SELECT count(*) FROM units").fetchone()[0]
        ts = office.target_set
        print(_t(f"Đã tạo {path} cho {u.name} ({n} đơn vị, {args.tiers} cấp), bộ chỉ tiêu: "
                 f"{ts.name.vi if ts else '(chưa chọn)'}.",
                 f"Created {path} for {u.name} ({n} units, {args.tiers} tiers), target set: "
                 f"{ts.name.en if ts else '(none)'}."))
    return 0


def cmd_target_sets(args) -> int:
    from parapp.domain.catalogue import load_target_set, shipped_catalogue, shipped_target_sets

    db = args.db or settings.default_db()
    if args.import_file:
        with _open(args) as office:
            ts = office.import_target_set(args.import_file)
            print(_t(f"Đã nhập bộ chỉ tiêu {ts.id} ({len(ts.targets)} chỉ tiêu).",
                     f"Imported target set {ts.id} ({len(ts.targets)} targets)."))
        return 0
    del load_target_set
    current = None
    if Path(db).exists():
        with _open(args) as office:
            sets, current = office.target_sets(), office.store.meta("target_set")
    else:
        sets = shipped_target_sets(shipped_catalogue())
    for ts in sets.values():
        mark = "*" if ts.id == current else " "
        print(f"{mark} {ts.id:<24} {ts.province}  {ts.years[0]}–{ts.years[1]}  {len(ts.targets):>3} "
              f"{_t('chỉ tiêu', 'targets')}  {ts.name.get(_lang)}")
    return 0


def cmd_use_target_set(args) -> int:
    with _open(args) as office:
        ts = office.choose_target_set(args.id)
        print(_t(f"Đơn vị dùng bộ chỉ tiêu {ts.name.vi}.", f"The office now uses {ts.name.en}."))
    return 0


def cmd_units(args) -> int:
    from parapp.domain.catalogue import LEVEL_NAMES
    from parapp.domain.periods import reporting_period
    from parapp.store import units as us

    with _open(args) as office:
        period = _period(args.period) if args.period else reporting_period()
        top = us.get_unit(office.store, args.under or office.office_code)
        if args.all:
            rows = us.subtree(office.store, top.code, include_self=args.under is None, period=period)
        else:
            rows = ([] if args.under else [top]) + office.rows_below(top, period, include_retired=False)
        if args.json:
            print(json.dumps([{"code": u.official_code, "key": u.code, "name": u.name, "kind": u.kind,
                               "level": u.level, "parent": u.parent, "active": u.active,
                               "valid_from": None if u.valid_from == us.BEGINNING else u.valid_from,
                               "valid_to": None if u.valid_to == us.FOREVER else u.valid_to} for u in rows],
                             ensure_ascii=False, indent=2))
        else:
            for u in rows:
                span = ""
                if u.valid_from != us.BEGINNING:
                    span = _t(f" (từ {_day(u.valid_from)})", f" (from {_day(u.valid_from)})")
                if u.valid_to != us.FOREVER:
                    span += _t(f" (đến {_day(u.valid_to)})", f" (until {_day(u.valid_to)})")
                print(f"{u.official_code:<6} {(u.kind or LEVEL_NAMES[u.level].get(_lang)):<10} {u.name}{span}")
    return 0


def _day(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(d)}/{int(m)}/{y}"


def cmd_add_unit(args) -> int:
    from parapp.store import units as us

    with _open(args) as office:
        u = us.add_unit(office.store, args.parent, args.name, office.officer, args.code)
        print(_t(f"Đã thêm {u.name} (mã {u.code}).", f"Added {u.name} (code {u.code})."))
    return 0


def cmd_rename_unit(args) -> int:
    from parapp.store import units as us

    with _open(args) as office:
        u = us.rename_unit(office.store, args.unit, args.name, office.officer)
        print(_t(f"Đã đổi tên đơn vị {u.code} thành {u.name}.", f"Unit {u.code} is now called {u.name}."))
    return 0


def cmd_retire_unit(args) -> int:
    from parapp.store import units as us

    with _open(args) as office:
        u = us.retire_unit(office.store, args.unit, office.officer, args.reason)
        print(_t(f"{u.name} ({u.code}) đã ngừng báo cáo; mã này không được dùng lại.",
                 f"{u.name} ({u.code}) is retired; its code will not be reused."))
    return 0


def cmd_enter(args) -> int:
    if not args.values and not args.clear:
        raise ParAppError("Hãy ghi ít nhất một MÃ=GIÁ_TRỊ (hoặc --clear MÃ).",
                          "Give at least one ELEMENT=VALUE (or --clear ELEMENT).")
    values: dict[str, str | None] = {}
    for item in args.values:
        if "=" not in item:
            raise ParAppError(f'"{item}" phải có dạng MÃ=GIÁ_TRỊ, ví dụ received_new=120.',
                              f'"{item}" must be ELEMENT=VALUE, e.g. received_new=120.')
        code, value = item.split("=", 1)
        code = code.strip()
        if code in values or code in (args.clear or []):
            raise ParAppError(f"{code} được ghi hai lần; mỗi chỉ tiêu chỉ ghi một lần.",
                              f"{code} is given twice; give each element once.")
        if not value.strip():
            raise ParAppError(f'{code} không có giá trị; để xoá giá trị đã lưu, dùng "--clear {code}".',
                              f'{code} has no value; to clear a stored value, use "--clear {code}".')
        values[code] = value
    for code in args.clear or []:
        values[code] = None
    with _open(args) as office:
        period = _period(args.period)
        stored = office.report(args.unit, period, with_rollup=False).stored
        cleared = [c for c in args.clear or [] if c in stored]
        changed = office.enter(args.unit, period, values, comment=args.comment, lang=_lang)
        msgs = office.validate(args.unit, period)
        print(_t(f"Đã lưu {changed - len(cleared)} giá trị.", f"Saved {changed - len(cleared)} value(s)."))
        if cleared:
            print(_t(f"Đã xoá: {', '.join(cleared)}.", f"Cleared: {', '.join(cleared)}."))
        for m in msgs:
            tag = _t("LỖI", "ERROR") if m.severity == "error" else _t("CẢNH BÁO", "WARNING")
            print(f"{tag}: {m.describe(_lang)}")
    return 0


def cmd_validate(args) -> int:
    with _open(args) as office:
        msgs = office.validate(args.unit, _period(args.period))
        if args.json:
            print(json.dumps([_message_json(m) for m in msgs], ensure_ascii=False, indent=2))
        elif not msgs:
            print(_t("Số liệu hợp lệ.", "The figures pass every check."))
        for m in msgs if not args.json else []:
            tag = _t("LỖI", "ERROR") if m.severity == "error" else _t("CẢNH BÁO", "WARNING")
            print(f"{tag}: {m.describe(_lang)}")
    return 1 if any(m.severity == "error" for m in msgs) else 0


def _workflow(args, action: str) -> int:
    with _open(args) as office:
        period = _period(args.period)
        if action == "submit":
            office.submit(args.unit, period)
        elif action == "approve":
            office.approve(args.unit, period)
        else:
            office.return_(args.unit, period, args.reason)
        u = office.unit(args.unit)
        done = {"submit": Text("đã gửi", "submitted"), "approve": Text("đã duyệt", "approved"),
                "return": Text("đã trả lại", "returned")}[action].get(_lang)
        print(_t(f"Số liệu {period.label('vi')} của {u.name}: {done}.",
                 f"Figures of {u.name} for {period.label('en')}: {done}."))
    return 0


def cmd_history(args) -> int:
    from datetime import datetime

    from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES

    with _open(args) as office:
        rows = office.history(args.unit, _period(args.period))
        if args.json:
            print(json.dumps([e.__dict__ for e in rows], ensure_ascii=False, indent=2))
            return 0
        if not rows:
            print(_t("Chưa có thay đổi nào.", "No changes yet."))
        for e in rows:
            if e.action == "value":
                el = office.catalogue.elements.get(e.element)
                what = f"{el.name.get(_lang) if el else e.element}: {_num(e.old_value, 2 if e.old_value and e.old_value % 1 else 0)} → " \
                       f"{_num(e.new_value, 2 if e.new_value and e.new_value % 1 else 0)}"
                if e.new_comment != e.old_comment:
                    what += f"  [{e.new_comment or ''}]"
            elif e.action == "status":
                what = f"{WORKFLOW_NAMES[e.old_status].get(_lang)} → {WORKFLOW_NAMES[e.new_status].get(_lang)}"
                if e.reason:
                    what += f" ({e.reason})"
            else:
                what = f"{e.action} {e.reason or ''}"
            src = f"  ← {e.source}" if e.source else ""
            when = datetime.fromisoformat(e.at).astimezone().strftime("%d/%m/%Y %H:%M")
            print(f"{when}  {e.who or '?':<18} {what}{src}")
    return 0


def cmd_export_return(args) -> int:
    from parapp.exchange.returns import export_return, export_with_below

    with _open(args) as office:
        period = _period(args.period)
        u = office.unit(args.unit)
        if args.with_below:
            paths = export_with_below(office, args.unit, period, args.out)
            print(_t(f"Đã ghi {len(paths)} báo cáo {period.label('vi')} ({u.name} và {len(paths) - 1} đơn vị trực thuộc) "
                     f"vào {args.out}.",
                     f"Wrote {len(paths)} returns for {period.label('en')} ({u.name} and {len(paths) - 1} units below) "
                     f"to {args.out}."))
            return 0
        path = export_return(office, args.unit, period, args.out)
        print(_t(f"Đã ghi báo cáo {period.label('vi')} của {u.name} vào {path}.",
                 f"Wrote the return of {u.name} for {period.label('en')} to {path}."))
    return 0


def cmd_template(args) -> int:
    from parapp.exchange.returns import export_return, export_templates
    from parapp.store import units as us

    with _open(args) as office:
        period = _period(args.period)
        u = office.unit(args.unit)
        if us.children(office.store, u.code):
            paths = export_templates(office, u.code, period, args.out)
            print(_t(f"Đã tạo {len(paths)} mẫu trống {period.label('vi')} cho các đơn vị thuộc {u.name} trong {args.out}.",
                     f"Made {len(paths)} blank template(s) for {period.label('en')} for the units of {u.name} in "
                     f"{args.out}."))
        else:
            path = export_return(office, u.code, period, args.out, blank=True)
            print(_t(f"Đã tạo mẫu trống {period.label('vi')} cho {u.name}: {path}.",
                     f"Made the blank template of {u.name} for {period.label('en')}: {path}."))
    return 0


def _print_preview(office, pv, n: int, total: int) -> None:
    from parapp.store.values import STATUS_NAMES as WORKFLOW_NAMES

    kind = _t("báo cáo", "return") if pv.kind == "return" else _t("mẫu đã điền", "filled-in template")
    head = f"[{n}/{total}] {pv.path.name}"
    if pv.unit is not None and pv.period is not None:
        head += f" — {pv.unit.name} ({pv.unit.official_code}) · {pv.period.label(_lang)} · {kind}"
        if pv.file is not None and pv.file.status:
            head += f" ({WORKFLOW_NAMES[pv.file.status].get(_lang)})"
    print(head)
    if pv.refused is not None:
        print("  " + _t("BỊ TỪ CHỐI: ", "REFUSED: ") + pv.refused.message(_lang))
        return
    cat = office.catalogue

    def name(code: str) -> str:
        return f"{cat.elements[code].name.get(_lang)} ({code})"

    def num(code: str, v) -> str:
        if v is None:
            return _t("(trống)", "(empty)")
        return _num(v, 0 if cat.elements[code].is_whole else 2)

    print("  " + _t(f"Mới: {len(pv.new)} giá trị; thay đổi: {len(pv.changes)}; ghi chú thay đổi: {len(pv.comments)}",
                    f"New: {len(pv.new)} value(s); changed: {len(pv.changes)}; comments changed: {len(pv.comments)}"))
    for code, old, new in pv.changes:
        print(f"    {name(code)}: {num(code, old)} → {num(code, new)}")
    for code, old, new in pv.comments:
        print(f"    {_t('Ghi chú', 'Comment')} {code}: \"{old or ''}\" → \"{new or ''}\"")
    if pv.unchanged:
        print("  " + _t("Không có gì mới so với cơ sở dữ liệu.", "Nothing new compared with the database."))
    if pv.status is not None:
        old_status, new_status = pv.status
        print("  " + _t("Trạng thái: ", "Status: ") + f"{WORKFLOW_NAMES[old_status].get(_lang)} → "
              f"{WORKFLOW_NAMES[new_status].get(_lang)}")
    for m in pv.failures:
        tag = _t("LỖI", "ERROR") if m.severity == "error" else _t("CẢNH BÁO", "WARNING")
        print(f"  {tag}: {m.describe(_lang)}")
    for w in pv.warnings:
        print("  " + _t("CẢNH BÁO: ", "WARNING: ") + w.get(_lang))
    if pv.seal is not None:
        mark = "✔" if pv.sound else "✘"
        print(f"  {_t('Chữ ký', 'Signature')}: {mark} {pv.seal.text.get(_lang)}")


def cmd_import_returns(args) -> int:
    from parapp.exchange.returns import apply, preview

    with _open(args) as office:
        previews = preview(office, args.paths)
        if not previews:
            raise ParAppError("Không tìm thấy tệp .xlsx nào để nhập.", "No .xlsx files were found to import.")
        for n, pv in enumerate(previews, 1):
            _print_preview(office, pv, n, len(previews))
        refused = [pv for pv in previews if not pv.acceptable]
        print()
        print(_t(f"{len(previews) - len(refused)} tệp nhập được, {len(refused)} tệp bị từ chối.",
                 f"{len(previews) - len(refused)} file(s) can be imported, {len(refused)} refused."))
        if refused:
            print(_t("Không nhập tệp nào: mọi tệp được chọn phải hợp lệ (nhập tất cả hoặc không nhập gì); hãy bỏ "
                     "các tệp bị từ chối ra hoặc sửa chúng rồi chạy lại.",
                     "Nothing was imported: every file selected must be acceptable (all or nothing); leave the "
                     "refused files out, or fix them, and run again."), file=sys.stderr)
            return 1
        flags = {"edited": ("--accept-edited", args.accept_edited), "unsigned": ("--accept-unsigned",
                                                                                  args.accept_unsigned),
                 "other_key": ("--accept-other-key", args.accept_other_key)}
        reasons, unsure = {}, []
        for pv in previews:
            if not pv.sound:
                flag, reason = flags[pv.seal.choice]
                if reason and reason.strip():
                    reasons[pv.path] = reason
                else:
                    unsure.append((pv, flag))
        if not args.yes or args.dry_run:
            print(_t("Chưa nhập gì; chạy lại với --yes để nhập.", "Nothing imported yet; run again with --yes to "
                     "import."))
            return 0
        if unsure:
            for pv, flag in unsure:
                print(_t(f"{pv.path.name}: {pv.seal.text.vi} Cần {flag} \"lý do\" để nhập tệp này.",
                         f"{pv.path.name}: {pv.seal.text.en} It needs {flag} \"reason\" to be imported."),
                      file=sys.stderr)
            print(_t("Không nhập tệp nào (nhập tất cả hoặc không nhập gì): --yes một mình chỉ nhập các tệp có chữ ký "
                     "hợp lệ.",
                     "Nothing was imported (all or nothing): --yes alone applies only files with a sound signature."),
                  file=sys.stderr)
            return 1
        changed = apply(office, previews, {pv.path for pv in previews}, reasons)
        print(_t(f"Đã nhập {len(previews)} tệp: {changed} giá trị thay đổi.",
                 f"Imported {len(previews)} file(s): {changed} value(s) changed."))
    return 0


def cmd_consolidate(args) -> int:
    from parapp.exchange.consolidated import export_consolidated

    with _open(args) as office:
        periods = [_period(p) for p in args.period]
        path = export_consolidated(office, args.unit, periods, args.out, lang=_lang)
        u = office.unit(args.unit)
        labels = ", ".join(p.label(_lang) for p in periods)
        print(_t(f"Đã ghi bảng tổng hợp {labels} của {u.name} vào {path}.",
                 f"Wrote the consolidated workbook of {u.name} for {labels} to {path}."))
    return 0


def cmd_report(args) -> int:
    from parapp.exchange.reports import compliance_sheet, summary_report

    with _open(args) as office:
        make = summary_report if args.kind == "summary" else compliance_sheet
        path = make(office, args.unit, _period(args.period), args.out, lang=_lang)
        u = office.unit(args.unit)
        print(_t(f"Đã ghi báo cáo PDF {_period(args.period).label('vi')} của {u.name} vào {path}.",
                 f"Wrote the PDF report of {u.name} for {_period(args.period).label('en')} to {path}."))
    return 0


def cmd_outbox(args) -> int:
    from parapp.exchange.outbox import make_eml, set_upper_email, write_outbox

    with _open(args) as office:
        if args.to:
            set_upper_email(office, args.to)
        copy = write_outbox(office, args.file, args.unit, args.period)
        print(_t(f"Đã chép vào hộp thư đi: {copy}", f"Copied into the outbox: {copy}"))
        if args.eml:
            eml = make_eml(office, copy, args.to)
            print(_t(f"Thư nháp (mở bằng Outlook hoặc Thunderbird rồi bấm Gửi): {eml}",
                     f"E-mail draft (open it in Outlook or Thunderbird and press Send): {eml}"))
    return 0


def cmd_demo(args) -> int:
    from parapp.engine.demo import make_demo
    from parapp.engine.demo_today import make_today_demo

    path = args.db or settings.demo_db(args.kind)
    if Path(path).exists():
        if not args.force:
            print(_t(f"Đã có cơ sở dữ liệu mẫu tại {path} (dùng --force để tạo lại).",
                     f"The demo database is already at {path} (use --force to make it again)."))
            return 0
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    summary = make_today_demo(path) if args.kind == "today" else make_demo(path)
    print(_t(f"Đã tạo cơ sở dữ liệu mẫu {path}: {summary['units']} đơn vị, {summary['values']} giá trị.",
             f"Created the demo database {path}: {summary['units']} units, {summary['values']} values."))
    return 0


def cmd_reorganise(args) -> int:
    from parapp.engine import reorganise as ro

    with _open(args) as office:
        if args.take_in and office.store.meta(ro.META_KEY):
            for path in args.take_in:
                done = ro.take_in(office, path, dry_run=args.dry_run)
                if args.dry_run and not done.already:
                    print(_t(f"Sẽ nhận từ {path}: {done.values} giá trị, {done.statuses} trạng thái, {done.audit} "
                             "dòng nhật ký.", f"Would take in from {path}: {done.values} values, {done.statuses} "
                             f"statuses, {done.audit} history rows."))
                else:
                    print(done.summary().get(_lang))
            return 0
        plan = ro.plan(office, args.office)
        if args.take_in:  # every file is checked before anything is written
            ro.check_take_in(office, args.take_in, plan)
        if not args.dry_run:
            plan = ro.reorganise(office, args.office)
        print(plan.summary().get(_lang))
        if plan.late_note() is not None:
            print(plan.late_note().get(_lang))
        for path in args.take_in or () if not args.dry_run else ():
            print(ro.take_in(office, path).summary().get(_lang))
        if plan.already:
            return 0
        after = plan.office_after
        new_unit = next((u for k, u in plan.new_units if k == after), None)
        new_name, new_code = (new_unit.name, new_unit.code) if new_unit else (office.unit(after).name,
                                                                              office.unit(after).official_code)
        verb = _t("Đơn vị sẽ là", "The office would become") if args.dry_run else _t("Đơn vị nay là",
                                                                                      "The office is now")
        print(f"{verb}: {new_name} ({new_code}).")
        for u in plan.unmapped:
            print(_t(f"Lưu ý: {u.name} ({u.code}) do cán bộ thêm, không có đơn vị kế thừa; số liệu của đơn vị này "
                     "được giữ nguyên nhưng không chuyển sang đơn vị mới.",
                     f"Note: {u.name} ({u.code}) was added by an officer and has no successor; its figures are "
                     "kept but carried to no new unit."))
        if not args.dry_run:
            divided = office.store.conn.execute(
                "SELECT count(DISTINCT predecessor) FROM unit_links WHERE divided = 1").fetchone()[0]
            if divided:
                print(_t(f"{divided} xã, phường cũ bị chia tách: số liệu trước 01/7/2025 của các đơn vị mới nhận "
                         "phần của chúng chưa so sánh được cho đến khi đặt tỷ lệ (parapp shares).",
                         f"{divided} old communes were divided: the new units that took parts of them have no "
                         "comparable figures before 1 July 2025 until the shares are set (parapp shares)."))
    return 0


def cmd_shares(args) -> int:
    from parapp.domain.periods import Period
    from parapp.store import units as us

    if args.shares and not args.unit or args.default and not args.unit:
        raise ParAppError("Hãy cho biết xã, phường cũ bị chia tách (--unit MÃ).",
                          "Say which divided old commune (--unit CODE).")
    with _open(args) as office:
        store = office.store
        from parapp.engine.reorganise import META_KEY

        if not store.meta(META_KEY):
            raise ParAppError("Cơ sở dữ liệu này chưa được chuyển sang mô hình hai cấp (parapp reorganise).",
                              "This database has not been carried into the two-tier structure (parapp reorganise).")
        if not args.unit:
            rows = store.conn.execute(
                "SELECT DISTINCT l.predecessor, d.method FROM unit_links l LEFT JOIN unit_divisions d "
                "ON d.predecessor = l.predecessor WHERE l.divided = 1 ORDER BY l.predecessor").fetchall()
            if not rows:
                print(_t("Không có xã, phường nào bị chia tách.", "No commune here was divided."))
            how = {None: Text("chưa quyết định", "undecided"), "default": Text("đơn vị mặc định (ước tính)",
                   "default successor (estimated)"), "shares": Text("theo tỷ lệ", "by shares")}
            for pred, method in rows:
                u = office.unit(pred)
                parts = ", ".join(
                    f"{office.unit(link.successor).name} ({office.unit(link.successor).official_code})"
                    + (f" {link.share * 100:.0f}%" if link.share is not None else "")
                    + (" *" if link.is_default else "") for link in us.successors(store, pred))
                print(f"{u.code:<6} {u.name}: {how[method].get(_lang)} → {parts}")
            return 0
        if args.default and args.shares:
            raise ParAppError("Chọn --default hoặc tỷ lệ, không chọn cả hai.", "Give --default or shares, not both.")
        if not args.default and not args.shares:
            raise ParAppError("Hãy cho --default hoặc tỷ lệ từng đơn vị kế thừa (MÃ=PHẦN_TRĂM).",
                              "Give --default or each successor's share (CODE=PERCENT).")
        shares = None
        if args.shares:
            shares = {}
            for item in args.shares:
                code, _, pct = item.partition("=")
                try:
                    value = float(pct.replace(",", "."))
                except ValueError:
                    raise ParAppError(f'"{item}" phải có dạng MÃ=PHẦN_TRĂM, ví dụ 18073=60.',
                                      f'"{item}" must be CODE=PERCENT, e.g. 18073=60.') from None
                key = us.resolve(store, code.strip(), Period.quarter(2025, 3))
                if key in shares:
                    raise ParAppError(f"{code.strip()} được ghi hai lần.", f"{code.strip()} is given twice.")
                shares[key] = value / 100
        us.set_division(store, args.unit, office.officer, shares)
        u = office.unit(args.unit)
        print(_t(f"Đã lưu cách chia số liệu của {u.name}.", f"Saved how the figures of {u.name} are divided."))
    return 0


def cmd_backup(args) -> int:
    from parapp.store import backup as bk

    path = args.db or settings.default_db()
    if args.list:
        found = bk.backups(path)
        if not found:
            print(_t(f"Chưa có bản sao lưu nào của {path}.", f"There is no backup of {path} yet."))
        for b in found:
            sound = "" if bk.is_sound(b.path, quick=True) else _t("  HỎNG", "  DAMAGED")
            print(f"{b.label(_lang):<48} {b.path}{sound}")
        return 0
    with _open(args) as office:
        if args.folder is not None:
            folder = args.folder.strip()
            office.store.set_meta("backup_folder", folder)
            print(_t(f"Thư mục sao lưu thứ hai: {folder}." if folder else "Đã bỏ thư mục sao lưu thứ hai.",
                     f"Second backup folder: {folder}." if folder else "No second backup folder any more."))
        made = bk.make_backup(office.store, "manual", args.out)
        print(_t(f"Đã sao lưu (đã kiểm tra toàn vẹn): {made}", f"Backed up (integrity checked): {made}"))
    return 0


def cmd_restore(args) -> int:
    from parapp.store import backup as bk

    path = args.db or settings.default_db()
    kept = bk.restore(path, args.file)
    print(_t(f"Đã khôi phục {path} từ {args.file}.", f"Restored {path} from {args.file}."))
    if kept is not None:
        print(_t(f"Cơ sở dữ liệu trước khi khôi phục được giữ tại {kept}.",
                 f"The database as it was before is kept at {kept}."))
    return 0


def cmd_audit(args) -> int:
    from parapp.exchange.returns import read_return
    from parapp.store import audit

    with _open(args) as office:
        verdict = audit.verify(office.store, quick=args.quick)
        heads = []
        for path in args.returns or ():
            rf = read_return(path, office.catalogue)
            if rf.chain_head is None:
                heads.append((path, None, _t("không ghi đầu chuỗi lịch sử (mẫu trống hoặc bản cũ)",
                                             "names no head of the history (a template or an older return)")))
                continue
            id_, hash_ = rf.chain_head
            found = audit.verify_head(office.store, id_, hash_)
            heads.append((path, found, _t(f"dòng {id_}: " + ("khớp" if found else "KHÔNG KHỚP" if found is False
                                                            else "không có trong lịch sử này"),
                                          f"row {id_}: " + ("matches" if found else "DOES NOT MATCH"
                                                            if found is False else "not in this history"))))
        bad_head = any(found is False for _p, found, _m in heads)
        if args.json:
            print(json.dumps({
                "ok": verdict.ok and not bad_head, "rows": verdict.rows, "complete": verdict.complete,
                "head": list(verdict.head) if verdict.head else None, "broken_at": verdict.broken_at,
                "anchor": verdict.anchor, "anchors_checked": verdict.anchors_checked,
                "abandoned_by_restore": verdict.abandoned,
                "drift": [{"unit": d.unit, "period": d.period, "element": d.element, "stored": d.stored,
                           "history": d.chained} for d in verdict.drift],
                "returns": [{"file": str(p), "matches": found} for p, found, _m in heads],
                "message": verdict.message(_lang)}, ensure_ascii=False, indent=2))
        else:
            print(verdict.message(_lang))
            for path, _found, message in heads:
                print(f"  {path.name}: {message}")
    return 0 if verdict.ok and not bad_head else 2


def cmd_dhis2(args) -> int:
    """parapp dhis2 metadata|export|import|push: each in parapp.exchange.dhis2.cmd_<name>."""
    import importlib

    module = importlib.import_module(f"parapp.exchange.dhis2.cmd_{args.dhis2_command}")
    return module.run(args, Context(_open, _t, _lang))


class Context:
    """What a command module needs from the command line: opening the office (resolving unit codes as every
    command does), the language, and t(vi, en) for its sentences."""

    def __init__(self, open_office, t, lang: str):
        self.open_office, self.t, self.lang = open_office, t, lang


def cmd_gui(args) -> int:
    import gc

    gc.disable()  # while the window's modules and the window are made; enabled once it is up (parapp.gui.app)
    try:
        from parapp.gui.app import run
    except ImportError:
        raise ParAppError("Cửa sổ ParApp chưa có trong bản này; hãy dùng các lệnh dòng lệnh (parapp --help).",
                          "The ParApp window is not in this version yet; use the commands (parapp --help).") from None
    return run(args.db)


COMMANDS = {
    "init": cmd_init, "target-sets": cmd_target_sets, "use-target-set": cmd_use_target_set, "units": cmd_units,
    "add-unit": cmd_add_unit, "rename-unit": cmd_rename_unit, "retire-unit": cmd_retire_unit,
    "enter": cmd_enter, "show": cmd_show, "validate": cmd_validate,
    "submit": lambda a: _workflow(a, "submit"), "approve": lambda a: _workflow(a, "approve"),
    "return": lambda a: _workflow(a, "return"), "history": cmd_history, "demo": cmd_demo, "gui": cmd_gui,
    "export-return": cmd_export_return, "template": cmd_template, "import-returns": cmd_import_returns,
    "consolidate": cmd_consolidate, "outbox": cmd_outbox, "report": cmd_report,
    "reorganise": cmd_reorganise, "shares": cmd_shares, "backup": cmd_backup, "restore": cmd_restore,
    "audit": cmd_audit, "dhis2": cmd_dhis2,
}


def main(argv: list[str] | None = None) -> int:
    global _lang
    itself = argv is None  # ParApp itself (parapp, python -m parapp, the bundle), not a test calling main([...])
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # what argparse would print, without the start-up of a command
        print(f"ParApp {__version__}")
        return 0
    import sqlite3

    from parapp.crash import enable_native_reports, save_report

    if getattr(sys, "frozen", False):  # a packaged ParApp runs its reader workers from its own executable
        import multiprocessing

        multiprocessing.freeze_support()
    if itself:
        enable_native_reports()  # a crash in native code leaves a report too
    if "--lang" in argv[:-1]:
        _lang = argv[argv.index("--lang") + 1] if argv[argv.index("--lang") + 1] in ("vi", "en") else "vi"
    else:  # not given: the language last chosen in the window, else Vietnamese
        _lang = next((a.split("=", 1)[1] for a in argv if a in ("--lang=vi", "--lang=en")), None) \
            or settings.saved_language() or "vi"
    set_language(_lang)
    try:
        sys.stdout.reconfigure(encoding="utf-8")
        sys.stderr.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError):
        pass
    args = _parse(argv)
    if getattr(args, "portable", False):
        os.environ[settings.PORTABLE_ENV] = "1"  # inherited by the reader workers
    if args.command is None:
        args.command = "gui"
    try:
        return COMMANDS[args.command](args)
    except ParAppError as e:
        print(e.message(_lang), file=sys.stderr)
        return 1
    except sqlite3.Error as e:  # met while working: a damaged page, a lock that outlasted the timeout
        from parapp.store.db import explain

        err = explain(e, getattr(args, "db", None) or settings.default_db())
        if err is None:  # not the environment's doing: a bug
            report = save_report(e)
            print(_t(f"ParApp gặp lỗi không mong muốn; số liệu đã lưu vẫn an toàn. Báo cáo lỗi: {report}",
                     f"ParApp hit an unexpected error; saved figures are safe. Error report: {report}"),
                  file=sys.stderr)
            return 3
        print(err.message(_lang), file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into a program that stopped reading
        return 0
    except KeyboardInterrupt:
        print(_t("Đã dừng.", "Stopped."), file=sys.stderr)
        return 130
    except Exception as e:  # a bug: keep the officer's data, save what happened
        report = save_report(e)
        print(_t(f"ParApp gặp lỗi không mong muốn; số liệu đã lưu vẫn an toàn. Báo cáo lỗi: {report}",
                 f"ParApp hit an unexpected error; saved figures are safe. Error report: {report}"), file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
