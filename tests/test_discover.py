"""Which files are linted, by name, folder and exclude."""
from __future__ import annotations

import pytest

from hardenlint.discover import kind_by_name, matches, walk


@pytest.mark.parametrize("name,kind", [
    ("Dockerfile", "dockerfile"), ("dockerfile", "dockerfile"), ("Containerfile", "dockerfile"),
    ("Dockerfile.prod", "dockerfile"), ("api.Dockerfile", "dockerfile"), ("x.dockerfile", "dockerfile"),
    ("DOCKERFILE.dev", "dockerfile"), ("compose.yaml", "compose"), ("compose.prod.yml", "compose"),
    ("docker-compose.yml", "compose"), ("docker-compose.override.yaml", "compose"),
    ("deploy.yaml", "yaml"), ("values.yml", "yaml"), ("README.md", None), ("Dockerfile.md", "dockerfile"),
    ("setup.py", None), ("Dockerfile-dev", "dockerfile"), ("repo__app__Dockerfile", "dockerfile"),
    ("mydockerfile", None), ("dockerfiles.txt", None), ("Containerfile.fedora", "dockerfile"),
    ("deploy.json", "json"), ("List.JSON", "json"), ("x.jsonl", None),
])
def test_kind_by_name(name, kind):
    assert kind_by_name(name) == kind


def test_walk_skips_vcs_venv_node_modules_and_excludes(tmp_path):
    for rel in ["Dockerfile", "app/Dockerfile.dev", ".git/Dockerfile", "node_modules/x/Dockerfile",
                "env/Dockerfile", "vendor/Dockerfile", "k8s/deploy.yaml", "notes.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("FROM scratch\n")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    found = [(p.replace(str(tmp_path) + "/", ""), k) for p, k in walk([str(tmp_path)], ["vendor"], str(tmp_path))]
    assert found == [("Dockerfile", "dockerfile"), ("app/Dockerfile.dev", "dockerfile"), ("k8s/deploy.yaml", "yaml")]


def test_explicit_files_are_linted_whatever_their_name_unless_force_exclude(tmp_path):
    f = tmp_path / "vendor" / "build.txt"
    f.parent.mkdir()
    f.write_text("FROM scratch\n")
    assert list(walk([str(f)], ["vendor"], str(tmp_path))) == [(str(f), "auto")]
    assert list(walk([str(f)], ["vendor"], str(tmp_path), force_exclude=True)) == []


def test_missing_path_raises():
    with pytest.raises(FileNotFoundError):
        list(walk(["/nonexistent/hardenlint"]))


@pytest.mark.parametrize("path,patterns,expected", [
    ("a/b/Dockerfile", ["b"], True), ("a/b/Dockerfile", ["a/b/**"], True), ("a/b/Dockerfile", ["a/c"], False),
    ("tests/fixtures/compose.yaml", ["tests/fixtures/"], True), ("x/Dockerfile.test", ["*.test"], True),
    ("./a/Dockerfile", ["a"], True),
])
def test_matches(path, patterns, expected):
    assert matches(path, patterns) is expected


@pytest.mark.parametrize("name", [
    "Dockerfile", "sub/dir/dockerfile", "Containerfile", "Dockerfile.prod", "api.Dockerfile", "Dockerfile-dev",
    "build_Dockerfile", "repo__app__Dockerfile", "compose.yaml", "k8s/deploy.yml", "mydockerfile", "README.md",
    "docker/entrypoint.sh", "dockerfiles.txt", "Containerfile.fedora", "deploy.json", "k8s/list.JSON", "x.jsonl",
])
def test_pre_commit_files_regex_agrees_with_discovery(name):
    import re

    import yaml

    from .conftest import REPO

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        assert bool(re.search(hook["files"], name)) == (kind_by_name(name) is not None), (hook["id"], name)
