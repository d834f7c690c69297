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
from pathlib import Path
from typing import Any

from .errors import RoleClassifyError

__all__ = ["tag_dataframe", "tag_partition", "ModelPlugin", "OUTPUT_COLUMNS", "read_inputs", "write_output", "run"]

OUTPUT_COLUMNS = ("id", "text", "labels", "scores", "review", "sentences", "shares")
_MODELS: dict[str, Any] = {}


def _require() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise RoleClassifyError(
            'distributed tagging needs Dask: pip install "roleclassify[dask]"'
        ) from None


def _model(path: str | None, threshold: float | None = None):
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


class ModelPlugin(_WorkerPluginBase):  # type: ignore[misc,valid-type]
    """Loads the model when a worker starts, so the first task does not pay for it."""

    name = "roleclassify-model"

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def setup(self, worker) -> None:
        _model(self.path)


def tag_partition(
    df,
    text_column: str = "text",
    model: str | None = None,
    threshold: float | None = None,
    partition_info: dict | None = None,
):
    """Tag one pandas partition: the input columns plus roleclassify's output columns."""
    import pandas as pd

    clf = _model(model)
    texts = ["" if not isinstance(t, str) else t for t in df[text_column].tolist()]
    tags = clf.tag(texts, threshold=threshold)
    part = (partition_info or {}).get("number", 0)
    if "id" in df.columns:
        ids = [str(x) for x in df["id"].tolist()]
    else:
        ids = [f"{part}:{i}" for i in range(len(df))]
    out = pd.DataFrame(
        {
            "id": pd.Series(ids, index=df.index, dtype=object),
            "text": pd.Series(texts, index=df.index, dtype=object),
            "labels": pd.Series([t.labels for t in tags], index=df.index, dtype=object),
            "scores": pd.Series([t.scores for t in tags], index=df.index, dtype=object),
            "review": pd.Series([t.review for t in tags], index=df.index, dtype=bool),
            "sentences": pd.Series([[s.to_dict() | {"review": s.review} for s in t.sentences] for t in tags],
                                   index=df.index, dtype=object),
            "shares": pd.Series([t.shares for t in tags], index=df.index, dtype=object),
        }
    )
    rest = df.drop(columns=[c for c in df.columns if c in (text_column, "id")])
    rest = rest.rename(columns={c: f"input_{c}" for c in rest.columns if c in OUTPUT_COLUMNS})
    for c in rest.columns:
        if rest[c].dtype == object:  # nested JSON values become JSON strings: one type per column
            rest[c] = rest[c].map(_as_text)
    return pd.concat([out, rest], axis=1)


def _as_text(v):
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


def tag_dataframe(ddf, text_column: str = "text", *, model: str | os.PathLike | None = None,
                  threshold: float | None = None):
    """A lazy Dask DataFrame of ``ddf`` tagged partition by partition (see the module docstring).

    ``model`` is a model directory reachable from every worker (default: the shipped model installed
    with roleclassify on the workers).
    """
    _require()
    import pandas as pd

    if text_column not in ddf.columns:
        raise RoleClassifyError(
            f"no {text_column!r} column (columns: {', '.join(map(str, ddf.columns))}); pass text_column="
        )
    path = str(model) if model is not None else None
    meta = tag_partition(ddf._meta.assign(**{text_column: pd.Series([], dtype=object)}), text_column, path, threshold)
    return ddf.map_partitions(tag_partition, text_column, path, threshold, meta=meta)


def read_inputs(paths: list[str], *, text_column: str = "text", blocksize: str = "16MB"):
    """A Dask DataFrame over Parquet / CSV / TSV / JSONL files (paths or globs; one format per call)."""
    _require()
    import glob

    import dask.dataframe as dd

    files: list[str] = []
    for p in paths:
        found = sorted(glob.glob(p)) if any(c in p for c in "*?[") else [p]
        files.extend(found)
    if not files:
        raise RoleClassifyError(f"no input files match {', '.join(paths)}")
    suffixes = {Path(f).suffix.lower() for f in files if not Path(f).is_dir()} or {".parquet"}
    if len(suffixes) > 1:
        raise RoleClassifyError(f"mixed input formats {sorted(suffixes)}; tag one format per run")
    suffix = suffixes.pop()
    for f in files:
        if not Path(f).exists() and "://" not in f:
            raise RoleClassifyError(f"{f}: no such file")
    if suffix == ".parquet" or Path(files[0]).is_dir():
        return dd.read_parquet(files)
    if suffix in (".csv", ".tsv"):
        return dd.read_csv(files, sep="," if suffix == ".csv" else "\t", dtype=str, blocksize=blocksize,
                           keep_default_na=False)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return dd.read_json(files, lines=True, blocksize=blocksize, dtype=False)
    raise RoleClassifyError(f"{files[0]}: distributed tagging reads .parquet, .csv, .tsv or .jsonl files")


def write_output(tagged, out: str, fmt: str, labels: list[str]):
    """A lazy write of the tagged frame: one file per partition under ``out``."""
    if fmt == "parquet":
        from .output import arrow_schema

        extra = {c: t for c, t in tagged._meta.dtypes.items() if c not in OUTPUT_COLUMNS}
        return tagged.to_parquet(out, write_index=False, compute=False, schema=arrow_schema(labels, extra))
    Path(out).mkdir(parents=True, exist_ok=True)
    counts = tagged.map_partitions(_write_jsonl_part, out, meta=("rows", "int64"))
    return counts.sum()


def _write_jsonl_part(df, out: str, partition_info: dict | None = None):
    """Write one partition as ``part-NNNNN.jsonl`` (temp file + rename: a rerun replaces it)."""
    import json

    import pandas as pd

    from .fileio import atomic_write_bytes

    n = (partition_info or {}).get("number", 0)
    recs = df.to_dict(orient="records")
    data = "".join(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in recs)
    atomic_write_bytes(Path(out) / f"part-{n:05d}.jsonl", data.encode("utf-8"))
    return pd.Series([len(recs)], dtype="int64")


def _json_default(x):
    import numpy as np

    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x).__name__)


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
) -> dict[str, Any]:
    """Tag files on a Dask cluster (``scheduler`` = ``local`` or ``tcp://host:8786``), writing ``out``."""
    _require()
    from distributed import Client, LocalCluster, wait

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        client.register_plugin(ModelPlugin(model))
        ddf = read_inputs(paths, text_column=text_column)
        tagged = tag_dataframe(ddf, text_column, model=model, threshold=threshold)
        job = client.compute(write_output(tagged, out, fmt, list(_model(model).labels)))
        if progress:
            from distributed import progress as show

            show(job)
        wait(job)
        job.result()
        return {"partitions": ddf.npartitions, "output": out, "format": fmt}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
