"""Check a batch of whole documents (corpus/docs/*.jsonl) before it joins the corpus.

Every document is written as it appears (``text``) and labelled unit by unit (``lines``): the units must be
exactly what roleclassify's splitter makes of ``text``, each with its role labels and duties (see
corpus/GUIDELINES.md and corpus/duties.json). Prints every problem as ``file:line: message`` and a summary;
exit code 1 when there are problems.

    python corpus/tools/check_docs.py corpus/docs/docs_i.jsonl [more.jsonl ...] [--units ID]

``--units ID`` prints the units the splitter makes of that document's text (to label them).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from roleclassify.text import split_sentences

ROLES = ("sales", "distribution", "marketing")
REGISTERS = ("jobad", "recruiting", "career_guide", "company_page", "regulation")
DOC_REGISTERS = ("jobad", "recruiting", "career_guide")  # documents about one job: they carry document labels
HERE = Path(__file__).resolve().parent.parent


def load_duties() -> dict[str, str]:
    data = json.loads((HERE / "duties.json").read_text(encoding="utf-8"))
    return {d["id"]: d["role"] for d in data["duties"]}


def check_item(obj: dict, where: str, duties: dict[str, str]) -> list[str]:
    p: list[str] = []
    for key in ("id", "unit", "register", "industry", "title", "text", "lines", "source"):
        if key not in obj:
            p.append(f"{where}: missing {key!r}")
    if p:
        return p
    reg = obj["register"]
    if reg not in REGISTERS:
        p.append(f"{where}: register {reg!r} not one of {REGISTERS}")
    want_unit = "document" if reg in DOC_REGISTERS else "page"
    if obj["unit"] != want_unit:
        p.append(f"{where}: register {reg} needs \"unit\": \"{want_unit}\"")
    labels = obj.get("labels")
    if want_unit == "document":
        if not isinstance(labels, list) or any(l not in ROLES for l in labels):
            p.append(f"{where}: document labels must be a list of {ROLES} ([] = other)")
    elif labels is not None:
        p.append(f"{where}: a {reg} page has no document labels: write \"labels\": null")
    if not str(obj["source"]).startswith("original:"):
        p.append(f"{where}: source must be original:<batch>")
    units = split_sentences(obj["text"])
    lines = obj["lines"]
    got = [ln.get("text") for ln in lines if isinstance(ln, dict)]
    if got != units:
        for k, (a, b) in enumerate(zip(units, got)):
            if a != b:
                p.append(f"{where}: unit {k + 1} differs: splitter gives {a!r}, lines[{k}] is {b!r}")
                break
        else:
            p.append(f"{where}: the splitter gives {len(units)} units, lines has {len(got)}")
    for k, ln in enumerate(lines):
        w = f"{where} lines[{k}]"
        if not isinstance(ln, dict):
            p.append(f"{w}: not an object")
            continue
        lab = ln.get("labels")
        dut = ln.get("duties")
        if not isinstance(lab, list) or any(l not in ROLES for l in lab) or len(set(lab)) != len(lab):
            p.append(f"{w}: labels must be a list of distinct {ROLES}")
            continue
        if not isinstance(dut, list) or any(d not in duties for d in dut):
            bad = [d for d in dut or [] if d not in duties] if isinstance(dut, list) else dut
            p.append(f"{w}: duties must be a list of duty ids from corpus/duties.json (bad: {bad})")
            continue
        roles_of = {duties[d] for d in dut}
        for r in lab:
            if r not in roles_of:
                p.append(f"{w}: label {r} has no {r} duty")
        for r in roles_of - {"other"}:
            if r not in lab:
                p.append(f"{w}: duty of role {r} but no {r} label")
    if want_unit == "document" and isinstance(labels, list):
        role_lines = [ln for ln in lines if isinstance(ln, dict) and ln.get("labels")]
        if labels and not role_lines:
            p.append(f"{where}: document labels {labels} but no line has a role")
    return p


def existing_texts(skip: set[Path]) -> dict[str, str]:
    """Unit texts already in the corpus (sentences, job lines, other document batches), to catch copies."""
    seen: dict[str, str] = {}
    for f in sorted((HERE / "sentences").glob("*.jsonl")) + sorted((HERE / "jobs").glob("*.jsonl")) + sorted(
        (HERE / "docs").glob("*.jsonl")
    ):
        if f.resolve() in skip:
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            for t in [obj.get("text")] + [ln.get("text") for ln in obj.get("lines") or []]:
                if isinstance(t, str):
                    seen.setdefault(t, f.name)
    return seen


def main(argv: list[str]) -> int:
    show = None
    if "--units" in argv:
        i = argv.index("--units")
        show = argv[i + 1]
        argv = argv[:i] + argv[i + 2 :]
    duties = load_duties()
    problems: list[str] = []
    known = existing_texts({Path(f).resolve() for f in argv})
    seen_here: dict[str, str] = {}
    ids: Counter[str] = Counter()
    stats = Counter()
    regs, inds, labs, duty_count = Counter(), Counter(), Counter(), Counter()
    for f in argv:
        for n, line in enumerate(Path(f).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{f}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: invalid JSON ({e.msg})")
                continue
            if show and obj.get("id") == show:
                for k, u in enumerate(split_sentences(obj.get("text", ""))):
                    print(f"{k:3d} {u}")
                return 0
            ids[obj.get("id")] += 1
            problems += check_item(obj, where, duties)
            for ln in obj.get("lines", []):
                t = ln.get("text") if isinstance(ln, dict) else None
                if not isinstance(t, str) or len(t) < 15:
                    continue  # short headings (【仕事内容】) repeat in every ad
                if t in known:
                    problems.append(f"{where}: unit {t!r} is already in {known[t]}; write a new one")
                elif t in seen_here and seen_here[t] != obj.get("id"):
                    problems.append(f"{where}: unit {t!r} repeats {seen_here[t]}; write a new one")
                seen_here.setdefault(t, obj.get("id"))
            stats["documents"] += 1
            stats["units"] += len(obj.get("lines", []))
            regs[obj.get("register")] += 1
            inds[obj.get("industry")] += 1
            for ln in obj.get("lines", []):
                if isinstance(ln, dict):
                    for l in ln.get("labels") or ["other"]:
                        labs[l] += 1
                    for d in ln.get("duties") or []:
                        duty_count[d] += 1
    problems += [f"duplicate id {i!r} ({c} times)" for i, c in ids.items() if c > 1]
    for pr in problems:
        print(pr)
    print(f"{stats['documents']} documents, {stats['units']} units; registers {dict(regs)}")
    print(f"industries ({len(inds)}): {dict(inds)}")
    print(f"unit labels: {dict(labs)}")
    print(f"duties used ({len(duty_count)}): {dict(duty_count.most_common())}")
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
