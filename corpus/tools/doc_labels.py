"""Document labels by GUIDELINES §5, from a document's labelled lines and their duties.

Work lines are lines with any duty (role or other); role lines are lines with a role label. A role is a main
role when it is on at least a third of the role lines (a line with two roles counts for each), but when the
role lines are fewer than a third of the work lines the job mainly does work of none of the three roles
and its labels are ``[]``. "About a third" is read as at least 0.3, so 3 of 10 counts.

    python corpus/tools/doc_labels.py corpus/docs/docs_i.jsonl …   # lists documents whose labels differ
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SHARE = 0.3


def derive_labels(lines: list[dict], taxonomy: dict[str, str]) -> list[str] | None:
    """The §5 labels of a document's lines, or None when its lines carry no duties (cannot be derived)."""
    if not any("duties" in ln for ln in lines):
        return None
    work = [ln for ln in lines if ln.get("duties") or ln.get("labels")]
    role_lines = [ln for ln in work if ln.get("labels")]
    if not role_lines or len(role_lines) < SHARE * len(work) - 1e-9:
        return []
    order = ["sales", "distribution", "marketing"]
    counts = {r: sum(1 for ln in role_lines if r in ln["labels"]) for r in order}
    picked = [r for r in order if counts[r] >= SHARE * len(role_lines) - 1e-9]
    return picked or [max(order, key=lambda r: counts[r])]


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent.parent
    taxonomy = {d["id"]: d["role"] for d in json.loads((here / "duties.json").read_text(encoding="utf-8"))["duties"]}
    n = 0
    for f in argv:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            it = json.loads(line)
            if it.get("unit") != "document":
                continue
            new = derive_labels(it["lines"], taxonomy)
            if new is not None and sorted(new) != sorted(it.get("labels") or []):
                n += 1
                print(f"{it['id']}: {it.get('labels')} -> {new}")
    print(f"{n} document(s) whose labels differ from §5")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
