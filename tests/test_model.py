import json
import pickle
import zipfile

import numpy as np
import pytest

from roleclassify.errors import ModelError
from roleclassify.model import MODEL_FILE, load


def test_tag_schema(tiny_model):
    (t,) = tiny_model.tag(["新規顧客への提案営業を担当します。"])
    assert set(t.scores) == {"sales", "distribution", "marketing"}
    assert t.labels == ["sales"]
    assert t.shares is None and len(t.sentences) == 1
    d = t.to_dict()
    assert list(d) == ["text", "labels", "scores", "review", "sentences"]


def test_multi_sentence_item_gets_shares_and_main_roles(tiny_model):
    text = "新規顧客への提案営業を担当します。\n既存取引先へのルート営業\n月給30万円"
    (t,) = tiny_model.tag([text])
    assert len(t.sentences) == 3
    assert t.shares is not None and abs(sum(t.shares.values()) - 1) < 1e-3
    assert t.labels == ["sales"]


def test_other_when_nothing_applies(tiny_model):
    (t,) = tiny_model.tag(["完全週休2日制（土日祝）"])
    assert t.labels == ["other"]
    (e,) = tiny_model.tag([""])
    assert e.labels == ["other"] and e.sentences == []


def test_threshold_override(tiny_model):
    (t,) = tiny_model.tag(["受注処理と在庫管理を担当します。"], threshold=0.0)
    assert t.labels == ["sales", "distribution", "marketing"]
    (t,) = tiny_model.tag(["受注処理と在庫管理を担当します。"], threshold=1.0)
    assert t.labels == ["other"]


def test_order_kept_in_batches(tiny_model):
    texts = ["受注処理", "展示会の企画", "提案営業"] * 10
    tags = list(tiny_model.tag_iter(texts, batch_size=4))
    assert [t.text for t in tags] == texts


def test_numpy_inference_equals_sklearn(tiny_model, data_dir):
    """The NumPy scoring path reproduces the scikit-learn estimator's decision function on the same matrix."""
    from roleclassify.corpus import read_corpus, training_units
    from roleclassify.training import DEFAULT_ESTIMATOR, ESTIMATORS, make_estimator

    texts, labels, _, _ = training_units(read_corpus([data_dir / "tiny_corpus.jsonl"]))
    units = tiny_model.units(texts)
    X = tiny_model.featurizer.transform(units)
    y = np.array([("sales" in l) for l in labels], dtype=int)
    d = ESTIMATORS[DEFAULT_ESTIMATOR]
    lr = make_estimator(DEFAULT_ESTIMATOR, d["C"], d["class_weight"]).fit(X, y)
    ours = tiny_model.decision_function_units(units)[:, 0]
    assert np.allclose(ours, lr.decision_function(X), atol=1e-4)


def test_round_trip_identical(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m")
    again = load(tmp_path / "m")
    texts = ["新規開拓", "受注処理と在庫管理", "SNS広告の運用"]
    assert np.allclose(tiny_model.predict_proba(texts), again.predict_proba(texts))
    assert again.labels == tiny_model.labels
    assert list(again.thresholds_) == list(tiny_model.thresholds_)
    card = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    assert card["labels"] == tiny_model.labels
    assert (tmp_path / "m" / "README.md").read_text(encoding="utf-8").startswith("# roleclassify model")


def test_model_file_is_loadable_by_path_to_npz(tiny_model_dir):
    assert load(tiny_model_dir / MODEL_FILE).labels


def test_truncated_model_refused(tiny_model_dir, tmp_path):
    data = (tiny_model_dir / MODEL_FILE).read_bytes()
    bad = tmp_path / "model.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="corrupt|truncated|not a roleclassify"):
        load(bad)


def test_tampered_array_refused(tiny_model_dir, tmp_path):
    src = tiny_model_dir / MODEL_FILE
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["coef"] = arrays["coef"] * 2
    np.savez(tmp_path / "model.npz", **arrays)
    with pytest.raises(ModelError, match="checksum"):
        load(tmp_path / "model.npz")


class _Boom:
    def __reduce__(self):
        return (open, ("/tmp/roleclassify-pwned", "w"))


def test_pickle_payload_refused_and_not_executed(tmp_path):
    import os

    target = "/tmp/roleclassify-pwned"
    if os.path.exists(target):
        os.unlink(target)
    p = tmp_path / "model.npz"
    p.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelError, match="pickle"):
        load(p)
    assert not os.path.exists(target)


def test_npz_with_object_array_refused(tmp_path):
    p = tmp_path / "model.npz"
    np.savez(p, meta=np.array([{"format": "roleclassify-model"}], dtype=object))
    with pytest.raises(ModelError):
        load(p)


def test_foreign_zip_refused(tmp_path):
    p = tmp_path / "model.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ModelError, match="not a roleclassify model"):
        load(p)


def test_newer_format_refused(tiny_model_dir, tmp_path):
    import hashlib

    with np.load(tiny_model_dir / MODEL_FILE, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta["format_version"] = 99
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "model.npz", **arrays)
    with pytest.raises(ModelError, match="newer"):
        load(tmp_path / "model.npz")
    assert hashlib  # silence linters


def test_missing_model_message(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load(tmp_path / "nothing")


def test_save_leaves_no_temp_files(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(["README.md", MODEL_FILE, "meta.json"])
