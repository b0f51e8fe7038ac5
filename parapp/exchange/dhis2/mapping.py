"""How ParApp's codes are named in a DHIS2 instance.

Without a mapping file, every identifier is ParApp's own code and DHIS2 imports with idScheme=CODE: a data
element is its catalogue code (e.g. ``received_new``), an organisation unit its ParApp unit code (the official
code, or ParApp's key where an old and a new unit share one), a data set ``PARAPP_<PERIOD TYPE>``, and values
use DHIS2's default category option combination (left out of what ParApp writes).

A mapping file (TOML) names an existing instance's UIDs instead, for some or all of them::

    id_scheme = "UID"                       # what the written files use; "CODE" when only some are mapped
    category_option_combo = "HllvX50cXC0"   # the instance's default combination (optional)
    attribute_option_combo = "HllvX50cXC0"  # (optional)

    [data_elements]
    received_new = "fbfJHSPpUQD"

    [org_units]
    "18073" = "DiszpKrYNg8"

    [data_sets]
    Quarterly = "BfMAe6Itzgt"

Anything not mapped keeps its code. Reading data back (import) maps the other way: a UID or a code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from parapp.i18n import ParAppError, nfc

ID_SCHEMES = ("CODE", "UID")
# DHIS2's UIDs: 11 characters, a letter first, then letters and digits.
_UID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def is_uid(text: str) -> bool:
    return len(text) == 11 and text[0].isalpha() and text.isascii() and set(text) <= _UID_CHARS


class MappingError(ParAppError):
    pass


@dataclass
class Mapping:
    """ParApp code -> DHIS2 identifier, for data elements, organisation units and data sets."""

    id_scheme: str = "CODE"
    data_elements: dict[str, str] = field(default_factory=dict)
    org_units: dict[str, str] = field(default_factory=dict)
    data_sets: dict[str, str] = field(default_factory=dict)
    category_option_combo: str | None = None
    attribute_option_combo: str | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        self._elements_back = {v: k for k, v in self.data_elements.items()}
        self._units_back = {v: k for k, v in self.org_units.items()}

    # -- out ------------------------------------------------------------------------------------

    def element(self, code: str) -> str:
        return self.data_elements.get(code, code)

    def org_unit(self, code: str) -> str:
        return self.org_units.get(code, code)

    def data_set(self, period_type: str) -> str:
        """The data set of ParApp's return for a DHIS2 period type (Quarterly, SixMonthly, Yearly, Monthly)."""
        return self.data_sets.get(period_type, data_set_code(period_type))

    # -- back -----------------------------------------------------------------------------------

    def element_code(self, identifier: str) -> str:
        """The catalogue code a file's data element identifier means (a mapped UID, or the code itself)."""
        return self._elements_back.get(identifier, identifier)

    def org_unit_code(self, identifier: str) -> str:
        return self._units_back.get(identifier, identifier)


def data_set_code(period_type: str) -> str:
    return f"PARAPP_{period_type.upper()}"


def load_mapping(path: Path | str | None) -> Mapping:
    """The mapping in a TOML file; the identity (codes, idScheme=CODE) when path is None."""
    if path is None:
        return Mapping()
    path = Path(path)
    try:
        text = nfc(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(f"Không có tệp ánh xạ {path}.", f"There is no mapping file {path}.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MappingError(f"Không đọc được tệp ánh xạ {path} ({e}).",
                           f"Cannot read the mapping file {path} ({e}).") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"Tệp ánh xạ {path} không phải TOML hợp lệ ({e}).",
                           f"The mapping file {path} is not valid TOML ({e}).") from None

    def table(name: str) -> dict[str, str]:
        t = doc.get(name, {})
        if not isinstance(t, dict) or any(not isinstance(v, str) or not v.strip() for v in t.values()):
            raise MappingError(f'Tệp ánh xạ {path}: bảng [{name}] phải gồm các dòng mã = "định danh DHIS2".',
                               f'The mapping file {path}: the table [{name}] must hold lines code = "DHIS2 id".')
        out = {str(k).strip(): v.strip() for k, v in t.items()}
        seen: dict[str, str] = {}
        for k, v in out.items():
            if v in seen:
                raise MappingError(f"Tệp ánh xạ {path}: [{name}] gán cùng định danh {v} cho {seen[v]} và {k}.",
                                   f"The mapping file {path}: [{name}] gives the same id {v} to {seen[v]} and {k}.")
            seen[v] = k
        return out

    scheme = str(doc.get("id_scheme", "UID" if doc.get("data_elements") or doc.get("org_units") else "CODE")).upper()
    if scheme not in ID_SCHEMES:
        raise MappingError(f'Tệp ánh xạ {path}: id_scheme phải là "CODE" hoặc "UID", không phải "{scheme}".',
                           f'The mapping file {path}: id_scheme must be "CODE" or "UID", not "{scheme}".')
    combos = {}
    for key in ("category_option_combo", "attribute_option_combo"):
        v = doc.get(key)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise MappingError(f"Tệp ánh xạ {path}: {key} phải là một định danh.",
                               f"The mapping file {path}: {key} must be an identifier.")
        combos[key] = v.strip() if isinstance(v, str) else None
    return Mapping(scheme, table("data_elements"), table("org_units"), table("data_sets"), path=path, **combos)
