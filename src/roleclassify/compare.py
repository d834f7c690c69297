"""Comparing two versions side by side: an organisation's documents before and after a revision (a 規程 and its
revised version, two 分掌表), or two job descriptions.

Organisation documents are audited each (:func:`roleclassify.orgaudit.audit`) and their duty sentences matched:
the same sentence (as :func:`~roleclassify.text.text_key` compares texts) is kept where it stays in its
department and *moved* where another department states it now; a sentence with no such twin is matched to the
most alike unmatched one of the other version (content lemmas, :func:`~roleclassify.orgaudit.lemma_similarity`
at least :data:`REWORDED_SIMILARITY`; where the model's duty head gives both the same duties, at least
:data:`SAME_DUTY_SIMILARITY`, and never two sentences of different duties): *reworded* in its department,
*moved* to another. What is left is *removed* (old only) or *added* (new only). Findings that appear
or disappear, and duties whose holders changed, are listed beside.

Job descriptions are tagged whole (as ``roleclassify tag --unit document`` does): their main roles and duties
before and after, and the sentences added and removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .text import text_key

if TYPE_CHECKING:  # pragma: no cover
    from .model import RoleClassifier
    from .orgaudit import AuditReport, DutyResult

__all__ = ["Change", "Comparison", "compare_org", "compare_jobs", "compare_org_reports", "CHANGE_KINDS",
           "REWORDED_SIMILARITY", "COMPARE_KINDS"]

#: How a duty sentence changed between the versions, in the order reports list them.
CHANGE_KINDS = ("moved", "added", "removed", "reworded")
#: What ``compare`` compares.
COMPARE_KINDS = ("org", "job")
#: Content-lemma similarity from which an unmatched old sentence and an unmatched new one are one duty reworded.
REWORDED_SIMILARITY = 0.5
#: The same, for two sentences the duty head gives the same duties (運送会社への配送手配 / 運送業者への配送の手配:
#: the tokenizer cuts 運送業者 as 運送業 + 者, so only 2 of 5 lemmas are shared, yet both are shipping).
SAME_DUTY_SIMILARITY = 0.3


@dataclass
class Change:
    """One duty sentence's change: its department and text before and after (empty where it has none)."""

    kind: str
    old_department: str = ""
    new_department: str = ""
    old_text: str = ""
    new_text: str = ""
    old_location: str = ""
    new_location: str = ""
    roles: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    """Two versions compared: the changes, findings that appear or disappear, and (organisations) the duties
    whose holders changed, or (job descriptions) the roles and duties before and after."""

    kind: str
    old: list[str]
    new: list[str]
    changes: list[Change]
    kept: int = 0
    findings_added: list[dict[str, Any]] = field(default_factory=list)
    findings_removed: list[dict[str, Any]] = field(default_factory=list)
    duty_holders: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)
    duties: dict[str, list[str]] = field(default_factory=dict)
    #: The model's duty list (id, role, ja, ...), to name duties in reports; empty without a duty head.
    duty_list: list[dict[str, Any]] = field(default_factory=list)

    def duty_name(self, duty: str, lang: str) -> str:
        """A duty as the reader sees it: its Japanese name with ``lang="ja"``, else its id."""
        if lang != "ja":
            return duty
        return next((str(d.get("ja") or duty) for d in self.duty_list if d.get("id") == duty), duty)

    def by_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def summary(self) -> dict[str, int]:
        """Changes per kind, sentences kept, findings appeared and disappeared."""
        return {**{k: len(self.by_kind(k)) for k in CHANGE_KINDS}, "kept": self.kept,
                "findings_added": len(self.findings_added), "findings_removed": len(self.findings_removed)}

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "old": self.old, "new": self.new, "summary": self.summary(),
                             "changes": [asdict(c) for c in self.changes],
                             "findings_added": self.findings_added, "findings_removed": self.findings_removed}
        if self.kind == "org":
            d["duty_holders"] = self.duty_holders
        else:
            d["roles"], d["duties"] = self.roles, self.duties
        return d


_Unit = tuple[str, "DutyResult"]  # (department, tagged duty sentence)


def _units(report: AuditReport) -> list[_Unit]:
    return [(d.name, r) for d in report.departments for r in d.duties]


def _change(kind: str, old: _Unit | None, new: _Unit | None) -> Change:
    unit = (new or old)
    assert unit is not None
    r = unit[1]
    return Change(kind, old[0] if old else "", new[0] if new else "", old[1].text if old else "",
                  new[1].text if new else "", old[1].location if old else "", new[1].location if new else "",
                  list(r.labels), list(r.duties))


def _exact_pairs(old: list[_Unit], new: list[_Unit]) -> tuple[list[tuple[int, int]], set[int], set[int]]:
    """Old and new sentences of the same text: a twin in the same department first, then one in another."""
    by_key: dict[str, list[int]] = {}
    for j, (_, r) in enumerate(new):
        by_key.setdefault(text_key(r.text), []).append(j)
    pairs = []
    left_old, left_new = set(range(len(old))), set(range(len(new)))
    for same_department in (True, False):
        for i in sorted(left_old):
            dept, r = old[i]
            cands = [j for j in by_key.get(text_key(r.text), []) if j in left_new
                     and (new[j][0] == dept) == same_department]
            if cands:
                pairs.append((i, cands[0]))
                left_old.discard(i)
                left_new.discard(cands[0])
    return pairs, left_old, left_new


def _reworded_pairs(old: list[_Unit], new: list[_Unit], left_old: set[int], left_new: set[int],
                    tokenizer: Any) -> list[tuple[int, int]]:
    """Unmatched old and new sentences that are one duty in other words: most alike first, each used once."""
    from .orgaudit import _content_lemmas, lemma_similarity, word_overlap

    if not left_old or not left_new:
        return []
    olds, news = sorted(left_old), sorted(left_new)
    lemmas = _content_lemmas([old[i][1].text for i in olds] + [new[j][1].text for j in news], tokenizer)
    scored = []
    for a, i in enumerate(olds):
        for b, j in enumerate(news):
            ro, rn = old[i][1], new[j][1]
            if ro.duties and rn.duties and not set(ro.duties) & set(rn.duties):
                continue
            same_duty = bool(ro.duties) and set(ro.duties) == set(rn.duties)
            # alike by their lemmas, or by the words inside their compounds (在庫管理 / 在庫の管理)
            la, lb = lemmas[a], lemmas[len(olds) + b]
            sim = max(lemma_similarity(la, lb), word_overlap(la, lb))
            if sim >= (SAME_DUTY_SIMILARITY if same_duty else REWORDED_SIMILARITY):
                scored.append((-sim, i, j))
    pairs = []
    for _, i, j in sorted(scored):
        if i in left_old and j in left_new:
            pairs.append((i, j))
            left_old.discard(i)
            left_new.discard(j)
    return pairs


def _finding_dicts(report: AuditReport) -> dict[tuple, dict[str, Any]]:
    from .orgaudit import finding_key

    return {finding_key(f.kind, f.departments, f.role): {"kind": f.kind, "severity": f.severity, "role": f.role,
                                                           "departments": f.departments, "message": f.message,
                                                           "template": f.template, "params": f.params}
            for f in report.findings}


def _duty_holders(old: AuditReport, new: AuditReport) -> list[dict[str, Any]]:
    """Duties held by other departments in the new version than in the old (with a duty head)."""
    a, b = old.duty_matrix(), new.duty_matrix()
    ids = [d["id"] for d in (new.duty_list or old.duty_list)]
    out = []
    for duty in ids:
        before = sorted(n for n, row in a.items() if row.get(duty))
        after = sorted(n for n, row in b.items() if row.get(duty))
        if before != after:
            out.append({"duty": duty, "old": before, "new": after})
    return out


def compare_org_reports(old: AuditReport, new: AuditReport, tokenizer: Any) -> Comparison:
    """Two audits of one organisation's documents compared (see the module's description)."""
    ou, nu = _units(old), _units(new)
    exact, left_old, left_new = _exact_pairs(ou, nu)
    changes = [_change("moved", ou[i], nu[j]) for i, j in exact if ou[i][0] != nu[j][0]]
    kept = sum(1 for i, j in exact if ou[i][0] == nu[j][0])
    for i, j in _reworded_pairs(ou, nu, left_old, left_new, tokenizer):
        changes.append(_change("reworded" if ou[i][0] == nu[j][0] else "moved", ou[i], nu[j]))
    changes += [_change("added", None, nu[j]) for j in sorted(left_new)]
    changes += [_change("removed", ou[i], None) for i in sorted(left_old)]
    changes.sort(key=lambda c: CHANGE_KINDS.index(c.kind))
    fo, fn = _finding_dicts(old), _finding_dicts(new)
    return Comparison("org", old.documents, new.documents, changes, kept,
                      findings_added=[f for k, f in fn.items() if k not in fo],
                      findings_removed=[f for k, f in fo.items() if k not in fn],
                      duty_holders=_duty_holders(old, new), duty_list=list(new.duty_list or old.duty_list))


def compare_org(old: Sequence[str | Path], new: Sequence[str | Path], model: RoleClassifier, **audit_options: Any
                ) -> Comparison:
    """Audit ``old`` and ``new`` (each one organisation's documents) and compare them; ``audit_options`` go to
    :func:`roleclassify.orgaudit.audit` for both."""
    from .orgaudit import audit

    a = audit(old, model, **audit_options)
    b = audit(new, model, **audit_options)
    return compare_org_reports(a, b, model.tokenizer)


def _job_text(path: str, encoding: str | None) -> tuple[str, int]:
    """The text of a file holding one job description (any input ``tag`` reads, taken whole) and the file line
    its text starts on (1 where the reader gives no line, as for Excel or Word)."""
    from .errors import RecordError
    from .io.readers import iter_records

    records = [r for r in iter_records([path], unit="document", encoding=encoding)]
    errors = [r for r in records if isinstance(r, RecordError)]
    good = [r for r in records if not isinstance(r, RecordError)]
    if errors and not good:
        raise InputError(str(errors[0]))
    if len(good) != 1:
        raise InputError(f"{path}: compare --kind job takes one job description per file, found {len(good)}")
    line = good[0].location.rsplit(":", 1)[-1]
    return good[0].text, int(line) if line.isdigit() else 1


def _sentence_lines(text: str, first: int, n_sentences: int) -> list[int] | None:
    """The file line of each of ``text``'s ``n_sentences`` sentences (as tagging cut them), its first line being
    ``first``; None where they cannot be told apart line by line."""
    from .text import split_lines, split_sentences

    lines = [first + k for k, line in enumerate(split_lines(text)) for _ in split_sentences(line)]
    return lines if len(lines) == n_sentences else None


def _job_units(path: str, tagged: dict[str, Any], text: str, first: int) -> list[_Unit]:
    """A job description's tagged sentences as compare's units (no department), each with its file and line."""
    from .orgaudit import DutyResult

    lines = _sentence_lines(text, first, len(tagged["sentences"]))
    return [("", DutyResult(s["text"], f"{path}:{lines[k]}" if lines else path, list(s["labels"]), s["scores"],
                            review=bool(s.get("review")), duties=[d["duty"] for d in s.get("duties") or ()]))
            for k, s in enumerate(tagged["sentences"])]


def compare_jobs(old: str, new: str, model: RoleClassifier, *, encoding: str | None = None) -> Comparison:
    """Two job descriptions (files) compared: main roles and duties before and after; sentences kept, reworded
    (the most alike left over, as in :func:`compare_org_reports`), added and removed, each with its line."""
    (a, first_a), (b, first_b) = _job_text(old, encoding), _job_text(new, encoding)
    ta, tb = model.tag_dicts([a, b])
    ou, nu = _job_units(old, ta, a, first_a), _job_units(new, tb, b, first_b)
    exact, left_old, left_new = _exact_pairs(ou, nu)
    changes = [_change("reworded", ou[i], nu[j]) for i, j in _reworded_pairs(ou, nu, left_old, left_new,
                                                                               model.tokenizer)]
    changes += [_change("added", None, nu[j]) for j in sorted(left_new)]
    changes += [_change("removed", ou[i], None) for i in sorted(left_old)]
    changes.sort(key=lambda c: CHANGE_KINDS.index(c.kind))
    return Comparison("job", [old], [new], changes, kept=len(exact),
                      roles={"old": list(ta["labels"]), "new": list(tb["labels"])},
                      duties={"old": [d["duty"] for d in ta.get("duties") or ()],
                              "new": [d["duty"] for d in tb.get("duties") or ()]},
                      duty_list=list(model.duty_head.duties) if model.duty_head is not None else [])
