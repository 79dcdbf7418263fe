"""Secret values are masked where they are written, and nowhere else: diffs stay byte-exact (and
apply) outside those spans, source lines keep image names and paths that contain the value."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from hardenlint.cli import main
from hardenlint.engine import credential_spans
from hardenlint.masking import mask, secret_spans

COMPOSE = """services:
  web:
    image: puckel/docker-airflow:1.10.9
    privileged: true
    volumes:
      - ./airflow/dags:/usr/local/airflow/dags
    command: webserver
    restart: always
    hostname: web
    labels:
      team: data
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: airflow
      POSTGRES_DB: airflow
      POSTGRES_USER: drone
"""


def _diff(tmp_path, monkeypatch, capsys, name, body, *args):
    (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    main(["check", "--diff", *args, name])
    return capsys.readouterr().out


def test_diff_masks_only_where_the_secret_is_written_and_applies(tmp_path, monkeypatch, capsys):
    out = _diff(tmp_path, monkeypatch, capsys, "compose.yaml", COMPOSE, "--select", "HL304", "--unsafe-fixes")
    assert "-    privileged: true\n" in out
    # `airflow` is the password, but not in the image name, the paths or the command
    assert "    image: puckel/docker-airflow:1.10.9\n" in out
    assert "      - ./airflow/dags:/usr/local/airflow/dags\n" in out
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "fix.patch").write_text(out)
    subprocess.run(["git", "init", "-q", "."], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True, capture_output=True)
    assert "privileged" not in (tmp_path / "compose.yaml").read_text()
    assert "POSTGRES_PASSWORD: airflow" in (tmp_path / "compose.yaml").read_text()


def test_diff_masks_the_value_in_changed_and_context_lines(tmp_path, monkeypatch, capsys):
    body = ("FROM python:3.12-slim\nENV DB_PASSWORD=Tr0ub4dor3xyz APP=Tr0ub4dor3xyz-app\n"
            "RUN apt-get install -y curl\n")
    out = _diff(tmp_path, monkeypatch, capsys, "Dockerfile", body, "--select", "HL202", "--unsafe-fixes")
    assert "Tr0ub4dor3xyz\n" not in out and "=Tr0ub4dor3xyz " not in out
    assert " ENV DB_PASSWORD=************* APP=Tr0ub4dor3xyz-app\n" in out  # the longer word stays
    assert "+RUN apt-get install --no-install-recommends -y curl\n" in out


def test_text_reporter_masks_spans_not_substrings(tmp_path, monkeypatch, capsys):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    monkeypatch.chdir(tmp_path)
    main(["check", "--no-color", "--select", "HL304,HL501,HL103", "compose.yaml"])
    out = capsys.readouterr().out
    assert "    3 |     image: puckel/docker-airflow:1.10.9\n" in out
    assert "   15 |       POSTGRES_PASSWORD: *******\n" in out
    assert "POSTGRES_PASSWORD: airflow" not in out


def test_secret_spans_written_and_whole_word_repeats():
    text = "A=s3cr3tvalue\nB=s3cr3tvalue\nC=x-s3cr3tvalue/y\nD=s3cr3tvalue2\nE='s3cr3tvalue'\n"
    spans = secret_spans(text, [(2, 13)])
    assert [text[s:e] for s, e in spans] == ["s3cr3tvalue"] * 3
    shown = mask(text, spans)
    assert shown == "A=***********\nB=***********\nC=x-s3cr3tvalue/y\nD=s3cr3tvalue2\nE='***********'\n"
    assert len(shown) == len(text)


def test_a_plain_word_password_is_masked_where_written_only():
    text = "services:\n  drone:\n    environment:\n      - POSTGRES_PASSWORD=drone\n    depends_on: [drone]\n"
    at = text.index("=drone") + 1
    assert secret_spans(text, [(at, at + 5)], ["drone"]) == ((at, at + 5),)


def test_mask_keeps_line_breaks_and_works_on_a_slice():
    text = "a: |\n  p4ss\n  w0rd\nb: c\n"
    spans = ((7, 18),)
    assert mask(text, spans) == "a: |\n  ****\n******\nb: c\n"
    assert mask(text[12:19], spans, 12) == "******\n" and mask(text[:5], spans) == text[:5]


# The pattern credential_spans replaced (a scheme retried at every letter of the text): the oracle.
_URL_PASSWORD_ORACLE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@'\"]+:([^/\s@'\"$]{3,})@")
_AUTH_ORACLE = re.compile(r"(?i)authorization:[ \t]*(?:bearer|basic|token)[ \t]+([^\s'\"$]{6,})")


def _oracle_spans(text):
    return [m.span(1) for rx in (_URL_PASSWORD_ORACLE, _AUTH_ORACLE) for m in rx.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab1+.-:/@ \t\n'\"$xé", max_size=60))
def test_credential_spans_equal_the_scheme_pattern(text):
    assert credential_spans(text) == _oracle_spans(text)


@pytest.mark.parametrize("text", [
    "RUN curl https://user:s3cret@example.com/x && git clone git+ssh://me:hunter22@host/r",
    "x1+://u:pass@h http://a:bbbb@c://d:eeee@f",  # a scheme of digits alone is none; back to back
    "url: 9://u:pppp@h ftp://u:pppp@h\nAuthorization: Bearer abcdef123 AUTHORIZATION: token zzzzzz",
    "é://u:pppp@h aé://u:pppp@h -a.b://u:pppp@h",
    "X-Authorİzation: Bearer abcdef123\nAUTHORıZATION: token zzzzzz",  # (?i) takes İ and ı for i
])
def test_credential_spans_examples(text):
    assert credential_spans(text) == _oracle_spans(text) and credential_spans(text)


def test_credential_spans_of_the_corpus(corpus):
    for path in sorted(p for sub in ("dockerfile", "compose", "k8s") for p in (corpus / sub).iterdir()):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert credential_spans(text) == _oracle_spans(text), path.name
