"""Reading many Excel returns on worker processes.

Two reasons. Safety first: python-calamine is native code, and a workbook made to get past ParApp's checks
could make it abort the whole program, window and all (two such files were found and are now refused before
calamine sees them: a far cell in a foreign namespace, and a table of strings claiming billions of entries).
In a worker process an abort only ends the worker: ParApp refuses that one file, starts another worker and
goes on. Speed second: two workers read files on two cores while this process compares each file with the
database; on the two-core test machine that took about a third off the import of 250 returns.

The workers are started once per session, the first time enough files come at once (or when the window
asks for them early, as the officer opens the import dialog), and are kept for the next import. Where they
cannot be started (a locked-down machine, a broken installation), files are read in this process, as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from parapp.domain.catalogue import Catalogue
from parapp.i18n import ParAppError

MIN_FILES = 12  # fewer files than this are read here, unless the workers are running already
WORKERS = min(2, os.cpu_count() or 1)
BATCH = 8  # files sent to a worker at once
AHEAD = 4  # batches handed to the workers before their turn comes
START_TIMEOUT = 60.0  # seconds for a new worker to answer; a slow PC takes one or two

Work = Callable[[Path, Catalogue], object]  # a top-level function: it is sent to the workers by name

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_catalogue: Catalogue | None = None
_unavailable = False  # the workers could not be started: read here for the rest of the session

_catalogue: Catalogue | None = None  # in a worker: the catalogue it checks files against


def _start_worker(catalogue: bytes) -> None:
    global _catalogue
    _catalogue = pickle.loads(catalogue)
    gc.freeze()  # what the worker imported stays: the collector need not look at it again
    # A ParApp ended without its own cleanup (SIGTERM, kill -9, a crash) must not leave its workers behind.
    threading.Thread(target=_watch_parent, name="parapp-parent-watch", daemon=True).start()


def _watch_parent() -> None:
    """In a worker: end it as soon as the ParApp that started it is gone (waits on the parent's sentinel, which
    works on Windows and POSIX alike)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()
    os._exit(0)


def _ready() -> bool:
    return _catalogue is not None


def _run(work: Work, paths: list[Path]) -> list[tuple[bool, object]]:
    """work on each of a batch of files: (True, its result) or (False, its ParAppError)."""
    assert _catalogue is not None
    out: list[tuple[bool, object]] = []
    for path in paths:
        try:
            out.append((True, work(path, _catalogue)))
        except ParAppError as e:
            out.append((False, e))
    return out


def _start(catalogue: Catalogue) -> ProcessPoolExecutor | None:
    """A new pool whose workers have answered; None when they cannot be started."""
    pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(pickle.dumps(catalogue),))
    try:
        if all(f.result(timeout=START_TIMEOUT) for f in [pool.submit(_ready) for _ in range(WORKERS)]):
            return pool
    except Exception:  # BrokenProcessPool, a timeout, an OS that refuses new processes, ...
        pass
    pool.shutdown(wait=False, cancel_futures=True)
    return None


def _pool_for(catalogue: Catalogue, start: bool) -> ProcessPoolExecutor | None:
    """The running pool for this catalogue, or a new one when start is true; None: read in this process."""
    global _pool, _pool_catalogue, _unavailable
    with _lock:
        if _pool is not None and _pool_catalogue is catalogue:
            return _pool
        if not start or _unavailable or WORKERS < 2:
            return None
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        _pool = _start(catalogue)
        _pool_catalogue = catalogue if _pool is not None else None
        _unavailable = _pool is None
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool, _pool_catalogue
    with _lock:
        if _pool is pool:
            _pool, _pool_catalogue = None, None
    pool.shutdown(wait=False, cancel_futures=True)


def pool(catalogue: Catalogue, start: bool) -> ProcessPoolExecutor | None:
    """The workers for this catalogue (started now when start is true and they are not running); None when
    the work is to be done in this process. Writers use the same workers (parapp.exchange.writers)."""
    return _pool_for(catalogue, start)


def running(catalogue: Catalogue) -> bool:
    """Whether the workers for this catalogue are running already (no start-up to pay)."""
    with _lock:
        return _pool is not None and _pool_catalogue is catalogue


def discard(pool: ProcessPoolExecutor) -> None:
    """Forget workers that have ended (one was killed, the machine ran out of memory): new ones start next time."""
    _discard(pool)


def warm(catalogue: Catalogue) -> None:
    """Start the workers in the background (the officer is choosing files meanwhile); returns at once."""
    if WORKERS >= 2 and not _unavailable:
        threading.Thread(target=_pool_for, args=(catalogue, True), name="parapp-readers", daemon=True).start()


def shutdown() -> None:
    """Stop the workers (they are started again when needed)."""
    global _pool, _pool_catalogue
    with _lock:
        pool, _pool, _pool_catalogue = _pool, None, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _returned(value) -> Callable[[], object]:
    return lambda: value


def _raised(error: BaseException) -> Callable[[], object]:
    def again():
        raise error
    return again


def _given(done: tuple[bool, object]) -> Callable[[], object]:
    ok, value = done
    return _returned(value) if ok else _raised(value)  # type: ignore[arg-type]


def _broken() -> Future:
    future: Future = Future()
    future.set_exception(BrokenProcessPool("the workers ended"))
    return future


def read_many(paths: list[Path], catalogue: Catalogue, work: Work,
              crashed: Callable[[Path], ParAppError]) -> Iterator[tuple[Path, Callable[[], object]]]:
    """Each path, in order, with a function that gives work(path, catalogue) or raises its ParAppError. A
    file that ends its worker gives crashed(path) instead. Files go to the workers in batches, ahead of their
    turn; whatever has not been asked for when the caller stops is left unread."""
    pool = _pool_for(catalogue, start=len(paths) >= MIN_FILES)
    if pool is None:
        for path in paths:
            yield path, lambda path=path: work(path, catalogue)
        return
    # batches small enough to keep both workers busy from the start, large enough to pass few messages
    size = max(1, min(BATCH, len(paths) // (2 * WORKERS)))
    batches = [paths[i:i + size] for i in range(0, len(paths), size)]
    ahead: deque[tuple[list[Path], Future]] = deque()
    rest = deque(batches)
    try:
        while True:
            while pool is not None and rest and len(ahead) < AHEAD:
                try:
                    ahead.append((rest[0], pool.submit(_run, work, rest[0])))
                except BrokenProcessPool:  # a worker ended since: the batches in its hands will say so
                    break
                rest.popleft()
            if not ahead:
                if pool is None:  # the workers could not be started again: the rest is read here
                    for path in (p for batch in rest for p in batch):
                        yield path, lambda path=path: work(path, catalogue)
                    return
                if not rest:
                    return
                ahead.append((rest[0], _broken()))  # nothing in the workers' hands, yet they are broken
                rest.popleft()
            batch, future = ahead.popleft()
            try:
                done = future.result()
            except BrokenProcessPool:
                pass
            else:
                for path, outcome in zip(batch, done, strict=True):
                    yield path, _given(outcome)
                continue
            # A worker ended: a file of this batch, or of another in the workers' hands, ended it. Each is
            # read again alone, on new workers; the one that ends them again is refused.
            _discard(pool)
            suspects = batch + [p for b, _f in ahead for p in b]
            ahead.clear()
            for suspect in suspects:
                pool = _pool_for(catalogue, start=True)
                if pool is None:  # no new workers: a suspect is not read in this process, where it could end it
                    yield suspect, _raised(crashed(suspect))
                    continue
                try:
                    [outcome] = pool.submit(_run, work, [suspect]).result()
                except BrokenProcessPool:
                    _discard(pool)
                    yield suspect, _raised(crashed(suspect))
                else:
                    yield suspect, _given(outcome)
            pool = _pool_for(catalogue, start=True)
    finally:
        for _batch, future in ahead:
            future.cancel()
