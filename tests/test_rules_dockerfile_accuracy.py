"""Dockerfile rule accuracy (issues 9 and 10), written from the rule rows: HL107 config managers,
rpm flags and one round of unquoting; HL202/HL203 shipping stages and clean-up order; HL207
directories and sticky bits; HL301 image families (data/image_users.json) and their fix users.

Each case is what users write: multi-stage files, ARG, heredocs, the escape directive, CRLF.
"""
from __future__ import annotations

import pytest

from hardenlint.knowledge import images
from hardenlint.model.image import parse_image

from .conftest import apply_edits, lint


def run(text, rule, **kw):
    return [f for f in lint(text, select=[rule], **kw) if f.rule == rule]


def spots(text, rule, **kw):
    return [(f.span.line, f.span.column, text[f.span.start:f.span.end]) for f in run(text, rule, **kw)]


def fixed(text, rule, **kw):
    return apply_edits(text, [e for f in run(text, rule, **kw) if f.fix for e in f.fix.edits])


# -- HL107: config managers, rpm, setopt ---------------------------------------------------------

def test_hl107_config_managers_any_order_quoted_and_across_continuations():
    text = (
        "FROM rockylinux:9\n"
        "RUN yum-config-manager --save \\\n"
        "      --setopt='*.sslverify=false' \\\n"
        "      --enable crb \\\n"
        " && dnf-config-manager --setopt=\"repo_gpgcheck=0\" --add-repo https://r/x.repo \\\n"
        " && dnf config-manager --save --setopt epel.gpgcheck=no \\\n"
        " && dnf5 config-manager setopt epel.sslverify=0\n"
    )
    assert spots(text, "HL107") == [
        (3, 7, "--setopt='*.sslverify=false'"),
        (5, 24, '--setopt="repo_gpgcheck=0"'),
        (6, 31, "--setopt epel.gpgcheck=no"),
        (7, 32, "epel.sslverify=0"),
    ]
    assert fixed(text, "HL107") == (
        "FROM rockylinux:9\n"
        "RUN yum-config-manager --save \\\n"
        "      --enable crb \\\n"
        " && dnf-config-manager --add-repo https://r/x.repo \\\n"
        " && dnf config-manager --save \\\n"
        " && dnf5 config-manager setopt epel.sslverify=1\n"
    )


def test_hl107_setopt_that_keeps_verification_is_not_a_finding():
    text = ("FROM fedora:41\n"
            "RUN dnf install -y --setopt=install_weak_deps=False --setopt=tsflags=nodocs x\n"
            "RUN yum-config-manager --setopt=myrepo.sslverify=1 --setopt=myrepo.gpgcheck=true --save\n")
    assert run(text, "HL107") == []


def test_hl107_rpm_verification_flags():
    text = "FROM fedora:41\nRUN rpm -Uvh --nofiledigest --nomd5 --noverify --nodeps /tmp/x.rpm\n"
    assert [s[2] for s in spots(text, "HL107")] == ["--nofiledigest", "--nomd5", "--noverify"]
    assert fixed(text, "HL107") == "FROM fedora:41\nRUN rpm -Uvh --nodeps /tmp/x.rpm\n"


# -- HL107: values after exactly one round of unquoting ------------------------------------------

@pytest.mark.parametrize("line,flagged", [
    ('ENV NODE_TLS_REJECT_UNAUTHORIZED="0\\""', False),  # the program sees `0"`
    ('ENV NODE_TLS_REJECT_UNAUTHORIZED="0"', True),
    ("ENV NODE_TLS_REJECT_UNAUTHORIZED '0'", True),  # legacy form: the rest of the line, unquoted once
    ("ENV NODE_TLS_REJECT_UNAUTHORIZED 0 1", False),  # the value is `0 1`
    ("ENV PYTHONHTTPSVERIFY=\"'0'\"", False),  # `'0'`: quotes inside quotes stay
    ("ARG PYTHONHTTPSVERIFY=0", True),
    ("ENV PYTHONHTTPSVERIFY=${OFF}", True),  # ARG OFF=0 declared above
    ("ENV PYTHONHTTPSVERIFY=\\0", True),
])
def test_hl107_env_values_are_unquoted_once(line, flagged):
    text = f"FROM python:3.12-slim\nARG OFF=0\n{line}\n"
    assert bool(run(text, "HL107")) is flagged


def test_hl107_env_escape_directive_and_crlf():
    text = '# escape=`\r\nFROM python:3.12-slim\r\nENV NODE_TLS_REJECT_UNAUTHORIZED="0`""\r\nENV PYTHONHTTPSVERIFY="0"\r\n'
    [f] = run(text, "HL107")
    assert f.span.line == 4 and "PYTHONHTTPSVERIFY" in f.message
    assert apply_edits(text, f.fix.edits) == '# escape=`\r\nFROM python:3.12-slim\r\nENV NODE_TLS_REJECT_UNAUTHORIZED="0`""\r\n'


def test_hl107_compose_and_kubernetes_values_are_yaml_unquoted_once():
    compose = ("services:\n  web:\n    image: node:22\n    environment:\n"
               "      NODE_TLS_REJECT_UNAUTHORIZED: '0\"'\n      PYTHONHTTPSVERIFY: \"0\"\n")
    [f] = run(compose, "HL107", filename="compose.yaml")
    assert f.span.line == 6
    listed = "services:\n  web:\n    image: node:22\n    environment:\n      - NODE_TLS_REJECT_UNAUTHORIZED=\"0\"\n"
    assert run(listed, "HL107", filename="compose.yaml") == []  # the list item's value is `"0"`, quotes included
    k8s = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: node:22\n"
           "    env:\n    - {name: NODE_TLS_REJECT_UNAUTHORIZED, value: \"'0'\"}\n"
           "    - {name: PYTHONHTTPSVERIFY, value: '0'}\n")
    [f] = run(k8s, "HL107", filename="k8s.yaml")
    assert f.span.line == 10


# -- HL203 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("run_line,expected", [
    ("yum clean all && yum install -y httpd", "yum install"),  # clean-up before the install
    ("yum install -y a && yum clean all && yum install -y b", "yum install"),
    ("yarn cache clean && yarn install --frozen-lockfile", "yarn install"),
    ("npm cache clean --force && npm ci", "npm ci"),
    ("rm -rf /var/cache/apk/* && apk add curl", "apk add"),
    ("pip install a && export PIP_NO_CACHE_DIR=1", "pip install"),  # exported too late
    ("pip cache purge && pip install a", "pip install"),
    ("rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y --no-install-recommends x", "apt-get install"),
])
def test_hl203_cleanup_counts_only_after_the_last_install(run_line, expected):
    text = f"FROM fedora:41\nRUN {run_line}\n"
    assert [s[2] for s in spots(text, "HL203")] == [expected]


@pytest.mark.parametrize("run_line", [
    "yum install -y a && yum install -y b && yum clean all",
    "export PIP_NO_CACHE_DIR=1 && pip install a",
    "export PIP_NO_CACHE_DIR=off; pip install a",
    "pip install a && pip install b && rm -rf /root/.cache/pip",
    "apk add --no-network /tmp/pkgs/*.apk",
    "apk add curl && rm -rf /var/cache/apk/*",
    "zypper --non-interactive --root /target install -y curl && zypper clean --all",
    "zypper -n in curl && zypper cc -a",
    "microdnf install -y curl && microdnf clean all",
    "aptitude update && aptitude install -y curl && rm -rf /var/lib/apt/lists/*",
])
def test_hl203_not_findings(run_line):
    assert run(f"FROM fedora:41\nRUN {run_line}\n", "HL203") == []


def test_hl203_zypper_aptitude_microdnf_with_fixes():
    text = ("FROM opensuse/leap:15.6\n"
            "RUN zypper --non-interactive --gpg-auto-import-keys in -y curl\n"
            "RUN aptitude update && aptitude install -y git\n"
            "RUN microdnf --nodocs install -y jq\n")
    assert [s[2] for s in spots(text, "HL203")] == ["zypper --non-interactive --gpg-auto-import-keys in",
                                                      "aptitude install", "microdnf --nodocs install"]
    assert fixed(text, "HL203").splitlines()[1:] == [
        "RUN zypper --non-interactive --gpg-auto-import-keys in -y curl && zypper clean --all",
        "RUN aptitude update && aptitude install -y git && rm -rf /var/lib/apt/lists/*",
        "RUN microdnf --nodocs install -y jq && microdnf clean all",
    ]


def test_hl203_fix_goes_after_the_last_install():
    text = "FROM fedora:41\nRUN dnf clean all && dnf install -y x && echo ok\n"
    assert fixed(text, "HL203") == "FROM fedora:41\nRUN dnf clean all && dnf install -y x && dnf clean all && echo ok\n"


def test_hl203_heredoc_export_counts():
    text = "FROM python:3.12-slim\nRUN <<EOF\nexport PIP_NO_CACHE_DIR=1\npip install flask\nEOF\n"
    assert run(text, "HL203") == []


MULTI = """\
FROM debian:12 AS build
RUN apt-get update && apt-get install -y gcc
RUN pip install cython
FROM debian:12-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends libpq5
FROM base AS final
COPY --from=build /out /app
RUN apt-get install -y curl
"""


def test_hl202_hl203_judge_only_shipping_stages():
    # `build` ships no layer (only COPY --from); `base` is an ancestor of the final stage
    assert [s[:2] for s in spots(MULTI, "HL203")] == [(5, 23)]
    assert [s[:2] for s in spots(MULTI, "HL202")] == [(8, 5)]


# -- HL207 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("run_line", [
    "find /srv -type d -exec chmod g+s {} +",
    "find /srv -type d -print0 | xargs -0 chmod 2775",
    "mkdir -p /srv/shared && chmod g+s /srv/shared",
    "chmod g+s /srv/shared/",
    "mkdir -m 2775 /srv/shared",
    "install -d -m 2775 /srv/shared",
    "chmod 1777 /scratch",
    "chmod a+rwxt /scratch",
    "chmod 777 /scratch && chmod +t /scratch",
    "mkdir -p /tmp/x && chmod 3777 /tmp/x",
])
def test_hl207_directory_setgid_and_sticky_are_not_findings(run_line):
    assert run(f"FROM alpine:3.20\nRUN {run_line}\n", "HL207") == []


@pytest.mark.parametrize("run_line,shown", [
    ("find /srv -exec chmod g+s {} +", "g+s"),  # files too
    ("find /srv -type f -exec chmod 777 {} \\;", "777"),
    ("chmod g+s /usr/local/bin/tool", "g+s"),
    ("chmod -R 2775 /app", "2775"),
    ("mkdir -p /d && chmod 2777 /d", "2777"),  # still world-writable without the sticky bit
    ("chmod 777 /a /b && chmod +t /a", "777"),
])
def test_hl207_still_findings(run_line, shown):
    text = f"FROM alpine:3.20\nRUN {run_line}\n"
    [f] = run(text, "HL207")
    assert text[f.span.start:f.span.end] == shown


def test_hl207_find_exec_fix_rewrites_the_mode():
    text = "FROM alpine:3.20\nRUN find /srv -type f -exec chmod 666 {} +\n"
    assert fixed(text, "HL207") == "FROM alpine:3.20\nRUN find /srv -type f -exec chmod 664 {} +\n"


# -- HL301: image families ----------------------------------------------------------------------

@pytest.mark.parametrize("image", [
    "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled",
    "mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled-extra",
    "mcr.microsoft.com/dotnet/runtime-deps:10.0-azurelinux3.0-distroless",
    "mcr.microsoft.com/dotnet/aspnet:8.0.30-azurelinux3.0-distroless-extra-amd64",
    "mcr.microsoft.com/windows/nanoserver:ltsc2022",
    "mcr.microsoft.com/dotnet/runtime:10.0-nanoserver-ltsc2022",
    "mcr.microsoft.com/powershell:lts-nanoserver-1809",
    "nginxinc/nginx-unprivileged:1.27-alpine",
    "gcr.io/distroless/static-debian12:nonroot",
    "cgr.dev/chainguard/python:latest",
])
def test_hl301_known_non_root_bases(image):
    assert run(f"FROM {image}\nCOPY app /app\n", "HL301") == []


@pytest.mark.parametrize("image,user", [
    ("mcr.microsoft.com/dotnet/aspnet:8.0", "$APP_UID"),
    ("mcr.microsoft.com/dotnet/runtime-deps:10.0.11-alpine3.23-amd64", "$APP_UID"),
    ("mcr.microsoft.com/dotnet/aspnet:6.0", "65532"),  # no `app` user before .NET 8
    ("mcr.microsoft.com/windows/servercore:ltsc2022", "ContainerUser"),
    ("mcr.microsoft.com/dotnet/aspnet:10.0-windowsservercore-ltsc2022", "ContainerUser"),
    ("mcr.microsoft.com/dotnet/framework/aspnet:4.8", "ContainerUser"),
    ("python:3.12-windowsservercore-ltsc2022", "ContainerUser"),
    ("gcr.io/distroless/static-debian12", "nonroot"),
    ("cgr.dev/chainguard/python:latest-dev", "nonroot"),
    ("node:22-slim", "node"),
    ("alpine:3.20", "65532"),
])
def test_hl301_fix_uses_the_family_user(image, user):
    text = f"FROM {image}\nCOPY app /app\nCMD [\"/app\"]\n"
    [f] = run(text, "HL301")
    assert apply_edits(text, f.fix.edits) == f"FROM {image}\nCOPY app /app\nUSER {user}\nCMD [\"/app\"]\n"
    assert f"`USER {user}`" in f.message


def test_hl301_windows_never_gets_a_linux_uid():
    text = "# escape=`\r\nARG BASE=myorg/winbase:1\r\nFROM $BASE AS app\r\nFROM myorg/winbase:1\r\nSHELL [\"powershell\", \"-Command\"]\r\nRUN echo hi\r\n"
    [f] = run(text, "HL301", rule_options={"HL301": {"default-user": "1000"}})
    assert apply_edits(text, f.fix.edits).endswith("RUN echo hi\r\nUSER ContainerUser\r\n")


def test_hl301_multi_stage_inherits_the_family_of_the_root_stage():
    text = ("FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nRUN dotnet publish -o /out\n"
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled AS base\n"
            "FROM base\nCOPY --from=build /out /app\n")
    assert run(text, "HL301") == []


def test_image_users_data_names_a_source_for_every_family():
    families = images._user_families()
    assert families and all(e.get("source") for e in families)
    assert images.default_user(parse_image("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled")) == "app"
    assert images.default_user(parse_image("mcr.microsoft.com/windows/nanoserver:1809")) == "ContainerUser"
    assert images.is_windows(parse_image("mcr.microsoft.com/windows/servercore:ltsc2025"))
    assert not images.is_windows(parse_image("mcr.microsoft.com/dotnet/aspnet:8.0"))


def test_hl203_escape_directive_and_crlf_fix_after_the_last_install():
    text = "# escape=`\r\nFROM opensuse/leap:15.6\r\nRUN zypper clean -a && `\r\n    zypper -n in curl`\r\n    && echo ok\r\n"
    [f] = run(text, "HL203")
    assert (f.span.line, f.span.column) == (4, 5)
    assert apply_edits(text, f.fix.edits) == (
        "# escape=`\r\nFROM opensuse/leap:15.6\r\nRUN zypper clean -a && `\r\n"
        "    zypper -n in curl && zypper clean --all`\r\n    && echo ok\r\n")


def test_hl203_heredoc_in_an_ancestor_stage_ships():
    text = ("FROM debian:12 AS base\r\nRUN <<EOF\r\napt-get update\r\n"
            "apt-get install -y --no-install-recommends x\r\nEOF\r\nFROM base\r\n")
    [f] = run(text, "HL203")
    assert apply_edits(text, f.fix.edits).splitlines()[3] == (
        "apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*")


def test_hl318_windows_accounts_are_names_by_design():
    text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerUser\n"
    assert run(text, "HL318") == []
    assert run("FROM debian:12-slim\nUSER app\n", "HL318") != []
