"""The role classifier: tagging, roll-up of sentences to items, and the safe model file.

A model is a linear one-vs-rest classifier over :mod:`roleclassify.features`. Its learned state is stored as
plain arrays in one ``.npz`` file loaded with ``allow_pickle=False`` (nothing in a model file is ever
executed) and checked against SHA-256 sums kept in its metadata. Tagging needs only NumPy and SudachiPy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .features import FeatureSpec, Featurizer, Unit, analyze
from .io.fileio import atomic_write_bytes
from .text import split_sentences

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
]

OTHER = "other"
MODEL_FILE = "model.npz"
FORMAT = "roleclassify-model"
#: A label's probability threshold before tuning (and for a model file that states none).
DEFAULT_THRESHOLD = 0.5
#: The share a role needs to be a main role of an item of several sentences, before tuning.
DEFAULT_DOC_THRESHOLD = 0.3
FORMAT_VERSION = 2  # 2: the JSON metadata (labels, thresholds, features ...) is checksummed too
#: The most bytes a model file's members may inflate to (a file whose arrays claim more is refused before any
#: is read); ROLECLASSIFY_MAX_MODEL_BYTES raises it.
MAX_MODEL_BYTES = 2 << 30
_ARRAYS = ("words", "idf", "coef", "intercept", "calib_a", "calib_b")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class SentenceTagging:
    """Result for one sentence (unit) of an item."""

    text: str
    labels: list[str]
    scores: dict[str, float]
    review: bool = False
    explanation: dict[str, list[tuple[str, float]]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "labels": self.labels, "scores": self.scores}
        if self.review:
            d["review"] = True
        if self.explanation is not None:
            d["explain"] = {l: [[f, w] for f, w in pairs] for l, pairs in self.explanation.items()}
        return d


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

def rollup_scores(p: np.ndarray) -> np.ndarray:
    """Scores of an item of several sentences from its sentence probabilities ``p`` (sentences x labels):
    each role's probability mass over the item's soft count of role sentences, that count taken as at least
    one, so an item with hardly any role work scores low on every role."""
    return p.sum(axis=0) / max(float(p.max(axis=1).sum()), 1.0)


def _sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _meta_sha256(meta: dict) -> str:
    """Checksum of a model's metadata without its ``sha256`` entry (canonical JSON)."""
    body = {k: v for k, v in meta.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _probability_list(value: Any, n: int, what: str) -> list[float]:
    if not isinstance(value, list) or len(value) != n:
        raise ValueError(f"{what} must be a list of {n} numbers")
    out = []
    for x in value:
        if type(x) not in (int, float) or not (0.0 <= x <= 1.0):  # NaN fails the range test
            raise ValueError(f"{what} must be probabilities in [0, 1], got {x!r}")
        out.append(float(x))
    return out


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
        self._tokenizer: Any = None
        self.engine = "fast"

    # ------------------------------------------------------------------ scoring
    @property
    def spec(self) -> FeatureSpec:
        return self.featurizer.spec

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from .tokenize import get_tokenizer

            self._tokenizer = get_tokenizer(self.engine)
        return self._tokenizer

    @tokenizer.setter
    def tokenizer(self, tokenizer) -> None:
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
        """Raw linear scores (n_units x n_labels) of analysed units."""
        ip, ix, data = self.featurizer.transform_arrays(units)
        n = len(ip) - 1
        z = np.tile(self.intercept_, (n, 1))
        if len(ix):
            contrib = self.coef_[ix] * data[:, None]
            starts = ip[:-1]
            nonempty = starts < ip[1:]
            z[nonempty] += np.add.reduceat(contrib, starts[nonempty], axis=0)
        return z

    def proba_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Calibrated probabilities (n_units x n_labels) of analysed units."""
        z = self.decision_function_units(units)
        return 1.0 / (1.0 + np.exp(-(self.calib_a_ * z + self.calib_b_)))

    def predict_proba(self, unit_texts: Sequence[str]) -> np.ndarray:
        """Probabilities per label for each unit text (each text taken as one unit, not split)."""
        return self.proba_units(self.units(unit_texts))

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
        if threshold is not None and not (0.0 <= float(threshold) <= 1.0):  # NaN fails this test too
            raise ValueError(f"threshold must be a probability in [0, 1], got {threshold!r}")
        batch: list[str] = []
        opts = (threshold, split, explain, review or ReviewPolicy())
        for t in texts:
            batch.append(t)
            if len(batch) >= batch_size:
                yield from self._tag_batch(batch, *opts)
                batch = []
        if batch:
            yield from self._tag_batch(batch, *opts)

    def explain_units(self, units: Sequence[Unit], top: int = 5) -> list[dict[str, list[tuple[str, float]]]]:
        """Per unit and label, the ``top`` features with the largest contribution to the (calibrated) log-odds,
        signed: positive pushed towards the label, negative away from it; first the ``(bias)`` every unit
        starts from. Bias plus all contributions is the log-odds of the label's probability."""
        ip, ix, data = self.featurizer.transform_arrays(units)
        out = []
        for r in range(len(units)):
            cols = ix[ip[r] : ip[r + 1]]
            contrib = data[ip[r] : ip[r + 1], None] * self.coef_[cols] * self.calib_a_[None, :]
            names_needed: set[int] = set()
            picks = {}
            for j, label in enumerate(self.labels):
                order = np.argsort(-np.abs(contrib[:, j]))[:top]
                picks[label] = [(int(cols[k]), float(contrib[k, j])) for k in order if contrib[k, j] != 0]
                names_needed.update(c for c, _ in picks[label])
            names = dict(zip(sorted(names_needed), self.featurizer.feature_names(sorted(names_needed))))
            bias = self.calib_a_ * self.intercept_ + self.calib_b_
            out.append({
                l: [("(bias)", round(float(bias[j]), 3))] + [(names[c], round(w, 3)) for c, w in pairs]
                for j, (l, pairs) in enumerate(picks.items())
            })
        return out

    def _tag_batch(
        self, texts: list[str], threshold: float | None, split: bool, explain: int, review: ReviewPolicy
    ) -> list[Tagging]:
        units_per_item = [
            (split_sentences(t) if split else ([t.strip()] if t.strip() else [])) for t in texts
        ]
        flat = [u for units in units_per_item for u in units]
        analysed = self.units(flat, stripped=split) if flat else []
        probs = self.proba_units(analysed) if flat else np.zeros((0, len(self.labels)))
        th = (
            np.full(len(self.labels), float(threshold))
            if threshold is not None
            else self.thresholds_
        )
        flags = review.flags(probs, th).tolist()
        explanations = self.explain_units(analysed, explain) if explain and flat else None
        # labels and rounded scores of every sentence at once
        hit = probs >= th
        hits = hit.tolist()
        rounded = np.round(probs, 4).tolist()
        labels = self.labels
        sent_labels = [[l for l, h in zip(labels, row) if h] or [OTHER] for row in hits]
        sent_scores = [dict(zip(labels, row)) for row in rounded]
        # items of several sentences: role scores and label shares, for the whole batch at once
        sizes = np.fromiter((len(u) for u in units_per_item), dtype=np.int64, count=len(units_per_item))
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        multi = sizes > 1
        item_scores: Any = None
        item_shares: Any = None
        if multi.any():
            n_hits = hit.sum(axis=1)
            weights = np.zeros((len(probs), len(labels) + 1))
            weights[:, :-1] = hit / np.maximum(n_hits, 1)[:, None]
            weights[:, -1] = n_hits == 0
            # Segment sums over every non-empty item: `reduceat` sums from each start to the next one given,
            # so the starts of all non-empty items must be passed, not only those of the multi-sentence ones
            # (else a multi-sentence item also sums the one-sentence items that follow it in the batch).
            nonempty = sizes > 0
            s_idx = starts[nonempty]
            pick = multi[nonempty]
            mass = np.add.reduceat(probs, s_idx, axis=0)[pick]
            soft = np.add.reduceat(probs.max(axis=1), s_idx)[pick]
            item_scores = np.zeros((len(sizes), len(labels)))
            item_scores[multi] = mass / np.maximum(soft, 1.0)[:, None]
            item_shares = np.zeros((len(sizes), len(labels) + 1))
            item_shares[multi] = np.add.reduceat(weights, s_idx, axis=0)[pick] / sizes[multi][:, None]
            item_scores = np.round(item_scores, 4).tolist()
            item_shares = np.round(item_shares, 4).tolist()
        out: list[Tagging] = []
        share_keys = [*labels, OTHER]
        for j, (text, units) in enumerate(zip(texts, units_per_item)):
            k = int(starts[j])
            sents = [
                SentenceTagging(
                    u, sent_labels[k + i], sent_scores[k + i], flags[k + i],
                    explanations[k + i] if explanations is not None else None,
                )
                for i, u in enumerate(units)
            ]
            if not sents:
                out.append(Tagging(text, [OTHER], dict.fromkeys(labels, 0.0), [], None))
            elif len(sents) == 1:
                out.append(Tagging(text, list(sents[0].labels), dict(sents[0].scores), sents, None))
            else:
                sc = item_scores[j]
                shares = dict(zip(share_keys, item_shares[j]))
                out.append(Tagging(text, self._main_roles(sc, shares[OTHER] >= 1.0 - 1e-9), dict(zip(labels, sc)),
                                   sents, shares))
        return out

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
        np.savez_compressed(buf, **members)
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
                         "give a directory of its own, e.g. --out models/mine")
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
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.exists():
        raise ModelError(
            f"{path}: no model file there. Pass a directory written by `roleclassify train --out DIR` "
            "or its model.npz, or leave --model out to use the shipped default model."
        )
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
        raise ModelError(f"{path}: corrupt or truncated model file ({type(e).__name__}: {e}); refusing to load it. "
                         "Retrain it with `roleclassify train`.") from None
    if inflated > limit:
        raise ModelError(
            f"{path}: its arrays would inflate to {inflated / 2**20:,.0f} MiB, more than the {limit / 2**20:,.0f} MiB "
            "a model may take; refusing to load it (set ROLECLASSIFY_MAX_MODEL_BYTES to allow more)."
        )
    try:
        with np.load(path, allow_pickle=False) as z:
            members = set(z.files)
            missing = {"meta", *_ARRAYS} - members
            if missing:
                raise ModelError(
                    f"{path}: not a roleclassify model (missing {', '.join(sorted(missing))})."
                )
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            kinds = meta.get("feature_kinds", []) if isinstance(meta, dict) else []
            names = [*_ARRAYS, *(f"{p}_{k}" for k in kinds for p in ("keys", "cols"))]
            missing = set(names) - members
            if missing:
                raise ModelError(f"{path}: not a roleclassify model (missing {', '.join(sorted(missing))}).")
            arrays = {k: z[k] for k in names}
    except ModelError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, UnicodeDecodeError, RecursionError) as e:
        raise ModelError(
            f"{path}: corrupt or truncated model file ({type(e).__name__}: {e}); refusing to load it. "
            "Retrain it with `roleclassify train`."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{path}: not a roleclassify model (format is {meta.get('format')!r}).")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format version {version!r} is newer than this roleclassify understands "
            f"({FORMAT_VERSION}); upgrade roleclassify (pip install -U roleclassify)."
        )
    sums = meta.get("sha256") or {}
    if not isinstance(sums, dict):
        raise ModelError(f"{path}: malformed model metadata (sha256 is not an object); refusing to load it.")
    if version >= 2 and sums.get("meta") != _meta_sha256(meta):
        raise ModelError(
            f"{path}: its metadata (labels, thresholds, feature settings) does not match its checksum: the file "
            "was modified or damaged; refusing to load it. Retrain it with `roleclassify train`."
        )
    for k, a in arrays.items():
        if a.dtype == object or sums.get(k) != _sha256(a):
            raise ModelError(
                f"{path}: array {k!r} does not match its checksum: the file was modified or damaged; "
                "refusing to load it. Retrain it with `roleclassify train`."
            )
    try:
        labels = meta["labels"]
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels) \
                or len(set(labels)) != len(labels):
            raise ValueError("labels must be a list of distinct non-empty strings")
        spec = FeatureSpec.from_dict(meta["features"])
        words = bytes(arrays["words"]).decode("utf-8").split("\x00") if arrays["words"].size else []
        tables = {k: (arrays[f"keys_{k}"], arrays[f"cols_{k}"]) for k in meta.get("feature_kinds", [])}
        n_feat = len(arrays["idf"])
        coef = arrays["coef"]
        if coef.shape != (n_feat, len(labels)):
            raise ValueError(f"coef has shape {coef.shape} for {n_feat} features and {len(labels)} labels")
        for k, (keys, cols) in tables.items():
            if keys.shape != cols.shape or (len(cols) and (cols.min() < 0 or cols.max() >= n_feat)):
                raise ValueError(f"feature table {k} does not fit the {n_feat} features")
            if len(keys) > 1 and np.any(np.diff(keys) <= 0):
                raise ValueError(f"feature table {k} is not sorted")
        for k in ("intercept", "calib_a", "calib_b"):
            if arrays[k].shape != (len(labels),):
                raise ValueError(f"{k} has shape {arrays[k].shape}")
        thresholds = _probability_list(meta.get("thresholds") or [DEFAULT_THRESHOLD] * len(labels), len(labels), "thresholds")
        (doc_threshold,) = _probability_list([meta.get("doc_threshold", DEFAULT_DOC_THRESHOLD)], 1, "doc_threshold")
    except (KeyError, TypeError, ValueError, RecursionError) as e:
        raise ModelError(f"{path}: inconsistent model file ({e}); retrain it with `roleclassify train`.") from None
    feat = Featurizer(spec=spec, words_={w: i for i, w in enumerate(words)}, tables_=tables, idf_=arrays["idf"])
    meta = {k: v for k, v in meta.items() if k != "sha256"}
    return RoleClassifier(
        labels=labels,
        featurizer=feat,
        coef=coef,
        intercept=arrays["intercept"],
        calib_a=arrays["calib_a"],
        calib_b=arrays["calib_b"],
        thresholds=thresholds,
        doc_threshold=doc_threshold,
        meta=meta,
    )


def compatibility_warnings(model: RoleClassifier) -> list[str]:
    """Differences between the libraries a model was trained with and the installed ones that may change
    its results (the tokenizer's dictionary above all); empty when they match."""
    from .tokenize import tokenizer_info

    trained = (model.meta.get("versions") or {})
    now = tokenizer_info()
    out = []
    for pkg in ("SudachiDict-core", "SudachiPy"):
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
        "(pip install --force-reinstall roleclassify) or pass --model DIR."
    )


def load(path: str | os.PathLike | None = None, *, engine: str = "fast") -> RoleClassifier:
    """Load a model: ``path`` if given, else ``$ROLECLASSIFY_MODEL``, else the shipped default model."""
    clf = _load(Path(path) if path is not None else default_model_path())
    return clf.use_engine(engine)
