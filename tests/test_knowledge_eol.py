"""hardenlint.knowledge.eol (HL206) and its data file. Every judgement passes a fixed date."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from hardenlint.knowledge import eol
from hardenlint.knowledge.eol import eol_status
from hardenlint.model.image import parse_image

from .conftest import REPO

D2025 = date(2025, 1, 1)
D2026 = date(2026, 11, 28)
SHARED = REPO.parent / "shared" / "data" / "eol.json"


def status(text, today):
    return eol_status(parse_image(text), today.isoformat())


@pytest.mark.parametrize("text,today,message,replacement", [
    ("python:3.8-slim", date(2025, 6, 1),
     "python 3.8 reached end of life on 2024-10-07 (endoflife.date)", "python:3.9-slim"),
    ("python:3.8-slim", D2026,
     "python 3.8 reached end of life on 2024-10-07 (endoflife.date)", "python:3.11-slim"),
    ("python:3.8.19-slim-buster", D2026,
     "python 3.8 reached end of life on 2024-10-07 and debian 10 (buster) reached end of life "
     "(end of LTS) on 2024-06-30 (endoflife.date)", "python:3.11-slim"),
    ("python:3.12-slim-bullseye", D2026,
     "debian 11 (bullseye) reached end of life (end of LTS) on 2026-08-31 (endoflife.date)",
     "python:3.12-slim"),
    ("python:3.13-alpine3.20", D2026,
     "alpine-linux 3.20 reached end of life on 2026-04-01 (endoflife.date)", "python:3.13-alpine"),
    ("node:16", D2025, "nodejs 16 reached end of life on 2023-09-11 (endoflife.date)", "node:18"),
    ("node:16-alpine", D2026, "nodejs 16 reached end of life on 2023-09-11 (endoflife.date)", "node:22-alpine"),
    ("node:17-alpine", D2025, "nodejs 17 reached end of life on 2022-06-01 (endoflife.date)", "node:18-alpine"),
    ("node:gallium-alpine3.16", D2025,
     "nodejs 16 (gallium) reached end of life on 2023-09-11 and alpine-linux 3.16 reached end of "
     "life on 2024-05-23 (endoflife.date)", "node:hydrogen-alpine"),
    ("node:3", D2025, "nodejs 3 is past its end of life (endoflife.date)", "node:18"),
    ("ubuntu:18.04", D2026, "ubuntu 18.04 reached end of life on 2023-05-31 (endoflife.date)", "ubuntu:22.04"),
    ("ubuntu:bionic-20230530", D2026,
     "ubuntu 18.04 (bionic) reached end of life on 2023-05-31 (endoflife.date)", "ubuntu:jammy"),
    ("ubuntu:23.10", D2025, "ubuntu 23.10 reached end of life on 2024-07-12 (endoflife.date)", "ubuntu:24.04"),
    ("debian:stretch", D2026,
     "debian 9 (stretch) reached end of life (end of LTS) on 2022-07-01 (endoflife.date)", "debian:bookworm"),
    ("debian:buster-slim", D2026,
     "debian 10 (buster) reached end of life (end of LTS) on 2024-06-30 (endoflife.date)", "debian:bookworm-slim"),
    ("debian:10.13", D2026,
     "debian 10 reached end of life (end of LTS) on 2024-06-30 (endoflife.date)", "debian:12"),
    ("alpine:3.15", D2025, "alpine-linux 3.15 reached end of life on 2023-11-01 (endoflife.date)", "alpine:3.18"),
    ("alpine:3.15.4", D2025, "alpine-linux 3.15 reached end of life on 2023-11-01 (endoflife.date)", "alpine:3.18"),
    ("centos:7", D2025, "centos 7 reached end of life on 2024-06-30 (endoflife.date)", None),
    ("centos:centos7.9.2009", D2025, "centos 7 reached end of life on 2024-06-30 (endoflife.date)", None),
    ("python:2.7-slim", D2025, "python 2.7 reached end of life on 2020-01-01 (endoflife.date)", None),
    ("php:7.4-fpm-alpine3.16", D2025,
     "php 7.4 reached end of life on 2022-11-28 and alpine-linux 3.16 reached end of life on "
     "2024-05-23 (endoflife.date)", None),
    ("php:8.3-fpm-alpine3.16", D2025,
     "alpine-linux 3.16 reached end of life on 2024-05-23 (endoflife.date)", "php:8.3-fpm-alpine"),
    ("postgres:9.6-alpine", D2025, "postgresql 9.6 reached end of life on 2021-11-11 (endoflife.date)", "postgres:13-alpine"),
    ("mariadb:10.3", D2025, "mariadb 10.3 reached end of life on 2023-05-25 (endoflife.date)", "mariadb:10.5"),
    ("redis:7.0-alpine", D2025, "redis 7.0 reached end of life on 2024-07-29 (endoflife.date)", "redis:7.2-alpine"),
    ("golang:1.20-alpine3.18", D2025, "go 1.20 reached end of life on 2024-02-06 (endoflife.date)", "golang:1.22-alpine"),
    ("eclipse-temurin:11-jdk-focal", D2026,
     "ubuntu 20.04 (focal) reached end of life on 2025-05-31 (endoflife.date)", "eclipse-temurin:11-jdk"),
    ("eclipse-temurin:21-jre-alpine-3.15", D2026,
     "alpine-linux 3.15 reached end of life on 2023-11-01 (endoflife.date)", "eclipse-temurin:21-jre-alpine"),
    ("amazoncorretto:17-al2-jdk", D2026,
     "amazon-linux 2 (al2) reached end of life on 2026-06-30 (endoflife.date)", None),
    ("mcr.microsoft.com/dotnet/aspnet:6.0-jammy", D2025,
     "dotnet 6 reached end of life on 2024-11-12 (endoflife.date)", "mcr.microsoft.com/dotnet/aspnet:8.0-jammy"),
    ("public.ecr.aws/docker/library/python:3.7", D2025,
     "python 3.7 reached end of life on 2023-06-27 (endoflife.date)", "public.ecr.aws/docker/library/python:3.9"),
    (f"python:3.7@sha256:{'a' * 64}", D2025, "python 3.7 reached end of life on 2023-06-27 (endoflife.date)", None),
])
def test_eol_status(text, today, message, replacement):
    s = status(text, today)
    assert s is not None
    assert s.message == message
    assert s.replacement == replacement


@pytest.mark.parametrize("text", [
    "python:3", "python:latest", "python", "python:slim", "python:3.15-rc", "alpine", "alpine:edge",
    "alpine:3", "node:lts-alpine", "node:current", "debian:stable-slim", "debian:sid", "ubuntu:rolling",
    "ubuntu:devel", "redis:7", "postgres:9", "elasticsearch:8.11.1", "ghcr.io/acme/python:3.7",
    "bitnami/python:3.7", "$BASE", "python:${V}", "scratch", "python:3.13-slim-trixie", "node:22",
])
def test_not_judged_or_supported(text):
    assert status(text, D2026) is None


def test_judged_against_the_date_passed():
    # python 3.10 ends on 2026-10-31: supported the day before, ended on the day.
    assert status("python:3.10", date(2026, 10, 30)) is None
    ended = status("python:3.10", date(2026, 10, 31))
    assert ended is not None and "2026-10-31" in ended.message
    # a cycle with no EOL date yet is never ended
    assert status("nginx:1.31", date(2099, 1, 1)) is None


def test_as_of_is_the_check_date_and_loaded_lazily():
    code = ("import sys; import hardenlint.knowledge.eol as e; "
            "print('json' in sys.modules and e._table.cache_info().currsize); print(e.AS_OF)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] in ("0", "False")
    assert out[1] == "2026-11-28"
    assert eol.AS_OF == date(2026, 11, 28)
    page = (REPO / "rules" / "HL206.md").read_text(encoding="utf-8")
    assert f"As of {eol.AS_OF.isoformat()}" in page


def test_data_file_is_compact_and_cited():
    data = json.loads((REPO / "hardenlint" / "data" / "eol.json").read_text(encoding="utf-8"))
    assert data["source"] == "endoflife.date" and "MIT" in data["license"]
    assert len(data["commit"]) == 40 and data["checked"] == "2026-11-28"
    assert (REPO / "hardenlint" / "data" / "eol.json").stat().st_size < 40_000
    for product in data["images"].values():
        assert product["product"] in data["products"]
    for rows in data["products"].values():
        for cycle, release, end, lts in rows:
            assert isinstance(cycle, str) and lts in (0, 1)
            assert end is True or end is False or (isinstance(end, str) and len(end) == 10)


@pytest.mark.skipif(not SHARED.is_file(), reason="shared extraction not present")
def test_data_file_is_what_the_script_writes(tmp_path: Path):
    out = tmp_path / "eol.json"
    subprocess.run([sys.executable, str(REPO / "scripts" / "update_eol.py"), str(SHARED), "--output", str(out)],
                   check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == (REPO / "hardenlint" / "data" / "eol.json").read_text(encoding="utf-8")
