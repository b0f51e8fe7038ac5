"""Files ParApp writes (workbooks, PDFs, e-mail drafts): to a temporary name, then renamed into place; and the
files an import is given (files, and the files of folders).

A half-written file therefore never exists under its own name, and a failure says what to do in one
sentence: a full disk, a folder that cannot be written, a file held open by Excel.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from parapp.i18n import ParAppError


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; done once, at import, before any worker thread runs
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def share(path: Path) -> None:
    """Give a file made by mkstemp (owner-only) the permissions an ordinary new file would have."""
    os.chmod(path, 0o666 & ~_UMASK)


def write_atomically(out: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) for a temporary file beside out, then rename it over out; returns out."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{out.stem}.", suffix=".tmp", dir=out.parent)
    except OSError as e:
        raise ParAppError(f"Không ghi được vào thư mục {out.parent}: {e.strerror or e}.",
                          f"Cannot write to the folder {out.parent}: {e.strerror or e}.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            write(tmp)
        except OSError as e:
            raise ParAppError(f"Không ghi được tệp {out} ({e.strerror or e}); hãy kiểm tra chỗ trống trên đĩa.",
                              f"Cannot write {out} ({e.strerror or e}); check the free space on the disk.") from None
        try:
            share(tmp)
            os.replace(tmp, out)
        except PermissionError:
            raise ParAppError(f"Tệp {out} đang mở trong một chương trình khác (Excel?); hãy đóng tệp rồi thử lại.",
                              f"{out} is open in another program (Excel?); close it and try again.") from None
        except OSError as e:
            raise ParAppError(f"Không ghi được tệp {out} ({e.strerror or e}).",
                              f"Cannot write {out} ({e.strerror or e}).") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out


def expand(paths: Iterable[Path | str], suffixes: tuple[str, ...]) -> list[Path]:
    """Files as given, and the files of folders whose name ends in one of suffixes (hidden files and the lock
    files Excel leaves, "~$…", left out); each once, folders' files in name order."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            # A file in a folder that is not a link resolves to the resolved folder and its name: that spares a
            # resolve() (a system call per part of the path) for each file.
            folder = p.resolve()
            found = []
            with os.scandir(p) as entries:
                for e in entries:
                    f = p / e.name
                    link = e.is_symlink()
                    if (f.is_file() if link else e.is_file(follow_symlinks=False)) \
                            and f.suffix.lower() in suffixes and not f.name.startswith(("~$", ".")):
                        found.append((f, f.resolve() if link else folder / e.name))
            found.sort(key=lambda item: item[0])
        else:
            found = [(p, p.resolve())]
        for f, key in found:
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out
