"""GiNZA's static word vectors and the neighbouring lines as features, beside the shipped tf-idf features, under
cross-validation grouped by writing batch and register, and on real companies' text.

    python bench/vectors.py              # writes bench/VECTORS.md (about 5 minutes on 2 cores)

Variants (the estimator is the shipped one: a class-balanced LinearSVC per role, C=1, a label where its score is
at least 0, the calibrated margin):

- tf-idf: the shipped features (word 1-2 and character 1-3 n-grams);
- + vectors a: the mean of the unit's ja_ginza word vectors (300 dimensions, 20,000 words, looked up by the
  normalised form the features use), L2-normalised and scaled by a, appended to the tf-idf row;
- + context b: the tf-idf rows of the line before and after in the same document, scaled by b, added to the
  unit's own (a job ad's line read with its neighbours; sentence items have none).

Grouped: every training unit scored out-of-fold, 5 folds grouped by the item's ``source`` + ``register``, each
fold's features and models fitted on the other folds. Real (``../shared/realworld/``, third-party, read from
there and never copied): the sentences, and the job descriptions split into lines (their context is their
neighbours) and rolled up with the shipped rule, calibration from the grouped out-of-fold scores. Macro-F1 over
sales, distribution, marketing and other; job descriptions by exact match.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
VARIANTS = [("tf-idf (shipped)", 0.0, 0.0), ("+ vectors 0.5", 0.5, 0.0), ("+ vectors 1.0", 1.0, 0.0),
            ("+ context 0.3", 0.0, 0.3), ("+ context 0.6", 0.0, 0.6)]


def vector_table():
    import spacy

    nlp = spacy.load("ja_ginza", exclude=["parser", "ner", "attribute_ruler", "compound_splitter",
                                           "bunsetu_recognizer", "morphologue", "tok2vec"])
    return nlp.vocab


def unit_vectors(units, vocab) -> np.ndarray:
    vec, strings = vocab.vectors, vocab.strings
    out = np.zeros((len(units), vec.shape[1]), dtype=np.float32)
    for i, u in enumerate(units):
        rows = [vec[strings[w]] for w in u.words if w in strings and strings[w] in vec]
        if rows:
            v = np.mean(rows, axis=0)
            n = float(np.linalg.norm(v))
            if n > 0:
                out[i] = v / n
    return out


def neighbours(doc_of: list) -> tuple[np.ndarray, np.ndarray]:
    """Index of the previous and next unit of the same document (-1: none)."""
    prev = np.full(len(doc_of), -1)
    nxt = np.full(len(doc_of), -1)
    for i in range(1, len(doc_of)):
        if doc_of[i] is not None and doc_of[i] == doc_of[i - 1]:
            prev[i], nxt[i - 1] = i - 1, i
    return prev, nxt


def with_context(X: sp.csr_matrix, prev: np.ndarray, nxt: np.ndarray, b: float) -> sp.csr_matrix:
    if not b:
        return X
    n = X.shape[0]
    rows, cols = [], []
    for nb in (prev, nxt):
        has = np.flatnonzero(nb >= 0)
        rows.append(has)
        cols.append(nb[has])
    r, c = np.concatenate(rows), np.concatenate(cols)
    M = sp.csr_matrix((np.full(len(r), b), (r, c)), shape=(n, n))
    return (X + M @ X).tocsr()


def design(feat, units, V, prev, nxt, a, b):
    X = with_context(feat.transform(units), prev, nxt, b)
    return sp.hstack([X, sp.csr_matrix(V * a)]).tocsr() if a else X


def main() -> None:
    from _grouped import REAL_FILES, grouped_training

    from roleclassify.corpus import read_corpus
    from roleclassify.estimator import RoleClassifierEstimator
    from roleclassify.evaluation import multilabel_report
    from roleclassify.features import Featurizer, analyze
    from roleclassify.model import rollup_scores
    from roleclassify.text import split_sentences
    from roleclassify.tokenize import FastTokenizer
    from roleclassify.training import DEFAULT_SPEC, fit_calibration, sigmoid

    t_start = time.perf_counter()
    data, groups, units, labels, Y = grouped_training("vectors.py")
    by_id = {it.id: it for it in data.train_items}
    paths = REAL_FILES
    tok = FastTokenizer()
    doc_of = [g if by_id[g].unit == "document" or by_id[g].lines else None for g in data.groups]
    prev, nxt = neighbours(doc_of)
    vocab = vector_table()
    V = unit_vectors(units, vocab)
    real = [it for it in read_corpus(paths) if it.has_document_label]
    r_sent = [it for it in real if not it.is_document]
    r_doc = [it for it in real if it.is_document]
    rs_units = analyze([it.text for it in r_sent], DEFAULT_SPEC, tok)
    rd_lines = [split_sentences(it.text) for it in r_doc]
    rd_units = analyze([s for ls in rd_lines for s in ls], DEFAULT_SPEC, tok, stripped=True)
    rd_of = [k for k, ls in enumerate(rd_lines) for _ in ls]
    rd_prev, rd_nxt = neighbours(rd_of)
    no_nb = np.full(len(rs_units), -1)
    est = RoleClassifierEstimator(cv=5)
    folds = est._folds(Y, labels, groups)
    gold = [[labels[j] for j in np.flatnonzero(row)] for row in Y]
    rows = []
    for name, a, b in VARIANTS:
        Z = np.zeros(Y.shape)
        for tr, te in folds:
            feat = Featurizer(DEFAULT_SPEC).fit([units[i] for i in tr])
            Xall = design(feat, units, V, prev, nxt, a, b)  # context rows may reach across the fold's edge
            coef, icpt = est._fit_linear(Xall[tr], Y[tr])
            Z[te] = Xall[te] @ coef.T + icpt
        grouped = multilabel_report(gold, [[labels[j] for j in np.flatnonzero(r >= 0)] for r in Z], labels)
        ca, cb = fit_calibration(Z, Y)
        feat = Featurizer(DEFAULT_SPEC).fit(units)
        coef, icpt = est._fit_linear(design(feat, units, V, prev, nxt, a, b), Y)
        zs = design(feat, rs_units, unit_vectors(rs_units, vocab), no_nb, no_nb, a, b) @ coef.T + icpt
        sent = multilabel_report([it.labels for it in r_sent], [[labels[j] for j in np.flatnonzero(r >= 0)]
                                                                 for r in zs], labels)
        zd = design(feat, rd_units, unit_vectors(rd_units, vocab), rd_prev, rd_nxt, a, b) @ coef.T + icpt
        pd_ = sigmoid(ca * zd + cb)
        th = sigmoid(cb)
        hits = 0
        for k, it in enumerate(r_doc):
            p = pd_[np.array(rd_of) == k]
            if not (p >= th).any():
                pred = set()
            else:
                s = rollup_scores(p)
                pred = {labels[j] for j, x in enumerate(s) if x >= 0.4} or {labels[int(np.argmax(s))]}
            hits += pred == set(it.labels)
        rows.append((name, grouped, sent, hits / len(r_doc)))
        print(f"{name}: grouped {grouped['macro_f1']:.3f}, real sentences {sent['macro_f1']:.3f}, "
              f"real job descriptions {hits / len(r_doc):.3f}", file=sys.stderr)
    covered = float((np.abs(V).sum(axis=1) > 0).mean())
    lines = [
        "# Static word vectors and neighbouring lines as features",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} in one run of `python bench/vectors.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()} ({time.perf_counter() - t_start:.0f} s).",
        "",
        f"Grouped: {len(Y):,} training units out-of-fold, 5 folds grouped by writing batch and register "
        f"({len(set(groups))} groups). Real: {len(r_sent)} sentences and {len(r_doc)} job descriptions of real "
        f"companies. ja_ginza's vectors cover at least one word of {100 * covered:.1f} % of the training units.",
        "",
        "| features | grouped CV macro-F1 | real sentences macro-F1 | real job descriptions exact |",
        "|---|---:|---:|---:|",
    ]
    for name, g, s, d in rows:
        lines.append(f"| {name} | {g['macro_f1']:.3f} | {s['macro_f1']:.3f} | {d:.3f} |")
    base = rows[0]
    better = [r for r in rows[1:] if r[1]["macro_f1"] > base[1]["macro_f1"] + 0.005]
    lines += ["", "## Choice", "",
              ("No variant beats the shipped features by more than half a point under the grouping, so the "
               "shipped features stay." if not better else
               "Ahead under the grouping by more than half a point: " + ", ".join(r[0] for r in better) + "."), ""]
    (ROOT / "bench" / "VECTORS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
