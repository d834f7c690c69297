"""--explain, review flags, `explain` and `suggest` (active learning) and training on suggested records."""

import json
import math

import numpy as np
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.model import ReviewPolicy
from roleclassify.suggest import uncertainty


def test_explanation_adds_up_to_the_score(shipped_model):
    text = "新規顧客への提案営業と受注処理"
    (t,) = shipped_model.tag([text], explain=10_000)
    s = t.sentences[0]
    for label in shipped_model.labels:
        total = sum(w for _, w in s.explanation[label])
        p = 1 / (1 + math.exp(-total))
        assert abs(p - s.scores[label]) < 2e-3, label
    names = [f for f, _ in s.explanation["sales"]]
    assert names[0] == "(bias)" and any(n.startswith(("w:", "c:")) for n in names)


def test_explanation_top_features_make_sense(shipped_model):
    (t,) = shipped_model.tag(["受注処理と在庫管理を担当します。"], explain=5)
    top = [f for f, w in t.sentences[0].explanation["distribution"][1:] if w > 0]
    assert any("受注" in f or "在庫" in f for f in top)


def test_tag_explain_cli(shipped_model_dir):
    r = CliRunner().invoke(cli, ["tag", "-", "--explain", "3", "--format", "jsonl", "-m", str(shipped_model_dir)],
                           input="受注処理と在庫管理\n")
    rec = json.loads(r.stdout)
    ex = rec["sentences"][0]["explain"]
    assert set(ex) == {"sales", "distribution", "marketing"} and len(ex["distribution"]) == 4


def test_explain_command(shipped_model_dir):
    r = CliRunner().invoke(cli, ["explain", "営業部が市場調査とターゲット選定を行う。", "-m", str(shipped_model_dir)])
    assert r.exit_code == 0 and "=> marketing" in r.stdout and "(bias)" in r.stdout
    r = CliRunner().invoke(cli, ["explain", "受注処理", "--format", "json", "-m", str(shipped_model_dir)])
    assert json.loads(r.stdout)[0]["sentences"][0]["explain"]


def test_review_policy_flags():
    th = np.array([0.5, 0.5, 0.5])
    probs = np.array([
        [0.99, 0.01, 0.01],  # confident sales
        [0.55, 0.02, 0.01],  # best score just over its threshold -> low
        [0.80, 0.75, 0.01],  # two roles close -> close
        [0.01, 0.01, 0.02],  # confident other
    ])
    assert ReviewPolicy(margin=0.1, band=0.1).flags(probs, th).tolist() == [False, True, True, False]
    assert ReviewPolicy(margin=0.0, band=0.0).flags(probs, th).tolist() == [False, False, False, False]


def test_review_in_output(shipped_model_dir):
    r = CliRunner().invoke(cli, ["tag", "-", "--format", "jsonl", "--review-band", "1", "-m", str(shipped_model_dir)],
                           input="受注処理\n")
    assert json.loads(r.stdout)["review"] is True
    r = CliRunner().invoke(cli, ["tag", "-", "--format", "jsonl", "--review-band", "0", "--review-margin", "0",
                                 "-m", str(shipped_model_dir)], input="受注処理\n")
    assert json.loads(r.stdout)["review"] is False


def test_uncertainty():
    th = np.array([0.4, 0.6])
    u = uncertainty(np.array([[0.4, 0.0], [0.0, 1.0], [0.2, 0.0]]), th)
    assert u.tolist() == [1.0, 0.0, 0.5]


def test_suggest_then_train(shipped_model_dir, tmp_path, data_dir):
    src = tmp_path / "pool.txt"
    lines = ["新規顧客への提案営業", "受注処理と在庫管理", "展示会の企画と運営", "月給30万円", "季節ごとの売場づくり",
             "営業部門を支える企画を担う", "仕訳の入力と経費精算のチェック", "顧客データの分析と施策の立案",
             "季節ごとの売場づくり"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "to_label.jsonl"
    r = CliRunner().invoke(cli, ["suggest", str(src), "-n", "4", "-o", str(out), "-m", str(shipped_model_dir)])
    assert r.exit_code == 0, r.output
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 4 and len({x["text"] for x in recs}) == 4
    assert all(x["labels"] is None and "suggested" in x and 0 <= x["uncertainty"] <= 1 for x in recs)
    assert [x["uncertainty"] for x in recs][0] == max(x["uncertainty"] for x in recs)
    # unlabelled records are refused, pointing at the line
    r = CliRunner().invoke(cli, ["train", str(data_dir / "tiny_corpus.jsonl"), str(out), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1 and f"{out}:1: no labels yet" in r.stderr
    # once labelled they train
    for x in recs:
        x["labels"] = x["suggested"]
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in recs), encoding="utf-8")
    r = CliRunner().invoke(cli, ["train", str(data_dir / "tiny_corpus.jsonl"), str(out), "--out", str(tmp_path / "m"),
                                 "--cv", "2"])
    assert r.exit_code == 0, r.stderr


def test_suggest_excludes_known_sentences(shipped_model_dir, tmp_path, data_dir):
    src = tmp_path / "pool.txt"
    src.write_text("受注処理と在庫管理を担当します。\n社内報の編集\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["suggest", str(src), "-n", "5", "--exclude", str(data_dir / "tiny_corpus.jsonl"),
                                 "-m", str(shipped_model_dir)])
    texts = [json.loads(l)["text"] for l in r.stdout.splitlines()]
    assert texts == ["社内報の編集"]
