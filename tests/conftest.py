"""Shared fixtures: GiNZA and the tokenizer are loaded once per session; a tiny model is trained once."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser):
    parser.addoption("--skip-slow", action="store_true", help="skip tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--skip-slow"):
        skip = pytest.mark.skip(reason="--skip-slow given")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside this checkout")
    return SHARED


@pytest.fixture(scope="session")
def ginza_nlp():
    import spacy

    return spacy.load("ja_ginza")


@pytest.fixture(scope="session")
def fast_tokenizer():
    from roleclassify.tokenize import FastTokenizer

    return FastTokenizer()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from roleclassify.training import train

    out = tmp_path_factory.mktemp("tiny_model")
    train([DATA / "tiny_corpus.jsonl"], out, cv=3)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from roleclassify.model import load

    return load(tiny_model_dir)


@pytest.fixture(scope="session")
def shipped_model_dir() -> Path:
    from roleclassify.model import default_model_path

    return default_model_path()


@pytest.fixture(scope="session")
def shipped_model():
    from roleclassify.model import load

    return load()


@pytest.fixture(autouse=True)
def _no_model_env(monkeypatch):
    monkeypatch.delenv("ROLECLASSIFY_MODEL", raising=False)
    yield


@pytest.fixture
def cli(capsys):
    """Run ``roleclassify`` in this process as the console script does: ``cli([args])`` gives (exit code,
    stdout, stderr)."""
    from roleclassify.cli import main

    def run(argv):
        with pytest.raises(SystemExit) as e:
            main([str(a) for a in argv])
        out = capsys.readouterr()
        return e.value.code, out.out, out.err

    return run
