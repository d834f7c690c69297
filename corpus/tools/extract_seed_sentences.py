"""Extract the sentences of the seed articles (../shared/seeds/) for labelling.

Articles come in two layouts: one paragraph per line, or paragraphs separated by blank lines with the
sentences wrapped over several lines. Wrapped paragraphs are joined before splitting, so every unit is a
whole sentence. Prints JSONL (id, text, source) with empty labels; labels are then assigned by hand in
corpus/sentences/seeds.jsonl.

    python corpus/tools/extract_seed_sentences.py ../shared/seeds/*.txt
"""

import json
import re
import sys
from pathlib import Path

from roleclassify.text import split_sentences


def paragraphs(text: str) -> list[str]:
    lines = text.splitlines()
    blank = sum(1 for l in lines if not l.strip())
    if blank < 0.1 * len(lines):  # one paragraph per line
        return [l for l in lines if l.strip()]
    out = []
    for block in re.split(r"\n\s*\n", text):
        rows = [l.strip() for l in block.splitlines() if l.strip()]
        if rows and max(map(len, rows)) < 10:  # page furniture (TOP, コメント): a unit per line
            out.extend(rows)
        elif rows:
            out.append("".join(rows))
    return out


def main(paths: list[str]) -> None:
    for path in paths:
        name = Path(path).name
        n = 0
        for para in paragraphs(Path(path).read_text(encoding="utf-8")):
            for s in split_sentences(para):
                n += 1
                rec = {"id": f"seed-{name[:3]}-{n:03d}", "text": s, "labels": [], "unit": "sentence",
                       "register": "article", "industry": "general", "source": f"seed:{name}"}
                print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
