"""Refresh the window's translations with Qt's own tools.

    python packaging/translations.py          # update resources/translations/parapp_vi.ts from the code, then compile
    python packaging/translations.py --check  # exit 1 if the .ts lacks a translation or the .qm is stale

lupdate collects every tr() text of parapp/gui and every text of the ui/ forms into the .ts (keeping the
translations already there); translators fill it in with Qt Linguist; lrelease compiles the .qm that
ParApp loads. Qt ships no Vietnamese for its own dialogs, so the standard buttons and dialog texts are
collected from parapp/gui/qt_texts.py into the same file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "parapp_vi.ts"
QM = TS.with_suffix(".qm")


def _tool(name: str) -> str:
    exe = shutil.which(f"pyside6-{name}") or str(Path(sys.executable).parent / f"pyside6-{name}")
    if not Path(exe).exists() and not shutil.which(exe):
        raise SystemExit(f"pyside6-{name} is missing: install pyside6-essentials")
    return exe


def sources() -> list[str]:
    files = sorted((ROOT / "parapp" / "gui").glob("*.py")) + sorted((ROOT / "ui").glob("*.ui"))
    return [str(f.relative_to(ROOT)) for f in files]


def update() -> None:
    subprocess.run([_tool("lupdate"), "-no-obsolete", "-locations", "none", "-target-language", "vi_VN",
                    *sources(), "-ts", str(TS.relative_to(ROOT))], cwd=ROOT, check=True)
    compile_qm(QM)


def compile_qm(out: Path) -> None:
    subprocess.run([_tool("lrelease"), "-silent", str(TS), "-qm", str(out)], cwd=ROOT, check=True)


def untranslated() -> list[tuple[str, str]]:
    root = ET.parse(TS).getroot()
    out = []
    for ctx in root.iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not (tr.text or "").strip():
                if tr is not None and tr.get("type") in ("vanished", "obsolete"):
                    continue
                out.append((name, msg.findtext("source")))
    return out


def check() -> int:
    problems = untranslated()
    for ctx, src in problems:
        print(f"untranslated: [{ctx}] {src}")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.qm"
        compile_qm(fresh)
        stale = not QM.exists() or fresh.read_bytes() != QM.read_bytes()
    if stale:
        print(f"{QM.relative_to(ROOT)} is stale: run python packaging/translations.py")
    return 1 if problems or stale else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.check:
        raise SystemExit(check())
    update()
