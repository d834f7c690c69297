"""Training: features, one-vs-rest logistic regression, cross-validation, thresholds, the model card.

scikit-learn is imported here only, never on the tagging path: the fitted weights are copied into a
:class:`~roleclassify.model.RoleClassifier`, which predicts with NumPy alone.
"""

from __future__ import annotations

import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .corpus import CorpusItem, corpus_hash, label_set, read_corpus, training_units
from .errors import CorpusError
from .evaluation import evaluate, multilabel_report
from .features import FeatureSpec, Featurizer, Unit, analyze
from .model import (
    DEFAULT_DOC_THRESHOLD,
    DEFAULT_THRESHOLD,
    RoleClassifier,
    rollup_scores,
)
from .tokenize import FastTokenizer, tokenizer_info

__all__ = [
    "fit",
    "train",
    "TrainResult",
    "cross_val_proba",
    "tune_thresholds",
    "make_estimator",
    "ESTIMATORS",
    "DEFAULT_ESTIMATOR",
    "DEFAULT_C",
    "DEFAULT_SPEC",
]

#: Chosen by leave-one-writer-out cross-validation on the shipped corpus (bench/FEATURES.md).
#: Estimators by name with their default C and class weighting. Chosen by measurement: bench/ESTIMATORS.md.
ESTIMATORS: dict[str, dict[str, Any]] = {
    "svm": {"C": 1.0, "class_weight": "balanced", "name": "LinearSVC (squared hinge)"},
    "logreg": {"C": 30.0, "class_weight": None, "name": "LogisticRegression (liblinear)"},
}
DEFAULT_ESTIMATOR = "svm"
DEFAULT_C = ESTIMATORS[DEFAULT_ESTIMATOR]["C"]
DEFAULT_SPEC = FeatureSpec(word="norm", word_ngrams=(1, 2), char_ngrams=(1, 2, 3))

Progress = Callable[[str], None]


def _binarize(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    Y = np.zeros((len(label_lists), len(labels)), dtype=np.int8)
    index = {l: j for j, l in enumerate(labels)}
    for i, labs in enumerate(label_lists):
        for l in labs:
            Y[i, index[l]] = 1
    return Y


def _defaults(estimator: str, C: float | None, class_weight: str | None) -> tuple[float, str | None]:
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown estimator {estimator!r}; expected one of {', '.join(ESTIMATORS)}")
    d = ESTIMATORS[estimator]
    return (d["C"] if C is None else C), (d["class_weight"] if class_weight == "default" else class_weight)


def make_estimator(estimator: str, C: float, class_weight: str | None):
    """A fresh scikit-learn binary classifier: ``svm`` (LinearSVC) or ``logreg`` (LogisticRegression)."""
    if estimator == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=C, class_weight=class_weight, max_iter=5000)
    if estimator == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=C, solver="liblinear", class_weight=class_weight, max_iter=1000)
    raise ValueError(f"unknown estimator {estimator!r}; expected one of {', '.join(ESTIMATORS)}")


def _fit_arrays(
    X, Y: np.ndarray, C: float, class_weight: str | None, estimator: str = DEFAULT_ESTIMATOR
) -> tuple[np.ndarray, np.ndarray]:
    coef = np.zeros((X.shape[1], Y.shape[1]), dtype=np.float64)
    intercept = np.zeros(Y.shape[1])
    for j in range(Y.shape[1]):
        y = Y[:, j]
        if y.min() == y.max():  # a label absent (or everywhere) in this fold: constant score
            intercept[j] = 10.0 if y[0] else -10.0
            continue
        lr = make_estimator(estimator, C, class_weight)
        lr.fit(X, y)
        coef[:, j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    return coef, intercept


def fit(
    units: Sequence[Unit],
    label_lists: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    estimator: str = DEFAULT_ESTIMATOR,
    C: float | None = None,
    class_weight: str | None = "default",
) -> RoleClassifier:
    """Fit a classifier on analysed units (see :func:`roleclassify.features.analyze`).

    ``C`` and ``class_weight`` default to the estimator's measured defaults (:data:`ESTIMATORS`).
    """
    C, class_weight = _defaults(estimator, C, class_weight)
    feat = Featurizer(spec=spec).fit(units)
    X = feat.transform(units)
    coef, intercept = _fit_arrays(X, _binarize(label_lists, labels), C, class_weight, estimator)
    return RoleClassifier(labels=labels, featurizer=feat, coef=coef, intercept=intercept)


def _strata(label_lists: Sequence[Sequence[str]], min_count: int) -> list[str]:
    keys = ["+".join(sorted(l)) or "other" for l in label_lists]
    counts = Counter(keys)
    return [k if counts[k] >= min_count else "rare" for k in keys]


def cross_val_proba(
    units: Sequence[Unit],
    label_lists: Sequence[Sequence[str]],
    labels: Sequence[str],
    groups: Sequence[str],
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    estimator: str = DEFAULT_ESTIMATOR,
    C: float | None = None,
    class_weight: str | None = "default",
    n_splits: int = 5,
    seed: int = 0,
    decision: bool = False,
) -> np.ndarray:
    """Out-of-fold probabilities (Platt-scaled on the out-of-fold scores) or, with ``decision``, the raw
    decision values; folds stratified by label set and grouped by source item."""
    import warnings

    from sklearn.model_selection import StratifiedGroupKFold

    n = len(units)
    n_groups = len(set(groups))
    n_splits = max(2, min(n_splits, n_groups))
    y = _strata(label_lists, n_splits)
    P = np.zeros((n, len(labels)))
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # rare label sets are merged into one stratum; sklearn still warns about small ones
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        folds = list(cv.split(np.zeros(n), y, groups))
    for tr, te in folds:
        model = fit(
            [units[i] for i in tr],
            [label_lists[i] for i in tr],
            labels,
            spec=spec,
            estimator=estimator,
            C=C,
            class_weight=class_weight,
        )
        P[te] = model.decision_function_units([units[i] for i in te])
    if decision:
        return P
    a, b = fit_calibration(P, _binarize(label_lists, labels))
    return _sigmoid(a * P + b)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def fit_calibration(Z: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Platt scaling per label: p = sigmoid(a * z + b) fitted on out-of-fold decision values."""
    from sklearn.linear_model import LogisticRegression

    a = np.ones(Y.shape[1])
    b = np.zeros(Y.shape[1])
    for j in range(Y.shape[1]):
        if Y[:, j].min() == Y[:, j].max():
            continue
        lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(Z[:, [j]], Y[:, j])
        a[j], b[j] = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return a, b


def calibration_report(P: np.ndarray, Y: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Brier score and expected calibration error (equal-width bins, all labels pooled)."""
    p = P.ravel()
    y = Y.ravel().astype(float)
    brier = float(np.mean((p - y) ** 2)) if len(p) else 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for k in range(bins):
        m = idx == k
        if m.any():
            ece += m.mean() * abs(p[m].mean() - y[m].mean())
    return {"brier": round(brier, 4), "ece": round(float(ece), 4)}


def tune_thresholds(P: np.ndarray, Y: np.ndarray, grid: Sequence[float] | None = None) -> np.ndarray:
    """Per-label threshold maximising that label's F1 on out-of-fold probabilities."""
    values = np.asarray(grid if grid is not None else np.arange(0.2, 0.71, 0.025))
    best = np.full(Y.shape[1], DEFAULT_THRESHOLD)
    for j in range(Y.shape[1]):
        scores = []
        for t in values:
            pred = P[:, j] >= t
            tp = float((pred & (Y[:, j] == 1)).sum())
            fp = float((pred & (Y[:, j] == 0)).sum())
            fn = float((~pred & (Y[:, j] == 1)).sum())
            scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        best[j] = float(values[int(np.argmax(scores))])
    return best


@dataclass
class TrainResult:
    """A trained model and what was measured while training it."""

    model: RoleClassifier
    report: dict[str, Any]
    path: Path | None = None


def _labels_from_probs(P: np.ndarray, thresholds: np.ndarray, labels: Sequence[str]) -> list[list[str]]:
    return [[l for l, p, t in zip(labels, row, thresholds) if p >= t] for row in P]


def train(
    corpus: Sequence[str | Path] | Sequence[CorpusItem],
    out: str | Path | None = None,
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    estimator: str = DEFAULT_ESTIMATOR,
    C: float | None = None,
    class_weight: str | None = "default",
    cv: int = 5,
    seed: int = 0,
    include_test: bool = False,
    calibrate: bool = True,
    labels: Sequence[str] | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> TrainResult:
    """Train on corpus files (or items), cross-validate, score the held-out split, write the model.

    Items with ``"split": "test"`` are held out (unless ``include_test``) and scored after training; the
    model card records those scores as the model's published metrics.
    """
    say = progress or (lambda msg: None)
    if out is not None and Path(out).suffix != ".npz":
        from .model import check_model_directory

        check_model_directory(out)  # before minutes of training, not after
    C, class_weight = _defaults(estimator, C, class_weight)
    t0 = time.perf_counter()
    items: list[CorpusItem]
    if corpus and isinstance(corpus[0], CorpusItem):
        items = list(corpus)  # type: ignore[arg-type]
        files: list[str] = []
    else:
        files = [str(p) for p in corpus]
        items = read_corpus(files)
    _refuse_bad_labels(items, labels)
    test_items = [] if include_test else [it for it in items if it.split == "test"]
    train_items = items if include_test else [it for it in items if it.split != "test"]
    if not train_items:
        raise CorpusError("no training items: every record is in the test split")
    labels = list(labels) if labels else label_set(train_items)
    if not labels:
        raise CorpusError("the corpus has no labels at all: every record is other; nothing to learn")
    texts, label_lists, groups, registers = training_units(train_items)
    counts = Counter(l for labs in label_lists for l in labs)
    say(f"{len(train_items)} training items -> {len(texts)} units; labels: {dict(counts)}")

    tok = FastTokenizer()
    feats = analyze(texts, spec, tok)
    say(f"tokenized and featurized in {time.perf_counter() - t0:.1f}s")

    report: dict[str, Any] = {"labels": labels, "n_units": len(texts), "label_counts": dict(counts)}
    Y = _binarize(label_lists, labels)
    thresholds = np.full(len(labels), DEFAULT_THRESHOLD)
    doc_threshold = DEFAULT_DOC_THRESHOLD
    calib_a = np.ones(len(labels))
    calib_b = np.zeros(len(labels))
    if cv and cv > 1 and len(set(groups)) >= 2:
        Z = cross_val_proba(
            feats, label_lists, labels, groups, spec=spec, estimator=estimator, C=C, class_weight=class_weight,
            n_splits=cv, seed=seed, decision=True,
        )
        if calibrate:
            calib_a, calib_b = fit_calibration(Z, Y)
        P = _sigmoid(calib_a * Z + calib_b)
        report["calibration_cv"] = {
            "uncalibrated": calibration_report(_sigmoid(Z), Y),
            "calibrated": calibration_report(P, Y),
        }
        thresholds = tune_thresholds(P, Y)
        cv_report = multilabel_report(
            label_lists, _labels_from_probs(P, thresholds, labels), labels, registers=registers
        )
        cv_report["folds"] = cv
        report["cv"] = cv_report
        doc_threshold = _tune_doc_threshold(train_items, P, groups, labels, thresholds)
        say(f"{cv}-fold cross-validation: macro-F1 {cv_report['macro_f1']:.3f}")
    model = fit(feats, label_lists, labels, spec=spec, estimator=estimator, C=C, class_weight=class_weight)
    model.calib_a_, model.calib_b_ = calib_a, calib_b
    model.thresholds_ = thresholds
    model.doc_threshold = doc_threshold
    model.use_engine("fast").tokenizer = tok
    metrics: dict[str, Any] = {}
    if "cv" in report:
        metrics["cv"] = {"sentences": report["cv"]}
    if test_items:
        test = evaluate(model, test_items)
        test.pop("errors", None)
        test["calibration"] = _test_calibration(model, test_items, labels)
        test["command"] = command or ""
        metrics["test"] = test
        report["test"] = test
        say(
            "held-out test: "
            + ", ".join(
                f"{u} macro-F1 {test[u]['macro_f1']:.3f}" for u in ("sentences", "documents") if test[u].get("n")
            )
        )
    report["seconds"] = round(time.perf_counter() - t0, 2)
    model.meta = {
        "name": name or (Path(out).name if out else "model"),
        "description": "Tags Japanese business text as sales (営業), distribution (販売), marketing "
        "(マーケティング) or other.",
        "estimator": f"{ESTIMATORS[estimator]['name']}, one binary model per label, C={C}, "
        f"class_weight={class_weight}; "
        + ("Platt scaling per label on out-of-fold scores" if calibrate else "no calibration"),
        "trained": time.strftime("%Y-%m-%d"),
        "corpus": {
            "files": files,
            "sha256": corpus_hash(items),
            "n_items": len(items),
            "n_train_units": len(texts),
            "n_test_items": len(test_items),
            "label_counts": dict(counts),
        },
        "versions": {
            "roleclassify": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": _version("scikit-learn"),
            **tokenizer_info(),
        },
        "metrics": metrics,
    }
    path = model.save(out) if out is not None else None
    return TrainResult(model=model, report=report, path=path)


def _test_calibration(model: RoleClassifier, items: Sequence[CorpusItem], labels: Sequence[str]) -> dict:
    """Brier / ECE of the model's sentence probabilities on held-out sentence items, with and without
    its Platt scaling."""
    sel = [it for it in items if not it.is_document]
    if not sel:
        return {}
    Z = model.decision_function_units(model.units([it.text for it in sel]))
    Y = _binarize([it.labels for it in sel], labels)
    return {
        "uncalibrated": calibration_report(_sigmoid(Z), Y),
        "calibrated": calibration_report(_sigmoid(model.calib_a_ * Z + model.calib_b_), Y),
    }


def _refuse_bad_labels(items: Sequence[CorpusItem], allowed: Sequence[str] | None) -> None:
    """Unknown labels (when the allowed set is given) and one text with conflicting labels, per record."""
    from .text import normalize, strip_marker

    problems: list[str] = []
    if allowed is not None:
        for it in items:
            bad = sorted({l for l in it.labels if l not in allowed} | {l for _, lab in it.lines or () for l in lab if l not in allowed})
            if bad:
                problems.append(f"{it.location}: unknown label(s) {', '.join(bad)}; allowed: {', '.join(allowed)}")
    seen: dict[str, CorpusItem] = {}
    for it in items:
        key = normalize(strip_marker(it.text)).replace(" ", "")
        first = seen.setdefault(key, it)
        if first is not it and sorted(first.labels) != sorted(it.labels):
            problems.append(
                f"{it.location}: same text as {first.location} with other labels "
                f"({'+'.join(it.labels) or 'other'} vs {'+'.join(first.labels) or 'other'}); make them agree"
            )
    if problems:
        raise CorpusError(f"{len(problems)} problem(s) in the corpus; first: {problems[0]}", problems)


def _version(pkg: str) -> str:
    from importlib.metadata import version

    return version(pkg)


def _tune_doc_threshold(
    items: Sequence[CorpusItem],
    P: np.ndarray,
    groups: Sequence[str],
    labels: Sequence[str],
    thresholds: np.ndarray,
) -> float:
    """Share threshold of the document roll-up that best recovers document labels from out-of-fold lines."""
    docs = [it for it in items if it.unit == "document" and it.lines]
    if not docs:
        return DEFAULT_DOC_THRESHOLD
    rows: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        rows.setdefault(g, []).append(i)
    best, best_acc = DEFAULT_DOC_THRESHOLD, -1.0
    # the values tried are the values stored (0.4, not arange's 0.4000000000000001, which a share of exactly
    # 0.4 would miss in tuning and then pass when tagging)
    for t in np.round(np.arange(0.15, 0.61, 0.05), 2):
        correct = 0
        for d in docs:
            p = P[rows[d.id]]
            hard = p >= thresholds
            if not hard.any():
                pred: set[str] = set()
            else:
                share = rollup_scores(p)
                pred = {l for l, s in zip(labels, share) if s >= t} or {labels[int(np.argmax(share))]}
            correct += pred == set(d.labels)
        acc = correct / len(docs)
        if acc > best_acc + 1e-9:
            best, best_acc = float(t), acc
    return best
