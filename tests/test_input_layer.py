"""One input layer for every command (issue 14): gzip-compressed input read as it is, Word / PDF / HTML one
item per paragraph, corpora in the encodings `tag` reads (a CP932 CSV saved by Excel), --encoding on every
command that reads text, one wording for undecodable input. Real files made by the tools users have: the gzip
module, python-docx, csv + cp932; the PDF is written by hand (no PDF writer is installed: see minimal_pdf)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli

DATA = Path(__file__).resolve().parent / "data"
JOBS = ["新規顧客への提案営業を担当します。", "受注データの入力と出荷手配", "展示会の企画と広告の効果測定"]


def run(*args, input=None):
    return CliRunner().invoke(cli, [*map(str, args)], input=input)


def records(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def error_lines(r):
    assert "Traceback" not in r.output
    return [line for line in r.stderr.splitlines() if line.strip()]


def gzipped(path: Path) -> Path:
    out = path.with_name(path.name + ".gz")
    out.write_bytes(gzip.compress(path.read_bytes()))
    return out


# --------------------------------------------------------------------------- gzip
def _write_inputs(tmp_path: Path) -> dict[str, Path]:
    jsonl = tmp_path / "jobs.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"j{i}", "text": t}, ensure_ascii=False) + "\n"
                             for i, t in enumerate(JOBS)), encoding="utf-8")
    txt = tmp_path / "jobs.txt"
    txt.write_bytes(("\r\n".join(JOBS) + "\r\n").encode("cp932"))  # as Notepad on Japanese Windows saves it
    table = [["No.", "仕事内容"], *[[str(i), t] for i, t in enumerate(JOBS)]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(table)
    csv_path = tmp_path / "jobs.csv"
    csv_path.write_bytes(buf.getvalue().encode("cp932"))
    tsv = tmp_path / "jobs.tsv"
    tsv.write_text("".join("\t".join(row) + "\n" for row in table), encoding="utf-8-sig")
    html = tmp_path / "job.html"
    html.write_text("<html><body><nav>ホーム 採用</nav><h1>法人営業</h1>" + "".join(f"<p>{t}</p>" for t in JOBS)
                    + "<footer>Copyright</footer></body></html>", encoding="utf-8")
    return {"jsonl": jsonl, "txt": txt, "csv": csv_path, "tsv": tsv, "html": html}


@pytest.mark.parametrize("kind", ["jsonl", "txt", "csv", "tsv", "html"])
def test_gzip_input_tags_as_the_uncompressed_file(tmp_path, kind, shipped_model_dir):
    plain = _write_inputs(tmp_path)[kind]
    packed = gzipped(plain)
    a = run("tag", plain, "-m", shipped_model_dir, "--format", "jsonl")
    b = run("tag", packed, "-m", shipped_model_dir, "--format", "jsonl")
    assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
    assert len(records(a)) >= 3
    # the same records; a location names the .gz file, at the same line
    assert b.stdout.replace(f"{packed}:", f"{plain}:") == a.stdout


def test_gzip_on_stdin_is_recognised_by_its_header(tmp_path, shipped_model_dir):
    plain = _write_inputs(tmp_path)["jsonl"]
    a = run("tag", "-m", shipped_model_dir, "--format", "jsonl", input=plain.read_bytes())
    b = run("tag", "-m", shipped_model_dir, "--format", "jsonl", input=gzip.compress(plain.read_bytes()))
    assert a.exit_code == 0 and b.exit_code == 0 and b.stdout == a.stdout
    assert [r["id"] for r in records(b)] == ["j0", "j1", "j2"]  # sniffed as JSONL after decompressing


@pytest.mark.parametrize("damage", ["cut", "not_gzip"])
def test_corrupt_gzip_is_one_line_and_the_other_files_are_read(tmp_path, damage, shipped_model_dir):
    inputs = _write_inputs(tmp_path)
    packed = gzip.compress(inputs["jsonl"].read_bytes() * 5000)  # several read buffers of JSONL
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(packed[: len(packed) // 2] if damage == "cut" else b"plain text, not gzip\n")
    r = run("tag", bad, inputs["txt"], "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 1
    errs = error_lines(r)
    (about_bad,) = [e for e in errs if str(bad) in e]
    assert about_bad.startswith(f"roleclassify: {bad}: ") and "gzip" in about_bad
    assert [x["text"] for x in records(r)][-3:] == JOBS  # the next file is tagged
    if damage == "cut":  # the records decompressed before the damage are kept
        assert len(records(r)) > 3


def test_gzip_corpus_trains_evaluates_and_is_counted(tmp_path):
    packed = gzipped(_copy(DATA / "tiny_corpus.jsonl", tmp_path))
    plain = run("corpus", "stats", DATA / "tiny_corpus.jsonl", "--format", "json")
    r = run("corpus", "stats", packed, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == json.loads(plain.stdout)


def _copy(src: Path, into: Path) -> Path:
    out = into / src.name
    out.write_bytes(src.read_bytes())
    return out


# --------------------------------------------------------------------------- corpus encodings
def _sjis_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """The tiny corpus's sentences as a CSV Excel on Japanese Windows saves it (CP932, CRLF), and the same
    rows as UTF-8."""
    rows = [json.loads(line) for line in (DATA / "tiny_corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["id", "text", "labels"])
    writer.writerows([r["id"], r["text"], ";".join(r["labels"])] for r in rows if "text" in r)
    sjis, utf8 = tmp_path / "ラベル付き.csv", tmp_path / "utf8.csv"
    sjis.write_bytes(buf.getvalue().encode("cp932"))
    utf8.write_bytes(buf.getvalue().encode("utf-8"))
    return sjis, utf8


def test_cp932_training_csv_is_trained_and_evaluated(tmp_path):
    sjis, utf8 = _sjis_corpus(tmp_path)
    with pytest.raises(UnicodeDecodeError):
        sjis.read_bytes().decode("utf-8")  # really not UTF-8
    r = run("train", sjis, "--out", tmp_path / "m", "--cv", "2", "-q")
    assert r.exit_code == 0, r.output
    r = run("train", utf8, "--out", tmp_path / "m8", "--cv", "2", "-q")
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    meta8 = json.loads((tmp_path / "m8" / "meta.json").read_text(encoding="utf-8"))
    assert meta["corpus"]["n_items"] == 48 and meta["corpus"]["sha256"] == meta8["corpus"]["sha256"]
    r = run("evaluate", sjis, "-m", tmp_path / "m", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sentences"]["n"] == 48
    r = run("evaluate", sjis, "-m", tmp_path / "m", "--format", "json", "--encoding", "cp932")
    assert r.exit_code == 0 and json.loads(r.stdout)["sentences"]["n"] == 48


@pytest.mark.parametrize("command", [["train", "--out", "M"], ["evaluate"], ["corpus", "stats"], ["corpus", "check"]])
def test_corpus_in_the_wrong_encoding_is_one_line_naming_file_line_and_option(tmp_path, command):
    sjis, _ = _sjis_corpus(tmp_path)
    args = [a if a != "M" else tmp_path / "m" for a in command]
    r = run(*args[:2] if command[0] == "corpus" else args[:1], sjis, *args[2 if command[0] == "corpus" else 1:],
            "--encoding", "utf-8")
    assert r.exit_code == 1
    assert f"{sjis}:2: cannot decode as utf-8 (byte 0x" in r.output and "); pass --encoding ENC" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "m").exists()


def test_corpus_encoding_from_python_names_the_parameter(tmp_path):
    from roleclassify.corpus import read_corpus
    from roleclassify.errors import InputError

    sjis, _ = _sjis_corpus(tmp_path)
    assert len(read_corpus([sjis])) == 48 == len(read_corpus([sjis], encoding="cp932"))
    with pytest.raises(InputError, match=r":2: cannot decode as utf-8 \(byte 0x[0-9a-f]{2}\); pass encoding='ENC'"):
        read_corpus([sjis], encoding="utf-8")


def test_unknown_encoding_is_a_usage_error_everywhere(tmp_path):
    sjis, _ = _sjis_corpus(tmp_path)
    for args in (["train", sjis, "--out", tmp_path / "m"], ["evaluate", sjis], ["corpus", "stats", sjis],
                 ["corpus", "check", sjis], ["audit", sjis], ["tag", sjis], ["suggest", sjis]):
        r = run(*args, "--encoding", "klingon")
        assert r.exit_code == 2 and "unknown encoding 'klingon'" in r.stderr, (args, r.output)


def test_corpus_check_and_stats_read_cp932(tmp_path):
    sjis, _ = _sjis_corpus(tmp_path)
    r = run("corpus", "stats", sjis, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["items"] == 48
    r = run("corpus", "check", sjis, "--no-label-errors", "--min-class", "1", "--format", "json")
    assert json.loads(r.stdout)["stats"]["items"] == 48


def test_suggest_exclude_reads_a_cp932_corpus(tmp_path, shipped_model_dir):
    sjis, _ = _sjis_corpus(tmp_path)
    rows = list(csv.reader(io.StringIO(sjis.read_bytes().decode("cp932"))))[1:]
    new = tmp_path / "new.txt"
    new.write_text("\n".join([rows[0][1], rows[1][1], "倉庫での検品と出荷作業"]) + "\n", encoding="utf-8")
    r = run("suggest", new, "--exclude", sjis, "-m", shipped_model_dir, "-n", "5", "-q")
    assert r.exit_code == 0, r.output
    assert [x["text"] for x in records(r)] == ["倉庫での検品と出荷作業"]  # the labelled ones left out


# --------------------------------------------------------------------------- Word, PDF, HTML
@pytest.fixture
def word_file(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("法人営業", level=1)
    d.add_paragraph(JOBS[0])
    d.add_paragraph("")  # an empty paragraph is no item
    d.add_paragraph(JOBS[1], style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "販促"
    table.cell(0, 1).text = "展示会の企画"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "広告の効果測定"
    path = tmp_path / "求人票.docx"
    d.save(path)
    return path


WORD_BLOCKS = ["法人営業", JOBS[0], JOBS[1], "販促", "展示会の企画", "広告の効果測定"]


def test_docx_paragraphs_list_items_and_cells_are_items(word_file, shipped_model_dir):
    r = run("tag", word_file, "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    out = records(r)
    assert [o["text"] for o in out] == WORD_BLOCKS  # a merged cell once
    assert [o["id"] for o in out] == [f"{word_file}:paragraph {n}" for n in range(1, 7)]
    assert out[1]["labels"] == ["sales"] and out[2]["labels"] == ["distribution"]
    assert out[4]["labels"] == ["marketing"]


def test_docx_unit_document_and_gzip(word_file, shipped_model_dir):
    r = run("tag", word_file, "--unit", "document", "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    (o,) = records(r)
    assert o["id"] == str(word_file) and o["text"] == "\n".join(WORD_BLOCKS)
    assert len(o["sentences"]) == len(WORD_BLOCKS)  # one item, its lines its sentences
    packed = gzipped(word_file)
    a = run("tag", word_file, "-m", shipped_model_dir, "--format", "jsonl")
    b = run("tag", packed, "-m", shipped_model_dir, "--format", "jsonl")
    assert b.exit_code == 0 and b.stdout.replace(f"{packed}:", f"{word_file}:") == a.stdout


def test_docx_on_stdin_with_input_format(word_file, shipped_model_dir):
    r = run("tag", "-", "--input-format", "docx", "-m", shipped_model_dir, "--format", "jsonl",
            input=word_file.read_bytes())
    assert r.exit_code == 0, r.output
    assert [o["text"] for o in records(r)] == WORD_BLOCKS
    assert records(r)[0]["id"] == "<stdin>:paragraph 1"


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines``, written by hand: no PDF writer is installed (pypdf
    reads PDFs, it does not lay out text). The text is in the standard Japanese CID font HeiseiKakuGo-W5 with
    the predefined UniJIS-UCS2-H encoding (UTF-16BE codes), as ReportLab writes Japanese; every line is its
    own text object, so readers see one text line each. The cross-reference table holds the real offsets."""
    content = b"".join(
        b"BT /F1 12 Tf 72 %d Td <%s> Tj ET\n" % (800 - 24 * i, line.encode("utf-16-be").hex().encode())
        for i, line in enumerate(lines))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /DW 1000 >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_pdf_text_lines_are_items_and_unit_document(tmp_path, shipped_model_dir):
    pytest.importorskip("pypdf")
    pdf = tmp_path / "job.pdf"
    pdf.write_bytes(minimal_pdf(["法人営業", *JOBS]))
    r = run("tag", pdf, "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    out = records(r)
    assert [o["text"] for o in out] == ["法人営業", *JOBS]
    assert [o["id"] for o in out] == [f"{pdf}:paragraph {n}" for n in range(1, 5)]
    assert [o["labels"] for o in out[1:]] == [["sales"], ["distribution"], ["marketing"]]
    r = run("tag", pdf, "--unit", "document", "-m", shipped_model_dir, "--format", "jsonl")
    (o,) = records(r)
    assert o["text"] == "\n".join(["法人営業", *JOBS]) and o["id"] == str(pdf)


def test_broken_word_and_pdf_are_one_line(tmp_path, shipped_model_dir):
    docx_path, pdf_path = tmp_path / "broken.docx", tmp_path / "broken.pdf"
    docx_path.write_bytes(b"PK\x03\x04 not a document")
    pdf_path.write_bytes(b"%PDF-1.4 nothing else")
    good = _write_inputs(tmp_path)["txt"]
    r = run("tag", docx_path, pdf_path, good, "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 1 and [o["text"] for o in records(r)] == JOBS
    errs = error_lines(r)
    assert any(e.startswith(f"roleclassify: {docx_path}: cannot read as DOCX") for e in errs), errs
    assert any(e.startswith(f"roleclassify: {pdf_path}: ") for e in errs), errs


def test_html_lines_are_items_without_page_furniture(tmp_path, shipped_model_dir):
    html = _write_inputs(tmp_path)["html"]
    r = run("tag", html, "-m", shipped_model_dir, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    assert [o["text"] for o in records(r)] == ["法人営業", *JOBS]  # navigation and footer left out
    assert records(r)[0]["id"] == f"{html}:paragraph 1"


def test_suggest_reads_word(word_file, shipped_model_dir):
    r = run("suggest", word_file, "-m", shipped_model_dir, "-n", "10", "-q")
    assert r.exit_code == 0, r.output
    assert {x["text"] for x in records(r)} <= set(WORD_BLOCKS) and records(r)


# --------------------------------------------------------------------------- audit
ORG = "【営業部】\n・新規顧客への提案営業\n・既存顧客へのルート営業\n【業務課】\n・受注データの入力と出荷手配\n・在庫の管理\n"


def test_audit_takes_encoding(tmp_path, shipped_model_dir):
    assert "--encoding" in run("audit", "--help").output
    doc = tmp_path / "分掌.txt"
    doc.write_bytes(ORG.encode("cp932"))
    r = run("audit", doc, "--encoding", "cp932", "-m", shipped_model_dir, "--format", "json")
    assert r.exit_code == 0, r.output
    assert [d["name"] for d in json.loads(r.stdout)["departments"]] == ["営業部", "業務課"]
    r = run("audit", doc, "--encoding", "utf-8", "-m", shipped_model_dir, "--format", "json")
    assert r.exit_code == 1
    (err,) = error_lines(r)
    assert f"{doc}:1: cannot decode as utf-8 (byte 0x" in err and "pass --encoding ENC" in err


def test_audit_reads_gzip_documents(tmp_path, shipped_model_dir):
    doc = tmp_path / "分掌.txt"
    doc.write_bytes(ORG.encode("cp932"))
    a = run("audit", doc, "-m", shipped_model_dir, "--format", "json")
    b = run("audit", gzipped(doc), "-m", shipped_model_dir, "--format", "json")
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    depts = lambda r: [(d["name"], len(d["duties"])) for d in json.loads(r.stdout)["departments"]]
    assert depts(a) == depts(b) == [("営業部", 2), ("業務課", 2)]


def test_html_takes_encoding(tmp_path, shipped_model_dir):
    page = tmp_path / "page.html"
    page.write_bytes(("<html><body>" + "".join(f"<p>{t}</p>" for t in JOBS) + "</body></html>").encode("cp932"))
    detected = run("tag", page, "-m", shipped_model_dir, "--format", "jsonl")
    forced = run("tag", page, "--encoding", "cp932", "-m", shipped_model_dir, "--format", "jsonl")
    assert [o["text"] for o in records(detected)] == JOBS and forced.stdout == detected.stdout
    wrong = run("tag", page, "--encoding", "utf-8", "-m", shipped_model_dir, "--format", "jsonl")
    assert wrong.exit_code == 1 and records(wrong) == []
    (err,) = error_lines(wrong)
    assert err.startswith(f"roleclassify: {page}:1: cannot decode as utf-8 (byte 0x") and err.endswith(
        "pass --encoding ENC")


def test_corpus_split_rewrites_a_cp932_jsonl_corpus_as_utf8(tmp_path):
    rows = (DATA / "tiny_corpus.jsonl").read_text(encoding="utf-8")
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(rows.encode("cp932"))
    r = run("corpus", "split", corpus)
    assert r.exit_code == 0, r.output
    written = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert [w["id"] for w in written] == [json.loads(line)["id"] for line in rows.splitlines()]
    assert {w["split"] for w in written} == {"train", "test"}


def test_audit_directory_reads_its_gzip_documents(tmp_path):
    """A per-department directory may hold compressed files: 営業部.txt.gz is the department 営業部."""
    import gzip

    from roleclassify.orgdocs import read_org_documents

    d = tmp_path / "部署"
    d.mkdir()
    (d / "物流部.txt").write_text("受注データの入力と出荷手配\n在庫数の確認と棚卸\n", encoding="utf-8")
    with gzip.open(d / "営業部.txt.gz", "wt", encoding="cp932") as f:
        f.write("新規顧客への提案営業\n既存顧客へのルート営業\n")
    docs = read_org_documents([d])
    names = sorted(s.department for doc in docs for s in doc.sections)
    assert names == ["営業部", "物流部"]
    duties = {s.department: [u.text for u in s.duties] for doc in docs for s in doc.sections}
    assert duties["営業部"] == ["新規顧客への提案営業", "既存顧客へのルート営業"]
