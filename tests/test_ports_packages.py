"""HL319 (hostPort), HL320 (compose ports on every interface) and HL108 (package versions)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import apply_edits, lint


def found(text, rule, name):
    return [f for f in lint(text, name, select=[rule]) if f.rule == rule]


# --------------------------------------------------------------------------- HL319

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
{host}  containers:
    - name: a
      image: a:1.0
      ports:
        - containerPort: 80
          hostPort: 8080
        - containerPort: 81
        - containerPort: 82
          hostPort: 0
"""


def test_hl319_reports_host_port_and_fix_removes_it():
    text = POD.format(host="")
    out = found(text, "HL319", "k8s.yaml")
    assert [(f.span.line, f.span.column) for f in out] == [(11, 11)]
    assert out[0].fix.applicability == "unsafe"
    fixed = apply_edits(text, out[0].fix.edits)
    assert "hostPort: 8080" not in fixed and "containerPort: 80\n" in fixed
    assert found(fixed, "HL319", "k8s.yaml") == []


def test_hl319_host_network_is_hl312():
    assert found(POD.format(host="  hostNetwork: true\n"), "HL319", "k8s.yaml") == []


# --------------------------------------------------------------------------- HL320

COMPOSE = """services:
  web:
    image: nginx:1.27
    ports:
      - "8080:80"
      - 127.0.0.1:8443:443
      - "[::1]:9000:9000"
      - "::1:9001:9001"
      - 5000-5010:5000-5010
      - "80"
      - '9090:90/udp'
      - "${BIND}:7000:7000"
      - target: 80
        published: 8081
      - target: 81
        published: "8082"
        host_ip: 127.0.0.1
      - target: 82
    expose: ["3000"]
"""


def test_hl320_short_long_ipv6_ranges():
    out = found(COMPOSE, "HL320", "compose.yaml")
    assert [f.span.line for f in out] == [5, 9, 11, 13]


def test_hl320_fix_prefixes_loopback_and_compose_reads_it(tmp_path):
    text = COMPOSE
    for _ in range(3):
        out = [f for f in found(text, "HL320", "compose.yaml") if f.fix]
        if not out:
            break
        text = apply_edits(text, [e for f in out for e in f.fix.edits])
    assert found(text, "HL320", "compose.yaml") == []
    assert '"127.0.0.1:8080:80"' in text and "127.0.0.1:5000-5010:5000-5010" in text
    assert "'127.0.0.1:9090:90/udp'" in text and "        host_ip: 127.0.0.1\n      - target: 81" in text
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose (the oracle) is not installed")
    # docker-compose v1 (the oracle here) predates long-syntax `host_ip`: check the short forms
    short = text[:text.index("      - target: 80")].replace("${BIND}", "127.0.0.2")
    (tmp_path / "compose.yaml").write_text(short)
    p = subprocess.run(["docker-compose", "-f", str(tmp_path / "compose.yaml"), "config"], capture_output=True,
                       text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    published = [ln.strip() for ln in p.stdout.splitlines() if ln.strip().startswith("- ")]
    assert "- 127.0.0.1:8080:80/tcp" in published and "- 127.0.0.1:9090:90/udp" in published
    # the container-only "80" stays container-only; everything published has an address
    assert [ln for ln in published if ln.count(":") == 1 and "/" in ln] == []


# --------------------------------------------------------------------------- HL108


def pkgs(text):
    return [(f.span.line, f.message.split("`")[3]) for f in found(text, "HL108", "Dockerfile")]


def test_hl108_one_finding_per_package_every_manager():
    text = """FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 ca-certificates
RUN apk add --no-cache --virtual .deps curl=8.5.0-r0 git
RUN pip install --no-cache-dir -i https://pypi.example/simple flask==3.0.3 requests 'django>=4'
RUN npm install -g typescript@5.4.5 eslint@latest prettier @scope/tool@^1.2 @scope/ok@2.0.0
RUN gem install rails rake:13.0
RUN dnf install -y nginx-1.24.0 httpd && yum install -y jq && microdnf install tar
RUN zypper --non-interactive install -y vim=9 less
RUN go install golang.org/x/tools/cmd/goimports@v0.20.0 github.com/x/y@latest
"""
    assert pkgs(text) == [
        (2, "ca-certificates"), (3, "git"), (4, "requests"), (4, "django>=4"), (5, "eslint@latest"),
        (5, "prettier"), (5, "@scope/tool@^1.2"), (6, "rails"), (7, "httpd"), (7, "jq"), (7, "tar"), (8, "less"),
        (9, "github.com/x/y@latest"),
    ]


def test_hl108_exceptions():
    text = """FROM python:3.12-slim
RUN pip install -r requirements.txt && pip install --require-hashes x && pip install -c constraints.txt y
RUN pip install . ./pkg dist/app-1.0-py3-none-any.whl https://example.com/x.tar.gz git+https://github.com/a/b
RUN python -m pip install -e .
RUN npm ci && npm install && yarn install && bundle install
RUN apt-get install -y ./local.deb $PACKAGES && dnf install -y /tmp/x.rpm @development-tools
RUN gem install bundler -v 2.5.6
"""
    assert pkgs(text) == []


def test_hl108_heredoc_and_exec_form():
    text = 'FROM alpine:3.20\nRUN ["apk", "add", "curl"]\nRUN <<EOF\napk add jq\nEOF\n'
    assert pkgs(text) == [(2, "curl"), (4, "jq")]


def test_hl108_is_strict_only():
    from hardenlint.catalogue import RULES

    assert RULES["HL108"].preset == "strict"
    text = "FROM alpine:3.20\nRUN apk add --no-cache curl\n"
    assert not [f for f in lint(text, preset="recommended") if f.rule == "HL108"]
