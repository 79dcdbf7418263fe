"""Progress on a terminal: when it is shown (the decision), that it counts every file in order with
the worker pool, and, end to end under a pseudo-terminal, that it appears on stderr and is gone
before the report, and never appears in pipes or CI."""
from __future__ import annotations

import argparse
import io
import os
import select
import subprocess
import sys

import pytest

from hardenlint import runner
from hardenlint.progress import DELAY, DELAY_ENV, Progress, delay_from, wanted

pty = pytest.importorskip("pty")

DOCKERFILE = "FROM python:3.12\nRUN apt-get update && apt-get install -y curl\n"


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Recorder(Progress):
    """Counts what a run reports, never draws."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(True, delay=3600)
        self.phases, self.steps = [], 0

    def phase(self, label, total=None):
        self.phases.append((label, total))
        super().phase(label, total)

    def advance(self, steps=1):
        self.steps += steps
        super().advance(steps)


def _args(**kw):
    return argparse.Namespace(quiet=False, **kw)


@pytest.mark.parametrize("tty, env, quiet, paths, expected", [
    (True, {}, False, ["."], True),
    (True, {"TERM": "xterm-256color", "CI": "false"}, False, ["a", "b"], True),
    (False, {}, False, ["."], False),  # a pipe or a file
    (True, {"CI": "true"}, False, ["."], False),
    (True, {"CI": "1"}, False, ["."], False),
    (True, {"GITHUB_ACTIONS": "true"}, False, ["."], False),
    (True, {}, True, ["."], False),  # --quiet
    (True, {}, False, ["-"], False),  # stdin: editors, `- --fix`
    (True, {"TERM": "dumb"}, False, ["."], False),
])
def test_decision(tty, env, quiet, paths, expected):
    assert wanted(argparse.Namespace(quiet=quiet), paths, Stream(tty), env) is expected


def test_decision_without_quiet_attribute_and_closed_stream():
    assert wanted(argparse.Namespace(), ["."], Stream(True), {}) is True  # `pin` has no --quiet
    closed = Stream(True)
    closed.isatty = lambda: (_ for _ in ()).throw(ValueError("closed"))
    assert wanted(argparse.Namespace(), ["."], closed, {}) is False


def test_delay_knob():
    assert delay_from({}) == DELAY == 1.0
    assert delay_from({DELAY_ENV: "0"}) == 0.0
    assert delay_from({DELAY_ENV: "soon"}) == DELAY


def test_nothing_drawn_and_rich_not_imported_before_the_delay():
    code = ("import sys; from hardenlint.progress import Progress\n"
            "p = Progress(True, delay=3600); p.phase('linting files', 5000)\n"
            "for _ in range(5000): p.advance()\n"
            "p.close(); print(p.shown, 'rich' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_shown_after_the_delay_and_closed():
    p = Progress(True, delay=0, stream=Stream(True))
    p.phase("linting files", 3)
    for _ in range(3):
        p.advance()
    assert p.shown and p._bar is not None
    p.close()
    assert p._bar is None
    p.advance()  # after close: nothing, no error
    off = Progress(False, delay=0)
    off.phase("x", 1)
    off.advance()
    assert not off.shown


@pytest.mark.parametrize("n", [5, runner.PARALLEL_MIN_FILES + 37])
def test_map_counts_every_file_and_keeps_the_order(n):
    files = [(f"f{i}", "dockerfile") for i in range(n)]
    rec = Recorder()
    out = runner._map(lambda _linter, path, kind: path + kind, None, files, rec)
    assert out == [p + k for p, k in files]  # pool or not: the order of the files
    assert rec.steps == n


def test_run_reports_linting_and_fixing_phases(tmp_path):
    from hardenlint.config import Config

    for i in range(3):
        (tmp_path / f"{i}.Dockerfile").write_text(DOCKERFILE)
    rec = Recorder()
    args = argparse.Namespace(fix=False, diff=False, unsafe_fixes=False, force_exclude=False, quiet=False)
    report, _ = runner.run([str(tmp_path)], Config(), args, rec)
    assert report.files == 3 and rec.phases == [("linting files", 3)] and rec.steps == 3
    rec = Recorder()
    args.diff = True
    runner.run([str(tmp_path)], Config(), args, rec)
    assert ("fixing files", 3) in rec.phases and rec.steps >= 3


def test_kustomize_roots_are_counted(tmp_path):
    from hardenlint.config import Config

    (tmp_path / "kustomization.yaml").write_text("resources:\n  - pod.yaml\n")
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                                       "  containers:\n    - name: a\n      image: nginx:1.25\n")
    rec = Recorder()
    args = argparse.Namespace(fix=False, diff=False, unsafe_fixes=False, force_exclude=False, quiet=False)
    report, _ = runner.run([str(tmp_path)], Config(), args, rec)
    assert report.findings
    assert ("rendering kustomize roots", 1) in rec.phases and ("linting kustomize roots", 1) in rec.phases


# -- end to end, under a pseudo-terminal ----------------------------------------------------------

def _hardenlint(tmp_path, *args, tty: bool, env=None):
    """Run hardenlint with stderr on a pseudo-terminal (or a pipe); (code, stdout, stderr)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "NO_COLOR", "TERM")}
    full_env.update({DELAY_ENV: "0", "TERM": "xterm", "COLUMNS": "100"}, **(env or {}))
    cmd = [sys.executable, "-m", "hardenlint", "check", "--no-color", *args]
    if not tty:
        p = subprocess.run(cmd, cwd=tmp_path, env=full_env, capture_output=True, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(cmd, cwd=tmp_path, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=slave)
        os.close(slave)
        err = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        out = p.stdout.read()
        p.stdout.close()
        code = p.wait(timeout=60)
    finally:
        os.close(master)
    return code, out.decode(), err.decode("utf-8", "replace")


@pytest.fixture
def tree(tmp_path):
    for i in range(6):
        (tmp_path / f"{i}.Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def test_terminal_shows_progress_on_stderr_and_the_report_is_unchanged(tree):
    code, out, err = _hardenlint(tree, ".", tty=True)
    assert "linting files" in err and "6/6" in err
    piped = _hardenlint(tree, ".", tty=False)
    assert (code, out) == piped[:2]  # stdout (the report) is the same as in a pipe
    assert "linting files" not in piped[2]


def test_progress_is_gone_before_a_report_on_stderr(tree):
    code, out, err = _hardenlint(tree, "--diff", ".", tty=True)
    assert code == 1 and out.startswith("---")  # the diff on stdout
    assert "fixing files" in err
    report = err.index("0.Dockerfile:")  # the report, on stderr with --diff
    assert err.rindex("fixing files") < report
    assert "\x1b[2K" in err[:report]  # the transient display was erased
    assert "\x1b[32m" not in err  # --no-color: no colour in the progress either


@pytest.mark.parametrize("env, args", [({"CI": "true"}, ()), ({"GITHUB_ACTIONS": "true"}, ()), ({}, ("--quiet",))])
def test_nothing_in_ci_or_quiet(tree, env, args):
    code, out, err = _hardenlint(tree, *args, ".", tty=True, env=env)
    assert code == 1 and "linting files" not in err and "\x1b" not in err


def test_nothing_for_short_runs_at_the_default_delay(tree):
    code, out, err = _hardenlint(tree, ".", tty=True, env={DELAY_ENV: "30"})
    assert code == 1 and "linting files" not in err and "\x1b" not in err
