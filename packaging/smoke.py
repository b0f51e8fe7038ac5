"""Try a built bundle as an office PC would: copied into an empty folder, started with no checkout, no virtual
environment and no Python on the path.

    python3 packaging/smoke.py [dist/ParApp]

Runs, with the bundle's own command-line program: --version, demo, show, export-return (a commune office's
return, from a database made with init), import-returns --yes (into the demo's province), the preview of
every return of the demo's wards at once (read on the worker processes), report (a PDF), opens the
window offscreen for a few seconds, and makes the demo in portable mode (beside the program). Each step must exit 0 and leave no crash report; the
return and the PDF must be real files. Prints each step and its time; exits 1 at the first that fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _env(home: Path) -> dict[str, str]:
    """What an office PC has: the system's folders on the path, nothing of a checkout or a Python."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONDA", "PARAPP", "QT_"))}
    env["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                                  if p and ".venv" not in p and "python" not in p.lower())
    env["PARAPP_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def smoke(bundle: Path, work: Path | None = None) -> list[tuple[str, float]]:
    """Run every step; returns (step, seconds). Raises AssertionError naming the step that failed."""
    work = Path(tempfile.mkdtemp(prefix="parapp-smoke-")) if work is None else work
    app = work / "ParApp"
    shutil.copytree(bundle, app, symlinks=True)
    home = work / "home"
    env = _env(home)
    exe = ".exe" if os.name == "nt" else ""
    cli, window = app / f"parapp-cli{exe}", app / f"ParApp{exe}"
    steps: list[tuple[str, float]] = []

    def run(name: str, *args, program: Path = cli, extra: dict | None = None) -> str:
        t = time.perf_counter()
        r = subprocess.run([str(program), *map(str, args)], cwd=work, env={**env, **(extra or {})},
                           capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300)
        steps.append((name, time.perf_counter() - t))
        reports = list((home / "crash-reports").glob("*")) if (home / "crash-reports").is_dir() else []
        reports = [p for p in reports if p.stat().st_size > 0]
        assert r.returncode == 0 and not reports, (
            f"{name}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}\n{[p.read_text()[:2000] for p in reports]}")
        return r.stdout

    out = run("--version", "--version")
    assert "ParApp" in out, out
    run("demo", "demo")
    demo = home / "demo-can-tho.db"
    assert demo.is_file(), list(home.iterdir())
    out = run("show", "show", "--db", demo, "--unit", "92", "--period", "2025")
    assert "Thành phố Cần Thơ" in out, out
    # A ward of Cần Thơ whose figures for the reporting period are not approved yet sends its return.
    from parapp.domain.periods import reporting_period

    period = str(reporting_period())
    for code in ("31120", "31135", "31153", "31117", "31123"):
        shown = json.loads(run("show --json", "show", "--db", demo, "--unit", code, "--period", period, "--json"))
        if shown["status"] != "approved":
            break
    commune = work / "commune.db"
    run("init", "init", "--db", commune, "--province", "92", "--office", code, "--tiers", "2",
        "--officer", "Lê Thị Hằng")
    run("enter", "enter", "--db", commune, "--unit", code, "--period", period, "carried_over=12",
        "received_new=480", "received_online=300", "resolved_on_time=470", "pending_in_time=22")
    ret = work / "return.xlsx"
    run("export-return", "export-return", "--db", commune, "--unit", code, "--period", period, "--out", ret)
    assert ret.stat().st_size > 5000
    out = run("import-returns", "import-returns", "--db", demo, ret, "--yes")
    assert f"Ký bởi {shown['unit_name']}" in out, out
    # Many returns at once are read on the reader worker processes, which the bundle starts from itself.
    many = work / "many"
    run("export --with-below", "export-return", "--db", demo, "--unit", "92", "--period", period, "--out", many,
        "--with-below")
    for f in many.glob(f"{period}_92_*"):
        f.unlink()  # the province's own return: not a unit below the office that imports
    files = len(list(many.glob("*.xlsx")))
    assert files >= 12, files
    province = work / "province.db"
    run("init province", "init", "--db", province, "--province", "92", "--tiers", "2")
    out = run("import preview", "import-returns", "--db", province, many, "--lang", "en")
    assert f"{files} file(s) can be imported, 0 refused" in out, out[-3000:]
    pdf = work / "summary.pdf"
    run("report", "report", "--db", demo, "--unit", "92", "--period", "2025", "--kind", "summary", "--out", pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    run("window", "--db", demo, program=window, extra={"PARAPP_QUIT_AFTER_MS": "4000"})
    # Portable mode: a file named portable beside the program keeps the data beside it.
    (app / "portable").write_text("")
    portable_env = {k: v for k, v in env.items() if k != "PARAPP_HOME"}
    t = time.perf_counter()
    r = subprocess.run([str(cli), "demo"], cwd=work, env=portable_env, capture_output=True, text=True, timeout=300)
    steps.append(("portable demo", time.perf_counter() - t))
    assert r.returncode == 0 and (app / "data" / "demo-can-tho.db").is_file(), f"portable: {r.stderr[-2000:]}"
    return steps


def main(argv: list[str]) -> int:
    bundle = Path(argv[0]) if argv else ROOT / "dist" / "ParApp"
    try:
        steps = smoke(bundle)
    except AssertionError as e:
        print(f"Smoke test of {bundle} failed: {e}", file=sys.stderr)
        return 1
    for name, seconds in steps:
        print(f"  {name:<16} {seconds:6.2f} s")
    print(f"Smoke test of {bundle}: every step passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
