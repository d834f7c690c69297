"""Progress, the end-of-run summary, --quiet, --version and shell completion (issue 14, conveniences)."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from roleclassify import commands as C
from roleclassify.cli import cli
from roleclassify.progress import Progress, expected_items

TEXTS = ["新規顧客への提案営業", "受注処理と在庫管理", "Web広告の運用とSEO対策", "月給30万円", "市場調査と新規顧客への提案営業"]


@pytest.fixture
def small(tmp_path) -> Path:
    p = tmp_path / "small.jsonl"
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in TEXTS]
    lines.insert(2, '{"text": 1}')  # a bad record: reported and skipped
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _label_counts(records: list[dict], labels: list[str]) -> dict[str, int]:
    counts = Counter(label for r in records for label in r["labels"] or ["other"])
    return {k: counts[k] for k in [*labels, "other"]}


def _model_labels(model_dir: Path) -> list[str]:
    return json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["labels"]


# --------------------------------------------------------------------------- the summary
def test_summary_counts_are_the_labels_of_the_output(small, tiny_model_dir):
    r = CliRunner().invoke(cli, ["tag", str(small), "-m", str(tiny_model_dir), "--format", "jsonl",
                                 "--review-band", "0.5"])
    assert r.exit_code == 1  # one record skipped
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(records) == len(TEXTS)
    counts = _label_counts(records, _model_labels(tiny_model_dir))
    review = sum(rec["review"] for rec in records)
    assert review > 0
    err = r.stderr.splitlines()
    assert err[0].endswith("small.jsonl:3: 'text' is int, not a string; record skipped")
    assert err[1].startswith(f"tagged {len(TEXTS)} items in ")
    assert err[2] == " · ".join(f"{k} {v}" for k, v in counts.items()) + f"; {review} for review, 1 skipped"
    assert err[3] == f"roleclassify: 1 problem(s) reported, {len(TEXTS)} record(s) tagged"


def test_summary_in_japanese_names_the_labels_in_japanese(tmp_path, shipped_model_dir):
    src = tmp_path / "jobs.txt"
    src.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "--lang", "ja", "-o", str(tmp_path / "out.csv")])
    assert r.exit_code == 0, r.output
    err = r.stderr.splitlines()
    assert len(err) == 2 and err[0].startswith(f"{len(TEXTS)} 件を ") and "秒で判定" in err[0]
    names = [part.rsplit(" ", 1)[0] for part in err[1].split(";")[0].split(" · ")]
    assert names == ["営業", "販売", "マーケティング", "その他"]
    assert re.search(r"; 要確認 \d+ 件、スキップ 0 件$", err[1])
    assert "sales" not in r.stderr and "distribution" not in r.stderr


def test_quiet_prints_nothing_on_success_and_still_reports_errors(small, tmp_path, tiny_model_dir):
    good = tmp_path / "good.txt"
    good.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    for args in (["-q"], ["--quiet", "--progress"]):  # --quiet wins over a forced bar
        r = CliRunner().invoke(cli, ["tag", str(good), "-m", str(tiny_model_dir), "-o", str(tmp_path / "o.jsonl"),
                                     *args])
        assert r.exit_code == 0 and r.stderr == "", r.stderr
    r = CliRunner().invoke(cli, ["tag", str(small), "-m", str(tiny_model_dir), "-q", "--format", "jsonl"])
    assert r.exit_code == 1
    assert "small.jsonl:3:" in r.stderr and "problem(s) reported" in r.stderr and "for review" not in r.stderr


def test_run_tag_returns_the_counts(small, tmp_path, tiny_model_dir):
    out = tmp_path / "out.jsonl"
    summary = C.run_tag(C.TagOptions(inputs=(str(small),), output=str(out), model_path=str(tiny_model_dir),
                                     review_band=0.5), on_problem=lambda err: None)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (summary.tagged, summary.skipped) == (len(TEXTS), 1)
    assert summary.by_label == _label_counts(records, _model_labels(tiny_model_dir))
    flagged = sum(rec["review"] for rec in records)
    assert summary.review == flagged and 0 < flagged < len(TEXTS), flagged
    assert summary.seconds > 0


def test_run_tag_counts_the_same_with_worker_processes_and_in_csv(small, tmp_path, tiny_model_dir):
    """JSON lines made in workers (jobs=2) are read back for the counts as the records made here are counted,
    also when a text or id looks like the keys the reading looks for."""
    with small.open("a", encoding="utf-8") as f:
        for i, text in enumerate(['受注処理 "labels":["sales"],"review":true}', '営業 \\"]},"review":false\\']):
            f.write(json.dumps({"id": f'"labels":["x"]{i}', "text": text}, ensure_ascii=False) + "\n")
    base = C.TagOptions(inputs=(str(small),), model_path=str(tiny_model_dir), review_band=0.35, text_field="text")
    one = C.run_tag(C.TagOptions(**{**base.__dict__, "output": str(tmp_path / "a.jsonl")}), on_problem=print)
    two = C.run_tag(C.TagOptions(**{**base.__dict__, "output": str(tmp_path / "b.jsonl"), "jobs": 2}),
                    on_problem=print)
    csv = C.run_tag(C.TagOptions(**{**base.__dict__, "output": str(tmp_path / "c.csv")}), on_problem=print)
    assert one.by_label == two.by_label == csv.by_label and one.review == two.review == csv.review
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


# --------------------------------------------------------------------------- the bar's total
def test_progress_with_a_total_shows_percent_and_counts_skipped_records(capsys):
    meter = Progress(True, total=4)
    assert meter.bar.total == 4
    meter.tick(3)
    meter.skip()
    assert meter.n == 3 and meter.bar.n == 4
    meter.done()
    err = capsys.readouterr().err
    assert "0/4 [" in err and "|" in err  # a bar with its total, not a bare counter


def test_progress_counts_the_total_only_when_it_draws():
    def boom() -> int:
        raise AssertionError("counted for nothing")

    meter = Progress(False, total=boom)
    meter.tick()
    assert meter.n == 1 and meter.total is None


def test_expected_items_of_files(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_bytes("一\r\n二\r\n\r\n三".encode("cp932"))  # CRLF, a blank line, no break at the end
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text('{"text": "x"}\n{"text": "y"}\n', encoding="utf-8")
    csv = tmp_path / "c.csv"
    csv.write_text("id,text\n1,x\n2,y\n3,z\n", encoding="utf-8")
    gz = tmp_path / "d.txt.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        f.write("a\nb\n")
    assert expected_items([str(txt)]) == 4
    assert expected_items([str(txt)], unit="document") == 1
    assert expected_items([str(txt), str(jsonl), str(csv), str(gz)]) == 4 + 2 + 3 + 2
    assert expected_items([str(jsonl)], input_format="csv") == 1  # the declared format wins over the suffix


def test_expected_items_unknown(tmp_path):
    wide = tmp_path / "w.txt"
    wide.write_text("上\n下\n", encoding="utf-16")
    xlsx = tmp_path / "x.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["text"])
    wb.save(xlsx)
    csv = tmp_path / "c.csv"
    csv.write_text("text\nx\n", encoding="utf-8")
    for paths in (["-"], [str(wide)], [str(xlsx)], [str(tmp_path / "missing.txt")], [str(tmp_path / "*.csv")],
                  [str(csv), "-"], [str(tmp_path)]):
        assert expected_items(paths) is None, paths


def test_expected_items_of_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["a", "b", "c"]}), p)
    assert expected_items([str(p)]) == 3


def test_run_tag_draws_a_bar_with_the_files_total(tmp_path, tiny_model_dir, capsys):
    src = tmp_path / "in.txt"
    src.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    C.run_tag(C.TagOptions(inputs=(str(src),), output=str(tmp_path / "o.jsonl"), model_path=str(tiny_model_dir),
                           progress=True))
    assert f"0/{len(TEXTS)} [" in capsys.readouterr().err


# --------------------------------------------------------------------------- --version
def test_version_names_the_model_its_corpus_and_tokenizer_versions(shipped_model_dir):
    from importlib.metadata import version

    meta = json.loads((shipped_model_dir / "meta.json").read_text(encoding="utf-8"))
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == f"roleclassify {version('roleclassify')}"
    assert lines[1] == f"model: {meta['name']} ({shipped_model_dir})"
    assert lines[2] == f"  corpus sha256: {meta['corpus']['sha256']}"
    v = meta["versions"]
    assert lines[3] == f"  trained with: SudachiPy {v['SudachiPy']}, SudachiDict-core {v['SudachiDict-core']}"
    assert lines[4] == (f"  installed:    SudachiPy {version('SudachiPy')}, "
                        f"SudachiDict-core {version('SudachiDict-core')}")
    assert "ROLECLASSIFY_MODEL" not in r.stdout


def test_version_shows_the_model_the_environment_names(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ROLECLASSIFY_MODEL", str(tiny_model_dir))
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0
    assert f"ROLECLASSIFY_MODEL={tiny_model_dir}" in r.stdout and f"({tiny_model_dir})" in r.stdout
    # a model trained with other tokenizer versions gets the warning tag would print (from the model file's own
    # metadata: the card beside it is a copy for people)
    from roleclassify.model import load

    other = tmp_path / "other"
    model = load(tiny_model_dir)
    model.meta["versions"]["SudachiDict-core"] = "20000101"
    model.save(other)
    monkeypatch.setenv("ROLECLASSIFY_MODEL", str(other))
    r = CliRunner().invoke(cli, ["--version"])
    assert "trained with: SudachiPy" in r.stdout and "SudachiDict-core 20000101" in r.stdout
    assert "warning: model was trained with SudachiDict-core 20000101" in r.stdout
    monkeypatch.setenv("ROLECLASSIFY_MODEL", str(tmp_path / "nowhere"))
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0 and "no model file there" in r.stdout


def test_version_does_not_import_scikit_learn_or_load_a_model():
    code = ("import sys\nfrom roleclassify.cli import version_text\nversion_text()\n"
            "print(sorted(m for m in ('sklearn', 'scipy', 'sudachipy', 'spacy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


# --------------------------------------------------------------------------- shell completion
def _console_script() -> list[str]:
    exe = shutil.which("roleclassify", path=os.path.dirname(sys.executable)) or shutil.which("roleclassify")
    return [exe] if exe else [sys.executable, "-c", "from roleclassify.cli import main; main()"]


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _roleclassify_completion roleclassify"),
                                           ("zsh", "#compdef roleclassify"),
                                           ("fish", "complete --no-files --command roleclassify")])
def test_completion_script_is_produced(shell, marker):
    env = {**os.environ, "_ROLECLASSIFY_COMPLETE": f"{shell}_source"}
    r = subprocess.run(_console_script(), env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert marker in r.stdout


def test_completion_completes_commands_and_options():
    env = {**os.environ, "_ROLECLASSIFY_COMPLETE": "bash_complete", "COMP_WORDS": "roleclassify ta", "COMP_CWORD": "1"}
    r = subprocess.run(_console_script(), env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "plain,tag" in r.stdout.splitlines()
    env.update(COMP_WORDS="roleclassify tag --la", COMP_CWORD="2")
    r = subprocess.run(_console_script(), env=env, capture_output=True, text=True, timeout=60)
    assert "plain,--lang" in r.stdout.splitlines()


def test_the_bar_speaks_the_summarys_language(capsys):
    """`tag --lang ja` ends with a Japanese summary; its bar is labelled in Japanese too, not "tagged ... items"."""
    for lang, words in (("ja", ("判定", "件")), ("en", ("tagged", "items"))):
        meter = Progress(True, total=2, lang=lang)
        meter.tick(1)
        meter.bar.refresh()
        err = capsys.readouterr().err
        meter.done()
        assert all(w in err for w in words), (lang, err)
