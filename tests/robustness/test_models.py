"""Model files: atomic writes, concurrent trainers, refused and incompatible models."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.errors import ModelError
from roleclassify.model import MODEL_FILE, compatibility_warnings, load


def test_interrupted_save_leaves_old_model_intact(tiny_model, tmp_path, monkeypatch):
    tiny_model.save(tmp_path / "m")
    before = (tmp_path / "m" / MODEL_FILE).read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        tiny_model.save(tmp_path / "m")
    monkeypatch.undo()
    assert (tmp_path / "m" / MODEL_FILE).read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(["README.md", MODEL_FILE, "meta.json"])


@pytest.mark.slow
def test_two_trainers_into_one_directory(tmp_path, data_dir):
    out = tmp_path / "m"
    cmd = [sys.executable, "-m", "roleclassify.cli", "train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(out), "--cv", "2"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0
    model = load(out)
    assert model.labels == ["sales", "distribution", "marketing"]
    assert sorted(p.name for p in out.iterdir()) == sorted(["README.md", MODEL_FILE, "meta.json"])


def test_cli_refuses_pickle_with_one_line(tmp_path, data_dir):
    import pickle

    bad = tmp_path / "model.npz"
    bad.write_bytes(pickle.dumps({"a": 1}))
    r = CliRunner().invoke(cli, ["tag", str(data_dir / "jobs.txt"), "-m", str(bad)])
    assert r.exit_code == 1 and "pickle" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_incompatible_dictionary_version_warns(tiny_model_dir, tmp_path):
    model = load(tiny_model_dir)
    model.meta["versions"]["SudachiDict-core"] = "19990101"
    assert any("SudachiDict-core" in w for w in compatibility_warnings(model))
    model.save(tmp_path / "old")
    r = CliRunner().invoke(cli, ["tag", "-", "-m", str(tmp_path / "old"), "--format", "jsonl"], input="受注処理\n")
    assert r.exit_code == 0 and "warning: " in r.stderr and "SudachiDict-core" in r.stderr


def test_different_label_set_message(tiny_model_dir, tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "請求書の発行", "labels": ["billing"]}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["evaluate", str(p), "-m", str(tiny_model_dir)])
    assert r.exit_code == 1 and "billing" in r.stderr and "model labels: sales, distribution, marketing" in r.stderr


def test_model_with_bad_shapes_refused(tiny_model_dir, tmp_path):
    import hashlib

    with np.load(tiny_model_dir / MODEL_FILE, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    arrays["coef"] = arrays["coef"][:-1]
    meta["sha256"]["coef"] = hashlib.sha256(np.ascontiguousarray(arrays["coef"]).tobytes()).hexdigest()
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "model.npz", **arrays)
    with pytest.raises(ModelError, match="inconsistent"):
        load(tmp_path / "model.npz")


def test_train_refuses_bad_corpus_pointing_at_each_line(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text(
        '{"text": "受注処理", "labels": ["distribution"]}\n'
        '{"text": "受注処理", "labels": ["sales"]}\n'
        '{"text": "提案営業", "labels": ["sale"]}\n'
        '{"text": "  ", "labels": []}\n',
        encoding="utf-8",
    )
    r = CliRunner().invoke(cli, ["train", str(p), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1 and f"{p}:4: empty 'text'" in r.stderr
    p.write_text("\n".join(p.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["train", str(p), "--out", str(tmp_path / "m"), "--labels", "sales,distribution,marketing"])
    assert r.exit_code == 1
    assert f"{p}:2: same text as {p}:1" in r.stderr and f"{p}:3: unknown label(s) sale" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "m").exists()


def test_model_directory_mid_write_by_another_trainer_is_accepted(tiny_model, tmp_path):
    """The states a concurrent ``train --out`` passes through: only a temporary file; model.npz written but
    meta.json not yet. Neither is foreign; a model.npz that is not a model still is."""
    from roleclassify.model import check_model_directory

    d = tmp_path / "m"
    d.mkdir()
    (d / f".{MODEL_FILE}.abc123.tmp").write_bytes(b"partial")
    check_model_directory(d)
    tiny_model.save(tmp_path / "src")
    (d / MODEL_FILE).write_bytes((tmp_path / "src" / MODEL_FILE).read_bytes())
    check_model_directory(d)
    (d / MODEL_FILE).write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not described as a roleclassify model"):
        check_model_directory(d)
    (d / "notes.txt").write_text("x")
    with pytest.raises(ModelError, match="notes.txt"):
        check_model_directory(d)
