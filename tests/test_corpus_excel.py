"""A labelled corpus kept in Excel (the labels an analyst typed beside each text) is read by evaluate and train
as tag reads Excel: the header below title rows, every row located. Before, evaluate refused the workbook as
undecodable text."""

from __future__ import annotations

import json

import pytest

from roleclassify.corpus import read_corpus_with_problems

openpyxl = pytest.importorskip("openpyxl")

ROWS = [("新規顧客への提案営業と見積書の提出", "営業"), ("受注データの入力と出荷手配", "販売"),
        ("展示会の企画とWeb広告の運用", "マーケティング"), ("月次決算と税務申告", "その他"),
        ("既存顧客へのルート営業", "sales"), ("採用面接の日程調整", "")]


def _book(path, header=("No.", "text", "labels", "備考"), rows=ROWS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ラベル"
    ws.append(["職務ラベル付け 2026年12月"])
    ws.append([])
    ws.append(list(header))
    for i, (t, l) in enumerate(rows, 1):
        ws.append([i, t, l, None])
    wb.save(path)
    return path


def test_a_labelled_sheet_is_a_corpus(tmp_path):
    items, problems = read_corpus_with_problems([_book(tmp_path / "labels.xlsx")])
    assert not problems
    assert [it.text for it in items] == [t for t, _ in ROWS]
    assert len(items) == len(ROWS)
    assert items[0].location.endswith(":row 4") and items[-1].location.endswith(":row 9")


def test_evaluate_reads_the_workbook(tmp_path, cli):
    code, out, err = cli(["evaluate", _book(tmp_path / "labels.xlsx"), "--format", "json"])
    assert code == 0, err
    result = json.loads(out)
    assert result["sentences"]["n"] == len(ROWS)


def test_a_sheet_without_labels_is_one_located_error(tmp_path, cli):
    book = _book(tmp_path / "no_labels.xlsx", header=("No.", "text", "ラベル", "備考"))
    code, _, err = cli(["evaluate", book])
    assert code != 0 and "Traceback" not in err
    assert "no_labels.xlsx" in err and "no 'labels' column (columns: text, No., ラベル, 備考)" in err


def test_the_roles_japanese_names_are_the_roles(tmp_path):
    """A sheet labelled in Japanese (営業, 販売, マーケティング, その他: the names `tag --lang ja` writes) mixed with
    the keys trains the shipped roles, not a second label of each (営業 beside sales); その他 is other."""
    items, problems = read_corpus_with_problems([_book(tmp_path / "labels.xlsx")])
    assert not problems
    from roleclassify.corpus import label_set

    assert label_set(items) == ["sales", "distribution", "marketing"]
    assert [it.labels for it in items] == [["sales"], ["distribution"], ["marketing"], [], ["sales"], []]


def test_japanese_names_alone_are_a_taxonomy_of_their_own(tmp_path):
    rows = [("新規顧客への提案営業", "営業"), ("請求書の発行", "事務"), ("月次決算", "その他")]
    items, _ = read_corpus_with_problems([_book(tmp_path / "own.xlsx", rows=rows)])
    assert [it.labels for it in items] == [["営業"], ["事務"], []]
