"""End-to-end: the installed console script trains a model from a fixture corpus and tags with it, and the
shipped model is found from any directory. Slow (subprocesses); CI runs them."""

import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _exe():
    exe = shutil.which("roleclassify")
    if exe is None:
        pytest.skip("roleclassify console script not on PATH")
    return exe


def test_console_script_train_then_tag(tmp_path, data_dir):
    exe = _exe()
    out = tmp_path / "model"
    r = subprocess.run([exe, "train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(out), "--cv", "3"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "tag", str(data_dir / "jobs.txt"), "--model", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(recs) == 4 and recs[0]["labels"] == ["sales"]


def test_shipped_model_found_from_any_directory(tmp_path, root):
    exe = _exe()
    env = {k: v for k, v in os.environ.items() if k != "ROLECLASSIFY_MODEL"}
    r = subprocess.run([exe, "tag", "-", "--format", "jsonl"], input="受注処理と在庫管理\n",
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["labels"] == ["distribution"]


def test_readme_example_runs(root):
    exe = _exe()
    r = subprocess.run([exe, "tag", str(root / "examples" / "job_descriptions.jsonl"), "--format", "jsonl"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    recs = [json.loads(l) for l in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == ["ex-01", "ex-02", "ex-03", "ex-04", "ex-05", "ex-06"]
    assert all("shares" in x for x in recs)


def test_python_api(tmp_path):
    code = (
        "import roleclassify, json;"
        "t = roleclassify.load().tag(['新規顧客への提案営業'])[0];"
        "print(json.dumps(t.to_dict(), ensure_ascii=False))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["labels"] == ["sales"]
