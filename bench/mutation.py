"""Mutation testing of the decision functions: does the test suite notice when the logic is broken?

Each mutant changes one operator or constant inside one of the functions in ``TARGETS`` (a comparison
flipped or loosened, ``+``/``-`` or ``*``/``/`` swapped, ``and``/``or`` swapped, a ``not`` dropped, a
number moved, ``min``/``max`` or ``argmax``/``argmin`` swapped, ``True``/``False`` swapped). The package is
copied once per worker, the mutated module is written into the copy, and the selected tests run against it
(``-x``: the first failing test kills the mutant; a run over the time limit counts as killed). The score is
killed / all; survivors are listed with their line so each can be read and either tested or shown to be
equivalent.

    python bench/mutation.py                      # all targets, the decision-logic test set
    python bench/mutation.py --only training.tune_thresholds --list
    python bench/mutation.py --without-decision-tests --json bench/results/mutation_before.json
    python bench/mutation.py --rerun bench/results/mutation_before.json --json bench/results/mutation_after.json

We wrote this rather than use mutmut 3: mutmut copies the project into ``mutants/`` and mutates whole
modules, so it cannot be scoped to the decision functions of three modules and finish in minutes here.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "roleclassify"

#: module -> decision functions (``Class.method`` for methods) whose mutants are run.
TARGETS: dict[str, list[str]] = {
    "model": ["ReviewPolicy.flags", "rollup_scores", "rollup", "_segment_sums", "label_shares", "_all_other",
              "_item_sentences", "RoleClassifier.main_roles", "RoleClassifier._main_roles", "RoleClassifier._thresholds",
              "RoleClassifier._tag_batch", "RoleClassifier._tag_units", "RoleClassifier._sentence_taggings",
              "RoleClassifier._item_taggings", "RoleClassifier._multi_tagging"],
    "training": ["calibration_report", "tune_thresholds", "_labels_from_probs", "_tune_doc_threshold"],
    "orgaudit": ["infer_role", "de_facto_role", "_matches", "score_findings", "lemma_similarity",
                 "audit_documents", "_check_expect", "_score_duties", "_expected_role", "_crossings", "_shared_roles",
                 "_shared_role", "_same_duty_holders", "_duplicates", "_pair_duplicate", "_boilerplate", "_ownerless",
                 "fail_on_kinds", "failing_findings"],
    "evaluation": ["multilabel_report", "_count", "_class_scores", "_per_register"],
    "suggest": ["uncertainty", "suggest", "_candidates", "_most_uncertain", "_keep_most_uncertain", "_pick_diverse",
                "_similarity", "_suggestion"],
    "report/audit": ["_md_escape"],
    "corpus_tools": ["_likely_label_errors"],
}

#: Tests run against the mutants of each module: the decision-logic tests first (fast, no GiNZA), then the tests
#: of the paths that use the module.
TESTS: dict[str, list[str]] = {
    "model": ["tests/test_model.py", "tests/test_explain_review_suggest.py",
              "tests/robustness/test_batch_independence.py"],
    "training": ["tests/test_model.py", "tests/test_shipped_model.py", "tests/test_corpus.py"],
    "orgaudit": ["tests/test_audit_rules.py", "tests/test_audit.py"],
    "evaluation": ["tests/test_model.py", "tests/test_shipped_model.py"],
    "suggest": ["tests/test_explain_review_suggest.py"],
    "report/audit": ["tests/test_audit.py", "tests/test_cli.py"],
    "corpus_tools": ["tests/test_corpus.py"],
}
DECISION_TESTS = "tests/robustness/test_decision_logic.py"

_CMP_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div}
_NAME_SWAP = {"min": "max", "max": "min", "argmax": "argmin", "argmin": "argmax", "any": "all", "all": "any"}


def _points(fn: ast.AST) -> list[tuple[ast.AST, str, str]]:
    """Every mutation point inside ``fn``: (node, kind, description)."""
    out: list[tuple[ast.AST, str, str]] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # a docstring
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _CMP_SWAP:
                    out.append((node, f"cmp{k}", f"{type(op).__name__} -> {_CMP_SWAP[type(op)].__name__}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BIN_SWAP:
            out.append((node, "bin", f"{type(node.op).__name__} -> {_BIN_SWAP[type(node.op)].__name__}"))
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BIN_SWAP:
            out.append((node, "aug", f"{type(node.op).__name__}= -> {_BIN_SWAP[type(node.op)].__name__}="))
        elif isinstance(node, ast.BoolOp):
            out.append((node, "bool", "and -> or" if isinstance(node.op, ast.And) else "or -> and"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            out.append((node, "not", "not dropped"))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) and not isinstance(node.value, bool):
            out.append((node, "num", f"{node.value!r} -> {_moved(node.value)!r}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            out.append((node, "boolc", f"{node.value} -> {not node.value}"))
        elif isinstance(node, ast.Name) and node.id in _NAME_SWAP:
            out.append((node, "name", f"{node.id} -> {_NAME_SWAP[node.id]}"))
        elif isinstance(node, ast.Attribute) and node.attr in _NAME_SWAP:
            out.append((node, "attr", f".{node.attr} -> .{_NAME_SWAP[node.attr]}"))
    return out


def _moved(v: int | float) -> int | float:
    if isinstance(v, int):
        return v + 1
    return v * 1.5 if v else 0.1


def _apply(node: ast.AST, kind: str) -> None:
    if kind.startswith("cmp"):
        k = int(kind[3:])
        node.ops[k] = _CMP_SWAP[type(node.ops[k])]()
    elif kind == "bin" or kind == "aug":
        node.op = _BIN_SWAP[type(node.op)]()
    elif kind == "bool":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "num":
        node.value = _moved(node.value)
    elif kind == "boolc":
        node.value = not node.value
    elif kind == "name":
        node.id = _NAME_SWAP[node.id]
    elif kind == "attr":
        node.attr = _NAME_SWAP[node.attr]


def _find(tree: ast.Module, qualname: str) -> ast.AST:
    scope: list[ast.stmt] = tree.body
    node: ast.AST | None = None
    for part in qualname.split("."):
        node = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part), None)
        if node is None:
            raise SystemExit(f"{qualname}: not found")
        scope = node.body  # type: ignore[attr-defined]
    return node  # type: ignore[return-value]


def _unnot(tree: ast.Module, target: ast.UnaryOp) -> None:
    """Replace the ``not x`` node by ``x`` in its parent."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, target.operand)
                return
            if isinstance(value, list):
                for i, v in enumerate(value):
                    if v is target:
                        value[i] = target.operand
                        return


def mutants(only: set[str] | None = None) -> list[dict]:
    out = []
    for module, functions in TARGETS.items():
        path = PKG / f"{module}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for qual in functions:
            if only and f"{module}.{qual}" not in only and module not in only:
                continue
            for idx, (node, kind, what) in enumerate(_points(_find(tree, qual))):
                out.append({"module": module, "function": qual, "index": idx, "kind": kind, "what": what,
                            "line": getattr(node, "lineno", 0)})
    return out


def mutated_source(m: dict) -> str:
    path = PKG / f"{m['module']}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node, kind, _ = _points(_find(tree, m["function"]))[m["index"]]
    if kind == "not":
        _unnot(tree, node)  # type: ignore[arg-type]
    else:
        _apply(node, kind)
    return ast.unparse(ast.fix_missing_locations(tree))


def _worker_copy(base: Path, k: int) -> Path:
    d = base / f"w{k}"
    shutil.copytree(PKG, d / "src" / "roleclassify", ignore=shutil.ignore_patterns("__pycache__"))
    (d / "models").symlink_to(ROOT / "models")
    return d


def _run_tests(copy_dir: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    env = dict(os.environ, PYTHONPATH=str(copy_dir / "src"), PYTHONDONTWRITEBYTECODE="1",
               HYPOTHESIS_PROFILE=os.environ.get("HYPOTHESIS_PROFILE", "default"))
    t0 = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--skip-slow",
                            "-k", "not spacy and not dask", *tests], cwd=ROOT, env=env, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0
    status = {0: "survived", 5: "survived"}.get(r.returncode, "killed")
    if r.returncode not in (0, 1, 5):
        status = "error"  # pytest could not collect: the mutant does not even import, which is a kill too
    return status, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", help="module or module.function to mutate (repeatable)")
    ap.add_argument("--without-decision-tests", action="store_true",
                    help=f"leave out {DECISION_TESTS} (the score before it was written)")
    ap.add_argument("--rerun", help="a --json result file: run only the mutants that survived there")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true", help="list the mutants and stop")
    ap.add_argument("--json", help="write the per-mutant results here")
    args = ap.parse_args()
    def tests_of(module: str) -> list[str]:
        first = [] if args.without_decision_tests else [DECISION_TESTS]
        return [t for t in (*first, *TESTS[module]) if (ROOT / t).exists()]

    ms = mutants(set(args.only) if args.only else None)
    previous: list[dict] = []
    if args.rerun:
        previous = json.loads(Path(args.rerun).read_text(encoding="utf-8"))["mutants"]
        again = {(m["module"], m["function"], m["index"]) for m in previous if m["status"] == "survived"}
        keep = [m for m in ms if (m["module"], m["function"], m["index"]) in again]
        previous = [m for m in previous if (m["module"], m["function"], m["index"]) not in again]
        ms = keep
    if args.list:
        for m in ms:
            print(f"{m['module']}.py:{m['line']} {m['function']}: {m['what']}")
        print(f"{len(ms)} mutants")
        return
    with tempfile.TemporaryDirectory(prefix="rc-mut-") as tmp:
        copies = [_worker_copy(Path(tmp), k) for k in range(args.jobs)]
        timeouts = {}
        for module in sorted({m["module"] for m in ms}):
            status, base_time = _run_tests(copies[0], tests_of(module), timeout=600)
            if status != "survived":
                raise SystemExit(f"the unmutated tests of {module} do not pass ({status}); fix them first")
            timeouts[module] = max(30.0, 3 * base_time)
            print(f"{module}: {sum(m['module'] == module for m in ms)} mutants, tests: "
                  f"{' '.join(tests_of(module))} ({base_time:.0f} s unmutated)", flush=True)
        free = list(copies)
        import threading

        lock = threading.Lock()

        def one(m: dict) -> dict:
            with lock:
                d = free.pop()
            try:
                target = d / "src" / "roleclassify" / f"{m['module']}.py"
                original = (PKG / f"{m['module']}.py").read_text(encoding="utf-8")
                target.write_text(mutated_source(m), encoding="utf-8")
                try:
                    m["status"], m["seconds"] = _run_tests(d, tests_of(m["module"]), timeouts[m["module"]])
                finally:
                    target.write_text(original, encoding="utf-8")
            finally:
                with lock:
                    free.append(d)
            print(f"{m['status']:>8}  {m['module']}.py:{m['line']} {m['function']}: {m['what']}", flush=True)
            return m

        with ThreadPoolExecutor(args.jobs) as ex:
            results = list(ex.map(one, ms)) + previous
    summary: dict[str, dict[str, int]] = {}
    for m in results:
        s = summary.setdefault(m["module"], {"mutants": 0, "killed": 0})
        s["mutants"] += 1
        s["killed"] += m["status"] != "survived"
    total = sum(s["mutants"] for s in summary.values())
    killed = sum(s["killed"] for s in summary.values())
    print("\nsurvivors:")
    for m in results:
        if m["status"] == "survived":
            print(f"  {m['module']}.py:{m['line']} {m['function']}: {m['what']}")
    print("\nmodule        killed / mutants   score")
    for mod, s in summary.items():
        print(f"{mod:<13} {s['killed']:>6} / {s['mutants']:<7}  {s['killed'] / s['mutants']:.1%}")
    print(f"{'all':<13} {killed:>6} / {total:<7}  {killed / max(total, 1):.1%}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"tests": {m: tests_of(m) for m in TARGETS}, "summary": summary, "mutants": results},
                                              ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
