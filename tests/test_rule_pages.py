"""Every rule has a page in rules/, every page a rule, and every page's examples run."""
from __future__ import annotations

import re

import pytest

from hardenlint.catalogue import RULES
from hardenlint.docs import page_text

from .conftest import REPO, apply_edits, lint

PAGES = REPO / "rules"
FENCE = re.compile(r"^```(?P<lang>\w+) (?P<role>bad|good)(?: (?P<name>\S+))?\n(?P<body>.*?)^```$", re.S | re.M)
HEADER = re.compile(r"^# (HL\d{3}): ([a-z0-9-]+)\n\nKinds: (.+?) · Level: (.+?) · Preset: (.+?) · Fix: (.+?) · Aliases: (.*)$", re.M)
KIND_WORD = {"D": "dockerfile", "C": "compose", "K": "kubernetes"}


def examples():
    for page in sorted(PAGES.glob("HL*.md")):
        for m in FENCE.finditer(page.read_text(encoding="utf-8")):
            name = m.group("name") or "Dockerfile"
            yield pytest.param(page.stem, m.group("role"), name, m.group("body"), id=f"{page.stem}-{m.group('role')}-{name}-{m.start()}")


def test_every_rule_has_a_page_and_every_page_a_rule():
    pages = {p.stem for p in PAGES.glob("HL*.md")}
    assert sorted(set(RULES) - pages) == [], "rules without a page"
    assert sorted(pages - set(RULES)) == [], "pages without a rule"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_page_header_matches_catalogue(rule_id):
    text = (PAGES / f"{rule_id}.md").read_text(encoding="utf-8")
    m = HEADER.match(text)
    assert m, f"{rule_id}.md must start with the header of rules/FORMAT.md"
    info = RULES[rule_id]
    assert m.group(1) == rule_id and m.group(2) == info.name
    assert m.group(3) == ", ".join(KIND_WORD[k] for k in info.kinds)
    assert m.group(4).startswith(info.level)
    assert m.group(5).startswith(info.preset)
    assert m.group(6) == info.fix
    line = m.group(7)
    missing = [a for a in info.aliases if a not in line and a.rsplit("_", 1)[0] + "_" not in line]
    assert not missing, f"aliases line lacks {missing}"
    assert info.aliases or line.strip() == "none"
    for section in ("## Why it matters", "## Examples", "## Fix", "## Options", "## Suppression"):
        assert section in text, f"{rule_id}.md lacks {section}"


@pytest.mark.parametrize("rule_id", sorted(r for r in RULES if r not in ("HL001", "HL002")))
def test_page_has_bad_and_good_example_per_kind(rule_id):
    text = (PAGES / f"{rule_id}.md").read_text(encoding="utf-8")
    kinds = {"bad": set(), "good": set()}
    for m in FENCE.finditer(text):
        name = (m.group("name") or "Dockerfile").lower()
        kind = "D" if "dockerfile" in name or "containerfile" in name else ("C" if "compose" in name else "K")
        kinds[m.group("role")].add(kind)
    for k in RULES[rule_id].kinds:
        assert k in kinds["bad"], f"{rule_id}: no bad {KIND_WORD[k]} example"
        assert k in kinds["good"], f"{rule_id}: no good {KIND_WORD[k]} example"


ONLINE = ("HL109", "HL208")


def registry_answers(rule_id: str, role: str, name: str, body: str):
    """What the online rules' pages assume the registry says: for HL109 a Bad example's digests
    are missing and a Good one's exist; for HL208 a Bad example's tags point elsewhere now and a
    Good one's at the digest written."""
    from hardenlint.engine import parse
    from hardenlint.oci.names import repo_of
    from hardenlint.oci.resolve import Resolutions, TagInfo
    from hardenlint.oci.session import references
    from hardenlint.source import SourceFile
    from hardenlint.discover import kind_for_explicit

    answers = Resolutions()
    for ref, _platform in references(parse(SourceFile(name, body, kind_for_explicit(name)))):
        if ref.digest:
            answers.digests[(repo_of(ref), ref.digest)] = role == "good"
            now = ref.digest if role == "good" else "sha256:" + "e" * 64
            answers.tags[(repo_of(ref), ref.tag or "")] = TagInfo(now, False, {})
    return answers


@pytest.mark.parametrize("rule_id,role,name,body", list(examples()))
def test_page_example(rule_id, role, name, body):
    extra = {"trusted_registries": ("docker.io", "ghcr.io/acme")} if rule_id == "HL104" else {}
    if rule_id in ONLINE:
        extra["resolved"] = registry_answers(rule_id, role, name, body)
    findings = [f for f in lint(body, name, select=[rule_id], **extra) if f.rule == rule_id]
    if role == "good":
        assert findings == [], f"good example of {rule_id} triggers it: {[f.message for f in findings]}"
        return
    assert findings, f"bad example of {rule_id} does not trigger it"
    fixes = [f.fix for f in findings if f.fix is not None]
    if RULES[rule_id].fix in ("safe", "unsafe") and fixes:
        fixed = body
        for _ in range(5):  # apply, re-lint, repeat: as the fixer does
            found = [f for f in lint(fixed, name, select=[rule_id], **extra) if f.rule == rule_id and f.fix]
            if not found:
                break
            edits, taken = [], []
            for f in found:
                if all(e.end <= t.start or e.start >= t.end for e in f.fix.edits for t in taken):
                    edits.extend(f.fix.edits)
                    taken.extend(f.fix.edits)
            fixed = apply_edits(fixed, edits)
        left = [f for f in lint(fixed, name, select=[rule_id], **extra) if f.rule == rule_id]
        assert not [f for f in left if f.fix is not None], f"fixing {rule_id}'s bad example leaves fixable findings:\n{fixed}"
        assert not [f for f in left if f.rule == "HL001"]


def test_explain_prints_the_page():
    assert page_text("HL301").startswith("# HL301: no-user")
