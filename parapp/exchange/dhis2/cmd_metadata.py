"""parapp dhis2 metadata --out FILE.json [--unit CODE] [--mapping FILE.toml]: the DHIS2 metadata package."""

from __future__ import annotations

from parapp.exchange.dhis2 import metadata
from parapp.exchange.dhis2.mapping import load_mapping


def run(args, ctx) -> int:
    mapping = load_mapping(args.mapping)
    with ctx.open_office(args) as office:
        package = metadata.write(office, args.out, getattr(args, "unit", None), mapping)
    n = package.counts()
    print(ctx.t(
        f"Đã ghi gói siêu dữ liệu DHIS2 vào {args.out}: {n['dataElements']} chỉ tiêu nhập liệu, "
        f"{n['indicators']} chỉ số, {n['validationRules']} quy tắc kiểm tra, {n['dataSets']} bộ dữ liệu, "
        f"{n['organisationUnits']} đơn vị ở {n['organisationUnitLevels']} cấp.",
        f"Wrote the DHIS2 metadata package to {args.out}: {n['dataElements']} data elements, "
        f"{n['indicators']} indicators, {n['validationRules']} validation rules, {n['dataSets']} data sets, "
        f"{n['organisationUnits']} organisation units on {n['organisationUnitLevels']} levels."))
    for rule in package.skipped_rules:
        print(ctx.t(
            f"  Không đưa quy tắc {rule.code} vào gói: quy tắc so với kỳ trước, còn quy tắc kiểm tra của DHIS2 "
            "chỉ so các giá trị trong cùng một kỳ.",
            f"  Rule {rule.code} is not in the package: it compares with the previous period, and DHIS2's "
            "validation rules compare values of one period only."))
    return 0
