"""Compose interpolation of every value, as `docker compose config` does it: the template forms,
`.env` beside the compose file, `--env-file`, `--compose-env`, findings that point at the compose
text and name the `.env` line, no fix on an interpolated value, and Docker Compose itself as the
oracle (Debian's `docker-compose` package: `docker-compose config` needs no daemon)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from hardenlint.config import Config
from hardenlint.engine import Linter, parse
from hardenlint.model.interpolation import Variable, read_env_file, substitute
from hardenlint.model.yamlnodes import to_python
from hardenlint.source import SourceFile

ENV = {"SET": Variable("SET", "v", "t"), "EMPTY": Variable("EMPTY", "", "t"), "DOLLAR": Variable("DOLLAR", "a$b", "t")}


@pytest.mark.parametrize("text,expected", [
    ("plain", "plain"), ("${SET}", "v"), ("$SET", "v"), ("x-${SET}-y", "x-v-y"), ("$SET.$SET", "v.v"),
    ("${UNSET}", None), ("$UNSET", None), ("a ${SET} ${UNSET}", None),
    ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"), ("${SET:-d}", "v"),
    ("${UNSET-d}", "d"), ("${EMPTY-d}", ""), ("${SET-d}", "v"),
    ("${SET:?need it}", "v"), ("${UNSET:?need it}", None), ("${EMPTY:?need it}", None),
    ("${UNSET?need it}", None), ("${EMPTY?need it}", ""),
    ("${SET:+r}", "r"), ("${UNSET:+r}", ""), ("${EMPTY:+r}", ""), ("${EMPTY+r}", "r"), ("${UNSET+r}", ""),
    ("$$SET", "$$SET"), ("$${SET}", "$${SET}"), ("a$$", "a$$"), ("cost $5", "cost $5"),
    ("${UNSET:-${SET}}", "v"), ("${UNSET:-${NONE}}", None), ("${UNSET:-a ${SET:-b} c}", "a v c"),
    ("${UNSET", None), ("${}", None), ("${SET:x}", None),
    ("${DOLLAR}", "a$$b"),  # a value's own `$` is literal: escaped in the result
])
def test_substitute_forms(text, expected):
    got = substitute(text, ENV)
    assert (got[0] if got is not None else None) == expected


def test_env_file_syntax(tmp_path):
    f = tmp_path / ".env"
    f.write_text("# comment\n\nTAG=1.2.3\nexport MODE=prod\nQUOTED=\"a b # not a comment\"\n"
                 "ESC=\"line\\nnext\"\nSINGLE='${TAG} stays'\nINLINE=value # comment\nEMPTY=\n"
                 "REF=v${TAG}\nnot a variable line\n")
    env = read_env_file(str(f), ".env")
    assert {k: v.value for k, v in env.items()} == {
        "TAG": "1.2.3", "MODE": "prod", "QUOTED": "a b # not a comment", "ESC": "line\nnext",
        "SINGLE": "${TAG} stays", "INLINE": "value", "EMPTY": "", "REF": "v1.2.3"}
    assert env["MODE"].origin == ".env line 4"


def write(tmp_path, compose, env=None, name="compose.yaml"):
    (tmp_path / name).write_text(compose)
    if env is not None:
        (tmp_path / ".env").write_text(env)
    return tmp_path / name


def check(tmp_path, *args, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--format", "json", *args], cwd=tmp_path,
                       capture_output=True, text=True, env=e)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)["findings"], p


def rules(findings, rule):
    return [(f["line"], f["column"], f["message"]) for f in findings if f["rule"] == rule]


def test_defaults_are_judged_everywhere_not_only_in_image(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:1.27\n    privileged: ${PRIV:-true}\n"
                    "    network_mode: ${NET:-host}\n    cap_add: [\"${CAP:-SYS_ADMIN}\"]\n")
    found, _ = check(tmp_path, "--select", "HL304,HL312,HL305")
    assert [(f["rule"], f["line"]) for f in found] == [("HL304", 4), ("HL312", 5), ("HL305", 6)]


def test_a_default_that_is_safe_is_not_a_finding(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:1.27\n    privileged: ${PRIV:-false}\n")
    assert check(tmp_path, "--select", "HL304")[0] == []


def test_unset_without_default_cannot_be_judged(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:${TAG}\n    privileged: ${PRIV}\n    user: ${USER_ID}\n")
    found, _ = check(tmp_path, "--select", "HL101,HL102,HL304,HL303")
    assert found == []


def test_values_from_env_file_name_the_line(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:${TAG}\n    privileged: ${PRIV}\n",
          "# versions\nTAG=latest\nPRIV=true\n")
    found, _ = check(tmp_path, "--select", "HL102,HL304")
    latest = rules(found, "HL102")
    assert latest and latest[0][:2] == (3, 12) and latest[0][2].endswith("(`TAG` from .env line 2)")
    priv = rules(found, "HL304")
    assert priv[0][0] == 4 and priv[0][2].endswith("(`PRIV` from .env line 3)")


def test_env_file_replaces_the_dot_env_and_is_repeatable(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:${TAG}\n", "TAG=latest\n")
    (tmp_path / "prod.env").write_text("TAG=1.27.3\n")
    (tmp_path / "override.env").write_text("TAG=latest\n")
    assert check(tmp_path, "--select", "HL102", "--env-file", "prod.env")[0] == []
    found, _ = check(tmp_path, "--select", "HL102", "--env-file", "prod.env", "--env-file", "override.env")
    assert rules(found, "HL102")[0][2].endswith("(`TAG` from override.env line 1)")
    p = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--env-file", "missing.env"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert p.returncode == 2 and "--env-file: no such file: missing.env" in p.stderr and "Traceback" not in p.stderr


def test_process_environment_only_with_compose_env(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: nginx:${HL_TEST_TAG}\n", "HL_TEST_TAG=1.27.3\n")
    env = {"HL_TEST_TAG": "latest"}
    assert check(tmp_path, "--select", "HL102", env=env)[0] == []  # the run stays reproducible
    found, _ = check(tmp_path, "--select", "HL102", "--compose-env", env=env)
    assert rules(found, "HL102")[0][2].endswith("(`HL_TEST_TAG` from the environment)")


def test_no_fix_edits_an_interpolated_value(tmp_path):
    path = write(tmp_path, "services:\n  web:\n    image: nginx:1.27\n    read_only: ${RO:-false}\n"
                           "    privileged: true\n")
    found, _ = check(tmp_path, "--select", "HL307,HL304")
    by_rule = {f["rule"]: f for f in found}
    assert by_rule["HL307"]["line"] == 4 and by_rule["HL307"].get("fix") is None
    assert by_rule["HL304"].get("fix") is not None  # written literally: fixed as usual
    subprocess.run([sys.executable, "-m", "hardenlint", "check", "--fix", "--unsafe-fixes", "--select", "HL307,HL304",
                    str(path)], capture_output=True)
    assert "read_only: ${RO:-false}" in path.read_text() and "privileged" not in path.read_text()


def test_a_secret_kept_in_dot_env_is_neither_a_finding_nor_printed(tmp_path):
    write(tmp_path, "services:\n  db:\n    image: postgres:17\n    environment:\n"
                    "      POSTGRES_PASSWORD: ${DB_PASSWORD}\n", "DB_PASSWORD=Sup3rS3cretValue!\n")
    found, p = check(tmp_path)
    assert not rules(found, "HL501") and "Sup3rS3cretValue" not in p.stdout + p.stderr


def test_list_form_environment_is_interpolated(tmp_path):
    write(tmp_path, "services:\n  web:\n    image: node:22\n    environment:\n"
                    "      - NODE_TLS_REJECT_UNAUTHORIZED=${TLS_CHECK:-0}\n")
    found, _ = check(tmp_path, "--select", "HL107")
    assert [f["line"] for f in found] == [5]


# --- Docker Compose as the oracle ---------------------------------------------------------------

ORACLE_CASES = [
    ("""services:
  web:
    image: "nginx:${TAG}"
    privileged: ${PRIV:-true}
    read_only: ${RO-false}
    user: "${UID:?need a uid}"
    environment:
      A: "$${HOME}"
      B: ${EMPTY:-fallback}
      C: ${EMPTY-kept}
      D: x${UID}y
""", "# comment\nTAG=latest\nUID=1000\nEMPTY=\nexport MODE=prod\n"),
    ("""services:
  api:
    image: ${REGISTRY:-docker.io}/acme/api:${VERSION:-1.0}
    network_mode: ${NET-bridge}
    cap_add:
      - ${CAP:-NET_ADMIN}
    environment:
      - MODE=${MODE}
      - QUOTED=${QUOTED}
""", "VERSION=2.3.1\nNET=host\nMODE=prod # the mode\nQUOTED=\"a b\"\n"),
]


def _normal(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted(_normal(v) for v in value)
    return str(value)


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="Docker Compose v1 not installed (Debian package `docker-compose`)")
@pytest.mark.parametrize("compose,dotenv", ORACLE_CASES)
def test_interpolation_agrees_with_docker_compose_config(tmp_path, compose, dotenv):
    path = write(tmp_path, compose, dotenv)
    p = subprocess.run(["docker-compose", "-f", str(path), "config"], cwd=tmp_path, capture_output=True, text=True,
                       env={"PATH": os.environ.get("PATH", "")})
    assert p.returncode == 0, p.stderr
    expected = yaml.safe_load(p.stdout)["services"]
    linter = Linter(Config())
    source = SourceFile(str(path), compose, "compose")
    parsed = parse(source, lambda: linter.compose_environment(source))
    ours = to_python(parsed.model.documents[0])["services"]
    keys = ("image", "privileged", "read_only", "user", "environment", "network_mode", "cap_add")
    for name, svc in expected.items():
        for key in keys:
            if key in svc:
                env = svc[key]
                mine = ours[name][key]
                if key == "environment" and isinstance(mine, list):
                    mine = dict(item.split("=", 1) for item in mine)
                assert _normal(mine) == _normal(env), (name, key)
