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


# ---------------------------------------------------------------- a second user test (tests/data/orgdocs_shapes:
# maruyama_table.html, sakura_portal.html, kyoto_yakuhin.md, kyoto_table.md; the Word files built here)
MARUYAMA = ["経営企画室", "店舗運営部", "商品部", "販売促進部", "お客様相談室", "ネットスーパー課", "物流センター", "経理部", "総務部"]


def _maruyama_rows() -> list[tuple[str, list[str]]]:
    """The departments and duties of maruyama_table.html, as its table cells hold them ((1) … items)."""
    import lxml.html

    page = lxml.html.parse(str(DATA / "maruyama_table.html"))
    rows = []
    for tr in page.getroot().iter("tr"):
        cells = [td for td in tr if td.tag == "td"]
        if cells:
            rows.append((cells[0].text_content(), [t.strip() for t in cells[1].itertext() if t.strip()]))
    return rows


def _table_docx(path: Path, header: tuple[str, str], *, regulation: bool = True, title: bool = True,
                multiline: bool = True) -> Path:
    """A 業務分掌規程 in Word whose 分掌 is a table 部署 | 分掌事項 (the rows of maruyama_table.html): its cells hold
    the (1) (2) … items one a line (``multiline``) or on one line apart by spaces."""
    import docx

    d = docx.Document()
    if title:
        d.add_heading("株式会社まるやまストア　業務分掌規程", 0)
    if regulation:
        d.add_paragraph("制定　2019年4月1日　改定　2025年3月1日")
        d.add_paragraph("第1条（目的）この規程は、当社の各部署の業務分掌を定めることを目的とする。")
        d.add_paragraph("第2条（分掌）各部署の分掌事項は、次の表のとおりとする。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = header
    for name, items in _maruyama_rows():
        cells = table.add_row().cells
        cells[0].text = name
        cells[1].text = ("\n" if multiline else "\u3000").join(items)
    if regulation:
        d.add_paragraph("附則　この規程は2025年3月1日から施行する。")
        d.add_paragraph("以上")
    d.save(path)
    return path


@pytest.mark.parametrize("header, shape", [
    (("部署", "分掌事項"), {}), (("部署", "業務内容"), {}), (("部署", "分掌事項"), {"regulation": False}),
    (("部署", "分掌事項"), {"regulation": False, "title": False}), (("部署", "分掌事項"), {"multiline": False}),
])
def test_docx_table_of_departments_reads_as_the_same_html_table(tmp_path, header, shape):
    """A Word table 部署 | 分掌事項 gives the departments and duties the same table on an HTML page gives: a
    department a row, a duty each (1) (2) … item of its cell (on lines of their own or on one line)."""
    doc = read_org_document(_table_docx(tmp_path / "kitei.docx", header, **shape))
    assert _parents(doc) == dict.fromkeys(MARUYAMA)
    html = read_org_document(DATA / "maruyama_table.html")
    assert _parents(html) == dict.fromkeys(MARUYAMA)
    assert _duties(doc) == _duties(html)
    assert _duties(doc)["店舗運営部"] == ["各店舗の売場づくりと商品陳列の指導", "レジ業務と接客サービスの品質向上",
                                     "店頭でのクレーム受付と対応記録", "店舗スタッフの勤務シフトの管理"]
    reasons = _reasons(doc)
    assert reasons[" | ".join(header)] == "heading"
    if shape.get("title", True):
        assert reasons["株式会社まるやまストア　業務分掌規程"] == "heading"
    if shape.get("regulation", True):
        assert reasons["附則　この規程は2025年3月1日から施行する。"] == "boilerplate"


def test_markdown_tables_under_department_headings_give_their_duties():
    """| 業務 | 内容 | tables under ### 受注センター / ### 物流センター: the 内容 cells are the centres' duties (the
    業務 column only names them); the centres come under ## 物流本部, which is their parent heading."""
    doc = read_org_document(DATA / "kyoto_yakuhin.md")
    assert _parents(doc) == {
        "営業本部": None, "第一営業部（病院担当）": "営業本部", "第二営業部（調剤薬局担当）": "営業本部",
        "受注センター": "物流本部", "物流センター": "物流本部", "品質管理部": None, "学術部": None,
        "経理部": "管理本部", "総務部": "管理本部",
    }
    duties = _duties(doc)
    assert duties["受注センター"] == ["得意先からの電話・FAX・EDIによる注文の受付と在庫引当", "欠品時の納期回答と代替品の案内"]
    assert duties["物流センター"] == ["医薬品のピッキングと得意先への配送", "有効期限を考慮した在庫の管理と棚卸"]
    reasons = _reasons(doc)
    assert reasons["## 物流本部"] == "parent heading"
    assert "empty department" not in reasons.values()


def test_markdown_table_of_duties_by_its_duty_column(tmp_path):
    """| 区分 | 業務 |: the 業務 cells are the duties, the 区分 cells none."""
    (tmp_path / "org.md").write_text(
        "# 組織\n\n## 受注センター\n\n| 区分 | 業務 |\n|:---|:---|\n| 受注 | 注文の受付と在庫引当 |\n| 回答 | 納期の回答 |\n\n"
        "## 経理部\n\n- 月次決算\n", encoding="utf-8")
    doc = read_org_document(tmp_path / "org.md")
    assert _parents(doc) == {"受注センター": None, "経理部": None}
    assert _duties(doc) == {"受注センター": ["注文の受付と在庫引当", "納期の回答"], "経理部": ["月次決算"]}


def test_markdown_table_with_a_department_column_gives_departments():
    doc = read_org_document(DATA / "kyoto_table.md")
    assert doc.structure == "table"
    assert _parents(doc) == {"受注センター": None, "物流センター": None, "経理部": None, "第一営業部": None}
    assert _duties(doc)["経理部"] == ["売掛金の請求と回収"]
    assert _reasons(doc)["部署 | 業務"] == "heading"


def test_heading_over_departments_without_duties_is_a_parent_heading_and_no_department_its_own_parent():
    """宿泊部 (a 部 over three 課, no duties of its own) is a parent heading as 営業本部 is; the h2 マーケティング部 over
    the h3 マーケティング部 that holds the duties is its heading, not its parent."""
    doc = read_org_document(DATA / "sakura_portal.html")
    assert _parents(doc) == {
        "東京宿泊営業課": "営業本部", "大阪宿泊営業課": "営業本部", "婚礼営業課": "営業本部", "予約センター": "宿泊部",
        "フロント課": "宿泊部", "ゲストリレーション課": "宿泊部", "マーケティング部": None, "経理部": "管理本部",
        "総務部": "管理本部",
    }
    reasons = _reasons(doc)
    assert reasons["宿泊部"] == reasons["営業本部"] == reasons["管理本部"] == "parent heading"
    assert reasons["マーケティング部"] == "heading"


def test_table_rows_of_a_department_without_a_duty(tmp_path):
    """A row naming a department and no duty: an empty department (EC事業部), the parent heading of the 課 under it
    (管理本部 in the 部 column), or the heading row of a department with duties on other rows (not left out)."""
    (tmp_path / "export.csv").write_text(
        "部署コード,部署名,業務,更新日\n1000,営業部,新規顧客の開拓,2025/04/01\n2000,EC事業部,,2025/04/01\n"
        "3000,物流センター,,2025/04/01\n3000,物流センター,出荷と配送,2025/04/01\n", encoding="utf-8")
    doc = read_org_document(tmp_path / "export.csv")
    assert _parents(doc) == {"営業部": None, "物流センター": None}
    reasons = _reasons(doc)
    assert reasons["2000 | EC事業部 | 2025/04/01"] == "empty department"
    assert not any("物流センター" in t for t in reasons)  # its own heading row
    assert next(s for s in doc.sections if s.department == "物流センター").line == 4
    (tmp_path / "bunsho.csv").write_text("部,課,業務内容\n管理本部,,\n管理本部,経理課,月次決算\n管理本部,総務課,備品の管理\n",
                                         encoding="utf-8")
    doc = read_org_document(tmp_path / "bunsho.csv")
    assert _parents(doc) == {"経理課": "管理本部", "総務課": "管理本部"}
    assert _reasons(doc)["管理本部"] == "parent heading"


def _history_docx(path: Path) -> Path:
    """02_cloudlinks_bunsho.docx in short: 課 under numbered Heading 2 headings and a 改定履歴 line after the last."""
    import docx

    d = docx.Document()
    d.add_heading("株式会社クラウドリンクス　組織と業務分掌", 0)
    for k, (hq, units) in enumerate([("営業本部", ["営業推進課"]), ("開発本部", ["開発課", "SRE課"])], 1):
        d.add_heading(f"{k} {hq}", 1)
        for j, unit in enumerate(units, 1):
            d.add_heading(f"{k}.{j} {unit}", 2)
            d.add_paragraph(f"{unit}の業務の計画", style="List Bullet")
    d.add_paragraph("改定履歴：2025年4月1日 営業推進課を新設")
    d.add_paragraph("改定履歴")
    d.add_paragraph("2024年4月1日 開発課を新設")
    d.save(path)
    return path


def test_revision_history_lines_are_boilerplate_not_duties(tmp_path):
    doc = read_org_document(_history_docx(tmp_path / "bunsho.docx"))
    assert _parents(doc) == {"営業推進課": "営業本部", "開発課": "開発本部", "SRE課": "開発本部"}
    assert _duties(doc)["SRE課"] == ["SRE課の業務の計画"]
    reasons = _reasons(doc)
    assert reasons["改定履歴：2025年4月1日 営業推進課を新設"] == "boilerplate"
    assert reasons["改定履歴"] == reasons["2024年4月1日 開発課を新設"] == "boilerplate"
    (tmp_path / "org.md").write_text("# 組織\n\n## 営業部\n\n- 新規顧客の開拓\n- 変更履歴の管理\n\n## 改定履歴\n\n"
                                     "- 2025年4月1日 営業部を新設\n", encoding="utf-8")
    doc = read_org_document(tmp_path / "org.md")
    assert _duties(doc) == {"営業部": ["新規顧客の開拓", "変更履歴の管理"]}  # a duty about a history is one
    assert _reasons(doc)["- 2025年4月1日 営業部を新設"] == "boilerplate"


def test_revision_history_sheet_is_boilerplate(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "分掌表"
    for row in [["部署", "業務内容"], ["営業部", "新規取引先の開拓"]]:
        ws.append(row)
    history = wb.create_sheet("改定履歴")
    for row in [["改定日", "改定内容"], ["2025年4月1日", "営業部を新設"]]:
        history.append(row)
    wb.save(tmp_path / "bunsho.xlsx")
    doc = read_org_document(tmp_path / "bunsho.xlsx")
    assert _duties(doc) == {"営業部": ["新規取引先の開拓"]}
    assert {t: r for t, r in _reasons(doc).items() if t != "部署 | 業務内容"} == {
        "改定日 | 改定内容": "boilerplate", "2025年4月1日 | 営業部を新設": "boilerplate"}


def test_directory_of_department_files_locates_each_department_at_its_file(tmp_path):
    from roleclassify.orgdocs import read_org_documents

    (tmp_path / "営業部.txt").write_text("・新規顧客の開拓\n・既存顧客への提案\n", encoding="utf-8")
    (tmp_path / "経理課.txt").write_text("・月次決算\n", encoding="utf-8")
    [doc] = read_org_documents([tmp_path])
    read = {d["department"]: (Path(d["file"]).name, d["line"], d["lines"]) for d in reading_report([doc])["departments"]}
    assert read == {"営業部": ("営業部.txt", 1, [1, 2]), "経理課": ("経理課.txt", 1, [1, 1])}


def test_a_directory_with_an_open_workbook_skips_offices_lock_file(tmp_path):
    """Excel leaves ~$分掌表.xlsx beside a workbook while it is open: not a document, so the directory still
    reads; a document that truly cannot be read is named with its own reason."""
    from openpyxl import Workbook

    from roleclassify.orgdocs import read_org_documents

    wb = Workbook()
    for row in [["部署", "業務内容"], ["営業部", "新規取引先の開拓"], ["業務部", "受注処理と出荷の手配"]]:
        wb.active.append(row)
    wb.save(tmp_path / "分掌表.xlsx")
    (tmp_path / "~$分掌表.xlsx").write_bytes(b"\x0bOwner name\x00" * 10)  # what Office writes: not a workbook
    [doc] = read_org_documents([tmp_path])
    assert _duties(doc) == {"営業部": ["新規取引先の開拓"], "業務部": ["受注処理と出荷の手配"]}
    (tmp_path / "壊れた.xlsx").write_bytes(b"not a zip")
    with pytest.raises(AuditError) as e:
        read_org_documents([tmp_path])
    assert "壊れた.xlsx" in str(e.value) and "may only hold" not in str(e.value)


def test_a_regulations_lead_sentences_and_catch_all_items_are_boilerplate(tmp_path):
    """「営業部は、次の業務を分掌する。」 opening each article, 「…の分掌は次の表のとおりとする」 and the catch-all items
    (他部の所管に属さない事項, 前各号に付帯する業務) are the 規程's wording, left out as boilerplate, not duties."""
    text = ("業務分掌規程\n\n第1条（目的）\nこの規程は、当社の各部の業務分掌を定める。\n\n"
            "第2条（営業部）\n営業部は、次の業務を分掌する。\n(1) 新規取引先の開拓\n(2) 既存顧客への提案\n"
            "(3) 前各号に付帯する業務\n\n"
            "第3条（総務部）\n総務部は、次の事項を所掌する。\n(1) 社内行事の運営\n(2) 他部の所管に属さない事項\n\n"
            "附則\nこの規程は、2026年4月1日から施行する。\n")
    path = tmp_path / "規程.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_org_document(path)
    assert _duties(doc) == {"営業部": ["新規取引先の開拓", "既存顧客への提案"], "総務部": ["社内行事の運営"]}
    reasons = _reasons(doc)
    for line in ("営業部は、次の業務を分掌する。", "総務部は、次の事項を所掌する。", "(3) 前各号に付帯する業務",
                 "(2) 他部の所管に属さない事項"):
        assert reasons[line] == "boilerplate", line
    # a duty that merely mentions another department or the items above stays a duty
    path.write_text(text.replace("(1) 社内行事の運営", "(1) 他部の依頼による備品の手配"), encoding="utf-8")
    assert _duties(read_org_document(path))["総務部"] == ["他部の依頼による備品の手配"]


def test_pdf_look_alike_characters_read_as_the_text_they_show():
    """A PDF's fonts often map 用 to the Kangxi radical ⽤ and ・ to the hyphenation point ‧: read as the
    characters a reader sees, so a PDF and the page it was printed from compare equal; other text is kept."""
    from roleclassify.orgdocs import _PDF_LOOKALIKES, _pdf_char, _pdf_text

    shown = _PDF_LOOKALIKES.sub(_pdf_char, "Web広告‧SNS広告の運⽤、販売⽬標と売掛⾦の管理（⺟集団）")
    assert shown == "Web広告・SNS広告の運用、販売目標と売掛金の管理（母集団）"
    pdf = Path(__file__).resolve().parent.parent / "corpus" / "orgdocs" / "13_pdf_busco.pdf"
    text = _pdf_text(pdf)
    assert "営業" in text and not _PDF_LOOKALIKES.search(text)
