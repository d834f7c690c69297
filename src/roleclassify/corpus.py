"""Labelled corpora: reading, validation and the units a model is trained on.

A corpus is one or more JSONL, CSV/TSV or Excel (.xlsx) files. Each record has ``text`` and ``labels``;
everything else is optional. Labels are any strings (a user's own taxonomy works); ``[]``, ``""`` and ``other`` mean no role.

JSONL record of the shipped corpus::

    {"id": "sA-0001", "text": "…", "labels": ["sales"], "unit": "sentence", "split": "train",
     "register": "bullet", "industry": "it", "tags": [], "source": "original:batch_a"}

A job description has ``"unit": "document"`` and, line by line, ``"lines": [{"text", "labels"}]``; its
``labels`` are the role(s) the job mainly does. CSV/TSV files need a header with ``text`` and ``labels``
columns; several labels in one cell are separated by ``;``, ``|`` or ``,``. A directory stands for the
``*.jsonl`` (and ``*.jsonl.gz``) files under it, except those in folders (or named) starting with ``_`` or ``.``.

Files are read as ``tag`` reads its input (:func:`roleclassify.io.readers.read_text`): gzip-compressed or not
(``x.csv.gz``: the format is the suffix before ``.gz``), the encoding detected (UTF-8 with or without BOM,
UTF-16, CP932 / Shift_JIS as Excel saves CSV, EUC-JP) or given as ``encoding``; bytes that do not decode
raise :class:`~roleclassify.errors.InputError` naming ``file:line``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorpusError, RecordError
from .io import _json
from .labels import LABELS_JA, OTHER, ROLES, label_set_key

__all__ = [
    "CorpusItem",
    "read_corpus",
    "read_corpus_with_problems",
    "corpus_files",
    "filter_split",
    "known_texts",
    "label_set",
    "label_location",
    "training_units",
    "training_duties",
    "has_duties",
    "duty_set",
    "corpus_hash",
    "ROLES",
    "unknown_labels",
    "repeated_texts",
    "OTHER_NAMES",
]

#: The shipped taxonomy, in display order.
#: Label values that mean "no role".
OTHER_NAMES = frozenset({"other", "none", "", "その他"})
#: The shipped roles' Japanese names (what ``tag --lang ja`` writes, what an analyst types in Excel), read as the
#: roles themselves in a corpus that also uses the roles' keys (see :func:`_one_name_per_role`).
_ROLE_NAMES = {name: key for key, name in LABELS_JA.items() if key != OTHER}
_SPLIT_RE = re.compile(r"[;|,、]")


@dataclass
class CorpusItem:
    """One labelled record."""

    text: str
    labels: list[str]
    id: str = ""
    unit: str = "sentence"
    split: str | None = None
    register: str | None = None
    industry: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    lines: list[tuple[str, list[str]]] | None = None
    location: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: The record's own duties (ids of a duty list such as ``corpus/duties.json``); None when it states none.
    duties: list[str] | None = None
    #: The duties of each of ``lines`` (None for a line that states none), parallel to ``lines``.
    line_duties: list[list[str] | None] | None = None

    @property
    def is_document(self) -> bool:
        """A whole document (a job description, or a page of a document batch), not a single sentence."""
        return self.unit in ("document", "page")

    @property
    def has_document_label(self) -> bool:
        """Whether the record's own ``labels`` are a document label to learn and score (a ``page`` has none)."""
        return self.unit != "page"

    @property
    def label_key(self) -> str:
        return label_set_key(self.labels)


def _parse_labels(value: Any, where: str, problems: list[str]) -> list[str] | None:
    if value is None:
        problems.append(
            f"{where}: no labels yet ('labels' is missing or null); label the record ([] for other) or remove it"
        )
        return None
    parts = _string_list(value)
    if parts is None:
        problems.append(f"{where}: 'labels' must be a list of strings or a string, got {value!r}")
        return None
    # an empty name in a list (["sales", ""]), or a cell of separators only (";"): a label left out by mistake, not
    # other (other is [] or an empty cell, or "other" / "その他")
    if (isinstance(value, list) and "" in parts) or (isinstance(value, str) and value.strip() and not any(parts)):
        problems.append(f"{where}: an empty label in {value!r}; write [] (or an empty cell) for other, or the label")
        return None
    out: list[str] = []
    for p in parts:
        if p.lower() in OTHER_NAMES:
            continue
        if p not in out:
            out.append(p)
    return out


def label_location(items: Sequence[CorpusItem], label: str) -> str:
    """``file:line: `` of the first item with ``label`` (its own or one of its lines'), to open a message with;
    empty when no item has a location."""
    first = next((it.location for it in items if label in it.labels or any(label in ls for _, ls in it.lines or ())),
                 "")
    return f"{first}: " if first else ""


#: Record fields that are CorpusItem attributes; the others are kept in ``extra``.
_KNOWN_FIELDS = frozenset({"text", "labels", "id", "unit", "split", "register", "industry", "source", "tags", "lines",
                           "duties"})


def _item_from_obj(obj: Any, where: str, problems: list[str]) -> CorpusItem | None:
    """One parsed record as an item, or None with its problem added to ``problems``."""
    if not isinstance(obj, dict):
        problems.append(f"{where}: expected a JSON object, got {type(obj).__name__}")
        return None
    lines = line_duties = None
    if obj.get("lines") is not None:
        parsed = _parse_lines(obj["lines"], where, problems)
        if parsed is None:
            return None
        lines, line_duties = parsed
    duties = _parse_duties(obj.get("duties"), where, problems)
    if duties is False:
        return None
    text = _item_text(obj.get("text"), lines, where, problems)
    if text is None:
        return None
    unit = str(obj.get("unit") or ("document" if lines else "sentence"))
    labels = _item_labels(obj, unit, lines, where, problems)
    if labels is None:
        return None
    tags = obj.get("tags") or []
    return CorpusItem(
        text=text,
        labels=labels,
        id=str(obj.get("id") or where),
        unit=unit,
        split=obj.get("split"),
        register=obj.get("register"),
        industry=obj.get("industry"),
        source=obj.get("source"),
        tags=list(tags) if isinstance(tags, list) else [str(tags)],
        lines=lines,
        location=where,
        extra={k: v for k, v in obj.items() if k not in _KNOWN_FIELDS},
        duties=duties if isinstance(duties, list) else None,
        line_duties=line_duties,
    )


def _string_list(value: Any) -> list[str] | None:
    """A ``labels`` or ``duties`` value as its stripped parts: a string split as a CSV cell is (``;``, ``,``,
    ``+`` ...), a list of strings as it is; None for anything else."""
    if isinstance(value, str):
        return [p.strip() for p in _SPLIT_RE.split(value)]
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return [p.strip() for p in value]
    return None


def _parse_duties(value: Any, where: str, problems: list[str]) -> list[str] | None | bool:
    """A record's (or line's) ``duties``: a list of ids, None when it states none, False (with the problem
    added) when it is not a list of strings. A CSV cell separates several ids as ``labels`` does."""
    if value is None:
        return None
    parts = _string_list(value)
    if parts is None:
        problems.append(f"{where}: 'duties' must be a list of duty ids or a string, got {value!r}")
        return False
    return list(dict.fromkeys(p for p in parts if p))


def _parse_lines(
    raw_lines: Any, where: str, problems: list[str]
) -> tuple[list[tuple[str, list[str]]], list[list[str] | None] | None] | None:
    """A document's ``lines`` as (text, labels) pairs and each line's duties (None when no line states any),
    or None when one of them is not valid."""
    if not isinstance(raw_lines, list):
        problems.append(f"{where}: 'lines' must be a list of {{text, labels}} objects")
        return None
    lines = []
    duties: list[list[str] | None] = []
    for k, ln in enumerate(raw_lines, 1):
        if not isinstance(ln, dict) or not isinstance(ln.get("text"), str) or not ln["text"].strip():
            problems.append(f"{where}: lines[{k}] needs a non-empty 'text'")
            return None
        lab = _parse_labels(ln.get("labels"), f"{where} lines[{k}]", problems)
        if lab is None:
            return None
        dut = _parse_duties(ln.get("duties"), f"{where} lines[{k}]", problems)
        if dut is False:
            return None
        lines.append((ln["text"], lab))
        duties.append(dut if isinstance(dut, list) else None)
    return lines, (duties if any(d is not None for d in duties) else None)


def _item_text(text: Any, lines: list[tuple[str, list[str]]] | None, where: str, problems: list[str]) -> str | None:
    """A record's text (a document without ``text`` is its lines joined), or None when it has none."""
    if text is None and lines is not None:
        text = "\n".join(t for t, _ in lines)
    if not isinstance(text, str):
        problems.append(f"{where}: 'text' must be a string, got {type(text).__name__}")
        return None
    if not text.strip():
        problems.append(f"{where}: empty 'text'")
        return None
    return text


def _item_labels(
    obj: dict[str, Any], unit: str, lines: list[tuple[str, list[str]]] | None, where: str, problems: list[str]
) -> list[str] | None:
    """A record's own labels; a ``page`` has none (only its lines are labelled)."""
    if unit != "page":
        return _parse_labels(obj.get("labels"), where, problems)
    # A company page or a regulation (guide §0): no document label, only its lines are labelled.
    if obj.get("labels") is not None:
        problems.append(f"{where}: a 'page' has no document labels; write \"labels\": null")
        return None
    if not lines:
        problems.append(f"{where}: a 'page' needs labelled 'lines'")
        return None
    return []


def _read_jsonl(path: Path, text: str, problems: list[str]) -> list[CorpusItem]:
    items = []
    # split at LF only: str.splitlines() would also split at U+2028 / U+0085 inside a JSON string
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = _json.loads(line)
        except _json.JSONDecodeError as e:
            problems.append(f"{where}: invalid JSON ({e.msg} at column {e.colno})")
            continue
        item = _item_from_obj(obj, where, problems)
        if item is not None:
            items.append(item)
    return items


def _read_delimited(path: Path, text: str, delimiter: str, problems: list[str]) -> list[CorpusItem]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    for col in ("text", "labels"):
        if col not in header:
            problems.append(
                f"{path}:1: no '{col}' column in header {header}; a corpus CSV needs 'text' and 'labels' columns"
            )
    if problems and any(p.startswith(f"{path}:1: no ") for p in problems):
        return []
    items = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if None in row:
            problems.append(f"{where}: more fields than the header has")
            continue
        obj: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
        if "tags" in obj:
            obj["tags"] = [t for t in _SPLIT_RE.split(obj["tags"]) if t]
        item = _item_from_obj(obj, where, problems)
        if item is not None:
            items.append(item)
    return items


def _read_xlsx(path: Path, problems: list[str]) -> list[CorpusItem]:
    """A labelled Excel sheet (the labels an analyst typed beside each text): every sheet whose header, below
    any title rows, has a ``text`` column, read as ``tag`` reads Excel (merged cells filled, rows located as
    ``file[sheet]:row N``), with its ``labels`` column as in CSV."""
    from .io.readers import iter_records

    items: list[CorpusItem] = []
    checked = False
    for rec in iter_records([str(path)], text_column="text"):
        if isinstance(rec, RecordError):
            problems.append(str(rec))
            continue
        if not checked:
            checked = True
            if "labels" not in rec.fields:
                names = ", ".join(["text", *map(str, rec.fields)])
                problems.append(f"{rec.location}: the header has no 'labels' column (columns: {names}); a corpus sheet needs "
                                "'text' and 'labels' columns")
                return []
        obj: dict[str, Any] = {k: ("" if v is None else str(v)) for k, v in rec.fields.items()}
        obj["text"] = rec.text
        if "tags" in obj:
            obj["tags"] = [t for t in _SPLIT_RE.split(obj["tags"]) if t]
        item = _item_from_obj(obj, rec.location, problems)
        if item is not None:
            items.append(item)
    return items


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """The corpus files that ``paths`` name: files as given, directories by their ``*.jsonl`` files."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # a directory contributes its JSONL files (CSV files there may be other data: name them);
            # files and folders whose names start with "_" or "." are not corpus data
            found = sorted(
                q for q in [*p.rglob("*.jsonl"), *p.rglob("*.jsonl.gz")]
                if not any(part.startswith(("_", ".")) for part in q.relative_to(p).parts)
            )
            if not found:
                raise CorpusError(f"{p}: no .jsonl corpus files in this directory; name CSV/TSV corpora one by one")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise CorpusError(f"{p}: no such corpus file or directory")
    return out


def read_corpus(paths: Iterable[str | Path], *, strict: bool = True, encoding: str | None = None) -> list[CorpusItem]:
    """Read corpus files (or directories of them) into items, in file order.

    With ``strict`` (the default) any bad record raises :class:`CorpusError` listing every problem as
    ``file:line: message``; otherwise bad records are skipped. ``encoding`` (default: detected per file)
    applies to every file.
    """
    items, problems = _read_files(paths, encoding)
    if problems and strict:
        raise CorpusError(
            f"{len(problems)} problem(s) in the corpus; first: {problems[0]}", problems
        )
    return _some(items)


def read_corpus_with_problems(
    paths: Iterable[str | Path], *, encoding: str | None = None
) -> tuple[list[CorpusItem], list[str]]:
    """The items ``read_corpus(paths, strict=False)`` returns, and the problems of the records it skipped
    (``file:line: message``, those ``strict=True`` refuses), from one reading of the files.

    Raises :class:`~roleclassify.errors.InputError` for a file that cannot be read or decoded and
    :class:`CorpusError` for a corpus without a single good record.
    """
    items, problems = _read_files(paths, encoding)
    return _some(items), problems


def _read_files(paths: Iterable[str | Path], encoding: str | None = None) -> tuple[list[CorpusItem], list[str]]:
    """Items of every corpus file, and the problems of the records that are not items."""
    from .io.readers import detect_format, read_text

    problems: list[str] = []
    items: list[CorpusItem] = []
    for path in corpus_files(paths):
        fmt = detect_format(str(path))
        if fmt == "xlsx":
            items.extend(_read_xlsx(path, problems))
            continue
        text = read_text(str(path), encoding)
        if fmt in ("csv", "tsv"):
            items.extend(_read_delimited(path, text, "," if fmt == "csv" else "\t", problems))
        else:
            items.extend(_read_jsonl(path, text, problems))
    return _one_name_per_role(items), problems


def _one_name_per_role(items: list[CorpusItem]) -> list[CorpusItem]:
    """A corpus that labels with both a shipped role's key and its Japanese name (sales in one file, 営業 typed
    in an Excel sheet) has each name read as the key, so it trains one label, not two. A corpus of Japanese
    names only is a taxonomy of its own and keeps them (a model of 事務 / 営業 tags 営業)."""
    from dataclasses import replace

    used = {l for it in items for l in (*it.labels, *(l for _, ls in it.lines or () for l in ls))}
    if not (used & set(ROLES)) or not (used & set(_ROLE_NAMES)):
        return items

    def keys(ls: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(_ROLE_NAMES.get(l, l) for l in ls))

    return [replace(it, labels=keys(it.labels), lines=[(t, keys(ls)) for t, ls in it.lines] if it.lines else it.lines)
            for it in items]


def _some(items: list[CorpusItem]) -> list[CorpusItem]:
    if not items:
        raise CorpusError("the corpus has no records")
    return items


def filter_split(items: Iterable[CorpusItem], split: str) -> list[CorpusItem]:
    """The items of one split: ``"test"`` or ``"train"`` (a record without ``"split"`` counts as train), or
    every item for ``"all"``.

    Raises :class:`CorpusError` when no item of that split is left.
    """
    items = list(items)
    if split == "all":
        return items
    kept = [it for it in items if (it.split or "train") == split]
    if not kept:
        raise CorpusError(f'no records with "split": "{split}" in the corpus')
    return kept


def known_texts(paths: Iterable[str | Path], *, encoding: str | None = None) -> list[str]:
    """Every text of the files at ``paths`` (corpus files, or directories of them), records and the lines of
    documents: the sentences ``suggest --exclude`` leaves out. A record needs its text only, not labels, so an
    earlier ``suggest`` output still waiting for its labels is excluded too; records without a text are skipped.
    No paths, no texts."""
    from .io.readers import iter_records

    paths = list(paths)
    if not paths:
        return []
    files = corpus_files(paths)
    known: list[str] = []
    # the corpus's own reading (a document may give its lines without a text of its own) ...
    for it in _read_files(files, encoding)[0]:
        known.append(it.text)
        known.extend(t for t, _ in it.lines or ())
    # ... and every record's text, labelled or not
    seen = set(known)
    for rec in iter_records([str(p) for p in files], text_column="text", encoding=encoding):
        if not isinstance(rec, RecordError) and rec.text not in seen:
            seen.add(rec.text)
            known.append(rec.text)
    return known


def label_set(items: Iterable[CorpusItem]) -> list[str]:
    """Labels used by a corpus: the shipped roles first (in their order), then others sorted."""
    seen: set[str] = set()
    for it in items:
        seen.update(it.labels)
        for _, lab in it.lines or ():
            seen.update(lab)
    return [r for r in ROLES if r in seen] + sorted(seen - set(ROLES))


def training_units(items: Sequence[CorpusItem]) -> tuple[list[str], list[list[str]], list[str], list[str]]:
    """Units a model learns from: texts, label lists, group ids (one per source item) and registers.

    Sentence items are units as they are; a document with line labels contributes each labelled line; a
    document without them is one unit.
    """
    texts: list[str] = []
    labels: list[list[str]] = []
    groups: list[str] = []
    registers: list[str] = []
    for it in items:
        if it.lines:
            for t, lab in it.lines:
                texts.append(t)
                labels.append(lab)
                groups.append(it.id)
                registers.append("jobad-line")
        else:
            texts.append(it.text)
            labels.append(it.labels)
            groups.append(it.id)
            registers.append(it.register or "unknown")
    return texts, labels, groups, registers


def training_duties(items: Sequence[CorpusItem]) -> list[list[str]]:
    """The duties of each unit :func:`training_units` returns, in the same order; a unit that states none has
    none (a negative for every duty)."""
    out: list[list[str]] = []
    for it in items:
        if it.lines:
            line_duties = it.line_duties or [None] * len(it.lines)
            out.extend(list(d or ()) for d in line_duties)
        else:
            out.append(list(it.duties or ()))
    return out


def has_duties(items: Iterable[CorpusItem]) -> bool:
    """Whether any record (or line) of a corpus states its duties."""
    return any(it.duties is not None or it.line_duties is not None for it in items)


def duty_set(items: Iterable[CorpusItem]) -> list[str]:
    """The duty ids a corpus uses, in order of first use."""
    seen: dict[str, None] = {}
    for it in items:
        seen.update(dict.fromkeys(it.duties or ()))
        for d in it.line_duties or ():
            seen.update(dict.fromkeys(d or ()))
    return list(seen)


def corpus_hash(items: Iterable[CorpusItem]) -> str:
    """SHA-256 over the items' text and labels (order-sensitive): identifies the training data."""
    h = hashlib.sha256()
    for it in items:
        h.update(json.dumps([it.text, it.labels, [list(x) for x in it.lines or ()]], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def unknown_labels(item: CorpusItem, allowed: Collection[str]) -> list[str]:
    """The labels of ``item`` (its own and its lines') that are not in ``allowed``, sorted."""
    used = set(item.labels) | {label for _, lab in item.lines or () for label in lab}
    return sorted(used - set(allowed))


def repeated_texts(items: Sequence[CorpusItem], keys: Sequence[str] | None = None) -> Iterator[tuple[int, int]]:
    """``(first, later)`` indices of items whose text (or ``keys``: their comparison forms, by default
    :func:`roleclassify.text.text_key`) repeats an earlier item's."""
    from .text import text_key

    seen: dict[str, int] = {}
    for i, key in enumerate(keys if keys is not None else [text_key(it.text) for it in items]):
        j = seen.setdefault(key, i)
        if j != i:
            yield j, i
