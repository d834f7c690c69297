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
    from roleclassify.report.audit import render_markdown

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


# --- severities, each at its boundary ---------------------------------------------------------------------------

def findings(report, kind, role=None):
    return [f for f in report.findings if f.kind == kind and (role is None or f.role == role)]


def test_crossing_severity_by_units_and_share(shipped_model):
    # one distribution unit of three role units (share 1/3, under 0.34): medium
    (f,) = findings(audit_documents(org(営業部=SALES[:2] + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model), "crossing")
    assert (f.severity, f.detail["count"], f.detail["share"]) == ("medium", 1, 0.3333)
    # one unit of two (share 1/2): high
    (f,) = findings(audit_documents(org(営業部=SALES[:1] + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model), "crossing")
    assert (f.severity, f.detail["count"], f.detail["share"]) == ("high", 1, 0.5)
    # two units whatever their share: high
    (f,) = findings(audit_documents(org(営業部=SALES * 2 + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model), "crossing")
    assert (f.severity, f.detail["count"]) == ("high", 2) and f.detail["share"] < 0.34


def test_shared_severity_needs_the_same_duty_twice_in_two_departments(shipped_model):
    twice = audit_documents(org(営業部=SALES + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(twice, "shared", "distribution")
    assert f.severity == "medium" and f.detail["split"] == {"営業部": 2, "物流部": 2}
    # two in one department, one in the other: low
    once = audit_documents(org(営業部=SALES + ["出荷手配と在庫管理", "出荷の手配と在庫の管理"],
                               物流部=["出荷手配と在庫管理", "倉庫内の安全衛生"], 広報部=MKT), shipped_model)
    (f,) = findings(once, "shared", "distribution")
    assert f.severity == "low" and f.detail["split"] == {"営業部": 2, "物流部": 1}
    assert f.detail["same_duty"] == ["営業部", "物流部"] and f.message.startswith("the same distribution duty is held by")
    # different sales duties in two sales departments: split, not the same duty
    spread = audit_documents(org(第一営業部=SALES[:2], 第二営業部=SALES[2:], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(spread, "shared", "sales")
    assert f.severity == "low" and f.detail["same_duty"] == [] and f.detail["split"] == {"第一営業部": 2, "第二営業部": 1}
    assert f.message == "sales work is split over 第一営業部, 第二営業部"


def test_duplicate_severity_by_similarity(shipped_model):
    same = audit_documents(org(営業部=SALES + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(same, "duplicate")
    assert (f.severity, f.detail["similarity"], f.role) == ("high", 1.0, "distribution")
    # lemmas 出荷 在庫 棚卸 against 棚卸 在庫 出荷 検品: Jaccard 3/4, no common run of three
    alike = audit_documents(org(営業部=SALES + ["出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"], 広報部=MKT),
                            shipped_model)
    (f,) = findings(alike, "duplicate")
    assert (f.severity, f.detail["similarity"]) == ("medium", 0.75)
    assert f.departments == ["営業部", "物流部"] and f.detail["pairs"] == [["出荷と在庫と棚卸", "棚卸と在庫と出荷と検品"]]
    # below the duplicate threshold: none
    assert not findings(audit_documents(org(営業部=SALES + ["出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"],
                                            広報部=MKT), shipped_model, duplicate_threshold=0.8), "duplicate")


@pytest.mark.parametrize("n,boilerplate", [(5, False), (6, True)])
def test_boilerplate_from_six_departments(shipped_model, n, boilerplate):
    own = ["月次決算", "税務申告", "採用面接", "労務管理", "社内規程の改定", "固定資産の棚卸"]
    depts = {f"第{i}課": [own[i - 1], "部内の庶務に関すること"] for i in range(1, n + 1)}
    dup = findings(audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, **depts), shipped_model), "duplicate")
    if boilerplate:
        assert len(dup) == 1 and dup[0].severity == "low" and dup[0].detail["boilerplate"] and len(dup[0].departments) == 6
    else:
        assert len(dup) == n * (n - 1) // 2 and all(len(f.departments) == 2 and f.severity == "high" for f in dup)


def test_ownerless_severity(shipped_model):
    (f,) = findings(audit_documents(org(営業部=SALES, 物流部=DIST, 総務部=OTHER), shipped_model), "ownerless")
    assert (f.role, f.severity, f.detail["units"], f.departments) == ("marketing", "high", 0, [])
    (f,) = findings(audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT[:1]), shipped_model), "ownerless")
    assert (f.role, f.severity, f.detail["units"]) == ("marketing", "medium", 1)
    assert "beyond a trace (広報部)" in f.message


def test_findings_sorted_by_severity_then_kind(shipped_model):
    r = audit_documents(org(営業部=SALES[:1] + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model)
    rank = {"high": 0, "medium": 1, "low": 2}
    sev = [rank[f.severity] for f in r.findings]
    assert sev == sorted(sev) and len(set(sev)) == 3
    highs = [f.kind for f in r.findings if f.severity == "high"]
    assert highs == ["crossing", "duplicate"]


def test_a_duty_counts_for_a_role_above_both_the_threshold_and_min_score(shipped_model):
    docs = org(営業部=SALES + [DIST[1], "顧客の声の社内共有"], 物流部=DIST + ["販促物の発送"], 広報部=MKT + ["営業資料の作成"])
    for kw in ({}, {"min_score": 0.8}, {"threshold": 0.3}, {"threshold": 0.9, "min_score": 0.2}):
        r = audit_documents(docs, shipped_model, **kw)
        th = dict(zip(shipped_model.labels, shipped_model.thresholds_))
        for d in r.departments:
            for u in d.duties:
                bar = {l: max(kw.get("threshold", th[l]), kw.get("min_score", 0.5)) for l in r.labels}
                assert u.labels == [l for l in r.labels if u.scores[l] >= bar[l]]
            assert d.counts == {**{l: sum(l in u.labels for u in d.duties) for l in r.labels},
                                "other": sum(not u.labels for u in d.duties)}
    strict = audit_documents(docs, shipped_model, min_score=0.99)
    assert sum(d.counts["other"] for d in strict.departments) > sum(d.counts["other"] for d in audit_documents(docs, shipped_model).departments)


@pytest.mark.parametrize("a,b,sim", [
    ([], ["x"], 0.0), (["x"], [], 0.0), ([], [], 0.0),
    (["a", "b", "c"], ["a", "b", "d"], 0.5),            # two shared of four, no run of three: Jaccard
    (["a", "b", "c"], ["c", "b", "a"], 1.0),            # the same set: Jaccard 1
    (["a", "b", "c", "d"], ["d", "c", "b", "a", "e"], 0.8),  # shared in another order: no run
    (["p", "q", "a", "b", "c"], ["a", "b", "c", "z"], 1.0),  # a run of three at the end of one and the start of the other
    (["a", "b", "c", "x"], ["y", "z", "w", "a", "b", "c"], 1.0),
    (["a", "b", "x", "c"], ["a", "b", "y", "c"], 0.6),  # three shared, but no three in a row
])
def test_lemma_similarity(a, b, sim):
    from roleclassify.orgaudit import lemma_similarity

    assert lemma_similarity(a, b) == pytest.approx(sim)
    assert lemma_similarity(b, a) == pytest.approx(sim)


def test_lemma_similarity_phrase_length():
    from roleclassify.orgaudit import lemma_similarity

    assert lemma_similarity(["a", "b", "x"], ["a", "b", "y"], phrase=2) == 1.0
    assert lemma_similarity(["a", "b", "c", "x"], ["a", "b", "c", "y"], phrase=4) == pytest.approx(3 / 5)
    assert lemma_similarity(["a", "b", "c", "x"], ["a", "b", "c", "y"], phrase=0) == pytest.approx(3 / 5)


def test_department_record_and_duty_scores(shipped_model):
    duty = "受注データの入力を担当します。出荷の手配も行います。"
    r = audit_documents(org(営業部=SALES + [duty], 物流部=DIST, 総務部=OTHER), shipped_model)
    sales = next(d for d in r.departments if d.name == "営業部")
    assert sales.files == ["org.txt"]
    # a duty is scored whole, as one unit, even when it holds two sentences
    (whole,) = shipped_model.tag([duty], split=False)
    assert next(u for u in sales.duties if u.text == duty).scores == whole.scores
    back = next(d for d in r.departments if d.name == "総務部")
    assert back.shares == {"sales": 0.0, "distribution": 0.0, "marketing": 0.0}


def test_crossing_message_of_a_department_expected_to_do_no_role_work(shipped_model):
    r = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT,
                            経理部=OTHER + ["得意先への請求書の発行", "入金確認と督促"] + ["経費精算", "予算管理"]), shipped_model)
    (f,) = [f for f in r.findings if f.kind == "crossing" and f.departments == ["経理部"]]
    assert "(expected: no role work, from its name and work)" in f.message


def test_duplicate_pair_reports_its_closest_duties(shipped_model):
    # two duplicated duties between one pair: one identical (1.0), one alike (0.75); the finding takes the highest
    r = audit_documents(org(営業部=SALES + [DIST[1], "出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"], 広報部=MKT),
                        shipped_model)
    (f,) = [f for f in r.findings if f.kind == "duplicate"]
    assert (f.severity, f.detail["similarity"], len(f.detail["pairs"])) == ("high", 1.0, 2)
    # a similarity exactly at the duplicate threshold is a duplicate
    at = audit_documents(org(営業部=SALES + ["出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"], 広報部=MKT),
                         shipped_model, duplicate_threshold=0.75)
    assert [f.detail["similarity"] for f in at.findings if f.kind == "duplicate"] == [0.75]


def test_boilerplate_finding_lists_its_text_and_every_department(shipped_model):
    own = ["月次決算", "税務申告", "採用面接", "労務管理", "社内規程の改定", "固定資産の棚卸"]
    depts = {f"第{i}課": [own[i - 1], "部内の庶務に関すること"] for i in range(1, 7)}
    (f,) = findings(audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, **depts), shipped_model), "duplicate")
    assert f.detail["texts"] == ["部内の庶務に関すること"]
    assert [e["department"] for e in f.evidence] == list(depts)


def test_de_facto_role_with_counts_missing():
    assert de_facto_role({"marketing": 1}, ROLES, 3) == "marketing"
    assert de_facto_role({"marketing": 1}, ROLES, 6) is None
