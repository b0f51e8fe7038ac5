"""parapp dhis2 export --unit CODE --period P [--period ...] --format json|csv|adx --out FILE [--only-unit]
[--mapping FILE.toml]: values, comments and completions for DHIS2."""

from __future__ import annotations

from parapp.domain.periods import Period
from parapp.exchange.dhis2 import datavalues
from parapp.exchange.dhis2.mapping import load_mapping

_FORMAT_NAMES = {"json": "dataValueSets JSON", "csv": "dataValueSets CSV", "adx": "ADX XML"}


def run(args, ctx) -> int:
    periods = [Period.parse(p) for p in args.period]
    mapping = load_mapping(args.mapping)
    with ctx.open_office(args) as office:
        unit = office.unit(args.unit)
        s = datavalues.export(office, unit.code, periods, args.format, args.out,
                              include_below=not args.only_unit, mapping=mapping)
    shown = ", ".join(s.periods)
    kind = _FORMAT_NAMES[s.format]
    below_vi = "" if args.only_unit else f" và các đơn vị trực thuộc ({s.units} đơn vị)"
    below_en = "" if args.only_unit else f" and the units below it ({s.units} units)"
    left_vi = left_en = ""
    if s.completions_left_out:
        left_vi = (f" Định dạng CSV không chứa được xác nhận hoàn thành: {s.completions_left_out} kỳ đã duyệt "
                   "không được ghi; hãy dùng json hoặc adx để gửi chúng.")
        left_en = (f" The CSV format has no place for completions: {s.completions_left_out} approved unit-periods "
                   "were left out; use json or adx to send them.")
    print(ctx.t(
        f"Đã ghi {kind} của {unit.name}{below_vi}, kỳ {shown}: {s.values} giá trị, {s.comments} ghi chú, "
        f"{s.completions} xác nhận hoàn thành, vào {s.path}.{left_vi}",
        f"Wrote {kind} of {unit.name}{below_en}, period(s) {shown}: {s.values} values, {s.comments} comments, "
        f"{s.completions} completions, to {s.path}.{left_en}"))
    return 0
