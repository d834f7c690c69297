"""No input is ever replaced by an output: the same file under any path or link is refused, and so is an output
inside a directory that is read (there already or not: the next run would read it as a document)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def org_dir(tmp_path):
    d = tmp_path / "分掌"
    d.mkdir()
    (d / "営業部.txt").write_text("・新規顧客の開拓\n・既存顧客への提案\n", encoding="utf-8")
    (d / "業務部.txt").write_text("・受注処理と出荷の手配\n・在庫管理\n", encoding="utf-8")
    return d


def _unchanged(d, before):
    return {p.name: p.read_bytes() for p in d.iterdir()} == before


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_tag_refuses_to_write_over_its_input(cli, tmp_path, link):
    src = tmp_path / "jobs.txt"
    src.write_text("受注処理\n新規開拓\n", encoding="utf-8")
    out = src
    if link != "same":
        out = tmp_path / "out.txt"
        (out.symlink_to if link == "symlink" else out.hardlink_to)(src)
    code, _, err = cli(["tag", src, "-o", out, "--format", "jsonl"])
    assert code == 2 and "is also an input" in err and "Traceback" not in err
    assert src.read_text(encoding="utf-8") == "受注処理\n新規開拓\n"


@pytest.mark.parametrize("name", ["report.txt", "report.md", "report.html", "sub/report.json"])
def test_audit_refuses_a_report_inside_the_directory_it_reads(cli, org_dir, name):
    before = {p.name: p.read_bytes() for p in org_dir.iterdir()}
    if "/" in name:
        (org_dir / "sub").mkdir()
        before = {p.name: p.read_bytes() if p.is_file() else b"" for p in org_dir.iterdir()}
    code, _, err = cli(["audit", org_dir, "-o", org_dir / name])
    assert code == 2 and "inside the input directory" in err and "Traceback" not in err
    assert not (org_dir / name).exists()
    assert {p.name: p.read_bytes() if p.is_file() else b"" for p in org_dir.iterdir()} == before


def test_compare_refuses_a_report_inside_a_version_it_reads(cli, org_dir, tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    for p in org_dir.iterdir():
        (new / p.name).write_bytes(p.read_bytes())
    code, _, err = cli(["compare", org_dir, new, "-o", new / "新旧対照表.md"])
    assert code == 2 and "inside the input directory" in err
    assert not (new / "新旧対照表.md").exists()


def test_a_report_beside_the_directory_is_written(cli, org_dir, tmp_path):
    out = tmp_path / "report.md"
    code, _, err = cli(["audit", org_dir, "-o", out])
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("#")
    assert sorted(os.listdir(org_dir)) == ["営業部.txt", "業務部.txt"]
