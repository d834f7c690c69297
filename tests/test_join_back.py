"""Results join back to the user's own data (issue 14): `--id-column` / `--id-field` set the ids, the text
column keeps its name in CSV, TSV and Excel output, `--columns` (`--select`) picks the input fields carried
over, `--limit N` tags the first N good records. Inputs are real files (CSV written as Excel on Japanese
Windows saves it, workbooks made by openpyxl); outputs are read back with csv and openpyxl and joined to the
input by id."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.commands import TagOptions, dask_unsupported, run_tag
from roleclassify.errors import InputError, OptionError
from roleclassify.io.output import DUTY_KEYS, RECORD_KEYS

ROWS = [
    ("E001", "営業部", "新規顧客への提案営業を担当します。"),
    ("E002", "物流部", "受注データの入力と出荷手配を行います。"),
    ("E003", "販促課", "展示会の企画と広告の効果測定"),
    ("E004", "総務部", "備品の管理と来客対応"),
]
LABELS = ("sales", "distribution", "marketing")


def _write_csv(path, rows, header=("社員番号", "部署", "仕事内容"), encoding="cp932"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def staff_csv(tmp_path):
    return _write_csv(tmp_path / "社員.csv", ROWS)


def _run(*args):
    return CliRunner().invoke(cli, ["tag", *map(str, args)])


def _jsonl(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def _read_csv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def _read_xlsx(path, sheet="results"):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(path)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def _by_id(rows):
    head, *body = rows
    return head, {r[0]: dict(zip(head, r)) for r in body}


# --------------------------------------------------------------------------- ids and the text column's name
def test_csv_output_joins_back_by_id(staff_csv, tmp_path):
    out = tmp_path / "判定結果.csv"
    r = _run(staff_csv, "--id-column", "社員番号", "-o", out)
    assert r.exit_code == 0, r.output
    head, got = _by_id(_read_csv(out))
    assert head[:3] == ["id", "仕事内容", "labels"]  # the input's name for its text, not "text"
    assert head[-2:] == ["社員番号", "部署"]  # the id column is kept as a field too
    assert set(got) == {emp for emp, _, _ in ROWS}
    for emp, dept, text in ROWS:  # joined to the input by its own id
        assert got[emp]["仕事内容"] == text and got[emp]["部署"] == dept and got[emp]["社員番号"] == emp
    assert got["E001"]["labels"] == "sales" and got["E002"]["labels"] == "distribution"


def test_xlsx_output_joins_back_by_id(staff_csv, tmp_path):
    out = tmp_path / "判定結果.xlsx"
    r = _run(staff_csv, "--id-column", "社員番号", "-o", out)
    assert r.exit_code == 0, r.output
    head, got = _by_id(_read_xlsx(out))
    # the input's columns first (id, text under its own name, the others), then the results
    assert head == ["id", "仕事内容", "社員番号", "部署", "labels", "sales", "distribution", "marketing", "review",
                    "n_sentences", "duties"]
    for emp, dept, text in ROWS:
        assert got[emp]["仕事内容"] == text and got[emp]["部署"] == dept
    sents = _read_xlsx(out, "sentences")
    assert {row[0] for row in sents[1:]} == {emp for emp, _, _ in ROWS}  # sentences carry the same ids


def test_xlsx_text_cells_wrap(tmp_path):
    """A job description of several lines reads as it was written in Excel: its text cell (and each sentence's)
    wraps and starts at the top, the other cells are left as they are."""
    openpyxl = pytest.importorskip("openpyxl")
    src = tmp_path / "jd.txt"
    src.write_text("・新規開拓\n・受注処理と在庫管理。納期調整も行う。\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    r = _run(src, "--unit", "document", "-o", out)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    for sheet in ("results", "sentences"):
        ws = wb[sheet]
        text, other = ws["B2"], ws["C2"]
        assert "新規開拓" in text.value
        assert text.alignment.wrap_text and text.alignment.vertical == "top"
        assert not other.alignment.wrap_text


def test_lang_ja_keeps_the_text_columns_name(staff_csv, tmp_path):
    out = tmp_path / "t.csv"
    r = _run(staff_csv, "--id-column", "社員番号", "--lang", "ja", "--excel", "-o", out)
    assert r.exit_code == 0, r.output
    head, got = _by_id(_read_csv(out, "utf-8-sig"))
    assert head[:8] == ["ID", "仕事内容", "判定", "営業", "販売", "マーケティング", "要確認", "文数"]
    assert got["E001"]["判定"] == "営業"


def test_an_input_without_names_or_named_text_gets_the_generic_header(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "受注処理"}\n', encoding="utf-8")
    for lang, name in (("en", "text"), ("ja", "テキスト")):
        out = tmp_path / f"{lang}.tsv"
        assert _run(src, "--lang", lang, "-o", out).exit_code == 0
        assert out.read_text(encoding="utf-8").split("\t")[:2] == [{"en": "id", "ja": "ID"}[lang], name]
    body = tmp_path / "body.jsonl"
    body.write_text('{"id": "a", "本文": "受注処理"}\n', encoding="utf-8")
    assert _run(body, "--text-field", "本文", "-o", tmp_path / "b.csv").exit_code == 0
    assert _read_csv(tmp_path / "b.csv")[0][:2] == ["id", "本文"]


def test_jsonl_and_parquet_output_keep_the_stable_text_key(staff_csv, tmp_path):
    r = _run(staff_csv, "--id-column", "社員番号", "--format", "jsonl")
    assert r.exit_code == 0
    out = _jsonl(r)
    assert [o["id"] for o in out] == ["E001", "E002", "E003", "E004"]
    assert out[0]["text"] == ROWS[0][2] and "仕事内容" not in out[0]
    pq = pytest.importorskip("pyarrow.parquet")
    assert _run(staff_csv, "--id-column", "社員番号", "-o", tmp_path / "o.parquet").exit_code == 0
    table = pq.read_table(tmp_path / "o.parquet")
    assert "text" in table.column_names and "仕事内容" not in table.column_names
    assert table.column("id").to_pylist() == ["E001", "E002", "E003", "E004"]


def test_the_first_inputs_text_column_name_heads_the_column(staff_csv, tmp_path):
    other = _write_csv(tmp_path / "b.csv", [("E009", "営業部", "既存顧客へのルート営業")],
                       header=("社員番号", "部署", "業務内容"))
    out = tmp_path / "o.csv"
    r = _run(staff_csv, other, "--id-column", "社員番号", "-o", out)
    assert r.exit_code == 0, r.output
    head, got = _by_id(_read_csv(out))
    assert head[1] == "仕事内容" and "業務内容" not in head
    assert got["E009"]["仕事内容"] == "既存顧客へのルート営業"


def test_jsonl_id_field(tmp_path):
    src = tmp_path / "ads.jsonl"
    src.write_text('{"code": 7, "本文": "新規顧客への提案営業", "site": "A"}\n'
                   '{"code": "k-2", "本文": "受注データの入力"}\n', encoding="utf-8")
    r = _run(src, "--text-field", "本文", "--id-field", "code", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    out = _jsonl(r)
    assert [o["id"] for o in out] == [7, "k-2"]  # the id keeps its JSON type
    assert out[0]["code"] == 7 and out[0]["site"] == "A"


def test_id_column_and_id_field_each_apply_to_their_format(staff_csv, tmp_path):
    ads = tmp_path / "ads.jsonl"
    ads.write_text('{"code": "k-1", "社員番号": "wrong", "text": "受注処理"}\n', encoding="utf-8")
    r = _run(staff_csv, ads, "--id-column", "社員番号", "--id-field", "code", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    assert [o["id"] for o in _jsonl(r)] == ["E001", "E002", "E003", "E004", "k-1"]


def test_stdin_jsonl_id_field():
    r = CliRunner().invoke(cli, ["tag", "--id-field", "no", "--format", "jsonl"],
                           input='{"no": "x1", "text": "受注処理"}\n')
    assert r.exit_code == 0, r.output
    assert _jsonl(r)[0]["id"] == "x1"


def test_excel_input_numeric_ids_stay_numbers_in_excel_output(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["職務一覧 2025年度"])  # a title row above the header
    ws.append(["社員番号", "氏名", "職務内容"])
    ws.append([1001, "山田", "新規顧客への提案営業"])
    ws.append([1002, "佐藤", "受注データの入力と出荷手配"])
    src = tmp_path / "職務.xlsx"
    wb.save(src)
    out = tmp_path / "結果.xlsx"
    r = _run(src, "--id-column", "社員番号", "-o", out)
    assert r.exit_code == 0, r.output
    head, got = _by_id(_read_xlsx(out))
    assert head[1] == "職務内容"
    assert set(got) == {1001, 1002}  # numbers, as in the input: a lookup against the user's ids matches
    assert got[1001]["氏名"] == "山田" and got[1002]["職務内容"] == "受注データの入力と出荷手配"


def test_parquet_input_id_column(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "jobs.parquet"
    pq.write_table(pa.table({"求人ID": ["J-1", "J-2"], "仕事内容": ["提案営業", "受注処理"]}), src)
    r = _run(src, "--id-column", "求人ID", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][:2] == ["id", "仕事内容"] and [row[0] for row in rows[1:]] == ["J-1", "J-2"]


def test_id_column_named_id_is_the_default_made_mandatory(tmp_path):
    src = _write_csv(tmp_path / "a.csv", [("a1", "提案営業")], header=("id", "仕事内容"))
    r = _run(src, "--id-column", "id", "--format", "jsonl")
    assert r.exit_code == 0 and _jsonl(r)[0]["id"] == "a1"
    plain = _write_csv(tmp_path / "b.csv", [("x", "提案営業")], header=("部署", "仕事内容"))
    r = _run(plain, "--id-column", "id", "--format", "jsonl")
    assert r.exit_code == 1 and "no 'id' column for --id-column (columns: 部署, 仕事内容)" in r.output


def test_without_id_column_ids_stay_file_and_line(staff_csv):
    r = _run(staff_csv, "--format", "jsonl")
    assert [o["id"] for o in _jsonl(r)] == [f"{staff_csv}:{n}" for n in (2, 3, 4, 5)]


# --------------------------------------------------------------------------- empty, duplicate, missing
def test_empty_id_is_reported_and_the_record_skipped(tmp_path):
    src = _write_csv(tmp_path / "a.csv", [("E001", "営業部", "提案営業"), ("  ", "物流部", "受注処理"),
                                          ("E003", "販促課", "広告の効果測定")])
    r = _run(src, "--id-column", "社員番号", "--format", "jsonl")
    assert r.exit_code == 1
    assert [o["id"] for o in _jsonl(r)] == ["E001", "E003"]
    assert f"{src}:3: empty column '社員番号' for the id (--id-column); record skipped" in r.stderr


def test_jsonl_null_or_missing_id_is_reported_and_skipped(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"no": "a", "text": "提案営業"}\n{"no": null, "text": "受注処理"}\n{"text": "出荷手配"}\n',
                   encoding="utf-8")
    r = _run(src, "--id-field", "no", "--format", "jsonl")
    assert r.exit_code == 1 and [o["id"] for o in _jsonl(r)] == ["a"]
    assert f"{src}:2: empty field 'no' for the id (--id-field); record skipped" in r.stderr
    assert f"{src}:3: no 'no' field for the id (--id-field); record skipped" in r.stderr


def test_duplicate_ids_are_kept(tmp_path):
    src = _write_csv(tmp_path / "a.csv", [("E001", "営業部", "提案営業"), ("E001", "営業部", "受注処理")])
    r = _run(src, "--id-column", "社員番号", "--format", "jsonl")
    assert r.exit_code == 0 and [o["id"] for o in _jsonl(r)] == ["E001", "E001"]


def test_missing_id_column_is_one_line_and_nothing_is_written(staff_csv, tmp_path):
    out = tmp_path / "o.xlsx"
    r = _run(staff_csv, "--id-column", "番号", "-o", out)
    assert r.exit_code == 1
    assert r.output == f"Error: {staff_csv}:2: no '番号' column for --id-column (columns: 社員番号, 部署, 仕事内容)\n"
    assert not out.exists()


def test_missing_id_field_is_one_line(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text('{"no": "a", "text": "提案営業"}\n', encoding="utf-8")
    r = _run(src, "--id-field", "code", "--format", "jsonl")
    assert r.exit_code == 1 and r.output == f"Error: {src}:1: no 'code' field for --id-field (fields: no, text)\n"


def test_missing_id_column_in_a_later_input_leaves_no_output(staff_csv, tmp_path):
    other = _write_csv(tmp_path / "b.csv", [("営業部", "提案営業")], header=("部署", "仕事内容"))
    out = tmp_path / "o.csv"
    r = _run(staff_csv, other, "--id-column", "社員番号", "-o", out)
    assert r.exit_code == 1 and "b.csv:2: no '社員番号' column" in r.output
    assert not out.exists()  # not half the results


# --------------------------------------------------------------------------- --columns / --select
def test_columns_keeps_only_those_in_that_order(staff_csv, tmp_path):
    r = _run(staff_csv, "--id-column", "社員番号", "--columns", "部署", "--format", "jsonl")
    assert r.exit_code == 0
    out = _jsonl(r)
    assert {k for k in out[0] if k not in (*RECORD_KEYS, *DUTY_KEYS)} == {"部署"}
    csv_out = tmp_path / "o.csv"
    r = _run(staff_csv, "--id-column", "社員番号", "--select", "部署,社員番号", "-o", csv_out)
    assert r.exit_code == 0
    head = _read_csv(csv_out)[0]
    assert head[-2:] == ["部署", "社員番号"] and head.count("部署") == 1
    xlsx_out = tmp_path / "o.xlsx"
    assert _run(staff_csv, "--columns", "", "-o", xlsx_out).exit_code == 0  # '' carries none over
    assert _read_xlsx(xlsx_out)[0][-2:] == ["n_sentences", "duties"]


def test_columns_may_name_the_text_and_the_id(staff_csv):
    r = _run(staff_csv, "--id-column", "社員番号", "--columns", "id,仕事内容,部署", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    assert _jsonl(r)[0]["部署"] == "営業部" and "社員番号" not in _jsonl(r)[0]


def test_unknown_column_is_one_line_listing_the_fields(staff_csv, tmp_path):
    out = tmp_path / "o.csv"
    r = _run(staff_csv, "--columns", "部署,所属", "-o", out)
    assert r.exit_code == 1
    assert r.output == f"Error: {staff_csv}:2: no '所属' column for --columns (columns: 社員番号, 部署, 仕事内容)\n"
    assert not out.exists()


# --------------------------------------------------------------------------- --limit
def test_limit_tags_the_first_n(staff_csv, tmp_path):
    out = tmp_path / "o.csv"
    r = _run(staff_csv, "--id-column", "社員番号", "--limit", "2", "-o", out)
    assert r.exit_code == 0
    assert [row[0] for row in _read_csv(out)[1:]] == ["E001", "E002"]


def test_limit_stops_reading_and_counts_good_records_only(tmp_path):
    src = tmp_path / "a.csv"
    src.write_text("部署,仕事内容\n営業部,提案営業\n壊れた行\n物流部,受注処理\n販促課,広告\n壊れた,行,です\n",
                   encoding="utf-8")
    r = _run(src, "--limit", "2", "--format", "jsonl")
    assert [o["部署"] for o in _jsonl(r)] == ["営業部", "物流部"]
    assert f"{src}:3:" in r.stderr  # a bad record before the limit is reported and not counted
    assert f"{src}:6" not in r.stderr  # the row after the limit is never read
    r = _run(src, "--limit", "1", "--format", "jsonl", "-q")  # -q: no summary, so stderr shows any problem
    assert r.exit_code == 0 and len(_jsonl(r)) == 1 and r.stderr == ""


def test_limit_spans_inputs_and_works_with_jobs(staff_csv, tmp_path, tiny_model_dir):
    other = _write_csv(tmp_path / "b.csv", [("E009", "営業部", "既存顧客へのルート営業")])
    # the tiny model, as test_cli's --jobs tests use
    r = _run(staff_csv, other, "--limit", "5", "--id-column", "社員番号", "--jobs", "2", "--format", "jsonl",
             "-m", tiny_model_dir)
    assert r.exit_code == 0, r.output
    assert [o["id"] for o in _jsonl(r)] == ["E001", "E002", "E003", "E004", "E009"]


def test_limit_below_one_is_a_usage_error(staff_csv):
    r = _run(staff_csv, "--limit", "0")
    assert r.exit_code == 2 and "--limit" in r.output


# --------------------------------------------------------------------------- round trip
def test_round_trip_xlsx_equals_jsonl(staff_csv, tmp_path):
    r = _run(staff_csv, "--id-column", "社員番号", "--format", "jsonl")
    assert r.exit_code == 0
    jsonl = {o["id"]: o for o in _jsonl(r)}
    out = tmp_path / "o.xlsx"
    assert _run(staff_csv, "--id-column", "社員番号", "-o", out).exit_code == 0
    head, got = _by_id(_read_xlsx(out))
    assert set(got) == set(jsonl)
    for rid, rec in jsonl.items():
        assert got[rid]["labels"].split(";") == rec["labels"]
        assert [got[rid][l] for l in LABELS] == [rec["scores"][l] for l in LABELS]
        assert got[rid]["review"] == rec["review"] and got[rid]["n_sentences"] == len(rec["sentences"])
    sents = _read_xlsx(out, "sentences")
    shead = sents[0]
    for rid, rec in jsonl.items():
        rows = [dict(zip(shead, s)) for s in sents[1:] if s[0] == rid]
        assert [s["sentence"] for s in rows] == [s["text"] for s in rec["sentences"]]
        assert [[s[l] for l in LABELS] for s in rows] == [[s["scores"][l] for l in LABELS] for s in rec["sentences"]]


# --------------------------------------------------------------------------- Python API
def test_python_api(staff_csv, tmp_path):
    out = tmp_path / "o.csv"
    summary = run_tag(TagOptions(inputs=(str(staff_csv),), output=str(out), id_column="社員番号",
                                 columns=("部署",), limit=3))
    assert (summary.tagged, summary.skipped) == (3, 0)
    head, got = _by_id(_read_csv(out))
    assert list(got) == ["E001", "E002", "E003"] and head[1] == "仕事内容" and head[-1] == "部署"
    summary = run_tag(TagOptions(inputs=(str(staff_csv),), output=str(out), columns="社員番号,部署"))
    assert _read_csv(out)[0][-2:] == ["社員番号", "部署"]  # a string is comma-separated, as on the command line


def test_python_api_errors_name_python_parameters(staff_csv, tmp_path):
    with pytest.raises(InputError, match=r"no '番号' column for id_column \(columns: 社員番号, 部署, 仕事内容\)"):
        run_tag(TagOptions(inputs=(str(staff_csv),), output=str(tmp_path / "o.jsonl"), id_column="番号"))
    with pytest.raises(InputError, match="for columns"):
        run_tag(TagOptions(inputs=(str(staff_csv),), output=str(tmp_path / "o.jsonl"), columns=("x",)))
    with pytest.raises(OptionError, match="limit must be 1 or more"):
        run_tag(TagOptions(inputs=(str(staff_csv),), output=str(tmp_path / "o.jsonl"), limit=0))


def test_dask_refuses_join_options():
    opts = TagOptions(inputs=("a.parquet",), id_column="x", id_field="y", columns=("a",), limit=3)
    assert dask_unsupported(opts) == ["id_column", "id_field", "columns", "limit"]


# --------------------------------------------------------------------------- README
def test_readme_join_back_example_is_what_the_command_prints(root, tmp_path, monkeypatch):
    """README's joining-back session, run for real: the file `cat` shows, then each command's output."""
    import re
    import shlex

    readme = (root / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```console\n(.*?)```", readme, flags=re.S) if "$ cat 社員.csv" in b)
    steps = re.split(r"^\$ ", block, flags=re.M)[1:]
    monkeypatch.chdir(tmp_path)
    for step in steps:
        command, _, shown = step.partition("\n")
        argv = shlex.split(command)
        if argv[0] == "cat":
            (tmp_path / argv[1]).write_text(shown, encoding="utf-8")
            continue
        assert argv[:2] == ["roleclassify", "tag"]
        r = CliRunner().invoke(cli, argv[1:])
        assert r.output == shown, command


def test_the_review_column_is_a_mark_in_japanese_and_a_boolean_in_english(tmp_path):
    """In Japanese CSV a flagged item is ○ and the rest empty, as a checklist marks them; English keeps
    True/False. The vague item (商品の管理) is flagged, the clear duty is not."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "商品の管理"}\n{"id": "b", "text": "新規顧客への提案営業と商談を担当します"}\n',
                   encoding="utf-8")
    for lang, (flag, clear) in (("ja", ("○", "")), ("en", ("True", "False"))):
        out = tmp_path / f"{lang}.csv"
        assert _run(src, "--lang", lang, "-o", out).exit_code == 0
        head, got = _by_id(_read_csv(out, "utf-8"))
        column = "要確認" if lang == "ja" else "review"
        assert (got["a"][column], got["b"][column]) == (flag, clear)


@pytest.mark.parametrize("shape", ["jsonl", "csv", "xlsx"])
def test_a_blank_id_in_the_inputs_own_id_column_is_reported_not_written(tmp_path, shape):
    """Without --id-column the input's own ``id`` column or field is the id: a record whose id is blank (null,
    an empty string, an empty cell) is reported with its location and skipped (exit 1), as with --id-column,
    instead of written with an empty id that joins to nothing; the other records are tagged."""
    rows = [("", "受注入力"), ("E2", "新規開拓"), (None, "広告運用")]
    src = tmp_path / f"in.{shape}"
    if shape == "jsonl":
        src.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows),
                       encoding="utf-8")
    elif shape == "csv":
        src.write_text("id,text\n" + "".join(f"{i or ''},{t}\n" for i, t in rows), encoding="utf-8")
    else:
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.Workbook()
        wb.active.append(["id", "text"])
        for i, t in rows:
            wb.active.append([i, t])
        wb.save(src)
    out = tmp_path / "out.csv"
    r = _run(src, "-o", out)
    assert r.exit_code == 1
    assert r.stderr.count("empty 'id'") == 2 and "Traceback" not in r.stderr
    body = _read_csv(out)[1:]
    assert [(row[0], row[1]) for row in body] == [("E2", "新規開拓")]


def test_a_text_longer_than_an_excel_cell_is_reported(tmp_path):
    """Excel cells hold 32,767 characters: a longer text is cut in the workbook (openpyxl cuts it silently),
    so the run says so and names the first record; shorter texts are whole and no warning is given."""
    openpyxl = pytest.importorskip("openpyxl")
    src = tmp_path / "jd.jsonl"
    src.write_text(json.dumps({"id": "A", "text": "受注処理"}, ensure_ascii=False) + "\n"
                   + json.dumps({"id": "B", "text": "受注処理と在庫管理" * 4000}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    out = tmp_path / "o.xlsx"
    r = _run(src, "-o", out, "--unit", "document", "-q")
    assert r.exit_code == 0
    assert "32,767" in r.stderr and "record 2" in r.stderr
    cells = [row[1] for row in openpyxl.load_workbook(out)["results"].iter_rows(min_row=2, values_only=True)]
    assert cells[0] == "受注処理" and len(cells[1]) == 32_767
    r = _run(tmp_path / "jd.jsonl", "-o", tmp_path / "o2.xlsx", "-q", "--limit", "1")
    assert r.exit_code == 0 and "32,767" not in r.stderr
