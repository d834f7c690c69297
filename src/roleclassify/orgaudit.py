"""Organisation audit: which department does which kind of work, where roles cross, overlap or have no owner.

Every duty sentence of every department is tagged with the role model. From the tags:

- ``crossing``: a department whose name (or ``--expect``) says it does role E has duties of another role R;
- ``shared``: the work of one role is spread over two or more departments (with the split);
- ``duplicate``: two departments state near-identical duties (Jaccard similarity of their content lemmas);
- ``ownerless``: a role of the model's label set that no department does.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AuditError, OptionError, option
from .labels import display_label
from .orgdocs import Duty, OrgDocument, read_org_documents

if TYPE_CHECKING:  # pragma: no cover
    from .model import RoleClassifier
    from .tokenize import Token

__all__ = [
    "audit",
    "audit_documents",
    "failing_findings",
    "fail_on_kinds",
    "finding_key",
    "score_findings",
    "AuditReport",
    "Department",
    "DutyResult",
    "Finding",
    "FINDING_TEMPLATES",
    "finding_text",
    "infer_role",
    "lemma_similarity",
    "KINDS",
    "SEVERITIES",
    "FAIL_ON_CHOICES",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_DUPLICATE_THRESHOLD",
]

KINDS = ("crossing", "shared", "duplicate", "ownerless")
#: Names of finding groups a caller may fail on, besides the kinds themselves (overlap: a role done outside
#: its department or by several).
_FAIL_ON_GROUPS: dict[str, tuple[str, ...]] = {"overlap": ("crossing", "shared"), "any": KINDS}
#: What :func:`failing_findings` accepts (``roleclassify audit --fail-on``), in the order the CLI lists them.
FAIL_ON_CHOICES = ("overlap", *KINDS, "any")
#: Score a duty needs (besides the tagging threshold) to count as a role's work.
DEFAULT_MIN_SCORE = 0.5
#: Content-lemma similarity from which two departments' duties are duplicates.
DEFAULT_DUPLICATE_THRESHOLD = 0.6
SEVERITIES = ("high", "medium", "low")
_SEV_RANK = {"high": 0, "medium": 1, "low": 2}
_KIND_RANK = {"ownerless": 0, "crossing": 1, "duplicate": 2, "shared": 3}

#: Name fragments that say which role a department does, checked in this order (販売促進 before 販売, 営業事務
#: before 営業), per corpus/orgdocs/FINDINGS.md. ``None`` marks names whose role comes from their work.
ROLE_NAME_RULES: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("営業推進", "営業企画", "経営企画")),
    ("distribution", ("営業事務", "営業管理")),
    ("marketing", ("販売促進", "販促", "販売推進", "販売企画", "マーケティング", "マーケ", "宣伝", "広告", "広報",
                   "プロモーション", "ブランド", "marketing")),
    ("sales", ("営業", "セールス", "外商", "sales")),
    ("distribution", ("販売", "受注", "受発注", "業務部", "業務課", "業務管理", "物流", "配送", "出荷", "倉庫", "店舗",
                      "売場", "通販", "カスタマーサポート", "ロジスティクス", "logistics")),
    ("marketing", ("企画",)),
)
#: Latin abbreviations that name a role only as whole words (EC in "section" is not EC).
_ROLE_NAME_WORDS = (("distribution", re.compile(r"(?<![a-z])(ec|cs)(?![a-z])")),)
#: A department whose name states no role takes the role most of its units have when role work is at least
#: this share of its units (FINDINGS.md), else it is expected to do no role work.
DE_FACTO_SHARE = 1 / 3
#: Units of a role a department expected to do no role work needs for a crossing (one stray unit is none).
NO_ROLE_CROSSING_UNITS = 2
#: Units of a role the whole organisation needs for the role not to be ownerless.
OWNERLESS_UNITS = 2
#: Content-lemma similarity of two units of one role in two departments for them to hold the same duty.
SHARED_SIMILARITY = 0.5
#: Departments one duplicated duty may join before it is reported once as boilerplate, not pair by pair.
BOILERPLATE_DEPARTMENTS = 6
_STOP_LEMMAS = frozenset(
    "関する こと 及び 並びに 等 業務 担当 行う する 事項 もの ため よう 全般 各種 対応 実施 管理 おこなう いたす 致す".split()
)
_CONTENT_TAGS = ("名詞", "動詞", "形容詞", "形状詞", "接頭辞")

#: A finding's text in English and Japanese, by template name. A finding keeps its template and values
#: (:attr:`Finding.template`, :attr:`Finding.params`), so a report can show it in either language;
#: :attr:`Finding.message` is the English text. Values named ``role`` and ``expected`` are label keys (shown
#: with :func:`~roleclassify.labels.display_label`), ``source`` says where the expected role comes from, and a
#: list is a list of departments.
FINDING_TEMPLATES: dict[str, dict[str, str]] = {
    "crossing": {
        "en": "{department} (expected: {expected}, from its {source}) does {role} work: {count} of {total} duties",
        "ja": "{department}（想定役割: {expected}、根拠: {source}）が{role}の業務を行っています: 全{total}件中{count}件",
    },
    "shared_same": {
        "en": "the same {role} duty is held by {alike}",
        "ja": "{role}の同じ業務を{alike}が担当しています",
    },
    "shared_split": {
        "en": "{role} work is split over {departments}",
        "ja": "{role}の業務が{departments}に分かれています",
    },
    "shared_same_split": {
        "en": "the same {role} duty is held by {alike}; {role} work is split over {departments}",
        "ja": "{role}の同じ業務を{alike}が担当しています。{role}の業務は{departments}に分かれています",
    },
    "duplicate": {
        "en": "{a} and {b} state the same duty ({pairs} pair(s), similarity up to {similarity})",
        "ja": "{a}と{b}に同じ業務が記載されています（{pairs}組、類似度 最大{similarity}）",
    },
    "boilerplate": {
        "en": "one duty is stated by {n} departments (boilerplate?): {text}",
        "ja": "同じ業務が{n}部署に記載されています（定型文の可能性）: {text}",
    },
    "ownerless": {
        "en": "no department does {role} work",
        "ja": "{role}の業務を担当する部署がありません",
    },
    "ownerless_trace": {
        "en": "no department does {role} work beyond a trace ({traces})",
        "ja": "{role}の業務を担当する部署がありません（わずかな記載のみ: {traces}）",
    },
}
#: Words the templates' values become, per language: no expected role, where an expected role comes from, the
#: separator of a list of departments.
_NO_ROLE = {"en": "no role work", "ja": "役割業務なし"}
_SOURCES = {
    "en": {"name": "name", "expect": "expect", "work": "work", None: "name and work"},
    "ja": {"name": "部署名", "expect": "指定", "work": "業務内容", None: "部署名と業務内容"},
}
_LIST_SEP = {"en": ", ", "ja": "、"}


def _shown(key: str, value: Any, lang: str) -> str:
    """A template value as text in ``lang``."""
    if key in ("role", "expected"):
        return display_label(value, lang) if value is not None else _NO_ROLE[lang]
    if key == "source":
        return _SOURCES[lang].get(value, str(value))
    if isinstance(value, (list, tuple)):
        return _LIST_SEP[lang].join(map(str, value))
    return str(value)


def finding_text(template: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """The text of template ``template`` of :data:`FINDING_TEMPLATES` with ``params``, in ``lang`` (en or ja)."""
    text = FINDING_TEMPLATES[template]
    if lang not in text:
        raise OptionError(f"cannot show a finding in {lang!r}: expected one of {', '.join(text)}", param="lang")
    return text[lang].format(**{k: _shown(k, v, lang) for k, v in params.items()})


def infer_role(name: str, labels: Sequence[str]) -> str | None:
    """The role a department name states, if any (営業部 -> sales, 販売促進課 -> marketing, 総務部 -> None;
    営業推進部 -> None: its role comes from its work)."""
    norm = unicodedata.normalize("NFKC", name).lower()
    for role, words in ROLE_NAME_RULES:
        if (role is None or role in labels) and any(w.lower() in norm for w in words):
            return role
    for role, word in _ROLE_NAME_WORDS:
        if role in labels and word.search(norm):
            return role
    for label in labels:  # a user's own taxonomy: the label written in the name
        if label.lower() in norm:
            return label
    return None


def de_facto_role(counts: Mapping[str, int], labels: Sequence[str], n_units: int) -> str | None:
    """The role of a department whose name states none: the role most of its units have when role work is at
    least :data:`DE_FACTO_SHARE` of its units, else None (expected to do no role work)."""
    role_units = sum(counts.get(l, 0) for l in labels)
    if not n_units or role_units < DE_FACTO_SHARE * n_units:
        return None
    best = max(labels, key=lambda l: counts.get(l, 0))
    return best if counts.get(best, 0) else None


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
    #: The :data:`FINDING_TEMPLATES` entry and values ``message`` was made from (None: a message of its own).
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str, severity: str, role: str | None, departments: list[str], template: str,
           params: dict[str, Any], evidence: list[dict[str, str]], detail: dict[str, Any]) -> Finding:
        """A finding whose message is ``template`` filled with ``params`` (its English text)."""
        return cls(kind, severity, role, departments, finding_text(template, params), evidence, detail,
                   template, params)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``ja``); a finding with a message of its own has only that."""
        if self.template is None or lang == "en":
            return self.message
        return finding_text(self.template, self.params, lang)

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data: its English message, not its template."""
        d = asdict(self)
        del d["template"], d["params"]
        return d

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


def _matches(found: tuple, e: dict[str, Any], matcher: str) -> bool:
    """Whether a found finding's key is the expected finding ``e`` (corpus/orgdocs/FINDINGS.md, "Matching"):
    the ``exact`` matcher wants the same kind, role and departments; the ``core`` matcher also accepts a shared
    role whose departments hold the expected ``core`` ones (all of them when no core is given) and at most one
    more."""
    if found == _expected_key(e):
        return True
    if matcher == "core" and e["kind"] == "shared" and found[0] == "shared" and found[1] == e.get("role"):
        core = set(e.get("core") or e["departments"])
        return core <= set(found[2]) and len(set(found[2]) - core) <= 1
    return False


def score_findings(
    found: Iterable[Finding | tuple], expected: Sequence[dict[str, Any]], *, matcher: str = "core"
) -> dict[str, Any]:
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
        hit = next((i for i, e in enumerate(expected) if i not in matched_expected and _matches(k, e, matcher)), None)
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
            "findings": [f.to_dict() for f in self.findings],
        }


def fail_on_kinds(fail_on: Iterable[str]) -> frozenset[str]:
    """The finding kinds that the names in ``fail_on`` (of :data:`FAIL_ON_CHOICES`) stand for: ``overlap`` is
    crossing and shared, ``any`` every kind, a kind itself."""
    kinds: set[str] = set()
    for name in fail_on:
        if name not in FAIL_ON_CHOICES:
            raise AuditError(f"cannot fail on {name!r}: expected one of {', '.join(FAIL_ON_CHOICES)}")
        kinds.update(_FAIL_ON_GROUPS.get(name, (name,)))
    return frozenset(kinds)


def failing_findings(report: AuditReport, fail_on: Iterable[str]) -> list[Finding]:
    """The findings of ``report`` whose kind ``fail_on`` names (see :func:`fail_on_kinds`), in report order:
    a check that gates on an audit (``roleclassify audit --fail-on``, exit code 3) fails when there are any."""
    kinds = fail_on_kinds(fail_on)
    return [f for f in report.findings if f.kind in kinds]


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


def _content_lemmas(texts: Sequence[str], tokenizer: Callable[[str], Sequence[Token]]) -> list[list[str]]:
    from .text import normalize, strip_marker

    out = []
    for t in texts:
        toks = tokenizer(normalize(strip_marker(t)))
        out.append([x.lemma for x in toks if x.tag.startswith(_CONTENT_TAGS) and x.lemma not in _STOP_LEMMAS])
    return out


def _ev(dept: str, d: DutyResult) -> dict[str, str]:
    return {"department": dept, "text": d.text, "location": d.location}


#: A duty and the department that states it; the audit's pairwise similarities index a list of these.
_Owner = tuple[Department, DutyResult]


def _check_expect(expect: Mapping[str, str], labels: Sequence[str], names: Sequence[str]) -> None:
    """Refuse an ``expect`` entry whose role is not a label of the model or whose department is not in the
    documents."""
    for dept, wanted in expect.items():
        if wanted not in labels:
            raise AuditError(f"{option('expect', f'{dept}={wanted}')}: {wanted!r} is not a label of the model ({', '.join(labels)})")
    unknown = sorted(set(expect) - set(names))
    if unknown:
        raise AuditError(f"{option('expect')} names department(s) not found in the documents: {', '.join(unknown)} "
                         f"(departments: {', '.join(names)})")


def _merge_departments(docs: Sequence[OrgDocument]) -> dict[str, tuple[list[str], list[Duty]]]:
    """Department -> (its files, its duties): sections of one department across files are one department, in
    first-seen order."""
    merged: dict[str, tuple[list[str], list[Duty]]] = {}
    for doc in docs:
        for sec in doc.sections:
            files, duties = merged.setdefault(sec.department, ([], []))
            if sec.file not in files:
                files.append(sec.file)
            duties.extend(sec.duties)
    return merged


def _score_duties(
    duties: Sequence[Duty], model: RoleClassifier, *, threshold: float | None, min_score: float
) -> list[DutyResult]:
    """Tag each duty as a whole. A duty counts as a role's work when its score passes the tagging threshold
    and ``min_score``: findings are claims about an organisation, so a duty the model is unsure of makes none."""
    labels = list(model.labels)
    tags = model.tag([d.text for d in duties], threshold=threshold, split=False)
    bars = {l: max(float(threshold if threshold is not None else t), min_score) for l, t in zip(labels, model.thresholds_)}
    return [
        DutyResult(d.text, d.location, [l for l in labels if t.scores[l] >= bars[l]], t.scores)
        for d, t in zip(duties, tags)
    ]


def _expected_role(
    name: str, counts: Mapping[str, int], labels: Sequence[str], n_units: int, expect: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The role a department is expected to do and where that comes from: ``expect``, else its name, else its
    work (:func:`de_facto_role`); ``(None, None)`` for a department expected to do no role work."""
    if name in expect:
        return expect[name], "expect"
    role = infer_role(name, labels)
    if role is not None:
        return role, "name" if role else None
    role = de_facto_role(counts, labels, n_units)
    return role, "work" if role else None


def _department(
    name: str, files: list[str], results: list[DutyResult], labels: Sequence[str], expect: Mapping[str, str]
) -> Department:
    """A department from its tagged duties: role counts (``other`` for duties of no role), shares of its role
    work and its expected role."""
    counts = {l: sum(1 for r in results if l in r.labels) for l in labels}
    counts["other"] = sum(1 for r in results if not r.labels)
    role, source = _expected_role(name, counts, labels, len(results), expect)
    role_total = sum(counts[l] for l in labels)
    shares = {l: round(counts[l] / role_total, 4) if role_total else 0.0 for l in labels}
    return Department(name, role, source, files, results, counts, shares)


def _crossings(departments: Sequence[Department], labels: Sequence[str]) -> list[Finding]:
    """A department doing work of a role other than its expected one."""
    findings = []
    for d in departments:
        for role in labels:
            if role == d.expected_role:
                continue
            sents = d.sentences_of(role)
            # one unit is enough where the name states a role; a department expected to do no role work
            # (a back office, a technical department) needs several
            if not sents or (d.expected_role is None and len(sents) < NO_ROLE_CROSSING_UNITS):
                continue
            sev = "high" if len(sents) >= 2 or d.shares.get(role, 0) >= 0.34 else "medium"
            findings.append(Finding.of(
                "crossing", sev, role, [d.name], "crossing",
                {"department": d.name, "expected": d.expected_role, "source": d.role_source, "role": role,
                 "count": len(sents), "total": len(d.duties)},
                [_ev(d.name, s) for s in sents],
                {"expected_role": d.expected_role, "count": len(sents), "share": d.shares.get(role, 0.0)},
            ))
    return findings


def _similarities(
    departments: Sequence[Department], tokenizer: Callable[[str], Sequence[Token]]
) -> tuple[list[_Owner], dict[tuple[int, int], float]]:
    """Every duty with its department, and the content-lemma similarity of each pair of duties of two different
    departments (by their indexes in that list)."""
    owners = [(d, r) for d in departments for r in d.duties]
    lemmas = _content_lemmas([r.text for _, r in owners], tokenizer)
    sims: dict[tuple[int, int], float] = {}
    for i, j in itertools.combinations(range(len(owners)), 2):
        if owners[i][0].name != owners[j][0].name:
            sims[i, j] = lemma_similarity(lemmas[i], lemmas[j])
    return owners, sims


def _same_duty_holders(
    role: str, owners: Sequence[_Owner], sims: Mapping[tuple[int, int], float]
) -> dict[str, list[DutyResult]]:
    """Department -> its units of ``role`` that are alike (:data:`SHARED_SIMILARITY`) a unit of ``role`` of
    another department."""
    holders: dict[str, list[DutyResult]] = {}
    for (i, j), sim in sims.items():
        (da, ra), (db, rb) = owners[i], owners[j]
        if sim >= SHARED_SIMILARITY and role in ra.labels and role in rb.labels:
            for dd, rr in ((da, ra), (db, rb)):
                lst = holders.setdefault(dd.name, [])
                if rr not in lst:
                    lst.append(rr)
    return holders


def _shared_role(
    role: str, departments: Sequence[Department], owners: Sequence[_Owner], sims: Mapping[tuple[int, int], float]
) -> Finding | None:
    """The shared-role finding of one role, if its work sits in two or more departments."""
    holders = _same_duty_holders(role, owners, sims)
    # several departments whose expected role is this one, each doing it (sales split by customer segment,
    # distribution over order desk, delivery and customer service): the role is shared, even in other
    # words. Measured on real department pages this rule is right more often than not (precision 0.625,
    # recall 0.667 with it, 0.462 / 0.429 without; bench/audit_check.py), though corpus/orgdocs/FINDINGS.md
    # calls a chain of different duties a flow; such findings are low severity unless duties also match.
    same_role = [d for d in departments if d.expected_role == role and d.sentences_of(role)]
    by_duty = set(holders)
    if len(same_role) >= 2:
        for d in same_role:
            lst = holders.setdefault(d.name, [])
            lst.extend(r for r in d.sentences_of(role) if r not in lst)
    if len(holders) < 2:
        return None
    order = [d.name for d in departments if d.name in holders]
    split = {n: len(holders[n]) for n in order}
    alike = [n for n in order if n in by_duty]
    sev = "medium" if len(alike) >= 2 and sum(1 for n in alike if split[n] >= 2) >= 2 else "low"
    same = len(alike) >= 2
    spread = any(n not in alike for n in order)
    template = "shared_same_split" if same and spread else "shared_same" if same else "shared_split"
    return Finding.of(
        "shared", sev, role, order, template, {"role": role, "alike": alike, "departments": order},
        [_ev(n, r) for n in order for r in holders[n]],
        {"split": split, "same_duty": alike},
    )


def _shared_roles(
    departments: Sequence[Department], labels: Sequence[str], owners: Sequence[_Owner],
    sims: Mapping[tuple[int, int], float],
) -> list[Finding]:
    """A role whose same duty (units of that role alike in content) sits in two or more departments; different
    duties of one role in different departments are its flow, not a finding."""
    found = (_shared_role(role, departments, owners, sims) for role in labels)
    return [f for f in found if f is not None]


def _pair_duplicate(
    a: str, b: str, dup: Sequence[tuple[int, int, float]], owners: Sequence[_Owner], labels: Sequence[str]
) -> Finding:
    """The duplicate finding of departments ``a`` and ``b``: ``dup`` holds (duty of a, duty of b, similarity)."""
    best = max(sim for *_, sim in dup)
    dup_role = next((l for i, j, _ in dup for l in labels if l in owners[i][1].labels and l in owners[j][1].labels),
                    None)
    return Finding.of(
        "duplicate", "high" if best >= 0.9 else "medium", dup_role, [a, b], "duplicate",
        {"a": a, "b": b, "pairs": len(dup), "similarity": f"{best:.2f}"},
        [e for i, j, _ in dup for e in (_ev(a, owners[i][1]), _ev(b, owners[j][1]))],
        {"similarity": round(best, 3), "pairs": [[owners[i][1].text, owners[j][1].text] for i, j, _ in dup]},
    )


def _boilerplate(members: list[str], units: Sequence[int], owners: Sequence[_Owner]) -> Finding:
    """The one low finding of a duty that ``members`` (departments, in order) all state; ``units`` are the
    indexes of its duties in ``owners``."""
    texts = sorted({owners[i][1].text for i in units})
    return Finding.of(
        "duplicate", "low", None, members, "boilerplate", {"n": len(members), "text": texts[0]},
        [_ev(owners[i][0].name, owners[i][1]) for i in units][:50],
        {"boilerplate": True, "texts": texts[:20]},
    )


def _duplicates(
    departments: Sequence[Department], labels: Sequence[str], owners: Sequence[_Owner],
    sims: Mapping[tuple[int, int], float], duplicate_threshold: float,
) -> list[Finding]:
    """One finding per department pair, listing every duplicated duty side by side; a duty that joins
    :data:`BOILERPLATE_DEPARTMENTS` or more departments is one boilerplate finding, not a finding per pair."""
    from .corpus_tools import union_groups

    edges = [(i, j, sim) for (i, j), sim in sims.items() if sim >= duplicate_threshold]
    group = union_groups(len(owners), edges)
    clusters: dict[int, set[str]] = {}
    for i, j, _ in edges:
        clusters.setdefault(group[i], set()).update((owners[i][0].name, owners[j][0].name))
    big = {c for c, depts in clusters.items() if len(depts) >= BOILERPLATE_DEPARTMENTS}
    pairs: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    position = {d.name: k for k, d in enumerate(departments)}
    for i, j, sim in edges:
        if group[i] in big:
            continue
        a, b = sorted((owners[i][0].name, owners[j][0].name), key=position.__getitem__)
        pairs.setdefault((a, b), []).append((i, j, sim) if owners[i][0].name == a else (j, i, sim))
    findings = [_pair_duplicate(a, b, dup, owners, labels) for (a, b), dup in pairs.items()]
    for c in big:
        members = sorted(clusters[c], key=position.__getitem__)
        findings.append(_boilerplate(members, [i for i in range(len(owners)) if group[i] == c], owners))
    return findings


def _ownerless(departments: Sequence[Department], labels: Sequence[str]) -> list[Finding]:
    """A role of the label set with fewer than :data:`OWNERLESS_UNITS` units in the whole organisation."""
    findings = []
    for role in labels:
        total = sum(d.counts.get(role, 0) for d in departments)
        if total < OWNERLESS_UNITS:
            traces = [d.name for d in departments if d.counts.get(role)]
            findings.append(Finding.of(
                "ownerless", "high" if total == 0 else "medium", role, [],
                "ownerless_trace" if traces else "ownerless", {"role": role, "traces": traces},
                [_ev(d.name, r) for d in departments for r in d.sentences_of(role)],
                {"units": total},
            ))
    return findings


def _findings(
    departments: Sequence[Department], labels: Sequence[str], tokenizer: Callable[[str], Sequence[Token]],
    duplicate_threshold: float,
) -> list[Finding]:
    """The four detectors' findings, most severe first (by kind within a severity, else as found)."""
    owners, sims = _similarities(departments, tokenizer)
    findings = [
        *_crossings(departments, labels),
        *_shared_roles(departments, labels, owners, sims),
        *_duplicates(departments, labels, owners, sims, duplicate_threshold),
        *_ownerless(departments, labels),
    ]
    findings.sort(key=lambda f: (_SEV_RANK[f.severity], _KIND_RANK[f.kind]))
    return findings


def audit_documents(
    docs: Sequence[OrgDocument],
    model: RoleClassifier,
    *,
    expect: Mapping[str, str] | None = None,
    duplicate_threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    threshold: float | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> AuditReport:
    """Audit already-read documents (see :func:`audit` for files)."""
    labels = list(model.labels)
    expect = dict(expect or {})
    merged = _merge_departments(docs)
    _check_expect(expect, labels, list(merged))
    results = iter(_score_duties([d for _, duties in merged.values() for d in duties], model,
                                 threshold=threshold, min_score=min_score))
    departments = [
        _department(name, files, [next(results) for _ in duties], labels, expect)
        for name, (files, duties) in merged.items()
    ]
    return AuditReport(
        documents=[doc.path for doc in docs],
        labels=labels,
        departments=departments,
        findings=_findings(departments, labels, model.tokenizer, duplicate_threshold),
        settings={"duplicate_threshold": duplicate_threshold, "threshold": threshold, "min_score": min_score,
                  "expect": expect},
    )


def audit(
    paths: Iterable[str | Path],
    model: RoleClassifier | None = None,
    *,
    expect: Mapping[str, str] | None = None,
    duplicate_threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    threshold: float | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    encoding: str | None = None,
    dept_column: str | None = None,
    duty_column: str | None = None,
    sheet: str | None = None,
) -> AuditReport:
    """Read organisation documents (files or a directory), tag every duty and report the findings.

    All inputs are taken as one organisation: sections with the same department name are merged.
    """
    if model is None:
        from .model import load

        model = load()
    docs = read_org_documents(paths, encoding=encoding, dept_column=dept_column, duty_column=duty_column,
                              sheet=sheet)
    return audit_documents(
        docs, model, expect=expect, duplicate_threshold=duplicate_threshold, threshold=threshold,
        min_score=min_score,
    )
