"""hardenlint.knowledge.images: HL101-HL104 and HL201 judgements on image references."""
from __future__ import annotations

import pytest

from hardenlint.knowledge import images
from hardenlint.model.image import parse_image

DIGEST = "sha256:" + "ab" * 32


def ref(text):
    r = parse_image(text)
    assert r is not None, text
    return r


@pytest.mark.parametrize("text,flagged", [
    ("ubuntu", True), ("docker.io/library/ubuntu", True), ("ghcr.io/acme/app", True),
    ("localhost:5000/app", True), ("ubuntu:24.04", False), (f"ubuntu@{DIGEST}", False),
    ("scratch", False), ("${BASE}", False), ("python:$V", False),
])
def test_missing_tag(text, flagged):
    msg = images.missing_tag(ref(text))
    assert bool(msg) is flagged
    if msg:
        assert f"`{text}`" in msg and "latest" in msg


@pytest.mark.parametrize("text,flagged", [
    ("nginx:latest", True), ("ghcr.io/acme/app:latest", True), ("nginx", False),
    ("nginx:LATEST", False), (f"nginx:latest@{DIGEST}", False), ("nginx:1.27", False),
])
def test_latest_tag(text, flagged):
    assert bool(images.latest_tag(ref(text))) is flagged


@pytest.mark.parametrize("text,flagged", [
    ("python:3.12-slim", True), ("python", True), (f"python:3.12-slim@{DIGEST}", False),
    ("scratch", False), ("$IMAGE", False), ("quay.io/scratch:1", True),
])
def test_not_digest_pinned(text, flagged):
    assert bool(images.not_digest_pinned(ref(text))) is flagged


@pytest.mark.parametrize("text,trusted,flagged", [
    ("nginx:1.27", [], False),  # nothing configured: never a finding
    ("nginx:1.27", ["docker.io"], False),
    ("nginx:1.27", ["index.docker.io"], False),
    ("nginx:1.27", ["https://docker.io/"], False),
    ("nginx:1.27", ["docker.io/library"], False),
    ("bitnami/nginx:1.27", ["docker.io/library"], True),
    ("docker.io/bitnami/nginx:1.27", ["docker.io/bitnami"], False),
    ("ghcr.io/acme/app:1", ["ghcr.io/acme"], False),
    ("ghcr.io/acme/team/app:1", ["ghcr.io/acme"], False),
    ("ghcr.io/acme-evil/app:1", ["ghcr.io/acme"], True),
    ("GHCR.IO/acme/app:1", ["ghcr.io/acme"], False),
    ("quay.io/x/y:1", ["docker.io", "ghcr.io"], True),
    ("localhost:5000/app:1", ["localhost:5000"], False),
    ("localhost:5001/app:1", ["localhost:5000"], True),
    ("1234.dkr.ecr.eu-west-1.amazonaws.com/app:1", ["*.dkr.ecr.eu-west-1.amazonaws.com"], False),
    ("scratch", ["ghcr.io"], False),
    ("$REGISTRY/app:1", ["ghcr.io"], False),
])
def test_untrusted_registry(text, trusted, flagged):
    msg = images.untrusted_registry(ref(text), trusted)
    assert bool(msg) is flagged
    if msg:
        assert "trusted-registries" in msg


def test_untrusted_registry_message_names_docker_hub():
    msg = images.untrusted_registry(ref("nginx:1"), ["ghcr.io"])
    assert "Docker Hub (`docker.io`)" in msg


@pytest.mark.parametrize("text,replacement", [
    ("python:3.12", "python:3.12-slim"),
    ("python:3.12-bookworm", "python:3.12-slim-bookworm"),
    ("docker.io/library/python:3.12", "docker.io/library/python:3.12-slim"),
    ("node:20", "node:20-slim"),
    ("node:20-bookworm", "node:20-bookworm-slim"),
    ("debian:bookworm", "debian:bookworm-slim"),
    ("debian:12", "debian:12-slim"),
    ("debian:bookworm-backports", None),
    ("eclipse-temurin:21", "eclipse-temurin:21-jre"),
    ("eclipse-temurin:21-jdk-jammy", "eclipse-temurin:21-jre-jammy"),
    ("rockylinux:9", "rockylinux:9-minimal"),
    ("rockylinux:9.3-20240101", None),
    ("ruby:3.3", "ruby:3.3-slim"),
    ("ubuntu:24.04", None),
    ("golang:1.23", None),
    ("golang:1.23-alpine", None),  # a toolchain is a toolchain
    ("mcr.microsoft.com/dotnet/sdk:8.0", None),
    ("python", None),
    ("python:latest", None),
    (f"python:3.12@{DIGEST}", None),
    ("python:3.12-windowsservercore-ltsc2022", None),
])
def test_large_base_flagged(text, replacement):
    found = images.large_base(ref(text))
    assert found is not None
    message, repl = found
    assert repl == replacement
    assert f"`{text}`" in message
    if replacement:
        assert f"`{replacement}`" in message


@pytest.mark.parametrize("text", [
    "python:3.12-slim", "python:3.12-alpine", "python:3.12-alpine3.20", "node:20-alpine",
    "debian:bookworm-slim", "eclipse-temurin:21-jre", "rockylinux:9-minimal", "alpine:3.20",
    "gcr.io/distroless/static-debian12", "scratch", "ghcr.io/acme/python:3.12", "$BASE",
    "mcr.microsoft.com/dotnet/aspnet:8.0",
])
def test_large_base_not_flagged(text):
    assert images.large_base(ref(text)) is None


def test_mirrors_of_official_images_are_recognised():
    assert images.image_key(ref("public.ecr.aws/docker/library/python:3.12")) == "python"
    assert images.image_key(ref("mirror.gcr.io/library/node:20")) == "node"
    assert images.image_key(ref("bitnami/python:3.12")) == "bitnami/python"
    assert images.image_key(ref("ghcr.io/acme/python:3")) == "ghcr.io/acme/python"


@pytest.mark.parametrize("text,user", [
    ("gcr.io/distroless/static-debian12:nonroot", "nonroot"),
    ("gcr.io/distroless/base-debian12:debug-nonroot", "nonroot"),
    ("gcr.io/distroless/static-debian12:nonroot-amd64", "nonroot"),
    ("gcr.io/distroless/static-debian12", None),
    ("cgr.dev/chainguard/python:latest", "nonroot"),
    ("cgr.dev/chainguard/python:latest-dev", None),
    ("cgr.dev/chainguard/wolfi-base", None),
    ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", "app"),
    ("nginxinc/nginx-unprivileged:1.27", "nginx"),
    ("nginx:1.27", None),
    ("node:22", None),
])
def test_default_user(text, user):
    assert images.default_user(ref(text)) == user


def test_family_user():
    assert images.family_user(ref("node:22-slim")) == "node"
    assert images.family_user(ref("gcr.io/distroless/static-debian12")) == "nonroot"
    assert images.family_user(ref("python:3.12")) is None


from hypothesis import given, strategies as st  # noqa: E402


@given(st.text(alphabet="ab./", max_size=8), st.text(alphabet="ab./*", max_size=8))
def test_image_glob_agrees_with_fnmatchcase(name, pattern):
    from fnmatch import fnmatchcase

    from hardenlint.knowledge.images import _glob

    assert _glob(name, pattern) == fnmatchcase(name, pattern)
