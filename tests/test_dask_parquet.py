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
    pytest.importorskip("distributed")
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
        # duties, as tag writes them: the item's and each sentence's
        assert row["duties"] == rec["duties"]
        assert [s.get("duties") for s in row["sentences"]] == [s.get("duties") for s in rec["sentences"]]
    assert any(row["duties"] for _, row in tagged.iterrows())


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
    assert all("duties" in x for x in recs) and any(x["duties"] for x in recs)


@pytest.mark.slow
def test_cli_scheduler_parquet_carries_duties_as_single_process_parquet(tmp_path, shipped_model_dir):
    """Parquet from the Dask path has the duty columns (the item's, each sentence's) of single-process Parquet."""
    src = tmp_path / "in.parquet"
    pd.DataFrame({"id": [f"x{i}" for i in range(20)], "text": [LINES[i % 5] for i in range(20)]}).to_parquet(src)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", "local", "--jobs", "2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    single = tmp_path / "single.parquet"
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(single), "-m", str(shipped_model_dir)])
    assert r.exit_code == 0, r.output
    d = pd.read_parquet(out).sort_values("id").reset_index(drop=True)
    s = pd.read_parquet(single).sort_values("id").reset_index(drop=True)
    assert [[x["duty"] for x in v] for v in d["duties"]] == [[x["duty"] for x in v] for v in s["duties"]]
    assert [[[x["duty"] for x in sent["duties"]] for sent in v] for v in d["sentences"]] == \
        [[[x["duty"] for x in sent["duties"]] for sent in v] for v in s["sentences"]]


# ---------------------------------------------------------------- bad input on the Dask path (issue 12)

RAGGED = "id,text\n1,営業を担当します\n2,在庫,extra,x\n3\n4,商品を発送します\n5,\n"


@pytest.mark.slow
def test_dask_ragged_csv_rows_reported_not_shifted(cluster, tmp_path):
    import roleclassify.dask as rcd

    src = tmp_path / "r.csv"
    src.write_text(RAGGED, encoding="utf-8")
    got = rcd.tag_dataframe(rcd.read_inputs([str(src)]), "text").compute()
    rows = {r["id"]: r for r in got.to_dict(orient="records")}
    assert list(rows) == ["1", "2", "3", "4", "5"]          # one row per input row, ids kept
    assert rows["2"]["error"] == "4 fields where the header has 2; row skipped" and rows["2"]["labels"] == []
    assert rows["3"]["error"] == "1 fields where the header has 2; row skipped"
    assert rows["4"]["text"] == "商品を発送します" and rows["4"]["labels"] == ["distribution"]
    assert rows["1"]["error"] is None and rows["1"]["labels"] == ["sales"]
    assert rows["5"]["error"] is None and rows["5"]["labels"] == ["other"]   # an empty cell is text, not an error


@pytest.mark.slow
def test_dask_null_and_non_string_text_reported(cluster, tmp_path):
    import roleclassify.dask as rcd

    src = tmp_path / "n.parquet"
    pd.DataFrame({"text": ["受注処理", None, "提案営業"], "n": [1, 2, 3]}).to_parquet(src)
    got = rcd.tag_dataframe(rcd.read_inputs([str(src)]), "text").compute().to_dict(orient="records")
    assert [r["error"] for r in got] == [None, "'text' is null, not a string; row skipped", None]
    assert [r["labels"] for r in got] == [["distribution"], [], ["sales"]]
    assert [r["id"] for r in got] == ["0:0", "0:1", "0:2"]

    src2 = tmp_path / "i.jsonl"
    src2.write_text('{"text": "受注処理"}\n{"text": 42}\n{"text": \n[1]\n{"text": "提案営業"}\n', encoding="utf-8")
    got = rcd.tag_dataframe(rcd.read_inputs([str(src2)]), "text").compute().to_dict(orient="records")
    assert [r["error"] for r in got] == [None, "'text' is int, not a string; row skipped",
                                         "invalid JSON (Expecting value at column 10); record skipped",
                                         "expected a JSON object, got list; record skipped", None]
    assert got[0]["labels"] == ["distribution"] and got[4]["labels"] == ["sales"]


@pytest.mark.slow
def test_cli_scheduler_bad_rows_exit_1_good_rows_written(tmp_path, shipped_model_dir):
    src = tmp_path / "r.csv"
    src.write_text(RAGGED, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", "local", "--jobs", "1", "-o", str(out),
                                 "--format", "jsonl"])
    assert r.exit_code == 1, r.output
    assert "record 2: 4 fields where the header has 2; row skipped" in r.stderr
    assert "record 3: 1 fields where the header has 2; row skipped" in r.stderr
    assert "Traceback" not in r.output
    recs = [json.loads(l) for f in sorted(out.glob("*.jsonl")) for l in f.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in recs] == ["1", "4", "5"] and "error" not in recs[0]


def test_dask_malformed_parquet_named_before_any_work(tmp_path):
    pytest.importorskip("distributed")
    good, bad = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pd.DataFrame({"text": ["受注処理"]}).to_parquet(good)
    bad.write_bytes(b"PAR1" + b"\x00" * 64 + b"not parquet")
    r = CliRunner().invoke(cli, ["tag", str(tmp_path / "*.parquet"), "--scheduler", "local", "-o", str(tmp_path / "o")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{bad}: not a readable Parquet file" in lines[0]
    assert not (tmp_path / "o").exists()


def _garbage_server():
    """A TCP port that answers every connection with HTTP text, like a web server or proxy would."""
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 8)
                time.sleep(0.5)
            finally:
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def test_dask_unreachable_scheduler_named_within_seconds(tmp_path):
    pytest.importorskip("distributed")
    import socket

    import roleclassify.dask as rcd
    from roleclassify.errors import RoleClassifyError

    src = tmp_path / "a.parquet"
    pd.DataFrame({"text": ["受注処理"]}).to_parquet(src)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()                                   # nothing listens there now
    t0 = time.monotonic()
    with pytest.raises(RoleClassifyError, match=rf"^tcp://127\.0\.0\.1:{closed}: cannot reach the Dask scheduler"):
        rcd.run([str(src)], str(tmp_path / "o"), scheduler=f"tcp://127.0.0.1:{closed}", connect_timeout=1)
    assert time.monotonic() - t0 < 10

    srv = _garbage_server()
    port = srv.getsockname()[1]
    try:
        r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", f"tcp://127.0.0.1:{port}", "-o", str(tmp_path / "o")])
    finally:
        srv.close()
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    assert f"tcp://127.0.0.1:{port}: " in r.stderr and "Dask scheduler" in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("extra,named", [
    (["--explain", "2"], "--explain"),
    (["--review-band", "0.2", "--excel"], "--review-band, --excel"),
    (["--unit", "document"], "--unit"),
    (["--encoding", "cp932", "--strict"], "--encoding, --strict"),
])
def test_scheduler_refuses_options_it_cannot_honour(tmp_path, extra, named):
    """tag --scheduler used to drop these silently; now a usage error names each, before any cluster starts."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "受注処理"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", "local", "-o", str(tmp_path / "o"), *extra])
    assert r.exit_code == 2 and f"--scheduler does not take {named}:" in r.stderr
    assert not (tmp_path / "o").exists()


def test_scheduler_takes_text_field_and_an_environment_lang(tmp_path, monkeypatch):
    monkeypatch.setenv("ROLECLASSIFY_LANG", "ja")
    src = tmp_path / "in.jsonl"
    src.write_text('{"body": "受注処理"}\n', encoding="utf-8")
    # not refused: the next check (no --output) is what stops it
    r = CliRunner().invoke(cli, ["tag", str(src), "--scheduler", "local", "--text-field", "body"])
    assert r.exit_code == 2 and "--scheduler needs --output DIR" in r.stderr
