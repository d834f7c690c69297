import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from roleclassify.cli import cli


@pytest.fixture
def run(tiny_model_dir):
    def _run(*args, input=None):
        return CliRunner().invoke(cli, [*args], input=input, catch_exceptions=False)

    return _run


def _jsonl(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def test_tag_txt_jsonl_schema(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.txt"), "-m", str(tiny_model_dir))
    assert r.exit_code == 0, r.output
    recs = _jsonl(r.stdout)
    assert [x["text"] for x in recs] == ["新規顧客への提案営業", "受注処理と在庫管理", "Web広告の運用とSEO対策", "月給30万円"]
    for x in recs:
        assert set(x) >= {"id", "text", "labels", "scores", "sentences"}
        assert set(x["scores"]) == {"sales", "distribution", "marketing"}
        assert x["sentences"][0].keys() == {"text", "labels", "scores"}
    assert recs[0]["id"].endswith("jobs.txt:1")
    assert recs[0]["labels"] == ["sales"]
    assert recs[3]["labels"] == ["other"]


def test_tag_jsonl_keeps_fields_and_ids(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.jsonl"), "-m", str(tiny_model_dir), "--format", "jsonl")
    a, b = _jsonl(r.stdout)
    assert a["id"] == "a" and a["site"] == "x"
    assert b["id"] == "b" and len(b["sentences"]) == 3 and "shares" in b


def test_tag_text_field_option(run, tiny_model_dir, tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"body": "受注処理と在庫管理", "text": 1}\n', encoding="utf-8")
    r = run("tag", str(p), "-m", str(tiny_model_dir), "--text-field", "body")
    (x,) = _jsonl(r.stdout)
    assert x["text"] == "受注処理と在庫管理" and x["input_text"] == 1


def test_tag_csv_and_tsv(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.csv"), str(data_dir / "jobs.tsv"), "-m", str(tiny_model_dir))
    recs = _jsonl(r.stdout)
    assert [x["id"] for x in recs] == ["j1", "j2", "j1", "j2"]
    assert recs[0]["title"] == "営業"


def test_tag_text_column(run, tiny_model_dir, tmp_path):
    p = tmp_path / "in.csv"
    p.write_text("no,duty\n1,受注処理と在庫管理\n", encoding="utf-8")
    r = run("tag", str(p), "-m", str(tiny_model_dir), "--text-column", "duty")
    (x,) = _jsonl(r.stdout)
    assert x["text"] == "受注処理と在庫管理" and x["no"] == "1"


def test_tag_stdin_and_unit_document(run, tiny_model_dir, data_dir):
    r = run("tag", "-", "-m", str(tiny_model_dir), input="新規顧客への提案営業\n月給30万円\n")
    assert len(_jsonl(r.stdout)) == 2
    r = run("tag", str(data_dir / "jobs.txt"), "-m", str(tiny_model_dir), "--unit", "document")
    (doc,) = _jsonl(r.stdout)
    assert len(doc["sentences"]) == 4 and "shares" in doc


def test_tag_csv_output(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.csv"), "-m", str(tiny_model_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0]["id"] == "j1" and rows[0]["title"] == "営業"
    assert set(rows[0]) >= {"labels", "sales", "distribution", "marketing", "n_sentences"}


def test_tag_table_output(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.txt"), "-m", str(tiny_model_dir), "--format", "table")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id") and "labels" in lines[0] and "月給30万円" in r.stdout


def test_tag_output_file(run, tiny_model_dir, data_dir, tmp_path):
    out = tmp_path / "o.jsonl"
    r = run("tag", str(data_dir / "jobs.txt"), "-m", str(tiny_model_dir), "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert len(_jsonl(out.read_text(encoding="utf-8"))) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["o.jsonl"]


def test_tag_threshold(run, tiny_model_dir, data_dir):
    r = run("tag", str(data_dir / "jobs.txt"), "-m", str(tiny_model_dir), "--threshold", "0")
    assert all(x["labels"] == ["sales", "distribution", "marketing"] for x in _jsonl(r.stdout))


def test_tag_bad_record_skipped_not_lost(run, tiny_model_dir, tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "受注処理"}\n{oops\n{"text": 3}\n{"text": "提案営業"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(p), "-m", str(tiny_model_dir)])
    assert r.exit_code == 1
    assert [x["text"] for x in _jsonl(r.stdout)] == ["受注処理", "提案営業"]
    assert f"{p}:2: invalid JSON" in r.stderr and f"{p}:3:" in r.stderr
    assert "Traceback" not in r.stderr


def test_tag_missing_file_is_one_line_error(tiny_model_dir):
    r = CliRunner().invoke(cli, ["tag", "/nonexistent.txt", "-m", str(tiny_model_dir)])
    assert r.exit_code == 1
    assert "no such file" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_tag_bad_model_is_one_line_error(tmp_path, data_dir):
    r = CliRunner().invoke(cli, ["tag", str(data_dir / "jobs.txt"), "-m", str(tmp_path)])
    assert r.exit_code == 1 and "no model file" in r.stderr


def test_tag_usage_error_exit_2(tiny_model_dir):
    r = CliRunner().invoke(cli, ["tag", "--format", "xml"])
    assert r.exit_code == 2


def test_train_and_evaluate(data_dir, tmp_path):
    out = tmp_path / "m"
    r = CliRunner().invoke(cli, ["train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(out), "--cv", "3"])
    assert r.exit_code == 0, r.output
    assert "cross-validation" in r.stdout and "| sales |" in r.stdout
    assert (out / "model.npz").exists() and (out / "README.md").exists()
    r = CliRunner().invoke(cli, ["evaluate", str(data_dir / "tiny_corpus.jsonl"), "-m", str(out)])
    assert r.exit_code == 0
    assert "macro" in r.stdout and "confusion" in r.stdout
    r = CliRunner().invoke(
        cli, ["evaluate", str(data_dir / "tiny_corpus.jsonl"), "-m", str(out), "--format", "json",
              "--errors", str(tmp_path / "err.jsonl")]
    )
    rep = json.loads(r.stdout)
    assert rep["sentences"]["n"] == 48 and rep["documents"]["n"] == 2
    assert set(rep["sentences"]["per_class"]) == {"sales", "distribution", "marketing", "other"}
    assert 0 <= rep["sentences"]["macro_f1"] <= 1
    assert (tmp_path / "err.jsonl").exists()


def test_train_thresholds_option_reaches_the_model_and_its_card(data_dir, tmp_path):
    """`--thresholds tuned` trains the F1-tuned thresholds (the default puts them at each label's margin), and the
    card names the rule."""
    from roleclassify.model import load

    models = {}
    for rule in ("margin", "tuned"):
        out = tmp_path / rule
        args = ["train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(out), "--cv", "3", "-q"]
        r = CliRunner().invoke(cli, args + ([] if rule == "margin" else ["--thresholds", "tuned"]))
        assert r.exit_code == 0, r.output
        models[rule] = load(out)
        meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        assert ("tuned for F1" in meta["estimator"]) == (rule == "tuned")
        assert ("calibrated margin" in meta["estimator"]) == (rule == "margin")
    m, t = models["margin"], models["tuned"]
    assert np.allclose(m.thresholds_, 1 / (1 + np.exp(-np.asarray(m.calib_b_))))
    assert not np.allclose(m.thresholds_, t.thresholds_)
    r = CliRunner().invoke(cli, ["train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(tmp_path / "x"),
                                 "--thresholds", "best"])
    assert r.exit_code == 2 and "'best' is not one of 'margin', 'tuned'" in r.output


def test_train_custom_taxonomy_csv(tmp_path):
    rows = ["text,labels"]
    pos = ["請求書の発行", "入金の確認", "督促状の送付", "経費の精算", "仕訳の入力", "決算書の作成"]
    neg = ["採用面接の実施", "研修の企画", "労務管理", "社員の評価面談", "求人票の作成", "内定者のフォロー"]
    rows += [f"{t},accounting" for t in pos] + [f"{t},hr" for t in neg]
    p = tmp_path / "mine.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "m"
    r = CliRunner().invoke(cli, ["train", str(p), "--out", str(out), "--cv", "2", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["labels"] == ["accounting", "hr"]
    r = CliRunner().invoke(cli, ["tag", "-", "-m", str(out), "--format", "jsonl"], input="請求書の発行\n")
    rec = json.loads(r.stdout)
    assert set(rec["scores"]) == {"accounting", "hr"}


def test_train_refuses_bad_corpus(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"text": "", "labels": ["sales"]}\n{"text": "x"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["train", str(p), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1
    assert f"{p}:1: empty 'text'" in r.stderr


def test_evaluate_unknown_labels_message(tiny_model_dir, tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "請求書の発行", "labels": ["accounting"]}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["evaluate", str(p), "-m", str(tiny_model_dir)])
    assert r.exit_code == 1 and "does not know" in r.stderr


def test_version():
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0 and "roleclassify" in r.stdout


def test_tag_jobs_2_same_output_in_order(run, tiny_model_dir, tmp_path):
    p = tmp_path / "many.txt"
    lines = ["新規顧客への提案営業", "受注処理と在庫管理", "展示会の企画", "月給30万円"] * 300
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = run("tag", str(p), "-m", str(tiny_model_dir), "--format", "jsonl")
    two = run("tag", str(p), "-m", str(tiny_model_dir), "--format", "jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert [x["text"] for x in _jsonl(two.stdout)] == lines


def test_tag_jobs_with_bad_records(tiny_model_dir, tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"text": "受注処理"}\n{oops\n{"text": "提案営業"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(p), "-m", str(tiny_model_dir), "--jobs", "2"])
    assert r.exit_code == 1
    assert [x["text"] for x in _jsonl(r.stdout)] == ["受注処理", "提案営業"]
    assert f"{p}:2: invalid JSON" in r.stderr
