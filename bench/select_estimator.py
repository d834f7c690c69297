"""Choose the estimator by measurement, on the feature set chosen in bench/FEATURES.md.

Every estimator is a linear model (so tagging stays a NumPy dot product), fitted one-vs-rest per label,
and scored like `roleclassify train` scores itself: out-of-fold decision values, Platt scaling fitted on
them, per-label thresholds tuned on the calibrated probabilities, macro-F1 over sales, distribution,
marketing and other. Two splits of the training data (the test split is never used): leaving one writer
(corpus batch) out, and 5-fold cross-validation stratified by label set and grouped by item.

    python bench/select_estimator.py          # writes bench/ESTIMATORS.md
"""

from __future__ import annotations

import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from roleclassify.corpus import label_set, read_corpus, training_units
from roleclassify.evaluation import multilabel_report
from roleclassify.features import Featurizer, analyze
from roleclassify.tokenize import FastTokenizer
from roleclassify.training import (
    DEFAULT_SPEC,
    binarize_labels,
    fit_calibration,
    sigmoid,
    stratification_keys,
    tune_thresholds,
)

ROOT = Path(__file__).resolve().parent.parent


def nb_weighted_lr(C: float, alpha: float = 1.0):
    """NB-LR (Wang & Manning's NBSVM with a logistic loss): features scaled by their log-count ratio."""
    def fit(X, y, Xt):
        p = np.asarray(X[y == 1].sum(0)).ravel() + alpha
        q = np.asarray(X[y == 0].sum(0)).ravel() + alpha
        r = np.log((p / p.sum()) / (q / q.sum()))
        lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000).fit(X.multiply(r).tocsr(), y)
        return lr.decision_function(Xt.multiply(r).tocsr())
    return fit


ESTIMATORS = {
    "logistic regression, C=10": lambda X, y, Xt: LogisticRegression(C=10, solver="liblinear", max_iter=1000).fit(X, y).decision_function(Xt),
    "logistic regression, C=30": lambda X, y, Xt: LogisticRegression(C=30, solver="liblinear", max_iter=1000).fit(X, y).decision_function(Xt),
    "logistic regression, C=30, balanced": lambda X, y, Xt: LogisticRegression(C=30, solver="liblinear", class_weight="balanced", max_iter=1000).fit(X, y).decision_function(Xt),
    "linear SVM (squared hinge), C=0.3": lambda X, y, Xt: LinearSVC(C=0.3, max_iter=5000).fit(X, y).decision_function(Xt),
    "linear SVM (squared hinge), C=1": lambda X, y, Xt: LinearSVC(C=1.0, max_iter=5000).fit(X, y).decision_function(Xt),
    "linear SVM (squared hinge), C=3": lambda X, y, Xt: LinearSVC(C=3.0, max_iter=5000).fit(X, y).decision_function(Xt),
    "linear SVM, C=1, balanced": lambda X, y, Xt: LinearSVC(C=1.0, class_weight="balanced", max_iter=5000).fit(X, y).decision_function(Xt),
    "SGD modified Huber": lambda X, y, Xt: SGDClassifier(loss="modified_huber", alpha=1e-5, max_iter=50, tol=None, random_state=0).fit(X, y).decision_function(Xt),
    "NB-weighted logistic regression, C=30": nb_weighted_lr(30.0),
}


def main() -> None:
    items = [it for it in read_corpus([ROOT / "corpus" / "sentences", ROOT / "corpus" / "jobs"]) if it.split != "test"]
    texts, label_lists, groups, _ = training_units(items)
    writer_of = {it.id: it.source or "unknown" for it in items}
    writers = [writer_of[g] for g in groups]
    labels = label_set(items)
    Y = binarize_labels(label_lists, labels)
    units = analyze(texts, DEFAULT_SPEC, FastTokenizer())
    n = len(units)
    writer_folds = []
    for w in sorted(set(writers)):
        te = np.array([i for i, x in enumerate(writers) if x == w])
        tr = np.array([i for i, x in enumerate(writers) if x != w])
        writer_folds.append((tr, te))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv_folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(np.zeros(n), stratification_keys(label_lists, 5), groups))
    matrices = []
    for folds in (writer_folds, cv_folds):
        mats = []
        for tr, te in folds:
            f = Featurizer(spec=DEFAULT_SPEC).fit([units[i] for i in tr])
            mats.append((tr, te, f.transform([units[i] for i in tr]), f.transform([units[i] for i in te])))
        matrices.append(mats)

    def score(fit_fn, mats):
        Z = np.zeros(Y.shape)
        for tr, te, Xtr, Xte in mats:
            for j in range(Y.shape[1]):
                Z[te, j] = fit_fn(Xtr, Y[tr, j], Xte)
        a, b = fit_calibration(Z, Y)
        P = sigmoid(a * Z + b)
        th = tune_thresholds(P, Y)
        pred = [[l for l, p, t in zip(labels, row, th) if p >= t] for row in P]
        return multilabel_report(label_lists, pred, labels)["macro_f1"]

    rows = []
    for name, fn in ESTIMATORS.items():
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w, c = score(fn, matrices[0]), score(fn, matrices[1])
        rows.append((name, w, c, time.perf_counter() - t0))
        print(f"{name:45s} writer-out {w:.4f}  cv {c:.4f}", file=sys.stderr)
    rows.sort(key=lambda r: -r[1])
    lines = [
        "# Estimator selection",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `python bench/select_estimator.py` on the training split "
        f"({n} units), features `{DEFAULT_SPEC}`. Both columns: out-of-fold decision values, Platt scaling and "
        "per-label thresholds fitted on them, macro-F1 over sales, distribution, marketing and other.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| estimator (one per label) | macro-F1, leave one writer out | macro-F1, 5-fold CV | seconds |",
        "|---|---:|---:|---:|",
    ]
    for name, w, c, s in rows:
        mark = "**" if name == rows[0][0] else ""
        lines.append(f"| {mark}{name}{mark} | {w:.4f} | {c:.4f} | {s:.0f} |")
    lines += ["", f"Best leaving one writer out: **{rows[0][0]}**.", ""]
    (ROOT / "bench" / "ESTIMATORS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
