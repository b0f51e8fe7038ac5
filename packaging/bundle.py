"""What the PyInstaller bundle holds, and its build: `python3 run.py build` calls build().

The bundle is one folder, dist/ParApp/, with two executables sharing it: ParApp (the window; on Windows a
windowed program) and parapp-cli (the command line, a console program). Everything under resources/ and ui/
that the code loads goes in (the catalogue, target sets, unit lists and the reorganisation mapping, fonts,
translations, Designer forms, icons); the Qt modules ParApp never loads stay out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Folders of the checkout that the code reads at run time (parapp.resources finds them beside the package).
DATA_FOLDERS = ("resources", "ui")
# Modules ParApp never imports, which the hooks would otherwise pull in through optional imports.
EXCLUDES = [
    "tkinter", "unittest", "pydoc_data", "test", "lib2to3", "IPython", "matplotlib", "numpy", "pandas", "scipy",
    "pytest", "_pytest", "iniconfig", "hypothesis", "pytestqt", "ruff", "pypdf", "shapely", "geopy",
    # httpx's own command line (its optional `httpx` program) and the highlighting and console libraries only it uses
    "httpx._main", "pygments", "rich",

    *(f"PySide6.{m}" for m in (
        "QtQml", "QtQuick", "QtQuick3D", "QtQuickWidgets", "QtQuickControls2", "QtWebEngineCore",
        "QtWebEngineWidgets", "QtWebEngineQuick", "QtWebChannel", "QtWebSockets", "QtWebView", "Qt3DCore",
        "Qt3DRender", "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras", "QtMultimedia",
        "QtMultimediaWidgets", "QtSpatialAudio", "QtBluetooth", "QtNfc", "QtPositioning", "QtLocation",
        "QtSensors", "QtSerialPort", "QtSerialBus", "QtTextToSpeech", "QtRemoteObjects", "QtScxml",
        "QtStateMachine", "QtDesigner", "QtHelp", "QtDataVisualization", "QtGraphs", "QtGraphsWidgets",
        "QtHttpServer", "QtNetworkAuth", "QtSql", "QtTest", "QtConcurrent", "QtDBus", "QtSvgWidgets", "QtXml",
        "QtAxContainer", "QtOpenGL", "QtOpenGLWidgets", "QtCanvasPainter",
    )),
]
# Parts of Qt the hooks collect that a desktop window never loads: other windowing systems than X11 and Windows,
# the virtual keyboard (which drags in QtQuick and QML), GTK themes (which drag in GTK), network plugins,
# image formats the forms do not use. Matched against each file's place in the bundle.
DROP = (
    "plugins/platforminputcontexts/libqtvirtualkeyboardplugin", "plugins/platformthemes/libqgtk3",
    "plugins/wayland-", "plugins/platforms/libqwayland", "plugins/platforms/libqeglfs",
    "plugins/platforms/libqminimalegl", "plugins/platforms/libqvnc", "plugins/platforms/libqlinuxfb",
    "plugins/platforms/libqvkkhrdisplay", "plugins/egldeviceintegrations/", "plugins/networkinformation/",
    "plugins/tls/", "plugins/generic/", "plugins/xcbglintegrations/libqxcb-egl",
    "plugins/imageformats/libqtiff", "plugins/imageformats/libqwebp", "plugins/imageformats/libqicns",
    "plugins/imageformats/libqtga", "plugins/imageformats/libqwbmp", "plugins/imageformats/libqpdf",
    "lib/libQt6VirtualKeyboard", "lib/libQt6Quick", "lib/libQt6Qml", "lib/libQt6WaylandClient",
    "lib/libQt6WlShell", "lib/libQt6EglFS",
    "qtvirtualkeyboardplugin.dll", "qtuiotouchplugin.dll", "qtiff.dll", "qwebp.dll", "qicns.dll", "qtga.dll",
    "qwbmp.dll", "qpdf.dll", "Qt6Quick", "Qt6Qml", "Qt6VirtualKeyboard", "opengl32sw.dll",
    "PySide6/Qt/translations/",  # Qt ships no Vietnamese; ParApp brings its own
    # Pillow's optional plugins and their libraries: reportlab needs Pillow's core, never AVIF, WebP, colour
    # management, its own font drawing or Tk
    "PIL/_avif", "PIL/_webp", "PIL/_imagingcms", "PIL/_imagingft", "PIL/_imagingtk", "pillow.libs/libavif",
    "pillow.libs/libwebp", "pillow.libs/libsharpyuv", "pillow.libs/liblcms2", "pillow.libs/libfreetype",
    "pillow.libs/libharfbuzz", "pillow.libs/libbrotli", "pillow.libs/libpng16",
)
# System libraries that only the dropped GTK theme plugin needed (collected with it before it was dropped).
_GTK = re.compile(r"(?:^|/)lib(?:gtk|gdk|pango|cairo|atk|atspi|pixman|fribidi|thai|datrie|epoxy|graphite2|harfbuzz|"
                  r"Xcomposite|Xcursor|Xdamage|Xinerama|Xrandr|Xi\.|wayland-|gdk_pixbuf)[^/]*$")


def keep(entry: tuple) -> bool:
    """Does a (destination, source, kind) entry of the analysis belong in the bundle?"""
    dest = entry[0].replace("\\", "/")
    return not any(d in dest for d in DROP) and not ("/" not in dest and _GTK.search(dest))


# Imported inside functions or by name (multiprocessing workers), which the analysis may not see.
HIDDEN = ["parapp.exchange.returns.reading", "parapp.gui.app", "python_calamine", "cryptography.hazmat.bindings._rust",
          # the Qt modules parapp.gui.qt imports when first asked for, and the tabs built when first shown
          "PySide6.QtCharts", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "PySide6.QtUiTools",
          "parapp.gui.entry", "parapp.gui.overview", "parapp.gui.catalogue_tab", "parapp.gui.history_tab",
          # parapp dhis2 <command> imports its module by name
          "parapp.exchange.dhis2.cmd_metadata", "parapp.exchange.dhis2.cmd_export", "parapp.exchange.dhis2.cmd_import",
          "parapp.exchange.dhis2.cmd_push"]


def bundle_datas(root: Path = ROOT) -> list[tuple[str, str]]:
    """(source, destination folder) of every data file, for the spec."""
    out = []
    for folder in DATA_FOLDERS:
        for f in sorted((root / folder).rglob("*")):
            if f.is_file() and not f.name.endswith((".ts", "~")) and "__pycache__" not in f.parts:
                out.append((str(f), str(f.parent.relative_to(root))))
    return out


def build(python: Path, clean: bool = True) -> Path:
    """Build dist/ParApp with python's PyInstaller; returns the folder. Prints its size."""
    dist, work = ROOT / "dist", ROOT / "build"
    if clean:
        shutil.rmtree(dist / "ParApp", ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([str(python), "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist), "--workpath",
                    str(work), str(ROOT / "packaging" / "parapp.spec")], cwd=ROOT, check=True)
    folder = dist / "ParApp"
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"Bundle: {folder} ({size / 2**20:.0f} MB unpacked) in {time.perf_counter() - t:.0f} s")
    return folder


if __name__ == "__main__":
    build(Path(sys.executable))
