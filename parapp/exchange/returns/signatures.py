"""Who signed a return, and whether to believe it: the verdict the import shows for each file.

A return carries the Ed25519 signature of its values and metadata, made with the key of the office that
exported it (the unit itself, or an office above it that sends its units' returns on). The office that
imports it knows the signing offices' keys from their first signed return (trust on first use, shown as
such) and from then on tells:

* ``signed``: signed by that office with the key known for it;
* ``first_use``: signed, and the first key seen for that office (learned when the import is applied);
* ``edited``: signed, but what the file holds now is not what was signed (values, comments or hidden
  metadata, such as the unit code, changed after export);
* ``other_key``: signed with another key than the one known for that office (ParApp reinstalled, or
  another office's key);
* ``other_office``: signed by an office that is neither the unit nor one above it;
* ``unsigned``: a return without a signature (from an older ParApp, or with its signature taken out);
* ``template``: a blank template filled in Excel: its figures carry no signature.

The first two are sound; every other one needs the officer's explicit choice, with a reason, which the audit
log keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from parapp.exchange.returns.reading import ReturnFile
from parapp.i18n import ParAppError, Text
from parapp.store import keys
from parapp.store import units as unit_store
from parapp.store.units import Unit

SOUND = frozenset({"signed", "first_use"})
# The choice (command-line flag) that accepts each verdict that is not sound.
CHOICE = {"edited": "edited", "unsigned": "unsigned", "template": "unsigned", "other_key": "other_key",
          "other_office": "other_key"}


@dataclass(frozen=True)
class Seal:
    kind: str
    text: Text
    signer: Unit | None = None
    public_key: str = ""
    learn: str | None = None  # how the signer's key is learned when the import is applied: first_use | template

    @property
    def sound(self) -> bool:
        return self.kind in SOUND

    @property
    def choice(self) -> str | None:
        return CHOICE.get(self.kind)

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.public_key) if self.public_key else ""


def _signer(office, rf: ReturnFile, unit: Unit, memo: dict) -> Unit | None:
    """The office that signed, if it is the unit or one above it in this database.

    memo: a dict kept for the files of one preview (the same signing office, the units below it), read once."""
    if not rf.office:
        return None
    key = ("signer", rf.office, rf.period)
    if key not in memo:
        try:
            memo[key] = office.unit(unit_store.resolve(office.store, rf.office, rf.period))
        except ParAppError:
            memo[key] = None
    signer = memo[key]
    if signer is None:
        return None
    below = memo.get(("below", signer.code))
    if below is None:  # the signer itself and every unit under it
        below = memo["below", signer.code] = frozenset(
            r[0] for r in office.store.conn.execute("SELECT unit FROM unit_tree WHERE ancestor = ?", (signer.code,)))
    return signer if unit.code in below else None


def _known(office, code: str, known: dict[str, keys.KnownKey] | None, memo: dict) -> keys.KnownKey | None:
    """The key this office knows for the signing office code: its own, one learned, or none."""
    if code in (known or {}):
        return known[code]
    if "own" not in memo:  # this office's code and key, read once
        memo["own"] = (office.office_code, keys.office_public_key(office.store) or "")
    own_code, own = memo["own"]
    if code == own_code:  # a return this office signed itself
        return keys.KnownKey(code, own, "", None, "accepted", None) if own else None
    return keys.known_key(office.store, code)


def judge(office, rf: ReturnFile, unit: Unit, known: dict[str, keys.KnownKey] | None = None,
          memo: dict | None = None) -> Seal:
    """The verdict on one file's signature, against the keys this office knows. memo: see _signer."""
    memo = {} if memo is None else memo
    if rf.kind == "template":
        learn, signer = None, None
        if rf.signed and rf.signature_ok:
            signer = _signer(office, rf, unit, memo)
            if signer is not None and signer.code == unit.code and _known(office, signer.code, known, memo) is None:
                learn = "template"  # the unit's own blank, from its own ParApp: its key, first seen
        return Seal("template", Text(
            "Mẫu điền bằng Excel: số liệu không có chữ ký số, không kiểm chứng được ai đã điền.",
            "A template filled in Excel: its figures carry no signature, so who filled them in cannot be "
            "checked."), signer, rf.public_key if learn else "", learn)
    if not rf.signed:
        return Seal("unsigned", Text(
            "Báo cáo không có chữ ký số (xuất từ ParApp phiên bản cũ, hoặc chữ ký đã bị gỡ khỏi tệp).",
            "The return carries no signature (exported by an older ParApp, or its signature was taken out of "
            "the file)."))
    if not rf.signature_ok:
        return Seal("edited", Text(
            "Tệp đã bị sửa sau khi xuất: chữ ký số không khớp với nội dung (số liệu, ghi chú hoặc mã đơn vị, kỳ "
            "báo cáo đã bị thay đổi).",
            "The file was edited after export: its signature does not match what it holds (figures, comments, or "
            "the unit code or period were changed)."), None, rf.public_key)
    signer = _signer(office, rf, unit, memo)
    fp = keys.fingerprint(rf.public_key)
    if signer is None:
        return Seal("other_office", Text(
            f"Được ký bởi văn phòng mã {rf.office or '?'}, không phải {unit.name} hay cấp trên của đơn vị này "
            f"(dấu khoá {fp}).",
            f"Signed by the office with code {rf.office or '?'}, which is neither {unit.name} nor an office above "
            f"it (key {fp})."), None, rf.public_key)
    have = _known(office, signer.code, known, memo)
    if have is None:
        return Seal("first_use", Text(
            f"Ký bởi {signer.name}; lần đầu nhận khoá của đơn vị này (dấu khoá {fp}): tin tưởng lần đầu, khoá sẽ "
            "được ghi nhớ để đối chiếu các báo cáo sau.",
            f"Signed by {signer.name}; the first key seen for it (key {fp}): trusted on first use and remembered "
            "to check its later returns against."), signer, rf.public_key, "first_use")
    if have.public_key == rf.public_key:
        return Seal("signed", Text(f"Ký bởi {signer.name} (dấu khoá {fp}).", f"Signed by {signer.name} (key {fp})."),
                    signer, rf.public_key)
    return Seal("other_key", Text(
        f"Ký bằng một khoá khác với khoá đã biết của {signer.name} (đã biết: {have.fingerprint}, trong tệp: {fp}); "
        "có thể ParApp ở đó đã được cài lại, hoặc tệp do nơi khác ký.",
        f"Signed with another key than the one known for {signer.name} (known: {have.fingerprint}, in the file: "
        f"{fp}); ParApp may have been reinstalled there, or someone else signed the file."), signer, rf.public_key)


def settle(seals: list[tuple[object, Seal]]) -> list[Seal]:
    """Within one import, two first keys for the same office cannot both be trusted: both become other_key."""
    firsts: dict[str, set[str]] = {}
    for _pv, s in seals:
        if s.learn and s.signer is not None:
            firsts.setdefault(s.signer.code, set()).add(s.public_key)
    out = []
    for _pv, s in seals:
        if s.learn and s.signer is not None and len(firsts[s.signer.code]) > 1:
            if s.kind == "template":
                s = Seal("template", s.text)
            else:
                s = Seal("other_key", Text(
                    f"Trong lần nhập này có các tệp ký bằng những khoá khác nhau của {s.signer.name}; không biết "
                    "khoá nào là thật.",
                    f"Files in this import are signed with different keys of {s.signer.name}; which one is real "
                    "cannot be told."), s.signer, s.public_key)
        out.append(s)
    return out
