"""Active learning: pick the sentences most worth labelling next.

Every sentence of the input is scored; its uncertainty is how close its scores are to the decision
thresholds (1 = a score sits on a threshold, 0 = every score is at 0 or 1). From the most
uncertain candidates, a greedy pass keeps the ones that are also unlike those already picked (cosine
similarity of their feature vectors), so a batch to label is not twenty rewordings of one sentence.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import RecordError
from .readers import Record
from .text import normalize, split_sentences, strip_marker

if TYPE_CHECKING:  # pragma: no cover
    from .model import RoleClassifier

__all__ = ["suggest", "uncertainty"]


def uncertainty(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """1 - the smallest relative distance of a score to its threshold (distance divided by the room on
    that side of the threshold): 1 when a score sits on its threshold, 0 when every score is at 0 or 1."""
    if probs.shape[0] == 0:
        return np.zeros(0)
    room = np.where(probs < thresholds, thresholds, 1.0 - thresholds)
    return np.clip(1.0 - (np.abs(probs - thresholds) / np.maximum(room, 1e-9)).min(axis=1), 0.0, 1.0)


def _candidates(records: Iterable[Record | RecordError], errors: list[RecordError]) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for rec in records:
        if isinstance(rec, RecordError):
            errors.append(rec)
            continue
        for s in split_sentences(rec.text):
            key = normalize(strip_marker(s)).replace(" ", "")
            if len(key) < 2 or key in seen:
                continue
            seen.add(key)
            yield s, rec.location


def suggest(
    model: RoleClassifier,
    records: Iterable[Record | RecordError],
    *,
    n: int = 200,
    pool: int | None = None,
    diversity: float = 1.0,
    exclude: Iterable[str] = (),
    batch_size: int = 2048,
) -> tuple[list[dict[str, Any]], list[RecordError]]:
    """The ``n`` sentences most worth labelling, as records ready to label (``"labels": null``).

    ``pool`` uncertain candidates (default ``10 * n``) are kept while streaming, then ``n`` are chosen
    greedily by ``uncertainty * (1 - diversity * max_similarity_to_chosen)``. Sentences whose text is in
    ``exclude`` (e.g. an existing corpus) are skipped. Returns the records and the input errors met.
    """
    pool = pool or 10 * n
    excluded = {normalize(strip_marker(t)).replace(" ", "") for t in exclude}
    errors: list[RecordError] = []
    heap: list[tuple[float, int, str, str, list[float]]] = []
    batch: list[tuple[str, str]] = []
    counter = 0

    def flush() -> None:
        nonlocal counter
        if not batch:
            return
        units = model.units([t for t, _ in batch])
        probs = model.proba_units(units)
        unc = uncertainty(probs, model.thresholds_)
        for (text, loc), u, p in zip(batch, unc, probs):
            counter += 1
            item = (float(u), -counter, text, loc, p.tolist())
            if len(heap) < pool:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        batch.clear()

    for text, loc in _candidates(records, errors):
        if normalize(strip_marker(text)).replace(" ", "") in excluded:
            continue
        batch.append((text, loc))
        if len(batch) >= batch_size:
            flush()
    flush()
    cands = sorted(heap, reverse=True)
    if not cands:
        return [], errors
    ip, ix, data = model.featurizer.transform_arrays(model.units([c[2] for c in cands]))
    dense_rows = []
    for r in range(len(cands)):
        dense_rows.append(dict(zip(ix[ip[r] : ip[r + 1]].tolist(), data[ip[r] : ip[r + 1]].tolist())))
    chosen: list[int] = []
    max_sim = np.zeros(len(cands))
    unc = np.array([c[0] for c in cands])
    available = np.ones(len(cands), dtype=bool)
    for _ in range(min(n, len(cands))):
        score = np.where(available, unc * (1.0 - diversity * max_sim), -np.inf)
        k = int(np.argmax(score))
        chosen.append(k)
        available[k] = False
        vk = dense_rows[k]
        for j in np.flatnonzero(available):
            vj = dense_rows[j]
            small, big = (vk, vj) if len(vk) < len(vj) else (vj, vk)
            sim = sum(v * big.get(c, 0.0) for c, v in small.items())
            if sim > max_sim[j]:
                max_sim[j] = sim
    out = []
    for rank, k in enumerate(chosen, 1):
        u, _, text, loc, p = cands[k]
        scores = dict(zip(model.labels, (round(x, 4) for x in p)))
        suggested = [l for l, x, t in zip(model.labels, p, model.thresholds_) if x >= t]
        out.append({
            "id": f"suggest-{rank:05d}",
            "text": text,
            "labels": None,
            "suggested": suggested,
            "scores": scores,
            "uncertainty": round(u, 4),
            "source": loc,
        })
    return out, errors
