"""Input records for tagging: .txt lines or documents, JSONL, CSV/TSV; files or stdin; streamed.

A reader yields :class:`Record` objects in input order. A bad record does not stop the input: it is yielded
as a :class:`~roleclassify.errors.RecordError` naming ``file:line`` so the caller can report it and go on.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import InputError, RecordError

_EOL_RE = re.compile(r"\r\n|\r|\n")

__all__ = ["Record", "iter_records", "detect_format", "FORMATS", "UNITS", "open_text", "decode_bytes"]

FORMATS = ("auto", "txt", "jsonl", "csv", "tsv")
UNITS = ("line", "document")
_SUFFIX_FORMAT = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
}


@dataclass
class Record:
    """One item to tag: its id, text, the input's other fields, and where it came from."""

    id: Any
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    location: str = ""


def detect_format(path: str, declared: str = "auto", head: str = "") -> str:
    """Input format from ``--input-format``, the file suffix, or (stdin) the first character."""
    if declared != "auto":
        return declared
    if path != "-":
        fmt = _SUFFIX_FORMAT.get(Path(path).suffix.lower())
        if fmt:
            return fmt
    return "jsonl" if head.lstrip().startswith("{") else "txt"


def open_text(path: str, encoding: str | None = None) -> IO[str]:
    """Open a file (or ``-`` for stdin) as text; UTF-8 (with or without BOM) unless told otherwise."""
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; pass the files in it") from None
    except OSError as e:
        raise InputError(f"{path}: cannot open ({e.strerror})") from None
    return io.TextIOWrapper(raw, encoding=encoding or "utf-8-sig", errors="strict", newline="")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Encodings Japanese business files come in, tried by the detector.
JAPANESE_ENCODINGS = ("utf_8", "cp932", "shift_jis", "euc_jp", "iso2022_jp", "utf_16")


def detect_encoding(data: bytes) -> str | None:
    """Encoding of a byte string: BOM, else UTF-8 if it decodes, else charset-normalizer's best guess
    among Japanese encodings (None if nothing fits)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.reason == "unexpected end of data":
            return "utf-8"  # a multi-byte character cut at the end of a sample
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(JAPANESE_ENCODINGS)).best()
    return best.encoding if best is not None else None


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode a whole file's bytes (encoding given, or detected); an InputError names the file otherwise."""
    enc = encoding or detect_encoding(data)
    if enc is None:
        raise InputError(f"{name}: cannot tell the text encoding; pass --encoding (e.g. --encoding cp932)")
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: cannot decode as {enc} (byte 0x{data[e.start]:02x}); pass the right --encoding"
        ) from None
    except LookupError:
        raise InputError(f"{name}: unknown encoding {enc!r}") from None


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _lines(stream: IO[str]) -> Iterator[str]:
    """Lines with any line end (LF, CRLF, CR) removed, read in chunks so memory stays flat."""
    buf = ""
    for chunk in iter(lambda: stream.read(1 << 16), ""):
        buf += chunk
        # a chunk ending in CR may be the first half of CRLF: hold that CR back
        held = buf.endswith("\r")
        parts = _EOL_RE.split(buf[:-1] if held else buf)
        buf = parts.pop() + ("\r" if held else "")
        yield from parts
    if buf:
        yield buf[:-1] if buf.endswith("\r") else buf


def _decode_errors(path: str, gen: Iterator[Record | RecordError]) -> Iterator[Record | RecordError]:
    try:
        yield from gen
    except UnicodeDecodeError as e:
        yield RecordError(
            _name(path),
            f"cannot decode as {e.encoding} (byte 0x{e.object[e.start]:02x}); "
            "pass --encoding (e.g. --encoding cp932) if the file is not UTF-8",
        )


def _txt(path: str, stream: IO[str], unit: str) -> Iterator[Record | RecordError]:
    name = _name(path)
    if unit == "document":
        text = stream.read()
        if text.strip():
            yield Record(Path(path).name if path != "-" else "<stdin>", text, {}, name)
        return
    for n, line in enumerate(_lines(stream), 1):
        if line.strip():
            yield Record(f"{name}:{n}", line.strip(), {}, f"{name}:{n}")


def _jsonl(path: str, stream: IO[str], text_field: str) -> Iterator[Record | RecordError]:
    name = _name(path)
    for n, line in enumerate(_lines(stream), 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield RecordError(where, f"invalid JSON ({e.msg} at column {e.colno}); record skipped")
            continue
        if not isinstance(obj, dict):
            yield RecordError(where, f"expected a JSON object, got {type(obj).__name__}; record skipped")
            continue
        if text_field not in obj:
            yield RecordError(
                where, f"no {text_field!r} field (fields: {', '.join(obj) or 'none'}); pass --text-field"
            )
            continue
        text = obj[text_field]
        if not isinstance(text, str):
            yield RecordError(where, f"{text_field!r} is {type(text).__name__}, not a string; record skipped")
            continue
        rid = obj.get("id", where)
        fields = {k: v for k, v in obj.items() if k not in (text_field, "id")}
        yield Record(rid, text, fields, where)


def _delimited(
    path: str, stream: IO[str], delimiter: str, text_column: str | None
) -> Iterator[Record | RecordError]:
    name = _name(path)
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    col = text_column or "text"
    if col not in header:
        yield RecordError(
            f"{name}:1",
            f"no {col!r} column (columns: {', '.join(header)}); pass --text-column NAME",
        )
        return
    ti = header.index(col)
    has_id = "id" in header
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            yield RecordError(
                where, f"{len(row)} fields where the header has {len(header)}; row skipped"
            )
            continue
        fields = dict(zip(header, row))
        text = fields.pop(col)
        rid = fields.pop("id") if has_id else where
        yield Record(rid, text, fields, where)


def iter_records(
    paths: Iterable[str],
    *,
    unit: str = "line",
    text_field: str = "text",
    text_column: str | None = None,
    input_format: str = "auto",
    encoding: str | None = None,
) -> Iterator[Record | RecordError]:
    """Records from files in order; ``-`` is stdin. Errors about single records are yielded, not raised."""
    for path in paths:
        stream = open_text(path, encoding)
        try:
            head = ""
            if input_format == "auto" and path == "-":
                head = stream.read(1)
                stream = _Prefixed(head, stream)
            fmt = detect_format(path, input_format, head)
            if fmt == "txt":
                gen = _txt(path, stream, unit)
            elif fmt == "jsonl":
                gen = _jsonl(path, stream, text_field)
            else:
                gen = _delimited(path, stream, "," if fmt == "csv" else "\t", text_column)
            yield from _decode_errors(path, gen)
        finally:
            if path != "-":
                stream.close()


class _Prefixed(io.TextIOBase):
    """A text stream with some already-read characters put back in front."""

    def __init__(self, prefix: str, stream: IO[str]) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int | None = -1) -> str:
        if self._prefix:
            p, self._prefix = self._prefix, ""
            if size is None or size < 0:
                return p + self._stream.read()
            return p + self._stream.read(max(0, size - len(p)))
        return self._stream.read(size if size is not None else -1)

    def readline(self, size: int | None = -1) -> str:  # used by csv
        if self._prefix:
            p, self._prefix = self._prefix, ""
            return p + self._stream.readline()
        return self._stream.readline()

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line
