"""Dockerfile rules HL101-HL107, HL201-HL207, HL301/HL302/HL318, HL501/HL502 through the engine.

Each test asserts the rule, where the finding points (line, column, and the text under the span),
and the fix edits where the rule has one. Dates are fixed (conftest.TODAY = 2026-11-28).
"""
from __future__ import annotations

import datetime

import pytest

from .conftest import apply_edits, lint


def run(text, rule, **kw):
    return [f for f in lint(text, select=[rule], **kw) if f.rule == rule]


def at(text, f):
    """(line, column, text under the span)."""
    return f.span.line, f.span.column, text[f.span.start:f.span.end]


def spots(text, rule, **kw):
    return [at(text, f) for f in run(text, rule, **kw)]


def fixed(text, rule, **kw):
    """Apply every fix of `rule` once (all edits of all findings; they must not overlap)."""
    edits = [e for f in run(text, rule, **kw) if f.fix for e in f.fix.edits]
    return apply_edits(text, edits)


def fix_of(text, rule, k=0, **kw):
    return run(text, rule, **kw)[k].fix


# -- HL101 / HL102 / HL103 / HL104 -----------------------------------------------------------------

MULTI = """\
ARG BASE=python:3.12-slim
ARG UNSET
FROM --platform=$BUILDPLATFORM golang AS build
FROM build AS test
FROM $UNSET AS dynamic
FROM scratch AS empty
from ${BASE}
COPY --from=build /app /app
COPY --from=alpine /etc/ssl /etc/ssl
COPY --from=0 /x /x
"""


def test_hl101_resolves_args_and_skips_stages_scratch_and_variables():
    assert spots(MULTI, "HL101") == [(3, 32, "golang"), (9, 6, "--from=alpine")]
    msgs = [f.message for f in run(MULTI, "HL101")]
    assert "`golang`" in msgs[0] and "latest" in msgs[0]
    assert all(f.fix is None for f in run(MULTI, "HL101"))  # resolver: not built


def test_hl101_digest_is_pinned():
    assert run("FROM ubuntu@sha256:" + "a" * 64 + "\n", "HL101") == []


def test_hl102_latest_only():
    text = "FROM nginx:latest AS web\nFROM nginx:1.27\nFROM nginx:latest@sha256:" + "b" * 64 + "\n"
    assert spots(text, "HL102") == [(1, 6, "nginx:latest")]


def test_hl102_through_arg():
    text = "ARG TAG=latest\nFROM node:${TAG}\n"
    [f] = run(text, "HL102")
    assert at(text, f) == (2, 6, "node:${TAG}") and "`node:latest`" in f.message


def test_hl103_every_external_image():
    assert spots(MULTI, "HL103") == [(3, 32, "golang"), (7, 6, "${BASE}"), (9, 6, "--from=alpine")]


def test_hl104_only_when_configured_and_by_prefix():
    text = "FROM quay.io/x/tool:1 AS a\nFROM ghcr.io/acme/app:2 AS b\nFROM ghcr.io/acme-evil/app:2\n"
    assert run(text, "HL104") == []
    got = spots(text, "HL104", trusted_registries=("docker.io", "ghcr.io/acme"))
    assert got == [(1, 6, "quay.io/x/tool:1"), (3, 6, "ghcr.io/acme-evil/app:2")]


# -- HL105 ------------------------------------------------------------------------------------------

def test_hl105_urls_and_git_refs():
    sha = "0123456789abcdef0123456789abcdef01234567"
    text = (
        "FROM alpine:3.20\n"
        "ADD https://example.com/a.tgz /a\n"
        "ADD --checksum=sha256:" + "c" * 64 + " https://example.com/b.tgz /b\n"
        "ADD https://github.com/moby/buildkit.git#v0.16.0 /src\n"
        f"ADD git@github.com:moby/buildkit.git#{sha} /src2\n"
        "ADD [\"https://example.com/c.tgz\", \"/c\"]\n"
        "ADD local.tgz /d\n"
        "COPY https-not-a-url /e\n"
    )
    assert spots(text, "HL105") == [
        (2, 5, "https://example.com/a.tgz"),
        (4, 5, "https://github.com/moby/buildkit.git#v0.16.0"),
        (6, 6, '"https://example.com/c.tgz"'),
    ]
    assert "ref `v0.16.0`" in run(text, "HL105")[1].message


# -- HL106 ------------------------------------------------------------------------------------------

def test_hl106_pipes_substitutions_and_heredocs():
    text = (
        "FROM debian:12-slim\n"
        "RUN curl -fsSL https://get.example.com | sudo -E bash -s -- --yes\n"
        "RUN wget -qO- https://x | tar xz && curl -s https://api | python3 -c 'import sys'\n"
        'RUN sh -c "$(curl -fsSL https://x/install.sh)"\n'
        "RUN <<EOF\n"
        "set -e\n"
        "curl -fsSL https://x | sh\n"
        "EOF\n"
        "RUN python3 <<EOF\n"
        "print('curl https://x | sh')\n"
        "EOF\n"
        "RUN bash <(curl -s https://x)\n"
    )
    assert spots(text, "HL106") == [
        (2, 5, "curl -fsSL https://get.example.com | sudo -E bash"),
        (4, 11, '"$(curl -fsSL https://x/install.sh)"'),
        (7, 1, "curl -fsSL https://x | sh"),
        (12, 10, "<(curl -s https://x)"),
    ]


# -- HL107 ------------------------------------------------------------------------------------------

def test_hl107_flags_with_fixes_across_continuations():
    text = (
        "FROM debian:12-slim\n"
        "RUN curl -fsSLk https://x -o /y \\\n"
        "    # a comment inside the continuation\n"
        "    && pip install --trusted-host pypi.org flask \\\n"
        "    && git -c http.sslVerify=false clone https://x\n"
    )
    found = run(text, "HL107")
    assert [at(text, f) for f in found] == [
        (2, 10, "-fsSLk"), (4, 20, "--trusted-host pypi.org"), (5, 12, "-c http.sslVerify=false")]
    assert all(f.fix.applicability == "unsafe" for f in found)
    assert fixed(text, "HL107") == (
        "FROM debian:12-slim\n"
        "RUN curl -fsSL https://x -o /y \\\n"
        "    # a comment inside the continuation\n"
        "    && pip install flask \\\n"
        "    && git clone https://x\n"
    )


def test_hl107_flag_alone_on_a_continuation_line():
    text = "FROM alpine:3.20\nRUN curl -fsSL \\\n    -k \\\n    https://x\n"
    [f] = run(text, "HL107")
    assert at(text, f) == (3, 5, "-k")
    assert apply_edits(text, f.fix.edits) == "FROM alpine:3.20\nRUN curl -fsSL \\\n    https://x\n"


def test_hl107_env_arg_and_inline():
    text = (
        "FROM node:22-slim\n"
        "ENV PYTHONHTTPSVERIFY=0\n"
        "ENV A=1 NODE_TLS_REJECT_UNAUTHORIZED=0 B=2\n"
        "ARG GIT_SSL_NO_VERIFY=false\n"
        "ARG PIP_TRUSTED_HOST\n"
        "RUN NPM_CONFIG_STRICT_SSL=false npm ci\n"
    )
    found = run(text, "HL107")
    assert [at(text, f)[:2] for f in found] == [(2, 5), (3, 9), (4, 5), (6, 5)]
    assert found[2].message.startswith("ARG `GIT_SSL_NO_VERIFY`")
    # a single-assignment ENV/ARG goes entirely; in a list only the pair goes
    assert apply_edits(text, found[0].fix.edits).splitlines()[1] == "ENV A=1 NODE_TLS_REJECT_UNAUTHORIZED=0 B=2"
    assert apply_edits(text, found[1].fix.edits).splitlines()[2] == "ENV A=1 B=2"
    assert apply_edits(text, found[3].fix.edits).splitlines()[5] == "RUN npm ci"


def test_hl107_exec_form_and_config_flip():
    text = 'FROM node:22-slim\nRUN ["curl", "-k", "https://x"]\nRUN ["sh", "-c", "npm config set strict-ssl false"]\n'
    found = run(text, "HL107")
    assert [at(text, f) for f in found] == [(2, 14, '"-k"'), (3, 45, "false")]
    assert fixed(text, "HL107") == (
        'FROM node:22-slim\nRUN ["curl", "https://x"]\nRUN ["sh", "-c", "npm config set strict-ssl true"]\n')


def test_hl107_trusted_yes_has_no_fix():
    text = "FROM debian:12\nRUN echo 'deb [trusted=yes] http://x stable main' > /etc/apt/sources.list.d/x.list\n"
    [f] = run(text, "HL107")
    assert f.fix is None and "[trusted=yes]" in f.message


# -- HL201 ------------------------------------------------------------------------------------------

def test_hl201_final_stage_only_and_through_stage_chain():
    text = "FROM golang:1.23 AS build\nFROM python:3.12-bookworm AS base\nFROM base\nCMD [\"python\"]\n"
    [f] = run(text, "HL201")
    assert at(text, f) == (2, 6, "python:3.12-bookworm")
    assert "through stage `base`" in f.message
    assert f.fix.applicability == "unsafe"
    assert apply_edits(text, f.fix.edits).splitlines()[1] == "FROM python:3.12-slim-bookworm AS base"


def test_hl201_builder_not_flagged_and_arg_image_has_no_fix():
    assert run("FROM node:22 AS build\nFROM node:22-slim\n", "HL201") == []
    text = "ARG IMG=node:22\nFROM $IMG\n"
    [f] = run(text, "HL201")
    assert at(text, f) == (2, 6, "$IMG") and f.fix is None and "`node:22-slim`" in f.message


# -- HL202 ------------------------------------------------------------------------------------------

def test_hl202_install_without_no_install_recommends():
    text = (
        "FROM debian:12-slim\n"
        "RUN apt-get update && apt-get -y install curl && rm -rf /var/lib/apt/lists/*\n"
        "RUN apt-get install -y --no-install-recommends git\n"
        "RUN apt-get -o APT::Install-Recommends=false install -y vim\n"
        'RUN ["apt-get", "install", "-y", "jq"]\n'
    )
    assert spots(text, "HL202") == [(2, 23, "apt-get -y install"), (5, 6, '"apt-get", "install"')]
    assert fixed(text, "HL202").splitlines()[1] == (
        "RUN apt-get update && apt-get -y install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*")
    assert fixed(text, "HL202").splitlines()[4] == 'RUN ["apt-get", "install", "--no-install-recommends", "-y", "jq"]'


def test_hl202_apt_config_written_earlier():
    text = ("FROM debian:12-slim AS base\n"
            "RUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/99norecommends\n"
            "FROM base\nRUN apt-get install -y curl\n")
    assert run(text, "HL202") == []


# -- HL203 ------------------------------------------------------------------------------------------

def test_hl203_apt_lists_fix_and_its_guard():
    text = "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
    [f] = run(text, "HL203")
    assert at(text, f) == (2, 23, "apt-get install") and f.fix.applicability == "safe"
    assert apply_edits(text, f.fix.edits).splitlines()[1] == (
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*")
    # a later RUN that installs without updating needs the lists: no fix
    later = text + "RUN apt-get install -y git && rm -rf /var/lib/apt/lists/*\n"
    [f] = run(later, "HL203")
    assert f.fix is None


def test_hl203_update_alone_and_cache_mount():
    text = ("FROM debian:12-slim\nRUN apt-get update\n"
            "RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n")
    [f] = run(text, "HL203")
    assert at(text, f) == (2, 5, "apt-get update") and f.fix is None


def test_hl203_apk_pip_dnf_npm():
    text = (
        "FROM python:3.12-alpine\n"
        "RUN apk add curl && apk add --no-cache git\n"
        "RUN pip install flask && python3 -m pip install -r req.txt\n"
        "RUN --mount=type=cache,target=/root/.cache pip install x\n"
        "RUN PIP_NO_CACHE_DIR=1 pip install y\n"
        "RUN dnf install -y httpd || true\n"
        "RUN yum install -y httpd && yum clean all\n"
        "RUN npm ci\n"
    )
    found = run(text, "HL203")
    assert [at(text, f) for f in found] == [
        (2, 5, "apk add"), (3, 5, "pip install"), (3, 26, "python3 -m pip install"),
        (6, 5, "dnf install"), (8, 5, "npm ci")]
    assert found[3].fix is None  # `|| true` follows: appending `&& dnf clean all` would change it
    lines = fixed(text, "HL203").splitlines()
    assert lines[1] == "RUN apk add --no-cache curl && apk add --no-cache git"
    assert lines[2] == "RUN pip install --no-cache-dir flask && python3 -m pip install --no-cache-dir -r req.txt"
    assert lines[7] == "RUN npm ci && npm cache clean --force"


def test_hl203_env_pip_no_cache_dir():
    text = "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n"
    assert run(text, "HL203") == []


def test_hl203_heredoc_body():
    text = ("FROM debian:12-slim\n"
            "RUN <<EOF\n"
            "apt-get update\n"
            "apt-get install -y --no-install-recommends curl\n"
            "EOF\n")
    [f] = run(text, "HL203")
    assert at(text, f) == (4, 1, "apt-get install")
    assert apply_edits(text, f.fix.edits).splitlines()[3] == (
        "apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*")


# -- HL204 ------------------------------------------------------------------------------------------

def test_hl204_sudo_word():
    text = "FROM ubuntu:24.04\nRUN DEBIAN_FRONTEND=noninteractive sudo apt-get update\nRUN echo sudo\n"
    assert spots(text, "HL204") == [(2, 36, "sudo")]


# -- HL205 ------------------------------------------------------------------------------------------

def test_hl205_expose_and_packages():
    text = (
        "FROM alpine:3.20\n"
        "ARG SSH=22\n"
        "EXPOSE 80 22/tcp 53/udp 22/udp\n"
        "EXPOSE $SSH\n"
        "EXPOSE 20-30\n"
        "RUN apk add --no-cache openssh openssh-client\n"
        "RUN apt-get install -y openssh-server=1:9.6p1-3\n"
    )
    assert spots(text, "HL205") == [
        (3, 11, "22/tcp"), (4, 8, "$SSH"), (5, 8, "20-30"), (6, 24, "openssh"), (7, 24, "openssh-server=1:9.6p1-3")]


# -- HL206 ------------------------------------------------------------------------------------------

def test_hl206_all_stages_with_fix():
    text = "FROM golang:1.20 AS build\nFROM python:3.8-slim-buster\nFROM python:3.13-slim\n"
    found = run(text, "HL206")
    assert [at(text, f) for f in found] == [(1, 6, "golang:1.20"), (2, 6, "python:3.8-slim-buster")]
    assert "python 3.8 reached end of life on 2024-10-07" in found[1].message
    assert "debian 10 (buster)" in found[1].message
    assert fixed(text, "HL206") == "FROM golang:1.26 AS build\nFROM python:3.11-slim\nFROM python:3.13-slim\n"


def test_hl206_judged_on_the_run_date():
    text = "FROM python:3.10-slim\n"
    assert run(text, "HL206", today=datetime.date(2026, 10, 30)) == []
    assert len(run(text, "HL206", today=datetime.date(2026, 11, 1))) == 1


def test_hl206_arg_image_reported_without_fix():
    text = "ARG PY=3.7\nFROM python:${PY}-slim\n"
    [f] = run(text, "HL206")
    assert at(text, f) == (2, 6, "python:${PY}-slim") and f.fix is None


# -- HL207 ------------------------------------------------------------------------------------------

def test_hl207_modes_and_fixes():
    text = (
        "FROM alpine:3.20\n"
        "COPY --chmod=777 app /app\n"
        "RUN chmod -R 777 /data && chmod 1777 /tmp/shared && chmod a+w /x && chmod u+s /bin/y\n"
        "RUN mkdir -m 0777 /z && install -m 4755 a /usr/bin/a && chmod 0644 /ok\n"
    )
    found = run(text, "HL207")
    assert [at(text, f) for f in found] == [
        (2, 6, "--chmod=777"), (3, 14, "777"), (3, 59, "a+w"), (3, 75, "u+s"), (4, 14, "0777"), (4, 36, "4755")]
    assert found[3].fix is None and "setuid" in found[3].message
    assert fixed(text, "HL207") == (
        "FROM alpine:3.20\n"
        "COPY --chmod=775 app /app\n"
        "RUN chmod -R 775 /data && chmod 1777 /tmp/shared && chmod ug+w /x && chmod u+s /bin/y\n"
        "RUN mkdir -m 0775 /z && install -m 755 a /usr/bin/a && chmod 0644 /ok\n"
    )


# -- HL301 / HL302 / HL318 --------------------------------------------------------------------------

def test_hl301_inserts_user_before_final_cmd():
    text = "FROM python:3.12-slim AS build\nRUN pip wheel .\nFROM python:3.12-slim\nCOPY . /app\nCMD [\"python\"]\n"
    [f] = run(text, "HL301")
    assert at(text, f) == (3, 1, "FROM python:3.12-slim")
    assert f.fix.applicability == "unsafe"
    assert apply_edits(text, f.fix.edits).endswith("COPY . /app\nUSER 65532\nCMD [\"python\"]\n")


def test_hl301_family_user_option_end_of_file_and_crlf():
    text = "FROM node:22-slim\r\nRUN npm ci"
    [f] = run(text, "HL301")
    assert apply_edits(text, f.fix.edits) == "FROM node:22-slim\r\nRUN npm ci\r\nUSER node\r\n"
    text = "FROM alpine:3.20\nENTRYPOINT [\"/app\"]\nCMD [\"--help\"]\n"
    [f] = run(text, "HL301", rule_options={"HL301": {"default-user": "10001"}})
    assert apply_edits(text, f.fix.edits) == "FROM alpine:3.20\nUSER 10001\nENTRYPOINT [\"/app\"]\nCMD [\"--help\"]\n"


@pytest.mark.parametrize("text", [
    "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
    "FROM cgr.dev/chainguard/python:latest\n",
    "FROM alpine:3.20 AS base\nUSER 10001\nFROM base\nRUN true\n",
    "FROM alpine:3.20 AS build\nFROM alpine:3.20\nuser app\n",
    "ARG IMG\nFROM $IMG\n",
])
def test_hl301_not_flagged(text):
    assert run(text, "HL301") == []


def test_hl301_scratch_and_dev_tags_run_as_root():
    assert len(run("FROM scratch\nCOPY app /app\n", "HL301")) == 1
    assert len(run("FROM cgr.dev/chainguard/python:latest-dev\n", "HL301")) == 1


def test_hl302_replaces_trailing_root_or_inserts_after_steps():
    text = "FROM node:22-slim\nUSER node\nUSER root\n"
    [f] = run(text, "HL302")
    assert at(text, f) == (3, 6, "root")
    assert apply_edits(text, f.fix.edits) == "FROM node:22-slim\nUSER node\nUSER node\n"
    text = "FROM debian:12-slim\nUSER 0:0\nRUN apt-get update\nCMD [\"bash\"]\n"
    [f] = run(text, "HL302")
    assert apply_edits(text, f.fix.edits) == "FROM debian:12-slim\nUSER 0:0\nRUN apt-get update\nUSER 65532\nCMD [\"bash\"]\n"


def test_hl302_inherited_and_variables():
    assert spots("FROM alpine:3.20 AS base\nUSER root\nFROM base\n", "HL302") == [(2, 6, "root")]
    assert spots("FROM alpine:3.20\nARG U=root\nUSER $U\n", "HL302") == [(3, 6, "$U")]
    assert run("FROM alpine:3.20 AS build\nUSER root\nFROM alpine:3.20\nUSER 1000\n", "HL302") == []
    assert run("FROM alpine:3.20\nUSER $WHO\n", "HL302") == []


def test_hl318_names_only_for_the_effective_user():
    assert spots("FROM debian:12\nUSER app:app\n", "HL318") == [(2, 6, "app:app")]
    assert run("FROM debian:12\nUSER 10001:app\n", "HL318") == []
    assert run("FROM debian:12\nUSER app\nUSER 10001\n", "HL318") == []
    assert run("FROM debian:12\nUSER root\n", "HL318") == []


# -- HL501 / HL502 ----------------------------------------------------------------------------------

def test_hl501_names_the_variable_never_the_value():
    text = (
        "ARG GITHUB_TOKEN=ghp_abcdef0123456789\n"
        "FROM postgres:17\n"
        "ENV POSTGRES_PASSWORD=hunter2 POSTGRES_PASSWORD_FILE=/run/secrets/pw API_TOKEN=${TOKEN}\n"
        "ENV DB_SECRET s3cr3t value\n"
        "ARG NPM_TOKEN\n"
        "ENV TOKENIZERS_PARALLELISM=false MYSQL_ALLOW_EMPTY_PASSWORD=yes JWT_SECRET=<change-me>\n"
    )
    found = run(text, "HL501")
    assert [at(text, f) for f in found] == [(1, 5, "GITHUB_TOKEN"), (3, 5, "POSTGRES_PASSWORD"), (4, 5, "DB_SECRET")]
    for f in found:
        for secret in ("ghp_abcdef0123456789", "hunter2", "s3cr3t"):
            assert secret not in f.message
    assert found[0].message.startswith("ARG `GITHUB_TOKEN`")


def test_hl502_sources_not_destination():
    text = (
        "FROM node:22-slim\n"
        "COPY id_rsa .env.example config/.npmrc /root/\n"
        'COPY ["certs/server.key", "/etc/ssl/private/"]\n'
        "COPY --from=build /src/.env /app/.env\n"
        "COPY app.py /root/.ssh/\n"
        "COPY <<EOF /etc/x.pem\nhello\nEOF\n"
    )
    assert spots(text, "HL502") == [
        (2, 6, "id_rsa"), (2, 26, "config/.npmrc"), (3, 7, '"certs/server.key"'), (4, 19, "/src/.env")]


# -- directives, lowercase, parse errors ------------------------------------------------------------

def test_escape_directive_backtick_continuations():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl.exe -k `\n    https://x\n"
    [f] = run(text, "HL107")
    assert at(text, f) == (3, 14, "-k")
    assert apply_edits(text, f.fix.edits) == (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN curl.exe `\n    https://x\n")


def test_lowercase_instructions():
    text = "from ubuntu:latest\nrun sudo apt-get update\nuser root\n"
    assert spots(text, "HL102") == [(1, 6, "ubuntu:latest")]
    assert spots(text, "HL204") == [(2, 5, "sudo")]
    assert spots(text, "HL302") == [(3, 6, "root")]


def test_parse_error_stops_only_the_rules_that_need_the_stages():
    text = "FROM ubuntu\nRUN <<EOF\necho never closed\n"
    found = lint(text, select=["HL001", "HL101", "HL301", "HL201"])
    assert sorted(f.rule for f in found) == ["HL001", "HL101"]  # FROM is judged, the final stage is not


def test_hl207_directories_keep_setgid_and_sticky():
    text = ("FROM postgres:17\n"
            "RUN install --verbose --directory --owner postgres --mode 3777 /var/run/postgresql"
            " && mkdir -m 2777 /shared && mkdir -m 2775 /group\n")
    found = run(text, "HL207")
    assert [at(text, f) for f in found] == [(2, 96, "2777")]
    assert found[0].message == "`mkdir --mode=2777` makes files world-writable (any process in the container can change them)"
    assert apply_edits(text, found[0].fix.edits).endswith("mkdir -m 2775 /shared && mkdir -m 2775 /group\n")


def test_hl203_apt_dist_clean_removes_lists():
    text = "FROM debian:13-slim\nRUN apt-get update; apt-get install -y --no-install-recommends curl; apt-get dist-clean\n"
    assert run(text, "HL203") == []


def test_hl107_local_trusted_repository_is_not_a_download():
    text = ("FROM debian:12-slim\n"
            "RUN echo \"deb [ trusted=yes ] file://$tempDir ./\" > /etc/apt/sources.list.d/temp.list\n")
    assert run(text, "HL107") == []


def test_hl105_message_hides_url_credentials():
    text = "FROM alpine:3.20\nADD https://deploy:s3cr3t@artifacts.example.com/app.tgz /app.tgz\n"
    [f] = run(text, "HL105")
    assert "s3cr3t" not in f.message and "https://***@artifacts.example.com/app.tgz" in f.message


def test_hl203_append_cleanup_once_per_run_after_the_last_install():
    text = "FROM node:22-slim\nRUN npm ci && npm install -g pm2 && echo done\n"
    [f] = run(text, "HL203")
    assert at(text, f) == (2, 15, "npm install")
    assert apply_edits(text, f.fix.edits) == (
        "FROM node:22-slim\nRUN npm ci && npm install -g pm2 && npm cache clean --force && echo done\n")


def test_hl301_fix_writes_user_in_the_files_own_case():
    text = "from alpine:3.20\nrun apk add --no-cache curl\ncmd [\"sh\"]\n"
    (f,) = [f for f in lint(text, select=["HL301"])]
    assert apply_edits(text, f.fix.edits) == "from alpine:3.20\nrun apk add --no-cache curl\nuser 65532\ncmd [\"sh\"]\n"
