from hypothesis import given, settings
from hypothesis import strategies as st

from roleclassify.text import normalize, split_sentences, strip_marker


def test_prose_split_on_enders():
    assert split_sentences("新規開拓を行う。受注処理も担当！本当？") == ["新規開拓を行う。", "受注処理も担当！", "本当？"]


def test_lines_are_units():
    assert split_sentences("新規開拓\n\n受注処理\r\n在庫管理\r配送") == ["新規開拓", "受注処理", "在庫管理", "配送"]


def test_bullets_stripped():
    text = "・提案営業\n● 受注処理\n■在庫管理\n- 出荷\n1. 請求\n2) 返品\n① 展示会\n(3) 広告\n（４）SEO\n一、市場調査\n二　販促"
    assert split_sentences(text) == [
        "提案営業", "受注処理", "在庫管理", "出荷", "請求", "返品", "展示会", "広告", "SEO", "市場調査", "販促",
    ]


def test_numbers_that_are_not_markers_stay():
    assert split_sentences("1日の流れ\n2024.4入社\n-5度\n十分な研修") == ["1日の流れ", "2024.4入社", "-5度", "十分な研修"]


def test_quotes_and_parentheses_kept_whole():
    assert split_sentences("彼は「はい。了解です。」と答えた。次へ。") == ["彼は「はい。了解です。」と答えた。", "次へ。"]
    s = "導入後のフォロー（継続利用のため、こまめに連絡します。）"
    assert split_sentences(s) == [s]


def test_unclosed_quote_does_not_swallow_the_line():
    text = "「" + "あ" * 300 + "。次の文。"
    assert split_sentences(text)[-1] == "次の文。"


def test_inline_heading_marks_split():
    assert split_sentences("■業務内容 法人営業 ■応募資格 経験不問") == ["業務内容 法人営業", "応募資格 経験不問"]


def test_punctuation_only_pieces_dropped():
    assert split_sentences("！！！\n・\n。") == []


def test_normalize_nfkc_and_space():
    assert normalize("ＭＡ　ツール  ｶﾀｶﾅ\n") == "MA ツール カタカナ"


def test_strip_marker():
    assert strip_marker("・ 新規開拓") == "新規開拓"
    assert strip_marker("新規・既存") == "新規・既存"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_split_never_fails_and_loses_no_letters(text):
    units = split_sentences(text)
    assert all(u.strip() == u and u for u in units)
    joined = "".join(units)
    # every unit is a substring of its line with only a marker or white space removed
    for u in units:
        assert u in text
    assert len(joined) <= len(text)
