"""Choose features and regularisation by measurement: grouped, stratified 5-fold cross-validation.

Features are chosen with one logistic regression per label (the estimator is chosen afterwards on the
winning feature set, by bench/select_estimator.py). Every feature set and C value is scored on the training split of the shipped corpus (the held-out test split
is never looked at), twice: with 5-fold cross-validation (folds stratified by label set, grouped by item), and
leaving one writer out (each corpus batch was written by a different hand; a model trained on the other
writers is scored on the held-out writer's items). Real text comes from writers the corpus has never seen, so
the leave-one-writer-out score decides. Macro-F1 is over sales, distribution, marketing and other, with per-label thresholds
tuned on the out-of-fold probabilities exactly as `roleclassify train` does. Where ../shared/realworld is
present, each configuration is also trained on the whole training split and scored on the real-world job-ad
sentences, as a generalisation check (reported, not used to choose).

    python bench/select_features.py                  # writes bench/FEATURES.md
    python bench/select_features.py --quick          # fewer configurations
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from roleclassify.corpus import CorpusItem, label_set, read_corpus, training_units
from roleclassify.evaluation import multilabel_report
from roleclassify.features import FeatureSpec, units_from_tokens
from roleclassify.text import normalize, strip_marker
from roleclassify.tokenize import FastTokenizer
from roleclassify.training import binarize_labels, cross_val_proba, fit, tune_thresholds

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld" / "jobads_dev.jsonl"

SPECS = {
    "word 1 (norm)": FeatureSpec(word_ngrams=(1,), char_ngrams=()),
    "word 1-2 (norm)": FeatureSpec(word_ngrams=(1, 2), char_ngrams=()),
    "word 1-2 (lemma)": FeatureSpec(word="lemma", word_ngrams=(1, 2), char_ngrams=()),
    "word 1-2 (surface)": FeatureSpec(word="surface", word_ngrams=(1, 2), char_ngrams=()),
    "word 1-2 content-only": FeatureSpec(word_ngrams=(1, 2), char_ngrams=(), content_only=True),
    "char 1-3": FeatureSpec(word_ngrams=(), char_ngrams=(1, 2, 3)),
    "char 2-4": FeatureSpec(word_ngrams=(), char_ngrams=(2, 3, 4)),
    "word 1-2 + char 2-3": FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2, 3)),
    "word 1-2 + char 1-3": FeatureSpec(word_ngrams=(1, 2), char_ngrams=(1, 2, 3)),
    "word 1-2 + char 2-4": FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2, 3, 4)),
    "word 1 + char 2-3": FeatureSpec(word_ngrams=(1,), char_ngrams=(2, 3)),
    "word 1-3 + char 2-3": FeatureSpec(word_ngrams=(1, 2, 3), char_ngrams=(2, 3)),
    "word 1-2 content + char 2-3": FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2, 3), content_only=True),
}
QUICK = ["word 1-2 (norm)", "char 2-4", "word 1-2 + char 2-3"]
CS = [1.0, 3.0, 10.0, 30.0]
QUICK_CS = [3.0, 10.0, 30.0]


def _realworld(labels: list[str]) -> tuple[list[str], list[list[str]]]:
    texts, gold = [], []
    if REALWORLD.exists():
        for line in REALWORLD.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if d["unit"] == "sentence":
                texts.append(d["text"])
                gold.append([l for l in d["labels"] if l in labels])
    return texts, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", default=[str(ROOT / "corpus" / "sentences"), str(ROOT / "corpus" / "jobs")])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "FEATURES.md"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", default=None, help="one feature set by name (e.g. to extend the C grid)")
    ap.add_argument("--cs", default=None, help="comma-separated C values instead of the default grid")
    args = ap.parse_args()

    items: list[CorpusItem] = [it for it in read_corpus(args.corpus) if it.split != "test"]
    texts, label_lists, groups, _ = training_units(items)
    writer_of = {it.id: (it.source or "unknown") for it in items}
    writers = [writer_of[g] for g in groups]
    labels = label_set(items)
    Y = binarize_labels(label_lists, labels)
    tok = FastTokenizer()
    t0 = time.perf_counter()
    norm = [normalize(strip_marker(t)) for t in texts]
    toks = [tok(n) for n in norm]
    rw_texts, rw_gold = _realworld(labels)
    rw_norm = [normalize(strip_marker(t)) for t in rw_texts]
    rw_toks = [tok(n) for n in rw_norm]
    print(f"{len(texts)} units tokenized in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    rows = []
    names = [args.only] if args.only else (QUICK if args.quick else list(SPECS))
    for name in names:
        spec = SPECS[name]
        feats = units_from_tokens(norm, toks, spec)
        grid = [float(c) for c in args.cs.split(",")] if args.cs else (QUICK_CS if args.quick else CS)
        for C in grid:
            t1 = time.perf_counter()
            P = cross_val_proba(feats, label_lists, labels, groups, spec=spec, estimator="logreg", C=C,
                                n_splits=args.folds)
            th = tune_thresholds(P, Y)
            pred = [[l for l, p, t in zip(labels, row, th) if p >= t] for row in P]
            rep = multilabel_report(label_lists, pred, labels)
            pred05 = [[l for l, p in zip(labels, row) if p >= 0.5] for row in P]
            rep05 = multilabel_report(label_lists, pred05, labels)
            Pw = cross_val_proba(feats, label_lists, labels, writers, spec=spec, estimator="logreg", C=C,
                                 n_splits=len(set(writers)))
            thw = tune_thresholds(Pw, Y)
            repw = multilabel_report(label_lists, [[l for l, p, t in zip(labels, row, thw) if p >= t] for row in Pw], labels)
            rw = None
            if rw_texts:
                model = fit(feats, label_lists, labels, spec=spec, estimator="logreg", C=C)
                model.thresholds_ = th
                Pr = model.proba_units(units_from_tokens(rw_norm, rw_toks, spec))
                rw_pred = [[l for l, p, t in zip(labels, row, th) if p >= t] for row in Pr]
                rw = multilabel_report(rw_gold, rw_pred, labels)["macro_f1"]
            rows.append((name, C, repw["macro_f1"], rep["macro_f1"], rep05["macro_f1"], rep["exact_match"], rw,
                         time.perf_counter() - t1))
            print(f"{name:32s} C={C:<5} writer-out {repw['macro_f1']:.4f} macro-F1 {rep['macro_f1']:.4f} "
                  f"(@0.5 {rep05['macro_f1']:.4f}) exact {rep['exact_match']:.4f} realworld {rw}", file=sys.stderr)

    rows.sort(key=lambda r: -r[2])
    best = rows[0]
    lines = [
        "# Feature and regularisation selection",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} by `python bench/select_features.py` on the training split of the "
        f"shipped corpus ({len(texts)} units from {len(items)} items; the test split is not used). "
        f"`writer-out`: leave-one-writer-out ({len(set(writers))} writers: the corpus batches); `CV`: "
        f"{args.folds}-fold cross-validation, stratified by label set and grouped by source item; "
        "estimator: one L2 logistic regression (liblinear) per label. Macro-F1 over "
        f"{', '.join(labels)} and other, with per-label thresholds tuned on the out-of-fold probabilities; "
        "`@0.5` is the same with every threshold at 0.5. `real-world` is macro-F1 on the sentence items of "
        "../shared/realworld/jobads_dev.jsonl after training on the whole training split (a generalisation "
        "check, not used to choose).",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| features | C | macro-F1 (writer-out) | macro-F1 (CV) | CV @0.5 | CV exact match | real-world macro-F1 | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, C, f1w, f1, f105, em, rw, sec in rows:
        mark = "**" if (name, C) == (best[0], best[1]) else ""
        rws = f"{rw:.4f}" if rw is not None else "n/a"
        lines.append(f"| {mark}{name}{mark} | {C:g} | {f1w:.4f} | {f1:.4f} | {f105:.4f} | {em:.4f} | {rws} | {sec:.1f} |")
    lines += ["", f"Best leaving one writer out: **{best[0]}**, C = {best[1]:g} (the shipped default).", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
