"""The role classifier: tagging, roll-up of sentences to items, and the safe model file.

A model is a linear one-vs-rest classifier over :mod:`roleclassify.features`. Its learned state is stored as
plain arrays in one ``.npz`` file loaded with ``allow_pickle=False`` (nothing in a model file is ever
executed) and checked against SHA-256 sums kept in its metadata. Tagging needs only NumPy and SudachiPy.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import ModelError, OptionError, option
from .features import FeatureSpec, Featurizer, Unit, analyze
from .io.fileio import atomic_write_bytes
from .labels import OTHER
from .text import split_sentences

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Scorer
    from .tokenize import FastTokenizer, GinzaTokenizer

__all__ = [
    "RoleClassifier",
    "Tagging",
    "SentenceTagging",
    "ReviewPolicy",
    "load",
    "default_model_path",
    "MODEL_FILE",
    "FORMAT",
    "FORMAT_VERSION",
    "OTHER",
    "compatibility_warnings",
    "rollup",
    "rollup_scores",
    "label_shares",
    "DutyHead",
]

MODEL_FILE = "model.npz"
FORMAT = "roleclassify-model"
#: A label's probability threshold before tuning (and for a model file that states none).
DEFAULT_THRESHOLD = 0.5
#: The share a role needs to be a main role of an item of several sentences, before tuning.
DEFAULT_DOC_THRESHOLD = 0.3
#: 2: the JSON metadata (labels, thresholds, features ...) is checksummed too; 3: an optional duty head
#: (``duties`` in the metadata, ``duty_*`` arrays). Files of format 2 load as models without one.
FORMAT_VERSION = 3
#: The most bytes a model file's members may inflate to (a file whose arrays claim more is refused before any
#: is read); ROLECLASSIFY_MAX_MODEL_BYTES raises it.
MAX_MODEL_BYTES = 2 << 30
_ARRAYS = ("words", "idf", "coef", "intercept", "calib_a", "calib_b")
#: The arrays of a duty head, stored when the metadata lists ``duties``.
_DUTY_ARRAYS = ("duty_coef", "duty_intercept", "duty_calib_a", "duty_calib_b")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class SentenceTagging:
    """Result for one sentence (unit) of an item."""

    text: str
    labels: list[str]
    scores: dict[str, float]
    review: bool = False
    explanation: dict[str, list[tuple[str, float]]] | None = None
    #: The duties above their thresholds, best first, with their scores; None for a model without a duty head.
    duties: list[tuple[str, float]] | None = None
    #: Per assigned duty, the features that moved its score most (``explain``).
    duty_explanation: dict[str, list[tuple[str, float]]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "labels": self.labels, "scores": self.scores}
        if self.duties is not None:
            d["duties"] = _duty_dicts(self.duties)
        if self.review:
            d["review"] = True
        if self.explanation is not None:
            d["explain"] = {l: [[f, w] for f, w in pairs] for l, pairs in self.explanation.items()}
        if self.duty_explanation is not None:
            d["explain_duties"] = {k: [[f, w] for f, w in pairs] for k, pairs in self.duty_explanation.items()}
        return d


def _duty_dicts(duties: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    """Duties as written in tag output: ``[{"duty": id, "score": p}, ...]``."""
    return [{"duty": k, "score": p} for k, p in duties]


@dataclass
class Tagging:
    """Result for one item: its labels and scores, and those of each of its sentences.

    For an item of several sentences, ``labels`` are the role(s) it mainly describes, ``scores`` the soft
    share of its role work that is each role (see :func:`rollup_scores`), and ``shares`` the fraction of its
    sentences per label (``other`` included).
    """

    text: str
    labels: list[str]
    scores: dict[str, float]
    sentences: list[SentenceTagging] = field(default_factory=list)
    shares: dict[str, float] | None = None
    #: The item's duties with their (rolled-up) scores, best first; None for a model without a duty head.
    duties: list[tuple[str, float]] | None = None

    @property
    def review(self) -> bool:
        """True when a person should check this item: one of its sentences is uncertain (see
        :class:`ReviewPolicy`)."""
        return any(s.review for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "labels": self.labels,
            "scores": self.scores,
            "review": self.review,
            "sentences": [s.to_dict() for s in self.sentences],
        }
        if self.shares is not None:
            d["shares"] = self.shares
        if self.duties is not None:
            d["duties"] = _duty_dicts(self.duties)
        return d


@dataclass(frozen=True)
class ReviewPolicy:
    """When a sentence is flagged for review.

    close: its two highest role scores differ by less than ``margin`` while the second is within ``band``
    of its threshold or above it (two roles compete);
    low: its best role score lies within ``band`` of that role's threshold (role or other is unsure).
    """

    margin: float = 0.1
    band: float = 0.1

    def flags(self, probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        if probs.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        best = probs.argmax(axis=1)
        rows = np.arange(len(probs))
        p1 = probs[rows, best]
        t1 = thresholds[best]
        low = np.abs(p1 - t1) < self.band
        if probs.shape[1] < 2:
            return low
        order = np.argsort(-probs, axis=1)
        second = order[:, 1]
        p2 = probs[rows, second]
        close = (p1 - p2 < self.margin) & (p2 >= thresholds[second] - self.band)
        return low | close

@dataclass
class DutyHead:
    """The duty classifier beside the roles: one linear model per duty over the role model's own features
    (so scoring duties is one more product on the feature rows already built), Platt-scaled, with per-duty
    thresholds. ``duties`` describe each column (``id``, ``role``, ``ja``, ``definition``, as in
    ``corpus/duties.json``); with ``gate``, a duty of one of the model's roles holds only where that role does.
    """

    duties: list[dict[str, Any]]
    coef: np.ndarray  #: (n_features, n_duties)
    intercept: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    thresholds: np.ndarray
    gate: bool = False

    def __post_init__(self) -> None:
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float32)
        self.intercept, self.calib_a, self.calib_b, self.thresholds = (
            np.asarray(a, dtype=np.float64) for a in (self.intercept, self.calib_a, self.calib_b, self.thresholds)
        )

    @property
    def ids(self) -> list[str]:
        return [str(d["id"]) for d in self.duties]

    def role_columns(self, labels: Sequence[str]) -> np.ndarray:
        """Per duty, the column of its role among ``labels`` (-1 for a duty of ``other`` or of no known role)."""
        index = {l: j for j, l in enumerate(labels)}
        return np.array([index.get(str(d.get("role")), -1) for d in self.duties], dtype=np.int64)

    def proba(self, z: np.ndarray, role_hit: np.ndarray, labels: Sequence[str]) -> np.ndarray:
        """Calibrated duty probabilities (units x duties) of decision values ``z``; with ``gate``, 0 for a duty
        whose role the unit does not have (``role_hit``: units x labels)."""
        p = 1.0 / (1.0 + np.exp(-(self.calib_a * z + self.calib_b)))
        if self.gate and len(p):
            cols = self.role_columns(labels)
            gated = cols >= 0
            p[:, gated] *= role_hit[:, cols[gated]]
        return p


def _segment_sums(values: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``values`` (rows) over each item's rows, the next ``sizes[i]`` rows being item ``i``'s, for the
    items of at least one row; and which items those are."""
    if int(sizes.sum()) != len(values):
        raise OptionError(f"item sizes add up to {int(sizes.sum())} rows, the values have {len(values)}")
    nonempty = sizes > 0
    # `reduceat` sums from each start to the next one given, so only the starts of non-empty items are passed
    # (an empty item's start equals the next item's and would cut that one's sum short)
    starts = (np.cumsum(sizes) - sizes)[nonempty]
    if not len(starts):
        return np.zeros((0, *values.shape[1:])), nonempty
    return np.add.reduceat(values, starts, axis=0), nonempty


def rollup(probs: np.ndarray, sizes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Scores of items (items x labels) from the probabilities of their sentences (sentences x labels), item
    ``i`` being the next ``sizes[i]`` rows: each role's probability mass over the item's soft count of role
    sentences, that count taken as at least one, so an item with hardly any role work scores low on every role.
    An item of no sentences scores 0; one of one sentence scores that sentence's probabilities.

    The one roll-up: tagging rolls up a whole batch of items with it, :func:`rollup_scores` one item.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    out = np.zeros((len(sizes), probs.shape[1]))
    mass, nonempty = _segment_sums(probs, sizes)
    if len(mass):
        soft, _ = _segment_sums(probs.max(axis=1), sizes)
        out[nonempty] = mass / np.maximum(soft, 1.0)[:, None]
    return out


def rollup_scores(p: np.ndarray) -> np.ndarray:
    """Scores of one item from its sentence probabilities ``p`` (sentences x labels): :func:`rollup` of one
    item."""
    return rollup(p, [len(p)])[0]


def label_shares(hit: np.ndarray, sizes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Per item, the fraction of its sentences that is each label, ``other`` last (items x labels + 1), from
    which labels each sentence has (``hit``, sentences x labels; rows grouped by item as for :func:`rollup`):
    a sentence of k labels counts 1/k for each, one of none counts for ``other``. 0 for an item of no
    sentences."""
    sizes = np.asarray(sizes, dtype=np.int64)
    n_hits = hit.sum(axis=1)
    weights = np.zeros((len(hit), hit.shape[1] + 1))
    weights[:, :-1] = hit / np.maximum(n_hits, 1)[:, None]
    weights[:, -1] = n_hits == 0
    out = np.zeros((len(sizes), hit.shape[1] + 1))
    sums, nonempty = _segment_sums(weights, sizes)
    if len(sums):
        out[nonempty] = sums / sizes[nonempty][:, None]
    return out


def _main_duties(ids: Sequence[str], scores: np.ndarray, share: float) -> list[tuple[str, float]]:
    """The duties an item of several sentences (some with duties) mainly describes, from their rolled-up
    ``scores``: those reaching ``share`` (the model's document threshold), else the best one; best first."""
    order = np.argsort(-scores, kind="stable")
    picked = [(ids[j], float(scores[j])) for j in order if scores[j] >= share]
    return picked or [(ids[int(order[0])], float(scores[int(order[0])]))]


def _all_other(other_share: float) -> bool:
    """Whether no sentence of an item has a role, from its (rounded) share of ``other`` sentences."""
    return other_share >= 1.0 - 1e-9


def _item_sentences(text: str, split: bool) -> list[str]:
    """The sentences of an item as tagging takes them: split (:func:`~roleclassify.text.split_sentences`), or
    the whole stripped text as one (none when it is blank)."""
    if split:
        return split_sentences(text)
    return [text.strip()] if text.strip() else []


def _reference_linear(rows: tuple[np.ndarray, np.ndarray, np.ndarray], coef: np.ndarray, intercept: np.ndarray
                      ) -> np.ndarray:
    """Decision values (n_units x n_columns) of a linear model on feature rows in CSR form (indptr, indices, data),
    by the pure-Python path: each feature's float32 product added to its row in order, in float64, a defined
    order of summation (reduceat's is not) that the compiled kernel follows exactly."""
    ip, ix, data = rows
    n = len(ip) - 1
    z = np.tile(intercept, (n, 1))
    if len(ix):
        np.add.at(z, np.repeat(np.arange(n), np.diff(ip)), coef[ix] * data[:, None])
    return z


def _sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _meta_sha256(meta: dict) -> str:
    """Checksum of a model's metadata without its ``sha256`` entry (canonical JSON)."""
    body = {k: v for k, v in meta.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _probability_list(path: Path, value: Any, n: int, what: str) -> list[float]:
    """``value`` as a list of ``n`` probabilities, refused (as an inconsistent model file) otherwise."""
    if not isinstance(value, list) or len(value) != n:
        raise _inconsistent(path, f"{what} must be a list of {n} numbers")
    out = []
    for x in value:
        if type(x) not in (int, float) or not (0.0 <= x <= 1.0):  # NaN fails the range test
            raise _inconsistent(path, f"{what} must be probabilities in [0, 1], got {x!r}")
        out.append(float(x))
    return out


def _many(texts: Any, method: str) -> Any:
    """``texts`` checked to be a collection of texts, not one text: a ``str`` is iterable, and tagged as such it
    would be one item per character."""
    if isinstance(texts, str):
        raise TypeError(f"{method}() takes a list of texts, not one string; pass [text] to tag one text")
    return texts


class RoleClassifier:
    """Multi-label role classifier over GiNZA tokens.

    Build one with :func:`roleclassify.train.fit` or :func:`load`; call :meth:`tag`.

    Examples
    --------
    >>> import roleclassify
    >>> clf = roleclassify.load()  # doctest: +SKIP
    >>> clf.tag(["新規顧客への提案営業"])[0].labels  # doctest: +SKIP
    ['sales']
    """

    def __init__(
        self,
        *,
        labels: Sequence[str],
        featurizer: Featurizer,
        coef: np.ndarray,
        intercept: np.ndarray,
        calib_a: np.ndarray | None = None,
        calib_b: np.ndarray | None = None,
        thresholds: Sequence[float] | None = None,
        doc_threshold: float = DEFAULT_DOC_THRESHOLD,
        meta: dict[str, Any] | None = None,
        duty_head: DutyHead | None = None,
    ) -> None:
        self.labels = list(labels)
        self.featurizer = featurizer
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        n = len(self.labels)
        self.calib_a_ = np.ones(n) if calib_a is None else np.asarray(calib_a, dtype=np.float64)
        self.calib_b_ = np.zeros(n) if calib_b is None else np.asarray(calib_b, dtype=np.float64)
        self.thresholds_ = np.full(n, DEFAULT_THRESHOLD) if thresholds is None else np.asarray(thresholds, float)
        self.doc_threshold = float(doc_threshold)
        self.meta: dict[str, Any] = dict(meta or {})
        self._tokenizer: FastTokenizer | GinzaTokenizer | None = None
        self._scorer: Scorer | Literal[False] | None = None  # the compiled kernel's scorer, built on first use
        self.duty_head = duty_head
        self.engine = "fast"

    @property
    def duty_head(self) -> DutyHead | None:
        """The duty classifier beside the roles, or None (a model trained without duties, or of format 2)."""
        return self._duty_head

    @duty_head.setter
    def duty_head(self, head: DutyHead | None) -> None:
        self._duty_head = head
        # roles and duties in one pass of the kernel: a scorer over both weight matrices, built on first use
        self._joint_scorer: Scorer | Literal[False] | None = None

    # ------------------------------------------------------------------ scoring
    @property
    def spec(self) -> FeatureSpec:
        return self.featurizer.spec

    @property
    def tokenizer(self) -> FastTokenizer | GinzaTokenizer:
        """The tokenizer of the model's engine, built on first use."""
        if self._tokenizer is None:
            from .tokenize import get_tokenizer

            self._tokenizer = get_tokenizer(self.engine)
        return self._tokenizer

    @tokenizer.setter
    def tokenizer(self, tokenizer: FastTokenizer | GinzaTokenizer | None) -> None:
        """Hand the model a tokenizer of its engine (training reuses the one it analysed with); ``None`` drops
        the one it holds, so the next use builds a fresh one (each worker process its own)."""
        self._tokenizer = tokenizer

    def use_engine(self, engine: str) -> RoleClassifier:
        """Tokenize with ``fast`` (default) or ``ginza`` (full pipeline); returns self."""
        if engine != self.engine:
            self.engine = engine
            self._tokenizer = None
        return self

    def units(self, unit_texts: Sequence[str], *, stripped: bool = False) -> list[Unit]:
        """Normalised, tokenized units of texts (each text one unit)."""
        return analyze(unit_texts, self.spec, self.tokenizer, stripped=stripped)

    def decision_function_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Raw linear scores (n_units x n_labels) of analysed units: by the compiled kernel where it is installed
        and takes the model's features (:mod:`roleclassify.kernel`), else by the reference path, with the same
        result."""
        if self._scorer is None:
            from .kernel import scorer

            self._scorer = scorer(self.featurizer, self.coef_, self.intercept_) or False
        if self._scorer:
            z = self._scorer.decision(units)
            if z is not None:
                return z
        return self.reference_decision_units(units)

    def prepare(self) -> RoleClassifier:
        """Build now what scoring builds on first use (the compiled kernel's tables), e.g. before forking workers
        that then share it; returns self."""
        units = self.units(["受注"]) if self._tokenizer is not None else [Unit("受注", ["受注"])]
        if self.duty_head is not None:
            self._decisions(units)
        else:
            self.decision_function_units(units)
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled kernel's scorers and the tokenizer (rebuilt on first use where the model
        is unpickled: a worker process, a Dask worker)."""
        state = self.__dict__.copy()
        state["_scorer"] = state["_joint_scorer"] = None
        state["_tokenizer"] = None
        return state

    def reference_decision_units(self, units: Sequence[Unit]) -> np.ndarray:
        """:meth:`decision_function_units` by the pure-Python path (NumPy), the reference the kernel equals."""
        return _reference_linear(self.featurizer.transform_arrays(units), self.coef_, self.intercept_)

    def duty_decision_function_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Raw linear scores (n_units x n_duties) of the duty head; :class:`ModelError` without one."""
        if self.duty_head is None:
            raise ModelError("this model has no duty head; retrain it on a corpus with duties")
        return self._decisions(units)[1]

    def _decisions(self, units: Sequence[Unit], th: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Role and duty decision values of units from one featurization: one pass of the compiled kernel over
        both weight matrices where it is installed, else the reference path on the same feature rows (with the
        same result).

        With the role thresholds ``th`` and a gated duty head, the kernel leaves out the duties of a role whose
        probability cannot reach its threshold (those duties' probabilities are 0 whatever their decision values):
        their decision values are then not the duties' own, only their probabilities are."""
        head = self.duty_head
        assert head is not None
        n = len(self.labels)
        if self._joint_scorer is None:
            from .kernel import scorer

            gates = [-1] * n + head.role_columns(self.labels).tolist() if head.gate else None
            self._joint_scorer = scorer(self.featurizer, np.hstack([self.coef_, head.coef]),
                                        np.concatenate([self.intercept_, head.intercept]), gates) or False
        if self._joint_scorer:
            z = self._joint_scorer.decision(units, self._least_role_scores(th) if head.gate else None)
            if z is not None:
                return z[:, :n], z[:, n:]
        rows = self.featurizer.transform_arrays(units)
        return _reference_linear(rows, self.coef_, self.intercept_), _reference_linear(rows, head.coef, head.intercept)

    def _least_role_scores(self, th: np.ndarray | None) -> dict[int, float] | None:
        """Per role column, a decision value below which the role's calibrated probability is under its threshold
        ``th`` (with a margin far wider than any rounding, so a unit the probabilities call a hit is never below
        it); None without thresholds. A role whose calibration does not rise with the score is left out."""
        if th is None:
            return None
        least: dict[int, float] = {}
        for j, (a, b, t) in enumerate(zip(np.asarray(self.calib_a_, float).tolist(),
                                          np.asarray(self.calib_b_, float).tolist(), np.asarray(th, float).tolist())):
            if a > 0 and 0.0 < t < 1.0 and np.isfinite(b):
                bound = (math.log(t / (1.0 - t)) - b) / a
                least[j] = bound - 1e-6 * max(1.0, abs(bound))
        return least

    def proba_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Calibrated probabilities (n_units x n_labels) of analysed units."""
        z = self.decision_function_units(units)
        return 1.0 / (1.0 + np.exp(-(self.calib_a_ * z + self.calib_b_)))

    def predict_proba(self, unit_texts: Sequence[str]) -> np.ndarray:
        """Probabilities per label for each unit text (each text taken as one unit, not split)."""
        return self.proba_units(self.units(_many(unit_texts, "predict_proba")))

    # ------------------------------------------------------------------ tagging
    def tag(
        self,
        texts: Iterable[str],
        *,
        threshold: float | None = None,
        split: bool = True,
        explain: int = 0,
        review: ReviewPolicy | None = None,
    ) -> list[Tagging]:
        """Tag items. Each item is split into sentences unless ``split=False``.

        ``explain=k`` adds, per sentence and role, the ``k`` features that moved its score most.
        """
        return list(self.tag_iter(texts, threshold=threshold, split=split, explain=explain, review=review))

    def tag_iter(
        self,
        texts: Iterable[str],
        *,
        threshold: float | None = None,
        split: bool = True,
        explain: int = 0,
        review: ReviewPolicy | None = None,
        batch_size: int = 512,
    ) -> Iterator[Tagging]:
        """Tag a stream of items lazily, in batches, keeping input order. Memory stays flat."""
        th = self._thresholds(threshold)
        policy = review or ReviewPolicy()
        batch: list[str] = []
        for t in _many(texts, "tag"):
            batch.append(t)
            if len(batch) >= batch_size:
                yield from self._tag_batch(batch, th, split, explain, policy)
                batch = []
        if batch:
            yield from self._tag_batch(batch, th, split, explain, policy)

    def tag_dicts(
        self,
        texts: Sequence[str],
        *,
        threshold: float | None = None,
        split: bool = True,
        explain: int = 0,
        review: ReviewPolicy | None = None,
    ) -> list[dict[str, Any]]:
        """``[t.to_dict() for t in tag(texts)]``, built straight from the batch's arrays without the
        :class:`Tagging` objects (the form ``roleclassify tag`` writes, and its fast path)."""
        if explain:
            return [t.to_dict() for t in self.tag(texts, threshold=threshold, split=split, explain=explain,
                                                  review=review)]
        th = self._thresholds(threshold)
        sentences = [_item_sentences(t, split) for t in _many(texts, "tag_dicts")]
        flat = [s for item in sentences for s in item]
        units = self.units(flat, stripped=split) if flat else []
        sizes = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        z, zd = self._role_and_duty_decisions(units, th)
        probs = self._role_proba(z)
        hit = probs >= th
        duties = self._duties(self.duty_head, zd, hit, sizes) if self.duty_head is not None and zd is not None \
            else None
        sents = self._sentence_dicts(flat, probs, hit, (review or ReviewPolicy()).flags(probs, th),
                                     duties[0] if duties else None)
        items = self._item_dicts(texts, sents, sizes, probs, hit)
        if duties is not None:
            for d, item_duties in zip(items, duties[1]):
                d["duties"] = _duty_dicts(item_duties)
        return items

    def _sentence_dicts(
        self, texts: Sequence[str], probs: np.ndarray, hit: np.ndarray, flags: np.ndarray,
        duties: list[list[tuple[str, float]]] | None = None,
    ) -> list[dict[str, Any]]:
        """:meth:`SentenceTagging.to_dict` of each sentence, from the batch's arrays (and its duties, for a model
        with a duty head)."""
        labels = self.labels
        # each sentence's set of labels as a number, and the label list of every such number (copied per use)
        codes = (hit.astype(np.int64) @ (1 << np.arange(len(labels), dtype=np.int64))).tolist() \
            if len(labels) < 16 else None
        patterns = [[l for k, l in enumerate(labels) if c >> k & 1] or [OTHER] for c in range(1 << len(labels))] \
            if codes is not None else []
        rows = np.round(probs, 4).tolist()
        if codes is None:
            codes = list(range(len(texts)))
            patterns = [[l for l, h in zip(labels, r) if h] or [OTHER] for r in hit.tolist()]
        none: list[list[tuple[str, float]]] = [[]] * len(texts)
        out = []
        for text, row, code, flag, dk in zip(texts, rows, codes, flags.tolist(), duties or none):
            d: dict[str, Any] = {"text": text, "labels": patterns[code][:], "scores": dict(zip(labels, row))}
            if duties is not None:
                d["duties"] = [{"duty": k, "score": p} for k, p in dk]
            if flag:
                d["review"] = True
            out.append(d)
        return out

    def _item_dicts(
        self, texts: Sequence[str], sents: list[dict[str, Any]], sizes: np.ndarray, probs: np.ndarray,
        hit: np.ndarray,
    ) -> list[dict[str, Any]]:
        """:meth:`Tagging.to_dict` of each item from its sentences' dicts (as :meth:`_item_taggings` decides)."""
        labels = self.labels
        scores: list[list[float]] | None = None
        shares: list[list[float]] | None = None
        if (sizes > 1).any():
            scores = np.round(rollup(probs, sizes), 4).tolist()
            shares = np.round(label_shares(hit, sizes), 4).tolist()
        share_keys = [*labels, OTHER]
        out: list[dict[str, Any]] = []
        k = 0
        for j, (text, n) in enumerate(zip(texts, sizes.tolist())):
            mine = sents[k : k + n]
            k += n
            if n > 1 and scores is not None and shares is not None:
                out.append({"text": text, "labels": self._main_roles(scores[j], _all_other(shares[j][-1])),
                            "scores": dict(zip(labels, scores[j])), "review": any("review" in s for s in mine),
                            "sentences": mine, "shares": dict(zip(share_keys, shares[j]))})
            elif n == 1:
                first = mine[0]
                out.append({"text": text, "labels": list(first["labels"]), "scores": dict(first["scores"]),
                            "review": "review" in first, "sentences": mine})
            else:
                out.append({"text": text, "labels": [OTHER], "scores": dict.fromkeys(labels, 0.0), "review": False,
                            "sentences": []})
        return out

    def tag_units(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[str]],
        units: Sequence[Unit],
        *,
        threshold: float | None = None,
        explain: int = 0,
        review: ReviewPolicy | None = None,
    ) -> list[Tagging]:
        """Tag items whose sentences are split and analysed already: ``sentences[i]`` are item ``i``'s sentence
        texts, ``units`` the analysed units of all sentences in order (e.g. built from a spaCy Doc's own tokens
        by :mod:`roleclassify.spacy_component`). Given the units :meth:`units` makes of
        ``split_sentences(text)``, the result is :meth:`tag`'s."""
        return self._tag_units(texts, sentences, units, self._thresholds(threshold), explain,
                               review or ReviewPolicy())

    def main_roles(self, probs: np.ndarray, *, threshold: float | None = None) -> list[str]:
        """The role(s) :meth:`tag` gives an item of several sentences whose sentence probabilities are ``probs``
        (sentences x labels): those whose rolled-up score (:func:`rollup`) reaches the model's document
        threshold, else the best one; ``other`` when no sentence has a role."""
        sizes = [len(probs)]
        scores = np.round(rollup(probs, sizes), 4)[0].tolist()
        other = float(np.round(label_shares(probs >= self._thresholds(threshold), sizes), 4)[0, -1])
        return self._main_roles(scores, _all_other(other))

    def explain_units(self, units: Sequence[Unit], top: int = 5) -> list[dict[str, list[tuple[str, float]]]]:
        """Per unit and label, the ``top`` features with the largest contribution to the (calibrated) log-odds,
        signed: positive pushed towards the label, negative away from it; first the ``(bias)`` every unit
        starts from. Bias plus all contributions is the log-odds of the label's probability."""
        every = [list(range(len(self.labels)))] * len(units)
        return self._explain(units, top, self.labels, self.coef_, self.intercept_, self.calib_a_, self.calib_b_,
                             every)

    def explain_duties(
        self, units: Sequence[Unit], duties: Sequence[Sequence[str]], top: int = 5
    ) -> list[dict[str, list[tuple[str, float]]]]:
        """:meth:`explain_units` for the duty head: per unit, the duties ``duties[i]`` it names (those it was
        given) and the ``top`` features that moved each; :class:`ModelError` without a duty head."""
        head = self.duty_head
        if head is None:
            raise ModelError("this model has no duty head; retrain it on a corpus with duties")
        index = {d: j for j, d in enumerate(head.ids)}
        columns = [[index[d] for d in ds] for ds in duties]
        return self._explain(units, top, head.ids, head.coef, head.intercept, head.calib_a, head.calib_b, columns)

    def _explain(
        self, units: Sequence[Unit], top: int, names_of: Sequence[str], coef: np.ndarray, intercept: np.ndarray,
        calib_a: np.ndarray, calib_b: np.ndarray, columns: Sequence[Sequence[int]],
    ) -> list[dict[str, list[tuple[str, float]]]]:
        """The explanation of columns ``columns[i]`` of a linear model (``coef``: features x columns) for unit
        ``i``."""
        ip, ix, data = self.featurizer.transform_arrays(units)
        bias = calib_a * intercept + calib_b
        out = []
        for r in range(len(units)):
            cols = ix[ip[r] : ip[r + 1]]
            wanted = list(columns[r])
            contrib = data[ip[r] : ip[r + 1], None] * coef[cols][:, wanted] * calib_a[None, wanted]
            names_needed: set[int] = set()
            picks = {}
            for k, j in enumerate(wanted):
                order = np.argsort(-np.abs(contrib[:, k]))[:top]
                picks[j] = [(int(cols[q]), float(contrib[q, k])) for q in order if contrib[q, k] != 0]
                names_needed.update(c for c, _ in picks[j])
            names = dict(zip(sorted(names_needed), self.featurizer.feature_names(sorted(names_needed))))
            out.append({
                names_of[j]: [("(bias)", round(float(bias[j]), 3))] + [(names[c], round(w, 3)) for c, w in pairs]
                for j, pairs in picks.items()
            })
        return out

    def _thresholds(self, threshold: float | None) -> np.ndarray:
        """Per-label thresholds: the model's own, or one ``threshold`` for every label."""
        if threshold is None:
            return self.thresholds_
        if not (0.0 <= float(threshold) <= 1.0):  # NaN fails this test too
            raise OptionError(f"threshold must be a probability in [0, 1], got {threshold!r}")
        return np.full(len(self.labels), float(threshold))

    def _tag_batch(
        self, texts: Sequence[str], th: np.ndarray, split: bool, explain: int, review: ReviewPolicy
    ) -> list[Tagging]:
        """One batch of :meth:`tag_iter`: every item split into sentences, all sentences analysed at once."""
        sentences = [_item_sentences(t, split) for t in texts]
        flat = [s for item in sentences for s in item]
        units = self.units(flat, stripped=split) if flat else []
        return self._tag_units(texts, sentences, units, th, explain, review)

    def _tag_units(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[str]],
        units: Sequence[Unit],
        th: np.ndarray,
        explain: int,
        review: ReviewPolicy,
    ) -> list[Tagging]:
        """Score all sentences of a batch at once, then roll them up per item."""
        sizes = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        if int(sizes.sum()) != len(units):
            raise OptionError(f"{int(sizes.sum())} sentences but {len(units)} units")
        z, zd = self._role_and_duty_decisions(units, th)
        probs = self._role_proba(z)
        explanations = self.explain_units(units, explain) if explain and len(units) else None
        flat = [s for item in sentences for s in item]
        tagged = self._sentence_taggings(flat, probs, th, review.flags(probs, th), explanations)
        items = self._item_taggings(texts, tagged, sizes, probs, probs >= th)
        if self.duty_head is not None and zd is not None:
            sent_duties, item_duties = self._duties(self.duty_head, zd, probs >= th, sizes)
            for s, d in zip(tagged, sent_duties):
                s.duties = d
            for item, d in zip(items, item_duties):
                item.duties = d
            if explain and len(units):
                for s, e in zip(tagged, self.explain_duties(units, [[k for k, _ in d] for d in sent_duties], explain)):
                    s.duty_explanation = e
        return items

    def _role_and_duty_decisions(self, units: Sequence[Unit], th: np.ndarray | None = None
                                 ) -> tuple[np.ndarray, np.ndarray | None]:
        """Role decision values of units, and the duty head's (None without one), from one featurization."""
        head = self.duty_head
        if not len(units):
            return np.zeros((0, len(self.labels))), None if head is None else np.zeros((0, len(head.ids)))
        if head is None:
            return self.decision_function_units(units), None
        return self._decisions(units, th)

    def _role_proba(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.calib_a_ * z + self.calib_b_)))

    def _duties(
        self, head: DutyHead, z: np.ndarray, role_hit: np.ndarray, sizes: np.ndarray
    ) -> tuple[list[list[tuple[str, float]]], list[list[tuple[str, float]]]]:
        """Each sentence's duties that reach their thresholds, best first, with their rounded scores (from the duty
        decision values ``z``), and each item's rolled up from them as roles are."""
        id_list = head.ids
        ids = np.array(id_list, dtype=object)
        probs = head.proba(z, role_hit, self.labels)
        hit = probs >= head.thresholds
        rounded = np.round(probs, 4)
        # every (sentence, duty) reaching its threshold at once: by sentence, then best first (stable on ties,
        # so equal scores keep the duties' order), cut into each sentence's list
        rows, cols = np.nonzero(hit)
        vals = rounded[rows, cols]
        order = np.lexsort((-vals, rows))
        pairs = list(zip(ids[cols[order]].tolist(), vals[order].tolist()))
        ends = np.cumsum(np.bincount(rows, minlength=len(hit))).tolist()
        sent: list[list[tuple[str, float]]] = [pairs[a:b] for a, b in zip([0, *ends[:-1]], ends)]
        with_duty = np.zeros(len(sizes))  # per item, how many of its sentences have a duty
        counts, nonempty = _segment_sums(np.asarray(hit.any(axis=1), dtype=np.float64), sizes)
        with_duty[nonempty] = counts
        scores = np.round(rollup(probs, sizes), 4) if (sizes > 1).any() else None
        items: list[list[tuple[str, float]]] = []
        k = 0
        for j, n in enumerate(sizes.tolist()):
            if n == 1:
                items.append(list(sent[k]))
            elif n > 1 and scores is not None and with_duty[j] > 0:
                items.append(_main_duties(id_list, scores[j], self.doc_threshold))
            else:
                items.append([])
            k += n
        return sent, items

    def _sentence_taggings(
        self,
        texts: Sequence[str],
        probs: np.ndarray,
        th: np.ndarray,
        flags: np.ndarray,
        explanations: list[dict[str, list[tuple[str, float]]]] | None,
    ) -> list[SentenceTagging]:
        """Each sentence's labels (``other`` when none reaches its threshold), rounded scores, review flag and
        explanation."""
        labels = self.labels
        hits = (probs >= th).tolist()
        rounded = np.round(probs, 4).tolist()
        return [
            SentenceTagging(
                text, [l for l, h in zip(labels, hit) if h] or [OTHER], dict(zip(labels, row)), flag,
                explanations[k] if explanations is not None else None,
            )
            for k, (text, hit, row, flag) in enumerate(zip(texts, hits, rounded, flags.tolist()))
        ]

    def _item_taggings(
        self, texts: Sequence[str], sentences: list[SentenceTagging], sizes: np.ndarray, probs: np.ndarray,
        hit: np.ndarray,
    ) -> list[Tagging]:
        """Each item's result from its sentences' (``sizes[i]`` consecutive ones for item ``i``): an item of one
        sentence takes that sentence's labels and scores, one of several its roll-up and label shares."""
        scores: list[list[float]] | None = None
        shares: list[list[float]] | None = None
        if (sizes > 1).any():  # scores and shares of every item of the batch at once
            scores = np.round(rollup(probs, sizes), 4).tolist()
            shares = np.round(label_shares(hit, sizes), 4).tolist()
        out: list[Tagging] = []
        k = 0
        for j, text in enumerate(texts):
            n = int(sizes[j])
            sents = sentences[k : k + n]
            k += n
            if n > 1 and scores is not None and shares is not None:
                out.append(self._multi_tagging(text, sents, scores[j], shares[j]))
            elif n == 1:
                out.append(Tagging(text, list(sents[0].labels), dict(sents[0].scores), sents, None))
            else:
                out.append(Tagging(text, [OTHER], dict.fromkeys(self.labels, 0.0), [], None))
        return out

    def _multi_tagging(
        self, text: str, sentences: list[SentenceTagging], scores: list[float], shares: list[float]
    ) -> Tagging:
        """The result of an item of several sentences from its rolled-up scores and label shares."""
        share = dict(zip([*self.labels, OTHER], shares))
        return Tagging(text, self._main_roles(scores, _all_other(share[OTHER])), dict(zip(self.labels, scores)),
                       sentences, share)

    def _main_roles(self, scores: list[float], all_other: bool) -> list[str]:
        """The role(s) an item of several sentences mainly describes (``other`` when no sentence has a role)."""
        if all_other:
            return [OTHER]
        picked = [l for l, sc in zip(self.labels, scores) if sc >= self.doc_threshold]
        return picked or [self.labels[int(np.argmax(scores))]]

    # ------------------------------------------------------------------ persistence
    def _arrays(self) -> dict[str, np.ndarray]:
        index = self.featurizer.words_ or {}
        words = sorted(index, key=index.__getitem__)
        tables = {}
        for kind, (keys, cols) in (self.featurizer.tables_ or {}).items():
            tables[f"keys_{kind}"] = np.asarray(keys, dtype=np.int64)
            tables[f"cols_{kind}"] = np.asarray(cols, dtype=np.int64)
        return {
            "words": np.frombuffer("\x00".join(words).encode("utf-8"), dtype=np.uint8),
            **tables,
            "idf": np.asarray(self.featurizer.idf_, dtype=np.float32),
            "coef": self.coef_,
            "intercept": self.intercept_,
            "calib_a": self.calib_a_,
            "calib_b": self.calib_b_,
            **({} if self.duty_head is None else {
                "duty_coef": self.duty_head.coef,
                "duty_intercept": self.duty_head.intercept,
                "duty_calib_a": self.duty_head.calib_a,
                "duty_calib_b": self.duty_head.calib_b,
            }),
        }

    def to_meta(self) -> dict[str, Any]:
        meta = dict(self.meta)
        meta.update(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            labels=self.labels,
            features=self.spec.to_dict(),
            feature_kinds=sorted((self.featurizer.tables_ or {}).keys()),
            thresholds=[float(x) for x in self.thresholds_],
            doc_threshold=self.doc_threshold,
            n_features=self.featurizer.n_features,
        )
        for key in ("duties", "duty_thresholds", "duty_gate"):
            meta.pop(key, None)
        if self.duty_head is not None:
            meta.update(
                duties=[dict(d) for d in self.duty_head.duties],
                duty_thresholds=[float(x) for x in self.duty_head.thresholds],
                duty_gate=self.duty_head.gate,
            )
        return meta

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to a directory (``model.npz``, ``meta.json``, ``README.md``) atomically.

        Each file is written to a temporary name in the same directory and renamed into place, so a reader
        (or a crash, or a concurrent ``train``) never sees a half-written model.
        """
        path = Path(path)
        if path.suffix == ".npz":
            directory, target = path.parent, path
        else:
            directory, target = path, path / MODEL_FILE
            check_model_directory(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = self._arrays()
        meta = self.to_meta()
        meta["sha256"] = {k: _sha256(v) for k, v in arrays.items()}
        meta["sha256"]["meta"] = _meta_sha256(meta)
        buf = io.BytesIO()
        members: dict[str, Any] = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8), **arrays,
        }
        # members stored, not deflated: twice the size on disk (17 MB), but loading it is 50 ms faster, a tenth
        # of `tag`'s cold start (inflating the duty head's weights was most of the load)
        np.savez(buf, **members)
        atomic_write_bytes(target, buf.getvalue())
        if target.name == MODEL_FILE:
            card = {k: v for k, v in meta.items() if k != "sha256"}
            atomic_write_bytes(
                directory / "meta.json",
                (json.dumps(card, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            )
            from .report.card import model_card

            atomic_write_bytes(directory / "README.md", model_card(card).encode("utf-8"))
        return target

    @classmethod
    def load(cls, path: str | os.PathLike) -> RoleClassifier:
        """Load a model file or directory, refusing anything that is not an intact roleclassify model."""
        return _load(Path(path))


#: The files a model directory holds; ``train --out`` writes nothing else and replaces nothing else.
MODEL_DIR_FILES = (MODEL_FILE, "meta.json", "README.md")


def check_model_directory(directory: str | os.PathLike) -> None:
    """Refuse a directory a model may not be written into: ``/``, the home directory, or one holding files
    other than a roleclassify model's (the first foreign file is named). An empty or missing directory, or
    one that holds a roleclassify model, is fine."""
    d = Path(directory).expanduser()
    real = Path(os.path.realpath(d))
    if real == Path(real.anchor) or real == Path(os.path.realpath(Path.home())):
        raise ModelError(f"{d}: will not write a model into {'/' if real == Path(real.anchor) else 'the home directory'}; "
                         f"give a directory of its own, e.g. {option('out', 'models/mine')}")
    if not d.exists():
        return
    if not d.is_dir():
        raise ModelError(f"{d}: exists and is not a directory; give a directory for the model")
    # Temporary files are another trainer's writes in progress (atomic_write_bytes names them .NAME.*.tmp).
    names = sorted(n for n in (p.name for p in d.iterdir()) if not (n.startswith(".") and n.endswith(".tmp")))
    foreign = [n for n in names if n not in MODEL_DIR_FILES]
    if foreign:
        raise ModelError(f"{d}: holds {foreign[0]!r}, which is not part of a roleclassify model; "
                         "write the model into an empty directory or one that holds a model")
    if names and MODEL_FILE not in names:
        raise ModelError(f"{d}: holds {names[0]!r} but no {MODEL_FILE}; it is not a roleclassify model directory")
    if MODEL_FILE in names:
        try:
            meta = json.loads((d / "meta.json").read_text(encoding="utf-8")) if "meta.json" in names else {}
        except (OSError, ValueError):
            meta = {}
        if "meta.json" not in names:
            # meta.json is written after model.npz, so a concurrent trainer may be between the two: the
            # model file's own metadata decides. A meta.json that describes something else is not overruled.
            try:
                _load(d / MODEL_FILE)  # refuses anything that is not an intact roleclassify model
                meta = {"format": FORMAT}
            except ModelError:
                meta = {}
        if meta.get("format") != FORMAT:
            raise ModelError(f"{d}: its {MODEL_FILE} is not described as a roleclassify model (meta.json); "
                             "will not replace it")


def _load(path: Path) -> RoleClassifier:
    """Load a model file, or a directory's, refusing anything that is not an intact roleclassify model: the
    container is checked before any member is read, the checksums before anything is built from the arrays."""
    file = _model_file(path)
    _check_container(file)
    meta, arrays = _read_members(file)
    version = _check_format(file, meta)
    _check_checksums(file, meta, version, arrays)
    return _build_classifier(file, meta, arrays)


def model_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """A model's own metadata (name, corpus, versions, metrics), read from its model file without loading the
    arrays: refused, as :func:`load` refuses, when the file is not an intact roleclassify model's container or its
    metadata does not match its checksum. (``meta.json`` beside it is a copy for people, never trusted.)"""
    file = _model_file(Path(path))
    _check_container(file)
    try:
        with np.load(file, allow_pickle=False) as z:
            _require_members(file, z.files, ["meta"])
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, UnicodeDecodeError, RecursionError) as e:
        raise _corrupt(file, e) from None
    _check_meta_sum(file, meta, _check_format(file, meta))
    return meta


def _model_file(path: Path) -> Path:
    """The model file ``path`` names: itself, or a directory's ``model.npz``; refused when it is not there."""
    file = path / MODEL_FILE if path.is_dir() else path
    if not file.exists():
        raise ModelError(
            f"{file}: no model file there. Pass a directory written by `roleclassify train --out DIR` "
            f"or its model.npz, or leave {option('model_path')} out to use the shipped default model."
        )
    return file


def _corrupt(path: Path, e: BaseException) -> ModelError:
    return ModelError(f"{path}: corrupt or truncated model file ({type(e).__name__}: {e}); refusing to load it. "
                      "Retrain it with `roleclassify train`.")


def _inconsistent(path: Path, why: str) -> ModelError:
    return ModelError(f"{path}: inconsistent model file ({why}); retrain it with `roleclassify train`.")


def _check_container(path: Path) -> None:
    """Refuse anything but a zip file (a pickle above all) and a zip whose members would inflate beyond the
    limit, before a member is read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as e:
        raise ModelError(f"{path}: cannot read model file ({e.strerror}).") from None
    if head != _ZIP_MAGIC:
        kind = "a pickle file" if head[:1] == b"\x80" else "not a roleclassify model file"
        raise ModelError(
            f"{path}: {kind}; refusing to load it. roleclassify only loads its own .npz models "
            "(arrays + JSON, never pickles); retrain with `roleclassify train`."
        )
    limit = int(os.environ.get("ROLECLASSIFY_MAX_MODEL_BYTES") or MAX_MODEL_BYTES)
    try:
        with zipfile.ZipFile(path) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _corrupt(path, e) from None
    if inflated > limit:
        raise ModelError(
            f"{path}: its arrays would inflate to {inflated / 2**20:,.0f} MiB, more than the {limit / 2**20:,.0f} MiB "
            "a model may take; refusing to load it (set ROLECLASSIFY_MAX_MODEL_BYTES to allow more)."
        )


def _read_members(path: Path) -> tuple[Any, dict[str, np.ndarray]]:
    """The metadata (parsed JSON, not yet checked) and the arrays of a model file, read without pickles;
    refused when a member is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as z:
            _require_members(path, z.files, ["meta", *_ARRAYS])
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            names = [*_ARRAYS, *(f"{p}_{k}" for k in _feature_kinds(path, meta) for p in ("keys", "cols")),
                     *(_DUTY_ARRAYS if isinstance(meta, dict) and meta.get("duties") is not None else ())]
            _require_members(path, z.files, names)
            arrays = {k: z[k] for k in names}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, UnicodeDecodeError, RecursionError) as e:
        raise _corrupt(path, e) from None
    return meta, arrays


def _require_members(path: Path, members: Sequence[str], names: Sequence[str]) -> None:
    missing = set(names) - set(members)
    if missing:
        raise ModelError(f"{path}: not a roleclassify model (missing {', '.join(sorted(missing))}).")


def _feature_kinds(path: Path, meta: Any) -> list[str]:
    """The n-gram kinds whose tables a model file holds (its metadata's ``feature_kinds``)."""
    kinds = meta.get("feature_kinds", []) if isinstance(meta, dict) else []
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise _inconsistent(path, "feature_kinds must be a list of names")
    return kinds


def _check_format(path: Path, meta: Any) -> int:
    """Refuse metadata that is not a roleclassify model's of a format version this code reads; the version."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelError(f"{path}: not a roleclassify model (format is {found!r}).")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {version!r} is newer than this roleclassify understands "
            f"({FORMAT_VERSION}); upgrade roleclassify (pip install -U roleclassify)."
        )
    return version


def _check_meta_sum(path: Path, meta: dict[str, Any], version: int) -> dict[str, Any]:
    """Refuse metadata (from format version 2) that differs from what was saved; the checksums it holds."""
    sums = meta.get("sha256") or {}
    if not isinstance(sums, dict):
        raise ModelError(f"{path}: malformed model metadata (sha256 is not an object); refusing to load it.")
    if version >= 2 and sums.get("meta") != _meta_sha256(meta):
        raise ModelError(
            f"{path}: its metadata (labels, thresholds, feature settings) does not match its checksum: the file "
            "was modified or damaged; refusing to load it. Retrain it with `roleclassify train`."
        )
    return sums


def _check_checksums(path: Path, meta: dict[str, Any], version: int, arrays: dict[str, np.ndarray]) -> None:
    """Refuse a file whose metadata (from format version 2) or any array differs from what was saved."""
    sums = _check_meta_sum(path, meta, version)
    for k, a in arrays.items():
        if a.dtype == object or sums.get(k) != _sha256(a):
            raise ModelError(
                f"{path}: array {k!r} does not match its checksum: the file was modified or damaged; "
                "refusing to load it. Retrain it with `roleclassify train`."
            )


def _build_classifier(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> RoleClassifier:
    """The classifier a checked model file describes, refused when its parts do not fit together (a file
    written by hand or by other code, with checksums to match)."""
    labels = _labels(path, meta)
    if "features" not in meta:
        raise _inconsistent(path, repr("features"))
    try:
        spec = FeatureSpec.from_dict(meta["features"])
    except (ValueError, RecursionError) as e:  # from_dict names the bad value
        raise _inconsistent(path, str(e)) from None
    try:
        words = bytes(arrays["words"]).decode("utf-8").split("\x00") if arrays["words"].size else []
    except UnicodeDecodeError as e:
        raise _inconsistent(path, str(e)) from None
    tables = {k: (arrays[f"keys_{k}"], arrays[f"cols_{k}"]) for k in _feature_kinds(path, meta)}
    _check_shapes(path, arrays, tables, len(labels))
    thresholds = _probability_list(path, meta.get("thresholds") or [DEFAULT_THRESHOLD] * len(labels), len(labels),
                                   "thresholds")
    (doc_threshold,) = _probability_list(path, [meta.get("doc_threshold", DEFAULT_DOC_THRESHOLD)], 1,
                                         "doc_threshold")
    feat = Featurizer.from_state(spec, {w: i for i, w in enumerate(words)}, tables, arrays["idf"])
    return RoleClassifier(
        labels=labels,
        featurizer=feat,
        coef=arrays["coef"],
        intercept=arrays["intercept"],
        calib_a=arrays["calib_a"],
        calib_b=arrays["calib_b"],
        thresholds=thresholds,
        doc_threshold=doc_threshold,
        meta={k: v for k, v in meta.items() if k != "sha256"},
        duty_head=_duty_head(path, meta, arrays, len(arrays["idf"])) if meta.get("duties") is not None else None,
    )


def _duty_head(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray], n_features: int) -> DutyHead:
    """The duty head a checked model file describes, refused when its metadata or arrays do not fit."""
    duties = meta["duties"]
    if not isinstance(duties, list) or not duties or not all(
            isinstance(d, dict) and isinstance(d.get("id"), str) and d["id"] for d in duties) \
            or len({d["id"] for d in duties}) != len(duties):
        raise _inconsistent(path, "duties must be a list of objects with distinct non-empty ids")
    n = len(duties)
    if arrays["duty_coef"].shape != (n_features, n):
        raise _inconsistent(path, f"duty_coef has shape {arrays['duty_coef'].shape} for {n_features} features "
                                  f"and {n} duties")
    for k in ("duty_intercept", "duty_calib_a", "duty_calib_b"):
        a = arrays[k]
        if a.shape != (n,) or not np.issubdtype(a.dtype, np.floating) or not np.isfinite(a).all():
            raise _inconsistent(path, f"{k} has shape {a.shape} or values that are not finite numbers")
    if not np.issubdtype(arrays["duty_coef"].dtype, np.floating) or not np.isfinite(arrays["duty_coef"]).all():
        raise _inconsistent(path, "duty_coef holds values that are not finite numbers")
    thresholds = _probability_list(path, meta.get("duty_thresholds"), n, "duty_thresholds")
    gate = meta.get("duty_gate", False)
    if not isinstance(gate, bool):
        raise _inconsistent(path, "duty_gate must be true or false")
    return DutyHead([dict(d) for d in duties], arrays["duty_coef"], arrays["duty_intercept"],
                    arrays["duty_calib_a"], arrays["duty_calib_b"], np.asarray(thresholds), gate)


def _labels(path: Path, meta: dict[str, Any]) -> list[str]:
    if "labels" not in meta:
        raise _inconsistent(path, repr("labels"))
    labels = meta["labels"]
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels) \
            or len(set(labels)) != len(labels):
        raise _inconsistent(path, "labels must be a list of distinct non-empty strings")
    return labels


def _check_shapes(
    path: Path, arrays: dict[str, np.ndarray], tables: dict[str, tuple[np.ndarray, np.ndarray]], n_labels: int
) -> None:
    """Refuse arrays whose shapes do not fit the labels and features, or a feature table that is not sorted."""
    idf = arrays["idf"]
    if idf.ndim != 1:
        raise _inconsistent(path, f"idf has shape {idf.shape}")
    n_feat = len(idf)
    coef = arrays["coef"]
    if coef.shape != (n_feat, n_labels):
        raise _inconsistent(path, f"coef has shape {coef.shape} for {n_feat} features and {n_labels} labels")
    for k, (keys, cols) in tables.items():
        integers = all(np.issubdtype(a.dtype, np.integer) for a in (keys, cols))
        if keys.shape != cols.shape or cols.ndim != 1 or not integers \
                or (len(cols) and (cols.min() < 0 or cols.max() >= n_feat)):
            raise _inconsistent(path, f"feature table {k} does not fit the {n_feat} features")
        if len(keys) > 1 and np.any(np.diff(keys) <= 0):
            raise _inconsistent(path, f"feature table {k} is not sorted")
    for k in ("intercept", "calib_a", "calib_b"):
        if arrays[k].shape != (n_labels,):
            raise _inconsistent(path, f"{k} has shape {arrays[k].shape}")


def compatibility_warnings(model: RoleClassifier) -> list[str]:
    """Differences between the libraries a model was trained with and the installed ones that may change
    its results (the tokenizer's dictionary above all); empty when they match."""
    from .tokenize import tokenizer_info

    trained = (model.meta.get("versions") or {})
    compared = ("SudachiDict-core", "SudachiPy")  # the tag path's tokenizer; GiNZA and spaCy are not used
    now = tokenizer_info(compared)
    out = []
    for pkg in compared:
        if trained.get(pkg) and now.get(pkg) and trained[pkg] != now[pkg]:
            out.append(
                f"model was trained with {pkg} {trained[pkg]}, {now[pkg]} is installed; tokens may differ "
                "slightly (retrain with `roleclassify train` to match)"
            )
    return out


def default_model_path() -> Path:
    """The model to use when none is given: ``$ROLECLASSIFY_MODEL``, else the shipped default model.

    The shipped model lives in the installed package (``roleclassify/models/default``); in a source checkout
    it is ``models/default`` at the repository root.
    """
    env = os.environ.get("ROLECLASSIFY_MODEL")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "models" / "default", here.parent.parent / "models" / "default"):
        if (candidate / MODEL_FILE).exists():
            return candidate
    raise ModelError(
        "the shipped default model is missing from this installation; reinstall roleclassify "
        f"(pip install --force-reinstall roleclassify) or pass {option('model_path', 'DIR')}."
    )


def load(path: str | os.PathLike | None = None, *, engine: str = "fast") -> RoleClassifier:
    """Load a model: ``path`` if given, else ``$ROLECLASSIFY_MODEL``, else the shipped default model."""
    clf = _load(Path(path) if path is not None else default_model_path())
    return clf.use_engine(engine)
