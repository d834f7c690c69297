"""Corpus maintenance: statistics, the fixed held-out split, and quality checks.

Near-duplicates are units whose character-trigram TF-IDF vectors have cosine similarity at or above
``NEAR_DUP`` (after marker stripping and NFKC normalisation). The held-out split keeps every near-duplicate
group on one side, so no near-copy of a test item is trained on.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import (
    CorpusItem,
    corpus_files,
    label_location,
    label_set,
    read_corpus,
    read_corpus_with_problems,
    repeated_texts,
    unknown_labels,
)
from .errors import CorpusError, InputError
from .io.fileio import atomic_write_bytes
from .io.readers import read_text
from .labels import label_set_key
from .text import text_key

__all__ = [
    "corpus_stats",
    "union_groups",
    "near_duplicate_pairs",
    "assign_splits",
    "write_splits",
    "check_corpus",
    "CheckResult",
    "NEAR_DUP",
]

#: Cosine similarity of character-trigram TF-IDF vectors from which two units count as near-duplicates.
NEAR_DUP = 0.8


def corpus_stats(items: Sequence[CorpusItem]) -> dict[str, Any]:
    """Counts by label, label set, unit, register, industry, source, split and tag.

    Label counts count each item once per label it has (``other`` = no label); documents' lines are
    counted separately under ``lines``.
    """
    def count(f: Callable[[CorpusItem], str]) -> dict[str, int]:
        return dict(Counter(f(it) for it in items).most_common())

    by_label: Counter[str] = Counter()
    for it in items:
        for l in it.labels or ["other"]:
            by_label[f"{it.unit}:{l}"] += 1
    lines: Counter[str] = Counter()
    n_lines = []
    for it in items:
        if it.lines:
            n_lines.append(len(it.lines))
            for _, lab in it.lines:
                for l in lab or ["other"]:
                    lines[l] += 1
    tags: Counter[str] = Counter(t for it in items for t in it.tags)
    sentences = [it for it in items if not it.is_document]
    return {
        "items": len(items),
        "by_unit": count(lambda it: it.unit),
        "by_label": dict(sorted(by_label.items())),
        "multi_label": {
            "sentence": sum(1 for it in sentences if len(it.labels) > 1),
            "document": sum(1 for it in items if it.unit == "document" and len(it.labels) > 1),
        },
        "by_label_set": count(lambda it: f"{it.unit}:{label_set_key(it.labels)}"),
        "by_register": count(lambda it: it.register or "unknown"),
        "by_industry": count(lambda it: it.industry or "unknown"),
        "by_source": count(lambda it: (it.source or "unknown").split(":")[0] + ":" + (it.source or "").split(":")[-1]),
        "by_split": count(lambda it: it.split or "none"),
        "by_tag": dict(tags.most_common()),
        "document_lines": {
            "n_documents": len(n_lines),
            "min": min(n_lines) if n_lines else 0,
            "max": max(n_lines) if n_lines else 0,
            "by_label": dict(sorted(lines.items())),
        },
    }


def _unit_texts(items: Sequence[CorpusItem]) -> list[str]:
    return [text_key(it.text) for it in items]


def near_duplicate_pairs(
    items: Sequence[CorpusItem], threshold: float = NEAR_DUP
) -> list[tuple[int, int, float]]:
    """Index pairs (i < j) of near-duplicate items with their similarity, exact duplicates included."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _unit_texts(items)
    if len(texts) < 2:
        return []
    vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 3), min_df=1, sublinear_tf=True)
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # every text shorter than 3 characters
        return [(i, j, 1.0) for i in range(len(texts)) for j in range(i + 1, len(texts)) if texts[i] == texts[j]]
    pairs: list[tuple[int, int, float]] = []
    step = 512
    for start in range(0, X.shape[0], step):
        S = (X[start : start + step] @ X.T).tocoo()
        for i, j, v in zip(S.row, S.col, S.data):
            gi = start + int(i)
            if gi < j and v >= threshold - 1e-9:
                pairs.append((gi, int(j), round(float(v), 3)))
    # identical short texts (no trigram) are duplicates too
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        if len(t) < 3:
            by_text[t].append(i)
    for ix in by_text.values():
        pairs += [(a, b, 1.0) for k, a in enumerate(ix) for b in ix[k + 1 :]]
    return sorted(pairs)


def union_groups(n: int, pairs: Iterable[tuple[int, int, float]]) -> list[int]:
    """Group id of each of ``n`` items when the ``(a, b, score)`` pairs join items (connected components)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    return [find(i) for i in range(n)]


def assign_splits(
    items: Sequence[CorpusItem], *, test_size: float = 0.2, seed: int = 0
) -> list[str]:
    """A stratified train/test assignment per item that keeps near-duplicate groups together.

    Strata are (unit, label set); within each stratum, whole near-duplicate groups are drawn at random
    until the stratum's test share reaches ``test_size``. Items already marked ``test`` stay in test, so
    the split stays fixed as the corpus grows.
    """
    groups = union_groups(len(items), near_duplicate_pairs(items))
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    split = ["train"] * len(items)
    fixed_test = {groups[i] for i, it in enumerate(items) if it.split == "test"}
    for g in fixed_test:
        for i in members[g]:
            split[i] = "test"
    strata: dict[str, list[int]] = defaultdict(list)
    for g, ix in members.items():
        it = items[ix[0]]
        strata[f"{it.unit}:{label_set_key(it.labels)}"].append(g)
    rng = random.Random(seed)
    for key in sorted(strata):
        gs = sorted(strata[key])
        total = sum(len(members[g]) for g in gs)
        have = sum(len(members[g]) for g in gs if g in fixed_test)
        pool = [g for g in gs if g not in fixed_test]
        rng.shuffle(pool)
        for g in pool:
            if have >= test_size * total - 1e-9 or total < 2:
                break
            for i in members[g]:
                split[i] = "test"
            have += len(members[g])
    return split


def write_splits(paths: Sequence[str | Path], *, test_size: float = 0.2, seed: int = 0) -> dict[str, int]:
    """Assign splits over the corpus files (JSONL) and write each record's ``split`` field in place."""
    files = corpus_files(paths)
    items = read_corpus(files)
    splits = assign_splits(items, test_size=test_size, seed=seed)
    by_loc = {it.location: s for it, s in zip(items, splits)}
    for path in files:
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            raise CorpusError(f"{path}: splits are written into uncompressed JSONL corpora only")
        out = []
        for n, line in enumerate(read_text(str(path)).splitlines(), 1):  # decoded as read_corpus decoded it
            if not line.strip():
                continue
            obj = json.loads(line)
            obj["split"] = by_loc[f"{path}:{n}"]
            out.append(json.dumps(obj, ensure_ascii=False))
        atomic_write_bytes(path, ("\n".join(out) + "\n").encode("utf-8"))
    return dict(Counter(splits))


@dataclass
class CheckResult:
    """Findings of :func:`check_corpus`: errors fail the check, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": self.errors, "warnings": self.warnings, "stats": self.stats}


def check_corpus(
    paths: Sequence[str | Path],
    *,
    labels: Sequence[str] | None = None,
    min_class: int = 10,
    near_dup: float = NEAR_DUP,
    label_errors: bool = True,
    max_listed: int = 50,
    encoding: str | None = None,
) -> CheckResult:
    """Check a corpus: schema, unknown labels, empty text, duplicates, leakage, conflicts, class sizes,
    and likely label errors (items whose cross-validated prediction strongly disagrees with their label).
    """
    res = CheckResult()
    try:
        items, problems = read_corpus_with_problems(paths, encoding=encoding)
    except (CorpusError, InputError) as e:  # a file that cannot be read or decoded
        res.errors.append(str(e))
        return res
    res.errors.extend(problems)
    used = label_set(items)
    if labels:
        res.errors.extend(_unknown_labels(items, list(labels)))
    texts = _unit_texts(items)
    _check_exact_duplicates(res, items, texts)
    n_near = _check_near_duplicates(res, items, texts, near_dup, max_listed)
    counts = _label_counts(items)
    res.errors.extend(
        f"{label_location(items, l)}label {l!r} has only {counts[l]} example(s); at least {min_class} are needed to "
        "learn it (a typo?)"
        for l in used if counts[l] < min_class
    )
    if label_errors and len(items) >= 50 and used:
        res.warnings.extend(_likely_label_errors(items, used, max_listed))
    res.stats = {"items": len(items), "labels": dict(counts), "near_duplicate_pairs": n_near}
    return res


def _unknown_labels(items: Sequence[CorpusItem], declared: list[str]) -> list[str]:
    """An error for each item (its own labels or its lines') with a label not in ``declared``."""
    return [f"{it.location}: unknown label(s) {bad}; allowed: {declared}"
            for it in items if (bad := unknown_labels(it, declared))]


def _check_exact_duplicates(res: CheckResult, items: Sequence[CorpusItem], texts: Sequence[str]) -> None:
    """Items whose text (``texts``: their comparison keys) repeats an earlier one's: conflicting labels and
    train/test leakage are errors, a plain duplicate a warning."""
    for j, i in repeated_texts(items, texts):
        a, b = items[j], items[i]
        if sorted(a.labels) != sorted(b.labels):
            res.errors.append(
                f"{b.location}: conflicting labels for the same text as {a.location}: "
                f"{label_set_key(b.labels)} vs {label_set_key(a.labels)}"
            )
        elif (a.split or "train") != (b.split or "train"):
            res.errors.append(f"{b.location}: exact duplicate of {a.location} in the other split (train/test leakage)")
        else:
            res.warnings.append(f"{b.location}: exact duplicate of {a.location}")


def _check_near_duplicates(
    res: CheckResult, items: Sequence[CorpusItem], texts: Sequence[str], near_dup: float, max_listed: int
) -> int:
    """Near-duplicate pairs that are not exact duplicates: across the split an error (leakage), within one a
    warning (the first ``max_listed`` listed). Returns the number of pairs within a split."""
    n_near = 0
    for i, j, sim in near_duplicate_pairs(items, near_dup):
        a, b = items[i], items[j]
        if texts[i] == texts[j]:
            continue
        if (a.split or "train") != (b.split or "train"):
            res.errors.append(
                f"{b.location}: near-duplicate ({sim:.2f}) of {a.location} in the other split (train/test leakage)"
            )
        else:
            n_near += 1
            if n_near <= max_listed:
                res.warnings.append(f"{b.location}: near-duplicate ({sim:.2f}) of {a.location}")
    if n_near > max_listed:
        res.warnings.append(f"... {n_near - max_listed} more near-duplicate pair(s)")
    return n_near


def _label_counts(items: Sequence[CorpusItem]) -> Counter[str]:
    """Examples per label: items' own labels and their lines' labels."""
    counts = Counter(l for it in items for l in it.labels)
    for it in items:
        for _, lab in it.lines or ():
            counts.update(lab)
    return counts


def _likely_label_errors(items: Sequence[CorpusItem], labels: list[str], max_listed: int) -> list[str]:
    """Sentence items whose 5-fold out-of-fold probabilities contradict their gold labels strongly."""
    from .features import analyze
    from .tokenize import FastTokenizer
    from .training import DEFAULT_SPEC, cross_val_proba

    sel = [it for it in items if not it.is_document]
    if len(sel) < 50:
        return []
    feats = analyze([it.text for it in sel], DEFAULT_SPEC, FastTokenizer())
    P = cross_val_proba(feats, [it.labels for it in sel], labels, [it.id for it in sel], n_splits=5)
    out = []
    for it, p in zip(sel, P):
        missing = [l for l, pi in zip(labels, p) if l in it.labels and pi < 0.1]
        extra = [l for l, pi in zip(labels, p) if l not in it.labels and pi > 0.9]
        if missing or extra:
            why = ", ".join([f"{l} labelled but p={p[labels.index(l)]:.2f}" for l in missing]
                            + [f"{l} not labelled but p={p[labels.index(l)]:.2f}" for l in extra])
            out.append(f"{it.location}: likely label error ({why}): {it.text[:60]}")
    if len(out) > max_listed:
        out = out[:max_listed] + [f"... {len(out) - max_listed} more likely label error(s)"]
    return out
