"""Consistency check for the org-document fixtures in this directory.

For every ``*.expected.json`` it
  1. re-reads the document with a small reference reader (one per format) and checks that the
     departments and duty units listed in ``departments`` are exactly what the document contains;
  2. re-derives each department's expected role from its name (or the ``expect`` override);
  3. recomputes crossing / shared / ownerless from the per-sentence labels and compares them with
     ``findings``;
  4. checks each planted duplicate, and searches all cross-department sentence pairs for
     near-duplicates that were NOT planted;
  5. checks the size limits (4-9 departments, 3-10 duties each).

Usage:  /work/venv/bin/python corpus/orgdocs/check_fixtures.py [-v]
Exit code 0 when every fixture passes.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = ("sales", "distribution", "marketing")
DUP_THRESHOLD = 0.55  # bigram Jaccard on normalised text; planted pairs score far above it


# ---------------------------------------------------------------- roles from names
def roles_from_name(name: str) -> set[str]:
    found = set()
    if "営業" in name or "セールス" in name:
        found.add("sales")
    stripped = name.replace("販売促進", "").replace("販促", "")
    if any(k in stripped for k in ("販売", "受注", "物流", "配送", "店舗", "業務管理")):
        found.add("distribution")
    if any(k in name for k in ("マーケティング", "宣伝", "広告", "広報", "販促", "販売促進")):
        found.add("marketing")
    return found


# ---------------------------------------------------------------- reference readers
ITEM_RE = re.compile(r"^(?:[一二三四五六七八九十]+[　 ]|\(\d+\)\s*|（[0-9０-９]+）\s*|[0-9０-９]+[．.]\s*|[・\-－]\s*)(.+)$")
DEPT_SUFFIX = r"(?:部|課|室|センター)"


def split_units(line: str) -> list[str]:
    """Split a prose line at 。！？, keeping the terminator (the project splitter's rule)."""
    parts = re.findall(r"[^。！？]+[。！？]?", line.strip())
    return [p.strip() for p in parts if p.strip()]


def read_regulation(path: Path) -> dict[str, list[str]]:
    depts: dict[str, list[str]] = {}
    current = None
    pending_caption = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        m_caption = re.fullmatch(r"（(.+)）", line)
        if m_caption:
            pending_caption = m_caption.group(1)
            current = None
            continue
        if re.match(r"^第\S+?条", line):
            name = None
            m = re.match(rf"^第\S+?条（(.+?{DEPT_SUFFIX})）", line)
            if m:
                name = m.group(1)
            m = m or re.match(rf"^第\S+?条[　 ]+(\S+?{DEPT_SUFFIX})の分掌業務は", line)
            if m and name is None:
                name = m.group(1)
            if name is None and pending_caption and re.search(rf"{DEPT_SUFFIX}$", pending_caption):
                name = pending_caption
            pending_caption = None
            current = name
            if name:
                depts[name] = []
            continue
        if line.startswith("附") or re.match(r"^第\S+章", line) or line == "以上":
            current = None
            continue
        if current:
            m = ITEM_RE.match(line)
            if not m:
                raise ValueError(f"{path.name}: unexpected line inside {current}: {line!r}")
            depts[current].append(m.group(1))
    return depts


def read_markdown(path: Path) -> dict[str, list[str]]:
    depts: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            current = line[3:].strip()
            depts[current] = []
        elif line.startswith("# "):
            current = None
        elif current and line.startswith("- "):
            depts[current].append(line[2:].strip())
        elif current and line:
            depts[current].extend(split_units(line))
    return depts


BRACKET_RE = re.compile(r"^(?:【(.+)】|■(.+)|●(.+)|＜(.+)＞|〈(.+)〉)$")


def read_bracket(path: Path) -> dict[str, list[str]]:
    depts: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        m = BRACKET_RE.match(line)
        if m:
            current = next(g for g in m.groups() if g)
            depts[current] = []
        elif current and line.startswith("・"):
            depts[current].append(line[1:].strip())
        elif line:
            current = None
    return depts


def read_table(path: Path, delimiter: str) -> dict[str, list[str]]:
    depts: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    for row in rows[1:]:
        depts.setdefault(row[0], []).append(row[1])
    return depts


def read_directory(path: Path) -> dict[str, list[str]]:
    return {
        f.stem: [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for f in sorted(path.glob("*.txt"))
    }


def read_docx(path: Path) -> dict[str, list[str]]:
    from docx import Document

    depts: dict[str, list[str]] = {}
    current = None
    for p in Document(str(path)).paragraphs:
        if p.style.name == "Heading 2":
            current = p.text.strip()
            depts[current] = []
        elif p.style.name.startswith("Heading"):
            current = None
        elif current and p.style.name == "List Bullet":
            depts[current].append(p.text.strip())
    return depts


def read_pdf(path: Path) -> dict[str, list[str]]:
    from pypdf import PdfReader

    lines = []
    for page in PdfReader(str(path)).pages:
        lines += [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
    depts: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if line.startswith("・"):
            if current is None:
                raise ValueError(f"{path.name}: duty before any department: {line!r}")
            depts[current].append(line[1:].strip())
        elif i + 1 < len(lines) and lines[i + 1].startswith("・"):
            current = line
            depts[current] = []
        else:
            current = None
    return depts


def read_plain(path: Path) -> dict[str, list[str]]:
    depts: dict[str, list[str]] = {}
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip())
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if len(lines) >= 2:
            units = []
            for ln in lines[1:]:
                units.extend(split_units(ln))
            depts[lines[0]] = units
    return depts


def read_document(path: Path, fmt: str) -> dict[str, list[str]]:
    if fmt == "regulation":
        return read_regulation(path)
    if fmt == "markdown":
        return read_markdown(path)
    if fmt == "bracket":
        return read_bracket(path)
    if fmt == "csv":
        return read_table(path, ",")
    if fmt == "tsv":
        return read_table(path, "\t")
    if fmt == "directory":
        return read_directory(path)
    if fmt == "docx":
        return read_docx(path)
    if fmt == "pdf":
        return read_pdf(path)
    if fmt == "plain":
        return read_plain(path)
    raise ValueError(f"unknown format {fmt}")


# ---------------------------------------------------------------- findings
def derive_findings(exp: dict) -> list[dict]:
    depts = exp["departments"]
    roles = {d: {r for s in v["sentences"] for r in s["labels"]} for d, v in depts.items()}
    out = []
    for d, v in depts.items():
        e = v["expected_role"]
        if e is None:
            continue
        for r in ROLES:
            if r != e and r in roles[d]:
                ev = [s["text"] for s in v["sentences"] if r in s["labels"]]
                out.append({"kind": "crossing", "department": d, "role": r, "evidence": ev})
    for r in ROLES:
        have = [d for d in depts if r in roles[d]]
        if len(have) >= 2:
            out.append({"kind": "shared", "role": r, "departments": have})
        if not have:
            out.append({"kind": "ownerless", "role": r})
    return out


def _norm(text: str) -> str:
    t = text
    for tail in ("に関すること", "を行います", "を担当します", "しています", "します", "も行います", "。"):
        t = t.replace(tail, "")
    t = re.sub(r"[・、，,。\s（）()「」のとおよびご及並びにを]", "", t)
    return t


def _bigrams(t: str) -> set[str]:
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(_norm(a)), _bigrams(_norm(b))
    return len(x & y) / len(x | y)


def canon(f: dict) -> tuple:
    if f["kind"] == "crossing":
        return ("crossing", f["department"], f["role"], tuple(f["evidence"]))
    if f["kind"] == "shared":
        return ("shared", f["role"], tuple(f["departments"]))
    if f["kind"] == "ownerless":
        return ("ownerless", f["role"])
    return ("duplicate", tuple(f["departments"]), tuple(f["evidence"]))


# ---------------------------------------------------------------- main
def check(exp_path: Path, verbose: bool) -> list[str]:
    errors: list[str] = []
    exp = json.loads(exp_path.read_text(encoding="utf-8"))
    doc = HERE / exp["document"]
    if not doc.exists():
        return [f"document {doc.name} missing"]
    if exp_path.name != exp["document"].rsplit(".", 1)[0] + ".expected.json" and exp_path.stem.replace(
        ".expected", ""
    ) != exp["document"]:
        errors.append("expected-file name does not match document name")
    depts = exp["departments"]

    # 1. reference reading
    got = read_document(doc, exp["format"])
    if list(got) != list(depts) and not (exp["format"] == "directory" and set(got) == set(depts)):
        errors.append(f"departments differ: document {list(got)} vs expected {list(depts)}")
    for d, v in depts.items():
        texts = [s["text"] for s in v["sentences"]]
        if got.get(d) != texts:
            errors.append(f"{d}: sentences differ\n   doc: {got.get(d)}\n   exp: {texts}")
        for s in v["sentences"]:
            if any(l not in ROLES for l in s["labels"]) or len(set(s["labels"])) != len(s["labels"]):
                errors.append(f"{d}: bad labels {s}")

    # 2. expected roles
    override = exp.get("expect", {})
    for d, v in depts.items():
        by_name = roles_from_name(d)
        if d in override:
            want = override[d]
        else:
            if len(by_name) > 1:
                errors.append(f"{d}: name is ambiguous ({sorted(by_name)}) and has no expect override")
            want = next(iter(by_name)) if len(by_name) == 1 else None
        if v["expected_role"] != want:
            errors.append(f"{d}: expected_role {v['expected_role']} but name/expect gives {want}")

    # 3. findings
    stated = [f for f in exp["findings"] if f["kind"] != "duplicate"]
    derived = derive_findings(exp)
    if sorted(map(canon, stated)) != sorted(map(canon, derived)):
        errors.append(
            "findings differ\n   stated:  "
            + "\n            ".join(map(str, sorted(map(canon, stated))))
            + "\n   derived: "
            + "\n            ".join(map(str, sorted(map(canon, derived))))
        )

    # 4. duplicates
    planted = set()
    for f in exp["findings"]:
        if f["kind"] != "duplicate":
            continue
        (da, db), (ta, tb) = f["departments"], f["evidence"]
        if da == db:
            errors.append(f"duplicate within one department: {f}")
        for d, t in ((da, ta), (db, tb)):
            if t not in [s["text"] for s in depts[d]["sentences"]]:
                errors.append(f"duplicate evidence {t!r} not in {d}")
        planted.add(frozenset([(da, ta), (db, tb)]))
    items = [(d, s["text"]) for d, v in depts.items() for s in v["sentences"]]
    for i, (da, ta) in enumerate(items):
        for db, tb in items[i + 1 :]:
            if da == db:
                continue
            sim = similarity(ta, tb)
            key = frozenset([(da, ta), (db, tb)])
            if key in planted:
                if sim < DUP_THRESHOLD:
                    errors.append(f"planted duplicate scores only {sim:.2f}: {ta} / {tb}")
                elif verbose:
                    print(f"   planted dup {sim:.2f}: {da}:{ta} / {db}:{tb}")
            elif sim >= DUP_THRESHOLD:
                errors.append(f"unplanned near-duplicate {sim:.2f}: {da}:{ta} / {db}:{tb}")
            elif verbose and sim >= 0.25:
                print(f"   (close, not planted) {sim:.2f}: {da}:{ta} / {db}:{tb}")

    # 5. sizes
    if not 4 <= len(depts) <= 9:
        errors.append(f"{len(depts)} departments (want 4-9)")
    for d, v in depts.items():
        if not 3 <= len(v["sentences"]) <= 10:
            errors.append(f"{d}: {len(v['sentences'])} duties (want 3-10)")
    return errors


def main() -> int:
    verbose = "-v" in sys.argv
    total = {"crossing": 0, "shared": 0, "duplicate": 0, "ownerless": 0}
    clean = []
    failed = 0
    for exp_path in sorted(HERE.glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        if verbose:
            print(exp_path.name)
        errs = check(exp_path, verbose)
        for f in exp["findings"]:
            total[f["kind"]] += 1
        if not exp["findings"]:
            clean.append(f"{exp['document']} ({exp['format']})")
        status = "ok" if not errs else "FAIL"
        print(f"{status:4} {exp_path.name}: " + ", ".join(
            f"{k}={sum(1 for f in exp['findings'] if f['kind'] == k)}" for k in total))
        for e in errs:
            print("     " + e)
        failed += bool(errs)
    print("totals:", total, "| clean:", ", ".join(clean))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
