"""Regression tests for bugs users hit: each test names the symptom it guards against."""
from __future__ import annotations

import json
import os
import subprocess
import sys

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
