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
    r, out = _tag(p)
    assert r.exit_code == 0, r.output
    (o,) = out
    assert o["text"] == "法人営業\n新規顧客への提案営業を担当します。\n既存顧客へのルート営業"
    assert o["labels"] == ["sales"]
