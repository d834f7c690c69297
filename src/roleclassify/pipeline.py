"""Batch tagging of input records, streamed: records in, output records out, order kept.

With ``jobs > 1``, worker processes tag small batches (one tokenizer each); a bounded number of batches is in
flight, so memory stays flat however large the input, and results are written in input
order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any

from .errors import InputError, RecordError, option
from .io._json import dumps_line
from .io.output import input_name_pairs
from .io.readers import Record
from .model import RoleClassifier, Tagging

__all__ = ["tag_records", "tag_stream", "output_record", "join_keys", "limited", "first_text_name"]



def output_record(record: Record, tagging: Tagging) -> dict[str, Any]:
    """The JSON object written for one tagged record: the tagging, then the input's own fields.

    An input field never overwrites the model's values: a field named like an output key (whether or not
    this record has that key) is kept as ``input_<name>`` (:func:`roleclassify.io.output.input_names`).
    """
    return _record_dict(record, tagging.to_dict())


def _record_dict(record: Record, tagged: dict[str, Any]) -> dict[str, Any]:
    """:func:`output_record` from the tagging's dict (:meth:`RoleClassifier.tag_dicts`)."""
    out: dict[str, Any] = {"id": record.id}
    out.update(tagged)
    out.update((name, record.fields[k]) for k, name in input_name_pairs(record.fields))
    return out


def _tagged_outputs(
    model: RoleClassifier, batch: list[Record | RecordError], as_json: bool, options: dict[str, Any]
) -> list[dict[str, Any] | str | RecordError]:
    """The output records of a batch (JSON lines with ``as_json``), bad records in place: :func:`tag_records`
    and :func:`output_record` in one step, from :meth:`RoleClassifier.tag_dicts`."""
    good = [r for r in batch if not isinstance(r, RecordError)]
    tagged = iter(model.tag_dicts([r.text for r in good], **options))
    out: list[dict[str, Any] | str | RecordError] = []
    for r in batch:
        if isinstance(r, RecordError):
            out.append(r)
            continue
        rec = _record_dict(r, next(tagged))
        out.append(dumps_line(rec) if as_json else rec)
    return out


# ------------------------------------------------------------------ joining results back to the input
def join_keys(
    records: Iterable[Record | RecordError],
    *,
    id_key: str | None = None,
    id_param: str = "id_column",
    columns: Sequence[str] | None = None,
) -> Iterator[Record | RecordError]:
    """The records of one input, made ready to be joined back to it: each record's ``id`` taken from its
    field ``id_key`` (the field is kept too), and only the input fields ``columns`` carried over, in that
    order (``None``: all of them).

    Without ``id_key`` the ids are the input's own (its ``id`` column or field, else each record's location);
    a record whose own id is blank is reported and skipped as well.

    The first record decides whether the input has what was asked for: without field ``id_key``, or without
    a field ``columns`` names, the input is refused with an :class:`~roleclassify.errors.InputError` naming
    its fields (``id_param`` is the parameter named in that message: ``id_column`` or ``id_field``). A later
    record without the id, or with an empty one (blank cell, JSON null), is reported as a
    :class:`~roleclassify.errors.RecordError` and skipped: a result without the user's id cannot be joined
    back. Ids are not checked for uniqueness. The text and the id are always written; naming them in
    ``columns`` is allowed.
    """
    first = True
    for rec in records:
        if isinstance(rec, RecordError):
            yield rec
            continue
        if id_key is None and _blank(rec.id):  # the input's own id column or field, empty in this record
            yield RecordError(rec.location, "empty 'id' (a blank cell or null): its result could not be joined "
                                            "back to the input; record skipped")
            continue
        if id_key is None and columns is None:
            yield rec
            continue
        if first:
            _check_fields(rec, id_key, id_param, columns)
            first = False
        if id_key is not None:
            problem = _take_id(rec, id_key, id_param)
            if problem is not None:
                yield problem
                continue
        if columns is not None:
            rec.fields = {k: rec.fields[k] for k in columns if k in rec.fields}
        yield rec


def _kind(param: str) -> str:
    return "field" if param.endswith("field") else "column"


def _names(rec: Record) -> str:
    """The input's field names, for messages (its text column too: the reader took it out of the fields)."""
    names = [*map(str, rec.fields), *([rec.text_name] if rec.text_name else [])]
    return ", ".join(names) or "none"


def _has(rec: Record, key: str) -> bool:
    """Whether the input has field ``key``: among its fields, its text column, or the readers' own ``id``
    (taken out of the fields: there unless the id is the record's location)."""
    return key in rec.fields or key == rec.text_name or (key == "id" and rec.id != rec.location)


def _check_fields(rec: Record, id_key: str | None, id_param: str, columns: Sequence[str] | None) -> None:
    """Refuse an input whose first record lacks the id field or a selected field."""
    kind = _kind(id_param)
    if id_key is not None and not _has(rec, id_key):
        raise InputError(f"{rec.location}: no {id_key!r} {kind} for {option(id_param)} "
                         f"({kind}s: {_names(rec)})")
    unknown = [c for c in columns or () if not _has(rec, c) and c not in ("id", "text")]
    if unknown:
        raise InputError(f"{rec.location}: no {', '.join(map(repr, unknown))} {kind} for {option('columns')} "
                         f"({kind}s: {_names(rec)})")


def _blank(value: Any) -> bool:
    """Whether an id is empty: None, NaN, pandas' NA or a blank string."""
    return value is None or value != value or (isinstance(value, str) and not value.strip()) \
        or type(value).__name__ == "NAType"


def _take_id(rec: Record, id_key: str, id_param: str) -> RecordError | None:
    """Set ``rec.id`` from its field ``id_key``; the error to report when the record has no usable id."""
    kind = _kind(id_param)
    if not _has(rec, id_key):
        return RecordError(rec.location, f"no {id_key!r} {kind} for the id ({option(id_param)}); record skipped")
    value = rec.fields.get(id_key, rec.text if id_key == rec.text_name else rec.id)
    if _blank(value):
        return RecordError(rec.location, f"empty {kind} {id_key!r} for the id ({option(id_param)}); "
                                         "record skipped")
    rec.id = value
    return None


def limited(records: Iterable[Record | RecordError], limit: int | None) -> Iterator[Record | RecordError]:
    """The records up to the ``limit``-th good one (bad ones before it pass through); the input is not read
    further. ``None``: all."""
    if limit is None:
        yield from records
        return
    if limit <= 0:
        return
    n = 0
    it = iter(records)
    for rec in it:
        yield rec
        if not isinstance(rec, RecordError):
            n += 1
            if n >= limit:
                break
    close = getattr(it, "close", None)
    if close is not None:
        close()  # the readers' files are closed now, not when the generator is collected


def first_text_name(
    records: Iterable[Record | RecordError],
) -> tuple[str | None, Iterator[Record | RecordError]]:
    """The text column's name of the first good record (None if it has none, or no record is good), and the
    records, all of them still to come. Reads up to that first good record."""
    it = iter(records)
    head: list[Record | RecordError] = []
    for rec in it:
        head.append(rec)
        if not isinstance(rec, RecordError):
            return rec.text_name, chain(head, it)
    return None, iter(head)


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


def _work(batch: list[Record | RecordError], as_json: bool = False) -> list[dict[str, Any] | str | RecordError]:
    """Tag a batch in a worker; with ``as_json`` the records come back as JSON lines, serialised here in
    parallel rather than in the parent (and cheaper to send back than nested dicts)."""
    assert _MODEL is not None
    return _tagged_outputs(_MODEL, batch, as_json, _OPTIONS)


def start_method() -> str:
    """How worker processes start: ``fork`` while this process runs no other thread (cheap: the workers inherit
    the loaded model); otherwise ``forkserver`` (or ``spawn``), because a fork taken while another thread holds a
    lock (a Dask client's event loop, a progress bar's monitor, an application's threads) can leave the worker
    waiting on that lock for ever."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


#: Records per batch sent to a worker process, and batches in flight per worker.
_PARALLEL_BATCH = 64
_IN_FLIGHT = 4


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
        for batch in _batches(records, batch_size, waiting):
            yield from _tagged_outputs(model, batch, as_json, options)
        return
    yield from _tag_in_parallel(model, records, min(batch_size, _PARALLEL_BATCH), jobs, as_json, options)


def _tag_in_parallel(
    model: RoleClassifier, records: Iterable[Record | RecordError], batch_size: int, jobs: int, as_json: bool,
    options: dict[str, Any],
) -> Iterator[dict[str, Any] | str | RecordError]:
    """:func:`tag_stream` with ``jobs`` worker processes. Small batches keep every worker busy to the end of the
    input; at most ``_IN_FLIGHT`` batches per worker wait, so memory stays bounded; output keeps input order.
    (Tagging batches in this process too, beside ``jobs - 1`` workers, was measured no faster, and a signal then
    arrives while this process is inside the pool's machinery.)"""
    ctx = mp.get_context(start_method())
    model.tokenizer = None  # each worker builds its own SudachiPy tokenizer
    if ctx.get_start_method() == "fork":
        model.prepare()  # the compiled kernel's tables built once here, shared with the workers by fork
    pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(model, options))
    pending: deque = deque()
    try:
        for batch in _batches(records, batch_size):
            pending.append(pool.apply_async(_work, (batch, as_json)))
            while len(pending) >= _IN_FLIGHT * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
    except BaseException:
        _kill_pool(pool)
        raise
    pool.close()
    pool.join()


def _kill_pool(pool: Any) -> None:
    """Stop a pool at once (an interrupt, an error, a consumer that stopped early). Not ``Pool.terminate()``:
    CPython's terminate stops its result thread reading and then sends that thread a sentinel through the result
    pipe, which waits for the pipe's lock; a worker caught writing a result bigger than the pipe holds that lock
    and waits for the reader, so both wait for ever (seen under load: Ctrl-C left `tag --jobs 2` hanging). Here
    the workers are killed, the pool's own stopping (its finalizer, which would run at exit and hang the same
    way) is cancelled, and its threads, daemons, end with the process."""
    from multiprocessing.pool import TERMINATE

    handler = getattr(pool, "_worker_handler", None)
    if handler is not None:
        handler._state = TERMINATE  # no replacements for the workers killed below
    workers = list(getattr(pool, "_pool", ()))
    for w in workers:
        if w.exitcode is None:
            w.kill()
    for w in workers:
        w.join(5)
    finalizer = getattr(pool, "_terminate", None)
    if finalizer is not None and hasattr(finalizer, "cancel"):
        finalizer.cancel()
    else:  # pragma: no cover - a Pool without the internals above: its own way
        pool.terminate()
