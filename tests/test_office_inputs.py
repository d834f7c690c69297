"""`roleclassify tag` reads Excel workbooks and HTML pages as users have them (files made by openpyxl and
written as intranet pages are), and the readers' rules hold: title rows above the header, Japanese column
names, sheets without the column skipped, every data row one record, furniture left out of pages."""

from __future__ import annotations

import datetime
import json

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli


@pytest.fixture
def workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "求人一覧"
    ws.append(["2025年度 募集職種一覧"])
    ws.append([])
    ws.append(["No.", "職種", "仕事内容", "勤務地", "更新日"])
    ws.append([1, "法人営業", "新規顧客への提案営業を担当します。\n受注後は納期の調整も行います。", "東京",
               datetime.date(2025, 4, 1)])
    ws.append([2, "受注センター", "受注データの入力と出荷手配", "大阪", None])
    ws.append([3, "経理", None, "大阪", None])
    ws.append([None, None, None, None, None])
    ws.append([4, "販促", "展示会の企画と広告の効果測定", "名古屋", None])
    memo = wb.create_sheet("メモ")
    memo.append(["備考"])
    memo.append(["社外秘"])
    path = tmp_path / "jobs.xlsx"
    wb.save(path)
    return path


def _tag(*args):
    r = CliRunner().invoke(cli, ["tag", *map(str, args), "--format", "jsonl"])
    return r, [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def test_xlsx_rows_below_title_rows_are_records(workbook):
    r, out = _tag(workbook)
    assert r.exit_code == 0, r.output
    assert [o["職種"] for o in out] == ["法人営業", "受注センター", "経理", "販促"]  # every data row, blank skipped
    assert out[0]["id"] == f"{workbook}[求人一覧]:row 4"
    assert out[0]["labels"] == ["sales", "distribution"] and len(out[0]["sentences"]) == 2
    assert out[1]["labels"] == ["distribution"] and out[2]["labels"] == ["other"]
    assert out[3]["labels"] == ["marketing"]
    assert out[0]["更新日"].startswith("2025-04-01") and out[0]["No."] == 1


def test_xlsx_text_column_given_and_missing(workbook):
    r, out = _tag(workbook, "--text-column", "職種")
    assert r.exit_code == 0 and out[0]["text"] == "法人営業" and out[0]["仕事内容"].startswith("新規顧客")
    r, out = _tag(workbook, "--text-column", "本文なし")
    assert r.exit_code == 1 and out == []
    assert "no '本文なし' in any sheet's first 20 rows" in r.output and "--text-column" in r.output


def test_xlsx_broken_file_is_one_line(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    r, _ = _tag(p)
    assert r.exit_code == 1 and "broken.xlsx: not a readable Excel workbook" in r.output
    assert "Traceback" not in r.output


def test_csv_with_a_japanese_text_column(tmp_path):
    p = tmp_path / "jobs.csv"
    p.write_bytes("職種,仕事内容\n営業,新規顧客への提案営業\n".encode("cp932"))
    r, out = _tag(p)
    assert r.exit_code == 0, r.output
    assert out[0]["labels"] == ["sales"] and out[0]["職種"] == "営業"


@pytest.mark.parametrize("encoding,meta", [("utf-8", ""), ("cp932", ""), ("cp932", '<meta charset="Shift_JIS">')])
def test_html_page_is_one_record_without_its_furniture(tmp_path, encoding, meta):
    page = (f"<html><head>{meta}<title>採用情報</title></head><body><header><nav>ホーム 採用情報 お問い合わせ"
            "</nav></header><div id='side'>メニュー</div><main><h1>法人営業</h1>"
            "<p>新規顧客への提案営業を担当します。</p><ul><li>既存顧客へのルート営業</li></ul></main>"
            "<footer>Copyright 2025</footer></body></html>")
    p = tmp_path / "job.html"
    p.write_bytes(page.encode(encoding))
    r, out = _tag(p, "--unit", "document")  # issue 14: a page is one item per line unless --unit document
    assert r.exit_code == 0, r.output
    (o,) = out
    assert o["text"] == "法人営業\n新規顧客への提案営業を担当します。\n既存顧客へのルート営業"
    assert o["labels"] == ["sales"]


def test_xlsx_output_round_trip_equals_jsonl(workbook, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _, jsonl = _tag(workbook)
    out = tmp_path / "判定結果.xlsx"
    r = CliRunner().invoke(cli, ["tag", str(workbook), "-o", str(out)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    ws = wb["results"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = rows[0]
    # the text column keeps the input's name for it (issue 14: results join back to the input)
    # the input's columns first, then the results (issue 14: one row per item, the input's columns first)
    assert head[:6] == ["id", "仕事内容", "No.", "職種", "勤務地", "更新日"]
    assert head[6:] == ["labels", "sales", "distribution", "marketing", "review", "n_sentences", "duties"]
    assert len(rows) - 1 == len(jsonl)
    for row, rec in zip(rows[1:], jsonl):
        got = dict(zip(head, row))
        assert got["id"] == rec["id"] and (got["仕事内容"] or "") == rec["text"]  # an empty cell reads as None
        assert got["labels"].split(";") == rec["labels"]
        assert [got[l] for l in ("sales", "distribution", "marketing")] == [rec["scores"][l] for l in ("sales", "distribution", "marketing")]
        assert got["職種"] == rec["職種"]
    sents = list(wb["sentences"].iter_rows(values_only=True))
    assert len(sents) - 1 == sum(len(rec["sentences"]) for rec in jsonl)


def test_lang_ja_in_human_formats_only(workbook, tmp_path):
    r = CliRunner().invoke(cli, ["tag", str(workbook), "--lang", "ja", "--format", "table"])
    assert r.exit_code == 0 and "判定" in r.output and "営業,販売" in r.output and "その他" in r.output
    assert "distribution" not in r.output
    csv_out = tmp_path / "t.csv"
    r = CliRunner().invoke(cli, ["tag", str(workbook), "--lang", "ja", "--excel", "-o", str(csv_out)])
    assert r.exit_code == 0, r.output
    raw = csv_out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Japanese Windows reads UTF-8 only with a BOM
    text = raw.decode("utf-8-sig")
    assert text.startswith("ID,仕事内容,判定,営業,販売,マーケティング,要確認,文数,業務,No.,職種")
    r = CliRunner().invoke(cli, ["tag", str(workbook), "--lang", "ja", "--format", "jsonl"])
    assert json.loads(r.stdout.splitlines()[0])["labels"] == ["sales", "distribution"]  # stable keys


def test_cp932_csv_output(workbook, tmp_path):
    out = tmp_path / "sjis.csv"
    r = CliRunner().invoke(cli, ["tag", str(workbook), "--output-encoding", "cp932", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "新規顧客への提案営業" in out.read_bytes().decode("cp932")


@pytest.mark.parametrize("name", ["out.xls", "out.docx", "out"])
def test_unknown_output_suffix_is_a_usage_error(tmp_path, name):
    src = tmp_path / "in.txt"
    src.write_text("受注処理\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(tmp_path / name)])
    assert r.exit_code == 2 and "cannot tell the output format" in r.output
    assert not (tmp_path / name).exists()


def test_tsv_output_and_fields_seen_late_are_reported(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "受注処理"}\n{"text": "提案営業", "部署": "営業部"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "-o", str(tmp_path / "o.tsv")])
    assert r.exit_code == 0
    lines = (tmp_path / "o.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:3] == ["id", "text", "labels"] and len(lines) == 3
    assert "'部署' (record 2)" in r.output and "--format jsonl" in r.output


def test_table_neutralises_control_characters(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x\x1b[2J", "text": "受注\x1b]0;pwned\x07処理\r上書き"}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["tag", str(src), "--format", "table"])
    assert r.exit_code == 0
    assert "\x1b" not in r.output and "\x07" not in r.output and "\r" not in r.output
    assert "\\x1b" in r.output


def test_a_csv_with_title_rows_piped_in_is_read_as_the_same_file(tmp_path):
    """Excel's CSV keeps the sheet's title rows above the header: piped in (`cat 職務.csv | roleclassify tag`)
    it is the same table as the file named, not lines of text with the titles and the header as items."""
    from click.testing import CliRunner

    from roleclassify.cli import cli

    body = ("職務一覧,,\n2026年4月1日現在,,\n社員番号,部署,職務内容\nE01,営業部,新規顧客の開拓\n"
            "E02,業務部,受注処理と出荷の手配\n").encode("cp932")
    path = tmp_path / "職務.csv"
    path.write_bytes(body)
    named = CliRunner().invoke(cli, ["tag", str(path), "--format", "jsonl", "-q"])
    piped = CliRunner().invoke(cli, ["tag", "-", "--format", "jsonl", "-q"], input=body)
    assert named.exit_code == piped.exit_code == 0
    texts = lambda r: [json.loads(l)["text"] for l in r.stdout.splitlines()]  # noqa: E731
    assert texts(piped) == texts(named) == ["新規顧客の開拓", "受注処理と出荷の手配"]


def test_excels_unicode_text_is_read_as_its_table(tmp_path):
    """Excel's "Unicode テキスト" saves a sheet as UTF-16 with tabs, named .txt: read as the table it is (a cell
    with a line break is one record, the header is no item); a UTF-16 .txt of plain lines stays lines."""
    sheet = tmp_path / "職務.txt"
    sheet.write_bytes("社員番号\t職務内容\r\nE01\t\"新規顧客の開拓\n既存顧客への提案\"\r\nE02\t受注処理\r\n"
                      .encode("utf-16"))
    r = CliRunner().invoke(cli, ["tag", str(sheet), "--format", "jsonl", "-q"])
    assert r.exit_code == 0, r.output
    got = [json.loads(l) for l in r.stdout.splitlines()]
    assert [(g["社員番号"], g["text"]) for g in got] == [("E01", "新規顧客の開拓\n既存顧客への提案"), ("E02", "受注処理")]
    lines = tmp_path / "lines.txt"
    lines.write_bytes("新規顧客の開拓\n受注処理\n".encode("utf-16"))
    r = CliRunner().invoke(cli, ["tag", str(lines), "--format", "jsonl", "-q"])
    assert [json.loads(l)["text"] for l in r.stdout.splitlines()] == ["新規顧客の開拓", "受注処理"]
