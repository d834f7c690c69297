"""Consistency check for the org-document fixtures in this directory (definitions: FINDINGS.md).

For every ``*.expected.json`` it
  1. re-reads the document with a small reference reader (one per shape: regulation text, Markdown,
     bracket headings, numbered / parenthesised headings, CSV / TSV (UTF-8 or CP932), a directory of
     files, DOCX (headings, nested 部 / 課, regulation with a 別表 table), XLSX (merged 部署 / 部・課
     columns, ◎ / ○ marks), HTML (semantic sections or a 部署 / 主な業務 table), PDF) and checks that the
     departments, their parents, their duty units, the ○-only (関係) units and, where the fixture lists
     them, the dropped lines are exactly what the document contains;
  2. checks every unit's labels and duties: known duty ids, labels = the roles of the duties;
  3. re-derives each department's expected role from its name (FINDINGS.md keyword lists) or ``expect``;
  4. recomputes crossing / shared / ownerless from the labels and duties and compares them with
     ``findings`` (shared: per role, the departments holding a duty of that role that another department
     also holds; ``not_findings`` entries of kind ``handoff`` with ``duty`` remove such an overlap);
  5. checks each planted duplicate (both units exist, they share a duty, one finding per department pair,
     the pair is inside that role's shared finding) and searches all cross-department unit pairs for
     near-duplicates that are neither planted nor listed in ``not_findings``;
  6. checks the size limits (4-9 departments, 3-10 duty units each).

Usage:  python corpus/orgdocs/check_fixtures.py [-v]
Exit code 0 when every fixture passes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROLES = ("sales", "distribution", "marketing")
DUTY_ROLE = {d["id"]: d["role"] for d in json.loads((HERE.parent / "duties.json").read_text(encoding="utf-8"))["duties"]}
DUP_THRESHOLD = 0.55  # bigram Jaccard on normalised text; same-words duplicates score far above it
REASONS = {"heading", "boilerplate", "footer", "note", "empty department"}


# ---------------------------------------------------------------- roles from names (FINDINGS.md)
def _word(name: str, word: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", name) is not None


def roles_from_name(name: str) -> set[str]:
    """The roles a department name states. 営業推進 / 営業企画 give {"majority"}."""
    found: set[str] = set()
    n = name
    if "営業推進" in n or "営業企画" in n:
        return {"majority"}
    if any(k in n for k in ("マーケティング", "マーケ", "販売促進", "販促", "販売推進", "販売企画", "宣伝", "広告",
                            "広報", "プロモーション", "ブランド")) or _word(n, "Marketing"):
        found.add("marketing")
    rest = n.replace("営業事務", "").replace("営業管理", "")
    if any(k in rest for k in ("営業", "セールス", "外商")) or _word(n, "Sales"):
        found.add("sales")
    sale = n.replace("販売促進", "").replace("販売推進", "").replace("販売企画", "")
    if (any(k in sale for k in ("販売", "受注", "受発注", "営業事務", "営業管理", "業務", "物流", "配送", "出荷", "倉庫",
                                "店舗", "売場", "通販", "カスタマーサポート"))
            or _word(n, "EC") or _word(n, "CS") or _word(n, "Logistics")):
        found.add("distribution")
    return found


# ---------------------------------------------------------------- what a reader returns
@dataclass
class Dept:
    name: str
    parent: str | None = None
    units: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


@dataclass
class Reading:
    depts: dict[str, Dept] = field(default_factory=dict)
    dropped: list[tuple[str, str]] | None = None

    def dept(self, name: str, parent: str | None = None) -> Dept:
        if name not in self.depts:
            self.depts[name] = Dept(name, parent)
        return self.depts[name]

    def drop(self, text: str, reason: str) -> None:
        if self.dropped is None:
            self.dropped = []
        text = text.strip()
        if text:
            self.dropped.append((text, reason))


def _plain(d: dict[str, list[str]]) -> Reading:
    r = Reading()
    for k, v in d.items():
        r.dept(k).units.extend(v)
    return r


# ---------------------------------------------------------------- reference readers
ITEM_RE = re.compile(r"^(?:[一二三四五六七八九十]+[　 ]|\(\d+\)\s*|（[0-9０-９]+）\s*|[0-9０-９]+[．.]\s*|[・\-－]\s*)(.+)$")
DEPT_SUFFIX = r"(?:部|課|室|センター)"


def split_units(line: str) -> list[str]:
    """Split a prose line at 。！？, keeping the terminator (the project splitter's rule)."""
    parts = re.findall(r"[^。！？]+[。！？]?", line.strip())
    return [p.strip() for p in parts if p.strip()]


def read_regulation(path: Path) -> Reading:
    """第N条 articles (caption line, 第N条（部署）, lead sentence), items, 附則 and a 別表 written as text
    (``業務｜主管部署｜関係部署、…`` rows: a unit of the 主管 department, related for the others)."""
    r = Reading(dropped=[])
    current = None
    pending_caption = None
    in_annex = False
    first = True
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if in_annex:
            if line == "以上":
                r.drop(line, "footer")
                continue
            cells = [c.strip() for c in line.split("｜")]
            if len(cells) == 3 and cells[1] in r.depts:
                r.depts[cells[1]].units.append(cells[0])
                for other in re.split(r"[、，,]", cells[2]):
                    if other.strip():
                        r.depts[other.strip()].related.append(cells[0])
            else:
                r.drop(line, "heading")
            continue
        if line.startswith("別表"):
            in_annex = True
            current = None
            r.drop(line, "heading")
            continue
        m_caption = re.fullmatch(r"（(.+)）", line)
        if m_caption:
            pending_caption = m_caption.group(1)
            current = None
            if not re.search(rf"{DEPT_SUFFIX}$", pending_caption):
                r.drop(line, "heading")
            continue
        if re.match(r"^第\S+?条", line):
            name = None
            m = re.match(rf"^第\S+?条（(.+?{DEPT_SUFFIX})）", line)
            if m:
                name = m.group(1)
            m = m or re.match(rf"^第\S+?条[　 ]+(\S+?{DEPT_SUFFIX})の分掌業務は", line)
            if m and name is None:
                name = m.group(1)
            if name is None and pending_caption and re.search(rf"{DEPT_SUFFIX}$", pending_caption):
                name = pending_caption
            if name and name.startswith("各"):  # 「各部の分掌業務は、…」 is a general article
                name = None
            pending_caption = None
            current = name
            if name:
                r.dept(name)
            r.drop(line, "boilerplate")
            continue
        if line.startswith("附") or line == "以上":
            current = "附則" if line.startswith("附") else None
            r.drop(line, "boilerplate" if line.startswith("附") else "footer")
            continue
        if re.match(r"^第\S+章", line):
            current = None
            r.drop(line, "heading")
            continue
        if current == "附則":
            r.drop(line, "boilerplate")
            continue
        if current:
            m = ITEM_RE.match(line)
            if not m:
                raise ValueError(f"{path.name}: unexpected line inside {current}: {line!r}")
            r.depts[current].units.append(m.group(1))
            continue
        if re.match(r"^[２-９2-9][　 ]", line):
            r.drop(line, "boilerplate")
        else:
            r.drop(line, "heading" if first or not line.endswith("。") else "boilerplate")
        first = False
    return r


def read_markdown(path: Path) -> Reading:
    r = Reading(dropped=[])
    current = None
    footer = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if footer:
            r.drop(line, "footer")
        elif line == "---":
            footer, current = True, None
        elif line.startswith("## "):
            current = line[3:].strip()
            r.dept(current)
        elif line.startswith("# "):
            current = None
            r.drop(line[2:], "heading")
        elif line.startswith(">"):
            r.drop(line.lstrip("> ").strip(), "note")
        elif current and line.startswith("- "):
            r.depts[current].units.append(line[2:].strip())
        elif current:
            r.depts[current].units.extend(split_units(line))
        else:
            r.drop(line, "boilerplate")
    return r


BRACKET_RE = re.compile(r"^(?:【(.+)】|■(.+)|●(.+)|＜(.+)＞|〈(.+)〉)$")


def read_bracket(path: Path) -> Reading:
    depts: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        m = BRACKET_RE.match(line)
        if m:
            current = next(g for g in m.groups() if g)
            depts[current] = []
        elif current and line.startswith("・"):
            depts[current].append(line[1:].strip())
        elif line:
            current = None
    return _plain(depts)


HEAD_L1 = re.compile(r"^(\d+)\.\s*(\S.*)$")
HEAD_L2 = re.compile(r"^(?:\d+\.\d+\s+|\(\d+\)\s*|（\d+）\s*)(\S.*)$")
SCOPE_RE = re.compile(r"^(.+?)（(.+)）$")


def read_headings(path: Path) -> Reading:
    """A text page with numbered (1. / 2.1), parenthesised ((3)) and bare headings 「第一営業部（自動車）」
    (a bare line followed by ・ items); a level-1 heading that names a department and has no duties of
    its own is the parent of the departments under it. Lines before the first department are the title
    and boilerplate, lines after the departments that are neither headings nor items are the footer."""
    r = Reading(dropped=[])
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    parent = None
    current = None
    seen = False
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.startswith("・"):
            if current is None:
                raise ValueError(f"{path.name}: duty outside a department: {line!r}")
            r.depts[current].units.append(line[1:].strip())
            continue
        m1 = HEAD_L1.match(line) if not re.match(r"^\d+\.\d", line) else None
        m2 = HEAD_L2.match(line)
        heading = m1.group(2) if m1 else m2.group(1) if m2 else line if nxt.startswith("・") else None
        if heading is None:
            r.drop(line, "footer" if seen else "heading" if i == 0 else "boilerplate")
            current = None
            continue
        scoped = SCOPE_RE.match(heading)
        name = scoped.group(1) if scoped else heading
        is_dept = re.search(rf"(?:{DEPT_SUFFIX}|本部)$", name) is not None
        if m1:
            parent = current = None
            if is_dept and not nxt.startswith("・"):
                parent = name
                r.drop(line, "empty department")
            elif is_dept:
                current = name
                r.dept(name)
            else:
                r.drop(line, "heading")
            seen = seen or is_dept
            continue
        if is_dept:
            current = name
            r.dept(name, parent)
            seen = True
        else:
            current = None
            r.drop(line, "heading")
    return r


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp932")


def read_table(path: Path, delimiter: str) -> Reading:
    """CSV / TSV: a title row may sit above the header (the row with 部署); an empty 部署 cell continues
    the department above (Excel's merged cell); 備考 cells and rows without a duty are notes."""
    rows = list(csv.reader(io.StringIO(_decode(path), newline=""), delimiter=delimiter))
    header_at = next(i for i, row in enumerate(rows) if row and row[0].strip() in ("部署", "department"))
    r = Reading(dropped=[] if header_at else None)
    for row in rows[:header_at]:
        for cell in row:
            r.drop(cell, "heading")
    head = rows[header_at]
    if r.dropped is not None:
        for cell in head:
            r.drop(cell, "heading")
    note_col = head.index("備考") if "備考" in head else None
    current = None
    for row in rows[header_at + 1:]:
        if not any(c.strip() for c in row):
            continue
        if row[0].strip():
            current = row[0].strip()
        duty = row[1].strip() if len(row) > 1 else ""
        if not duty:
            for cell in row:
                r.drop(cell, "note")
            continue
        r.dept(current).units.append(duty)
        if note_col is not None and len(row) > note_col and row[note_col].strip():
            r.drop(row[note_col], "note")
    return r


def read_directory(path: Path) -> Reading:
    return _plain({
        f.stem: [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for f in sorted(path.glob("*.txt"))
    })


def _docx_body(path: Path):
    """Paragraphs and tables of a DOCX in document order: ("p", style, text) / ("t", rows)."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, doc)
            yield "p", p.style.name, p.text.strip()
        elif tag == "tbl":
            t = Table(child, doc)
            yield "t", [[c.text.strip() for c in row.cells] for row in t.rows]


def read_docx(path: Path) -> Reading:
    body = list(_docx_body(path))
    styles = {b[1] for b in body if b[0] == "p"}
    if any(b[0] == "p" and re.match(r"^第\d+条", b[2]) for b in body):
        return _read_docx_regulation(path, body)
    if "Title" not in styles:  # old shape: Heading 1 title, Heading 2 departments
        depts: dict[str, list[str]] = {}
        current = None
        for b in body:
            if b[0] != "p":
                continue
            _, style, text = b
            if style == "Heading 2":
                current = text
                depts[current] = []
            elif style.startswith("Heading"):
                current = None
            elif current and style == "List Bullet":
                depts[current].append(text)
        return _plain(depts)
    r = Reading(dropped=[])
    bu = None
    bu_has_units = False
    current = None
    for b in body:
        if b[0] != "p" or not b[2]:
            continue
        _, style, text = b
        if style == "Title":
            r.drop(text, "heading")
        elif style == "Heading 1":
            bu, bu_has_units, current = text, False, text
        elif style == "Heading 2":
            if bu is not None and not bu_has_units and bu not in r.depts and (bu, "empty department") not in r.dropped:
                r.drop(bu, "empty department")
            current = text
            r.dept(text, bu)
        elif style == "List Bullet":
            if current == bu and bu is not None:
                bu_has_units = True
                r.dept(bu)
            r.depts[current].units.append(text)
        else:
            r.drop(text, "note" if text.startswith("※") else "boilerplate")
    return r


def _read_docx_regulation(path: Path, body) -> Reading:
    lines = []
    for b in body:
        if b[0] == "p":
            if b[2]:
                lines.append(("p", b[2]))
        else:
            lines.append(("t", b[1]))
    r = Reading(dropped=[])
    current = None
    pending = None
    supplementary = False
    for kind, item in lines:
        if kind == "t":
            head = item[0]
            r.drop(head[0], "heading")
            for row in item[1:]:
                for col, mark in enumerate(row[1:], 1):
                    if mark == "◎":
                        r.dept(head[col]).units.append(row[0])
                    elif mark == "○":
                        r.dept(head[col]).related.append(row[0])
            continue
        text = item
        m_caption = re.fullmatch(r"（(.+)）", text)
        if m_caption and re.search(rf"{DEPT_SUFFIX}$", m_caption.group(1)):
            pending = m_caption.group(1)
            current = None
            continue
        if text.startswith("別表"):
            supplementary, current = False, None
            r.drop(text, "heading")
        elif m_caption:
            r.drop(text, "heading")
            current = None
        elif re.match(r"^第\d+条", text):
            m = re.match(rf"^第\d+条[　 ]+(\S+?{DEPT_SUFFIX})の分掌業務は", text)
            current = m.group(1) if m else None
            if current:
                r.dept(current)
            pending = None
            r.drop(text, "boilerplate")
        elif re.sub(r"[　 ]", "", text) == "附則":
            supplementary, current = True, None
            r.drop(text, "boilerplate")
        elif current and ITEM_RE.match(text):
            r.depts[current].units.append(ITEM_RE.match(text).group(1))
        elif text.startswith("（注）") or text.startswith("※"):
            r.drop(text, "note")
        elif not r.dropped:
            r.drop(text, "heading")
        else:
            r.drop(text, "boilerplate")
    return r


def read_xlsx(path: Path) -> Reading:
    """A 業務分掌表 workbook: title rows above the header row (部署 or 部 / 課, 業務内容, optionally 主管/関係
    and 備考); merged department cells; Alt+Enter lines inside a duty cell are separate units; a row
    marked ○ (関係) is related, not held; a 部 row whose 課 cell is empty and not merged is the 部's own."""
    from openpyxl import load_workbook

    wb = load_workbook(str(path))
    r = Reading(dropped=[])
    for ws in wb.worksheets:
        merged = {}
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col).value
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    merged[(row, col)] = top

        def val(row: int, col: int):
            v = merged.get((row, col), ws.cell(row, col).value)
            return str(v).strip() if v is not None else ""

        header_at = next(row for row in range(1, ws.max_row + 1)
                         if "業務内容" in [val(row, c) for c in range(1, ws.max_column + 1)])
        head = {val(header_at, c): c for c in range(1, ws.max_column + 1) if val(header_at, c)}
        for row in range(1, header_at):
            cells = [val(row, c) for c in range(1, ws.max_column + 1)]
            cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
            for c in cells:
                r.drop(c, "heading" if not r.dropped else "note")
        for name in head:
            r.drop(name, "heading")
        dept_col = head.get("部署", head.get("部"))
        sub_col = head.get("課")
        duty_col = head["業務内容"]
        mark_col = head.get("主管/関係")
        note_col = head.get("備考")
        bu_seen: set[str] = set()
        for row in range(header_at + 1, ws.max_row + 1):
            duty = ws.cell(row, duty_col).value
            if not duty:
                rest = [val(row, c) for c in range(1, ws.max_column + 1)]
                if any(rest):
                    r.drop(next(x for x in rest if x), "note")
                continue
            bu = val(row, dept_col)
            sub = val(row, sub_col) if sub_col else ""
            name, parent = (sub, bu) if sub else (bu, None)
            if sub and bu not in bu_seen and bu not in r.depts:
                r.drop(bu, "empty department")
            bu_seen.add(bu)
            d = r.dept(name, parent)
            mark = val(row, mark_col) if mark_col else "◎"
            for part in str(duty).split("\n"):
                if part.strip():
                    (d.units if mark != "○" else d.related).append(part.strip())
            if note_col and val(row, note_col):
                r.drop(val(row, note_col), "note")
    return r


BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "nav",
         "main", "aside", "table", "tr", "td", "th", "article", "dl", "dt", "dd", "tbody", "thead", "body"}


def _html_lines(root) -> list[tuple[str, object]]:
    """Text lines of an HTML body as a browser lays them out: a new line at every block element and <br>;
    each line with the element it sits in."""
    out: list[tuple[str, object]] = []
    buf: list[str] = []
    owner = [root]

    def flush():
        text = re.sub(r"[ \t\r\n]+", " ", "".join(buf)).strip()
        if text:
            out.append((text, owner[0]))
        buf.clear()

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style", "head", "title"):
            return
        block = tag in BLOCK
        if block:
            flush()
            saved = owner[0]
            owner[0] = el
        if tag == "br":
            flush()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()
            owner[0] = saved

    walk(root)
    flush()
    return out


def _html_reason(text: str, el) -> str:
    anc = [el] + list(el.iterancestors())
    ids = {a.get("id") or "" for a in anc} | {c for a in anc for c in (a.get("class") or "").split()}
    tags = {a.tag for a in anc}
    if "※" in text or text.startswith("最終更新"):
        return "note"
    if "footer" in tags or "ft" in ids:
        return "footer"
    if tags & {"header", "nav", "aside"} or ids & {"hd", "pankuzu", "side"}:
        return "boilerplate"
    if tags & {"h1", "th"} or "ttl" in ids:
        return "heading"
    return "boilerplate"


def read_html(path: Path) -> Reading:
    """Semantic page (<h2> department, <li> duties inside <main>) or a table 部署 / 主な業務 whose duty
    cells hold several duties separated by <br>."""
    import lxml.html

    root = lxml.html.fromstring(path.read_bytes()).find("body")
    r = Reading(dropped=[])
    lines = _html_lines(root)
    tables = [t for t in root.iter("table")]
    if tables:
        table = tables[0]
        rows = table.findall(".//tr")
        header = rows[0]
        cells = {id(c) for c in header.iter("td", "th")}
        body_cells = {}
        for tr in rows[1:]:
            tds = tr.findall("td")
            body_cells[id(tds[0])] = ("dept", tds[0])
            body_cells[id(tds[1])] = ("duty", tds[0])
        for text, el in lines:
            hit = next((a for a in [el] + list(el.iterancestors()) if id(a) in body_cells or id(a) in cells), None)
            if hit is None:
                r.drop(text, _html_reason(text, el))
            elif id(hit) in cells:
                r.drop(text, "heading")
            else:
                kind, dept_td = body_cells[id(hit)]
                name = re.sub(r"[ \t\r\n]+", " ", dept_td.text_content()).strip()
                if kind == "dept":
                    r.dept(name)
                else:
                    r.depts[name].units.append(text)
        return r
    current = None
    for text, el in lines:
        tags = [el.tag] + [a.tag for a in el.iterancestors()]
        if el.tag == "h2":
            current = text
            r.dept(text)
        elif el.tag == "li" and "main" in tags and current:
            r.depts[current].units.append(text)
        else:
            r.drop(text, _html_reason(text, el))
    return r


def read_pdf(path: Path) -> Reading:
    from pypdf import PdfReader

    lines = []
    for page in PdfReader(str(path)).pages:
        lines += [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
    depts: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if line.startswith("・"):
            if current is None:
                raise ValueError(f"{path.name}: duty before any department: {line!r}")
            depts[current].append(line[1:].strip())
        elif i + 1 < len(lines) and lines[i + 1].startswith("・"):
            current = line
            depts[current] = []
        else:
            current = None
    return _plain(depts)


def read_plain(path: Path) -> Reading:
    depts: dict[str, list[str]] = {}
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip())
    for block in blocks:
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if len(lines) >= 2:
            units = []
            for ln in lines[1:]:
                units.extend(split_units(ln))
            depts[lines[0]] = units
    return _plain(depts)


def read_document(path: Path, fmt: str) -> Reading:
    readers = {
        "regulation": read_regulation, "markdown": read_markdown, "bracket": read_bracket,
        "csv": lambda p: read_table(p, ","), "tsv": lambda p: read_table(p, "\t"),
        "directory": read_directory, "docx": read_docx, "pdf": read_pdf, "plain": read_plain,
        "headings": read_headings, "xlsx": read_xlsx, "html": read_html,
    }
    if fmt not in readers:
        raise ValueError(f"unknown format {fmt}")
    return readers[fmt](path)


# ---------------------------------------------------------------- findings (FINDINGS.md)
STAFF_WORDS = ("経理", "財務", "総務", "人事", "労務", "法務", "監査", "秘書", "管理", "経営", "コーポレート", "品質", "開発",
               "研究", "製造", "生産", "加工", "工場", "設計", "技術", "購買", "調達", "仕入", "商品", "情報システム", "サービス")


def expected_role(name: str, override: dict, units: list[dict]) -> str | None:
    """FINDINGS.md: expect, else the name; 営業推進 / 営業企画 by the majority of sales / marketing units; a staff or
    technical name (経理部, 開発部) none; any other name the role most of its units have when role work is at least
    a third of them (カスタマーサクセス部, メンテナンス), else none."""
    if name in override:
        return override[name]
    by_name = roles_from_name(name)
    if by_name == {"majority"}:
        count = {r: sum(r in u["labels"] for u in units) for r in ("sales", "marketing")}
        return max(count, key=count.get)
    if len(by_name) > 1:
        raise ValueError(f"{name}: name states several roles {sorted(by_name)}; give an expect override")
    if by_name:
        return next(iter(by_name))
    if any(w in name.replace("経営企画", "経営") for w in STAFF_WORDS) or not units:
        return None
    count = {r: sum(r in u["labels"] for u in units) for r in ROLES}
    if sum(count.values()) * 3 < len(units):
        return None
    return max(ROLES, key=lambda r: count[r]) if max(count.values()) else None


def _staff_or_named(name: str, override: dict) -> bool:
    """True when a department expected to do no role work is so by its name (one unit makes a crossing)."""
    return name in override or bool(roles_from_name(name)) or any(
        w in name.replace("経営企画", "経営") for w in STAFF_WORDS)


def derive_findings(exp: dict) -> list[dict]:
    depts = exp["departments"]
    out = []
    for d, v in depts.items():
        e = v["expected_role"]
        for r in ROLES:
            ev = [s["text"] for s in v["sentences"] if r in s["labels"]]
            # a department of another name whose work gave it no role needs two units (FINDINGS.md)
            if r != e and ev and (e is not None or _staff_or_named(d, exp.get("expect") or {}) or len(ev) >= 2):
                out.append({"kind": "crossing", "department": d, "role": r, "evidence": ev})
    excluded = set()
    for nf in exp.get("not_findings", []):
        if nf["kind"] == "handoff" and nf.get("duty"):
            excluded.add((nf["duty"], frozenset(nf["departments"])))
    for r in ROLES:
        holders: dict[str, list[str]] = {}
        for d, v in depts.items():
            for s in v["sentences"]:
                for du in s["duties"]:
                    if DUTY_ROLE[du] == r and d not in holders.setdefault(du, []):
                        holders[du].append(d)
        overlap = {du: hs for du, hs in holders.items() if len(hs) >= 2 and (du, frozenset(hs)) not in excluded}
        if overlap:
            members = [d for d in depts if any(d in hs for hs in overlap.values())]
            out.append({"kind": "shared", "role": r, "departments": members,
                        "duties": {du: hs for du, hs in sorted(overlap.items())}})
        units = sum(r in s["labels"] for v in depts.values() for s in v["sentences"])
        if units < 2:
            out.append({"kind": "ownerless", "role": r})
    return out


def _norm(text: str) -> str:
    t = text
    for tail in ("に関すること", "を行います", "を担当します", "しています", "します", "も行います", "。"):
        t = t.replace(tail, "")
    t = re.sub(r"[・、，,。\s（）()「」のとおよびご及並びにを]", "", t)
    return t


def _bigrams(t: str) -> set[str]:
    return {t[i : i + 2] for i in range(len(t) - 1)} or {t}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(_norm(a)), _bigrams(_norm(b))
    return len(x & y) / len(x | y)


def canon(f: dict) -> tuple:
    if f["kind"] == "crossing":
        return ("crossing", f["department"], f["role"], tuple(f["evidence"]))
    if f["kind"] == "shared":
        return ("shared", f["role"], tuple(f["departments"]),
                tuple((k, tuple(v)) for k, v in sorted(f.get("duties", {}).items())))
    if f["kind"] == "ownerless":
        return ("ownerless", f["role"])
    return ("duplicate", tuple(f["departments"]))


# ---------------------------------------------------------------- main
def check(exp_path: Path, verbose: bool) -> list[str]:
    errors: list[str] = []
    exp = json.loads(exp_path.read_text(encoding="utf-8"))
    doc = HERE / exp["document"]
    if not doc.exists():
        return [f"document {doc.name} missing"]
    depts = exp["departments"]

    # 1. reference reading
    got = read_document(doc, exp["format"])
    if list(got.depts) != list(depts) and not (exp["format"] == "directory" and set(got.depts) == set(depts)):
        errors.append(f"departments differ: document {list(got.depts)} vs expected {list(depts)}")
    for d, v in depts.items():
        g = got.depts.get(d, Dept(d))
        texts = [s["text"] for s in v["sentences"]]
        if g.units != texts:
            errors.append(f"{d}: sentences differ\n   doc: {g.units}\n   exp: {texts}")
        if g.parent != v.get("parent"):
            errors.append(f"{d}: parent {v.get('parent')} but the document gives {g.parent}")
        rel = [s["text"] for s in v.get("related", [])]
        if g.related != rel:
            errors.append(f"{d}: related differ\n   doc: {g.related}\n   exp: {rel}")
    if "dropped" in exp:
        want = [(x["text"], x["reason"]) for x in exp["dropped"]]
        if got.dropped != want:
            errors.append("dropped differ\n   doc: " + "\n        ".join(map(str, got.dropped or []))
                          + "\n   exp: " + "\n        ".join(map(str, want)))
        bad = {x["reason"] for x in exp["dropped"]} - REASONS
        if bad:
            errors.append(f"unknown drop reasons {bad}")

    # 2. labels and duties
    for d, v in depts.items():
        for s in v["sentences"] + v.get("related", []):
            if "duties" not in s:
                errors.append(f"{d}: no duties on {s['text']!r}")
                continue
            unknown = [x for x in s["duties"] if x not in DUTY_ROLE]
            if unknown:
                errors.append(f"{d}: unknown duties {unknown} on {s['text']!r}")
                continue
            if any(l not in ROLES for l in s["labels"]) or len(set(s["labels"])) != len(s["labels"]):
                errors.append(f"{d}: bad labels {s}")
            roles = {DUTY_ROLE[x] for x in s["duties"]} - {"other"}
            if roles != set(s["labels"]):
                errors.append(f"{d}: labels {s['labels']} but duties {s['duties']} on {s['text']!r}")
            if len(set(s["duties"])) != len(s["duties"]):
                errors.append(f"{d}: repeated duty on {s['text']!r}")

    # 3. expected roles
    override = exp.get("expect", {})
    for d, v in depts.items():
        try:
            want = expected_role(d, override, v["sentences"])
        except ValueError as e:
            errors.append(str(e))
            continue
        if v["expected_role"] != want:
            errors.append(f"{d}: expected_role {v['expected_role']} but name/expect gives {want}")

    # 4. findings
    stated = [f for f in exp["findings"] if f["kind"] != "duplicate"]
    derived = derive_findings(exp)
    if sorted(map(canon, stated)) != sorted(map(canon, derived)):
        errors.append(
            "findings differ\n   stated:  "
            + "\n            ".join(map(str, sorted(map(canon, stated))))
            + "\n   derived: "
            + "\n            ".join(map(str, sorted(map(canon, derived))))
        )
    for f in stated:
        if f["kind"] == "shared":
            if "core" in f and not set(f["core"]) <= set(f["departments"]):
                errors.append(f"core {f['core']} not inside {f['departments']}")
            if f["departments"] != [d for d in depts if d in f["departments"]]:
                errors.append(f"shared departments not in document order: {f['departments']}")

    # 5. duplicates
    planted = set()
    pairs_seen = set()
    texts_of = {d: {s["text"]: s for s in v["sentences"]} for d, v in depts.items()}
    shared_of = {f["role"]: set(f["departments"]) for f in stated if f["kind"] == "shared"}
    for f in exp["findings"]:
        if f["kind"] != "duplicate":
            continue
        da, db = f["departments"]
        if da == db:
            errors.append(f"duplicate within one department: {f}")
        if frozenset((da, db)) in pairs_seen:
            errors.append(f"two duplicate findings for one pair {da}/{db}")
        pairs_seen.add(frozenset((da, db)))
        if [x for x in depts if x in (da, db)] != [da, db]:
            errors.append(f"duplicate departments not in document order: {da}, {db}")
        flat = [t for pair in f["pairs"] for t in pair]
        if f.get("evidence") != flat:
            errors.append(f"duplicate evidence should list the pairs side by side: {f}")
        for ta, tb in f["pairs"]:
            sa, sb = texts_of[da].get(ta), texts_of[db].get(tb)
            if sa is None or sb is None:
                errors.append(f"duplicate evidence {ta!r} / {tb!r} not in {da} / {db}")
                continue
            common = set(sa["duties"]) & set(sb["duties"])
            if not common:
                errors.append(f"duplicate {ta!r} / {tb!r} share no duty")
            for du in common:
                role = DUTY_ROLE[du]
                if role != "other" and not {da, db} <= shared_of.get(role, set()):
                    errors.append(f"duplicate {da}/{db} on {du} but they are not both in shared {role}")
            planted.add(frozenset([(da, ta), (db, tb)]))
    allowed = set()
    for nf in exp.get("not_findings", []):
        if nf["kind"] not in ("handoff", "complementary", "related_only", "flow", "parent_child"):
            errors.append(f"unknown not_findings kind {nf['kind']}")
        for pair in nf.get("pairs", []):
            (da, ta), (db, tb) = pair
            for d, t in ((da, ta), (db, tb)):
                if d in depts and t not in texts_of[d] and t not in [s["text"] for s in depts[d].get("related", [])]:
                    errors.append(f"not_findings text {t!r} not in {d}")
            allowed.add(frozenset([(da, ta), (db, tb)]))
    items = [(d, s["text"]) for d, v in depts.items() for s in v["sentences"]]
    for i, (da, ta) in enumerate(items):
        for db, tb in items[i + 1 :]:
            if da == db:
                continue
            sim = similarity(ta, tb)
            key = frozenset([(da, ta), (db, tb)])
            if key in planted:
                if verbose:
                    print(f"   planted dup {sim:.2f}: {da}:{ta} / {db}:{tb}")
            elif key in allowed:
                if verbose:
                    print(f"   (listed not-finding) {sim:.2f}: {da}:{ta} / {db}:{tb}")
            elif sim >= DUP_THRESHOLD:
                errors.append(f"unplanned near-duplicate {sim:.2f}: {da}:{ta} / {db}:{tb}")
            elif verbose and sim >= 0.25:
                print(f"   (close, not planted) {sim:.2f}: {da}:{ta} / {db}:{tb}")

    # 6. sizes
    if not 4 <= len(depts) <= 9:
        errors.append(f"{len(depts)} departments (want 4-9)")
    for d, v in depts.items():
        if not 3 <= len(v["sentences"]) <= 10:
            errors.append(f"{d}: {len(v['sentences'])} duties (want 3-10)")
    return errors


def main() -> int:
    verbose = "-v" in sys.argv
    total = {"crossing": 0, "shared": 0, "duplicate": 0, "ownerless": 0}
    optional = 0
    clean = []
    failed = 0
    for exp_path in sorted(HERE.glob("*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        if verbose:
            print(exp_path.name)
        try:
            errs = check(exp_path, verbose)
        except Exception as e:  # a reader that cannot read the document is a failure, not a crash
            errs = [f"{type(e).__name__}: {e}"]
        for f in exp["findings"]:
            total[f["kind"]] += 1
            optional += f.get("confidence") == "low"
        if not exp["findings"]:
            clean.append(f"{exp['document']} ({exp['format']})")
        status = "ok" if not errs else "FAIL"
        print(f"{status:4} {exp_path.name}: " + ", ".join(
            f"{k}={sum(1 for f in exp['findings'] if f['kind'] == k)}" for k in total))
        for e in errs:
            print("     " + e)
        failed += bool(errs)
    print("totals:", total, f"(optional, confidence low: {optional})", "| clean:", ", ".join(clean))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
