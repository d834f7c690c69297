"""Evaluation: per-class precision / recall / F1, macro-F1, exact match and label-set confusion.

Multi-label scoring: each role is a class, and ``other`` (no role) is one more class, so macro-F1 is over the
roles plus ``other``. The confusion matrix counts gold label sets against predicted label sets.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from .errors import CorpusError

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import CorpusItem
    from .model import RoleClassifier

__all__ = ["multilabel_report", "evaluate", "OTHER"]

OTHER = "other"


def _key(labels: Collection[str], order: Sequence[str]) -> str:
    return "+".join(l for l in order if l in labels) or OTHER


def multilabel_report(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    registers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Scores of predicted label lists against gold ones (``other`` = empty list or ["other"])."""
    classes = [*labels, OTHER]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    support: Counter[str] = Counter()
    exact = 0
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p in zip(gold, pred):
        gs = {x for x in g if x != OTHER} or {OTHER}
        ps = {x for x in p if x != OTHER} or {OTHER}
        exact += gs == ps
        confusion[_key(gs, classes)][_key(ps, classes)] += 1
        for c in classes:
            if c in gs:
                support[c] += 1
                if c in ps:
                    tp[c] += 1
                else:
                    fn[c] += 1
            elif c in ps:
                fp[c] += 1
    per_class = {}
    for c in classes:
        prec = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else 0.0
        rec = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[c] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": support[c],
        }
    scored = [c for c in classes if support[c] or fp[c]]
    macro = sum(per_class[c]["f1"] for c in scored) / len(scored) if scored else 0.0
    n = len(gold)
    report: dict[str, Any] = {
        "n": n,
        "macro_f1": round(macro, 4),
        "exact_match": round(exact / n, 4) if n else 0.0,
        "per_class": per_class,
        "confusion": {g: dict(sorted(row.items())) for g, row in sorted(confusion.items())},
    }
    if registers is not None:
        by_reg: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(registers):
            by_reg[r or "unknown"].append(i)
        report["per_register"] = {
            r: {
                "n": len(ix),
                "macro_f1": multilabel_report([gold[i] for i in ix], [pred[i] for i in ix], labels)["macro_f1"],
            }
            for r, ix in sorted(by_reg.items())
        }
    return report


def evaluate(
    model: RoleClassifier,
    items: Sequence[CorpusItem],
    *,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Score a model on corpus items: sentence items as single units, documents split and rolled up.

    Returns ``{"labels", "sentences", "documents", "errors"}``; ``errors`` lists every misclassified item
    (id, text, gold, predicted, scores) for error analysis.
    """
    unknown = sorted({l for it in items for l in it.labels} - set(model.labels))
    if unknown:
        raise CorpusError(
            f"the corpus uses label(s) {', '.join(unknown)} that the model does not know "
            f"(model labels: {', '.join(model.labels)}); evaluate with a model trained on this label set"
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
    result["errors"] = errors
    return result
