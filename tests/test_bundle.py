"""The one-folder bundle an office PC gets: built with PyInstaller from packaging/parapp.spec, holding every
resource the code loads, and working from an empty folder with no checkout and no Python (packaging/smoke.py).

Building takes some 30 s; the smoke steps some 30 s more."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

pytestmark = pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                                reason="PyInstaller is not installed (pip install -e .[test])")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    dist, work = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("build")
    r = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                        str(dist), "--workpath", str(work), str(ROOT / "packaging" / "parapp.spec")],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-4000:]
    return dist / "ParApp"


def test_every_resource_and_form_the_code_loads_is_in_the_bundle(bundle):
    import bundle as spec

    inside = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    wanted = [Path(src).relative_to(ROOT) for src, _dest in spec.bundle_datas(ROOT)]
    assert any(p.parts[0] == "ui" for p in wanted) and any(p.suffix == ".qm" for p in wanted)
    assert any(p.name == "reorganisation_2025.csv" for p in wanted) and any(p.suffix == ".ttf" for p in wanted)
    missing = [str(p) for p in wanted if not (inside / p).is_file()]
    assert not missing, missing
    # Every file under resources/ and ui/ is wanted, but the translation sources (compiled to .qm).
    on_disk = {f.relative_to(ROOT) for folder in spec.DATA_FOLDERS for f in (ROOT / folder).rglob("*")
               if f.is_file() and f.suffix != ".ts" and "__pycache__" not in f.parts}
    assert on_disk == set(wanted)


def test_the_bundle_works_from_an_empty_folder_without_python(bundle, tmp_path):
    import smoke

    steps = dict(smoke.smoke(bundle, tmp_path))
    assert set(steps) >= {"--version", "demo", "show", "export-return", "import-returns", "import preview", "report",
                          "window", "portable demo"}


def test_the_bundle_leaves_out_what_parapp_never_loads(bundle):
    names = {p.name for p in bundle.rglob("*")}
    for never in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6WebEngineCore.so.6", "libQt63DCore.so.6",
                  "libQt6Multimedia.so.6", "Qt6Quick.dll", "Qt6WebEngineCore.dll", "Qt63DCore.dll"):
        assert never not in names
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    assert size < 200 * 2**20, f"{size / 2**20:.0f} MB"
