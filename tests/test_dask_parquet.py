"""Parquet in and out for `tag`, and distributed tagging on a real LocalCluster with 2 workers."""

import json
import os
import signal
import threading
import time

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

LINES = ["新規顧客への提案営業を担当します。", "受注処理と在庫管理", "展示会の企画と運営", "月給30万円",
         "・ルート営業\n・見積書の作成\n・SNS広告の運用"]


def test_parquet_in_and_out(tmp_path, shipped_model_dir):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"post_id": range(5), "description": LINES, "site": ["a"] * 5}).to_parquet(src)
    out = tmp_path / "out.parquet"
    r = CliRunner().invoke(cli, ["tag", str(src), "--text-column", "description", "-o", str(out), "-m", str(shipped_model_dir)])
    assert r.exit_code == 0, r.stderr
    df = pd.read_parquet(out)
    assert df["text"].tolist() == LINES and df["post_id"].tolist() == list(range(5)) and (df["site"] == "a").all()
    assert [list(x) for x in df["labels"]] == [["sales"], ["distribution"], ["marketing"], ["other"],
                                                [list(x) for x in df["labels"]][4]]
    assert set(df.columns) >= {"id", "scores", "sentences", "shares", "review"}
    assert len(df["sentences"][4]) == 3 and df["shares"][4] is not None


def test_parquet_bad_rows_and_missing_column(tmp_path, shipped_model_dir):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"text": ["受注処理", None, "提案営業"]}).to_parquet(src)
    r = CliRunner().invoke(cli, ["tag", str(src), "-m", str(shipped_model_dir), "--format", "jsonl"])
    assert r.exit_code == 1 and f"{src}:row 2" in r.stderr
    assert [json.loads(l)["text"] for l in r.stdout.splitlines()] == ["受注処理", "提案営業"]
    r = CliRunner().invoke(cli, ["tag", str(src), "--text-column", "body", "-m", str(shipped_model_dir)])
    assert r.exit_code == 1 and "no 'body' column" in r.stderr


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from roleclassify.dask import ModelPlugin

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0")
    client = Client(c)
    client.register_plugin(ModelPlugin(None))
    yield client
    client.close()
    c.close()


def _input(tmp_path, n=400, parts=8):
    import dask.dataframe as dd

    df = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": [LINES[i % len(LINES)] + f" {i}" for i in range(n)],
                       "k": range(n)})
    ddf = dd.from_pandas(df, npartitions=parts)
    return df, ddf


@pytest.mark.slow
def test_dask_equals_single_process(cluster, tmp_path, shipped_model_dir):
    import roleclassify.dask as rcd

    df, ddf = _input(tmp_path)
    tagged = rcd.tag_dataframe(ddf, "text").compute()
    src = tmp_path / "in.jsonl"
    df.to_json(src, orient="records", lines=True, force_ascii=False)
    r = CliRunner().invoke(cli, ["tag", str(src), "--format", "jsonl", "-m", str(shipped_model_dir)])
    single = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(tagged) == len(single) == 400
    for (_, row), rec in zip(tagged.iterrows(), single):
        assert row["id"] == rec["id"] and row["labels"] == rec["labels"] and row["scores"] == rec["scores"]
        assert row["shares"] == rec.get("shares") and row["k"] == rec["k"]
        assert [s["labels"] for s in row["sentences"]] == [s["labels"] for s in rec["sentences"]]


@pytest.mark.slow
def test_dask_model_loaded_once_per_worker(cluster):
    import roleclassify.dask as rcd

    _, ddf = _input(None, n=80, parts=8)
    rcd.tag_dataframe(ddf, "text").compute()

    def loaded():
        import roleclassify.dask as m

        return len(m._MODELS)

    assert set(cluster.run(loaded).values()) == {1}


@pytest.mark.slow
def test_dask_worker_killed_mid_run_output_complete(cluster, tmp_path):
    import roleclassify.dask as rcd

    df, ddf = _input(tmp_path, n=3000, parts=30)
    out = tmp_path / "out"
    lazy = rcd.write_output(rcd.tag_dataframe(ddf, "text"), str(out), "parquet", ["sales", "distribution", "marketing"])
    future = cluster.compute(lazy)
    pids = list(cluster.run(os.getpid).values())

    def kill_one():
        time.sleep(1.0)
        os.kill(pids[0], signal.SIGKILL)

    t = threading.Thread(target=kill_one)
    t.start()
    future.result(timeout=300)
    t.join()
    res = pd.read_parquet(out)
    assert len(res) == 3000 and res["id"].is_unique and set(res["id"]) == set(df["id"])


@pytest.mark.slow
def test_cli_scheduler_local(tmp_path, shipped_model_dir):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"id": [f"x{i}" for i in range(50)], "text": [LINES[i % 5] for i in range(50)]}).to_parquet(src)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", "local", "--jobs", "2", "-o", str(out), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    recs = [json.loads(l) for f in sorted(out.glob("*.jsonl")) for l in f.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in recs] == [f"x{i}" for i in range(50)]
