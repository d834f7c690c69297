"""Command-line interface: parses arguments into a command's options object (:mod:`roleclassify.commands`),
calls its one library function and formats what it returns. No logic of its own lives here.

Heavy libraries (spaCy, SudachiPy, scikit-learn, NumPy) are imported inside the commands, so ``--help`` and
usage errors answer at once.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import commands as C
from .auditnames import AUDIT_FORMATS, COMPARE_FORMATS, FAIL_ON_CHOICES
from .errors import OptionError, OutputError, RoleClassifyError, use_cli_names
from .io.output import OUTPUT_FORMATS
from .io.readers import FORMATS as INPUT_FORMATS
from .io.readers import UNITS
from .report import tables

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(Exception):
    """Raised in the main process on SIGTERM so that cleanup runs and the exit code is 143."""


class UserError(click.ClickException):
    """A :class:`RoleClassifyError` shown as one line (one per offending record for corpus errors)."""

    def __init__(self, err: RoleClassifyError) -> None:
        problems = getattr(err, "problems", None)
        if problems and len(problems) > 1:
            shown = problems[:50]
            more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
            # (raised by train, evaluate and the corpus commands alike: the same advice fits them all)
            message = "\n".join(shown) + more + f"\n{len(problems)} problem(s) in the corpus; fix them and run again"
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


def _usage_error(err: OptionError, ctx: click.Context) -> click.UsageError:
    """An :class:`OptionError` as click's usage error, naming the option the way ``--help`` does."""
    param = next((p for p in ctx.command.params if p.name == err.param), None) if err.param else None
    if param is not None:
        return click.BadParameter(str(err), ctx=ctx, param_hint="/".join(param.opts))
    return click.UsageError(str(err), ctx=ctx)


class _Command(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OptionError as e:
            raise _usage_error(e, ctx) from None


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups (corpus) are _Groups too

    def invoke(self, ctx: click.Context) -> Any:
        use_cli_names(True)  # messages name parameters as options (--text-column) while a command runs
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
        finally:
            if ctx.parent is None:
                use_cli_names(False)


def _stderr(msg: str) -> None:
    click.echo(msg, err=True)


def _info(msg: str) -> None:
    """A summary line on stderr, left out with --quiet."""
    if not click.get_current_context().meta.get("roleclassify.quiet"):
        _stderr(msg)


def _warn_compat(model: Any) -> None:
    from .model import compatibility_warnings

    for w in compatibility_warnings(model):
        _stderr(f"roleclassify: warning: {w}")


def _exit(code: int) -> None:
    if code:
        sys.exit(code)


# --------------------------------------------------------------------------- shared options
def model_option(f: F) -> F:
    return click.option("-m", "--model", "model_path", type=click.Path(), envvar="ROLECLASSIFY_MODEL", default=None,
                        help="Model directory or file (default: $ROLECLASSIFY_MODEL, else the shipped model).")(f)


def threshold_option(help: str = "One probability threshold for every label (default: the model's tuned "
                                 "per-label ones).") -> Callable[[F], F]:
    return click.option("--threshold", type=_Probability(0, 1), default=None, help=help)


def format_option(choices: tuple[str, ...], default: str | None = "table", help: str | None = None) -> Callable[[F], F]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=default is not None, help=help)


def quiet_option(f: F) -> F:
    def keep(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
        ctx.meta["roleclassify.quiet"] = value
        return value

    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=keep, is_eager=True,
                        help="Leave out the summary lines on stderr (errors and warnings still show).")(f)


def lang_option(f: F) -> F:
    return click.option("--lang", type=click.Choice(["en", "ja"]), default="en", envvar="ROLECLASSIFY_LANG",
                        show_default=True,
                        help="Labels and column names in table, CSV, TSV and Excel output and the audit's table, "
                             "Markdown and HTML reports: ja shows 営業 / 販売 / マーケティング / その他 and Japanese "
                             "headings (JSONL, JSON and Parquet keep the stable keys).")(f)


def encoding_option(f: F) -> F:
    """--encoding: the input files' text encoding, detected when not given; an unknown codec is a usage error."""
    def known(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        try:
            C.check_input_encoding(value)
        except OptionError as e:
            raise _usage_error(e, ctx) from None
        return value

    return click.option("--encoding", default=None, metavar="ENC", callback=known,
                        help="Input encoding (default: detected: UTF-8/16/32 with BOM, UTF-8, CP932/Shift_JIS, "
                             "EUC-JP); gzip-compressed files (.gz) are decompressed first.")(f)


def input_options(f: F) -> F:
    """The options that say how to read the input files: --unit, --text-field, --text-column, --sheet, --encoding."""
    for opt in reversed([
        click.option("--unit", type=click.Choice(UNITS), default="line", show_default=True,
                     help="For .txt, .docx, .pdf and .html input: one item per non-empty line (paragraph, list "
                          "item, table cell), or the whole file as one item."),
        click.option("--text-field", default="text", show_default=True,
                     help="JSONL / JSON field holding the text (without a 'text' field: the first of 本文, 仕事内容, "
                          "職務内容 ... the first object has)."),
        click.option("--text-column", default=None,
                     help="CSV/TSV/Excel/Parquet column holding the text (default: text, or the first of 本文, "
                          "仕事内容, 職務内容, 業務内容 ... the header has)."),
        click.option("--sheet", default=None, metavar="NAME|N",
                     help="Excel: read only this sheet (its name, or its number from 1); default: every sheet "
                          "whose header row has the text column."),
        encoding_option,
    ]):
        f = opt(f)
    return f


_TOKENIZER_PACKAGES = ("SudachiPy", "SudachiDict-core")


def version_text() -> str:
    """What ``--version`` prints: the package version and the default model (``$ROLECLASSIFY_MODEL`` when set,
    else the shipped one) with its corpus hash and the tokenizer versions it was trained with and those
    installed. Reads only the model file's own metadata (:func:`roleclassify.model.model_metadata`): no model is
    built, scikit-learn is not imported."""
    from importlib.metadata import version

    from .model import compatibility_warnings, default_model_path, model_metadata
    from .tokenize import tokenizer_info

    lines = [f"roleclassify {version('roleclassify')}"]
    env = os.environ.get("ROLECLASSIFY_MODEL")
    if env:
        lines.append(f"ROLECLASSIFY_MODEL={env}")
    try:
        path = default_model_path()
    except RoleClassifyError as e:
        return "\n".join([*lines, f"model: {e}"])
    try:
        meta = model_metadata(path)
    except RoleClassifyError as e:
        return "\n".join([*lines, f"model: {e}"])
    installed = tokenizer_info()
    trained = meta.get("versions") or {}

    def versions(of: dict[str, Any]) -> str:
        return ", ".join(f"{pkg} {of.get(pkg, '?')}" for pkg in _TOKENIZER_PACKAGES)

    lines += [f"model: {meta.get('name', path.name)} ({path})",
              f"  corpus sha256: {(meta.get('corpus') or {}).get('sha256', '?')}",
              f"  trained with: {versions(trained)}",
              f"  installed:    {versions(installed)}"]
    # compatibility_warnings reads only the card's versions, so the card stands in for the model
    lines += [f"  warning: {w}" for w in compatibility_warnings(_Card(meta))]  # type: ignore[arg-type]
    return "\n".join(lines)


class _Card:
    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version, the default model (its corpus hash, the SudachiPy / SudachiDict versions it "
                   "was trained with and those installed) and exit.")
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
_TAG = C.TagOptions()


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@input_options
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=_TAG.input_format, show_default=True,
              help="Input format; auto = by file suffix (.txt .jsonl .json .csv .tsv .xlsx .docx .pdf .html .parquet, "
                   "and any of them .gz), stdin sniffed.")
@click.option("--id-column", default=None, metavar="NAME",
              help="CSV/TSV/Excel/Parquet column holding each record's id, to join results back (default: an id "
                   "column, else file:line). A row with an empty id is reported and skipped.")
@click.option("--id-field", default=None, metavar="NAME", help="JSONL field holding each record's id.")
@click.option("--columns", "--select", "columns", default=None, metavar="A,B,...",
              callback=lambda ctx, param, value: C.parse_columns(value),
              help="Input fields carried over into the output, in this order (default: all; '' = none).")
@click.option("--limit", type=click.IntRange(1), default=None, metavar="N",
              help="Tag only the first N good records (the rest of the input is not read).")
@format_option(OUTPUT_FORMATS, default=None,
               help="Output format. Default: table on a terminal, else jsonl (or by --output suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of stdout (atomically: the file appears when complete).")
@model_option
@threshold_option()
@click.option("--engine", type=click.Choice(C.ENGINES), default=_TAG.engine, show_default=True,
              help="fast = GiNZA's tokenizer via SudachiPy directly; ginza = full ja_ginza pipeline.")
@click.option("--explain", "explain", type=click.IntRange(0), default=_TAG.explain, metavar="N",
              help="Add to each sentence, per role, the N features that moved its score most (signed weights).")
@click.option("--review-margin", type=_Probability(0, 1), default=_TAG.review_margin, show_default=True,
              help="Flag for review when the two best role scores are closer than this.")
@click.option("--review-band", type=_Probability(0, 1), default=_TAG.review_band, show_default=True,
              help="Flag for review when the best role score is this close to its threshold.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record instead of skipping it.")
@click.option("-j", "--jobs", type=click.IntRange(0), default=_TAG.jobs, show_default=True,
              help="Worker processes (one tokenizer each; 0 = one per CPU core). Output order is kept. "
                   "With --scheduler local: the number of Dask workers.")
@click.option("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
              help="Tag on a Dask cluster (needs roleclassify[dask]): INPUTs are Parquet/CSV/TSV/JSONL paths or "
                   "globs, --output is a directory of one file per partition (Parquet, or --format jsonl). It takes "
                   "--text-column (or --text-field), --threshold, --model, --jobs and --progress; other options are "
                   "refused.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr (default: when stderr is a terminal and results go to a file).")
@lang_option
@click.option("--output-encoding", type=click.Choice(C.OUTPUT_ENCODINGS), default=None,
              help="Encoding of CSV / TSV / table output (default utf-8; --excel gives utf-8-sig; characters CP932 "
                   "lacks are written as ?).")
@click.option("--max-chars", type=click.IntRange(1), default=_TAG.max_chars, show_default=True,
              help="Longest text one record may have (characters); a longer one is reported and skipped.")
@click.option("--excel", is_flag=True, help="CSV that Excel on Japanese Windows opens without mojibake (UTF-8 with BOM).")
@quiet_option
def tag(inputs: tuple[str, ...], **options: Any) -> None:
    """Tag job descriptions or sentences with their role(s).

    INPUT files are .txt (one item per line), .jsonl (--text-field), .json arrays, .csv/.tsv and Excel .xlsx
    (--text-column), Word .docx, .pdf and .html (one item per paragraph), .parquet, any of them gzip-compressed
    (.gz); `-` or nothing reads stdin. -o picks the format by its suffix
    (.jsonl .json .csv .tsv .xlsx .txt .parquet). Output keeps input order: one record per item with its labels, per-role scores
    and per-sentence results; an item of several sentences also gets its role shares. A model with a duty head
    (the shipped one) adds each sentence's and item's duties with their scores. Bad records are
    reported on stderr with file:line and skipped (exit code 1); the others are still tagged.

    \b
    Example:
        roleclassify tag examples/job_descriptions.jsonl
        roleclassify tag ads.jsonl --text-field body -o tagged.jsonl --jobs 2
        roleclassify tag posts.parquet --text-column description -o tagged.parquet
        roleclassify tag "lake/*.parquet" --scheduler tcp://scheduler:8786 -o lake_tagged/
        roleclassify tag 求人一覧.xlsx --lang ja -o 判定結果.xlsx
        roleclassify tag jobs.csv --excel --lang ja -o tagged.csv
        roleclassify tag 社員.csv --id-column 社員番号 --columns 部署 -o 判定結果.xlsx
        echo "新規顧客への提案営業" | roleclassify tag --format jsonl
    """
    if not inputs and not options["scheduler"]:
        if sys.stdin.isatty():
            raise click.UsageError("no INPUT given and stdin is a terminal; pass a file or pipe text in")
        inputs = ("-",)
    quiet = click.get_current_context().meta.get("roleclassify.quiet")
    if quiet:
        options["progress"] = False  # --quiet silences the bar too
    opts = C.TagOptions(inputs=inputs, **options)
    summary = C.run_tag(opts, on_model=_warn_compat)
    if summary.partitions is not None:
        _info(f"tagged {summary.tagged:,} record(s) in {summary.partitions} partition(s) into {opts.output} "
              f"({summary.fmt})")
    elif summary.tagged or summary.skipped != 1:  # one bad record and nothing else: its message says it all
        for line in tag_summary_lines(summary, opts.lang):
            _info(line)
    if summary.skipped and (summary.tagged or summary.skipped > 1 or summary.partitions is not None):
        _stderr(f"roleclassify: {summary.skipped} problem(s) reported, {summary.tagged} record(s) tagged")
    if summary.empty:
        _stderr(f"roleclassify: warning: {summary.empty} record(s) had an empty text and were tagged other with "
                f"nothing to go on (first: {summary.first_empty}); check the text column")
    if not summary.written:
        _stderr(f"roleclassify: nothing was tagged, so {opts.output} was not written"
                + (" (the existing file is unchanged)" if os.path.exists(str(opts.output)) else ""))
    _exit(summary.exit_code)


def tag_summary_lines(summary: C.TagSummary, lang: str = "en") -> list[str]:
    """The summary ``tag`` leaves on stderr: items and time, then items per label, for review, skipped."""
    from .labels import display_label

    rate = summary.tagged / max(summary.seconds, 1e-9)
    counts = " · ".join(f"{display_label(k, lang)} {v:,}" for k, v in (summary.by_label or {}).items())
    review = summary.review or 0
    if lang == "ja":
        return [f"{summary.tagged:,} 件を {summary.seconds:.1f} 秒で判定 (毎秒 {rate:,.0f} 件)",
                f"{counts}; 要確認 {review:,} 件、スキップ {summary.skipped:,} 件"]
    items = "item" if summary.tagged == 1 else "items"
    return [f"tagged {summary.tagged:,} {items} in {summary.seconds:.1f}s ({rate:,.0f}/s)",
            f"{counts}; {review:,} for review, {summary.skipped:,} skipped"]


# --------------------------------------------------------------------------- train
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
@click.option("--thresholds", type=click.Choice(["margin", "tuned"]), default="margin", show_default=True,
              help="Each label's threshold: margin = the calibrated probability of the linear model's own "
                   "boundary; tuned = the F1-best value on the cross-validated probabilities (fits the corpus's "
                   "own style more closely; measured weaker on real companies' text).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the folds.")
@click.option("--include-test", is_flag=True, help='Also train on records marked "split": "test".')
@click.option("--labels", default=None,
              help="Allowed labels, comma-separated; a record with any other label is refused (default: any).")
@click.option("--name", default=None, help="Model name for its card (default: the directory name).")
@click.option("--duties", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Duty list (JSON like corpus/duties.json) for the duty head, fitted when the corpus states "
                   "duties (default: a duties.json beside the corpus, else the duty ids the corpus uses).")
@format_option(("table", "json"))
@encoding_option
@quiet_option
def train(corpus: tuple[str, ...], labels: str | None, fmt: str, **options: Any) -> None:
    """Train a model on labelled corpora and write it with its model card.

    CORPUS is JSONL or CSV/TSV files (or directories of them) with `text` and `labels`, gzip-compressed or
    not, in any encoding `tag` reads (CP932 from Excel too); any label set works (a user's own taxonomy too). Records with "split": "test" are held out and scored after training. Records (or document lines) with a "duties" list also train a duty head in the same model file.

    \b
    Example:
        roleclassify train corpus/ --out models/default
        roleclassify train my_labels.csv --out models/mine --cv 10
        roleclassify train my_corpus.jsonl --duties my_duties.json --out models/mine
    """
    opts = C.TrainOptions(corpus=corpus, labels=C.parse_labels(labels), **options)
    result = C.run_train(opts, progress=_info)
    if fmt == "json":
        click.echo(json.dumps(result.report, ensure_ascii=False, indent=2))
    else:
        text = tables.training_text(result.report, opts.cv)
        if text:
            click.echo(text)
    _info(f"model written to {result.path} ({result.report['seconds']}s)")


# --------------------------------------------------------------------------- evaluate
@cli.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@model_option
@click.option("--split", type=click.Choice(["all", "test", "train"]), default="all", show_default=True,
              help='Score only records of this "split".')
@threshold_option("One threshold for every label.")
@format_option(("table", "json"))
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="Write the misclassified items (JSONL) here for error analysis.")
@encoding_option
@quiet_option
def evaluate(corpus: tuple[str, ...], fmt: str, **options: Any) -> None:
    """Score a model on a labelled corpus: per-class precision / recall / F1, macro-F1, confusion matrix.

    Sentence records are scored as single units; job descriptions ("unit": "document") are split into
    sentences and rolled up, and scored separately. With a model that has a duty head and a corpus that states
    duties, every unit that states them is scored too: per-duty precision / recall / F1 and the most confused
    duty pairs.

    \b
    Example:
        roleclassify evaluate corpus/ --split test
        roleclassify evaluate my_labels.csv --model models/mine --format json
    """
    opts = C.EvaluateOptions(corpus=corpus, **options)
    result = C.run_evaluate(opts)
    n_errors = result.pop("n_errors")
    if opts.errors_path:
        _info(f"{n_errors} misclassified item(s) written to {opts.errors_path}")
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(tables.evaluation_text(result))


# --------------------------------------------------------------------------- explain / suggest
@cli.command()
@click.argument("texts", nargs=-1, required=True)
@model_option
@click.option("--top", type=click.IntRange(1, 50), default=6, show_default=True, help="Features shown per role.")
@format_option(("table", "json"))
@lang_option
def explain(texts: tuple[str, ...], model_path: str | None, top: int, fmt: str, lang: str) -> None:
    """Show why a text gets its labels: per sentence and role, the words and character n-grams that
    pushed the score up (+) or down (-), with their weights in log-odds; then the same for each duty the
    sentence was given (a model with a duty head).

    \b
    Example:
        roleclassify explain "営業部が市場調査とターゲット選定を行う。"
        roleclassify explain "受注処理と在庫管理" --top 10 --format json
        roleclassify explain "店頭での接客と商品陳列" --lang ja
    """
    from .model import load

    blank = [k for k, t in enumerate(texts, 1) if not t.strip()]
    if blank:
        raise OptionError(f"text {blank[0]} of {len(texts)} is empty: nothing to explain (quote the sentence, "
                          "e.g. roleclassify explain \"受注処理と在庫管理\")")
    model = load(model_path)
    tags = model.tag(list(texts), explain=top)
    if fmt == "json":
        click.echo(json.dumps([t.to_dict() for t in tags], ensure_ascii=False, indent=2))
    else:
        head = model.duty_head
        duty_th = dict(zip(head.ids, head.thresholds.tolist())) if head is not None else None
        click.echo(tables.explanation_text(tags, model.labels, model.thresholds_, lang=lang, duty_thresholds=duty_th,
                                           duty_names=C.duty_names(model, lang)))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-n", "--n", "n", type=click.IntRange(1), default=200, show_default=True,
              help="How many sentences to suggest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="JSONL file to write (atomically); default stdout.")
@model_option
@click.option("--exclude", "exclude", multiple=True, type=click.Path(exists=True),
              help="Corpus files or directories whose sentences are already labelled (skipped). Repeatable.")
@click.option("--diversity", type=_Probability(0, 1), default=1.0, show_default=True,
              help="0 = most uncertain first; 1 = also avoid sentences similar to those already picked.")
@input_options
@quiet_option
def suggest(inputs: tuple[str, ...], **options: Any) -> None:
    """Write the unlabelled sentences most worth labelling next (uncertain and diverse) to a JSONL file.

    Each record has "labels": null, the model's "suggested" labels and its "scores". Fill in "labels"
    (a list; [] for other) and pass the file to `roleclassify train` with the rest of the corpus.

    \b
    Example:
        roleclassify suggest new_job_ads.jsonl --n 200 -o to_label.jsonl --exclude corpus/
        roleclassify train corpus/sentences corpus/jobs to_label.jsonl --out models/v2
    """
    opts = C.SuggestOptions(inputs=inputs, **options)
    result = C.run_suggest(opts)
    for e in result.errors:
        _stderr(f"roleclassify: {e}")
    _info(f"{result.picked} sentence(s) to label" + (f" written to {opts.output}" if opts.output else ""))
    _exit(result.exit_code)


# --------------------------------------------------------------------------- audit
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@model_option
@format_option(AUDIT_FORMATS, default=None,
               help="Report format. Default: table on a terminal, json otherwise (or by --output suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report here (atomically) instead of stdout.")
@click.option("--expect", multiple=True, metavar="DEPT=ROLE",
              help="The role a department is meant to do, overriding the guess from its name (repeatable): a "
                   "label (営業企画部=marketing) or its Japanese name (営業企画部=マーケティング).")
@click.option("--duplicate-threshold", type=_Probability(0, 1), default=C.AuditOptions.duplicate_threshold,
              show_default=True, help="Lemma Jaccard similarity from which two departments' duties count as duplicates.")
@threshold_option("One tagging threshold for every label.")
@click.option("--min-score", type=_Probability(0, 1), default=C.AuditOptions.min_score, show_default=True,
              help="A duty counts as a role's work only with at least this score besides the model's threshold "
                   "(0: the model's thresholds alone, as tag decides).")
@click.option("--dept-column", default=None, help="CSV/TSV column with the department (default: detected).")
@click.option("--duty-column", default=None, help="CSV/TSV column with the duty (default: detected).")
@click.option("--sheet", default=None, metavar="NAME|N",
              help="Excel: read only this sheet (its name, or its number from 1); default: every sheet with a table.")
@click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(FAIL_ON_CHOICES),
              help="Exit with code 3 when findings of this kind exist (overlap = crossing or shared). Repeatable.")
@encoding_option
@lang_option
@quiet_option
def audit(paths: tuple[str, ...], **options: Any) -> None:
    """Audit organisation documents for role crossing, shared roles, duplicated duties and ownerless roles.

    PATHS are 業務分掌規程 (第N条 articles), Markdown department pages, text with 【営業部】 / ■営業部 /
    ＜販売課＞ headings or plain heading lines, CSV/TSV with department and duty columns, Excel 分掌表, HTML
    pages, DOCX, PDF, or a directory (one file per department, file name = department); - reads a text
    document from standard input. All PATHS are one organisation.

    \b
    Example:
        roleclassify audit 業務分掌規程.txt
        roleclassify audit org.docx --format html -o audit.html
        roleclassify audit duties.csv --expect 営業企画部=marketing --fail-on duplicate
        roleclassify audit 業務分掌規程.docx --lang ja -o 監査結果.html
        roleclassify audit 分掌表.xlsx -o audit.xlsx
        cat 規程.txt | roleclassify audit - --encoding cp932
    """
    opts = C.AuditOptions(paths=paths, **options)
    run = C.run_audit(opts, stdout_is_tty=sys.stdout.isatty(), on_model=_warn_compat)
    for warning in run.report.reading.get("warnings", []):
        _stderr(f"roleclassify: warning: {warning}")
    if opts.output:
        n = len(run.report.findings)
        _info(f"レポートを {opts.output} に書き出しました（指摘事項 {n}件）" if opts.lang == "ja"
              else f"report written to {opts.output}: {n} finding(s)")
    if run.failing:
        kinds = ", ".join(sorted({f.kind for f in run.failing}))  # the kinds found, not every kind that fails
        _stderr(f"roleclassify: {len(run.failing)} finding(s) of kind {kinds} (--fail-on)")
    _exit(run.exit_code)


# --------------------------------------------------------------------------- compare
@cli.command()
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option("--kind", type=click.Choice(["org", "job"]), default="org", show_default=True,
              help="org: two versions of an organisation's documents (what audit reads); job: two job descriptions.")
@model_option
@format_option(COMPARE_FORMATS, default=None,
               help="Format. Default: table on a terminal, json otherwise (or by --output suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the comparison here (atomically) instead of stdout.")
@click.option("--dept-column", default=None, help="CSV/TSV column with the department (default: detected).")
@click.option("--duty-column", default=None, help="CSV/TSV column with the duty (default: detected).")
@click.option("--sheet", default=None, metavar="NAME|N", help="Excel: read only this sheet (its name, or its number).")
@encoding_option
@lang_option
@quiet_option
def compare(old: str, new: str, **options: Any) -> None:
    """Compare two versions: which duties moved to another department, were added, removed or reworded, which
    findings appear or disappear, which duties changed hands (a 新旧対照表 of a revised 分掌).

    OLD and NEW are what `audit` reads (a 業務分掌規程, 分掌表, department page... or a directory of them), each
    one version of the organisation; with --kind job, each a file holding one job description. A sentence that
    stays in its department unchanged counts as kept.

    \b
    Example:
        roleclassify compare 分掌_2025.txt 分掌_2026.txt
        roleclassify compare 分掌表_旧.xlsx 分掌表_新.xlsx --lang ja -o 新旧対照表.html
        roleclassify compare old_ad.txt new_ad.txt --kind job --format json
    """
    opts = C.CompareOptions(old=old, new=new, **options)
    cmp = C.run_compare(opts, stdout_is_tty=sys.stdout.isatty(), on_model=_warn_compat)
    if opts.output:
        s = cmp.summary()
        _info(f"新旧対照表を {opts.output} に書き出しました（移管 {s['moved']}件、新設 {s['added']}件、削除 "
              f"{s['removed']}件、文言変更 {s['reworded']}件）" if opts.lang == "ja" else
              f"comparison written to {opts.output}: {s['moved']} moved, {s['added']} added, {s['removed']} "
              f"removed, {s['reworded']} reworded")


# --------------------------------------------------------------------------- corpus
@cli.group()
def corpus() -> None:
    """Inspect and check labelled corpora: counts, the held-out split, quality checks.

    \b
    Example:
        roleclassify corpus stats corpus/sentences corpus/jobs
        roleclassify corpus check corpus/sentences corpus/jobs
    """


@corpus.command("stats")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option(("table", "json"))
@encoding_option
def corpus_stats_cmd(paths: tuple[str, ...], fmt: str, encoding: str | None) -> None:
    """Count a corpus by label, label set, unit, register, industry, source, split and tag.

    \b
    Example:
        roleclassify corpus stats corpus/sentences corpus/jobs
        roleclassify corpus stats corpus/jobs --format json
    """
    from .corpus import read_corpus
    from .corpus_tools import corpus_stats

    stats = corpus_stats(read_corpus(paths, encoding=encoding))
    click.echo(json.dumps(stats, ensure_ascii=False, indent=2) if fmt == "json" else tables.corpus_stats_text(stats))


@corpus.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--labels", default=None, help="Allowed labels, comma-separated (default: those the corpus uses).")
@click.option("--min-class", type=click.IntRange(1), default=10, show_default=True,
              help="Fewest examples a label needs.")
@click.option("--near-dup", type=_Probability(0, 1), default=0.8, show_default=True,
              help="Cosine similarity (character trigrams) from which two items are near-duplicates.")
@click.option("--no-label-errors", is_flag=True, help="Skip the cross-validated search for likely label errors.")
@format_option(("table", "json"))
@encoding_option
def corpus_check_cmd(paths: tuple[str, ...], labels: str | None, min_class: int, near_dup: float,
                     no_label_errors: bool, fmt: str, encoding: str | None) -> None:
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

    allowed = C.parse_labels(labels)
    res = check_corpus(paths, labels=list(allowed) if allowed else None, min_class=min_class, near_dup=near_dup,
                       label_errors=not no_label_errors, encoding=encoding)
    click.echo(json.dumps(res.to_dict(), ensure_ascii=False, indent=2) if fmt == "json" else tables.corpus_check_text(res))
    _exit(0 if res.ok else 1)


@corpus.command("split")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--test-size", type=_Probability(0.05, 0.5), default=0.2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def corpus_split_cmd(paths: tuple[str, ...], test_size: float, seed: int) -> None:
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
def _on_sigterm(signum: int, frame: Any) -> None:  # pragma: no cover - exercised by a subprocess test
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


def _quiet_teardown() -> None:
    """After an interrupt, the writers stopped mid-file (an Excel sheet's XML, a Parquet writer) complain as the
    interpreter collects them ("Exception ignored in ...", with a traceback): the run already said it stopped
    and left no partial file, so those complaints are not shown."""
    sys.unraisablehook = lambda unraisable: None
    import gc

    gc.collect()


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
        _quiet_teardown()
        sys.exit(130)
    except Terminated:
        _stderr("roleclassify: terminated")
        _quiet_teardown()
        sys.exit(143)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        finally:
            sys.exit(0)
    except OSError as e:
        # a write no command wrapped (stdout on a full disk): one line, and nothing more at exit
        from .io.readers import display_path

        where = display_path(e.filename) if isinstance(e.filename, str) else "<stdout>"
        _stderr(f"roleclassify: {where}: cannot write ({e.strerror or e})")
        _silence_stdout()
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
