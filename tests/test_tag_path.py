"""The fast forms of the tag path equal the reference ones: tag_dicts and Tagging.to_dict, the unit cache and
fresh tokenization, and run_tag leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from roleclassify import tokenize as tk
from roleclassify.commands import TagOptions, run_tag
from roleclassify.corpus import read_corpus
from roleclassify.model import ReviewPolicy
from roleclassify.text import normalize, split_sentences


@pytest.fixture(scope="module")
def job_texts(root):
    items = read_corpus([root / "corpus" / "jobs"])[:60]
    return [it.text for it in items] + ["", "   ", "受注処理", "・新規開拓\n・受注処理と在庫管理。納期調整も行う。"]


@pytest.mark.parametrize("threshold,split", [(None, True), (0.3, True), (None, False)])
def test_tag_dicts_equal_to_dict(shipped_model, job_texts, threshold, split):
    fast = shipped_model.tag_dicts(job_texts, threshold=threshold, split=split)
    ref = [t.to_dict() for t in shipped_model.tag(job_texts, threshold=threshold, split=split)]
    assert fast == ref
    assert [list(d) for d in fast] == [list(d) for d in ref]  # the same keys in the same order


def test_tag_dicts_with_review_policy_and_explain(shipped_model, job_texts):
    policy = ReviewPolicy(margin=0.3, band=0.3)
    assert shipped_model.tag_dicts(job_texts, review=policy) == [
        t.to_dict() for t in shipped_model.tag(job_texts, review=policy)]
    assert shipped_model.tag_dicts(job_texts[:3], explain=2) == [
        t.to_dict() for t in shipped_model.tag(job_texts[:3], explain=2)]


def test_unit_cache_gives_fresh_results(fast_tokenizer, job_texts):
    units = [normalize(u) for t in job_texts for u in split_sentences(t)]
    fresh = tk.FastTokenizer()
    first = [fresh.words(u) for u in units]
    again = [fresh.words(u) for u in units]  # now from the cache
    assert first == again == [fresh._words(u, "norm", tk._DEFAULT_SKIP) for u in units]
    expected = list(first[0])
    first[0].append("changed")  # a caller changing its list (first seen, or from the cache) changes no cache
    again[0].append("changed")
    assert fresh.words(units[0]) == expected


def _one_by_one(tok, texts):
    return [tok.words(t) for t in texts]


def _in_one_call(tok, texts):
    return tok.norm_words(texts)


@pytest.mark.parametrize("words_of", [_one_by_one, _in_one_call])
def test_unit_cache_bounded_and_steps_aside_on_distinct_text(monkeypatch, words_of):
    monkeypatch.setattr(tk, "_CACHED_UNITS", 50)
    monkeypatch.setattr(tk, "_CACHE_WINDOW", 100)
    tok = tk.FastTokenizer()
    for i in range(120):
        words_of(tok, [f"受注番号{i}の処理"])
        assert len(tok._cache) <= 50
    assert not tok._cache_on  # no repeats in a window: off
    words_of(tok, ["受注処理"] * (16 * 100))
    assert tok._cache_on  # tried again after 16 windows
    words_of(tok, ["受注処理"] * 100)
    assert tok._cache_on  # repeats pay: stays on


def test_norm_words_is_words_of_each(monkeypatch, job_texts):
    """The one-loop hot path gives each text's words and leaves the cache as the per-text calls do, through
    windows that turn it off and on, for long texts (cut into pieces) and another skip list too."""
    monkeypatch.setattr(tk, "_CACHE_WINDOW", 40)
    units = [normalize(u) for t in job_texts for u in split_sentences(t)]
    texts = (units[:30] * 3 + units + [units[0] * 400, ""] + units[:5] * 20) * 2
    one, many = tk.FastTokenizer(), tk.FastTokenizer()
    got = many.norm_words(texts)
    assert got == _one_by_one(one, texts)
    uncached = tk.FastTokenizer()
    assert got == [uncached._words(t, "norm", tk._DEFAULT_SKIP) for t in texts]  # what tokenizing each gives
    assert (many._seen, many._hits, many._cache_on, many._cache) == (one._seen, one._hits, one._cache_on, one._cache)
    skip = ("補助記号",)
    assert many.norm_words(texts[:50], skip) == [one.words(t, "norm", skip) for t in texts[:50]]
    got = many.norm_words([units[1], units[1]])
    got[0].append("changed")  # lists are the caller's: neither the cache nor the other result changes
    assert got[1] == many.norm_words([units[1]])[0] == one.words(units[1])


def test_run_tag_restores_gc_thresholds(tmp_path, shipped_model_dir):
    src = tmp_path / "in.txt"
    src.write_text("受注処理\n新規開拓\n", encoding="utf-8")
    before = gc.get_threshold()
    run_tag(TagOptions(inputs=(str(src),), output=str(tmp_path / "out.jsonl"), model_path=str(shipped_model_dir),
                       progress=False))
    assert gc.get_threshold() == before
