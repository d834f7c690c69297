"""The spaCy pipeline component: doc.cats equals `roleclassify tag`, sentences get span._.roles, and a
pipeline saved to disk and loaded back still tags."""

import json

import pytest
import spacy
from click.testing import CliRunner

from roleclassify.cli import cli

TEXT = "新規顧客への提案営業を担当します。受注処理と在庫管理も行います。"


@pytest.fixture(scope="module")
def nlp(ginza_nlp):
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("role_classifier")
    return nlp


def test_factory_registered_through_entry_point(tmp_path):
    import subprocess
    import sys
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert eps.get("role_classifier") == "roleclassify.spacy_component:make_role_classifier"
    # a fresh process finds the factory without importing roleclassify itself
    code = "import spacy; nlp = spacy.blank('ja'); nlp.add_pipe('role_classifier'); print(sorted(nlp('受注処理').cats))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['distribution', 'marketing', 'sales']"


def test_doc_cats_equal_tag_scores(nlp, shipped_model_dir):
    doc = nlp(TEXT)
    r = CliRunner().invoke(cli, ["tag", "-", "--unit", "document", "--format", "jsonl", "-m", str(shipped_model_dir)],
                           input=TEXT)
    assert doc.cats == json.loads(r.stdout)["scores"]


def test_sentences_get_roles(nlp):
    doc = nlp(TEXT)
    roles = [s._.roles for s in doc.sents]
    assert roles == [["sales"], ["distribution"]]
    assert all(set(s._.role_scores) == {"sales", "distribution", "marketing"} for s in doc.sents)


def test_to_disk_and_back(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "role_classifier" / "model.npz").exists()
    again = spacy.load(tmp_path / "pipe")
    assert again("展示会の企画と運営").cats == nlp("展示会の企画と運営").cats
    assert again("展示会の企画と運営").cats["marketing"] > 0.5


def test_blank_pipeline_without_sentences():
    nlp = spacy.blank("ja")
    nlp.add_pipe("role_classifier")
    doc = nlp("受注処理と在庫管理")
    assert max(doc.cats, key=doc.cats.get) == "distribution"
