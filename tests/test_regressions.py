"""Regression tests for bugs users hit: each test names the symptom it guards against."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hardenlint.cli import main
from hardenlint.discover import walk

INSECURE = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n"


def run(args, cwd=None, stdin=None):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "hardenlint", *args], cwd=cwd, input=stdin,
                       capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


# --- a file reached twice is linted (and fixed) once ------------------------------------------

def test_folder_given_twice_or_spelled_differently_is_linted_once(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(INSECURE)
    os.symlink("Dockerfile", tmp_path / "Dockerfile.link")
    monkeypatch.chdir(tmp_path)
    found = list(walk([".", "./", str(tmp_path), "Dockerfile", "./Dockerfile.link"]))
    assert found == [("./Dockerfile", "dockerfile")]


def test_folder_given_twice_reports_each_finding_once_and_diffs_once(tmp_path):
    (tmp_path / "Dockerfile").write_text(INSECURE)
    code, out, err = run(["check", "--format", "json", ".", "./", str(tmp_path)], cwd=tmp_path)
    assert code == 1, err
    data = json.loads(out)
    assert data["summary"]["files"] == 1
    keys = [(f["rule"], f["line"], f["column"]) for f in data["findings"]]
    assert len(keys) == len(set(keys))
    code, out, err = run(["check", "--diff", "--unsafe-fixes", "Dockerfile", "./Dockerfile"], cwd=tmp_path)
    assert code == 1, err
    assert out.count("+++ b/") == 1


# --- --fix never replaces a read-only file -----------------------------------------------------

def _read_only_fix(tmp_path, monkeypatch, capsys):
    f = tmp_path / "Dockerfile"
    f.write_text(INSECURE)
    f.chmod(0o444)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--fix", "--unsafe-fixes", "Dockerfile"])
    return f, code, capsys.readouterr()


def test_fix_refuses_a_read_only_file_with_a_clear_error(tmp_path, monkeypatch, capsys):
    # os.replace needs only the folder to be writable, so the file's mode must be checked; root
    # may write anything, so pretend here to be a user who may not write this file.
    import hardenlint.fixer as fixer

    real_access = os.access
    monkeypatch.setattr(fixer.os, "access", lambda p, m, **kw: False if m == os.W_OK else real_access(p, m, **kw))
    f, code, cap = _read_only_fix(tmp_path, monkeypatch, capsys)
    assert code == 2
    assert f.read_text() == INSECURE and (f.stat().st_mode & 0o777) == 0o444
    assert "Dockerfile: cannot write fixes: the file is read-only" in cap.err
    assert "Traceback" not in cap.err
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".hardenlint-tmp")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write a read-only file")
def test_fix_refuses_a_read_only_file_for_real(tmp_path, monkeypatch, capsys):
    f, code, cap = _read_only_fix(tmp_path, monkeypatch, capsys)
    assert code == 2 and f.read_text() == INSECURE
    assert "read-only" in cap.err


# --- choosing the fixes of a pass is not quadratic ----------------------------------------------

def _choose_reference(findings, text):
    """The pairwise definition of `choose` (every edit against every edit already taken)."""
    from hardenlint.fixer import _overlaps, _valid

    taken, out = [], []
    for f in findings:
        if not _valid(f.fix, len(text)):
            continue
        if any(_overlaps(e, t) for e in f.fix.edits for t in taken):
            continue
        taken.extend(f.fix.edits)
        out.append(f.fix.title)
    return out


def _findings(fixes, text):
    from hardenlint.model.findings import Finding, Span
    from hardenlint.model.positions import LineIndex

    index = LineIndex(text)
    return [Finding("HL203", "x", "note", "D", Span.of(index, 0, 0), "m", fx) for fx in fixes]


def test_choose_agrees_with_the_pairwise_definition_on_random_edits():
    import random

    from hardenlint.fixer import choose
    from hardenlint.model.findings import Edit, Fix

    rng = random.Random(1)
    text = "x" * 60 + "\n"
    for _ in range(300):
        fixes = []
        for n in range(rng.randint(1, 25)):
            edits = []
            for _ in range(rng.randint(1, 3)):
                a = rng.randint(0, len(text))
                b = min(len(text), a + rng.choice((0, 0, 1, 2, 5)))
                edits.append(Edit(a, b, rng.choice(("", "y", "zz"))))
            fixes.append(Fix(f"f{n}", tuple(edits)))
        findings = _findings(fixes, text)
        assert [fx.title for _, fx in choose(findings, False, text)] == _choose_reference(findings, text)


def test_choose_on_a_large_manifest_is_fast():
    # A 1.5 MB manifest has ~40,000 fixes in its first pass; comparing each with every edit
    # already taken made `--fix` on it take minutes.
    import time

    from hardenlint.fixer import choose
    from hardenlint.model.findings import Edit, Fix

    n = 40000
    text = "ab\n" * n
    fixes = [Fix(f"f{i}", (Edit(3 * i + 2, 3 * i + 2, "c"),)) for i in range(n)]
    findings = _findings(fixes, text)
    t = time.perf_counter()
    chosen = choose(findings, False, text)
    assert len(chosen) == n
    assert time.perf_counter() - t < 5


def test_fix_without_diff_does_not_compute_the_diff(tmp_path, monkeypatch, capsys):
    # The unified diff of a large fixed manifest costs more than fixing it; only --diff shows it.
    import hardenlint.fixer as fixer

    def boom(*a, **kw):
        raise AssertionError("diff computed for --fix")

    (tmp_path / "Dockerfile").write_text(INSECURE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(fixer, "unified_diff", boom)
    assert main(["check", "--fix", "--unsafe-fixes", "Dockerfile"]) == 1
    assert "USER 65532" in (tmp_path / "Dockerfile").read_text()
    monkeypatch.undo()
    (tmp_path / "Dockerfile").write_text(INSECURE)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--diff", "Dockerfile"]) == 1
    assert "+++ b/Dockerfile" in capsys.readouterr().out
