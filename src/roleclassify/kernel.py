"""The compiled tagging kernel: a batch's features and linear scores in one compiled pass, when it is installed.

``roleclassify._kernel`` is built from ``_kernel.pyx`` when the package is installed (``hatch_build.py``; Cython
and a C compiler, both from PyPI and the machine). It computes exactly what
:meth:`~roleclassify.features.Featurizer.transform_arrays` and the linear scores of
:meth:`~roleclassify.model.RoleClassifier.decision_function_units` compute, in the same order and precision,
so results are identical; it only takes the feature layouts it was written for (word n-grams of orders 1-2,
character n-grams of orders 1-3, the shipped default among them) and at most 64 labels. Everything else, and
every machine where the module was not built, uses the pure-Python path, which stays the reference.
``ROLECLASSIFY_KERNEL=0`` turns the kernel off (to compare, or to rule it out).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .features import Featurizer, Unit

_kernel: Any
try:
    _kernel = importlib.import_module(f"{__package__}._kernel")
except ImportError:  # not built (no compiler at install time): the pure-Python path
    _kernel = None

__all__ = ["available", "Scorer", "scorer"]

#: Term frequencies below this are weighted from a table computed with NumPy (bit-identical to the reference);
#: a unit repeating one n-gram more often than this is scored by the reference path.
_TF_TABLE = 4096
_MAX_LABELS = 64


def available() -> bool:
    """Whether the compiled kernel is installed and not turned off by ``ROLECLASSIFY_KERNEL=0``."""
    return _kernel is not None and os.environ.get("ROLECLASSIFY_KERNEL", "1") != "0"


class Scorer:
    """Linear scores of analysed units by the compiled kernel, for one fitted featurizer and weight matrix."""

    def __init__(self, featurizer: Featurizer, coef: np.ndarray, intercept: np.ndarray,
                 gates: Sequence[int] | None = None) -> None:
        """``gates[j]`` (optional) names the column whose score decides whether column ``j`` is needed (-1: always
        needed); :meth:`decision` with ``need`` then skips the columns nobody needs (a duty of a role the unit does
        not have). A gating column must itself be always needed."""
        spec = featurizer.spec
        tables = featurizer.tables_
        self._words = featurizer.words_
        empty = np.zeros(0, np.int64)
        w1_keys, w1_cols = tables.get("w1", (empty, empty))
        w1_dense = np.full(int(w1_keys[-1]) + 2 if len(w1_keys) else 1, -1, dtype=np.int64)
        w1_dense[w1_keys] = w1_cols
        w2_keys, w2_cols = tables.get("w2", (empty, empty))
        orders = (1 if 1 in spec.word_ngrams else 0) | (2 if 2 in spec.word_ngrams else 0)
        c1_cols, k_of, size, dense2, keys3, cols3 = (
            featurizer._compact_tables() if spec.char_ngrams else (empty, np.full(2, 0, np.int64), 0, None, None, None)
        )
        for n, bit in ((1, 4), (2, 8), (3, 16)):
            if n in spec.char_ngrams:
                orders |= bit
        hashed = _kernel.hash_table
        w2 = hashed(np.ascontiguousarray(w2_keys, np.int64), np.ascontiguousarray(w2_cols, np.int64))
        c2 = c3 = hashed(empty, empty)
        if dense2 is not None:
            codes2 = np.flatnonzero(dense2 >= 0)
            c2 = hashed(codes2.astype(np.int64), dense2[codes2].astype(np.int64))
        if keys3 is not None and cols3 is not None:
            c3 = hashed(np.ascontiguousarray(keys3, np.int64), np.ascontiguousarray(cols3, np.int64))
        n_cols = coef.shape[1]
        gate = np.full(n_cols, -1, np.int64) if gates is None else np.asarray(gates, np.int64)
        if gate.shape != (n_cols,) or (gate >= n_cols).any() or (gate[gate[gate >= 0]] >= 0).any():
            raise ValueError("gates: one entry per column, each -1 or an always-needed column")
        always = np.flatnonzero(gate < 0)
        position = {int(c): k for k, c in enumerate(always)}
        self._gating = sorted({int(c) for c in gate[gate >= 0]})
        groups = [np.flatnonzero(gate == c) for c in self._gating]
        order = np.concatenate([always, *groups]).astype(np.int64)
        bounds = np.cumsum([0, *(len(g) for g in groups)])
        # each column's idf and the weights of the always-needed columns side by side (short rows, read for every
        # feature); the gated columns' weights in a second table, read only where a group is needed
        weights = np.empty((len(featurizer.idf_), 1 + len(always)), dtype=np.float32)
        weights[:, 0] = featurizer.idf_
        weights[:, 1:] = coef[:, always]
        gated = np.ascontiguousarray(coef[:, order[len(always):]], dtype=np.float32) if self._gating else \
            np.zeros((1, 0), np.float32)
        self._groups = (gated, np.array([position[c] for c in self._gating], np.int64),
                        np.ascontiguousarray(bounds[:-1], np.int64), np.ascontiguousarray(bounds[1:], np.int64))
        self._args: tuple[Any, ...] = (
            w1_dense, *w2, np.ascontiguousarray(k_of, np.int64), np.ascontiguousarray(c1_cols, np.int64), int(size),
            *c2, *c3, weights,
        )
        self._tail = (_tf_weights(spec.sublinear_tf), np.ascontiguousarray(np.asarray(intercept)[order], np.float64),
                      order)
        self._orders = orders
        self._buffer = _kernel.Buffer(len(featurizer.idf_))
        self.n_labels = coef.shape[1]

    def decision(self, units: Sequence[Unit], need: dict[int, float] | None = None) -> np.ndarray | None:
        """Scores (units x labels), or None when a unit is beyond the kernel (then use the reference path).

        With ``need`` (gating column: least score), a unit's gated columns whose gating column scores below
        that are not computed: they hold their intercepts. Without it every column is computed."""
        z = np.empty((len(units), self.n_labels))
        units = units if isinstance(units, list) else list(units)
        least = np.array([(need or {}).get(c, -np.inf) for c in self._gating], np.float64)
        max_tf = _kernel.decision(units, self._words, *self._args, *self._groups, least, *self._tail, z,
                                  self._buffer, self._orders)
        return z if max_tf < _TF_TABLE else None


def _tf_weights(sublinear: bool) -> np.ndarray:
    """Weight of each term frequency 0 .. _TF_TABLE-1, computed as the reference computes it (in float32)."""
    tf = np.arange(_TF_TABLE, dtype=np.float32)
    if not sublinear:
        return tf
    with np.errstate(divide="ignore"):
        return np.ascontiguousarray(1.0 + np.log(tf), dtype=np.float32)


def scorer(featurizer: Featurizer, coef: np.ndarray, intercept: np.ndarray, gates: Sequence[int] | None = None
           ) -> Scorer | None:
    """A kernel scorer for this featurizer and weights, or None when the kernel is not available or does not take
    this feature layout (then the pure-Python path scores)."""
    if not available() or coef.shape[1] > _MAX_LABELS or featurizer.n_features >= _kernel.MAX_COLUMNS:
        return None
    spec = featurizer.spec
    if not set(spec.word_ngrams) <= {1, 2} or not set(spec.char_ngrams) <= {1, 2, 3}:
        return None
    tables = featurizer.tables_ or {}
    if spec.char_ngrams:
        if "c1" not in tables or not len(tables["c1"][0]):
            return None
        if (2 in spec.char_ngrams or 3 in spec.char_ngrams) and not len(tables.get("c2", ([],))[0]):
            return None
    try:
        return Scorer(featurizer, coef, intercept, gates)
    except ValueError:  # keys beyond the kernel's tables (a vocabulary of very many characters)
        return None
