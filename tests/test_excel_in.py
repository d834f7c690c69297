"""Excel in: workbooks as Japanese offices keep them, made by openpyxl (what users' tools write) — title rows
above the header, merged cells, Alt+Enter line breaks, numbers and dates, formulas with and without their
saved values — read by `tag`, `suggest` and `audit`, one sheet chosen with --sheet."""

from __future__ import annotations

import datetime
import json
import re
import zipfile

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.errors import RecordError
from roleclassify.io.readers import iter_records

openpyxl = pytest.importorskip("openpyxl")


def _save_with_cached_values(wb, path, cached: dict[str, str | tuple[str, str]]) -> None:
    """Save ``wb`` and write a saved (cached) value into formula cells, as Excel does when it saves a file:
    openpyxl writes a formula cell as ``<c r="C5"><f>…</f><v></v></c>``; the cell gets ``t="str"`` and
    ``<v>value</v>`` (a (type, value) pair gives another type: ``("e", "#DIV/0!")``). Cells not in ``cached``
    keep no saved value (a file never opened in Excel)."""
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for ref, value in cached.items():
        t, v = value if isinstance(value, tuple) else ("str", value)
        xml, n = re.subn(rf'<c r="{ref}"><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
                         lambda m, t=t, v=v: f'<c r="{ref}" t="{t}"><f>{m.group(1)}</f><v>{v}</v></c>', xml)
        assert n == 1, ref
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)


@pytest.fixture
def office_book(tmp_path):
    """求人一覧 (title rows, merged cells, a line break, a number, a date, formulas) and a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "求人一覧"
    ws.append(["2025年度 募集職種一覧"])                          # 1 title
    ws.merge_cells("A1:E1")
    ws.append(["人事部作成"])                                    # 2 subtitle
    ws.append(["部署", "職種", "仕事内容", "更新日", "人数"])      # 3 header
    ws.append(["営業本部", "法人営業", "新規顧客への提案営業を担当します。\n受注後は納期の調整も行います。",
               datetime.date(2025, 4, 1), 3])                    # 4 Alt+Enter
    ws.append([None, "ルート営業", "既存顧客を訪問し追加注文を受けます。", None, 2])     # 5 部署 merged A4:A6
    ws.append([None, "営業事務", 12345, None, 1])                 # 6 number in the text column
    ws.merge_cells("A4:A6")
    ws.append(["販売部", "店舗販売", "店頭での接客販売とレジ業務", None, None])   # 7 仕事内容 merged C7:C8
    ws.append(["販売部", "店舗販売(週末)", None, None, None])     # 8
    ws.merge_cells("C7:C8")
    ws.append(["販売部", "売場", datetime.datetime(2025, 5, 1, 9, 30), None, None])  # 9 a date as text
    ws.append(["企画部", "販促", '="展示会の企画と"&"広告の効果測定"', None, "=1+1"])  # 10 formulas, cached
    ws.append(["企画部", "広報", "=B10&B9", None, None])          # 11 formula without a saved value
    ws.append(["企画部", "調査", "市場調査と競合分析", None, "=E10*2"])  # 12 ... in a carried-over column
    ws.append(["企画部", "分析", "売上データの分析", None, "=1/0"])    # 13 an Excel error, saved
    memo = wb.create_sheet("店舗")
    memo.append(["仕事内容", "店舗"])
    memo.append(["商品の陳列と在庫管理", "新宿店"])
    path = tmp_path / "求人一覧.xlsx"
    _save_with_cached_values(wb, path, {"C10": "展示会の企画と広告の効果測定", "E10": "2",
                                                    "E13": ("e", "#DIV/0!")})
    return path


def _read(path, **kw):
    out = list(iter_records([str(path)], **kw))
    return [r for r in out if not isinstance(r, RecordError)], [str(e) for e in out if isinstance(e, RecordError)]


def test_header_below_title_rows_and_every_sheet_with_the_column(office_book):
    recs, errors = _read(office_book)
    assert recs[0].location == f"{office_book}[求人一覧]:row 4"
    assert list(recs[0].fields) == ["部署", "職種", "更新日", "人数"]
    assert recs[-1].text == "商品の陳列と在庫管理" and recs[-1].location == f"{office_book}[店舗]:row 2"


def test_merged_cells_fill_each_row_they_span(office_book):
    recs, _ = _read(office_book, sheet="求人一覧")
    by_row = {int(r.location.rsplit(" ", 1)[1]): r for r in recs}
    assert [by_row[n].fields["部署"] for n in (4, 5)] == ["営業本部", "営業本部"]   # carried-over column
    assert by_row[7].text == by_row[8].text == "店頭での接客販売とレジ業務"         # the text column
    assert by_row[8].fields["職種"] == "店舗販売(週末)"


def test_a_row_with_only_a_merged_cell_over_it_stays_blank(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部署", "仕事内容"])
    ws.append(["営業部", "新規顧客への提案営業"])
    ws.append([None, None])  # covered by the merge, nothing of its own: a blank row, no item
    ws.append([None, "既存顧客の訪問"])
    ws.merge_cells("A2:A4")
    p = tmp_path / "m.xlsx"
    wb.save(p)
    recs, errors = _read(p)
    assert [(r.location.rsplit(" ", 1)[1], r.fields["部署"], r.text) for r in recs] == [
        ("2", "営業部", "新規顧客への提案営業"), ("4", "営業部", "既存顧客の訪問")] and errors == []


def test_alt_enter_line_break_stays_in_the_item(office_book):
    recs, _ = _read(office_book, sheet="求人一覧")
    assert recs[0].text == "新規顧客への提案営業を担当します。\n受注後は納期の調整も行います。"


def test_numbers_and_dates_in_the_text_column_are_reported_elsewhere_carried(office_book):
    recs, errors = _read(office_book, sheet="求人一覧")
    name = f"{office_book}[求人一覧]"
    assert f"{name}:row 6: '仕事内容' is a number (12345), not text; row skipped" in errors
    assert f"{name}:row 9: '仕事内容' is a date (2025-05-01T09:30:00), not text; row skipped" in errors
    rows = [r.location.rsplit(" ", 1)[1] for r in recs]
    assert "6" not in rows and "9" not in rows
    assert recs[0].fields["更新日"] == "2025-04-01T00:00:00" and recs[0].fields["人数"] == 3


def test_formulas_read_as_their_saved_values_and_unsaved_ones_reported(office_book):
    recs, errors = _read(office_book, sheet=1)
    by_row = {r.location.rsplit(" ", 1)[1]: r for r in recs}
    assert by_row["10"].text == "展示会の企画と広告の効果測定" and by_row["10"].fields["人数"] == "2"
    assert "11" not in by_row
    (err,) = [e for e in errors if ":row 11:" in e]
    assert "'仕事内容' is a formula (=B10&B9) saved without its value" in err
    assert not any(r.text.startswith("=") for r in recs)
    assert by_row["12"].text == "市場調査と競合分析" and by_row["12"].fields["人数"] is None  # not "=E10*2"
    assert by_row["13"].fields["人数"] == "#DIV/0!"  # as Excel shows it


def test_an_excel_error_in_the_text_column_is_reported(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["仕事内容"])
    wb.active.append(["=VLOOKUP(1,A1:A1,2)"])
    p = tmp_path / "e.xlsx"
    _save_with_cached_values(wb, p, {"A2": ("e", "#N/A")})
    assert _read(p) == ([], [f"{p}:row 2: '仕事内容' is the Excel error #N/A; row skipped"])


def test_sheet_by_name_or_number_and_unknown_sheet(office_book):
    assert [r.text for r in _read(office_book, sheet="店舗")[0]] == ["商品の陳列と在庫管理"]
    assert [r.text for r in _read(office_book, sheet="2")[0]] == ["商品の陳列と在庫管理"]
    recs, errors = _read(office_book, sheet="3")
    assert recs == [] and errors == [f"{office_book}: no sheet '3' (sheets: 求人一覧, 店舗); pass sheet='NAME' "
                                     "or its number 1-2; file skipped"]


def test_chosen_sheet_without_the_text_column_names_it(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["仕事内容"])
    wb.active.append(["提案営業"])
    other = wb.create_sheet("メモ")
    other.append(["備考"])
    p = tmp_path / "b.xlsx"
    wb.save(p)
    _, errors = _read(p, sheet="メモ")
    assert errors[0].startswith(f"{p}[メモ]:row 1: no text column (") and "(columns seen: 備考)" in errors[0]


def test_tag_cli_sheet_option_and_bad_records(office_book):
    r = CliRunner().invoke(cli, ["tag", str(office_book), "--sheet", "求人一覧", "--format", "jsonl"])
    out = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert r.exit_code == 1  # bad records were reported
    assert [o["職種"] for o in out] == ["法人営業", "ルート営業", "店舗販売", "店舗販売(週末)", "販促", "調査", "分析"]
    assert len(out[0]["sentences"]) == 2 and out[0]["labels"][0] == "sales"  # the model splits the cell
    assert out[3]["text"] == out[2]["text"] and out[3]["labels"] == ["distribution"]
    assert "[求人一覧]:row 6: '仕事内容' is a number (12345), not text; row skipped" in r.stderr
    r = CliRunner().invoke(cli, ["tag", str(office_book), "--sheet", "請求", "--format", "jsonl"])
    assert r.exit_code == 1 and r.stdout == ""
    assert "no sheet '請求' (sheets: 求人一覧, 店舗); pass --sheet NAME or its number 1-2" in r.stderr
    assert "--sheet NAME|N" in CliRunner().invoke(cli, ["tag", "--help"]).output


def test_suggest_reads_one_sheet(office_book, tmp_path):
    out = tmp_path / "to_label.jsonl"
    r = CliRunner().invoke(cli, ["suggest", str(office_book), "--sheet", "店舗", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["text"] for line in out.read_text().splitlines()] == ["商品の陳列と在庫管理"]


def test_audit_reads_the_chosen_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表紙"
    ws.append(["業務分掌表"])
    for title, dept in (("2024年度", "旧営業部"), ("2025年度", "営業部")):
        s = wb.create_sheet(title)
        s.append([f"{title} 業務分掌表"])
        s.append(["部署", "業務"])
        s.append([dept, "新規顧客への提案営業"])
        s.append([None, "既存顧客の訪問と受注"])
        s.merge_cells("A3:A4")
    p = tmp_path / "分掌.xlsx"
    wb.save(p)

    def departments(*args):
        r = CliRunner().invoke(cli, ["audit", str(p), "--format", "json", *args])
        assert r.exit_code == 0, r.output
        return {name: sum(row.values()) for name, row in json.loads(r.stdout)["matrix"].items()}

    assert departments() == {"旧営業部": 2, "営業部": 2}
    assert departments("--sheet", "2025年度") == {"営業部": 2}
    assert departments("--sheet", "2") == {"旧営業部": 2}
    r = CliRunner().invoke(cli, ["audit", str(p), "--sheet", "2026年度"])
    assert r.exit_code != 0 and "no sheet '2026年度' (sheets: 表紙, 2024年度, 2025年度)" in r.output
