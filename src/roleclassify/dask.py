"""Distributed tagging on Dask: a DataFrame in, the same DataFrame with roleclassify's output columns out.

    import dask.dataframe as dd
    from distributed import Client
    import roleclassify.dask

    client = Client("tcp://scheduler:8786")                 # or Client(LocalCluster(...))
    ddf = dd.read_parquet("s3://bucket/job_posts/*.parquet")
    tagged = roleclassify.dask.tag_dataframe(ddf, text_column="description")
    tagged.to_parquet("s3://bucket/job_posts_tagged/")

Each partition is tagged on a worker by the ordinary batch tagger. The model is loaded once per worker
process (cached in the worker; a worker plugin loads it as the worker starts) and never per task. Output
rows keep the input's columns and add ``id`` (the input's ``id`` column, else ``<partition>:<row>``),
``labels``, ``scores``, ``review``, ``sentences`` and ``shares``: the schema of ``roleclassify tag``.
When a worker dies, Dask reruns its partitions elsewhere; every partition is written as its own file, so a
rerun replaces rather than duplicates it.

Needs the ``dask`` extra: ``pip install "roleclassify[dask]"``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import ClusterError, InputError, MissingDependency, option
from .io.output import DUTY_KEYS, RECORD_KEYS, input_names

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    from .model import RoleClassifier

__all__ = ["tag_dataframe", "tag_partition", "ModelPlugin", "OUTPUT_COLUMNS", "read_inputs", "write_output", "run"]

#: The columns tag_partition writes for each row: those of ``roleclassify tag``'s output records.
OUTPUT_COLUMNS = RECORD_KEYS
#: Every column tag_partition adds: OUTPUT_COLUMNS, ``duties`` (with a model that has a duty head: the item's
#: duties, as ``tag`` writes them; an input column ``duties`` is kept as ``input_duties``) and ``error`` (why a
#: row was not tagged; not written).
_ADDED_COLUMNS = (*OUTPUT_COLUMNS, *DUTY_KEYS, "error")
_MODELS: dict[str, RoleClassifier] = {}


def _require() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise MissingDependency("distributed tagging", "Dask", "roleclassify[dask]") from None


def _model(path: str | None) -> RoleClassifier:
    """The model for ``path`` in this process, loaded on first use (once per worker process)."""
    key = path or ""
    model = _MODELS.get(key)
    if model is None:
        from .model import load

        model = _MODELS[key] = load(path)
    return model


try:  # the plugin class needs distributed; keep this module importable without it
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPluginBase
except ImportError:  # pragma: no cover
    _WorkerPluginBase = object  # type: ignore[misc,assignment]


class ModelPlugin(_WorkerPluginBase):
    """Loads the model when a worker starts, so the first task does not pay for it."""

    name = "roleclassify-model"

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def setup(self, worker: Any) -> None:
        _model(self.path)


def tag_partition(
    df: pd.DataFrame,
    text_column: str = "text",
    model: str | None = None,
    threshold: float | None = None,
    partition_info: dict | None = None,
) -> pd.DataFrame:
    """Tag one pandas partition: the input columns plus roleclassify's output columns.

    A row whose text is missing or not a string (or a CSV row with the wrong number of fields) is not
    tagged: its ``error`` column says why, in the words the single-process ``tag`` uses, and its labels are
    empty. ``error`` is null on every tagged row; :func:`run` writes only those and reports the others.
    An input column named like an output column is kept as ``input_<name>`` (see :func:`roleclassify.io.output.input_names`).
    """
    import pandas as pd

    clf = _model(model)
    raw = df[text_column].tolist()
    errors = [_row_error(t, text_column) for t in raw]
    texts = [t if e is None else "" for t, e in zip(raw, errors)]
    good = [i for i, e in enumerate(errors) if e is None]
    tags: list[Any] = [None] * len(texts)
    for i, t in zip(good, clf.tag([texts[i] for i in good], threshold=threshold)):
        tags[i] = t
    part = (partition_info or {}).get("number", 0)
    given = df["id"].tolist() if "id" in df.columns else [None] * len(df)
    ids = [f"{part}:{i}" if _missing(x) else str(x) for i, x in enumerate(given)]
    out = _output_columns(clf, ids, texts, tags, errors, df.index)
    return pd.concat([out, _input_columns(df, text_column)], axis=1)


def _output_columns(
    clf: RoleClassifier, ids: list[str], texts: list[str], tags: list[Any], errors: list[str | None], index: Any
) -> pd.DataFrame:
    """roleclassify's columns for a partition's rows (``tags[i]`` is None for a row not tagged)."""
    import pandas as pd

    empty_scores = dict.fromkeys(clf.labels, 0.0)
    empty_shares = dict.fromkeys([*clf.labels, "other"], 0.0)
    duties = {} if clf.duty_head is None else {
        "duties": pd.Series([[{"duty": k, "score": p} for k, p in (t.duties or ())] if t else [] for t in tags],
                            index=index, dtype=object)}
    return pd.DataFrame(
        {
            "id": pd.Series(ids, index=index, dtype=object),
            "text": pd.Series(texts, index=index, dtype=object),
            "labels": pd.Series([t.labels if t else [] for t in tags], index=index, dtype=object),
            "scores": pd.Series([t.scores if t else empty_scores for t in tags], index=index, dtype=object),
            "review": pd.Series([t.review if t else False for t in tags], index=index, dtype=bool),
            "sentences": pd.Series([[s.to_dict() | {"review": s.review} for s in t.sentences] if t else []
                                    for t in tags], index=index, dtype=object),
            "shares": pd.Series([t.shares if t else empty_shares for t in tags], index=index, dtype=object),
            **duties,
            "error": pd.Series(errors, index=index, dtype=object),
        }
    )


def _input_columns(df: pd.DataFrame, text_column: str) -> pd.DataFrame:
    """A partition's other input columns, renamed where they clash with an output column, nested values as
    JSON text (one type per column)."""
    rest = df.drop(columns=[c for c in df.columns if c in (text_column, "id")])
    rest = rest.rename(columns=input_names(rest.columns, reserved=_ADDED_COLUMNS))
    for c in rest.columns:
        if rest[c].dtype == object:
            rest[c] = rest[c].map(_as_text)
    return rest


#: Prefix of the text a row the reader could not use carries to :func:`tag_partition` (a CSV row with the
#: wrong number of fields, a JSONL line that is not a JSON object): the rest is the reason.
_BAD_ROW = "\x00roleclassify:ragged:"


def _row_error(text: Any, column: str) -> str | None:
    """Why a row is not tagged (None when it is): a reader's marked row, or text that is not a string."""
    from .io.readers import type_name

    if isinstance(text, str):
        if text.startswith(_BAD_ROW):
            return text[len(_BAD_ROW):]
        return None
    return f"{column!r} is {type_name(text)}, not a string; row skipped"


def _ragged_row(n_fields: int, text_index: int, id_index: int | None, bad_line: list[str]) -> list[str]:
    """pandas' ``on_bad_lines`` hook for a row with too many fields: keep it, marked, so it is reported
    rather than lost, shifted into the wrong columns, or fatal."""
    row = [""] * n_fields
    if id_index is not None:
        row[id_index] = bad_line[id_index]
    row[text_index] = f"{_BAD_ROW}{len(bad_line)} fields where the header has {n_fields}; row skipped"
    return row


def _mark_short_rows(df: pd.DataFrame, text_column: str) -> pd.DataFrame:
    """Mark CSV rows with too few fields (pandas fills the missing ones with null; with
    ``keep_default_na=False`` an empty field is ``""``, so a null can only be a missing field)."""
    short = df.isna().any(axis=1)
    if short.any():
        df = df.copy()
        n = len(df.columns)
        found = df[short].notna().sum(axis=1)
        df.loc[short, text_column] = [f"{_BAD_ROW}{k} fields where the header has {n}; row skipped" for k in found]
    return df


def _missing(x: Any) -> bool:
    """None, NaN, pd.NA or an empty string (a scalar that names no row)."""
    import pandas as pd

    if x is None or isinstance(x, str):
        return not x
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # a list or array value is not missing
        return False


def _as_text(v: Any) -> str | None:
    """An input cell as written: text and nulls as they are, other values (nested JSON) as JSON text."""
    import json

    if v is None or isinstance(v, str):
        return v
    try:
        import math

        if isinstance(v, float) and math.isnan(v):
            return None
    except TypeError:
        pass
    return json.dumps(v, ensure_ascii=False, default=str)


def tag_dataframe(ddf: dd.DataFrame, text_column: str = "text", *, model: str | os.PathLike | None = None,
                  threshold: float | None = None) -> dd.DataFrame:
    """A lazy Dask DataFrame of ``ddf`` tagged partition by partition (see the module docstring).

    ``model`` is a model directory reachable from every worker (default: the shipped model installed
    with roleclassify on the workers).
    """
    _require()
    import pandas as pd

    if text_column not in ddf.columns:
        raise InputError(
            f"no {text_column!r} column (columns: {', '.join(map(str, ddf.columns))}); pass {option('text_column', 'NAME')}"
        )
    path = str(model) if model is not None else None
    meta = tag_partition(ddf._meta.assign(**{text_column: pd.Series([], dtype=object)}), text_column, path, threshold)
    return ddf.map_partitions(tag_partition, text_column, path, threshold, meta=meta)


def read_inputs(paths: list[str], *, text_column: str = "text", blocksize: str = "16MB") -> dd.DataFrame:
    """A Dask DataFrame over Parquet / CSV / TSV / JSONL files (paths or globs; one format per call).

    A file that is not readable as its format is named in an :class:`~roleclassify.errors.InputError` before any work is
    sent to the cluster; a CSV row with the wrong number of fields is kept and reported by
    :func:`tag_partition`, as ``tag`` reports it.
    """
    _require()
    import dask.dataframe as dd

    files, suffix = _input_files(paths)
    if suffix == ".parquet" or Path(files[0]).is_dir():
        _check_parquet(files)
        return dd.read_parquet(files)
    if suffix in (".csv", ".tsv"):
        return _read_delimited(files, "," if suffix == ".csv" else "\t", text_column, blocksize)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _read_jsonl(files, text_column, blocksize)
    raise InputError(f"{files[0]}: distributed tagging reads .parquet, .csv, .tsv or .jsonl files")


def _input_files(paths: list[str]) -> tuple[list[str], str]:
    """The files that paths and globs name, and their one suffix (``.parquet`` for directories)."""
    import glob

    files: list[str] = []
    for p in paths:
        found = sorted(glob.glob(p)) if any(c in p for c in "*?[") else [p]
        files.extend(found)
    if not files:
        raise InputError(f"no input files match {', '.join(paths)}")
    suffixes = {Path(f).suffix.lower() for f in files if not Path(f).is_dir()} or {".parquet"}
    if len(suffixes) > 1:
        raise InputError(f"mixed input formats {sorted(suffixes)}; tag one format per run")
    for f in files:
        if not Path(f).exists() and "://" not in f:
            raise InputError(f"{f}: no such file")
    return files, suffixes.pop()


def _read_delimited(files: list[str], sep: str, text_column: str, blocksize: str) -> dd.DataFrame:
    """CSV / TSV files as text columns; rows with the wrong number of fields kept, marked for the report."""
    import functools

    import dask.dataframe as dd

    header = _csv_header(files[0], sep)
    if text_column not in header:
        raise InputError(f"{files[0]}: no {text_column!r} column (columns: {', '.join(header)})")
    id_index = header.index("id") if "id" in header else None
    hook = functools.partial(_ragged_row, len(header), header.index(text_column), id_index)
    # index_col=False: without it pandas takes a row with one field too many as "the first column is
    # the index" and shifts every field of that row one column to the left
    ddf = dd.read_csv(files, sep=sep, dtype=str, blocksize=blocksize, keep_default_na=False,
                      engine="python", on_bad_lines=hook, index_col=False)
    return ddf.map_partitions(_mark_short_rows, text_column, meta=ddf._meta)


def _read_jsonl(files: list[str], text_column: str, blocksize: str) -> dd.DataFrame:
    """JSONL files, each line parsed as ``tag`` parses it (:func:`_jsonl_block`)."""
    import functools

    import dask
    import dask.dataframe as dd

    # dask's default string conversion would turn 42 into "42" and a list into "['a']" and tag them;
    # kept as Python values, they are reported as not a string, as `tag` reports them
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.read_json(files, lines=True, blocksize=blocksize, errors="surrogateescape",
                            engine=functools.partial(_jsonl_block, text_field=text_column))


#: A byte the block's UTF-8 decoding could not read (decoded with ``surrogateescape``).
_UNDECODED = re.compile("[\udc80-\udcff]")


def _jsonl_block(f: IO[str], text_field: str = "text", **_: Any) -> pd.DataFrame:
    """Dask's ``read_json`` engine for one block of a JSONL file: each line parsed as ``tag`` parses it, and a
    line that is not a JSON object with a string text kept as a marked row, so it is reported rather than
    failing the whole job (pandas' reader raises on the first bad line, in a worker)."""
    import pandas as pd

    from .io.readers import json_object

    rows: list[dict] = []
    for line in f:
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        obj = json_object(line)
        if isinstance(obj, str):
            rows.append({text_field: _BAD_ROW + obj})
        elif _UNDECODED.search(line):
            rows.append({text_field: f"{_BAD_ROW}not UTF-8; record skipped"})
        elif text_field not in obj:
            rows.append({text_field: f"{_BAD_ROW}no {text_field!r} field (fields: {', '.join(obj) or 'none'}); "
                                     "record skipped"})
        else:
            rows.append(obj)
    return pd.DataFrame.from_records(rows) if rows else pd.DataFrame({text_field: pd.Series([], dtype=object)})


def _check_parquet(files: list[str]) -> None:
    """Read each local file's footer, so a malformed one is named here, not deep in a worker."""
    import pyarrow.parquet as pq

    for f in files:
        if "://" in f or Path(f).is_dir():
            continue
        try:
            pq.read_metadata(f)
        except Exception as e:  # pyarrow raises ArrowInvalid / OSError for a file that is not Parquet
            raise InputError(f"{f}: not a readable Parquet file ({type(e).__name__}: {e})") from None


def _csv_header(path: str, sep: str) -> list[str]:
    """The header row of a CSV / TSV file (empty for an empty file)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh, delimiter=sep), [])


def write_output(tagged: dd.DataFrame, out: str, fmt: str, labels: list[str]) -> dd.DataFrame:
    """A lazy write of the tagged frame, one file per partition under ``out`` (``part-NNNNN.parquet`` or
    ``.jsonl``, temp file + rename, so a rerun replaces a partition rather than duplicating it). Rows with an
    ``error`` are not written; computing the result gives a pandas frame with one row per partition
    (``written``) and one per skipped row (``id``, ``error``)."""
    import pandas as pd

    Path(out).mkdir(parents=True, exist_ok=True)
    extra = {c: t for c, t in tagged._meta.dtypes.items() if c not in _ADDED_COLUMNS}
    meta = pd.DataFrame({"written": pd.Series([], dtype="int64"), "id": pd.Series([], dtype=object),
                         "error": pd.Series([], dtype=object)})
    return tagged.map_partitions(_write_part, out, fmt, labels, extra, meta=meta)


def _write_part(df: pd.DataFrame, out: str, fmt: str, labels: list[str], extra: dict,
                partition_info: dict | None = None) -> pd.DataFrame:
    """Write one partition's tagged rows as ``part-NNNNN.<fmt>``; the summary row and the skipped rows."""
    import io
    import json

    import pandas as pd

    from .io.fileio import atomic_write_bytes

    n = (partition_info or {}).get("number", 0)
    bad = df[df["error"].notna()]
    good = df[df["error"].isna()].drop(columns=["error"])
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .io.output import arrow_schema

        schema = arrow_schema(labels, extra, duties="duties" in good.columns)
        table = pa.Table.from_pandas(good, schema=schema, preserve_index=False)
        buf = io.BytesIO()
        pq.write_table(table, buf)
        atomic_write_bytes(Path(out) / f"part-{n:05d}.parquet", buf.getvalue())
    else:
        recs = good.to_dict(orient="records")
        data = "".join(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in recs)
        atomic_write_bytes(Path(out) / f"part-{n:05d}.jsonl", data.encode("utf-8"))
    summary = pd.DataFrame({"written": [len(good)], "id": [None], "error": [None]})
    errors = pd.DataFrame({"written": 0, "id": bad["id"].tolist(), "error": bad["error"].tolist()})
    return pd.concat([summary, errors], ignore_index=True).astype({"written": "int64"})


def _json_default(x: Any) -> Any:
    """NumPy values (from Parquet input columns) as JSON values."""
    import numpy as np

    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x).__name__)


#: Seconds to wait for a remote scheduler before giving up with a message naming its address.
CONNECT_TIMEOUT = 5


def run(
    paths: list[str],
    out: str,
    *,
    scheduler: str = "local",
    workers: int | None = None,
    text_column: str = "text",
    model: str | None = None,
    threshold: float | None = None,
    fmt: str = "parquet",
    progress: bool = False,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> dict[str, Any]:
    """Tag files on a Dask cluster (``scheduler`` = ``local`` or ``tcp://host:8786``), writing ``out``.

    Returns ``partitions``, ``written`` (rows written) and ``errors`` (``(id, reason)`` of each row not
    tagged: null or non-string text, a CSV row with the wrong number of fields).
    """
    _require()
    from distributed import wait

    ddf = read_inputs(paths, text_column=text_column)  # a bad input is named before a cluster starts
    if text_column not in ddf.columns:
        raise InputError(
            f"no {text_column!r} column (columns: {', '.join(map(str, ddf.columns))}); pass {option('text_column', 'NAME')}"
        )
    client, cluster = _connect(scheduler, workers, connect_timeout)
    try:
        client.register_plugin(ModelPlugin(model))
        tagged = tag_dataframe(ddf, text_column, model=model, threshold=threshold)
        job = client.compute(write_output(tagged, out, fmt, list(_model(model).labels)))
        if progress:
            from distributed import progress as show

            show(job)
        wait(job)
        result = job.result()
        bad = result[result["error"].notna()]
        return {"partitions": ddf.npartitions, "output": out, "format": fmt,
                "written": int(result["written"].sum()), "errors": list(zip(bad["id"], bad["error"]))}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(scheduler: str, workers: int | None, connect_timeout: float) -> tuple[Client, LocalCluster | None]:
    """A client of a new local cluster (and the cluster, to close), or of the scheduler at ``scheduler``;
    a scheduler that cannot be reached, or is not one, is a one-line error naming the address."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=connect_timeout), None
    except (OSError, TimeoutError) as e:
        raise ClusterError(
            f"{scheduler}: cannot reach the Dask scheduler within {connect_timeout:g} s "
            f"({type(e).__name__}); start it with `dask scheduler` or use {option('scheduler', 'local')}"
        ) from None
    except Exception as e:  # something answered, but not in the Dask protocol: a web server or proxy
        # on that port makes distributed read text as a frame length and try to allocate exabytes
        # (MemoryError); other replies give ValueError or struct errors
        raise ClusterError(
            f"{scheduler}: the service at this address does not answer as a Dask scheduler "
            f"({type(e).__name__}); check the host and port (`dask scheduler` listens on 8786)"
        ) from None
