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
