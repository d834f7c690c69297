"""Text beyond SudachiPy's 49,149-byte input limit is split, never crashes, and keeps sentence order."""

import json

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli


def test_long_sentence_without_punctuation(shipped_model):
    text = "受注処理と在庫管理と配送手配" * 6000  # 84,000 characters, ~250 KB, no sentence end
    (t,) = shipped_model.tag([text])
    assert len(t.sentences) == 1 and t.labels == ["distribution"]


def test_many_sentences_keep_order(shipped_model):
    sents = [f"{i}件目の受注処理を行う。" if i % 2 else f"{i}社目への提案営業を行う。" for i in range(4000)]
    (t,) = shipped_model.tag(["".join(sents)])
    assert [s.text for s in t.sentences] == sents
    assert t.sentences[1].labels == ["distribution"] and t.sentences[2].labels == ["sales"]


@pytest.mark.slow
def test_single_10mb_line_is_tagged(shipped_model_dir, tmp_path):
    p = tmp_path / "huge.txt"
    unit = "新規顧客への提案営業と受注処理、"
    p.write_text(unit * (10_000_000 // len(unit.encode("utf-8")) + 1) + "\n", encoding="utf-8")
    assert p.stat().st_size > 10_000_000
    r = CliRunner().invoke(cli, ["tag", str(p), "-m", str(shipped_model_dir), "--format", "jsonl"])
    assert r.exit_code == 1 and "more than 1,000,000 characters" in r.output  # the default limit
    r = CliRunner().invoke(cli, ["tag", str(p), "-m", str(shipped_model_dir), "--format", "jsonl",
                                 "--max-chars", "5000000"])
    assert r.exit_code == 0, r.stderr
    (rec,) = [json.loads(l) for l in r.stdout.splitlines()]
    assert rec["labels"] and len(rec["sentences"]) == 1
