"""roleclassify: tag Japanese business text by responsibility (sales / distribution / marketing / other).

The public API is re-exported here lazily, so ``import roleclassify`` stays cheap::

    import roleclassify
    clf = roleclassify.load()                    # the shipped default model
    for t in clf.tag(["新規顧客への提案営業", "受注処理と在庫管理"]):
        print(t.labels, t.scores)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load",
    "RoleClassifier",
    "Tagging",
    "SentenceTagging",
    "FeatureSpec",
    "Featurizer",
    "RoleClassifierEstimator",
    "read_corpus",
    "CorpusItem",
    "train",
    "evaluate",
    "audit",
    "compare_org",
    "compare_jobs",
    "split_sentences",
    "normalize",
    "RoleClassifyError",
    "InputError",
    "RecordError",
    "CorpusError",
    "ModelError",
    "AuditError",
    "OptionError",
]

_LAZY = {
    "load": "model",
    "RoleClassifier": "model",
    "Tagging": "model",
    "SentenceTagging": "model",
    "FeatureSpec": "features",
    "Featurizer": "features",
    "RoleClassifierEstimator": "estimator",
    "read_corpus": "corpus",
    "CorpusItem": "corpus",
    "train": "training",
    "evaluate": "evaluation",
    "audit": "orgaudit",
    "compare_org": "compare",
    "compare_jobs": "compare",
    "split_sentences": "text",
    "normalize": "text",
    "RoleClassifyError": "errors",
    "InputError": "errors",
    "RecordError": "errors",
    "CorpusError": "errors",
    "ModelError": "errors",
    "AuditError": "errors",
    "OptionError": "errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from .compare import compare_jobs, compare_org
    from .corpus import CorpusItem, read_corpus
    from .errors import AuditError, CorpusError, InputError, ModelError, OptionError, RecordError, RoleClassifyError
    from .estimator import RoleClassifierEstimator
    from .evaluation import evaluate
    from .features import FeatureSpec, Featurizer
    from .model import RoleClassifier, SentenceTagging, Tagging, load
    from .text import normalize, split_sentences
    from .training import train


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'roleclassify' has no attribute {name!r}")
    value = getattr(import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
