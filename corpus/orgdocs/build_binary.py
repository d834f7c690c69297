"""Build the binary org-document fixtures (DOCX, PDF, XLSX) from their readable sources.

Each ``NN_slug.source.md`` in this directory is turned into ``NN_slug.docx`` when the
slug contains ``docx`` and into ``NN_slug.pdf`` when it contains ``pdf``.

Source syntax (deliberately small):

    # Title                 -> document title (DOCX Heading 1 / large PDF line)
    plain text line         -> ordinary paragraph, outside any department
    ## Department name      -> department heading (DOCX Heading 2 / bold-looking PDF line)
    - duty                  -> duty (DOCX "List Bullet" paragraph / PDF line starting with ・)

Each ``NN_slug.source.json`` is turned into ``NN_slug.docx`` or ``NN_slug.xlsx`` by its ``kind``:

    {"kind": "docx", "body": [{"style": "Heading 1", "text": "営業部"}, ...,
                              {"table": [["業務", "営業部", ...], ["見積書の作成", "○", ...]]}]}
        -> one paragraph per entry in that Word style ("Title", "Normal", "Heading 1", "Heading 2",
           "List Bullet"), a "Table Grid" table per {"table": rows}
    {"kind": "xlsx", "sheets": [{"title": ..., "rows": [[cell, ...], ...], "merges": ["B5:B10"],
                                "col_widths": {"A": 6}, "bold_rows": [1, 4], "wrap_columns": ["C"]}]}
        -> one worksheet per sheet (openpyxl); a line break inside a cell text is an Alt+Enter break

Usage:
    python corpus/orgdocs/build_binary.py                # build every source
    python corpus/orgdocs/build_binary.py 18_ 19_        # build the sources whose name starts so
    python corpus/orgdocs/build_binary.py --check        # build, then print the PDF text layer

Needs python-docx, openpyxl, reportlab (PDF only) and (for --check) pypdf. Every container gets fixed
timestamps, so rebuilds are byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Fixed timestamps keep rebuilt binaries byte-stable in git.
_FIXED_DATE = _dt.datetime(2025, 4, 1, 9, 0, 0)


def parse_source(path: Path) -> list[tuple[str, str]]:
    """Return (kind, text) blocks: kind is title, para, dept or duty."""
    blocks: list[tuple[str, str]] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(("dept", line[3:].strip()))
        elif line.startswith("# "):
            blocks.append(("title", line[2:].strip()))
        elif line.startswith("- "):
            blocks.append(("duty", line[2:].strip()))
        elif line.startswith("#") or line.startswith("-"):
            raise SystemExit(f"{path.name}:{lineno}: unsupported Markdown line {raw!r}; "
                             "use '# ', '## ', '- ' or plain text")
        else:
            blocks.append(("para", line))
    return blocks


def build_docx(blocks: list[tuple[str, str]], out: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    # East-Asian font so Word shows Japanese text without fallback guessing.
    for style_name in ("Normal", "Heading 1", "Heading 2", "List Bullet"):
        style = doc.styles[style_name]
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), "MS Gothic")
    for kind, text in blocks:
        if kind == "title":
            doc.add_heading(text, level=1)
        elif kind == "dept":
            doc.add_heading(text, level=2)
        elif kind == "duty":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    props = doc.core_properties
    props.author = "roleclassify corpus"
    props.created = _FIXED_DATE
    props.modified = _FIXED_DATE
    props.last_modified_by = "roleclassify corpus"
    props.revision = 1
    doc.save(str(out))
    _freeze_zip(out)


def _freeze_zip(path: Path, transform=None) -> None:
    """Rewrite a zip container with fixed member timestamps so rebuilds are byte-identical.

    ``transform(name, data) -> data`` may rewrite members (the XLSX build fixes the save time that
    openpyxl writes into docProps/core.xml)."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            if transform is not None:
                data = transform(info.filename, data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def _east_asian_font(doc, style_names) -> None:
    from docx.oxml.ns import qn

    for style_name in style_names:
        style = doc.styles[style_name]
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), "MS Gothic")


def build_docx_json(source: dict, out: Path) -> None:
    """A DOCX from a JSON body: paragraphs in named Word styles and Word tables, in order."""
    from docx import Document

    doc = Document()
    _east_asian_font(doc, ("Normal", "Title", "Heading 1", "Heading 2", "List Bullet"))
    for entry in source["body"]:
        if "table" in entry:
            rows = entry["table"]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = doc.styles["Table Grid"]
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        else:
            doc.add_paragraph(entry["text"], style=entry["style"])
    props = doc.core_properties
    props.author = "roleclassify corpus"
    props.created = _FIXED_DATE
    props.modified = _FIXED_DATE
    props.last_modified_by = "roleclassify corpus"
    props.revision = 1
    doc.save(str(out))
    _freeze_zip(out)


def build_xlsx(source: dict, out: Path) -> None:
    """An XLSX from a JSON grid per sheet: cell values, merged ranges, widths, bold rows, wrapped columns."""
    import re

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in source["sheets"]:
        ws = wb.create_sheet(sheet["title"])
        for r, row in enumerate(sheet["rows"], 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for col, width in sheet.get("col_widths", {}).items():
            ws.column_dimensions[col].width = width
        for r in sheet.get("bold_rows", []):
            for cell in ws[r]:
                cell.font = Font(bold=True)
        wrap = set(sheet.get("wrap_columns", []))
        for row in ws.iter_rows():
            for cell in row:
                if cell.column_letter in wrap or (isinstance(cell.value, str) and "\n" in cell.value):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for rng in sheet.get("merges", []):
            ws.merge_cells(rng)
            top = ws[rng.split(":")[0]]
            top.alignment = Alignment(vertical="top", wrap_text=top.alignment.wrap_text)
    wb.properties.creator = "roleclassify corpus"
    wb.properties.lastModifiedBy = "roleclassify corpus"
    wb.properties.created = _FIXED_DATE
    wb.save(str(out))
    stamp = _FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix_core(name: str, data: bytes) -> bytes:
        if name == "docProps/core.xml":
            data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
        return data

    _freeze_zip(out, fix_core)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def build_pdf(blocks: list[tuple[str, str]], out: Path, title: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "HeiseiKakuGo-W5"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    page_w, page_h = A4
    margin = 56
    width = page_w - 2 * margin
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setAuthor("roleclassify corpus")
    y = page_h - margin

    def line(text: str, size: float, gap_before: float = 0, bold: bool = False, indent: float = 0) -> None:
        nonlocal y
        y -= gap_before
        for part in _wrap(text, font, size, width - indent):
            if y - size < margin:
                c.showPage()
                y = page_h - margin
            y -= size * 1.5
            t = c.beginText(margin + indent, y)
            t.setFont(font, size)
            if bold:
                # Fill + stroke gives a bold-looking heading without a separate bold face.
                t.setTextRenderMode(2)
                c.setLineWidth(0.5)
            t.textOut(part)
            c.drawText(t)
            if bold:
                c.setLineWidth(1)

    for kind, text in blocks:
        if kind == "title":
            line(text, 16, bold=True)
        elif kind == "dept":
            line(text, 13.5, gap_before=10, bold=True)
        elif kind == "duty":
            line("・" + text, 10.5, indent=8)
        else:
            line(text, 10.5, gap_before=4)
    c.showPage()
    c.save()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="print the text layer of each built PDF")
    ap.add_argument("names", nargs="*", help="build only the sources whose file name starts with one of these")
    args = ap.parse_args(argv)
    sources = sorted(HERE.glob("*.source.md")) + sorted(HERE.glob("*.source.json"))
    if args.names:
        sources = [s for s in sources if any(s.name.startswith(n) for n in args.names)]
    if not sources:
        print("no *.source.md / *.source.json found", file=sys.stderr)
        return 1
    for src in sources:
        if src.name.endswith(".source.json"):
            import json

            stem = src.name[: -len(".source.json")]
            source = json.loads(src.read_text(encoding="utf-8"))
            out = HERE / f"{stem}.{source['kind']}"
            if source["kind"] == "docx":
                build_docx_json(source, out)
            elif source["kind"] == "xlsx":
                build_xlsx(source, out)
            else:
                raise SystemExit(f"{src.name}: unknown kind {source['kind']!r}")
            print(f"built {out.name}")
            continue
        stem = src.name[: -len(".source.md")]
        blocks = parse_source(src)
        title = next((t for k, t in blocks if k == "title"), stem)
        if "docx" in stem:
            out = HERE / f"{stem}.docx"
            build_docx(blocks, out)
        elif "pdf" in stem:
            out = HERE / f"{stem}.pdf"
            build_pdf(blocks, out, title)
        else:
            print(f"{src.name}: slug names neither docx nor pdf, skipped", file=sys.stderr)
            continue
        print(f"built {out.name}")
        if args.check and out.suffix == ".pdf":
            from pypdf import PdfReader

            for i, page in enumerate(PdfReader(str(out)).pages):
                print(f"--- {out.name} page {i + 1} ---")
                print(page.extract_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
