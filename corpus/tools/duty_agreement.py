"""Blind re-annotation of roles and duties: draw the 10 % sample, then score the agreement.

    python corpus/tools/duty_agreement.py sample   # writes corpus/_agreement/duty_tasks_{1..4}.jsonl (texts only)
    python corpus/tools/duty_agreement.py score    # prints the agreement tables of corpus/README.md

The sample (seed 20261203) is 10 % of the sentence items, 10 % of the job descriptions and 10 % of the
whole-document batches, drawn at random; documents are re-annotated whole (every line, in context). The task
files hold the texts only: the annotators, sessions that labelled none of these items, saw neither the corpus
labels nor the duties, only LABELS.md, GUIDELINES.md and duties.json. Their answers are
corpus/_agreement/duty_relabel_{1..4}.jsonl.
"""

import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AG = ROOT / "corpus" / "_agreement"
SEED = 20261203
ROLES = ["sales", "distribution", "marketing"]


def load(p):
    return [json.loads(l) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]


def corpus():
    out = {}
    for sub in ("sentences", "jobs", "docs"):
        for f in sorted((ROOT / "corpus" / sub).glob("*.jsonl")):
            for it in load(f):
                out[it["id"]] = (sub, it)
    return out


def sample() -> None:
    items = corpus()
    rng = random.Random(SEED)
    by = {"sentences": [], "jobs": [], "docs": []}
    for k, (sub, _) in items.items():
        by[sub].append(k)
    chosen = []
    for sub in ("sentences", "jobs", "docs"):
        ids = sorted(by[sub])
        chosen += [(sub, i) for i in rng.sample(ids, round(0.1 * len(ids)))]
    rng.shuffle(chosen)
    tasks = [[] for _ in range(4)]
    load_ = [0] * 4
    for sub, i in chosen:
        it = items[i][1]
        size = len(it["lines"]) if "lines" in it else 1
        k = load_.index(min(load_))
        load_[k] += size
        if "lines" in it:
            tasks[k].append({"id": i, "kind": "document", "register": it.get("register", "jobad"),
                             "title": it.get("title", ""), "lines": [ln["text"] for ln in it["lines"]],
                             "wants_document_labels": it.get("unit", "document") == "document"})
        else:
            tasks[k].append({"id": i, "kind": "sentence", "text": it["text"]})
    for k, t in enumerate(tasks, 1):
        (AG / f"duty_tasks_{k}.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in t),
                                                  encoding="utf-8")
    print("units per task file:", load_)


def kappa(a, b):
    n = len(a)
    if not n:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def score() -> None:
    items = corpus()
    duties = [d["id"] for d in json.loads((ROOT / "corpus" / "duties.json").read_text(encoding="utf-8"))["duties"]]
    units, docs = [], []  # (gold labels, gold duties, re labels, re duties)
    for f in sorted(AG.glob("duty_relabel_*.jsonl")):
        for r in load(f):
            sub, it = items[r["id"]]
            if "lines" in it:
                for ln, rl in zip(it["lines"], r["lines"]):
                    units.append((ln["labels"], ln.get("duties") or [], rl["labels"], rl["duties"]))
                if r.get("labels") is not None and it.get("labels") is not None:
                    docs.append((it["labels"], r["labels"]))
            else:
                units.append((it["labels"], it.get("duties") or [], r["labels"], r["duties"]))
    n = len(units)
    print(f"**Roles of units** (n = {n}, exact agreement {sum(set(a) == set(c) for a, _, c, _ in units) / n:.3f})\n")
    print("| label | Cohen's kappa | positives (corpus / re-annotation) |\n|---|---:|---:|")
    for c in ROLES + ["other"]:
        a = [(c in x) if c != "other" else not x for x, _, _, _ in units]
        b = [(c in y) if c != "other" else not y for _, _, y, _ in units]
        print(f"| {c} | {kappa(a, b):.3f} | {sum(a)} / {sum(b)} |")
    print(f"\n**Duties of units** (n = {n}, exact agreement {sum(set(b) == set(d) for _, b, _, d in units) / n:.3f})\n")
    print("| duty | Cohen's kappa | positives (corpus / re-annotation) |\n|---|---:|---:|")
    ks = []
    for d in duties:
        a = [d in x for _, x, _, _ in units]
        b = [d in y for _, _, _, y in units]
        k = kappa(a, b)
        if sum(a) + sum(b):
            ks.append(k)
        print(f"| {d} | {k:.3f} | {sum(a)} / {sum(b)} |")
    print(f"\nmean kappa over duties that occur: {sum(ks) / len(ks):.3f}")
    if docs:
        print(f"\n**Document labels** (n = {len(docs)}, exact agreement "
              f"{sum(set(a) == set(b) for a, b in docs) / len(docs):.3f})")
    conf = Counter()
    for _, b, _, d in units:
        for x in set(b) - set(d):
            for y in set(d) - set(b):
                conf[(x, y)] += 1
    print("\nmost frequent disagreements (corpus duty → re-annotation duty): "
          + ", ".join(f"{x}→{y} {c}" for (x, y), c in conf.most_common(10)))


if __name__ == "__main__":
    {"sample": sample, "score": score}[sys.argv[1]]()
