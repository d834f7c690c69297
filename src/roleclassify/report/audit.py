"""Rendering an :class:`~roleclassify.orgaudit.AuditReport`: terminal table, Markdown and self-contained HTML."""

from __future__ import annotations

import html
import json
import os
import time
from typing import TYPE_CHECKING

from ..io.display import cell_width, pad
from ..orgaudit import KINDS

if TYPE_CHECKING:  # pragma: no cover
    from ..orgaudit import AuditReport, Department, Finding

__all__ = [
    "render", "render_table", "render_markdown", "render_html", "render_json", "report_format_for", "AUDIT_FORMATS",
]

AUDIT_FORMATS = ("table", "json", "markdown", "html")
#: The format of a report file by its suffix; a file of any other suffix gets the table.
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}
_PALETTE = ["#2f6fdb", "#1e9e5a", "#e08a00", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
_OTHER_COLOR = "#c9ced6"


def _colors(labels: list[str]) -> dict[str, str]:
    c = {l: _PALETTE[i % len(_PALETTE)] for i, l in enumerate(labels)}
    c["other"] = _OTHER_COLOR
    return c


def report_format_for(output: str | None, stdout_is_tty: bool) -> str:
    """The format (of :data:`AUDIT_FORMATS`) of a report when none is asked for: a file's by its suffix (.html
    or .htm, .md, .json, else the table); on stdout the table for a terminal, JSON for a pipe or a file."""
    if output:
        return _SUFFIX_FORMATS.get(os.path.splitext(output)[1].lower(), "table")
    return "table" if stdout_is_tty else "json"


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_table(report: AuditReport) -> str:
    """Plain-text report for a terminal."""
    cols = [*report.labels, "other"]
    name_w = max([cell_width("department"), *(cell_width(d.name) for d in report.departments)]) + 2
    lines = [pad("department", name_w) + "".join(f"{c[:12]:>13}" for c in cols) + "  expected"]
    lines.append("-" * (name_w + 13 * len(cols) + 10))
    for d in report.departments:
        lines.append(
            pad(d.name, name_w)
            + "".join(f"{d.counts.get(c, 0):>13}" for c in cols)
            + f"  {d.expected_role or '-'}"
        )
    lines.append("")
    if not report.findings:
        lines.append("no findings")
    for f in report.findings:
        lines.append(f"[{f.severity}] {f.kind}: {f.message}")
        for e in f.evidence[:6]:
            lines.append(f"    {e['location']}  {e['department']}: {e['text']}")
        if len(f.evidence) > 6:
            lines.append(f"    … {len(f.evidence) - 6} more")
    return "\n".join(lines)


#: Markdown characters that would format or link a document's text (backslash-escaped).
_MD_SPECIAL = frozenset("\\`*_[]|~#!")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _md_escape(s: str) -> str:
    """Text of a document as literal Markdown: HTML is shown, not run (``<script>`` becomes ``&lt;script&gt;``),
    Markdown syntax is shown, not applied (``**x**``, ``[a](b)``, a table's ``|``), and a line break cannot end
    a table row or a list item."""
    out = []
    for c in " ".join(s.splitlines()):
        if c in _HTML:
            out.append(_HTML[c])
        elif c in _MD_SPECIAL:
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _md_code(s: str) -> str:
    """``s`` as a Markdown code span (file names and locations), whatever backticks it holds."""
    import re

    s = " ".join(s.splitlines())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def render_markdown(report: AuditReport) -> str:
    """GitHub-flavoured Markdown report."""
    cols = [*report.labels, "other"]
    counts = {k: len(report.by_kind(k)) for k in KINDS}
    out = [
        "# Role audit",
        "",
        f"Documents: {', '.join(_md_code(str(d)) for d in report.documents)}  ",
        f"{len(report.departments)} departments, {sum(len(d.duties) for d in report.departments)} duties; "
        + ", ".join(f"{v} {k}" for k, v in counts.items()),
        "",
        "## Department × role",
        "",
        "| department | expected | " + " | ".join(map(_md_escape, cols)) + " |",
        "|---|---|" + "---:|" * len(cols),
    ]
    for d in report.departments:
        out.append(
            f"| {_md_escape(d.name)} | {_md_escape(d.expected_role or '–')} | "
            + " | ".join(str(d.counts.get(c, 0)) for c in cols) + " |"
        )
    out += ["", "## Findings", ""]
    if not report.findings:
        out.append("No findings.")
    for f in report.findings:
        out.append(f"- **{f.severity}** · **{f.kind}** · {_md_escape(f.message)}")
        for e in f.evidence:
            out.append(f"  - {_md_code(e['location'])} {_md_escape(e['department'])}: {_md_escape(e['text'])}")
    return "\n".join(out) + "\n"


_CSS = """
:root{--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f7f8fa}
*{box-sizing:border-box}body{font-family:"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",Meiryo,system-ui,sans-serif;
color:var(--fg);background:var(--bg);margin:0;line-height:1.55}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted);font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:var(--muted);font-size:12px}
table.matrix{border-collapse:collapse;background:#fff;width:100%}
.matrix th,.matrix td{border:1px solid var(--line);padding:6px 10px;text-align:right;font-size:14px}
.matrix th:first-child,.matrix td:first-child{text-align:left}
.matrix td.expected{outline:2px solid #1f2933;outline-offset:-3px;font-weight:bold}
.bars{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.barrow{display:grid;grid-template-columns:220px 1fr 60px;gap:10px;align-items:center;margin:6px 0}
.barrow .name{font-size:14px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar{display:flex;height:20px;border-radius:4px;overflow:hidden;background:#eef0f3}
.seg{height:100%}.n{color:var(--muted);font-size:12px;text-align:right}
.legend{display:flex;gap:14px;font-size:13px;margin:8px 0}.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.finding{background:#fff;border:1px solid var(--line);border-left:5px solid #999;border-radius:6px;padding:10px 14px;margin:10px 0}
.finding.high{border-left-color:#c0392b}.finding.medium{border-left-color:#e08a00}.finding.low{border-left-color:#7f8c8d}
.badge{display:inline-block;font-size:12px;border-radius:10px;padding:1px 8px;margin-right:6px;color:#fff}
.badge.high{background:#c0392b}.badge.medium{background:#e08a00}.badge.low{background:#7f8c8d}
.badge.kind{background:#334e68}
.finding ul{margin:6px 0 0;padding-left:18px}.finding li{font-size:14px}
.loc{color:var(--muted);font-family:ui-monospace,monospace;font-size:12px}
summary{cursor:pointer;color:var(--muted);font-size:13px}
.none{color:var(--muted)}
"""


def _html_summary(report: AuditReport, title: str) -> list[str]:
    """The page head, title, documents line and the summary cards (departments, duties, findings per kind)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<div class="meta">{e(", ".join(report.documents))} · generated {time.strftime("%Y-%m-%d %H:%M")} '
        "by roleclassify</div>",
        '<section id="summary"><div class="cards">',
        f'<div class="card"><b>{len(report.departments)}</b><span>departments</span></div>',
        f'<div class="card"><b>{sum(len(d.duties) for d in report.departments)}</b><span>duties</span></div>',
    ]
    for k in KINDS:
        parts.append(f'<div class="card" data-kind="{k}"><b>{len(report.by_kind(k))}</b><span>{k}</span></div>')
    parts.append("</div></section>")
    return parts


def _html_matrix_row(d: Department, cols: list[str], colors: dict[str, str]) -> list[str]:
    """A department's row of the heatmap: colour strength is the cell's share of its duties."""
    e = html.escape
    total = max(len(d.duties), 1)
    parts = [f'<tr data-department="{e(d.name)}"><td>{e(d.name)}</td>']
    for c in cols:
        n = d.counts.get(c, 0)
        alpha = n / total
        cls = ' class="expected"' if c == d.expected_role else ""
        style = f"background:{colors[c]}{int(40 + 215 * alpha):02x};" if n else ""
        text_color = "color:#fff;" if alpha > 0.5 and c != "other" else ""
        parts.append(f'<td{cls} data-role="{e(c)}" data-count="{n}" style="{style}{text_color}">{n}</td>')
    parts.append("</tr>")
    return parts


def _html_matrix(report: AuditReport, cols: list[str], colors: dict[str, str]) -> list[str]:
    """The department × role heatmap table."""
    parts = [
        '<h2>Department × role</h2>',
        '<table class="matrix" id="matrix"><thead><tr><th>department</th>',
        *[f"<th>{html.escape(c)}</th>" for c in cols],
        "</tr></thead><tbody>",
    ]
    for d in report.departments:
        parts += _html_matrix_row(d, cols, colors)
    parts.append("</tbody></table>")
    parts.append('<div class="meta">Cells count duty sentences; colour strength is the share of the '
                 "department's duties; the outlined cell is the role the department's name (or --expect) states.</div>")
    return parts


def _html_bars(report: AuditReport, cols: list[str], colors: dict[str, str]) -> list[str]:
    """A stacked bar of role shares per department, with its legend."""
    e = html.escape
    parts = ['<h2>Role shares per department</h2><div class="legend">']
    parts += [f'<span><i style="background:{colors[c]}"></i>{e(c)}</span>' for c in cols]
    parts.append('</div><div class="bars" id="bars">')
    for d in report.departments:
        total = max(len(d.duties), 1)
        parts.append(f'<div class="barrow" data-department="{e(d.name)}"><div class="name" title="{e(d.name)}">'
                     f'{e(d.name)}</div><div class="bar">')
        for c in cols:
            n = d.counts.get(c, 0)
            if n:
                share = 100.0 * n / total
                parts.append(f'<div class="seg" data-role="{e(c)}" style="width:{share:.2f}%;background:{colors[c]}" '
                             f'title="{e(c)}: {n}"></div>')
        parts.append(f'</div><div class="n">{len(d.duties)}</div></div>')
    parts.append("</div>")
    return parts


def _html_finding(f: Finding) -> list[str]:
    """One finding card: severity and kind badges, the message and its evidence sentences."""
    e = html.escape
    parts = [
        f'<article class="finding {f.severity}" data-kind="{f.kind}" data-severity="{f.severity}">',
        f'<span class="badge {f.severity}">{f.severity}</span><span class="badge kind">{f.kind}</span>',
        f"<strong>{e(f.message)}</strong>",
    ]
    if f.evidence:
        parts.append(f"<details open><summary>{len(f.evidence)} evidence sentence(s)</summary><ul>")
        for ev in f.evidence:
            parts.append(f'<li><span class="loc">{e(ev["location"])}</span> {e(ev["department"])}: '
                         f"{e(ev['text'])}</li>")
        parts.append("</ul></details>")
    parts.append("</article>")
    return parts


def _html_findings(report: AuditReport) -> list[str]:
    """The findings, most severe first (the report's order)."""
    parts = ['<h2>Findings</h2><section id="findings">']
    if not report.findings:
        parts.append('<p class="none">No findings: every role is done by one department that is named for it, '
                     "and no duty is stated twice.</p>")
    for f in report.findings:
        parts += _html_finding(f)
    parts.append("</section>")
    return parts


def render_html(report: AuditReport, *, title: str = "Role audit") -> str:
    """One self-contained HTML file (inline CSS, no scripts, no external resources)."""
    cols = [*report.labels, "other"]
    colors = _colors(list(report.labels))
    parts = [
        *_html_summary(report, title),
        *_html_matrix(report, cols, colors),
        *_html_bars(report, cols, colors),
        *_html_findings(report),
    ]
    return "\n".join(parts) + "</main></body></html>"


def render(report: AuditReport, fmt: str) -> str:
    """Render a report in one of :data:`AUDIT_FORMATS`."""
    return {"table": render_table, "json": render_json, "markdown": render_markdown, "html": render_html}[fmt](report)
