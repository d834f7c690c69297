"""Encodings, line ends, width variants and bad input: clear one-line errors with file:line, nothing lost."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli

D = Path(__file__).resolve().parent / "data"
EXPECTED = [["sales"], ["distribution"], ["marketing"], ["other"]]


def tag(model_dir, *args):
    r = CliRunner().invoke(cli, ["tag", *map(str, args), "-m", str(model_dir), "--format", "jsonl"])
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return r, recs


def one_line_errors(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert "Traceback" not in stderr
    return lines


@pytest.mark.parametrize("name", ["utf8.txt", "utf8_bom.txt", "utf16.txt", "cp932.txt", "eucjp.txt", "crlf.txt", "cr.txt"])
def test_encodings_and_line_ends_detected(name, shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / name)
    assert r.exit_code == 0, r.stderr
    assert [x["labels"] for x in recs] == EXPECTED
    assert recs[0]["text"] == "新規顧客への提案営業を担当します。"
    assert [x["id"].rsplit(":", 1)[1] for x in recs] == ["1", "2", "3", "4"]


def test_excel_shift_jis_csv(shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / "excel_sjis.csv")
    assert r.exit_code == 0 and [x["id"] for x in recs] == ["r0", "r1", "r2", "r3"]
    assert [x["labels"] for x in recs] == EXPECTED


def test_encoding_override(shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / "cp932.txt", "--encoding", "cp932")
    assert r.exit_code == 0 and len(recs) == 4
    # the wrong encoding: every line is reported, no traceback, exit 1
    r, recs = tag(shipped_model_dir, D / "cp932.txt", "--encoding", "utf-8")
    assert r.exit_code == 1 and recs == []
    errs = one_line_errors(r.stderr)
    assert any("cp932.txt:1: cannot decode as utf-8" in e for e in errs)


def test_unknown_encoding_is_usage_error(shipped_model_dir):
    r = CliRunner().invoke(cli, ["tag", str(D / "utf8.txt"), "--encoding", "klingon"])
    assert r.exit_code == 2 and "unknown encoding" in r.stderr


def test_width_variants_normalised(shipped_model):
    a, b = shipped_model.tag(["ﾃﾚｱﾎﾟと訪問営業", "テレアポと訪問営業"])
    assert a.scores == b.scores
    c, d = shipped_model.tag(["ＭＡツールの運用", "MAツールの運用"])
    assert c.scores == d.scores


@pytest.mark.parametrize("name,line,message", [
    ("binary.txt", None, "looks like a binary file"),
    ("empty.txt", None, "empty input"),
    ("no_text_column.csv", 1, "no 'text' column"),
])
def test_unreadable_files(name, line, message, shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / name)
    assert r.exit_code == 1 and recs == []
    (err,) = one_line_errors(r.stderr)
    where = f"{D / name}:{line}" if line else f"{D / name}"
    assert where in err and message in err


@pytest.mark.parametrize("name,good,bad_lines", [
    ("nul_line.jsonl", ["受注処理と在庫管理", "提案営業"], [2]),
    ("undecodable.txt", ["受注処理と在庫管理", "提案営業"], [2]),
    ("ragged.csv", ["受注処理", "展示会の企画"], [3]),
    ("malformed.jsonl", ["受注処理", "展示会の企画"], [2, 3]),
    ("nonstring.jsonl", ["受注処理", "提案営業"], [2, 3, 4]),
])
def test_bad_records_reported_good_ones_kept(name, good, bad_lines, shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / name)
    assert r.exit_code == 1
    assert [x["text"] for x in recs][: len(good)] == good
    errs = one_line_errors(r.stderr)
    for n in bad_lines:
        assert any(f"{D / name}:{n}:" in e for e in errs), errs
    assert errs[-1].startswith("roleclassify: ") and "record(s) tagged" in errs[-1]


def test_blank_lines_are_not_items(shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / "blank_lines.txt")
    assert r.exit_code == 0 and [x["text"] for x in recs] == ["受注処理", "提案営業"]
    assert [x["id"].rsplit(":", 1)[1] for x in recs] == ["4", "7"]


def test_strict_stops_at_first_error(shipped_model_dir, tmp_path):
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(cli, ["tag", str(D / "malformed.jsonl"), "-m", str(shipped_model_dir), "--strict", "-o", str(out)])
    assert r.exit_code == 1 and "--strict" in r.stderr and ":2:" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_file_among_good_ones(shipped_model_dir):
    r, recs = tag(shipped_model_dir, D / "utf8.txt", D / "nope.txt")
    assert r.exit_code == 1 and len(recs) == 4
    assert any("nope.txt: no such file" in e for e in one_line_errors(r.stderr))


def test_usage_error_exit_2():
    r = CliRunner().invoke(cli, ["tag", "--jobs", "-3"])
    assert r.exit_code == 2
