"""The corpus's training split as the grouped-protocol benches take it: every training unit analysed, its label
indicators, and its group (the item's ``source`` + ``register``: a writing batch in one register)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "realworld"
REAL_FILES = [REAL / "jobads_dev.jsonl", REAL / "realtext_dev.jsonl"]
CORPUS = [ROOT / "corpus" / d for d in ("sentences", "jobs", "docs")]


def grouped_training(script: str):
    """(data, groups, units, labels, Y) of the shipped corpus's training split; exits naming ``script`` when
    the real-world sets the benches score on are not beside the project."""
    from roleclassify.features import analyze
    from roleclassify.tokenize import FastTokenizer
    from roleclassify.training import DEFAULT_SPEC, _training_set, binarize_labels

    if not all(p.exists() for p in REAL_FILES):
        sys.exit(f"{script}: the real-world sets are not in {REAL}")
    data = _training_set(CORPUS, None, False, None, None)
    by_id = {it.id: it for it in data.train_items}
    groups = [f"{by_id[g].source}|{by_id[g].register}" for g in data.groups]
    units = analyze(data.texts, DEFAULT_SPEC, FastTokenizer())
    labels = list(data.labels)
    return data, groups, units, labels, binarize_labels(data.label_lists, labels)
