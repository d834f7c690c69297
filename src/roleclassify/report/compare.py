"""Rendering a :class:`~roleclassify.compare.Comparison`: terminal text, Markdown, JSON, a 新旧対照表-style HTML
page (old | new side by side) and an Excel workbook, in English or Japanese."""

from __future__ import annotations

import html
import json
from typing import IO, TYPE_CHECKING, Any

from ..auditnames import BINARY_COMPARE_FORMATS, COMPARE_FORMATS, REPORT_SUFFIXES
from ..errors import OptionError
from ..labels import display_label
from .audit import JAPANESE_FONTS, KIND_NAMES_JA, LANGS

if TYPE_CHECKING:  # pragma: no cover
    from ..compare import Change, Comparison

__all__ = ["render_comparison", "write_comparison_xlsx", "COMPARE_FORMATS", "BINARY_COMPARE_FORMATS",
           "compare_format_for"]


_TEXT: dict[str, dict[str, str]] = {
    "en": {"title": "Comparison", "old": "old", "new": "new", "change": "change", "department": "department",
           "text": "text", "roles": "roles", "duties": "duties", "summary": "{moved} moved, {added} added, "
           "{removed} removed, {reworded} reworded, {kept} kept; findings: {findings_added} new, "
           "{findings_removed} gone", "summary_job": "sentences: {added} added, {removed} removed, {reworded} reworded, {kept} kept",
           "changes": "Changes", "findings_added": "Findings that appear",
           "findings_removed": "Findings that disappear", "holders": "Duties whose holders changed",
           "none": "none", "main_roles": "Main roles", "main_duties": "Main duties", "kind": "kind",
           "moved": "moved", "added": "added", "removed": "removed", "reworded": "reworded", "added_job": "added",
           "location": "location"},
    "ja": {"title": "新旧対照表", "old": "旧", "new": "新", "change": "区分", "department": "部署", "text": "記載",
           "roles": "役割", "duties": "業務", "summary": "移管 {moved}件、新設 {added}件、削除 {removed}件、"
           "文言変更 {reworded}件、変更なし {kept}件。指摘事項: 新たに {findings_added}件、解消 {findings_removed}件",
           "summary_job": "追加 {added}文、削除 {removed}文、文言変更 {reworded}文、変更なし {kept}文",
           "changes": "変更点", "findings_added": "新たに生じた指摘事項", "findings_removed": "解消した指摘事項",
           "holders": "担当部署が変わった業務", "none": "なし", "main_roles": "主な役割", "main_duties": "主な業務",
           "kind": "種類", "moved": "移管", "added": "新設", "removed": "削除", "reworded": "文言変更", "added_job": "追加",
           "location": "記載箇所"},
}


def _t(lang: str, key: str, **values: object) -> str:
    return _TEXT[lang][key].format(**values) if values else _TEXT[lang][key]


def _kind(cmp: Comparison, kind: str, lang: str) -> str:
    """A change's name: a sentence added to a job description is 追加, a duty added to an organisation 新設."""
    return _t(lang, "added_job" if cmp.kind == "job" and kind == "added" else kind)


def compare_format_for(output: str | None, stdout_is_tty: bool) -> str:
    """The format by the output file's suffix; table on a terminal, JSON into a pipe."""
    from pathlib import Path

    if output and output != "-":
        return REPORT_SUFFIXES.get(Path(output).suffix.lower(), "table")
    return "table" if stdout_is_tty else "json"


def _side(c: Change, which: str) -> str:
    dept = getattr(c, f"{which}_department")
    text = getattr(c, f"{which}_text")
    return f"{dept}: {text}" if dept and text else text or "-"


def _roles(roles: list[str], lang: str) -> str:
    return ", ".join(display_label(r, lang) for r in roles) or "-"


def _finding_line(f: dict[str, Any], lang: str) -> str:
    kind = KIND_NAMES_JA.get(f["kind"], f["kind"]) if lang == "ja" else f["kind"]
    if lang == "ja" and f.get("template"):
        from ..orgaudit import finding_text

        return f"[{kind}] {finding_text(f['template'], f['params'], 'ja')}"
    return f"[{kind}] {f['message']}"


def _duties(cmp: Comparison, duties: list[str], lang: str) -> str:
    return ", ".join(cmp.duty_name(d, lang) for d in duties) or "-"


def _sections(cmp: Comparison, lang: str) -> list[tuple[str, list[str]]]:
    t = lambda k: _t(lang, k)  # noqa: E731
    changes = [f"{_kind(cmp, c.kind, lang)}: {_side(c, 'old')} → {_side(c, 'new')}  [{_roles(c.roles, lang)}"
               + (f"; {_duties(cmp, c.duties, lang)}]" if c.duties else "]") for c in cmp.changes]
    out = [(t("changes"), changes or [t("none")])]
    if cmp.kind == "job":
        out.insert(0, (t("main_roles"), [f"{t('old')}: {_roles(cmp.roles['old'], lang)}",
                                         f"{t('new')}: {_roles(cmp.roles['new'], lang)}"]))
        out.insert(1, (t("main_duties"), [f"{t('old')}: {_duties(cmp, cmp.duties['old'], lang)}",
                                          f"{t('new')}: {_duties(cmp, cmp.duties['new'], lang)}"]))
        return out
    out.append((t("findings_added"), [_finding_line(f, lang) for f in cmp.findings_added] or [t("none")]))
    out.append((t("findings_removed"), [_finding_line(f, lang) for f in cmp.findings_removed] or [t("none")]))
    out.append((t("holders"), [f"{cmp.duty_name(h['duty'], lang)}: {', '.join(h['old']) or '-'} → "
                               f"{', '.join(h['new']) or '-'}"
                               for h in cmp.duty_holders] or [t("none")]))
    return out


def _header(cmp: Comparison, lang: str) -> tuple[str, str]:
    files = f"{_t(lang, 'old')}: {', '.join(cmp.old)}   {_t(lang, 'new')}: {', '.join(cmp.new)}"
    return files, _t(lang, "summary_job" if cmp.kind == "job" else "summary", **cmp.summary())


def render_comparison(cmp: Comparison, fmt: str, *, lang: str = "en") -> str:
    """The comparison as text in one of :data:`COMPARE_FORMATS` but xlsx; JSON is the same in every language."""
    if lang not in LANGS:
        raise OptionError(f"unknown language {lang!r}; expected one of: {', '.join(LANGS)}", param="lang")
    if fmt == "json":
        return json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2)
    files, summary = _header(cmp, lang)
    if fmt == "table":
        lines = [files, summary]
        for head, body in _sections(cmp, lang):
            lines += ["", f"{head}:", *(f"  {b}" for b in body)]
        return "\n".join(lines)
    if fmt == "markdown":
        lines = [f"# {_t(lang, 'title')}", "", files + "  ", summary]
        for head, body in _sections(cmp, lang):
            lines += ["", f"## {head}", "", *(f"- {b}" for b in body)]
        return "\n".join(lines)
    if fmt == "html":
        return _html(cmp, lang)
    raise OptionError(f"unknown format {fmt!r}; expected one of: {', '.join(COMPARE_FORMATS)}", param="fmt")


def _html_side(c: Change, which: str) -> str:
    """One side of a change in the page: its department and text, and where it stands (file and line) below."""
    where = getattr(c, f"{which}_location")
    side = html.escape(_side(c, which))
    return f'{side}<br><small class="location">{html.escape(where)}</small>' if where else side


def _html(cmp: Comparison, lang: str) -> str:
    """A self-contained page: the changes as a 新旧対照表 (change | old | new), then the other sections."""
    e = html.escape
    t = lambda k: _t(lang, k)  # noqa: E731
    files, summary = _header(cmp, lang)
    rows = "".join(f'<tr class="{c.kind}"><td>{e(_kind(cmp, c.kind, lang))}</td><td>{_html_side(c, "old")}</td>'
                   f'<td>{_html_side(c, "new")}</td><td>{e(_roles(c.roles, lang))}</td>'
                   f'<td>{e(_duties(cmp, c.duties, lang))}</td></tr>' for c in cmp.changes)
    parts = [
        # lang="ja" whatever the report's language, as the audit's page: the documents' text is Japanese
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{e(t("title"))}</title><style>'
        f"body{{font-family:{JAPANESE_FONTS};margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;"
        "padding:4px 8px;vertical-align:top}.added td:nth-child(3){background:#e6f4ea}"
        ".removed td:nth-child(2){background:#fce8e6}.moved td{background:#fff7e0}</style></head><body>",
        f"<h1>{e(t('title'))}</h1><p>{e(files)}</p><p>{e(summary)}</p>",
        f'<h2>{e(t("changes"))}</h2><table id="changes"><tr><th>{e(t("change"))}</th><th>{e(t("old"))}</th>'
        f'<th>{e(t("new"))}</th><th>{e(t("roles"))}</th><th>{e(t("duties"))}</th></tr>{rows}</table>',
    ]
    for head, body in _sections(cmp, lang):
        if head == t("changes"):  # the table above
            continue
        parts.append(f"<h2>{e(head)}</h2><ul>" + "".join(f"<li>{e(b)}</li>" for b in body) + "</ul>")
    return "\n".join(parts) + "</body></html>"


def write_comparison_xlsx(cmp: Comparison, stream: IO[bytes], *, lang: str = "en") -> None:
    """The comparison as a workbook: the changes (change, old department and text, new department and text,
    roles, duties) and, for organisations, the findings that appear or disappear and the duties' holders."""
    from openpyxl import Workbook

    t = lambda k: _t(lang, k)  # noqa: E731
    wb = Workbook()
    ws = wb.active
    ws.title = "新旧対照表" if lang == "ja" else "changes"
    ws.append([t("change"), f"{t('old')} {t('department')}", f"{t('old')} {t('text')}", f"{t('new')} {t('department')}",
               f"{t('new')} {t('text')}", t("roles"), t("duties"), f"{t('old')} {t('location')}",
               f"{t('new')} {t('location')}"])
    for c in cmp.changes:
        ws.append([_kind(cmp, c.kind, lang), c.old_department, c.old_text, c.new_department, c.new_text, _roles(c.roles, lang),
                   _duties(cmp, c.duties, lang), c.old_location, c.new_location])
    if cmp.kind == "org":
        fs = wb.create_sheet("指摘事項" if lang == "ja" else "findings")
        fs.append([t("change"), t("kind"), "指摘" if lang == "ja" else "finding"])
        for key, found in (("findings_added", cmp.findings_added), ("findings_removed", cmp.findings_removed)):
            for f in found:
                fs.append([t(key), KIND_NAMES_JA.get(f["kind"], f["kind"]) if lang == "ja" else f["kind"],
                           _finding_line(f, lang)])
        hs = wb.create_sheet("担当の変化" if lang == "ja" else "duty holders")
        hs.append([t("duties"), t("old"), t("new")])
        for h in cmp.duty_holders:
            hs.append([cmp.duty_name(h["duty"], lang), ", ".join(h["old"]), ", ".join(h["new"])])
    wb.save(stream)
