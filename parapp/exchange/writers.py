"""Writing many Excel files on the worker processes that read returns (parapp.exchange.readers).

A province writing the returns of its 433 units spends most of the time in openpyxl laying each workbook out
and saving it; the figures come from the database in a few milliseconds. So this process reads each file's
figures and signs them (the database and the signing key stay here) and hands the plain data to the two
workers, which lay the workbook out and save it, each file under a temporary name in the target folder that
is renamed when it is complete; this process reads the next unit meanwhile.

The workers are used only for enough files to pay for them: starting them takes a second or two, so a cold
start needs COLD_MIN files, running workers WARM_MIN. Where they cannot be started, or end on the way, the
files are written here, as before. A failure or a cancel removes every file already written: all or none.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from parapp.domain.catalogue import Catalogue
from parapp.exchange import readers
from parapp.i18n import ParAppError

COLD_MIN = 32  # files that pay for starting the workers
WARM_MIN = 4  # files worth sending to workers that are running already
AHEAD = 3  # files in each worker's hands (or queued for it) at a time

Progress = Callable[[int, int], bool | None]
# write(data, out) -> the path written: a top-level function (sent to the workers by name) that saves under a
# temporary name and renames, raising a ParAppError when it cannot
Write = Callable[[object, Path], Path]


def use_workers(count: int, catalogue: Catalogue, parallel: bool | None) -> bool:
    """Whether count files go to the workers: parallel True or False decides; None: enough files for them."""
    if parallel is not None:
        return parallel and count > 0
    return count >= (WARM_MIN if readers.running(catalogue) else COLD_MIN)


def write_all(items: Sequence, catalogue: Catalogue, gather: Callable[[object], tuple[object, Path]], write: Write,
              cancelled: Callable[[], ParAppError], progress: Progress | None = None,
              parallel: bool | None = None) -> list[Path]:
    """For each item, gather(item) here gives (data, out) and write(data, out) writes the file, here or on a
    worker; the paths written, in the order of items. progress(done, total) is called as files are done; when
    it returns False the work stops with cancelled(). All the files or none: a failure or a cancel removes the
    files already written and raises."""
    total = len(items)
    pool = readers.pool(catalogue, start=True) if use_workers(total, catalogue, parallel) else None
    written: list[Path | None] = [None] * total
    pending: deque[tuple[int, object, Path, Future | None]] = deque()
    done = 0

    def ask(n: int) -> None:
        if progress is not None and progress(n, total) is False:
            raise cancelled()

    def finish(index: int, data: object, out: Path, future: Future | None) -> None:
        nonlocal pool, done
        if future is not None:
            try:
                written[index] = future.result()
            except BrokenProcessPool:  # a worker ended (killed, out of memory): this file and the rest here
                if pool is not None:
                    readers.discard(pool)
                pool = None
                written[index] = write(data, out)
        else:
            written[index] = write(data, out)
        done += 1

    try:
        for index, item in enumerate(items):
            ask(done if pool is not None else index)
            data, out = gather(item)
            if pool is None:
                finish(index, data, out, None)
                continue
            while pending and len(pending) >= AHEAD * readers.WORKERS:
                finish(*pending.popleft())
                ask(done)
            try:
                future = pool.submit(write, data, out) if pool is not None else None
            except BrokenProcessPool:
                readers.discard(pool)
                pool, future = None, None
            pending.append((index, data, out, future))
        while pending:
            finish(*pending.popleft())
            if pending:
                ask(done)
        if progress is not None:
            progress(total, total)
    except BaseException:
        for _index, _data, out, future in pending:  # what the workers still have: stopped, or waited for
            if future is not None and not future.cancel():
                try:
                    future.result()
                except BaseException:  # noqa: S110 - it failed too: its temporary file is gone already
                    pass
                else:
                    out.unlink(missing_ok=True)
        for path in written:
            if path is not None:
                path.unlink(missing_ok=True)
        raise
    return [p for p in written if p is not None]
