"""Every command has help with an Example and a README entry; README's set-up commands match CI."""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from roleclassify.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        yield path, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path)


COMMANDS = list(_commands(cli))


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_with_example(path, cmd):
    r = CliRunner().invoke(cli, [*path, "--help"])
    assert r.exit_code == 0
    assert cmd.help and cmd.help.strip()
    if not isinstance(cmd, click.Group):
        assert "Example:" in r.output


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_is_in_readme(path, cmd):
    assert f"roleclassify {' '.join(path)}" in README


def _setup_commands():
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", README, flags=re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_opens_with_two_setup_commands():
    run_cmd, test_cmd = _setup_commands()
    assert "pip install ." in run_cmd and "roleclassify tag" in run_cmd
    assert 'pip install ".[test]"' in test_cmd and "pytest" in test_cmd
    head = README.split("```")[0]
    assert len(head.splitlines()) < 15, "the set-up commands must come first"


def test_ci_runs_readme_test_command():
    _, test_cmd = _setup_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci


def test_readme_layout_lists_every_module():
    """README's layout section is what tests/readme_layout.py generates from the tree: it fails when a module
    is added, moved or removed (or its docstring changes) until the section is regenerated."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import readme_layout
    finally:
        sys.path.pop(0)
    shown = readme_layout.current(README)
    assert shown, "README.md lost its layout markers"
    for module in readme_layout.modules():
        name = module.relative_to(readme_layout.PACKAGE).as_posix()
        assert f"| `{name}` |" in shown, f"{name} is missing from README's layout: run python tests/readme_layout.py"
    assert shown == readme_layout.section(), "README's layout is stale: run python tests/readme_layout.py"
