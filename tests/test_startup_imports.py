"""What `tag`'s start-up loads: the audit, its readers and importlib.metadata's scan of every distribution cost
it about 0.1 s of a 0.5 s cold start and are not needed to tag (the cold start itself is measured by
bench/throughput.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib.metadata import version

import pytest

from roleclassify.tokenize import installed_version, tokenizer_info

_PROBE = """
import json, sys
from roleclassify.cli import main
try:
    main(["tag", sys.argv[1], "-o", sys.argv[2]])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.slow
def test_tag_loads_neither_the_audit_nor_importlib_metadata(tmp_path):
    src = tmp_path / "jd.txt"
    src.write_text("新規顧客を開拓する\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-c", _PROBE, str(src), str(out)], capture_output=True, text=True,
                          check=True, timeout=120)
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert out.read_text(encoding="utf-8").count("\n") == 1  # it did tag
    loaded = modules & {"roleclassify.orgaudit", "roleclassify.orgdocs", "roleclassify.report.audit",
                        "roleclassify.compare", "importlib.metadata", "sklearn", "spacy"}
    assert not loaded


@pytest.mark.parametrize("pkg", ["SudachiPy", "SudachiDict-core", "ginza", "spacy", "click"])
def test_installed_version_agrees_with_importlib_metadata(pkg):
    assert installed_version(pkg) == version(pkg)


def test_installed_version_of_a_missing_distribution():
    assert installed_version("no-such-distribution-xyz") == "not installed"
    assert tokenizer_info(["no-such-distribution-xyz"])["no-such-distribution-xyz"] == "not installed"


def test_saved_model_members_are_stored_not_deflated(tmp_path):
    from roleclassify import load

    target = load().save(tmp_path / "m")
    with zipfile.ZipFile(target) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
    assert load(tmp_path / "m").labels == load().labels
