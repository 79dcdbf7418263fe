"""Dockerfile fragments (no FROM, an instruction before FROM, an unknown instruction) keep HL001
and still get every rule that judges single instructions; the rules that need the stage
structure skip them; `--ignore HL001` never leaves such a file unchecked."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from hardenlint.config import Config
from hardenlint.engine import Linter
from hardenlint.fixer import fix_source
from hardenlint.source import SourceFile

from .conftest import lint, rules_of

# a snippet meant to be pasted into a Dockerfile (or a file some generator includes): no FROM
FRAGMENT = """# install the agent
RUN curl -k https://get.example.com/agent.sh | sh
RUN sudo apt-get update && apt-get install -y openssh-server
EXPOSE 22
ENV AGENT_TOKEN=7f3c9a1e5b2d8f4a
COPY id_rsa /root/.ssh/id_rsa
USER root
"""

SINGLE = {"HL106", "HL107", "HL204", "HL205", "HL501", "HL502"}
STRUCTURAL = {"HL201", "HL301", "HL302", "HL318"}


def test_fragment_without_from_gets_single_instruction_rules():
    found = lint(FRAGMENT, "agent.Dockerfile")
    rules = set(rules_of(found))
    assert "HL001" in rules and SINGLE <= rules, rules
    assert not rules & STRUCTURAL
    spots = {(f.rule, f.span.line) for f in found}
    assert {("HL107", 2), ("HL204", 3), ("HL205", 4), ("HL501", 5), ("HL502", 6)} <= spots


def test_instruction_before_from_is_judged_and_the_stages_too():
    text = "RUN sudo make install\nFROM ubuntu\nRUN sudo apt-get update\nUSER root\n"
    found = lint(text)
    assert [(f.rule, f.span.line) for f in found if f.rule == "HL204"] == [("HL204", 1), ("HL204", 3)]
    assert "HL101" in rules_of(found)  # FROM is a single instruction
    assert not set(rules_of(found)) & STRUCTURAL


def test_unknown_instruction_keeps_the_other_instructions_judged():
    text = "FROM alpine:3.20\nRUN wget --no-check-certificate https://x/y\nCOPPY . /app\n"
    found = lint(text)
    assert [f.rule for f in found if f.rule in ("HL001", "HL107")] == ["HL107", "HL001"]
    assert "HL301" not in rules_of(found)


def test_a_well_formed_file_still_gets_the_structural_rules():
    assert "HL301" in rules_of(lint("FROM alpine:3.20\nRUN true\n"))


def test_ignore_hl001_never_leaves_a_fragment_unchecked():
    found = lint(FRAGMENT, "agent.Dockerfile", ignore=("HL001",))
    assert "HL001" not in rules_of(found) and SINGLE <= set(rules_of(found))
    p = subprocess.run([sys.executable, "-m", "hardenlint", "check", "-", "--ignore", "HL001", "--format", "json"],
                       input=FRAGMENT, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    assert p.returncode == 1 and SINGLE <= {f["rule"] for f in json.loads(p.stdout)["findings"]}


def test_fixes_apply_in_a_fragment():
    text = "RUN apk add curl\nRUN curl -k https://example.com/x -o /x\n"
    out = fix_source(Linter(Config(preset="recommended")), SourceFile("snippet.Dockerfile", text, "dockerfile"),
                     unsafe=True)
    assert out.text == "RUN apk add --no-cache curl\nRUN curl https://example.com/x -o /x\n"
    assert set(rules_of(out.result.findings)) == {"HL001"}
