"""Rendering an :class:`~roleclassify.orgaudit.AuditReport`: terminal table, Markdown and self-contained HTML.

Each human format is shown in English or Japanese (``lang="ja"``: role names, headings, severities, kinds and
finding texts); JSON is the same in both."""

from __future__ import annotations

import html
import json
import os
import time
from typing import IO, TYPE_CHECKING, Any

from ..auditnames import AUDIT_FORMATS, BINARY_AUDIT_FORMATS, KINDS, REPORT_SUFFIXES
from ..errors import OptionError
from ..io.display import cell_width, fit, pad
from ..labels import display_label

if TYPE_CHECKING:  # pragma: no cover
    from ..orgaudit import AuditReport, Department, Finding

__all__ = [
    "render", "render_table", "render_markdown", "render_html", "render_json", "report_format_for", "AUDIT_FORMATS",
    "write_xlsx", "BINARY_AUDIT_FORMATS", "REASON_NAMES_JA",
    "LANGS", "KIND_NAMES_JA", "SEVERITY_NAMES_JA",
]

#: The languages a report can be shown in (JSON is the same in both: stable keys, English texts).
LANGS = ("en", "ja")
#: Finding kinds and severities as a Japanese reader sees them (``lang="ja"``); the keys stay in JSON.
KIND_NAMES_JA = {"crossing": "越境", "shared": "重複担当", "duplicate": "業務重複", "ownerless": "担当不在"}
SEVERITY_NAMES_JA = {"high": "高", "medium": "中", "low": "低"}
#: Why a line was left out (:data:`roleclassify.orgdocs.DROP_REASONS`), as a Japanese reader sees it.
REASON_NAMES_JA = {"heading": "見出し", "boilerplate": "規程の定型文", "footer": "フッター", "note": "注記",
                   "empty department": "業務のない部署", "parent heading": "上位部署の見出し",
                   "related only": "関係のみ（主管でない）", "not a duty": "業務でない行"}
#: The reports' own words, per language.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Role audit", "department": "department", "expected": "expected", "no_findings": "no findings",
        "more": "… {n} more", "documents": "Documents: ", "totals": "{departments} departments, {duties} duties; ",
        "kind_count": "{n} {kind}", "kind_sep": ", ", "matrix": "Department × role", "findings": "Findings",
        "md_no_findings": "No findings.", "generated": "generated {time} by roleclassify",
        "departments": "departments", "duties": "duties", "shares": "Role shares per department",
        "evidence": "{n} evidence sentence(s)",
        "matrix_note": "Cells count duty sentences; colour strength is the share of the department's duties; the "
                       "outlined cell is the role the department's name (or --expect) states.",
        "html_no_findings": "No findings: every role is done by one department that is named for it, and no duty "
                            "is stated twice.",
        "holding_head": "Roles in the organisation",
        "holding": "{role}: {units} unit(s), {share:.0f} % of role work, {status} (floor {floor} units); {holders}",
        "flows": "Flows (shown, not findings)", "uncertain": "Uncertain units (a score near its threshold, or buying and selling read alike)",
        "reading": "What was read", "dropped": "Lines left out", "parent": "parent", "file": "file",
        "lines": "lines", "reason": "reason", "text": "text", "roles": "roles", "warning": "warning",
        "step_own": "its own role", "none_dropped": "no line was left out", "location": "location",
        "severity": "severity", "kind": "kind", "finding": "finding", "role": "role", "duty": "duty",
        "duties_n": "duties", "structure": "read as", "line": "heading line", "first": "first line",
        "last": "last line", "ev_department": "evidence from", "share": "share", "status": "status",
        "floor": "floor", "holders": "holders",
        "duty_matrix": "Department × duty", "several": "Duties held by several departments (shown, not findings)",
        "checklist": "Standard duties no department holds", "owner": "suggested owner", "because": "because",
        "no_owner": "no department does this role's work", "count": "sentences",
    },
    "ja": {
        "title": "役割分担の監査", "department": "部署", "expected": "想定役割", "no_findings": "指摘事項なし",
        "more": "… ほか{n}件", "documents": "対象文書: ", "totals": "{departments}部署、業務{duties}件。",
        "kind_count": "{kind} {n}件", "kind_sep": "、", "matrix": "部署 × 役割", "findings": "指摘事項",
        "md_no_findings": "指摘事項はありません。", "generated": "{time} roleclassify で作成",
        "departments": "部署", "duties": "業務", "shares": "部署ごとの役割の割合",
        "evidence": "根拠となる記載 {n}件",
        "matrix_note": "各セルは業務の記載の件数です。色の濃さは部署の業務に占める割合、枠で囲んだセルは部署名"
                       "（または --expect の指定）から想定される役割です。",
        "html_no_findings": "指摘事項はありません: どの役割もその名を持つ一つの部署が担当し、同じ業務が二度記載されて"
                            "いることもありません。",
        "holding_head": "組織全体の役割",
        "holding": "{role}: {units}件（役割業務の{share:.0f}%）、{status}（基準 {floor}件）; {holders}",
        "flows": "業務の流れ（参考: 指摘ではありません）", "uncertain": "判定が不確かな記載（スコアがしきい値付近、または仕入か販売か判別できない）",
        "reading": "読み取り結果", "dropped": "読み取らなかった行", "parent": "上位部署", "file": "ファイル",
        "lines": "行", "reason": "理由", "text": "記載", "roles": "役割", "warning": "注意",
        "step_own": "本来の役割", "none_dropped": "読み取らなかった行はありません", "location": "位置",
        "severity": "重要度", "kind": "種類", "finding": "指摘", "role": "役割", "duty": "業務",
        "duties_n": "業務数", "structure": "読み取り形式", "line": "見出しの行", "first": "最初の行",
        "last": "最後の行", "ev_department": "根拠の部署", "share": "割合", "status": "状態",
        "floor": "基準", "holders": "担当部署",
        "duty_matrix": "部署 × 業務", "several": "複数の部署が担う業務（参考: 指摘ではありません）",
        "checklist": "どの部署も担っていない標準業務", "owner": "担当候補", "because": "理由",
        "no_owner": "該当する部署がありません", "count": "記載数",
    },
}


def _t(lang: str, key: str, **values: object) -> str:
    """The report's word ``key`` in ``lang``, with ``values`` filled in."""
    return _TEXT[lang][key].format(**values) if values else _TEXT[lang][key]


def _kind(kind: str, lang: str) -> str:
    return KIND_NAMES_JA.get(kind, kind) if lang == "ja" else kind


def _severity(severity: str, lang: str) -> str:
    return SEVERITY_NAMES_JA.get(severity, severity) if lang == "ja" else severity


#: How a role is held (:meth:`~roleclassify.orgaudit.AuditReport.role_holding`), as a Japanese reader sees it.
STATUS_NAMES_JA = {"held": "担当あり", "weakly held": "担当が手薄", "ownerless": "担当不在"}


def _status(status: str, lang: str) -> str:
    return STATUS_NAMES_JA.get(status, status) if lang == "ja" else status


def _reason(reason: str, lang: str) -> str:
    return REASON_NAMES_JA.get(reason, reason) if lang == "ja" else reason


def _roles(roles: list[str], lang: str) -> str:
    return ", ".join(display_label(r, lang) for r in roles)


def _span(d: dict) -> str:
    """A department's place in its file: heading line and the line range of its duties."""
    lines = d.get("lines")
    rng = f"{lines[0]}-{lines[1]}" if lines and lines[0] != lines[1] else f"{lines[0]}" if lines else "-"
    return f"{d['file']}:{d['line']} ({rng})"


def _text_sections(report: AuditReport, lang: str) -> list[tuple[str, list[str]]]:
    """The flows, uncertain units and the reading report as (heading, lines) for the table and Markdown: each
    line is plain text, the renderer formats it."""
    holding = [_t(lang, "holding", role=display_label(h["role"], lang), units=h["units"], share=100 * h["share"],
                  status=_status(h["status"], lang), floor=h["floor"],
                  holders=_t(lang, "kind_sep").join(h["holders"][:4]) or "-") for h in report.role_holding()]
    flows = [f"{display_label(f['role'], lang)}: " + " → ".join(s["department"] for s in f["steps"])
             for f in report.flows]
    unsure = [f"{u['location']}  {u['department']}: {u['text']} [{_roles(u['roles'], lang)}]"
              for u in report.uncertain_units()]
    reading = report.reading or {}
    read = [f"{d['department']}  {_span(d)}" + (f"  {_t(lang, 'parent')}: {d['parent']}" if d.get("parent") else "")
            for d in reading.get("departments", [])]
    read += [f"{_t(lang, 'warning')}: {w}" for w in reading.get("warnings", [])]
    dropped = [f"{x['file']}:{x['line']}  [{_reason(x['reason'], lang)}] {x['text']}" for x in reading.get("dropped", [])]
    return [(_t(lang, "holding_head"), holding), *_duty_sections(report, lang), (_t(lang, "flows"), flows),
            (_t(lang, "uncertain"), unsure), (_t(lang, "reading"), read),
            (_t(lang, "dropped"), dropped or [_t(lang, "none_dropped")])]


#: Section ids of :func:`_text_sections` in the HTML report, in order (the duty ones only with a duty head).
_SECTION_IDS = ["roles", "duty-matrix", "duties-several", "duty-checklist", "flows", "uncertain", "reading",
                "dropped"]


def _duty_name(report: AuditReport, duty: str, lang: str) -> str:
    """A duty as the reader sees it: its Japanese name with ``lang="ja"``, else its id."""
    if lang != "ja":
        return duty
    return next((d["ja"] for d in report.duty_list if d["id"] == duty), duty)


def _because(item: dict, lang: str) -> str:
    """Why a department is suggested to own a duty (or why none is), in ``lang``."""
    basis = item.get("basis") or {}
    if lang != "ja" or (item.get("suggested_owner") and not basis):
        return item["because"]
    if not item.get("suggested_owner"):
        return _t(lang, "no_owner")
    role = display_label(basis["role"], lang)
    why = {"name": f"部署名が{role}を示す、", "expect": f"{role}を想定、"}.get(basis.get("stated_by") or "", "")
    return f"{why}業務{basis['units']}件中{basis['role_units']}件が{role}の業務"


def _owner(item: dict, lang: str) -> str:
    """The suggested owner of a duty and why, in ``lang``."""
    owner = item.get("suggested_owner")
    because = _because(item, lang)
    if lang == "ja" and owner and item.get("basis"):
        return f"{_t(lang, 'owner')}: {owner}（{because}）"
    return f"{_t(lang, 'owner')}: {owner or '-'} ({because})"


def _duty_sections(report: AuditReport, lang: str) -> list[tuple[str, list[str]]]:
    """The duty views of a model with a duty head: department × duty, duties held by several departments with
    their sentences, and the standard duties nobody holds, each with a suggested owner."""
    if not report.duty_list:
        return []
    sep = _t(lang, "kind_sep")
    matrix = [f"{name}: " + (sep.join(f"{_duty_name(report, k, lang)} {n}" for k, n in
                                       sorted(row.items(), key=lambda kv: -kv[1])) or "-")
              for name, row in report.duty_matrix().items()]
    several = []
    for item in report.duties_held_by_several():
        several.append(f"{_duty_name(report, item['duty'], lang)}: {sep.join(item['departments'])}; "
                       f"{_owner(item, lang)}")
        several += [f"    {dept}: {text}" for dept, texts in item["departments"].items() for text in texts]
    checklist = [f"{display_label(c['role'], lang)} / {_duty_name(report, c['duty'], lang)}: {_owner(c, lang)}"
                 for c in report.duty_checklist()]
    return [(_t(lang, "duty_matrix"), matrix), (_t(lang, "several"), several), (_t(lang, "checklist"), checklist)]

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
        return REPORT_SUFFIXES.get(os.path.splitext(output)[1].lower(), "table")
    return "table" if stdout_is_tty else "json"


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_table(report: AuditReport, *, lang: str = "en") -> str:
    """Plain-text report for a terminal."""
    cols = [*report.labels, "other"]
    dept = _t(lang, "department")
    name_w = max([cell_width(dept), *(cell_width(d.name) for d in report.departments)]) + 2
    # a label is cut to 12 cells; its Japanese name is shown whole (マーケティング is 14)
    heads = [display_label(c, lang) if display_label(c, lang) != c else fit(c, 12) for c in cols]
    widths = [max(13, cell_width(h) + 1) for h in heads]
    lines = [pad(dept, name_w) + "".join(pad(h, w, right=True) for h, w in zip(heads, widths))
             + "  " + _t(lang, "expected")]
    lines.append("-" * (name_w + sum(widths) + 10))
    for d in report.departments:
        lines.append(
            pad(d.name, name_w)
            + "".join(f"{d.counts.get(c, 0):>{w}}" for c, w in zip(cols, widths))
            + f"  {display_label(d.expected_role, lang) if d.expected_role else '-'}"
        )
    lines.append("")
    if not report.findings:
        lines.append(_t(lang, "no_findings"))
    for f in report.findings:
        lines.append(f"[{_severity(f.severity, lang)}] {_kind(f.kind, lang)}: {f.text(lang)}")
        for e in f.evidence[:6]:
            lines.append(f"    {e['location']}  {e['department']}: {e['text']}")
        if len(f.evidence) > 6:
            lines.append("    " + _t(lang, "more", n=len(f.evidence) - 6))
    for head, body in _text_sections(report, lang):
        if body:
            lines += ["", f"{head}:", *(f"  {b}" for b in body)]
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


def render_markdown(report: AuditReport, *, lang: str = "en") -> str:
    """GitHub-flavoured Markdown report."""
    cols = [*report.labels, "other"]
    counts = {k: len(report.by_kind(k)) for k in KINDS}
    out = [
        f"# {_t(lang, 'title')}",
        "",
        f"{_t(lang, 'documents')}{', '.join(_md_code(str(d)) for d in report.documents)}  ",
        _t(lang, "totals", departments=len(report.departments), duties=sum(len(d.duties) for d in report.departments))
        + _t(lang, "kind_sep").join(_t(lang, "kind_count", n=v, kind=_kind(k, lang)) for k, v in counts.items()),
        "",
        f"## {_t(lang, 'matrix')}",
        "",
        f"| {_t(lang, 'department')} | {_t(lang, 'expected')} | "
        + " | ".join(_md_escape(display_label(c, lang)) for c in cols) + " |",
        "|---|---|" + "---:|" * len(cols),
    ]
    for d in report.departments:
        out.append(
            f"| {_md_escape(d.name)} | {_md_escape(display_label(d.expected_role, lang) if d.expected_role else '–')} | "
            + " | ".join(str(d.counts.get(c, 0)) for c in cols) + " |"
        )
    out += ["", f"## {_t(lang, 'findings')}", ""]
    if not report.findings:
        out.append(_t(lang, "md_no_findings"))
    for f in report.findings:
        out.append(f"- **{_severity(f.severity, lang)}** · **{_kind(f.kind, lang)}** · {_md_escape(f.text(lang))}")
        for e in f.evidence:
            out.append(f"  - {_md_code(e['location'])} {_md_escape(e['department'])}: {_md_escape(e['text'])}")
    for head, body in _text_sections(report, lang):
        if body:
            out += ["", f"## {head}", "", *(f"- {_md_escape(b)}" for b in body)]
    return "\n".join(out) + "\n"


#: Fonts for pages of Japanese documents (in either language of the report: the documents' text is Japanese,
#: and a page marked ``lang="ja"`` with these shows its kanji in their Japanese forms).
JAPANESE_FONTS = '"Hiragino Sans","Noto Sans CJK JP","Yu Gothic",Meiryo,system-ui,sans-serif'

_CSS = """
:root{--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f7f8fa}
*{box-sizing:border-box}body{font-family:""" + JAPANESE_FONTS + """;
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


def _html_summary(report: AuditReport, title: str, lang: str) -> list[str]:
    """The page head, title, documents line and the summary cards (departments, duties, findings per kind)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<div class="meta">{e(", ".join(report.documents))} · '
        f'{e(_t(lang, "generated", time=time.strftime("%Y-%m-%d %H:%M")))}</div>',
        '<section id="summary"><div class="cards">',
        f'<div class="card"><b>{len(report.departments)}</b><span>{_t(lang, "departments")}</span></div>',
        f'<div class="card"><b>{sum(len(d.duties) for d in report.departments)}</b>'
        f'<span>{_t(lang, "duties")}</span></div>',
    ]
    for k in KINDS:
        parts.append(f'<div class="card" data-kind="{k}"><b>{len(report.by_kind(k))}</b>'
                     f"<span>{e(_kind(k, lang))}</span></div>")
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


def _html_matrix(report: AuditReport, cols: list[str], colors: dict[str, str], lang: str) -> list[str]:
    """The department × role heatmap table."""
    parts = [
        f"<h2>{_t(lang, 'matrix')}</h2>",
        f'<table class="matrix" id="matrix"><thead><tr><th>{_t(lang, "department")}</th>',
        *[f"<th>{html.escape(display_label(c, lang))}</th>" for c in cols],
        "</tr></thead><tbody>",
    ]
    for d in report.departments:
        parts += _html_matrix_row(d, cols, colors)
    parts.append("</tbody></table>")
    parts.append(f'<div class="meta">{html.escape(_t(lang, "matrix_note"), quote=False)}</div>')
    return parts


def _html_bars(report: AuditReport, cols: list[str], colors: dict[str, str], lang: str) -> list[str]:
    """A stacked bar of role shares per department, with its legend."""
    e = html.escape
    parts = [f'<h2>{_t(lang, "shares")}</h2><div class="legend">']
    parts += [f'<span><i style="background:{colors[c]}"></i>{e(display_label(c, lang))}</span>' for c in cols]
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
                             f'title="{e(display_label(c, lang))}: {n}"></div>')
        parts.append(f'</div><div class="n">{len(d.duties)}</div></div>')
    parts.append("</div>")
    return parts


def _html_finding(f: Finding, lang: str) -> list[str]:
    """One finding card: severity and kind badges, the message and its evidence sentences."""
    e = html.escape
    parts = [
        f'<article class="finding {f.severity}" data-kind="{f.kind}" data-severity="{f.severity}">',
        f'<span class="badge {f.severity}">{e(_severity(f.severity, lang))}</span>'
        f'<span class="badge kind">{e(_kind(f.kind, lang))}</span>',
        f"<strong>{e(f.text(lang))}</strong>",
    ]
    if f.evidence:
        parts.append(f"<details open><summary>{e(_t(lang, 'evidence', n=len(f.evidence)))}</summary><ul>")
        for ev in f.evidence:
            parts.append(f'<li><span class="loc">{e(ev["location"])}</span> {e(ev["department"])}: '
                         f"{e(ev['text'])}</li>")
        parts.append("</ul></details>")
    parts.append("</article>")
    return parts


def _html_findings(report: AuditReport, lang: str) -> list[str]:
    """The findings, most severe first (the report's order)."""
    parts = [f'<h2>{_t(lang, "findings")}</h2><section id="findings">']
    if not report.findings:
        parts.append(f'<p class="none">{html.escape(_t(lang, "html_no_findings"), quote=False)}</p>')
    for f in report.findings:
        parts += _html_finding(f, lang)
    parts.append("</section>")
    return parts


def _html_list(section_id: str, head: str, items: list[str]) -> list[str]:
    """A section of the report as a heading and a list of plain-text items."""
    e = html.escape
    return [f'<h2>{e(head)}</h2><section id="{section_id}"><ul>', *(f"<li>{e(i)}</li>" for i in items),
            "</ul></section>"]


def _html_reading(report: AuditReport, lang: str) -> list[str]:
    """Flows, uncertain units and the reading report (departments with file, lines and parent; lines left out
    with the reason)."""
    ids = _SECTION_IDS if report.duty_list else [i for i in _SECTION_IDS if not i.startswith("dut")]
    parts: list[str] = []
    for sid, (head, body) in zip(ids, _text_sections(report, lang)):
        if body:
            parts += _html_list(sid, head, body)
    return parts


def render_html(report: AuditReport, *, title: str | None = None, lang: str = "en") -> str:
    """One self-contained HTML file (inline CSS, no scripts, no external resources); ``title`` defaults to the
    report's title in ``lang``."""
    cols = [*report.labels, "other"]
    colors = _colors(list(report.labels))
    parts = [
        *_html_summary(report, title if title is not None else _t(lang, "title"), lang),
        *_html_matrix(report, cols, colors, lang),
        *_html_bars(report, cols, colors, lang),
        *_html_findings(report, lang),
        *_html_reading(report, lang),
    ]
    return "\n".join(parts) + "</main></body></html>"


def render(report: AuditReport, fmt: str, *, lang: str = "en") -> str:
    """Render a report in one of :data:`AUDIT_FORMATS`, its human formats in ``lang`` (of :data:`LANGS`); JSON
    is the same in every language (stable keys, English texts)."""
    if lang not in LANGS:
        raise OptionError(f"cannot show a report in {lang!r}: expected one of {', '.join(LANGS)}", param="lang")
    if fmt == "json":
        return render_json(report)
    if fmt in BINARY_AUDIT_FORMATS:
        raise OptionError(f"a {fmt} report is a workbook: write it with write_xlsx", param="fmt")
    renderers = {"table": render_table, "markdown": render_markdown, "html": render_html}
    return renderers[fmt](report, lang=lang)


def _sheet(wb: Any, title: str, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    """A sheet with a frozen, filtered header row and column widths that fit Japanese text."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(head)
    for r in rows:
        ws.append(r)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{max(1, len(rows) + 1)}"


def _xlsx_sheets(report: AuditReport, lang: str) -> list[tuple[str, list[str], list[list[Any]], list[int]]]:
    """The workbook's sheets: (title, header, rows, widths)."""
    t = lambda k: _t(lang, k)  # noqa: E731
    ja = lang == "ja"
    cols = [*report.labels, "other"]
    parents = {d["department"]: d.get("parent") for d in (report.reading or {}).get("departments", [])}
    matrix = [[d.name, display_label(d.expected_role, lang) if d.expected_role else "", parents.get(d.name) or "",
               *(d.counts.get(c, 0) for c in cols)] for d in report.departments]
    findings = [[k, _severity(f.severity, lang), _kind(f.kind, lang), display_label(f.role, lang) if f.role else "",
                 ", ".join(f.departments), f.text(lang), ev["department"], ev["location"], ev["text"]]
                for k, f in enumerate(report.findings, 1) for ev in (f.evidence or [{"department": "", "location": "",
                                                                                      "text": ""}])]
    # the step done by the role's own department: ○ in a Japanese sheet (as 分掌表 mark it), TRUE/FALSE otherwise
    flows = [[display_label(f["role"], lang), k, s["department"], ("○" if s["expected"] else "") if ja else bool(s["expected"]),
              "\n".join(s["duties"])]
             for f in report.flows for k, s in enumerate(f["steps"], 1)]
    unsure = [[u["department"], u["location"], u["text"], _roles(u["roles"], lang)] for u in report.uncertain_units()]
    reading = report.reading or {}
    read = [[d["department"], d["file"], d["line"], *(d["lines"] or ["", ""]), d.get("parent") or "", d["duties"]]
            for d in reading.get("departments", [])]
    dropped = [[x["file"], x["line"], _reason(x["reason"], lang), x["text"]] for x in reading.get("dropped", [])]
    roles = [[display_label(h["role"], lang), h["units"], h["share"], _status(h["status"], lang), h["floor"],
              ", ".join(h["holders"])] for h in report.role_holding()]
    return [*_base_sheets(t, ja, cols, matrix, findings, roles, flows, unsure, read, dropped),
            *_duty_sheets(report, lang)]


def _duty_sheets(report: AuditReport, lang: str) -> list[tuple[str, list[str], list[list[Any]], list[int]]]:
    """The duty views as sheets (none without a duty head)."""
    if not report.duty_list:
        return []
    t = lambda k: _t(lang, k)  # noqa: E731
    ja = lang == "ja"
    name = lambda k: _duty_name(report, k, "ja")  # noqa: E731
    matrix = [[dept, k, name(k), n] for dept, row in report.duty_matrix().items()
              for k, n in sorted(row.items(), key=lambda kv: -kv[1])]
    several = [[item["duty"], name(item["duty"]), dept, text, item.get("suggested_owner") or "", _because(item, lang)]
               for item in report.duties_held_by_several() for dept, texts in item["departments"].items()
               for text in texts]
    checklist = [[display_label(c["role"], lang), c["duty"], name(c["duty"]), c.get("suggested_owner") or "",
                  _because(c, lang)] for c in report.duty_checklist()]
    return [
        ("部署×業務" if ja else "duties", [t("department"), t("duty"), "業務名", t("count")], matrix, [24, 20, 24, 8]),
        ("複数部署の業務" if ja else "duties by several",
         [t("duty"), "業務名", t("department"), t("text"), t("owner"), t("because")], several, [20, 24, 24, 60, 24, 50]),
        ("担当のない業務" if ja else "duty checklist", [t("role"), t("duty"), "業務名", t("owner"), t("because")],
         checklist, [14, 20, 24, 24, 50]),
    ]


def _base_sheets(t: Any, ja: bool, cols: list[str], matrix: list, findings: list, roles: list, flows: list,
                 unsure: list, read: list, dropped: list) -> list[tuple[str, list[str], list[list[Any]], list[int]]]:
    """The sheets every report has."""
    lang = "ja" if ja else "en"
    return [
        ("部署×役割" if ja else "matrix", [t("department"), t("expected"), t("parent"),
                                          *(display_label(c, lang) for c in cols)], matrix,
         [24, 14, 18, *([12] * len(cols))]),
        ("指摘事項" if ja else "findings", ["#", t("severity"), t("kind"), t("role"), t("departments"), t("finding"),
                                          t("ev_department"), t("location"), t("text")], findings,
         [5, 8, 10, 14, 30, 60, 20, 28, 60]),
        ("役割" if ja else "roles", [t("role"), t("duties_n"), t("share"), t("status"), t("floor"), t("holders")],
         roles, [14, 8, 8, 12, 8, 50]),
        ("業務の流れ" if ja else "flows", [t("role"), "#", t("department"), t("step_own"), t("duties")], flows,
         [14, 5, 24, 10, 70]),
        ("不確か" if ja else "uncertain", [t("department"), t("location"), t("text"), t("roles")], unsure,
         [24, 28, 60, 20]),
        ("読み取り" if ja else "reading", [t("department"), t("file"), t("line"), t("first"), t("last"), t("parent"),
                                         t("duties_n")], read, [24, 40, 8, 8, 8, 18, 8]),
        ("読み取らなかった行" if ja else "dropped", [t("file"), t("lines"), t("reason"), t("text")], dropped,
         [40, 8, 16, 70]),
    ]


def write_xlsx(report: AuditReport, stream: IO[bytes], *, lang: str = "en") -> None:
    """The report as an Excel workbook: the department × role matrix, the findings with their evidence (one row
    per evidence sentence), how each role is held (units, share, status, floor, holders), the flows, the uncertain units and the reading report (departments with file, lines
    and parent; the lines left out with the reason), in ``lang``."""
    if lang not in LANGS:
        raise OptionError(f"cannot show a report in {lang!r}: expected one of {', '.join(LANGS)}", param="lang")
    try:
        from openpyxl import Workbook
    except ImportError:  # pragma: no cover
        from ..errors import needs

        raise OptionError(needs("an Excel report", "openpyxl"), param="fmt") from None
    wb = Workbook()
    wb.remove(wb.active)
    for title, head, rows, widths in _xlsx_sheets(report, lang):
        _sheet(wb, title, head, rows, widths)
    wb.save(stream)
