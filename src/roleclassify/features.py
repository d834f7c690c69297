"""Features over GiNZA tokens: word n-grams of normalised forms and character n-grams.

Extraction and weighting are plain Python + NumPy so that tagging never imports scikit-learn or SciPy
(cold start matters for a command-line tool). :class:`Featurizer` builds the vocabulary and inverse document
frequencies; :func:`Featurizer.transform_arrays` gives CSR arrays that :mod:`roleclassify.model` multiplies
with the weights, and :func:`Featurizer.transform` the SciPy matrix used for training.
Which features are on is decided by measurement: see ``bench/FEATURES.md``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .text import normalize, strip_marker
from .tokenize import Token

__all__ = ["FeatureSpec", "Featurizer", "extract_features", "featurize"]

_SKIP_TAG_PREFIXES = ("補助記号", "空白")
_FUNCTION_TAG_PREFIXES = ("助詞", "助動詞", "補助記号", "空白")


@dataclass(frozen=True)
class FeatureSpec:
    """Which features to extract.

    word: token field used for word features (``norm`` = SudachiPy normalised form, ``lemma``, ``surface``).
    word_ngrams: n-gram orders over tokens, e.g. (1, 2); () turns word features off.
    content_only: drop particles and auxiliaries from word n-grams.
    char_ngrams: character n-gram orders over the normalised text; () turns them off.
    min_df: a feature must occur in at least this many training units.
    sublinear_tf: use 1 + log(tf) instead of tf.
    """

    word: str = "norm"
    word_ngrams: tuple[int, ...] = (1, 2)
    content_only: bool = False
    char_ngrams: tuple[int, ...] = (2, 3)
    min_df: int = 2
    sublinear_tf: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> FeatureSpec:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        for k in ("word_ngrams", "char_ngrams"):
            if k in known:
                known[k] = tuple(known[k])
        return cls(**known)


def extract_features(tokens: Sequence[Token], text: str, spec: FeatureSpec) -> list[str]:
    """Feature strings of one unit. ``text`` is the normalised unit text."""
    feats: list[str] = []
    if spec.word_ngrams:
        skip = _FUNCTION_TAG_PREFIXES if spec.content_only else _SKIP_TAG_PREFIXES
        if spec.word == "norm":
            words = [t.norm for t in tokens if not t.tag.startswith(skip)]
        elif spec.word == "lemma":
            words = [t.lemma for t in tokens if not t.tag.startswith(skip)]
        else:
            words = [t.surface for t in tokens if not t.tag.startswith(skip)]
        for n in spec.word_ngrams:
            if n == 1:
                feats.extend(["w " + w for w in words])
            else:
                feats.extend(
                    ["w " + " ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
                )
    if spec.char_ngrams:
        s = text.replace(" ", "")
        for n in spec.char_ngrams:
            feats.extend(["c" + s[i : i + n] for i in range(len(s) - n + 1)])
    return feats


def featurize(texts: Sequence[str], spec: FeatureSpec, tokenizer) -> list[list[str]]:
    """Feature strings of unit texts: item marker stripped, normalised, GiNZA-tokenized, extracted.

    Training and tagging both go through here, so a unit is featurized the same way in both.
    """
    out = []
    for t in texts:
        n = normalize(strip_marker(t))
        out.append(extract_features(tokenizer(n), n, spec))
    return out


@dataclass
class Featurizer:
    """Vocabulary + idf over feature strings; sklearn-style ``fit`` / ``transform``.

    ``vocabulary_`` maps feature string -> column; ``idf_`` holds one weight per column.
    """

    spec: FeatureSpec = field(default_factory=FeatureSpec)
    vocabulary_: dict[str, int] | None = None
    idf_: np.ndarray | None = None

    def fit(self, feature_lists: Sequence[Sequence[str]]) -> Featurizer:
        df: Counter[str] = Counter()
        for feats in feature_lists:
            df.update(set(feats))
        kept = sorted(f for f, c in df.items() if c >= self.spec.min_df)
        self.vocabulary_ = {f: i for i, f in enumerate(kept)}
        n = len(feature_lists)
        self.idf_ = np.array(
            [math.log((1 + n) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32
        )
        return self

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_ or {})

    def transform_arrays(
        self, feature_lists: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, data) of L2-normalised tf-idf rows."""
        if self.vocabulary_ is None or self.idf_ is None:
            raise RuntimeError("Featurizer is not fitted")
        vocab_get = self.vocabulary_.get
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for feats in feature_lists:
            c: dict[int, int] = {}
            for f in feats:
                j = vocab_get(f)
                if j is not None:
                    c[j] = c.get(j, 0) + 1
            indices.extend(c.keys())
            counts.extend(c.values())
            indptr.append(len(indices))
        ip = np.asarray(indptr, dtype=np.int64)
        ix = np.asarray(indices, dtype=np.int64)
        tf = np.asarray(counts, dtype=np.float32)
        if self.spec.sublinear_tf:
            tf = 1.0 + np.log(tf, where=tf > 0, out=np.zeros_like(tf))
        data = tf * self.idf_[ix] if len(ix) else tf
        # L2-normalise each row
        if len(data):
            lengths = np.diff(ip)
            rows = np.repeat(np.arange(len(lengths)), lengths)
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(lengths)))
            norms[norms == 0] = 1.0
            data = data / norms[rows]
        return ip, ix, data.astype(np.float32)

    def transform(self, feature_lists: Sequence[Sequence[str]]):
        """SciPy CSR matrix (training only: imports SciPy)."""
        from scipy.sparse import csr_matrix

        ip, ix, data = self.transform_arrays(feature_lists)
        return csr_matrix((data, ix, ip), shape=(len(ip) - 1, self.n_features))

    def fit_transform(self, feature_lists: Sequence[Sequence[str]]):
        return self.fit(feature_lists).transform(feature_lists)
