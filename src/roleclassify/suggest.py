"""Active learning: pick the sentences most worth labelling next.

Every sentence of the input is scored; its uncertainty is how close its scores are to the decision
thresholds (1 = a score sits on a threshold, 0 = every score is at 0 or 1). From the most
uncertain candidates, a greedy pass keeps the ones that are also unlike those already picked (cosine
similarity of their feature vectors), so a batch to label is not twenty rewordings of one sentence.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import RecordError
from .io.readers import Record
from .text import split_sentences, text_key

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


#: A sentence kept for the choice: (uncertainty, -arrival number, text, location, scores); tuples order
#: the most uncertain first, the earlier first among equals.
_Candidate = tuple[float, int, str, str, list[float]]


def _candidates(
    records: Iterable[Record | RecordError], errors: list[RecordError], excluded: Collection[str]
) -> Iterator[tuple[str, str]]:
    """(sentence, location) of every distinct sentence of the records not in ``excluded`` (texts compared
    by :func:`~roleclassify.text.text_key`); input errors go to ``errors``."""
    seen: set[str] = set()
    for rec in records:
        if isinstance(rec, RecordError):
            errors.append(rec)
            continue
        for s in split_sentences(rec.text):
            key = text_key(s)
            if len(key) < 2 or key in seen or key in excluded:
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
    excluded = {text_key(t) for t in exclude}
    errors: list[RecordError] = []
    cands = _most_uncertain(model, _candidates(records, errors, excluded), pool, batch_size)
    if not cands:
        return [], errors
    chosen = _pick_diverse(model, cands, n, diversity)
    return [_suggestion(model, rank, cands[k]) for rank, k in enumerate(chosen, 1)], errors


def _most_uncertain(
    model: RoleClassifier, sentences: Iterable[tuple[str, str]], pool: int, batch_size: int
) -> list[_Candidate]:
    """The ``pool`` most uncertain of the streamed (sentence, location) pairs, scored in batches of
    ``batch_size``; most uncertain first."""
    heap: list[_Candidate] = []
    batch: list[tuple[str, str]] = []
    arrival = itertools.count(1)
    for sentence in sentences:
        batch.append(sentence)
        if len(batch) >= batch_size:
            _keep_most_uncertain(model, batch, heap, pool, arrival)
    _keep_most_uncertain(model, batch, heap, pool, arrival)
    return sorted(heap, reverse=True)


def _keep_most_uncertain(
    model: RoleClassifier, batch: list[tuple[str, str]], heap: list[_Candidate], pool: int, arrival: Iterator[int]
) -> None:
    """Score a batch and keep, in the min-heap ``heap``, the ``pool`` most uncertain sentences seen so far;
    the batch is emptied."""
    if not batch:
        return
    units = model.units([t for t, _ in batch])
    probs = model.proba_units(units)
    unc = uncertainty(probs, model.thresholds_)
    for (text, loc), u, p in zip(batch, unc, probs):
        item = (float(u), -next(arrival), text, loc, p.tolist())
        if len(heap) < pool:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    batch.clear()


def _pick_diverse(model: RoleClassifier, cands: list[_Candidate], n: int, diversity: float) -> list[int]:
    """Indices of ``n`` candidates chosen one by one, each the best by
    ``uncertainty * (1 - diversity * its highest similarity to one already chosen)``."""
    rows = _feature_rows(model, [c[2] for c in cands])
    chosen: list[int] = []
    max_sim = np.zeros(len(cands))
    unc = np.array([c[0] for c in cands])
    available = np.ones(len(cands), dtype=bool)
    for _ in range(min(n, len(cands))):
        score = np.where(available, unc * (1.0 - diversity * max_sim), -np.inf)
        k = int(np.argmax(score))
        chosen.append(k)
        available[k] = False
        for j in np.flatnonzero(available):
            sim = _similarity(rows[k], rows[j])
            if sim > max_sim[j]:
                max_sim[j] = sim
    return chosen


def _feature_rows(model: RoleClassifier, texts: list[str]) -> list[dict[int, float]]:
    """Each text's feature vector as {column: value} (the non-zero entries)."""
    ip, ix, data = model.featurizer.transform_arrays(model.units(texts))
    return [dict(zip(ix[ip[r] : ip[r + 1]].tolist(), data[ip[r] : ip[r + 1]].tolist())) for r in range(len(texts))]


def _similarity(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two sparse feature vectors (cosine similarity: the features are L2-normalised)."""
    small, big = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * big.get(c, 0.0) for c, v in small.items())


def _suggestion(model: RoleClassifier, rank: int, cand: _Candidate) -> dict[str, Any]:
    """The record written for a chosen sentence: ready to label, with the model's guess."""
    u, _, text, loc, p = cand
    scores = dict(zip(model.labels, (round(x, 4) for x in p)))
    suggested = [l for l, x, t in zip(model.labels, p, model.thresholds_) if x >= t]
    return {
        "id": f"suggest-{rank:05d}",
        "text": text,
        "labels": None,
        "suggested": suggested,
        "scores": scores,
        "uncertainty": round(u, 4),
        "source": loc,
    }
