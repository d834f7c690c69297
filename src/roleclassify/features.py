"""Features over GiNZA tokens: word n-grams of normalised forms and character n-grams, as integer keys.

Each n-gram is an integer key: a character n-gram packs its code points (21 bits each, exact for n <= 3), a
word n-gram combines word ids. A fitted :class:`Featurizer` keeps, per n-gram kind, a sorted array of known
keys and their columns, so turning a whole batch of units into a tf-idf matrix is a handful of NumPy calls
(``np.searchsorted``, ``np.unique``) instead of a dictionary lookup per n-gram. Tagging never imports
scikit-learn or SciPy; :meth:`Featurizer.transform` builds the SciPy matrix used for training.
Which features are on was decided by measurement: see ``bench/FEATURES.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from .errors import NotFittedError, OptionError
from .text import normalize, strip_marker

if TYPE_CHECKING:  # pragma: no cover
    from scipy.sparse import csr_matrix

    from .tokenize import Token

__all__ = [
    "FeatureSpec",
    "Featurizer",
    "Unit",
    "WordTokenizer",
    "analyze",
    "as_units",
    "units_from_tokens",
    "SKIP_TAGS",
    "FUNCTION_TAGS",
]

#: Token tags (prefixes) never used as word features.
SKIP_TAGS = ("補助記号", "空白")
#: Token tags dropped as well when ``content_only`` is on.
FUNCTION_TAGS = ("助詞", "助動詞", "補助記号", "空白")
_BITS = 21  # a Unicode code point fits in 21 bits
_MASK = (1 << 63) - 1
#: The character lookup tables of a fitted featurizer (see :meth:`Featurizer._compact_tables`): column of each
#: vocabulary character, code point -> index among them, their number, the dense bigram table, the sorted
#: trigram codes and their columns.
_CharTables = tuple[np.ndarray, np.ndarray, int, np.ndarray | None, np.ndarray | None, np.ndarray | None]


@dataclass(frozen=True)
class FeatureSpec:
    """Which features to extract.

    word: token field used for word features (``norm`` = SudachiPy normalised form, ``lemma``, ``surface``).
    word_ngrams: n-gram orders over tokens, e.g. (1, 2); () turns word features off.
    content_only: drop particles and auxiliaries from word n-grams.
    char_ngrams: character n-gram orders over the normalised text (spaces removed); () turns them off.
    min_df: a feature must occur in at least this many training units.
    sublinear_tf: use 1 + log(tf) instead of tf.
    """

    word: str = "norm"
    word_ngrams: tuple[int, ...] = (1, 2)
    content_only: bool = False
    char_ngrams: tuple[int, ...] = (2, 3)
    min_df: int = 2
    sublinear_tf: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureSpec:
        """A spec from its dict (a model file's ``features``), validated: ``ValueError`` names a bad value."""
        if not isinstance(d, dict):
            raise OptionError(f"features must be an object, got {type(d).__name__}")
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        for k in ("word_ngrams", "char_ngrams"):
            if k in known:
                v = known[k]
                if not isinstance(v, (list, tuple)) or not all(type(n) is int and 1 <= n <= 6 for n in v):
                    raise OptionError(f"features.{k} must be a list of orders 1..6, got {v!r}")
                known[k] = tuple(v)
        if "word" in known and known["word"] not in ("norm", "lemma", "surface"):
            raise OptionError(f"features.word must be norm, lemma or surface, got {known['word']!r}")
        for k in ("content_only", "sublinear_tf"):
            if k in known and type(known[k]) is not bool:
                raise OptionError(f"features.{k} must be true or false, got {known[k]!r}")
        if "min_df" in known and (type(known["min_df"]) is not int or known["min_df"] < 1):
            raise OptionError(f"features.min_df must be a positive integer, got {known['min_df']!r}")
        return cls(**known)

    @property
    def skip_tags(self) -> tuple[str, ...]:
        return FUNCTION_TAGS if self.content_only else SKIP_TAGS


class Unit(NamedTuple):
    """A sentence's analysed form, what features are computed from: the normalised text (spaces removed) and its
    words (the corpus guide's "unit" is such a sentence; an *item* is a whole input record)."""

    chars: str
    words: list[str]


class WordTokenizer(Protocol):
    """What :func:`analyze` needs of a tokenizer (:class:`~roleclassify.tokenize.FastTokenizer` or
    :class:`~roleclassify.tokenize.GinzaTokenizer`): the words of a normalised text."""

    def words(self, text: str, field: str, skip: tuple[str, ...]) -> list[str]: ...


def analyze(
    texts: Sequence[str], spec: FeatureSpec, tokenizer: WordTokenizer, *, stripped: bool = False
) -> list[Unit]:
    """Units of raw unit texts: item marker stripped, NFKC-normalised, GiNZA-tokenized.

    Training and tagging both go through here, so a unit is featurized the same way in both.
    ``stripped`` says the texts come from :func:`~roleclassify.text.split_sentences`, which already removed
    the markers.
    """
    field_ = spec.word
    skip = spec.skip_tags
    need_words = bool(spec.word_ngrams)
    normed = [normalize(t) for t in texts] if stripped else [normalize(strip_marker(t)) for t in texts]
    if not need_words:
        return [Unit(n.replace(" ", ""), []) for n in normed]
    many = getattr(tokenizer, "norm_words", None)
    if many is not None and field_ == "norm":  # the hot path, one loop
        return [Unit(n.replace(" ", ""), w) for n, w in zip(normed, many(normed, skip))]
    return [Unit(n.replace(" ", ""), tokenizer.words(n, field_, skip)) for n in normed]


def units_from_tokens(
    texts: Sequence[str], token_lists: Iterable[Sequence[Token]], spec: FeatureSpec
) -> list[Unit]:
    """Units from already tokenized (normalised) texts, e.g. tokens of the full GiNZA pipeline."""
    skip = spec.skip_tags
    return [
        Unit(t.replace(" ", ""), [getattr(tok, spec.word) for tok in toks if not tok.tag.startswith(skip)])
        for t, toks in zip(texts, token_lists)
    ]


def as_units(X: Iterable[str | Unit], spec: FeatureSpec, tokenizer: WordTokenizer | None = None) -> list[Unit]:
    """``X`` as analysed units, so the sklearn-facing API takes either: a :class:`Unit` passes as it is, a text is
    analysed by :func:`analyze` (with ``tokenizer``, else the process's shared fast tokenizer)."""
    items = list(X)
    texts = [x for x in items if not isinstance(x, Unit)]
    if not texts:
        return items  # type: ignore[return-value]  # every item is a Unit
    for x in texts:
        if not isinstance(x, str):
            raise TypeError(f"expected unit texts (str) or analysed Units, got {type(x).__name__}: {x!r:.60}")
    analysed = iter(analyze(texts, spec, tokenizer or _shared_tokenizer()))
    return [x if isinstance(x, Unit) else next(analysed) for x in items]


@functools.cache
def _shared_tokenizer() -> WordTokenizer:
    """One fast tokenizer per process for texts handed to the sklearn API (building one loads the dictionary)."""
    from .tokenize import FastTokenizer

    return FastTokenizer()


def _codepoints(units: Sequence[Unit]) -> tuple[np.ndarray, np.ndarray]:
    """The batch's characters as code points, each unit followed by a 0 separator, and the row of each."""
    joined = "\x00".join(u.chars for u in units) + "\x00"
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    lengths = np.fromiter((len(u.chars) + 1 for u in units), dtype=np.int64, count=len(units))
    return cp, np.repeat(np.arange(len(units), dtype=np.int64), lengths)


def _char_keys(units: Sequence[Unit], orders: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per order n: (row, key) of every character n-gram of the batch."""
    if not units or not orders:
        return {}
    cp, rows_of = _codepoints(units)
    cp[cp == 0] = -1
    out = {}
    total = len(cp)
    for n in orders:
        if total < n:
            out[n] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
            continue
        m = total - n + 1
        valid = np.ones(m, dtype=bool)
        key = np.zeros(m, dtype=np.int64)
        for k in range(n):
            part = cp[k : k + m]
            valid &= part >= 0
            if n <= 3:
                key = (key << _BITS) | np.where(part >= 0, part, 0)
            else:  # 64-bit mixing for longer n-grams (collisions are negligible)
                key = (key * 1000003 + np.where(part >= 0, part, 0)) & _MASK
        out[n] = (rows_of[:m][valid], key[valid])
    return out


def _word_keys(
    units: Sequence[Unit], index: dict[str, int], orders: Sequence[int]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per order n: (row, key) of every word n-gram whose words are all known."""
    if not units or not orders:
        return {}
    get = index.get
    flat = [get(w, -1) for u in units for w in u.words]
    counts = np.fromiter((len(u.words) for u in units), dtype=np.int64, count=len(units))
    ids = np.asarray(flat, dtype=np.int64)
    rows_of = np.repeat(np.arange(len(units), dtype=np.int64), counts)
    base = len(index) + 1
    out = {}
    total = len(ids)
    for n in orders:
        if total < n:
            out[n] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
            continue
        m = total - n + 1
        valid = rows_of[: m] == rows_of[n - 1 :]
        key = np.zeros(m, dtype=np.int64)
        for k in range(n):
            part = ids[k : k + m]
            valid &= part >= 0
            key = key * base + np.where(part >= 0, part, 0)
        out[n] = (rows_of[:m][valid], key[valid])
    return out


class Featurizer:
    """tf-idf rows of word and character n-grams: an sklearn transformer over texts or analysed units.

    It follows scikit-learn's estimator conventions without importing scikit-learn (tagging never loads it):
    ``spec`` is its one parameter (``get_params`` / ``set_params``, so ``sklearn.base.clone``, ``Pipeline`` and
    ``GridSearchCV`` take it); ``fit`` learns ``words_`` (word -> id, the keys of word n-grams), ``tables_``
    (a kind such as ``"w2"`` or ``"c3"`` -> ``(sorted keys, columns)``) and ``idf_`` (one weight per column).
    Input is a sequence of unit texts or of :class:`Unit` (see :func:`as_units`).

    The keyword-only ``words_``, ``tables_`` and ``idf_`` rebuild a fitted featurizer from a model file's arrays
    (the model loader); they are learned state, not parameters, so ``get_params`` leaves them out.

    Examples
    --------
    >>> feat = Featurizer(FeatureSpec(word_ngrams=(1,), char_ngrams=(), min_df=1))
    >>> feat.fit_transform([Unit("受注", ["受注"]), Unit("在庫", ["在庫"])]).shape
    (2, 2)
    """

    words_: dict[str, int]
    tables_: dict[str, tuple[np.ndarray, np.ndarray]]
    idf_: np.ndarray

    def __init__(self, spec: FeatureSpec = FeatureSpec()) -> None:
        self.spec = spec
        self._reset_lookups()

    @classmethod
    def from_state(cls, spec: FeatureSpec, words: dict[str, int], tables: dict[str, tuple[np.ndarray, np.ndarray]],
                   idf: np.ndarray) -> Featurizer:
        """A fitted featurizer rebuilt from its learned state (a model file's word table, key tables and idf)."""
        feat = cls(spec)
        feat.words_, feat.tables_, feat.idf_ = words, tables, idf
        return feat

    # -------------------------------------------------------------- the sklearn estimator protocol
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters (``spec``), as ``sklearn.base.BaseEstimator.get_params`` gives them."""
        return {"spec": self.spec}

    def set_params(self, **params: Any) -> Featurizer:
        """Set parameters (``spec``); returns self."""
        for key, value in params.items():
            if key != "spec":
                raise OptionError(f"invalid parameter {key!r} for Featurizer; its only parameter is spec")
            self.spec = value
        return self

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a transformer of 1-D sequences of strings that needs no target."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
            input_tags=InputTags(one_d_array=True, two_d_array=False, string=True),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "idf_")

    def __repr__(self) -> str:
        return f"Featurizer(spec={self.spec!r})"

    def _require_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError("Featurizer is not fitted")

    def _reset_lookups(self) -> None:
        """Drop the lookup tables derived from the vocabulary (a refit would map the new vocabulary through the
        old one's tables)."""
        self._compact: _CharTables | None = None
        self._dense: dict[str, np.ndarray] = {}

    # -------------------------------------------------------------- fit
    def _keys(self, units: Sequence[Unit], words: dict[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        kinds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for n, rk in _word_keys(units, words, self.spec.word_ngrams).items():
            kinds[f"w{n}"] = rk
        for n, rk in _char_keys(units, self.spec.char_ngrams).items():
            kinds[f"c{n}"] = rk
        return kinds

    def fit(self, X: Iterable[str | Unit], y: object = None) -> Featurizer:
        """Learn the vocabulary (n-grams in at least ``spec.min_df`` units) and idf of ``X``; ``y`` is ignored."""
        units = as_units(X, self.spec)
        self._reset_lookups()
        words: dict[str, int] = {}
        for u in units:
            for w in u.words:
                if w not in words:
                    words[w] = len(words)
        self.words_ = words
        self.tables_, df = self._vocabulary(units, words)
        self.idf_ = (np.log((1 + len(units)) / (1 + df)) + 1.0).astype(np.float32)
        return self

    def _vocabulary(
        self, units: Sequence[Unit], words: dict[str, int]
    ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """Per kind the kept keys and their columns (numbered across kinds), and the document frequency of each
        column."""
        tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        dfs: list[np.ndarray] = []
        col = 0
        for kind, (rows, keys) in self._keys(units, words).items():
            if len(keys):
                # document frequency: count each (row, key) once
                pairs = np.unique(np.stack([keys, rows]), axis=1)
                uk, df = np.unique(pairs[0], return_counts=True)
                keep = df >= self.spec.min_df
                uk, df = uk[keep], df[keep]
            else:
                uk, df = np.zeros(0, np.int64), np.zeros(0, np.int64)
            tables[kind] = (uk, np.arange(col, col + len(uk), dtype=np.int64))
            dfs.append(df)
            col += len(uk)
        return tables, (np.concatenate(dfs) if dfs else np.zeros(0))

    @property
    def n_features(self) -> int:
        return len(self.idf_) if self.__sklearn_is_fitted__() else 0

    # -------------------------------------------------------------- transform
    def transform_arrays(self, units: Sequence[Unit]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays (indptr, indices, data) of L2-normalised tf-idf rows of analysed units (the tagging path)."""
        self._require_fitted()
        nf = max(self.n_features, 1)
        return self._tfidf_rows(self._cells(units, nf), len(units), nf)

    def _cells(self, units: Sequence[Unit], nf: int) -> np.ndarray:
        """``row * nf + column`` of every known n-gram occurrence in the batch, sorted: the run length of a value
        is that column's term frequency in that row."""
        found = []
        kinds = {f"w{n_}": rk for n_, rk in _word_keys(units, self.words_, self.spec.word_ngrams).items()}
        fast_chars = [o for o in self.spec.char_ngrams if o <= 3 and "c1" in self.tables_]
        kinds.update((f"c{n_}", rk) for n_, rk in _char_keys(
            units, [o for o in self.spec.char_ngrams if o not in fast_chars]).items())
        for kind, (rows, keys) in kinds.items():
            if not len(keys):
                continue
            cols = self._lookup(kind, keys)
            if cols is None:
                continue
            hit = cols >= 0
            found.append(rows[hit] * nf + cols[hit])
        for rows, cols in self._char_cols(units, fast_chars):
            hit = cols >= 0
            found.append(rows[hit] * nf + cols[hit])
        combined = np.concatenate(found) if found else np.zeros(0, np.int64)
        if len(units) * nf < 2**31 - 1:  # half the bytes to sort
            combined = combined.astype(np.int32)
        combined.sort(kind="stable")  # radix / run-aware: about twice as fast here as the default
        return combined

    def _tfidf_rows(self, combined: np.ndarray, n: int, nf: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays of ``n`` rows from the sorted cells: term frequency (sublinear if the spec says so) times
        idf, each row scaled to unit L2 norm."""
        if len(combined):
            starts = np.flatnonzero(np.concatenate(([True], combined[1:] != combined[:-1])))
            uniq = combined[starts]
            tf = np.diff(np.append(starts, len(combined)))
        else:
            uniq, tf = combined, np.zeros(0, np.int64)
        uniq = uniq.astype(np.int64)
        rows = uniq // nf
        ix = uniq % nf
        ip = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
        data: np.ndarray = tf.astype(np.float32)
        if self.spec.sublinear_tf and len(data):
            data = 1.0 + np.log(data)
        if len(data):
            data = data * self.idf_[ix]
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
            norms[norms == 0] = 1.0
            data = data / norms[rows]
        return ip, ix.astype(np.int64), data.astype(np.float32)

    def _char_cols(self, units: Sequence[Unit], orders: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(row, column) of every character n-gram (n <= 3) of the batch, -1 where not in the vocabulary.

        The same columns as keying n-grams by code point and looking them up (:func:`_char_keys`,
        :meth:`_lookup`), found faster: each character becomes its index among the vocabulary's characters
        (any n-gram in the vocabulary consists of vocabulary characters, as ``min_df`` holds for its characters
        too); bigrams are then looked up in a dense table and trigrams by binary search, only where their
        first two characters form a vocabulary bigram.
        """
        if not units or not orders:
            return []
        tables = self._compact_tables()
        c1_cols, k_of, size, dense2, keys3, cols3 = tables
        cp, rows_of = _codepoints(units)
        cp[cp == 0] = len(k_of) - 1  # the separator: the table's last entry, no character
        k = k_of[np.minimum(cp, len(k_of) - 1)]  # index among vocabulary characters; size = none
        out = []
        total = len(k)
        if 1 in orders:
            known = k < size
            cols = np.full(total, -1, dtype=np.int64)
            cols[known] = c1_cols[k[known]]
            out.append((rows_of, cols))
        if total >= 2 and (2 in orders or 3 in orders):
            code2 = k[:-1] * (size + 1) + k[1:]
            cols2 = dense2[code2] if dense2 is not None else None
            if 2 in orders and cols2 is not None:
                out.append((rows_of[:-1], cols2))
            if 3 in orders and total >= 3 and keys3 is not None and cols3 is not None:
                if cols2 is not None:  # a vocabulary trigram starts with a vocabulary bigram
                    cand = np.flatnonzero((cols2[:-1] >= 0) & (k[2:] < size))
                else:
                    cand = np.flatnonzero((k[:-2] < size) & (k[1:-1] < size) & (k[2:] < size))
                cols = np.full(total - 2, -1, dtype=np.int64)
                if len(cand):
                    code3 = code2[cand] * (size + 1) + k[cand + 2]
                    pos = np.searchsorted(keys3, code3)
                    pos[pos == len(keys3)] = 0
                    cols[cand] = np.where(keys3[pos] == code3, cols3[pos], -1)
                out.append((rows_of[:-2], cols))
        return out

    def _compact_tables(self) -> _CharTables:
        """Vocabulary characters re-indexed 0..size-1 and the bigram / trigram tables keyed on those indices
        (built once per fit, a few MB)."""
        if self._compact is not None:
            return self._compact
        c1_keys, c1_cols = self.tables_["c1"]
        size = len(c1_keys)
        # code point -> index among vocabulary characters (size = not a vocabulary character)
        k_of = np.full(int(c1_keys[-1]) + 2 if size else 2, size, dtype=np.int64)
        k_of[c1_keys] = np.arange(size)
        mask = (1 << _BITS) - 1

        def compact(keys: np.ndarray, n: int) -> np.ndarray:
            code = np.zeros(len(keys), dtype=np.int64)
            for j in range(n - 1, -1, -1):
                cp = (keys >> (_BITS * j)) & mask
                code = code * (size + 1) + k_of[np.minimum(cp, len(k_of) - 1)]
            return code

        dense2 = None
        if "c2" in self.tables_ and len(self.tables_["c2"][0]):
            keys2, cols2 = self.tables_["c2"]
            dense2 = np.full((size + 1) ** 2, -1, dtype=np.int32)
            dense2[compact(keys2, 2)] = cols2
        keys3: np.ndarray | None = None
        cols3: np.ndarray | None = None
        if "c3" in self.tables_ and len(self.tables_["c3"][0]):
            k3, c3 = self.tables_["c3"]
            code3 = compact(k3, 3)
            order = np.argsort(code3)
            keys3, cols3 = code3[order], c3[order]
        self._compact = (c1_cols, k_of, size, dense2, keys3, cols3)
        return self._compact

    def _lookup(self, kind: str, keys: np.ndarray) -> np.ndarray | None:
        """Column of every key (-1 when unknown): a direct index for word unigrams, whose keys are small
        integers, a binary search in the sorted key table for the rest. (Character n-grams up to 3 go through
        :meth:`_char_cols` instead.)"""
        table = self.tables_.get(kind) if self.tables_ else None
        if table is None or not len(table[0]):
            return None
        table_keys, table_cols = table
        if kind == "w1":
            dense = self._dense.get(kind)
            if dense is None:
                dense = np.full(int(table_keys[-1]) + 2, -1, dtype=np.int64)
                dense[table_keys] = table_cols
                self._dense[kind] = dense
            return dense[np.minimum(keys, len(dense) - 1)]
        pos = np.searchsorted(table_keys, keys)
        pos[pos == len(table_keys)] = 0
        return np.where(table_keys[pos] == keys, table_cols[pos], -1)

    def transform(self, X: Iterable[str | Unit]) -> csr_matrix:
        """tf-idf rows of ``X`` (texts or units) as a SciPy CSR matrix (training only: imports SciPy)."""
        from scipy.sparse import csr_matrix

        ip, ix, data = self.transform_arrays(as_units(X, self.spec))
        return csr_matrix((data, ix, ip), shape=(len(ip) - 1, self.n_features))

    def fit_transform(self, X: Iterable[str | Unit], y: object = None) -> csr_matrix:
        """``fit(X).transform(X)``, analysing texts once."""
        units = as_units(X, self.spec)
        return self.fit(units).transform(units)

    # -------------------------------------------------------------- readable names (explanations)
    def feature_names(self, columns: Sequence[int]) -> list[str]:
        """Readable names of columns: ``w:受注 処理`` for a word bigram, ``c:受注`` for a character n-gram."""
        self._require_fitted()
        inverse = {i: w for w, i in self.words_.items()}
        base = len(self.words_) + 1
        starts = sorted((cols[0], kind, keys) for kind, (keys, cols) in self.tables_.items() if len(cols))
        out = []
        for c in columns:
            kind: str | None = None
            keys: np.ndarray | None = None
            for start, k, ks in starts:
                if c >= start:
                    kind, keys, first = k, ks, start
            if kind is None or keys is None:
                out.append(f"#{c}")
                continue
            key = int(keys[c - first])
            n = int(kind[1:])
            if kind[0] == "w":
                parts = []
                for _ in range(n):
                    key, wid = divmod(key, base)
                    parts.append(inverse.get(wid, "?"))
                out.append("w:" + " ".join(reversed(parts)))
            elif n <= 3:
                chars = [chr((key >> (_BITS * k)) & ((1 << _BITS) - 1)) for k in range(n)]
                out.append("c:" + "".join(reversed(chars)))
            else:
                out.append(f"c{n}:#{key}")
        return out
