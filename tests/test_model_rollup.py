"""The one roll-up: `rollup` over a batch of items equals `rollup_scores` of each item alone, bit for bit;
`label_shares`, `main_roles` and `tag_units` give what `tag` gives."""

from __future__ import annotations

import numpy as np
import pytest

from roleclassify.model import label_shares, rollup, rollup_scores
from roleclassify.text import split_sentences

ITEMS = [
    "新規顧客への提案営業を行います。受注データの入力と出荷手配を担当します。社内の清掃当番があります。",
    "展示会の企画と運営",
    "",
    "・ルート営業\n・受注処理\n・販促企画\n・在庫管理\n・請求書の発行\n・展示会の準備\n・電話応対\n・見積書の作成\n・納期調整",
    "月給25万円〜",
]


def test_rollup_of_a_batch_equals_each_item_alone():
    rng = np.random.default_rng(0)
    sizes = [3, 0, 1, 12, 0, 2, 9]
    probs = rng.random((sum(sizes), 3))
    batch = rollup(probs, sizes)
    starts = np.cumsum([0, *sizes])
    for i, n in enumerate(sizes):
        alone = rollup_scores(probs[starts[i] : starts[i + 1]])
        assert batch[i].tolist() == alone.tolist()
        if n == 0:
            assert batch[i].tolist() == [0.0, 0.0, 0.0]
        if n == 1:
            assert batch[i].tolist() == probs[starts[i]].tolist()


def test_rollup_refuses_sizes_that_do_not_fit():
    with pytest.raises(ValueError, match="add up to 3 rows, the values have 4"):
        rollup(np.zeros((4, 2)), [1, 2])


def test_label_shares():
    hit = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 0], [1, 0, 0]], dtype=bool)
    shares = label_shares(hit, [3, 0, 1])
    assert shares[0].tolist() == pytest.approx([0.5 / 3, 1.5 / 3, 0.0, 1 / 3])
    assert shares[1].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert shares[2].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_main_roles_are_the_labels_tag_gives(tiny_model):
    for text in ITEMS:
        (t,) = tiny_model.tag([text])
        if len(t.sentences) < 2:
            continue
        p = tiny_model.predict_proba([s.text for s in t.sentences])
        assert tiny_model.main_roles(p) == t.labels
        for threshold in (0.0, 0.9):
            (t,) = tiny_model.tag([text], threshold=threshold)
            assert tiny_model.main_roles(p, threshold=threshold) == t.labels


def test_tag_units_equals_tag(tiny_model):
    sentences = [split_sentences(t) for t in ITEMS]
    units = tiny_model.units([s for item in sentences for s in item], stripped=True)
    for kwargs in ({}, {"threshold": 0.25, "explain": 2}):
        got = tiny_model.tag_units(ITEMS, sentences, units, **kwargs)
        assert [t.to_dict() for t in got] == [t.to_dict() for t in tiny_model.tag(ITEMS, **kwargs)]
    with pytest.raises(ValueError, match="sentences but"):
        tiny_model.tag_units(ITEMS, sentences, units[:-1])
    with pytest.raises(ValueError, match="threshold must be a probability"):
        tiny_model.tag_units(ITEMS, sentences, units, threshold=1.5)
