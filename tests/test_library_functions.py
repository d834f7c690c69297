"""Library functions the CLI calls for evaluate's split and error file, suggest's exclusion list, and the one
reading of a corpus check; the comparison form of a text; the Dask path's rule for input columns named like an
output column (the rule of `tag`'s output records)."""

import json
from pathlib import Path

import pytest

from roleclassify.corpus import filter_split, known_texts, read_corpus, read_corpus_with_problems
from roleclassify.corpus_tools import check_corpus
from roleclassify.errors import CorpusError
from roleclassify.evaluation import misclassified_jsonl, write_misclassified
from roleclassify.text import text_key


def _write_corpus(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


RECORDS = [
    {"id": "a", "text": "新規顧客への提案営業", "labels": ["sales"], "split": "train"},
    {"id": "b", "text": "受注処理と在庫管理", "labels": ["distribution"], "split": "test"},
    {"id": "c", "text": "展示会の企画", "labels": ["marketing"]},
    {"id": "d", "unit": "document", "labels": ["sales"], "split": "test",
     "lines": [{"text": "ルート営業", "labels": ["sales"]}, {"text": "見積書の作成", "labels": []}]},
]


def test_filter_split_records_without_split_are_train(tmp_path):
    items = read_corpus([_write_corpus(tmp_path / "c.jsonl", RECORDS)])
    assert [it.id for it in filter_split(items, "all")] == ["a", "b", "c", "d"]
    assert [it.id for it in filter_split(items, "train")] == ["a", "c"]
    assert [it.id for it in filter_split(items, "test")] == ["b", "d"]


def test_filter_split_with_nothing_left_names_the_split(tmp_path):
    items = read_corpus([_write_corpus(tmp_path / "c.jsonl", RECORDS[:1])])
    with pytest.raises(CorpusError) as e:
        filter_split(items, "test")
    assert str(e.value) == 'no records with "split": "test" in the corpus'


def test_known_texts_are_record_and_line_texts_bad_records_skipped(tmp_path):
    """Texts without labels count (a suggest output not labelled yet is excluded from the next suggest);
    records without a text do not."""
    path = _write_corpus(tmp_path / "c.jsonl", [*RECORDS, {"text": "ラベルなし"}, {"labels": []}])
    assert known_texts([path]) == ["新規顧客への提案営業", "受注処理と在庫管理", "展示会の企画",
                                   "ルート営業\n見積書の作成", "ルート営業", "見積書の作成", "ラベルなし"]
    assert known_texts([]) == []
    only_unlabelled = _write_corpus(tmp_path / "to_label.jsonl", [{"text": "未ラベル", "labels": None}])
    assert known_texts([only_unlabelled]) == ["未ラベル"]


def test_read_corpus_with_problems_is_both_readings(tmp_path):
    path = _write_corpus(tmp_path / "c.jsonl", [RECORDS[0], {"text": "x"}, {"text": "", "labels": []}, RECORDS[2]])
    items, problems = read_corpus_with_problems([path])
    assert items == read_corpus([path], strict=False)
    with pytest.raises(CorpusError) as e:
        read_corpus([path])
    assert problems == e.value.problems and len(problems) == 2


def test_read_corpus_with_problems_refuses_a_corpus_without_records(tmp_path):
    path = _write_corpus(tmp_path / "c.jsonl", [{"text": "x"}])
    with pytest.raises(CorpusError, match="the corpus has no records"):
        read_corpus_with_problems([path])


def test_check_corpus_reads_each_file_once(tmp_path, monkeypatch):
    path = _write_corpus(tmp_path / "c.jsonl", [*RECORDS, {"text": "x"}])
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    res = check_corpus([path], label_errors=False, min_class=1)
    assert reads.count(path) == 1  # (imports read files too)
    assert res.errors == [f"{path}:5: no labels yet ('labels' is missing or null); label the record ([] for other) "
                          "or remove it"]


def test_misclassified_jsonl_one_object_per_line_text_as_is(tmp_path):
    errors = [{"id": "a", "text": "営業\n企画", "gold": ["sales"], "predicted": ["other"], "scores": {"sales": 0.2}},
              {"id": "b", "text": "x", "gold": ["other"], "predicted": ["sales"], "scores": {"sales": 0.9}}]
    data = misclassified_jsonl(errors)
    assert data == ("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)).encode("utf-8")
    assert [json.loads(l) for l in data.decode("utf-8").splitlines()] == errors and "営業".encode() in data
    assert misclassified_jsonl([]) == b""
    out = tmp_path / "errors.jsonl"
    out.write_text("old")
    write_misclassified(out, errors)
    assert out.read_bytes() == data and list(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize(("a", "b"), [("・新規開拓", "新規開拓"), ("① ＭＡツール 運用", "MAツール運用"),
                                      ("- 受注 処理", "受注処理")])
def test_text_key_same_text_after_marker_width_and_spaces(a, b):
    assert text_key(a) == text_key(b) == b


def test_text_key_keeps_different_texts_apart():
    assert text_key("受注処理") != text_key("受注管理")


FIELDS = [["review"], ["review", "input_review"], ["labels", "input_labels", "input_input_labels", "site"],
          ["input_text", "text", "部署"], ["scores", "shares", "sentences", "id"], ["site", "k"]]


@pytest.mark.parametrize("fields", FIELDS)
def test_dask_input_columns_named_as_tag_names_input_fields(fields):
    """Dask's rule and tag's output_record name a clashing input field alike (one rule, two writers)."""
    from roleclassify.dask import _ADDED_COLUMNS
    from roleclassify.io.output import OUTPUT_KEYS, input_names
    from roleclassify.io.readers import Record
    from roleclassify.model import Tagging
    from roleclassify.pipeline import output_record

    values = {f: f"value of {f}" for f in fields}
    out = output_record(Record("r1", "営業", dict(values)), Tagging("営業", ["sales"], {"sales": 0.9}))
    renamed = input_names(fields)
    assert renamed == {f: next(k for k, v in out.items() if v == values[f]) for f in fields}
    # the Dask writer reserves its own columns ("error") instead of "explain", by the same rule
    dask_named = input_names(fields, reserved=_ADDED_COLUMNS)
    assert {f: n for f, n in dask_named.items() if f != "explain"} == {f: n for f, n in renamed.items() if f != "explain"}
    assert OUTPUT_KEYS[:-1] == _ADDED_COLUMNS[:-1]


def test_dask_partition_keeps_both_review_and_input_review():
    pd = pytest.importorskip("pandas")
    from roleclassify.dask import tag_partition

    df = pd.DataFrame({"text": ["受注処理", "提案営業"], "review": [1, 2], "input_review": ["a", "b"], "site": ["s", "t"]})
    out = tag_partition(df)
    assert list(out.columns) == ["id", "text", "labels", "scores", "review", "sentences", "shares", "duties",
                                 "error", "input_input_review", "input_review", "site"]
    assert out["input_input_review"].tolist() == [1, 2] and out["input_review"].tolist() == ["a", "b"]
    assert out["review"].dtype == bool
