"""Input for every command: records from .txt lines or documents, JSONL, CSV/TSV, Excel workbooks, Word, PDF and
HTML documents, Parquet, gzip-compressed or not; files or stdin; streamed; encodings detected.

Excel (.xlsx / .xlsm): every sheet whose header row (found among the first 20 rows, below any title rows)
holds the text column; each row below it is a record, located as ``file[sheet]:row N``. Without
``--text-column``, a column named ``text`` or one of the usual Japanese names (仕事内容, 職務内容, 業務内容 ...)
is used. Word (.docx), PDF and HTML: one record per paragraph, heading, list item or table cell (a PDF, whose
text layer has no paragraphs: per text line), located as ``file:paragraph N`` (N counts the document's non-empty
blocks from 1, in reading order); ``unit="document"`` makes the whole file one record. HTML pages are read
without their navigation, header, sidebar and footer. The text is extracted as the audit reads these documents
(:func:`roleclassify.orgdocs.document_blocks`).

Any of these formats compressed with gzip (``jobs.jsonl.gz``, ``x.csv.gz``) is read as it is: the format is
the suffix before ``.gz`` (stdin is recognised by its gzip header), locations stay ``file:line``, and a corrupt
or cut-off gzip stream is one error naming the file (the records read before it are kept).

A reader yields :class:`Record` objects in input order. A bad record does not stop the input: it is yielded
as a :class:`~roleclassify.errors.RecordError` naming ``file:line`` so the caller can report it and go on.

Encodings are detected per input from a sample of its first bytes: a byte-order mark (UTF-8, UTF-16,
UTF-32), else UTF-8 if the sample is valid UTF-8, else charset-normalizer's best guess among the encodings
Japanese files come in (CP932 / Shift_JIS from Excel, EUC-JP, ISO-2022-JP). ``--encoding`` overrides it.
Lines end with LF, CRLF or CR. Byte-oriented encodings are decoded line by line, so one undecodable line is
reported and skipped while the rest of the file is read.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, RecordError, needs, option
from . import _json
from .fileio import check_office_size

__all__ = [
    "Record",
    "display_path",
    "type_name",
    "iter_records",
    "detect_format",
    "detect_encoding",
    "decode_bytes",
    "read_bytes",
    "read_text",
    "undecodable",
    "FORMATS",
    "TEXT_COLUMNS",
    "UNITS",
    "JAPANESE_ENCODINGS",
]

FORMATS = ("auto", "txt", "jsonl", "json", "csv", "tsv", "xlsx", "docx", "pdf", "html", "parquet")
#: Column names taken as the text column when ``--text-column`` is not given (first found wins).
TEXT_COLUMNS = ("text", "本文", "仕事内容", "職務内容", "業務内容", "担当業務", "職務", "業務", "description",
                "job_description")
UNITS = ("line", "document")
_SUFFIX_FORMAT = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
#: Office formats of before 2007, which no reader here takes: what to do instead.
_OLD_OFFICE = {
    ".xls": "an Excel 97-2003 workbook (.xls) is not read; open it in Excel and save it as .xlsx (or CSV); file skipped",
    ".doc": "a Word 97-2003 document (.doc) is not read; open it in Word and save it as .docx; file skipped",
}
#: Formats read as whole documents whose text blocks (paragraphs, list items, cells) are the records.
DOCUMENT_FORMATS = ("docx", "pdf", "html")
_GZIP_MAGIC = b"\x1f\x8b"
#: The most bytes a document read whole (HTML, Word, PDF, a gzip-compressed one) may take once decompressed.
MAX_DOCUMENT_BYTES = 512 << 20
_SAMPLE = 1 << 16
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Encodings Japanese business files come in, tried by the detector.
JAPANESE_ENCODINGS = ("utf_8", "cp932", "shift_jis", "euc_jp", "iso2022_jp")
_WIDE = ("utf-16", "utf-32")
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\x7fELF", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"BZh")
_CR_SPLIT = re.compile(r"\r\n|\r")
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


@dataclass
class Record:
    """One item to tag: its id, text, the input's other fields, and where it came from."""

    id: Any
    text: str
    fields: dict[str, Any] = field(default_factory=dict)
    location: str = ""
    #: The name of the column or field the text came from (None: the input has no names, as .txt); CSV, TSV
    #: and Excel output head the text column with it, so results join back to the input.
    text_name: str | None = None


def detect_format(path: str, declared: str = "auto", head: str = "") -> str:
    """Input format from ``--input-format``, the file suffix (the one before ``.gz`` for a gzip-compressed
    file), or (stdin) its head: JSONL when it opens with ``{``, CSV/TSV when its first line is a header naming
    one of :data:`TEXT_COLUMNS`, else text lines."""
    if declared != "auto":
        return declared
    if path != "-":
        fmt = _SUFFIX_FORMAT.get(Path(_without_gz(path)).suffix.lower())
        if fmt:
            return fmt
    if head.lstrip().startswith("{"):
        return "jsonl"
    return _table_format(head) or "txt"


def _table_format(head: str) -> str | None:
    """``csv`` or ``tsv`` when a header line among the first rows of ``head`` names a text column (社員番号,部署,
    職務内容): a table, not lines of text. As Excel saves a sheet, the header may come below a few title rows
    (職務一覧, 2026年4月1日現在)."""
    for line in head.lstrip("\ufeff").split("\n")[:_HEADER_ROWS]:
        line = line.strip("\r")
        for sep, fmt in (("\t", "tsv"), (",", "csv")):
            if sep in line and any(c.strip().strip('"') in TEXT_COLUMNS for c in line.split(sep)):
                return fmt
    return None


def _without_gz(path: str) -> str:
    return path[:-3] if path.lower().endswith(".gz") else path


def is_gzip_name(path: str) -> bool:
    """Whether ``path`` names a gzip-compressed file (``.gz``)."""
    return path != "-" and path.lower().endswith(".gz")


def detect_encoding(data: bytes) -> str | None:
    """Encoding of a byte sample: BOM, else UTF-8 if it decodes, else charset-normalizer's best guess among
    Japanese encodings (``None`` if nothing fits)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.reason == "unexpected end of data":
            return "utf-8"  # a multi-byte character cut at the end of the sample
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(JAPANESE_ENCODINGS)).best()
    if best is not None:
        return best.encoding
    # text with a few damaged bytes (UTF-8, or a CP932 file one stray byte keeps charset-normalizer from
    # naming): read it in the encoding that leaves the fewest bytes undecoded, and report those lines one by one
    damage = {}
    for enc in ("utf-8", *JAPANESE_ENCODINGS):
        decoded = data.decode(enc, errors="replace")
        if len(decoded) < len(data):  # multi-byte characters decoded: text of this encoding, not binary data
            damage[enc] = (decoded.count("\ufffd"), len(decoded))
    best_enc = min(damage, key=lambda e: damage[e][0], default=None)
    if best_enc is not None and damage[best_enc][0] <= max(1, damage[best_enc][1] // 200):
        return best_enc
    return None


def undecodable(encoding: str, byte: int, skipped: str = "") -> str:
    """The one wording of a line that does not decode: ``cannot decode as cp932 (byte 0x82); pass --encoding
    ENC`` (``skipped`` says what was left out: ``line skipped``)."""
    then = f"; {skipped}" if skipped else ""
    return f"cannot decode as {encoding} (byte 0x{byte:02x}){then}; pass {option('encoding', 'ENC')}"


def _unknown_encoding(encoding: str) -> str:
    return f"unknown encoding {encoding!r}; pass {option('encoding', 'ENC')} with a Python codec name such as cp932"


def _no_encoding(name: str) -> InputError:
    return InputError(f"{name}: cannot tell the text encoding (binary data?); pass {option('encoding', 'ENC')} "
                      "(e.g. cp932) if it is text")


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode a whole file's bytes (encoding given, or detected as :func:`detect_encoding` does, a BOM removed);
    an :class:`~roleclassify.errors.InputError` names the file and line otherwise."""
    enc = encoding or detect_encoding(data[: _SAMPLE * 4])
    if enc is None:
        raise _no_encoding(name)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: {undecodable(enc, data[e.start])}") from None
    except LookupError:
        raise InputError(f"{name}: {_unknown_encoding(enc)}") from None
    return text.removeprefix("\ufeff")


def read_bytes(path: str, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """All bytes of a file (``-``: stdin), decompressed if it is gzip-compressed; an
    :class:`~roleclassify.errors.InputError` names the file when it cannot be read or holds more than
    ``limit`` bytes."""
    name = display_path(path)
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise _open_error(name, e) from None
    if is_gzip_name(path) or data.startswith(_GZIP_MAGIC):
        data = _Gunzip(io.BytesIO(data), name).read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{name}: more than {limit >> 20:,} MiB of data; not read")
    return data


def read_text(path: str, encoding: str | None = None) -> str:
    """The whole text of a file (``-``: stdin): gzip-decompressed, its encoding given or detected as ``tag``
    detects it (BOM, UTF-8, else CP932 / Shift_JIS / EUC-JP ...), the BOM removed. Binary data and bytes that
    do not decode raise :class:`~roleclassify.errors.InputError` naming ``file:line``."""
    name = display_path(path)
    data = read_bytes(path)
    if not encoding and _looks_binary(data[:_SAMPLE]):
        raise InputError(f"{name}: looks like a binary file, not text; nothing was read from it")
    return decode_bytes(data, name, encoding)


def _looks_binary(sample: bytes) -> bool:
    return sample.startswith(_BINARY_MAGIC) or (
        sample.count(b"\x00") > len(sample) // 10 and not sample.startswith(_WIDE_BOMS)
    )


def type_name(value: Any) -> str:
    """How a non-text value is named in messages: ``null`` for a missing value (JSON null, an empty Parquet
    or pandas cell), else its type (``int``, ``list``)."""
    if value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType":
        return "null"  # None, NaN, pandas.NA
    return type(value).__name__


def display_path(path: str) -> str:
    """A path as shown in messages and ids: control characters (a newline in a file name) escaped, and bytes
    that are not UTF-8 (held by Python as surrogate escapes) shown as ``\\xff``."""
    if path == "-":
        return "<stdin>"
    return "".join(_shown(c) for c in path)


def _shown(c: str) -> str:
    if "\udc80" <= c <= "\udcff":  # an undecodable byte of a file name (os.fsdecode's surrogateescape)
        return f"\\x{ord(c) - 0xDC00:02x}"
    return c if c.isprintable() else repr(c)[1:-1]


#: The longest record text read (characters); a longer one is reported and skipped. A job description is a
#: few thousand characters; this bounds the time and memory one hostile line can take.
MAX_TEXT_CHARS = 1_000_000
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate(obj: Any) -> bool:
    """Whether a parsed JSON value holds a lone surrogate (an escape like \\ud800 without its pair), which
    no UTF-8 output can hold."""
    try:
        _json.dumps_line(obj).encode("utf-8")
        return False
    except (UnicodeEncodeError, TypeError, ValueError):  # orjson raises its JSONEncodeError (a TypeError)
        return True


def _mostly_utf8(sample: bytes) -> bool:
    """Whether most non-ASCII lines of a sample are valid UTF-8 (the rest may be in a legacy encoding)."""
    lines = [l for l in sample.split(b"\n")[:-1] if any(b > 0x7F for b in l)]
    if not lines:
        return False
    ok = 0
    for l in lines:
        try:
            l.decode("utf-8")
            ok += 1
        except UnicodeDecodeError:
            pass
    return ok >= 1 and 2 * ok >= len(lines)


def is_stream(f: IO) -> bool:
    """Whether ``f`` is a pipe, FIFO, socket or terminal (data arrives over time), not a regular file."""
    import os
    import stat

    try:
        return not stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


def stream_ready(f: IO) -> bool:
    """Whether more bytes of stream ``f`` can be read without waiting."""
    import select

    try:
        return bool(select.select([f], [], [], 0)[0])
    except (OSError, ValueError, TypeError):
        return True


def _open_binary(path: str) -> IO[bytes]:
    if path == "-":
        stdin = sys.stdin.buffer
        # peekable, so a gzip header can be recognised without losing the bytes (CliRunner's stdin is a BytesIO)
        return stdin if hasattr(stdin, "peek") else io.BufferedReader(stdin)  # type: ignore[type-var]
    try:
        return open(path, "rb")
    except OSError as e:
        raise _open_error(display_path(path), e) from None


def _open_error(name: str, e: OSError) -> InputError:
    if isinstance(e, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(e, IsADirectoryError):
        return InputError(f"{name}: is a directory; pass the files in it")
    return InputError(f"{name}: cannot open ({e.strerror})")


class _CorruptGzip(InputError):
    """A gzip stream that stops decompressing part-way (the records read before it stand)."""


class _Gunzip:
    """A gzip-compressed input read as its decompressed bytes; a corrupt or cut-off stream raises
    :class:`_CorruptGzip` naming the file."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._name = name

    def _guarded(self, read: Any, n: int) -> bytes:
        try:
            return bytes(read(n))
        except EOFError:
            raise _CorruptGzip(f"{self._name}: the gzip data ends early (a cut-off download or copy?); "
                               "rest of file skipped") from None
        except (OSError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise _CorruptGzip(f"{self._name}: not readable as gzip ({e}); rest of file skipped") from None

    def read(self, n: int = -1) -> bytes:
        return self._guarded(self._gz.read, n)

    def read1(self, n: int = -1) -> bytes:
        return self._guarded(self._gz.read1, n)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._gz.close()
        self._raw.close()


def _gunzipped(raw: IO[bytes], path: str, name: str) -> Any:
    """``raw`` itself, or its decompressed bytes when it is gzip-compressed (a ``.gz`` name, or the gzip
    header: the two bytes 1f 8b, which no text file starts with)."""
    peek = getattr(raw, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    if is_gzip_name(path) or head == _GZIP_MAGIC:
        return _Gunzip(raw, name)
    return raw


def _split_cr(line: str) -> list[str]:
    """Split a line at CR line ends (old Mac files); the CR of a CRLF end leaves no extra line."""
    if "\r" not in line:
        return [line]
    parts = _CR_SPLIT.split(line)
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


class _Source:
    """A binary input with its detected encoding, yielding decoded lines (LF, CRLF or CR) one by one."""

    def __init__(self, path: str, encoding: str | None, max_chars: int = MAX_TEXT_CHARS) -> None:
        self.path = path
        self.max_chars = max_chars
        self.name = display_path(path)
        raw = _open_binary(path)
        # a pipe or terminal (`tail -f log | roleclassify tag -`): read what has arrived instead of waiting
        # for a full buffer, so each line is tagged as soon as it comes
        live = path == "-" and is_stream(raw)
        self.raw: Any = _gunzipped(raw, path, self.name)
        self._read = self.raw.read1 if live else self.raw.read
        try:
            self.sample = self._read(_SAMPLE)
        except InputError:
            self.close()
            raise
        self.fallback: str | None = None
        if not self.sample:
            self.encoding = encoding or "utf-8"
            return
        if not encoding and _looks_binary(self.sample):
            self.close()
            raise InputError(f"{self.name}: looks like a binary file, not text; nothing was read from it")
        enc = encoding or detect_encoding(self.sample)
        # a file that mixes UTF-8 and CP932 lines (two exports pasted together): UTF-8 per line, CP932 for the
        # lines that are not UTF-8, and only what neither decodes is reported
        self.fallback = None
        if enc is None and not encoding and _mostly_utf8(self.sample):
            enc, self.fallback = "utf-8", "cp932"
        if enc is None:
            self.close()
            raise _no_encoding(self.name)
        try:
            codecs.lookup(enc)
        except LookupError:
            self.close()
            raise InputError(f"{self.name}: {_unknown_encoding(enc)}") from None
        self.encoding = enc

    @property
    def empty(self) -> bool:
        return not self.sample

    def whole_text(self) -> str:
        """The whole input decoded at once (a JSON document, which may be one long line)."""
        data = self.sample + self._read()
        try:
            return data.decode(self.encoding)
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise InputError(f"{self.name}:{line}: not {self.encoding} ({e.reason}); pass "
                             f"{option('encoding', 'NAME')}") from None

    def _byte_lines(self) -> Iterator[bytes | None]:
        """Lines as bytes; ``None`` for a line too long to be a record (its bytes are dropped as they are read,
        so a 64 MiB line costs one pass and no more memory than a buffer)."""
        limit = 4 * self.max_chars  # bytes: UTF-8 takes at most 4 per character
        parts: list[bytes] = []  # the line read so far (joined once, when it ends: no quadratic copying)
        size = 0
        too_long = False
        data = self.sample
        while data:
            start = 0
            while True:
                nl = data.find(b"\n", start)
                if nl < 0:
                    break
                if too_long:
                    yield None
                else:
                    parts.append(data[start:nl])
                    yield b"".join(parts)
                parts, size, too_long = [], 0, False
                start = nl + 1
            rest = data[start:]
            if not too_long:
                parts.append(rest)
                size += len(rest)
                if size > limit:
                    parts, too_long = [], True
            data = self._read(_SAMPLE)
        if too_long:
            yield None
        elif size:
            yield b"".join(parts)

    def lines(self) -> Iterator[tuple[int, str | RecordError]]:
        """(line number, text or error) for every line, line ends removed."""
        number = itertools.count(1)
        if codecs.lookup(self.encoding).name.startswith(_WIDE):
            yield from self._wide_lines(number)
            return
        first = True
        for raw_line in self._byte_lines():
            if raw_line is None:
                n = next(number)
                yield n, RecordError(self._at(n), f"line of more than {self.max_chars:,} characters, more than one "
                                                  f"record may have ({option('max_chars')}); line skipped")
            else:
                if first and self.encoding == "utf-8-sig":
                    raw_line = raw_line.removeprefix(codecs.BOM_UTF8)
                yield from self._decoded(raw_line, number)
            first = False

    def _at(self, n: int) -> str:
        return f"{self.name}:{n}"

    def _wide_lines(self, number: Iterator[int]) -> Iterator[tuple[int, str | RecordError]]:
        """Lines of a UTF-16 / UTF-32 input, decoded as a stream (a line end is not one byte there): an
        undecodable byte ends the input."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        pending = ""
        data = self.sample
        try:
            while data:
                pending += decoder.decode(data)
                *done, pending = pending.split("\n")
                for line in done:
                    for part in _split_cr(line):
                        yield next(number), part
                data = self._read(_SAMPLE)
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            n = next(number)
            yield n, RecordError(self._at(n), undecodable(self.encoding, e.object[e.start], "rest of file skipped"))
            return
        if pending:
            for part in _split_cr(pending):
                yield next(number), part

    def _decoded(self, raw_line: bytes, number: Iterator[int]) -> Iterator[tuple[int, str | RecordError]]:
        """The line(s) of one LF-ended byte line (CR ends split it further), or the error it makes."""
        try:
            line = raw_line.decode(self.encoding)
        except UnicodeDecodeError as e:
            fallback = self._fallback_decode(raw_line)
            if fallback is not None:
                for part in _split_cr(fallback):
                    yield next(number), part
                return
            n = next(number)
            yield n, RecordError(self._at(n), undecodable(self.encoding, raw_line[e.start], "line skipped"))
            return
        for part in _split_cr(line):
            n = next(number)
            if "\x00" in part:
                yield n, RecordError(self._at(n), "NUL byte in the line (binary data?); line skipped")
            else:
                yield n, part

    def _fallback_decode(self, raw_line: bytes) -> str | None:
        """A line that is not in the input's encoding, decoded with the fallback one (None: no fallback, or it
        does not decode either)."""
        if not self.fallback:
            return None
        try:
            return raw_line.decode(self.fallback)
        except UnicodeDecodeError:
            return None

    def close(self) -> None:
        if self.path != "-":
            self.raw.close()


def _txt_lines(src: _Source) -> Iterator[Record | RecordError]:
    for n, line in src.lines():
        if isinstance(line, RecordError):
            yield line
        elif len(line) > src.max_chars:
            yield RecordError(f"{src.name}:{n}", f"line of {len(line):,} characters, more than the "
                                                 f"{src.max_chars:,} one record may have ({option('max_chars')}); line skipped")
        elif line.strip():
            loc = f"{src.name}:{n}"
            yield Record(loc, line.strip(), {}, loc)


def _txt_document(src: _Source) -> Iterator[Record | RecordError]:
    parts: list[str] = []
    for _, line in src.lines():
        if isinstance(line, RecordError):
            yield line
        else:
            parts.append(line)
    text = "\n".join(parts)
    if text.strip():
        rid = Path(src.path).name if src.path != "-" else "<stdin>"
        yield Record(rid, text, {}, src.name)
    else:
        yield RecordError(src.name, "no text in the document; nothing tagged")


def json_object(line: str) -> dict | str:
    """One JSONL line as a JSON object, or the reason it is not one (the same words on every path)."""
    try:
        obj = _json.loads(line)
    except _json.JSONDecodeError as e:
        return f"invalid JSON ({_where_in_line(e)}); record skipped"
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}; record skipped"
    return obj


def _jsonl(src: _Source, text_field: str) -> Iterator[Record | RecordError]:
    def objects() -> Iterator[tuple[int, Any, str, str | None] | RecordError]:
        for n, line in src.lines():
            if isinstance(line, RecordError):
                yield line
            elif line.strip():
                yield n, json_object(line), line, None

    yield from _json_records(src, objects(), text_field)


def _json_records(src: _Source, objects: Iterable[tuple[int, Any, str, str | None] | RecordError], text_field: str
                  ) -> Iterator[Record | RecordError]:
    """Records of JSON values, each given with the line it starts on, its source text and its id when it has no
    ``id`` field (None: its location, ``file:line``). A value is an object with the text field, or the reason
    it is not a record (a string, as :func:`json_object` gives it)."""
    seen = False  # an object with the text field met
    for item in objects:
        if isinstance(item, RecordError):
            yield item
            continue
        n, obj, source, default_id = item
        where = f"{src.name}:{n}"
        if isinstance(obj, str):
            yield RecordError(where, obj)
            continue
        if not seen and text_field == "text" and text_field not in obj:
            # no "text" (nor a --text-field): the text under one of the names a CSV's text column is found by
            # (仕事内容, 職務内容 ...), as in CSV and Excel; the first object decides for the whole file
            text_field = next((c for c in TEXT_COLUMNS if c in obj), text_field)
        if text_field not in obj:
            # the first object without it: the file names its text otherwise (one message, not one per line)
            skipped = "" if seen else "; file skipped"
            yield RecordError(
                where, f"no {text_field!r} field (fields: {', '.join(obj) or 'none'}); pass "
                       f"{option('text_field', 'NAME')}{skipped}"
            )
            if not seen:
                return
            continue
        seen = True
        text = obj[text_field]
        if not isinstance(text, str):
            yield RecordError(
                where, f"{text_field!r} is {type_name(text)}, not a string; record skipped"
            )
            continue
        if _SURROGATE_ESCAPE.search(source) and _lone_surrogate(obj):
            yield RecordError(where, "a lone surrogate escape (such as \\ud800 without its pair) cannot be "
                                     "text; record skipped")
            continue
        if len(text) > src.max_chars:
            yield RecordError(where, f"text of {len(text):,} characters, more than the {src.max_chars:,} "
                                     f"one record may have ({option('max_chars')}); record skipped")
            continue
        rid = obj.get("id", default_id or where)
        fields = {k: v for k, v in obj.items() if k not in (text_field, "id")}
        yield Record(rid, text, fields, where, text_field)


def _where_in_line(e: Any) -> str:
    """The JSON decoder's message with its column: "Expecting ',' delimiter at column 19", and "Unterminated
    string starting at column 19" (its message already ends in "at")."""
    return f"{e.msg} column {e.colno}" if e.msg.endswith(" at") else f"{e.msg} at column {e.colno}"


def _json_file(src: _Source, text_field: str) -> Iterator[Record | RecordError]:
    """A ``.json`` file: a JSON array of records (objects with the text field, or strings that are the texts,
    as ``json.dump`` and most tools write them, often all on one line), or JSON lines under a .json name. The
    array is read whole (no streaming JSON parser in the standard library), each element located at the line it
    starts on; an element that is not an object or a string is skipped with its line, and invalid JSON ends the
    file there with the line and column."""
    if src.sample.decode(src.encoding, errors="ignore").lstrip("\ufeff").lstrip().startswith("{"):
        yield from _jsonl(src, text_field)  # JSON lines in a file named .json: read as any JSONL, line by line
        return
    text = src.whole_text().lstrip("\ufeff")
    start = len(text) - len(text.lstrip())
    if text[start:start + 1] != "[":
        yield RecordError(src.name, 'expected a JSON array of records ([{"text": "..."}, ...]) or JSON lines; '
                                    "nothing read")
        return
    yield from _json_records(src, _array_elements(src, text, start + 1, text_field), text_field)


def _array_record(value: Any, text_field: str) -> dict | str:
    """An element of a JSON array as a record object (a string is the text), or the reason it is none."""
    if isinstance(value, str):
        return {text_field: value} if value.strip() else "an empty string; record skipped"
    if not isinstance(value, dict):
        return f"expected a JSON object or string, got {type(value).__name__}; record skipped"
    return value


def _array_elements(src: _Source, text: str, pos: int, text_field: str
                    ) -> Iterator[tuple[int, Any, str, str | None] | RecordError]:
    """(line, value or reason, source, id) of each element of the JSON array opened just before ``pos``; a
    string element is the text of a record. An element's id is ``file[k]`` (its index from 0): several elements
    may share a line."""
    import json

    decoder = json.JSONDecoder()
    line, counted = 1, 0  # the line of position ``counted``

    def skip(p: int) -> int:
        while p < len(text) and text[p] in " \t\r\n":
            p += 1
        return p

    def line_at(p: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, p)
        counted = p
        return line

    pos = skip(pos)
    if text[pos:pos + 1] == "]":
        yield RecordError(src.name, "an empty JSON array; nothing to tag")
        return
    index = 0
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except RecursionError:
            yield RecordError(f"{src.name}:{line_at(pos)}", "JSON nested too deeply; the rest of the file is not "
                                                            "read")
            return
        except json.JSONDecodeError as e:
            yield RecordError(f"{src.name}:{e.lineno}", f"invalid JSON ({_where_in_line(e)}); the rest of "
                                                         "the file is not read")
            return
        yield line_at(pos), _array_record(value, text_field), text[pos:end], f"{src.name}[{index}]"
        index += 1
        pos = skip(end)
        if text[pos:pos + 1] == ",":
            pos = skip(pos + 1)
            continue
        if text[pos:pos + 1] == "]":
            if skip(pos + 1) < len(text):
                yield RecordError(f"{src.name}:{line_at(pos)}", "text after the end of the JSON array; not read")
            return
        yield RecordError(f"{src.name}:{line_at(pos)}", "expected ',' or ']' in the JSON array; the rest of the "
                                                        "file is not read")
        return


def _delimited_rows(src: _Source, delimiter: str) -> Iterator[tuple[str, list[str]] | RecordError]:
    """The rows of a CSV/TSV source, each with its location (the line it starts on: a quoted cell may run over
    several), and in order with them the lines that could not be decoded; a quote never closed or malformed CSV
    ends the rows with an error."""
    errors: list[RecordError] = []  # lines the source could not decode, yielded in order with the rows
    numbers: list[int] = []  # the source line number of each line the CSV reader was fed
    ended: list[bool] = []  # set once the reader has asked past the last line

    def feed() -> Iterator[str]:
        for n, line in src.lines():
            if isinstance(line, RecordError):
                errors.append(line)
                continue
            numbers.append(n)
            yield line + "\n"
        ended.append(True)

    csv.field_size_limit(2**31 - 1)  # a long job description in one cell is fine (the default is 128 KiB)
    reader = csv.reader(feed(), delimiter=delimiter)
    first = 0  # index in ``numbers`` of the first line of the next row
    try:
        for row in reader:
            yield from errors
            errors.clear()
            start = numbers[min(first, len(numbers) - 1)]
            first = reader.line_num
            if ended and row and row[-1].endswith("\n"):
                # the end of the file inside a quoted cell: a quote opened in this row and never closed took in
                # every line after it (a row's own cells never end with the line break the feed adds)
                yield RecordError(f"{src.name}:{start}", f"a quoted cell opened in this row is never closed, so "
                                  f"lines {start}-{numbers[-1]} were read into it (a stray '\"'?); row skipped")
                break
            yield f"{src.name}:{start}", row
    except csv.Error as e:
        yield RecordError(f"{src.name}:{numbers[-1] if numbers else 1}", f"malformed CSV ({e}); rest of file skipped")
    yield from errors


def _delimited(src: _Source, delimiter: str, text_column: str | None) -> Iterator[Record | RecordError]:
    """The records of a CSV/TSV source below its header: the first row that holds the text column (title rows
    above it, which a CSV saved from an Excel sheet keeps, are passed over as in a workbook)."""
    header: tuple[list[str], str] | None = None
    titles: list[tuple[str, str, list[str]]] = []  # rows above the header: where, why not the header, cells
    for item in _delimited_rows(src, delimiter):
        if isinstance(item, RecordError):
            yield item
            continue
        where, row = item
        if header is not None:
            rec = _delimited_record(row, *header, where)
            if rec is not None:
                yield rec
            continue
        found = _delimited_header(row, text_column)
        if not isinstance(found, str):
            header = found
            continue
        titles.append((where, found, row))
        if len(titles) >= _HEADER_ROWS or not _is_title(row):
            yield _no_header(titles)
            return
    if header is None and titles:  # the input ended among title-like rows
        yield _no_header(titles)


def _no_header(titles: list[tuple[str, str, list[str]]]) -> RecordError:
    """The error of a CSV/TSV whose first rows hold no text column, at the fullest of them (the likely header)."""
    where, why, _ = max(titles, key=lambda t: sum(1 for c in t[2] if c.strip()))
    return RecordError(where, why)


def _delimited_header(row: list[str], text_column: str | None) -> tuple[list[str], str] | str:
    """The column names and the text column of a CSV/TSV header row, or why the file is skipped."""
    header = [h.strip() for h in row]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    col = _text_column(header, text_column)
    if col is None:
        return (f"no {text_column or 'text'!r} column (columns: {', '.join(h for h in header if h) or 'none'}); "
                f"pass {option('text_column', 'NAME')}; file skipped")
    dup = _duplicate(header)
    if dup is not None:
        return f"column {dup!r} appears twice in the header; rename one of them; file skipped"
    return header, col


def _is_title(row: list[str]) -> bool:
    """Whether a row above the header looks like a title or a blank line (at most two cells filled: 「職務記述書
    一覧 2026年度」, a date), not a header that lacks the text column."""
    return sum(1 for c in row if c.strip()) <= 2


def _delimited_record(row: list[str], header: list[str], col: str, where: str) -> Record | RecordError | None:
    """One CSV/TSV row below the header as a record (None for a blank row)."""
    if not row or not any(c.strip() for c in row):
        return None
    if len(row) != len(header):
        return RecordError(where, f"{len(row)} fields where the header has {len(header)}; row skipped")
    fields = dict(zip(header, row))
    text = fields.pop(col)
    rid = fields.pop("id") if "id" in header else where
    return Record(rid, text, fields, where, col)


def _duplicate(header: list[str]) -> str | None:
    """The first column name a header holds twice, if any."""
    return next((h for i, h in enumerate(header) if h in header[:i]), None)


def _parquet(path: str, text_column: str | None) -> Iterator[Record | RecordError]:
    """Rows of a Parquet file, read in batches (needs pyarrow: ``pip install "roleclassify[parquet]"``)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield RecordError(display_path(path), needs("reading Parquet", "pyarrow", "roleclassify[parquet]"))
        return
    if path == "-":
        yield RecordError("<stdin>", "Parquet cannot be read from stdin; pass the file")
        return
    try:
        pf = pq.ParquetFile(path)
    except FileNotFoundError:
        yield RecordError(path, "no such file")
        return
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError for non-Parquet files
        yield RecordError(path, f"not a readable Parquet file ({type(e).__name__}: {e})")
        return
    names = pf.schema_arrow.names
    col = _text_column(names, text_column) or text_column or "text"
    if col not in names:
        yield RecordError(f"{path}:row 1", f"no {col!r} column (columns: {', '.join(names)}); pass {option('text_column', 'NAME')}; file skipped")
        return
    n = 0
    for batch in pf.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            n += 1
            where = f"{path}:row {n}"
            text = row.pop(col)
            if not isinstance(text, str):
                yield RecordError(where, f"{col!r} is {type_name(text)}, not a string; row skipped")
                continue
            rid = row.pop("id") if "id" in row else where
            yield Record(rid, text, row, where, col)


def _text_column(header: list[str], given: str | None) -> str | None:
    if given:
        return given if given in header else None
    return next((c for c in TEXT_COLUMNS if c in header), None)


def _cell_value(v: Any) -> Any:
    """A cell as a JSON-able field value: dates and times as ISO text, an Excel error as Excel shows it
    (``#N/A``), a formula without a saved value as empty."""
    if isinstance(v, _Uncached):
        return None
    if v is None or isinstance(v, (str, int, float, bool)):
        return str(v) if isinstance(v, _ExcelError) else v
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


class _Uncached(str):
    """A formula cell saved without its value (the file was written by a program, never opened in Excel)."""


class _ExcelError(str):
    """A cell holding an Excel error value such as ``#N/A`` or ``#DIV/0!``."""


def _xlsx(path: str, text_column: str | None, sheet: str | int | None = None) -> Iterator[Record | RecordError]:
    wb = _open_workbook(path)
    if isinstance(wb, RecordError):
        yield wb
        return
    try:
        yield from _workbook_records(wb, path, text_column, sheet)
    finally:
        wb.close()


def _open_workbook(path: str) -> Any:
    """An Excel workbook opened for streaming, or the RecordError saying why it cannot be read."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover
        return RecordError(path, needs("reading .xlsx", "openpyxl"))
    too_big = check_office_size(path, "xlsx-stream")
    if too_big:
        return RecordError(display_path(path), too_big)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        return RecordError(path, "no such file")
    except Exception as e:  # openpyxl raises zipfile / KeyError / InvalidFileException for broken files
        return RecordError(path, f"not a readable Excel workbook ({type(e).__name__}: {e})")


#: Rows of a sheet searched for its header row (title rows may come first).
_HEADER_ROWS = 20


def _chosen_sheets(wb: Any, path: str, sheet: str | int | None) -> list[Any] | RecordError:
    """The sheets to read: every one, or the one ``sheet`` names (its name, else its 1-based number)."""
    sheets = wb.worksheets
    if sheet is None or sheet == "":
        return list(sheets)
    by_name = {ws.title: ws for ws in sheets}
    if str(sheet) in by_name:
        return [by_name[str(sheet)]]
    if str(sheet).strip().isdigit() and 1 <= int(sheet) <= len(sheets):
        return [sheets[int(sheet) - 1]]
    names = ", ".join(ws.title for ws in sheets)
    return RecordError(path, f"no sheet {str(sheet)!r} (sheets: {names}); pass {option('sheet', 'NAME')} "
                             f"or its number 1-{len(sheets)}; file skipped")


def _workbook_records(
    wb: Any, path: str, text_column: str | None, sheet: str | int | None = None
) -> Iterator[Record | RecordError]:
    """The records of every sheet (or the one ``sheet`` names) that has a header row with the text column;
    one error if no sheet has."""
    chosen = _chosen_sheets(wb, path, sheet)
    if isinstance(chosen, RecordError):
        yield chosen
        return
    found = False
    seen_headers: list[str] = []  # the first non-empty row met, named when no sheet has the text column
    for ws in chosen:
        name = path if len(wb.worksheets) == 1 else f"{path}[{ws.title}]"
        rows = _sheet_rows(wb, ws)
        head = _sheet_header(rows, text_column, seen_headers)
        if head is None:
            continue
        n, header, col = head
        dup = _duplicate(header)
        if dup is not None:
            yield RecordError(f"{name}:row {n}", f"column {dup!r} appears twice in the header; rename one of them; "
                                                 "sheet skipped")
            continue
        found = True
        yield from _sheet_records(rows, header, col, name)
    if not found:
        wanted = repr(text_column) if text_column else "text column (" + ", ".join(TEXT_COLUMNS[:5]) + "…)"
        where = "the sheet's" if len(chosen) == 1 and len(wb.worksheets) > 1 else "any sheet's"
        place = f"{path}[{chosen[0].title}]" if where == "the sheet's" else path
        yield RecordError(
            f"{place}:row 1",
            f"no {wanted} in {where} first {_HEADER_ROWS} rows "
            f"(columns seen: {', '.join(seen_headers) or 'none'}); pass {option('text_column', 'NAME')}; file skipped",
        )


def _merged_ranges(wb: Any, ws: Any) -> dict[int, list[tuple[int, int, int]]]:
    """The merged ranges of a sheet as {first row: [(last row, first column, last column)]}. Excel stores them
    after the rows, so the sheet's XML is scanned for them first (in chunks: memory stays bounded)."""
    from openpyxl.utils.cell import range_boundaries

    out: dict[int, list[tuple[int, int, int]]] = {}
    tail = b""
    with wb._archive.open(ws._worksheet_path) as src:  # openpyxl keeps the archive open in read-only mode
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            i = data.find(b"</sheetData>")
            if i < 0:
                i = data.find(b":sheetData>")  # a namespace prefix (x:sheetData)
            if i >= 0:
                tail = data[i:] + src.read()
                break
            tail = data[-32:]
        else:  # pragma: no cover
            tail = b""
    for ref in _MERGE_REF.findall(tail):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        if max_row > min_row or max_col > min_col:
            out.setdefault(min_row, []).append((max_row, min_col, max_col))
    return out


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")


def _cell_parser() -> Any:
    """openpyxl's sheet parser reading saved values (data_only), that marks a formula saved without its value
    and an Excel error value instead of reading them as empty / as text, and that keeps no row it has read
    (openpyxl's own parse leaves each read row, emptied, in the tree and its height in a dict: memory that
    grows with the sheet)."""
    from openpyxl.worksheet._reader import DATA_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    class Parser(WorkSheetParser):
        def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
            data = None
            n = 0
            for event, element in iterparse(self.source, events=("start", "end")):
                if event == "start":
                    if element.tag == DATA_TAG:
                        data = element
                elif element.tag == ROW_TAG:
                    r = element.get("r")
                    n = int(float(r)) if r else n + 1
                    self.row_counter, self.col_counter = n, 0  # parse_cell numbers cells without a reference
                    cells = [self.parse_cell(c) for c in element]
                    element.clear()
                    if data is not None:
                        data.remove(element)
                    yield n, cells
                elif element.tag == DATA_TAG:
                    return  # the rows are done; merged ranges come after them and are read beforehand

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = _Uncached("=" + (element.findtext(FORMULA_TAG) or "…"))
            elif cell["data_type"] == "e" and isinstance(cell["value"], str):
                cell["value"] = _ExcelError(cell["value"])
            return cell

    return Parser


def _sheet_rows(wb: Any, ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of a sheet's rows, merged cells filled the way Excel shows them: the value of
    a merge's top-left cell in each row it spans (in the merge's first column). A row with no value of its
    own stays blank. Streamed: one row at a time, the merges read first."""
    merges = _merged_ranges(wb, ws)
    active: list[tuple[int, int, Any]] = []  # (last row, column, value) of the merges over the rows to come
    with ws._get_source() as src:
        parser = _cell_parser()(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for n, cells in parser.parse():
            row: list[Any] = [None] * (cells[-1]["column"] if cells else 0)
            for c in cells:
                row[c["column"] - 1] = c["value"]
            if active:
                active = [m for m in active if m[0] >= n]
            for max_row, col, _ in merges.get(n, ()):
                active.append((max_row, col, row[col - 1] if col <= len(row) else None))
            if active and any(v not in (None, "") for v in row):
                _fill(row, active)
            yield n, row


def _fill(row: list[Any], active: list[tuple[int, int, Any]]) -> None:
    for _, col, value in active:
        if len(row) < col:
            row.extend([None] * (col - len(row)))
        row[col - 1] = value


def _sheet_header(
    rows: Iterator[tuple[int, list[Any]]], text_column: str | None, seen_headers: list[str]
) -> tuple[int, list[str], str] | None:
    """Read a sheet's rows up to its header row: (row number, column names, text column), or None when none
    of the first rows holds the text column. If ``seen_headers`` is still empty, the fullest of the rows read
    goes into it (the likely header, not a title row above it), to be named in the message."""
    mine = not seen_headers
    for n, row in rows:
        if n > _HEADER_ROWS:
            return None
        cells = ["" if c is None else str(c).strip() for c in row]
        col = _text_column(cells, text_column)
        if col is not None:
            return n, [c or f"column_{i + 1}" for i, c in enumerate(cells)], col
        filled = [c for c in cells if c]
        if mine and len(filled) > len(seen_headers):
            seen_headers[:] = filled
    return None


def _text_problem(value: Any, col: str) -> str | None:
    """Why a text cell's value is no text to tag (a number, a date, an error, a formula without its value)."""
    if isinstance(value, _Uncached):
        return (f"{col!r} is a formula ({value}) saved without its value; open the file in Excel and save it "
                "again; row skipped")
    if isinstance(value, _ExcelError):
        return f"{col!r} is the Excel error {value}; row skipped"
    if value is None or isinstance(value, str):
        return None
    kind = "a date" if hasattr(value, "isoformat") else "TRUE/FALSE" if isinstance(value, bool) else "a number"
    return f"{col!r} is {kind} ({_cell_value(value)}), not text; row skipped"


def _sheet_records(
    rows: Iterator[tuple[int, list[Any]]], header: list[str], col: str, name: str
) -> Iterator[Record | RecordError]:
    """The rows below a sheet's header as records; blank rows are skipped, an empty text cell is an empty
    text (tagged other), a text cell that holds no text is reported. A line break typed in a cell (Alt+Enter)
    stays in the text."""
    at = header.index(col)
    for n, row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        where = f"{name}:row {n}"
        text = row[at] if at < len(row) else None
        problem = _text_problem(text, col)
        if problem:
            yield RecordError(where, problem)
            continue
        values = [_cell_value(c) for c in row]
        fields = dict(zip(header, values + [None] * (len(header) - len(values))))
        del fields[col]
        rid = fields.pop("id") if "id" in fields else where  # a blank id is refused by pipeline.join_keys
        yield Record(rid, "" if text is None else str(text).replace("\r\n", "\n"), fields, where, col)


def _document(path: str, fmt: str, unit: str, encoding: str | None) -> Iterator[Record | RecordError]:
    """A Word, PDF or HTML document: one record per text block (``file:paragraph N``), or with ``unit``
    ``document`` the whole text as one record (``encoding`` applies to HTML)."""
    from ..orgdocs import document_blocks

    name = display_path(path)
    try:
        data = read_bytes(path)
        blocks = document_blocks(io.BytesIO(data), fmt, name, encoding)
    except InputError as e:
        yield _record_error(e, name)
        return
    if not blocks:
        yield RecordError(name, f"no text in this {_FORMAT_NAMES[fmt]}; nothing to tag")
        return
    if unit == "document":
        yield Record(name, "\n".join(blocks), {}, name)
        return
    for n, text in enumerate(blocks, 1):
        where = f"{name}:paragraph {n}"
        yield Record(where, text, {}, where)


def _record_error(e: InputError, name: str) -> RecordError:
    """An error about input ``name`` (``name: reason`` or ``name:line: reason``) as the RecordError a reader
    yields, located where the message says."""
    message = str(e)
    if message.startswith(name + ":"):
        where, sep, reason = message[len(name):].partition(": ")
        if sep:
            return RecordError(name + where, reason)
    return RecordError(name, message)


_FORMAT_NAMES = {"docx": "Word document", "pdf": "PDF", "html": "page"}


def iter_records(
    paths: Iterable[str],
    *,
    unit: str = "line",
    text_field: str = "text",
    text_column: str | None = None,
    input_format: str = "auto",
    encoding: str | None = None,
    max_chars: int = MAX_TEXT_CHARS,
    sheet: str | int | None = None,
) -> Iterator[Record | RecordError]:
    """Records from files in order; ``-`` is stdin. Errors about single records are yielded, not raised;
    a file that cannot be read at all (missing, binary, unknown encoding) is yielded as one error too."""
    for path in paths:
        yield from _file_records(path, unit, text_field, text_column, input_format, encoding, max_chars, sheet)


def _file_records(
    path: str, unit: str, text_field: str, text_column: str | None, input_format: str, encoding: str | None,
    max_chars: int, sheet: str | int | None = None,
) -> Iterator[Record | RecordError]:
    """The records of one input (see :func:`iter_records`)."""
    fmt = detect_format(path, input_format)
    if input_format == "auto" and Path(_without_gz(path)).suffix.lower() in _OLD_OFFICE:
        yield RecordError(display_path(path), _OLD_OFFICE[Path(_without_gz(path)).suffix.lower()])
        return
    if fmt in ("parquet", "xlsx") and is_gzip_name(path):
        yield RecordError(display_path(path), f"a gzip-compressed {fmt} file is not read ({fmt} is compressed "
                                              "already); decompress it first")
        return
    if fmt == "parquet":
        yield from _parquet(path, text_column)
        return
    if fmt == "xlsx":
        yield from _xlsx(path, text_column, sheet)
        return
    if fmt in DOCUMENT_FORMATS:
        yield from _document(path, fmt, unit, encoding)
        return
    try:
        src = _Source(path, encoding, max_chars)
    except InputError as e:
        yield _record_error(e, display_path(path))
        return
    try:
        yield from _text_records(src, path, unit, text_field, text_column, input_format)
    except _CorruptGzip as e:
        yield _record_error(e, src.name)
    finally:
        src.close()


def _text_records(
    src: _Source, path: str, unit: str, text_field: str, text_column: str | None, input_format: str
) -> Iterator[Record | RecordError]:
    """The records of a text input (txt, JSONL, CSV, TSV; stdin's format sniffed from its first bytes)."""
    if src.empty:
        yield RecordError(src.name, "empty input; nothing to tag")
        return
    head = src.sample[:1024].decode(src.encoding, errors="ignore") if path == "-" else ""
    fmt = detect_format(path, input_format, head)
    if fmt == "txt" and input_format == "auto" and src.encoding.lower().replace("_", "-").startswith("utf-16"):
        # Excel's "Unicode テキスト" (a sheet saved as UTF-16, tab-separated, named .txt): a table when its header
        # names a text column, as a table piped in is told
        fmt = _table_format(src.sample[:4096].decode(src.encoding, errors="ignore")) or fmt
    if fmt == "txt":
        yield from (_txt_document(src) if unit == "document" else _txt_lines(src))
    elif fmt == "jsonl":
        yield from _jsonl(src, text_field)
    elif fmt == "json":
        yield from _json_file(src, text_field)
    else:
        yield from _delimited(src, "," if fmt == "csv" else "\t", text_column)
