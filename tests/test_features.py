import numpy as np

from roleclassify.features import FeatureSpec, Featurizer, Unit, analyze


def _units():
    return [
        Unit("受注処理を行う。", ["受注", "処理", "を", "行う"]),
        Unit("受注処理と在庫管理", ["受注", "処理", "と", "在庫", "管理"]),
        Unit("在庫管理", ["在庫", "管理"]),
        Unit("", []),
    ]


def test_fit_keeps_features_seen_min_df_times():
    feat = Featurizer(spec=FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2,), min_df=2)).fit(_units())
    names = set(feat.feature_names(range(feat.n_features)))
    assert {"w:受注", "w:受注 処理", "w:在庫 管理", "c:受注", "c:在庫"} <= names
    assert "w:行う" not in names and "w:処理 を" not in names  # seen once only


def test_no_ngrams_across_units():
    units = [Unit("ab", ["a"]), Unit("cd", ["b"])] * 2
    feat = Featurizer(spec=FeatureSpec(word_ngrams=(1, 2), char_ngrams=(2,), min_df=1)).fit(units)
    names = set(feat.feature_names(range(feat.n_features)))
    assert names == {"w:a", "w:b", "c:ab", "c:cd"}


def test_rows_are_l2_normalised_and_empty_rows_zero():
    feat = Featurizer(spec=FeatureSpec(min_df=1)).fit(_units())
    X = feat.transform(_units()).toarray()
    assert X.shape == (4, feat.n_features)
    assert np.allclose(np.linalg.norm(X[:3], axis=1), 1.0)
    assert np.allclose(X[3], 0.0)


def test_arrays_match_counting_by_hand():
    units = [Unit("aab", ["x", "x", "y"])]
    spec = FeatureSpec(word_ngrams=(1,), char_ngrams=(1,), min_df=1, sublinear_tf=False)
    feat = Featurizer(spec=spec).fit(units)
    ip, ix, data = feat.transform_arrays(units)
    names = feat.feature_names(ix)
    raw = dict(zip(names, data / data.max()))
    assert raw["w:x"] == raw["c:a"] == 1.0 and raw["w:y"] == raw["c:b"] == 0.5


def test_unknown_features_ignored():
    feat = Featurizer(spec=FeatureSpec(min_df=1)).fit(_units())
    ip, ix, data = feat.transform_arrays([Unit("未知の語", ["未知", "の", "語"])])
    assert list(ip) == [0, 0] and len(ix) == 0


def test_char_four_grams_supported():
    units = [Unit("受注処理", [])] * 2
    feat = Featurizer(spec=FeatureSpec(word_ngrams=(), char_ngrams=(4,), min_df=1)).fit(units)
    assert feat.n_features == 1


def test_analyze_strips_markers_and_normalises(fast_tokenizer):
    spec = FeatureSpec()
    assert analyze(["・ＭＡツールの運用"], spec, fast_tokenizer) == analyze(["MAツールの運用"], spec, fast_tokenizer)


def test_words_equal_token_fields(fast_tokenizer):
    text = "受注処理を行い、在庫を管理した。"
    toks = fast_tokenizer(text)
    assert fast_tokenizer.words(text, "norm") == [t.norm for t in toks if not t.tag.startswith(("補助記号", "空白"))]
    assert fast_tokenizer.words(text, "lemma", ("助詞", "補助記号")) == [
        t.lemma for t in toks if not t.tag.startswith(("助詞", "補助記号"))
    ]


def test_spec_round_trip():
    spec = FeatureSpec(word="lemma", word_ngrams=(1,), char_ngrams=(2, 3, 4))
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
