"""The summary PDF's heading names the place as the Excel return does, without loading the return's module."""

import subprocess
import sys

from parapp.exchange import reports
from parapp.exchange.returns import form
from parapp.store.units import Unit


def _unit(name: str, kind: str) -> Unit:
    return Unit(code="18073", name=name, level="commune", parent="42", kind=kind)


def test_place_matches_the_return():
    for name, kind in [("Xã Thạch Kênh", "Xã"), ("Phường Nam Hà", "Phường"), ("Thạch Kênh", "Xã"),
                       ("XÃ THẠCH KÊNH", "Xã"), ("Xã", "Xã"), ("Tỉnh Hà Tĩnh", "")]:
        u = _unit(name, kind)
        assert reports._place(u) == form._place(u)
    assert reports._place(_unit("Xã Thạch Kênh", "Xã")) == "Thạch Kênh"


def test_reports_do_not_load_the_excel_return():
    code = ("import sys; import parapp.exchange.reports; "
            "print('parapp.exchange.returns.form' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
