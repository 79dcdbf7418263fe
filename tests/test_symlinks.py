"""Symlinks: a folder walk does not follow a symlink leading outside the folder given, and --fix
never writes through a symlink to a file outside the paths given."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hardenlint.discover import walk

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symlinks")

INSECURE = "FROM alpine:3.20\nRUN apk add curl\n"
FIXED = "FROM alpine:3.20\nRUN apk add --no-cache curl\n"


@pytest.fixture
def tree(tmp_path):
    """outside/Dockerfile; proj/Dockerfile -> ../outside/Dockerfile; proj/shared -> ../outside;
    proj/app/Dockerfile (real); proj/Dockerfile.app -> app/Dockerfile (inside)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "Dockerfile").write_text(INSECURE)
    (tmp_path / "outside" / "compose.yaml").write_text("services:\n  a:\n    image: x:1\n    privileged: true\n")
    proj = tmp_path / "proj"
    (proj / "app").mkdir(parents=True)
    (proj / "app" / "Dockerfile").write_text(INSECURE)
    os.symlink("../outside/Dockerfile", proj / "Dockerfile")
    os.symlink("../outside", proj / "shared")
    os.symlink("app/Dockerfile", proj / "Dockerfile.app")
    return tmp_path


def run(cwd, *args):
    p = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--select", "HL203", *args], cwd=cwd,
                       capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr


def test_walk_does_not_follow_symlinks_out_of_the_folder(tree):
    found = sorted(os.path.relpath(p, tree) for p, _k in walk([str(tree / "proj")]))
    assert found == ["proj/Dockerfile.app"]  # the inside link and its target are one file, met first as the link


def test_walking_the_parent_reaches_the_outside_files_as_themselves(tree):
    found = {os.path.relpath(os.path.realpath(p), tree) for p, _k in walk([str(tree)])}
    assert found == {"outside/Dockerfile", "outside/compose.yaml", "proj/app/Dockerfile"}


def test_fix_on_a_folder_never_rewrites_a_file_outside_it(tree):
    code, out, err = run(tree, "--fix", "proj")
    assert code == 0, out + err
    assert (tree / "outside" / "Dockerfile").read_text() == INSECURE
    assert (tree / "proj" / "app" / "Dockerfile").read_text() == FIXED
    assert os.path.islink(tree / "proj" / "Dockerfile")


def test_a_symlink_named_explicitly_is_linted_but_not_written_through(tree):
    code, out, err = run(tree, "--fix", "proj/Dockerfile")
    assert code == 1 and "proj/Dockerfile:2:5  HL203" in out
    assert "proj/Dockerfile: not fixed: a symlink to" in err and "outside the paths given" in err
    assert (tree / "outside" / "Dockerfile").read_text() == INSECURE
    assert os.path.islink(tree / "proj" / "Dockerfile")


def test_a_symlink_into_a_folder_given_is_fixed(tree):
    code, out, err = run(tree, "--fix", "proj/Dockerfile.app", "proj/app")
    assert code == 0 and "not fixed" not in err
    assert (tree / "proj" / "app" / "Dockerfile").read_text() == FIXED
    assert os.path.islink(tree / "proj" / "Dockerfile.app")


def test_plain_files_named_explicitly_are_fixed(tree):
    code, out, err = run(tree, "--fix", "outside/Dockerfile")
    assert code == 0 and (tree / "outside" / "Dockerfile").read_text() == FIXED
