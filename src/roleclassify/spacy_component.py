"""A spaCy pipeline component: role scores in ``doc.cats`` and each sentence's roles in ``span._.roles``.

    import spacy
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("role_classifier")          # registered through the `spacy_factories` entry point
    doc = nlp("新規顧客への提案営業を担当します。受注処理も行います。")
    doc.cats                                 # {"sales": 0.99, "distribution": 0.6, "marketing": 0.01}
    [(s.text, s._.roles) for s in doc.sents]

``doc.cats`` holds the same scores as ``roleclassify tag`` gives for the document's text. Sentences are the
``doc.sents`` of the pipeline (GiNZA's parser) when it sets them; ``span._.roles`` lists each one's roles
(``["other"]`` when none applies) and ``span._.role_scores`` its scores. The model travels with the pipeline:
``nlp.to_disk`` writes it into the component's directory and ``spacy.load`` reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .model import RoleClassifier, load

__all__ = ["RoleClassifierComponent", "make_role_classifier"]

if not Span.has_extension("roles"):
    Span.set_extension("roles", default=None)
if not Span.has_extension("role_scores"):
    Span.set_extension("role_scores", default=None)


class RoleClassifierComponent:
    """Sets ``doc.cats`` (per-role scores of the document) and ``span._.roles`` for each sentence."""

    def __init__(self, nlp: Language, name: str, model: str | None = None, threshold: float | None = None) -> None:
        self.name = name
        self.model_path = model
        self.threshold = threshold
        self.model: RoleClassifier = load(model)

    def __call__(self, doc: Doc) -> Doc:
        (tag,) = self.model.tag([doc.text], threshold=self.threshold)
        doc.cats = dict(tag.scores)
        if doc.has_annotation("SENT_START"):
            spans = list(doc.sents)
            results = self.model.tag([s.text for s in spans], threshold=self.threshold, split=False)
            for span, res in zip(spans, results):
                span._.roles = list(res.labels)
                span._.role_scores = dict(res.scores)
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    # -------------------------------------------------------------- serialisation
    def to_disk(self, path: str | Path, *, exclude: Any = tuple()) -> None:
        self.model.save(Path(path))

    def from_disk(self, path: str | Path, *, exclude: Any = tuple()) -> RoleClassifierComponent:
        self.model = load(Path(path))
        return self


@Language.factory(
    "role_classifier",
    assigns=["doc.cats", "span._.roles", "span._.role_scores"],
    default_config={"model": None, "threshold": None},
)
def make_role_classifier(nlp: Language, name: str, model: str | None, threshold: float | None) -> RoleClassifierComponent:
    """Factory: ``model`` is a model directory (default: the shipped model); ``threshold`` overrides the
    model's per-label thresholds."""
    return RoleClassifierComponent(nlp, name, model=model, threshold=threshold)
