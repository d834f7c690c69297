"""Writers for tagged records: JSONL, CSV and an aligned terminal table; atomic output files."""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import io
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Collection, Hashable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError, option
from ..labels import display_label
from ._json import dumps_line
from .display import cell_width, clip, clip_left, fit, pad, printable
from .fileio import default_file_mode

__all__ = ["AtomicOutput", "make_writer", "OUTPUT_FORMATS", "SUFFIX_FORMATS", "BINARY_FORMATS", "RECORD_KEYS",
           "DUTY_KEYS", "OUTPUT_KEYS", "input_names", "input_name_pairs", "arrow_schema", "same_file_among"]


def _header(key: str, lang: str) -> str:
    return _HEADERS_JA.get(key, key) if lang == "ja" else key


def _text_header(text_name: str | None, lang: str, taken: Iterable[str]) -> str:
    """The text column's header: the input's own name for it (so results join back to the input), unless it
    has none, is the generic ``text`` (then ``--lang`` names it) or is taken by another column."""
    if text_name and text_name != "text" and text_name not in set(taken):
        return text_name
    return _header("text", lang)


def _id_cell(value: Any) -> Any:
    """An id as an Excel cell: a number stays a number (a lookup against the user's numeric ids matches)."""
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else str(value)

OUTPUT_FORMATS = ("jsonl", "json", "csv", "tsv", "xlsx", "table", "parquet")
#: Output format by the suffix of ``-o``; a suffix not listed is a usage error, never silent JSONL.
SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
                  ".tab": "tsv", ".xlsx": "xlsx", ".txt": "table", ".parquet": "parquet"}
#: Formats written as bytes.
BINARY_FORMATS = frozenset({"parquet", "xlsx"})
_HEADERS_JA = {"id": "ID", "text": "テキスト", "labels": "判定", "n_sentences": "文数", "review": "要確認",
               "sentence": "文", "item": "項目ID", "duties": "業務"}
#: The columns every output record has, in order (``shares`` only for items of several sentences); any other
#: key is an input field passed through, or ``explain``.
RECORD_KEYS = ("id", "text", "labels", "scores", "review", "sentences", "shares")
#: The keys a model with a duty head adds to every record.
DUTY_KEYS = ("duties",)
#: Every key roleclassify writes for a record (an input field of one of these names is kept as ``input_<name>``).
OUTPUT_KEYS = (*RECORD_KEYS, *DUTY_KEYS, "explain")
#: Keys of a record that are roleclassify's own, not the input's fields.
_OWN_KEYS = frozenset((*RECORD_KEYS, *DUTY_KEYS))


@functools.lru_cache(maxsize=64)
def _names_of(fields: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in input_names(fields).items())


def input_name_pairs(fields: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """:func:`input_names` as (field, written name) pairs, cached: records of one input share their fields."""
    return _names_of(tuple(fields))


def input_names(fields: Iterable[Hashable], reserved: Collection[Hashable] = OUTPUT_KEYS) -> dict[Hashable, Hashable]:
    """The name each input field (or column) is written under, in output order: its own, or for one named like
    an output key (of ``reserved``) ``input_<name>``, prefixed again while the name is still taken (an input's
    own ``input_review`` keeps its name and its ``review`` becomes ``input_input_review``).

    >>> input_names(["review", "input_review", "site"])
    {'input_review': 'input_review', 'site': 'site', 'review': 'input_input_review'}
    """
    fields = list(fields)
    names: dict[Hashable, Hashable] = {k: k for k in fields if k not in reserved}
    taken = set(names)
    for k in fields:
        if k in reserved:
            name = f"input_{k}"
            while name in taken:
                name = f"input_{name}"
            names[k] = name
            taken.add(name)
    return names


class AtomicOutput:
    """A text output that appears at its path only when complete (temp file + rename); ``-`` is stdout.

    A symlink is followed (its target is replaced atomically, the link stays); a device or FIFO
    (``/dev/null``, ``/dev/stdout``, a named pipe) is written directly, never replaced by a regular file; an
    existing file keeps its permission bits.
    """

    def __init__(self, path: str | None, *, binary: bool = False, encoding: str = "utf-8") -> None:
        self.path = None if path in (None, "-") else Path(os.path.realpath(path))
        self.binary = binary
        self.encoding = encoding
        # CP932 lacks many characters (emoji, some kanji variants): written as ? rather than failing mid-file
        self.errors = "replace" if encoding.replace("_", "").lower() in ("cp932", "shiftjis", "sjis") else "strict"
        self._tmp: str | None = None
        self._direct = False
        self.stream: IO

    def __enter__(self) -> IO:
        if self.path is None:
            if self.binary:
                self.stream = sys.stdout.buffer
            elif self.encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
                sys.stdout.flush()
                self.stream = io.TextIOWrapper(sys.stdout.buffer, encoding=self.encoding, errors=self.errors,
                                               newline="", write_through=True)
            else:
                self.stream = sys.stdout
            return self.stream
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        self._existed = st is not None
        text_options: dict[str, Any] = {} if self.binary else {"encoding": self.encoding, "errors": self.errors, "newline": ""}
        try:
            if st is not None and not stat.S_ISREG(st.st_mode):
                self._direct = True
                self.stream = open(self.path, "wb" if self.binary else "w", **text_options)
                return self.stream
            if not self.path.parent.is_dir():
                # a typo in the path should not make directories nobody meant (cp, csvkit and sqlite-utils don't)
                raise FileNotFoundError(errno.ENOENT, f"no directory {self.path.parent}; create it first")
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as e:
            raise self._failure(e) from None
        os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else default_file_mode())
        self.stream = os.fdopen(fd, "wb" if self.binary else "w", **text_options)
        return self.stream

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        # a write that failed inside the ``with`` body (full disk, I/O error) is reported like one here
        failed = exc if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) else None
        try:
            if self.path is None:
                self.stream.flush()
                if self.stream is not sys.stdout and isinstance(self.stream, io.TextIOWrapper):
                    self.stream.detach()  # the wrapper for another encoding: closing it would close stdout
            elif self._direct:
                self.stream.close()
            else:
                try:
                    if exc_type is None:
                        self.stream.flush()
                        os.fsync(self.stream.fileno())
                    self.stream.close()
                    if exc_type is None and self._tmp:
                        os.replace(self._tmp, self.path)
                        self._tmp = None
                finally:
                    self.discard()
        except BrokenPipeError:
            raise
        except OSError as e:
            failed = failed or e
        if failed is not None:
            raise self._failure(failed) from None

    def _failure(self, e: OSError) -> OutputError:
        self.discard()
        where = "<stdout>" if self.path is None else str(self.path)
        reason = e.strerror or str(e)
        if self.path is None or self._direct:
            kept = ""
        elif getattr(self, "_existed", False):
            kept = "; the existing file is unchanged"
        else:
            kept = "; nothing was written"
        return OutputError(f"{where}: cannot write ({reason}){kept}")

    def discard(self) -> None:
        """Remove the partial output now (used on interrupts and failed writes)."""
        if self._tmp and os.path.exists(self._tmp):
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
        self._tmp = None


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


class _JsonWriter:
    """One JSON array of the records, one record per line (what a JSON parser or ``pandas.read_json`` reads
    whole; JSON Lines is the stream), written as they come: memory stays bounded."""

    def __init__(self, stream: IO[str], labels: list[str]) -> None:
        self.stream = stream
        self.n = 0

    def write(self, rec: dict[str, Any]) -> None:
        self.stream.write(("[\n" if not self.n else ",\n") + dumps_line(rec)[:-1])
        self.n += 1

    def close(self) -> None:
        self.stream.write("\n]\n" if self.n else "[]\n")


def _note_late(late: dict[str, int], rec: dict[str, Any], known: list[str], n: int) -> None:
    """Remember the input fields of record ``n`` that the header (written from the first record) lacks."""
    for k in rec:
        if k not in _OWN_KEYS and k not in known:
            late.setdefault(k, n)


def _report_late(late: dict[str, int]) -> None:
    """Say on stderr which fields came too late for a header-first format to hold them."""
    if late:
        first = ", ".join(f"{k!r} (record {n})" for k, n in list(late.items())[:5])
        sys.stderr.write(f"roleclassify: field(s) first seen after the header was written are not in the output: "
                         f"{first}; write {option('fmt', 'jsonl')} to keep every field\n")


def _duty_cell(rec: dict[str, Any], names: dict[str, str] | None) -> str:
    """A record's duties as one cell: ``;``-joined ids (or the names ``names`` gives them)."""
    return ";".join((names or {}).get(d["duty"], d["duty"]) for d in rec.get("duties") or ())


class _CsvWriter:
    """One row per item: id, text, labels (``;``-joined), a score column per label, review, the number of
    sentences, the duties (``;``-joined, for a model with a duty head), then the input's fields. Fields first
    seen after the header was written cannot get a column: they are reported on stderr when the output is
    closed (use JSONL to keep them)."""

    def __init__(self, stream: IO[str], labels: list[str], *, lang: str = "en", delimiter: str = ",",
                 text_name: str | None = None, duty_names: dict[str, str] | None = None) -> None:
        self.labels = labels
        self.lang = lang
        self.text_name = text_name
        self.duty_names = duty_names
        self.duties = False
        self.w = csv.writer(stream, lineterminator="\n", delimiter=delimiter)
        self.extra: list[str] | None = None
        self.late: dict[str, int] = {}
        self.n = 0

    def write(self, rec: dict[str, Any]) -> None:
        self.n += 1
        if self.extra is None:
            self.extra = [k for k in rec if k not in _OWN_KEYS]
            self.duties = "duties" in rec
            rest = [_header("labels", self.lang), *(display_label(l, self.lang) for l in self.labels),
                    _header("review", self.lang), _header("n_sentences", self.lang),
                    *([_header("duties", self.lang)] if self.duties else []), *self.extra]
            head = _header("id", self.lang)
            self.w.writerow([head, _text_header(self.text_name, self.lang, [head, *rest]), *rest])
        _note_late(self.late, rec, self.extra, self.n)
        row = [rec["id"], rec["text"], ";".join(display_label(l, self.lang) for l in rec["labels"])]
        row += [rec["scores"].get(l, "") for l in self.labels]
        flagged = bool(rec.get("review"))
        # in Japanese a flag is ○ or empty, as a 分掌表 or checklist marks it (True/False read as English words)
        row += [("○" if flagged else "") if self.lang == "ja" else flagged, len(rec["sentences"])]
        if self.duties:
            row.append(_duty_cell(rec, self.duty_names))
        for k in self.extra:
            v = rec.get(k, "")
            row.append(v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, ensure_ascii=False))
        self.w.writerow(row)

    def close(self) -> None:
        _report_late(self.late)


#: The most characters an Excel cell holds.
EXCEL_CELL_CHARS = 32_767


class _XlsxWriter:
    """A real workbook, streamed (openpyxl write-only: bounded memory for a million rows): sheet ``results``
    (one row per item: the input's id, text and fields first, then labels, a score per label, review and the
    number of sentences; frozen header, auto-filter, widths that fit Japanese text) and sheet ``sentences`` (one row per sentence)."""

    binary = True

    def __init__(self, stream: IO[bytes], labels: list[str], *, lang: str = "en", text_name: str | None = None,
                 duty_names: dict[str, str] | None = None) -> None:
        from openpyxl import Workbook

        self.stream = stream
        self.labels = labels
        self.lang = lang
        self.text_name = text_name
        self.duty_names = duty_names
        self.duties = False
        self.wb = Workbook(write_only=True)
        self.items = self.wb.create_sheet("結果" if lang == "ja" else "results")
        self.sents = self.wb.create_sheet("文ごと" if lang == "ja" else "sentences")
        self.extra: list[str] | None = None
        self.late: dict[str, int] = {}
        self.n = 0
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        self._cell = WriteOnlyCell
        self._wrap = Alignment(wrap_text=True, vertical="top")  # the text cells' style
        self._cut: int | None = None  # the first record whose text a cell could not hold

    def _start(self, rec: dict[str, Any]) -> None:
        from openpyxl.utils import get_column_letter

        self.extra = [k for k in rec if k not in _OWN_KEYS]
        self.duties = "duties" in rec
        duty_head = [_header("duties", self.lang)] if self.duties else []
        # the input's columns first (its id, its text under its own name, its other columns), then the results
        head = [_header("id", self.lang), *self.extra, _header("labels", self.lang),
                *(display_label(l, self.lang) for l in self.labels), _header("review", self.lang),
                _header("n_sentences", self.lang), *duty_head]
        head.insert(1, _text_header(self.text_name, self.lang, head))
        widths = [24, 60, *(max(10, min(40, cell_width(str(rec.get(k, ""))) + 2)) for k in self.extra), 18,
                  *([12] * len(self.labels)), 8, 8, *([30] * len(duty_head))]
        for i, w in enumerate(widths, 1):
            self.items.column_dimensions[get_column_letter(i)].width = w
        self.items.freeze_panes = "A2"
        self.items.auto_filter.ref = f"A1:{get_column_letter(len(head))}1"
        self.items.append(head)
        shead = [_header("item", self.lang), _header("sentence", self.lang), _header("labels", self.lang),
                 *(display_label(l, self.lang) for l in self.labels), _header("review", self.lang), *duty_head]
        for i, w in enumerate([24, 60, 18, *([12] * len(self.labels)), 8, *([30] * len(duty_head))], 1):
            self.sents.column_dimensions[get_column_letter(i)].width = w
        self.sents.freeze_panes = "A2"
        self.sents.append(shead)

    def write(self, rec: dict[str, Any]) -> None:
        self.n += 1
        if self.extra is None:
            self._start(rec)
        assert self.extra is not None
        _note_late(self.late, rec, self.extra, self.n)
        names = lambda ls: ";".join(display_label(l, self.lang) for l in ls)
        row = [_id_cell(rec["id"]), self._wrapped(self.items, rec["text"])]
        for k in self.extra:
            v = rec.get(k)
            row.append(v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v, ensure_ascii=False))
        row += [names(rec["labels"]), *(rec["scores"].get(l) for l in self.labels), bool(rec.get("review")),
                len(rec["sentences"])]
        duties = [_duty_cell(rec, self.duty_names)] if self.duties else []
        self.items.append(row + duties)
        for snt in rec["sentences"]:
            self.sents.append([_id_cell(rec["id"]), self._wrapped(self.sents, snt["text"]), names(snt["labels"]),
                               *(snt["scores"].get(l) for l in self.labels), bool(snt.get("review")),
                               *([_duty_cell(snt, self.duty_names)] if self.duties else [])])

    def _wrapped(self, sheet: Any, text: str) -> Any:
        """A text cell that wraps within its column and starts at the top, so a job description of many lines
        reads as one in Excel instead of running out of its cell on one line. A text longer than a cell holds
        is cut (by openpyxl, as Excel would refuse it) and counted, to be reported."""
        if len(text) > EXCEL_CELL_CHARS and self._cut is None:
            self._cut = self.n
        cell = self._cell(sheet, value=text)
        cell.alignment = self._wrap
        return cell

    def close(self) -> None:
        if self.extra is None:  # no records: still a workbook with its headers
            self._start({})
        self.wb.save(self.stream)
        _report_late(self.late)
        if self._cut is not None:
            sys.stderr.write(f"roleclassify: warning: a text longer than an Excel cell's {EXCEL_CELL_CHARS:,} "
                             f"characters is cut in the workbook (first at record {self._cut}); write "
                             f"{option('fmt', 'jsonl')} or CSV to keep it whole\n")


class _TableWriter:
    """Aligned columns for people: id, labels (``*`` = flagged for review), one score per label, the text
    clipped to the terminal."""

    def __init__(self, stream: IO[str], labels: list[str], *, lang: str = "en") -> None:
        self.stream = stream
        self.labels = labels
        self.lang = lang
        self.header_done = False
        self.cols = shutil.get_terminal_size((120, 20)).columns

    def write(self, rec: dict[str, Any]) -> None:
        short = {l: fit(display_label(l, self.lang), 6) for l in self.labels}
        if not self.header_done:
            head = (pad(_header("id", self.lang), 12) + " " + pad(_header("labels", self.lang), 24)
                    + "".join(pad(short[l], 7, right=True) for l in self.labels) + "  " + _header("text", self.lang))
            self.stream.write(head + "\n" + "-" * min(self.cols, cell_width(head) + 40) + "\n")
            self.header_done = True
        labels = ",".join(display_label(l, self.lang) for l in rec["labels"]) + (" *" if rec.get("review") else "")
        scores = "".join(f"{rec['scores'].get(l, 0):>7.2f}" for l in self.labels)
        room = max(20, self.cols - 38 - 7 * len(self.labels) - 2)
        rid = clip_left(printable(str(rec["id"])), 12)  # the end of a location id is its line: keep it
        text = clip(" ".join(printable(rec["text"]).split("\t")).replace("\n", " "), room)  # one line, aligned
        self.stream.write(f"{pad(rid, 12)} {pad(labels, 24)}{scores}  {text}\n")

    def close(self) -> None:
        pass


def arrow_schema(labels: list[str], extra: dict[str, Any] | None = None, *, duties: bool = False) -> Any:
    """The pyarrow schema of tagged output: roleclassify's columns for a model's labels (with ``duties``, the
    duty lists of items and sentences too), then the input's other columns (``extra``: name -> NumPy/pandas
    dtype or pyarrow type; object columns are strings)."""
    import pyarrow as pa

    scores = pa.struct([(l, pa.float64()) for l in labels])
    duty_list = pa.list_(pa.struct([("duty", pa.string()), ("score", pa.float64())]))
    sentence = pa.struct([("text", pa.string()), ("labels", pa.list_(pa.string())), ("scores", scores),
                          ("review", pa.bool_()), *([("duties", duty_list)] if duties else [])])
    fields = {
        "id": pa.string(),
        "text": pa.string(),
        "labels": pa.list_(pa.string()),
        "scores": scores,
        "review": pa.bool_(),
        "sentences": pa.list_(sentence),
        "shares": pa.struct([(l, pa.float64()) for l in [*labels, "other"]]),
        **({"duties": duty_list} if duties else {}),
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
        self.writer: Any = None
        self.schema: Any = None

    def _row(self, rec: dict[str, Any]) -> dict[str, Any]:
        row = dict(rec)
        row["id"] = str(rec["id"])
        row["sentences"] = [
            {"text": s["text"], "labels": s["labels"], "scores": s["scores"], "review": bool(s.get("review", False)),
             **({"duties": s.get("duties") or []} if "duties" in rec else {})}
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
            extra_rows = [{k: v for k, v in r.items() if k not in _OWN_KEYS} for r in self.buffer]
            inferred = pa.Table.from_pylist(extra_rows).schema if extra_rows and extra_rows[0] else pa.schema([])
            extra = {f.name: (pa.string() if pa.types.is_null(f.type) else f.type) for f in inferred}
            self.schema = arrow_schema(self.labels, extra, duties="duties" in self.buffer[0])
            self.writer = pq.ParquetWriter(self.stream, self.schema)
        rows = [{k: r.get(k) for k in self.schema.names} for r in self.buffer]
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))
        self.buffer = []

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()


def make_writer(fmt: str, stream: IO[Any], labels: list[str], *, lang: str = "en", text_name: str | None = None,
                duty_names: dict[str, str] | None = None) -> Any:
    """A writer with ``write(record_dict)`` and ``close()`` for an output format. ``lang="ja"`` shows the
    shipped labels and roleclassify's own column names in Japanese in the formats people read (table, CSV,
    TSV, Excel); JSONL and Parquet keep the stable keys. ``text_name`` (the input's name for its text column,
    such as 仕事内容) heads the text column in CSV, TSV and Excel, so results join back to the input.
    ``duty_names`` (duty id -> name) shows duties by those names in CSV, TSV and Excel."""
    if fmt == "csv":
        return _CsvWriter(stream, labels, lang=lang, text_name=text_name, duty_names=duty_names)
    if fmt == "tsv":
        return _CsvWriter(stream, labels, lang=lang, delimiter="\t", text_name=text_name, duty_names=duty_names)
    if fmt == "xlsx":
        return _XlsxWriter(stream, labels, lang=lang, text_name=text_name, duty_names=duty_names)
    if fmt == "table":
        return _TableWriter(stream, labels, lang=lang)
    return {"jsonl": _JsonlWriter, "json": _JsonWriter, "parquet": _ParquetWriter}[fmt](stream, labels)
