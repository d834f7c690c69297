"""How each role's threshold is set, measured under cross-validation grouped by writing batch and register, and on
real companies' sentences.

    python bench/thresholds.py           # writes bench/THRESHOLDS.md (about 2 minutes on 2 cores)

Every training unit of the corpus is scored out-of-fold: 5 folds grouped by the item's ``source`` + ``register``
(a writing batch in one register), so each unit is scored by a model that saw neither its batch nor its register.
For each test fold, calibration and thresholds come from the other folds' out-of-fold scores only (never from the
fold scored): ``margin`` puts each label's threshold at the calibrated probability of decision value 0, ``tuned``
at the F1-best value on those scores (``train --thresholds``). The real sentences (``../shared/realworld/``,
third-party, read from there and never copied) are tagged by two models trained on the whole corpus the same way,
one per rule. Macro-F1 over sales, distribution, marketing and other.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
RULES = ("margin", "tuned")


def main() -> None:
    from _grouped import CORPUS, REAL_FILES, grouped_training

    from roleclassify.corpus import read_corpus
    from roleclassify.estimator import RoleClassifierEstimator
    from roleclassify.evaluation import multilabel_report
    from roleclassify.training import sigmoid, train

    t_start = time.perf_counter()
    data, groups, units, labels, Y = grouped_training("thresholds.py")
    paths, corpus = REAL_FILES, CORPUS
    est = RoleClassifierEstimator(cv=5)
    Z = est.cross_val_decision(units, Y, labels=labels, groups=groups)
    folds = est._folds(Y, labels, groups)
    gold = [[labels[j] for j in np.flatnonzero(row)] for row in Y]
    grouped = {}
    for rule in RULES:
        pred: list[list[str]] = [[] for _ in range(len(Y))]
        for tr, te in folds:
            fold = RoleClassifierEstimator(cv=5, thresholds=rule)
            fold._fit_thresholds(Z[tr], Y[tr])
            P = sigmoid(fold.calib_a_ * Z[te] + fold.calib_b_)
            for i, row in zip(te, P >= fold.thresholds_):
                pred[i] = [labels[j] for j in np.flatnonzero(row)]
        grouped[rule] = multilabel_report(gold, pred, labels)
        print(f"{rule}: grouped CV macro-F1 {grouped[rule]['macro_f1']:.3f}", file=sys.stderr)
    real = [it for it in read_corpus(paths) if not it.is_document and it.has_document_label]
    on_real = {}
    for rule in RULES:
        model = train(corpus, None, thresholds=rule).model
        tags = model.tag([it.text for it in real], split=False)
        on_real[rule] = (multilabel_report([it.labels for it in real], [t.labels for t in tags], labels),
                         model.thresholds_)
        print(f"{rule}: real sentences macro-F1 {on_real[rule][0]['macro_f1']:.3f}", file=sys.stderr)
    classes = [*labels, "other"]
    lines = [
        "# Role thresholds: the calibrated margin or F1-tuned",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} in one run of `python bench/thresholds.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()} ({time.perf_counter() - t_start:.0f} s).",
        "",
        f"Grouped: {len(Y):,} training units scored out-of-fold, 5 folds grouped by writing batch and register "
        f"({len(set(groups))} groups); each fold's calibration and thresholds from the other folds' scores. Real: "
        f"{len(real)} sentences of real companies, tagged by a model trained on the whole training split with each "
        "rule.",
        "",
        "| rule | grouped CV: " + " | ".join(f"F1 {c}" for c in classes) + " | grouped CV macro-F1 | real: "
        + " | ".join(f"F1 {c}" for c in classes) + " | real macro-F1 | thresholds (whole corpus) |",
        "|---|" + "---:|" * (2 * len(classes) + 3),
    ]
    for rule in RULES:
        g, (r, th) = grouped[rule], on_real[rule]
        lines.append(f"| {rule} | " + " | ".join(f"{g['per_class'][c]['f1']:.3f}" for c in classes)
                     + f" | **{g['macro_f1']:.3f}** | " + " | ".join(f"{r['per_class'][c]['f1']:.3f}" for c in classes)
                     + f" | **{r['macro_f1']:.3f}** | " + ", ".join(f"{t:.3f}" for t in th) + " |")
    lines += ["", "Per class, the margin trades precision for recall where the tuned thresholds sat above the "
              "boundary (recall per class, grouped / real):", ""]
    for rule in RULES:
        g, (r, _) = grouped[rule], on_real[rule]
        lines.append(f"- {rule}: " + ", ".join(
            f"{c} {g['per_class'][c]['recall']:.3f} / {r['per_class'][c]['recall']:.3f}" for c in labels))
    lines.append("")
    (ROOT / "bench" / "THRESHOLDS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
