"""The duty head: corpus duties, training beside the roles, the model file, tag / evaluate output, a user's own
duty list. A tiny duty model is trained once on tests/data/duties (its own eight-duty list beside it)."""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.corpus import read_corpus, training_duties, training_units
from roleclassify.errors import CorpusError, ModelError
from roleclassify.model import MODEL_FILE, load

DUTY_IDS = ["prospecting", "proposing", "orders", "billing", "store", "ads", "research", "backoffice"]


@pytest.fixture(scope="session")
def duty_corpus(data_dir):
    return data_dir / "duties" / "corpus.jsonl"


@pytest.fixture(scope="session")
def duty_model_dir(duty_corpus, tmp_path_factory):
    from roleclassify.training import train

    out = tmp_path_factory.mktemp("duty_model")
    train([duty_corpus], out, cv=3)
    return out


@pytest.fixture(scope="session")
def duty_model(duty_model_dir):
    return load(duty_model_dir)


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------ corpus
def test_corpus_items_carry_their_duties_and_their_lines(duty_corpus):
    items = read_corpus([duty_corpus])
    first = items[0]
    assert first.duties == ["prospecting"] and first.line_duties is None and "duties" not in first.extra
    doc = next(it for it in items if it.lines)
    # the (text, labels) line tuples are as before; the duties are parallel to them
    assert doc.lines[1] == ("地域の中小企業へ新規開拓の訪問営業を行います。", ["sales"])
    assert doc.line_duties is not None and doc.line_duties[:2] == [[], ["prospecting"]]
    texts, labels, _, _ = training_units(items)
    duties = training_duties(items)
    assert len(duties) == len(texts)
    assert duties[texts.index("受注データの入力と出荷の手配を担当します。")] == ["orders"]


def test_a_unit_without_duties_has_none_and_bad_duties_are_refused(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "受注処理", "labels": ["distribution"]}, ensure_ascii=False) + "\n"
                    + json.dumps({"text": "在庫管理", "labels": ["distribution"], "duties": 5}) + "\n",
                    encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_corpus([path])
    assert f"{path}:2: 'duties' must be a list" in e.value.problems[0]
    items = read_corpus([path], strict=False)
    assert items[0].duties is None and training_duties(items) == [[]]


# ------------------------------------------------------------------ training and the model file
def test_training_with_duties_writes_a_model_whose_duty_head_loads_and_tags(duty_model_dir, duty_model):
    meta = json.loads((duty_model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["format_version"] == 3 and [d["id"] for d in meta["duties"]] == DUTY_IDS
    assert meta["duties"][0] == {"id": "prospecting", "role": "sales", "ja": "新規開拓",
                                 "definition": "finding and approaching new customers"}
    assert meta["corpus"]["duty_list"].endswith("duties.json")
    head = duty_model.duty_head
    assert head is not None and head.ids == DUTY_IDS and head.gate
    assert head.coef.shape == (duty_model.featurizer.n_features, len(DUTY_IDS))
    assert ((0 < head.thresholds) & (head.thresholds < 1)).all()
    # the duty head's CV figures are on the card
    card = (duty_model_dir / "README.md").read_text(encoding="utf-8")
    assert "### duties (n = " in card and "duty thresholds" in card and "Most confused duty pairs" in card
    assert meta["metrics"]["cv"]["duties"]["n"] == 47
    t = duty_model.tag(["SNS広告の運用", "請求書の発行と入金の確認"])
    assert [d for d, _ in t[0].duties] == ["ads"] and [d for d, _ in t[1].duties] == ["billing"]


def test_the_role_head_is_the_same_with_or_without_duties(duty_corpus, duty_model, tmp_path):
    """The duty head is fitted beside the roles: the roles' weights, calibration and thresholds do not move."""
    from roleclassify.training import train

    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(
        json.dumps({k: v for k, v in json.loads(line).items() if k != "duties"}
                   | ({"lines": [{k: v for k, v in ln.items() if k != "duties"} for ln in json.loads(line)["lines"]]}
                      if "lines" in json.loads(line) else {}), ensure_ascii=False) + "\n"
        for line in duty_corpus.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    roles_only = train([plain], None, cv=3).model
    assert roles_only.duty_head is None
    assert np.array_equal(roles_only.coef_, duty_model.coef_)
    assert np.array_equal(roles_only.thresholds_, duty_model.thresholds_)
    assert np.array_equal(roles_only.calib_a_, duty_model.calib_a_)


def test_an_items_duties_do_not_depend_on_its_batch(duty_model):
    texts = ["新規顧客へのテレアポを担当します。受注後は出荷の手配も行います。", "SNS広告の運用", "月給30万円",
             "・請求書の発行\n・入金の確認\n・在庫の棚卸"]
    together = [t.duties for t in duty_model.tag(texts)]
    alone = [duty_model.tag([t])[0].duties for t in texts]
    small_batches = [t.duties for t in duty_model.tag_iter(texts * 3, batch_size=2)]
    assert together == alone == small_batches[:4] == small_batches[4:8]
    assert together[2] == [] and together[0]  # no duty in a salary line; the first item has some


def test_duties_are_exactly_those_at_or_above_their_thresholds(duty_model, duty_corpus):
    """A sentence's duties are the ones whose (gated) probability reaches the duty's threshold, best first; the
    item of several sentences takes its rolled-up duties. Breaks if the comparison, the gate or the order does."""
    from roleclassify.model import rollup

    head = duty_model.duty_head
    texts = [it.text for it in read_corpus([duty_corpus]) if not it.lines]
    units = duty_model.units(texts)
    role_p = duty_model.proba_units(units)
    z = duty_model.duty_decision_function_units(units)
    p = 1 / (1 + np.exp(-(head.calib_a * z + head.calib_b)))
    roles = head.role_columns(duty_model.labels)
    for j, r in enumerate(roles):
        if r >= 0:
            p[:, j] *= role_p[:, r] >= duty_model.thresholds_[r]
    tags = duty_model.tag(texts, split=False)
    n_assigned = 0
    for row, t in zip(p, tags):
        want = [head.ids[j] for j in np.argsort(-np.round(row, 4), kind="stable") if row[j] >= head.thresholds[j]]
        assert [d for d, _ in t.duties] == want
        n_assigned += len(want)
        for d, s in t.duties:  # never a duty of a role the sentence does not have
            role = head.duties[head.ids.index(d)]["role"]
            assert role == "other" or role in t.labels
            assert s == round(float(row[head.ids.index(d)]), 4)
    assert n_assigned >= len(texts) * 0.6
    # an item of several sentences: the duties whose rolled-up share reaches the document threshold
    item = duty_model.tag(["地域の企業へ新規開拓の訪問を行う。請求書の発行も担当する。"])[0]
    sent_p = np.array([[dict(s.duties or ()).get(d, 0.0) for d in head.ids] for s in item.sentences])
    assert len(item.sentences) == 2 and all(s.duties for s in item.sentences)
    rolled = rollup(sent_p, [2])[0]
    assert {d for d, _ in item.duties} <= {d for d, r in zip(head.ids, rolled) if r >= duty_model.doc_threshold - 1e-3}


def test_explain_covers_the_assigned_duties(duty_model):
    t = duty_model.tag(["SNS広告の運用と市場調査"], explain=3)[0]
    s = t.sentences[0]
    assert s.duty_explanation is not None and set(s.duty_explanation) == {d for d, _ in s.duties}
    feats = s.duty_explanation["ads"]
    assert feats[0][0] == "(bias)" and 1 < len(feats) <= 4
    assert s.to_dict()["explain_duties"]["ads"] == [list(x) for x in feats]


def test_a_users_own_duty_list_retrains(duty_corpus, tmp_path):
    """Another duty list (ids of one's own, another file name, given by option) trains its own head; a duty the
    list lacks is refused with the record's location."""
    rename = {"prospecting": "outreach", "proposing": "outreach", "orders": "paperwork", "billing": "paperwork"}
    recs = []
    for line in duty_corpus.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "lines" in rec:
            continue
        rec["duties"] = sorted({rename[d] for d in rec["duties"] if d in rename})
        recs.append(rec)
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    own = tmp_path / "my_duties.json"
    own.write_text(json.dumps([{"id": "outreach", "role": "sales"}, {"id": "paperwork", "role": "distribution"}]),
                   encoding="utf-8")
    out = tmp_path / "model"
    res = _invoke("train", corpus, "--duties", own, "--out", out, "--cv", "3")
    assert res.exit_code == 0, res.output
    m = load(out)
    assert m.duty_head is not None and m.duty_head.ids == ["outreach", "paperwork"]
    assert "--duties" in m.meta["metrics"]["test"]["command"]
    assert [d for d, _ in m.tag(["未取引の企業へ電話をかけてアポイントを取る。"])[0].duties] == ["outreach"]
    # without a list the corpus's own ids are the duties (no roles: no gate for them)
    from roleclassify.training import train

    head = train([corpus], None, cv=3).model.duty_head
    assert head is not None and sorted(head.ids) == ["outreach", "paperwork"] and "role" not in head.duties[0]
    # a duty the given list does not have
    own.write_text(json.dumps({"duties": [{"id": "outreach", "role": "sales"}]}), encoding="utf-8")
    res = CliRunner().invoke(cli, ["train", str(corpus), "--duties", str(own), "--out", str(tmp_path / "m2")])
    assert res.exit_code == 1 and "unknown duty id(s) paperwork" in res.output and f"{corpus}:" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "m2").exists()


def test_a_duty_list_that_is_not_one_is_refused(duty_corpus, tmp_path):
    bad = tmp_path / "d.json"
    for content, why in (("{", "not a JSON duty list"), ('[{"role": "sales"}]', 'duty 1 needs a non-empty string "id"'),
                         ('[{"id": "a"}, {"id": "a"}]', "listed twice"), ('{"duties": []}', "expected a JSON list")):
        bad.write_text(content, encoding="utf-8")
        res = CliRunner().invoke(cli, ["train", str(duty_corpus), "--duties", str(bad), "--out", str(tmp_path / "m")])
        assert res.exit_code == 1 and f"{bad}: " in res.output and why in res.output, res.output


# ------------------------------------------------------------------ old and corrupt model files
def test_an_old_format_model_still_loads_and_tags_without_duties(data_dir, tmp_path):
    old = data_dir / "format2_model"
    assert json.loads((old / "meta.json").read_text(encoding="utf-8"))["format_version"] == 2
    m = load(old)
    assert m.duty_head is None
    t = m.tag(["新規顧客への提案営業"])[0]
    assert t.duties is None and "duties" not in t.to_dict() and "duties" not in t.to_dict()["sentences"][0]
    src = tmp_path / "in.txt"
    src.write_text("新規顧客への提案営業\n", encoding="utf-8")
    res = _invoke("tag", src, "--model", old, "--format", "csv", "-q")
    assert res.output.splitlines()[0] == "id,text,labels,sales,distribution,marketing,review,n_sentences"


def _parts(model_dir):
    with np.load(model_dir / MODEL_FILE, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(bytes(arrays.pop("meta")).decode("utf-8")), arrays


from test_model_load import _write  # noqa: E402  (one writer of hand-edited model files)


def test_a_tampered_duty_array_is_refused(duty_model_dir, tmp_path):
    meta, arrays = _parts(duty_model_dir)
    arrays["duty_coef"] = arrays["duty_coef"].copy()
    arrays["duty_coef"][0, 0] += 1.0
    with pytest.raises(ModelError, match="array 'duty_coef' does not match its checksum"):
        load(_write(tmp_path / "m.npz", meta, arrays, fix_sums=False))


@pytest.mark.parametrize("edit, why", [
    (lambda m, a: a.update(duty_coef=a["duty_coef"][:, :3]), "duty_coef has shape"),
    (lambda m, a: a.update(duty_intercept=a["duty_intercept"][:2]), "duty_intercept has shape"),
    (lambda m, a: a.update(duty_calib_a=np.full_like(a["duty_calib_a"], np.nan)), "duty_calib_a has shape"),
    (lambda m, a: m.update(duty_thresholds=m["duty_thresholds"][:1]), "duty_thresholds must be a list of 8"),
    (lambda m, a: m.update(duty_thresholds=[1.5] * 8), "duty_thresholds must be probabilities"),
    (lambda m, a: m.update(duties=[{"id": "x"}] * 8), "distinct non-empty ids"),
    (lambda m, a: m.update(duty_gate="yes"), "duty_gate must be true or false"),
    (lambda m, a: a.pop("duty_calib_b"), "missing duty_calib_b"),
])
def test_duty_parts_that_do_not_fit_are_refused(duty_model_dir, tmp_path, edit, why):
    meta, arrays = _parts(duty_model_dir)
    edit(meta, arrays)
    with pytest.raises(ModelError, match=why.replace("(", r"\(")):
        load(_write(tmp_path / "m.npz", meta, arrays))


def test_a_saved_duty_model_loads_back_the_same(duty_model, tmp_path):
    duty_model.save(tmp_path / "again")
    again = load(tmp_path / "again")
    assert again.duty_head is not None and again.duty_head.ids == duty_model.duty_head.ids
    assert np.array_equal(again.duty_head.coef, duty_model.duty_head.coef)
    texts = ["新規開拓の訪問営業", "請求書の発行"]
    assert [t.to_dict() for t in again.tag(texts)] == [t.to_dict() for t in duty_model.tag(texts)]


# ------------------------------------------------------------------ tag and evaluate output
def test_tag_json_and_csv_carry_duties(duty_model_dir, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("SNS広告の運用\n新規顧客へのテレアポを担当します。請求書の発行も行います。\n月給30万円\n", encoding="utf-8")
    res = _invoke("tag", src, "--model", duty_model_dir, "--format", "jsonl", "-q")
    recs = [json.loads(line) for line in res.output.splitlines()]
    assert recs[0]["duties"] == recs[0]["sentences"][0]["duties"] and recs[0]["duties"][0]["duty"] == "ads"
    assert set(recs[0]["duties"][0]) == {"duty", "score"} and 0 < recs[0]["duties"][0]["score"] <= 1
    scored = recs[1]["duties"]
    assert {d["duty"] for d in scored} == {"prospecting", "billing"} and scored[0]["score"] >= scored[1]["score"]
    assert recs[2]["duties"] == [] and recs[2]["sentences"][0]["duties"] == []
    res = _invoke("tag", src, "--model", duty_model_dir, "--format", "csv", "-q")
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert [r["duties"] for r in rows] == ["ads", ";".join(d["duty"] for d in scored), ""]
    res = _invoke("tag", src, "--model", duty_model_dir, "--format", "tsv", "--lang", "ja", "-q")
    rows = list(csv.DictReader(io.StringIO(res.output), delimiter="\t"))
    names = {"prospecting": "新規開拓", "billing": "請求・入金"}
    assert rows[1]["業務"] == ";".join(names[d["duty"]] for d in scored)


def test_tag_xlsx_has_a_duties_column_on_both_sheets(duty_model_dir, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    src = tmp_path / "in.txt"
    src.write_text("新規顧客へのテレアポを担当します。請求書の発行も行います。\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert _invoke("tag", src, "--model", duty_model_dir, "-o", out, "-q").exit_code == 0
    wb = openpyxl.load_workbook(out)
    items, sents = (list(ws.iter_rows(values_only=True)) for ws in wb.worksheets)
    assert items[0][-1] == "duties" and set(items[1][-1].split(";")) == {"prospecting", "billing"}
    assert sents[0][-1] == "duties" and [r[-1] for r in sents[1:]] == ["prospecting", "billing"]


def test_an_input_field_named_duties_does_not_overwrite_them(duty_model_dir, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "SNS広告の運用", "duties": "mine"}) + "\n", encoding="utf-8")
    rec = json.loads(_invoke("tag", src, "--model", duty_model_dir, "-q").output)
    assert rec["input_duties"] == "mine" and rec["duties"][0]["duty"] == "ads"


def test_evaluate_prints_per_duty_figures_and_confused_pairs(duty_model_dir, duty_corpus):
    res = _invoke("evaluate", duty_corpus, "--model", duty_model_dir)
    assert res.exit_code == 0
    text = res.output
    assert "\nduties (n = 56, exact match" in text and "| prospecting |" in text and "| backoffice |" in text
    assert "most confused duty pairs (gold -> predicted)" in text
    res = _invoke("evaluate", duty_corpus, "--model", duty_model_dir, "--format", "json")
    duties = json.loads(res.output)["duties"]
    assert duties["n"] == 56 and set(duties["per_class"]) <= set(DUTY_IDS)
    assert set(duties["per_class"]["ads"]) == {"precision", "recall", "f1", "support"}
    assert duties["per_class"]["ads"]["support"] == 7
    assert 0 < duties["macro_f1"] <= 1 and all(set(c) == {"gold", "predicted", "count"} for c in duties["confused"])


def test_duty_report_counts_and_confused_pairs():
    from roleclassify.evaluation import duty_report

    r = duty_report([["a"], ["a"], ["b"], [], ["a", "b"]], [["a"], ["b"], ["b"], ["b"], ["a"]], ["a", "b", "c"])
    assert r["per_class"]["a"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert r["per_class"]["b"] == {"precision": 0.3333, "recall": 0.5, "f1": 0.4, "support": 2}
    assert "c" not in r["per_class"] and r["macro_f1"] == 0.6 and r["exact_match"] == 0.4
    assert r["confused"] == [{"gold": "a", "predicted": "b", "count": 1}]
    r = duty_report([["a", "c"], ["a"], ["c"], ["b"]], [["b"], ["b"], ["a"], ["a"]], ["a", "b", "c"])
    assert r["confused"] == [{"gold": "a", "predicted": "b", "count": 2}, {"gold": "b", "predicted": "a", "count": 1},
                             {"gold": "c", "predicted": "a", "count": 1}, {"gold": "c", "predicted": "b", "count": 1}]


def test_evaluate_refuses_duties_the_model_does_not_know(duty_model_dir, tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"text": "受注処理", "labels": ["distribution"], "duties": ["shipping"]}) + "\n",
                   encoding="utf-8")
    res = CliRunner().invoke(cli, ["evaluate", str(src), "--model", str(duty_model_dir)])
    assert res.exit_code == 1 and "duty id(s) shipping that the model does not know" in res.output


# ------------------------------------------------------------------ the shipped model
def test_the_shipped_model_has_the_corpus_duties(shipped_model_dir, root):
    m = load(shipped_model_dir)
    table = json.loads((root / "corpus" / "duties.json").read_text(encoding="utf-8"))["duties"]
    assert m.duty_head is not None and m.duty_head.ids == [d["id"] for d in table]
    t = m.tag(["月末に請求書を発行し、入金を確認する。", "展示会への出展を企画し、ブースで名刺を集める。"])
    assert [d for d, _ in t[0].duties][:1] == ["billing"] and [d for d, _ in t[1].duties][:1] == ["events"]


def test_a_corpus_dir_finds_its_duty_list_beside_it(duty_corpus, tmp_path):
    from roleclassify.training import train

    d = tmp_path / "corpus" / "part"
    d.mkdir(parents=True)
    shutil.copy(duty_corpus, d / "c.jsonl")
    shutil.copy(duty_corpus.parent / "duties.json", tmp_path / "corpus" / "duties.json")
    head = train([d], None, cv=0).model.duty_head
    assert head is not None and head.ids == DUTY_IDS


def test_a_duty_of_a_role_holds_only_where_its_role_does(duty_model_dir):
    """With every duty threshold the least number above 0 every duty would hold: the gate leaves out the duties of the roles the
    sentence does not have (and keeps those of ``other``); without the gate all of them hold."""
    m = load(duty_model_dir)
    m.duty_head.thresholds = np.full(len(DUTY_IDS), np.nextafter(0.0, 1.0))
    s = m.tag(["SNS広告の運用"])[0].sentences[0]
    assert s.labels == ["marketing"]
    assert {d for d, _ in s.duties} == {"ads", "research", "backoffice"}
    m.duty_head.gate = False
    assert {d for d, _ in m.tag(["SNS広告の運用"])[0].duties} == set(DUTY_IDS)
    m.duty_head.thresholds = np.full(len(DUTY_IDS), 1.0)
    assert m.tag(["SNS広告の運用"])[0].duties == []


def test_roles_and_duties_in_one_pass_score_as_the_reference(shipped_model_dir, root):
    """One kernel pass over both weight matrices gives the roles exactly the scores they get alone, and the duties
    exactly the reference path's (or, without the kernel, both come from the reference path)."""
    from roleclassify.model import _reference_linear

    m = load(shipped_model_dir)
    texts = [json.loads(line)["text"] for line in
             (root / "corpus" / "sentences" / "batch_c.jsonl").read_text(encoding="utf-8").splitlines()[:300]]
    units = m.units(texts)
    z, zd = m._decisions(units)
    assert np.array_equal(z, m.decision_function_units(units))
    rows = m.featurizer.transform_arrays(units)
    assert np.array_equal(z, _reference_linear(rows, m.coef_, m.intercept_))
    assert np.array_equal(zd, _reference_linear(rows, m.duty_head.coef, m.duty_head.intercept))
    assert [t.to_dict() for t in m.tag(texts[:50])] == m.tag_dicts(texts[:50])
