"""An item's result never depends on the items around it.

Random batches mix one-sentence items, multi-sentence items, empty items and duplicates, in random order and
batch sizes. Every path (the Python API, ``roleclassify tag`` with one and two jobs, the spaCy component and
the Dask partition function) must give each item the labels, scores and shares of tagging it alone, and the
shares of an item of several sentences sum to 1.

This is the test that the old roll-up (``np.add.reduceat`` given only the starts of multi-sentence items)
fails: a multi-sentence item then also summed the one-sentence items that followed it.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleclassify.cli import cli

ONE = [
    "新規顧客への提案営業を担当します。",
    "受注データの入力と出荷手配",
    "展示会の企画と広告の効果測定を行います。",
    "完全週休2日制（土日祝）",
    "月給25万円〜",
    "SNS広告の運用",
]
MULTI = [
    "【仕事内容】\n法人のお客様を訪問し、課題を伺って提案します。\n見積書の作成と受注後の納期調整も担当します。",
    "Web広告の運用とアクセス解析\nキャンペーンの企画\n新商品の市場調査",
    "店舗での接客とレジ。\n商品の発注と在庫管理。\n勤務時間 9:00〜18:00",
    "・ルート営業\n・受注処理\n・販促企画",
]
EMPTY = ["", "   ", "\n\n"]
POOL = ONE + MULTI + EMPTY

ITEMS = st.lists(st.sampled_from(POOL), min_size=1, max_size=24)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def alone(shipped_model):
    """Each pool text tagged on its own."""
    return {t: shipped_model.tag([t])[0].to_dict() for t in POOL}


def _same(got: dict, want: dict) -> None:
    assert got["labels"] == want["labels"]
    assert got["scores"] == want["scores"]
    assert got.get("shares") == want.get("shares")
    if got.get("shares") is not None:
        assert abs(sum(got["shares"].values()) - 1.0) < 1e-3


def test_alone_results_are_sane(alone):
    """The reference itself: multi-sentence items have shares summing to 1, none above 1."""
    for text in MULTI:
        shares = alone[text]["shares"]
        assert shares is not None and abs(sum(shares.values()) - 1.0) < 1e-3
        assert all(0.0 <= v <= 1.0 for v in shares.values())


@SETTINGS
@given(items=ITEMS, batch_size=st.integers(1, 30))
def test_python_api(shipped_model, alone, items, batch_size):
    tags = list(shipped_model.tag_iter(items, batch_size=batch_size))
    assert len(tags) == len(items)
    for text, t in zip(items, tags):
        _same(t.to_dict(), alone[text])


def _cli_tag(items: list[str], *extra: str) -> list[dict]:
    src = "".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(items))
    r = CliRunner().invoke(cli, ["tag", "-", "--format", "jsonl", *extra], input=src)
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines()]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=ITEMS)
def test_cli_tag(alone, items):
    out = _cli_tag(items)
    assert [o["id"] for o in out] == [str(i) for i in range(len(items))]
    for text, o in zip(items, out):
        _same(o, alone[text])


def test_cli_tag_two_jobs(alone):
    """Worker processes: one fixed mixed batch (a process pool per hypothesis example would be slow)."""
    items = [MULTI[0], ONE[2], ONE[2], EMPTY[0], MULTI[1], ONE[0], MULTI[2], ONE[5], MULTI[3], ONE[3]] * 3
    out = _cli_tag(items, "--jobs", "2")
    assert len(out) == len(items)
    for text, o in zip(items, out):
        _same(o, alone[text])


@pytest.fixture(scope="module")
def nlp(ginza_nlp):
    import spacy

    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("role_classifier")
    return nlp


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.sampled_from(ONE + MULTI), min_size=1, max_size=8), batch_size=st.integers(1, 8))
def test_spacy_component(nlp, items, batch_size):
    together = [d.cats for d in nlp.pipe(items, batch_size=batch_size)]
    for text, cats in zip(items, together):
        assert cats == nlp(text).cats


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=ITEMS)
def test_dask_partition(alone, items):
    pd = pytest.importorskip("pandas")
    from roleclassify.dask import tag_partition

    out = tag_partition(pd.DataFrame({"text": items}))
    assert len(out) == len(items)
    for text, (_, row) in zip(items, out.iterrows()):
        _same({"labels": row["labels"], "scores": row["scores"], "shares": row["shares"]}, alone[text])
