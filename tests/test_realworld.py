"""The shipped model on real companies' text in ../shared/realworld (third-party, never copied here).

A development check with floors well under the measured figures (README, "Quality and speed"): it fails when
a change makes the product clearly worse on real text, not when one item flips. Skipped where the folder is
absent, as in a user's fresh clone.
"""

import json

import pytest


@pytest.fixture(scope="module")
def realworld(shared_dir):
    path = shared_dir / "realworld"
    if not (path / "jobads_dev.jsonl").exists():
        pytest.skip("../shared/realworld is absent")
    return path


def test_jobads_scores_stay_above_floor(realworld, shipped_model):
    from roleclassify.corpus import read_corpus
    from roleclassify.evaluation import evaluate

    result = evaluate(shipped_model, read_corpus([realworld / "jobads_dev.jsonl"]))
    # measured 0.770 sentence macro-F1 and 0.769 document exact match (roleclassify evaluate ...)
    assert result["sentences"]["macro_f1"] >= 0.65
    assert result["documents"]["exact_match"] >= 0.60


def test_department_pages_are_read_into_their_departments(realworld, shipped_model):
    from roleclassify.orgaudit import audit

    expected = json.loads((realworld / "orgdocs" / "expected.json").read_text(encoding="utf-8"))
    for name, e in expected.items():
        report = audit([realworld / "orgdocs" / name], shipped_model)
        assert [d.name for d in report.departments] == list(e["departments"]), name
        # every department with duty sentences gets some of them tagged with a role
        assert any(sum(d.shares.get(r, 0) for r in shipped_model.labels) > 0 for d in report.departments), name
