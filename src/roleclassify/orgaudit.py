"""Organisation audit: which department does which kind of work, where roles cross, overlap or have no owner.

Every duty sentence of every department is tagged with the role model. From the tags:

- ``crossing``: a department whose name (or ``--expect``) says it does role E has duties of another role R;
- ``shared``: the work of one role is spread over two or more departments (with the split);
- ``duplicate``: two departments state the same duty, in the same or in other words (their content lemmas, or the
  model's duty head with a remaining overlap of words: :func:`meaning_duty_similarity`);
- ``ownerless``: a role of the model's label set that no department does.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .auditnames import (
    DEFAULT_DUPLICATE_THRESHOLD,
    DEFAULT_MIN_SCORE,
    FAIL_ON_CHOICES,
    KINDS,
    fail_on_kinds,
    failing_findings,
)
from .errors import AuditError, OptionError, option
from .labels import LABELS_JA, OTHER, display_label
from .orgdocs import Duty, OrgDocument, read_org_documents, reading_report

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
    "word_overlap",
    "lemma_duty_similarity",
    "DutySimilarity",
    "model_duty_similarity",
    "meaning_duty_similarity",
    "role_flows",
    "is_handoff",
    "is_staff_name",
    "parallel_key",
    "KINDS",
    "SEVERITIES",
    "FAIL_ON_CHOICES",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_DUPLICATE_THRESHOLD",
    "BUYING_DUTIES",
]

SEVERITIES = ("high", "medium", "low")
_SEV_RANK = {"high": 0, "medium": 1, "low": 2}
_KIND_RANK = {"ownerless": 0, "crossing": 1, "duplicate": 2, "shared": 3}

#: Name fragments that say which role a department does, checked in this order (販売促進 before 販売, 営業事務
#: before 営業), per corpus/orgdocs/FINDINGS.md. ``None`` marks names whose role comes from their work.
ROLE_NAME_RULES: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("営業推進", "営業企画")),
    ("distribution", ("営業事務", "営業管理")),
    ("marketing", ("販売促進", "販促", "販売推進", "販売企画", "マーケティング", "マーケ", "宣伝", "広告", "広報",
                   "プロモーション", "ブランド", "marketing")),
    ("sales", ("営業", "セールス", "外商", "sales")),
    ("distribution", ("販売", "受注", "受発注", "業務部", "業務課", "業務管理", "商品管理", "在庫管理", "物流", "配送",
                      "出荷", "倉庫", "店舗",
                      "売場", "通販", "カスタマーサポート", "カスタマーサービス", "ロジスティクス", "logistics")),
    ("marketing", ("企画",)),
)
#: Names of staff and technical functions (経理部, 総務課, 管理部, 商品部, 開発部, 品質保証部 ...), checked after
#: :data:`ROLE_NAME_RULES`: such a department is expected to do no role work whatever it does, so one certain
#: unit of a role in it is a crossing (経理部 issuing invoices, 商品部 negotiating with customers). Any other
#: name that states no role (メンテナンス, 施工, ドライバー職) is judged by its work (:func:`de_facto_role`).
STAFF_NAME_WORDS = ("経理", "会計", "財務", "総務", "人事", "労務", "法務", "監査", "秘書", "管理", "経営", "コーポレート",
                    "品質", "開発", "研究", "製造", "生産", "加工", "工場", "設計", "技術", "購買", "調達",
                    "仕入", "商品", "情報システム", "サービス")
#: Latin abbreviations that name a role only as whole words (EC in "section" is not EC).
_ROLE_NAME_WORDS = (("distribution", re.compile(r"(?<![a-z])(ec|cs)(?![a-z])")),)
#: A department whose name states no role takes the role most of its units have when role work is at least
#: this share of its units (FINDINGS.md), else it is expected to do no role work.
DE_FACTO_SHARE = 1 / 3
#: Units of a role a department expected to do no role work needs for a crossing (one stray unit is none).
NO_ROLE_CROSSING_UNITS = 2
#: Score a crossing supported by a single unit needs: one sentence against what a department is for is
#: evidence only when the model is sure of it (on the fixtures every planted one-unit crossing scores at least
#: 0.77 and the model's stray ones at most 0.71; bench/audit_check.py).
LONE_UNIT_SCORE = 0.75
#: Verbs of passing work on to another department (営業部の「注文の業務部への伝達」): such a unit that names
#: another department of the documents is a hand-off, part of the role's flow, not the department doing the
#: role's work.
_HANDOFF_RE = re.compile(r"(?:へ|に|への)(?:の)?(?:連絡|伝達|引き渡し|引渡し|引継ぎ|引き継ぎ|回付|取次ぎ|取り次ぎ|依頼|報告)")
#: A hand-off to some department, whichever it is (:data:`_HANDOFF_RE` after a department word).
_HANDOFF_ANY_RE = re.compile(r"(?:部|課|センター|室|係|チーム|グループ|部門)" + _HANDOFF_RE.pattern)
#: Units of a role the whole organisation needs for the role not to be ownerless.
OWNERLESS_UNITS = 2
#: Content-lemma similarity of two units of one role in two departments for them to hold the same duty.
SHARED_SIMILARITY = 0.5
#: Departments one duplicated duty may join before it is reported once as boilerplate, not pair by pair.
BOILERPLATE_DEPARTMENTS = 6
#: Lemmas that say nothing of what a duty is: function words written as nouns, the verbs of doing (行う, する),
#: the auxiliary verbs of prose (しています, してあります, しております: いる, ある, おる) and the verbs of compound
#: particles (について, に対する, に基づく, による, に関する).
_STOP_LEMMAS = frozenset(
    "関する こと 及び 並びに 等 業務 担当 行う する 事項 もの ため よう 全般 各種 対応 実施 管理 おこなう いたす 致す "
    "いる ある おる つく 対する 基づく よる".split()
)
#: Parts of speech whose lemmas say what a duty is. Prefixes (ご要望, お問い合わせ) and numbers (従業員100名)
#: are left out: three of them in a row made complementary duties look identical.
_CONTENT_TAGS = ("名詞", "動詞", "形容詞", "形状詞")
_NON_CONTENT_TAGS = ("名詞-数詞",)

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


def _name_rule(name: str, labels: Sequence[str]) -> tuple[str | None, str | None]:
    """The role a department name states and the name word that states it (営業 for 第一営業課), or
    ``(None, None)``; 営業推進 / 営業企画 give ``(None, word)``: their role comes from their work."""
    # 経営企画 (corporate planning) is a staff function, not the 企画 of a marketing department
    norm = unicodedata.normalize("NFKC", name).lower().replace("経営企画", "経営")
    for role, words in ROLE_NAME_RULES:
        if role is None or role in labels:
            word = next((w for w in words if w.lower() in norm), None)
            if word is not None:
                return role, word
    for role, pattern in _ROLE_NAME_WORDS:
        if role in labels:
            m = pattern.search(norm)
            if m:
                return role, m.group(1)
    for label in labels:  # a user's own taxonomy: the label written in the name
        if label.lower() in norm:
            return label, label.lower()
    return None, None


def infer_role(name: str, labels: Sequence[str]) -> str | None:
    """The role a department name states, if any (営業部 -> sales, 販売促進課 -> marketing, 総務部 -> None;
    営業推進部 -> None: its role comes from its work)."""
    return _name_rule(name, labels)[0]


def parallel_key(name: str, labels: Sequence[str]) -> tuple[str, str] | None:
    """What makes departments *parallel* (the same kind of department for different customers, regions or
    products: 第一営業課 / 第二営業課, 東日本物流センター / 西日本物流センター): the role their name states and
    the word stating it. Parallel departments split one role's work by scope; departments of one role named by
    different words (受注センター, 物流センター, 業務部) are the steps of its flow."""
    role, word = _name_rule(name, labels)
    return (role, word) if role is not None and word is not None else None


def is_staff_name(name: str) -> bool:
    """True when ``name`` names a staff or technical function and states no role (経理部, 開発部; not 業務管理部,
    whose name states distribution)."""
    norm = unicodedata.normalize("NFKC", name)
    return any(w in norm for w in STAFF_NAME_WORDS)


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
    #: Roles whose score is near their threshold (either side): labelled or not, the model is unsure.
    uncertain: list[str] = field(default_factory=list)
    #: The model's review flag for the unit (see :class:`~roleclassify.model.ReviewPolicy`).
    review: bool = False
    #: The duties the model's duty head gives the unit (ids of its duty list; empty without a duty head).
    duties: list[str] = field(default_factory=list)

    def certain(self, role: str) -> bool:
        """True when the unit is ``role``'s work and its score is not near the threshold."""
        return role in self.labels and role not in self.uncertain


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
    #: The department it comes under (a 課's 部), from the reading report.
    parent: str | None = None

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
    #: Per role, the departments its work passes through (:func:`role_flows`): shown, never a finding.
    flows: list[dict[str, Any]] = field(default_factory=list)
    #: What was read: departments with file, line range and parent, and the lines left out with the reason
    #: (:func:`roleclassify.orgdocs.reading_report`).
    reading: dict[str, Any] = field(default_factory=dict)
    #: The model's duty list (``id``, ``role``, ``ja``) when it has a duty head: the duty views below use it.
    duty_list: list[dict[str, Any]] = field(default_factory=list)

    def duty_matrix(self) -> dict[str, dict[str, int]]:
        """Department -> duty -> number of its duty sentences the duty head gives that duty (empty without a duty
        head)."""
        if not self.duty_list:
            return {}
        return {d.name: dict(Counter(k for r in d.duties for k in r.duties)) for d in self.departments}

    def duties_held_by_several(self) -> list[dict[str, Any]]:
        """Each duty that sentences of two or more departments are given (a hand-off to another department not
        counted), with those sentences side by side and the department suggested to own it: shown for the reader to judge (the same duty id is coarser than a
        duplicate: ``python bench/audit_check.py --model-duties``), never a finding on its own."""
        out = []
        names = [d.name for d in self.departments]
        for duty in self.duty_list:
            # a sentence handing the work on to another department (…を業務部へ連絡) does not hold it
            held = {d.name: [r.text for r in d.duties if duty["id"] in r.duties and not is_handoff(r.text, names)]
                    for d in self.departments}
            held = {name: texts for name, texts in held.items() if texts}
            if len(held) >= 2:
                out.append({"duty": duty["id"], "role": duty.get("role"), "departments": held,
                            **self._suggest(duty, list(held))})
        return out

    def duty_checklist(self) -> list[dict[str, Any]]:
        """The standard duties of each role (the duty list's duties of the roles audited) that no department's
        sentences are given, each with the department suggested to own it and why."""
        held = {k for d in self.departments for r in d.duties for k in r.duties}
        return [{"duty": duty["id"], "role": duty.get("role"), **self._suggest(duty, [d.name for d in self.departments])}
                for duty in self.duty_list if duty.get("role") in self.labels and duty["id"] not in held]

    def _suggest(self, duty: Mapping[str, Any], candidates: Sequence[str]) -> dict[str, Any]:
        """The department among ``candidates`` that fits ``duty`` best: one whose name states the duty's role,
        then the most sentences of that role, then the most sentences of the duty; with the reason."""
        role = duty.get("role")
        pool = [d for d in self.departments if d.name in candidates]
        if role not in self.labels:
            return {"suggested_owner": None, "because": "a duty outside the roles audited"}
        if not pool:
            return {"suggested_owner": None, "because": "no department does this role's work"}
        best = max(pool, key=lambda d: (d.expected_role == role, d.counts.get(role, 0),
                                        sum(duty["id"] in r.duties for r in d.duties)))
        if best.expected_role != role and not best.counts.get(role):
            return {"suggested_owner": None, "because": "no department does this role's work"}
        named = "name" if best.expected_role == role and best.role_source == "name" else \
            "expect" if best.expected_role == role else None
        n_role, n_all = best.counts.get(role, 0), len(best.duties)
        why = {"name": f"its name states {role}; ", "expect": f"it is expected to do {role}; ", None: ""}[named]
        return {"suggested_owner": best.name, "because": f"{why}{n_role} of its {n_all} duties are {role} work",
                "basis": {"role": role, "stated_by": named, "role_units": n_role, "units": n_all}}

    def uncertain_units(self) -> list[dict[str, Any]]:
        """Every unit the model is unsure of: a role near its threshold, or the model's review flag (two roles
        competing): department, text, location, the roles and the flag."""
        return [{"department": d.name, "text": r.text, "location": r.location,
                 "roles": list(r.uncertain) or list(r.labels), "review": r.review}
                for d in self.departments for r in d.duties if r.uncertain or r.review]

    def role_holding(self) -> list[dict[str, Any]]:
        """Per role: its units in the organisation, their share of all role work, the departments holding it
        (most units first) and whether it is held, weakly held or ownerless, with the floor
        (:data:`OWNERLESS_UNITS` units) the status is judged by."""
        owned = {f.role for f in self.findings if f.kind == "ownerless"}
        total = sum(d.counts.get(l, 0) for d in self.departments for l in self.labels)
        out = []
        for role in self.labels:
            units = sum(d.counts.get(role, 0) for d in self.departments)
            holders = sorted((d for d in self.departments if d.counts.get(role)), key=lambda d: -d.counts[role])
            status = "ownerless" if role in owned else "weakly held" if units < OWNERLESS_UNITS else "held"
            out.append({"role": role, "units": units, "share": round(units / total, 4) if total else 0.0,
                        "holders": [d.name for d in holders], "status": status, "floor": OWNERLESS_UNITS})
        return out

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
            "roles": self.role_holding(),
            "flows": self.flows,
            "uncertain": self.uncertain_units(),
            "reading": self.reading,
            **({"duty_matrix": self.duty_matrix(), "duties_held_by_several": self.duties_held_by_several(),
                "duty_checklist": self.duty_checklist()} if self.duty_list else {}),
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


def _content_lemmas(texts: Sequence[str], tokenizer: Callable[[str], Sequence[Token]]) -> list[list[str]]:
    from .text import normalize, strip_marker

    out = []
    for t in texts:
        toks = tokenizer(normalize(strip_marker(t)))
        out.append([x.lemma for x in toks if x.tag.startswith(_CONTENT_TAGS) and not x.tag.startswith(_NON_CONTENT_TAGS)
                    and x.lemma not in _STOP_LEMMAS])
    return out


#: Parts of a compound shorter than this are left out of its words (数 of 発注数, 日 of 出荷日: suffix-like).
_PART_CHARS = 2


@functools.lru_cache(maxsize=1)
def _finest_splitter() -> Any:
    """SudachiPy in split mode A (its shortest units), or None where SudachiPy is not installed."""
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError:  # pragma: no cover - a dependency of ginza
        return None
    return Dictionary().create(mode=SplitMode.A)


@functools.lru_cache(maxsize=65536)
def _lemma_parts(lemma: str) -> tuple[str, ...]:
    """The words inside one content lemma: SudachiPy's split mode C (the classifier's, GiNZA's) keeps compounds
    whole (発注数, 会社手配, 在庫管理), mode A splits them (発注 / 数, 会社 / 手配, 在庫 / 管理); the parts that are
    content words of :data:`_CONTENT_TAGS`, not stop lemmas and at least :data:`_PART_CHARS` long; the lemma itself
    when none is (or it cannot be split)."""
    split = _finest_splitter() if len(lemma) > _PART_CHARS else None
    if split is None:
        return (lemma,)
    parts = []
    for m in split.tokenize(lemma):
        tag = "-".join(x for x in m.part_of_speech()[:4] if x != "*")
        word = m.dictionary_form() or m.surface()
        if (tag.startswith(_CONTENT_TAGS) and not tag.startswith(_NON_CONTENT_TAGS) and word not in _STOP_LEMMAS
                and len(word) >= _PART_CHARS):
            parts.append(word)
    return tuple(parts) or (lemma,)


def word_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """The share of words two duties have in common, counting the words inside compounds (:func:`_lemma_parts`):
    the Jaccard similarity of the parts of their content lemmas ``a`` and ``b``. 補充発注の指示 and 補充発注数の決定
    have 補充 and 発注 in common, not only 補充; 国内配送の手配 and 小口配送の運送会社手配 配送 and 手配."""
    return _jaccard(_words_of(a), _words_of(b))


def _words_of(lemmas: Sequence[str]) -> frozenset[str]:
    """The words of content lemmas, compounds split (:func:`_lemma_parts`)."""
    return frozenset(p for lemma in lemmas for p in _lemma_parts(lemma))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _ev(dept: str, d: DutyResult) -> dict[str, str]:
    return {"department": dept, "text": d.text, "location": d.location}


#: A duty and the department that states it; the audit's pairwise similarities index a list of these.
_Owner = tuple[Department, DutyResult]


def _role_key(role: str, labels: Sequence[str]) -> str:
    """A role as ``--expect`` may name it: its key, or its Japanese name (販売 for distribution) where the
    model's labels are the shipped roles' keys."""
    if role in labels:
        return role
    by_name = {name: key for key, name in LABELS_JA.items() if key in labels}
    return by_name.get(role, role)


def _check_expect(expect: Mapping[str, str], labels: Sequence[str], names: Sequence[str]) -> None:
    """Refuse an ``expect`` entry whose role is not a label of the model or whose department is not in the
    documents."""
    for dept, wanted in expect.items():
        if wanted not in labels:  # a usage error, as a malformed --expect is (exit 2)
            names = [display_label(l, "ja") for l in labels if display_label(l, "ja") != l]
            raise OptionError(f"{dept}={wanted}: {wanted!r} is not a label of the model ({', '.join(labels)}"
                              + (f"; or {', '.join(names)}" if names else "") + ")", param="expect")
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
    """Tag each duty as a whole, as ``roleclassify tag`` does: a duty is a role's work when its score reaches
    the model's threshold for the role (or ``threshold``, and ``min_score`` when that is higher). A role whose
    score lies within the model's review band of that threshold (not of ``min_score``: the band is the
    model's), on either side, is *uncertain* for the unit:
    shown, weighing less, never a finding on its own."""
    from .model import ReviewPolicy

    labels = list(model.labels)
    band = ReviewPolicy().band
    tags = model.tag([d.text for d in duties], threshold=threshold, split=False)
    cuts = {l: float(threshold if threshold is not None else t) for l, t in zip(labels, model.thresholds_)}
    bars = {l: max(c, min_score) for l, c in cuts.items()}
    out = []
    for d, t in zip(duties, tags):
        hit = [l for l in labels if t.scores[l] >= bars[l]]
        ids = [k for k, _ in t.duties or ()]
        unsure = _uncertain_roles(t.scores, cuts, band)
        if BUYING_DUTIES.intersection(ids):  # which way the goods go is in doubt: see BUYING_DUTIES
            unsure += [l for l in hit if l not in unsure]
        out.append(DutyResult(d.text, d.location, hit, t.scores, unsure, t.review, ids))
    return out


#: Duties of buying from suppliers (the duty list's ``purchasing``: 仕入, 購買, 原材料の発注, 仕入先との価格交渉).
#: Ordering and negotiating read alike in both directions (LABELS.md, "Direction": selling to customers is a
#: role's work, buying from suppliers is not), so a unit the duty head also gives one of these is uncertain for
#: the roles the model labels it with (メーカーへの発注と納期調整 in 商品部): shown, weighing less, never a finding on
#: its own, as a unit near the threshold.
BUYING_DUTIES = frozenset({"purchasing"})


def _uncertain_roles(scores: Mapping[str, float], bars: Mapping[str, float], band: float) -> list[str]:
    """The roles the model is unsure of for one unit: those scored within ``band`` of their threshold."""
    return [l for l in bars if abs(scores[l] - bars[l]) < band]


def _by_work_name(name: str) -> bool:
    """True for a name whose role comes from its work (営業推進部, 営業企画課: sales or marketing)."""
    norm = unicodedata.normalize("NFKC", name)
    return any(w in norm for w in ROLE_NAME_RULES[0][1])


def _expected_role(
    name: str, counts: Mapping[str, int], labels: Sequence[str], n_units: int, expect: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The role a department is expected to do and where that comes from: ``expect``, else its name, else its
    work: 営業推進 / 営業企画 take the role (sales or marketing) most of their units have, a staff or technical
    name (:func:`is_staff_name`) none, any other name :func:`de_facto_role`. ``(None, None)`` for a department
    expected to do no role work."""
    if name in expect:
        return expect[name], "expect"
    role = infer_role(name, labels)
    if role is not None:
        return role, "name"
    if _by_work_name(name):
        pick = [l for l in ("sales", "marketing") if l in labels and counts.get(l, 0)]
        best = max(pick, key=lambda l: counts.get(l, 0), default=None)
        return best, "work" if best else None
    if is_staff_name(name) and any(r in labels for r, _ in ROLE_NAME_RULES if r):
        return None, "name"  # a staff function, for the roles of the shipped taxonomy (not a user's own)
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


def _crossing_units(d: Department, role: str, others: Sequence[str]) -> list[DutyResult]:
    """The units of ``role`` that make a crossing in ``d``, or none. At least one of them is certain and not a
    hand-off to one of ``others`` (:func:`is_handoff`); one unit is enough where the name (or ``--expect``, or
    the department's own work) gives the expected role and in a staff or technical department, when the model
    scores it at least :data:`LONE_UNIT_SCORE`; a department of another name whose work gave it no role needs
    :data:`NO_ROLE_CROSSING_UNITS` (a stray unit on a page of prose is no finding)."""
    sents = [r for r in d.sentences_of(role) if not is_handoff(r.text, others)]
    if not any(r.certain(role) for r in sents):
        return []
    if d.expected_role is None and d.role_source is None and len(sents) < NO_ROLE_CROSSING_UNITS:
        return []
    if len(sents) == 1 and sents[0].scores[role] < LONE_UNIT_SCORE:
        return []
    return sents


def is_handoff(text: str, departments: Iterable[str]) -> bool:
    """True when a duty passes work on to one of ``departments`` (受注した数量を受注センターへ連絡)."""
    for name in departments:
        at = text.find(name)
        if at >= 0 and _HANDOFF_RE.search(text, at + len(name), at + len(name) + 8):
            return True
    return False


def _crossing_severity(units: Sequence[DutyResult], role: str) -> str:
    """high: two or more units and none uncertain; medium: one certain unit, or several with some uncertain."""
    certain = sum(1 for r in units if r.certain(role))
    return "high" if certain >= 2 and certain == len(units) else "medium"


def _crossings(departments: Sequence[Department], labels: Sequence[str]) -> list[Finding]:
    """A department doing work of a role other than its expected one."""
    findings = []
    names = [d.name for d in departments]
    for d in departments:
        others = [n for n in names if n != d.name]
        for role in labels:
            if role == d.expected_role:
                continue
            sents = _crossing_units(d, role, others)
            if not sents:
                continue
            findings.append(Finding.of(
                "crossing", _crossing_severity(sents, role), role, [d.name], "crossing",
                {"department": d.name, "expected": d.expected_role, "source": d.role_source, "role": role,
                 "count": len(sents), "total": len(d.duties)},
                [_ev(d.name, s) for s in sents],
                {"expected_role": d.expected_role, "count": len(sents), "share": d.shares.get(role, 0.0),
                 "uncertain": sum(1 for s in sents if not s.certain(role))},
            ))
    return findings


#: How alike the duties of an audit are: given every duty text (in the audit's order), a function of two
#: indexes giving their similarity in [0, 1]. Two plug-in points take one (``audit_documents``):
#: ``similarity`` says whether two units are the same duty (a shared finding needs :data:`SHARED_SIMILARITY`),
#: ``duplicate_similarity`` whether they state the same duty for the same scope (a duplicate needs the audit's
#: ``duplicate_threshold``). Both default to :func:`meaning_duty_similarity` (content lemmas, or the duty head's
#: common duty where the words still overlap; :func:`lemma_duty_similarity` for a model without a duty head).
#: The duty id alone is too coarse for either (``python bench/audit_check.py --model-duties``: it calls proposals
#: to two kinds of customer one duty), the words alone miss a duty restated in other words (``--lemma``).
DutySimilarity = Callable[[Sequence[str]], Callable[[int, int], float]]


def lemma_duty_similarity(tokenizer: Callable[[str], Sequence[Token]]) -> DutySimilarity:
    """A :data:`DutySimilarity` by wording only: :func:`lemma_similarity` of the duties' content lemmas (the
    default for a model without a duty head)."""

    def similarity(texts: Sequence[str]) -> Callable[[int, int], float]:
        lemmas = _content_lemmas(texts, tokenizer)
        return lambda i, j: lemma_similarity(lemmas[i], lemmas[j])

    return similarity


#: What :func:`_with_duty_head` computes once per list of duty texts: their content lemmas and their taggings.
_Reading = tuple[list[list[str]], list[dict[str, Any]]]


def _with_duty_head(model: RoleClassifier, rule: Callable[..., Callable[[int, int], float]],
                    memo: dict[tuple[str, ...], _Reading] | None = None) -> DutySimilarity:
    """A :data:`DutySimilarity` made by ``rule(texts, lemmas, tagged)`` from the texts' content lemmas and their
    taggings (each text one sentence); the lemma similarity itself for a model without a duty head. Similarities
    given one ``memo`` (the audit's shared-duty and duplicate ones) tokenize and tag the same texts once."""
    if getattr(model, "duty_head", None) is None:
        return lemma_duty_similarity(model.tokenizer)
    seen = {} if memo is None else memo

    def similarity(texts: Sequence[str]) -> Callable[[int, int], float]:
        key = tuple(texts)
        if key not in seen:
            seen[key] = (_content_lemmas(texts, model.tokenizer), model.tag_dicts(list(texts), split=False))
        return rule(texts, *seen[key])

    return similarity


def model_duty_similarity(model: RoleClassifier) -> DutySimilarity:
    """A :data:`DutySimilarity` by meaning, from the model's duty head: two duties whose sentences were given a
    common duty (each duty text tagged as one sentence) are alike (1.0), whatever their words; other pairs as
    :func:`lemma_duty_similarity`. Without a duty head it is the lemma similarity."""

    def rule(texts: Sequence[str], lemmas: list[list[str]],
             tagged: list[dict[str, Any]]) -> Callable[[int, int], float]:
        ids = [{d["duty"] for d in t.get("duties") or ()} for t in tagged]
        return lambda i, j: 1.0 if ids[i] & ids[j] else lemma_similarity(lemmas[i], lemmas[j])

    return _with_duty_head(model, rule)


#: The least score both units give their common duty for :func:`meaning_duty_similarity` to call them one duty.
DUTY_MATCH_SCORE = 0.5
#: The least content-lemma similarity two units of one duty must still have: the same duty id over different
#: objects (量販店への提案 / 外食チェーンへの提案, the complementary scopes of one duty) shares fewer words.
DUTY_MATCH_LEMMAS = 0.15
#: The similarity :func:`meaning_duty_similarity` gives two units that pass both bars (a medium duplicate).
DUTY_MATCH_SIMILARITY = 0.75
#: Content lemmas (at most, in each unit) below which a shared duty needs no lemma in common: a duty phrase that
#: short (クレーム受付) has no room for a scope. Without a floor at all the fixtures gain (19/25 exact against 17/25)
#: but the normal chain of examples/compare/ becomes an overlap (``shipping`` covers 出荷日の調整 and ピッキング).
SHARED_SHORT_LEMMAS = 3


def meaning_duty_similarity(model: RoleClassifier, lemma_floor: float = DUTY_MATCH_LEMMAS, short: int = 0,
                            memo: dict[tuple[str, ...], _Reading] | None = None) -> DutySimilarity:
    """The audit's default :data:`DutySimilarity` for a model with a duty head: two units are the same duty when
    their content lemmas say so (:func:`lemma_duty_similarity`), or when the duty head gives both the same duty
    with a score of at least :data:`DUTY_MATCH_SCORE`, they share a role, neither hands the work on, and their
    lemmas still overlap by ``lemma_floor``: then :data:`DUTY_MATCH_SIMILARITY`.

    Duplicates (the same duty stated twice) use the floor :data:`DUTY_MATCH_LEMMAS`: the duty id alone calls every
    pair of proposals one (``python bench/audit_check.py --model-duties``), and the wording alone misses a duty
    restated in other words (誤納品の連絡受付と再配送 / 納品トラブルの連絡受付と再出荷). The floor is waived for two
    units of at most ``short`` content lemmas each, too short to differ in scope: shared duties (the same kind of
    work in two departments) take :data:`SHARED_SHORT_LEMMAS`, so クレーム受付 and お客様からの苦情対応, which share no
    word, hold one duty, while 納期の回答と出荷日の調整 and 出荷指示に基づくピッキングと梱包 (both ``shipping``) stay two
    steps of the chain. Without a duty head it is the lemma similarity. Similarities given one ``memo`` read the
    same texts once."""

    def rule(texts: Sequence[str], lemmas: list[list[str]],
             tagged: list[dict[str, Any]]) -> Callable[[int, int], float]:
        duties = [{d["duty"]: d["score"] for d in t.get("duties") or ()} for t in tagged]
        brief = [bool(short) and len(set(ls)) <= short for ls in lemmas]
        # a unit handing the work on (…の業務部への伝達) is a step before the other's, not the same duty
        roles = [set() if _HANDOFF_ANY_RE.search(t) else set(r["labels"]) - {OTHER} for t, r in zip(texts, tagged)]
        # the remaining overlap counts the words inside compounds (発注数 holds 発注): word_overlap
        words = [_words_of(ls) for ls in lemmas]

        def sim(i: int, j: int) -> float:
            s = lemma_similarity(lemmas[i], lemmas[j])
            if s >= DUTY_MATCH_SIMILARITY or not roles[i] & roles[j]:
                return s
            a, b = duties[i], duties[j]
            if not any(min(a[k], b[k]) >= DUTY_MATCH_SCORE for k in a.keys() & b.keys()):
                return s
            if brief[i] and brief[j] or max(s, _jaccard(words[i], words[j])) >= lemma_floor:
                return DUTY_MATCH_SIMILARITY
            return s

        return sim

    return _with_duty_head(model, rule, memo)


def _similarities(
    departments: Sequence[Department], similarity: DutySimilarity
) -> tuple[list[_Owner], dict[tuple[int, int], float]]:
    """Every duty with its department, and the similarity of each pair of duties of two different departments
    (by their indexes in that list)."""
    owners = [(d, r) for d in departments for r in d.duties]
    sim = similarity([r.text for _, r in owners])
    command = _lines_of_command(departments)
    sims: dict[tuple[int, int], float] = {}
    for i, j in itertools.combinations(range(len(owners)), 2):
        a, b = owners[i][0].name, owners[j][0].name
        if a != b and (a, b) not in command:
            sims[i, j] = sim(i, j)
    return owners, sims


def _lines_of_command(departments: Sequence[Department]) -> set[tuple[str, str]]:
    """Pairs (both orders) of a department and one it comes under, at any depth (業務部 and its 受注課): a 部
    stating what its 課 do is one line of command, not the same duty held twice."""
    parent = {d.name: d.parent for d in departments}
    pairs: set[tuple[str, str]] = set()
    for d in departments:
        up, seen = d.parent, {d.name}
        while up is not None and up not in seen:
            pairs.update(((d.name, up), (up, d.name)))
            seen.add(up)
            up = parent.get(up)
    return pairs


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


def _parallel_holders(role: str, departments: Sequence[Department], labels: Sequence[str]) -> list[Department]:
    """Departments of ``role`` by name that are parallel to another one (:func:`parallel_key`) and do ``role``
    work: the role is split between them by scope."""
    groups: dict[tuple[str, str], list[Department]] = {}
    for d in departments:
        key = parallel_key(d.name, labels) if d.expected_role == role and d.role_source == "name" else None
        if key is not None and any(r.certain(role) for r in d.sentences_of(role)):
            groups.setdefault(key, []).append(d)
    # a 部 and its own 課 (営業部 above 第一営業課) are one line of command, not parallel departments
    groups = {k: [d for d in g if not any(o.parent == d.name for o in g)] for k, g in groups.items()}
    return [d for g in groups.values() if len(g) >= 2 for d in g]


def _shared_role(
    role: str, departments: Sequence[Department], owners: Sequence[_Owner], sims: Mapping[tuple[int, int], float],
    labels: Sequence[str],
) -> Finding | None:
    """The shared-role finding of one role: the same duty of the role held by two or more departments (a real
    overlap), or the role split between parallel departments (第一 / 第二営業課: complementary scopes, low).
    Different duties of one role in departments of different kinds (営業部 proposes, 受注センター takes the
    order, 物流センター ships, 業務部 invoices) are the role's flow (:func:`role_flows`), not a finding."""
    holders = _same_duty_holders(role, owners, sims)
    alike = [d.name for d in departments if d.name in holders]
    for d in _parallel_holders(role, departments, labels):
        lst = holders.setdefault(d.name, [])
        lst.extend(r for r in d.sentences_of(role) if r not in lst)
    if len(holders) < 2:
        return None
    order = [d.name for d in departments if d.name in holders]
    split = {n: len(holders[n]) for n in order}
    same = len(alike) >= 2
    spread = any(n not in alike for n in order)
    template = "shared_same_split" if same and spread else "shared_same" if same else "shared_split"
    keys = {d.name: parallel_key(d.name, labels) for d in departments if d.role_source == "name"}
    return Finding.of(
        "shared", _shared_severity(role, alike, holders, keys), role, order, template,
        {"role": role, "alike": alike, "departments": order},
        [_ev(n, r) for n in order for r in holders[n]],
        {"split": split, "same_duty": alike},
    )


def _shared_severity(role: str, alike: Sequence[str], holders: Mapping[str, Sequence[DutyResult]],
                     keys: Mapping[str, tuple[str, str] | None]) -> str:
    """medium when two or more departments that are not parallel (``keys``: :func:`parallel_key`) hold the
    same duty with certain units; low for a split between parallel departments (the same duty over
    complementary scopes) or an overlap resting on uncertain units."""
    certain = [n for n in alike if any(r.certain(role) for r in holders[n])]
    kinds = {keys.get(n) or n for n in certain}
    return "medium" if len(kinds) >= 2 else "low"


def _shared_roles(
    departments: Sequence[Department], labels: Sequence[str], owners: Sequence[_Owner],
    sims: Mapping[tuple[int, int], float],
) -> list[Finding]:
    """A role whose same duty (units of that role alike in content) sits in two or more departments; different
    duties of one role in different departments are its flow, not a finding."""
    found = (_shared_role(role, departments, owners, sims, labels) for role in labels)
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

    parallel = {d.name: parallel_key(d.name, labels) for d in departments if d.role_source == "name"}
    edges = [(i, j, sim) for (i, j), sim in sims.items()
             if sim >= duplicate_threshold and not _parallel(owners[i][0].name, owners[j][0].name, parallel)]
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


def _parallel(a: str, b: str, keys: Mapping[str, tuple[str, str] | None]) -> bool:
    """True when departments ``a`` and ``b`` are parallel (:func:`parallel_key`): the same duty in both is one
    duty over complementary scopes (第一営業課 東エリア / 第二営業課 西エリア), not a duplicate."""
    ka, kb = keys.get(a), keys.get(b)
    return ka is not None and ka == kb


def _ownerless(departments: Sequence[Department], labels: Sequence[str]) -> list[Finding]:
    """A role held by no department beyond a trace: fewer than :data:`OWNERLESS_UNITS` units of it in the whole
    organisation (uncertain ones count: they weigh in the severity only), or none the model is sure of (scored
    at least :data:`LONE_UNIT_SCORE`: a few sentences that only lean towards the role). The nearest holders (departments with units of the role, certain or not) are
    named. A role is *weakly held*, not ownerless, when a department whose expected role it is has a unit of it
    or one near the threshold (営業 whose duties the model scores just under sales): the report shows it, no
    finding."""
    findings = []
    for role in labels:
        certain = sum(1 for d in departments for r in d.duties if r.certain(role))
        total = sum(d.counts.get(role, 0) for d in departments)
        strong = any(r.scores[role] >= LONE_UNIT_SCORE for d in departments for r in d.sentences_of(role))
        if (total >= OWNERLESS_UNITS and strong) or _weakly_held(role, departments):
            continue
        near = [(d, [r for r in d.duties if role in r.labels or role in r.uncertain]) for d in departments]
        near = [(d, rs) for d, rs in near if rs]
        traces = [d.name for d, _ in sorted(near, key=lambda x: -max(r.scores[role] for r in x[1]))]
        findings.append(Finding.of(
            "ownerless", "high" if total == 0 else "medium", role, [],
            "ownerless_trace" if traces else "ownerless", {"role": role, "traces": traces},
            [_ev(d.name, r) for d, rs in near for r in rs],
            {"units": total, "certain_units": certain, "floor": OWNERLESS_UNITS, "nearest_holders": traces},
        ))
    return findings


def _weakly_held(role: str, departments: Sequence[Department]) -> bool:
    """True when a department expected to do ``role`` has a unit of it, or one near the threshold: the role has
    an owner, however little it states (shown in the report, no ownerless finding)."""
    return any(d.expected_role == role and any(role in r.uncertain or role in r.labels for r in d.duties)
               for d in departments)


def role_flows(departments: Sequence[Department], labels: Sequence[str]) -> list[dict[str, Any]]:
    """The flow of each role whose work sits in two or more departments: the departments in document order with
    their units of the role (営業部 proposes, 受注センター takes the order, 物流センター ships, 業務部 invoices).
    Shown in the report, never a finding; hand-offs to another department are steps of the flow too."""
    flows = []
    for role in labels:
        steps = [{"department": d.name, "expected": d.expected_role == role,
                  "duties": [r.text for r in d.sentences_of(role)]} for d in departments if d.sentences_of(role)]
        if len(steps) >= 2:
            flows.append({"role": role, "steps": steps})
    return flows


def _findings(
    departments: Sequence[Department], labels: Sequence[str], similarity: DutySimilarity,
    duplicate_similarity: DutySimilarity, duplicate_threshold: float,
) -> list[Finding]:
    """The four detectors' findings, most severe first (by kind within a severity, else as found)."""
    owners, sims = _similarities(departments, similarity)
    dup_sims = sims if duplicate_similarity is similarity else _similarities(departments, duplicate_similarity)[1]
    findings = [
        *_crossings(departments, labels),
        *_shared_roles(departments, labels, owners, sims),
        *_duplicates(departments, labels, owners, dup_sims, duplicate_threshold),
        *_ownerless(departments, labels),
    ]
    findings.sort(key=lambda f: (_SEV_RANK[f.severity], _KIND_RANK[f.kind]))
    return findings


def _plugins(
    model: RoleClassifier, similarity: DutySimilarity | None, duplicate_similarity: DutySimilarity | None
) -> tuple[DutySimilarity, DutySimilarity]:
    """The similarities of shared duties and of duplicates: :func:`meaning_duty_similarity` where none is given,
    the floor waived for short units for shared duties (:data:`SHARED_SHORT_LEMMAS`), not for duplicates (the
    lemma one for a model without a duty head)."""
    memo: dict[tuple[str, ...], _Reading] = {}  # both read the same duty texts: tokenized and tagged once
    return (similarity or meaning_duty_similarity(model, short=SHARED_SHORT_LEMMAS, memo=memo),
            duplicate_similarity or meaning_duty_similarity(model, memo=memo))


def audit_documents(
    docs: Sequence[OrgDocument],
    model: RoleClassifier,
    *,
    expect: Mapping[str, str] | None = None,
    duplicate_threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    threshold: float | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    similarity: DutySimilarity | None = None,
    duplicate_similarity: DutySimilarity | None = None,
) -> AuditReport:
    """Audit already-read documents (see :func:`audit` for files). ``similarity`` says whether two units are the
    same duty, ``duplicate_similarity`` whether they state it twice for the same scope (:data:`DutySimilarity`;
    both default to their content lemmas)."""
    labels = list(model.labels)
    expect = {dept: _role_key(role, labels) for dept, role in (expect or {}).items()}
    merged = _merge_departments(docs)
    _check_expect(expect, labels, list(merged))
    results = iter(_score_duties([d for _, duties in merged.values() for d in duties], model,
                                 threshold=threshold, min_score=min_score))
    departments = [
        _department(name, files, [next(results) for _ in duties], labels, expect)
        for name, (files, duties) in merged.items()
    ]
    reading = reading_report(docs)
    parents = {d["department"]: d["parent"] for d in reading["departments"]}
    for d in departments:
        d.parent = parents.get(d.name)
    return AuditReport(
        documents=[doc.path for doc in docs],
        labels=labels,
        departments=departments,
        findings=_findings(departments, labels, *_plugins(model, similarity, duplicate_similarity),
                           duplicate_threshold),
        settings={"duplicate_threshold": duplicate_threshold, "threshold": threshold, "min_score": min_score,
                  "expect": expect},
        flows=role_flows(departments, labels),
        reading=reading,
        duty_list=_duty_list(model),
    )


def _duty_list(model: RoleClassifier) -> list[dict[str, Any]]:
    """The model's duty list (id, role, Japanese name), empty for a model without a duty head."""
    head = getattr(model, "duty_head", None)
    if head is None:
        return []
    return [{"id": str(d["id"]), "role": d.get("role"), "ja": d.get("ja") or str(d["id"])} for d in head.duties]


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
    if isinstance(paths, (str, Path)):
        raise TypeError("audit() takes a list of paths, not one path; pass [path] to audit one document")
    if model is None:
        from .model import load

        model = load()
    docs = read_org_documents(paths, encoding=encoding, dept_column=dept_column, duty_column=duty_column,
                              sheet=sheet)
    return audit_documents(
        docs, model, expect=expect, duplicate_threshold=duplicate_threshold, threshold=threshold,
        min_score=min_score,
    )
