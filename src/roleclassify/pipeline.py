"""Batch tagging of input records, streamed: records in, (record, tagging) pairs out, order kept."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .errors import RecordError
from .model import RoleClassifier, Tagging
from .readers import Record

__all__ = ["tag_records", "output_record"]

_OUTPUT_KEYS = ("id", "text", "labels", "scores", "sentences", "shares")


def tag_records(
    model: RoleClassifier,
    records: Iterable[Record | RecordError],
    *,
    threshold: float | None = None,
    batch_size: int = 512,
) -> Iterator[tuple[Record, Tagging] | RecordError]:
    """Tag records in batches; bad records (``RecordError``) pass through in their place in the stream."""
    batch: list[Record] = []
    for rec in records:
        if isinstance(rec, RecordError):
            if batch:
                yield from zip(batch, model.tag([r.text for r in batch], threshold=threshold))
                batch = []
            yield rec
            continue
        batch.append(rec)
        if len(batch) >= batch_size:
            yield from zip(batch, model.tag([r.text for r in batch], threshold=threshold))
            batch = []
    if batch:
        yield from zip(batch, model.tag([r.text for r in batch], threshold=threshold))


def output_record(record: Record, tagging: Tagging) -> dict[str, Any]:
    """The JSON object written for one tagged record: the tagging, then the input's own fields.

    An input field whose name the output already uses is kept as ``input_<name>``.
    """
    out: dict[str, Any] = {"id": record.id}
    out.update(tagging.to_dict())
    for k, v in record.fields.items():
        out[f"input_{k}" if k in _OUTPUT_KEYS else k] = v
    return out
