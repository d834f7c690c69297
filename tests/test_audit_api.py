"""The audit's library API that the CLI calls: its defaults, ``--fail-on`` semantics (:func:`failing_findings`)
and the report format chosen from the output (:func:`report_format_for`). No model is needed."""

from __future__ import annotations

import inspect

import pytest

from roleclassify.errors import AuditError
from roleclassify.orgaudit import (
    DEFAULT_DUPLICATE_THRESHOLD,
    DEFAULT_MIN_SCORE,
    FAIL_ON_CHOICES,
    KINDS,
    AuditReport,
    Finding,
    audit,
    audit_documents,
    fail_on_kinds,
    failing_findings,
)
from roleclassify.report.audit import AUDIT_FORMATS, report_format_for


def report_of(*kinds: str) -> AuditReport:
    findings = [Finding(k, "high", "sales", [f"部{i}"], f"{k} {i}") for i, k in enumerate(kinds)]
    return AuditReport(documents=["org.txt"], labels=["sales"], departments=[], findings=findings)


def test_defaults():
    assert (DEFAULT_MIN_SCORE, DEFAULT_DUPLICATE_THRESHOLD) == (0.0, 0.6)
    for fn in (audit, audit_documents):
        params = inspect.signature(fn).parameters
        assert params["min_score"].default == DEFAULT_MIN_SCORE, fn.__name__
        assert params["duplicate_threshold"].default == DEFAULT_DUPLICATE_THRESHOLD, fn.__name__


def test_cli_uses_the_library_definitions():
    from roleclassify.cli import cli

    params = {p.name: p for p in cli.commands["audit"].params}
    assert params["min_score"].default == DEFAULT_MIN_SCORE
    assert params["duplicate_threshold"].default == DEFAULT_DUPLICATE_THRESHOLD
    assert tuple(params["fail_on"].type.choices) == FAIL_ON_CHOICES


def test_fail_on_choices_are_the_kinds_and_two_groups():
    assert FAIL_ON_CHOICES == ("overlap", "crossing", "shared", "duplicate", "ownerless", "any")
    assert set(FAIL_ON_CHOICES) - set(KINDS) == {"overlap", "any"}


@pytest.mark.parametrize("fail_on,kinds", [
    ((), set()),
    (("overlap",), {"crossing", "shared"}),
    (("any",), set(KINDS)),
    (("duplicate",), {"duplicate"}),
    (("ownerless", "crossing"), {"ownerless", "crossing"}),
    (("overlap", "duplicate"), {"crossing", "shared", "duplicate"}),
])
def test_fail_on_kinds(fail_on, kinds):
    assert fail_on_kinds(fail_on) == kinds


def test_overlap_covers_crossing_and_shared():
    report = report_of("shared", "duplicate", "crossing", "ownerless")
    assert [f.kind for f in failing_findings(report, ["overlap"])] == ["shared", "crossing"]


def test_failing_findings_keep_the_report_order():
    report = report_of("ownerless", "crossing", "duplicate", "shared", "crossing")
    assert failing_findings(report, ["any"]) == report.findings
    assert failing_findings(report, ["crossing"]) == [report.findings[1], report.findings[4]]
    assert failing_findings(report, []) == []
    assert failing_findings(report_of(), ["any"]) == []


def test_fail_on_an_unknown_name_is_refused():
    with pytest.raises(AuditError, match="'overlaps'.*overlap, crossing"):
        failing_findings(report_of("crossing"), ["overlaps"])


@pytest.mark.parametrize("output,tty,fmt", [
    ("audit.html", False, "html"),
    ("audit.htm", True, "html"),
    ("AUDIT.HTML", False, "html"),
    ("out/audit.md", False, "markdown"),
    ("audit.json", True, "json"),
    ("audit.txt", False, "table"),
    ("audit.csv", False, "table"),
    ("audit", False, "table"),
    ("audit.md.bak", False, "table"),
    ("-", False, "table"),
    (None, True, "table"),
    (None, False, "json"),
    ("", False, "json"),
])
def test_report_format_for(output, tty, fmt):
    assert report_format_for(output, tty) == fmt
    assert fmt in AUDIT_FORMATS
