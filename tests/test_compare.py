"""`roleclassify compare`: two versions of an organisation's 分掌 (or two job descriptions) with planted changes:
every planted move, addition, removal and rewording found, nothing else; the comparison mirrors when the versions
swap; the same changes from an Excel 分掌表 as from text; every format; bad input refused in one line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.commands import CompareOptions, run_compare
from roleclassify.compare import CHANGE_KINDS, compare_org
from roleclassify.errors import OptionError

OLD, NEW = "分掌_2025.txt", "分掌_2026.txt"

#: The changes planted in 分掌_2026.txt: (kind, old department, old text, new department, new text).
PLANTED = {
    ("moved", "営業部", "見積書の作成と価格の交渉", "受注センター", "見積書の作成と価格の交渉"),
    ("added", "", "", "営業部", "大口顧客向けの導入事例セミナーでの商談"),
    ("removed", "販売促進課", "Web広告の出稿と効果測定", "", ""),
    ("reworded", "物流課", "運送会社への配送手配", "物流課", "運送業者への配送の手配"),
}


@pytest.fixture(scope="module")
def pair(root):
    d = root / "examples" / "compare"
    return d / OLD, d / NEW


@pytest.fixture(scope="module")
def comparison(pair, shipped_model):
    return compare_org([pair[0]], [pair[1]], shipped_model)


def _changes(cmp):
    return {(c.kind, c.old_department, c.old_text, c.new_department, c.new_text) for c in cmp.changes}


def test_every_planted_change_is_found_and_nothing_else(comparison):
    assert _changes(comparison) == PLANTED
    assert comparison.kept == 12  # every other duty sentence stays, word for word, in its department
    assert [c.kind for c in comparison.changes] == sorted((c.kind for c in comparison.changes),
                                                          key=CHANGE_KINDS.index)


def test_duties_that_changed_hands_and_findings(comparison):
    holders = {h["duty"]: (h["old"], h["new"]) for h in comparison.duty_holders}
    assert holders["quotation"] == (["営業部"], ["受注センター"])
    assert holders["advertising"] == (["販売促進課"], [])
    assert "shipping" not in holders  # reworded in place: still 物流課's
    # the quotation leaving 営業部 takes its distribution crossing with it; the seminar brings a marketing one
    assert [(f["kind"], f["departments"], f["role"]) for f in comparison.findings_removed] == \
        [("crossing", ["営業部"], "distribution")]
    assert [(f["kind"], f["departments"], f["role"]) for f in comparison.findings_added] == \
        [("crossing", ["営業部"], "marketing")]


def test_swapping_the_versions_mirrors_the_comparison(pair, shipped_model, comparison):
    back = compare_org([pair[1]], [pair[0]], shipped_model)
    swap = {"moved": "moved", "added": "removed", "removed": "added", "reworded": "reworded"}
    assert _changes(back) == {(swap[k], nd, nt, od, ot) for k, od, ot, nd, nt in _changes(comparison)}
    assert back.kept == comparison.kept
    assert back.findings_added == comparison.findings_removed
    assert back.findings_removed == comparison.findings_added


def test_a_version_compared_with_itself_has_no_change(pair, shipped_model):
    same = compare_org([pair[0]], [pair[0]], shipped_model)
    assert same.changes == [] and same.findings_added == [] == same.findings_removed == same.duty_holders
    assert same.kept == 15  # every duty sentence of the version


def test_an_excel_bunshohyo_gives_the_same_changes_as_the_text(tmp_path, pair, shipped_model, comparison):
    """The same two versions as Excel 分掌表s (部署 | 業務 columns, a title row, one department's name in merged
    cells): the same changes."""
    from openpyxl import Workbook

    from roleclassify.orgdocs import read_org_document

    paths = []
    for src in pair:
        doc = read_org_document(src)
        wb = Workbook()
        ws = wb.active
        ws.append(["業務分掌表"])
        ws.append(["部署", "業務"])
        for dept in doc.sections:
            first = ws.max_row + 1
            for duty in dept.duties:
                ws.append([dept.department, duty.text])
            if len(dept.duties) > 1:  # the name once, in merged cells, as sheets people keep have it
                for row in range(first + 1, ws.max_row + 1):
                    ws.cell(row, 1).value = None
                ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
        out = tmp_path / (src.stem + ".xlsx")
        wb.save(out)
        paths.append(out)
    xl = compare_org([paths[0]], [paths[1]], shipped_model)
    assert _changes(xl) == _changes(comparison) and xl.kept == comparison.kept


def test_two_job_descriptions(root, shipped_model):
    from roleclassify.compare import compare_jobs

    d = root / "examples" / "compare"
    cmp = compare_jobs(str(d / "求人_2025.txt"), str(d / "求人_2026.txt"), shipped_model)
    assert cmp.roles == {"old": ["sales"], "new": ["sales", "distribution"]}
    assert {(c.kind, c.old_text, c.new_text) for c in cmp.changes} == {
        ("added", "", "受注後は納期の調整と出荷の手配も担当します。"),
        ("removed", "既存顧客への定期訪問と追加提案が中心です。", ""),
        ("reworded", "月給28万円〜", "月給30万円〜")}  # the same line, another figure: one change, not two
    assert cmp.kept == 3
    # each side says where it stands: the file and its line
    where = {(c.kind, c.old_location, c.new_location) for c in cmp.changes}
    assert where == {("added", "", f"{d / '求人_2026.txt'}:3"), ("removed", f"{d / '求人_2025.txt'}:3", ""),
                     ("reworded", f"{d / '求人_2025.txt'}:5", f"{d / '求人_2026.txt'}:5")}
    added = next(c for c in cmp.changes if c.new_text.startswith("受注後"))
    assert added.roles == ["distribution"] and "shipping" in added.duties
    assert "shipping" in cmp.duties["new"] and "shipping" not in cmp.duties["old"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_text_format_in_both_languages(pair, tmp_path, fmt, lang):
    out = tmp_path / f"cmp.{fmt}"
    r = CliRunner().invoke(cli, ["compare", str(pair[0]), str(pair[1]), "--format", fmt, "--lang", lang,
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output
    # the line on stderr in the report's language too
    assert ("移管 1件、新設 1件、削除 1件、文言変更 1件" if lang == "ja" else "1 moved, 1 added, 1 removed, 1 reworded") \
        in r.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        d = json.loads(text)
        assert d["summary"] == {"moved": 1, "added": 1, "removed": 1, "reworded": 1, "kept": 12,
                                "findings_added": 1, "findings_removed": 1}
        return
    assert "見積書の作成と価格の交渉" in text and "運送業者への配送の手配" in text
    if lang == "ja":
        assert "移管 1件、新設 1件、削除 1件、文言変更 1件、変更なし 12件" in text
        assert "見積・価格条件" in text and "quotation" not in text  # duties by their Japanese names
    else:
        assert "1 moved, 1 added, 1 removed, 1 reworded, 12 kept" in text and "quotation" in text
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and '<tr class="moved">' in text
        # the documents are Japanese in either language of the report: their kanji in Japanese forms and fonts
        assert '<html lang="ja">' in text and "Hiragino Sans" in text


def test_excel_output_has_the_changes_sheet(pair, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "新旧対照表.xlsx"
    r = CliRunner().invoke(cli, ["compare", str(pair[0]), str(pair[1]), "--lang", "ja", "-o", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["新旧対照表", "指摘事項", "担当の変化"]
    rows = list(wb["新旧対照表"].iter_rows(values_only=True))
    assert rows[0][:5] == ("区分", "旧 部署", "旧 記載", "新 部署", "新 記載")
    assert ("移管", "営業部", "見積書の作成と価格の交渉", "受注センター", "見積書の作成と価格の交渉") in \
        [r[:5] for r in rows]
    assert len(rows) == 1 + len(PLANTED)
    kinds = {r[1] for r in wb["指摘事項"].iter_rows(min_row=2, values_only=True)}
    assert kinds and kinds <= {"越境", "重複担当", "業務重複", "担当不在"}  # the kinds in Japanese, not crossing


def test_a_workbook_is_not_written_to_a_terminal(pair):
    with pytest.raises(OptionError, match="workbook"):
        run_compare(CompareOptions(old=str(pair[0]), new=str(pair[1]), fmt="xlsx"), stdout_is_tty=True)


def test_a_job_file_of_several_records_is_refused_in_one_line(tmp_path, root):
    two = tmp_path / "two.jsonl"
    two.write_text('{"text": "新規開拓営業"}\n{"text": "受注処理"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["compare", str(two), str(root / "examples" / "compare" / "求人_2026.txt"), "--kind", "job"])
    assert r.exit_code != 0
    assert "two.jsonl: compare --kind job takes one job description per file, found 2" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1


def test_a_missing_version_is_a_usage_error(pair, tmp_path):
    r = CliRunner().invoke(cli, ["compare", str(pair[0]), str(tmp_path / "nowhere.txt")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_a_sentence_kept_in_its_department_is_not_taken_for_a_move(tmp_path, shipped_model):
    """Two departments state the same duty and the revision drops it from the first: the second keeps it (not a
    move from the first), and the first's is removed."""
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("【営業一課】\n・新規顧客の開拓\n・見積書の作成\n\n【営業二課】\n・既存顧客への提案\n・見積書の作成\n",
                   encoding="utf-8")
    new.write_text("【営業一課】\n・新規顧客の開拓\n\n【営業二課】\n・既存顧客への提案\n・見積書の作成\n", encoding="utf-8")
    cmp = compare_org([old], [new], shipped_model)
    assert _changes(cmp) == {("removed", "営業一課", "見積書の作成", "", "")}
    assert cmp.kept == 3


def test_job_descriptions_reworded_in_other_words_and_lines(tmp_path, shipped_model):
    """A duty restated (the same duty, its sentence moved down and reworded) is one reworded change with both
    lines; a duty of another kind is added and removed, never paired with it."""
    from roleclassify.compare import compare_jobs

    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("【業務内容】\n・運送会社への配送手配\n・新規顧客の開拓\n", encoding="utf-8")
    new.write_text("【業務内容】\n・新規顧客の開拓\n・Web広告の運用\n・運送業者への配送の手配\n", encoding="utf-8")
    cmp = compare_jobs(str(old), str(new), shipped_model)
    got = {(c.kind, c.old_text, c.new_text, c.old_location, c.new_location) for c in cmp.changes}
    assert got == {("reworded", "運送会社への配送手配", "運送業者への配送の手配", f"{old}:2", f"{new}:4"),
                   ("added", "", "Web広告の運用", "", f"{new}:3")}
    assert cmp.kept == 2 and cmp.summary()["reworded"] == 1


def test_locations_in_the_page_and_the_workbook(tmp_path, root):
    openpyxl = pytest.importorskip("openpyxl")
    d = root / "examples" / "compare"
    for out in (tmp_path / "c.html", tmp_path / "c.xlsx"):
        r = CliRunner().invoke(cli, ["compare", str(d / "求人_2025.txt"), str(d / "求人_2026.txt"), "--kind", "job",
                                     "-o", str(out)])
        assert r.exit_code == 0, r.output
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert f'<small class="location">{d / "求人_2026.txt"}:3</small>' in page
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx").active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("old location", "new location")
    assert (f"{d / '求人_2025.txt'}:5", f"{d / '求人_2026.txt'}:5") in {r[-2:] for r in rows[1:]}


def test_a_compound_written_apart_is_a_rewording(tmp_path, shipped_model):
    """在庫管理 (one word to the tokenizer) and 在庫の管理 are the same words: one reworded change, not a removal
    and an addition (the words inside compounds count, as in the audit)."""
    from roleclassify.compare import compare_jobs

    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("店舗での接客\n商品の発注と在庫管理も担当します。\n", encoding="utf-8")
    new.write_text("店舗での接客\n商品の発注と在庫の管理も担当していただきます。\n", encoding="utf-8")
    cmp = compare_jobs(str(old), str(new), shipped_model)
    assert [(c.kind, c.old_text, c.new_text) for c in cmp.changes] == [
        ("reworded", "商品の発注と在庫管理も担当します。", "商品の発注と在庫の管理も担当していただきます。")]
