"""Audit findings against expected ones: the corpus's org-document fixtures and, where present, the real-world
department pages in ../shared/realworld/orgdocs, or the folder ROLECLASSIFY_REALWORLD_ORGDOCS names (a development
check; their text is not in the project; when absent, the script says so).

    python bench/audit_check.py [--model DIR] [--min-score 0.0] [-v] [--oracle-duties | --model-duties | --lemma]

Matching is roleclassify.orgaudit.score_findings (the same function the tests use): a finding matches when its
kind, role and department(s) match (exact matcher); the core matcher also accepts a shared role that holds the
expected core departments and at most one more (corpus/orgdocs/FINDINGS.md); expected findings of low
confidence are optional.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from roleclassify.model import load
from roleclassify.orgaudit import (
    DEFAULT_MIN_SCORE,
    DutySimilarity,
    audit,
    lemma_duty_similarity,
    model_duty_similarity,
    score_findings,
)

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("ROLECLASSIFY_REALWORLD_ORGDOCS") or ROOT.parent / "shared" / "realworld" / "orgdocs")


def prf(rows: list[dict]) -> tuple[int, int, int, float, float]:
    tp = sum(r["tp"] for r in rows)
    fp = sum(r["fp"] for r in rows)
    fn = sum(r["fn"] for r in rows)
    return tp, fp, fn, tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def calibrate(calib: dict[str, list[int]], findings: list, scored: dict) -> None:
    """Count, per severity, the reported findings that match an expected one (calib[severity] = [right, all])."""
    extra = set(scored["extra"])
    for f in findings:
        c = calib.setdefault(f.severity, [0, 0])
        c[0] += f.key not in extra
        c[1] += 1


def show_calibration(name: str, calib: dict[str, list[int]]) -> None:
    print(f"{name}, severity: " + ", ".join(f"{sev} {calib[sev][0]}/{calib[sev][1]} right"
                                             for sev in ("high", "medium", "low") if sev in calib))


def oracle_similarity(expected: dict, model) -> DutySimilarity:
    """An upper bound for a duty similarity by meaning (what a per-sentence duty classifier could give): two
    units sharing a duty id of the fixture's own annotation are alike (1.0); other pairs as the default
    content-lemma similarity. Fixtures only; never a product setting."""
    duties = {s["text"]: set(s["duties"]) for d in expected["departments"].values() for s in d["sentences"]}
    lemma = lemma_duty_similarity(model.tokenizer)

    def similarity(texts):
        by_lemma = lemma(texts)
        ids = [duties.get(t, set()) for t in texts]
        return lambda i, j: 1.0 if ids[i] & ids[j] else by_lemma(i, j)

    return similarity


def with_similarity(paths: list, model, expect, min_score: float, similarity: DutySimilarity,
                    duplicates: DutySimilarity | None = None):
    """The audit of ``paths`` with ``similarity`` as its shared-duty similarity (and ``duplicates`` as its
    duplicate similarity; None: the audit's default)."""
    from roleclassify.orgaudit import audit_documents
    from roleclassify.orgdocs import read_org_documents

    return audit_documents(read_org_documents(paths), model, expect=expect, min_score=min_score, similarity=similarity,
                           duplicate_similarity=duplicates)


def plugged(args, model) -> tuple[DutySimilarity, DutySimilarity] | None:
    """The similarities the options put in place of the audit's default (meaning_duty_similarity), or None."""
    if args.model_duties:
        return model_duty_similarity(model), lemma_duty_similarity(model.tokenizer)
    if args.lemma:
        lemma = lemma_duty_similarity(model.tokenizer)
        return lemma, lemma
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE)
    ap.add_argument("-v", "--verbose", action="store_true", help="list missing and extra findings")
    ap.add_argument("--oracle-duties", action="store_true",
                    help="fixtures only: units alike when the fixture annotates them with the same duty (an upper "
                         "bound for a duty classifier plugged in as the audit's similarity)")
    ap.add_argument("--model-duties", action="store_true",
                    help="units alike when the model's duty head gives them a common duty "
                         "(orgaudit.model_duty_similarity as the audit's shared-duty similarity; duplicates by "
                         "content lemmas)")
    ap.add_argument("--lemma", action="store_true",
                    help="units alike by their content lemmas only (orgaudit.lemma_duty_similarity for both shared "
                         "duties and duplicates: the audit before the duty head took part)")
    args = ap.parse_args()
    model = load(args.model)
    print(f"model: {args.model or 'shipped default'}, min-score {args.min_score}\n")
    rows: list[dict] = []
    exact_rows: list[dict] = []
    depts = [0, 0, 0]  # departments read as expected, departments expected, parents read as expected
    calib: dict[str, list[int]] = {}
    print("| fixture | expected | reported | missing | extra |\n|---|---:|---:|---:|---:|")
    for exp in sorted((ROOT / "corpus" / "orgdocs").glob("*.expected.json")):
        e = json.loads(exp.read_text(encoding="utf-8"))
        if args.oracle_duties:
            from roleclassify.orgaudit import audit_documents
            from roleclassify.orgdocs import read_org_documents

            rep = audit_documents(read_org_documents([exp.parent / e["document"]]), model, expect=e.get("expect") or None,
                                  min_score=args.min_score, similarity=oracle_similarity(e, model))
        elif plugged(args, model):
            rep = with_similarity([exp.parent / e["document"]], model, e.get("expect") or None, args.min_score,
                                  *plugged(args, model))
        else:
            rep = audit([exp.parent / e["document"]], model, expect=e.get("expect") or None, min_score=args.min_score)
        s = score_findings(rep.findings, e["findings"])
        calibrate(calib, rep.findings, s)
        read = {d.name for d in rep.departments}
        depts[0] += len(read & set(e["departments"]))
        depts[1] += len(e["departments"])
        parent_of = {d["department"]: d["parent"] for d in rep.reading["departments"]}
        depts[2] += sum(parent_of.get(k, "?") == v.get("parent") for k, v in e["departments"].items())
        rows.append(s)
        exact_rows.append(score_findings(rep.findings, e["findings"], matcher="exact"))
        print(f"| {e['document']} | {len(e['findings'])} | {len(rep.findings)} | {s['fn']} | {s['fp']} |")
        if args.verbose and (s["missing"] or s["extra"]):
            print(f"|  | missing {s['missing']} | extra {s['extra']} | | |")
    tp, fp, fn, p, r = prf(rows)
    exact = sum(1 for x in rows if x["fp"] == x["fn"] == 0)
    print(f"\nfixtures: {exact}/{len(rows)} exactly right; core matcher precision {p:.3f}, recall {r:.3f} "
          f"(tp {tp}, fp {fp}, fn {fn})")
    print(f"fixtures, departments read: {depts[0]}/{depts[1]}, their parents: {depts[2]}/{depts[1]}")
    show_calibration("fixtures", calib)
    tp, fp, fn, p, r = prf(exact_rows)
    print(f"fixtures, exact matcher: precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    if not (REAL / "expected.json").exists():
        print(f"\nreal-world department pages: none at {REAL} (a clone outside the project's folder: set "
              "ROLECLASSIFY_REALWORLD_ORGDOCS to their folder)")
    else:
        expected = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
        rrows: list[dict] = []
        rexact: list[dict] = []
        rdepts = [0, 0]
        rcalib: dict[str, list[int]] = {}
        for name, e in expected.items():
            sims = plugged(args, model)
            rep = (with_similarity([REAL / name], model, None, args.min_score, *sims) if sims
                   else audit([REAL / name], model, min_score=args.min_score))
            s = score_findings(rep.findings, e["findings"])
            calibrate(rcalib, rep.findings, s)
            read = {d.name for d in rep.departments}
            rdepts[0] += len(read & set(e["departments"]))
            rdepts[1] += len(e["departments"])
            rrows.append(s)
            rexact.append(score_findings(rep.findings, e["findings"], matcher="exact"))
            print(f"real-world {name}: tp {s['tp']}, fp {s['fp']}, fn {s['fn']}")
            if args.verbose:
                print(f"  missing {s['missing']}\n  extra {s['extra']}")
        tp, fp, fn, p, r = prf(rrows)
        print(f"real-world department pages: core matcher precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
        print(f"real-world department pages, departments read: {rdepts[0]}/{rdepts[1]}")
        show_calibration("real-world department pages", rcalib)
        tp, fp, fn, p, r = prf(rexact)
        print(f"real-world department pages, exact matcher: precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
