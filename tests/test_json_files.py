"""`.json` files in and out: a JSON array is what json.dump, pandas and most web tools write (often on one line);
before, a .json input was read as lines of text (the whole array tagged as one sentence) and `-o out.json` wrote
JSON Lines, which no JSON parser reads."""

from __future__ import annotations

import csv
import json

import pytest

JOBS = [{"id": "A-1", "text": "新規顧客への提案営業を担当します。", "部署": "営業部"},
        {"text": "受注処理と在庫管理を行います。", "部署": "業務部"},
        "SNS広告の運用と効果測定"]


def _lines(text):
    return [json.loads(x) for x in text.splitlines() if x.strip()]


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_is_read_record_by_record(tmp_path, cli, indent):
    src = tmp_path / "jobs.json"
    src.write_text(json.dumps(JOBS, ensure_ascii=False, indent=indent), encoding="utf-8")
    code, out, err = cli(["tag", src, "--format", "jsonl", "-q"])
    assert code == 0, err
    recs = _lines(out)
    assert [r["text"] for r in recs] == [JOBS[0]["text"], JOBS[1]["text"], JOBS[2]]
    # ids: the record's own, else its index in the array (unique even when the whole array is one line)
    assert [r["id"] for r in recs] == ["A-1", f"{src}[1]", f"{src}[2]"]
    assert recs[0]["部署"] == "営業部" and recs[1]["部署"] == "業務部"
    assert recs[0]["labels"] == ["sales"] and recs[2]["labels"] == ["marketing"]


def test_json_output_is_one_array_equal_to_the_json_lines(tmp_path, cli):
    src = tmp_path / "jobs.jsonl"
    src.write_text("".join(json.dumps(j if isinstance(j, dict) else {"text": j}, ensure_ascii=False) + "\n"
                           for j in JOBS), encoding="utf-8")
    assert cli(["tag", src, "-o", tmp_path / "out.json", "-q"])[0] == 0
    assert cli(["tag", src, "-o", tmp_path / "out.jsonl", "-q"])[0] == 0
    whole = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert whole == _lines((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert len(whole) == len(JOBS)
    # read back: the .json output is an input like any other, with the same texts and ids
    code, out, _ = cli(["tag", tmp_path / "out.json", "--format", "jsonl", "-q"])
    assert code == 0 and [(r["id"], r["text"]) for r in _lines(out)] == [(r["id"], r["text"]) for r in whole]
    # --explain goes to JSON too
    assert cli(["tag", src, "-o", tmp_path / "x.json", "--explain", "3", "-q"])[0] == 0
    explained = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert len(explained) == len(JOBS) and all("explain" in s for r in explained for s in r["sentences"])


def test_json_lines_in_a_file_named_json(tmp_path, cli):
    src = tmp_path / "jobs.json"
    src.write_text('{"text": "受注処理"}\n{"text": "展示会の企画"}\n', encoding="utf-8")
    code, out, _ = cli(["tag", src, "--format", "jsonl", "-q"])
    assert code == 0 and [r["id"] for r in _lines(out)] == [f"{src}:1", f"{src}:2"]


def test_bad_elements_are_located_and_the_good_ones_kept(tmp_path, cli):
    src = tmp_path / "jobs.json"
    src.write_text('[\n  {"text": "受注処理"},\n  42,\n  "",\n  {"body": "x"},\n  "在庫管理"\n]\n', encoding="utf-8")
    code, out, err = cli(["tag", src, "--format", "jsonl", "-q"])
    assert code == 1 and "Traceback" not in err
    assert [r["text"] for r in _lines(out)] == ["受注処理", "在庫管理"]
    assert f"{src}:3: expected a JSON object or string, got int" in err
    assert f"{src}:4: an empty string" in err
    assert f"{src}:5: no 'text' field" in err


@pytest.mark.parametrize("body, message", [
    ('[{"text": "受注処理"},\n {"text": ', ":2: invalid JSON"),
    ('[{"text": "受注処理"} {"text": "在庫"}]', ":1: expected ',' or ']'"),
    ('[{"text": "受注処理"}] trailing', ":1: text after the end of the JSON array"),
    ("[]", ": an empty JSON array"),
    ("受注処理", ": expected a JSON array of records"),
    ("[" * 100_000, ":1: JSON nested too deeply"),
])
def test_broken_json_is_one_located_line(tmp_path, cli, body, message):
    src = tmp_path / "jobs.json"
    src.write_text(body, encoding="utf-8")
    code, out, err = cli(["tag", src, "--format", "jsonl", "-q"])
    assert code == 1 and "Traceback" not in err
    assert f"{src}{message}" in err
    if body.startswith('[{"text": "受注処理"}'):  # what came before the break is tagged
        assert _lines(out)[0]["text"] == "受注処理"


def test_explain_refuses_an_empty_text(cli):
    code, out, err = cli(["explain", "受注処理", "  "])
    assert code == 2 and "text 2 of 2 is empty" in err and not out


def test_an_unterminated_string_is_located_in_plain_words(cli, tmp_path):
    """The decoder's "Unterminated string starting at" gets its column once ("starting at column 19")."""
    src = tmp_path / "cut.json"
    src.write_text('[{"text": "受注処理"},\n {"text": "新規', encoding="utf-8")
    code, _, err = cli(["tag", src, "--format", "jsonl"])
    assert code == 1 and "cut.json:2" in err and "starting at column" in err and "at at" not in err


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_an_hr_export_without_a_text_field_uses_its_japanese_text_field(cli, tmp_path, suffix):
    """An HR system's export names its text 仕事内容, as its CSV would: found as the CSV's column is, and the
    output heads the text with that name; an explicit --text-field still wins."""
    rows = [{"社員番号": 101, "仕事内容": "受注データの入力と出荷の手配", "所属": "業務部"},
            {"社員番号": 102, "仕事内容": "新規顧客の開拓", "所属": "営業部"}]
    src = tmp_path / f"export{suffix}"
    body = json.dumps(rows, ensure_ascii=False) if suffix == ".json" else \
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = cli(["tag", src, "-o", out, "-q"])
    assert code == 0, err
    head, *body_rows = list(csv.reader(out.open(encoding="utf-8")))
    assert head[1] == "仕事内容" and [r[1] for r in body_rows] == [r["仕事内容"] for r in rows]
    assert [r[2] for r in body_rows] == ["distribution", "sales"]
    code, _, err = cli(["tag", src, "--text-field", "所属", "-o", tmp_path / "o2.csv", "-q"])
    assert code == 0 and next(csv.reader((tmp_path / "o2.csv").open(encoding="utf-8")))[1] == "所属"
