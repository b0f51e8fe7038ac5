"""Take the README's screenshots of the window, in Vietnamese and English, on the demo databases.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python packaging/screenshots.py [--out docs/screenshots]

Runs the real window on a virtual X screen of the most common office laptop (Debian: xvfb,
libxcb-icccm4, libxcb-keysyms1) and saves: first-run-LANG.png; today-LANG.png (the first screen of
today's demo, the new Cần Thơ on its reporting period); overview-LANG.png (its communes for the year 2025,
the former Sóc Trăng's judged by Sóc Trăng's resolution); entry-LANG.png (a commune whose figures fail a
rule); pdf-preview-LANG.png (its compliance sheet, previewed and saved); history-LANG.png (a value changed with another tool, as the check at start finds it); import-LANG.png
(the import preview of a signed return, one edited after export and a template filled in Excel);
reorganise-LANG.png and shares-LANG.png (the assistant carrying the three-tier Hà Tĩnh demo into
the two-tier structure, then the divided communes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--scale", default="1", help="QT_SCALE_FACTOR, e.g. 1.5 to check 150%% scaling")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ["QT_SCALE_FACTOR"] = args.scale
    home = Path(tempfile.mkdtemp(prefix="parapp-shots-"))
    os.environ["PARAPP_HOME"] = str(home)
    args.out.mkdir(parents=True, exist_ok=True)

    import shutil

    from parapp import settings
    from parapp.domain.periods import Period, reporting_period
    from parapp.engine.demo import make_demo
    from parapp.engine.demo_today import make_today_demo
    from parapp.gui.app import Application, app_icon
    from parapp.gui.exchange import ImportPreviewDialog
    from parapp.gui.first_run import FirstRunDialog
    from parapp.gui.qt import QApplication, Qt
    from parapp.gui.reorganise_dialog import ReorganiseDialog
    from parapp.gui.workers import wait_all

    qapp = QApplication(sys.argv[:1])
    qapp.setWindowIcon(app_icon())
    make_today_demo(settings.demo_db())
    make_demo(settings.demo_db("three-tier"))
    controller = Application(qapp)

    def settle(ms: int = 300) -> None:
        for _ in range(max(1, ms // 20)):
            qapp.processEvents()
            wait_all(20)

    suffix = "" if args.scale == "1" else f"-{args.scale.replace('.', '')}x"
    for lang in ("vi", "en"):
        controller.set_language(lang)
        dlg = FirstRunDialog()
        dlg.resize(760, 640)
        dlg.show()
        dlg.province_search.setText("ha tinh")
        settle()
        dlg.province_list.setCurrentItem(dlg.province_list.findItems("Tỉnh Hà Tĩnh", Qt.MatchFlag.MatchExactly)[0])
        dlg.level_radios["district"].setChecked(True)
        settle()
        dlg.unit_combo.setCurrentIndex(max(0, dlg.unit_combo.findText("Huyện Đức Thọ")))
        dlg.officer_edit.setText("Nguyễn Thị Lan")
        settle()
        dlg.grab().save(str(args.out / f"first-run-{lang}{suffix}.png"))
        dlg.close()

        controller.open_database(settings.demo_db())
        w = controller.window
        w.resize(1366, 728)
        settle(600)
        w.grab().save(str(args.out / f"today-{lang}{suffix}.png"))
        w.set_period(Period.for_year(2025))
        w.tabs.setCurrentWidget(w.overview)
        settle(500)
        w.overview.select_indicator("digitised_results_rate")
        while getattr(w.overview, "is_computing", False):
            settle(100)
        soc_trang = next(i for i, r in enumerate(w.overview.model.overview().rows)
                         if controller.office.origin_provinces(r.unit) == {"94"})
        w.overview.view.scrollTo(w.overview.model.index(soc_trang + 8, 0))
        settle(300)
        w.grab().save(str(args.out / f"overview-{lang}{suffix}.png"))
        failing = next(iter(__import__("json").loads(controller.office.store.meta("demo"))["failing"]))
        w.set_period(reporting_period())
        w.set_unit(failing)
        w.tabs.setCurrentWidget(w.entry)
        settle(500)
        w.grab().save(str(args.out / f"entry-{lang}{suffix}.png"))
        # The compliance sheet's preview (Ctrl+P), saved at once by Save: its pages drawn before the grab.
        w.reports.open("sheet")
        while w.reports.preview is None or not w.reports.preview.isVisible():
            settle(100)
        preview = w.reports.preview
        preview.showNormal()
        preview.resize(1000, 700)
        preview.save_here()
        settle(2000)  # the PDF view draws its pages on threads of its own
        preview.grab().save(str(args.out / f"pdf-preview-{lang}{suffix}.png"))
        preview.reject()

        # A value changed with another tool: the check at start says so, the grid marks it.
        tampered = Path(home) / f"tampered-{lang}.db"
        controller.open_database(tampered_copy(settings.demo_db(), tampered, failing, str(reporting_period())))
        w = controller.window
        w.resize(1366, 728)
        w.set_unit(failing)
        w.tabs.setCurrentWidget(w.entry)
        settle(1500)
        w.grab().save(str(args.out / f"history-{lang}{suffix}.png"))
        # The import preview: a signed return, the same edited after export, a template filled in Excel.
        controller.open_database(settings.demo_db())
        w = controller.window
        w.resize(1366, 728)
        settle(300)
        previews = signed_previews(controller.office, Path(home) / f"returns-{lang}")
        dlg = ImportPreviewDialog(controller.office, previews, w)
        dlg.show()
        dlg.view.selectRow(1)
        settle(300)
        dlg.grab().save(str(args.out / f"import-{lang}{suffix}.png"))
        dlg.reject()

        three = Path(home) / f"three-tier-{lang}.db"
        shutil.copy(settings.demo_db("three-tier"), three)
        controller.open_database(three)
        w = controller.window
        w.resize(1366, 728)
        settle(300)
        dlg = ReorganiseDialog(controller.office, w)
        dlg.show()
        settle(300)
        dlg.grab().save(str(args.out / f"reorganise-{lang}{suffix}.png"))
        dlg.run()
        while dlg.pages.currentIndex() != 1:
            settle(100)
        first = dlg._rows[0][0]
        for r, (pred, _succ) in enumerate(dlg._rows):
            if pred == first:
                dlg.table.item(r, 3).setText("60" if r == 0 else "40")
        dlg.save_shares()
        settle(300)
        dlg.grab().save(str(args.out / f"shares-{lang}{suffix}.png"))
        dlg.accept()
    print(f"screenshots in {args.out}")


def tampered_copy(demo: Path, out: Path, unit: str, period: str) -> Path:
    """The demo database with one value changed in the table alone, as the sqlite3 shell would."""
    import shutil
    import sqlite3

    shutil.copy(demo, out)
    conn = sqlite3.connect(out)
    conn.execute("UPDATE data_values SET value = value + 50 WHERE unit = ? AND period = ? AND element = 'received_new'",
                 (unit, period))
    conn.commit()
    conn.close()
    return out


def signed_previews(office, folder: Path) -> list:
    """Three files for the province to import: a commune office's signed return, another commune office's
    return edited in Excel after export, and a blank template filled in Excel."""
    import openpyxl

    from parapp.domain.periods import reporting_period
    from parapp.engine.office import Office
    from parapp.exchange.returns import META_SHEET, SHEET, export_return, preview
    from parapp.store import units as unit_store
    from parapp.store import values as value_store

    folder.mkdir(parents=True, exist_ok=True)
    period = str(reporting_period())

    def open_(u) -> bool:
        st = value_store.get_status(office.store, u.code, period)
        return st is None or st.status != "approved"

    communes = [u for u in unit_store.subtree(office.store, office.office_code, period=reporting_period())
                if u.level == "commune" and open_(u)][:3]
    returns = []
    for i, (u, n) in enumerate(zip(communes[:2], (480, 450), strict=True)):
        commune = Office.create(folder / f"commune-{i}.db", office.province_code, office=u.official_code, tiers=2,
                                officer="Lê Thị Hằng")
        commune.enter(u.official_code, period, {"carried_over": "12", "received_new": str(n), "received_online": "300",
                                                "resolved_on_time": str(n - 10), "pending_in_time": "22"})
        returns.append(export_return(commune, u.official_code, period, folder))
        commune.close()

    def cells(path: Path) -> dict:
        wb = openpyxl.load_workbook(path)
        return {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows() if r[0].value and r[1].value}, wb

    where, wb = cells(returns[1])
    wb[SHEET][where["received_new"]] = 520
    edited = folder / ("sua-" + returns[1].name)
    wb.save(edited)
    blank = export_return(office, communes[2].code, period, folder, blank=True)
    where, wb = cells(blank)
    for code, v in {"carried_over": 5, "received_new": 210, "resolved_on_time": 200, "pending_in_time": 15}.items():
        wb[SHEET][where[code]] = v
    filled = folder / ("dien-" + blank.name)
    wb.save(filled)
    return preview(office, [returns[0], edited, filled])


if __name__ == "__main__":
    main()
