"""The compiled tagging kernel equals the pure-Python reference path, bit for bit, and steps aside where it must."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleclassify import kernel
from roleclassify.commands import TagOptions, run_tag
from roleclassify.corpus import read_corpus, training_units
from roleclassify.features import FeatureSpec, Unit
from roleclassify.model import load

needs_kernel = pytest.mark.skipif(not kernel.available(), reason="the compiled kernel is not built here")


@pytest.fixture(scope="module")
def corpus_units(shipped_model, root):
    items = read_corpus([root / "corpus" / "sentences", root / "corpus" / "jobs"])
    texts = training_units(items)[0]
    return shipped_model.units(texts)


@needs_kernel
def test_kernel_scores_equal_reference_on_the_corpus(shipped_model, corpus_units):
    z = shipped_model.decision_function_units(corpus_units)
    assert shipped_model._scorer, "the shipped model's features are the kernel's layout"
    ref = shipped_model.reference_decision_units(corpus_units)
    assert z.dtype == ref.dtype and z.shape == ref.shape
    assert np.array_equal(z, ref)  # exactly, not approximately


@needs_kernel
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="受注処理在庫営業提案広告のをとにSNSECaA1 、。・ー\u3000", max_size=40), max_size=12))
def test_kernel_equals_reference_on_any_text(shipped_model, texts):
    units = shipped_model.units(texts)
    assert np.array_equal(shipped_model.decision_function_units(units), shipped_model.reference_decision_units(units))


@needs_kernel
def test_kernel_batch_independent(shipped_model, corpus_units):
    some = corpus_units[:300]
    whole = shipped_model.decision_function_units(some)
    one_by_one = np.vstack([shipped_model.decision_function_units([u]) for u in some])
    assert np.array_equal(whole, one_by_one)


@needs_kernel
def test_units_of_other_shapes_are_refused_not_a_crash(shipped_model):
    """Units built by a caller: words as a tuple score as the list does; a unit that is not one is a TypeError
    (the kernel's casts are unchecked, so without the check this crashed the interpreter)."""
    as_list = shipped_model.decision_function_units([Unit("受注処理", ["受注", "処理"])])
    assert np.array_equal(shipped_model.decision_function_units([Unit("受注処理", ("受注", "処理"))]), as_list)
    for bad in (Unit(b"x", ["受注"]), "受注処理", ("受注処理",)):
        with pytest.raises(TypeError, match="unit 0"):
            shipped_model.decision_function_units([bad])


@needs_kernel
def test_long_repetition_goes_to_the_reference(shipped_model):
    """A unit repeating one n-gram beyond the kernel's term-frequency table is scored by the reference path."""
    units = [Unit("受" * (kernel._TF_TABLE + 5), ["受注"] * 3), Unit("受注処理", ["受注", "処理"])]
    scorer = kernel.scorer(shipped_model.featurizer, shipped_model.coef_, shipped_model.intercept_)
    assert scorer is not None and scorer.decision(units) is None
    assert np.array_equal(shipped_model.decision_function_units(units), shipped_model.reference_decision_units(units))


def test_other_layouts_use_the_reference(tiny_model):
    """A feature layout the kernel was not written for (word trigrams) gets no kernel scorer; scores still come."""
    from roleclassify.features import Featurizer

    feat = Featurizer(FeatureSpec(word_ngrams=(1, 3), char_ngrams=(2,), min_df=1)).fit(
        [Unit("受注処理", ["受注", "処理", "を"]), Unit("在庫管理", ["在庫", "管理", "を"])])
    assert kernel.scorer(feat, np.zeros((feat.n_features, 2), np.float32), np.zeros(2)) is None


def test_kernel_can_be_turned_off(monkeypatch, shipped_model_dir):
    monkeypatch.setenv("ROLECLASSIFY_KERNEL", "0")
    assert not kernel.available()
    model = load(shipped_model_dir)
    units = model.units(["受注処理と在庫管理", "新規顧客への提案営業"])
    assert np.array_equal(model.decision_function_units(units), model.reference_decision_units(units))
    assert model._scorer is False


@needs_kernel
def test_tag_output_identical_with_and_without_kernel(tmp_path, monkeypatch, root, shipped_model_dir):
    src = tmp_path / "in.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        for i, it in enumerate(read_corpus([root / "corpus" / "jobs"])[:80]):
            f.write(json.dumps({"id": i, "text": it.text}, ensure_ascii=False) + "\n")
    fast, ref = tmp_path / "fast.jsonl", tmp_path / "ref.jsonl"
    run_tag(TagOptions(inputs=(str(src),), output=str(fast), model_path=str(shipped_model_dir), progress=False))
    monkeypatch.setenv("ROLECLASSIFY_KERNEL", "0")
    run_tag(TagOptions(inputs=(str(src),), output=str(ref), model_path=str(shipped_model_dir), progress=False))
    assert fast.read_bytes() == ref.read_bytes()


def test_kernel_is_built_where_a_compiler_is():
    """Installing on a machine with a C++ compiler builds the kernel (hatch_build.py); so the suite checks the
    compiled path, not only the reference, wherever it can."""
    import os
    import shutil

    if not shutil.which("c++") or os.environ.get("ROLECLASSIFY_BUILD_KERNEL") == "0":
        pytest.skip("no C++ compiler here, or the kernel was skipped on purpose")
    assert kernel._kernel is not None, "the compiled kernel was not built: reinstall (pip install .) to build it"


@needs_kernel
def test_gated_duties_score_as_the_reference(shipped_model, corpus_units):
    """With the role thresholds, the kernel leaves out the duties of roles a unit cannot have; the duties'
    probabilities (what tagging reads) stay exactly the reference path's. Breaks if the kernel skips a group that
    a unit's role reaches (a wrong bound, a wrong group, a wrong column order)."""
    from roleclassify.model import _reference_linear

    m = shipped_model
    head = m.duty_head
    assert head is not None and head.gate
    th = m._thresholds(None)
    z, zd = m._decisions(corpus_units, th)
    rows = m.featurizer.transform_arrays(corpus_units)
    ref_z = _reference_linear(rows, m.coef_, m.intercept_)
    ref_zd = _reference_linear(rows, head.coef, head.intercept)
    assert np.array_equal(z, ref_z)
    hit = m._role_proba(z) >= th
    assert np.array_equal(head.proba(zd, hit, m.labels), head.proba(ref_zd, hit, m.labels))
    # and the gating did leave work out: a duty of a role the unit lacks kept its intercept
    cols = head.role_columns(m.labels)
    skipped = ~hit[:, cols[cols >= 0]]
    assert skipped.any() and np.array_equal(zd[:, cols >= 0][skipped],
                                            np.broadcast_to(head.intercept[cols >= 0], skipped.shape)[skipped])
    # every column a role reaches was computed in full
    assert np.array_equal(zd[:, cols >= 0][~skipped], ref_zd[:, cols >= 0][~skipped])
    # without thresholds, every column is computed
    assert np.array_equal(m._decisions(corpus_units)[1], ref_zd)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0.01, 0.99), st.floats(-1e-4, 1e-4))
def test_least_role_score_is_below_every_hit(shipped_model, t, eps):
    """A unit whose calibrated probability reaches the threshold never scores below the bound the kernel gates on,
    however close to the threshold it is."""
    m = shipped_model
    th = np.full(len(m.labels), t)
    least = m._least_role_scores(th)
    assert least is not None and set(least) == set(range(len(m.labels)))
    bound = (np.log(t / (1 - t)) - m.calib_b_) / m.calib_a_
    z = (bound + eps)[None, :]  # just above or below the threshold's own decision value
    hit = m._role_proba(z) >= th
    for j in range(len(m.labels)):
        if hit[0, j]:
            assert z[0, j] >= least[j]
    assert m._least_role_scores(None) is None
    assert m._least_role_scores(np.zeros(len(m.labels))) == {}  # a threshold of 0: every unit is a hit, no gating


@needs_kernel
def test_a_gating_column_must_be_always_scored(shipped_model):
    f = shipped_model.featurizer
    coef = np.zeros((f.n_features, 3), np.float32)
    with pytest.raises(ValueError, match="gates"):
        kernel.Scorer(f, coef, np.zeros(3), gates=[-1, 0, 1])  # column 1 is gated and gates column 2
    with pytest.raises(ValueError, match="gates"):
        kernel.Scorer(f, coef, np.zeros(3), gates=[-1, 0])
