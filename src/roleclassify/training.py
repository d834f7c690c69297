"""Training: read a corpus, fit the role classifier estimator, score it, write the model and its card.

:func:`train` is orchestration over :class:`~roleclassify.estimator.RoleClassifierEstimator`: one linear model per
label (LinearSVC by default, logistic regression on request), both Platt-scaled on the out-of-fold decision values
of cross-validation grouped by source item and stratified by label set, with per-label thresholds tuned on those;
then the document threshold, the held-out scores and the model card. The numerical pieces the estimator is built
from (each estimator's measured defaults, label indicators and strata, Platt scaling, threshold search) live here.

scikit-learn is imported by training only, never on the tagging path: the fitted weights are copied into a
:class:`~roleclassify.model.RoleClassifier`, which predicts with NumPy alone.
"""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .corpus import (
    CorpusItem,
    corpus_hash,
    duty_set,
    has_duties,
    label_set,
    read_corpus,
    repeated_texts,
    training_duties,
    training_units,
    unknown_labels,
)
from .errors import CorpusError, OptionError, option
from .evaluation import duty_report, evaluate, multilabel_report
from .features import FeatureSpec, Unit, analyze
from .labels import label_set_key
from .model import (
    DEFAULT_DOC_THRESHOLD,
    DEFAULT_THRESHOLD,
    DutyHead,
    RoleClassifier,
    rollup_scores,
)
from .tokenize import FastTokenizer, tokenizer_info

if TYPE_CHECKING:  # pragma: no cover
    from .estimator import RoleClassifierEstimator

__all__ = [
    "fit",
    "train",
    "TrainResult",
    "cross_val_proba",
    "tune_thresholds",
    "fit_calibration",
    "calibration_report",
    "make_estimator",
    "estimator_defaults",
    "binarize_labels",
    "stratification_keys",
    "sigmoid",
    "ESTIMATORS",
    "DEFAULT_ESTIMATOR",
    "DEFAULT_C",
    "DEFAULT_SPEC",
    "DUTY_CLASS_WEIGHT",
    "DUTY_GATE",
    "DUTIES_FILE",
    "read_duty_list",
]

#: Estimators by name with their default C and class weighting. Chosen by measurement: bench/ESTIMATORS.md.
ESTIMATORS: dict[str, dict[str, Any]] = {
    "svm": {"C": 1.0, "class_weight": "balanced", "name": "LinearSVC (squared hinge)"},
    "logreg": {"C": 30.0, "class_weight": None, "name": "LogisticRegression (liblinear)"},
}
DEFAULT_ESTIMATOR = "svm"
DEFAULT_C = ESTIMATORS[DEFAULT_ESTIMATOR]["C"]
#: Chosen by leave-one-writer-out cross-validation on the shipped corpus (bench/FEATURES.md).
DEFAULT_SPEC = FeatureSpec(word="norm", word_ngrams=(1, 2), char_ngrams=(1, 2, 3))

#: The duty head's class weighting and gating, chosen by cross-validation grouped by writing batch and register
#: (bench/DUTIES.md): unweighted models beat the roles' balanced weighting there, and a duty of a role holds only
#: where the unit has that role.
DUTY_CLASS_WEIGHT: str | None = None
DUTY_GATE = True
#: The duty list looked for beside a corpus (in a corpus directory or the directory holding it).
DUTIES_FILE = "duties.json"

Progress = Callable[[str], None]


def binarize_labels(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Indicator matrix (n_units, n_labels), int8: 1 where a unit's label list holds the column's label."""
    Y = np.zeros((len(label_lists), len(labels)), dtype=np.int8)
    index = {l: j for j, l in enumerate(labels)}
    for i, labs in enumerate(label_lists):
        for l in labs:
            Y[i, index[l]] = 1
    return Y


def stratification_keys(label_lists: Sequence[Sequence[str]], min_count: int) -> list[str]:
    """Stratum of each unit for stratified folds: its label set (``other`` when empty), or ``rare`` for a label
    set held by fewer than ``min_count`` units (one per fold cannot be had)."""
    keys = ["+".join(sorted(l)) or "other" for l in label_lists]
    counts = Counter(keys)
    return [k if counts[k] >= min_count else "rare" for k in keys]


def estimator_defaults(estimator: str, C: float | None, class_weight: str | None) -> tuple[float, str | None]:
    """``C`` and ``class_weight`` with the estimator's measured defaults filled in (``C=None``,
    ``class_weight="default"``); ``ValueError`` for an unknown estimator."""
    if estimator not in ESTIMATORS:
        raise OptionError(f"unknown estimator {estimator!r}; expected one of {', '.join(ESTIMATORS)}")
    d = ESTIMATORS[estimator]
    return (d["C"] if C is None else C), (d["class_weight"] if class_weight == "default" else class_weight)


def make_estimator(estimator: str, C: float, class_weight: str | None, *, random_state: int | None = None) -> Any:
    """A fresh scikit-learn binary classifier: ``svm`` (LinearSVC) or ``logreg`` (LogisticRegression)."""
    if estimator == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=C, class_weight=class_weight, max_iter=5000, random_state=random_state)
    if estimator == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=C, solver="liblinear", class_weight=class_weight, max_iter=1000, random_state=random_state
        )
    raise OptionError(f"unknown estimator {estimator!r}; expected one of {', '.join(ESTIMATORS)}")


def _estimator(
    spec: FeatureSpec, estimator: str, C: float | None, class_weight: str | None, cv: int | None, seed: int,
    calibrate: bool = True, thresholds: str = "margin",
) -> RoleClassifierEstimator:
    from .estimator import RoleClassifierEstimator

    return RoleClassifierEstimator(
        features=spec, estimator=estimator, C=C, class_weight=class_weight, cv=cv, seed=seed, calibrate=calibrate,
        thresholds=thresholds,
    )


def fit(
    units: Sequence[Unit],
    label_lists: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    estimator: str = DEFAULT_ESTIMATOR,
    C: float | None = None,
    class_weight: str | None = "default",
    seed: int = 0,
) -> RoleClassifier:
    """Fit a classifier on analysed units (see :func:`roleclassify.features.analyze`) without cross-validation:
    no calibration, every threshold :data:`~roleclassify.model.DEFAULT_THRESHOLD`.

    ``C`` and ``class_weight`` default to the estimator's measured defaults (:data:`ESTIMATORS`).
    """
    est = _estimator(spec, estimator, C, class_weight, None, seed)
    return est.fit(units, binarize_labels(label_lists, labels), labels=labels).to_classifier()


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
    decision values; folds stratified by label set and grouped by source item
    (:meth:`~roleclassify.estimator.RoleClassifierEstimator.cross_val_decision`)."""
    Y = binarize_labels(label_lists, labels)
    est = _estimator(spec, estimator, C, class_weight, n_splits, seed)
    Z = est.cross_val_decision(units, Y, labels=labels, groups=groups)
    if decision:
        return Z
    a, b = fit_calibration(Z, Y)
    return sigmoid(a * Z + b)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function: probabilities from (calibrated) decision values."""
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
    thresholds: str = "margin",
    labels: Sequence[str] | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    command: str | None = None,
    encoding: str | None = None,
    duties: str | Path | None = None,
) -> TrainResult:
    """Train on corpus files (or items): fit the estimator with cross-validated calibration and thresholds,
    tune the document threshold, score the held-out split, write the model and its card.

    Items with ``"split": "test"`` are held out (unless ``include_test``) and scored after training; the
    model card records those scores as the model's published metrics. ``encoding`` (default: detected per
    file) is the corpus files' text encoding.

    When the corpus states duties (``"duties"`` on records or lines), a duty head is fitted beside the roles on
    the same features, cross-validated, calibrated and thresholded the same way: one column per duty of
    ``duties`` (a JSON duty list like ``corpus/duties.json``), else of the ``duties.json`` beside the corpus,
    else of the duty ids the corpus uses. A unit that states no duties is a negative for every duty.

    ``thresholds`` sets the roles' thresholds: ``"margin"`` (the calibrated probability of the linear model's own
    boundary) or ``"tuned"`` (F1-maximising on the out-of-fold probabilities); see
    :class:`~roleclassify.estimator.RoleClassifierEstimator`. The duty head's are tuned.
    """
    say = progress or _silent
    if out is not None and Path(out).suffix != ".npz":
        from .model import check_model_directory

        check_model_directory(out)  # before minutes of training, not after
    C, class_weight = estimator_defaults(estimator, C, class_weight)
    t0 = time.perf_counter()
    # a label needs an example in every fold of the cross-validation its calibration comes from
    data = _training_set(corpus, labels, include_test, encoding, duties, least=max(cv, 2))
    say(f"{len(data.train_items)} training items -> {len(data.texts)} units; labels: {data.label_counts}")
    tok = FastTokenizer()
    units = analyze(data.texts, spec, tok)
    say(f"tokenized and featurized in {time.perf_counter() - t0:.1f}s")
    Y = binarize_labels(data.label_lists, data.labels)
    est = _estimator(spec, estimator, C, class_weight, cv, seed, calibrate, thresholds)
    est.fit(units, Y, labels=data.labels, groups=data.groups)
    report: dict[str, Any] = {"labels": data.labels, "n_units": len(data.texts), "label_counts": data.label_counts}
    doc_threshold = DEFAULT_DOC_THRESHOLD
    if est.oof_decision_ is not None:
        P = sigmoid(est.calib_a_ * est.oof_decision_ + est.calib_b_)
        report.update(_cv_report(est.oof_decision_, P, Y, est.thresholds_, data, cv))
        doc_threshold = _tune_doc_threshold(data.train_items, P, data.groups, data.labels, est.thresholds_)
        say(f"{cv}-fold cross-validation: macro-F1 {report['cv']['macro_f1']:.3f}")
    model = est.to_classifier(doc_threshold=doc_threshold)
    model.use_engine("fast").tokenizer = tok
    metrics: dict[str, Any] = {"cv": {"sentences": report["cv"]}} if "cv" in report else {}
    if data.duty_table is not None:
        role_hit = None if est.oof_decision_ is None else \
            sigmoid(est.calib_a_ * est.oof_decision_ + est.calib_b_) >= est.thresholds_
        model.duty_head, duty_cv = _fit_duty_head(units, data, est, role_hit, estimator, C, cv, seed, calibrate)
        report["duties"] = {"n": len(data.duty_table), "source": data.duty_source}
        if duty_cv is not None:
            report["cv_duties"] = metrics["cv"]["duties"] = duty_cv
            say(f"{cv}-fold cross-validation: duty macro-F1 {duty_cv['macro_f1']:.3f} ({len(data.duty_table)} duties)")
    if data.test_items:
        metrics["test"] = report["test"] = _held_out_report(model, data.test_items, data.labels, command)
        say("held-out test: " + ", ".join(
            f"{u} macro-F1 {report['test'][u]['macro_f1']:.3f}" for u in ("sentences", "documents", "duties")
            if report["test"].get(u, {}).get("n")
        ))
    report["seconds"] = round(time.perf_counter() - t0, 2)
    fitted = (f"{ESTIMATORS[estimator]['name']}, one binary model per label, C={C}, class_weight={class_weight}; "
              + ("Platt scaling per label on out-of-fold scores" if calibrate else "no calibration")
              + ("; thresholds tuned for F1 on out-of-fold probabilities" if thresholds == "tuned"
                 else "; thresholds at each label's calibrated margin (decision value 0)"))
    model.meta = _model_card(data, out, name, fitted, metrics)
    path = model.save(out) if out is not None else None
    return TrainResult(model=model, report=report, path=path)


def _silent(message: str) -> None:
    """A progress callback that says nothing."""


@dataclass
class _TrainingSet:
    """A corpus read for training: every item and the files they came from, the items trained on and those held
    out, the labels to learn, and the training units (text, labels, group = source item, register)."""

    items: list[CorpusItem]
    files: list[str]
    train_items: list[CorpusItem]
    test_items: list[CorpusItem]
    labels: list[str]
    texts: list[str]
    label_lists: list[list[str]]
    groups: list[str]
    registers: list[str]
    #: The duty list (id, role, ja, definition) when the corpus states duties, each unit's duties, and where
    #: the list came from (a file, or ``corpus`` for the ids the corpus uses).
    duty_table: list[dict[str, Any]] | None = None
    duty_lists: list[list[str]] | None = None
    duty_source: str = ""

    @property
    def label_counts(self) -> dict[str, int]:
        return dict(Counter(l for labs in self.label_lists for l in labs))


def _refuse_rare_labels(items: Sequence[CorpusItem], label_lists: Sequence[Sequence[str]], labels: Sequence[str],
                        least: int) -> None:
    """Refuse a label held by fewer than ``least`` training units (a typo such as 営行 for 営業, or a label with too
    few examples to learn): trained anyway, its threshold would fall to nearly 0 and every text would get it."""
    counts = {l: 0 for l in labels}
    for ls in label_lists:
        for l in ls:
            if l in counts:
                counts[l] += 1
    rare = [l for l, n in counts.items() if n < least]
    if not rare:
        return
    from .corpus import label_location

    l = rare[0]
    raise CorpusError(f"{label_location(items, l)}label {l!r} has only {counts[l]} training example(s); at least {least} "
                      "are needed to learn it: fix it if it is a typo, or add examples" +
                      (f" (also too few: {', '.join(map(repr, rare[1:]))})" if len(rare) > 1 else ""))


def _training_set(
    corpus: Sequence[str | Path] | Sequence[CorpusItem], labels: Sequence[str] | None, include_test: bool,
    encoding: str | None = None, duties: str | Path | None = None, least: int = 2,
) -> _TrainingSet:
    """Read the corpus (files or items), refuse bad labels (and any held by fewer than ``least`` training units),
    hold out the test split and find the labels."""
    items: list[CorpusItem]
    if corpus and isinstance(corpus[0], CorpusItem):
        items = list(corpus)  # type: ignore[arg-type]
        files: list[str] = []
    else:
        files = [str(p) for p in corpus]
        items = read_corpus(files, encoding=encoding)
    _refuse_bad_labels(items, labels)
    test_items = [] if include_test else [it for it in items if it.split == "test"]
    train_items = items if include_test else [it for it in items if it.split != "test"]
    if not train_items:
        raise CorpusError("no training items: every record is in the test split")
    labels = list(labels) if labels else label_set(train_items)
    if not labels:
        raise CorpusError("the corpus has no labels at all: every record is other; nothing to learn")
    texts, label_lists, groups, registers = training_units(train_items)
    _refuse_rare_labels(train_items, label_lists, labels, least)
    data = _TrainingSet(items, files, train_items, test_items, labels, texts, label_lists, groups, registers)
    if duties is not None and not has_duties(items):
        raise CorpusError(f"{duties}: a duty list was given, but no record of the corpus states its duties "
                          "(a \"duties\" list on records or lines)")
    if has_duties(items):
        data.duty_table, data.duty_source = _duty_table(items, duties, files)
        data.duty_lists = training_duties(train_items)
    return data


def read_duty_list(path: str | Path) -> list[dict[str, Any]]:
    """A duty list file: JSON, an object with ``"duties"`` (as ``corpus/duties.json``) or a bare list, of
    objects with a distinct ``id`` each and optionally ``role`` (one of the model's labels or ``other``),
    ``ja`` and ``definition``. :class:`CorpusError` naming the file for anything else."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise CorpusError(f"{path}: cannot read the duty list ({e.strerror})") from None
    except ValueError as e:
        raise CorpusError(f"{path}: not a JSON duty list ({e})") from None
    entries = raw.get("duties") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"{path}: expected a JSON list of duties (or an object with a \"duties\" list), "
                          "each {\"id\": ..., \"role\": ..., \"ja\": ..., \"definition\": ...}")
    out: list[dict[str, Any]] = []
    for k, d in enumerate(entries, 1):
        if not isinstance(d, dict) or not isinstance(d.get("id"), str) or not d["id"].strip():
            raise CorpusError(f"{path}: duty {k} needs a non-empty string \"id\"")
        if any(d["id"] == e["id"] for e in out):
            raise CorpusError(f"{path}: duty {k}: id {d['id']!r} is listed twice")
        out.append({key: d[key] for key in ("id", "role", "ja", "definition") if isinstance(d.get(key), str)})
    return out


def _duty_table(
    items: Sequence[CorpusItem], duties: str | Path | None, files: Sequence[str]
) -> tuple[list[dict[str, Any]], str]:
    """The duty list of a corpus that states duties, and where it came from: ``duties``, else the
    ``duties.json`` beside the corpus files, else the ids the corpus uses (without roles). A duty the corpus
    uses that the list lacks is refused, naming the record."""
    path = Path(duties) if duties is not None else _duties_beside(files)
    if path is None:
        return [{"id": d} for d in duty_set(items)], "corpus"
    table = read_duty_list(path)
    known = {d["id"] for d in table}
    problems = [f"{it.location}: unknown duty id(s) {', '.join(bad)}; {path} lists: {', '.join(sorted(known))}"
                for it in items if (bad := sorted(set(duty_set([it])) - known))]
    if problems:
        hint = "" if duties is not None else f" (found beside the corpus; pass {option('duties', 'FILE')} for another list)"
        raise CorpusError(f"{len(problems)} problem(s) in the corpus; first: {problems[0]}{hint}", problems)
    return table, str(path)


def _duties_beside(files: Sequence[str]) -> Path | None:
    """The first ``duties.json`` in a corpus directory or the directory holding a corpus file or directory."""
    for f in map(Path, files):
        for d in ([f, f.parent] if f.is_dir() else [f.parent]):
            if (d / DUTIES_FILE).is_file():
                return d / DUTIES_FILE
    return None


def _fit_duty_head(
    units: Sequence[Unit], data: _TrainingSet, roles: RoleClassifierEstimator, role_hit: np.ndarray | None,
    estimator: str, C: float | None, cv: int, seed: int, calibrate: bool,
) -> tuple[DutyHead, dict[str, Any] | None]:
    """Fit the duty head on the role model's units and features (one linear model per duty, calibrated and
    thresholded on out-of-fold decision values, grouped as the roles), and its cross-validation report."""
    assert data.duty_table is not None and data.duty_lists is not None
    ids = [d["id"] for d in data.duty_table]
    Y = binarize_labels(data.duty_lists, ids)
    est = _estimator(roles.featurizer_.spec, estimator, C, DUTY_CLASS_WEIGHT, cv, seed, calibrate)
    est.fit(units, Y, labels=ids, groups=data.groups)
    if est.featurizer_.n_features != roles.featurizer_.n_features \
            or not np.array_equal(est.featurizer_.idf_, roles.featurizer_.idf_):
        raise RuntimeError("the duty head's features differ from the roles' on the same units")
    head = DutyHead(data.duty_table, est.coef_.T, est.intercept_, est.calib_a_, est.calib_b_, est.thresholds_,
                    DUTY_GATE)
    if est.oof_decision_ is None or role_hit is None:
        return head, None
    # thresholds tuned on the probabilities tagging gives: gated by the out-of-fold roles
    P = head.proba(est.oof_decision_, role_hit.astype(np.float64), data.labels)
    head.thresholds = tune_thresholds(P, Y)
    report = duty_report(data.duty_lists, _labels_from_probs(P, head.thresholds, ids), ids)
    report["folds"] = cv
    return head, report


def _cv_report(
    Z: np.ndarray, P: np.ndarray, Y: np.ndarray, thresholds: np.ndarray, data: _TrainingSet, folds: int
) -> dict[str, Any]:
    """What cross-validation measured: calibration of the out-of-fold probabilities ``P`` (and of the plain
    sigmoid of the decision values ``Z``), and the scores of the labels they give at the tuned thresholds."""
    cv_report = multilabel_report(
        data.label_lists, _labels_from_probs(P, thresholds, data.labels), data.labels, registers=data.registers
    )
    cv_report["folds"] = folds
    return {
        "calibration_cv": {"uncalibrated": calibration_report(sigmoid(Z), Y), "calibrated": calibration_report(P, Y)},
        "cv": cv_report,
    }


def _held_out_report(
    model: RoleClassifier, items: Sequence[CorpusItem], labels: Sequence[str], command: str | None
) -> dict[str, Any]:
    """The model's scores on the held-out items, their calibration, and the command that measured them."""
    test = evaluate(model, items)
    test.pop("errors", None)
    test["calibration"] = _test_calibration(model, items, labels)
    test["command"] = command or ""
    return test


def _card_texts(data: _TrainingSet) -> dict[str, str]:
    """The card's description and intended use: the shipped taxonomy's on the project's corpus, else words of the
    user's own label set and corpus (a model of 営業 / 企画 / 事務 is not described as the shipped one)."""
    from .labels import ROLES

    files = data.files or ["items given in Python"]
    ours = list(data.labels) == list(ROLES) and all(Path(f).parts[:1] == ("corpus",) for f in data.files)
    if ours:
        return {"description": "Tags Japanese business text as sales (営業), distribution (販売), marketing "
                               "(マーケティング) or other."}
    shown = ", ".join(data.labels)
    return {
        "description": f"Tags text as {shown} or other (none of them): a label set of its own, learned from "
                       f"{', '.join(files)}.",
        "intended_use": f"Tags text like that of its training corpus ({len(data.items)} items of "
                        f"{', '.join(files)}) with {shown}; text unlike it (other registers, industries or "
                        "wording) will score lower than the figures above.",
    }


def _model_card(
    data: _TrainingSet, out: str | Path | None, name: str | None, estimator: str, metrics: dict[str, Any]
) -> dict[str, Any]:
    """The model's metadata: name, description, estimator, corpus identity, library versions and metrics."""
    return {
        "name": name or (Path(out).name if out else "model"),
        **_card_texts(data),
        "estimator": estimator,
        "trained": time.strftime("%Y-%m-%d"),
        "corpus": {
            "files": data.files,
            "sha256": corpus_hash(data.items),
            "n_items": len(data.items),
            "n_train_units": len(data.texts),
            "n_test_items": len(data.test_items),
            "label_counts": data.label_counts,
            **({"duty_list": data.duty_source} if data.duty_table is not None else {}),
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


def _test_calibration(model: RoleClassifier, items: Sequence[CorpusItem], labels: Sequence[str]) -> dict[str, Any]:
    """Brier / ECE of the model's sentence probabilities on held-out sentence items, with and without
    its Platt scaling."""
    sel = [it for it in items if not it.is_document]
    if not sel:
        return {}
    Z = model.decision_function_units(model.units([it.text for it in sel]))
    Y = binarize_labels([it.labels for it in sel], labels)
    return {
        "uncalibrated": calibration_report(sigmoid(Z), Y),
        "calibrated": calibration_report(sigmoid(model.calib_a_ * Z + model.calib_b_), Y),
    }


def _refuse_bad_labels(items: Sequence[CorpusItem], allowed: Sequence[str] | None) -> None:
    """Unknown labels (when the allowed set is given) and one text with conflicting labels, per record."""
    problems: list[str] = []
    if allowed is not None:
        problems += [f"{it.location}: unknown label(s) {', '.join(bad)}; allowed: {', '.join(allowed)}"
                     for it in items if (bad := unknown_labels(it, allowed))]
    for j, i in repeated_texts(items):
        first, it = items[j], items[i]
        if sorted(first.labels) != sorted(it.labels):
            problems.append(
                f"{it.location}: same text as {first.location} with other labels "
                f"({label_set_key(it.labels)} vs {label_set_key(first.labels)}); make them agree"
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
