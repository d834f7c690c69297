"""The model loader refuses every malformed model file with a ModelError (one line, never another exception),
each check in its own step: the file, the container, the members, the format, the checksums, the parts."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest

from roleclassify.errors import ModelError
from roleclassify.model import MODEL_FILE, _meta_sha256, load


def _write(dst, meta, arrays, *, fix_sums=True):
    """A model file of ``meta`` and ``arrays``, its checksums recomputed (a hand edit that knows the format)."""
    if fix_sums and isinstance(meta, dict):
        meta["sha256"] = {k: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest() for k, a in arrays.items()}
        meta["sha256"]["meta"] = _meta_sha256(meta)
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8), **arrays)
    dst.write_bytes(buf.getvalue())
    return dst


@pytest.fixture
def parts(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m")
    with np.load(tmp_path / "m" / MODEL_FILE, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
    return meta, arrays


def test_directory_and_file_load_the_same(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m")
    a, b = load(tmp_path / "m"), load(tmp_path / "m" / MODEL_FILE)
    assert a.labels == b.labels and (a.coef_ == b.coef_).all() and a.meta == b.meta
    assert "sha256" not in a.meta


def test_missing_file_names_the_model_file(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=f"empty/{MODEL_FILE}: no model file there"):
        load(tmp_path / "empty")


def test_missing_member_is_named(parts, tmp_path):
    meta, arrays = parts
    del arrays["calib_b"]
    with pytest.raises(ModelError, match="missing calib_b"):
        load(_write(tmp_path / "x.npz", meta, arrays))


def test_missing_feature_table_is_named(parts, tmp_path):
    meta, arrays = parts
    meta["feature_kinds"] = [*meta["feature_kinds"], "c9"]
    with pytest.raises(ModelError, match="missing cols_c9, keys_c9"):
        load(_write(tmp_path / "y.npz", meta, arrays))


@pytest.mark.parametrize("meta,why", [
    ([1, 2], "format is None"),
    ("a string", "format is None"),
    ({"format": "other"}, "format is 'other'"),
])
def test_metadata_that_is_not_a_models(parts, tmp_path, meta, why):
    _, arrays = parts
    with pytest.raises(ModelError, match=why):
        load(_write(tmp_path / "x.npz", meta, arrays, fix_sums=False))


@pytest.mark.parametrize("kinds", [None, 5, "c1", [1]])
def test_feature_kinds_not_a_list_of_names(parts, tmp_path, kinds):
    meta, arrays = parts
    meta["feature_kinds"] = kinds
    with pytest.raises(ModelError, match="feature_kinds must be a list of names"):
        load(_write(tmp_path / "x.npz", meta, arrays))


def test_newer_format_version(parts, tmp_path):
    meta, arrays = parts
    meta["format_version"] = 99
    with pytest.raises(ModelError, match="version 99 is newer"):
        load(_write(tmp_path / "x.npz", meta, arrays))


def test_tampered_array(parts, tmp_path):
    meta, arrays = parts
    _write(tmp_path / "x.npz", meta, arrays)
    arrays["intercept"] = arrays["intercept"] + 1.0
    with pytest.raises(ModelError, match="array 'intercept' does not match its checksum"):
        load(_write(tmp_path / "x.npz", meta, arrays, fix_sums=False))


@pytest.mark.parametrize("edit,why", [
    (lambda m, a: m.pop("labels"), "inconsistent model file \\('labels'\\)"),
    (lambda m, a: m.pop("features"), "inconsistent model file \\('features'\\)"),
    (lambda m, a: a.update(idf=np.float32(1.0)), "idf has shape \\(\\)"),
    (lambda m, a: a.update(intercept=a["intercept"][:2]), "intercept has shape \\(2,\\)"),
    (lambda m, a: a.update(cols_c1=a["cols_c1"].astype(np.float64)), "feature table c1 does not fit"),
    (lambda m, a: a.update(cols_c1=np.int64(0), keys_c1=np.int64(0)), "feature table c1 does not fit"),
    (lambda m, a: a.update(cols_c1=a["cols_c1"] + 10**6), "feature table c1 does not fit"),
    (lambda m, a: a.update(keys_c1=a["keys_c1"][::-1].copy()), "feature table c1 is not sorted"),
    (lambda m, a: a.update(words=np.frombuffer(b"\xff\xfe", dtype=np.uint8)), "can't decode"),
])
def test_parts_that_do_not_fit_together(parts, tmp_path, edit, why):
    meta, arrays = parts
    edit(meta, arrays)
    with pytest.raises(ModelError, match=f"inconsistent model file|{why}") as e:
        load(_write(tmp_path / "x.npz", meta, arrays))
    assert e.match(why) and "retrain it with `roleclassify train`" in str(e.value)
