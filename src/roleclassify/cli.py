"""Command-line interface. Parses arguments, calls one library function, formats the result.

Heavy libraries (spaCy, SudachiPy, scikit-learn, NumPy) are imported inside the commands, so ``--help`` and
usage errors answer at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from typing import Any

import click

from .errors import OutputError, RoleClassifyError
from .output import OUTPUT_FORMATS
from .readers import FORMATS as INPUT_FORMATS
from .readers import MAX_TEXT_CHARS, UNITS

ENGINES = ("fast", "ginza")


class Terminated(Exception):
    """Raised in the main process on SIGTERM so that cleanup runs and the exit code is 143."""


class RecordErrorStop(click.ClickException):
    """--strict: the first bad record ends the run (no output file is left behind)."""

    exit_code = 1

    def __init__(self, err) -> None:
        super().__init__(f"{err} (--strict: stopped)")


class UserError(click.ClickException):
    """A :class:`RoleClassifyError` shown as one line (one per offending record for corpus errors)."""

    def __init__(self, err: RoleClassifyError) -> None:
        problems = getattr(err, "problems", None)
        if problems and len(problems) > 1:
            shown = problems[:50]
            more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
            message = "\n".join(shown) + more + f"\n{len(problems)} problem(s) in the corpus; nothing was trained"
        else:
            message = problems[0] if problems else str(err)
        super().__init__(message)
        self.exit_code = err.exit_code  # type: ignore[misc]  # click declares it per class; per error here
        self.output_failed = isinstance(err, OutputError)


class _Probability(click.FloatRange):
    """A float in a closed range that also refuses NaN (``FloatRange`` lets it through: every comparison with
    NaN is false) and infinities."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        rv = super().convert(value, param, ctx)
        if isinstance(rv, float) and not math.isfinite(rv):
            self.fail(f"{value!r} is not a number in the range {self._describe_range()}.", param, ctx)
        return rv


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RoleClassifyError as e:
            raise UserError(e) from None
        except BrokenPipeError:
            # the reader went away (`| head`): stop quietly with 0. Handled here, before click's own EPIPE
            # handler, which exits 1. Later writes and the final flush go to /dev/null.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0


def _stderr(msg: str) -> None:
    click.echo(msg, err=True)


def _warn_compat(model) -> None:
    from .model import compatibility_warnings

    for w in compatibility_warnings(model):
        _stderr(f"roleclassify: warning: {w}")


class _Progress:
    """A progress bar on stderr for long runs (tqdm), on by default when stderr is a terminal and the
    results are not being written to that same terminal.

    Messages during the run go through :meth:`message`, which clears the bar, prints, and redraws it; when
    the bar is forced on while records stream to the same terminal, :meth:`writing` does the same around
    each write. The bar is removed at the end and one clean summary line is left.
    """

    def __init__(self, enabled: bool | None, what: str = "items", *, output_on_terminal: bool = False) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not output_on_terminal
        self.enabled = enabled
        self.shared = enabled and output_on_terminal
        self.what = what
        self.n = 0
        self.t0 = time.perf_counter()
        self.bar = None
        if enabled:  # tqdm is imported only when a bar is drawn (it adds 90 ms to start-up)
            from tqdm import tqdm

            self.bar = tqdm(desc="tagged", unit=f" {what}", file=sys.stderr, leave=False, mininterval=0.5,
                            dynamic_ncols=True)

    def tick(self, k: int = 1) -> None:
        self.n += k
        if self.bar is not None:
            self.bar.update(k)

    def message(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=sys.stderr)
        else:
            _stderr(msg)

    def writing(self):
        """A context for writing a record to a terminal the bar is drawn on."""
        if self.shared and self.bar is not None:
            return self.bar.external_write_mode(file=sys.stderr)
        return contextlib.nullcontext()

    def close(self) -> None:
        """Remove the bar (also when the run stops on an error, so the message starts a clean line)."""
        if self.bar is not None:
            self.bar.close()

    def done(self) -> None:
        self.close()
        if self.enabled:
            dt = time.perf_counter() - self.t0
            _stderr(f"tagged {self.n:,} {self.what} in {dt:.1f}s ({self.n / max(dt, 1e-9):,.0f}/s)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="roleclassify", prog_name="roleclassify")
def cli() -> None:
    """Tag Japanese business text by responsibility: sales (営業), distribution (販売), marketing
    (マーケティング) or other.

    \b
    Example:
        roleclassify tag job_descriptions.txt
        roleclassify train corpus/ --out models/mine
        roleclassify evaluate corpus/ --model models/mine
    """


# --------------------------------------------------------------------------- tag
@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("--unit", type=click.Choice(UNITS), default="line", show_default=True,
              help="For .txt input: one item per non-empty line, or the whole file as one item.")
@click.option("--text-field", default="text", show_default=True, help="JSONL field holding the text.")
@click.option("--text-column", default=None,
              help="CSV/TSV/Excel/Parquet column holding the text (default: text, or the first of 本文, 仕事内容, "
                   "職務内容, 業務内容 ... the header has).")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
              help="Input format; auto = by file suffix (.txt .jsonl .csv .tsv .xlsx .html .parquet), stdin sniffed.")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default=None,
              help="Output format. Default: table on a terminal, else jsonl (or by --output suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of stdout (atomically: the file appears when complete).")
@click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL",
              default=None, help="Model directory or file. Default: $ROLECLASSIFY_MODEL, else the shipped model.")
@click.option("--threshold", type=_Probability(0, 1), default=None,
              help="One probability threshold for every label (default: the model's tuned per-label ones).")
@click.option("--engine", type=click.Choice(ENGINES), default="fast", show_default=True,
              help="fast = GiNZA's tokenizer via SudachiPy directly; ginza = full ja_ginza pipeline.")
@click.option("--explain", "explain", type=click.IntRange(0), default=0, metavar="N",
              help="Add to each sentence, per role, the N features that moved its score most (signed weights).")
@click.option("--review-margin", type=_Probability(0, 1), default=0.1, show_default=True,
              help="Flag for review when the two best role scores are closer than this.")
@click.option("--review-band", type=_Probability(0, 1), default=0.1, show_default=True,
              help="Flag for review when the best role score is this close to its threshold.")
@click.option("--encoding", default=None,
              help="Input encoding (default: detected: UTF-8/16/32 with BOM, UTF-8, CP932/Shift_JIS, EUC-JP).")
@click.option("--strict", is_flag=True, help="Stop at the first bad record instead of skipping it.")
@click.option("-j", "--jobs", type=click.IntRange(0), default=1, show_default=True,
              help="Worker processes (one tokenizer each; 0 = one per CPU core). Output order is kept. "
                   "With --scheduler local: the number of Dask workers.")
@click.option("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
              help="Tag on a Dask cluster (needs roleclassify[dask]): INPUTs are Parquet/CSV/TSV/JSONL paths or "
                   "globs, --output is a directory of one file per partition (Parquet, or --format jsonl). It takes "
                   "--text-column (or --text-field), --threshold, --model, --jobs and --progress; other options are "
                   "refused.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr (default: when stderr is a terminal and results go to a file).")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", envvar="ROLECLASSIFY_LANG", show_default=True,
              help="Labels and column names in table, CSV, TSV and Excel output: ja shows 営業 / 販売 / マーケティング / "
                   "その他 (JSONL and Parquet keep the stable keys).")
@click.option("--output-encoding", type=click.Choice(["utf-8", "utf-8-sig", "cp932"]), default=None,
              help="Encoding of CSV / TSV / table output (default utf-8; --excel gives utf-8-sig; characters CP932 "
                   "lacks are written as ?).")
@click.option("--max-chars", type=click.IntRange(1), default=MAX_TEXT_CHARS, show_default=True,
              help="Longest text one record may have (characters); a longer one is reported and skipped.")
@click.option("--excel", is_flag=True, help="CSV that Excel on Japanese Windows opens without mojibake (UTF-8 with BOM).")
def tag(inputs, unit, text_field, text_column, input_format, fmt, output, model_path, threshold, engine, explain,
        review_margin, review_band, encoding, strict, jobs, scheduler, progress, lang, output_encoding, max_chars,
        excel):
    """Tag job descriptions or sentences with their role(s).

    INPUT files are .txt (one item per line), .jsonl (--text-field), .csv/.tsv and Excel .xlsx
    (--text-column), .html pages, .parquet; `-` or nothing reads stdin. -o picks the format by its suffix
    (.jsonl .csv .tsv .xlsx .txt .parquet). Output keeps input order: one record per item with its labels, per-role scores
    and per-sentence results; an item of several sentences also gets its role shares. Bad records are
    reported on stderr with file:line and skipped (exit code 1); the others are still tagged.

    \b
    Example:
        roleclassify tag examples/job_descriptions.jsonl
        roleclassify tag ads.jsonl --text-field body -o tagged.jsonl --jobs 2
        roleclassify tag posts.parquet --text-column description -o tagged.parquet
        roleclassify tag "lake/*.parquet" --scheduler tcp://scheduler:8786 -o lake_tagged/
        roleclassify tag 求人一覧.xlsx --lang ja -o 判定結果.xlsx
        roleclassify tag jobs.csv --excel --lang ja -o tagged.csv
        echo "新規顧客への提案営業" | roleclassify tag --format jsonl
    """
    from .errors import RecordError
    from .model import ReviewPolicy, load
    from .output import AtomicOutput, make_writer
    from .pipeline import tag_stream
    from .readers import is_stream, iter_records, stream_ready

    if scheduler:
        _refuse_on_dask(click.get_current_context())
        column = text_column or (text_field if _given("text_field") else "text")
        return _tag_on_dask(inputs, output, fmt, scheduler, jobs, column, model_path, threshold, progress)
    if not inputs:
        if sys.stdin.isatty():
            raise click.UsageError("no INPUT given and stdin is a terminal; pass a file or pipe text in")
        inputs = ("-",)
    from .output import BINARY_FORMATS, SUFFIX_FORMATS

    if fmt is None:
        if output and output != "-":
            suffix = os.path.splitext(output)[1].lower()
            fmt = SUFFIX_FORMATS.get(suffix)
            if fmt is None and (not os.path.exists(output) or os.path.isfile(output)):
                raise click.BadParameter(
                    f"cannot tell the output format from {suffix or 'a name without a suffix'!r}; name the file "
                    f"{', '.join(sorted(SUFFIX_FORMATS))} or pass --format", param_hint="-o/--output")
            fmt = fmt or "jsonl"  # a device or FIFO (/dev/stdout): JSONL
        else:
            fmt = "table" if sys.stdout.isatty() else "jsonl"
    if fmt in BINARY_FORMATS and not output:
        raise click.UsageError(f"--format {fmt} needs --output FILE")
    if excel and output_encoding not in (None, "utf-8-sig"):
        raise click.UsageError("--excel writes UTF-8 with a BOM; leave out --output-encoding or pass utf-8-sig")
    out_encoding = "utf-8-sig" if excel else (output_encoding or "utf-8")
    from .output import same_file_among

    clash = same_file_among(output, inputs)
    if clash is not None:
        raise click.BadParameter(
            f"{output} is also an input ({clash}): tagging would replace it; write to another file",
            param_hint="-o/--output",
        )
    model = load(model_path, engine=engine)
    _warn_compat(model)
    import gc

    # the model's and tokenizer's objects live as long as the process: move them out of the collector's
    # reach, so the collections that tagging's short-lived lists trigger do not traverse them again and again
    gc.collect()
    gc.freeze()
    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding") from None
    records = iter_records(
        inputs, unit=unit, text_field=text_field, text_column=text_column, input_format=input_format,
        encoding=encoding, max_chars=max_chars,
    )
    skipped = 0
    meter = _Progress(progress, output_on_terminal=output in (None, "-") and sys.stdout.isatty())
    out = AtomicOutput(output, binary=fmt in BINARY_FORMATS, encoding=out_encoding)
    try:
        with out as stream:
            writer = make_writer(fmt, stream, model.labels, lang=lang)
            review = ReviewPolicy(margin=review_margin, band=review_band)
            as_json = fmt == "jsonl"
            # stdin a pipe fed over time (`tail -f log | roleclassify tag -`): tag what has arrived, write it at once
            live = inputs == ("-",) and is_stream(sys.stdin.buffer) and jobs == 1 and fmt in ("jsonl", "table", "csv", "tsv")
            waiting = (lambda: not stream_ready(sys.stdin.buffer)) if live else None
            for item in tag_stream(model, records, jobs=jobs, as_json=as_json, threshold=threshold, explain=explain,
                                   review=review, waiting=waiting):
                if isinstance(item, RecordError):
                    skipped += 1
                    if strict:
                        raise RecordErrorStop(item)
                    meter.message(f"roleclassify: {item}")
                    continue
                with meter.writing():
                    if as_json:
                        stream.write(item)
                    else:
                        writer.write(item)
                    if live or meter.shared:
                        stream.flush()
                meter.tick()
            writer.close()
    finally:
        meter.close()
    meter.done()
    if skipped:
        if meter.n or skipped > 1:
            _stderr(f"roleclassify: {skipped} problem(s) reported, {meter.n} record(s) tagged")
        sys.exit(1)


#: tag options the Dask path honours; any other one given with --scheduler is a usage error, never dropped.
DASK_TAG_OPTIONS = frozenset({"inputs", "output", "fmt", "scheduler", "jobs", "text_column", "text_field",
                              "model_path", "threshold", "progress"})


def _given(name: str) -> bool:
    """Whether the user set option ``name`` (on the command line or through its environment variable)."""
    from click.core import ParameterSource

    return click.get_current_context().get_parameter_source(name) not in (None, ParameterSource.DEFAULT)


def _refuse_on_dask(ctx: click.Context) -> None:
    unsupported = [p for p in ctx.command.params
                   if p.name not in DASK_TAG_OPTIONS and _given(p.name) and p.name != "lang"]
    if unsupported:
        names = ", ".join(max(p.opts, key=len) for p in unsupported)
        raise click.UsageError(
            f"--scheduler does not take {names}: the Dask path reads Parquet/CSV/TSV/JSONL with --text-column, "
            "writes Parquet or JSONL and tags with the model's own review settings; leave "
            f"{'it' if len(unsupported) == 1 else 'them'} out, or tag without --scheduler"
        )


def _tag_on_dask(inputs, output, fmt, scheduler, jobs, text_column, model_path, threshold, progress):
    from . import dask as rc_dask

    if not inputs or "-" in inputs:
        raise click.UsageError("--scheduler reads files (paths or globs), not stdin")
    if not output:
        raise click.UsageError("--scheduler needs --output DIR (one file per partition is written there)")
    fmt = fmt or "parquet"
    if fmt not in ("parquet", "jsonl"):
        raise click.UsageError("--scheduler writes --format parquet or jsonl")
    result = rc_dask.run(
        list(inputs), output, scheduler=scheduler, workers=jobs or None, text_column=text_column,
        model=model_path, threshold=threshold, fmt=fmt,
        progress=sys.stderr.isatty() if progress is None else progress,
    )
    for where, reason in result["errors"]:
        _stderr(f"roleclassify: record {where}: {reason}")
    _stderr(f"tagged {result['written']:,} record(s) in {result['partitions']} partition(s) into {output} ({fmt})")
    if result["errors"]:
        _stderr(f"roleclassify: {len(result['errors'])} problem(s) reported, {result['written']} record(s) tagged")
        sys.exit(1)


# --------------------------------------------------------------------------- train
def _print_report(section: dict[str, Any], title: str) -> None:
    from .card import metrics_table

    click.echo(f"\n{title} (n = {section['n']}, exact match {section['exact_match']:.3f})")
    click.echo(metrics_table(section))


def _confusion(section: dict[str, Any]) -> str:
    conf = section.get("confusion") or {}
    cols = sorted({p for row in conf.values() for p in row})
    width = max([len("gold \\ predicted"), *map(len, conf)]) + 2
    lines = ["gold \\ predicted".ljust(width) + "".join(f"{c:>{max(len(c), 5) + 2}}" for c in cols)]
    for g, row in conf.items():
        lines.append(g.ljust(width) + "".join(f"{row.get(c, 0):>{max(len(c), 5) + 2}}" for c in cols))
    return "\n".join(lines)


@cli.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Directory to write the model (model.npz, meta.json, README.md) into.")
@click.option("--cv", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Folds of stratified cross-validation for the report and threshold tuning (0 = none).")
@click.option("--estimator", type=click.Choice(["svm", "logreg"]), default="svm", show_default=True,
              help="Linear model per label: svm (LinearSVC) or logreg (LogisticRegression); both calibrated.")
@click.option("--c", "C", type=_Probability(min=0, min_open=True), default=None,
              help="Inverse regularisation strength (default: the measured best for the estimator).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the folds.")
@click.option("--include-test", is_flag=True, help='Also train on records marked "split": "test".')
@click.option("--labels", default=None,
              help="Allowed labels, comma-separated; a record with any other label is refused (default: any).")
@click.option("--name", default=None, help="Model name for its card (default: the directory name).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def train(corpus, out, cv, estimator, C, seed, include_test, labels, name, fmt):
    """Train a model on labelled corpora and write it with its model card.

    CORPUS is JSONL or CSV/TSV files (or directories of them) with `text` and `labels`; any label set works
    (a user's own taxonomy too). Records with "split": "test" are held out and scored after training.

    \b
    Example:
        roleclassify train corpus/ --out models/default
        roleclassify train my_labels.csv --out models/mine --cv 10
    """
    from .training import train as train_fn

    argv = " ".join(["roleclassify", "train", *corpus, "--out", out])
    result = train_fn(
        list(corpus), out, estimator=estimator, C=C, cv=cv, seed=seed, include_test=include_test,
        labels=_labels_option(labels), name=name, progress=_stderr, command=argv,
    )
    if fmt == "json":
        click.echo(json.dumps(result.report, ensure_ascii=False, indent=2))
    else:
        if "cv" in result.report:
            _print_report(result.report["cv"], f"{cv}-fold cross-validation, sentences")
        for unit in ("sentences", "documents"):
            sec = result.report.get("test", {}).get(unit)
            if sec and sec.get("n"):
                _print_report(sec, f"held-out test split, {unit}")
    _stderr(f"model written to {result.path} ({result.report['seconds']}s)")


# --------------------------------------------------------------------------- evaluate
@cli.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL", default=None,
              help="Model directory or file (default: $ROLECLASSIFY_MODEL, else the shipped model).")
@click.option("--split", type=click.Choice(["all", "test", "train"]), default="all", show_default=True,
              help='Score only records of this "split".')
@click.option("--threshold", type=_Probability(0, 1), default=None, help="One threshold for every label.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="Write the misclassified items (JSONL) here for error analysis.")
def evaluate(corpus, model_path, split, threshold, fmt, errors_path):
    """Score a model on a labelled corpus: per-class precision / recall / F1, macro-F1, confusion matrix.

    Sentence records are scored as single units; job descriptions ("unit": "document") are split into
    sentences and rolled up, and scored separately.

    \b
    Example:
        roleclassify evaluate corpus/ --split test
        roleclassify evaluate my_labels.csv --model models/mine --format json
    """
    from .corpus import read_corpus
    from .evaluation import evaluate as evaluate_fn
    from .fileio import atomic_write_bytes
    from .model import load

    items = read_corpus(corpus)
    if split != "all":
        items = [it for it in items if (it.split or "train") == split]
        if not items:
            raise click.UsageError(f'no records with "split": "{split}" in the corpus')
    model = load(model_path)
    result = evaluate_fn(model, items, threshold=threshold)
    errors = result.pop("errors")
    if errors_path:
        from pathlib import Path

        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
        atomic_write_bytes(Path(errors_path), data.encode("utf-8"))
        _stderr(f"{len(errors)} misclassified item(s) written to {errors_path}")
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for unit in ("sentences", "documents"):
        sec = result[unit]
        if sec.get("n"):
            _print_report(sec, unit)
            click.echo("\nconfusion (label sets)\n" + _confusion(sec))


# --------------------------------------------------------------------------- explain / suggest
@cli.command()
@click.argument("texts", nargs=-1, required=True)
@click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL", default=None,
              help="Model directory or file (default: $ROLECLASSIFY_MODEL, else the shipped model).")
@click.option("--top", type=click.IntRange(1, 50), default=6, show_default=True, help="Features shown per role.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def explain(texts, model_path, top, fmt):
    """Show why a text gets its labels: per sentence and role, the words and character n-grams that
    pushed the score up (+) or down (-), with their weights in log-odds.

    \b
    Example:
        roleclassify explain "営業部が市場調査とターゲット選定を行う。"
        roleclassify explain "受注処理と在庫管理" --top 10 --format json
    """
    from .model import load

    model = load(model_path)
    tags = model.tag(list(texts), explain=top)
    if fmt == "json":
        click.echo(json.dumps([t.to_dict() for t in tags], ensure_ascii=False, indent=2))
        return
    th = dict(zip(model.labels, model.thresholds_))
    for t in tags:
        click.echo(f"{t.text}\n  => {', '.join(t.labels)}" + ("   [review]" if t.review else ""))
        for s in t.sentences:
            if len(t.sentences) > 1:
                click.echo(f"\n  sentence: {s.text}  => {', '.join(s.labels)}")
            for label in model.labels:
                mark = "*" if label in s.labels else " "
                click.echo(f"  {mark} {label:<13} p={s.scores[label]:.3f} (threshold {th[label]:.2f})")
                for name, w in (s.explanation or {}).get(label, []):
                    bar = ("+" if w > 0 else "-") * min(20, max(1, int(abs(w) * 4)))
                    click.echo(f"      {w:+7.3f} {bar:<20} {name}")
        click.echo("")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-n", "--n", "n", type=click.IntRange(1), default=200, show_default=True,
              help="How many sentences to suggest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="JSONL file to write (atomically); default stdout.")
@click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL", default=None,
              help="Model directory or file (default: $ROLECLASSIFY_MODEL, else the shipped model).")
@click.option("--exclude", "exclude", multiple=True, type=click.Path(exists=True),
              help="Corpus files or directories whose sentences are already labelled (skipped). Repeatable.")
@click.option("--diversity", type=_Probability(0, 1), default=1.0, show_default=True,
              help="0 = most uncertain first; 1 = also avoid sentences similar to those already picked.")
@click.option("--text-field", default="text", show_default=True, help="JSONL field holding the text.")
@click.option("--text-column", default="text", show_default=True, help="CSV/TSV column holding the text.")
@click.option("--unit", type=click.Choice(UNITS), default="line", show_default=True)
@click.option("--encoding", default=None, help="Input encoding (default: detected).")
def suggest(inputs, n, output, model_path, exclude, diversity, text_field, text_column, unit, encoding):
    """Write the unlabelled sentences most worth labelling next (uncertain and diverse) to a JSONL file.

    Each record has "labels": null, the model's "suggested" labels and its "scores". Fill in "labels"
    (a list; [] for other) and pass the file to `roleclassify train` with the rest of the corpus.

    \b
    Example:
        roleclassify suggest new_job_ads.jsonl --n 200 -o to_label.jsonl --exclude corpus/
        roleclassify train corpus/sentences corpus/jobs to_label.jsonl --out models/v2
    """
    from .corpus import read_corpus
    from .model import load
    from .output import AtomicOutput
    from .readers import iter_records
    from .suggest import suggest as suggest_fn

    model = load(model_path)
    known: list[str] = []
    if exclude:
        for it in read_corpus(exclude, strict=False):
            known.append(it.text)
            known.extend(t for t, _ in it.lines or ())
    records = iter_records(inputs, unit=unit, text_field=text_field, text_column=text_column, encoding=encoding)
    picked, errors = suggest_fn(model, records, n=n, diversity=diversity, exclude=known)
    for e in errors:
        _stderr(f"roleclassify: {e}")
    with AtomicOutput(output) as stream:
        for rec in picked:
            stream.write(json.dumps(rec, ensure_ascii=False) + "\n")
    _stderr(f"{len(picked)} sentence(s) to label" + (f" written to {output}" if output else ""))
    if errors:
        sys.exit(1)


# --------------------------------------------------------------------------- audit
def _parse_expect(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        dept, sep, role = v.partition("=")
        if not sep or not dept.strip() or not role.strip():
            raise click.BadParameter(f"{v!r}: expected DEPARTMENT=ROLE, e.g. 営業企画部=marketing", param_hint="--expect")
        out[dept.strip()] = role.strip()
    return out


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL", default=None,
              help="Model directory or file (default: $ROLECLASSIFY_MODEL, else the shipped model).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default=None,
              help="Report format. Default: table on a terminal, json otherwise (or by --output suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report here (atomically) instead of stdout.")
@click.option("--expect", multiple=True, metavar="DEPT=ROLE",
              help="The role a department is meant to do, overriding the guess from its name (repeatable).")
@click.option("--duplicate-threshold", type=_Probability(0, 1), default=0.6, show_default=True,
              help="Lemma Jaccard similarity from which two departments' duties count as duplicates.")
@click.option("--threshold", type=_Probability(0, 1), default=None, help="One tagging threshold for every label.")
@click.option("--min-score", type=_Probability(0, 1), default=0.5, show_default=True,
              help="A duty counts as a role's work only with at least this score (and the tagging threshold).")
@click.option("--dept-column", default=None, help="CSV/TSV column with the department (default: detected).")
@click.option("--duty-column", default=None, help="CSV/TSV column with the duty (default: detected).")
@click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(["overlap", "crossing", "shared", "duplicate", "ownerless", "any"]),
              help="Exit with code 3 when findings of this kind exist (overlap = crossing or shared). Repeatable.")
def audit(paths, model_path, fmt, output, expect, duplicate_threshold, threshold, min_score, dept_column, duty_column,
          fail_on):
    """Audit organisation documents for role crossing, shared roles, duplicated duties and ownerless roles.

    PATHS are 業務分掌規程 (第N条 articles), Markdown department pages, text with 【営業部】 / ■営業部 /
    ＜販売課＞ headings or plain heading lines, CSV/TSV with department and duty columns, DOCX, PDF, or a
    directory (one file per department, file name = department). All PATHS are one organisation.

    \b
    Example:
        roleclassify audit 業務分掌規程.txt
        roleclassify audit org.docx --format html -o audit.html
        roleclassify audit duties.csv --expect 営業企画部=marketing --fail-on duplicate
    """
    from .model import load
    from .orgaudit import audit as audit_fn
    from .output import AtomicOutput
    from .report import render

    if fmt is None:
        if output:
            fmt = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}.get(
                os.path.splitext(output)[1].lower(), "table")
        else:
            fmt = "table" if sys.stdout.isatty() else "json"
    model = load(model_path)
    _warn_compat(model)
    report = audit_fn(
        paths, model, expect=_parse_expect(expect), duplicate_threshold=duplicate_threshold,
        threshold=threshold, min_score=min_score, dept_column=dept_column, duty_column=duty_column,
    )
    with AtomicOutput(output) as stream:
        stream.write(render(report, fmt) + "\n")
    if output:
        _stderr(f"report written to {output}: {len(report.findings)} finding(s)")
    kinds = set()
    for f in fail_on:
        kinds |= {"overlap": {"crossing", "shared"}, "any": {"crossing", "shared", "duplicate", "ownerless"}}.get(f, {f})
    hit = [f for f in report.findings if f.kind in kinds]
    if hit:
        _stderr(f"roleclassify: {len(hit)} finding(s) of kind {', '.join(sorted(kinds))} (--fail-on)")
        sys.exit(3)


# --------------------------------------------------------------------------- corpus
@cli.group()
def corpus() -> None:
    """Inspect and check labelled corpora: counts, the held-out split, quality checks.

    \b
    Example:
        roleclassify corpus stats corpus/sentences corpus/jobs
        roleclassify corpus check corpus/sentences corpus/jobs
    """


def _labels_option(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@corpus.command("stats")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def corpus_stats_cmd(paths, fmt):
    """Count a corpus by label, label set, unit, register, industry, source, split and tag.

    \b
    Example:
        roleclassify corpus stats corpus/sentences corpus/jobs
        roleclassify corpus stats corpus/jobs --format json
    """
    from .corpus import read_corpus
    from .corpus_tools import corpus_stats

    stats = corpus_stats(read_corpus(paths))
    if fmt == "json":
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    click.echo(f"items: {stats['items']}")
    for key in ("by_unit", "by_label", "multi_label", "by_label_set", "by_split", "by_register",
                "by_industry", "by_source", "by_tag"):
        click.echo(f"\n{key.replace('_', ' ')}:")
        for k, v in stats[key].items():
            click.echo(f"  {k:<40} {v:>6}")
    dl = stats["document_lines"]
    if dl["n_documents"]:
        click.echo(f"\ndocument lines: {dl['n_documents']} documents, {dl['min']}-{dl['max']} lines each")
        for k, v in dl["by_label"].items():
            click.echo(f"  {k:<40} {v:>6}")


@corpus.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--labels", default=None, help="Allowed labels, comma-separated (default: those the corpus uses).")
@click.option("--min-class", type=click.IntRange(1), default=10, show_default=True,
              help="Fewest examples a label needs.")
@click.option("--near-dup", type=_Probability(0, 1), default=0.8, show_default=True,
              help="Cosine similarity (character trigrams) from which two items are near-duplicates.")
@click.option("--no-label-errors", is_flag=True, help="Skip the cross-validated search for likely label errors.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def corpus_check_cmd(paths, labels, min_class, near_dup, no_label_errors, fmt):
    """Check a corpus; exit code 1 if it has errors.

    Errors: schema problems, unknown labels, empty text, conflicting labels for the same text, exact
    duplicates, near-duplicates across the train/test split (leakage), labels with too few examples.
    Warnings: near-duplicates within a split, likely label errors (cross-validated predictions that
    contradict the label strongly).

    \b
    Example:
        roleclassify corpus check corpus/sentences corpus/jobs
        roleclassify corpus check mine.jsonl --labels billing,hr --format json
    """
    from .corpus_tools import check_corpus

    res = check_corpus(paths, labels=_labels_option(labels), min_class=min_class, near_dup=near_dup,
                       label_errors=not no_label_errors)
    if fmt == "json":
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2))
    else:
        for e in res.errors:
            click.echo(f"error: {e}")
        for w in res.warnings:
            click.echo(f"warning: {w}")
        click.echo(f"{len(res.errors)} error(s), {len(res.warnings)} warning(s); "
                   f"{res.stats.get('items', 0)} items")
    if not res.ok:
        sys.exit(1)


@corpus.command("split")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--test-size", type=_Probability(0.05, 0.5), default=0.2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def corpus_split_cmd(paths, test_size, seed):
    """Write a fixed, stratified train/test split into JSONL corpora ("split" field).

    Strata are unit and label set; near-duplicates always land on the same side; records already in
    the test split stay there, so the split is stable as the corpus grows.

    \b
    Example:
        roleclassify corpus split corpus/sentences corpus/jobs --test-size 0.2
    """
    from .corpus_tools import write_splits

    counts = write_splits(paths, test_size=test_size, seed=seed)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


# --------------------------------------------------------------------------- entry point
def _on_sigterm(signum, frame):  # pragma: no cover - exercised by a subprocess test
    raise Terminated()


def _silence_stdout() -> None:
    """After an output failure has been reported in one line: point stdout at /dev/null so the
    interpreter's final flush stays quiet, and stderr too, so the finalizers of a half-written workbook
    (openpyxl's generators) print no "Exception ignored" tracebacks at exit."""
    try:
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: exit codes 0 ok, 1 error or skipped records, 2 usage, 3 audit
    findings with --fail-on, 130/143 signals."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        rv = cli.main(args=argv, prog_name="roleclassify", standalone_mode=False)
        sys.stdout.flush()  # a full disk behind stdout shows here, not as "Exception ignored" at exit
    except click.ClickException as e:
        e.show()
        if getattr(e, "output_failed", False):
            _silence_stdout()
        sys.exit(e.exit_code)
    except (KeyboardInterrupt, click.Abort):
        _stderr("roleclassify: interrupted")
        sys.exit(130)
    except Terminated:
        _stderr("roleclassify: terminated")
        sys.exit(143)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        finally:
            sys.exit(0)
    except OSError as e:
        # a write no command wrapped (stdout on a full disk): one line, and nothing more at exit
        from .readers import display_path

        where = display_path(e.filename) if isinstance(e.filename, str) else "<stdout>"
        _stderr(f"roleclassify: {where}: cannot write ({e.strerror or e})")
        _silence_stdout()
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
