"""Take the README's screenshots of the window, in Vietnamese and English, on the demo database.

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshots.py [--out docs/screenshots]

Runs the real window on a virtual X screen (Debian: xvfb, libxcb-icccm4, libxcb-keysyms1) and saves:
first-run-LANG.png, entry-LANG.png (a commune whose figures fail a rule), overview-LANG.png (the demo
province's communes and districts for a quarter).
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

    from parapp import settings
    from parapp.domain.periods import Period
    from parapp.engine.demo import make_demo
    from parapp.gui.app import Application, app_icon
    from parapp.gui.first_run import FirstRunDialog
    from parapp.gui.qt import QApplication, Qt
    from parapp.gui.workers import wait_all

    qapp = QApplication(sys.argv[:1])
    qapp.setWindowIcon(app_icon())
    make_demo(settings.demo_db())
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

        controller.open_database(settings.demo_db(), "18733", Period.parse("2024Q3"))
        w = controller.window
        w.resize(1360, 860)
        settle(600)
        w.grab().save(str(args.out / f"entry-{lang}{suffix}.png"))
        w.set_unit("42")
        w.set_period(Period.parse("2025Q3"))
        w.tabs.setCurrentWidget(w.overview)
        settle(500)
        w.overview.select_indicator("online_rate")
        while getattr(w.overview, "is_computing", False):
            settle(100)
        settle(300)
        w.grab().save(str(args.out / f"overview-{lang}{suffix}.png"))
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
