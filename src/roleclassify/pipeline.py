"""Batch tagging of input records, streamed: records in, output records out, order kept.

With ``jobs > 1`` batches go to worker processes (one tokenizer each); at most ``2 * jobs`` batches are in
flight, so memory stays flat however large the input, and results are written in input order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from .errors import RecordError
from .io._json import dumps_line
from .io.output import input_name_pairs
from .io.readers import Record
from .model import RoleClassifier, Tagging

__all__ = ["tag_records", "tag_stream", "output_record"]



def output_record(record: Record, tagging: Tagging) -> dict[str, Any]:
    """The JSON object written for one tagged record: the tagging, then the input's own fields.

    An input field never overwrites the model's values: a field named like an output key (whether or not
    this record has that key) is kept as ``input_<name>`` (:func:`roleclassify.io.output.input_names`).
    """
    out: dict[str, Any] = {"id": record.id}
    out.update(tagging.to_dict())
    out.update((name, record.fields[k]) for k, name in input_name_pairs(record.fields))
    return out


def tag_records(
    model: RoleClassifier,
    records: Iterable[Record | RecordError],
    *,
    batch_size: int = 512,
    waiting: Callable[[], bool] | None = None,
    **options: Any,
) -> Iterator[tuple[Record, Tagging] | RecordError]:
    """Tag records in batches in this process; bad records (``RecordError``) pass through in place.

    ``options`` go to :meth:`RoleClassifier.tag` (threshold, explain, review); ``waiting`` ends a batch early
    when no more input has arrived (see :func:`_batches`).
    """
    for batch in _batches(records, batch_size, waiting):
        good = [r for r in batch if not isinstance(r, RecordError)]
        tags = iter(model.tag([r.text for r in good], **options))
        for r in batch:
            yield r if isinstance(r, RecordError) else (r, next(tags))


def _batches(records: Iterable, size: int, waiting: Callable[[], bool] | None = None) -> Iterator[list]:
    """Batches of up to ``size`` records; with ``waiting`` (true when the next record would have to wait for
    input, as on a pipe fed by `tail -f`), a batch also ends as soon as no more input has arrived."""
    it = iter(records)
    if waiting is None:
        while True:
            batch = list(islice(it, size))
            if not batch:
                return
            yield batch
    batch = []
    for rec in it:
        batch.append(rec)
        if len(batch) >= size or waiting():
            yield batch
            batch = []
    if batch:
        yield batch


# ------------------------------------------------------------------ worker processes
_MODEL: RoleClassifier | None = None
_OPTIONS: dict[str, Any] = {}


def _init_worker(model: RoleClassifier, options: dict[str, Any]) -> None:
    global _MODEL, _OPTIONS
    # the parent handles Ctrl-C / SIGTERM and terminates the pool; workers must not print tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _MODEL, _OPTIONS = model, options


def _output(item: tuple[Record, Tagging] | RecordError, as_json: bool) -> dict[str, Any] | str | RecordError:
    """A tagged record as its output record (a JSON line with ``as_json``); a bad record as it is."""
    if isinstance(item, RecordError):
        return item
    rec = output_record(*item)
    return dumps_line(rec) if as_json else rec


def _work(batch: list[Record | RecordError], as_json: bool = False) -> list[dict[str, Any] | str | RecordError]:
    """Tag a batch in a worker; with ``as_json`` the records come back as JSON lines, serialised here in
    parallel rather than in the parent (and cheaper to send back than nested dicts)."""
    assert _MODEL is not None
    return [_output(item, as_json) for item in tag_records(_MODEL, batch, batch_size=max(1, len(batch)), **_OPTIONS)]


def tag_stream(
    model: RoleClassifier,
    records: Iterable[Record | RecordError],
    *,
    batch_size: int = 512,
    jobs: int = 1,
    as_json: bool = False,
    waiting: Callable[[], bool] | None = None,
    **options: Any,
) -> Iterator[dict[str, Any] | str | RecordError]:
    """Output records for input records, in input order; bad records pass through.

    Records are dicts, or JSON lines (with their newline) when ``as_json``. ``jobs`` worker processes tag
    batches in parallel (``0`` = one per CPU core); ``options`` go to :meth:`RoleClassifier.tag`.
    """
    if jobs == 0:
        jobs = os.cpu_count() or 1
    if jobs <= 1:
        for item in tag_records(model, records, batch_size=batch_size, waiting=waiting, **options):
            yield _output(item, as_json)
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    model.tokenizer = None  # each worker builds its own SudachiPy tokenizer
    pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(model, options))
    pending: deque = deque()
    try:
        for batch in _batches(records, batch_size):
            pending.append(pool.apply_async(_work, (batch, as_json)))
            while len(pending) >= 2 * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
