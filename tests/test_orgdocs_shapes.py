"""Document shapes from a user test of ``roleclassify audit`` (tests/data/orgdocs_shapes, the Word and Excel files
built here): an intranet page with lists, a table and definition lists; a text with mixed heading styles; a
業務分掌規程 in Word with 課 headings; a page with no departments; the reasons lines are left out for."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from roleclassify.cli import cli
from roleclassify.errors import AuditError
from roleclassify.orgdocs import DROP_REASONS, read_org_document, reading_report
from roleclassify.report.audit import REASON_NAMES_JA

DATA = Path(__file__).resolve().parent / "data" / "orgdocs_shapes"


def _parents(doc) -> dict[str, str | None]:
    """Each department read with its parent, as the reading report gives them."""
    return {d["department"]: d["parent"] for d in reading_report([doc])["departments"]}


def _reasons(doc) -> dict[str, str]:
    """Each line left out (its text) with the reason."""
    return {x["text"]: x["reason"] for x in reading_report([doc])["dropped"]}


def _duties(doc) -> dict[str, list[str]]:
    return {s.department: [d.text for d in s.duties] for s in doc.sections}


KOHARU_LISTS = {
    "店舗運営部": "店舗運営本部", "店舗開発部": "店舗運営本部", "商品部": "商品本部", "物流部": "商品本部",
    "EC事業部": None, "マーケティング部": None, "経理部": "管理本部", "人事総務部": "管理本部", "情報システム部": None,
}


def test_html_page_reads_its_table_and_the_headings_and_lists_around_it():
    doc = read_org_document(DATA / "koharu_intranet.html")
    assert doc.structure == "html/markdown+table"
    assert _parents(doc) == KOHARU_LISTS
    duties = _duties(doc)
    assert duties["経理部"] == ["月次決算と予算管理", "仕入先への支払処理"]  # from the table under 管理本部
    assert duties["店舗開発部"] == ["新規出店候補地の調査と商業施設との賃料交渉", "店舗の改装計画と内装工事の発注"]
    reasons = _reasons(doc)
    assert reasons["部署 | 主な業務 | 内線"] == "heading"  # the table's header row
    assert reasons["管理本部"] == reasons["店舗運営本部"] == "parent heading"


def test_html_h2_with_a_list_is_a_department_beside_h2_with_h3_departments(tmp_path):
    """The same page with lists under h3 headings in place of the table."""
    page = (DATA / "koharu_intranet.html").read_text(encoding="utf-8")
    table = page[page.index("<table>") : page.index("</table>") + len("</table>")]
    lists = ("<h3>経理部</h3>\n<ul><li>月次決算と予算管理</li><li>仕入先への支払処理</li></ul>\n<h3>人事総務部</h3>\n<ul>"
             "<li>社員・アルバイトの採用と入社手続き</li><li>新人スタッフ研修の実施</li><li>本社オフィスの備品管理</li></ul>")
    (tmp_path / "notable.html").write_text(page.replace(table, lists), encoding="utf-8")
    doc = read_org_document(tmp_path / "notable.html")
    assert doc.structure == "html/markdown"
    assert _parents(doc) == KOHARU_LISTS
    duties = _duties(doc)
    assert duties["EC事業部"] == [
        "自社ECサイトの運営と商品ページの作成", "ECサイトで受けた注文の確認と出荷依頼", "ECサイト会員へのメルマガの企画・配信",
        "ECサイトのお客様からのメール・チャットでのお問い合わせ対応",
    ]
    assert len(duties["マーケティング部"]) == 4
    # the <dt> terms (POSシステム ...) label the duties; the <dd> definitions are the duties
    assert duties["情報システム部"] == ["店舗POSレジの保守とトラブル対応", "社員用PC・アカウントの管理", "ECサイトのサーバー運用"]
    assert "empty department" not in _reasons(doc).values()


def test_html_definition_lists_of_departments_and_of_duty_groups(tmp_path):
    page = tmp_path / "org.html"
    page.write_text(
        "<html><body><h1>部署紹介</h1>\n<h2>管理本部</h2>\n<dl>\n<dt>経理部</dt>\n<dd>月次決算と予算管理</dd>\n"
        "<dd>仕入先への支払処理</dd>\n<dt>人事総務部</dt>\n<dd>社員の採用と入社手続き</dd>\n</dl>\n"
        "<h2>情報システム部</h2>\n<dl>\n<dt>POSシステム</dt>\n<dd>店舗POSレジの保守</dd>\n<dt>社内IT</dt>\n"
        "<dd>社員用PCの管理</dd>\n</dl>\n</body></html>\n",
        encoding="utf-8",
    )
    doc = read_org_document(page)
    assert _parents(doc) == {"経理部": "管理本部", "人事総務部": "管理本部", "情報システム部": None}
    assert _duties(doc) == {"経理部": ["月次決算と予算管理", "仕入先への支払処理"], "人事総務部": ["社員の採用と入社手続き"],
                            "情報システム部": ["店舗POSレジの保守", "社員用PCの管理"]}
    reasons = _reasons(doc)
    assert reasons["POSシステム"] == reasons["社内IT"] == "heading"
    assert reasons["管理本部"] == "parent heading"


TAKAMI = {
    "第一営業部": "営業本部", "第二営業部": "営業本部", "営業管理部": "営業本部", "技術サービス部": "技術本部",
    "設計部": "技術本部", "経理部": "管理本部", "人事総務部": "管理本部",
}


@pytest.mark.parametrize("name", ["takami_soshiki.txt", "takami_allbrackets.txt", "takami_plainheadings.txt"])
def test_text_with_numbered_bracketed_and_plain_headings(name):
    """「1. 営業本部」, 「第一営業部（自動車）」 and 【営業管理部】 in one document (or all in 【】, or all plain)."""
    doc = read_org_document(DATA / name)
    assert _parents(doc) == TAKAMI
    duties = _duties(doc)
    assert duties["第一営業部"] == ["自動車部品メーカー各社への生産設備の提案営業", "新規取引先の開拓と工場訪問",
                                "客先への見積書の作成と提出", "設備導入後の追加案件の掘り起こし"]
    # the next 本部 line closes the department above: no duty of it
    assert duties["営業管理部"][-1] == "売上の集計と営業会議資料の作成"
    assert duties["設計部"] == ["お客様仕様に合わせた専用機の設計", "図面の作成と部品表の管理"]
    reasons = _reasons(doc)
    assert [reasons[t] for t in ("1. 営業本部", "2. 技術本部", "3. 管理本部")] == ["parent heading"] * 3


ANNEX = [["業務", "営業部", "業務部"], ["新規取引先の開拓", "◎", ""], ["受注処理", "○", "◎"]]


def _regulation_docx(path: Path, shape: str) -> Path:
    """A small 業務分掌規程 in Word: its 課 under Heading 2 headings above their articles (``headings``), under
    caption paragraphs 「（受注課）」 (``captions``), or headings without articles (``headings only``); a 別表."""
    import docx

    articles = shape != "headings only"
    d = docx.Document()
    d.add_heading("株式会社ヤマブキ電機　業務分掌規程", level=0)
    d.add_heading("第1章　総則" if articles else "総則", level=1)
    if articles:
        d.add_paragraph("第1条　この規程は、各部課の分掌業務を定めることを目的とする。")
    for k, (bu, units) in enumerate([("営業部", ["東日本営業課"]), ("業務部", ["受注課", "物流課"])]):
        d.add_heading(f"第{k + 2}章　{bu}" if articles else bu, level=1)
        for n, name in enumerate([bu, *units]):
            if name != bu and shape == "captions":
                d.add_paragraph(f"（{name}）")
            elif name != bu:
                d.add_heading(name, level=2)
            if articles:
                d.add_paragraph(f"第{k * 3 + n + 2}条　{name}の分掌業務は、次のとおりとする。")
            d.add_paragraph(f"（1）{name}の計画の策定に関すること")
            d.add_paragraph(f"（2）{name}の実績の管理に関すること")
    d.add_heading("附則", level=1)
    d.add_paragraph("この規程は、2025年4月1日から施行する。")
    d.add_paragraph("別表　主要業務の主管部署")
    table = d.add_table(rows=len(ANNEX), cols=len(ANNEX[0]))
    for i, row in enumerate(ANNEX):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    d.add_paragraph("以上")
    d.save(path)
    return path


@pytest.mark.parametrize("shape", ["headings", "captions", "headings only"])
def test_docx_regulation_sections_come_under_their_department(tmp_path, shape):
    doc = read_org_document(_regulation_docx(tmp_path / "kitei.docx", shape))
    assert _parents(doc) == {"営業部": None, "東日本営業課": "営業部", "業務部": None, "受注課": "業務部", "物流課": "業務部"}
    duties = _duties(doc)
    # the 課 heading is no duty of the department before it
    assert duties["営業部"][:2] == ["営業部の計画の策定に関すること", "営業部の実績の管理に関すること"]
    assert duties["業務部"][:2] == ["業務部の計画の策定に関すること", "業務部の実績の管理に関すること"]
    assert duties["受注課"] == ["受注課の計画の策定に関すること", "受注課の実績の管理に関すること"]
    reasons = _reasons(doc)
    header = next(t for t in reasons if t.startswith("業務") and "営業部" in t)
    assert reasons[header] == "heading"  # the 別表's header row, not an empty department
    assert "empty department" not in reasons.values()


def test_page_without_departments_is_a_clear_error():
    with pytest.raises(AuditError, match=r"nostructure.html: no department structure found"):
        read_org_document(DATA / "nostructure.html")
    r = CliRunner().invoke(cli, ["audit", str(DATA / "nostructure.html"), "--format", "table"])
    assert r.exit_code == 1, r.output
    assert "no department structure found" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


def test_related_only_rows_of_a_table(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in [["業務分掌表", None, None], ["部署", "業務内容", "主管/関係"], ["営業部", "新規取引先の開拓", "◎"],
                ["受注センター", "受注データの入力", "◎"], ["受注センター", "受注処理", "○"]]:
        ws.append(row)
    wb.save(tmp_path / "bunsho.xlsx")
    doc = read_org_document(tmp_path / "bunsho.xlsx")
    assert _duties(doc) == {"営業部": ["新規取引先の開拓"], "受注センター": ["受注データの入力"]}
    reasons = _reasons(doc)
    assert reasons["受注センター | 受注処理 | ○"] == "related only"
    assert reasons["部署 | 業務内容 | 主管/関係"] == "heading"


def test_every_reason_has_a_japanese_name():
    assert set(DROP_REASONS) <= set(REASON_NAMES_JA)
