"""The label keys and how they are shown: the shipped roles, the ``other`` key, their Japanese names."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ROLES", "OTHER", "LABELS_JA", "display_label", "label_set_key"]

#: The shipped taxonomy's roles, in display order (a user's own model may have any labels).
ROLES = ("sales", "distribution", "marketing")
#: The key for "none of the model's labels" (never a trained label: the absence of every label).
OTHER = "other"
#: Display names of the shipped labels for ``--lang ja`` (a model's own labels show as they are).
LABELS_JA = {"sales": "営業", "distribution": "販売", "marketing": "マーケティング", OTHER: "その他"}


def display_label(label: str, lang: str = "en") -> str:
    """A label as shown to people: its Japanese name with ``lang="ja"`` for the shipped labels."""
    return LABELS_JA.get(label, label) if lang == "ja" else label


def label_set_key(labels: Iterable[str]) -> str:
    """A label set as one key, ``sales+marketing``; the empty set is :data:`OTHER`."""
    return "+".join(labels) or OTHER
