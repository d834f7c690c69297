"""Writers for tagged records: JSONL, CSV and an aligned terminal table; atomic output files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import IO, Any

from .fileio import default_file_mode

__all__ = ["AtomicOutput", "make_writer", "OUTPUT_FORMATS"]

OUTPUT_FORMATS = ("jsonl", "csv", "table")


class AtomicOutput:
    """A text output that appears at its path only when complete (temp file + rename); ``-`` is stdout."""

    def __init__(self, path: str | None) -> None:
        self.path = None if path in (None, "-") else Path(path)
        self._tmp: str | None = None
        self.stream: IO[str]

    def __enter__(self) -> IO[str]:
        if self.path is None:
            self.stream = sys.stdout
            return self.stream
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.fchmod(fd, default_file_mode())
        self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.stream

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path is None:
            self.stream.flush()
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


class _JsonlWriter:
    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.stream = stream

    def write(self, rec: dict[str, Any]) -> None:
        self.stream.write(json.dumps(rec, ensure_ascii=False) + "\n")

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
    """Aligned columns for people: labels, one score per label, the text clipped to the terminal."""

    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.stream = stream
        self.labels = labels
        self.header_done = False
        self.cols = shutil.get_terminal_size((120, 20)).columns

    def write(self, rec: dict[str, Any]) -> None:
        short = {l: l[:5] for l in self.labels}
        if not self.header_done:
            head = f"{'labels':<26}" + "".join(f"{short[l]:>7}" for l in self.labels) + "  text"
            self.stream.write(head + "\n" + "-" * min(self.cols, _width(head) + 40) + "\n")
            self.header_done = True
        labels = ",".join(rec["labels"])
        scores = "".join(f"{rec['scores'].get(l, 0):>7.2f}" for l in self.labels)
        room = max(20, self.cols - 26 - 7 * len(self.labels) - 2)
        self.stream.write(f"{labels:<26}{scores}  {_clip(rec['text'], room)}\n")

    def close(self) -> None:
        pass


def make_writer(fmt: str, stream: IO[str], labels: list[str]):
    """A writer with ``write(record_dict)`` and ``close()`` for an output format."""
    return {"jsonl": _JsonlWriter, "csv": _CsvWriter, "table": _TableWriter}[fmt](stream, labels)
