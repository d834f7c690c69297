"""The audit's decision rules (corpus/orgdocs/FINDINGS.md) on small organisations built here: each test fails
when its rule is broken (a threshold changed, a condition dropped)."""

from __future__ import annotations

import pytest

from roleclassify.orgaudit import (
    LONE_UNIT_SCORE,
    audit_documents,
    de_facto_role,
    infer_role,
    is_handoff,
    is_staff_name,
    lemma_similarity,
)
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
    # Latin abbreviations as whole words only; 販売推進 / 販売企画 marketing, 営業事務 / 受注 distribution
    ("Executive Office", None), ("Technical Section", None), ("EC事業部", "distribution"), ("Sales Dept.", "sales"),
    ("販売企画部", "marketing"), ("販売促進部", "marketing"), ("受注センター", "distribution"), ("営業事務課", "distribution"),
    ("カスタマーサービス課", "distribution"), ("経理部", None), ("商品部", None),
    # 商品管理 / 在庫管理 keep the stock (distribution), though 商品 and 管理 alone are staff words
    ("商品管理部", "distribution"), ("在庫管理課", "distribution"), ("管理部", None), ("商品開発部", None),
])
def test_names(name, role):
    assert infer_role(name, ROLES) == role


def test_de_facto_role_needs_a_third_of_the_units():
    assert de_facto_role({"sales": 2, "distribution": 0, "marketing": 0}, ROLES, 6) == "sales"
    assert de_facto_role({"sales": 1, "distribution": 0, "marketing": 0}, ROLES, 6) is None
    assert de_facto_role({"sales": 0, "distribution": 0, "marketing": 0}, ROLES, 0) is None
    assert de_facto_role({"sales": 1, "distribution": 3, "marketing": 0}, ROLES, 6) == "distribution"


def test_staff_department_crosses_with_one_sure_unit(shipped_model):
    # 経理部 names a staff function: it is expected to do no role work, so one unit the model is sure of is a
    # crossing (経理部 issuing customer invoices, issue 16)
    one = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, 経理部=OTHER + ["得意先への請求書の発行"]), shipped_model)
    d = next(d for d in one.departments if d.name == "経理部")
    assert (d.expected_role, d.role_source) == (None, "name")
    assert ("crossing", "経理部", "distribution") in keys(one)
    assert next(r for r in d.duties if "請求書" in r.text).scores["distribution"] >= LONE_UNIT_SCORE


def test_department_of_another_name_without_role_work_needs_two_units(shipped_model):
    # プロジェクト室 names neither a role nor a staff function: one stray unit among five is no finding, two are
    one = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, プロジェクト室=OTHER + ["得意先への請求書の発行"]),
                          shipped_model)
    assert not [f for f in one.findings if f.kind == "crossing" and f.departments == ["プロジェクト室"]]
    two = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT,
                              プロジェクト室=OTHER + ["得意先への請求書の発行", "入金確認と督促"] + ["経費精算", "予算管理"]),
                          shipped_model)
    assert ("crossing", "プロジェクト室", "distribution") in keys(two)


def test_a_lone_unit_the_model_leans_to_makes_no_crossing(shipped_model):
    docs = org(営業部=SALES, 物流部=DIST, 広報部=MKT, 経理部=OTHER + ["得意先への請求書の発行"])
    r = audit_documents(docs, shipped_model)
    unit = next(u for d in r.departments if d.name == "経理部" for u in d.duties if "請求書" in u.text)
    # the same unit with the bar above its score: no crossing
    import roleclassify.orgaudit as oa

    old = oa.LONE_UNIT_SCORE
    try:
        oa.LONE_UNIT_SCORE = unit.scores["distribution"] + 0.01
        assert ("crossing", "経理部", "distribution") not in keys(audit_documents(docs, shipped_model))
    finally:
        oa.LONE_UNIT_SCORE = old


def test_a_handoff_to_another_department_is_no_crossing(shipped_model):
    r = audit_documents(org(営業部=SALES + ["受注した特売の数量を受注センターへ連絡"], 受注センター=DIST, 広報部=MKT),
                        shipped_model)
    unit = next(u for d in r.departments if d.name == "営業部" for u in d.duties if "連絡" in u.text)
    assert "distribution" in unit.labels  # the model calls it order work ...
    assert ("crossing", "営業部", "distribution") not in keys(r)  # ... but 営業部 only passes it on
    assert is_handoff(unit.text, ["受注センター"]) and not is_handoff(unit.text, ["物流部"])
    assert not is_handoff("受注センターから引き継いだ注文の確認", ["受注センター"])


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


def test_crossing_severity_by_units_and_certainty(shipped_model):
    # one unit, whatever its share: medium (FINDINGS.md: high needs two units)
    (f,) = findings(audit_documents(org(営業部=SALES[:1] + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model), "crossing")
    assert (f.severity, f.detail["count"], f.detail["share"]) == ("medium", 1, 0.5)
    # two certain units whatever their share: high
    (f,) = findings(audit_documents(org(営業部=SALES * 2 + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model), "crossing")
    assert (f.severity, f.detail["count"], f.detail["uncertain"]) == ("high", 2, 0) and f.detail["share"] < 0.34


def test_uncertain_units_weigh_less_and_alone_make_no_crossing(shipped_model):
    r = audit_documents(org(営業部=SALES + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model)
    th = dict(zip(shipped_model.labels, shipped_model.thresholds_))
    # with the threshold moved next to the units' scores, they are uncertain: the crossing goes
    units = [u for d in r.departments if d.name == "営業部" for u in d.duties if "distribution" in u.labels]
    low = min(u.scores["distribution"] for u in units)
    near = audit_documents(org(営業部=SALES + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model, threshold=low - 0.05)
    sales = next(d for d in near.departments if d.name == "営業部")
    assert all("distribution" in u.uncertain for u in sales.duties if abs(u.scores["distribution"] - low) < 0.01)
    assert th  # the default cut is the model's own


def test_shared_severity_and_the_parallel_split(shipped_model):
    twice = audit_documents(org(営業部=SALES + DIST[1:], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(twice, "shared", "distribution")
    assert f.severity == "medium" and f.detail["split"] == {"営業部": 2, "物流部": 2}
    assert f.detail["same_duty"] == ["営業部", "物流部"] and f.message.startswith("the same distribution duty is held by")
    # different sales duties in two parallel sales departments: a split by scope, low
    # (proposals, account growth / partner sales, negotiation: no duty of one in the other)
    spread = audit_documents(org(第一営業部=SALES[:2], 第二営業部=["販売代理店の開拓と支援"], 物流部=DIST, 広報部=MKT),
                             shipped_model)
    (f,) = findings(spread, "shared", "sales")
    assert f.severity == "low" and f.detail["same_duty"] == [] and f.detail["split"] == {"第一営業部": 2, "第二営業部": 1}
    assert f.message == "sales work is split over 第一営業部, 第二営業部"


def test_the_normal_chain_is_a_flow_not_a_shared_finding(shipped_model):
    chain = audit_documents(org(営業部=SALES, 受注センター=["注文書の受付と受注入力", "納期の回答"],
                                物流センター=["ピッキングと梱包", "配送業者の手配"], 業務部=["請求書の発行と送付", "入金の確認と消込"],
                                広報部=MKT), shipped_model)
    assert not findings(chain, "shared", "distribution")
    (flow,) = [f for f in chain.flows if f["role"] == "distribution"]
    assert [s["department"] for s in flow["steps"]] == ["受注センター", "物流センター", "業務部"]
    # the same chain with one duty held twice is an overlap
    twice = audit_documents(org(営業部=SALES, 受注センター=["注文書の受付と受注入力", "納期の回答", "請求書の発行と送付"],
                                物流センター=["ピッキングと梱包", "配送業者の手配"], 業務部=["請求書の発行と送付", "入金の確認と消込"],
                                広報部=MKT), shipped_model)
    (f,) = findings(twice, "shared", "distribution")
    assert f.departments == ["受注センター", "業務部"]


def test_duplicates_of_parallel_departments_are_complementary(shipped_model):
    same = ["担当顧客への定期訪問と新商品の提案"]
    r = audit_documents(org(第一営業課=SALES[:1] + same, 第二営業課=SALES[2:] + same, 物流部=DIST, 広報部=MKT),
                        shipped_model)
    assert not findings(r, "duplicate")
    # the same duty in a department of another kind is a duplicate
    r = audit_documents(org(第一営業課=SALES[:1] + same, サービス部=["機器の修理"] + same, 物流部=DIST, 広報部=MKT),
                        shipped_model)
    assert [f.departments for f in findings(r, "duplicate")] == [["第一営業課", "サービス部"]]


def test_duplicate_severity_by_similarity(shipped_model):
    same = audit_documents(org(営業部=SALES + [DIST[1]], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(same, "duplicate")
    assert (f.severity, f.detail["similarity"], f.role) == ("high", 1.0, "distribution")
    # lemmas 出荷 在庫 棚卸 against 棚卸 在庫 出荷 検品: Jaccard 3/4, no common run of three
    alike = audit_documents(org(営業部=SALES + ["出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"], 広報部=MKT),
                            shipped_model)
    (f,) = findings(alike, "duplicate")
    assert (f.severity, f.detail["similarity"]) == ("medium", 0.75)
    # the lemma pair, and 出荷手配と在庫管理 (the same duty by the duty head, with 出荷 在庫 in common: 0.75 too)
    assert f.departments == ["営業部", "物流部"]
    assert sorted(f.detail["pairs"]) == [["出荷と在庫と棚卸", "出荷手配と在庫管理"], ["出荷と在庫と棚卸", "棚卸と在庫と出荷と検品"]]
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
    (f,) = findings(audit_documents(org(営業部=SALES, 物流部=DIST, 総務部=OTHER + ["会社案内パンフレットの制作"]),
                                    shipped_model), "ownerless")
    assert (f.role, f.severity, f.detail["units"], f.detail["floor"]) == ("marketing", "medium", 1, 2)
    # the nearest holders, closest first
    assert f.detail["nearest_holders"][0] == "総務部" and "beyond a trace (総務部" in f.message
    # one unit in the department named for the role: weakly held, not ownerless
    weak = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT[:1]), shipped_model)
    assert not findings(weak, "ownerless")
    holding = {h["role"]: h for h in weak.role_holding()}
    assert (holding["marketing"]["status"], holding["marketing"]["units"], holding["marketing"]["floor"]) == (
        "weakly held", 1, 2)
    assert holding["sales"]["status"] == "held" and holding["sales"]["holders"][0] == "営業部"
    assert sum(h["share"] for h in holding.values()) == pytest.approx(1.0, abs=1e-3)
    gone = audit_documents(org(営業部=SALES, 物流部=DIST, 総務部=OTHER), shipped_model)
    assert {h["role"]: h["status"] for h in gone.role_holding()}["marketing"] == "ownerless"


def test_a_role_its_department_holds_near_the_threshold_is_weakly_held_not_ownerless(shipped_model):
    docs = org(営業部=["従来よりお取引のあるお客様への営業が基本です"], 物流部=DIST, 広報部=MKT)
    r = audit_documents(docs, shipped_model, threshold=None)
    u = r.departments[0].duties[0]
    # put the cut just above the unit's sales score: the unit is not sales, but near it
    near = audit_documents(docs, shipped_model, threshold=u.scores["sales"] + 0.05)
    d = near.departments[0]
    assert "sales" not in d.duties[0].labels and "sales" in d.duties[0].uncertain
    assert ("ownerless", "sales") not in keys(near)
    far = audit_documents(docs, shipped_model, threshold=min(0.99, u.scores["sales"] + 0.3))
    assert ("ownerless", "sales") in keys(far)


def test_findings_sorted_by_severity_then_kind(shipped_model):
    r = audit_documents(org(営業部=SALES[:1] + [DIST[1]], 物流部=DIST, 第一広報課=MKT[:2], 第二広報課=MKT[2:]), shipped_model)
    rank = {"high": 0, "medium": 1, "low": 2}
    sev = [rank[f.severity] for f in r.findings]
    assert sev == sorted(sev) and len(set(sev)) == 3
    kinds = [f.kind for f in r.findings if f.severity == "high"]
    assert kinds == sorted(kinds, key=["ownerless", "crossing", "duplicate", "shared"].index)


def test_a_duty_counts_for_a_role_above_both_the_threshold_and_min_score(shipped_model):
    docs = org(営業部=SALES + [DIST[1], "顧客の声の社内共有"], 物流部=DIST + ["販促物の発送"], 広報部=MKT + ["営業資料の作成"])
    for kw in ({}, {"min_score": 0.8}, {"threshold": 0.3}, {"threshold": 0.9, "min_score": 0.2}):
        r = audit_documents(docs, shipped_model, **kw)
        th = dict(zip(shipped_model.labels, shipped_model.thresholds_))
        for d in r.departments:
            for u in d.duties:
                bar = {l: max(kw.get("threshold", th[l]), kw.get("min_score", 0.0)) for l in r.labels}
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
                            経理部=OTHER + ["得意先への請求書の発行", "入金確認と督促"] + ["経費精算", "予算管理"],
                            プロジェクト室=OTHER + ["得意先への請求書の発行", "入金確認と督促"] + ["経費精算", "予算管理"]),
                   shipped_model)
    (f,) = [f for f in r.findings if f.kind == "crossing" and f.departments == ["経理部"]]
    assert "(expected: no role work, from its name)" in f.message
    (f,) = [f for f in r.findings if f.kind == "crossing" and f.departments == ["プロジェクト室"]]
    assert "(expected: no role work, from its name and work)" in f.message


def test_duplicate_pair_reports_its_closest_duties(shipped_model):
    # two duplicated duties between one pair: one identical (1.0), one alike (0.75); the finding takes the highest
    r = audit_documents(org(営業部=SALES + [DIST[1], "出荷と在庫と棚卸"], 物流部=DIST[:2] + ["棚卸と在庫と出荷と検品"], 広報部=MKT),
                        shipped_model)
    (f,) = [f for f in r.findings if f.kind == "duplicate"]
    # (and the two the duty head makes of 出荷 在庫 with 出荷手配と在庫管理: four pairs, all of shipping and stock)
    assert (f.severity, f.detail["similarity"], len(f.detail["pairs"])) == ("high", 1.0, 4)
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


def test_prefixes_and_numbers_do_not_make_duties_alike(shipped_model):
    from roleclassify.orgaudit import _content_lemmas

    a, b = _content_lemmas(["お客様からのご要望に合わせた機械の営業", "お客様のご要望に応じた機械の設計"],
                           shipped_model.tokenizer)
    assert "ご" not in a and lemma_similarity(a, b) < 0.6
    c, d = _content_lemmas(["従業員100名未満の顧客の担当", "従業員100名以上の顧客の担当"], shipped_model.tokenizer)
    assert not any(x.isdigit() for x in c + d)


def test_a_duty_similarity_by_meaning_plugs_in(shipped_model):
    # two departments answering customers' questions in other words: not alike by lemmas ...
    docs = org(営業部=SALES, 受注課=DIST + ["お客様からの製品の使用方法についての質問への対応"],
               開発部=["新製品の処方開発", "既存顧客から寄せられる製品の使い方に関する問い合わせへの回答"], 広報部=MKT)
    assert not findings(audit_documents(docs, shipped_model), "duplicate")

    # ... alike for a similarity that knows they are one duty (a stand-in for a duty classifier)
    def by_meaning(texts):
        kind = ["inquiry" if ("質問" in t or "問い合わせ" in t) else t for t in texts]
        return lambda i, j: 1.0 if kind[i] == kind[j] else 0.0

    r = audit_documents(docs, shipped_model, similarity=by_meaning)
    (f,) = findings(r, "shared", "distribution")
    assert f.departments == ["受注課", "開発部"]
    # the same duty is a duplicate only where the duplicate similarity says so too (a duty id is coarse)
    assert not findings(r, "duplicate")
    r = audit_documents(docs, shipped_model, similarity=by_meaning, duplicate_similarity=by_meaning)
    assert [f.departments for f in findings(r, "duplicate")] == [["受注課", "開発部"]]


def test_the_same_duty_in_parallel_departments_is_a_low_shared_finding(shipped_model):
    same = "担当工務店への定期訪問と新商品の提案"
    r = audit_documents(org(第一営業課=[same, SALES[0]], 第二営業課=[same, SALES[2]], 物流部=DIST, 広報部=MKT), shipped_model)
    (f,) = findings(r, "shared", "sales")
    assert f.severity == "low" and f.detail["same_duty"] == ["第一営業課", "第二営業課"]
    r = audit_documents(org(第一営業課=[same, SALES[0]], 業務部=[same] + DIST, 広報部=MKT), shipped_model)
    (f,) = findings(r, "shared", "sales")
    assert f.severity == "medium"


def test_audit_reads_a_document_from_stdin(monkeypatch):
    import io

    from click.testing import CliRunner

    from roleclassify.cli import cli

    text = "【営業部】\n・新規顧客への提案営業\n・出荷手配と在庫管理\n【物流部】\n・出荷手配と在庫管理\n"
    r = CliRunner().invoke(cli, ["audit", "-", "--format", "json", "--encoding", "cp932"],
                           input=io.BytesIO(text.encode("cp932")))
    assert r.exit_code == 0, r.output
    data = __import__("json").loads(r.stdout)
    assert [d["department"] for d in data["reading"]["departments"]] == ["営業部", "物流部"]
    dup = next(f for f in data["findings"] if f["kind"] == "duplicate")
    assert [e["location"] for e in dup["evidence"]] == ["<stdin>:3", "<stdin>:5"]
    bad = CliRunner().invoke(cli, ["audit", "-"], input="just a line\n")
    assert bad.exit_code == 1 and "<stdin>: no department structure found" in bad.output


def test_a_document_mostly_left_out_is_warned_about(tmp_path):
    from click.testing import CliRunner

    from roleclassify.cli import cli

    doc = tmp_path / "org.txt"
    doc.write_text("【営業部】\n・新規顧客への提案営業\n【物流部】\n・出荷手配と在庫管理\n"
                   + "".join(f"※注記その{i}\n" for i in range(6)), encoding="utf-8")
    r = CliRunner().invoke(cli, ["audit", str(doc), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert "roleclassify: warning:" in r.stderr and "6 of 10 lines were left out" in r.stderr
    assert __import__("json").loads(r.stdout)["reading"]["warnings"]


@pytest.mark.parametrize("name,staff", [
    ("経理部", True), ("総務課", True), ("品質保証部", True), ("経営企画部", True), ("商品部", True), ("技術サービス部", True),
    ("管理部", True), ("メンテナンス", False), ("ドライバー職", False), ("カスタマーサクセス部", False), ("施工", False),
])
def test_staff_names(name, staff):
    assert is_staff_name(name) is staff
    # a staff name never states a role itself: its role is none, whatever it does
    assert infer_role(name, ROLES) is None


def test_model_duty_similarity_finds_paraphrases(shipped_model, tiny_model):
    """Two duties in different words that the duty head gives the same duty are alike; others fall back to the
    content lemmas; a model without a duty head gives the lemma similarity itself."""
    from roleclassify.orgaudit import lemma_duty_similarity, model_duty_similarity

    texts = ["取引先への請求書の発行に関すること", "売掛金の請求処理と入金確認", "展示会の企画及び運営"]
    by_meaning = model_duty_similarity(shipped_model)(texts)
    by_lemma = lemma_duty_similarity(shipped_model.tokenizer)(texts)
    assert by_lemma(0, 1) < 0.5 and by_meaning(0, 1) == 1.0
    assert by_meaning(0, 2) == by_lemma(0, 2) < 0.5
    if getattr(tiny_model, "duty_head", None) is None:
        plain = model_duty_similarity(tiny_model)(texts)
        assert plain(0, 1) == lemma_duty_similarity(tiny_model.tokenizer)(texts)(0, 1)


def test_duty_views_matrix_several_and_checklist(shipped_model):
    """With a duty head: the department × duty matrix counts each department's sentences per duty; a duty two
    departments state in different words is listed with both sentences and a suggested owner (the department
    named for its role); a standard duty nobody holds is on the checklist with that owner; a hand-off holds
    nothing."""
    rep = audit_documents(org(営業部=SALES, 業務部=[*DIST, "取引先への請求書の発行"],
                              経理部=["売掛金の請求処理と入金確認", *OTHER[:2]],
                              マーケティング部=[*MKT, "受注した案件を業務部へ連絡"]), shipped_model)
    assert rep.duty_list and rep.duty_matrix()["業務部"].get("billing") == 1
    several = {d["duty"]: d for d in rep.duties_held_by_several()}
    assert set(several["billing"]["departments"]) == {"業務部", "経理部"}
    assert several["billing"]["suggested_owner"] == "業務部"  # named for distribution, the duty's role
    assert "its name states distribution" in several["billing"]["because"]
    assert not any("マーケティング部" in d["departments"] for d in several.values()
                   if d["duty"] == "order_processing")  # the hand-off holds no order processing
    held = {k for row in rep.duty_matrix().values() for k in row}
    checklist = {c["duty"]: c for c in rep.duty_checklist()}
    assert checklist and not set(checklist) & held
    assert all(c["role"] in ROLES for c in checklist.values())
    for c in checklist.values():
        owner = {"sales": "営業部", "distribution": "業務部", "marketing": "マーケティング部"}[c["role"]]
        assert c["suggested_owner"] == owner
    d = rep.to_dict()
    assert {"duty_matrix", "duties_held_by_several", "duty_checklist"} <= set(d)


def test_no_duty_views_without_a_duty_head(tiny_model):
    if getattr(tiny_model, "duty_head", None) is not None:
        pytest.skip("the tiny model has a duty head")
    rep = audit_documents(org(営業部=SALES, 業務部=DIST), tiny_model)
    assert rep.duty_matrix() == {} and rep.duty_checklist() == [] and "duty_matrix" not in rep.to_dict()


def test_meaning_duty_similarity_needs_the_duty_a_role_and_some_words(shipped_model, tiny_model):
    """The audit's default similarity: the same duty in other words is alike (DUTY_MATCH_SIMILARITY); the same
    duty id with no word in common (two proposals to different customers), a unit handing the work on to a
    department, and two units of no role are not; a model without a duty head gives the lemma similarity."""
    from roleclassify.orgaudit import DUTY_MATCH_SIMILARITY, lemma_duty_similarity, meaning_duty_similarity

    texts = ["配送中に破損した商品の交換品の手配", "輸送時の破損品の引き取りと代替品の再配送",
             "担当得意先から受けた注文の業務部への伝達", "得意先からの注文の受付及び受注入力", "担当得意先から受けた注文の伝達",
             "新規顧客への提案営業", "見込み客への訪問と商談", "乗務員の点呼と健康状態の確認", "乗務員の採用と給与計算"]
    sim = meaning_duty_similarity(shipped_model)(texts)
    lemma = lemma_duty_similarity(shipped_model.tokenizer)(texts)
    assert lemma(0, 1) < 0.5 and sim(0, 1) == DUTY_MATCH_SIMILARITY
    # the same order duty: alike, unless one side passes the order on to a department
    assert sim(4, 3) == DUTY_MATCH_SIMILARITY and sim(2, 3) == lemma(2, 3) < 0.5
    assert sim(5, 6) == lemma(5, 6) < 0.15  # one duty id (proposal), no content word in common
    assert sim(7, 8) == lemma(7, 8) < 0.5  # one duty id (hr_admin) of no role
    if getattr(tiny_model, "duty_head", None) is None:
        assert meaning_duty_similarity(tiny_model)(texts)(0, 1) == lemma(0, 1)
    # in an audit (the default similarity): the restated duty is a duplicate and a shared duty of its role
    r = audit_documents(org(営業部=SALES, 受注課=DIST[:2] + [texts[0]], 物流課=["配送ルートの作成", texts[1]], 広報部=MKT),
                        shipped_model)
    assert [f.departments for f in findings(r, "duplicate")] == [["受注課", "物流課"]]
    assert [f.departments for f in findings(r, "shared", "distribution")] == [["受注課", "物流課"]]


def test_a_department_and_its_own_section_do_not_duplicate_each_other(shipped_model, tmp_path):
    """業務部 stating what its 受注課 does is one line of command; the same duty in a department of another
    line (物流部) is still a duplicate."""
    from openpyxl import Workbook

    from roleclassify.orgaudit import audit

    wb = Workbook()
    ws = wb.active
    rows = [("部", "課", "業務内容"), ("営業部", None, "新規顧客への提案営業"), (None, None, "既存顧客へのルート営業"),
            ("業務部", None, "受注から出荷までの進捗管理"), (None, "受注課", "受注から出荷までの進捗管理"),
            (None, None, "受注データの入力"), ("物流部", None, "受注から出荷までの進捗管理"), (None, None, "配送業者の手配"),
            ("広報部", None, "展示会の企画と運営"), (None, None, "Web広告の運用")]
    for row in rows:
        ws.append(row)
    doc = tmp_path / "分掌表.xlsx"
    wb.save(doc)
    r = audit([doc], shipped_model)
    assert {d.name: d.parent for d in r.departments}["受注課"] == "業務部"
    pairs = sorted(sorted(f.departments) for f in findings(r, "duplicate"))
    assert ["業務部", "受注課"] not in pairs and ["受注課", "業務部"] not in pairs
    assert ["受注課", "物流部"] in pairs or ["物流部", "受注課"] in pairs


def test_the_same_duty_in_no_common_word_is_shared_but_not_a_duplicate(shipped_model):
    """クレーム受付 and お客様からの苦情対応 share no word: the duty head makes them one kind of work held by two
    departments (shared; they are too short to differ in scope), not the same duty stated twice (a duplicate
    needs some wording in common)."""
    from roleclassify.orgaudit import SHARED_SHORT_LEMMAS, meaning_duty_similarity

    texts = ["クレーム受付", "お客様からの苦情対応", "納期の回答と出荷日の調整", "出荷指示に基づくピッキングと梱包"]
    shared = meaning_duty_similarity(shipped_model, short=SHARED_SHORT_LEMMAS)(texts)
    assert shared(0, 1) == 0.75 and meaning_duty_similarity(shipped_model)(texts)(0, 1) < 0.5
    # two longer units of one duty id (shipping) and no word in common: two steps of the chain, not one duty
    assert shared(2, 3) < 0.5
    r = audit_documents(org(営業部=SALES, 受注課=DIST[:2] + ["クレーム受付"], 品質保証部=["製品検査", "お客様からの苦情対応"],
                            広報部=MKT), shipped_model)
    assert [f.departments for f in findings(r, "shared", "distribution")] == [["受注課", "品質保証部"]]
    assert not findings(r, "duplicate")


def test_an_accounts_section_is_a_staff_department(shipped_model):
    """会計課 (as 経理部) states no role: a customer complaint it takes is a crossing."""
    assert is_staff_name("会計課") and infer_role("会計課", ROLES) is None


def test_an_expect_of_an_unknown_role_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from roleclassify.cli import cli

    doc = tmp_path / "org.txt"
    doc.write_text("【営業部】\n・新規顧客への提案営業\n【総務課】\n・備品の管理\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["audit", str(doc), "--expect", "総務課=sales_x"])
    assert r.exit_code == 2 and "'sales_x' is not a label of the model" in r.output


def test_the_audit_s_two_similarities_read_the_duty_texts_once(shipped_model, monkeypatch):
    """The shared-duty and the duplicate similarity of one audit tag the same duty texts: once, not twice."""
    from roleclassify.orgaudit import _plugins

    calls = []
    real = shipped_model.tag_dicts
    monkeypatch.setattr(shipped_model, "tag_dicts", lambda texts, **kw: calls.append(len(texts)) or real(texts, **kw))
    shared, duplicate = _plugins(shipped_model, None, None)
    texts = ["クレーム受付", "お客様からの苦情対応", "請求書の発行"]
    shared(texts)(0, 1), duplicate(texts)(0, 1)
    assert calls == [3]


def test_the_remaining_word_overlap_counts_the_words_inside_compounds(shipped_model):
    """SudachiPy's split mode C keeps 発注数 one lemma: 補充発注 and 補充発注数 then share only 補充 (below the
    duty head's bar of common words); counted inside compounds they share 補充 and 発注, the same duty of one
    role stated twice (a duplicate and a shared duty)."""
    from roleclassify.orgaudit import DUTY_MATCH_LEMMAS, DUTY_MATCH_SIMILARITY, meaning_duty_similarity, word_overlap

    assert word_overlap(["発注数"], ["発注"]) == 1.0 and word_overlap(["在庫数"], ["照会"]) == 0.0
    texts = ["店舗の欠品確認と補充発注", "週次の補充発注数の算出"]
    lemma = lemma_duty_similarity_of(shipped_model, texts)
    assert lemma < DUTY_MATCH_LEMMAS  # as whole lemmas, only 補充 is common
    assert meaning_duty_similarity(shipped_model)(texts)(0, 1) == DUTY_MATCH_SIMILARITY
    r = audit_documents(org(営業部=SALES, 店舗運営部=[texts[0], "売場の陳列基準の作成"], 商品部=[texts[1], "新規取扱商品の選定"],
                            広報部=MKT), shipped_model)
    assert [f.departments for f in findings(r, "duplicate")] == [["店舗運営部", "商品部"]]
    assert [f.departments for f in findings(r, "shared", "distribution")] == [["店舗運営部", "商品部"]]


def lemma_duty_similarity_of(model, texts):
    from roleclassify.orgaudit import lemma_duty_similarity

    return lemma_duty_similarity(model.tokenizer)(texts)(0, 1)


def test_ordering_from_suppliers_is_no_crossing_of_a_buying_department(shipped_model):
    """仕入先への発注 reads like order work to the role model; the duty head gives it purchasing (buying from
    suppliers, no role: LABELS.md "Direction"), so the unit is uncertain for its roles: shown, and no crossing of
    商品部 on its own; the same department's replenishment of the stores (no buying duty) still is one."""
    from roleclassify.orgaudit import BUYING_DUTIES

    buying = "仕入先への発注と納期の調整"
    r = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, 商品部=["新規取扱商品の選定", buying, "品質基準の作成"]),
                        shipped_model)
    unit = next(u for d in r.departments if d.name == "商品部" for u in d.duties if u.text == buying)
    assert "distribution" in unit.labels and BUYING_DUTIES & set(unit.duties)
    assert "distribution" in unit.uncertain and not unit.certain("distribution")
    assert ("crossing", "商品部", "distribution") not in keys(r)
    assert any(u["text"] == buying for u in r.uncertain_units())
    store = audit_documents(org(営業部=SALES, 物流部=DIST, 広報部=MKT, 商品部=["新規取扱商品の選定", "店舗への補充発注の指示"]),
                            shipped_model)
    assert ("crossing", "商品部", "distribution") in keys(store)


def test_the_auxiliaries_of_prose_are_no_common_word(shipped_model):
    """しています / を担当しています end most lines of a careers page: their いる is no word of the duty, so two
    steps of the chain in prose (出荷日の調整 / 梱包作業, both shipping) share no word and are no duplicate; nor are
    the verbs of compound particles (について, に基づく) words of a duty."""
    from roleclassify.orgaudit import _content_lemmas, meaning_duty_similarity

    texts = ["出荷日の調整をしています。", "梱包作業を担当しています。"]
    a, b = _content_lemmas(texts, shipped_model.tokenizer)
    assert "いる" not in a + b
    assert meaning_duty_similarity(shipped_model)(texts)(0, 1) < 0.6
    (c,) = _content_lemmas(["製品の使い方についての質問に基づく手順書の作成"], shipped_model.tokenizer)
    assert "つく" not in c and "基づく" not in c
    r = audit_documents(org(営業部=SALES, 業務課=["受注データの入力", texts[0]], 物流課=[texts[1], "倉庫の棚卸"], 広報部=MKT),
                        shipped_model)
    assert not findings(r, "duplicate")
