"""Plain-text renderings of what the commands return: metrics tables, confusion matrices, explanations,
corpus statistics and checks (the CLI's ``--format table``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..io.display import cell_width, pad

__all__ = ["metrics_report", "confusion_table", "duty_text", "evaluation_text", "training_text", "explanation_text",
           "corpus_stats_text", "corpus_check_text"]


def metrics_report(section: dict[str, Any], title: str) -> str:
    """A titled per-label precision / recall / F1 table of one report section."""
    from .card import metrics_table

    return f"\n{title} (n = {section['n']}, exact match {section['exact_match']:.3f})\n{metrics_table(section)}"


def confusion_table(section: dict[str, Any]) -> str:
    """Gold label sets (rows) against predicted ones (columns), aligned in terminal cells (a label in Japanese
    takes two per character)."""
    conf = section.get("confusion") or {}
    cols = sorted({p for row in conf.values() for p in row})
    corner = "gold \\ predicted"
    width = max([cell_width(corner), *map(cell_width, conf)]) + 2
    widths = [max(cell_width(c), 5) + 2 for c in cols]
    lines = [pad(corner, width) + "".join(pad(c, w, right=True) for c, w in zip(cols, widths))]
    for g, row in conf.items():
        lines.append(pad(g, width) + "".join(pad(str(row.get(c, 0)), w, right=True) for c, w in zip(cols, widths)))
    return "\n".join(lines)


def duty_text(section: dict[str, Any], title: str) -> str:
    """A titled per-duty precision / recall / F1 table and the most confused duty pairs."""
    pairs = [f"  {c['gold']} -> {c['predicted']}: {c['count']}" for c in section.get("confused") or ()]
    return (metrics_report(section, title) + "\n\nmost confused duty pairs (gold -> predicted)\n"
            + ("\n".join(pairs) or "  none"))


def evaluation_text(result: dict[str, Any]) -> str:
    """The sentence and document sections of an evaluation, each with its confusion table, and the duties."""
    parts = []
    for unit in ("sentences", "documents"):
        sec = result[unit]
        if sec.get("n"):
            parts.append(metrics_report(sec, unit) + "\n\nconfusion (label sets)\n" + confusion_table(sec))
    if result.get("duties", {}).get("n"):
        parts.append(duty_text(result["duties"], "duties"))
    return "\n".join(parts)


def training_text(report: dict[str, Any], cv: int) -> str:
    """The cross-validation and held-out sections of a training report."""
    parts = []
    if "cv" in report:
        parts.append(metrics_report(report["cv"], f"{cv}-fold cross-validation, sentences"))
    if report.get("cv_duties", {}).get("n"):
        parts.append(metrics_report(report["cv_duties"], f"{cv}-fold cross-validation, duties"))
    for unit in ("sentences", "documents", "duties"):
        sec = report.get("test", {}).get(unit)
        if sec and sec.get("n"):
            parts.append(metrics_report(sec, f"held-out test split, {unit}"))
    return "\n".join(parts)


#: The explanation's words in Japanese (``lang="ja"``).
_EXPLAIN_JA = {"sep": "、", "review": "   [要確認]", "sentence": "文", "threshold": "しきい値", "duty": "業務"}
_EXPLAIN_EN = {"sep": ", ", "review": "   [review]", "sentence": "sentence", "threshold": "threshold",
               "duty": "duty"}


def _feature_lines(pairs: Iterable[tuple[str, float]]) -> list[str]:
    """An explanation's features, one line each: weight, a bar of its size, the feature."""
    out = []
    for name, w in pairs:
        bar = ("+" if w > 0 else "-") * min(20, max(1, int(abs(w) * 4)))
        out.append(f"      {w:+7.3f} {bar:<20} {name}")
    return out


def explanation_text(tags: Sequence[Any], labels: Sequence[str], thresholds: Iterable[float], *,
                     lang: str = "en", duty_thresholds: dict[str, float] | None = None,
                     duty_names: dict[str, str] | None = None) -> str:
    """Per text, sentence and role: the score against its threshold and the features that moved it, then each
    duty the sentence was given (``duty_thresholds``: a duty head's thresholds; ``duty_names``: how to show
    each duty, by default its id); ``lang="ja"`` shows the shipped labels' Japanese names and Japanese words."""
    from ..io.display import cell_width, pad
    from ..labels import display_label

    th = dict(zip(labels, thresholds))
    words = _EXPLAIN_JA if lang == "ja" else _EXPLAIN_EN
    names = lambda ls: words["sep"].join(display_label(l, lang) for l in ls)  # noqa: E731
    # the Japanese names are aligned as a column (マーケティング is 14 cells)
    width = max([13, *(cell_width(display_label(l, lang)) + 1 for l in labels)]) if lang == "ja" else 13
    lines: list[str] = []
    for t in tags:
        lines.append(f"{t.text}\n  => {names(t.labels)}" + (words["review"] if t.review else ""))
        for s in t.sentences:
            if len(t.sentences) > 1:
                lines.append(f"\n  {words['sentence']}: {s.text}  => {names(s.labels)}")
            for label in labels:
                mark = "*" if label in s.labels else " "
                lines.append(f"  {mark} {pad(display_label(label, lang), width)} p={s.scores[label]:.3f} "
                             f"({words['threshold']} {th[label]:.2f})")
                lines += _feature_lines((s.explanation or {}).get(label, []))
            for duty, p in s.duties or ():
                lines.append(f"  {words['duty']} {(duty_names or {}).get(duty, duty)} = {p:.3f} "
                             f"({words['threshold']} {(duty_thresholds or {}).get(duty, 0.0):.2f})")
                lines += _feature_lines((s.duty_explanation or {}).get(duty, []))
        lines.append("")
    return "\n".join(lines)


_STATS_KEYS = ("by_unit", "by_label", "multi_label", "by_label_set", "by_split", "by_register", "by_industry",
               "by_source", "by_tag")


def corpus_stats_text(stats: dict[str, Any]) -> str:
    """Corpus counts, one block per grouping."""
    lines = [f"items: {stats['items']}"]
    for key in _STATS_KEYS:
        lines.append(f"\n{key.replace('_', ' ')}:")
        lines += [f"  {pad(str(k), 40)} {v:>6}" for k, v in stats[key].items()]
    dl = stats["document_lines"]
    if dl["n_documents"]:
        lines.append(f"\ndocument lines: {dl['n_documents']} documents, {dl['min']}-{dl['max']} lines each")
        lines += [f"  {pad(str(k), 40)} {v:>6}" for k, v in dl["by_label"].items()]
    return "\n".join(lines)


def corpus_check_text(res: Any) -> str:
    """The errors and warnings of a corpus check and a count line."""
    lines = [f"error: {e}" for e in res.errors] + [f"warning: {w}" for w in res.warnings]
    lines.append(f"{len(res.errors)} error(s), {len(res.warnings)} warning(s); {res.stats.get('items', 0)} items")
    return "\n".join(lines)
