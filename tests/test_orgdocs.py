"""Reading organisation documents: every fixture's departments and duty sentences come out exactly."""

import json
from pathlib import Path

import pytest

from roleclassify.errors import AuditError
from roleclassify.orgdocs import read_org_document, read_org_documents

ROOT = Path(__file__).resolve().parent.parent
ORG = ROOT / "corpus" / "orgdocs"
FIXTURES = sorted(ORG.glob("*.expected.json"))


@pytest.mark.parametrize("expected", FIXTURES, ids=[p.name.split(".")[0] for p in FIXTURES])
def test_fixture_structure_read_exactly(expected):
    e = json.loads(expected.read_text(encoding="utf-8"))
    docs = read_org_documents([ORG / e["document"]])
    got = {s.department: [d.text for d in s.duties] for doc in docs for s in doc.sections}
    want = {k: [x["text"] for x in v["sentences"]] for k, v in e["departments"].items()}
    assert got == want


def test_formats_covered():
    structures = {read_org_documents([ORG / json.loads(p.read_text())["document"]])[0].structure for p in FIXTURES}
    assert {"regulation", "markdown", "bracket", "csv", "tsv", "directory", "docx"} <= structures
    assert any(s.startswith("pdf/") for s in structures)


def test_locations_point_at_lines():
    doc = read_org_document(ORG / "01_regulation_pumps.txt")
    lines = (ORG / "01_regulation_pumps.txt").read_text(encoding="utf-8").splitlines()
    for sec in doc.sections:
        for d in sec.duties:
            assert d.text in lines[d.line - 1]


def test_no_structure_is_a_clear_error(tmp_path):
    p = tmp_path / "memo.txt"
    p.write_text("本日は晴天なり。会議は午後三時から。\n", encoding="utf-8")
    with pytest.raises(AuditError, match=r"memo.txt: no department structure found"):
        read_org_document(p)


def test_csv_columns_detected_or_given(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("チーム,仕事\n営業部,新規開拓\n販売部,受注処理\n", encoding="utf-8")
    with pytest.raises(AuditError, match="d.csv:1: no department column"):
        read_org_document(p)
    doc = read_org_document(p, dept_column="チーム", duty_column="仕事")
    assert [s.department for s in doc.sections] == ["営業部", "販売部"]


def test_bracket_variants(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("【営業部】\n・新規開拓\n＜販売課＞\n・受注処理\n■マーケティング室\n・展示会の企画\n", encoding="utf-8")
    doc = read_org_document(p)
    assert [(s.department, [d.text for d in s.duties]) for s in doc.sections] == [
        ("営業部", ["新規開拓"]), ("販売課", ["受注処理"]), ("マーケティング室", ["展示会の企画"]),
    ]


def test_shift_jis_file(tmp_path):
    p = tmp_path / "sjis.txt"
    p.write_bytes("【営業部】\n・新規開拓\n【販売部】\n・受注処理と在庫管理\n".encode("cp932"))
    doc = read_org_document(p)
    assert doc.sections[1].duties[0].text == "受注処理と在庫管理"
