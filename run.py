#!/usr/bin/env python3
"""Set up and run ParApp from a checkout, on any machine with Python 3.11 or newer.

    python3 run.py          open ParApp on the demo database (made on first use)
    python3 run.py test     run the tests and the linter
    python3 run.py build    build the one-folder bundle in dist/ParApp (PyInstaller) and try it

The first run makes a virtual environment in .venv and installs what ParApp needs; later runs reuse it
and reinstall only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an older Python
        sys.exit(f"ParApp needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".parapp-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        print("Installing ParApp and its dependencies …", flush=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
        stamp.write_text(want)


def main(argv: list[str]) -> int:
    ensure_env()
    env = dict(os.environ)
    if argv[:1] == ["build"]:
        built = subprocess.run([str(PY), str(ROOT / "packaging" / "bundle.py")], cwd=ROOT, env=env)
        if built.returncode:
            return built.returncode
        return subprocess.run([str(PY), str(ROOT / "packaging" / "smoke.py"), str(ROOT / "dist" / "ParApp")],
                              cwd=ROOT, env=env).returncode
    if argv[:1] == ["test"]:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        paths = [p for p in ("parapp", "tests", "bench", "run.py", "packaging") if (ROOT / p).exists()]
        lint = subprocess.run([str(PY), "-m", "ruff", "check", *paths], cwd=ROOT)
        tests = subprocess.run([str(PY), "-m", "pytest", *argv[1:]], cwd=ROOT, env=env)
        return tests.returncode or lint.returncode
    parapp = [str(PY), "-m", "parapp"]
    subprocess.run(parapp + ["demo"], cwd=ROOT, env=env, check=True)
    try:
        import importlib.util

        has_window = importlib.util.find_spec("parapp.gui.app") is not None
    except ImportError:
        has_window = False
    if has_window:
        return subprocess.run(parapp + ["gui", "--db", str(demo_db(env))], cwd=ROOT, env=env).returncode
    return subprocess.run(parapp + ["show", "--db", str(demo_db(env)), "--unit", "42", "--period", "2025Q3"],
                          cwd=ROOT, env=env).returncode


def demo_db(env: dict[str, str]) -> Path:
    out = subprocess.run([str(PY), "-c", "from parapp import settings; print(settings.demo_db())"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
