"""The library behind the CLI (roleclassify.commands): options objects, one function per command, the same
results from Python as from the command line, and messages that name parameters the caller's way."""

from __future__ import annotations

import json
import pickle

import pytest
from click.testing import CliRunner

from roleclassify import commands as C
from roleclassify.cli import cli
from roleclassify.errors import OptionError, RecordError, StrictStop, option, use_cli_names


def test_option_names_follow_the_interface_in_use(tmp_path):
    assert option("text_column", "NAME") == "text_column='NAME'"
    assert option("strict") == "strict"
    use_cli_names(True)
    try:
        assert option("text_column", "NAME") == "--text-column NAME"
        assert option("fmt", "jsonl") == "--format jsonl" and option("model_path") == "--model"
    finally:
        use_cli_names(False)
    # a command run does not leave the CLI spelling behind for Python callers in the same process
    src = tmp_path / "a.txt"
    src.write_text("受注処理\n", encoding="utf-8")
    CliRunner().invoke(cli, ["tag", str(src), "--format", "jsonl"])
    assert option("strict") == "strict"


def test_python_run_tag_writes_what_the_cli_writes(tmp_path, tiny_model_dir):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n"
                           for t in ["新規顧客への提案営業", "受注処理と在庫管理", "市場調査"]), encoding="utf-8")
    py_out, cli_out = tmp_path / "py.jsonl", tmp_path / "cli.jsonl"
    summary = C.run_tag(C.TagOptions(inputs=(str(src),), output=str(py_out), model_path=str(tiny_model_dir)))
    assert (summary.tagged, summary.skipped, summary.exit_code, summary.fmt) == (3, 0, 0, "jsonl")
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(cli_out), "-m", str(tiny_model_dir)])
    assert r.exit_code == 0, r.output
    assert py_out.read_bytes() == cli_out.read_bytes()


def test_python_run_tag_reports_bad_records_and_strict_raises(tmp_path, tiny_model_dir):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "受注処理"}\nnot json\n{"text": "市場調査"}\n', encoding="utf-8")
    seen: list[RecordError] = []
    opts = C.TagOptions(inputs=(str(src),), output=str(tmp_path / "o.jsonl"), model_path=str(tiny_model_dir))
    summary = C.run_tag(opts, on_problem=seen.append)
    assert (summary.tagged, summary.skipped, summary.exit_code) == (2, 1, 1)
    assert [e.location for e in seen] == [f"{src}:2"]
    with pytest.raises(StrictStop, match=r":2: .*\(strict: stopped\)$") as stop:
        C.run_tag(C.TagOptions(inputs=(str(src),), output=str(tmp_path / "s.jsonl"),
                               model_path=str(tiny_model_dir), strict=True))
    assert not (tmp_path / "s.jsonl").exists()
    again = pickle.loads(pickle.dumps(stop.value))
    assert str(again) == str(stop.value) and again.location == stop.value.location


@pytest.mark.parametrize("output,fmt,tty,expected", [
    (None, None, True, "table"), (None, None, False, "jsonl"), ("-", None, False, "jsonl"),
    ("x.csv", None, False, "csv"), ("x.TSV", None, False, "tsv"), ("x.xlsx", None, True, "xlsx"),
    ("x.txt", None, False, "table"), ("x.out", "csv", False, "csv"),
])
def test_tag_output_format(output, fmt, tty, expected):
    assert C.tag_output_format(output, fmt, stdout_is_tty=tty) == expected


def test_tag_output_format_refuses_what_it_cannot_tell(tmp_path):
    with pytest.raises(OptionError, match="cannot tell the output format from '.out'") as e:
        C.tag_output_format(str(tmp_path / "x.out"), None, stdout_is_tty=False)
    assert e.value.param == "output" and e.value.exit_code == 2
    with pytest.raises(OptionError, match="needs output='FILE'"):
        C.tag_output_format(None, "xlsx", stdout_is_tty=False)


def test_option_errors_reach_the_command_line_as_usage_errors(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("受注処理\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(tmp_path / "x.out")])
    assert r.exit_code == 2 and "Invalid value for -o/--output: cannot tell the output format" in r.stderr
    assert "--format" in r.stderr and "fmt=" not in r.stderr
    r = CliRunner().invoke(cli, ["tag", str(src), "--encoding", "klingon"])
    assert r.exit_code == 2 and "Invalid value for --encoding: unknown encoding 'klingon'" in r.stderr


def test_dask_unsupported_names_only_options_that_differ_from_their_defaults():
    assert C.dask_unsupported(C.TagOptions(inputs=("a.parquet",), output="o", jobs=2, lang="ja")) == []
    opts = C.TagOptions(strict=True, explain=3, unit="document", excel=True)
    assert C.dask_unsupported(opts) == ["unit", "explain", "strict", "excel"]
    assert C.dask_unsupported(C.TagOptions(unit="line")) == []


def test_train_command_line_keeps_every_option_given():
    opts = C.TrainOptions(corpus=("corpus/sentences", "my file.jsonl"), out="models/x", cv=3, estimator="logreg",
                          C=0.5, seed=2, include_test=True, labels=("billing", "hr"), name="mine", thresholds="tuned")
    assert opts.command_line() == ("roleclassify train corpus/sentences 'my file.jsonl' --out models/x --cv 3 "
                                   "--estimator logreg --c 0.5 --seed 2 --include-test --labels billing,hr "
                                   "--name mine --thresholds tuned")
    assert C.TrainOptions(corpus=("c",), out="m").command_line() == "roleclassify train c --out m"


def test_model_card_records_the_full_training_command(tmp_path, data_dir):
    out, corpus = tmp_path / "m", tmp_path / "c.jsonl"
    lines = (data_dir / "tiny_corpus.jsonl").read_text(encoding="utf-8").splitlines()
    corpus.write_text("".join(json.dumps({**json.loads(line), **({"split": "test"} if i % 5 == 0 else {})},
                                         ensure_ascii=False) + "\n" for i, line in enumerate(lines)), encoding="utf-8")
    r = CliRunner().invoke(cli, ["train", str(corpus), "--out", str(out), "--cv", "2", "--seed", "3",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"--out {out} --cv 2 --seed 3`" in card


def test_quiet_leaves_out_summaries_but_not_problems(tmp_path, tiny_model_dir):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "受注処理"}\nnot json\n', encoding="utf-8")
    base = ["tag", str(src), "-m", str(tiny_model_dir), "-o", str(tmp_path / "o.jsonl")]
    loud = CliRunner().invoke(cli, [*base, "--progress"])
    quiet = CliRunner().invoke(cli, [*base, "--progress", "--quiet"])
    assert loud.exit_code == quiet.exit_code == 1
    assert ":2:" in quiet.stderr
    r = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "none.jsonl")])
    assert r.exit_code == 2  # click's own check still runs
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "受注処理", "labels": ["distribution"]}\n', encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    loud = CliRunner().invoke(cli, ["evaluate", str(corpus), "-m", str(tiny_model_dir), "--errors", str(errors)])
    quiet = CliRunner().invoke(cli, ["evaluate", str(corpus), "-m", str(tiny_model_dir), "--errors", str(errors), "-q"])
    assert "misclassified item(s) written" in loud.stderr and "misclassified" not in quiet.stderr
    assert loud.stdout == quiet.stdout


def test_evaluate_split_filter_and_error_file(tmp_path, tiny_model_dir):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "受注処理と出荷手配", "labels": ["distribution"], "split": "test"}\n'
                      '{"text": "市場調査", "labels": ["marketing"]}\n', encoding="utf-8")
    res = C.run_evaluate(C.EvaluateOptions(corpus=(str(corpus),), model_path=str(tiny_model_dir), split="test"))
    assert res["sentences"]["n"] == 1
    res = C.run_evaluate(C.EvaluateOptions(corpus=(str(corpus),), model_path=str(tiny_model_dir), split="train"))
    assert res["sentences"]["n"] == 1
    only_test = tmp_path / "t.jsonl"
    only_test.write_text('{"text": "市場調査", "labels": ["marketing"], "split": "test"}\n', encoding="utf-8")
    with pytest.raises(OptionError, match='no records with "split": "train"'):
        C.run_evaluate(C.EvaluateOptions(corpus=(str(only_test),), model_path=str(tiny_model_dir), split="train"))


def test_audit_expect_is_parsed_before_the_model_loads():
    with pytest.raises(OptionError, match="expected DEPARTMENT=ROLE") as e:
        C.run_audit(C.AuditOptions(paths=("nowhere",), model_path="/nonexistent", expect=("営業部",)))
    assert e.value.param == "expect"


def test_messages_name_options_that_exist(tmp_path, tiny_model_dir):
    """The table-without-department message named --department-column, which audit does not have."""
    table = tmp_path / "duties.csv"
    table.write_text("番号,内容\n1,受注処理\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["audit", str(table), "-m", str(tiny_model_dir)])
    assert r.exit_code == 1 and "--dept-column NAME / --duty-column NAME" in r.stderr, r.stderr
    audit = CliRunner().invoke(cli, ["audit", "--help"]).output
    assert "--dept-column" in audit and "--duty-column" in audit
    from roleclassify.errors import AuditError
    from roleclassify.orgaudit import audit as audit_fn

    with pytest.raises(AuditError, match=r"dept_column='NAME' / duty_column='NAME'"):
        audit_fn([table])


def test_workers_do_not_fork_a_process_that_runs_other_threads(tmp_path, tiny_model_dir):
    """A fork taken while another thread holds a lock can hang the worker (the suite hung once after the Dask
    tests had left their event-loop threads running): with a second thread alive the pool starts by forkserver,
    and the output is the same."""
    import threading

    from roleclassify.pipeline import start_method

    src = tmp_path / "in.txt"
    src.write_text("".join(f"{t}\n" for t in ["新規顧客への提案営業", "受注処理と在庫管理", "市場調査"] * 5), encoding="utf-8")
    one = tmp_path / "one.jsonl"
    C.run_tag(C.TagOptions(inputs=(str(src),), output=str(one), model_path=str(tiny_model_dir)))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert start_method() != "fork"
        two = tmp_path / "two.jsonl"
        C.run_tag(C.TagOptions(inputs=(str(src),), output=str(two), model_path=str(tiny_model_dir), jobs=2))
    finally:
        stop.set()
        other.join()
    assert two.read_bytes() == one.read_bytes()


def test_reader_and_model_messages_name_python_parameters_from_python(tmp_path):
    """From Python the readers and the model loader name parameters (text_column='NAME', model_path), on the
    command line the options (--text-column NAME, --model)."""
    from roleclassify.errors import ModelError
    from roleclassify.io.readers import iter_records
    from roleclassify.model import load

    src = tmp_path / "a.csv"
    src.write_text("番号,内容\n1,受注処理\n", encoding="utf-8")
    errors = [r for r in iter_records([str(src)]) if isinstance(r, RecordError)]
    assert errors and "pass text_column='NAME'" in str(errors[0]) and "--" not in str(errors[0])
    with pytest.raises(ModelError, match="leave model_path out"):
        load(tmp_path / "nowhere")
    r = CliRunner().invoke(cli, ["tag", str(src), "--format", "jsonl"])
    assert "pass --text-column NAME" in r.stderr
    r = CliRunner().invoke(cli, ["tag", str(src), "-m", str(tmp_path / "nowhere")])
    assert "leave --model out" in r.stderr
