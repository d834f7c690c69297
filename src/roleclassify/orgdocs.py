"""Reading organisation documents into departments and their duties.

Supported structures (detected per file):

- 業務分掌規程: articles 「第N条（営業部）」, 「第N条　営業部の分掌業務は次のとおりとする」 or a caption line
  「（営業部）」 above 「第N条」, followed by items 一、 / (1) / １． / ・;
- Markdown headings (``#``, ``##`` ...): the heading level that carries the duties is the department level;
- bracketed or marked heading lines: 【営業部】, ■営業部, ●販売課, ◆…, ＜販売課＞, 〈販売課〉, 《…》, [営業部];
- plain pages: blocks separated by blank lines whose first line is a short heading (the department);
- CSV / TSV with a department column and a duty column (names detected, or given);
- DOCX (heading paragraphs are departments, other paragraphs duties) and PDF (its text layer, then read as
  plain text);
- a directory holding one text file per department (file name = department).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditError
from .text import split_lines, split_sentences, strip_marker

__all__ = ["Duty", "Section", "OrgDocument", "read_org_documents", "read_org_document", "DOC_SUFFIXES"]

DOC_SUFFIXES = (".txt", ".md", ".markdown", ".csv", ".tsv", ".docx", ".pdf")
_DEPT_COLUMNS = ("department", "dept", "部署", "部署名", "部門", "部門名", "組織", "組織名", "所属", "課", "部")
_DUTY_COLUMNS = ("duty", "duties", "task", "tasks", "業務", "業務内容", "職務", "職務内容", "分掌", "分掌業務", "所掌事務", "担当業務")
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
_CAPTION_RE = re.compile(r"^\s*[（(]([^）)]{1,30})[）)]\s*$")
_BRACKET_RE = re.compile(r"^\s*(?:【([^】]{1,40})】|＜([^＞]{1,40})＞|〈([^〉]{1,40})〉|《([^》]{1,40})》|\[([^\]]{1,40})\]|<([^>]{1,40})>)\s*(.*)$")
_MARK_RE = re.compile(r"^\s*[■□●◆◇▼▲★☆◎]\s*(\S.{0,39}?)\s*$")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_ENDERS = "。！？!?"
# Lines that end a department's list (以上) or annotate it (※ notes) rather than state a duty.
_END_RE = re.compile(r"^[（(]?\s*以\s*上\s*[）)]?$")
_NOTE_RE = re.compile(r"^[※＊*注]")


def _is_heading_like(line: str) -> bool:
    """A bare department name on its own line (営業部, 配車・受注課), without bullet or punctuation."""
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


@dataclass
class OrgDocument:
    """The departments read from one file (or one directory of per-department files)."""

    path: str
    structure: str
    sections: list[Section]


def _looks_like_department(name: str) -> bool:
    return bool(_DEPT_SUFFIX_RE.search(name.strip()))


def _add_duties(section: Section, text: str, file: str, line: int) -> None:
    if _NOTE_RE.match(text.strip()):
        return
    for s in split_sentences(text):
        section.duties.append(Duty(s, file, line))


# ---------------------------------------------------------------- text structures
def _regulation(lines: list[str], file: str) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    caption: tuple[str, int] | None = None
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        m = _CAPTION_RE.match(line)
        if m:
            caption = (m.group(1).strip(), n)
            continue
        if _ARTICLE_RE.match(line):
            name = None
            mc = _ARTICLE_CAPTION_RE.match(line)
            if mc and _looks_like_department(mc.group(1)):
                name = mc.group(1).strip()
            if name is None:
                ms = _ARTICLE_SUBJECT_RE.match(line)
                if ms and _looks_like_department(ms.group(1).strip("　 、")):
                    name = ms.group(1).strip("　 、")
            if name is None and caption and _looks_like_department(caption[0]) and caption[1] >= n - 1:
                name = caption[0]
            caption = None
            if name is None:
                current = None  # an article that is not about a department (目的, 適用 ...)
                continue
            current = Section(name, file, n)
            sections.append(current)
            continue
        caption = None
        if _END_RE.match(line) or line.startswith(("附則", "附　則", "附 則")) or re.match(r"^第\s*[0-9０-９一二三四五六七八九十]+\s*章", line):
            current = None
            continue
        if current is not None:
            _add_duties(current, line, file, n)
    return sections


def _heading_name(line: str) -> str | None:
    m = _BRACKET_RE.match(line)
    if m:
        name = next(g for g in m.groups()[:6] if g)
        rest = m.group(7)
        if not rest or rest.startswith(("・", "●", "-")):
            return name.strip()
        return None
    m = _MARK_RE.match(line)
    if m and _looks_like_department(m.group(1)) and not any(c in m.group(1) for c in _ENDERS):
        return m.group(1).strip()
    return None


def _scan(lines: list[str], file: str, heading_of, *, blank_closes: bool = False) -> list[Section]:
    """Sections from lines: ``heading_of(line)`` names a department heading (None otherwise); the lines after
    it are its duties until the next heading, an end marker, or (``blank_closes``) a blank line."""
    sections: list[Section] = []
    current: Section | None = None
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if blank_closes:
                current = None
            continue
        name = heading_of(line)
        if name is not None:
            current = Section(name, file, n)
            sections.append(current)
        elif _END_RE.match(line):
            current = None
        elif current is not None:
            _add_duties(current, line, file, n)
    return sections


def _bracketed(lines: list[str], file: str) -> list[Section]:
    return _scan(lines, file, _heading_name)


def _named_headings(lines: list[str], file: str) -> list[Section]:
    """Department names on lines of their own (営業部 / 販売課 ...), each followed by its duties."""
    heads = [n for n, l in enumerate(lines) if _is_heading_like(l.strip())]
    # when every heading opens a blank-line-separated block, a blank line also closes the section
    blocks = all(n == 0 or not lines[n - 1].strip() for n in heads)
    return _scan(lines, file, lambda line: line if _is_heading_like(line) else None, blank_closes=blocks)


def _markdown(lines: list[str], file: str) -> list[Section]:
    headings = [(n, len(m.group(1)), m.group(2)) for n, l in enumerate(lines, 1) if (m := _MD_HEADING_RE.match(l))]
    if not headings:
        return []
    # the department level: the level whose headings most often have content lines right under them
    score: dict[int, int] = {}
    bounds = [h[0] for h in headings] + [len(lines) + 1]
    for k, (n, level, title) in enumerate(headings):
        body = [l for l in lines[n : bounds[k + 1] - 1] if l.strip()]
        if body:
            score[level] = score.get(level, 0) + 1 + _looks_like_department(title)
    if not score:
        return []
    dept_level = max(score, key=lambda lv: (score[lv], lv))
    sections: list[Section] = []
    current: Section | None = None
    for n, raw in enumerate(lines, 1):
        m = _MD_HEADING_RE.match(raw)
        if m:
            level = len(m.group(1))
            if level == dept_level:
                current = Section(m.group(2).strip(), file, n)
                sections.append(current)
            elif level < dept_level:
                current = None
            continue
        line = raw.strip()
        if _END_RE.match(line):
            current = None
        elif current is not None and line and not re.match(r"^(\||---|```)", line):
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
            if len(head) <= 30 and not any(c in head for c in _ENDERS):
                sec = Section(head, file, n)
                for m, l in block[1:]:
                    if _END_RE.match(l):
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


def _parse_text(text: str, file: str) -> tuple[str, list[Section]]:
    lines = split_lines(text)
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
def _pick(header: Sequence[str], names: Sequence[str], given: str | None, what: str, file: str) -> int:
    if given:
        if given not in header:
            raise AuditError(f"{file}:1: no {given!r} column (columns: {', '.join(header)})")
        return header.index(given)
    low = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in low:
            return low.index(name.lower())
    raise AuditError(
        f"{file}:1: no {what} column among {', '.join(header)}; "
        f"name it one of {', '.join(names[:4])}… or pass --{what}-column"
    )


def _delimited(text: str, file: str, delimiter: str, dept_col: str | None, duty_col: str | None) -> list[Section]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        return []
    header = rows[0]
    di = _pick(header, _DEPT_COLUMNS, dept_col, "department", file)
    ti = _pick(header, _DUTY_COLUMNS, duty_col, "duty", file)
    by_name: dict[str, Section] = {}
    sections: list[Section] = []
    for n, row in enumerate(rows[1:], 2):
        if len(row) <= max(di, ti) or not row[di].strip():
            continue
        name = row[di].strip()
        sec = by_name.get(name)
        if sec is None:
            sec = by_name[name] = Section(name, file, n)
            sections.append(sec)
        _add_duties(sec, row[ti], file, n)
    return sections


def _docx(path: Path) -> list[Section]:
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover
        raise AuditError("reading .docx needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises several types for a broken file
        raise AuditError(f"{path}: cannot read as DOCX ({type(e).__name__}: {e})") from None
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    heading_levels = sorted({int(m.group(1)) for s, t in paragraphs if t.strip() and (m := re.match(r"Heading (\d)", s))})
    if not heading_levels:
        # no heading styles: read the text as a plain document
        text = "\n".join(t for _, t in paragraphs)
        return _parse_text(text, str(path))[1]
    # department level: the deepest heading level that has body paragraphs after it
    dept_level = heading_levels[-1]
    sections: list[Section] = []
    current: Section | None = None
    for n, (style, text) in enumerate(paragraphs, 1):
        m = re.match(r"Heading (\d)", style)
        if m and text.strip():
            level = int(m.group(1))
            if level == dept_level:
                current = Section(text.strip(), str(path), n)
                sections.append(current)
            elif level < dept_level:
                current = None
            continue
        if current is not None and text.strip():
            _add_duties(current, text, str(path), n)
    return sections


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover
        raise AuditError("reading .pdf needs pypdf: pip install pypdf") from None
    try:
        reader = PdfReader(str(path))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as e:  # pypdf raises many types for broken files
        raise AuditError(f"{path}: cannot read as PDF ({type(e).__name__}: {e})") from None


def _read_text_file(path: Path, encoding: str | None) -> str:
    from .readers import decode_bytes

    return decode_bytes(path.read_bytes(), str(path), encoding)


def read_org_document(
    path: str | Path,
    *,
    encoding: str | None = None,
    dept_column: str | None = None,
    duty_column: str | None = None,
) -> OrgDocument:
    """Read one file into departments, or raise :class:`AuditError` naming the file."""
    path = Path(path)
    if not path.exists():
        raise AuditError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        structure, sections = "docx", _docx(path)
    elif suffix == ".pdf":
        structure, sections = _parse_text(_pdf_text(path), str(path))
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


def _directory(path: Path, encoding: str | None, **kw) -> list[OrgDocument]:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOC_SUFFIXES and not p.name.startswith("."))
    if not files:
        raise AuditError(f"{path}: no documents ({', '.join(DOC_SUFFIXES)}) in this directory")
    docs: list[OrgDocument] = []
    for f in files:
        try:
            docs.append(read_org_document(f, encoding=encoding, **kw))
        except AuditError:
            break
    # documents with explicit structure are read one by one; plain text files (whose only "structure" is
    # the weak heading-line guess) are one department each
    weak = {"plain", "headings"}
    if len(docs) == len(files) and not all(d.structure in weak for d in docs):
        return docs
    # one file per department: the file name is the department, each line a duty
    sections = []
    for f in files:
        if f.suffix.lower() not in (".txt", ".md", ".markdown"):
            raise AuditError(f"{f}: a per-department directory may only hold .txt/.md files")
        sec = Section(f.stem, str(f), 1)
        for n, line in enumerate(split_lines(_read_text_file(f, encoding)), 1):
            if line.strip() and not _MD_HEADING_RE.match(line):
                _add_duties(sec, line, str(f), n)
        if sec.duties:
            sections.append(sec)
    if not sections:
        raise AuditError(f"{path}: the department files in this directory have no duties")
    return [OrgDocument(str(path), "directory", sections)]


def read_org_documents(paths: Iterable[str | Path], *, encoding: str | None = None, **kw) -> list[OrgDocument]:
    """Read files and directories. A directory of structured documents yields each of them; a directory of
    unstructured text files is one organisation with one department per file."""
    docs: list[OrgDocument] = []
    for p in map(Path, paths):
        if p.is_dir():
            docs.extend(_directory(p, encoding, **kw))
        else:
            docs.append(read_org_document(p, encoding=encoding, **kw))
    return docs
