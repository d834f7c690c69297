"""Organisation audit: which department does which kind of work, where roles cross, overlap or have no owner.

Every duty sentence of every department is tagged with the role model. From the tags:

- ``crossing``: a department whose name (or ``--expect``) says it does role E has duties of another role R;
- ``shared``: the work of one role is spread over two or more departments (with the split);
- ``duplicate``: two departments state near-identical duties (Jaccard similarity of their content lemmas);
- ``ownerless``: a role of the model's label set that no department does.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AuditError
from .orgdocs import OrgDocument, read_org_documents

if TYPE_CHECKING:  # pragma: no cover
    from .model import RoleClassifier

__all__ = [
    "audit",
    "audit_documents",
    "finding_key",
    "score_findings",
    "AuditReport",
    "Department",
    "DutyResult",
    "Finding",
    "infer_role",
    "lemma_similarity",
    "KINDS",
    "SEVERITIES",
]

KINDS = ("crossing", "shared", "duplicate", "ownerless")
SEVERITIES = ("high", "medium", "low")
_SEV_RANK = {"high": 0, "medium": 1, "low": 2}
_KIND_RANK = {"ownerless": 0, "crossing": 1, "duplicate": 2, "shared": 3}

#: Name fragments that say which role a department does, checked in this order (販売促進 before 販売).
ROLE_NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("marketing", ("販売促進", "販促", "マーケティング", "マーケ", "宣伝", "広告", "広報", "プロモーション", "marketing")),
    ("sales", ("営業", "セールス", "外商", "sales")),
    ("distribution", ("販売", "受注", "受発注", "物流", "配送", "店舗", "業務管理", "出荷", "倉庫", "ロジスティクス", "EC", "通販", "logistics")),
)
_STOP_LEMMAS = frozenset(
    "関する こと 及び 並びに 等 業務 担当 行う する 事項 もの ため よう 全般 各種 対応 実施 管理 おこなう いたす 致す".split()
)
_CONTENT_TAGS = ("名詞", "動詞", "形容詞", "形状詞", "接頭辞")


def infer_role(name: str, labels: Sequence[str]) -> str | None:
    """The role a department name states, if any (営業部 -> sales, 販売促進課 -> marketing, 総務部 -> None)."""
    norm = unicodedata.normalize("NFKC", name).lower()
    for role, words in ROLE_NAME_RULES:
        if role in labels and any(w.lower() in norm for w in words):
            return role
    for label in labels:  # a user's own taxonomy: the label written in the name
        if label.lower() in norm:
            return label
    return None


@dataclass
class DutyResult:
    """A tagged duty sentence."""

    text: str
    location: str
    labels: list[str]
    scores: dict[str, float]


@dataclass
class Department:
    """A department's duties, role counts and shares, and the role its name states."""

    name: str
    expected_role: str | None
    role_source: str | None  # "name", "expect" or None
    files: list[str]
    duties: list[DutyResult]
    counts: dict[str, int] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)

    def sentences_of(self, role: str) -> list[DutyResult]:
        return [d for d in self.duties if role in d.labels]


@dataclass
class Finding:
    """One audit finding with its evidence (department, text, location)."""

    kind: str
    severity: str
    role: str | None
    departments: list[str]
    message: str
    evidence: list[dict[str, str]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


    @property
    def key(self) -> tuple:
        """What identifies the finding when comparing audits: see :func:`finding_key`."""
        return finding_key(self.kind, self.departments, self.role)


def finding_key(kind: str, departments: Sequence[str], role: str | None) -> tuple:
    """What identifies a finding, the same for a :class:`Finding` and for an entry of an ``expected`` file:
    a crossing by its department and role, a shared role by the role and its departments, a duplicate by its
    departments, an ownerless role by the role."""
    if kind == "crossing":
        return (kind, departments[0], role)
    if kind == "shared":
        return (kind, role, tuple(sorted(departments)))
    if kind == "duplicate":
        return (kind, tuple(sorted(departments)))
    return (kind, role)


def _expected_key(e: dict[str, Any]) -> tuple:
    return finding_key(e["kind"], e.get("departments") or [e.get("department")], e.get("role"))


def _matches(found: tuple, e: dict[str, Any]) -> bool:
    """Whether a found finding's key is the expected finding ``e``. A shared role matches when its
    departments include the expected ``core`` ones (all of them when no core is given) and hold no department
    outside the expected list."""
    if e["kind"] == "shared" and found[0] == "shared" and e.get("core"):
        return found[1] == e.get("role") and set(e["core"]) <= set(found[2]) <= set(e["departments"])
    return found == _expected_key(e)


def score_findings(found: Iterable[Finding | tuple], expected: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Compare an audit's findings with expected ones (entries of an ``expected`` file: ``kind``, ``role``,
    ``department`` or ``departments``, optional ``core`` and ``confidence``).

    An expected finding of ``"confidence": "low"`` is optional: found, it counts as correct; missed, it is not
    counted against recall. Returns ``{"tp", "fp", "fn", "missing", "extra"}`` (``missing`` and ``extra`` as
    finding keys).
    """
    keys = [f.key if isinstance(f, Finding) else tuple(f) for f in found]
    matched_expected: set[int] = set()
    extra = []
    tp = 0
    for k in dict.fromkeys(keys):
        hit = next((i for i, e in enumerate(expected) if i not in matched_expected and _matches(k, e)), None)
        if hit is None:
            extra.append(k)
        else:
            matched_expected.add(hit)
            tp += 1
    missing = [
        _expected_key(e) for i, e in enumerate(expected)
        if i not in matched_expected and e.get("confidence") != "low"
    ]
    return {"tp": tp, "fp": len(extra), "fn": len(missing), "missing": missing, "extra": extra}


@dataclass
class AuditReport:
    """Departments, their role matrix and the findings, most severe first."""

    documents: list[str]
    labels: list[str]
    departments: list[Department]
    findings: list[Finding]
    settings: dict[str, Any] = field(default_factory=dict)

    def matrix(self) -> dict[str, dict[str, int]]:
        """Department -> role (and other) -> number of duty sentences."""
        return {d.name: dict(d.counts) for d in self.departments}

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "labels": self.labels,
            "settings": self.settings,
            "summary": {
                "departments": len(self.departments),
                "duties": sum(len(d.duties) for d in self.departments),
                "findings": {k: len(self.by_kind(k)) for k in KINDS},
            },
            "matrix": self.matrix(),
            "departments": [asdict(d) for d in self.departments],
            "findings": [asdict(f) for f in self.findings],
        }


def lemma_similarity(a: Sequence[str], b: Sequence[str], phrase: int = 3) -> float:
    """Similarity of two duties from their content lemmas (in order): the Jaccard similarity of the lemma
    sets, or 1.0 when they share a run of ``phrase`` or more consecutive content lemmas (the same duty phrase
    inside two longer sentences, e.g. 荷物 配送 設置)."""
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    jac = len(sa & sb) / len(sa | sb)
    if phrase and len(sa & sb) >= phrase:
        grams = {tuple(a[i : i + phrase]) for i in range(len(a) - phrase + 1)}
        if any(tuple(b[i : i + phrase]) in grams for i in range(len(b) - phrase + 1)):
            return 1.0
    return jac


def _content_lemmas(texts: Sequence[str], tokenizer) -> list[list[str]]:
    from .text import normalize, strip_marker

    out = []
    for t in texts:
        toks = tokenizer(normalize(strip_marker(t)))
        out.append([x.lemma for x in toks if x.tag.startswith(_CONTENT_TAGS) and x.lemma not in _STOP_LEMMAS])
    return out


def _ev(dept: str, d: DutyResult) -> dict[str, str]:
    return {"department": dept, "text": d.text, "location": d.location}


def audit_documents(
    docs: Sequence[OrgDocument],
    model: RoleClassifier,
    *,
    expect: Mapping[str, str] | None = None,
    duplicate_threshold: float = 0.6,
    threshold: float | None = None,
    min_score: float = 0.5,
) -> AuditReport:
    """Audit already-read documents (see :func:`audit` for files)."""
    labels = list(model.labels)
    expect = dict(expect or {})
    for dept, role in expect.items():
        if role not in labels:
            raise AuditError(f"--expect {dept}={role}: {role!r} is not a label of the model ({', '.join(labels)})")
    # merge sections of the same department across files, keep first-seen order
    merged: dict[str, tuple[list[str], list]] = {}
    for doc in docs:
        for sec in doc.sections:
            files, duties = merged.setdefault(sec.department, ([], []))
            if sec.file not in files:
                files.append(sec.file)
            duties.extend(sec.duties)
    names = list(merged)
    all_duties = [d for n in names for d in merged[n][1]]
    tags = model.tag([d.text for d in all_duties], threshold=threshold, split=False)
    # a duty is counted as a role's work when its score passes the tagging threshold and min_score: findings
    # are claims about an organisation, so a duty the model is unsure of does not make one
    bars = {l: max(float(threshold if threshold is not None else t), min_score) for l, t in zip(labels, model.thresholds_)}
    departments: list[Department] = []
    k = 0
    for name in names:
        files, duties = merged[name]
        results = []
        for d in duties:
            t = tags[k]
            k += 1
            results.append(DutyResult(d.text, d.location, [l for l in labels if t.scores[l] >= bars[l]], t.scores))
        if name in expect:
            role, source = expect[name], "expect"
        else:
            role = infer_role(name, labels)
            source = "name" if role else None
        counts = {l: sum(1 for r in results if l in r.labels) for l in labels}
        counts["other"] = sum(1 for r in results if not r.labels)
        role_total = sum(counts[l] for l in labels)
        shares = {l: round(counts[l] / role_total, 4) if role_total else 0.0 for l in labels}
        departments.append(Department(name, role, source, files, results, counts, shares))
    unknown = sorted(set(expect) - set(names))
    if unknown:
        raise AuditError(f"--expect names department(s) not found in the documents: {', '.join(unknown)} "
                         f"(departments: {', '.join(names)})")

    findings: list[Finding] = []
    # crossing
    for d in departments:
        if d.expected_role is None:
            continue
        for role in labels:
            if role == d.expected_role:
                continue
            sents = d.sentences_of(role)
            if not sents:
                continue
            sev = "high" if len(sents) >= 2 or d.shares.get(role, 0) >= 0.34 else "medium"
            findings.append(Finding(
                "crossing", sev, role, [d.name],
                f"{d.name} (expected: {d.expected_role}, from its {d.role_source}) does {role} work: "
                f"{len(sents)} of {len(d.duties)} duties",
                [_ev(d.name, s) for s in sents],
                {"expected_role": d.expected_role, "count": len(sents), "share": d.shares.get(role, 0.0)},
            ))
    # shared
    for role in labels:
        holders = [d for d in departments if d.counts.get(role)]
        if len(holders) < 2:
            continue
        split = {d.name: d.counts[role] for d in holders}
        total = sum(split.values())
        strong = sum(1 for v in split.values() if v >= 2)
        sev = "medium" if strong >= 2 else "low"
        findings.append(Finding(
            "shared", sev, role, [d.name for d in holders],
            f"{role} work is spread over {len(holders)} departments: "
            + ", ".join(f"{n} {v}/{total}" for n, v in split.items()),
            [_ev(d.name, s) for d in holders for s in d.sentences_of(role)],
            {"split": split, "share": {n: round(v / total, 4) for n, v in split.items()}},
        ))
    # duplicate duties across departments
    owners = [(d, r) for d in departments for r in d.duties]
    lemmas = _content_lemmas([r.text for _, r in owners], model.tokenizer)
    for (i, (da, ra)), (j, (db, rb)) in itertools.combinations(enumerate(owners), 2):
        if da.name == db.name:
            continue
        sim = lemma_similarity(lemmas[i], lemmas[j])
        if sim >= duplicate_threshold:
            role = next((l for l in labels if l in ra.labels and l in rb.labels), None)
            findings.append(Finding(
                "duplicate", "high" if sim >= 0.9 else "medium", role, [da.name, db.name],
                f"{da.name} and {db.name} state the same duty (similarity {sim:.2f})",
                [_ev(da.name, ra), _ev(db.name, rb)],
                {"similarity": round(sim, 3)},
            ))
    # ownerless roles
    for role in labels:
        if not any(d.counts.get(role) for d in departments):
            findings.append(Finding(
                "ownerless", "high", role, [],
                f"no department does {role} work",
                [],
                {},
            ))
    findings.sort(key=lambda f: (_SEV_RANK[f.severity], _KIND_RANK[f.kind]))
    return AuditReport(
        documents=[doc.path for doc in docs],
        labels=labels,
        departments=departments,
        findings=findings,
        settings={"duplicate_threshold": duplicate_threshold, "threshold": threshold, "min_score": min_score,
                  "expect": expect},
    )


def audit(
    paths: Iterable[str | Path],
    model: RoleClassifier | None = None,
    *,
    expect: Mapping[str, str] | None = None,
    duplicate_threshold: float = 0.6,
    threshold: float | None = None,
    min_score: float = 0.5,
    encoding: str | None = None,
    dept_column: str | None = None,
    duty_column: str | None = None,
) -> AuditReport:
    """Read organisation documents (files or a directory), tag every duty and report the findings.

    All inputs are taken as one organisation: sections with the same department name are merged.
    """
    if model is None:
        from .model import load

        model = load()
    docs = read_org_documents(paths, encoding=encoding, dept_column=dept_column, duty_column=duty_column)
    return audit_documents(
        docs, model, expect=expect, duplicate_threshold=duplicate_threshold, threshold=threshold,
        min_score=min_score,
    )
