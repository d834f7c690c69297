"""Audit findings against expected ones: the corpus's org-document fixtures and, where present, the real-world
department pages in ../shared/realworld/orgdocs (a development check; their text is not in the project).

    python bench/audit_check.py [--model DIR] [--min-score 0.5]

A finding matches when its kind, role and department(s) match. Real-world findings marked low confidence are
optional: found they count as correct, missed they are not counted against recall.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from roleclassify.audit import audit, finding_key
from roleclassify.model import load

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "realworld" / "orgdocs"




def score(rows):
    tp = sum(r[0] for r in rows)
    fp = sum(r[1] for r in rows)
    fn = sum(r[2] for r in rows)
    return tp, fp, fn, tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--min-score", type=float, default=0.5)
    args = ap.parse_args()
    model = load(args.model)
    print(f"model: {args.model or 'shipped default'}, min-score {args.min_score}\n")
    rows = []
    print("| fixture | expected | reported | missing | extra |\n|---|---:|---:|---|---|")
    for exp in sorted((ROOT / "corpus" / "orgdocs").glob("*.expected.json")):
        e = json.loads(exp.read_text(encoding="utf-8"))
        rep = audit([exp.parent / e["document"]], model, expect=e.get("expect") or None, min_score=args.min_score)
        got = {f.key for f in rep.findings}
        want = {finding_key(f["kind"], f.get("departments") or [f.get("department")], f.get("role")) for f in e["findings"]}
        rows.append((len(got & want), len(got - want), len(want - got)))
        print(f"| {e['document']} | {len(want)} | {len(got)} | {sorted(want - got) or ''} | {sorted(got - want) or ''} |")
    tp, fp, fn, p, r = score(rows)
    exact = sum(1 for x in rows if x[1] == x[2] == 0)
    print(f"\nfixtures: {exact}/{len(rows)} exactly right; precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    if (REAL / "expected.json").exists():
        expected = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
        rrows = []
        for name, e in expected.items():
            rep = audit([REAL / name], model, min_score=args.min_score)
            got = {f.key for f in rep.findings}
            required = {finding_key(f["kind"], f["departments"], f.get("role")) for f in e["findings"] if f["confidence"] != "low"}
            optional = {finding_key(f["kind"], f["departments"], f.get("role")) for f in e["findings"] if f["confidence"] == "low"}
            tp_ = len(got & (required | optional))
            rrows.append((tp_, len(got - required - optional), len(required - got)))
            print(f"real-world {name}: missing {sorted(required - got)}; extra {sorted(got - required - optional)}")
        tp, fp, fn, p, r = score(rrows)
        print(f"real-world department pages: precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
