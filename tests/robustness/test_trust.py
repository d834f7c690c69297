"""Results and files a user can trust: each case here failed before its fix.

Outputs never destroy an input, follow symlinks, keep permissions and write devices and FIFOs directly;
probability options refuse NaN; input fields never overwrite the model's values; a repeated CSV column is an
error; `| head` ends with 0; the package's public names stay functions whatever was imported first; a second
`Featurizer.fit` never reuses the first fit's tables.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli

LINE = {"id": "a", "text": "受注処理と在庫管理を担当します。"}


def _jsonl(path, records=(LINE,)):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _tag(*args, input=None):
    return CliRunner().invoke(cli, ["tag", *map(str, args)], input=input)


@pytest.mark.parametrize("argv", [
    ["tag", "-", "--threshold", "nan"],
    ["tag", "-", "--threshold", "inf"],
    ["tag", "-", "--review-margin", "nan"],
    ["tag", "-", "--review-band", "NaN"],
    ["audit", "x.txt", "--min-score", "nan"],
    ["audit", "x.txt", "--duplicate-threshold", "nan"],
    ["train", "x.jsonl", "--out", "m", "--c", "nan"],
    ["suggest", "x.jsonl", "--diversity", "nan"],
])
def test_nan_probability_is_a_usage_error(argv):
    r = CliRunner().invoke(cli, argv, input="受注処理\n")
    assert r.exit_code == 2, r.output
    assert "is not a number" in r.output or "not in the range" in r.output


def test_output_equal_to_an_input_is_refused_before_reading(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl")
    before = src.read_bytes()
    r = _tag(src, "-o", src)
    assert r.exit_code == 2 and "is also an input" in r.output
    assert src.read_bytes() == before
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    r = _tag(src, "-o", link)
    assert r.exit_code == 2 and src.read_bytes() == before


def test_symlink_output_writes_its_target_and_stays_a_link(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl")
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert _tag(src, "-o", link).exit_code == 0
    assert link.is_symlink()
    assert json.loads(target.read_text())["labels"] == ["distribution"]


def test_existing_output_keeps_its_permission_bits(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    out.chmod(0o640)
    assert _tag(src, "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(out.read_text())["id"] == "a"


def test_dev_null_is_written_not_replaced(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl")
    assert _tag(src, "-o", "/dev/null").exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_directly(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, encoding="utf-8").read()))  # noqa: SIM115
    reader.start()
    r = _tag(src, "-o", fifo)
    reader.join(timeout=60)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["labels"] == ["distribution"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_input_fields_never_overwrite_output_keys(tmp_path):
    """The rule (roleclassify.pipeline.output_record): an input field named like an output key is kept as
    input_<name>, prefixed again while taken; other fields keep their names."""
    rec = {"id": "a", "text": "受注処理", "labels": "x", "review": 1, "scores": 3, "shares": 4, "sentences": 5,
           "input_review": 2, "explain": 6, "部署": "業務部"}
    r = _tag(_jsonl(tmp_path / "in.jsonl", [rec]))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["labels"] == ["distribution"] and out["review"] is False
    assert isinstance(out["scores"], dict) and isinstance(out["sentences"], list)
    assert out["input_labels"] == "x" and out["input_scores"] == 3 and out["input_shares"] == 4
    assert out["input_sentences"] == 5 and out["input_explain"] == 6
    assert out["input_review"] == 2 and out["input_input_review"] == 1
    assert out["部署"] == "業務部" and out["id"] == "a"


def test_repeated_csv_column_is_an_error_naming_it(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("text,text\n受注処理,営業\n", encoding="utf-8")
    r = _tag(p)
    assert r.exit_code == 1
    assert "d.csv:1: column 'text' appears twice in the header" in r.output


def test_csv_cell_larger_than_the_csv_default_limit_is_read(tmp_path):
    p = tmp_path / "big.csv"
    p.write_text("id,text\nx," + "受注処理と在庫管理。" * 20000 + "\n", encoding="utf-8")
    r = _tag(p)
    assert r.exit_code == 0, r.output[-300:]
    assert json.loads(r.stdout)["id"] == "x"


def test_head_ends_quietly_with_exit_zero(tmp_path):
    src = tmp_path / "many.txt"
    src.write_text("受注処理と在庫管理\n" * 5000, encoding="utf-8")
    code = "import sys; from roleclassify.cli import main; sys.argv = ['roleclassify', 'tag', sys.argv[1]]; main()"
    p = subprocess.Popen([sys.executable, "-c", code, str(src)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=120) == 0, err
    assert b"Traceback" not in err and b"Broken pipe" not in err


@pytest.mark.parametrize("first", ["roleclassify.training", "roleclassify.evaluation", "roleclassify.orgaudit",
                                   "roleclassify.cli", "roleclassify.model", "roleclassify.corpus"])
def test_public_names_stay_what_the_readme_shows_whatever_is_imported_first(first):
    code = (
        f"import {first}, roleclassify, inspect\n"
        "bad = [n for n in roleclassify.__all__ if inspect.ismodule(getattr(roleclassify, n))]\n"
        "assert not bad, bad\n"
        "assert all(callable(getattr(roleclassify, n)) for n in ('train', 'evaluate', 'audit', 'load'))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_featurizer_fit_is_idempotent(tiny_model):
    """A second fit on other units gives the features of a fresh fit (no cached tables of the first)."""
    from roleclassify.features import Featurizer

    a = tiny_model.units(["新規顧客への提案営業", "受注処理と在庫管理", "展示会の企画と広告"] * 3)
    b = tiny_model.units(["店舗での接客とレジ", "請求書の発行と入金確認", "市場調査と分析"] * 3)
    probe = tiny_model.units(["店舗での請求書と市場の接客", "提案営業"])
    twice = Featurizer(tiny_model.spec).fit(a)
    twice.transform_arrays(probe)  # builds the first fit's lookup tables
    twice.fit(b)
    fresh = Featurizer(tiny_model.spec).fit(b)
    for x, y in zip(twice.transform_arrays(probe), fresh.transform_arrays(probe)):
        assert x.tolist() == y.tolist()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1, 1.5])
def test_python_api_refuses_a_threshold_that_is_no_probability(tiny_model, bad):
    with pytest.raises(ValueError, match="threshold must be a probability"):
        tiny_model.tag(["受注処理"], threshold=bad)


def _train(out, data_dir):
    return CliRunner().invoke(cli, ["train", str(data_dir / "tiny_corpus.jsonl"), "--out", str(out), "--cv", "0"])


def test_train_out_refuses_a_directory_with_other_files(tmp_path, data_dir):
    d = tmp_path / "Documents"
    d.mkdir()
    (d / "README.md").write_text("my notes")
    (d / "report.docx").write_bytes(b"x")
    r = _train(d, data_dir)
    assert r.exit_code == 1 and "'report.docx'" in r.output and "not part of a roleclassify model" in r.output
    assert (d / "README.md").read_text() == "my notes"
    (d / "report.docx").unlink()  # a README.md alone is not a model either
    r = _train(d, data_dir)
    assert r.exit_code == 1 and "no model.npz" in r.output
    assert (d / "README.md").read_text() == "my notes"


@pytest.mark.parametrize("where", ["/", "~"])
def test_train_out_refuses_root_and_home(where, data_dir):
    r = _train(where, data_dir)
    assert r.exit_code == 1 and "will not write a model into" in r.output


def test_train_out_replaces_a_model_and_fills_an_empty_directory(tmp_path, data_dir):
    d = tmp_path / "m"
    d.mkdir()
    assert _train(d, data_dir).exit_code == 0
    assert sorted(p.name for p in d.iterdir()) == ["README.md", "meta.json", "model.npz"]
    assert _train(d, data_dir).exit_code == 0  # a model directory may be retrained in place
    (d / "meta.json").write_text('{"format": "something-else"}')
    r = _train(d, data_dir)
    assert r.exit_code == 1 and "not described as a roleclassify model" in r.output


def test_tag_on_a_live_pipe_writes_each_record_as_it_arrives():
    """`tail -f log | roleclassify tag -`: a line is tagged and written while stdin stays open."""
    code = "import sys; from roleclassify.cli import main; sys.argv = ['roleclassify', 'tag', '-', '--format', 'jsonl']; main()"
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdin is not None and p.stdout is not None
    try:
        got = []
        for text in ("受注処理と在庫管理を担当します。", "新規顧客への提案営業"):
            p.stdin.write((text + "\n").encode("utf-8"))
            p.stdin.flush()
            line = _readline_within(p.stdout, 60)
            assert line, "no output while stdin is still open"
            got.append(json.loads(line))
        assert [g["labels"] for g in got] == [["distribution"], ["sales"]]
    finally:
        p.stdin.close()
        assert p.wait(timeout=60) == 0


def _readline_within(stream, seconds):
    out = []
    t = threading.Thread(target=lambda: out.append(stream.readline()))
    t.daemon = True
    t.start()
    t.join(seconds)
    return out[0] if out else None


def test_lone_surrogate_is_one_line_and_the_rest_is_tagged(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"text": "\\ud800受注"}\n{"text": "受注処理", "note": "\\ud83d\\ude00 ok"}\n', encoding="utf-8")
    r = _tag(p)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "s.jsonl:1: a lone surrogate escape" in r.output
    out = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    assert [o["text"] for o in out] == ["受注処理"] and out[0]["note"] == "😀 ok"


def test_file_mixing_utf8_and_cp932_lines_is_read_line_by_line(tmp_path):
    p = tmp_path / "mixed.txt"
    p.write_bytes("受注処理\n".encode() + "在庫管理\n".encode("cp932") + "提案営業\n".encode() + b"\x85\x40\xef\n")
    r = _tag(p)
    out = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    assert [o["text"] for o in out] == ["受注処理", "在庫管理", "提案営業"]
    assert r.exit_code == 1 and "mixed.txt:4: cannot decode" in r.output


def test_a_64_mib_line_is_refused_in_one_pass_and_the_next_line_read(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.write(("受" * (22 << 20)).encode() + b"\n")
        f.write("受注処理\n".encode())
    r = _tag(p)
    assert r.exit_code == 1 and "huge.txt:1: line of more than 1,000,000 characters" in r.output
    out = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    assert [o["id"] for o in out] == [f"{p}:2"]


def test_a_newline_in_a_file_name_is_escaped_in_messages_and_ids(tmp_path):
    p = tmp_path / "a\nb.txt"
    p.write_text("受注処理\n", encoding="utf-8")
    r = _tag(p, tmp_path / "missing\n.txt")
    assert "missing\\n.txt: no such file" in r.output
    assert json.loads(r.stdout.splitlines()[0])["id"].endswith("a\\nb.txt:1")


def test_corpus_with_bom_and_a_raw_u2028_inside_a_string(tmp_path):
    from roleclassify.corpus import read_corpus

    p = tmp_path / "c.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"text": "\xe5\x8f\x97\xe6\xb3\xa8", "labels": ["distribution"]}\n'
                  + '{"text": "提案\u2028営業", "labels": ["sales"]}\n'.encode("utf-8"))
    items = read_corpus([p])
    assert [it.labels for it in items] == [["distribution"], ["sales"]]
    assert items[1].text == "提案\u2028営業"
