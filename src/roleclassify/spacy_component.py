"""A spaCy pipeline component: role scores in ``doc.cats`` and each sentence's roles in ``span._.roles``.

    import spacy
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("role_classifier")          # registered through the `spacy_factories` entry point
    doc = nlp("新規顧客への提案営業を担当します。受注処理も行います。")
    doc.cats                                 # {"sales": 0.99, "distribution": 0.6, "marketing": 0.01}
    [(s.text, s._.roles) for s in doc.spans["role_sentences"]]

One sentence segmentation per Doc, the classifier's own: the text is split as ``roleclassify tag`` splits it
(:func:`roleclassify.text.split_sentences`: lines, bullets, 。！？ outside brackets), so ``doc.cats`` is
the roll-up ``roleclassify tag`` gives the text. Those sentences are ``doc.spans["role_sentences"]``, each
with ``span._.roles`` (``["other"]`` when none applies) and ``span._.role_scores``. spaCy keys span
attributes by character offsets, so a sentence of ``doc.sents`` (GiNZA's parser) covering the same
characters reads the same values; one the parser cuts differently reads ``None``.

The classifier's units are built from the Doc's own tokens (no second tokenization) when the pipeline
tokenizes as the model was trained to see text: spaCy's Japanese tokenizer (SudachiPy) in split mode C, as
``ja_ginza`` does. A token's normalised form, dictionary form and tag are taken as they are, its surface
NFKC-normalised (the tagger tokenizes NFKC-normalised text). The scores then equal ``roleclassify tag``'s
wherever SudachiPy analyses a sentence inside the document as it does the sentence alone: on the corpus and
the real-world dev texts 5,878 of 5,891 sentences (13 differ in a word where the analysis depends on the
neighbouring text, e.g. 陳列替え before a line break). A pipeline that tokenizes otherwise
(``spacy.blank("ja")`` splits in mode A) gets the classifier's own tokenization of each sentence, so its
scores stay those of ``roleclassify tag``.

The model is loaded once per component, on first use (or by ``from_disk``); it travels with the pipeline:
``nlp.to_disk`` writes it into the component's directory and ``spacy.load`` reads it back. ``nlp.pipe``
tags ``batch_size`` docs at a time through :meth:`RoleClassifier.tag_units`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from .features import Unit, units_from_tokens
from .model import RoleClassifier, Tagging, load
from .text import normalize, split_sentences
from .tokenize import SPLIT_MODE, Token

__all__ = ["RoleClassifierComponent", "make_role_classifier", "SPANS_KEY"]

#: The ``doc.spans`` key of the classifier's sentences.
SPANS_KEY = "role_sentences"

if not Span.has_extension("roles"):
    Span.set_extension("roles", default=None)
if not Span.has_extension("role_scores"):
    Span.set_extension("role_scores", default=None)


def _tokenizes_like_ginza(nlp: Language) -> bool:
    """Whether the pipeline's tokens are the ones the model was trained on (SudachiPy, split mode C)."""
    return getattr(nlp.tokenizer, "split_mode", None) == SPLIT_MODE


def _sentence_spans(doc: Doc) -> tuple[list[str], list[Span]]:
    """The classifier's sentences of a Doc and the span of tokens covering each.

    Every sentence :func:`split_sentences` returns is a piece of the text, in order, so each is found after
    the one before it; its span is expanded to whole tokens.
    """
    text = doc.text
    sentences = split_sentences(text)
    spans = []
    pos = 0
    for sentence in sentences:
        start = text.index(sentence, pos)
        pos = start + len(sentence)
        span = doc.char_span(start, pos, alignment_mode="expand")
        if span is None:  # pragma: no cover - a non-empty piece of the text always overlaps a token
            raise ValueError(f"no tokens at characters {start}-{pos} of the doc")
        spans.append(span)
    return sentences, spans


def _tokens(span: Span) -> list[Token]:
    """A span's tokens as the tagger's tokenizer reports them for the NFKC-normalised text: the surface
    normalised, white space left out (the normalised and dictionary forms are the dictionary's either way)."""
    return [Token(normalize(t.text), t.lemma_, t.norm_, t.tag_) for t in span if t.text and not t.text.isspace()]


class RoleClassifierComponent:
    """Sets ``doc.cats`` (per-role scores of the document) and, for each of the classifier's sentences
    (``doc.spans["role_sentences"]``), ``span._.roles`` and ``span._.role_scores``."""

    def __init__(self, nlp: Language, name: str, model: str | None = None, threshold: float | None = None) -> None:
        self.name = name
        self.model_path = model
        self.threshold = threshold
        self.own_tokens = _tokenizes_like_ginza(nlp)
        self._model: RoleClassifier | None = None

    @property
    def classifier(self) -> RoleClassifier:
        """The classifier, loaded on first use (``from_disk`` sets it instead). Not named ``model``: spaCy
        probes a component's ``model`` attribute (``isinstance`` against its runtime protocols when a pipeline is
        built), which would load the classifier before first use, or twice with ``spacy.load(dir)``."""
        if self._model is None:
            self._model = load(self.model_path)
        return self._model

    def __call__(self, doc: Doc) -> Doc:
        self._tag_docs([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Tag ``batch_size`` docs at a time (one call of the model per batch); docs come back in order."""
        for batch in minibatch(stream, size=batch_size):
            self._tag_docs(batch)
            yield from batch

    def _tag_docs(self, docs: Sequence[Doc]) -> None:
        """Tag a batch of docs at once and annotate each."""
        split = [_sentence_spans(doc) for doc in docs]
        sentences = [s for s, _ in split]
        flat = [s for item in sentences for s in item]
        if self.own_tokens:
            spans = [span for _, item in split for span in item]
            units = self._units_from_spans(flat, spans)
        else:
            units = self.classifier.units(flat, stripped=True)
        tags = self.classifier.tag_units([doc.text for doc in docs], sentences, units, threshold=self.threshold)
        for doc, (_, spans_of_doc), tag in zip(docs, split, tags):
            _annotate(doc, spans_of_doc, tag)

    def _units_from_spans(self, sentences: Sequence[str], spans: Sequence[Span]) -> list[Unit]:
        """The classifier's units of sentences from their tokens in the Doc: what :meth:`RoleClassifier.units`
        makes of the sentence texts, without tokenizing them again."""
        return units_from_tokens([normalize(s) for s in sentences], [_tokens(span) for span in spans],
                                 self.classifier.spec)

    # -------------------------------------------------------------- serialisation
    def to_disk(self, path: str | Path, *, exclude: Any = tuple()) -> None:
        self.classifier.save(Path(path))

    def from_disk(self, path: str | Path, *, exclude: Any = tuple()) -> RoleClassifierComponent:
        self._model = load(Path(path))
        return self


def _annotate(doc: Doc, spans: list[Span], tag: Tagging) -> None:
    """Write a doc's result: ``doc.cats``, its sentences in ``doc.spans`` and each one's roles and scores."""
    doc.cats = dict(tag.scores)
    for span, sentence in zip(spans, tag.sentences):
        span._.roles = list(sentence.labels)
        span._.role_scores = dict(sentence.scores)
    doc.spans[SPANS_KEY] = spans


@Language.factory(
    "role_classifier",
    assigns=["doc.cats", "doc.spans", "span._.roles", "span._.role_scores"],
    default_config={"model": None, "threshold": None},
)
def make_role_classifier(nlp: Language, name: str, model: str | None, threshold: float | None) -> RoleClassifierComponent:
    """Factory: ``model`` is a model directory (default: the shipped model); ``threshold`` overrides the
    model's per-label thresholds."""
    return RoleClassifierComponent(nlp, name, model=model, threshold=threshold)
