"""The audit's decision rules (corpus/orgdocs/FINDINGS.md) on small organisations built here: each test fails
when its rule is broken (a threshold changed, a condition dropped)."""

from __future__ import annotations

import pytest

from roleclassify.orgaudit import audit_documents, de_facto_role, infer_role
from roleclassify.orgdocs import Duty, OrgDocument, Section

ROLES = ["sales", "distribution", "marketing"]
SALES = ["新規顧客への提案営業", "既存顧客へのルート営業と追加提案", "見込み客への訪問と商談"]
DIST = ["受注データの入力と納期回答", "出荷手配と在庫管理", "返品の受付と交換品の手配"]
MKT = ["展示会の企画と運営", "Web広告の運用と効果測定", "市場調査と競合分析"]
OTHER = ["月次決算と税務申告", "社員の採用と労務管理", "社内規程の管理", "固定資産の管理"]


def org(**departments: list[str]) -> list[OrgDocument]:
    secs = []
    for k, (name, duties) in enumerate(departments.items()):
        secs.append(Section(name, "org.txt", k * 10 + 1, [Duty(t, "org.txt", k * 10 + 2 + i) for i, t in enumerate(duties)]))
    return [OrgDocument("org.txt", "bracket", secs)]


def keys(report):
    return {f.key for f in report.findings}


@pytest.mark.parametrize("name,role", [
    ("営業推進部", None), ("営業企画室", None), ("経営企画部", None), ("営業事務課", "distribution"),
    ("営業管理部", "distribution"), ("販売推進課", "marketing"), ("ブランド戦略室", "marketing"), ("業務課", "distribution"),
    ("商品企画部", "marketing"), ("EC運営課", "distribution"), ("Section A", None), ("CS推進室", "distribution"),
    ("第二営業部", "sales"), ("総務部", None), ("開発部", None),
])
def test_names(name, role):
    assert infer_role(name, ROLES) == role


def test_de_facto_role_needs_a_third_of_the_units():
    assert de_facto_role({"sales": 2, "distribution": 0, "marketing": 0}, ROLES, 6) == "sales"
    assert de_facto_role({"sales": 1, "distribution": 0, "marketing": 0}, ROLES, 6) is None
    assert de_facto_role({"sales": 0, "distribution": 0, "marketing": 0}, ROLES, 0) is None
    assert de_facto_role({"sales": 1, "distribution": 3, "marketing": 0}, ROLES, 6) == "distribution"


def test_back_office_needs_two_units_for_a_crossing(shipped_model):
    one = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, 経理部=OTHER + ["得意先への請求書の発行"]), shipped_model)
    assert not [f for f in one.findings if f.kind == "crossing" and f.departments == ["経理部"]]
    two = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT,
                              経理部=OTHER + ["得意先への請求書の発行", "入金確認と督促"] + ["経費精算", "予算管理"]),
                          shipped_model)
    assert ("crossing", "経理部", "distribution") in keys(two)


def test_named_department_crosses_with_one_unit(shipped_model):
    r = audit_documents(org(営業部=SALES + ["出荷手配と在庫管理"], 物流部=DIST[:1], 広報部=MKT), shipped_model)
    assert ("crossing", "営業部", "distribution") in keys(r)


def test_department_of_no_stated_role_takes_the_role_of_its_work(shipped_model):
    r = audit_documents(org(営業推進部=MKT, 営業部=SALES, 物流部=DIST), shipped_model)
    d = next(d for d in r.departments if d.name == "営業推進部")
    assert d.expected_role == "marketing" and d.role_source == "work"
    assert not [f for f in r.findings if f.kind == "crossing" and f.departments == ["営業推進部"]]


def test_ownerless_below_two_units(shipped_model):
    r = audit_documents(org(営業部=SALES, 物流部=DIST, 総務部=OTHER + ["会社案内パンフレットの制作"]), shipped_model)
    assert ("ownerless", "marketing") in keys(r)
    r = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT[:2]), shipped_model)
    assert ("ownerless", "marketing") not in keys(r)


def test_duplicates_are_one_finding_per_department_pair(shipped_model):
    r = audit_documents(org(営業部=SALES + DIST[:2], 業務部=DIST, 広報部=MKT), shipped_model)
    dup = [f for f in r.findings if f.kind == "duplicate"]
    assert len(dup) == 1 and dup[0].departments == ["営業部", "業務部"]
    assert len(dup[0].detail["pairs"]) == 2


def test_boilerplate_duty_in_many_departments_is_one_finding(shipped_model):
    own = ["月次決算", "税務申告", "採用面接", "労務管理", "社内規程の改定", "固定資産の棚卸", "情報システムの保守", "株主総会の運営"]
    depts = {f"第{i}課": [own[i - 1], "部内の庶務に関すること"] for i in range(1, 9)}
    r = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, **depts), shipped_model)
    dup = [f for f in r.findings if f.kind == "duplicate"]
    assert len(dup) == 1 and len(dup[0].departments) == 8 and dup[0].detail["boilerplate"]


def test_sales_split_over_departments_is_shared(shipped_model):
    r = audit_documents(org(第一営業部=SALES[:2], 第二営業部=SALES[2:], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = [f for f in r.findings if f.kind == "shared" and f.role == "sales"]
    assert f.departments == ["第一営業部", "第二営業部"]


def test_markdown_report_shows_document_text_literally(shipped_model):
    """A department page's text reaches the Markdown report as text: its HTML is not run, its Markdown syntax
    is not applied, a line break does not end a table row, and a backtick does not end a location's code span."""
    from roleclassify.report import render_markdown

    hostile = "受注データの入力と出荷手配、在庫管理 <script>alert(1)</script> | **至急** [資料](javascript:x)\n納期回答"
    docs = org(**{"営業<b>部</b>|本社": [hostile, *SALES], "物流部": DIST, "広報部": MKT})
    docs[0].sections[0].duties[0].file = "org`s.txt"
    md = render_markdown(audit_documents(docs, shipped_model))
    assert "<script>" not in md and "<b>" not in md and "&lt;script&gt;" in md and "営業&lt;b&gt;部&lt;/b&gt;" in md
    assert "\\*\\*至急\\*\\*" in md and "\\[資料\\](javascript:x)" in md and "\\|" in md
    row = next(line for line in md.splitlines() if line.startswith("| 営業"))
    assert row.count(" | ") == 5 and "部&lt;/b&gt;\\|本社" in row  # six cells: the name's | split none
    assert "\\[資料\\](javascript:x) 納期回答" in md  # the line break became a space, on one line
    assert "``org`s.txt:2``" in md
