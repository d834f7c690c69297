"""Names and defaults of the audit and of compare: finding kinds, report formats and suffixes, what
``--fail-on`` accepts. Light to import (no audit, no readers): the CLI builds its options from them, and
``tag``'s start-up does not pay for the audit (60 ms)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import AuditError

if TYPE_CHECKING:  # pragma: no cover
    from .orgaudit import AuditReport, Finding

__all__ = [
    "KINDS", "FAIL_ON_CHOICES", "DEFAULT_MIN_SCORE", "DEFAULT_DUPLICATE_THRESHOLD", "fail_on_kinds",
    "failing_findings", "AUDIT_FORMATS", "BINARY_AUDIT_FORMATS", "REPORT_SUFFIXES", "COMPARE_FORMATS",
    "BINARY_COMPARE_FORMATS",
]

KINDS = ("crossing", "shared", "duplicate", "ownerless")
#: Names of finding groups a caller may fail on, besides the kinds themselves (overlap: a role done outside
#: its department or by several).
_FAIL_ON_GROUPS: dict[str, tuple[str, ...]] = {"overlap": ("crossing", "shared"), "any": KINDS}
#: What :func:`failing_findings` accepts (``roleclassify audit --fail-on``), in the order the CLI lists them.
FAIL_ON_CHOICES = ("overlap", *KINDS, "any")
#: Score a duty needs besides the model's own threshold to count as a role's work: none by default, so a unit
#: ``tag`` calls sales is sales for the audit too (a floor above the thresholds hid real work).
DEFAULT_MIN_SCORE = 0.0
#: Content-lemma similarity from which two departments' duties are duplicates.
DEFAULT_DUPLICATE_THRESHOLD = 0.6
AUDIT_FORMATS = ("table", "json", "markdown", "html", "xlsx")
#: Formats written as bytes (:func:`write_xlsx`), not text (:func:`render`).
BINARY_AUDIT_FORMATS = frozenset({"xlsx"})
#: The format of a report file by its suffix (``-o audit.html``); any other suffix but .txt is refused by the
#: commands, and the table is written for .txt.
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".xlsx": "xlsx"}
COMPARE_FORMATS = ("table", "json", "markdown", "html", "xlsx")
BINARY_COMPARE_FORMATS = frozenset({"xlsx"})


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
