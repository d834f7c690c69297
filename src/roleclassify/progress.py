"""Progress on stderr for long runs: a tqdm bar, with percent and ETA when the inputs' items can be counted."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, ContextManager

__all__ = ["Progress", "expected_items"]

#: Formats whose items can be counted from the file before tagging: one item per line (``txt``, ``jsonl``), one
#: per line after the header (``csv``, ``tsv``), the row count in the file's metadata (``parquet``).
_LINE_FORMATS = {"txt": 0, "jsonl": 0, "csv": 1, "tsv": 1}
_SUFFIX_FORMAT = {".txt": "txt", ".text": "txt", ".md": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl",
                  ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-16 LE's starts UTF-32 LE's
_CHUNK = 1 << 20


class Progress:
    """A progress bar on stderr (tqdm), on by default when stderr is a terminal and the results are not
    being written to that same terminal.

    ``total`` (the number of items expected, or a function that counts them, called only when the bar is
    drawn) turns the counter into a bar with percent and ETA; without it the bar counts items and shows the
    rate. Messages during the run go through :meth:`message`, which clears the bar, prints, and redraws it;
    when the bar is forced on while records stream to the same terminal, :meth:`writing` does the same around
    each write. The bar is removed at the end; the caller prints the summary. A ``Progress(False)`` counts
    without drawing, and its messages still go to stderr. ``lang="ja"`` labels the bar in Japanese (判定, 件),
    as ``tag --lang ja`` words its summary.
    """

    def __init__(self, enabled: bool | None = False, what: str = "items", *, output_on_terminal: bool = False,
                 total: int | Callable[[], int | None] | None = None, lang: str = "en") -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not output_on_terminal
        self.enabled = enabled
        self.shared = enabled and output_on_terminal
        self.what = what
        self.n = 0
        self.total: int | None = None
        self.t0 = time.perf_counter()
        self.bar: Any = None
        if enabled:  # tqdm is imported only when a bar is drawn (it adds 90 ms to start-up)
            from tqdm import tqdm

            self.total = total() if callable(total) else total
            desc, unit = ("判定", " 件") if lang == "ja" else ("tagged", f" {what}")
            self.bar = tqdm(desc=desc, unit=unit, total=self.total, file=sys.stderr, leave=False,
                            mininterval=0.5, dynamic_ncols=True)

    def tick(self, k: int = 1) -> None:
        """``k`` items done (counted in :attr:`n`)."""
        self.n += k
        if self.bar is not None:
            self.bar.update(k)

    def skip(self, k: int = 1) -> None:
        """``k`` items read but not done (a bad record): the bar moves on, :attr:`n` does not."""
        if self.bar is not None:
            self.bar.update(k)

    @property
    def seconds(self) -> float:
        """Seconds since the meter started."""
        return time.perf_counter() - self.t0

    def message(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=sys.stderr)
        else:
            print(msg, file=sys.stderr, flush=True)

    def writing(self) -> ContextManager[Any]:
        """A context for writing a record to a terminal the bar is drawn on."""
        if self.shared and self.bar is not None:
            return self.bar.external_write_mode(file=sys.stderr)
        return contextlib.nullcontext()

    def close(self) -> None:
        """Remove the bar (also when the run stops on an error, so the message starts a clean line)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def done(self) -> None:
        self.close()


def expected_items(paths: Sequence[str], *, input_format: str = "auto", unit: str = "line") -> int | None:
    """How many items reading ``paths`` should give, or None when that cannot be told beforehand (stdin, a
    pipe, a glob, a missing file, Excel, HTML, Word, PDF, UTF-16 text).

    An upper bound, exact for the usual files: lines of text and JSONL files (blank lines are counted though
    they give no item), lines after the header of CSV / TSV files (a line break inside a quoted cell counts
    as a row), one item per text file with ``unit="document"``, Parquet's row count; a ``.gz`` file is counted
    as what it holds. Each file is read once more for this (about 1 s per GB), so call it only for a bar.
    """
    total = 0
    for path in paths:
        n = _file_items(path, input_format, unit)
        if n is None:
            return None
        total += n
    return total


def _file_items(path: str, input_format: str, unit: str) -> int | None:
    try:
        if path == "-" or not os.path.isfile(path):  # stdin, a pipe or device, a glob, a missing file
            return None
    except (OSError, ValueError):
        return None
    name = path[:-3] if path.lower().endswith(".gz") else path
    fmt = input_format if input_format != "auto" else _SUFFIX_FORMAT.get(os.path.splitext(name)[1].lower())
    if fmt == "parquet" and name == path:
        return _parquet_rows(path)
    if fmt not in _LINE_FORMATS:
        return None
    if fmt == "txt" and unit == "document":
        return 1
    try:
        with (gzip.open(path, "rb") if name != path else open(path, "rb")) as f:
            lines = _count_lines(f.read)
    except (OSError, EOFError, ValueError):
        return None
    return None if lines is None else max(0, lines - _LINE_FORMATS[fmt])


def _count_lines(read: Callable[[int], bytes]) -> int | None:
    """Lines of a byte stream (read by ``read``) as the readers split them (at \\r\\n, \\r or \\n; a last line without a break
    counts); None for UTF-16 / UTF-32 text, whose line breaks are not single bytes."""
    first = True
    breaks = 0
    prev_cr = False
    last = b""
    while chunk := read(_CHUNK):
        if first and chunk.startswith(_WIDE_BOMS):
            return None
        first = False
        # \r\n is one break; one split across two chunks is caught by prev_cr
        breaks += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n") - (prev_cr and chunk[:1] == b"\n")
        prev_cr = chunk[-1:] == b"\r"
        last = chunk[-1:]
    return breaks + (last not in (b"", b"\n", b"\r"))


def _parquet_rows(path: str) -> int | None:
    try:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # not installed or not a Parquet file: the reader reports it  # noqa: BLE001
        return None
