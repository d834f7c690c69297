"""The model card: a README.md written beside every trained model from its metadata."""

from __future__ import annotations

from typing import Any

__all__ = ["model_card", "metrics_table", "confused_pairs"]


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def metrics_table(section: dict[str, Any]) -> str:
    """Markdown table of per-class precision / recall / F1 / support from an evaluate() section."""
    rows = ["| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, m in section["per_class"].items():
        rows.append(
            f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        )
    rows.append(f"| **macro** | | | **{section['macro_f1']:.3f}** | {section['n']} |")
    return "\n".join(rows)


def confused_pairs(section: dict[str, Any]) -> str:
    """The most confused duty pairs of a duty report, ``gold -> predicted count`` comma-separated."""
    return ", ".join(f"{c['gold']} -> {c['predicted']} {c['count']}" for c in section.get("confused") or ()) or "none"


def model_card(meta: dict[str, Any]) -> str:
    """Render a model card in Markdown."""
    lines = [f"# roleclassify model: {meta.get('name', 'model')}", ""]
    lines.append(meta.get("description", "A role classifier trained with `roleclassify train`."))
    lines += ["", "## Labels", "", ", ".join(f"`{l}`" for l in meta.get("labels", [])) + " (none above threshold = `other`)"]
    lines += _setup_lines(meta)
    metrics = meta.get("metrics") or {}
    for key, title in (("test", "Held-out test split"), ("cv", "Cross-validation on the training data")):
        if metrics.get(key):
            lines += _metrics_lines(metrics[key], title)
    lines += [
        "",
        "## Intended use and limits",
        "",
        meta.get("intended_use") or
        "Tags Japanese business text (job descriptions, 業務分掌, department pages) by the kind of work it "
        "describes. Trained on original sentences written for this project and two labelled seed articles; "
        "real text from industries or registers the corpus lacks will score lower than the figures above.",
        "",
    ]
    return "\n".join(lines)


def _setup_lines(meta: dict[str, Any]) -> list[str]:
    """The training data, features, estimator, thresholds and library versions."""
    lines = ["", "## Training data", ""]
    corpus = meta.get("corpus", {})
    lines += [f"- {k}: {corpus[k]}" for k in ("files", "sha256", "n_train_units", "n_test_items", "label_counts")
              if k in corpus]
    lines += ["", "## Features and estimator", ""]
    lines.append(f"- features: `{meta.get('features')}`")
    lines.append(f"- estimator: {meta.get('estimator', '')}")
    lines.append(f"- thresholds: {dict(zip(meta.get('labels', []), meta.get('thresholds', [])))}")
    lines.append(f"- document roll-up share threshold: {meta.get('doc_threshold')}")
    if meta.get("duties"):
        ids = [d["id"] for d in meta["duties"]]
        lines.append(f"- duties: {len(ids)} ({', '.join(f'`{i}`' for i in ids)}) from "
                     f"{corpus.get('duty_list', 'the corpus')}; one model per duty on the same features, "
                     + ("a duty of a role held only where the unit has that role" if meta.get("duty_gate")
                        else "not gated by role"))
        lines.append(f"- duty thresholds: {dict(zip(ids, meta.get('duty_thresholds', [])))}")
    lines += ["", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in (meta.get("versions") or {}).items()]
    return lines


def _metrics_lines(m: dict[str, Any], title: str) -> list[str]:
    """One measured section: the command, per-unit metrics tables and the calibration table."""
    lines = ["", f"## {title}", ""]
    if m.get("command"):
        lines += [f"Measured by: `{m['command']}`", ""]
    for unit in ("sentences", "documents"):
        sec = m.get(unit)
        if sec and sec.get("n"):
            lines += [f"### {unit} (n = {sec['n']}, exact match {sec['exact_match']:.3f})", ""]
            lines += [metrics_table(sec), ""]
            if sec.get("per_register"):
                lines.append("Macro-F1 per register: " + ", ".join(
                    f"{r} {v['macro_f1']:.3f} (n={v['n']})" for r, v in sec["per_register"].items()
                ))
                lines.append("")
    duties = m.get("duties")
    if duties and duties.get("n"):
        lines += [f"### duties (n = {duties['n']} units, exact match {duties['exact_match']:.3f})", "",
                  metrics_table(duties), "", f"Most confused duty pairs (gold -> predicted): {confused_pairs(duties)}",
                  ""]
    cal = m.get("calibration")
    if cal:
        u, c = cal["uncalibrated"], cal["calibrated"]
        lines += [
            "### Calibration of sentence probabilities",
            "",
            "| | Brier score | expected calibration error |",
            "|---|---:|---:|",
            f"| raw decision values through a sigmoid | {u['brier']:.4f} | {u['ece']:.4f} |",
            f"| with Platt scaling (shipped) | {c['brier']:.4f} | {c['ece']:.4f} |",
            "",
        ]
    return lines
