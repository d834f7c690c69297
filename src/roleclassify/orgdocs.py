"""Reading organisation documents into departments and their duties.

Supported structures (detected per file):

- 業務分掌規程: articles 「第N条（営業部）」, 「第N条　営業部の分掌業務は次のとおりとする」 or a caption line
  「（営業部）」 above 「第N条」, followed by items 一、 / (1) / １． / ・;
- Markdown headings (``#``, ``##`` ...): the heading level that carries the duties is the department level;
- bracketed or marked heading lines: 【営業部】, ■営業部, ●販売課, ◆…, ＜販売課＞, 〈販売課〉, 《…》, [営業部];
- plain pages: blocks separated by blank lines whose first line is a short heading (the department);
- numbered or parenthesised heading lines (1. 営業本部 / 2.1 マーケティング部 / (1) 受注センター), a scope in
  parentheses after the name (第一営業部（自動車・輸送機器）) is not part of the name;
- tables (CSV / TSV, Excel sheets, HTML ``<table>``, Word tables and a regulation's 別表 written as
  ``業務｜主管部署｜関係部署`` lines): title rows above the header are skipped; a department column (or 部 and
  課 columns) and a duty column (names detected, or given); empty department cells continue the one above
  (cells merged in Excel); a 主管/関係 column marks ○ rows as related only (not held); a matrix whose
  columns are departments gives each ◎ (主管) cell to its department; line breaks inside a cell, and the
  items (1) (2) / ・ of a one-line cell, separate duties; a row naming a department and no duty is its heading
  row (or that of an empty department);
- Markdown tables (``| 部署 | 業務 |`` under ``|---|``): one with a department column is read as the tables
  above, one of duties only (``| 区分 | 業務 |``, ``| 業務 | 内容 |``) gives its duty cells to the department
  heading above it;
- a revision history (改定履歴, 附則, an Excel sheet 改定履歴) is boilerplate: it ends the department above it;
- HTML pages (navigation, header, footer and sidebars left out): headings, list items and definition lists
  read as Markdown (a heading that names a department with list items right under it is one at any level; a
  ``<dt>`` naming a department heads the ``<dd>`` duties after it, another ``<dt>`` only labels them), and its
  分掌 tables, whose departments come under the heading above the table;
- DOCX (heading paragraphs that name a department start it, at any level; other paragraphs are duties;
  a 規程 with 第N条 articles and a 別表 table is read as a regulation; a 分掌 table is read as the tables
  above, apart from the text around it as on an HTML page) and PDF (its text layer, then read as
  plain text);
- a directory holding one text file per department (file name = department).
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import AuditError, InputError, needs, option
from .io.fileio import check_office_size
from .text import split_lines, split_sentences, strip_marker

__all__ = ["Duty", "Section", "OrgDocument", "read_org_documents", "read_org_document", "document_blocks",
           "read_org_stdin", "reading_report", "DROP_REASONS", "DOC_SUFFIXES"]

DOC_SUFFIXES = (".txt", ".md", ".markdown", ".csv", ".tsv", ".docx", ".pdf", ".xlsx", ".xlsm", ".html", ".htm")
_DEPT_COLUMNS = ("department", "dept", "部署", "部署名", "部門", "部門名", "組織", "組織名", "所属", "課", "部")
_DUTY_COLUMNS = ("duty", "duties", "task", "tasks", "業務", "業務内容", "主な業務", "主要業務", "職務", "職務内容", "分掌",
                 "分掌業務", "所掌事務", "担当業務", "分掌事項", "所掌事項", "分掌内容", "業務分掌", "所管業務", "所管事項")
# A column whose cells say whether the department holds the duty (◎ 主管) or only helps (○ 関係).
_MARK_COLUMN_RE = re.compile(r"主管|関係|区分")
_HOLDS = frozenset("◎●")
_RELATED = frozenset("○〇△")
# Words a department name ends with (部, 課, 室 ...): used to tell a department heading from other headings.
_DEPT_SUFFIX_RE = re.compile(
    r"(部|課|室|局|係|班|本部|部門|センター|グループ|チーム|事業部|支店|営業所|Dept\.?|Department|Team)$", re.I
)
_ARTICLE_RE = re.compile(r"^\s*第\s*[0-9０-９一二三四五六七八九十百]+\s*条")
_ARTICLE_CAPTION_RE = re.compile(r"^\s*第\s*[0-9０-９一二三四五六七八九十百]+\s*条\s*[（(]([^）)]+)[）)]\s*(.*)$")
_ARTICLE_SUBJECT_RE = re.compile(
    r"^\s*第\s*[0-9０-９一二三四五六七八九十百]+\s*条[\s\u3000]*(?:[（(][^）)]*[）)])?[\s\u3000]*"
    r"(.+?)(?:は|の)[、\s\u3000]*(?:次の|以下の)?[\s\u3000]*(?:分掌業務|所掌事務|所管業務|業務|職務|事務)"
)
# A 規程's chapter heading 「第2章　営業部」, with what it is about.
_CHAPTER_RE = re.compile(r"^\s*第\s*[0-9０-９一二三四五六七八九十]+\s*章[\s\u3000]*(.*)$")
_CAPTION_RE = re.compile(r"^\s*[（(]([^）)]{1,30})[）)]\s*$")
_BRACKET_RE = re.compile(r"^\s*(?:【([^】]{1,40})】|＜([^＞]{1,40})＞|〈([^〉]{1,40})〉|《([^》]{1,40})》|\[([^\]]{1,40})\]|<([^>]{1,40})>)\s*(.*)$")
_MARK_RE = re.compile(r"^\s*[■□●◆◇▼▲★☆◎]\s*(\S.{0,39}?)\s*$")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# A Markdown line in bold only: a label over the duties below it (an HTML <dt> that names no department).
_MD_LABEL_RE = re.compile(r"^(\*\*|__)(.+?)\1$")
_ENDERS = "。！？!?"
# Lines that end a department's list (以上) or annotate it (※ notes) rather than state a duty.
_END_RE = re.compile(r"^[（(]?\s*以\s*上\s*[）)]?$")
_NOTE_RE = re.compile(r"^(?:[※＊*]|[（(]?注[）)：:]|(?:最終)?(?:更新|改定|改訂|作成|制定)(?:日)?[：:])")
# A document's revision history (改定履歴 / 附則 / 制定・改定 dates): boilerplate, never a duty; it ends the department
# above it. 「変更履歴の管理」 is a duty: the word stands alone (a line, a caption, before a colon or a space).
_HISTORY_RE = re.compile(
    r"^[【\[（(■●◆<＜]?\s*(?:(?:(?:改定|改訂|改正|制定|変更|更新|改廃)(?:[・･](?:改定|改訂|改正|改廃|廃止))?[\s\u3000]*"
    r"(?:履歴|経緯|記録)|附[\s\u3000]*則)(?=$|[\s\u3000：:】\]（(）)>＞])|制定[\s\u3000：:]*[0-9０-９]{4}年)"
)
# Page furniture after the last department: contact lines and copyright notices.
_FOOTER_RE = re.compile(r"^(?:copyright|©|\(c\)|お問い?合わせ|問い?合わせ先)", re.I)
# Numbering in front of a heading (1. / 2.1 / (1) / ①) and a scope in parentheses after a department name.
_HEADING_NUMBER_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[0-9０-９]+[．.、]|[（(][0-9０-９]+[）)]|[①-⑳])[\s\u3000]*")
_SCOPE_RE = re.compile(r"^(.+?(?:部|課|室|センター|グループ|チーム))[\s\u3000]*[（(][^）)]{1,30}[）)]$")


def _is_heading_like(line: str) -> bool:
    """A bare department name on its own line (営業部, 配車・受注課, 2.1 マーケティング部, 第一営業部（自動車）),
    without bullet or punctuation."""
    line = _department_name(line)
    return (
        len(line) <= 25
        and strip_marker(line) == line
        and not any(c in line for c in _ENDERS + "、，,：:")
        and _looks_like_department(line)
    )


@dataclass
class Duty:
    """One duty unit (sentence) of a department, with where it was found."""

    text: str
    file: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Section:
    """A department and its duties."""

    department: str
    file: str
    line: int
    duties: list[Duty] = field(default_factory=list)
    #: The department it comes under (a 課's 部) when the document says so (部 and 課 columns, heading
    #: levels); ``parent_known`` False: the reading report infers it from the headings around.
    parent: str | None = None
    parent_known: bool = False

    def __post_init__(self) -> None:
        if self.parent == self.department:  # a 部 heading over its own 部 (its duties): no department of its own
            self.parent = None


@dataclass
class OrgDocument:
    """The departments read from one file (or one directory of per-department files)."""

    path: str
    structure: str
    sections: list[Section]
    #: Every non-blank line (text line, table row, Word paragraph) the reader saw: (file, number, text), the
    #: numbers those of the duties' locations; what is neither a department nor a duty was left out.
    lines: list[tuple[str, int, str]] = field(default_factory=list)
    #: Lines the reader left out by itself with the reason (an HTML page's navigation and footer).
    left_out: list[dict[str, Any]] = field(default_factory=list)


#: Lines of a document: (file, number, text).
_Lines = list[tuple[str, int, str]]
#: The lines a reader saw, while one document is read (see :func:`_seen`).
_LINES: contextvars.ContextVar[_Lines | None] = contextvars.ContextVar("_LINES", default=None)
#: Lines a reader left out by itself, with the reason (an HTML page's navigation and footer), while one
#: document is read.
_LEFT: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar("_LEFT", default=None)


def _html_furniture(root: Any, file: str) -> None:
    """Note the text of an HTML page's furniture (navigation, header, sidebar: boilerplate; footer) as left
    out, by the page's own line numbers."""
    acc = _LEFT.get()
    if acc is None:
        return
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "noscript", "template"):
            continue
        if _html_skipped(el) and not any(_html_skipped(a) for a in el.iterancestors()):
            footer = el.tag == "footer" or "footer" in ((el.get("id") or "") + " " + (el.get("class") or "")).lower()
            blocks = [b for b in el.iter() if isinstance(b.tag, str) and b.tag in _HTML_BLOCKS | {"a"}
                      and not any(isinstance(c.tag, str) and c.tag in _HTML_BLOCKS | {"a"} for c in b.iterdescendants())]
            for b in blocks or [el]:
                t = " ".join("".join(b.itertext()).split())
                if t:
                    reason = "footer" if footer or _FOOTER_RE.match(t) else "boilerplate"
                    acc.append({"file": file, "line": b.sourceline or el.sourceline or 0, "text": t, "reason": reason})


def _seen(file: str, numbered: Iterable[tuple[int, str]]) -> None:
    """Note lines (number, text) of ``file`` the reader goes through, for the reading report."""
    acc = _LINES.get()
    if acc is not None:
        acc.extend((file, n, t.strip()) for n, t in numbered if t and t.strip())


def _left_out(file: str, line: int, text: str, reason: str) -> None:
    """Note a line the reader left out by itself and why (a table's ○ row: ``related only``); the reading report
    gives it this reason rather than one guessed from its text."""
    acc = _LEFT.get()
    if acc is not None:
        acc.append({"file": file, "line": line, "text": text, "reason": reason})


@contextlib.contextmanager
def _noting() -> Iterator[tuple[_Lines, list[dict[str, Any]]]]:
    """Note the lines seen and left out inside the block apart (lines, left out), for the caller to keep or
    drop (an HTML table that holds no 分掌 is read again as the page's text)."""
    lines: _Lines = []
    left: list[dict[str, Any]] = []
    token, token_left = _LINES.set(lines), _LEFT.set(left)
    try:
        yield lines, left
    finally:
        _LINES.reset(token)
        _LEFT.reset(token_left)


def _looks_like_department(name: str) -> bool:
    name = name.strip()
    # 「各部」 and 「主管部門及び関係部門」 name no single department
    if name.startswith("各") or any(w in name for w in ("及び", "並びに", "または")):
        return False
    return bool(_DEPT_SUFFIX_RE.search(name))


def _department_name(line: str) -> str:
    """A heading line without its numbering (2.1 / (1)) and the scope in parentheses after the name."""
    name = _HEADING_NUMBER_RE.sub("", line.strip(), count=1)
    m = _SCOPE_RE.match(name)
    return m.group(1) if m else name


def _ends_section(line: str) -> bool:
    """A line that ends the department above: 以上, or the document's revision history (改定履歴, 附則)."""
    return bool(_END_RE.match(line) or _HISTORY_RE.match(line))


#: A 規程 article's lead sentence (営業部は、次の業務を分掌する。/ 管理部の分掌は次の表のとおりとする。) and its
#: catch-all items (他部の所管に属さない事項, 前各号に付帯する業務): regulation wording, no duty of a role.
_LEAD_RE = re.compile(
    r"(?:次|以下|左|下記)の(?:業務|事項|事務|職務)を(?:分掌|所掌|所管|担当|管掌)する"
    r"|(?:次|以下|下記)の(?:表|別表|とおり)"
    r"|^(?:その他)?(?:他部|他の部|他部署|他の部署|他部門|他の部門)の(?:所管|所掌|分掌)に属さない"
    r"|^(?:その他)?前各号に(?:付帯|附帯|付随|関連|掲げるもののほか)"
)


def _add_duties(section: Section, text: str, file: str, line: int) -> None:
    text = re.sub(r"^>\s*", "", text.strip())  # a Markdown blockquote
    if not text or _NOTE_RE.match(text) or _FOOTER_RE.match(text) or _HISTORY_RE.match(text):
        return
    if _LEAD_RE.search(strip_marker(text)):
        return
    for s in split_sentences(text):
        section.duties.append(Duty(s, file, line))


# ---------------------------------------------------------------- text structures
def _article_department(line: str, n: int, caption: tuple[str, int] | None) -> str | None:
    """The department an article (line ``n``) is about: named in its caption 「第N条（営業部）」, as its subject
    「第N条　営業部の分掌業務は…」, or in a caption line 「（営業部）」 right above it; None for an article about
    something else (目的, 適用 ...)."""
    mc = _ARTICLE_CAPTION_RE.match(line)
    if mc and _looks_like_department(mc.group(1)):
        return mc.group(1).strip()
    ms = _ARTICLE_SUBJECT_RE.match(line)
    if ms and _looks_like_department(ms.group(1).strip("　 、")):
        return ms.group(1).strip("　 、")
    if caption and _looks_like_department(caption[0]) and caption[1] >= n - 1:
        return caption[0]
    return None


def _closes_article(line: str) -> bool:
    """A line that ends the duties of the article above: 以上, 附則, or a chapter heading 第N章."""
    return bool(_ends_section(line) or _CHAPTER_RE.match(line))


def _annex(lines: list[str], start: int, file: str) -> list[Section]:
    """The 別表 after line ``start``: a table of duties with their 主管 department (lines
    ``業務｜主管部署｜関係部署``)."""
    rows = [(k, re.split(r"\s*[｜|\t]\s*", l.strip())) for k, l in enumerate(lines[start:], start + 1) if l.strip()]
    return _table_rows(rows, file, None, None, required=False)


def _regulation(lines: list[str], file: str) -> list[Section]:
    """A 業務分掌規程: an article about a department starts it, its items are its duties; a 別表 ends the text.
    A caption line 「（東日本営業課）」 or a bare department name 「東日本営業課」 (a Word heading) above an article
    names its department; a chapter about a department 「第2章　営業部」 is the parent of the other departments of
    its articles (its 課)."""
    sections: list[Section] = []
    current: Section | None = None
    caption: tuple[str, int] | None = None
    chapter: str | None = None  # the department the chapter in force is about
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if mc := _CHAPTER_RE.match(line):
            chapter = _department_name(mc.group(1)) if _looks_like_department(_department_name(mc.group(1))) else None
            current = caption = None
            continue
        m = _CAPTION_RE.match(line)
        if m or (_is_heading_like(line) and not _HEADING_NUMBER_RE.match(line)):
            caption = (m.group(1).strip() if m else _department_name(line), n)
            continue
        if _ARTICLE_RE.match(line):
            name = _article_department(line, n, caption)
            caption = None
            current = None if name is None else Section(
                name, file, n, parent=chapter if chapter != name else None, parent_known=chapter is not None
            )
            if current is not None:
                sections.append(current)
            continue
        caption = None
        if line.startswith("別表"):
            _merge_sections(sections, _annex(lines, n, file))
            break
        if _closes_article(line):
            current = None
        elif current is not None:
            _add_duties(current, line, file, n)
    return sections


def _heading_name(line: str) -> str | None:
    m = _BRACKET_RE.match(line)
    if m:
        name = next(g for g in m.groups()[:6] if g)
        rest = m.group(7)
        if not rest or rest.startswith(("・", "●", "-")):
            return _department_name(name)
        return None
    m = _MARK_RE.match(line)
    if m and _looks_like_department(m.group(1)) and not any(c in m.group(1) for c in _ENDERS):
        return m.group(1).strip()
    return None


def _scan(
    lines: list[str], file: str, heading_of: Callable[[int, str], str | None], *, blank_closes: bool = False
) -> list[Section]:
    """Sections from lines: ``heading_of(number, line)`` names a department heading (None otherwise); the lines
    after it are its duties until the next heading, an end marker, or (``blank_closes``) a blank line."""
    sections: list[Section] = []
    current: Section | None = None
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if blank_closes:
                current = None
            continue
        name = heading_of(n, line)
        if name is not None:
            current = Section(name, file, n)
            sections.append(current)
        elif _ends_section(line):
            current = None
        elif current is not None:
            _add_duties(current, line, file, n)
    return sections


def _block_heads(lines: list[str]) -> list[int]:
    """The numbers (1-based) of the lines that name a department on their own (営業部 / 2. 技術本部 /
    第一営業部（自動車）)."""
    return [n for n, l in enumerate(lines, 1) if _is_heading_like(l.strip())]


def _bracketed(lines: list[str], file: str) -> list[Section]:
    """Bracketed or marked heading lines (【営業部】, ■営業部). Where heading styles mix, a bare department name
    that opens a block (after a blank line: 「第一営業部（自動車）」, 「2. 技術本部」) is a heading too: it starts
    its department or, without duties under it, closes the one above."""
    bare = {n for n in _block_heads(lines) if n == 1 or not lines[n - 2].strip()}
    return _scan(lines, file, lambda n, line: _heading_name(line) or (_department_name(line) if n in bare else None))


def _named_headings(lines: list[str], file: str) -> list[Section]:
    """Department names on lines of their own (営業部 / 販売課 ...), each followed by its duties."""
    heads = set(_block_heads(lines))
    # when every heading opens a blank-line-separated block, a blank line also closes the section
    blocks = all(n == 1 or not lines[n - 2].strip() for n in heads)
    return _scan(lines, file, lambda n, line: _department_name(line) if n in heads else None, blank_closes=blocks)


def _markdown(lines: list[str], file: str) -> list[Section]:
    """Markdown headings: those of the department level (the level whose headings most often have content lines
    right under them) are departments, and so is a heading of another level that names a department with list
    items right under it (EC事業部 beside 本部 whose departments are a level down; 営業部 with duties of its own
    above its 課). A department heading under a department heading comes under it (its parent). A bold line
    (``**POSシステム**``) labels the duties below it and is no duty."""
    headings = [(n, len(m.group(1)), m.group(2)) for n, l in enumerate(lines, 1) if (m := _MD_HEADING_RE.match(l))]
    if not headings:
        return []
    score: dict[int, int] = {}
    listed: set[int] = set()  # heading lines with list items right under them
    bounds = [h[0] for h in headings] + [len(lines) + 1]
    for k, (n, level, title) in enumerate(headings):
        body = [l.strip() for l in lines[n : bounds[k + 1] - 1] if l.strip()]
        if body:
            score[level] = score.get(level, 0) + 1 + _looks_like_department(title)
        if any(strip_marker(l) != l for l in body):
            listed.add(n)
    if not score:
        return []
    dept_level = max(score, key=lambda lv: (score[lv], lv))
    # departments named at several levels: the levels tell which department comes under which
    levelled = len({lv for _, lv, title in headings if _looks_like_department(_department_name(title))}) > 1
    sections: list[Section] = []
    current: Section | None = None
    above: dict[int, str | None] = {}  # heading level -> the department the heading of that level in force names
    for n, raw in enumerate(lines, 1):
        m = _MD_HEADING_RE.match(raw)
        if m:
            level, title = len(m.group(1)), m.group(2).strip()
            above = {k: v for k, v in above.items() if k < level}
            up = above[max(above)] if above else None
            named = _looks_like_department(_department_name(title))
            above[level] = _department_name(title) if named else None
            history = bool(_HISTORY_RE.match(title))  # ## 改定履歴: no department, and the end of the one above
            if not history and (level == dept_level or (n in listed and named)):
                current = Section(title, file, n, parent=up, parent_known=up is not None or levelled)
                sections.append(current)
                above[level] = title
            elif level < dept_level or history:
                current = None
            continue
        line = raw.strip()
        if _ends_section(line) or re.fullmatch(r"(?:-{3,}|\*{3,}|_{3,})", line):
            current = None  # 以上, or a horizontal rule before the page footer
        elif current is not None and line and not re.match(r"^(\||```)", line) and not _MD_LABEL_RE.match(line):
            _add_duties(current, line, file, n)
    return sections


def _plain(lines: list[str], file: str) -> list[Section]:
    """Blocks separated by blank lines; a block whose first line is a short heading is a department."""
    sections: list[Section] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if len(block) >= 2:
            n, head = block[0]
            head = strip_marker(head)
            title = _MD_HEADING_RE.match(head)
            if title:  # a page's lone title (# 年末年始休業のお知らせ) heads a department only when it names one
                head = title.group(2) if _looks_like_department(_department_name(title.group(2))) else "。"
            if len(head) <= 30 and not any(c in head for c in _ENDERS):
                sec = Section(head, file, n)
                for m, l in block[1:]:
                    if _ends_section(l):
                        break
                    _add_duties(sec, l, file, m)
                sections.append(sec)
        block.clear()

    for n, raw in enumerate(lines, 1):
        if raw.strip():
            block.append((n, raw.strip()))
        else:
            flush()
    flush()
    return sections


# A Markdown table's row (| a | b |) and the separator under its header row (|---|:---:|).
_MD_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE_RE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")


def _md_tables(lines: list[str], file: str) -> tuple[list[str], list[Section]]:
    """The Markdown tables of a text (rows under a header row and its |---| separator) and the text without
    them. A table with a department column gives departments, read apart as a CSV's are (its lines blank in the
    text); a table of duties only (| 区分 | 業務 |) gives the duties of the department above it: its lines become
    list items of its duty cells (the other columns are no duties)."""
    out = list(lines)
    tables: list[Section] = []
    k = 0
    while k < len(lines):
        end = k
        while end < len(lines) and _MD_ROW_RE.match(lines[end]):
            end += 1
        if end - k < 3 or not _MD_RULE_RE.match(lines[k + 1]):
            k = max(end, k + 1)
            continue
        rows = [(n, [re.sub(r"<br\s*/?>", "\n", c).strip() for c in lines[n - 1].strip().strip("|").split("|")])
                for n in range(k + 1, end + 1) if n != k + 2]
        found = _table_apart(rows, file)
        duties = [] if found else _duty_cells(rows, file)
        if found or duties:  # another table (| 氏名 | 内線 |) stays in the text as it is
            out[k:end] = [""] * (end - k)
        tables += found
        for n, duty in duties:
            # a line a duty: several (「(1) 受注　(2) 出荷」, <br>) as inline items, which duties split at
            out[n - 1] = "- " + " ● ".join(strip_marker(d) for d in split_lines(duty) if d.strip())
        k = end
    return out, tables


def _parse_text(text: str, file: str) -> tuple[str, list[Section]]:
    lines = split_lines(text)
    _seen(file, enumerate(lines, 1))
    lines, tables = _md_tables(lines, file)
    structure, sections = _parse_lines(lines, file)
    return _with_tables(structure, sections, tables), _around_tables(structure, sections, tables)


def _parse_lines(lines: list[str], file: str) -> tuple[str, list[Section]]:
    """The departments of a text's lines, by the first structure found in them."""
    articles = sum(1 for l in lines if _ARTICLE_RE.match(l))
    if articles >= 2:
        secs = _regulation(lines, file)
        if secs:
            return "regulation", secs
    if sum(1 for l in lines if _MD_HEADING_RE.match(l)) >= 2:
        secs = _markdown(lines, file)
        if secs:
            return "markdown", secs
    if sum(1 for l in lines if _heading_name(l.strip())) >= 2:
        secs = _bracketed(lines, file)
        if secs:
            return "bracket", secs
    if sum(1 for l in lines if _is_heading_like(l.strip())) >= 2:
        secs = _named_headings(lines, file)
        if secs:
            return "headings", secs
    return "plain", _plain(lines, file)


# ---------------------------------------------------------------- other formats
def _cell(v: object) -> str:
    return "" if v is None else str(v).replace("\r\n", "\n").strip()


@dataclass(frozen=True)
class _Layout:
    """How a table gives duties (column ``duty``) to departments: ``columns`` (department columns ``depts``,
    outer first, and an optional 主管/関係 ``mark`` column), ``holder`` (a 主管部署 column ``holder``) or
    ``matrix`` (a column per department, ``named``, whose ◎ cells it holds)."""

    kind: str
    duty: int
    depts: tuple[int, ...] = ()
    mark: int | None = None
    holder: int | None = None
    named: Mapping[int, str] = field(default_factory=dict)


_Rows = Sequence[tuple[int, list[str]]]


def _find_header(rows: _Rows, dept_col: str | None, duty_col: str | None) -> tuple[int, _Layout] | None:
    """The header row among the first rows (title rows above it are skipped) and how to read the table; None
    when no row is a header."""
    for k, (_, row) in enumerate(rows[:20]):
        low = [c.strip().lower() for c in row]
        if duty_col or dept_col:
            if (duty_col and duty_col.lower() not in low) or (dept_col and dept_col.lower() not in low):
                continue
        ti: int | None
        if duty_col:
            ti = low.index(duty_col.lower())
        else:
            ti = next((low.index(n.lower()) for n in _DUTY_COLUMNS if n.lower() in low), None)
        if ti is None:
            continue
        if dept_col:
            return k, _Layout("columns", ti, depts=(low.index(dept_col.lower()),))
        depts = tuple(i for i, c in enumerate(low) if c in {n.lower() for n in _DEPT_COLUMNS} and i != ti)
        holder = next((i for i, c in enumerate(row) if i != ti and "主管" in c and ("部" in c or "部門" in c)), None)
        mark = next((i for i, c in enumerate(row) if i not in depts and i != ti and _MARK_COLUMN_RE.search(c)), None)
        if depts:
            return k, _Layout("columns", ti, depts=depts, mark=mark)
        if holder is not None:
            return k, _Layout("holder", ti, holder=holder)
        named = {i: c.strip() for i, c in enumerate(row) if i != ti and _looks_like_department(c)}
        if len(named) >= 2:
            return k, _Layout("matrix", ti, named=named)
    return None


def _no_header(rows: _Rows, file: str, dept_col: str | None, duty_col: str | None) -> AuditError:
    """The error for a table without a department (or the given) column, naming the columns it has."""
    first = next((r for _, r in rows if any(r)), [])
    given = f"no {dept_col or duty_col!r} column" if (dept_col or duty_col) else "no department column"
    return AuditError(
        f"{file}:{rows[0][0] if rows else 1}: {given} among {', '.join(c for c in first if c) or '(empty)'}; "
        f"name it one of {', '.join(_DEPT_COLUMNS[:4])}… (and the duty column one of "
        f"{', '.join(_DUTY_COLUMNS[4:8])}…) or pass {option('dept_column', 'NAME')} / {option('duty_column', 'NAME')}"
    )


def _at(row: list[str], i: int) -> str:
    """Cell ``i`` of a row, empty past its end."""
    return row[i] if i < len(row) else ""


def _carry(carried: list[str], names: list[str]) -> list[str]:
    """The department cells (outer first) in force after a row's ``names``: an empty department cell continues
    the one above (a merged cell), an inner one (課) only under the same outer department (部)."""
    start = 1
    if names[0]:
        start = 0
        if carried[:1] != names[:1]:
            carried = names[:1] + [""] * (len(names) - 1)
    for j, v in enumerate(names[start:], start):
        if v:
            carried = carried[:j] + [v] + [""] * (len(names) - j - 1)
    return carried


def _related_only(row: list[str], layout: _Layout) -> bool:
    """Whether a row's marks (its 主管/関係 column, or a matrix's department cells) say that its departments only
    help with the duty (○ 関係) and none holds it (◎ 主管)."""
    cells = [layout.mark] if layout.mark is not None else list(layout.named)
    marks = set("".join(_at(row, i) for i in cells))
    return bool(marks & _RELATED) and not marks & _HOLDS


def _column_duties(rows: _Rows, layout: _Layout) -> Iterator[tuple[str, str, int, str | None]]:
    """(department, duty, row, parent) of a table with department columns: the innermost department in force
    holds the row's duty, unless the mark column says it only helps (○); its parent is the next outer one."""
    carried: list[str] = []
    for n, row in rows:
        duty = _at(row, layout.duty)
        carried = _carry(carried, [_at(row, i) for i in layout.depts])
        if not duty or not carried or _related_only(row, layout):
            continue  # ○: the department only helps with this duty
        inner = [v for v in carried if v]
        if inner:
            yield inner[-1], duty, n, inner[-2] if len(inner) >= 2 else None


def _table_duties(rows: _Rows, layout: _Layout) -> Iterator[tuple[str, str, int, str | None]]:
    """(department, duty, row, parent) of the rows under a table's header, as ``layout`` reads them."""
    if layout.kind == "columns":
        yield from _column_duties(rows, layout)
        return
    for n, row in rows:
        duty = _at(row, layout.duty)
        if layout.holder is not None:
            if duty and _at(row, layout.holder):
                yield _at(row, layout.holder), duty, n, None
            continue
        for i, name in layout.named.items():
            if duty and set(_at(row, i)) & _HOLDS:
                yield name, duty, n, None


def _table_rows(
    rows: Sequence[tuple[int, list[str]]],
    file: str,
    dept_col: str | None,
    duty_col: str | None,
    *,
    required: bool = True,
) -> list[Section]:
    """Departments and duties of a table: ``rows`` are (line or row number, cells)."""
    rows = [(n, [_cell(c) for c in r]) for n, r in rows]
    row_text = lambda r: " | ".join(dict.fromkeys(c for c in r if c))  # noqa: E731  # a merged cell once
    _seen(file, ((n, row_text(r)) for n, r in rows))
    found = _find_header(rows, dept_col, duty_col)
    if found is None:
        if not required:
            return []
        raise _no_header(rows, file, dept_col, duty_col)
    k, layout = found
    _left_out(file, rows[k][0], row_text(rows[k][1]), "heading")  # the header row
    for n, r in rows[k + 1 :]:
        if _at(r, layout.duty) and _related_only(r, layout):
            _left_out(file, n, row_text(r), "related only")
    by_name: dict[str, Section] = {}
    sections: list[Section] = []
    for name, text, n, parent in _table_duties(rows[k + 1 :], layout):
        sec = by_name.get(name)
        if sec is None:
            sec = by_name[name] = Section(name, file, n, parent=parent, parent_known=len(layout.depts) >= 2)
            sections.append(sec)
        _add_duties(sec, _cell_items(text), file, n)
    if layout.kind == "columns":
        _empty_rows(rows[k + 1 :], layout, by_name, file, row_text)
    return sections


def _empty_rows(rows: _Rows, layout: _Layout, by_name: Mapping[str, Section], file: str,
                row_text: Callable[[list[str]], str]) -> None:
    """Rows that name a department and no duty: the heading row of a department with duties on other rows (its
    location), of a department over those read (parent heading), or of one without duties (empty department)."""
    parents = {s.parent for s in by_name.values()}
    for n, r in rows:
        names = [v for v in (_at(r, i) for i in layout.depts) if v]
        if not names or _at(r, layout.duty) or not _looks_like_department(names[-1]):
            continue
        if names[-1] in by_name:
            by_name[names[-1]].line = min(by_name[names[-1]].line, n)
        else:
            _left_out(file, n, row_text(r), "parent heading" if names[-1] in parents else "empty department")


# An item number or bullet inside a table cell's line: (2) / （２） / ② / ・ after a space.
_CELL_ITEM_RE = re.compile(r"[ \t\u3000]+(?=(?:[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]|[①-⑳]|[・･])[ \t\u3000]*\S)")


def _cell_items(text: str) -> str:
    """A table cell's duties one a line: a line that starts with an item (1) / ① / ・ and holds more of them after
    spaces (「(1) 受注処理　(2) 出荷手配」) is cut before each."""
    return "\n".join(_CELL_ITEM_RE.sub("\n", l) if _CELL_ITEM_RE.match(" " + l.strip()) else l
                     for l in split_lines(text))


# Columns that describe a duty named in another column (| 業務 | 内容 |): the duty's text.
_DETAIL_COLUMNS = ("内容", "業務内容", "概要", "説明", "詳細", "業務の内容", "description", "details")


def _duty_cells(rows: _Rows, file: str) -> list[tuple[int, str]]:
    """The duties of a table without a department column (| 区分 | 業務 |, | 業務 | 内容 |), which are those of the
    department above it: the cells of its duty column (a column describing the duties, 内容, before one naming
    them) under its header row; none for a table without a duty column."""
    for k, (n, row) in enumerate(rows[:5]):
        low = [_cell(c).lower() for c in row]
        if any(c in _DEPT_COLUMNS for c in low):
            return []
        col = next((low.index(c) for c in _DETAIL_COLUMNS if c in low), None)
        col = col if col is not None else next((low.index(c) for c in _DUTY_COLUMNS if c in low), None)
        if col is not None:
            _left_out(file, n, " | ".join(c for c in row if c), "heading")
            return [(m, _cell_items(_cell(_at(r, col)))) for m, r in rows[k + 1 :] if _cell(_at(r, col))]
    return []


def _table_apart(rows: _Rows, file: str, dept_col: str | None = None, duty_col: str | None = None) -> list[Section]:
    """The departments of a table in a document read apart from the text around it (an HTML page's, a Word
    document's, a Markdown table), or none when it holds no 分掌: its rows are then the text's."""
    with _noting() as (seen, left):
        found = _table_rows(rows, file, dept_col, duty_col, required=False)
    if found:
        _keep(seen, left)
    return found


def _with_tables(structure: str, sections: list[Section], tables: list[Section]) -> str:
    """The structure of a document with tables read apart: ``table`` when the text around them is plain."""
    if not tables:
        return structure
    return "table" if structure == "plain" or not sections else f"{structure}+table"


def _around_tables(structure: str, sections: list[Section], tables: list[Section]) -> list[Section]:
    """The departments of the text around a document's tables and of the tables, in document order; text read as
    plain blocks beside a table is no department (a title, a note)."""
    sections = [] if tables and structure == "plain" else sections
    _merge_sections(sections, tables)
    return sorted(sections, key=lambda s: s.line)


def _merge_sections(into: list[Section], more: Iterable[Section]) -> None:
    """Append the duties of ``more`` to the sections of the same name in ``into`` (new names appended)."""
    by_name = {s.department: s for s in into}
    for sec in more:
        if sec.department in by_name:
            by_name[sec.department].duties.extend(sec.duties)
        else:
            into.append(sec)
            by_name[sec.department] = sec


def _delimited(text: str, file: str, delimiter: str, dept_col: str | None, duty_col: str | None) -> list[Section]:
    csv.field_size_limit(2**31 - 1)
    rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    if not rows:
        return []
    return _table_rows(rows, file, dept_col, duty_col)


def _sheet_grid(ws: Any) -> list[list[str]]:
    """A sheet's cell texts, row by row; a merged cell's value in every cell it covers."""
    grid = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
        for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = top
    return grid


def _xlsx(path: Path, dept_col: str | None, duty_col: str | None, sheet: str | None = None) -> list[Section]:
    """Every sheet that holds a 分掌 table (or the one ``sheet`` names: its name or 1-based number); merged
    cells take the value of their top-left cell."""
    from .io.readers import _chosen_sheets

    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover
        raise AuditError(needs("reading .xlsx", "openpyxl")) from None
    too_big = check_office_size(path, "xlsx-full")
    if too_big:
        raise AuditError(f"{path}: {too_big}")
    try:
        wb = load_workbook(str(path), data_only=True)
    except Exception as e:  # openpyxl raises several types for a broken file
        raise AuditError(f"{path}: cannot read as an Excel workbook ({type(e).__name__}: {e})") from None
    chosen = _chosen_sheets(wb, str(path), sheet)
    if not isinstance(chosen, list):
        raise AuditError(str(chosen))
    sections: list[Section] = []
    errors: list[AuditError] = []
    for ws in chosen:
        grid = _sheet_grid(ws)
        name = f"{path}" if len(wb.worksheets) == 1 else f"{path}[{ws.title}]"
        if _HISTORY_RE.match(ws.title) and len(chosen) > 1:  # a 改定履歴 sheet: boilerplate, as a document's history is
            texts = [(n, " | ".join(c for c in row if c)) for n, row in enumerate(grid, 1) if any(row)]
            _seen(name, texts)
            for n, text in texts:
                _left_out(name, n, text, "boilerplate")
            continue
        try:
            _merge_sections(sections, _table_rows(list(enumerate(grid, 1)), name, dept_col, duty_col))
        except AuditError as e:
            errors.append(e)
    if not sections and errors:
        raise errors[0]
    return sections


# Elements that hold page furniture rather than content, by tag and by id/class word.
_HTML_SKIP_TAGS = {"script", "style", "head", "header", "footer", "nav", "aside", "noscript", "template", "form"}
_HTML_SKIP_NAMES = {"hd", "ft", "header", "footer", "nav", "gnav", "global-nav", "menu", "side", "sidebar",
                    "sidemenu", "pankuzu", "breadcrumb", "breadcrumbs", "topicpath", "site-header", "site-footer"}
_HTML_BLOCKS = {"p", "div", "li", "ul", "ol", "section", "article", "main", "body", "table", "tr", "td", "th",
                "dl", "dt", "dd", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tbody", "thead"}


def _html_skipped(el: Any) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _HTML_SKIP_TAGS:
        return True
    names = {el.get("id") or ""} | set((el.get("class") or "").split())
    return bool({n.lower() for n in names} & _HTML_SKIP_NAMES)


def _html_text(el: Any) -> str:
    """An element's text as a browser lays it out: a line break at <br> and at every block element."""
    parts: list[str] = []

    def walk(e: Any) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if _html_skipped(e):
            return
        if tag == "br" or tag in _HTML_BLOCKS:
            parts.append("\n")
        if e.text and tag:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _HTML_BLOCKS:
            parts.append("\n")

    walk(el)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", l).strip() for l in "".join(parts).split("\n"))
    return "\n".join(l for l in lines if l)


def _html_root(data: bytes, name: str, encoding: str | None = None) -> Any:
    """The parsed page. Its encoding: ``encoding`` if given, else a BOM or ``<meta charset>`` (lxml reads
    those), else UTF-8 if the bytes decode, else the detected Japanese encoding (lxml alone would take such a
    page for Latin-1)."""
    import lxml.html

    head = data[:4096].lower()
    if not encoding and (data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"charset" in head):
        return lxml.html.document_fromstring(data)
    from .io.readers import decode_bytes

    return lxml.html.document_fromstring(decode_bytes(data, name, encoding))


def html_lines(data: bytes, name: str = "<html>", encoding: str | None = None) -> list[str]:
    """The text lines of an HTML page as a browser lays them out, without its navigation, header, sidebar,
    footer, scripts and styles (the same rules the audit reads pages with)."""
    root = _html_root(data, name, encoding)
    body = root.find("body")
    return [l for l in _html_text(body if body is not None else root).split("\n") if l]


def _html_table(table: Any, file: str, dept_col: str | None, duty_col: str | None) -> list[Section]:
    """The departments of a 分掌 table on the page (none for another table: it is read as the page's text)."""
    rows = [(tr.sourceline or 1, [_html_text(td) for td in tr if td.tag in ("td", "th")]) for tr in table.iter("tr")]
    return _table_apart(rows, file, dept_col, duty_col)


@dataclass
class _PageText:
    """An HTML page read as Markdown: its lines, the page's line each comes from, the level of the page's last
    heading (h1–h6), and the elements read apart (its 分掌 tables) that are left out."""

    lines: list[str] = field(default_factory=list)
    where: list[int] = field(default_factory=list)
    level: int = 1
    apart: set[Any] = field(default_factory=set)

    def add(self, texts: Iterable[str], line: int | None) -> None:
        """Add lines that come from the page's line ``line`` (None: unknown)."""
        for t in texts:
            self.lines.append(t)
            self.where.append(line or 0)


def _html_definitions(dl: Any, page: _PageText) -> None:
    """A definition list: a term that names a department is a heading a level below the page's last heading
    (its duties the definitions after it), another term a label over the definitions after it; each definition
    is a list item (a duty)."""
    for e in dl.iter("dt", "dd"):
        text = _html_text(e)
        if e.tag == "dd":
            page.add(("- " + t for t in text.split("\n") if t), e.sourceline)
        elif _is_heading_like(text.replace("\n", " ")):
            page.add(["#" * min(page.level + 1, 6) + " " + text.replace("\n", " ")], e.sourceline)
        elif text:
            page.add(["**" + text.replace("\n", " ") + "**"], e.sourceline)


def _html_markdown(e: Any, page: _PageText) -> None:
    """Add the lines of element ``e`` read as Markdown to ``page`` (page furniture and the elements read apart
    left out): a heading as a Markdown heading, a list item as a list item, a paragraph's lines as they are, a
    definition list as :func:`_html_definitions` reads it."""
    tag = e.tag if isinstance(e.tag, str) else ""
    if _html_skipped(e) or e in page.apart:
        return
    if re.fullmatch(r"h[1-6]", tag):
        page.level = int(tag[1])
        page.add(["#" * page.level + " " + _html_text(e).replace("\n", " ")], e.sourceline)
        return
    if tag == "dl":
        _html_definitions(e, page)
        return
    inline = tag in _HTML_BLOCKS and not any(isinstance(c.tag, str) and c.tag in _HTML_BLOCKS for c in e.iterdescendants())
    if tag in ("li", "dd", "dt") or inline:  # a block of text only (a <div> with <b> or <font> in it) as a paragraph
        item = "- " if tag in ("li", "dd", "dt") else ""
        page.add((item + t for t in _html_text(e).split("\n") if t), e.sourceline)
        return
    if e.text and e.text.strip() and tag in _HTML_BLOCKS:
        page.add([e.text.strip()], e.sourceline)
    for child in e:
        _html_markdown(child, page)
        if child.tail and child.tail.strip() and tag in _HTML_BLOCKS:
            page.add([child.tail.strip()], child.sourceline)


def _keep(lines: _Lines, left: list[dict[str, Any]]) -> None:
    """Add lines seen and left out that were noted apart (:func:`_noting`) to those of the document."""
    seen, told = _LINES.get(), _LEFT.get()
    if seen is not None:
        seen.extend(lines)
    if told is not None:
        told.extend(left)


def _html(
    path: Path, data: bytes, dept_col: str | None, duty_col: str | None, encoding: str | None = None
) -> tuple[str, list[Section]]:
    """The page's 分掌 tables, and the rest of the page (its headings, lists and definition lists) read as
    Markdown; a table's departments come under the heading above the table as a list's would."""
    try:
        root = _html_root(data, str(path), encoding)
    except (AuditError, InputError):
        raise
    except Exception as e:  # lxml raises ParserError for an empty or broken document
        raise AuditError(f"{path}: cannot read as HTML ({type(e).__name__}: {e})") from None
    _html_furniture(root, str(path))
    body = root.find("body") if root.find("body") is not None else root
    tables: list[Section] = []
    page = _PageText()
    for table in body.iter("table"):
        if any(_html_skipped(a) or a in page.apart for a in table.iterancestors()):
            continue
        found = _html_table(table, str(path), dept_col, duty_col)
        if found:
            page.apart.add(table)
            tables += found
    _html_markdown(body, page)
    with _noting() as (seen, left):
        structure, secs = _parse_text("\n".join(page.lines), str(path))
    # locations point into the page (its source lines), not into the Markdown it was read as
    line_of = lambda n: page.where[n - 1] if 0 < n <= len(page.where) and page.where[n - 1] else n  # noqa: E731
    for sec in secs:
        sec.line = line_of(sec.line)
        for d in sec.duties:
            d.line = line_of(d.line)
    text = lambda t: re.sub(r"^(?:#+|-)\s+|^\*\*(.*)\*\*$", r"\1", t)  # noqa: E731  # the page's text, not ours
    _keep([(f, line_of(n), text(t)) for f, n, t in seen], left)
    kind = f"html/{_with_tables(structure, secs, tables)}"
    return kind, _around_tables(structure, secs, tables)


def _docx_body(path: Path | IO[bytes], name: str | None = None) -> list[tuple[str, Any]]:
    """Paragraphs (style, text) and tables (rows of cell texts; a merged cell repeated over the cells it
    covers) of a DOCX, in document order."""
    return [(style, [[c.text for c in row] for row in item] if style == "table" else item)
            for style, item in _docx_items(path, name)]


def _docx_items(path: str | Path | IO[bytes], name: str | None = None) -> list[tuple[str, Any]]:
    """Paragraphs (style, text) and tables (rows of python-docx cells) of a DOCX, in document order."""
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover
        raise AuditError(needs("reading .docx", "python-docx")) from None
    name = name or str(path)
    too_big = check_office_size(path, "docx")  # type: ignore[arg-type]  # zipfile reads a file object too
    if too_big:
        raise AuditError(f"{name}: {too_big}")
    try:
        document = docx.Document(str(path) if isinstance(path, Path) else path)
        out: list[tuple[str, Any]] = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                p = Paragraph(child, document)
                out.append((p.style.name if p.style is not None else "", p.text))
            elif tag == "tbl":
                out.append(("table", [list(row.cells) for row in Table(child, document).rows]))
        return out
    except AuditError:
        raise
    except Exception as e:  # python-docx raises several types for a broken file
        raise AuditError(f"{name}: cannot read as DOCX ({type(e).__name__}: {e})") from None


def _docx_blocks(source: str | Path | IO[bytes], name: str) -> list[str]:
    """A DOCX's paragraphs, and its table cells one by one (a merged cell once), in reading order."""
    blocks: list[str] = []
    for style, item in _docx_items(source, name):
        if style != "table":
            blocks.append(item)
            continue
        seen: set[int] = set()
        for row in item:
            for cell in row:
                if id(cell._tc) not in seen:  # a merged cell comes once per grid cell it covers
                    seen.add(id(cell._tc))
                    blocks.append(cell.text)
    return blocks


def document_blocks(source: str | Path | IO[bytes], kind: str, name: str | None = None,
                    encoding: str | None = None) -> list[str]:
    """The text blocks of a Word (``docx``), ``pdf`` or ``html`` document in reading order, as the audit reads
    them: paragraphs, headings, list items and table cells, one block each (a PDF's text layer has no
    paragraphs: one block per text line; an HTML page without its navigation, header and footer). Blank
    blocks are left out. ``encoding`` applies to HTML. Raises :class:`~roleclassify.errors.InputError` naming
    the document (``name``, default the path) when it cannot be read."""
    name = name or str(source)
    try:
        if kind == "docx":
            raw = _docx_blocks(source, name)
        elif kind == "pdf":
            raw = _pdf_text(source, name).split("\n")
        elif kind == "html":
            data = source.read() if not isinstance(source, (str, Path)) else Path(source).read_bytes()
            raw = html_lines(data, name, encoding)
        else:
            raise ValueError(f"document_blocks reads docx, pdf or html, not {kind!r}")
    except AuditError as e:
        raise InputError(str(e)) from None
    except InputError:
        raise
    except Exception as e:  # lxml raises ParserError for an empty or broken page
        raise InputError(f"{name}: not a readable {kind} document ({type(e).__name__}: {e})") from None
    return [b.strip() for b in raw if b.strip()]


def _docx_text(body: list[tuple[str, Any]], file: str) -> list[Section]:
    """A DOCX without heading styles, or a 規程, read as text: a table that holds 分掌 (部署 | 分掌事項, a 別表's
    matrix) read apart as an HTML page's tables are (its rows keep their line numbers), another table's rows as
    ｜-separated lines of the text."""
    lines: list[str] = []
    tables: list[Section] = []
    for style, item in body:
        if style != "table":
            lines += split_lines(str(item))
            continue
        found = _table_apart([(len(lines) + k, row) for k, row in enumerate(item, 1)], file)
        tables += found
        lines += [""] * len(item) if found else ["｜".join(c.replace("\n", " ") for c in row) for row in item]
    structure, secs = _parse_text("\n".join(lines), file)
    return _around_tables(structure, secs, tables)


def _docx_table(rows: _Rows, file: str, sections: list[Section], current: Section | None) -> None:
    """A table of a DOCX read by its headings: its departments added to ``sections``, or, a table of duties only
    (| 区分 | 業務 |), its duties to those of the department above it (``current``)."""
    found = _table_rows(rows, file, None, None, required=False)
    _merge_sections(sections, found)
    if not found and current is not None:
        for n, duty in _duty_cells(rows, file):
            _add_duties(current, duty, file, n)


def _docx(path: Path) -> list[Section]:
    body = _docx_body(_document_source(path), str(path))
    paragraphs = [(s, t) for s, t in body if s != "table"]
    heading = lambda style: re.match(r"Heading (\d)", style or "")
    if not any(heading(s) and str(t).strip() for s, t in paragraphs) or sum(
        1 for _, t in paragraphs if _ARTICLE_RE.match(str(t))
    ) >= 2:
        return _docx_text(body, str(path))
    sections: list[Section] = []
    current: Section | None = None
    levels: dict[int, str] = {}  # heading level -> the department heading of that level in force
    n = 0
    for style, item in body:
        n += 1
        if style == "table":
            _docx_table([(n, r) for r in item], str(path), sections, current)
            continue
        text = str(item).strip()
        if not text:
            continue
        _seen(str(path), [(n, text)])
        if _ends_section(text):
            current = None  # 以上, 改定履歴: the end of the department above
            continue
        if heading(style) or style == "Title":
            # a heading that names a department starts it, whatever its level (部 and its 課 alike); its parent
            # is the department of the nearest heading of a higher level
            name = _department_name(text)
            m = heading(style)
            level = int(m.group(1)) if m else 0
            named = style != "Title" and _looks_like_department(name)
            parent = next((levels[k] for k in sorted(levels, reverse=True) if k < level), None) if named else None
            levels = {k: v for k, v in levels.items() if k < level}
            if named:
                levels[level] = name
            current = Section(name, str(path), n, parent=parent, parent_known=True) if named else None
            if current is not None:
                sections.append(current)
            continue
        if current is not None:
            _add_duties(current, text, str(path), n)
    return sections


def _pdf_text(path: str | Path | IO[bytes], name: str | None = None) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover
        raise AuditError(needs("reading .pdf", "pypdf")) from None
    import logging

    # pypdf logs what it repairs (invalid header, EOF marker not found) on stderr through logging's last-resort
    # handler: not the user's business beside the one-line error or the text read
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path) if isinstance(path, Path) else path)
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as e:  # pypdf raises many types for broken files
        raise AuditError(f"{name or path}: cannot read as PDF ({type(e).__name__}: {e})") from None
    return _PDF_LOOKALIKES.sub(_pdf_char, text)


#: Characters a PDF's fonts often map Japanese text to: Kangxi and CJK radicals that look like the ideographs
#: (⽤ for 用, ⾦ for 金) and the hyphenation point ‧ for the middle dot ・.
_PDF_LOOKALIKES = re.compile("[\u2e80-\u2fdf\u2027]")


def _pdf_char(m: re.Match) -> str:
    """The character a PDF's look-alike stands for: the ideograph of a radical (NFKC), ・ for ‧."""
    c = m.group(0)
    return "・" if c == "\u2027" else unicodedata.normalize("NFKC", c)


def _read_text_file(path: Path, encoding: str | None) -> str:
    """A text file's text (gzip-compressed or not), decoded as every command decodes its input."""
    from .io.readers import read_text

    return read_text(str(path), encoding)


def _document_source(path: Path) -> Path | IO[bytes]:
    """The file itself, or its decompressed bytes when it is gzip-compressed."""
    from .io.readers import is_gzip_name, read_bytes

    return io.BytesIO(read_bytes(str(path))) if is_gzip_name(str(path)) else path


def read_org_document(
    path: str | Path,
    *,
    encoding: str | None = None,
    dept_column: str | None = None,
    duty_column: str | None = None,
    sheet: str | None = None,
) -> OrgDocument:
    """Read one file into departments, or raise :class:`AuditError` naming the file."""
    with _noting() as (seen, left):
        doc = _read_org_document(Path(path), encoding, dept_column, duty_column, sheet)
    doc.lines, doc.left_out = seen, left
    return doc


def _read_org_document(
    path: Path, encoding: str | None, dept_column: str | None, duty_column: str | None, sheet: str | None
) -> OrgDocument:
    from .io.readers import is_gzip_name, read_bytes

    if not path.exists():
        raise AuditError(f"{path}: no such file")
    gz = is_gzip_name(str(path))
    suffix = (path.with_suffix("") if gz else path).suffix.lower()
    if suffix == ".docx":
        structure, sections = "docx", _docx(path)
    elif suffix in (".xlsx", ".xlsm"):
        if gz:
            raise AuditError(f"{path}: a gzip-compressed Excel workbook is not read (it is compressed already); "
                             "decompress it first")
        structure, sections = "xlsx", _xlsx(path, dept_column, duty_column, sheet)
    elif suffix in (".html", ".htm"):
        structure, sections = _html(path, read_bytes(str(path)), dept_column, duty_column, encoding)
    elif suffix == ".pdf":
        structure, sections = _parse_text(_pdf_text(_document_source(path), str(path)), str(path))
        structure = f"pdf/{structure}"
    elif suffix in (".csv", ".tsv"):
        text = _read_text_file(path, encoding)
        structure = suffix[1:]
        sections = _delimited(text, str(path), "," if suffix == ".csv" else "\t", dept_column, duty_column)
    else:
        structure, sections = _parse_text(_read_text_file(path, encoding), str(path))
    sections = [s for s in sections if s.duties]
    if not sections:
        raise AuditError(
            f"{path}: no department structure found; expected 業務分掌 articles (第N条（営業部）), Markdown "
            "headings, 【営業部】/■営業部 heading lines, heading lines followed by duties, or a CSV with "
            "department and duty columns"
        )
    return OrgDocument(str(path), structure, sections)


def _doc_suffix(p: Path) -> str:
    """A document's format suffix, looking through ``.gz`` (``規程.txt.gz`` is a ``.txt``)."""
    from .io.readers import is_gzip_name

    return (p.with_suffix("") if is_gzip_name(p.name) else p).suffix.lower()


def _directory(path: Path, encoding: str | None, **kw: str | None) -> list[OrgDocument]:
    # hidden files and the lock files Office leaves beside a document that is open (~$分掌表.xlsx) are no documents
    files = sorted(p for p in path.iterdir() if p.is_file() and _doc_suffix(p) in DOC_SUFFIXES
                   and not p.name.startswith((".", "~$")))
    if not files:
        raise AuditError(f"{path}: no documents ({', '.join(DOC_SUFFIXES)}) in this directory")
    docs: list[OrgDocument] = []
    failed: AuditError | None = None
    for f in files:
        try:
            docs.append(read_org_document(f, encoding=encoding, **kw))
        except AuditError as e:
            failed = e
            break
    # documents with explicit structure are read one by one; plain text files (whose only "structure" is
    # the weak heading-line guess) are one department each
    weak = {"plain", "headings"}
    if len(docs) == len(files) and not all(d.structure in weak for d in docs):
        return docs
    # one file per department: the file name is the department, each line a duty
    other = next((f for f in files if _doc_suffix(f) not in (".txt", ".md", ".markdown")), None)
    if other is not None:
        # a document of its own structure that could not be read: say why
        raise failed or AuditError(f"{other}: a per-department directory may only hold .txt/.md files")
    return [_department_files(path, files, encoding)]


def _department_files(path: Path, files: list[Path], encoding: str | None) -> OrgDocument:
    """A directory of text files, one department each: the file name is the department, each line a duty."""
    sections = []
    lines: list[tuple[str, int, str]] = []
    for f in files:
        sec = Section(Path(f.name[:-3] if f.name.lower().endswith(".gz") else f.name).stem, str(f), 1)  # the file
        for n, line in enumerate(split_lines(_read_text_file(f, encoding)), 1):
            if line.strip():
                lines.append((str(f), n, line.strip()))
            if line.strip() and not _MD_HEADING_RE.match(line):
                _add_duties(sec, line, str(f), n)
        if sec.duties:
            sections.append(sec)
    if not sections:
        raise AuditError(f"{path}: the department files in this directory have no duties")
    return OrgDocument(str(path), "directory", sections, lines)


def read_org_documents(
    paths: Iterable[str | Path], *, encoding: str | None = None, **kw: str | None
) -> list[OrgDocument]:
    """Read files and directories. A directory of structured documents yields each of them; a directory of
    unstructured text files is one organisation with one department per file."""
    docs: list[OrgDocument] = []
    for raw in paths:
        if str(raw) == "-":
            docs.append(read_org_stdin(encoding=encoding))
            continue
        p = Path(raw)
        if p.is_dir():
            docs.extend(_directory(p, encoding, **kw))
        else:
            docs.append(read_org_document(p, encoding=encoding, **kw))
    return docs


def read_org_stdin(*, encoding: str | None = None, name: str = "<stdin>") -> OrgDocument:
    """A text document (規程, Markdown, headed lines) read from standard input (``roleclassify audit -``); its
    locations name it ``<stdin>``."""
    import sys

    from .io.readers import decode_bytes

    text = decode_bytes(sys.stdin.buffer.read(), name, encoding)
    seen: list[tuple[str, int, str]] = []
    token = _LINES.set(seen)
    try:
        structure, sections = _parse_text(text, name)
    finally:
        _LINES.reset(token)
    sections = [s for s in sections if s.duties]
    if not sections:
        raise AuditError(f"{name}: no department structure found; expected 業務分掌 articles (第N条（営業部）), "
                         "Markdown headings, 【営業部】/■営業部 heading lines or heading lines followed by duties")
    return OrgDocument(name, structure, sections, seen)


# ---------------------------------------------------------------- what was read
#: Why a line was left out: a heading (title, heading without duties, table header, a 規程's chapter), regulation
#: boilerplate (目的 / 附則 articles, an article's lead sentence, intro text), a footer (contact, copyright, 以上), a
#: note (※, 改定日, 備考), a department heading with no duties of its own, a parent heading (a 本部 or 部 without
#: duties of its own over the departments read under it), a table row whose department only helps with the duty
#: (○ 関係: related only), or any other line that is no duty. A revision history (改定履歴, 附則) is boilerplate.
DROP_REASONS = ("heading", "boilerplate", "footer", "note", "empty department", "parent heading", "related only",
                "not a duty")
_BOILERPLATE_RE = re.compile(r"^(?:附\s*則|別\s*表|目\s*的|施行|制定|改廃|この規程|本規程)|(?:次のとおり|以下のとおり)")
_PARENT_RE = re.compile(r"(?:本部|部)$")
_CHILD_RE = re.compile(r"(?:課|係|班|チーム|グループ)$")


_DATED_NOTE_RE = re.compile(r"^[0-9０-９]{4}年.{0,12}(?:改定|改訂|作成|制定|更新|現在)")


def _is_history(text: str) -> bool:
    """Whether a line (a heading, a table row) starts a revision history: 改定履歴, 附則, 制定 2019年…."""
    return bool(_HISTORY_RE.match(re.sub(r"^#+\s*", "", text.strip(" |｜"))))


def _drop_reason(text: str) -> str:
    """Why a line that is neither a department nor a duty was left out (:data:`DROP_REASONS`); a table row's
    reason is that of its first cell (cells separated by `` | ``, or by ｜ in a 規程's 別表)."""
    bare = strip_marker(re.split(r"\s*[|｜]\s*", text.strip(" |｜"), maxsplit=1)[0]).strip()
    if _is_history(bare):
        return "boilerplate"  # a revision history (改定履歴, 附則)
    if _DATED_NOTE_RE.match(bare):
        return "note"
    if bare.lower() in _DEPT_COLUMNS or bare.lower() in _DUTY_COLUMNS:
        return "heading"  # a table's header row
    if _FOOTER_RE.match(bare) or _END_RE.match(bare):
        return "footer"
    if _NOTE_RE.match(bare) or bare.startswith("備考"):
        return "note"
    if _ARTICLE_RE.match(bare) or _BOILERPLATE_RE.search(bare) or _LEAD_RE.search(bare):
        return "boilerplate"
    if _CHAPTER_RE.match(bare):
        return "heading"
    name = _department_name(re.sub(r"^#+\s*", "", bare))
    if _heading_name(bare) or _MD_HEADING_RE.match(text) or _looks_like_department(name) and len(name) <= 25:
        return "empty department" if _looks_like_department(name) else "heading"
    if len(bare) <= 30 and not any(c in bare for c in _ENDERS + "、"):
        return "heading"
    return "not a duty"


def _empty_name(text: str) -> str:
    """The department a left-out heading line names (営業本部 of 「1. 営業本部」 or 「## 営業本部」)."""
    return _department_name(re.sub(r"^#+\s*", "", strip_marker(text)))


def _departments_read(doc: OrgDocument, empty: Sequence[tuple[str, int, str]],
                      headings: Sequence[tuple[str, int, str]]) -> list[dict[str, Any]]:
    """Each department of ``doc``: name, file, heading line, first and last duty line, and parent. The parent
    is the document's own (部 and 課 columns, heading levels) or, in text, the nearest heading above of a
    department without duties of its own that the department comes under (営業本部 above 第一営業部, 業務部
    above 受注課), until another heading (2. 企画・管理)."""
    heads = sorted([(s.file, s.line, s.department, False) for s in doc.sections]
                   + [(f, n, _empty_name(t), True) for f, n, t in empty]
                   + [(f, n, "", False) for f, n, _ in headings])
    parents: dict[tuple[str, int], str | None] = {}
    last: dict[str, str] = {}
    for f, n, name, is_empty in heads:
        if not name:  # a heading that names no department closes the one above
            last.pop(f, None)
            continue
        up = last.get(f)
        under = up is not None and (_CHILD_RE.search(name) or (up.endswith("本部") and not name.endswith("本部")))
        parents[f, n] = up if under else None
        if is_empty and _PARENT_RE.search(name):
            last[f] = name
        elif not under:
            last.pop(f, None)
    return [{"department": s.department, "file": s.file, "line": s.line,
             "lines": [min(d.line for d in s.duties), max(d.line for d in s.duties)] if s.duties else None,
             "parent": _parent_of(s, parents.get((s.file, s.line))), "duties": len(s.duties)}
            for s in doc.sections]


def _parent_of(section: Section, inferred: str | None) -> str | None:
    """A department's parent: the document's own, or the one inferred from the headings around; never itself."""
    parent = section.parent if section.parent_known else inferred
    return None if parent == section.department else parent


def _lines_left_out(doc: OrgDocument) -> tuple[list[dict[str, Any]], _Lines, _Lines, int]:
    """The lines of ``doc`` that are neither a department nor a duty, with the reason (but for those whose reason
    the reader gave, :attr:`OrgDocument.left_out`); among them the headings of departments without duties and
    the headings that name no department (file, line, text: for :func:`_departments_read`); and how many of
    the document's lines were left out."""
    used = {(d.file, d.line) for s in doc.sections for d in s.duties} | {(s.file, s.line) for s in doc.sections}
    first: dict[str, int] = {}
    for sec in doc.sections:
        first[sec.file] = min(first.get(sec.file, sec.line), sec.line)
    told = {(x["file"], x["line"]) for x in doc.left_out}  # the reader said why (a table's header, a ○ row)
    read = {s.department for s in doc.sections}
    seen: set[tuple[str, int]] = set()
    dropped: list[dict[str, Any]] = []
    empty: _Lines = []
    headings: _Lines = []
    heads = {(s.file, s.line) for s in doc.sections}
    history: set[str] = set()  # the files whose lines are those of a revision history (after 改定履歴), until 別表
    for f, n, t in doc.lines:
        if (f, n) in heads or t.startswith("別表"):
            history.discard(f)
        if (f, n) in used or (f, n) in seen:
            continue
        seen.add((f, n))
        if _is_history(t):
            history.add(f)
        if (f, n) in told:
            continue
        reason = "boilerplate" if f in history else _drop_reason(t)
        if reason == "not a duty" and n < first.get(f, 0):
            reason = "boilerplate"  # intro text above the first department
        if reason == "empty department" and _empty_name(t) in read:
            reason = "heading"  # a department's own heading above the line that starts it (its article)
        elif reason == "empty department":
            empty.append((f, n, t))
        elif reason == "heading":
            headings.append((f, n, t))
        dropped.append({"file": f, "line": n, "text": t, "reason": reason})
    return dropped, empty, headings, len(seen)


def reading_report(docs: Sequence[OrgDocument]) -> dict[str, Any]:
    """What the reader made of ``docs``: each document's structure, its departments (file, heading line, line
    range of their duties, parent) and every line left out with the reason (:data:`DROP_REASONS`), so a user
    sees at once what was read. A document where most lines were left out gets a warning."""
    out: dict[str, Any] = {"documents": [], "departments": [], "dropped": [], "warnings": []}
    for doc in docs:
        dropped, empty, headings, count = _lines_left_out(doc)
        departments = _departments_read(doc, empty, headings)
        over = {d["parent"] for d in departments}
        for x in dropped:  # a heading with no duties of its own over departments read is their heading
            if x["reason"] == "empty department" and _empty_name(x["text"]) in over:
                x["reason"] = "parent heading"
        out["dropped"] = sorted(out["dropped"] + dropped + doc.left_out, key=lambda x: (x["file"], x["line"]))
        out["departments"] += departments
        out["documents"].append({"path": doc.path, "structure": doc.structure, "lines": len(doc.lines),
                                 "dropped": count})
        if doc.lines and count > len(doc.lines) / 2:
            out["warnings"].append(f"{doc.path}: {count} of {len(doc.lines)} lines were left out; check "
                                   f"that the departments below are those of the document (read as {doc.structure})")
    return out
