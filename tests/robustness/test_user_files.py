"""Defects a user test found on files of the shapes HR analysts and consultants have: each case here lost a user's
file, lost rows silently, printed a traceback or pointed at the wrong line before its fix."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

CMD = [sys.executable, "-m", "roleclassify"]
ORG = "【営業部】\n・新規顧客への提案営業\n・既存顧客へのルート営業\n【物流部】\n・出荷手配と在庫管理\n・配送業者の手配\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", ["audit", "compare"])
def test_a_report_never_replaces_its_input(tmp_path, cli, command):
    doc = tmp_path / "分掌.txt"
    doc.write_text(ORG, encoding="utf-8")
    before = _digest(doc)
    args = [doc] if command == "audit" else [doc, doc]
    code, _, err = cli([command, *args, "--format", "json", "-o", doc])
    assert code == 2 and "is also an input" in err and "Traceback" not in err
    assert _digest(doc) == before
    # a file inside a directory being audited is an input too
    if command == "audit":
        code, _, err = cli(["audit", tmp_path, "-o", doc])
        assert code == 2 and "is also an input" in err and _digest(doc) == before


def test_a_report_suffix_that_names_no_format_is_refused(tmp_path, cli):
    doc = tmp_path / "分掌.txt"
    doc.write_text(ORG, encoding="utf-8")
    code, _, err = cli(["audit", doc, "-o", tmp_path / "report.pdf"])
    assert code == 2 and "cannot write a report as .pdf" in err
    assert not (tmp_path / "report.pdf").exists()
    # named with --format, any file name is the user's choice; .txt is the table
    assert cli(["audit", doc, "--format", "markdown", "-o", tmp_path / "report.pdf"])[0] == 0
    assert cli(["audit", doc, "-o", tmp_path / "report.txt"])[0] == 0
    assert (tmp_path / "report.txt").read_text(encoding="utf-8").startswith("department")


@pytest.mark.parametrize("bad", ["missing.csv", "corrupt.xlsx", "empty_of_text.csv"])
@pytest.mark.parametrize("suffix", [".jsonl", ".xlsx"])
def test_a_run_that_tags_nothing_leaves_the_earlier_result_alone(tmp_path, cli, bad, suffix):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": "新規顧客への提案営業"}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = tmp_path / f"result{suffix}"
    assert cli(["tag", good, "-q", "-o", result])[0] == 0
    before = _digest(result)
    (tmp_path / "corrupt.xlsx").write_bytes(b"not a workbook\x00\x01")
    (tmp_path / "empty_of_text.csv").write_text("社員番号,部署\n1,営業部\n", encoding="utf-8")
    code, _, err = cli(["tag", tmp_path / bad, "-o", result])
    assert code == 1 and "was not written (the existing file is unchanged)" in err
    assert _digest(result) == before
    # and no empty file appears where there was none
    code, _, err = cli(["tag", tmp_path / bad, "-o", tmp_path / f"new{suffix}"])
    assert code == 1 and not (tmp_path / f"new{suffix}").exists()


def test_one_good_record_among_bad_ones_is_still_written(tmp_path, cli):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "新規顧客への提案営業"}\n{broken\n', encoding="utf-8")
    code, _, err = cli(["tag", src, "-q", "-o", tmp_path / "out.jsonl"])
    assert code == 1 and "not written" not in err
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize("options", [["--excel"], ["--output-encoding", "cp932"]])
def test_another_encoding_on_stdout_leaves_stdout_open(tmp_path, options):
    src = tmp_path / "社員.csv"
    src.write_text("社員番号,職務内容\n1,新規顧客への提案営業\n", encoding="utf-8")
    r = subprocess.run([*CMD, "tag", str(src), "--format", "csv", "-q", *options], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert b"Traceback" not in r.stderr
    encoding = "utf-8-sig" if "--excel" in options else "cp932"
    assert ",新規顧客への提案営業,sales," in r.stdout.decode(encoding).splitlines()[1]


def test_a_multi_line_csv_row_is_located_by_its_first_line(tmp_path, cli):
    src = tmp_path / "jd.csv"
    src.write_text('番号,職務内容\n,"・新規開拓\n・既存顧客の深耕\n・見積書の作成"\n2,受注データの入力\n', encoding="utf-8")
    code, out, err = cli(["tag", src, "--id-column", "番号", "--format", "jsonl"])
    assert code == 1 and f"{src}:2: empty column '番号'" in err  # the row starts on line 2 (it ends on 4)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["2"]


def test_an_unclosed_quote_is_reported_not_swallowed(tmp_path, cli):
    src = tmp_path / "jd.csv"
    lines = ["番号,職務内容", "1,新規顧客への提案営業", '2,"プレスリリースの作成とメディア対応',
             "3,受注データの入力と納期回答", "4,展示会の企画と運営"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli(["tag", src, "--id-column", "番号", "--format", "jsonl"])
    assert code == 1
    assert f"{src}:3: a quoted cell opened in this row is never closed, so lines 3-5 were read into it" in err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["1"]  # the rows before it are kept
    # a quoted cell closed on a later line is a multi-line cell, not a problem
    src.write_text('番号,職務内容\n1,"新規顧客への\n提案営業"\n2,受注データの入力\n', encoding="utf-8")
    code, out, err = cli(["tag", src, "--id-column", "番号", "--format", "jsonl"])
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["1", "2"]


def test_a_cp932_file_with_one_damaged_byte_is_still_read_as_cp932(tmp_path, cli):
    rows = ["番号,職務内容", *(f"{i},取引先からの注文の受付と納期の回答（第{i}営業所）" for i in range(1, 30))]
    data = bytearray("\r\n".join(rows).encode("cp932") + b"\r\n")
    at = data.index(b"\n15,") + 3
    data[at:at] = b"\x81"  # a lead byte before a comma, which cannot be its trail byte: that line cannot be decoded
    src = tmp_path / "jd_cp932.csv"
    src.write_bytes(bytes(data))
    code, out, err = cli(["tag", src, "--id-column", "番号", "--format", "jsonl"])
    assert code == 1 and "cannot decode as cp932" in err and f"{src}:16" in err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert len(ids) == 28 and "15" not in ids and json.loads(out.splitlines()[0])["text"].startswith("取引先からの注文")


def test_excel_text_is_refused_for_formats_it_would_break(tmp_path, cli):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "新規顧客への提案営業"}\n', encoding="utf-8")
    code, _, err = cli(["tag", src, "--excel", "-o", tmp_path / "out.jsonl"])
    assert code == 2 and "--excel" in err and not (tmp_path / "out.jsonl").exists()
    assert cli(["tag", src, "--excel", "-q", "-o", tmp_path / "out.csv"])[0] == 0
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_csv_saved_from_excel_with_its_title_rows_is_read_below_them(tmp_path, cli):
    src = tmp_path / "職務一覧.csv"
    src.write_bytes("職務記述書一覧 2026年度,,,\r\n作成：人事部,,,\r\n,,,\r\n社員番号,部署,職種,職務内容\r\n"
                    "1,営業部,法人営業,新規顧客への提案営業\r\n2,業務部,受注,受注データの入力と納期回答\r\n".encode("cp932"))
    code, out, err = cli(["tag", src, "--id-column", "社員番号", "--format", "jsonl"])
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["部署"]) for r in rows] == [("1", "営業部"), ("2", "業務部")]
    # without the text column, the message names the header's columns, not the title
    code, _, err = cli(["tag", src, "--text-column", "内容", "--format", "jsonl"])
    assert code == 1 and "(columns: 社員番号, 部署, 職種, 職務内容)" in err and f"{src}:4:" in err


def test_a_workbook_without_the_text_column_names_its_header_not_its_title(tmp_path, cli):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["職務記述書一覧 2026年度"])
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["社員番号", "部署", "職種", "職務内容"])
    ws.append([1, "営業部", "法人営業", "新規顧客への提案営業"])
    wb.save(tmp_path / "jd.xlsx")
    code, _, err = cli(["tag", tmp_path / "jd.xlsx", "--text-column", "内容", "--format", "jsonl"])
    assert code == 1 and "columns seen: 社員番号, 部署, 職種, 職務内容" in err


def test_a_csv_piped_on_stdin_is_read_as_a_table():
    table = "社員番号,部署,職務内容\n1,営業部,\"・新規開拓\n・既存顧客の深耕\"\n2,業務部,受注データの入力\n"
    r = subprocess.run([*CMD, "tag", "-", "--id-column", "社員番号", "--format", "jsonl"], input=table.encode("cp932"),
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [(x["id"], x["部署"]) for x in rows] == [("1", "営業部"), ("2", "業務部")]
    # a line of text with commas is still a line of text
    r = subprocess.run([*CMD, "tag", "-", "--format", "jsonl"], input="新規顧客への提案営業,既存顧客の深耕\n".encode(),
                       capture_output=True, timeout=120)
    assert [json.loads(line)["text"] for line in r.stdout.decode().splitlines()] == ["新規顧客への提案営業,既存顧客の深耕"]


@pytest.mark.parametrize("command", ["tag", "audit"])
def test_an_output_in_a_directory_that_does_not_exist_is_refused_not_made(tmp_path, cli, command):
    doc = tmp_path / "分掌.txt"
    doc.write_text(ORG, encoding="utf-8")
    target = tmp_path / "typo" / "sub" / ("out.jsonl" if command == "tag" else "report.md")
    code, _, err = cli([command, doc, "-o", target])
    assert code == 1 and "no directory" in err and "Traceback" not in err
    assert not (tmp_path / "typo").exists()


def test_an_old_excel_workbook_gets_told_to_be_saved_as_xlsx(tmp_path, cli):
    old = tmp_path / "職務一覧.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # the OLE2 header of a 97-2003 file
    code, _, err = cli(["tag", old, "--format", "jsonl"])
    assert code == 1 and "Excel 97-2003 workbook (.xls) is not read; open it in Excel and save it as .xlsx" in err


def test_explain_is_refused_where_the_output_cannot_hold_it(tmp_path, cli):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "新規顧客への提案営業"}\n', encoding="utf-8")
    code, _, err = cli(["tag", src, "--explain", "2", "--format", "csv"])
    assert code == 2 and "only JSON can hold" in err
    code, out, _ = cli(["tag", src, "--explain", "2", "--format", "jsonl", "-q"])
    assert code == 0 and "explain" in json.loads(out)["sentences"][0]


def test_evaluate_takes_the_labels_tag_writes_in_japanese_and_locates_an_unknown_one(tmp_path, cli):
    rows = [("新規顧客への提案営業と見積書の提出", "営業"), ("受注データの入力と出荷手配", "販売"),
            ("展示会の企画とWeb広告の運用", "マーケティング"), ("月次決算と税務申告", "その他")]
    src = tmp_path / "判定.csv"
    src.write_bytes(("text,labels\r\n" + "".join(f"{t},{l}\r\n" for t, l in rows)).encode("cp932"))
    code, out, err = cli(["evaluate", src, "--format", "json"])
    assert code == 0, err
    assert json.loads(out)["sentences"]["n"] == 4
    src.write_text("text,labels\n新規顧客への提案営業,sales\n受注データの入力,sale\n", encoding="utf-8")
    code, _, err = cli(["evaluate", src])
    assert code != 0 and f"{src}:3: the corpus uses label(s) sale" in err


def test_a_jsonl_file_that_names_its_text_otherwise_is_one_message(tmp_path, cli):
    src = tmp_path / "jd.jsonl"
    src.write_text("".join(json.dumps({"emp_no": i, "summary": "新規顧客への提案営業"}, ensure_ascii=False) + "\n"
                           for i in range(30)), encoding="utf-8")
    code, _, err = cli(["tag", src, "--format", "jsonl"])
    lines = [x for x in err.splitlines() if "no 'text' field" in x]
    assert code == 1 and len(lines) == 1 and "pass --text-field NAME; file skipped" in lines[0]
    # a name a CSV's text column is found by (description, 仕事内容 ...) is found in JSON lines too
    src.write_text(src.read_text(encoding="utf-8").replace('"summary"', '"description"'), encoding="utf-8")
    code, out, err = cli(["tag", src, "--format", "jsonl"])
    assert code == 0 and len(out.splitlines()) == 30 and "no 'text' field" not in err
    # once records with the field have been read, a later one without it is that record's problem only
    src.write_text('{"text": "新規顧客への提案営業"}\n{"body": "x"}\n{"text": "受注データの入力"}\n', encoding="utf-8")
    code, out, err = cli(["tag", src, "--format", "jsonl"])
    assert code == 1 and f"{src}:2: no 'text' field" in err and len(out.splitlines()) == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_empty_text_cell_is_tagged_but_warned_about(tmp_path, jobs):
    src = tmp_path / "社員.csv"
    src.write_text("社員番号,職務内容\nE001,新規顧客への提案営業\nE002,\nE003,\u3000\nE004,受注データの入力\n", encoding="utf-8")
    r = subprocess.run([*CMD, "tag", str(src), "--id-column", "社員番号", "--jobs", jobs, "-q", "-o", str(tmp_path / "o.jsonl")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "warning: 2 record(s) had an empty text and were tagged other" in r.stderr and "(first: E002)" in r.stderr
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in rows] == ["E001", "E002", "E003", "E004"]  # one output record per input row still


def _corpus(path: Path, rows: list[tuple[str, list[str]]]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "labels": ls}, ensure_ascii=False) + "\n" for t, ls in rows),
                    encoding="utf-8")
    return path


OWN = [(f"新規顧客への提案営業その{i}", ["営業"]) for i in range(8)] + \
      [(f"受注データの入力と出荷手配その{i}", ["事務"]) for i in range(8)]


def test_train_refuses_a_label_too_rare_to_learn_and_names_its_line(tmp_path, cli):
    corpus = _corpus(tmp_path / "c.jsonl", [*OWN, ("展示会の企画と運営", ["営行"])])  # a typo of 営業, once
    code, _, err = cli(["train", corpus, "--out", tmp_path / "m", "--cv", "2"])
    assert code != 0 and f"{corpus}:17: label '営行' has only 1 training example(s); at least 2" in err
    assert not (tmp_path / "m").exists()
    code, out, err = cli(["corpus", "check", corpus])
    assert code != 0 and f"{corpus}:17: label '営行' has only 1 example(s)" in out + err


@pytest.mark.parametrize("labels", [[""], ["営業", ""]])
def test_an_empty_label_name_is_a_problem_not_other(tmp_path, cli, labels):
    corpus = _corpus(tmp_path / "c.jsonl", [*OWN, ("展示会の企画と運営", labels)])
    code, out, err = cli(["corpus", "check", corpus])
    assert code != 0 and f"{corpus}:17: an empty label in" in out + err
    # an empty list (or an empty CSV cell) is other, as before
    corpus = _corpus(tmp_path / "c.jsonl", [*OWN, ("展示会の企画と運営", [])])
    code, out, err = cli(["corpus", "check", corpus])
    assert "empty label" not in out + err


def test_the_python_api_refuses_one_string_for_a_list_of_texts(shipped_model):
    with pytest.raises(TypeError, match=r"pass \[text\]"):
        shipped_model.tag("新規顧客への提案営業")
    with pytest.raises(TypeError, match="not one string"):
        shipped_model.tag_dicts("新規顧客への提案営業")
    with pytest.raises(TypeError, match="not one string"):
        shipped_model.predict_proba("新規顧客への提案営業")
    assert shipped_model.tag(["新規顧客への提案営業"])[0].labels == ["sales"]


def test_version_reads_the_model_file_not_its_card(tmp_path, monkeypatch):
    """--version trusts the model file's own checked metadata: a card (meta.json) that lies or is gone changes
    nothing, a model file of random bytes is named as refused."""
    import shutil

    from roleclassify.cli import version_text
    from roleclassify.model import default_model_path

    model = tmp_path / "m"
    shutil.copytree(default_model_path(), model)
    (model / "meta.json").write_text('{"name": "not this one", "corpus": {"sha256": "0"}}', encoding="utf-8")
    monkeypatch.setenv("ROLECLASSIFY_MODEL", str(model))
    text = version_text()
    assert "not this one" not in text and "corpus sha256: 0\n" not in text and "corpus sha256: " in text
    (model / "meta.json").unlink()
    assert "corpus sha256: " in version_text()
    (model / "model.npz").write_bytes(bytes(range(256)) * 8)
    assert "refusing to load it" in version_text()


def test_a_model_of_its_own_labels_has_a_card_of_its_own(tmp_path, cli):
    corpus = _corpus(tmp_path / "c.jsonl", OWN)
    code, _, err = cli(["train", corpus, "--out", tmp_path / "m", "--cv", "2"])
    assert code == 0, err
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "Tags text as 事務, 営業 or other" in card and str(corpus) in card
    assert "distribution (販売)" not in card and "seed articles" not in card


def test_the_table_keeps_the_line_of_a_long_location_id(tmp_path, cli):
    src = tmp_path / "new_sentences_2026.txt"
    src.write_text("新規顧客への提案営業\n受注データの入力\n展示会の企画\n", encoding="utf-8")
    code, out, _ = cli(["tag", src, "--format", "table", "-q"])
    ids = [line.split()[0] for line in out.splitlines()[2:]]
    assert code == 0 and [i[-2:] for i in ids] == [":1", ":2", ":3"] and all(i.startswith("/") and "…" in i for i in ids)


def test_corpus_stats_align_japanese_labels_in_terminal_cells(tmp_path, cli):
    from roleclassify.io.display import cell_width

    corpus = _corpus(tmp_path / "c.jsonl", [*OWN, ("月次決算", [])])
    code, out, _ = cli(["corpus", "stats", corpus])
    rows = [line for line in out.splitlines() if line.startswith("  sentence:")]
    assert code == 0 and len(rows) >= 3 and len({cell_width(r) for r in rows}) == 1


@pytest.mark.parametrize("command", ["tag", "audit"])
def test_a_broken_pdf_is_one_line_without_the_pdf_library_s_log(tmp_path, command):
    bad = tmp_path / "壊れた.pdf"
    bad.write_bytes(b"\xb2 not a pdf at all")
    r = subprocess.run([*CMD, command, str(bad)], capture_output=True, text=True, timeout=120)
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.returncode == 1 and len(lines) == 1 and "cannot read as PDF" in lines[0], r.stderr


def test_audit_refuses_one_path_for_a_list_of_paths(shipped_model, tmp_path):
    from roleclassify.orgaudit import audit

    with pytest.raises(TypeError, match=r"pass \[path\]"):
        audit(str(tmp_path / "org.txt"), shipped_model)


def test_version_refuses_a_model_whose_own_metadata_was_edited(tmp_path, monkeypatch):
    import shutil

    import numpy as np

    from roleclassify.cli import version_text
    from roleclassify.model import default_model_path

    model = tmp_path / "m"
    shutil.copytree(default_model_path(), model)
    with np.load(model / "model.npz", allow_pickle=False) as z:
        members = {k: z[k] for k in z.files}
    meta = json.loads(bytes(members["meta"]).decode("utf-8"))
    meta["name"] = "edited"
    members["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    np.savez(model / "model.npz", **members)
    monkeypatch.setenv("ROLECLASSIFY_MODEL", str(model))
    text = version_text()
    assert "does not match its checksum" in text and "edited" not in text.split("model:")[1].split("(")[0]
