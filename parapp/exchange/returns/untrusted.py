"""The checks of an untrusted file before any spreadsheet reader sees it: a sound, reasonably sized zip (a zip
bomb, a truncated file or a CSV renamed .xlsx is refused), a table of strings of a believable size, and
sheets whose cells stay inside the form's area; and the scan of a sheet's XML for formulas."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO
from xml.etree import ElementTree

from parapp.exchange.returns.common import ReturnError, _column_number, _refuse

MAX_FILE_BYTES = 10 * 1024 * 1024  # a return is some 20 kB; anything this large is not one
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 500
MAX_RATIO = 150  # XML packs some 10-30 times; a zip bomb packs thousands of times
# python-calamine sets aside room for as many shared strings as the table says it holds (uniqueCount) before
# reading one: a file that claims four billion makes it ask for 96 GB and abort the program. A form has a
# few hundred strings; ParApp writes none.
MAX_SHARED_STRINGS = 1_000_000
_UNIQUE_COUNT = re.compile(rb'uniqueCount[ \t\r\n]{0,100}=[ \t\r\n]{0,100}(["\'])([^"\']{0,100})\1')
_COUNT_WINDOW = 1024
MAX_ROWS, MAX_COLUMNS = 5000, 64  # a form is some 100 rows by 8 columns; a cell at XFD1048576 is not one


class _Package:
    """A file that passed _check_zip, with the parts it unpacked kept: the readers after the check use these
    bytes instead of opening and unpacking the file again. Any other part is read from the file's bytes
    through zipfile when asked for (as a stream, so memory stays bounded)."""

    def __init__(self, source: bytes | Path, kept: dict[str, bytes], external_links: list[str] | None = None):
        self.source = source  # the file's bytes, or its path when nothing was checked or kept
        self.kept = kept
        self.external_links = external_links or []  # the other files the workbook links to (never opened)
        self._trees: dict[str, ElementTree.Element] = {}

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """A part as a binary file; KeyError when there is none (as ZipFile.open)."""
        if name in self.kept:
            yield io.BytesIO(self.kept[name])
            return
        with zipfile.ZipFile(self.source if isinstance(self.source, Path) else io.BytesIO(self.source)) as zf, \
                zf.open(name) as f:
            yield f

    def read(self, name: str) -> bytes:
        with self.open(name) as f:
            return f.read()

    def tree(self, name: str) -> ElementTree.Element:
        """A small part parsed (workbook.xml, its relationships), once per file."""
        if name not in self._trees:
            self._trees[name] = ElementTree.fromstring(self.read(name))
        return self._trees[name]


# Parts of a workbook with macros or controls: a ParApp return has none (it may be an .xlsm renamed .xlsx).
_MACRO = re.compile(r"(?:xl/vbaProject\.bin|xl/vbaProjectSignature\.bin|xl/activeX/|xl/macrosheets/|xl/dialogsheets/"
                    r"|customUI/|userCustomization/)", re.IGNORECASE)
_EXTERNAL_RELS = re.compile(r"xl/externalLinks/_rels/[^/]+\.rels\Z", re.IGNORECASE)


def _external_targets(zf: zipfile.ZipFile, infos) -> list[str]:
    """The files a workbook's external links point to, as its relationships name them."""
    from parapp.i18n import clean

    out = []
    for info in infos:
        if _EXTERNAL_RELS.match(info.filename) and info.file_size <= 1 << 20:
            try:
                root = ElementTree.fromstring(zf.read(info))
            except ElementTree.ParseError:
                out.append(info.filename)
                continue
            out += [clean(r.get("Target") or "")[:200] for r in root if r.get("Target")]
    return out


_KEEP_PART = 4 * 1024 * 1024  # parts larger than this are streamed through zipfile, and not kept
# what is read next, with the worksheets: the styles tell a cell typed as a percentage ("92,5%")
_KEEP_NAMES = frozenset(("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"))
# Parts that no reader opens: calamine opens the workbook, its relationships, the shared strings, the styles and
# the sheets asked for; ParApp the workbook, its relationships and those sheets. These count in the size checks,
# but are not unpacked.
_UNREAD = re.compile(r"(?:docprops/|xl/theme/|xl/printersettings/|xl/media/|customxml/|_rels/\.rels\Z"
                     r"|\[content_types\]\.xml\Z)", re.IGNORECASE)


def _check_zip(path: Path) -> _Package:
    """Refuse what is not a sound, modest xlsx before a spreadsheet reader opens it; the unpacked parts."""
    try:
        with path.open("rb") as f:  # opened once: its size, then (a modest file) all its bytes
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _refuse(path, f"quá lớn ({size // 1024 // 1024} MB) để là một báo cáo ParApp.",
                              f"is too large ({size // 1024 // 1024} MB) to be a ParApp return.")
            data = f.read(size + 1)  # one byte more: a file that grew since is seen to
    except OSError as e:
        raise _refuse(path, f"không mở được ({e.strerror}).", f"cannot be opened ({e.strerror}).") from None
    if len(data) > size:  # it is being written: read it once it is whole
        raise _refuse(path, "đang được ghi dở (tệp thay đổi trong lúc đọc); hãy thử lại sau.",
                      "is still being written (it changed while it was read); try again later.")
    head = data[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(path, "là tệp Excel 97-2003 (.xls) hoặc có đặt mật khẩu mở; hãy lưu lại dạng Excel "
                            "Workbook (.xlsx) không đặt mật khẩu rồi gửi lại.",
                      "is an Excel 97-2003 workbook (.xls) or has a password to open; save it as an Excel "
                      "Workbook (.xlsx) without a password and send it again.")
    not_excel = ("không phải là tệp Excel (.xlsx) đọc được; có thể tệp bị hỏng, bị cắt cụt khi gửi, hoặc là một "
                 "loại tệp khác (CSV, PDF...) bị đổi đuôi.",
                 "is not a readable Excel workbook (.xlsx); it may be damaged, cut short in transfer, or "
                 "another kind of file (CSV, PDF...) renamed.")
    if not head.startswith(b"PK"):
        raise _refuse(path, *not_excel)
    try:
        # The file is read once; the zip is opened on those bytes, and every reader after this check uses them.
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refuse(path, "chứa quá nhiều thành phần để là một báo cáo ParApp.",
                              "holds too many parts to be a ParApp return.")
            names = {i.filename for i in infos}
            if "mimetype" in names and "xl/workbook.xml" not in names:
                raise _refuse(path, "là tệp OpenDocument (.ods); hãy lưu lại dạng Excel Workbook (.xlsx).",
                              "is an OpenDocument file (.ods); save it as an Excel Workbook (.xlsx).")
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse(path, *not_excel)
            macro = next((n for n in sorted(names) if _MACRO.match(n)), None)
            if macro is not None:
                raise _refuse(path, f"chứa macro hoặc điều khiển ({macro}); báo cáo ParApp không có macro nên ParApp "
                                    "không nhận tệp này. Hãy lưu lại dạng Excel Workbook (.xlsx) không có macro rồi "
                                    "gửi lại.",
                              f"holds macros or controls ({macro}); a ParApp return has none, so ParApp does not "
                              "take this file. Save it as an Excel Workbook (.xlsx) without macros and send it "
                              "again.")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_UNPACKED_BYTES or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                    raise _refuse(path, "giải nén ra quá lớn (nghi là tệp nén độc hại), không mở.",
                                  "unpacks to far too much data (a suspected zip bomb); not opened.")
            # Read every part a reader opens through, bounded by the sizes declared above: a part that unpacks to
            # more than it declares, or whose bytes are damaged, fails its CRC here rather than inside the reader.
            # A plain part is unpacked in one call and, when a reader needs it next, kept. Any other part is
            # read through zipfile, which says what is wrong with it if anything is, and is not kept: the
            # readers read it through zipfile again, as they always did (zipfile may then fail on it where
            # this loop did not, for its reads come in other sizes).
            kept: dict[str, bytes] = {}
            for info in infos:
                if _UNREAD.match(info.filename):
                    continue
                part = _unpacked(data, info) if info.file_size <= _KEEP_PART else None
                if part is None:
                    with zf.open(info) as member:
                        tail = b""
                        while chunk := member.read(1 << 16):
                            _check_counts(path, tail + chunk)
                            tail = chunk[-_COUNT_WINDOW:]
                else:
                    _check_counts(path, part)
                if part is not None and (info.filename in _KEEP_NAMES or info.filename.startswith("xl/worksheets/")):
                    kept[info.filename] = part
                else:
                    kept.pop(info.filename, None)  # a later part of the same name is the one read
            links = _external_targets(zf, infos)
    except ReturnError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
        raise _refuse(path, *not_excel) from None
    return _Package(data, kept, links)


def _check_counts(path: Path, data: bytes) -> None:
    """Refuse a part that claims a table of strings larger than any form has (see MAX_SHARED_STRINGS)."""
    at = data.find(b"uniqueCount")
    while at >= 0:
        m = _UNIQUE_COUNT.match(data, at)
        if m is None and len(data) - at < _COUNT_WINDOW:
            return  # perhaps cut at the end of a chunk: the next one starts this much earlier
        if m is None or not m.group(2).isdigit() or int(m.group(2)) > MAX_SHARED_STRINGS:
            raise _refuse(path, "khai báo một bảng chuỗi lớn bất thường (nghi là tệp độc hại), không mở.",
                          "declares an abnormally large table of strings (a suspected hostile file); not opened.")
        at = data.find(b"uniqueCount", at + 1)


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader


def _unpacked(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A part of the zip in data, unpacked in one call, when it is a plain one that zipfile would read without
    a complaint into these same bytes; None for anything else (zipfile then reads it itself). It is: a local
    header where the directory says, with the same name (decoded as zipfile decodes it); neither encrypted
    nor patched; stored or deflated; all its packed bytes there; and they unpack, to the end of the deflate
    stream, to exactly the declared size with the declared CRC-32. zipfile reads the same bytes in chunks,
    stops at that size and checks the same CRC."""
    try:
        at = info.header_offset
        if at < 0 or info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        magic, _v, _s, flags, _m, _t, _d, _c, _cs, _us, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, at)
        start = at + _LOCAL_HEADER.size
        if magic != b"PK\x03\x04" or data[start:start + name_len].decode(
                "utf-8" if flags & 0x800 else "cp437") != info.orig_filename:
            return None
        start += name_len + extra_len
        packed = data[start:start + info.compress_size]
        if len(packed) != info.compress_size:
            return None
        if info.compress_type == zipfile.ZIP_STORED:
            out, ended = packed, info.compress_size == info.file_size
        else:
            inflate = zlib.decompressobj(-15)
            out = inflate.decompress(packed, info.file_size + 1)
            ended = inflate.eof
        if ended and len(out) == info.file_size and zlib.crc32(out) == info.CRC:
            return out
    except (struct.error, ValueError, zlib.error):
        pass
    return None


def _sheet_xml_path(package: _Package, sheet: str) -> str | None:
    kept = package.kept
    if "xl/workbook.xml" in kept and "xl/_rels/workbook.xml.rels" in kept:
        # the same two parts in every return of a batch: worked out once
        return _sheet_paths(kept["xl/workbook.xml"], kept["xl/_rels/workbook.xml.rels"]).get(sheet)
    return _find_sheet_xml_path(package, sheet)


@lru_cache(maxsize=16)
def _sheet_paths(workbook: bytes, rels: bytes) -> dict[str, str | None]:
    package = _Package(b"", {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels})
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    names = [s.get("name") for s in package.tree("xl/workbook.xml").iterfind("m:sheets/m:sheet", ns)]
    return {name: _find_sheet_xml_path(package, name) for name in names if name is not None}


def _find_sheet_xml_path(package: _Package, sheet: str) -> str | None:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    wb = package.tree("xl/workbook.xml")
    rid = None
    for s in wb.iterfind("m:sheets/m:sheet", ns):
        if s.get("name") == sheet:
            rid = s.get(f"{{{ns['r']}}}id")
    if rid is None:
        return None
    rels = package.tree("xl/_rels/workbook.xml.rels")
    for rel in rels.iterfind("p:Relationship", ns):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return str(PurePosixPath("xl") / target)
    return None


def _column_letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def scan_sheet(path: Path, sheet: str, _package: _Package | None = None) -> set[str] | None:
    """The cells of a sheet that hold a formula (python-calamine reads only their results); None when the
    workbook has no such sheet. Refuses a sheet whose cells reach beyond MAX_ROWS or MAX_COLUMNS before
    python-calamine sees it: calamine lays a sheet out as one dense block, and a single cell at XFD1048576
    would make that block some seventeen billion cells."""
    if _package is None:
        _package = _Package(path, {})
    part = _sheet_xml_path(_package, sheet)
    if part is None:
        return None
    data = _package.kept.get(part)
    if data is not None:
        quick = _quick_scan(data)
        if quick is not None:
            return quick
    with _package.open(part) as f:
        return _scan_xml(path, sheet, f)


def _scan_xml(path: Path, sheet: str, f) -> set[str]:
    """scan_sheet's reading of the sheet's XML, event by event: the reference for any sheet. Elements are
    taken by their local name, whatever their namespace, as python-calamine takes them: a <x:c> in a
    namespace of its own is a cell to calamine, so it is one here."""
    def odd(address: str) -> ReturnError:
        # calamine reads such an address in its own way (a lower-case letter, say), which this reading
        # cannot follow; no spreadsheet program writes one
        shown = address if len(address) <= 20 else address[:19] + "…"
        return _refuse(path, f'có ô ghi địa chỉ không hợp lệ ("{shown}"); không phải báo cáo ParApp.',
                       f'has a cell with an address that is not valid ("{shown}"); it is not a ParApp return.', sheet)

    out: set[str] = set()
    row: int | None = 0
    col = 0
    row_r = ""
    for event, elem in ElementTree.iterparse(f, events=("start", "end")):
        name = elem.tag.rpartition("}")[2]
        if event == "start":
            if name == "row":
                r = elem.get("r")
                if r is None:
                    row = None if row is None else row + 1
                else:
                    row = int(r) if re.fullmatch(r"[0-9]{1,7}", r) else None  # None: a place only calamine knows
                    row_r = r
                col = 0
            continue
        if name == "c":
            r = elem.get("r")
            m = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", r) if r is not None else None
            if m:
                col, row = _column_number(m.group(1)), int(m.group(2))
            elif r is not None:
                raise odd(r)
            elif row is None:
                raise odd(row_r)
            else:
                col += 1
            if row > MAX_ROWS or col > MAX_COLUMNS:
                raise _refuse(path, "có ô ghi ở quá xa vùng của biểu mẫu; không phải báo cáo ParApp.",
                              "has cells far outside the form's area; it is not a ParApp return.", sheet)
            if any(child.tag.rpartition("}")[2] == "f" for child in elem):
                out.add(f"{_column_letters(col)}{row}")
            elem.clear()
        elif name == "row":
            elem.clear()
    return out


# The quick scan: what _scan_xml finds, read from the bytes with a few searches, for the plain sheets that
# ParApp, Excel and LibreOffice write. It answers only when it can be sure that python-calamine sees no cell
# and no formula that it does not; anything else (None) goes to _scan_xml. Its reasoning:
# * calamine's XML reader (quick-xml) does not validate: it takes every "<" as the start of a markup, and
#   matches elements by their local name, the part of the name after a colon, whatever the namespace. So a
#   cell to calamine is a tag that starts "<c" or "<prefix:c", and a formula one that starts "<f" or
#   "<prefix:f"; every such tag is found by the searches below. They may find more: a "<c" inside a comment,
#   a CDATA section or an attribute's value is no cell to calamine. That only makes the scan stricter than
#   calamine (such a "cell" must look plain too, and a formula there marks its cell as a formula), never
#   more lenient. The sheet need not be well formed for that: a sheet that calamine cannot read is refused
#   as damaged when it reads it;
# * the part is UTF-8 (or says nothing), so that these searches on its bytes see what calamine sees;
# * no element or attribute whose name ends in ":c" or ":f": every cell is then a plain "<c " tag, and so is
#   every cell _scan_xml reads;
# * every <c> tag is <c r="A1" s=".." t=".."> (s, t, and Excel's cm, vm and ph, each optional, in this order)
#   with a column up to MAX_COLUMNS and a row up to MAX_ROWS, written plainly: no other attribute named r
#   (calamine takes the last one), so calamine places every cell by this r, and none lies beyond the limits;
# * every <f> comes right after the start tag of a <c> (not an empty one): a formula of that cell.
_XML_ROOT = re.compile(
    rb'(?:\xef\xbb\xbf)?(?:<\?xml version="1\.0"(?: encoding="(?i:utf-8)")?(?: standalone="(?:yes|no)")?\s*\?>\s*)?'
    rb'<[A-Za-z_]')
# What the quick scan does not take: a <c> whose r is not a plain address inside the limits, or that has other
# attributes than the plain ones; a name ending in ":c" or ":f". (Two searches, each starting with fixed
# characters, which keeps them fast; one alternation of the two is several times slower.)
_ODD = re.compile(rb'<c(?=[ \t\r\n/>])(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,2}|[1-4][0-9]{3}|5000|0)"'
                  rb'(?: s="[0-9]{1,9}")?(?: t="[A-Za-z]{1,9}")?(?: (?:cm|vm|ph)="[0-9]{1,9}")*[ ]?/?>)')
_PREFIXED = re.compile(rb":[cf][ \t\r\n/>]")
_FORMULA = re.compile(rb"<f[ \t\r\n/>]")
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
assert (MAX_ROWS, MAX_COLUMNS) == (5000, 64), "_ODD spells these limits out"


def _quick_scan(data: bytes) -> set[str] | None:
    root = _XML_ROOT.match(data)
    if root is None or _ODD.search(data) is not None or _PREFIXED.search(data) is not None:
        return None
    out: set[str] = set()
    for m in _FORMULA.finditer(data):
        at = m.start()
        start = data.rfind(b"<", 0, at)
        head = _CELL_HEAD.match(data, start)
        if head is None or data.find(b">", start, at) != at - 1 or data[at - 2] == 47:  # 47: "/"
            return None
        out.add(f"{head.group(1).decode()}{int(head.group(2))}")
    return out


def formula_cells(path: Path, sheet: str) -> set[str]:
    """Addresses of the cells of a sheet that hold a formula."""
    return scan_sheet(path, sheet) or set()
