"""GiNZA tokenization: a fast path and the full pipeline.

The classifier's tokens are GiNZA's: ``spacy.load("ja_ginza")`` tokenizes with spaCy's ``JapaneseTokenizer``,
i.e. SudachiPy with the ``sudachidict_core`` dictionary in split mode C. :class:`FastTokenizer` calls that
same SudachiPy configuration directly and reads only what the classifier uses (surface, dictionary form,
normalised form, part-of-speech tag), without building spaCy ``Doc`` objects or GiNZA's sub-token splits;
``tests/test_tokenize.py`` proves its output equal to the GiNZA tokenizer's on the whole corpus.
:class:`GinzaTokenizer` runs the full ``ja_ginza`` pipeline for whoever needs the parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import MissingDependency, OptionError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "Token",
    "FastTokenizer",
    "GinzaTokenizer",
    "get_tokenizer",
    "SPLIT_MODE",
    "ENGINES",
    "tokenizer_info",
]

#: The split mode ja_ginza configures for its tokenizer.
SPLIT_MODE = "C"
#: Names accepted by ``--engine``.
ENGINES = ("fast", "ginza")
#: SudachiPy refuses input longer than this many bytes.
_SUDACHI_MAX_BYTES = 49149
#: Units whose words each tokenizer remembers (the most recent ones), so a line repeated across records is
#: tokenized once; measured on a feed of job ads with their companies' boilerplate in bench/RESULTS.md.
_CACHED_UNITS = 4096
_DEFAULT_SKIP = ("補助記号", "空白")
#: Units after which the cache's worth is judged again.
_CACHE_WINDOW = 4096
#: Longer units are not remembered (the cache holds at most _CACHED_UNITS x this many characters).
_CACHED_CHARS = 300
#: Texts longer than this (characters) are cut into pieces below the SudachiPy limit (4 bytes/char worst case).
_CHUNK_CHARS = 12000


class Token(NamedTuple):
    """One token as the classifier sees it; each field equals the GiNZA token attribute named."""

    surface: str  # token.text
    lemma: str  # token.lemma_
    norm: str  # token.norm_
    tag: str  # token.tag_ (SudachiPy part of speech, e.g. 名詞-普通名詞-サ変可能)


def _install_hint(missing: str) -> MissingDependency:
    return MissingDependency("tokenizing Japanese (GiNZA's tokenizer)", missing, "ginza>=5.2,<6", "ja-ginza>=5.2,<6")


def _chunks(text: str) -> list[str]:
    """Cut text that SudachiPy would refuse at white space, 、 or 。 near the limit (or hard, as a last resort)."""
    if len(text) <= _CHUNK_CHARS // 4 or len(text.encode("utf-8")) <= _SUDACHI_MAX_BYTES:
        return [text]
    out = []
    start = 0
    n = len(text)
    while start < n:
        end = min(start + _CHUNK_CHARS, n)
        if end < n:
            window = text[start + _CHUNK_CHARS // 2 : end]
            cut = max(window.rfind(c) for c in (" ", "、", "。", ",", "，"))
            if cut >= 0:
                end = start + _CHUNK_CHARS // 2 + cut + 1
        out.append(text[start:end])
        start = end
    return out


class FastTokenizer:
    """GiNZA's tokenizer (SudachiPy, sudachidict_core, split mode C) without spaCy on the hot path.

    One instance per process: SudachiPy tokenizers are not shared across processes.
    Input should be normalised with :func:`roleclassify.text.normalize` first, which removes the white-space
    runs that spaCy turns into separate tokens.
    """

    name = "fast"

    def __init__(self) -> None:
        try:
            from sudachipy import Dictionary, SplitMode
        except ImportError:  # pragma: no cover - dependency of ginza
            raise _install_hint("SudachiPy") from None
        self._dictionary = Dictionary()
        # only the fields the classifier reads are loaded: same analysis, less work per morpheme
        self._tokenizer = self._dictionary.create(
            mode=getattr(SplitMode, SPLIT_MODE), fields={"pos", "normalized_form", "dictionary_form"}
        )
        self._tags: dict[int, str] = {}
        self._skip: dict[tuple[str, ...], list[bool]] = {}
        self._out = None  # the MorphemeList words() reuses
        self._cache: dict[str, tuple[str, ...]] = {}  # the words (norm, default skip) of recent short units
        self._cache_on = True
        self._seen = self._hits = self._retry = 0

    def _skip_table(self, skip: tuple[str, ...]) -> list[bool]:
        """Per part-of-speech id of the dictionary: does its tag start with one of ``skip``?"""
        table = self._skip.get(skip)
        if table is None:
            table = []
            while self._dictionary.pos_of(len(table)) is not None:
                table.append(self._tag(len(table)).startswith(skip))
            self._skip[skip] = table
        return table

    def _tag(self, pos_id: int) -> str:
        tag = self._tags.get(pos_id)
        if tag is None:
            pos = self._dictionary.pos_of(pos_id)
            tag = "-".join(x for x in pos[:4] if x != "*")
            self._tags[pos_id] = tag
        return tag

    def __call__(self, text: str) -> list[Token]:
        """Tokens of one text, white-space tokens left out."""
        tokens: list[Token] = []
        tag_of = self._tags
        for piece in _chunks(text):
            for m in self._tokenizer.tokenize(piece):
                surface = m.surface()
                if not surface or surface.isspace():
                    continue
                pid = m.part_of_speech_id()
                tag = tag_of.get(pid) or self._tag(pid)
                lemma = m.dictionary_form() or surface
                tokens.append(Token(surface, lemma, m.normalized_form(), tag))
        return tokens

    def pipe(self, texts: Iterable[str]) -> list[list[Token]]:
        return [self(t) for t in texts]

    def words(self, text: str, field: str = "norm", skip: tuple[str, ...] = ("補助記号", "空白")) -> list[str]:
        """The ``field`` (norm, lemma or surface) of every token whose tag does not start with ``skip``: the same
        tokens as :meth:`__call__`, without building Token objects (:meth:`norm_words` for many texts)."""
        if field != "norm" or skip != _DEFAULT_SKIP:
            return self._words(text, field, skip)
        return self.norm_words([text])[0]

    def norm_words(self, texts: Sequence[str], skip: tuple[str, ...] = _DEFAULT_SKIP) -> list[list[str]]:
        """``[self.words(t, "norm", skip) for t in texts]`` in one loop, the hot path of tagging. With the default
        ``skip``, a line met before (a company's boilerplate across its ads) comes from the cache of recent
        short units instead of being tokenized again."""
        if skip != _DEFAULT_SKIP:
            return [self._words(t, "norm", skip) for t in texts]
        drop = self._skip_table(_DEFAULT_SKIP)
        tokenize = self._tokenizer.tokenize
        buf = self._out
        if buf is None:
            buf = self._out = tokenize("")
        cache = self._cache
        short = _CHUNK_CHARS // 4
        out: list[list[str]] = []
        for text in texts:
            self._seen += 1
            if self._seen % _CACHE_WINDOW == 0:
                self._next_window()
            if self._cache_on:
                seen = cache.get(text)
                if seen is not None:
                    self._hits += 1
                    out.append(list(seen))
                    continue
            if len(text) <= short:
                words = [m.normalized_form() for m in tokenize(text, out=buf) if not drop[m.part_of_speech_id()]]
            else:
                words = self._words(text, "norm", _DEFAULT_SKIP)
            if self._cache_on and len(text) <= _CACHED_CHARS:  # lines are worth remembering, not documents
                if len(cache) >= _CACHED_UNITS:
                    # full: start again (bounded, so memory stays flat; O(1), where evicting the oldest entry of a
                    # dict one by one makes each eviction scan the deleted ones before it)
                    cache.clear()
                cache[text] = tuple(words)
            out.append(words)
        return out

    def _next_window(self) -> None:
        """At the end of each window of units: turn the cache off where it did not pay, on again after 16."""
        window = self._seen // _CACHE_WINDOW
        if self._cache_on and self._hits < _CACHE_WINDOW // 50:
            self._cache_on, self._retry = False, window + 16
            self._cache.clear()
        elif not self._cache_on and window >= self._retry:
            self._cache_on = True
        self._hits = 0

    def _words(self, text: str, field: str, skip: tuple[str, ...]) -> list[str]:
        """:meth:`words` without the cache."""
        drop = self._skip_table(skip)
        tokenize = self._tokenizer.tokenize
        # one MorphemeList reused for every call (SudachiPy's ``out=``): no list allocated per text; each
        # result is read completely before the next call overwrites it
        buf = self._out
        if buf is None:
            buf = self._out = tokenize("")
        if len(text) <= _CHUNK_CHARS // 4:  # nearly every call: one short text
            return _field_of(tokenize(text, out=buf), field, drop)
        out: list[str] = []
        for piece in _chunks(text):
            out += _field_of(tokenize(piece, out=buf), field, drop)
        return out


def _field_of(morphemes: Any, field: str, drop: list[bool]) -> list[str]:
    """``field`` of the morphemes whose part of speech is not dropped. Empty and white-space tokens are tagged
    補助記号 / 空白, which the skipped tags always hold."""
    if field == "norm":
        return [m.normalized_form() for m in morphemes if not drop[m.part_of_speech_id()]]
    if field == "lemma":
        return [m.dictionary_form() or m.surface() for m in morphemes if not drop[m.part_of_speech_id()]]
    return [s for m in morphemes if not drop[m.part_of_speech_id()] and (s := m.surface()) and not s.isspace()]


class GinzaTokenizer:
    """The full ``ja_ginza`` pipeline (tok2vec, parser, NER...), ``nlp.pipe`` in batches.

    Much slower than :class:`FastTokenizer` and yields the same tokens; use it when a feature needs the
    parse, or to compare against GiNZA as it is normally used.
    """

    name = "ginza"

    def __init__(self, nlp: Language | None = None, *, tokenizer_only: bool = False) -> None:
        if nlp is None:
            nlp = load_ginza()
        self.nlp = nlp
        self.tokenizer_only = tokenizer_only

    @staticmethod
    def _tokens(doc: Any) -> list[Token]:
        return [
            Token(t.text, t.lemma_, t.norm_, t.tag_)
            for t in doc
            if t.text and not t.text.isspace()
        ]

    def __call__(self, text: str) -> list[Token]:
        out: list[Token] = []
        for piece in _chunks(text):
            doc = self.nlp.tokenizer(piece) if self.tokenizer_only else self.nlp(piece)
            out.extend(self._tokens(doc))
        return out

    def words(self, text: str, field: str = "norm", skip: tuple[str, ...] = ("補助記号", "空白")) -> list[str]:
        """Like :meth:`FastTokenizer.words`, from the full pipeline's tokens."""
        return [getattr(t, field) for t in self(text) if not t.tag.startswith(skip)]

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Token]]:
        texts = list(texts)
        if self.tokenizer_only or any(len(t) > _CHUNK_CHARS // 4 for t in texts):
            return [self(t) for t in texts]
        return [self._tokens(d) for d in self.nlp.pipe(texts, batch_size=batch_size)]


_GINZA = None


def load_ginza() -> Language:
    """``spacy.load("ja_ginza")`` once per process (it takes seconds)."""
    global _GINZA
    if _GINZA is None:
        try:
            import spacy
        except ImportError:  # pragma: no cover
            raise _install_hint("spaCy") from None
        try:
            _GINZA = spacy.load("ja_ginza")
        except OSError:
            raise _install_hint("ja_ginza") from None
    return _GINZA


def get_tokenizer(engine: str = "fast") -> FastTokenizer | GinzaTokenizer:
    """A tokenizer by engine name: ``fast`` (default) or ``ginza`` (full pipeline)."""
    if engine == "fast":
        return FastTokenizer()
    if engine == "ginza":
        return GinzaTokenizer()
    raise OptionError(f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}", param="engine")


#: The distributions a model card records, with the module each installs (for :func:`installed_version`).
_MODULES = {"SudachiPy": "sudachipy", "SudachiDict-core": "sudachidict_core", "ginza": "ginza",
            "ja-ginza": "ja_ginza", "spacy": "spacy"}


def installed_version(pkg: str) -> str:
    """The installed version of distribution ``pkg``, or ``"not installed"``.

    Read from the ``<name>-<version>.dist-info`` directory beside the package's module when it is there (every
    wheel install puts it there; no import of the package, nor of :mod:`importlib.metadata`, which with its
    scan of every distribution cost ``tag`` 60 ms of its start-up); else from :mod:`importlib.metadata`."""
    import importlib.util
    from pathlib import Path

    module = _MODULES.get(pkg, pkg.replace("-", "_").lower())
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return "not installed"
    locations = list(spec.submodule_search_locations or ()) or ([spec.origin] if spec.origin else [])
    stem = pkg.replace("-", "_").lower()
    for loc in locations:
        site = Path(loc).parent
        found = [d.name for d in site.glob("*.dist-info") if d.name.lower().startswith(stem + "-")]
        if len(found) == 1:
            return found[0][len(stem) + 1:-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return "not installed"


def tokenizer_info(packages: Iterable[str] = tuple(_MODULES)) -> dict[str, str]:
    """Tokenizer settings and the versions of ``packages`` (by default all those a model card records)."""
    info = {"tokenizer": "GiNZA (spaCy JapaneseTokenizer / SudachiPy)", "split_mode": SPLIT_MODE}
    for pkg in packages:
        info[pkg] = installed_version(pkg)
    return info
