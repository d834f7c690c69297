"""Everything that changes predictions is part of a model file's checked content: a tampered or malformed
`meta` is refused with one line, and a file whose arrays would inflate beyond the limit is refused unread."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.errors import ModelError
from roleclassify.model import MODEL_FILE, _meta_sha256, load


def _rewrite(src, dst, edit, *, fix_checksum=False):
    """Copy a model file with its meta edited by ``edit(meta)``; ``fix_checksum`` recomputes the meta sum
    (an attacker or a careless hand edit that knows the format)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
    edit(meta)
    if fix_checksum and isinstance(meta.get("sha256"), dict):
        meta["sha256"]["meta"] = _meta_sha256(meta)
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8), **arrays)
    dst.write_bytes(buf.getvalue())
    return dst


@pytest.fixture
def model_file(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m")
    return tmp_path / "m" / MODEL_FILE


@pytest.mark.parametrize("edit", [
    lambda m: m.update(thresholds=[0.0, 0.0, 0.0]),
    lambda m: m.update(doc_threshold=0.9),
    lambda m: m.update(labels=["distribution", "sales", "marketing"]),
    lambda m: m["features"].update(min_df=5),
])
def test_edited_meta_is_refused(model_file, tmp_path, edit):
    bad = _rewrite(model_file, tmp_path / "bad.npz", edit)
    with pytest.raises(ModelError, match="metadata .* does not match its checksum"):
        load(bad)


@pytest.mark.parametrize("edit,why", [
    (lambda m: m.update(thresholds=[float("nan")] * 3), "thresholds must be probabilities"),
    (lambda m: m.update(thresholds=["0.5"] * 3), "thresholds must be probabilities"),
    (lambda m: m.update(thresholds=[0.5]), "thresholds must be a list of 3"),
    (lambda m: m.update(doc_threshold=7), "doc_threshold must be probabilities"),
    (lambda m: m.update(labels=["sales", "sales", "marketing"]), "labels must be a list of distinct"),
    (lambda m: m.update(labels={"a": 1}), "labels must be a list"),
    (lambda m: m["features"].update(char_ngrams=[1, 10**9]), "char_ngrams must be a list of orders"),
    (lambda m: m["features"].update(word="pickle"), "features.word"),
    (lambda m: m.update(features=[[[[]]]]), "features must be an object"),
])
def test_malformed_meta_is_one_line_even_with_a_fixed_checksum(model_file, tmp_path, edit, why):
    bad = _rewrite(model_file, tmp_path / "bad.npz", edit, fix_checksum=True)
    with pytest.raises(ModelError, match=why):
        load(bad)
    r = CliRunner().invoke(cli, ["tag", "-", "-m", str(bad)], input="受注処理\n")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_deeply_nested_meta_is_refused(model_file, tmp_path):
    with np.load(model_file, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != "meta"}
    deep = "[" * 100000 + "]" * 100000
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.frombuffer(deep.encode(), dtype=np.uint8), **arrays)
    p = tmp_path / "deep.npz"
    p.write_bytes(buf.getvalue())
    with pytest.raises(ModelError):
        load(p)


def test_arrays_that_inflate_beyond_the_limit_are_refused_unread(model_file, tmp_path, monkeypatch):
    # a member that claims 3 GiB: a zip of zeros compresses about a thousandfold
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(model_file) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("idf2.npy", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 24)
            for _ in range(4):
                fh.write(chunk)
    monkeypatch.setenv("ROLECLASSIFY_MAX_MODEL_BYTES", str(32 << 20))
    with pytest.raises(ModelError, match="would inflate to .* more than the 32 MiB"):
        load(bomb)
    monkeypatch.delenv("ROLECLASSIFY_MAX_MODEL_BYTES")
    load(model_file)  # an ordinary model is far under the default limit


def test_a_saved_model_still_loads_and_tags_the_same(tiny_model, model_file):
    again = load(model_file)
    texts = ["新規顧客への提案営業", "受注処理と在庫管理", "展示会の企画"]
    assert [t.to_dict() for t in again.tag(texts)] == [t.to_dict() for t in tiny_model.tag(texts)]
