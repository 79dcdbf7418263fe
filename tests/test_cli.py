"""The command line as users run it: exit codes, formats, options, errors without tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hardenlint.cli import main

from .conftest import REPO

INSECURE = "FROM python:3.12\nRUN sudo apt-get update\n"
CLEAN = "FROM python:3.12-slim@sha256:" + "a" * 64 + "\nUSER 10001\nCMD [\"python\"]\n"


def run(args, cwd=None, stdin=None, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "hardenlint", *args], cwd=cwd, input=stdin,
                       capture_output=True, text=True, env=e)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Dockerfile").write_text(INSECURE)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "Dockerfile").write_text(CLEAN)
    return tmp_path


def test_findings_exit_1_and_text_points_at_line_and_column(project):
    code, out, err = run(["check", "Dockerfile"], cwd=project)
    assert code == 1, err
    assert "Dockerfile:2:5  HL204  warning" in out
    assert "    2 | RUN sudo apt-get update" in out
    assert "^^^^" in out and "Traceback" not in err


def test_clean_file_exits_0(project):
    code, out, err = run(["check", "ok/Dockerfile"], cwd=project)
    assert code == 0, out + err
    assert "0 findings in 1 file" in out


def test_bare_paths_mean_check_and_default_is_dot(project):
    assert run(["Dockerfile"], cwd=project)[0] == 1
    code, out, _ = run(["check", "--format", "json"], cwd=project)
    data = json.loads(out)
    assert data["summary"]["files"] == 2 and code == 1


def test_json_shape(project):
    code, out, _ = run(["check", "--format", "json", "Dockerfile"], cwd=project)
    data = json.loads(out)
    assert set(data) == {"version", "findings", "summary"}
    f = next(x for x in data["findings"] if x["rule"] == "HL204")
    assert (f["path"], f["line"], f["column"], f["end_line"], f["end_column"]) == ("Dockerfile", 2, 5, 2, 9)
    assert f["name"] == "sudo-in-build" and f["level"] == "warning" and f["fix"] is None
    assert any(x["fix"] and x["fix"]["edits"] for x in data["findings"]), "some finding carries a fix"


def test_failure_threshold_select_ignore_alias(project):
    assert run(["check", "--failure-threshold", "none", "Dockerfile"], cwd=project)[0] == 0
    code, out, _ = run(["check", "--select", "HL204", "--format", "json", "Dockerfile"], cwd=project)
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"HL204"}
    code, out, _ = run(["check", "--ignore", "DL3004,HL2,HL3,HL1", "--format", "json", "Dockerfile"], cwd=project)
    assert "HL204" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_stdin_with_filename():
    code, out, _ = run(["check", "-", "--stdin-filename", "Containerfile", "--format", "json"], stdin=INSECURE)
    data = json.loads(out)
    assert code == 1 and data["findings"][0]["path"] == "Containerfile"


@pytest.mark.parametrize("args,needle", [
    (["check", "does-not-exist"], "no such file or folder: does-not-exist"),
    (["check", "--select", "HL999", "."], "unknown rule id 'HL999'"),
    (["check", "--config", "missing.toml", "."], "no such file: missing.toml"),
    (["check", "--unsafe-fixes", "."], "--unsafe-fixes needs --fix"),
    (["explain", "HL999"], "unknown rule"),
])
def test_usage_errors_exit_2_with_one_line(project, args, needle):
    code, out, err = run(args, cwd=project)
    assert code == 2
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_config_exits_2(project):
    (project / ".hardenlint.yaml").write_text("colour: yes\n")
    code, _, err = run(["check", "."], cwd=project)
    assert code == 2 and "unknown key 'colour'" in err


def test_unparsable_file_is_hl001_and_the_run_goes_on(project):
    (project / "broken").mkdir()
    (project / "broken" / "Dockerfile").write_text("FROM alpine:3.20\nFROOM x\n")
    code, out, err = run(["check", "--format", "json", "."], cwd=project)
    data = json.loads(out)
    rules = {(f["path"], f["rule"]) for f in data["findings"]}
    assert ("broken/Dockerfile", "HL001") in rules and ("Dockerfile", "HL204") in rules
    assert code == 1 and "Traceback" not in err


def test_binary_file_is_hl001_not_a_crash(project):
    (project / "Dockerfile.bin").write_bytes(b"\xff\xfe\x00FROM")
    code, out, err = run(["check", "--format", "json", "Dockerfile.bin"], cwd=project)
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["HL001"] and code == 1


def test_rules_and_explain():
    code, out, _ = run(["rules", "--format", "json"])
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 40 and rows[0]["id"] == "HL001"
    code, out, _ = run(["explain", "DL3002"])
    assert code == 0 and out.startswith("# HL302: user-root")


def test_version():
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith("hardenlint ")


def test_main_in_process_returns_exit_code(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(INSECURE)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--quiet", "--no-color", "Dockerfile"]) == 1
    out = capsys.readouterr().out
    assert "HL204" in out and "|" not in out  # quiet: no source lines


def test_output_file(project):
    code, out, _ = run(["check", "--format", "json", "--output", "r.json", "Dockerfile"], cwd=project)
    assert out == "" and json.loads((project / "r.json").read_text())["findings"]


def test_examples_folder_reports_all_three_kinds():
    code, out, _ = run(["check", "--format", "json", "examples"], cwd=REPO)
    kinds = {f["kind"] for f in json.loads(out)["findings"]}
    assert code == 1 and kinds == {"dockerfile", "compose", "kubernetes"}


def test_stdin_fix_writes_only_the_fixed_text_to_stdout():
    src = "FROM alpine:3.20\nRUN apk add curl\n"
    code, out, err = run(["check", "-", "--stdin-filename", "Dockerfile", "--fix", "--select", "HL203"], stdin=src)
    assert out == "FROM alpine:3.20\nRUN apk add --no-cache curl\n"
    assert "Fixed 1" in err and code == 0


def test_fix_writes_file_and_counts_fixes_per_rule(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add curl\nRUN pip install x\n")
    code, out, _ = run(["check", "--fix", "--select", "HL203", "--format", "json", "Dockerfile"], cwd=tmp_path)
    summary = json.loads(out)["summary"]
    assert summary["fixed"] == 2 and summary["fixed_by_rule"] == {"HL203": 2}
    assert (tmp_path / "Dockerfile").read_text() == ("FROM alpine:3.20\nRUN apk add --no-cache curl\n"
                                                    "RUN pip install --no-cache-dir x\n")
    assert code == 0 and json.loads(out)["findings"] == []


def test_dangling_symlink_in_a_walked_folder_is_skipped_but_named_one_is_an_error(tmp_path):
    (tmp_path / "Dockerfile").write_text(CLEAN)
    (tmp_path / "old.Dockerfile").symlink_to(tmp_path / "gone")
    code, out, err = run(["check", "--format", "json", "."], cwd=tmp_path)
    assert code == 0 and json.loads(out)["summary"]["files"] == 1, err
    code, _, err = run(["check", "old.Dockerfile"], cwd=tmp_path)
    assert code == 2 and "old.Dockerfile" in err and "Traceback" not in err


def test_non_utf8_yaml_of_unknown_kind_is_not_ours(tmp_path):
    (tmp_path / "values.yaml").write_bytes(b"key: \xff\xfe\n")
    code, out, err = run(["check", "--format", "json", "values.yaml"], cwd=tmp_path)
    data = json.loads(out)
    assert code == 0 and data["summary"]["files"] == 0 and data["findings"] == []


def test_diff_prints_the_diff_writes_nothing_and_says_so(tmp_path):
    src = "FROM alpine:3.20\nRUN apk add curl\n"
    (tmp_path / "Dockerfile").write_text(src)
    code, out, err = run(["check", "--diff", "--select", "HL203", "Dockerfile"], cwd=tmp_path)
    assert code == 1 and out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n")
    assert "+RUN apk add --no-cache curl" in out and "Would fix 1 (nothing written)." in err
    assert (tmp_path / "Dockerfile").read_text() == src


@pytest.mark.parametrize("order", [["--fix", "--diff"], ["--diff", "--fix", "--unsafe-fixes"]])
def test_diff_writes_nothing_even_with_fix(tmp_path, order):
    src = "FROM alpine:3.20\nRUN apk add curl\n"
    (tmp_path / "Dockerfile").write_text(src)
    code, out, err = run(["check", *order, "--select", "HL203", "Dockerfile"], cwd=tmp_path)
    assert code == 1 and "+RUN apk add --no-cache curl" in out and "(nothing written)" in err
    assert (tmp_path / "Dockerfile").read_text() == src
