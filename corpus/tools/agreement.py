"""Inter-annotator agreement: the corpus labels against a blind re-annotation of a random 10 % sample.

    python corpus/tools/agreement.py            # prints the Markdown table used in corpus/README.md

The sample (corpus/_agreement/sample_ids.txt) was drawn at random (seed 20261123) from the sentence items
and the job descriptions; corpus/_agreement/relabel_*.jsonl hold the second annotator's labels, made from
GUIDELINES.md alone without seeing the corpus labels.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from roleclassify.corpus import read_corpus  # noqa: E402

CLASSES = ["sales", "distribution", "marketing", "other"]


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def table(pairs: list[tuple[list[str], list[str]]], title: str) -> list[str]:
    out = [f"**{title}** (n = {len(pairs)}, exact agreement {sum(set(a) == set(b) for a, b in pairs) / len(pairs):.3f})", "",
           "| label | Cohen's kappa | positives (corpus / re-annotation) |", "|---|---:|---:|"]
    for c in CLASSES:
        a = [(c in x) if c != "other" else not x for x, _ in pairs]
        b = [(c in y) if c != "other" else not y for _, y in pairs]
        out.append(f"| {c} | {kappa(a, b):.3f} | {sum(a)} / {sum(b)} |")
    return out + [""]


def main() -> None:
    items = {it.id: it for it in read_corpus([ROOT / "corpus" / "sentences", ROOT / "corpus" / "jobs"])}
    sents, docs, lines = [], [], []
    for f in sorted((ROOT / "corpus" / "_agreement").glob("relabel_*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            it = items[r["id"]]
            if it.unit == "document":
                docs.append((it.labels, r["labels"]))
                lines.extend(zip([lab for _, lab in it.lines], r["line_labels"]))
            else:
                sents.append((it.labels, r["labels"]))
    print("\n".join(table(sents, "Sentences") + table(docs, "Job descriptions (document labels)")
                    + table(lines, "Job-description lines")))


if __name__ == "__main__":
    main()
