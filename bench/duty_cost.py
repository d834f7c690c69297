"""What the duty head costs when tagging: the shipped model with and without its duty head on the same texts.

Tags the first 4,000 sentence units of the corpus with the shipped model as it is and with its duty head taken off
(the roles are the same), three interleaved rounds, and prints the fastest round of each.

    python bench/duty_cost.py
"""

from __future__ import annotations

import time
from pathlib import Path

from roleclassify.corpus import read_corpus, training_units
from roleclassify.model import load

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    texts, _, _, _ = training_units(read_corpus([ROOT / "corpus" / "sentences"]))
    texts = texts[:4000]
    with_head = load()
    without = load()
    without.duty_head = None
    best = {"with the duty head": float("inf"), "without it": float("inf")}
    for m in (with_head, without):
        m.tag(texts[:100])  # the tokenizer is built before timing
    for _ in range(3):
        for name, m in (("with the duty head", with_head), ("without it", without)):
            t = time.perf_counter()
            m.tag(texts)
            best[name] = min(best[name], time.perf_counter() - t)
    for name, s in best.items():
        print(f"{name}: {s:.2f}s for {len(texts)} sentences ({len(texts) / s:,.0f}/s)")
    print(f"duty head: {best['with the duty head'] / best['without it'] - 1:+.0%} tagging time")


if __name__ == "__main__":
    main()
