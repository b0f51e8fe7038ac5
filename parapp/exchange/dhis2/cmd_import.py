"""parapp dhis2 import: read DHIS2 data (dataValueSets JSON or CSV, ADX XML), print what it would change, and
with --yes write it, every file or none.

    parapp dhis2 import values.json more.csv data.adx [--mapping instance.toml] [--yes] [--dry-run]

Exit 0 when every file can be imported (and, with --yes, was); 1 with the refusal's sentence when any file is
refused: then nothing is written.
"""

from __future__ import annotations

import sys

from parapp.exchange.dhis2.importing import FORMAT_NAMES, DhisPreview, apply, preview
from parapp.exchange.dhis2.mapping import load_mapping
from parapp.i18n import ParAppError, format_number
from parapp.store.values import STATUS_NAMES


def _print(office, pv: DhisPreview, n: int, total: int, ctx) -> None:
    t, lang = ctx.t, ctx.lang
    head = f"[{n}/{total}] {pv.path.name}"
    if pv.format is not None:
        head += f" — {FORMAT_NAMES[pv.format]}"
    if pv.refused is None:
        head += " · " + t(f"{format_number(pv.values, 0, 'vi')} giá trị, {len(pv.unit_periods)} đơn vị-kỳ",
                          f"{format_number(pv.values, 0, 'en')} value(s), {len(pv.unit_periods)} unit-period(s)")
    print(head)
    if pv.refused is not None:
        print("  " + t("BỊ TỪ CHỐI: ", "REFUSED: ") + pv.refused.message(lang))
        return
    cat = office.catalogue

    def num(code: str, v) -> str:
        if v is None:
            return t("(trống)", "(empty)")
        return format_number(v, 0 if cat.elements[code].is_whole else 2, lang)

    print("  " + t(f"Mới: {pv.new} giá trị; thay đổi: {pv.changes}; ghi chú thay đổi: {pv.comments}",
                   f"New: {pv.new} value(s); changed: {pv.changes}; comments changed: {pv.comments}"))
    for up in pv.unit_periods:
        if up.unchanged and not up.failures:
            continue
        line = f"  {up.unit.name} ({up.unit.official_code}) · {up.period.label(lang)}: " + \
            t(f"mới {len(up.new)}, thay đổi {len(up.changes)}, ghi chú {len(up.comments)}",
              f"new {len(up.new)}, changed {len(up.changes)}, comments {len(up.comments)}")
        if up.status is not None:
            old, new = up.status
            line += " · " + t("trạng thái ", "status ") + \
                f"{STATUS_NAMES[old].get(lang)} → {STATUS_NAMES[new].get(lang)}"
        print(line)
        for code, old, new in up.changes:
            print(f"    {cat.elements[code].name.get(lang)} ({code}): {num(code, old)} → {num(code, new)}")
        for code, old, new in up.comments:
            print(f"    {t('Ghi chú', 'Comment')} {code}: \"{old or ''}\" → \"{new or ''}\"")
        for m in up.failures:
            tag = t("LỖI", "ERROR") if m.severity == "error" else t("CẢNH BÁO", "WARNING")
            print(f"    {tag}: {m.describe(lang)}")
    if pv.unchanged:
        print("  " + t("Không có gì mới so với cơ sở dữ liệu.", "Nothing new compared with the database."))
    for w in pv.warnings:
        print("  " + t("CẢNH BÁO: ", "WARNING: ") + w.get(lang))


def run(args, ctx) -> int:
    t = ctx.t
    mapping = load_mapping(args.mapping)
    with ctx.open_office(args) as office:
        previews = preview(office, args.paths, mapping)
        if not previews:
            raise ParAppError("Không tìm thấy tệp .json, .csv, .xml hay .adx nào để nhập.",
                              "No .json, .csv, .xml or .adx files were found to import.")
        for n, pv in enumerate(previews, 1):
            _print(office, pv, n, len(previews), ctx)
        refused = [pv for pv in previews if not pv.acceptable]
        print()
        print(t(f"{len(previews) - len(refused)} tệp nhập được, {len(refused)} tệp bị từ chối.",
                f"{len(previews) - len(refused)} file(s) can be imported, {len(refused)} refused."))
        if refused:
            for pv in refused:
                print(pv.refused.message(ctx.lang), file=sys.stderr)
            print(t("Không nhập tệp nào: mọi tệp được chọn phải hợp lệ (nhập tất cả hoặc không nhập gì); hãy bỏ các "
                    "tệp bị từ chối ra hoặc sửa chúng rồi chạy lại.",
                    "Nothing was imported: every file selected must be acceptable (all or nothing); leave the "
                    "refused files out, or fix them, and run again."), file=sys.stderr)
            return 1
        if not args.yes or args.dry_run:
            print(t("Chưa nhập gì; chạy lại với --yes để nhập.", "Nothing imported yet; run again with --yes to import."))
            return 0
        changed = apply(office, previews)
        print(t(f"Đã nhập {len(previews)} tệp: {format_number(changed, 0, 'vi')} giá trị thay đổi.",
                f"Imported {len(previews)} file(s): {format_number(changed, 0, 'en')} value(s) changed."))
    return 0
