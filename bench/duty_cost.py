"""What the duty head costs when tagging: the shipped model with and without its duty head.

Tags the corpus's distinct units (sentences and document lines) with the shipped model as it is and with its
duty head taken off (the roles are the same): three interleaved rounds, each run on its own seventh of the units
(the fast tokenizer keeps recent short lines, so no run sees another's), and prints the fastest run of each.

    python bench/duty_cost.py
"""

from __future__ import annotations

import time
from pathlib import Path

from roleclassify.corpus import read_corpus, training_units
from roleclassify.model import load

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    corpus = [ROOT / "corpus" / d for d in ("sentences", "jobs", "docs")]
    texts = list(dict.fromkeys(training_units(read_corpus(corpus))[0]))
    n = len(texts) // 7  # six timed runs and a warm-up, each on sentences no other run tags
    chunks = [texts[k * n : (k + 1) * n] for k in range(7)]
    with_head = load()
    without = load()
    without.duty_head = None
    for m in (with_head, without):
        m.tag(chunks[6][:100])  # the tokenizer and the kernel's scorer are built before timing
    best = {"with the duty head": float("inf"), "without it": float("inf")}
    for r in range(3):
        runs = (("with the duty head", with_head), ("without it", without))
        for k, (name, m) in enumerate(runs if r % 2 == 0 else runs[::-1]):
            t = time.perf_counter()
            m.tag(chunks[2 * r + k])
            best[name] = min(best[name], time.perf_counter() - t)
    for name, s in best.items():
        print(f"{name}: {s:.2f}s for {n} units ({n / s:,.0f}/s)")
    print(f"duty head: {best['with the duty head'] / best['without it'] - 1:+.0%} tagging time")


if __name__ == "__main__":
    main()
