import numpy as np

from roleclassify.features import FeatureSpec, Featurizer, extract_features, featurize
from roleclassify.tokenize import Token


def _toks():
    return [
        Token("受注", "受注", "受注", "名詞-普通名詞-サ変可能"),
        Token("処理", "処理", "処理", "名詞-普通名詞-サ変可能"),
        Token("を", "を", "を", "助詞-格助詞"),
        Token("行う", "行う", "行う", "動詞-一般"),
        Token("。", "。", "。", "補助記号-句点"),
    ]


def test_word_and_char_ngrams():
    spec = FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2,))
    f = extract_features(_toks(), "受注処理を行う。", spec)
    assert "w 受注" in f and "w 受注 処理" in f and "w 処理 を" in f
    assert "w 。" not in f  # punctuation is not a word feature
    assert "c受注" in f and "c行う" in f


def test_content_only_drops_particles():
    f = extract_features(_toks(), "", FeatureSpec(word_ngrams=(1, 2), char_ngrams=(), content_only=True))
    assert "w を" not in f and "w 処理 行う" in f


def test_featurizer_min_df_and_l2_rows():
    docs = [["a", "b", "b"], ["a", "c"], ["d"]]
    feat = Featurizer(spec=FeatureSpec(min_df=2)).fit(docs)
    assert set(feat.vocabulary_) == {"a"}
    ip, ix, data = feat.transform_arrays(docs)
    assert list(ip) == [0, 1, 2, 2]
    assert np.allclose(data, 1.0)  # one feature per row, normalised


def test_arrays_equal_scipy_matrix():
    docs = [["a", "b", "b", "c"], ["a", "c"], ["b", "c", "c", "c"], []]
    feat = Featurizer(spec=FeatureSpec(min_df=1)).fit(docs)
    X = feat.transform(docs).toarray()
    assert X.shape == (4, 3)
    assert np.allclose(np.linalg.norm(X[:3], axis=1), 1.0)
    assert np.allclose(X[3], 0.0)


def test_featurize_strips_markers_and_normalises(fast_tokenizer):
    spec = FeatureSpec()
    a = featurize(["・ＭＡツールの運用"], spec, fast_tokenizer)[0]
    b = featurize(["MAツールの運用"], spec, fast_tokenizer)[0]
    assert a == b


def test_spec_round_trip():
    spec = FeatureSpec(word="lemma", word_ngrams=(1,), char_ngrams=(2, 3, 4))
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
