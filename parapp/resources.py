"""The one way to find files under resources/ and ui/, from a checkout or an installed copy."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _root() -> Path:
    # A checkout keeps resources/ and ui/ beside the package; an installed copy ships them inside it.
    for base in (_PKG.parent, _PKG):
        if (base / "resources").is_dir():
            return base
    raise FileNotFoundError("ParApp's resources folder is missing")


def resource_path(*parts: str) -> Path:
    """Path of a file under resources/, e.g. resource_path("catalogue", "catalogue.toml")."""
    return _root().joinpath("resources", *parts)


def ui_path(name: str) -> Path:
    """Path of a Qt Designer form under ui/."""
    return _root().joinpath("ui", name)
