"""Tagging speed and memory, measured side by side in one run on generated inputs of distinct text.

    pip install ".[bench]"
    python bench/throughput.py            # writes bench/RESULTS.md (about 20 minutes on 2 cores)
    python bench/throughput.py --quick    # no 200 MB memory run

Inputs (made from the corpus, their construction and repetition rate written into the report):

- distinct text, the headline: every corpus line whose sentences occur nowhere else in the input, shuffled and
  dealt into job-description-shaped items of 5-20 lines and single-sentence items (3 in 10); no sentence occurs
  twice (repetition rate 0.0 %, checked);
- a feed: job ads of 150 companies, each ad its company's boilerplate lines (introduction, benefits, how to
  apply) around its own duty lines: the repetition real feeds have, where tag's cache of recent lines shows its
  worth;
- 200 MB of repeated copies of the distinct input, for memory only.

Measured: raw SudachiPy (``Dictionary().create(mode=C)``, each unit tokenized -- split as tag splits, outside
the timer -- and ``normalized_form()`` of every morpheme read: the brief work and nothing else); GiNZA's
tokenizer alone; the naive peer (full ``ja_ginza`` per sentence, on a prefix); ``roleclassify tag --jobs 1`` and
``--jobs 2`` as a user runs them (new process, JSONL in and out; start-up taken out by timing each run on the
whole input and on its first quarter and rating the difference), and ``--jobs 1`` with the
compiled kernel turned off (``ROLECLASSIFY_KERNEL=0``, the pure-Python reference path), whose output must be
byte-identical; peak RSS and PSS of the whole process tree (PSS counts pages the workers share once); cold
start, ``--help`` and retraining.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"
EXE = [sys.executable, "-m", "roleclassify.cli"]
SCRIPT = str(Path(sys.executable).parent / "roleclassify")


def _pool(seed: int = 0) -> list[str]:
    """The corpus's lines (document lines and sentence items), shuffled, keeping only lines none of whose units
    (as tag splits them) occurred in an earlier kept line: every unit of the pool is distinct."""
    from roleclassify.corpus import read_corpus
    from roleclassify.text import split_sentences

    items = read_corpus([ROOT / "corpus" / "jobs", ROOT / "corpus" / "docs", ROOT / "corpus" / "sentences"])
    lines = [t for it in items for t in ([t for t, _ in it.lines] if it.lines else [it.text])]
    random.Random(seed).shuffle(lines)
    seen: set[str] = set()
    pool = []
    for line in lines:
        units = split_sentences(line)
        if units and len(set(units)) == len(units) and not seen.intersection(units):
            seen.update(units)
            pool.append(line)
    return pool


def _write_items(path: Path, texts: list[str]) -> tuple[int, int]:
    with open(path, "w", encoding="utf-8") as f:
        for n, text in enumerate(texts):
            f.write(json.dumps({"id": n, "text": text}, ensure_ascii=False) + "\n")
    return len(texts), sum(map(len, texts))


def make_input(path: Path, seed: int = 0) -> tuple[int, int]:
    """The distinct-text input: the pool dealt into items of 5-20 lines, 3 in 10 items a single line."""
    pool = _pool(seed)
    rng = random.Random(seed)
    texts = []
    while pool:
        k = 1 if rng.random() < 0.3 else rng.randint(5, 20)
        texts.append("\n".join(pool[:k]))
        pool = pool[k:]
    return _write_items(path, texts)


def make_feed(path: Path, n_companies: int = 150, seed: int = 1) -> tuple[int, int]:
    """The feed: ads of ``n_companies`` companies, each ad two to four of its company's six boilerplate lines
    (the same lines in every ad of that company) around 4-10 duty lines of its own, until the pool runs out."""
    pool = _pool(seed)
    rng = random.Random(seed)
    boiler = [pool[6 * c: 6 * c + 6] for c in range(n_companies)]
    rest = pool[6 * n_companies:]
    texts = []
    while rest:
        own = rng.randint(4, 10)
        company = boiler[rng.randrange(n_companies)]
        head = company[:rng.randint(1, 2)]
        tail = company[3:3 + rng.randint(1, 2)]
        texts.append("\n".join([*head, *rest[:own], *tail]))
        rest = rest[own:]
    return _write_items(path, texts)


def repetition(texts: list[str]) -> tuple[int, float]:
    """Units (sentences and bullets, as tag splits them) of the input and the share that repeat an earlier one."""
    from roleclassify.text import split_sentences

    units = [u for t in texts for u in split_sentences(t)]
    return len(units), 1 - len(set(units)) / max(len(units), 1)


def read_texts(path: Path) -> list[str]:
    return [json.loads(l)["text"] for l in path.read_text(encoding="utf-8").splitlines()]


def split_units(texts: list[str]) -> list[str]:
    from roleclassify.text import split_sentences

    return [u for t in texts for u in split_sentences(t)]


def raw_sudachi(units: list[str]) -> float:
    """The limit: the brief work and nothing else. Each unit (split as tag splits, before the timer) is
    tokenized in split mode C and its morphemes' normalized_form() read."""
    from sudachipy import Dictionary, SplitMode

    tok = Dictionary().create(mode=SplitMode.C)
    t0 = time.perf_counter()
    for u in units:
        for m in tok.tokenize(u):
            m.normalized_form()
    return time.perf_counter() - t0


def _raw_worker(units: list[str], ready, done) -> None:
    from sudachipy import Dictionary, SplitMode

    tok = Dictionary().create(mode=SplitMode.C)
    ready.wait()
    for u in units:
        for m in tok.tokenize(u):
            m.normalized_form()
    done.wait()


def raw_sudachi_parallel(units: list[str], jobs: int = 2) -> float:
    """:func:`raw_sudachi` in ``jobs`` processes, each tokenizing every ``jobs``-th unit: what this machine's cores
    give the brief work (the ceiling for ``tag --jobs 2`` against ``--jobs 1``). Timed from the moment every
    process has its tokenizer until the last one is done."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    ready, done = ctx.Barrier(jobs + 1), ctx.Barrier(jobs + 1)
    procs = [ctx.Process(target=_raw_worker, args=(units[k::jobs], ready, done)) for k in range(jobs)]
    for p in procs:
        p.start()
    ready.wait()
    t0 = time.perf_counter()
    done.wait()
    dt = time.perf_counter() - t0
    for p in procs:
        p.join()
    return dt


def ginza_tokenizer(texts: list[str]) -> float:
    import spacy

    nlp = spacy.load("ja_ginza")
    t0 = time.perf_counter()
    for t in texts:
        nlp.tokenizer(t)
    return time.perf_counter() - t0


def naive_peer(texts: list[str]) -> float:
    """Full ja_ginza pipeline per sentence + the shipped classifier on its tokens, rolled up per item."""
    import spacy

    from roleclassify.features import units_from_tokens
    from roleclassify.model import load
    from roleclassify.text import normalize, split_sentences
    from roleclassify.tokenize import GinzaTokenizer

    ginza = GinzaTokenizer(spacy.load("ja_ginza"))
    model = load()
    t0 = time.perf_counter()
    for t in texts:
        sents = split_sentences(t)
        norm = [normalize(s) for s in sents]
        p = model.proba_units(units_from_tokens(norm, ginza.pipe(norm), model.spec))
        if len(p):
            model.main_roles(p)
    return time.perf_counter() - t0


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Wall time, peak RSS and peak PSS (each summed over the process tree, sampled every 50 ms)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    ps = psutil.Process(proc.pid)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        try:
            tree = [p for p in [ps, *ps.children(recursive=True)] if p.is_running()]
            mem = [p.memory_full_info() for p in tree]
            peak_rss = max(peak_rss, sum(m.rss for m in mem))
            peak_pss = max(peak_pss, sum(getattr(m, "pss", m.rss) for m in mem))
        except psutil.Error:
            pass
        time.sleep(0.05)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    return dt, peak_rss, peak_pss


def median_time(cmd: list[str], n: int = 5, stdin: str | None = None) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


#: The runs of each round: name, extra arguments of ``tag``, extra environment.
RUNS = {
    "jobs1": (["--jobs", "1"], {}),
    "jobs2": (["--jobs", "2"], {}),
    "reference": (["--jobs", "1"], {"ROLECLASSIFY_KERNEL": "0"}),
}


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a command, nothing else watching it (sampling memory costs CPU the run would then compete
    for on a 2-core machine, and quantises the time to the sampling interval)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.decode()[-2000:]}")
    return dt


#: The share of an input's items (from its start) in the head run whose time is taken from the full run's.
HEAD_SHARE = 0.25


def write_head(path: Path) -> tuple[Path, int, int]:
    """The first quarter of an input's items as a file of its own, with its items and characters."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head = lines[: int(len(lines) * HEAD_SHARE)]
    out = path.with_name(path.stem + "_head.jsonl")
    out.write_text("".join(head), encoding="utf-8")
    return out, len(head), sum(len(json.loads(l)["text"]) for l in head)


def measure_rounds(inputs: dict[str, Path], rounds: int) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """Raw SudachiPy and roleclassify's runs on each input, in interleaved rounds, the fastest of each kept (as
    timeit does): a burst of load from another user of the shared machine then cannot decide a ratio.

    Each ``tag`` run is timed on the whole input and on its head (first quarter of the items); the difference is
    the time of the rest, the other three quarters, with everything a run spends whatever its input's size taken
    out (interpreter, imports, model load, starting the worker processes and their tokenizers, the last batch
    that one worker finishes alone). Raw SudachiPy is timed on the units of those same three quarters. The timed
    runs are not watched; the peak RSS and PSS of each run come from one more run of it on the whole input,
    sampled."""
    best: dict[str, float] = {}
    heads = {name: write_head(path)[0] for name, path in inputs.items()}
    units = {name: split_units(read_texts(path)[len(read_texts(heads[name])):]) for name, path in inputs.items()}

    def keep(key: str, t: float) -> None:
        best[key] = min(best.get(key, t), t)

    for r in range(rounds):
        for name in inputs:
            keep(f"raw {name}", raw_sudachi(units[name]))
            if name == "distinct":
                keep("raw2 distinct", raw_sudachi_parallel(units[name]))
            for key, env, cmd in tag_runs(inputs, heads, name):
                keep(key, run_timed(cmd, env))
        line = ", ".join(f"{k} {v:.2f}s" for k, v in best.items())
        print(f"round {r + 1}: best times so far: {line}", file=sys.stderr)
    rest = {k: v if k.startswith("raw") else max(v - best[f"{k} head"], 1e-6)
            for k, v in best.items() if not k.endswith(" head")}
    memory = {key: run_measured(cmd, env)[1:] for name in inputs
              for key, env, cmd in tag_runs(inputs, heads, name) if not key.endswith(" head")}
    return rest, memory


def tag_runs(inputs: dict[str, Path], heads: dict[str, Path], name: str):
    """The ``tag`` runs of one input: key, environment and command, each on the whole input and on its head."""
    for run, (args, env) in RUNS.items():
        if name == "distinct" or run == "jobs1":
            for part, src in (("", inputs[name]), (" head", heads[name])):
                yield f"{run} {name}{part}", env, [*EXE, "tag", str(src), *args, "-q", "-o",
                                                   str(WORK / f"out_{name}_{run}{part.strip()}.jsonl")]


def identical_outputs() -> bool:
    """Whether the compiled kernel's output equals the reference path's, byte for byte, on the distinct input."""
    return (WORK / "out_distinct_jobs1.jsonl").read_bytes() == (WORK / "out_distinct_reference.jsonl").read_bytes()


def text_prefix(texts: list[str], n_chars: int) -> tuple[list[str], int]:
    """The first texts, up to the one that reaches ``n_chars`` characters, and their characters."""
    prefix, c = [], 0
    for x in texts:
        if c >= n_chars:
            break
        prefix.append(x)
        c += len(x)
    return prefix, c


def measure_big(small: Path) -> dict:
    """Time, peak RSS and peak PSS of ``tag --jobs 1`` on a 200 MB file of repeated copies of the small input."""
    big = WORK / "input_200mb.jsonl"
    lines = small.read_text(encoding="utf-8").splitlines()
    with open(big, "w", encoding="utf-8") as f:
        rep = 0
        while f.tell() < 200_000_000:
            for line in lines:
                rec = json.loads(line)
                rec["id"] = f"{rep}-{rec['id']}"
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            rep += 1
    mb = big.stat().st_size / 1e6
    t, rss, pss = run_measured([*EXE, "tag", str(big), "--jobs", "1", "-q", "-o", str(WORK / "out_big.jsonl")])
    print(f"200 MB: {t:.0f}s, peak RSS {rss / 1e6:.0f} MB, PSS {pss / 1e6:.0f} MB", file=sys.stderr)
    big.unlink()
    (WORK / "out_big.jsonl").unlink()
    return {"s": t, "rss": rss, "pss": pss, "mb": mb}


def check(ok: bool) -> str:
    return "met" if ok else "NOT met"


def table_lines(best: dict[str, float], memory: dict[str, tuple[int, int]], chars: dict[str, int],
                items: dict[str, int], extra: dict[str, tuple[float, int, int]]) -> list[str]:
    """The throughput table: one row per measurement, its rate against raw SudachiPy on the same input."""
    names = {"jobs1": "roleclassify tag --jobs 1", "jobs2": "roleclassify tag --jobs 2",
             "reference": "roleclassify tag --jobs 1, reference path (ROLECLASSIFY_KERNEL=0)"}
    lines = ["| input | what | chars/s | items/s | vs raw SudachiPy | peak RSS | peak PSS |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for inp in chars:
        raw = chars[inp] / best[f"raw {inp}"]
        rows = [("raw SudachiPy (limit)", best[f"raw {inp}"], None)]
        if f"raw2 {inp}" in best:
            rows.append(("raw SudachiPy in 2 processes (the machine's limit for --jobs 2)", best[f"raw2 {inp}"], None))
        rows += [(names[run], best[f"{run} {inp}"], memory.get(f"{run} {inp}")) for run in RUNS
                 if f"{run} {inp}" in best]
        rows += [(what, t, None) for what, (t, _, _) in extra.items() if inp == "distinct"]
        for what, t, mem in rows:
            cps = extra[what][1] / t if what in extra else chars[inp] / t
            ips = extra[what][2] / t if what in extra else items[inp] / t
            rss, pss = (f"{mem[0] / 1e6:,.0f} MB", f"{mem[1] / 1e6:,.0f} MB") if mem else ("", "")
            lines.append(f"| {inp} | {what} | {cps:,.0f} | {ips:,.0f} | {cps / raw:.2f} | {rss} | {pss} |")
    return lines


def target_lines(best: dict[str, float], memory: dict[str, tuple[int, int]], big: dict | None, cold: float,
                 same: bool) -> list[str]:
    """Each target of the distinct-text run and whether this run met it."""
    r1 = best["raw distinct"] / best["jobs1 distinct"]
    r2 = best["jobs1 distinct"] / best["jobs2 distinct"]
    scaling = best["raw distinct"] / best["raw2 distinct"]
    lines = [f"- `tag --jobs 1` ≥ 0.75 × raw SudachiPy (start-up excluded): {r1:.2f} × ({check(r1 >= 0.75)})",
             f"- `tag --jobs 2` ≥ 1.8 × `--jobs 1`: {r2:.2f} × ({check(r2 >= 1.8)}); raw SudachiPy in 2 processes "
             f"runs {scaling:.2f} × as fast as in one on this machine in this run"]
    if big:
        small = memory["jobs1 distinct"][1]
        ratio = big["pss"] / small
        lines.append(f"- PSS flat from the small input to 200 MB: {small / 1e6:,.0f} MB → {big['pss'] / 1e6:,.0f} MB, "
                     f"{ratio:.2f} × ({check(ratio <= 1.1)})")
    lines.append(f"- cold start ≤ 0.5 s: {cold:.2f} s ({check(cold <= 0.5)})")
    lines.append(f"- output byte-identical to the reference path: {'yes' if same else 'NO'} ({check(same)})")
    return lines


def header_lines(desc: dict[str, str], startup: dict[str, float], rounds: int) -> list[str]:
    """The report's title and what was measured how."""
    return [
        "# Throughput and memory",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} in one run of `python bench/throughput.py` on {machine()}.",
        "The machine is shared, so absolute figures vary between runs; the ratios are measured within this one run. "
        f"Raw SudachiPy and each `tag` run were repeated {rounds} times in interleaved rounds and the table gives "
        "the fastest of each (as `timeit` does), so that a burst of load from another user of the machine does "
        "not decide a ratio. Nothing watches a timed run; peak memory (RSS and PSS summed over the process tree, "
        "sampled every 50 ms) comes from one more run of each, since sampling takes CPU the run would compete for.",
        "",
        *[f"- **{name}**: {d}" for name, d in desc.items()],
        "",
        "roleclassify runs are whole commands (new process, JSONL in, JSONL out). Start-up is taken out by "
        f"difference: each run is timed on the whole input and on its first {HEAD_SHARE:.0%} of items, and the "
        "rates below are those of the other items (the whole run's time minus the head run's), so that what a "
        "run spends whatever the size of its input (interpreter, imports, model load, starting worker processes "
        "and their tokenizers, the last batch one worker finishes alone) counts in neither; raw SudachiPy is "
        "timed on the units of those same items, tokenizing each in split mode C and reading normalized_form(), "
        f"nothing else. For scale: start-up of `tag` on one line is {startup['1']:.2f} s with --jobs 1 and "
        f"{startup['2']:.2f} s with --jobs 2 (median of 5). The headline is the distinct text.",
        "",
    ]


def describe(name: str, path: Path, n_items: int, n_chars: int, how: str) -> str:
    n_units, rep = repetition(read_texts(path))
    return (f"{n_items:,} items, {n_chars:,} characters ({path.stat().st_size / 1e6:.1f} MB JSONL), {n_units:,} "
            f"units (sentences and bullets), {rep:.1%} of them repeating an earlier one; {how}")


def measure_start_and_training() -> tuple[float, float, float]:
    """Cold start of ``tag`` by the console script, ``--help``, and training on the full corpus (seconds)."""
    cold = median_time([SCRIPT, "tag", "-", "--format", "jsonl"], stdin="新規顧客への提案営業\n")
    helpt = median_time([SCRIPT, "--help"])
    t0 = time.perf_counter()
    subprocess.run([*EXE, "train", str(ROOT / "corpus" / "sentences"), str(ROOT / "corpus" / "jobs"),
                    str(ROOT / "corpus" / "docs"), "--out", str(WORK / "model")], check=True, capture_output=True)
    return cold, helpt, time.perf_counter() - t0


def peer_rows(texts: list[str], naive_chars: int) -> dict[str, tuple[float, int, int]]:
    """GiNZA's tokenizer alone and the naive full-pipeline peer: time, characters and items measured on."""
    rows = {"GiNZA tokenizer only": (ginza_tokenizer(texts), sum(map(len, texts)), len(texts))}
    prefix, c = text_prefix(texts, naive_chars)
    rows[f"naive peer: nlp.pipe(full ja_ginza) + classifier (first {c:,} characters)"] = (
        naive_peer(prefix), c, len(prefix))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 200 MB memory run")
    ap.add_argument("--naive-chars", type=int, default=20_000, help="prefix of the input for the naive peer")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    ap.add_argument("--rounds", type=int, default=5,
                    help="interleaved rounds of raw SudachiPy and each tag run (the fastest of each counts)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    inputs = {"distinct": WORK / "input_distinct.jsonl", "feed": WORK / "input_feed.jsonl"}
    made = {"distinct": make_input(inputs["distinct"]), "feed": make_feed(inputs["feed"])}
    items = {k: v[0] for k, v in made.items()}
    chars = {k: v[1] for k, v in made.items()}
    desc = {
        "distinct": describe("distinct", inputs["distinct"], *made["distinct"],
                             "every corpus line whose sentences occur nowhere else, shuffled and dealt into items "
                             "of 5-20 lines (job-description-shaped) and, 3 in 10, single lines"),
        "feed": describe("feed", inputs["feed"], *made["feed"],
                         "job ads of 150 companies: 1-2 of the company's introduction lines, 4-10 duty lines "
                         "of the ad's own, 1-2 of the company's benefit and application lines"),
    }
    for d in desc.values():
        print(d, file=sys.stderr)
    # start-up (interpreter, imports, model load; with --jobs 2 also starting the workers) of one line: reported,
    # not used (the tag figures are whole-input minus head runs, see measure_rounds)
    startup = {j: median_time([*EXE, "tag", "-", "--format", "jsonl", "--jobs", j], stdin="受注処理\n")
               for j in ("1", "2")}
    best, memory = measure_rounds(inputs, args.rounds)
    for name, path in inputs.items():
        _, n_head, c_head = write_head(path)
        items[name] -= n_head
        chars[name] -= c_head
    same = identical_outputs()
    extra = peer_rows(read_texts(inputs["distinct"]), args.naive_chars)
    big = None if args.quick else measure_big(inputs["distinct"])
    cold, helpt, train_s = measure_start_and_training()
    lines = [*header_lines(desc, startup, args.rounds), *table_lines(best, memory, chars, items, extra)]
    lines += ["", "| other measurement | value |", "|---|---:|",
              f"| cold start: `roleclassify tag` of one line, shipped model (median of 5) | {cold:.2f} s |",
              f"| `roleclassify --help` (median of 5) | {helpt:.2f} s |",
              f"| training on the full shipped corpus (5-fold CV, calibration, final fit) | {train_s:.1f} s |"]
    if big:
        lines.append(f"| `tag --jobs 1` of {big['mb']:.0f} MB (repeated copies of the distinct input): peak RSS, "
                     f"PSS | {big['rss'] / 1e6:,.0f} MB, {big['pss'] / 1e6:,.0f} MB |")
    feed_gain = best["raw feed"] / best["jobs1 feed"]
    lines.append(f"| `tag --jobs 1` on the feed vs raw SudachiPy (the cache of recent lines at work) | "
                 f"{feed_gain:.2f} × |")
    lines += ["", "## Targets (distinct text)", "", *target_lines(best, memory, big, cold, same), ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
