"""Evaluation: per-class precision / recall / F1, macro-F1, exact match and label-set confusion.

Multi-label scoring: each role is a class, and ``other`` (no role) is one more class, so macro-F1 is over the
roles plus ``other``. The confusion matrix counts gold label sets against predicted label sets.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CorpusError
from .io.fileio import atomic_write_bytes
from .labels import OTHER, label_set_key

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import CorpusItem
    from .model import RoleClassifier

__all__ = ["multilabel_report", "duty_report", "duty_units", "evaluate", "misclassified_jsonl", "write_misclassified", "OTHER"]

#: How many of the most confused duty pairs a duty report lists.
CONFUSED_PAIRS = 10




def _key(labels: Collection[str], order: Sequence[str]) -> str:
    return label_set_key(l for l in order if l in labels)


@dataclass
class _Counts:
    """Per-class true positives, false positives, false negatives and gold support, exact matches and the
    label-set confusion (gold key -> predicted key -> count)."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    support: Counter[str] = field(default_factory=Counter)
    exact: int = 0
    confusion: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def multilabel_report(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    registers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Scores of predicted label lists against gold ones (``other`` = empty list or ["other"])."""
    classes = [*labels, OTHER]
    counts = _count(gold, pred, classes)
    per_class = {c: _class_scores(counts, c) for c in classes}
    scored = [c for c in classes if counts.support[c] or counts.fp[c]]
    macro = sum(per_class[c]["f1"] for c in scored) / len(scored) if scored else 0.0
    n = len(gold)
    report: dict[str, Any] = {
        "n": n,
        "macro_f1": round(macro, 4),
        "exact_match": round(counts.exact / n, 4) if n else 0.0,
        "per_class": per_class,
        "confusion": {g: dict(sorted(row.items())) for g, row in sorted(counts.confusion.items())},
    }
    if registers is not None:
        report["per_register"] = _per_register(gold, pred, labels, registers)
    return report


def duty_report(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], duties: Sequence[str]) -> dict[str, Any]:
    """Scores of predicted duty lists against gold ones, per unit: per-duty precision / recall / F1 and
    support, their macro average over the duties that occur (in gold or predicted), exact match, and the most
    confused pairs: for a unit that misses gold duty g and has predicted duty p it does not hold, one count of
    g -> p (a duty missed with no wrong one in its place, or given where none holds, counts in the duty's
    recall or precision only)."""
    counts = _count(gold, pred, duties)
    per_class = {d: _class_scores(counts, d) for d in duties}
    scored = [d for d in duties if counts.support[d] or counts.fp[d]]
    pairs: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred):
        missed = [d for d in g if d not in p]
        extra = [d for d in p if d not in g]
        pairs.update((a, b) for a in missed for b in extra)
    n = len(gold)
    return {
        "n": n,
        "macro_f1": round(sum(per_class[d]["f1"] for d in scored) / len(scored), 4) if scored else 0.0,
        "exact_match": round(counts.exact / n, 4) if n else 0.0,
        "per_class": {d: per_class[d] for d in duties if d in scored},
        "confused": [{"gold": a, "predicted": b, "count": c}
                     for (a, b), c in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:CONFUSED_PAIRS]],
    }


def _count(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], classes: Sequence[str]) -> _Counts:
    """The counts behind the scores, ``other`` standing for an empty label set on either side."""
    counts = _Counts()
    for g, p in zip(gold, pred):
        gs = {x for x in g if x != OTHER} or {OTHER}
        ps = {x for x in p if x != OTHER} or {OTHER}
        counts.exact += gs == ps
        counts.confusion[_key(gs, classes)][_key(ps, classes)] += 1
        for c in classes:
            if c in gs:
                counts.support[c] += 1
                if c in ps:
                    counts.tp[c] += 1
                else:
                    counts.fn[c] += 1
            elif c in ps:
                counts.fp[c] += 1
    return counts


def _class_scores(counts: _Counts, c: str) -> dict[str, Any]:
    """Precision, recall and F1 of class ``c`` (0 where undefined), rounded to 4 places, and its support."""
    tp, fp, fn = counts.tp[c], counts.fp[c], counts.fn[c]
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "support": counts.support[c],
    }


def _per_register(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str], registers: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Size and macro-F1 of each register's items (an empty register counts as ``unknown``)."""
    by_reg: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(registers):
        by_reg[r or "unknown"].append(i)
    return {
        r: {
            "n": len(ix),
            "macro_f1": multilabel_report([gold[i] for i in ix], [pred[i] for i in ix], labels)["macro_f1"],
        }
        for r, ix in sorted(by_reg.items())
    }


def _with_model_labels(items: Sequence[CorpusItem], labels: Sequence[str]) -> list[CorpusItem]:
    """The items with each label written as its display name (営業, 販売, マーケティング: what ``tag --lang ja``
    writes) taken as the model's label of that name; other labels as they are."""
    from dataclasses import replace

    from .labels import display_label

    names = {display_label(l, "ja"): l for l in labels if display_label(l, "ja") != l}
    if not names or not any(l in names for it in items for l in it.labels):
        return list(items)

    def keys(ls: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(names.get(l, l) for l in ls))

    return [replace(it, labels=keys(it.labels), lines=[(t, keys(ls)) for t, ls in it.lines] if it.lines else it.lines)
            for it in items]


def evaluate(
    model: RoleClassifier,
    items: Sequence[CorpusItem],
    *,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Score a model on corpus items: sentence items as single units, documents split and rolled up.

    Returns ``{"labels", "sentences", "documents", "errors"}``; ``errors`` lists every misclassified item
    (id, text, gold, predicted, scores) for error analysis. With a model that has a duty head and items that
    state duties, ``"duties"`` is the :func:`duty_report` of every unit that states them (sentence items and
    document lines, each tagged as one unit).
    """
    items = _with_model_labels(items, model.labels)
    unknown = sorted({l for it in items for l in [*it.labels, *(l for _, ls in it.lines or () for l in ls)]}
                     - set(model.labels))
    if unknown:
        first = next(it for it in items if set(it.labels) & set(unknown)
                     or any(set(ls) & set(unknown) for _, ls in it.lines or ()))
        raise CorpusError(
            f"{first.location + ': ' if first.location else ''}the corpus uses label(s) {', '.join(unknown)} that "
            f"the model does not know (model labels: {', '.join(model.labels)}); fix the label, or evaluate with a "
            "model trained on this label set"
        )
    result: dict[str, Any] = {"labels": list(model.labels)}
    errors: list[dict[str, Any]] = []
    for unit, split in (("sentences", False), ("documents", True)):
        sel = [it for it in items if it.is_document == split and it.has_document_label]
        if not sel:
            result[unit] = {"n": 0}
            continue
        tags = model.tag([it.text for it in sel], threshold=threshold, split=split)
        gold = [it.labels for it in sel]
        pred = [t.labels for t in tags]
        result[unit] = multilabel_report(
            gold, pred, model.labels, registers=[it.register or "unknown" for it in sel]
        )
        for it, t in zip(sel, tags):
            if set(it.labels or [OTHER]) != set(t.labels):
                errors.append(
                    {
                        "id": it.id,
                        "unit": it.unit,
                        "text": it.text,
                        "gold": it.labels or [OTHER],
                        "predicted": t.labels,
                        "scores": t.scores,
                        "location": it.location,
                    }
                )
    duties = _duty_section(model, items)
    if duties is not None:
        result["duties"] = duties
    result["errors"] = errors
    return result


def duty_units(items: Sequence[CorpusItem]) -> tuple[list[str], list[list[str]]]:
    """The units of ``items`` that state their duties: a sentence item's text, a document's lines; and their
    duties."""
    texts: list[str] = []
    gold: list[list[str]] = []
    for it in items:
        if it.lines:
            for (text, _), duties in zip(it.lines, it.line_duties or [None] * len(it.lines)):
                if duties is not None:
                    texts.append(text)
                    gold.append(duties)
        elif it.duties is not None:
            texts.append(it.text)
            gold.append(it.duties)
    return texts, gold


def _duty_section(model: RoleClassifier, items: Sequence[CorpusItem]) -> dict[str, Any] | None:
    """The duty report of a model with a duty head on the units that state duties (each tagged as one unit),
    None when the model or the corpus has no duties."""
    head = model.duty_head
    texts, gold = duty_units(items)
    if head is None or not texts:
        return None
    unknown = sorted({d for g in gold for d in g} - set(head.ids))
    if unknown:
        raise CorpusError(
            f"the corpus uses duty id(s) {', '.join(unknown)} that the model does not know "
            f"(model duties: {', '.join(head.ids)}); evaluate with a model trained on this duty list"
        )
    pred = [[d for d, _ in t.duties or ()] for t in model.tag(texts, split=False)]
    return duty_report(gold, pred, head.ids)


def misclassified_jsonl(errors: Iterable[dict[str, Any]]) -> bytes:
    """The misclassified items of :func:`evaluate` (its ``errors``) as UTF-8 JSONL, one item per line, for
    error analysis."""
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8")


def write_misclassified(path: str | Path, errors: Iterable[dict[str, Any]]) -> None:
    """Write :func:`misclassified_jsonl` to ``path`` atomically (the old file stays whole if writing fails)."""
    atomic_write_bytes(Path(path), misclassified_jsonl(errors))
