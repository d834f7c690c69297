"""Property-based: random Unicode never breaks the splitter, the tokenizer or tagging; counts are kept."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleclassify.text import normalize, split_sentences

# emoji, combining marks, control characters, mixed scripts, long runs without punctuation
ALPHABET = st.one_of(
    st.characters(),
    st.sampled_from(list("。！？「」『』（）・●■①②\r\n\t\u3000 \x00\x0b\u2028\u0301\u3099👍🏽")),
    st.sampled_from(list("営業販売受注在庫広告アイウエオｱｲｳｴｵabcABC123")),
)
TEXT = st.text(alphabet=ALPHABET, max_size=400) | st.builds(lambda c, n: c * n, st.sampled_from(["あ", "営業", "👍"]), st.integers(1, 30000))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_splitter_total(text):
    units = split_sentences(text)
    assert all(isinstance(u, str) and u for u in units)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_tokenizer_total(fast_tokenizer, text):
    n = normalize(text)
    toks = fast_tokenizer(n)
    assert "".join(t.surface for t in toks).replace(" ", "") == n.replace(" ", "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=8))
def test_tag_total_and_count_kept(shipped_model, texts):
    tags = shipped_model.tag(texts)
    assert len(tags) == len(texts)
    for t in tags:
        assert t.labels and all(0.0 <= v <= 1.0 for v in t.scores.values())
