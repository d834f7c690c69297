"""Fold the duty annotations of corpus/_duties/ into the sentence and job files, and derive document labels.

The duty labellers wrote side files (one line per item: its duties and, where they found a role label wrong
under LABELS.md, ``proposed_labels`` with the rule). This script:

1. applies each proposal whose role labels are consistent with its duties (and lists it), and writes the
   ``duties`` field into the item (sentences) or into each line (job descriptions);
2. re-derives document labels of job descriptions and document batches by GUIDELINES §5 (see
   ``doc_labels.py``) and lists every document whose labels change;
3. checks that every unit's labels and duties agree (every role label has a duty of its role, every role
   duty has its label) and lists what does not, without changing it.

    python corpus/tools/merge_duties.py            # dry run: what would change
    python corpus/tools/merge_duties.py --write    # write the corpus files
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_labels import derive_labels  # noqa: E402


def roles_of(duties: list[str], taxonomy: dict[str, str]) -> set[str]:
    return {taxonomy[d] for d in duties} - {"other"}


def consistent(labels: list[str], duties: list[str], taxonomy: dict[str, str]) -> bool:
    return set(labels) == roles_of(duties, taxonomy)


def load(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def dump(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main(argv: list[str]) -> int:
    write = "--write" in argv
    taxonomy = {d["id"]: d["role"] for d in json.loads((HERE / "duties.json").read_text(encoding="utf-8"))["duties"]}
    report: list[str] = []
    mismatches = 0
    for side in sorted((HERE / "_duties").glob("*.jsonl")):
        target = HERE / ("jobs" if side.name.startswith("jobs_") else "sentences") / side.name
        items = load(target)
        notes = {r["id"]: r for r in load(side)}
        for it in items:
            d = notes.get(it["id"])
            if d is None:
                report.append(f"{target.name}: {it['id']}: no duty annotation")
                continue
            if "lines" in it:
                for k, (line, duties) in enumerate(zip(it["lines"], d["duties"])):
                    prop = next((p for p in d.get("proposed", []) if p["line"] == k), None)
                    if prop and consistent(prop["labels"], duties, taxonomy) and prop["labels"] != line["labels"]:
                        report.append(f"{it['id']} line {k}: {line['labels']} -> {prop['labels']} ({prop['why']})")
                        line["note"] = (line.get("note", "") + "; " if line.get("note") else "") + \
                            f"relabelled {line['labels']}→{prop['labels']}: {prop['why']}"
                        line["labels"] = prop["labels"]
                    line["duties"] = duties
                    if not consistent(line["labels"], duties, taxonomy):
                        mismatches += 1
                        report.append(f"MISMATCH {it['id']} line {k}: labels {line['labels']} duties {duties}")
                new = derive_labels(it["lines"], taxonomy)
                if new is not None and sorted(new) != sorted(it["labels"]):
                    report.append(f"{it['id']}: document labels {it['labels']} -> {new} (GUIDELINES §5)")
                    it["note"] = (it.get("note", "") + "; " if it.get("note") else "") + \
                        f"document labels {it['labels']}→{new}: GUIDELINES §5"
                    it["labels"] = new
            else:
                duties = d["duties"]
                prop = d.get("proposed_labels")
                if prop is not None and consistent(prop, duties, taxonomy) and prop != it["labels"]:
                    report.append(f"{it['id']}: {it['labels']} -> {prop} ({d.get('why', '')})")
                    it["note"] = (it.get("note", "") + "; " if it.get("note") else "") + \
                        f"relabelled {it['labels']}→{prop}: {d.get('why', '')}"
                    it["labels"] = prop
                if d.get("labels") is not None and sorted(d["labels"]) != sorted(it["labels"]) and prop is None:
                    report.append(f"{it['id']}: duty annotation saw labels {d['labels']}, the item has {it['labels']}")
                it["duties"] = duties
                if not consistent(it["labels"], duties, taxonomy):
                    mismatches += 1
                    report.append(f"MISMATCH {it['id']}: labels {it['labels']} duties {duties}")
        if write:
            dump(target, items)
    for docs in sorted((HERE / "docs").glob("*.jsonl")):
        items = load(docs)
        for it in items:
            if it.get("unit") != "document":
                continue
            new = derive_labels(it["lines"], taxonomy)
            if new is not None and sorted(new) != sorted(it["labels"]):
                report.append(f"{it['id']}: document labels {it['labels']} -> {new} (GUIDELINES §5)")
                it["note"] = (it.get("note", "") + "; " if it.get("note") else "") + \
                    f"document labels {it['labels']}→{new}: GUIDELINES §5"
                it["labels"] = new
        if write:
            dump(docs, items)
    print("\n".join(report))
    print(f"{len(report)} line(s) of report; {mismatches} unit(s) whose labels and duties disagree"
          + ("" if write else " (dry run: nothing written)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
