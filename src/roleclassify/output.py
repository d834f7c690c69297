"""Writers for tagged records: JSONL, CSV and an aligned terminal table; atomic output files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ._json import dumps_line
from .fileio import default_file_mode

__all__ = ["AtomicOutput", "make_writer", "OUTPUT_FORMATS", "arrow_schema", "same_file_among"]

OUTPUT_FORMATS = ("jsonl", "csv", "table", "parquet")
_FIXED = ("id", "text", "labels", "scores", "review", "sentences", "shares")


class AtomicOutput:
    """A text output that appears at its path only when complete (temp file + rename); ``-`` is stdout.

    A symlink is followed (its target is replaced atomically, the link stays); a device or FIFO
    (``/dev/null``, ``/dev/stdout``, a named pipe) is written directly, never replaced by a regular file; an
    existing file keeps its permission bits.
    """

    def __init__(self, path: str | None, *, binary: bool = False) -> None:
        self.path = None if path in (None, "-") else Path(os.path.realpath(path))
        self.binary = binary
        self._tmp: str | None = None
        self._direct = False
        self.stream: IO

    def __enter__(self) -> IO:
        if self.path is None:
            self.stream = sys.stdout.buffer if self.binary else sys.stdout
            return self.stream
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            self._direct = True
            self.stream = open(self.path, "wb" if self.binary else "w", **({} if self.binary else {"encoding": "utf-8", "newline": ""}))  # noqa: SIM115
            return self.stream
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else default_file_mode())
        self.stream = os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.stream

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is None:
            self.stream.flush()
            return
        if self._direct:
            self.stream.close()
            return
        try:
            if exc_type is None:
                self.stream.flush()
                os.fsync(self.stream.fileno())
            self.stream.close()
            if exc_type is None and self._tmp:
                os.replace(self._tmp, self.path)
                self._tmp = None
        finally:
            if self._tmp and os.path.exists(self._tmp):
                os.unlink(self._tmp)

    def discard(self) -> None:
        """Remove the partial output now (used on interrupts)."""
        if self._tmp and os.path.exists(self._tmp):
            os.unlink(self._tmp)


def same_file_among(output: str | None, inputs: Sequence[str]) -> str | None:
    """The input that ``output`` would overwrite (the same file, through any path or symlink), if any."""
    if output in (None, "-") or not os.path.exists(output):
        return None
    for p in inputs:
        if p != "-" and os.path.exists(p):
            try:
                if os.path.samefile(p, output) and stat.S_ISREG(os.stat(p).st_mode):
                    return p
            except OSError:
                continue
    return None


class _JsonlWriter:
    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.stream = stream

    def write(self, rec: dict[str, Any]) -> None:
        self.stream.write(dumps_line(rec))

    def close(self) -> None:
        pass


class _CsvWriter:
    """One row per item: id, text, labels (``;``-joined), a score column per label, then input fields."""

    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.labels = labels
        self.w = csv.writer(stream, lineterminator="\n")
        self.extra: list[str] | None = None

    def write(self, rec: dict[str, Any]) -> None:
        fixed = {"id", "text", "labels", "scores", "sentences", "shares"}
        if self.extra is None:
            self.extra = [k for k in rec if k not in fixed]
            self.w.writerow(["id", "text", "labels", *self.labels, "n_sentences", *self.extra])
        row = [rec["id"], rec["text"], ";".join(rec["labels"])]
        row += [rec["scores"].get(l, "") for l in self.labels]
        row.append(len(rec["sentences"]))
        for k in self.extra:
            v = rec.get(k, "")
            row.append(v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False))
        self.w.writerow(row)

    def close(self) -> None:
        pass


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _clip(s: str, width: int) -> str:
    out, w = [], 0
    for c in s.replace("\n", " / "):
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if w + cw > width - 1:
            out.append("…")
            break
        out.append(c)
        w += cw
    return "".join(out)


class _TableWriter:
    """Aligned columns for people: id, labels (``*`` = flagged for review), one score per label, the text
    clipped to the terminal."""

    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.stream = stream
        self.labels = labels
        self.header_done = False
        self.cols = shutil.get_terminal_size((120, 20)).columns

    def write(self, rec: dict[str, Any]) -> None:
        short = {l: l[:5] for l in self.labels}
        if not self.header_done:
            head = f"{'id':<12} {'labels':<24}" + "".join(f"{short[l]:>7}" for l in self.labels) + "  text"
            self.stream.write(head + "\n" + "-" * min(self.cols, _width(head) + 40) + "\n")
            self.header_done = True
        labels = ",".join(rec["labels"]) + (" *" if rec.get("review") else "")
        scores = "".join(f"{rec['scores'].get(l, 0):>7.2f}" for l in self.labels)
        room = max(20, self.cols - 38 - 7 * len(self.labels) - 2)
        rid = _clip(str(rec["id"]), 12)
        self.stream.write(f"{rid:<12} {labels:<24}{scores}  {_clip(rec['text'], room)}\n")

    def close(self) -> None:
        pass


def arrow_schema(labels: list[str], extra: dict | None = None):
    """The pyarrow schema of tagged output: roleclassify's columns for a model's labels, then the input's
    other columns (``extra``: name -> NumPy/pandas dtype or pyarrow type; object columns are strings)."""
    import pyarrow as pa

    scores = pa.struct([(l, pa.float64()) for l in labels])
    sentence = pa.struct([("text", pa.string()), ("labels", pa.list_(pa.string())), ("scores", scores),
                          ("review", pa.bool_())])
    fields = {
        "id": pa.string(),
        "text": pa.string(),
        "labels": pa.list_(pa.string()),
        "scores": scores,
        "review": pa.bool_(),
        "sentences": pa.list_(sentence),
        "shares": pa.struct([(l, pa.float64()) for l in [*labels, "other"]]),
    }
    for col, dtype in (extra or {}).items():
        if col in fields:
            continue
        if isinstance(dtype, pa.DataType):
            fields[col] = dtype
            continue
        try:
            fields[col] = pa.string() if dtype == object or str(dtype).startswith("string") else pa.from_numpy_dtype(dtype)
        except (TypeError, NotImplementedError, pa.ArrowNotImplementedError):
            fields[col] = pa.string()
    return pa.schema(list(fields.items()))




class _ParquetWriter:
    """Parquet, written in row groups of 2,000 records; input fields keep their types when they can."""

    binary = True

    def __init__(self, stream: IO[bytes], labels: list[str]) -> None:
        self.stream = stream
        self.labels = labels
        self.buffer: list[dict[str, Any]] = []
        self.writer = None
        self.schema = None

    def _row(self, rec: dict[str, Any]) -> dict[str, Any]:
        row = dict(rec)
        row["id"] = str(rec["id"])
        row["sentences"] = [
            {"text": s["text"], "labels": s["labels"], "scores": s["scores"], "review": bool(s.get("review", False))}
            for s in rec["sentences"]
        ]
        return row

    def write(self, rec: dict[str, Any]) -> None:
        self.buffer.append(self._row(rec))
        if len(self.buffer) >= 2000:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.buffer:
            return
        if self.schema is None:
            extra_rows = [{k: v for k, v in r.items() if k not in _FIXED} for r in self.buffer]
            inferred = pa.Table.from_pylist(extra_rows).schema if extra_rows and extra_rows[0] else pa.schema([])
            extra = {f.name: (pa.string() if pa.types.is_null(f.type) else f.type) for f in inferred}
            self.schema = arrow_schema(self.labels, extra)
            self.writer = pq.ParquetWriter(self.stream, self.schema)
        rows = [{k: r.get(k) for k in self.schema.names} for r in self.buffer]
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))
        self.buffer = []

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()


def make_writer(fmt: str, stream: IO, labels: list[str]):
    """A writer with ``write(record_dict)`` and ``close()`` for an output format."""
    return {"jsonl": _JsonlWriter, "csv": _CsvWriter, "table": _TableWriter, "parquet": _ParquetWriter}[fmt](
        stream, labels
    )
