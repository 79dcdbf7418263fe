"""Image reference parsing, as Docker reads references."""
from __future__ import annotations

import pytest

from hardenlint.model.image import parse_image

D = "sha256:" + "a" * 64


@pytest.mark.parametrize("text,registry,repo,tag,digest", [
    ("nginx", "docker.io", "nginx", None, None),
    ("nginx:1.27-alpine", "docker.io", "nginx", "1.27-alpine", None),
    ("library/python:3.12", "docker.io", "library/python", "3.12", None),
    ("docker.io/library/python:3.12", "docker.io", "library/python", "3.12", None),
    ("index.docker.io/x/y", "docker.io", "x/y", None, None),
    ("ghcr.io/acme/app:v1@" + D, "ghcr.io", "acme/app", "v1", D),
    ("localhost:5000/app", "localhost:5000", "app", None, None),
    ("localhost/app:2", "localhost", "app", "2", None),
    ("REGISTRY.example.com:443/team/app:1", "registry.example.com:443", "team/app", "1", None),
    ("nginx@" + D, "docker.io", "nginx", None, D),
    ("img:${TARGETARCH:-amd64}", "docker.io", "img", "${TARGETARCH:-amd64}", None),
    ("${REG}/app:1", "${REG}", "app", "1", None),
])
def test_parse(text, registry, repo, tag, digest):
    ref = parse_image(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repo, tag, digest)


@pytest.mark.parametrize("text", ["", "  ", "a b", "x:", "nginx@sha256:short", "@" + D])
def test_not_a_reference(text):
    assert parse_image(text) is None


def test_helpers():
    assert parse_image("library/python:3").name == "python"
    assert parse_image("ghcr.io/library/python:3").name == "library/python"
    assert parse_image("scratch").is_scratch and not parse_image("ghcr.io/x/scratch").is_scratch
    assert parse_image("ghcr.io/org/app").base_name == "app"
    assert parse_image("${BASE}").variable and not parse_image("alpine:3").variable
