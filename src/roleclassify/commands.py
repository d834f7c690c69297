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
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import IO, Any

from .errors import OptionError, RecordError, StrictStop, option
from .io.readers import MAX_TEXT_CHARS
from .orgaudit import (
    DEFAULT_DUPLICATE_THRESHOLD,
    DEFAULT_MIN_SCORE,
    fail_on_kinds,
    failing_findings,
)
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
    sheet: str | None = None  #: Excel: one sheet by name or 1-based number; None: every sheet with the column


#: TagOptions fields the Dask path honours; another one set with ``scheduler`` is refused, never dropped
#: (``lang`` is let through: it may come from the environment, and Parquet / JSONL keep the stable keys).
DASK_TAG_OPTIONS = frozenset({"inputs", "output", "fmt", "scheduler", "jobs", "text_column", "text_field",
                              "model_path", "threshold", "progress", "lang"})


@dataclass(frozen=True)
class TagSummary:
    """What a tagging run did: records written, records skipped (each was reported)."""

    tagged: int
    skipped: int
    output: str | None = None
    fmt: str = "jsonl"
    partitions: int | None = None  #: on Dask: the number of files written

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


def _check_input_encoding(encoding: str | None) -> None:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise OptionError(f"unknown encoding {encoding!r}", param="encoding") from None


def _check_not_an_input(output: str | None, inputs: Sequence[str]) -> None:
    from .io.output import same_file_among

    clash = same_file_among(output, inputs)
    if clash is not None:
        raise OptionError(f"{output} is also an input ({clash}): tagging would replace it; write to another file",
                          param="output")


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
    (None: when stderr is a terminal and the results go elsewhere) a bar is drawn on stderr and a summary
    line left.
    """
    if opts.scheduler:
        return _run_tag_on_dask(opts, on_problem)
    out_stream = stdout or sys.stdout
    on_terminal = opts.output in (None, "-") and out_stream.isatty()
    fmt = tag_output_format(opts.output, opts.fmt, stdout_is_tty=on_terminal)
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
    _check_input_encoding(opts.encoding)
    meter = Progress(opts.progress, output_on_terminal=on_terminal)
    skipped = _write_tagged(model, opts, fmt, out_encoding, meter, on_problem or meter_message(meter))
    meter.done()
    return TagSummary(tagged=meter.n, skipped=skipped, output=opts.output, fmt=fmt)


def meter_message(meter: Progress) -> Callable[[RecordError], None]:
    """Report a bad record on stderr, above the progress bar."""
    return lambda err: meter.message(f"roleclassify: {err}")


def _write_tagged(model: Any, opts: TagOptions, fmt: str, encoding: str, meter: Progress,
                  on_problem: Callable[[RecordError], None]) -> int:
    """Stream the tagged records into the output; returns how many bad records were skipped."""
    from .io.output import BINARY_FORMATS, AtomicOutput, make_writer
    from .io.readers import is_stream, iter_records, stream_ready
    from .model import ReviewPolicy
    from .pipeline import tag_stream

    records = iter_records(opts.inputs, unit=opts.unit, text_field=opts.text_field, text_column=opts.text_column,
                           input_format=opts.input_format, encoding=opts.encoding, max_chars=opts.max_chars,
                           sheet=opts.sheet)
    # stdin a pipe fed over time (`tail -f log | roleclassify tag -`): tag what has arrived, write it at once
    live = (opts.inputs == ("-",) and is_stream(sys.stdin.buffer) and opts.jobs == 1 and fmt in STREAMED_FORMATS)
    waiting = (lambda: not stream_ready(sys.stdin.buffer)) if live else None
    skipped = 0
    as_json = fmt == "jsonl"
    try:
        with AtomicOutput(opts.output, binary=fmt in BINARY_FORMATS, encoding=encoding) as stream:
            writer = make_writer(fmt, stream, model.labels, lang=opts.lang)
            for item in tag_stream(model, records, jobs=opts.jobs, as_json=as_json, threshold=opts.threshold,
                                   explain=opts.explain, review=ReviewPolicy(opts.review_margin, opts.review_band),
                                   waiting=waiting):
                if isinstance(item, RecordError):
                    skipped += 1
                    if opts.strict:
                        raise StrictStop.at(item)
                    on_problem(item)
                    continue
                with meter.writing():
                    (stream if as_json else writer).write(item)
                    if live or meter.shared:
                        stream.flush()
                meter.tick()
            writer.close()
    finally:
        meter.close()
    return skipped


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

    return train(list(opts.corpus), opts.out, estimator=opts.estimator, C=opts.C, cv=opts.cv, seed=opts.seed,
                 include_test=opts.include_test, labels=list(opts.labels) if opts.labels else None, name=opts.name,
                 progress=progress, command=opts.command_line())


# --------------------------------------------------------------------------- evaluate
@dataclass(frozen=True)
class EvaluateOptions:
    """Everything ``roleclassify evaluate`` takes."""

    corpus: tuple[str, ...]
    model_path: str | None = None
    split: str = "all"
    threshold: float | None = None
    errors_path: str | None = None


def run_evaluate(opts: EvaluateOptions) -> dict[str, Any]:
    """Score the model on the corpus (only records of ``opts.split`` unless ``all``); the misclassified items
    are written to ``opts.errors_path`` (JSONL) when given, and their count is the result's ``n_errors``."""
    from .corpus import filter_split, read_corpus
    from .errors import CorpusError
    from .evaluation import evaluate, write_misclassified
    from .model import load

    items = read_corpus(opts.corpus)
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
    sheet: str | None = None


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
    from .io.output import AtomicOutput
    from .model import load
    from .orgaudit import audit
    from .report.audit import render, report_format_for

    fmt = opts.fmt or report_format_for(opts.output, stdout_is_tty)
    expect = parse_expect(opts.expect)
    kinds = fail_on_kinds(opts.fail_on)
    model = load(opts.model_path)
    if on_model is not None:
        on_model(model)
    report = audit(opts.paths, model, expect=expect, duplicate_threshold=opts.duplicate_threshold,
                   threshold=opts.threshold, min_score=opts.min_score, dept_column=opts.dept_column,
                   duty_column=opts.duty_column, sheet=opts.sheet)
    with AtomicOutput(opts.output) as stream:
        stream.write(render(report, fmt) + "\n")
    return AuditRun(report, fmt, failing_findings(report, opts.fail_on), kinds)
