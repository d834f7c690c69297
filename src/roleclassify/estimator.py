"""The role classifier as a scikit-learn estimator over texts: fit, cross-validated calibration and thresholds.

:class:`RoleClassifierEstimator` follows scikit-learn's conventions (keyword-only parameters that ``__init__``
only stores, learned state in attributes ending in ``_``, ``get_params`` / ``set_params``), so ``clone``,
``Pipeline`` and ``GridSearchCV`` take it. Fitted, it hands over the portable NumPy
:class:`~roleclassify.model.RoleClassifier` (:meth:`~RoleClassifierEstimator.to_classifier`), which tags without
scikit-learn; :func:`roleclassify.training.train` is orchestration over it. This module imports scikit-learn, so
only training imports it.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, clone
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from .errors import OptionError
from .features import FeatureSpec, Featurizer, Unit, as_units
from .model import DEFAULT_DOC_THRESHOLD, DEFAULT_THRESHOLD, RoleClassifier
from .training import (
    DEFAULT_ESTIMATOR,
    DEFAULT_SPEC,
    estimator_defaults,
    fit_calibration,
    make_estimator,
    sigmoid,
    stratification_keys,
    tune_thresholds,
)

__all__ = ["RoleClassifierEstimator"]

#: How a label's threshold is set (the ``thresholds`` parameter): the calibrated boundary of the linear model, or
#: the F1-maximising value on the out-of-fold probabilities.
THRESHOLD_RULES = ("margin", "tuned")

#: The decision value of a label that is constant in the data a model learns from (absent from a fold, or on
#: every unit): the label's sigmoid is then 0 or 1 to within 5e-5, whatever the other labels do.
_CONSTANT_MARGIN = 10.0

Texts = Sequence[str] | Sequence[Unit]


class RoleClassifierEstimator(MultiOutputMixin, ClassifierMixin, BaseEstimator):
    """Multi-label role classifier over Japanese unit texts: one linear model per label, Platt-scaled on
    out-of-fold decision values, with per-label thresholds tuned on those.

    ``fit(X, Y)`` takes unit texts (or :class:`~roleclassify.features.Unit` analysed with
    :func:`~roleclassify.features.analyze`) and a binary indicator matrix ``Y`` (n_samples, n_labels); label
    names and the groups that cross-validation keeps together (one per source item) are optional fit
    parameters. Texts are tokenized with GiNZA's tokenizer (SudachiPy, one per process).

    Parameters
    ----------
    features : FeatureSpec or None, default=None
        Which features (:class:`~roleclassify.features.FeatureSpec`); None is the measured default,
        :data:`roleclassify.training.DEFAULT_SPEC`.
    estimator : {"svm", "logreg"}, default="svm"
        The linear model per label: LinearSVC (squared hinge) or LogisticRegression (liblinear).
    C : float or None, default=None
        Inverse regularisation strength; None is the estimator's measured default
        (:data:`roleclassify.training.ESTIMATORS`).
    class_weight : {"default", "balanced"} or None, default="default"
        Class weighting of each label's model; "default" is the estimator's measured default.
    cv : int or None, default=5
        Folds of cross-validation stratified by label set and grouped by ``groups``; calibration and thresholds
        are fitted on the out-of-fold decision values. None, 0 or 1 (or fewer than two groups): no
        calibration, every threshold :data:`~roleclassify.model.DEFAULT_THRESHOLD`.
    seed : int, default=0
        Shuffles the folds and seeds each linear model (so a fit is deterministic).
    calibrate : bool, default=True
        Platt scaling per label on the out-of-fold decision values; False takes their plain sigmoid.
    thresholds : {"margin", "tuned"}, default="margin"
        How each label's threshold is set. "margin": the probability the calibration gives a decision value of
        0, the linear model's own boundary (one rule, nothing fitted to the folds). "tuned": the threshold that
        maximises the label's F1 on the out-of-fold probabilities. Measured on text the project did not write
        (``bench/REALWORLD.md``), the tuned thresholds sat above the boundary and cost recall there, while on
        the corpus's own test split the margin did as well.

    Attributes
    ----------
    labels_ : list of str
        The label of each column of ``Y`` (``"0"``, ``"1"``, ... when none were given).
    classes_ : ndarray of str
        ``labels_`` as an array, one per output.
    featurizer_ : Featurizer
        The fitted tf-idf featurizer.
    coef_ : ndarray of shape (n_labels, n_features)
        Weights of each label's linear model.
    intercept_ : ndarray of shape (n_labels,)
    calib_a_, calib_b_ : ndarray of shape (n_labels,)
        Platt scaling per label: ``p = sigmoid(calib_a_ * z + calib_b_)`` of the decision value ``z``.
    thresholds_ : ndarray of shape (n_labels,)
        The probability at or above which :meth:`predict` assigns each label.
    oof_decision_ : ndarray of shape (n_samples, n_labels) or None
        The out-of-fold decision values calibration and thresholds were fitted on (None without
        cross-validation).

    There is no ``n_features_in_``: the input is texts, not columns.

    Examples
    --------
    >>> from roleclassify.estimator import RoleClassifierEstimator
    >>> texts = ["新規顧客への提案営業", "受注処理と在庫管理", "SNS広告の運用"] * 4
    >>> Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]] * 4
    >>> est = RoleClassifierEstimator(cv=2).fit(texts, Y, labels=["sales", "distribution", "marketing"])
    >>> est.predict(["既存顧客への提案営業"]).tolist()
    [[1, 0, 0]]
    >>> est.to_classifier().tag(["既存顧客への提案営業"])[0].labels
    ['sales']
    """

    def __init__(
        self,
        *,
        features: FeatureSpec | None = None,
        estimator: str = DEFAULT_ESTIMATOR,
        C: float | None = None,
        class_weight: str | None = "default",
        cv: int | None = 5,
        seed: int = 0,
        calibrate: bool = True,
        thresholds: str = "margin",
    ) -> None:
        self.features = features
        self.estimator = estimator
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.seed = seed
        self.calibrate = calibrate
        self.thresholds = thresholds

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.single_output = False
        tags.classifier_tags.multi_label = True
        return tags

    # ------------------------------------------------------------------ fit
    def fit(
        self, X: Texts, Y: Any, *, labels: Sequence[str] | None = None, groups: Sequence[Hashable] | None = None
    ) -> RoleClassifierEstimator:
        """Fit on unit texts ``X`` and the indicator matrix ``Y``: cross-validate, calibrate and tune the
        thresholds on the out-of-fold decision values, then fit the final model on all of ``X``.

        ``labels`` names the columns of ``Y``; ``groups`` (one per text, e.g. its source item) keeps related texts
        in one fold (default: each text its own group).
        """
        if self.thresholds not in THRESHOLD_RULES:
            raise OptionError(f"thresholds={self.thresholds!r}: expected one of {', '.join(THRESHOLD_RULES)}")
        spec = self.features or DEFAULT_SPEC
        units = as_units(X, spec)
        Y = _indicator(Y, len(units))
        self.labels_ = _label_names(labels, Y.shape[1])
        self.classes_ = np.asarray(self.labels_)
        groups = _groups(groups, len(units))
        self.calib_a_ = np.ones(Y.shape[1])
        self.calib_b_ = np.zeros(Y.shape[1])
        self.thresholds_ = np.full(Y.shape[1], DEFAULT_THRESHOLD)
        self.oof_decision_: np.ndarray | None = None
        if self.cv and self.cv > 1 and len(set(groups)) >= 2:
            self._fit_thresholds(self.cross_val_decision(units, Y, labels=self.labels_, groups=groups), Y)
        self.featurizer_ = Featurizer(spec).fit(units)
        self.coef_, self.intercept_ = self._fit_linear(self.featurizer_.transform(units), Y)
        return self

    def cross_val_decision(
        self, X: Texts, Y: Any, *, labels: Sequence[str] | None = None, groups: Sequence[Hashable] | None = None
    ) -> np.ndarray:
        """Out-of-fold decision values (n_samples, n_labels) of ``cv`` folds stratified by label set and grouped
        by ``groups``: each fold scored by a clone fitted on the others. The estimator itself is not fitted."""
        units = as_units(X, self.features or DEFAULT_SPEC)
        Y = _indicator(Y, len(units))
        names = _label_names(labels, Y.shape[1])
        fold_model = clone(self).set_params(cv=None)
        Z = np.zeros(Y.shape)
        for tr, te in self._folds(Y, names, _groups(groups, len(units))):
            fitted = clone(fold_model).fit([units[i] for i in tr], Y[tr], labels=names)
            Z[te] = fitted.decision_function([units[i] for i in te])
        return Z

    def _folds(self, Y: np.ndarray, labels: list[str], groups: list[Hashable]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Train / test indices of the folds: stratified by label set (rare sets merged), grouped, shuffled by
        ``seed``; as many folds as ``cv`` asks, at most one per group, at least two."""
        from sklearn.model_selection import StratifiedGroupKFold

        n_splits = max(2, min(self.cv or 2, len(set(groups))))
        label_lists = [[labels[j] for j in np.flatnonzero(row)] for row in Y]
        strata = stratification_keys(label_lists, n_splits)
        cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=self.seed)
        with warnings.catch_warnings():
            # rare label sets are merged into one stratum; sklearn still warns about small ones
            warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
            return list(cv.split(np.zeros(len(Y)), strata, groups))

    def _fit_thresholds(self, Z: np.ndarray, Y: np.ndarray) -> None:
        """Platt scaling (if ``calibrate``) and per-label thresholds (by the ``thresholds`` rule) from out-of-fold
        decision values ``Z``."""
        if self.calibrate:
            self.calib_a_, self.calib_b_ = fit_calibration(Z, Y)
        if self.thresholds == "tuned":
            self.thresholds_ = tune_thresholds(sigmoid(self.calib_a_ * Z + self.calib_b_), Y)
        else:  # the probability of decision value 0
            self.thresholds_ = sigmoid(np.asarray(self.calib_b_, dtype=np.float64))
        self.oof_decision_ = Z

    def _fit_linear(self, X: Any, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One binary linear model per label on the feature matrix ``X``: weights (n_labels, n_features) and
        intercepts; a label constant in ``Y`` gets no weights and a fixed margin."""
        C, class_weight = estimator_defaults(self.estimator, self.C, self.class_weight)
        coef = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float64)
        intercept = np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if y.min() == y.max():
                intercept[j] = _CONSTANT_MARGIN if y[0] else -_CONSTANT_MARGIN
                continue
            model = make_estimator(self.estimator, C, class_weight, random_state=self.seed).fit(X, y)
            coef[j] = model.coef_[0]
            intercept[j] = model.intercept_[0]
        return coef, intercept

    # ------------------------------------------------------------------ predict
    def to_classifier(self, *, doc_threshold: float = DEFAULT_DOC_THRESHOLD) -> RoleClassifier:
        """The portable NumPy model (:class:`~roleclassify.model.RoleClassifier`, saved with its ``save``) that
        scores exactly as this estimator; ``doc_threshold`` is its roll-up share threshold."""
        check_is_fitted(self)
        return RoleClassifier(
            labels=self.labels_,
            featurizer=self.featurizer_,
            coef=self.coef_.T,
            intercept=self.intercept_,
            calib_a=self.calib_a_,
            calib_b=self.calib_b_,
            thresholds=self.thresholds_.tolist(),
            doc_threshold=doc_threshold,
        )

    def decision_function(self, X: Texts) -> np.ndarray:
        """Raw linear scores (n_samples, n_labels), computed as the NumPy model computes them."""
        model = self.to_classifier()
        return model.decision_function_units(as_units(X, model.spec))

    def predict_proba(self, X: Texts) -> np.ndarray:
        """Calibrated probability of each label (n_samples, n_labels)."""
        model = self.to_classifier()
        return model.proba_units(as_units(X, model.spec))

    def predict(self, X: Texts) -> np.ndarray:
        """Indicator matrix (n_samples, n_labels): each label whose probability reaches its tuned threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int64)


def _indicator(Y: Any, n: int) -> np.ndarray:
    """``Y`` as an int8 binary indicator matrix of ``n`` rows and at least one label, else ``ValueError``."""
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise OptionError(
            f"Y must be a binary indicator matrix (n_samples, n_labels), got shape {Y.shape}; turn label lists "
            "into one with roleclassify.training.binarize_labels"
        )
    if Y.shape[0] != n or n == 0:
        raise OptionError(f"Y has {Y.shape[0]} rows for {n} texts; give one row per text, and at least one text")
    if not np.isin(Y, (0, 1)).all():
        raise OptionError("Y must hold only 0 and 1 (1: the text has the column's label)")
    return Y.astype(np.int8)


def _label_names(labels: Sequence[str] | None, n: int) -> list[str]:
    """The given label names, checked against the number of columns, or ``"0"``, ``"1"``, ... ."""
    if labels is None:
        return [str(j) for j in range(n)]
    names = list(labels)
    if len(names) != n or len(set(names)) != n or not all(isinstance(x, str) and x for x in names):
        raise OptionError(f"labels must be {n} distinct non-empty strings, one per column of Y; got {names!r}")
    return names


def _groups(groups: Sequence[Hashable] | None, n: int) -> list[Hashable]:
    """The given groups (one per text), or each text its own group."""
    if groups is None:
        return list(range(n))
    out = list(groups)
    if len(out) != n:
        raise OptionError(f"groups has {len(out)} entries for {n} texts; give one group per text")
    return out
