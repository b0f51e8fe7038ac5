"""The outbox: returns ready to send to the level above, with a clear file name and an e-mail draft.

The outbox is a folder (settings.data_dir()/"outbox", or the meta key "outbox" of the office database).
`write_outbox` copies a workbook there as "<unit code>_<period>_<unit name in ASCII>.xlsx"; `make_eml`
writes beside it an RFC 5322 draft (.eml with "X-Unsent: 1": Outlook and Thunderbird open it as a message
to send) addressed to the level above (meta key "upper_email"), with the workbook attached. Files are
written to a temporary name and renamed, so the outbox never holds half a file.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, getaddresses
from pathlib import Path

from parapp import __version__, settings
from parapp.domain.periods import Period, PeriodError
from parapp.exchange.files import write_atomically
from parapp.i18n import ParAppError, nfc
from parapp.store import units as unit_store
from parapp.store.units import Unit

MIME_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".xls": ("application", "vnd.ms-excel"),
    ".pdf": ("application", "pdf"),
    ".csv": ("text", "csv"),
    ".json": ("application", "json"),
}
_EML_POLICY = policy.default.clone(linesep="\r\n", max_line_length=78)
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_UNIT_KEYS = {"unit", "unit_code", "unit code", "ma_don_vi", "mã đơn vị", "mã đvhc", "parapp_unit"}
_PERIOD_KEYS = {"period", "period_id", "ky", "kỳ", "kỳ báo cáo", "parapp_period"}


# -------------------------------------------------------------------------------------- the folder


def outbox_dir(office, create: bool = True) -> Path:
    """The office's outbox folder (made if missing)."""
    configured = office.store.meta("outbox")
    folder = Path(configured).expanduser() if configured else settings.data_dir() / "outbox"
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ParAppError(f"Không tạo được thư mục hộp thư đi {folder}: {e.strerror or e}.",
                              f"Cannot create the outbox folder {folder}: {e.strerror or e}.") from None
    return folder


def set_outbox_dir(office, folder: Path | str | None) -> Path:
    """Keep the outbox in `folder` (None or "": back to the default under the data folder)."""
    office.store.set_meta("outbox", str(Path(folder).expanduser().resolve()) if folder else "")
    return outbox_dir(office)


def ascii_name(text: str) -> str:
    """'Huyện Đức Thọ' -> 'Huyen_Duc_Tho': safe in a file name on any disk and in any mail program."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "don_vi"


# ------------------------------------------------------------------------------ what a workbook is


def _from_workbook(path: Path) -> tuple[str | None, str | None]:
    """Unit code and period a workbook says it is for: ParApp's document properties, else a hidden
    sheet of keys and values (the import sheet of a return)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ParAppError(f"{path.name} không phải là một sổ tính Excel (.xlsx) đọc được.",
                          f"{path.name} is not a readable Excel workbook (.xlsx).") from None
    try:
        unit = period = None
        for prop in getattr(wb, "custom_doc_props", None) or []:
            if prop.name == "parapp_unit":
                unit = str(prop.value)
            elif prop.name == "parapp_period":
                period = str(prop.value).split()[0] if str(prop.value).split() else None
        if unit and period:
            return unit, period
        for ws in sorted(wb.worksheets, key=lambda w: w.sheet_state == "visible"):  # hidden sheets first
            for row in ws.iter_rows(min_row=1, max_row=60, max_col=2, values_only=True):
                if len(row) < 2 or row[0] is None or row[1] is None:
                    continue
                key = nfc(str(row[0])).strip().strip(":").lower()
                if key in _UNIT_KEYS and not unit:
                    unit = str(row[1]).strip()
                elif key in _PERIOD_KEYS and not period:
                    period = str(row[1]).strip()
            if unit and period:
                break
        return unit, period
    finally:
        wb.close()


_PERIOD_RE = r"\d{4}(?:[SsQq]\d|\d{2})?"


def _from_file_name(office, name: str) -> tuple[str, str] | None:
    """(unit, period) from "42_2025Q3_Tinh_Ha_Tinh.xlsx" (the outbox's names) or "2025Q3_42_tinh-ha-tinh.xlsx"
    (returns', templates' with "mau_" before): the first reading whose unit is in the database."""
    stem = re.sub(r"^mau_", "", name, flags=re.IGNORECASE)
    for pattern, order in ((rf"^([A-Za-z0-9]+)_({_PERIOD_RE})(?=[_.]|$)", 1), (rf"^({_PERIOD_RE})_([A-Za-z0-9]+)(?=[_.]|$)", -1)):
        m = re.match(pattern, stem)
        if not m:
            continue
        code, pid = m.groups()[::order]
        if office.store.conn.execute("SELECT 1 FROM units WHERE code = ?", (code,)).fetchone():
            return code, pid
    return None


def return_identity(office, path: Path | str, unit: str | None = None,
                    period: Period | str | None = None) -> tuple[Unit, Period]:
    """The unit and period a return file is for: as given, else read from the workbook, else from a file
    name such as 42_2025Q3_Tinh_Ha_Tinh.xlsx."""
    path = Path(path)
    if not path.is_file():
        raise ParAppError(f"Không tìm thấy tệp {path}.", f"There is no file {path}.")
    code, pid = unit, (str(period) if period is not None else None)
    if (code is None or pid is None) and path.suffix.lower() in (".xlsx", ".xlsm"):
        found_unit, found_period = _from_workbook(path)
        code, pid = code or found_unit, pid or found_period
    if code is None or pid is None:
        guess = _from_file_name(office, path.name)
        if guess:
            code, pid = code or guess[0], pid or guess[1]
    if code is None or pid is None:
        raise ParAppError(f"Không xác định được đơn vị và kỳ báo cáo của tệp {path.name}; hãy chỉ rõ "
                          "(--unit, --period).",
                          f"Cannot tell which unit and period {path.name} is for; say so (--unit, --period).")
    try:
        p = period if isinstance(period, Period) else Period.parse(pid)
    except PeriodError:
        raise ParAppError(f'Kỳ báo cáo "{pid}" ghi trong tệp {path.name} không hợp lệ.',
                          f'The period "{pid}" recorded in {path.name} is not valid.') from None
    return unit_store.get_unit(office.store, code), p


def outbox_name(unit: Unit, period: Period, suffix: str = ".xlsx") -> str:
    return f"{unit.code}_{period}_{ascii_name(unit.name)}{suffix}"


def _write_atomic(folder: Path, name: str, write) -> Path:
    """write(tmp_path) into a temporary file of `folder`, then rename it to `name`."""
    return write_atomically(folder / name, write)


def write_outbox(office, workbook_path: Path | str, unit: str | None = None,
                 period: Period | str | None = None) -> Path:
    """Copy a return into the outbox as <unit code>_<period>_<unit name ascii>.xlsx; returns the copy."""
    source = Path(workbook_path)
    u, p = return_identity(office, source, unit, period)
    folder = outbox_dir(office)
    name = outbox_name(u, p, source.suffix.lower() or ".xlsx")
    target = folder / name
    if target.exists() and target.resolve() == source.resolve():
        return target
    return _write_atomic(folder, name, lambda tmp: shutil.copyfile(source, tmp))


# ---------------------------------------------------------------------------------------- e-mail


def check_addresses(text: str) -> str:
    """One address or several (separated by , or ;), each possibly with a name: "Sở Nội vụ <snv@x.gov.vn>".
    Returns them joined by ", "; raises ParAppError for anything that is not an address."""
    items = [nfc(s).strip() for s in re.split(r"[,;]", text or "")]
    items = [s for s in items if s]
    if not items:
        raise ParAppError("Hãy nhập địa chỉ thư điện tử của cấp trên, ví dụ snv@hatinh.gov.vn.",
                          "Type the e-mail address of the level above, e.g. snv@hatinh.gov.vn.")
    for item in items:
        parsed = getaddresses([item])
        if len(parsed) != 1 or not _ADDRESS.fullmatch(parsed[0][1] or "") or ".." in parsed[0][1] \
                or (("<" in item) != (">" in item)) or ("<" not in item and item != parsed[0][1]):
            raise ParAppError(f'"{item}" không phải là địa chỉ thư điện tử hợp lệ (ví dụ: snv@hatinh.gov.vn).',
                              f'"{item}" is not a valid e-mail address (for example snv@hatinh.gov.vn).')
    return ", ".join(items)


def set_upper_email(office, address: str) -> str:
    """Keep the address (or addresses) of the level above, checked; returns it as stored."""
    checked = check_addresses(address)
    office.store.set_meta("upper_email", checked)
    return checked


def upper_email(office) -> str:
    return office.store.meta("upper_email") or ""


def _mime_type(path: Path) -> tuple[str, str]:
    return MIME_TYPES.get(path.suffix.lower(), ("application", "octet-stream"))


def make_eml(office, attachment: Path | str, to: str | None = None, unit: str | None = None,
             period: Period | str | None = None, below: Iterable[Path | str] = ()) -> Path:
    """An e-mail draft in the outbox with the return attached, to the level above; returns the .eml. below:
    the returns of the units below, attached after it (a district forwards its communes' figures)."""
    attachment = Path(attachment)
    below = [Path(b) for b in below]
    u, p = return_identity(office, attachment, unit, period)
    address = check_addresses(to) if to else upper_email(office)
    above = unit_store.ancestors(office.store, u.code)
    msg = EmailMessage(policy=_EML_POLICY)
    msg["From"] = ""
    msg["To"] = address
    msg["Subject"] = f"Báo cáo CCHC {p.label('vi')} - {u.name}"
    msg["Date"] = formatdate(localtime=True)
    msg["X-Unsent"] = "1"
    msg["X-Mailer"] = f"ParApp {__version__}"
    size = attachment.stat().st_size
    body = "\n".join([
        f"Kính gửi: {'UBND ' + above[0].name if above else 'Quý cơ quan'},",
        "",
        f"{u.name} (mã {u.official_code}) xin gửi kèm theo thư này báo cáo kết quả cải cách hành chính "
        f"{p.label('vi')} ({p.data_window_label('vi').lower()}).",
        "",
        f"Tệp đính kèm: {attachment.name} ({max(1, round(size / 1024))} KB), sổ tính Excel lập bằng ParApp "
        f"{__version__}; có thể mở bằng Excel hoặc nhập thẳng vào ParApp.",
        *([f"Kèm theo là báo cáo của {len(below)} đơn vị trực thuộc có số liệu kỳ này ({len(below)} tệp), để "
           "tổng hợp từ số liệu gốc; nhập tất cả các tệp vào ParApp cùng một lần."] if below else []),
        f"Người lập: {office.officer}.",
        "",
        "Trân trọng.",
        "",
    ])
    msg.set_content(nfc(body), charset="utf-8", cte="quoted-printable")
    maintype, subtype = _mime_type(attachment)
    msg.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    for each in below:
        maintype, subtype = _mime_type(each)
        msg.add_attachment(each.read_bytes(), maintype=maintype, subtype=subtype, filename=each.name)
    folder = outbox_dir(office)
    stem = attachment.stem if attachment.parent.resolve() == folder.resolve() else Path(outbox_name(u, p)).stem
    data = msg.as_bytes(policy=_EML_POLICY)
    return _write_atomic(folder, stem + ".eml", lambda tmp: tmp.write_bytes(data))
