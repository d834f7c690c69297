"""The shipped default model: present, intact, carries its card and held-out metrics, tags sensibly."""

import json

from roleclassify.model import default_model_path


def test_shipped_model_loads_with_roles(shipped_model):
    assert shipped_model.labels == ["sales", "distribution", "marketing"]
    assert shipped_model.featurizer.n_features > 1000


def test_card_has_corpus_hash_versions_and_heldout_metrics():
    d = default_model_path()
    card = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    assert len(card["corpus"]["sha256"]) == 64
    assert card["versions"]["SudachiPy"] and card["versions"]["scikit-learn"]
    test = card["metrics"]["test"]
    assert test["sentences"]["n"] > 100
    for cls in ("sales", "distribution", "marketing", "other"):
        assert cls in test["sentences"]["per_class"]
    readme = (d / "README.md").read_text(encoding="utf-8")
    assert "Held-out test split" in readme


def test_card_hash_matches_shipped_corpus(root):
    from roleclassify.corpus import corpus_hash, read_corpus

    card = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))
    files = [root / f for f in card["corpus"]["files"]]
    assert corpus_hash(read_corpus(files)) == card["corpus"]["sha256"], (
        "corpus/ changed since the shipped model was trained: retrain it "
        "(roleclassify train corpus/sentences corpus/jobs corpus/docs --out models/default --name default)"
    )


def test_shipped_model_tags_clear_cases(shipped_model):
    texts = [
        "新規顧客へのテレアポと訪問営業を担当します。",
        "受注データの入力と出荷指示、在庫の引当",
        "ウェビナーの企画とリスティング広告の運用",
        "月給28万円〜、賞与年2回",
    ]
    labels = [t.labels for t in shipped_model.tag(texts)]
    assert labels == [["sales"], ["distribution"], ["marketing"], ["other"]]


def test_shipped_thresholds_sit_at_each_labels_margin(shipped_model):
    """The shipped model was trained with the default threshold rule: each role's threshold is the calibrated
    probability of decision value 0, and its card says so."""
    import numpy as np

    m = shipped_model
    assert np.allclose(m.thresholds_, 1 / (1 + np.exp(-np.asarray(m.calib_b_))), rtol=0, atol=1e-12)
    card = json.loads((default_model_path() / "meta.json").read_text(encoding="utf-8"))
    assert "calibrated margin" in card["estimator"]
