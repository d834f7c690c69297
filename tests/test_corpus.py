"""Corpus reading, statistics, the held-out split and `corpus check`."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.corpus import CorpusItem, label_set, read_corpus, training_units
from roleclassify.corpus_tools import assign_splits, check_corpus, corpus_stats, near_duplicate_pairs
from roleclassify.errors import CorpusError

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path, name, records):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return p


def test_read_jsonl_documents_and_labels(data_dir):
    items = read_corpus([data_dir / "tiny_corpus.jsonl"])
    doc = [it for it in items if it.unit == "document"][0]
    assert doc.text.startswith("【仕事内容】\n") and doc.lines[1] == ("中小企業への提案営業をお任せします。", ["sales"])
    texts, labels, groups, _ = training_units(items)
    assert len(texts) == 48 + 10 and groups.count("d01") == 5
    assert label_set(items) == ["sales", "distribution", "marketing"]


def test_read_csv_with_label_separators(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("text,labels\n受注処理,distribution\n提案と受注処理,sales;distribution\n給与,other\n", encoding="utf-8")
    items = read_corpus([p])
    assert [it.labels for it in items] == [["distribution"], ["sales", "distribution"], []]


def test_read_errors_name_file_and_line(tmp_path):
    p = _write(tmp_path, "bad.jsonl", [{"text": "ok", "labels": []}, {"text": "", "labels": []}, {"labels": ["sales"]}])
    with open(p, "a", encoding="utf-8") as f:
        f.write("{broken\n")
    with pytest.raises(CorpusError) as e:
        read_corpus([p])
    probs = e.value.problems
    assert f"{p}:2: empty 'text'" in probs
    assert any(x.startswith(f"{p}:3:") for x in probs) and any(x.startswith(f"{p}:4: invalid JSON") for x in probs)


def test_directory_reads_jsonl_only(tmp_path):
    _write(tmp_path, "a.jsonl", [{"text": "受注処理", "labels": ["distribution"]}])
    (tmp_path / "orgdoc.csv").write_text("department,duty\n営業部,提案\n", encoding="utf-8")
    assert len(read_corpus([tmp_path])) == 1


def test_stats_counts(data_dir):
    s = corpus_stats(read_corpus([data_dir / "tiny_corpus.jsonl"]))
    assert s["by_unit"] == {"sentence": 48, "document": 2}
    assert s["by_label"]["sentence:sales"] == 14 and s["multi_label"]["sentence"] == 3
    assert s["by_register"]["prose"] > 0


def _items(texts_labels, split=None):
    return [CorpusItem(text=t, labels=l, id=f"i{k}", split=split, location=f"x:{k}") for k, (t, l) in enumerate(texts_labels)]


def test_near_duplicates_found():
    items = _items([("受注処理と在庫管理を担当します。", []), ("受注処理と在庫管理を担当します", []), ("展示会の企画", [])])
    assert [(i, j) for i, j, _ in near_duplicate_pairs(items)] == [(0, 1)]


def test_split_is_stratified_and_keeps_near_duplicates_together():
    base = [(f"新規顧客{i}社への提案営業を行う", ["sales"]) for i in range(20)]
    base += [(f"倉庫{i}番の在庫を棚卸する作業", ["distribution"]) for i in range(20)]
    items = _items(base)
    split = assign_splits(items, test_size=0.25, seed=1)
    pairs = near_duplicate_pairs(items)
    for i, j, _ in pairs:
        assert split[i] == split[j]
    import random

    rng = random.Random(0)
    pool = "営販売市場調査受注在庫配送広告提案開拓顧客商談契約請求物流倉庫展示会企画分析品質製造人事経理"
    items2 = [CorpusItem(text="".join(rng.choice(pool) for _ in range(12)), labels=["sales"] if k % 2 else [],
                         id=str(k), location=str(k)) for k in range(40)]
    split2 = assign_splits(items2, test_size=0.25, seed=0)
    for lab in ([], ["sales"]):
        sel = [s for it, s in zip(items2, split2) if it.labels == lab]
        assert sel.count("test") == 5


def test_split_keeps_existing_test_items():
    items = _items([(f"文{i}は全く違う内容の文章{'かきくけこさしすせそ'[i]}", []) for i in range(10)])
    items[3].split = "test"
    assert assign_splits(items, test_size=0.2)[3] == "test"


def test_check_finds_errors(tmp_path):
    recs = [{"text": f"新規の取引先{i}を開拓し提案する", "labels": ["sales"], "split": "train"} for i in range(12)]
    recs += [{"text": f"倉庫の在庫{i}を毎日棚卸する", "labels": ["distribution"], "split": "train"} for i in range(12)]
    recs += [
        {"text": "受注処理を行う", "labels": ["distribution"], "split": "train"},
        {"text": "受注処理を行う", "labels": ["sales"], "split": "train"},
        {"text": "展示会の企画と運営を担当する", "labels": ["marketing"], "split": "train"},
        {"text": "展示会の企画と運営を担当する。", "labels": ["marketing"], "split": "test"},
        {"text": "請求書を作る", "labels": ["billing"], "split": "train"},
    ]
    p = _write(tmp_path, "c.jsonl", recs)
    res = check_corpus([p], labels=["sales", "distribution", "marketing"], label_errors=False)
    text = "\n".join(res.errors)
    assert not res.ok
    assert f"{p}:29: unknown label(s) ['billing']" in text
    assert f"{p}:26: conflicting labels" in text
    assert "train/test leakage" in text
    assert "label 'marketing' has only 2 example(s)" in text


def test_check_cli_exit_codes(tmp_path, data_dir):
    r = CliRunner().invoke(cli, ["corpus", "check", str(data_dir / "tiny_corpus.jsonl"), "--min-class", "3",
                                 "--no-label-errors"])
    assert r.exit_code == 0, r.output
    p = _write(tmp_path, "bad.jsonl", [{"text": "a", "labels": ["x"]}, {"text": "a", "labels": ["y"]}])
    r = CliRunner().invoke(cli, ["corpus", "check", str(p), "--format", "json", "--no-label-errors"])
    assert r.exit_code == 1 and json.loads(r.stdout)["ok"] is False


def test_stats_and_split_cli(tmp_path, data_dir):
    r = CliRunner().invoke(cli, ["corpus", "stats", str(data_dir / "tiny_corpus.jsonl"), "--format", "json"])
    assert json.loads(r.stdout)["items"] == 50
    p = tmp_path / "c.jsonl"
    p.write_text((data_dir / "tiny_corpus.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["corpus", "split", str(p), "--test-size", "0.2"])
    assert r.exit_code == 0 and "test:" in r.stdout
    splits = [json.loads(l)["split"] for l in p.read_text(encoding="utf-8").splitlines()]
    assert set(splits) == {"train", "test"} and 0.1 <= splits.count("test") / len(splits) <= 0.35


@pytest.mark.slow
def test_shipped_corpus_passes_check():
    res = check_corpus([ROOT / "corpus" / "sentences", ROOT / "corpus" / "jobs"],
                       labels=["sales", "distribution", "marketing"], label_errors=False)
    assert res.ok, res.errors[:5]
