"""The catalogue mirrors RULES.md, and every rule has a check for every kind it covers."""
from __future__ import annotations


import re

import pytest

from hardenlint import registry
from hardenlint.catalogue import ALIASES, RULES, expand_selector, resolve_id

from .conftest import REPO

RULES_MD = REPO.parent / "shared" / "RULES.md"


def test_every_rule_has_a_check_for_each_of_its_kinds():
    registry.load("DCK")
    have = {(c.rule, k) for c in registry.CHECKS for k in c.kinds}
    missing = [(r.id, k) for r in RULES.values() if r.id not in ("HL001", "HL002") for k in r.kinds if (r.id, k) not in have]
    assert missing == []


def test_check_modules_import_only_their_kind():
    import subprocess
    import sys

    code = ("import sys; from hardenlint import registry; registry.load('D'); "
            "print('yaml' in sys.modules, 'rich' in sys.modules, 'sarif_om' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def _rules_md_rows():
    """RULES.md's rule rows by id (cells stripped); {} when shared/ is absent."""
    if not RULES_MD.is_file():
        return {}
    rows = {}
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("| HL"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]  # `\|` is text
            rows[cells[0]] = cells
    return rows


_ROWS = _rules_md_rows()


@pytest.mark.skipif(not RULES_MD.is_file(), reason="shared RULES.md not present")
def test_every_built_rule_has_a_row():
    assert sorted(set(RULES) - set(_ROWS)) == []


@pytest.mark.parametrize("rid", sorted(_ROWS) or ["(no RULES.md)"])
def test_catalogue_matches_rules_md(rid):
    """Every BUILT rule is held to its RULES.md row; a row not built yet is a skip naming its id
    (RULES.md grows ahead of the code)."""
    if not _ROWS:
        pytest.skip("shared RULES.md not present")
    if rid not in RULES:
        pytest.skip(f"{rid} is in RULES.md but not built yet")
    cells, info = _ROWS[rid], RULES[rid]
    assert cells[1] == info.name
    assert cells[2].replace(" ", "") == info.kinds
    assert cells[3].startswith(info.level)
    if len(cells) > 5:
        assert cells[4].startswith(info.preset), rid
        assert cells[5] == info.fix, rid
        written = {a.split(" (")[0].strip() for a in cells[6].split(",") if a.strip()}
        assert {a for a in written if "–" not in a} <= set(info.aliases), rid  # ranges (`_2–16`) expanded


def test_aliases_resolve_to_one_rule_and_selectors_expand():
    assert resolve_id("dl3002") == "HL302" and resolve_id("CKV_K8S_16") == "HL304"
    assert resolve_id("HL999") is None
    assert len(ALIASES) == len({a for r in RULES.values() for a in r.aliases})
    assert expand_selector("HL40")[:4] == ("HL401", "HL402", "HL403", "HL404")
    assert expand_selector("HL41") == tuple(r for r in RULES if r.startswith("HL41"))
    assert expand_selector("nope") == ()
