"""The tokens the classifier sees are GiNZA's: the fast path equals spacy.load("ja_ginza").tokenizer."""

from pathlib import Path

from roleclassify.corpus import read_corpus, training_units
from roleclassify.text import normalize, split_sentences, strip_marker
from roleclassify.tokenize import GinzaTokenizer, Token, tokenizer_info

ROOT = Path(__file__).resolve().parent.parent


def _ginza_tokens(nlp, text):
    return [
        Token(t.text, t.lemma_, t.norm_, t.tag_)
        for t in nlp.tokenizer(text)
        if not t.text.isspace()
    ]


def _corpus_units():
    items = read_corpus([ROOT / "corpus"])  # the whole corpus directory, as a user would pass it
    texts, _, _, _ = training_units(items)
    units = [normalize(strip_marker(t)) for t in texts]
    # documents are split by the splitter at tagging time: include those units too
    for it in items:
        if it.unit == "document":
            units += [normalize(s) for s in split_sentences(it.text)]
    return units


def test_fast_path_equals_ginza_tokenizer_on_whole_corpus(ginza_nlp, fast_tokenizer):
    units = _corpus_units()
    assert len(units) > 50
    mismatches = []
    for u in units:
        if fast_tokenizer(u) != _ginza_tokens(ginza_nlp, u):
            mismatches.append(u)
    assert not mismatches, f"{len(mismatches)} units differ, e.g. {mismatches[:3]}"


def test_ginza_engine_gives_same_tokens(ginza_nlp, fast_tokenizer):
    g = GinzaTokenizer(ginza_nlp)
    texts = ["営業部は新規顧客の開拓を行い、販売部が受注処理と配送手配を担う。", "MAツールでリードを獲得"]
    assert g.pipe(texts) == [fast_tokenizer(t) for t in texts]


def test_ginza_uses_split_mode_c(ginza_nlp):
    assert ginza_nlp.tokenizer.split_mode == "C"
    assert tokenizer_info()["split_mode"] == "C"


def test_token_fields(fast_tokenizer):
    toks = fast_tokenizer("受注処理を行った")
    assert toks[0] == Token("受注", "受注", "受注", "名詞-普通名詞-サ変可能")
    assert any(t.lemma == "行う" for t in toks)


def test_long_text_over_sudachi_limit(fast_tokenizer):
    text = "受注処理と在庫管理" * 20000  # 180,000 characters, > 49,149 bytes
    toks = fast_tokenizer(text)
    assert "".join(t.surface for t in toks) == text


def test_empty_text(fast_tokenizer):
    assert fast_tokenizer("") == []
    assert fast_tokenizer(" ") == []
