"""RoleClassifierEstimator and Featurizer as scikit-learn estimators: sklearn's own checks (the subset that applies
to a multi-label estimator over texts), clone / get_params / Pipeline, and the estimator's model tagging exactly as
the model `train` writes."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from roleclassify.corpus import read_corpus, training_units
from roleclassify.estimator import RoleClassifierEstimator
from roleclassify.features import FeatureSpec, Featurizer, analyze
from roleclassify.training import DEFAULT_SPEC, binarize_labels

ROLES = ["sales", "distribution", "marketing"]


# --- sklearn's estimator checks -------------------------------------------------------------------------------

class _AsIfTabular(RoleClassifierEstimator):
    """The estimator with the one tag sklearn needs to generate its checks at all: with its true tags (1-D
    sequences of strings, ``two_d_array=False``) ``parametrize_with_checks`` yields no check. Every check that
    then feeds it a numeric array is an expected failure below, with the reason."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        return tags


_NUMERIC = "feeds numeric arrays as X; the estimator takes texts (it raises a TypeError naming the first non-text)"
_COVERED = _NUMERIC + "; the property is tested on texts in this file: "
_NO_COLUMNS = _NUMERIC + "; and there is no n_features_in_: texts have no columns"
_Y_CHECKS = _NUMERIC + " with a 1-D or continuous y; a text version: test_fit_refuses_targets_that_are_no_indicator"

#: Checks that cannot pass on a text estimator, and why. The ones that pass and run for real: cloneable, tags
#: renamed / valid tag types, repr, no attributes set in __init__, unfitted estimators raise NotFittedError,
#: no errors in __init__ / set_params, mixin order, default-constructible parameters, get_params invariance,
#: set_params (and three that do not apply: sample weights, partial_fit, n_iter).
EXPECTED_FAILED_CHECKS = {
    "check_fit_score_takes_y": _NUMERIC,
    "check_estimators_overwrite_params": _COVERED + "test_fit_leaves_params_alone_and_returns_self",
    "check_dont_overwrite_parameters": _COVERED + "test_fit_leaves_params_alone_and_returns_self",
    "check_estimators_fit_returns_self": _COVERED + "test_fit_leaves_params_alone_and_returns_self",
    "check_readonly_memmap_input": _NUMERIC + " (memory-mapped arrays)",
    "check_n_features_in_after_fitting": _NO_COLUMNS,
    "check_n_features_in": _NO_COLUMNS,
    "check_positive_only_tag_during_fit": _NUMERIC + " (negative values)",
    "check_estimators_dtypes": _NUMERIC + " of several dtypes",
    "check_complex_data": _NUMERIC + " (complex numbers)",
    "check_dtype_object": _NUMERIC + " (an object array of numbers)",
    "check_estimators_empty_data_messages": _COVERED + "test_fit_refuses_targets_that_are_no_indicator",
    "check_pipeline_consistency": _COVERED + "test_sits_at_the_end_of_a_pipeline",
    "check_estimators_nan_inf": _NUMERIC + " holding NaN and inf; texts hold neither",
    "check_estimator_sparse_tag": _NUMERIC + " (sparse); the estimator builds its own sparse features",
    "check_estimator_sparse_array": _NUMERIC + " (sparse); the estimator builds its own sparse features",
    "check_estimator_sparse_matrix": _NUMERIC + " (sparse); the estimator builds its own sparse features",
    "check_estimators_pickle": _COVERED + "test_pickle_round_trip",
    "check_f_contiguous_array_estimator": _NUMERIC + " (Fortran order)",
    "check_classifier_data_not_an_array": _NUMERIC + " wrapped as a non-array",
    "check_classifiers_one_label": _NUMERIC + "; a label constant in Y gets a fixed margin: "
    "test_a_label_constant_in_y_gets_a_fixed_margin",
    "check_classifiers_classes": _NUMERIC + " with 1-D string or integer classes; Y is an indicator matrix",
    "check_classifier_multioutput": _COVERED + "test_fit_predict_shapes",
    "check_classifiers_train": _Y_CHECKS,
    "check_classifiers_regression_target": _Y_CHECKS,
    "check_supervised_y_no_nan": _Y_CHECKS,
    "check_classifiers_multilabel_representation_invariance": _COVERED + "test_fit_predict_shapes",
    "check_classifiers_multilabel_output_format_predict": _COVERED + "test_fit_predict_shapes",
    "check_classifiers_multilabel_output_format_predict_proba": _COVERED + "test_fit_predict_shapes",
    "check_classifiers_multilabel_output_format_decision_function": _COVERED + "test_fit_predict_shapes",
    "check_class_weight_classifiers": _NUMERIC + " with a 1-D y",
    "check_decision_proba_consistency": _COVERED + "test_predict_applies_the_tuned_thresholds",
    "check_methods_sample_order_invariance": _COVERED + "test_scores_do_not_depend_on_the_batch",
    "check_methods_subset_invariance": _COVERED + "test_scores_do_not_depend_on_the_batch",
    "check_fit2d_1sample": _NUMERIC + " (one sample)",
    "check_fit2d_1feature": _NUMERIC + " (one feature)",
    "check_dict_unchanged": _COVERED + "test_predicting_changes_no_attribute",
    "check_fit_idempotent": _COVERED + "test_fit_is_idempotent",
    "check_fit_check_is_fitted": _COVERED + "test_to_classifier_needs_a_fitted_estimator",
    "check_fit1d": _NUMERIC + " (1-D numbers)",
    "check_fit2d_predict1d": _NUMERIC,
    "check_requires_y_none": _NUMERIC + " without y",
}


@parametrize_with_checks([_AsIfTabular()], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_checks(estimator, check):
    check(estimator)


def test_true_tags_say_texts_and_multi_label():
    from sklearn.utils import get_tags

    tags = get_tags(RoleClassifierEstimator())
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.target_tags.multi_output and not tags.target_tags.single_output
    assert tags.classifier_tags.multi_label and tags.estimator_type == "classifier"
    ftags = get_tags(Featurizer())
    assert ftags.input_tags.string and not ftags.target_tags.required and ftags.transformer_tags is not None


# --- data ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(data_dir, fast_tokenizer):
    """The tiny corpus as training sees it: texts, analysed units, indicator matrix, groups."""
    texts, label_lists, groups, _ = training_units(read_corpus([data_dir / "tiny_corpus.jsonl"]))
    units = analyze(texts, DEFAULT_SPEC, fast_tokenizer)
    return texts, units, binarize_labels(label_lists, ROLES), groups


@pytest.fixture(scope="module")
def fitted(tiny):
    _, units, Y, groups = tiny
    return RoleClassifierEstimator(cv=3).fit(units, Y, labels=ROLES, groups=groups)


# --- the estimator ---------------------------------------------------------------------------------------------

def test_clone_is_an_unfitted_copy_with_equal_params(fitted):
    twin = clone(fitted)
    assert twin is not fitted and twin.get_params() == fitted.get_params()
    assert not [k for k in vars(twin) if k.endswith("_")]
    spec = FeatureSpec(min_df=1)
    other = clone(RoleClassifierEstimator(features=spec, estimator="logreg", C=3.0, cv=2, seed=7))
    assert other.get_params() == {"features": spec, "estimator": "logreg", "C": 3.0, "class_weight": "default",
                                  "cv": 2, "seed": 7, "calibrate": True, "thresholds": "margin"}


def test_get_params_set_params_round_trip():
    est = RoleClassifierEstimator()
    params = est.get_params()
    changed = {"estimator": "logreg", "C": 0.5, "cv": None, "seed": 3, "calibrate": False, "class_weight": None}
    assert est.set_params(**changed) is est
    assert est.get_params() == {**params, **changed}
    assert RoleClassifierEstimator(**est.get_params()).get_params() == est.get_params()


def test_fit_predict_shapes(fitted, tiny):
    texts = tiny[0][:7]
    P = fitted.predict_proba(texts)
    assert P.shape == (7, 3) and ((P > 0) & (P < 1)).all()
    assert fitted.decision_function(texts).shape == (7, 3)
    pred = fitted.predict(texts)
    assert pred.shape == (7, 3) and set(np.unique(pred)) <= {0, 1}
    assert fitted.labels_ == ROLES and list(fitted.classes_) == ROLES
    n_features = fitted.featurizer_.n_features
    assert fitted.coef_.shape == (3, n_features) and fitted.intercept_.shape == (3,)
    assert fitted.oof_decision_.shape == (len(tiny[0]), 3)
    assert fitted.predict_proba([]).shape == (0, 3)


def test_labels_default_to_column_numbers(tiny):
    _, units, Y, _ = tiny
    est = RoleClassifierEstimator(cv=None).fit(units, Y)
    assert est.labels_ == ["0", "1", "2"] and est.oof_decision_ is None
    assert list(est.thresholds_) == [0.5, 0.5, 0.5] and list(est.calib_a_) == [1.0, 1.0, 1.0]


def test_margin_thresholds_cut_at_the_linear_boundary(fitted, tiny):
    """The default rule puts each label's threshold at the calibrated probability of decision value 0, so a label
    is predicted exactly where the linear model's own score is at least 0. Breaks if the rule takes another value
    (0.5, the tuned one) or the calibration is left out of it."""
    from roleclassify.training import sigmoid

    texts = tiny[0]
    assert fitted.thresholds == "margin"
    assert np.array_equal(fitted.thresholds_, sigmoid(fitted.calib_b_))
    assert not np.allclose(fitted.thresholds_, 0.5)  # the calibration moved them
    Z = fitted.decision_function(texts)
    assert (fitted.predict(texts) == (Z >= 0)).all()


def test_tuned_thresholds_are_the_f1_best_on_the_folds(tiny):
    from roleclassify.training import sigmoid, tune_thresholds

    _, units, Y, groups = tiny
    est = RoleClassifierEstimator(cv=3, thresholds="tuned").fit(units, Y, labels=ROLES, groups=groups)
    P = sigmoid(est.calib_a_ * est.oof_decision_ + est.calib_b_)
    assert np.array_equal(est.thresholds_, tune_thresholds(P, Y))
    margin = RoleClassifierEstimator(cv=3).fit(units, Y, labels=ROLES, groups=groups)
    assert np.array_equal(est.coef_, margin.coef_) and np.array_equal(est.calib_b_, margin.calib_b_)
    assert not np.array_equal(est.thresholds_, margin.thresholds_)


def test_an_unknown_threshold_rule_is_refused(tiny):
    from roleclassify.errors import OptionError

    _, units, Y, groups = tiny
    with pytest.raises(OptionError, match="thresholds='best'.*margin, tuned"):
        RoleClassifierEstimator(cv=3, thresholds="best").fit(units, Y, labels=ROLES, groups=groups)


def test_predict_applies_the_tuned_thresholds(fitted, tiny):
    """Fails when predict ignores thresholds_ (e.g. cuts at 0.5): the predictions follow whatever thresholds the
    estimator holds."""
    texts = tiny[0]
    P = fitted.predict_proba(texts)
    assert not np.allclose(fitted.thresholds_, 0.5)  # calibration moved them
    assert (fitted.predict(texts) == (P >= fitted.thresholds_)).all()
    est = copy.deepcopy(fitted)  # thresholds changed without touching the fixture
    # per label: the median probability, so about half the texts fall on either side, whatever 0.5 would give
    est.thresholds_ = np.median(P, axis=0)
    pred = est.predict(texts)
    assert (pred == (P >= est.thresholds_)).all()
    assert (pred != (P >= 0.5)).any()
    assert (pred.sum(axis=0) >= len(texts) // 2).all()


def test_to_classifier_needs_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RoleClassifierEstimator().to_classifier()
    with pytest.raises(NotFittedError):
        RoleClassifierEstimator().predict(["受注処理"])


def test_the_artefact_tags_exactly_as_the_model_train_writes(tiny, tiny_model):
    """tiny_model is `train([tiny_corpus.jsonl], cv=3)`, saved and loaded; the estimator fitted on the same units,
    groups and labels hands over a model with the same arrays, so the same labels and scores."""
    _, units, Y, groups = tiny
    est = RoleClassifierEstimator(cv=3).fit(units, Y, labels=ROLES, groups=groups)
    model = est.to_classifier(doc_threshold=tiny_model.doc_threshold)
    assert model.labels == tiny_model.labels
    assert np.array_equal(model.coef_, tiny_model.coef_)
    for name in ("intercept_", "calib_a_", "calib_b_", "thresholds_"):
        assert np.array_equal(getattr(model, name), getattr(tiny_model, name)), name
    items = [
        "新規顧客への提案営業", "受注処理と在庫管理", "SNS広告の運用",
        "法人営業として新規開拓を担当します。受発注と納期調整も行います。展示会の企画もあります。",
        "経理と総務の仕事です。",
    ]
    assert [t.to_dict() for t in model.tag(items)] == [t.to_dict() for t in tiny_model.tag(items)]
    assert np.array_equal(est.predict_proba(units), tiny_model.proba_units(units))
    # and both are the estimator's learned state, computed here without the NumPy model
    Z = est.featurizer_.transform(units) @ est.coef_.T + est.intercept_
    assert not np.allclose(est.calib_a_, 1.0)
    assert np.allclose(model.proba_units(units), 1 / (1 + np.exp(-(est.calib_a_ * Z + est.calib_b_))), atol=1e-5)


def test_a_label_constant_in_y_gets_a_fixed_margin(tiny):
    _, units, Y, _ = tiny
    Y = np.column_stack([Y, np.zeros(len(Y), dtype=int), np.ones(len(Y), dtype=int)])
    est = RoleClassifierEstimator(cv=None).fit(units, Y)
    assert list(est.intercept_[3:]) == [-10.0, 10.0] and not est.coef_[3:].any()


def test_fit_refuses_targets_that_are_no_indicator(tiny):
    _, units, Y, _ = tiny
    est = RoleClassifierEstimator(cv=None)
    with pytest.raises(ValueError, match="binary indicator matrix"):
        est.fit(units, Y[:, 0])
    with pytest.raises(ValueError, match="only 0 and 1"):
        est.fit(units, Y * 0.5)
    with pytest.raises(ValueError, match="rows for"):
        est.fit(units[:-1], Y)
    with pytest.raises(ValueError, match="at least one text"):
        est.fit([], np.zeros((0, 3)))
    with pytest.raises(ValueError, match="distinct non-empty strings"):
        est.fit(units, Y, labels=["sales", "sales", "marketing"])
    with pytest.raises(ValueError, match="one group per text"):
        RoleClassifierEstimator(cv=2).fit(units, Y, groups=["a"])
    with pytest.raises(TypeError, match="unit texts"):
        est.fit(np.zeros((len(Y), 2)), Y)
    with pytest.raises(ValueError, match="unknown estimator"):
        RoleClassifierEstimator(estimator="tree").fit(units, Y)


def test_fit_leaves_params_alone_and_returns_self(tiny):
    _, units, Y, groups = tiny
    spec = FeatureSpec(min_df=1)
    est = RoleClassifierEstimator(features=spec, cv=2)
    before = est.get_params()
    assert est.fit(units, Y, groups=groups) is est
    assert est.get_params() == before and est.features is spec


def test_fit_is_idempotent(fitted, tiny):
    _, units, Y, groups = tiny
    again = clone(fitted).fit(units, Y, labels=ROLES, groups=groups).fit(units, Y, labels=ROLES, groups=groups)
    assert np.array_equal(again.predict_proba(units), fitted.predict_proba(units))
    assert np.array_equal(again.thresholds_, fitted.thresholds_)


def test_predicting_changes_no_attribute(fitted, tiny):
    before = dict(vars(fitted))
    fitted.predict(tiny[1][:5])
    fitted.predict_proba(tiny[1][:5])
    fitted.decision_function(tiny[1][:5])
    assert vars(fitted).keys() == before.keys() and all(vars(fitted)[k] is v for k, v in before.items())


def test_scores_do_not_depend_on_the_batch(fitted, tiny):
    units = tiny[1]
    P = fitted.predict_proba(units)
    order = np.random.default_rng(0).permutation(len(units))
    assert np.allclose(fitted.predict_proba([units[i] for i in order]), P[order], atol=1e-12)
    assert np.allclose(fitted.predict_proba(units[3:9]), P[3:9], atol=1e-12)


def test_pickle_round_trip(fitted, tiny):
    again = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(again.predict_proba(tiny[1]), fitted.predict_proba(tiny[1]))


def test_texts_and_units_give_the_same_scores(fitted, tiny):
    texts, units, _, _ = tiny
    assert np.array_equal(fitted.predict_proba(texts[:10]), fitted.predict_proba(units[:10]))


def test_sits_at_the_end_of_a_pipeline(tiny):
    texts, _, Y, groups = tiny
    pipe = Pipeline([("strip", FunctionTransformer(lambda xs: [x.strip() for x in xs])),
                     ("clf", RoleClassifierEstimator(cv=2))])
    pipe.fit(texts, Y, clf__labels=ROLES, clf__groups=groups)
    alone = RoleClassifierEstimator(cv=2).fit([t.strip() for t in texts], Y, labels=ROLES, groups=groups)
    assert np.array_equal(pipe.predict_proba(texts), alone.predict_proba(texts))
    assert (pipe.predict(texts) == alone.predict(texts)).all()
    assert pipe.get_params()["clf__cv"] == 2 and clone(pipe).get_params()["clf__cv"] == 2


def test_grid_search_over_its_params(tiny):
    _, units, Y, _ = tiny
    search = GridSearchCV(RoleClassifierEstimator(cv=None), {"C": [0.3, 1.0]}, cv=2).fit(units, Y)
    assert search.best_params_["C"] in (0.3, 1.0)
    assert search.best_estimator_.predict(units[:3]).shape == (3, 3)


# --- the featurizer --------------------------------------------------------------------------------------------

def test_featurizer_fit_transform_equals_fit_then_transform(tiny):
    units = tiny[1]
    a = Featurizer(DEFAULT_SPEC).fit_transform(units)
    b = Featurizer(DEFAULT_SPEC).fit(units).transform(units)
    assert a.shape == b.shape and (a != b).nnz == 0


def test_featurizer_params_clone_and_unfitted_state():
    spec = FeatureSpec(min_df=1)
    feat = Featurizer(spec)
    assert feat.get_params() == {"spec": spec}
    twin = clone(feat)
    assert twin is not feat and twin.spec == spec
    assert feat.set_params(spec=DEFAULT_SPEC) is feat and feat.spec == DEFAULT_SPEC
    with pytest.raises(ValueError, match="only parameter is spec"):
        feat.set_params(min_df=3)
    assert feat.n_features == 0 and not hasattr(feat, "idf_")
    with pytest.raises(RuntimeError, match="not fitted"):
        feat.transform_arrays([])


def test_featurizer_clone_of_a_fitted_one_is_unfitted(tiny):
    feat = Featurizer(DEFAULT_SPEC).fit(tiny[1])
    twin = clone(feat)
    assert not hasattr(twin, "idf_") and twin.spec == feat.spec


def test_featurizer_refit_forgets_the_first_vocabulary(tiny):
    """sklearn's check_fit_idempotent on units: a second fit gives the columns of a fresh fit (the word-unigram
    lookup table of the first fit was kept and mapped new words through the old vocabulary)."""
    units = tiny[1]
    feat = Featurizer(DEFAULT_SPEC).fit(units[:20])
    feat.transform(units)  # builds the first fit's lookup tables
    refit = feat.fit(units[20:]).transform(units)
    fresh = Featurizer(DEFAULT_SPEC).fit(units[20:]).transform(units)
    assert (refit != fresh).nnz == 0


def test_featurizer_in_a_pipeline_over_texts(tiny):
    texts, units, Y, _ = tiny
    y = Y[:, 0]
    pipe = make_pipeline(Featurizer(DEFAULT_SPEC), LinearSVC(random_state=0)).fit(texts, y)
    by_hand = LinearSVC(random_state=0).fit(Featurizer(DEFAULT_SPEC).fit_transform(units), y)
    assert np.array_equal(pipe.decision_function(texts),
                          by_hand.decision_function(pipe[0].transform(units)))
    multi = make_pipeline(Featurizer(DEFAULT_SPEC), OneVsRestClassifier(LinearSVC(random_state=0))).fit(texts, Y)
    assert multi.predict(texts[:4]).shape == (4, 3)
