"""Writes that fail, inputs that are hostile, and the terminal: each case here was a traceback or a garbled
screen before its fix.

A full disk (``/dev/full``) behind ``-o`` or stdout, a read-only directory, JSON nested a hundred thousand
deep, a file name that is not UTF-8, and the progress bar drawn on the terminal the results go to.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios

import pytest

from roleclassify.cli import main

NEEDS_DEV_FULL = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
CMD = [sys.executable, "-m", "roleclassify"]


def _run(*args, stdout=subprocess.PIPE, input_text=None):
    return subprocess.run([*CMD, *map(str, args)], input=input_text, stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def _in_process(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return e.value.code, out.out, out.err


@pytest.fixture
def two_lines(tmp_path):
    p = tmp_path / "in.txt"
    p.write_text("受注処理を担当します。\n新規顧客を開拓します。\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- a full or read-only disk
@NEEDS_DEV_FULL
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_full_disk_behind_output_is_one_line(two_lines, fmt):
    r = _run("tag", two_lines, "--format", fmt, "-o", "/dev/full")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == ["Error: /dev/full: cannot write (No space left on device)"]


@NEEDS_DEV_FULL
@pytest.mark.parametrize("command", [["tag"], ["tag", "--format", "table"], ["suggest", "--n", "1"]])
def test_full_disk_behind_stdout_is_one_line(two_lines, command):
    with open("/dev/full", "w") as full:
        r = _run(*command, two_lines, stdout=full)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert r.stderr.strip().endswith("<stdout>: cannot write (No space left on device)")
    assert len(r.stderr.strip().splitlines()) == 1


@NEEDS_DEV_FULL
def test_full_disk_behind_stdout_outside_any_command_writer_is_one_line():
    """`--help` is written by click, not by an output writer: main's fallback must still say what failed."""
    with open("/dev/full", "w") as full:
        r = _run("--help", stdout=full)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == ["roleclassify: <stdout>: cannot write (No space left on device)"]


def test_read_only_directory_is_one_line_and_the_old_file_is_kept(two_lines, tmp_path, monkeypatch, capsys):
    # the test runs as root on CI, where chmod does not stop a write: the refusal the kernel gives on a
    # read-only mount is raised where the temporary output file is created
    def read_only(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    out = tmp_path / "results.jsonl"
    out.write_text("old results\n", encoding="utf-8")
    code, _, err = _in_process(["tag", two_lines, "-o", out], capsys)
    assert code == 1
    assert err.strip() == f"Error: {out}: cannot write (Read-only file system); the existing file is unchanged"
    assert out.read_text(encoding="utf-8") == "old results\n"


def test_a_write_failing_midway_removes_the_partial_file(two_lines, tmp_path, monkeypatch, capsys):
    import io

    import roleclassify.io.output as output

    class FullAfterOneRecord(io.TextIOWrapper):
        writes = 0

        def write(self, s):
            FullAfterOneRecord.writes += 1
            if FullAfterOneRecord.writes == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return super().write(s)

    def fdopen(fd, mode="r", **kw):
        return FullAfterOneRecord(io.BufferedWriter(io.FileIO(fd, "w")), **kw)

    monkeypatch.setattr(output.os, "fdopen", fdopen)
    out = tmp_path / "new.jsonl"
    code, _, err = _in_process(["tag", two_lines, "-o", out], capsys)
    assert FullAfterOneRecord.writes == 2
    assert code == 1 and err.strip().endswith("cannot write (No space left on device); nothing was written")
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a mode-555 directory")
def test_directory_without_write_permission_is_one_line(two_lines, tmp_path):  # pragma: no cover - non-root
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        r = _run("tag", two_lines, "-o", d / "x.jsonl")
    finally:
        d.chmod(0o755)
    assert r.returncode == 1 and "cannot write (Permission denied); nothing was written" in r.stderr


def test_model_written_to_a_read_only_place_is_one_line(tmp_path, data_dir, monkeypatch, capsys):
    def read_only(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    code, _, err = _in_process(["train", data_dir / "tiny_corpus.jsonl", "--out", tmp_path / "m", "--cv", "2"],
                               capsys)
    assert code == 1 and "cannot write (Read-only file system)" in err and "Traceback" not in err


# --------------------------------------------------------------------------- hostile inputs
def test_json_nested_too_deeply_is_one_line_and_the_rest_is_tagged(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text('{"text": "受注処理"}\n' + "[" * 100_000 + "]" * 100_000 + '\n{"text": "在庫管理"}\n',
                 encoding="utf-8")
    r = _run("tag", p)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "deep.jsonl:2: invalid JSON (nested too deeply" in r.stderr
    assert [json.loads(l)["text"] for l in r.stdout.splitlines()] == ["受注処理", "在庫管理"]


def test_corpus_json_nested_too_deeply_is_reported_with_its_line(tmp_path):
    from roleclassify.corpus import read_corpus
    from roleclassify.errors import CorpusError

    p = tmp_path / "deep.jsonl"
    p.write_text('{"text": "受注処理", "labels": ["distribution"]}\n' + '{"a":' * 50_000 + "1" + "}" * 50_000
                 + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as e:
        read_corpus([p])
    assert any("deep.jsonl:2: invalid JSON (nested too deeply" in m for m in e.value.problems)


def test_a_file_name_that_is_not_utf8_is_shown_with_its_byte(tmp_path):
    name = os.fsdecode(b"na\xffme.txt")
    p = tmp_path / name
    p.write_text("受注処理\n", encoding="utf-8")
    missing = tmp_path / os.fsdecode(b"gone\xfe.txt")
    r = _run("tag", p, missing)
    assert "gone\\xfe.txt: no such file" in r.stderr and "Traceback" not in r.stderr
    assert json.loads(r.stdout.splitlines()[0])["id"].endswith("na\\xffme.txt:1")


# --------------------------------------------------------------------------- the progress bar on a terminal
def _on_a_terminal(args):
    """Run with stdout and stderr on one pseudo-terminal (100 columns) and return what the screen shows."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    p = subprocess.Popen([*CMD, *map(str, args)], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    raw = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        raw += chunk
    os.close(leader)
    assert p.wait(timeout=120) in (0, 1)
    return _screen(raw.decode("utf-8")), raw.decode("utf-8")


def _screen(raw: str) -> list[str]:
    """The lines a terminal shows for ``raw``: a carriage return goes back to column 0 and later
    characters overwrite earlier ones."""
    lines, line, col = [], [], 0
    for ch in raw:
        if ch == "\n":
            lines.append("".join(line).rstrip())
            line, col = [], 0
        elif ch == "\r":
            col = 0
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    if line:
        lines.append("".join(line).rstrip())
    return lines


@pytest.fixture
def many_lines(tmp_path):
    p = tmp_path / "many.txt"
    p.write_text("".join(f"受注処理を担当します。番号{i}\n" for i in range(6000)), encoding="utf-8")
    return p


def test_progress_bar_to_a_file_leaves_one_clean_summary_line(many_lines, tmp_path):
    screen, raw = _on_a_terminal(["tag", many_lines, "-o", tmp_path / "out.jsonl"])
    assert "items/s]" in raw  # the bar was drawn while tagging, with its total and percent (the file's lines)
    assert "/6000 [" in raw and re.search(r"\d+%\|", raw)
    assert len(screen) == 2 and re.fullmatch(r"tagged 6,000 items in [\d.]+s \([\d,]+/s\)", screen[0])
    assert screen[1] == "sales 0 · distribution 6,000 · marketing 0 · other 0; 0 for review, 0 skipped"


def test_results_on_the_terminal_get_no_bar_by_default(many_lines):
    screen, raw = _on_a_terminal(["tag", many_lines, "--format", "table"])
    assert "items/s" not in raw
    assert sum("受注処理" in line for line in screen) == 6000
    assert screen[-2].startswith("tagged 6,000 items in ")  # the summary, after the results


def test_forced_bar_never_mixes_with_results_on_the_same_terminal(many_lines, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "受注処理"}\n{"text": 1}\n', encoding="utf-8")
    screen, raw = _on_a_terminal(["tag", many_lines, bad, "--progress", "--format", "table"])
    assert "items/s]" in raw
    rows = [line for line in screen if "受注処理" in line]
    assert len(rows) == 6001 and not any("items/s" in line or "tagged" in line for line in rows)
    assert any(line.endswith("bad.jsonl:2: 'text' is int, not a string; record skipped") for line in screen)
    assert re.fullmatch(r"tagged 6,001 items in [\d.]+s \([\d,]+/s\)", screen[-3])
    assert screen[-2].endswith("; 0 for review, 1 skipped")
    assert screen[-1] == "roleclassify: 1 problem(s) reported, 6001 record(s) tagged"


# --------------------------------------------------------------------------- Office files that inflate
def test_docx_whose_xml_inflates_to_88_mib_is_refused_at_once(tmp_path):
    import time
    import zipfile

    import docx

    small = tmp_path / "small.docx"
    d = docx.Document()
    d.add_heading("営業部", 1)
    d.add_paragraph("新規顧客の開拓に関すること")
    d.save(small)
    with zipfile.ZipFile(small) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = parts["word/document.xml"].decode()
    padding = ("<w:p><w:r><w:t>" + "あ" * 1000 + "</w:t></w:r></w:p>") * 30_000  # compresses ~500:1
    parts["word/document.xml"] = body.replace("<w:sectPr", padding + "<w:sectPr", 1).encode()
    bomb = tmp_path / "分掌.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    assert bomb.stat().st_size < 1 << 20
    t0 = time.perf_counter()
    r = _run("audit", bomb)
    assert time.perf_counter() - t0 < 60  # reading it took 144 s and 530 MB before the limit
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"Error: {bomb}: its XML would inflate to 88 MiB, more than the 64 MiB allowed; "
                                "not read (set ROLECLASSIFY_MAX_OFFICE_BYTES to allow more)")
    assert _run("audit", small).returncode == 0


def test_office_limit_applies_to_tagging_excel_and_can_be_raised(tmp_path, monkeypatch):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["仕事内容"])
    wb.active.append(["受注処理を担当します。"])
    p = tmp_path / "jobs.xlsx"
    wb.save(p)
    monkeypatch.setenv("ROLECLASSIFY_MAX_OFFICE_BYTES", "1000")
    r = _run("tag", p)
    assert r.returncode == 1 and re.search(r"jobs.xlsx: its XML would inflate to [\d.]+ KiB, more than the 1.0 KiB allowed", r.stderr)
    monkeypatch.setenv("ROLECLASSIFY_MAX_OFFICE_BYTES", str(1 << 30))
    r = _run("tag", p)
    assert r.returncode == 0 and json.loads(r.stdout)["text"] == "受注処理を担当します。"
