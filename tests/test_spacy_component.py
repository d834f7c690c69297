"""The spaCy pipeline component: doc.cats equals `roleclassify tag`, sentences get span._.roles, and a
pipeline saved to disk and loaded back still tags."""

import json

import pytest
import spacy
from click.testing import CliRunner

from roleclassify.cli import cli

TEXT = "新規顧客への提案営業を担当します。受注処理と在庫管理も行います。"


@pytest.fixture(scope="module")
def nlp(ginza_nlp):
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("role_classifier")
    return nlp


def test_factory_registered_through_entry_point(tmp_path):
    import subprocess
    import sys
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert eps.get("role_classifier") == "roleclassify.spacy_component:make_role_classifier"
    # a fresh process finds the factory without importing roleclassify itself
    code = "import spacy; nlp = spacy.blank('ja'); nlp.add_pipe('role_classifier'); print(sorted(nlp('受注処理').cats))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['distribution', 'marketing', 'sales']"


def test_doc_cats_equal_tag_scores(nlp, shipped_model_dir):
    doc = nlp(TEXT)
    r = CliRunner().invoke(cli, ["tag", "-", "--unit", "document", "--format", "jsonl", "-m", str(shipped_model_dir)],
                           input=TEXT)
    assert doc.cats == json.loads(r.stdout)["scores"]


def test_sentences_get_roles(nlp):
    doc = nlp(TEXT)
    roles = [s._.roles for s in doc.sents]
    assert roles == [["sales"], ["distribution"]]
    assert all(set(s._.role_scores) == {"sales", "distribution", "marketing"} for s in doc.sents)


def test_to_disk_and_back(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "role_classifier" / "model.npz").exists()
    again = spacy.load(tmp_path / "pipe")
    assert again("展示会の企画と運営").cats == nlp("展示会の企画と運営").cats
    assert again("展示会の企画と運営").cats["marketing"] > 0.5


def test_blank_pipeline_without_sentences():
    nlp = spacy.blank("ja")
    nlp.add_pipe("role_classifier")
    doc = nlp("受注処理と在庫管理")
    assert max(doc.cats, key=doc.cats.get) == "distribution"


# --- one segmentation, the Doc's own tokens, batches, one load ------------------------------------------------

#: Realistic items: prose, headings and bullets, full-width and half-width characters NFKC changes, white space.
REALISTIC = [
    TEXT,
    "【仕事内容】\n法人のお客様を訪問し、課題を伺って提案します。\n見積書の作成と受注後の納期調整も担当します。",
    "・ルート営業（既存顧客１００社）\n・受注処理\n・販促企画",
    "ＷＥＢ広告の運用とｱｸｾｽ解析、キャンペーンの企画",
    "店舗での接客とレジ。\n商品の発注と在庫管理。\n勤務時間 9:00〜18:00",
    "月給25万円〜　賞与年2回",
    "展示会の企画と運営",
]


def _result(doc):
    return doc.cats, [(s.text, s._.roles, s._.role_scores) for s in doc.spans["role_sentences"]]


def test_units_come_from_the_docs_own_tokens(nlp, shipped_model, monkeypatch):
    """What is compared: for each text, the classifier's units (normalised characters and words) built from the
    Doc's GiNZA tokens equal those the tagger's own tokenizer makes of the same sentences, and so do the
    probabilities; and while the component tags, the tagger's tokenizer is not called at all."""
    from roleclassify.text import split_sentences
    from roleclassify.tokenize import FastTokenizer

    component = nlp.get_pipe("role_classifier")
    for text in REALISTIC:
        doc = nlp(text)
        sentences = split_sentences(text)
        from_doc = component._units_from_spans(sentences, _spans(doc))
        fast = shipped_model.units(sentences, stripped=True)
        assert from_doc == fast, text
        assert (shipped_model.proba_units(from_doc) == shipped_model.proba_units(fast)).all()

    def no_tokenizing(*args, **kwargs):
        raise AssertionError("the component tokenized a text again")

    want = [shipped_model.tag([t])[0].scores for t in REALISTIC]
    monkeypatch.setattr(FastTokenizer, "words", no_tokenizing)
    monkeypatch.setattr(FastTokenizer, "__call__", no_tokenizing)
    assert [nlp(t).cats for t in REALISTIC] == want


def _spans(doc):
    from roleclassify.spacy_component import _sentence_spans

    return _sentence_spans(doc)[1]


def test_doc_result_equals_tag(nlp):
    """doc.cats are the item's scores from `roleclassify.load().tag([text])`; the classifier's sentences are the
    doc's role sentences, with the same labels and scores."""
    import roleclassify

    model = roleclassify.load()
    for text in REALISTIC:
        (tag,) = model.tag([text])
        cats, sentences = _result(nlp(text))
        assert cats == tag.scores
        assert sentences == [(s.text, s.labels, s.scores) for s in tag.sentences]


def test_pipe_batch_sizes_give_identical_results(nlp):
    texts = [*REALISTIC, "", "  \n", *REALISTIC[::-1], "受注処理", *REALISTIC[:3]]
    one, seven, many = ([_result(d) for d in nlp.pipe(texts, batch_size=n)] for n in (1, 7, 64))
    assert one == seven == many
    assert one[0] == _result(nlp(texts[0]))
    assert one[len(REALISTIC)][0] == {"sales": 0.0, "distribution": 0.0, "marketing": 0.0}


def test_pipe_tags_a_batch_with_one_model_call(nlp, monkeypatch):
    from roleclassify.model import RoleClassifier

    calls = []
    real = RoleClassifier.tag_units

    def counting(self, texts, *args, **kwargs):
        calls.append(len(texts))
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(RoleClassifier, "tag_units", counting)
    list(nlp.pipe(REALISTIC * 3, batch_size=8))
    assert calls == [8, 8, 5]


def test_one_segmentation_where_the_parser_cuts_otherwise(nlp):
    """The role sentences are the classifier's (bullets and lines), whatever the parser's doc.sents are."""
    doc = nlp("・ルート営業\n・受注処理と在庫管理。納期調整も行う。")
    assert [s.text for s in doc.spans["role_sentences"]] == ["ルート営業", "受注処理と在庫管理。", "納期調整も行う。"]
    assert all(s._.roles for s in doc.spans["role_sentences"])


def _counting_loads(monkeypatch):
    import roleclassify.spacy_component as component

    loads = []
    real = component.load

    def counting(*args, **kwargs):
        loads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(component, "load", counting)
    return loads


def test_model_loaded_once(monkeypatch, tmp_path, shipped_model):
    loads = _counting_loads(monkeypatch)
    blank = spacy.blank("ja")
    blank.add_pipe("role_classifier")
    assert loads == []  # loaded on first use
    blank("受注処理")
    list(blank.pipe(REALISTIC, batch_size=2))
    assert len(loads) == 1
    blank.to_disk(tmp_path / "pipe")
    assert len(loads) == 1
    again = spacy.load(tmp_path / "pipe")
    again("受注処理")
    list(again.pipe(REALISTIC))
    assert len(loads) == 2  # spacy.load(dir): once, by from_disk


def test_spacy_probing_the_component_does_not_load_the_model(monkeypatch):
    """spaCy checks components against its runtime protocols (isinstance probes every protocol attribute, in
    an order that changes from run to run); a lazily loading ``model`` property loaded the classifier then."""
    from spacy import ty

    loads = _counting_loads(monkeypatch)
    blank = spacy.blank("ja")
    component = blank.add_pipe("role_classifier")
    for proto in (ty.ListenedToComponent, ty.TrainableComponent, ty.InitializableComponent):
        isinstance(component, proto)
        for attr in proto.__annotations__ if hasattr(proto, "__annotations__") else ():
            hasattr(component, attr)
    hasattr(component, "model")
    assert loads == []


def test_to_disk_from_disk_round_trip_keeps_model_and_config(tiny_model_dir, tiny_model, tmp_path):
    blank = spacy.blank("ja")
    blank.add_pipe("role_classifier", config={"model": str(tiny_model_dir), "threshold": 0.4})
    blank.to_disk(tmp_path / "pipe")
    again = spacy.load(tmp_path / "pipe")
    component = again.get_pipe("role_classifier")
    assert component.threshold == 0.4 and component.classifier.labels == tiny_model.labels
    assert [_result(d) for d in again.pipe(REALISTIC)] == [_result(d) for d in blank.pipe(REALISTIC)]
    # the component alone
    blank.get_pipe("role_classifier").to_disk(tmp_path / "component")
    from roleclassify.spacy_component import RoleClassifierComponent

    fresh = RoleClassifierComponent(blank, "role_classifier", threshold=0.4).from_disk(tmp_path / "component")
    assert [_result(fresh(blank.make_doc(t))) for t in REALISTIC] == [_result(blank(t)) for t in REALISTIC]


def test_blank_pipeline_gets_the_taggers_tokens(shipped_model):
    """spacy.blank("ja") splits in mode A, which the model was not trained on: the component then tokenizes
    each sentence itself, and the scores stay those of tag."""
    blank = spacy.blank("ja")
    blank.add_pipe("role_classifier")
    assert not blank.get_pipe("role_classifier").own_tokens
    for text in REALISTIC:
        assert blank(text).cats == shipped_model.tag([text])[0].scores
