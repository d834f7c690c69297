"""The library behind each command: one options object and one function per command.

The CLI parses its arguments into these dataclasses, calls the function and formats what it returns; a
Python caller does the same without the CLI::

    >>> from roleclassify.commands import TagOptions, run_tag
    >>> summary = run_tag(TagOptions(inputs=("jobs.csv",), output="tagged.xlsx", lang="ja"))  # doctest: +SKIP
    >>> summary.tagged, summary.skipped  # doctest: +SKIP
    (1200, 0)

Parameters that do not fit together raise :class:`~roleclassify.errors.OptionError` (exit code 2 on the
command line); the defaults of every option are the field defaults here, defined once.
"""

from __future__ import annotations

import codecs
import gc
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import IO, Any

from .auditnames import DEFAULT_DUPLICATE_THRESHOLD, DEFAULT_MIN_SCORE, fail_on_kinds, failing_findings
from .errors import OptionError, RecordError, StrictStop, option
from .io._json import dumps_line, loads
from .io.readers import MAX_TEXT_CHARS
from .labels import OTHER
from .progress import Progress
from .tokenize import ENGINES

__all__ = [
    "TagOptions", "TagSummary", "run_tag", "tag_output_format", "dask_unsupported",
    "TrainOptions", "run_train",
    "EvaluateOptions", "run_evaluate",
    "SuggestOptions", "run_suggest",
    "AuditOptions", "run_audit",
    "ENGINES", "STREAMED_FORMATS",
]

#: Output formats written record by record, so a pipe fed over time is tagged as it arrives.
STREAMED_FORMATS = ("jsonl", "table", "csv", "tsv")
#: Output encodings for CSV / TSV / table output.
OUTPUT_ENCODINGS = ("utf-8", "utf-8-sig", "cp932")


# --------------------------------------------------------------------------- tag
@dataclass(frozen=True)
class TagOptions:
    """Everything ``roleclassify tag`` takes (field order is the order options are named in messages)."""

    inputs: tuple[str, ...] = ("-",)
    unit: str = "line"
    text_field: str = "text"
    text_column: str | None = None
    input_format: str = "auto"
    fmt: str | None = None  #: None: by the output's suffix; table on a terminal, else jsonl
    output: str | None = None
    model_path: str | None = None
    threshold: float | None = None
    engine: str = "fast"
    explain: int = 0
    review_margin: float = 0.1
    review_band: float = 0.1
    encoding: str | None = None
    strict: bool = False
    jobs: int = 1
    scheduler: str | None = None
    progress: bool | None = None  #: None: a bar when stderr is a terminal and results go elsewhere
    lang: str = "en"
    output_encoding: str | None = None
    max_chars: int = MAX_TEXT_CHARS
    excel: bool = False
    id_column: str | None = None  #: CSV/TSV/Excel/Parquet column holding each record's id (default: file:line)
    id_field: str | None = None  #: JSONL field holding each record's id
    columns: tuple[str, ...] | None = None  #: input fields carried over into the output (None: all)
    limit: int | None = None  #: tag only the first N good records
    sheet: str | None = None  #: Excel: one sheet by name or 1-based number; None: every sheet with the column


#: TagOptions fields the Dask path honours; another one set with ``scheduler`` is refused, never dropped
#: (``lang`` is let through: it may come from the environment, and Parquet / JSONL keep the stable keys).
DASK_TAG_OPTIONS = frozenset({"inputs", "output", "fmt", "scheduler", "jobs", "text_column", "text_field",
                              "model_path", "threshold", "progress", "lang"})


@dataclass(frozen=True)
class TagSummary:
    """What a tagging run did: records written, records skipped (each was reported), and of the records
    written how many carry each label and how many are flagged for review."""

    tagged: int
    skipped: int
    output: str | None = None
    fmt: str = "jsonl"
    partitions: int | None = None  #: on Dask: the number of files written
    #: records per label, the model's labels in order, then ``other`` (records of no label); a record of two
    #: labels counts for both. None on Dask.
    by_label: dict[str, int] | None = None
    review: int | None = None  #: records flagged for review (None on Dask)
    seconds: float = 0.0  #: time spent reading, tagging and writing (the model loaded)
    #: records written whose text was empty (tagged other with nothing to go on), and the id of the first
    empty: int = 0
    first_empty: Any = None
    #: False when nothing could be tagged and every record was a problem: the output was then not written (an
    #: existing file is left as it was, a failed run never replaces an earlier good result).
    written: bool = True

    @property
    def exit_code(self) -> int:
        """0 when every record was tagged, 1 when any was skipped."""
        return 1 if self.skipped else 0


def tag_output_format(output: str | None, fmt: str | None, *, stdout_is_tty: bool) -> str:
    """The output format: ``fmt`` if given, else by the suffix of ``output`` (a device or FIFO gets JSONL),
    else ``table`` on a terminal and ``jsonl`` otherwise. A suffix that names no format is refused."""
    import os

    from .io.output import BINARY_FORMATS, SUFFIX_FORMATS

    if fmt is None:
        if output and output != "-":
            suffix = os.path.splitext(output)[1].lower()
            fmt = SUFFIX_FORMATS.get(suffix)
            if fmt is None and (not os.path.exists(output) or os.path.isfile(output)):
                raise OptionError(
                    f"cannot tell the output format from {suffix or 'a name without a suffix'!r}; name the file "
                    f"{', '.join(sorted(SUFFIX_FORMATS))} or pass {option('fmt', 'FORMAT')}", param="output")
            fmt = fmt or "jsonl"
        else:
            fmt = "table" if stdout_is_tty else "jsonl"
    if fmt in BINARY_FORMATS and not output:
        raise OptionError(f"{option('fmt', fmt)} needs {option('output', 'FILE')}")
    return fmt


def _output_encoding(opts: TagOptions) -> str:
    if opts.excel and opts.output_encoding not in (None, "utf-8-sig"):
        raise OptionError(f"{option('excel')} writes UTF-8 with a BOM; leave out {option('output_encoding')} "
                          "or pass utf-8-sig")
    return "utf-8-sig" if opts.excel else (opts.output_encoding or "utf-8")


def check_input_encoding(encoding: str | None) -> None:
    """Refuse an encoding Python has no codec for (a usage error naming the parameter)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise OptionError(f"unknown encoding {encoding!r}", param="encoding") from None


def _check_not_an_input(output: str | None, inputs: Sequence[str], doing: str = "tagging") -> None:
    """Refuse an output that is one of the inputs (through any path or link), or a file inside an input
    directory: ``doing`` would replace what it reads."""
    from .io.output import same_file_among

    clash = same_file_among(output, inputs)
    if clash is not None:
        raise OptionError(f"{output} is also an input ({clash}): {doing} would replace it; write to another file",
                          param="output")
    if output in (None, "-") or os.path.isdir(output):
        return
    # a file in a directory read, there already or not: replaced now, or read as an input by the next run
    target = os.path.realpath(output)
    inside = next((p for p in inputs if p != "-" and os.path.isdir(p)
                   and os.path.commonpath([os.path.realpath(p), target]) == os.path.realpath(p)), None)
    if inside is None:
        return
    if os.path.isfile(output):
        raise OptionError(f"{output} is also an input ({inside}): {doing} would replace it; write to another file",
                          param="output")
    raise OptionError(f"{output} is inside the input directory {inside}: the next run would read it as an input; "
                      "write it outside that directory", param="output")


def _check_output_suffix(output: str | None, fmt: str | None, suffixes: Mapping[str, str], what: str) -> None:
    """Refuse a report file whose suffix names no report format (``-o report.pdf`` would get a text table) when
    no ``--format`` says what to write; ``.txt`` (and no suffix) is the table."""
    if fmt or output in (None, "-"):
        return
    suffix = os.path.splitext(output)[1].lower()
    if suffix and suffix != ".txt" and suffix not in suffixes:
        known = ", ".join([*sorted(suffixes), ".txt"])
        raise OptionError(f"{output}: cannot write a {what} as {suffix}; use one of {known}, or name the format "
                          f"with {option('fmt', 'FORMAT')}", param="output")


def dask_unsupported(opts: TagOptions) -> list[str]:
    """The options set (different from their defaults) that the Dask path cannot honour, in option order."""
    default = TagOptions()
    return [f.name for f in fields(TagOptions)
            if f.name not in DASK_TAG_OPTIONS and getattr(opts, f.name) != getattr(default, f.name)]


def run_tag(
    opts: TagOptions,
    *,
    on_problem: Callable[[RecordError], None] | None = None,
    on_model: Callable[[Any], None] | None = None,
    stdout: IO[str] | None = None,
) -> TagSummary:
    """Tag ``opts.inputs`` into ``opts.output`` (stdout when None or ``-``), streaming, in input order.

    A bad record is passed to ``on_problem`` (default: a line on stderr) and skipped; with ``opts.strict``
    the first one is raised as :class:`~roleclassify.errors.StrictStop` (no output file is left behind).
    ``on_model`` gets the loaded model (the CLI prints its compatibility warnings). With ``opts.progress``
    (None: when stderr is a terminal and the results go elsewhere) a bar is drawn on stderr, with percent
    and ETA when the inputs' items can be counted (:func:`roleclassify.progress.expected_items`).
    """
    if opts.scheduler:
        return _run_tag_on_dask(opts, on_problem)
    if opts.limit is not None and opts.limit < 1:
        raise OptionError(f"{option('limit')} must be 1 or more, not {opts.limit}", param="limit")
    if isinstance(opts.columns, str):
        opts = replace(opts, columns=parse_columns(opts.columns))
    out_stream = stdout or sys.stdout
    on_terminal = opts.output in (None, "-") and out_stream.isatty()
    fmt = tag_output_format(opts.output, opts.fmt, stdout_is_tty=on_terminal)
    if opts.explain and fmt not in ("jsonl", "json"):
        raise OptionError(f"{option('explain')} adds each record's features and weights, which only JSON can "
                          f"hold; write {option('fmt', 'jsonl')} (or -o FILE.jsonl), or use `roleclassify explain TEXT` "
                          "for a few texts", param="explain")
    if opts.excel and fmt not in ("csv", "tsv", "txt"):
        raise OptionError(f"{option('excel')} makes CSV/TSV text that Excel opens (UTF-8 with a BOM); {fmt} output "
                          "does not take it (a BOM would break a JSON Lines reader; a workbook needs no encoding)",
                          param="excel")
    out_encoding = _output_encoding(opts)
    _check_not_an_input(opts.output, opts.inputs)
    from .model import load

    model = load(opts.model_path, engine=opts.engine)
    if on_model is not None:
        on_model(model)
    # the model's and tokenizer's objects live as long as the process: move them out of the collector's
    # reach, so the collections that tagging's short-lived lists trigger do not traverse them again and again
    gc.collect()
    gc.freeze()
    # and collect the young generation less often: tagging allocates lists by the hundred thousand, nearly all
    # freed by reference counting at once (1.02-1.04x as a whole command, bench/RESULTS.md)
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], _GC_YOUNG), *thresholds[1:])
    try:
        return _run_tag_loaded(opts, model, fmt, out_encoding, on_terminal, on_problem)
    finally:
        gc.set_threshold(*thresholds)


#: Allocations between two collections of the young generation while tagging (Python's default is 700).
_GC_YOUNG = 20_000


def _run_tag_loaded(opts: TagOptions, model: Any, fmt: str, out_encoding: str, on_terminal: bool,
                    on_problem: Callable[[RecordError], None] | None) -> TagSummary:
    """:func:`run_tag` once the model is loaded: the progress meter, the tagging loop and the summary."""
    check_input_encoding(opts.encoding)
    from .progress import expected_items

    def total() -> int | None:
        n = expected_items(opts.inputs, input_format=opts.input_format, unit=opts.unit)
        return n if n is None or opts.limit is None else min(n, opts.limit)

    meter = Progress(opts.progress, output_on_terminal=on_terminal, total=total, lang=opts.lang)
    tally = _Tally(dict.fromkeys([*model.labels, OTHER], 0))
    try:
        skipped, written = _write_tagged(model, opts, fmt, out_encoding, meter, on_problem or meter_message(meter),
                                         tally), True
    except _NothingTagged as e:
        skipped, written = e.skipped, False
    meter.done()
    return TagSummary(tagged=meter.n, skipped=skipped, output=opts.output, fmt=fmt, by_label=tally.by_label,
                      review=tally.review, seconds=meter.seconds, written=written, empty=tally.empty,
                      first_empty=tally.first_empty)


class _NothingTagged(Exception):
    """Raised inside the output's ``with`` when every record was a problem: the output is discarded."""

    def __init__(self, skipped: int) -> None:
        super().__init__(skipped)
        self.skipped = skipped


@dataclass
class _Tally:
    """Records per label and flagged for review, counted as they are written."""

    by_label: dict[str, int]
    review: int = 0
    #: records whose text was empty (an empty cell: tagged other, with nothing to go on), and the first's id
    empty: int = 0
    first_empty: Any = None
    _plain: bool | None = field(default=None, init=False, repr=False)  #: labels _head can read (None: not known)

    def add(self, rec: dict[str, Any], empty: bool) -> None:
        for label in rec.get("labels") or (OTHER,):
            self.by_label[label] = self.by_label.get(label, 0) + 1
        self.review += bool(rec.get("review"))
        if empty:
            self.empty += 1
            if self.empty == 1:
                self.first_empty = rec.get("id")

    def counted(self, item: dict[str, Any] | str, *, as_line: bool) -> dict[str, Any] | str:
        """``item`` (an output record, or its JSON line) counted; as a JSON line with ``as_line``."""
        if isinstance(item, str):
            head = self._head(item)
            # the record's own key is the only "text" key right after a quote (an input field named so is
            # written input_text; a quote inside a value is escaped)
            self.add(head, _EMPTY_TEXT.search(item) is not None)
            return item
        self.add(item, not str(item.get("text") or "").strip())
        return dumps_line(item) if as_line else item

    def _head(self, line: str) -> dict[str, Any]:
        """The labels and review flag of a JSON line, read without parsing all of it (ten times faster): in
        orjson's compact form its first ``"labels":[`` is the record's (every quote inside a string is escaped),
        and ``"review":`` follows the scores' closing brace. Labels whose names could confuse that, and any
        other spacing, parse the whole line."""
        start = line.find(_LABELS_KEY)
        end = line.find("]", start)
        brace = line.find("}", end)
        if start < 0 or end < 0 or brace < 0 or not self._plain_labels():
            return dict(loads(line))
        names = line[start + len(_LABELS_KEY):end]
        review = line.startswith(_REVIEW_TRUE, brace + 1)
        if "\\" in names or not review and not line.startswith(_REVIEW_FALSE, brace + 1):
            return dict(loads(line))
        out = {"labels": [n[1:-1] for n in names.split(",")] if names else [], "review": review}
        if _EMPTY_TEXT.search(line):
            out["id"] = loads(line).get("id")
        return out

    def _plain_labels(self) -> bool:
        if self._plain is None:
            self._plain = not any(set(k) & set('"],}\\') or k == "review" for k in self.by_label)
        return self._plain



_LABELS_KEY = '"labels":['
#: The record's text key with an empty or white-space value, in a JSON line (line breaks and tabs escaped).
_EMPTY_TEXT = re.compile(r'"text":"(?:\s|\\[nrt])*"')
_REVIEW_TRUE = ',"review":true'
_REVIEW_FALSE = ',"review":false'


def meter_message(meter: Progress) -> Callable[[RecordError], None]:
    """Report a bad record on stderr, above the progress bar."""
    return lambda err: meter.message(f"roleclassify: {err}")


def _write_tagged(model: Any, opts: TagOptions, fmt: str, encoding: str, meter: Progress,
                  on_problem: Callable[[RecordError], None], tally: _Tally) -> int:
    """Stream the tagged records into the output, counting them into ``tally``; returns how many bad records
    were skipped."""
    from .io.output import BINARY_FORMATS, AtomicOutput, make_writer
    from .io.readers import is_stream, stream_ready
    from .model import ReviewPolicy
    from .pipeline import tag_stream

    text_name, records = _joinable_records(opts)
    # stdin a pipe fed over time (`tail -f log | roleclassify tag -`): tag what has arrived, write it at once
    live = (opts.inputs == ("-",) and is_stream(sys.stdin.buffer) and opts.jobs == 1 and fmt in STREAMED_FORMATS)
    waiting = (lambda: not stream_ready(sys.stdin.buffer)) if live else None
    skipped = 0
    # JSON lines are made in the workers with jobs > 1 (and read back here for the tally); in this process
    # they are made from the record, as tag_stream would
    as_json = fmt == "jsonl" and opts.jobs != 1
    try:
        with AtomicOutput(opts.output, binary=fmt in BINARY_FORMATS, encoding=encoding) as stream:
            writer = make_writer(fmt, stream, model.labels, lang=opts.lang, text_name=text_name,
                                 duty_names=duty_names(model, opts.lang))
            for item in tag_stream(model, records, jobs=opts.jobs, as_json=as_json, threshold=opts.threshold,
                                   explain=opts.explain, review=ReviewPolicy(opts.review_margin, opts.review_band),
                                   waiting=waiting):
                if isinstance(item, RecordError):
                    skipped += 1
                    if opts.strict:
                        raise StrictStop.at(item)
                    meter.skip()
                    on_problem(item)
                    continue
                item = tally.counted(item, as_line=fmt == "jsonl")
                with meter.writing():
                    (stream if fmt == "jsonl" else writer).write(item)
                    if live or meter.shared:
                        stream.flush()
                meter.tick()
            if skipped and not meter.n and opts.output not in (None, "-"):
                raise _NothingTagged(skipped)  # a file of no results would replace what the user had
            writer.close()
    finally:
        meter.close()
    return skipped


def duty_names(model: Any, lang: str) -> dict[str, str] | None:
    """With ``lang="ja"``, each duty's Japanese name (``ja`` of its duty list) for the formats people read."""
    head = getattr(model, "duty_head", None)
    if head is None or lang != "ja":
        return None
    return {d["id"]: d.get("ja") or d["id"] for d in head.duties}


def _joinable_records(opts: TagOptions) -> tuple[str | None, Any]:
    """The input records with the ids, fields and limit of ``opts`` applied, and the name of the first
    input's text column (read up to its first good record)."""
    from itertools import chain

    from .io.readers import iter_records
    from .pipeline import first_text_name, join_keys, limited

    def read(paths: Sequence[str]) -> Any:
        return iter_records(paths, unit=opts.unit, text_field=opts.text_field, text_column=opts.text_column,
                            input_format=opts.input_format, encoding=opts.encoding, max_chars=opts.max_chars,
                            sheet=opts.sheet)

    if opts.id_column is None and opts.id_field is None and opts.columns is None:
        records = join_keys(read(opts.inputs))  # the input's own ids: a blank one is reported, not written
    else:  # input by input: the id's name depends on the format, and each input's fields are checked
        records = chain.from_iterable(
            join_keys(read([path]), id_key=key, id_param=param, columns=opts.columns)
            for path in opts.inputs for key, param in [_id_key(opts, path)])
    return first_text_name(records if opts.limit is None else limited(records, opts.limit))


def _id_key(opts: TagOptions, path: str) -> tuple[str | None, str]:
    """The field an input's ids come from and the parameter that named it: ``id_field`` for JSONL (and stdin,
    which is JSONL or text), ``id_column`` for the others; either one when only one is given."""
    from .io.readers import detect_format

    jsonl = detect_format(path, opts.input_format) in ("jsonl", "json") or (path == "-" and opts.input_format == "auto")
    if jsonl:
        return (opts.id_field, "id_field") if opts.id_field or not opts.id_column else (opts.id_column, "id_column")
    return (opts.id_column, "id_column") if opts.id_column or not opts.id_field else (opts.id_field, "id_field")


def parse_columns(value: Sequence[str] | str | None) -> tuple[str, ...] | None:
    """``columns`` as a tuple of names (a string is comma-separated, as on the command line; an empty one
    keeps no input field); None = all."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    return tuple(n.strip() for n in names if n.strip())


def _run_tag_on_dask(opts: TagOptions, on_problem: Callable[[RecordError], None] | None) -> TagSummary:
    from . import dask as rc_dask

    unsupported = dask_unsupported(opts)
    if unsupported:
        raise OptionError(
            f"{option('scheduler')} does not take {', '.join(option(n) for n in unsupported)}: the Dask path reads "
            f"Parquet/CSV/TSV/JSONL with {option('text_column')}, writes Parquet or JSONL and tags with the "
            f"model's own review settings; leave {'it' if len(unsupported) == 1 else 'them'} out, or tag without "
            f"{option('scheduler')}")
    if not opts.inputs or "-" in opts.inputs:
        raise OptionError(f"{option('scheduler')} reads files (paths or globs), not stdin")
    if not opts.output:
        raise OptionError(f"{option('scheduler')} needs {option('output', 'DIR')} (one file per partition is "
                          "written there)")
    fmt = opts.fmt or "parquet"
    if fmt not in ("parquet", "jsonl"):
        raise OptionError(f"{option('scheduler')} writes {option('fmt', 'parquet')} or jsonl")
    column = opts.text_column or opts.text_field
    result = rc_dask.run(
        list(opts.inputs), opts.output, scheduler=opts.scheduler or "local", workers=opts.jobs or None,
        text_column=column, model=opts.model_path, threshold=opts.threshold, fmt=fmt,
        progress=sys.stderr.isatty() if opts.progress is None else opts.progress,
    )
    report = on_problem or meter_message(Progress(False))
    for where, reason in result["errors"]:
        report(RecordError(f"record {where}", reason))
    return TagSummary(tagged=result["written"], skipped=len(result["errors"]), output=opts.output, fmt=fmt,
                      partitions=result["partitions"])


# --------------------------------------------------------------------------- train
@dataclass(frozen=True)
class TrainOptions:
    """Everything ``roleclassify train`` takes."""

    corpus: tuple[str, ...]
    out: str
    cv: int = 5
    estimator: str = "svm"
    C: float | None = None
    seed: int = 0
    include_test: bool = False
    labels: tuple[str, ...] | None = None
    name: str | None = None
    encoding: str | None = None  #: the corpus files' encoding (None: detected per file)
    duties: str | None = None  #: the duty list (None: a duties.json beside the corpus, else the corpus's ids)
    thresholds: str = "margin"  #: the roles' threshold rule (see RoleClassifierEstimator)

    def command_line(self) -> str:
        """The command that trains this model again, with every option that differs from its default
        (written into the model card as "Measured by")."""
        import shlex

        parts = ["roleclassify", "train", *self.corpus, "--out", self.out]
        default = TrainOptions((), "")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("corpus", "out") or value == getattr(default, f.name):
                continue
            flag = "--c" if f.name == "C" else "--" + f.name.replace("_", "-")
            if value is True:
                parts.append(flag)
            else:
                parts += [flag, ",".join(value) if isinstance(value, tuple) else str(value)]
        return " ".join(shlex.quote(p) for p in parts)


def parse_labels(value: str | None) -> tuple[str, ...] | None:
    """A comma-separated label list (``"sales,marketing"``); None or empty = any label."""
    labels = tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()
    return labels or None


def run_train(opts: TrainOptions, *, progress: Callable[[str], None] | None = None) -> Any:
    """Train and write the model; returns :class:`roleclassify.training.TrainResult`."""
    from .training import train

    check_input_encoding(opts.encoding)
    return train(list(opts.corpus), opts.out, estimator=opts.estimator, C=opts.C, cv=opts.cv, seed=opts.seed,
                 include_test=opts.include_test, labels=list(opts.labels) if opts.labels else None, name=opts.name,
                 progress=progress, command=opts.command_line(), encoding=opts.encoding, duties=opts.duties,
                 thresholds=opts.thresholds)


# --------------------------------------------------------------------------- evaluate
@dataclass(frozen=True)
class EvaluateOptions:
    """Everything ``roleclassify evaluate`` takes."""

    corpus: tuple[str, ...]
    model_path: str | None = None
    split: str = "all"
    threshold: float | None = None
    errors_path: str | None = None
    encoding: str | None = None  #: the corpus files' encoding (None: detected per file)


def run_evaluate(opts: EvaluateOptions) -> dict[str, Any]:
    """Score the model on the corpus (only records of ``opts.split`` unless ``all``); the misclassified items
    are written to ``opts.errors_path`` (JSONL) when given, and their count is the result's ``n_errors``."""
    from .corpus import filter_split, read_corpus
    from .errors import CorpusError
    from .evaluation import evaluate, write_misclassified
    from .model import load

    check_input_encoding(opts.encoding)
    items = read_corpus(opts.corpus, encoding=opts.encoding)
    try:
        items = filter_split(items, opts.split)
    except CorpusError as e:  # the corpus is fine; the option asks for what it does not have
        raise OptionError(str(e)) from None
    result = evaluate(load(opts.model_path), items, threshold=opts.threshold)
    errors = result.pop("errors")
    if opts.errors_path:
        write_misclassified(opts.errors_path, errors)
    result["n_errors"] = len(errors)
    return result


# --------------------------------------------------------------------------- suggest
@dataclass(frozen=True)
class SuggestOptions:
    """Everything ``roleclassify suggest`` takes."""

    inputs: tuple[str, ...]
    n: int = 200
    output: str | None = None
    model_path: str | None = None
    exclude: tuple[str, ...] = ()
    diversity: float = 1.0
    unit: str = "line"
    text_field: str = "text"
    text_column: str | None = None
    encoding: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class SuggestResult:
    picked: int
    errors: list[RecordError] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def run_suggest(opts: SuggestOptions) -> SuggestResult:
    """Write the sentences most worth labelling next (JSONL, ``"labels": null``) to ``opts.output``."""
    from .corpus import known_texts
    from .io.output import AtomicOutput
    from .io.readers import iter_records
    from .model import load
    from .suggest import suggest

    model = load(opts.model_path)
    known = known_texts(opts.exclude)
    records = iter_records(opts.inputs, unit=opts.unit, text_field=opts.text_field, text_column=opts.text_column,
                           encoding=opts.encoding, sheet=opts.sheet)
    picked, errors = suggest(model, records, n=opts.n, diversity=opts.diversity, exclude=known)
    with AtomicOutput(opts.output) as stream:
        for rec in picked:
            stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return SuggestResult(len(picked), errors)


# --------------------------------------------------------------------------- audit
@dataclass(frozen=True)
class AuditOptions:
    """Everything ``roleclassify audit`` takes."""

    paths: tuple[str, ...]
    model_path: str | None = None
    fmt: str | None = None  #: None: by the output's suffix; table on a terminal, else json
    output: str | None = None
    expect: tuple[str, ...] = ()  #: DEPARTMENT=ROLE
    duplicate_threshold: float = DEFAULT_DUPLICATE_THRESHOLD
    threshold: float | None = None
    min_score: float = DEFAULT_MIN_SCORE
    dept_column: str | None = None
    duty_column: str | None = None
    fail_on: tuple[str, ...] = ()
    lang: str = "en"  #: the table, Markdown and HTML reports in en or ja (JSON keeps keys and English texts)
    encoding: str | None = None  #: the documents' text encoding (None: detected per file)
    sheet: str | None = None


@dataclass(frozen=True)
class CompareOptions:
    """Everything ``roleclassify compare`` takes."""

    old: str
    new: str
    kind: str = "org"  #: org: two versions of an organisation's documents; job: two job descriptions
    model_path: str | None = None
    fmt: str | None = None  #: None: by the output's suffix; table on a terminal, else json
    output: str | None = None
    lang: str = "en"
    encoding: str | None = None
    dept_column: str | None = None
    duty_column: str | None = None
    sheet: str | None = None


def run_compare(opts: CompareOptions, *, stdout_is_tty: bool = False,
                on_model: Callable[[Any], None] | None = None) -> Any:
    """Compare the two versions and write the comparison (to ``opts.output``, else stdout) in ``opts.fmt``, or the
    format the output's suffix names; returns the :class:`roleclassify.compare.Comparison`."""
    from .compare import COMPARE_KINDS, compare_jobs, compare_org
    from .model import load
    from .report.audit import REPORT_SUFFIXES
    from .report.compare import BINARY_COMPARE_FORMATS, compare_format_for, render_comparison, write_comparison_xlsx

    if opts.kind not in COMPARE_KINDS:
        raise OptionError(f"unknown kind {opts.kind!r}; expected one of: {', '.join(COMPARE_KINDS)}", param="kind")
    _check_output_suffix(opts.output, opts.fmt, REPORT_SUFFIXES, "comparison")
    fmt = _report_format(opts.fmt or compare_format_for(opts.output, stdout_is_tty), opts.output, stdout_is_tty,
                         BINARY_COMPARE_FORMATS, "comparison", "compare.xlsx")
    _check_not_an_input(opts.output, [str(opts.old), str(opts.new)], "the comparison")
    check_input_encoding(opts.encoding)
    model = load(opts.model_path)
    if on_model is not None:
        on_model(model)
    if opts.kind == "job":
        cmp = compare_jobs(opts.old, opts.new, model, encoding=opts.encoding)
    else:
        cmp = compare_org([opts.old], [opts.new], model, encoding=opts.encoding, dept_column=opts.dept_column,
                          duty_column=opts.duty_column, sheet=opts.sheet)
    _write_report(opts.output, fmt in BINARY_COMPARE_FORMATS, lambda out: write_comparison_xlsx(cmp, out, lang=opts.lang),
                  lambda: render_comparison(cmp, fmt, lang=opts.lang))
    return cmp


def _report_format(fmt: str, output: str | None, stdout_is_tty: bool, binary: frozenset[str], what: str,
                   example: str) -> str:
    """``fmt``, refused when it is a workbook bound for a terminal."""
    if fmt in binary and output in (None, "-") and stdout_is_tty:
        raise OptionError(f"a {fmt} {what} is a workbook, not text for a terminal: write it to a file with "
                          f"{option('output', example)} (or pipe it)", param="fmt")
    return fmt


def _write_report(output: str | None, workbook: bool, write_workbook: Callable[[Any], None],
                  text: Callable[[], str]) -> None:
    """A report to ``output`` (atomically; stdout when None or -): a workbook, or the text (rendered before the
    file is opened)."""
    from .io.output import AtomicOutput

    if workbook:
        with AtomicOutput(output, binary=True) as stream:
            write_workbook(stream)
        return
    body = text()
    with AtomicOutput(output) as stream:
        stream.write(body + "\n")


def parse_expect(values: Sequence[str]) -> dict[str, str]:
    """``DEPARTMENT=ROLE`` pairs as a mapping."""
    out = {}
    for v in values:
        dept, sep, role = v.partition("=")
        if not sep or not dept.strip() or not role.strip():
            raise OptionError(f"{v!r}: expected DEPARTMENT=ROLE, e.g. 営業企画部=marketing", param="expect")
        out[dept.strip()] = role.strip()
    return out


@dataclass(frozen=True)
class AuditRun:
    report: Any  #: :class:`roleclassify.orgaudit.AuditReport`
    fmt: str
    failing: list[Any]  #: findings of the kinds ``fail_on`` names
    fail_kinds: frozenset[str] = frozenset()

    @property
    def exit_code(self) -> int:
        """3 when findings of a ``fail_on`` kind exist, else 0."""
        return 3 if self.failing else 0


def run_audit(opts: AuditOptions, *, stdout_is_tty: bool = False, on_model: Callable[[Any], None] | None = None
              ) -> AuditRun:
    """Audit the documents and write the report (to ``opts.output``, else stdout) in ``opts.fmt``, or the
    format the output's suffix names (:func:`roleclassify.report.audit.report_format_for`)."""
    from .model import load
    from .orgaudit import audit
    from .report.audit import BINARY_AUDIT_FORMATS, REPORT_SUFFIXES, render, report_format_for, write_xlsx

    _check_output_suffix(opts.output, opts.fmt, REPORT_SUFFIXES, "report")
    fmt = _report_format(opts.fmt or report_format_for(opts.output, stdout_is_tty), opts.output, stdout_is_tty,
                         BINARY_AUDIT_FORMATS, "report", "audit.xlsx")
    _check_not_an_input(opts.output, [str(p) for p in opts.paths], "the report")
    check_input_encoding(opts.encoding)
    expect = parse_expect(opts.expect)
    kinds = fail_on_kinds(opts.fail_on)
    model = load(opts.model_path)
    if on_model is not None:
        on_model(model)
    report = audit(opts.paths, model, expect=expect, duplicate_threshold=opts.duplicate_threshold,
                   threshold=opts.threshold, min_score=opts.min_score, dept_column=opts.dept_column,
                   duty_column=opts.duty_column, encoding=opts.encoding, sheet=opts.sheet)
    _write_report(opts.output, fmt in BINARY_AUDIT_FORMATS, lambda out: write_xlsx(report, out, lang=opts.lang),
                  lambda: render(report, fmt, lang=opts.lang))
    return AuditRun(report, fmt, failing_findings(report, opts.fail_on), kinds)
