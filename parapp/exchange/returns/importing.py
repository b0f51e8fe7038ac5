"""The import of returns and filled-in templates: a preview of what each file would do, compared with the
database, then its writing, all files or none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from parapp.domain.periods import Period
from parapp.engine.validation import Message, validate
from parapp.exchange import files, readers
from parapp.exchange.returns.common import Progress, ReturnError, _refuse
from parapp.exchange.returns.form import META_SHEET, SHEET
from parapp.exchange.returns.reading import ReturnFile, read_return
from parapp.exchange.returns.signatures import Seal, judge, settle
from parapp.i18n import ParAppError, Text, clean, nfc
from parapp.store import keys
from parapp.store import units as unit_store
from parapp.store import values as value_store
from parapp.store.db import now
from parapp.store.units import Unit


@dataclass
class FilePreview:
    """What importing one file would do; refused is set when it cannot be imported."""

    path: Path
    unit: Unit | None = None
    period: Period | None = None
    kind: str = "return"
    new: list[tuple[str, float]] = field(default_factory=list)  # (element, value)
    changes: list[tuple[str, float | None, float | None]] = field(default_factory=list)  # (element, old, new)
    comments: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (element, old, new)
    failures: list[Message] = field(default_factory=list)  # validation of the figures as they would be
    checksum_ok: bool = True
    refused: ParAppError | None = None
    warnings: list[Text] = field(default_factory=list)
    status: tuple[str | None, str] | None = None  # (now, after the import) when the workflow status changes
    file: ReturnFile | None = None
    seal: Seal | None = None  # who signed it, and whether that is believed (signatures.judge)

    @property
    def acceptable(self) -> bool:
        return self.refused is None

    @property
    def sound(self) -> bool:
        """Signed by the unit or an office above it, with the key known for it (or its first): applies without
        a choice. Anything else (edited, unsigned, another key, a filled-in template) needs one, with a reason."""
        return self.seal is not None and self.seal.sound

    @property
    def unchanged(self) -> bool:
        return not (self.new or self.changes or self.comments)


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and the .xlsx files of folders (Excel's own ~$ lock files left out); each once."""
    return files.expand(paths, (".xlsx",))


def _crashed(path: Path) -> ReturnError:
    return _refuse(path, "làm trình đọc bảng tính dừng đột ngột: tệp bị hỏng hoặc có nội dung bất thường; không nhập.",
                   "made the spreadsheet reader stop: the workbook is damaged or unusual; not imported.")


def preview(office, paths: Iterable[Path | str], progress: Progress | None = None) -> list[FilePreview]:
    """What importing each file (folders: their .xlsx files) would do. Reads only: nothing is written."""
    files = expand(paths)
    out: list[FilePreview] = []
    here = _Here(office)
    reading = readers.read_many(files, office.catalogue, read_return, _crashed)
    try:
        for i, (path, result) in enumerate(reading):
            if progress is not None and progress(i, len(files)) is False:
                break
            pv = FilePreview(path)
            try:
                pv.file = result()
                _compare(office, pv, here)
            except ParAppError as e:
                pv.refused = e
            out.append(pv)
    finally:
        reading.close()
    # two files for one unit-period: the officer must choose
    by_key: dict[tuple[str, str], list[FilePreview]] = {}
    for pv in out:
        if pv.acceptable and pv.unit and pv.period:
            by_key.setdefault((pv.unit.code, str(pv.period)), []).append(pv)
    for group in by_key.values():
        if len(group) > 1:
            names = ", ".join(f'"{g.path.name}"' for g in group)
            u, p = group[0].unit, group[0].period
            for g in group:
                g.refused = _refuse(
                    g.path, f"có {len(group)} tệp cho cùng {u.name}, {p.label('vi')} ({names}); hãy chỉ chọn một.",
                    f"{len(group)} files are for the same {u.name}, {p.label('en')} ({names}); choose one.")
    judged = [(pv, pv.seal) for pv in out if pv.acceptable and pv.seal is not None]
    for (pv, _old), seal in zip(judged, settle(judged), strict=True):
        pv.seal = seal
    if progress is not None:
        progress(len(files), len(files))
    return out


class _Here:
    """What every file of a preview is compared with, read once: the office's province and code, and the units
    below it (retired ones too)."""

    def __init__(self, office):
        self.province, self.office = office.province_code, office.office_code
        # After the 2025 reorganisation, returns of the old provinces it was made of are the office's too.
        self.provinces = {self.province, *office._reorganised_from()}
        self.below = {u.code: u for root in office.area_roots()
                      for u in unit_store.subtree(office.store, root, include_retired=True) if u.code != self.office}
        self.keys = keys.known_keys(office.store, self.below)
        self.memo: dict = {}  # what judging the signatures reads once (signatures._signer)


def _compare(office, pv: FilePreview, here: _Here) -> None:
    rf = pv.file
    path = rf.path
    pv.kind, pv.period = rf.kind, rf.period
    province = here.province
    if rf.province and rf.province not in here.provinces:
        raise _refuse(path, f"là báo cáo của tỉnh mã {rf.province}, không thuộc tỉnh của văn phòng này "
                            f"({province}).",
                      f"is a return of the province with code {rf.province}, not of this office's province "
                      f"({province}).", META_SHEET, rf.meta_cells.get("province"))
    try:  # an official code names a unit of the tree in force for the return's period
        key = unit_store.resolve(office.store, rf.unit, rf.period) if rf.unit else rf.unit
    except ParAppError:
        key = rf.unit
    unit = here.below.get(key)
    if unit is None:
        try:
            unit = office.unit(key)
        except ParAppError:
            raise _refuse(path, f'đơn vị mã "{rf.unit}" ({rf.unit_name}) không có trong cơ sở dữ liệu này.',
                          f'the unit with code "{rf.unit}" ({rf.unit_name}) is not in this database.',
                          META_SHEET, rf.meta_cells.get("unit")) from None
        pv.unit = unit
        raise _refuse(path, f"{unit.name} không phải là đơn vị cấp dưới của văn phòng này.",
                      f"{unit.name} is not a unit below this office.", META_SHEET, rf.meta_cells.get("unit"))
    pv.unit = unit
    if not unit.active:
        raise _refuse(path, f"{unit.name} đã giải thể, không nhận số liệu mới.",
                      f"{unit.name} is retired and takes no new figures.")
    try:
        office.check_in_force(unit, rf.period)
    except ParAppError as e:
        raise _refuse(path, e.message("vi"), e.message("en"), META_SHEET, rf.meta_cells.get("period")) from None
    for code, (vc, _cc) in rf.cells.items():
        el = office.catalogue.elements[code]
        if unit.level not in el.levels and (rf.values.get(code) is not None or rf.comments.get(code)):
            raise _refuse(path, f"{el.name.vi} ({code}) không được nhập ở cấp của {unit.name}.",
                          f"{el.name.en} ({code}) is not entered at the level of {unit.name}.", SHEET, vc)
    st = value_store.get_status(office.store, unit.code, str(rf.period))
    if st is not None and st.status == "approved":
        raise _refuse(path, f"số liệu {rf.period.label('vi')} của {unit.name} đã được duyệt nên bị khoá; hãy trả lại "
                            "(bỏ duyệt) trước khi nhập.",
                      f"the figures of {unit.name} for {rf.period.label('en')} are approved and locked; return "
                      "them (revoke the approval) before importing.")
    incoming, notes = _incoming(rf)
    stored = value_store.stored_values(office.store, unit.code, str(rf.period))
    for code, new in incoming.items():
        old = stored[code].value if code in stored else None
        if old is None and new is not None:
            pv.new.append((code, new))
        elif old != new:
            pv.changes.append((code, old, new))
    for code, new in notes.items():
        old = stored[code].comment if code in stored else None
        has_value = incoming.get(code, old if code in stored else None) is not None
        if new != old and has_value:
            pv.comments.append((code, old, new))
    merged = {k: s.value for k, s in stored.items()}
    for code, v in incoming.items():
        if v is None:
            merged.pop(code, None)
        else:
            merged[code] = v
    previous = office.previous_values(unit.code, rf.period)
    pv.failures = validate(office.catalogue, merged, previous, unit.level)
    current = st.status if st else None
    after = current
    if (pv.new or pv.changes or pv.comments) and current in (None, "submitted", "returned"):
        after = "draft"  # as write_values does
    if rf.kind == "return" and rf.status in ("submitted", "approved"):
        after = "submitted"
    pv.status = (current, after) if after is not None and after != current else None
    pv.checksum_ok = rf.checksum_ok
    if rf.kind == "template" and not any(v is not None for v in incoming.values()):
        pv.warnings.append(Text("Mẫu chưa được điền số liệu nào.", "No figures were filled in on the template."))
    pv.seal = judge(office, rf, unit, here.keys, here.memo)
    if rf.external_links:
        shown = ", ".join(rf.external_links[:3]) + (" …" if len(rf.external_links) > 3 else "")
        pv.warnings.append(Text(f"Tệp có liên kết tới tệp khác ({shown}); ParApp chỉ đọc số liệu trong chính tệp này "
                                "và không mở các liên kết.",
                                f"The workbook links to other files ({shown}); ParApp reads only the figures in this "
                                "file and never opens the links."))
    ts = office.target_set
    if rf.target_set and ts is not None and rf.target_set != ts.id:
        pv.warnings.append(Text(f'Tệp lập theo bộ chỉ tiêu "{rf.target_set}", văn phòng này dùng "{ts.id}"; '
                                "trạng thái đạt/không đạt sẽ được đánh giá lại.",
                                f'The file was made under the target set "{rf.target_set}"; this office uses '
                                f'"{ts.id}": statuses are judged again.'))
    if rf.unit_name and nfc(rf.unit_name) != unit.name:
        pv.warnings.append(Text(f'Tên đơn vị trong tệp là "{rf.unit_name}", trong cơ sở dữ liệu là "{unit.name}".',
                                f'The unit is called "{rf.unit_name}" in the file and "{unit.name}" here.'))


def _incoming(rf: ReturnFile) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """What the file would write: a return is the whole of the unit-period (an empty cell clears a value);
    a filled-in template only adds what was typed."""
    if rf.kind == "return":
        return dict(rf.values), dict(rf.comments)
    values = {k: v for k, v in rf.values.items() if v is not None}
    return values, {k: c for k, c in rf.comments.items() if c}


def apply(office, previews: Iterable[FilePreview], accept: set[Path] | Iterable[Path],
          reasons: dict[Path, str] | None = None) -> int:
    """Import the accepted files, all or none, in one transaction; returns how many values changed.

    Each file is written as write_values writes it, with the file's name as its source (so the audit log
    names it). A return exported from a submitted or approved unit-period arrives as submitted. A file that is
    not sound (edited after export, unsigned, signed with another key, a filled-in template) is applied only
    with a reason in reasons (path -> the officer's words), kept in the audit log with what was accepted. The
    first key seen of a signing office is remembered. An accepted file that was refused, not sound and without
    a reason, or a unit-period approved since the preview, refuses the whole import: nothing is written.
    """
    accept = {Path(a) for a in accept}
    reasons = {Path(k): clean(v, multiline=False).strip() for k, v in (reasons or {}).items() if v and v.strip()}
    chosen = [pv for pv in previews if pv.path in accept]
    for pv in chosen:
        if pv.refused is not None:  # nothing is imported: the file's own refusal says why
            raise ReturnError(pv.refused.message("vi"), pv.refused.message("en"))
    for pv in chosen:
        if not pv.sound and pv.path not in reasons:
            seal = pv.seal.text if pv.seal else Text("chưa kiểm tra chữ ký.", "its signature was not checked.")
            raise _refuse(pv.path, f"{seal.vi} Hãy chọn chấp nhận tệp này kèm lý do, hoặc bỏ nó ra; chưa nhập tệp nào.",
                          f"{seal.en} Accept this file with a reason, or leave it out; nothing was imported.")
    wanted = [(pv.unit.code, str(pv.period)) for pv in chosen]
    locked = value_store.statuses_of(office.store, wanted)
    for pv, key in zip(chosen, wanted, strict=True):  # checked again: the database may have changed since the preview
        if locked.get(key) == "approved":
            value_store.ensure_unlocked(office.store, pv.unit.code, pv.unit.name, str(pv.period),
                                        Text(pv.period.label("vi"), pv.period.label("en")))
    who = office.officer
    store = office.store
    if chosen and not store.in_transaction:
        from parapp.store.backup import make_backup

        make_backup(store, "before-import")  # an import can be undone by restoring this
    with store.transaction() as c:
        writes = value_store.Batch(store, who)
        writes.read(wanted)
        # Locked since the check above? Then nothing is written. (A file never approves anything, so
        # checking them all first gives the same answer as checking each just before its writes.)
        for pv in chosen:
            u, period = pv.unit.code, str(pv.period)
            if writes.status(u, period) == "approved":
                value_store.ensure_unlocked(store, u, pv.unit.name, period,
                                            Text(pv.period.label("vi"), pv.period.label("en")))
        learned: set[tuple[str, str]] = set()
        for pv in chosen:
            rf = pv.file
            u, period = pv.unit.code, str(pv.period)
            incoming, notes = _incoming(rf)
            by = rf.prepared_by or rf.exported_by
            reason = f"Nhập từ tệp {'báo cáo' if rf.kind == 'return' else 'mẫu'} {rf.path.name}" + \
                (f" (người lập: {by})" if by else "")
            seal = pv.seal
            if not seal.sound:
                writes.add_audit(at=now(), who=who, action="accept_return", unit=u, period=period,
                                 reason=f"{seal.text.vi} Lý do chấp nhận: {reasons[pv.path]}", source=rf.path.name)
            how = seal.learn or ("accepted" if seal.kind == "other_key" else None)
            if how is not None and seal.signer is not None and (seal.signer.code, seal.public_key) not in learned:
                learned.add((seal.signer.code, seal.public_key))
                keys.learn(c, seal.signer.code, seal.public_key, now(), rf.path.name, how,
                           reasons.get(pv.path) if how == "accepted" else None)
                what = {"first_use": "tin tưởng lần đầu", "template": "từ mẫu do chính đơn vị xuất",
                        "accepted": f"chấp nhận khoá mới: {reasons.get(pv.path)}"}[how]
                writes.add_audit(at=now(), who=who, action="key", unit=seal.signer.code,
                                 reason=f"Khoá của {seal.signer.name}: {seal.fingerprint} ({what})",
                                 source=rf.path.name)
            writes.values(u, period, incoming, notes, rf.path.name, reason)
            if rf.kind == "return" and rf.status in ("submitted", "approved") \
                    and writes.status(u, period) != "submitted":
                writes.set_status(u, period, "submitted", rf.path.name, dated=rf.exported_at)
        writes.flush(c)
    return writes.changed
