"""Profiles: the built-in devcontainer profile, its configuration, --no-profiles, JSONC."""
from __future__ import annotations

import json

import pytest

from hardenlint.cli import main
from hardenlint.config import ConfigError, from_mapping
from hardenlint.devcontainer import load_jsonc, strip_jsonc

DEVFILE = ("FROM mcr.microsoft.com/devcontainers/python:3.12\n"
           "ENV DB_PASSWORD=Tr0ub4dor3xyz\n"
           "RUN apt-get update && apt-get install -y sudo curl\n")
COMPOSE = ("services:\n  app:\n    build: .\n    user: root\n"
           "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"
           "    environment:\n      API_TOKEN: tok-9f8e7d6c5b4a\n")
LEFT_OUT = {"HL201", "HL204", "HL301", "HL302", "HL303", "HL313"}


def rules_for(tmp_path, monkeypatch, capsys, *args):
    monkeypatch.chdir(tmp_path)
    main(["check", "--format", "json", "--preset", "strict", *args])
    data = json.loads(capsys.readouterr().out)
    out = {}
    for f in data["findings"]:
        out.setdefault(f["path"].replace("\\", "/"), set()).add(f["rule"])
    return out


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    dev = tmp_path / ".devcontainer"
    dev.mkdir()
    (dev / "Dockerfile").write_text(DEVFILE)
    (tmp_path / "Dockerfile").write_text(DEVFILE)
    (tmp_path / "docker-compose.dev.yml").write_text(COMPOSE)  # named by devcontainer.json below
    (tmp_path / "compose.yaml").write_text(COMPOSE)  # not named: linted as any other file
    (dev / "devcontainer.json").write_text(
        '// VS Code dev container\n{\n  "name": "dev", /* the app */\n'
        '  "dockerComposeFile": ["../docker-compose.dev.yml",],\n  "service": "app",\n}\n')
    return tmp_path


def test_devcontainer_profile_leaves_out_workstation_rules_only(repo, monkeypatch, capsys):
    got = rules_for(repo, monkeypatch, capsys)
    plain, dev = got["Dockerfile"], got[".devcontainer/Dockerfile"]
    assert plain & LEFT_OUT, "the same Dockerfile elsewhere has these findings"
    assert not dev & LEFT_OUT
    assert dev == plain - LEFT_OUT, "every other rule stays"
    assert "HL501" in dev, "a secret in a dev container's ENV is still a leak"
    named, other = got["docker-compose.dev.yml"], got["compose.yaml"]
    assert other & LEFT_OUT and not named & LEFT_OUT and named == other - LEFT_OUT
    assert "HL501" in named


def test_no_profiles_lints_them_as_anything_else(repo, monkeypatch, capsys):
    got = rules_for(repo, monkeypatch, capsys, "--no-profiles")
    assert got[".devcontainer/Dockerfile"] == got["Dockerfile"]
    assert got["docker-compose.dev.yml"] == got["compose.yaml"]


def test_profile_configured_in_pyproject(repo, monkeypatch, capsys):
    (repo / "pyproject.toml").write_text(
        '[tool.hardenlint.profiles.devcontainer]\nignore = ["HL204"]\n'
        '[tool.hardenlint.profiles.ci]\npaths = ["ci/"]\nignore = ["HL501"]\n')
    (repo / "ci").mkdir()
    (repo / "ci" / "Dockerfile").write_text(DEVFILE)
    got = rules_for(repo, monkeypatch, capsys)
    assert got[".devcontainer/Dockerfile"] == got["Dockerfile"] - {"HL204"}
    assert got["ci/Dockerfile"] == got["Dockerfile"] - {"HL501"}


def test_profile_paths_in_yaml_config(repo, monkeypatch, capsys):
    (repo / ".hardenlint.yaml").write_text("profiles:\n  devcontainer:\n    paths: [tools/dev/]\n")
    (repo / "tools" / "dev").mkdir(parents=True)
    (repo / "tools" / "dev" / "Dockerfile").write_text(DEVFILE)
    got = rules_for(repo, monkeypatch, capsys)
    assert got["tools/dev/Dockerfile"] == got["Dockerfile"] - LEFT_OUT
    assert got[".devcontainer/Dockerfile"] == got["Dockerfile"], "the paths were replaced"


@pytest.mark.parametrize("data,needle", [
    ({"profiles": ["devcontainer"]}, "profiles must map"),
    ({"profiles": {"devcontainer": {"ignore": ["HL999"]}}}, "unknown rule id 'HL999'"),
    ({"profiles": {"devcontainer": {"rules": []}}}, "unknown key 'rules'"),
    ({"profiles": {"ci": {"ignore": ["HL201"]}}}, "a new profile needs paths"),
    ({"profiles": {"ci": "HL201"}}, "expected a mapping"),
    ({"profiles": {"devcontainer": {"follow-compose-references": "no"}}}, "expected true or false"),
])
def test_profile_config_errors(data, needle):
    with pytest.raises(ConfigError) as e:
        from_mapping(data, "cfg.yaml")
    assert needle in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("text", [
    '{"dockerComposeFile": "a.yml" // x\n}',
    '{\n  /* a, b */ "dockerComposeFile": ["a.yml", /* c */ ],\n}',
    '\ufeff{"dockerComposeFile": "a.yml",  // trailing\n}',
])
def test_jsonc_comments_and_trailing_commas(text):
    assert load_jsonc(text)["dockerComposeFile"] in ("a.yml", ["a.yml"])


def test_jsonc_keeps_strings_as_written():
    text = '{"u": "http://x/*y*/", "c": "a,]", "q": "\\"//"}'
    assert strip_jsonc(text) == text
    assert load_jsonc(text) == {"u": "http://x/*y*/", "c": "a,]", "q": '"//'}


@pytest.mark.parametrize("text", ["{", '{"a": "b', "/* open", "[" * 100000, "", "null", '{"dockerComposeFile": 3}'])
def test_broken_devcontainer_json_never_a_traceback(tmp_path, monkeypatch, capsys, text):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text(text)
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    assert load_jsonc(text) is None or not isinstance(load_jsonc(text), dict) or text.startswith('{"d')
    got = rules_for(tmp_path, monkeypatch, capsys)
    assert got["compose.yaml"] & LEFT_OUT


def test_following_compose_references_can_be_turned_off(repo, monkeypatch, capsys):
    (repo / ".hardenlint.yaml").write_text("profiles:\n  devcontainer:\n    follow-compose-references: false\n")
    got = rules_for(repo, monkeypatch, capsys)
    assert got["docker-compose.dev.yml"] == got["compose.yaml"], "the named compose file is linted as any other"
    assert got[".devcontainer/Dockerfile"] == got["Dockerfile"] - LEFT_OUT, "the folder still has the profile"
