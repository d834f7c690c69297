"""The decision logic, each rule pinned at its boundary so that breaking it fails a test.

These are the functions bench/mutation.py mutates (a comparison loosened, a constant moved, min/max swapped):
threshold tuning, document-threshold tuning, the calibration figures, macro-F1 over the classes that occur,
the review flags, the roll-up of sentences into an item, label-error search, ``suggest``'s diversity and the
audit's severities. Values are chosen to be exact in binary floating point (0.125, 0.375, ...) where a test sits
on a boundary, and compared with an independent implementation (scikit-learn, a plain loop) where it does not.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_recall_fscore_support

from roleclassify.corpus import CorpusItem
from roleclassify.evaluation import multilabel_report
from roleclassify.model import ReviewPolicy, RoleClassifier, rollup_scores
from roleclassify.suggest import uncertainty
from roleclassify.training import (
    _labels_from_probs,
    _tune_doc_threshold,
    calibration_report,
    tune_thresholds,
)

ROLES = ["sales", "distribution", "marketing"]


# --- per-label thresholds -------------------------------------------------------------------------------------

def _col(pos, neg):
    P = np.array([[p] for p in pos + neg])
    Y = np.array([[1]] * len(pos) + [[0]] * len(neg))
    return P, Y


def test_threshold_is_inclusive_and_the_best_f1_wins():
    # at 0.3 both are predicted (F1 2/3), at 0.4 only the positive (F1 1), at 0.5 none (F1 0)
    P, Y = _col([0.4], [0.3])
    assert tune_thresholds(P, Y, grid=[0.3, 0.4, 0.5]).tolist() == [0.4]


def test_ties_go_to_the_lowest_threshold():
    P, Y = _col([0.6, 0.7], [0.1, 0.2])
    assert tune_thresholds(P, Y, grid=[0.3, 0.4, 0.5]).tolist() == [0.3]


def test_recall_and_precision_both_count():
    # 0.3: tp 2, fp 2 (F1 .667); 0.45: tp 2, fp 0 (F1 1); 0.55: tp 1, fn 1 (F1 .667)
    P, Y = _col([0.5, 0.6], [0.35, 0.4])
    assert tune_thresholds(P, Y, grid=[0.3, 0.45, 0.55]).tolist() == [0.45]
    # 0.3: tp 1, fn 1, fp 0 (F1 .667); 0.5: tp 0 (F1 0): missing positives lowers F1
    P, Y = _col([0.4, 0.2], [0.1])
    assert tune_thresholds(P, Y, grid=[0.3, 0.5]).tolist() == [0.3]


def test_default_grid_is_020_to_070_by_0025():
    P, Y = _col([0.46, 0.47], [0.44, 0.43])
    assert tune_thresholds(P, Y).tolist() == pytest.approx([0.45])
    P, Y = _col([0.21], [0.19])
    assert tune_thresholds(P, Y).tolist() == pytest.approx([0.2])
    # nothing on the grid separates 0.705 from 0.9: the grid stops at 0.70, so the lowest grid point is kept
    P, Y = _col([0.9], [0.705])
    assert tune_thresholds(P, Y).tolist() == pytest.approx([0.2])


def test_thresholds_agree_with_sklearn_f1_on_random_data():
    rng = np.random.default_rng(0)
    grid = np.round(np.arange(0.2, 0.71, 0.025), 3)
    for _ in range(6):
        Y = (rng.random((60, 3)) < 0.3).astype(int)
        P = np.clip(Y * rng.uniform(0.2, 0.9, Y.shape) + (1 - Y) * rng.uniform(0.0, 0.6, Y.shape), 0, 1).round(3)
        got = tune_thresholds(P, Y, grid=grid)
        for j in range(3):
            f = [f1_score(Y[:, j], P[:, j] >= t, zero_division=0) for t in grid]
            assert got[j] == grid[int(np.argmax(f))]


def test_labels_from_probs_is_inclusive():
    assert _labels_from_probs(np.array([[0.5, 0.49, 0.6]]), np.array([0.5, 0.5, 0.5]), ROLES) == [["sales", "marketing"]]


# --- document threshold ---------------------------------------------------------------------------------------

def _doc(name, gold, line_roles):
    return CorpusItem("。".join(line_roles), gold, id=name, unit="document", lines=[(r, [r]) for r in line_roles])


def _doc_inputs(docs):
    rows, groups = [], []
    for d in docs:
        for _, (r,) in d.lines:
            rows.append([1.0 if r == l else 0.0 for l in ROLES])
            groups.append(d.id)
    return np.array(rows), groups


def test_doc_threshold_first_value_recovering_most_documents():
    # A (sales) has sales 2/3, marketing 1/3: right only once the threshold passes 1/3; B (sales+marketing, 1/2
    # each) right up to 0.5. The first threshold of the grid 0.15, 0.20, ... that gets both right is 0.35.
    docs = [_doc("A", ["sales"], ["sales", "sales", "marketing"]), _doc("B", ["sales", "marketing"], ["sales", "marketing"])]
    P, groups = _doc_inputs(docs)
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.35


def test_doc_threshold_share_is_inclusive_and_grid_ends_at_060():
    # C (sales+marketing) has marketing exactly 0.25 of its lines: right only at thresholds <= 0.25; A needs > 1/3.
    # The best (two of three) is first reached at 0.15.
    docs = [_doc("A", ["sales"], ["sales", "sales", "marketing"]),
            _doc("C", ["sales", "marketing"], ["sales", "sales", "sales", "marketing"]),
            _doc("D", ["sales", "distribution"], ["sales", "distribution"])]
    P, groups = _doc_inputs(docs)
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.15
    # E needs marketing (0.6 of its lines) alone: distribution (0.4) out, so a threshold above 0.4 and <= 0.6
    # (a share of exactly 0.4 passes the threshold 0.4 as tagging applies it, so 0.4 is not one)
    docs = [_doc("E", ["marketing"], ["marketing"] * 3 + ["distribution"] * 2)]
    P, groups = _doc_inputs(docs)
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.45
    # F needs both at 0.6 / 0.4: only thresholds <= 0.4
    docs = [_doc("F", ["marketing", "distribution"], ["marketing"] * 3 + ["distribution"] * 2),
            _doc("G", ["marketing"], ["marketing"] * 4 + ["distribution"])]
    P, groups = _doc_inputs(docs)
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.25


def _docs_from_rows(spec):
    """Documents given as (gold, rows of line probabilities)."""
    docs, P, groups = [], [], []
    for k, (gold, rows) in enumerate(spec):
        docs.append(CorpusItem("x", gold, id=f"d{k}", unit="document", lines=[("x", [])] * len(rows)))
        P.extend(rows)
        groups.extend([f"d{k}"] * len(rows))
    return docs, np.array(P, dtype=float), groups


def test_doc_share_at_the_threshold_counts():
    g = 0.45
    # K (sales+marketing) right while marketing's share g reaches the threshold; L (sales) right once its
    # marketing share, just below g, falls under it: only t = g gets both
    docs, P, groups = _docs_from_rows([(["sales", "marketing"], [[0.9, 0, g]]), (["sales"], [[0.9, 0, g - 0.01]])])
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.45


def test_doc_grid_ends_at_060():
    # right only for a threshold in (0.62, 0.65]: beyond the grid, so nothing is right and the first value stays
    docs, P, groups = _docs_from_rows([(["marketing"], [[0, 0.62, 0.65]])])
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.15


def test_doc_line_at_its_threshold_is_a_role_line_and_the_fallback_is_argmax():
    # H: its one line sits exactly on the line thresholds, so it is a role line: shares 0.5 / 0.5, right while
    # the threshold is at most 0.5. J: shares 0.5 / 0.5 (sales, distribution) below every threshold above 0.5,
    # so the best role, sales (the first of equals), is its label: right from 0.55 on.
    docs, P, groups = _docs_from_rows([
        (["sales", "marketing"], [[0.5, 0, 0.5]]),
        (["sales"], [[1, 0, 0], [0, 1, 0]]),
    ])
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.15
    # a document none of whose lines reaches its threshold predicts no role: right for gold [] at every threshold
    docs, P, groups = _docs_from_rows([([], [[0.25, 0, 0], [0, 0, 0.25]]), (["sales"], [[1, 0, 0], [0, 1, 0]])])
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.55
    docs, P, groups = _docs_from_rows([(["distribution"], [[1, 0, 0], [0, 1, 0]])])
    assert _tune_doc_threshold(docs, P, groups, ROLES, np.full(3, 0.5)) == 0.15  # never right: the first


def test_doc_threshold_without_documents_is_030():
    items = [CorpusItem("受注処理", ["distribution"], id="s1")]
    assert _tune_doc_threshold(items, np.array([[0.1, 0.9, 0.1]]), ["s1"], ROLES, np.full(3, 0.5)) == 0.3


# --- calibration ----------------------------------------------------------------------------------------------

def test_calibration_by_hand():
    r = calibration_report(np.array([[0.1], [0.9]]), np.array([[0], [1]]))
    assert r == {"brier": 0.01, "ece": 0.1}
    # one bin holding 0.62 and 0.68 with outcomes 1, 0: |0.65 - 0.5| = 0.15
    r = calibration_report(np.array([[0.62], [0.68]]), np.array([[1], [0]]))
    assert r == {"brier": round((0.38**2 + 0.68**2) / 2, 4), "ece": 0.15}
    # two bins of unequal size: weights 3/4 and 1/4
    r = calibration_report(np.array([[0.05], [0.05], [0.05], [0.95]]), np.array([[0], [0], [1], [1]]))
    assert r["ece"] == round(0.75 * abs(0.05 - 1 / 3) + 0.25 * 0.05, 4)
    assert calibration_report(np.zeros((0, 3)), np.zeros((0, 3))) == {"brier": 0.0, "ece": 0.0}


def _ece(p, y, bins):
    total = 0.0
    for k in range(bins):
        inside = [(pi, yi) for pi, yi in zip(p, y) if min(int(pi * bins), bins - 1) == k]
        if inside:
            total += len(inside) / len(p) * abs(sum(a for a, _ in inside) / len(inside) - sum(b for _, b in inside) / len(inside))
    return total


@pytest.mark.parametrize("bins", [10, 5])
def test_calibration_agrees_with_a_plain_loop(bins):
    rng = np.random.default_rng(bins)
    for _ in range(10):
        P = rng.random((40, 3))
        Y = (rng.random((40, 3)) < P**2).astype(int)
        r = calibration_report(P, Y, bins=bins)
        assert r["brier"] == pytest.approx(float(np.mean((P - Y) ** 2)), abs=1e-4)
        assert r["ece"] == pytest.approx(_ece(P.ravel().tolist(), Y.ravel().tolist(), bins), abs=1e-4)


# --- macro-F1 over the classes that occur ---------------------------------------------------------------------

def test_macro_f1_only_over_classes_with_support_or_predictions():
    assert multilabel_report([["sales"]] * 3, [["sales"]] * 3, ROLES)["macro_f1"] == 1.0
    # sales: P 1, R 0.5 (F1 2/3); marketing: predicted once, never gold (F1 0); distribution, other: absent
    r = multilabel_report([["sales"], ["sales"]], [["sales"], ["marketing"]], ROLES)
    assert r["macro_f1"] == 0.3333 and r["exact_match"] == 0.5
    assert r["per_class"]["sales"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert r["per_class"]["marketing"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    # "other" is an empty list or ["other"] alike, on both sides
    r = multilabel_report([[], ["other"], ["sales", "other"]], [["other"], [], ["sales"]], ROLES)
    assert r["macro_f1"] == 1.0 and r["exact_match"] == 1.0 and r["per_class"]["other"]["support"] == 2
    assert multilabel_report([], [], ROLES)["macro_f1"] == 0.0


def test_multilabel_report_agrees_with_sklearn():
    rng = np.random.default_rng(1)
    classes = [*ROLES, "other"]
    for _ in range(20):
        n = int(rng.integers(1, 30))

        def draw():
            out = []
            for _ in range(n):
                labs = [l for l in ROLES if rng.random() < 0.3]
                out.append(labs)
            return out

        gold, pred = draw(), draw()
        r = multilabel_report(gold, pred, ROLES)

        def mat(rows):
            return np.array([[int(c in row) if c != "other" else int(not row) for c in classes] for row in rows])

        G, Pm = mat(gold), mat(pred)
        prec, rec, f1, sup = precision_recall_fscore_support(G, Pm, average=None, zero_division=0)
        for k, c in enumerate(classes):
            assert r["per_class"][c] == {"precision": round(prec[k], 4), "recall": round(rec[k], 4),
                                         "f1": round(f1[k], 4), "support": int(sup[k])}
        occurs = (G.sum(axis=0) + Pm.sum(axis=0)) > 0
        assert r["macro_f1"] == pytest.approx(round(float(np.round(f1, 4)[occurs].mean()), 4), abs=1e-4)
        assert r["exact_match"] == round(float((G == Pm).all(axis=1).mean()), 4)
        assert sum(sum(row.values()) for row in r["confusion"].values()) == n


def test_per_register_is_the_report_of_each_register():
    gold = [["sales"], ["sales"], ["marketing"], ["distribution"]]
    pred = [["sales"], ["marketing"], ["marketing"], ["sales"]]
    r = multilabel_report(gold, pred, ROLES, registers=["ad", "ad", None, "page"])
    assert r["per_register"] == {
        "ad": {"n": 2, "macro_f1": multilabel_report(gold[:2], pred[:2], ROLES)["macro_f1"]},
        "page": {"n": 1, "macro_f1": 0.0},
        "unknown": {"n": 1, "macro_f1": 1.0},
    }


# --- review flags, roll-up, main roles ------------------------------------------------------------------------

def test_review_flags_at_their_boundaries():
    th = np.array([0.5, 0.375, 0.5])
    pol = ReviewPolicy(margin=0.5, band=0.125)
    rows = np.array([
        [0.625, 0.0, 0.0],      # best 0.125 above its threshold: not within the band (strict)
        [0.5 + 0.0625, 0.0, 0.0],  # inside the band: low
        [0.625, 0.25, 0.0],     # second (0.25) exactly band below its threshold 0.375, gap 0.375 < margin: close
        [0.625, 0.0, 0.25],     # the same 0.25 on a label of threshold 0.5: too far below it
        [0.625, 0.125, 0.25],   # second best is marketing (0.25), not distribution: too far below 0.5
    ])
    assert pol.flags(rows, th).tolist() == [False, True, True, False, False]
    # the gap must be strictly below the margin
    tight = ReviewPolicy(margin=0.375, band=0.125)
    assert tight.flags(rows[2:3], th).tolist() == [False]
    assert ReviewPolicy(margin=0.4375, band=0.125).flags(rows[2:3], th).tolist() == [True]
    # one label: only "low" applies
    assert pol.flags(np.array([[0.5625], [0.875]]), np.array([0.5])).tolist() == [True, False]
    assert pol.flags(np.zeros((0, 3)), th).tolist() == []


def test_rollup_scores_divides_by_the_soft_count_of_role_sentences_at_least_one():
    # soft count 0.3 < 1: divided by 1, so scores stay low
    assert rollup_scores(np.array([[0.2, 0.1], [0.1, 0.1]])).tolist() == pytest.approx([0.3, 0.2])
    # soft count 0.9 + 0.6 = 1.5
    assert rollup_scores(np.array([[0.9, 0.1], [0.3, 0.6]])).tolist() == pytest.approx([1.2 / 1.5, 0.7 / 1.5])


def test_main_roles():
    fake = types.SimpleNamespace(labels=ROLES, doc_threshold=0.375)
    main = RoleClassifier._main_roles
    assert main(fake, [0.375, 0.25, 0.5], False) == ["sales", "marketing"]
    assert main(fake, [0.25, 0.125, 0.3], False) == ["marketing"]  # none passes: the best one
    assert main(fake, [0.25, 0.3, 0.125], False) == ["distribution"]
    assert main(fake, [0.9, 0.9, 0.9], True) == ["other"]


def test_item_shares_and_scores_follow_from_its_sentences(tiny_model):
    text = "新規顧客への提案営業を行います。受注データの入力と出荷手配を担当します。社内の清掃当番があります。展示会の企画と運営を担当します。"
    (t,) = tiny_model.tag([text])
    assert len(t.sentences) == 4
    n = len(t.sentences)
    want = dict.fromkeys([*tiny_model.labels, "other"], 0.0)
    for s in t.sentences:
        roles = [l for l in s.labels if l != "other"]
        for l in roles:
            want[l] += 1 / len(roles) / n
        if not roles:
            want["other"] += 1 / n
    assert t.shares == pytest.approx(want, abs=1e-4)
    P = np.array([[s.scores[l] for l in tiny_model.labels] for s in t.sentences])
    assert [t.scores[l] for l in tiny_model.labels] == pytest.approx(rollup_scores(P).tolist(), abs=1e-3)


# --- suggest --------------------------------------------------------------------------------------------------

def test_uncertainty_relative_to_the_room_on_each_side():
    th = np.array([0.25, 0.5])
    u = uncertainty(np.array([[0.125, 0.0], [0.0, 0.75], [0.625, 1.0], [0.0, 1.0]]), th)
    # 0.125 is half-way below 0.25 (room 0.25): 0.5; 0.75 is half-way above 0.5 (room 0.5): 0.5;
    # 0.625 is half-way above 0.25 (room 0.75): 0.5; all at 0 or 1: 0
    assert u.tolist() == [0.5, 0.5, 0.5, 0.0]
    assert uncertainty(np.array([[0.25, 1.0]]), th).tolist() == [1.0]
    assert uncertainty(np.zeros((0, 2)), th).tolist() == []


POOL = ["法人顧客のフォローと契約更新", "季節ごとの売場づくり", "法人顧客のフォローと契約更新を担当",
        "法人顧客のフォローと契約更新を行う", "営業部門を支える企画を担う", "店頭での接客と商品提案",
        "仕訳の入力と経費精算のチェック", "新規顧客への提案営業", "受注処理と在庫管理"]


def _suggest(model, **kw):
    from roleclassify.io.readers import Record
    from roleclassify.suggest import suggest

    recs, errors = suggest(model, [Record(i, t, {}, f"pool.txt:{i + 1}") for i, t in enumerate(POOL)], **kw)
    assert errors == []
    return [r["text"] for r in recs]


def _greedy(model, n, diversity):
    """suggest's choice written out plainly: most uncertain first, then uncertainty * (1 - diversity * the
    highest cosine similarity to a sentence already chosen)."""
    units = model.units(POOL)
    unc = uncertainty(model.proba_units(units), model.thresholds_)
    X = model.featurizer.transform(units).toarray()
    sim = X @ X.T
    left = sorted(range(len(POOL)), key=lambda i: (-unc[i], i))
    chosen: list[int] = []
    while left and len(chosen) < n:
        best = max(left, key=lambda i: unc[i] * (1 - diversity * max((sim[i, c] for c in chosen), default=0.0)))
        chosen.append(best)
        left.remove(best)
    return [POOL[i] for i in chosen]


def test_suggest_diversity_skips_rewordings(shipped_model):
    plain = _suggest(shipped_model, n=4, diversity=0.0)
    diverse = _suggest(shipped_model, n=4, diversity=1.0)
    # without diversity: the four most uncertain, two of them the same duty in other words
    assert plain[0] == diverse[0] == "法人顧客のフォローと契約更新"
    assert "法人顧客のフォローと契約更新を行う" in plain
    # with it, no rewording of a sentence already chosen
    assert not [t for t in diverse[1:] if t.startswith("法人顧客のフォローと契約更新")]
    for d in (0.0, 0.5, 1.0):
        assert _suggest(shipped_model, n=len(POOL), diversity=d) == _greedy(shipped_model, len(POOL), d)
        assert _suggest(shipped_model, n=3, diversity=d) == _greedy(shipped_model, 3, d)


def test_suggest_pool_keeps_the_most_uncertain_while_streaming(shipped_model):
    top = _greedy(shipped_model, 3, 0.0)
    assert _suggest(shipped_model, n=3, pool=3, diversity=0.0, batch_size=2) == top
    assert set(_suggest(shipped_model, n=3, pool=3, diversity=1.0, batch_size=2)) == set(top)
    assert _suggest(shipped_model, n=3, pool=3, diversity=0.0, exclude=[top[0]], batch_size=4)[0] == top[1]


# --- likely label errors --------------------------------------------------------------------------------------

_SALES = ["新規顧客への提案営業", "法人顧客への訪問営業", "見込み客との商談", "既存顧客へのルート営業", "顧客への提案と商談",
          "新規開拓の飛び込み営業", "法人営業と契約締結", "顧客訪問と見積提示", "商談の進捗と受注見込みの報告", "代理店への営業"]
_DIST = ["受注データの入力", "出荷手配と納期回答", "在庫管理と棚卸", "倉庫からの配送手配", "返品の受付と交換品の出荷",
         "受注処理と伝票発行", "在庫の引当と出荷指示", "配送業者の手配", "納品書の発行と出荷", "欠品時の納期調整"]
_MKT = ["市場調査と競合分析", "広告の企画と出稿", "展示会の企画運営", "ブランド戦略の立案", "Web広告の効果測定",
        "販促キャンペーンの企画", "SNSでの情報発信", "顧客アンケートの分析", "新商品のプロモーション企画", "広報誌の制作"]


def _corpus():
    items = []
    for role, texts in (("sales", _SALES), ("distribution", _DIST), ("marketing", _MKT)):
        for k, t in enumerate(texts):
            for v, tail in enumerate(("を担当", "を行う")):
                items.append(CorpusItem(t + tail, [role], id=f"{role}{k}{v}", location=f"c.jsonl:{len(items) + 1}"))
    return items


def test_likely_label_errors_finds_a_swapped_label():
    from roleclassify.corpus_tools import _likely_label_errors

    items = _corpus()
    assert len(items) == 60
    items[2].labels = ["marketing"]  # 見込み客との商談を担当, labelled marketing
    found = _likely_label_errors(items, ROLES, max_listed=10)
    assert found and found[0].startswith("c.jsonl:3: likely label error (")
    assert "marketing labelled but p=" in found[0] and "sales not labelled but p=" in found[0]
    assert all("c.jsonl:3:" in f for f in found[:1]) and len(found) <= 3
    assert _likely_label_errors(items[:49], ROLES, max_listed=10) == []
    # a listing longer than max_listed ends with the count of the rest; one as long is kept whole
    assert _likely_label_errors(items, ROLES, max_listed=len(found)) == found
    assert _likely_label_errors(items, ROLES, max_listed=0) == [f"... {len(found)} more likely label error(s)"]
    # a correctly labelled corpus has none
    assert _likely_label_errors(_corpus(), ROLES, max_listed=10) == []


# --- report escaping ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("A&B", "A&amp;B"),
    ("**至急** _x_ `c` ~~s~~ # h !x", "\\*\\*至急\\*\\* \\_x\\_ \\`c\\` \\~\\~s\\~\\~ \\# h \\!x"),
    ("[資料](javascript:x) | 次", "\\[資料\\](javascript:x) \\| 次"),
    ("a\\b", "a\\\\b"),
    ("一行目\n二行目\r\n三行目", "一行目 二行目 三行目"),
    ("受注処理と在庫管理", "受注処理と在庫管理"),
])
def test_markdown_escape(text, shown):
    from roleclassify.report.audit import _md_escape

    assert _md_escape(text) == shown


# --- boundaries the first mutation run showed untested --------------------------------------------------------

def test_likely_label_errors_from_fifty_items_and_either_kind_of_error():
    from roleclassify.corpus_tools import _likely_label_errors

    items = _corpus()[:50]
    items[2].labels = []  # 見込み客との商談を担当 labelled other: a role is missing from its labels, none is extra
    items[23].labels = ["sales"]  # 出荷手配と納期回答を行う labelled sales
    found = _likely_label_errors(items, ROLES, max_listed=10)
    assert any(f.startswith("c.jsonl:3: ") and "sales not labelled but p=" in f and "labelled but p=" not in
               f.replace("not labelled but p=", "") for f in found)
    assert len(found) >= 2
    cut = _likely_label_errors(items, ROLES, max_listed=1)
    assert cut == [found[0], f"... {len(found) - 1} more likely label error(s)"]


def test_review_flags_one_row_and_two_labels():
    th = np.array([0.5, 0.375, 0.5])
    pol = ReviewPolicy(margin=0.5, band=0.125)
    assert pol.flags(np.array([[0.5625, 0.0, 0.0]]), th).tolist() == [True]
    # two labels: the "close" rule applies as with three (0.625 vs 0.25, the second at its threshold - band)
    assert pol.flags(np.array([[0.625, 0.25], [0.625, 0.0]]), th[:2]).tolist() == [True, False]


def test_each_sentence_of_an_item_is_tagged_as_if_alone(tiny_model):
    sents = ["新規顧客への提案営業を行います。", "受注データの入力と出荷手配を担当します。", "社内の清掃当番があります。",
             "展示会の企画と運営を担当します。"]
    items = ["".join(sents), "".join(sents[:2]), "".join(sents[2:3] * 2), ""]
    tagged = tiny_model.tag(items)
    alone = {s: tiny_model.tag([s])[0] for s in sents}
    for t in tagged[:3]:
        for s in t.sentences:
            assert (s.labels, s.scores, s.explanation) == (alone[s.text].labels, alone[s.text].scores, None)
            assert all(round(v, 4) == v for v in s.scores.values())
        assert all(round(v, 4) == v for v in t.scores.values()) and all(round(v, 4) == v for v in t.shares.values())
        P = np.array([[s.scores[l] for l in tiny_model.labels] for s in t.sentences])
        assert [t.scores[l] for l in tiny_model.labels] == pytest.approx(rollup_scores(P).tolist(), abs=1e-3)
    # two sentences of no role: the item is other
    assert tagged[2].labels == ["other"] and tagged[2].shares["other"] == 1.0
    assert tagged[3].labels == ["other"] and tagged[3].scores == dict.fromkeys(tiny_model.labels, 0.0)
    # at threshold 0 every sentence has every role: each role a third of each sentence
    (t,) = tiny_model.tag([items[1]], threshold=0.0)
    assert t.shares == pytest.approx({**dict.fromkeys(tiny_model.labels, 1 / 3), "other": 0.0}, abs=1e-4)


def test_suggest_records(shipped_model):
    from roleclassify.io.readers import Record
    from roleclassify.suggest import suggest

    recs, _ = suggest(shipped_model, [Record(i, t, {}, f"pool.txt:{i + 1}") for i, t in enumerate(POOL)], n=3)
    assert [r["id"] for r in recs] == ["suggest-00001", "suggest-00002", "suggest-00003"]
    assert all(round(v, 4) == v for r in recs for v in [r["uncertainty"], *r["scores"].values()])
    assert _suggest(shipped_model, n=4) == _suggest(shipped_model, n=4, diversity=1.0)
