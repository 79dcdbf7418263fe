"""Compose `extends` within one file: a service gets its base's settings (merged as the Compose
specification merges service definitions), findings about inherited settings point at the base's
text once, fixes for the extending service edit only that service, and `extends: {file: ...}`
silences the "missing setting" rules.
"""
from __future__ import annotations

import yaml

from hardenlint.config import Config
from hardenlint.engine import Linter
from hardenlint.fixer import fix_source
from hardenlint.source import SourceFile

from .conftest import TODAY, lint

COMPOSE = "compose.yaml"
MISSING = ("HL303", "HL306", "HL307", "HL308", "HL309", "HL310", "HL311")

BASE = """\
services:
  base:
    image: app:1
    user: "1000"
    cap_drop: [ALL]
    read_only: true
    mem_limit: 512m
    cpus: "1.0"
    pids_limit: 100
    security_opt: ["no-new-privileges:true"]
"""


def found(text, *rules):
    """(rule, line, column) of the findings of `rules` (default: the missing-setting rules)."""
    return sorted((f.rule, f.span.line, f.span.column) for f in lint(text, COMPOSE, select=list(rules or MISSING))
                  if f.rule in (rules or MISSING))


def one(text, rule):
    fs = [f for f in lint(text, COMPOSE, select=[rule]) if f.rule == rule]
    assert len(fs) == 1, fs
    return fs[0]


def test_string_and_mapping_forms_inherit_every_setting():
    text = BASE + "  web:\n    extends: base\n  api:\n    extends: {service: base}\n  job:\n    extends:\n      service: base\n"
    assert found(text) == []


def test_without_extends_the_service_is_reported():
    assert found(BASE + "  web:\n    image: app:1\n") == [(r, 11, 3) for r in MISSING]


def test_chain_of_extends():
    text = BASE + "  mid:\n    extends: base\n  web:\n    extends: mid\n"
    assert found(text) == []


def test_cycle_does_not_crash_and_takes_what_the_cycle_sets():
    text = """\
services:
  a:
    extends: b
    image: app:1
    user: "1000"
  b:
    extends: a
    read_only: true
  c:
    extends: c
"""
    # a and b each get both services' settings; c extends only itself (and has no image: no HL303)
    got = found(text, "HL303", "HL307")
    assert got == [("HL307", 9, 3)]


def test_unknown_base_adds_nothing():
    assert ("HL307", 2, 3) in found("services:\n  web:\n    image: app:1\n    extends: nosuch\n")


def test_lists_are_merged_base_items_first():
    text = """\
services:
  base:
    image: app:1
    cap_add: [NET_ADMIN]
    cap_drop: [NET_RAW]
    security_opt: ["no-new-privileges:true"]
  web:
    extends: base
    cap_add: [SYS_ADMIN]
    cap_drop: [ALL]
    security_opt: ["seccomp:unconfined"]
"""
    # web drops ALL through its own list; base does not
    assert found(text, "HL306") == [("HL306", 5, 5)]
    # base's no-new-privileges reaches web, whose own security_opt only adds seccomp
    assert found(text, "HL311") == []
    assert found(text, "HL401") == [("HL401", 11, 20)]
    # base's capability is reported once, at base's text, naming both services
    added = [f for f in lint(text, COMPOSE, select=["HL305"]) if f.rule == "HL305"]
    assert [(f.span.line, f.span.column) for f in added] == [(4, 15), (9, 15)]
    assert "services `base`, `web`" in added[0].message
    assert "service `web`" in added[1].message and "base" not in added[1].message


def test_child_overrides_a_scalar_with_a_worse_value_reported_at_its_text():
    text = BASE + '  web:\n    extends: base\n    user: root\n    privileged: true\n    read_only: false\n'
    assert found(text, "HL303", "HL304", "HL307") == [("HL303", 13, 5), ("HL304", 14, 5), ("HL307", 15, 5)]
    assert "service `web`" in one(text, "HL303").message


def test_child_overrides_a_bad_base_value():
    text = "services:\n  base:\n    image: app:1\n    user: root\n  web:\n    extends: base\n    user: \"1000\"\n"
    f = one(text, "HL303")
    assert (f.span.line, f.span.column) == (4, 5) and "service `base`" in f.message and "web" not in f.message


def test_inherited_bad_setting_is_reported_once_at_the_base_naming_both():
    text = "services:\n  base:\n    image: app:1\n    privileged: true\n    pids_limit: 0\n  web:\n    extends: base\n"
    for rule in ("HL304", "HL310"):
        fs = [f for f in lint(text, COMPOSE, select=[rule]) if f.rule == rule and f.span.line in (4, 5)]
        assert len(fs) == 1 and "services `base`, `web`" in fs[0].message


def test_deploy_limits_merge_key_by_key():
    text = """\
services:
  base:
    image: app:1
    deploy:
      resources:
        limits: {memory: 256M}
  web:
    extends: base
    deploy:
      resources:
        limits: {cpus: "0.5"}
"""
    assert found(text, "HL308", "HL309") == [("HL309", 6, 9)]  # base's limits block, where the fix writes


def test_environment_and_volumes_are_overridden_by_key():
    text = """\
services:
  base:
    image: app:1
    environment: {NODE_TLS_REJECT_UNAUTHORIZED: "0"}
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
  web:
    extends: base
    environment: {NODE_TLS_REJECT_UNAUTHORIZED: "1"}
    volumes: ["sock:/var/run/docker.sock"]
"""
    for rule in ("HL107", "HL313"):
        f = one(text, rule)
        assert f.span.line in (4, 5) and "web" not in f.message


def test_extends_from_another_file_silences_missing_rules_only():
    text = """\
services:
  web:
    image: app:1
    extends: {file: common.yml, service: base}
    privileged: true
    read_only: false
    pids_limit: -1
  job:
    extends: web
"""
    assert found(text) == [("HL307", 6, 5), ("HL310", 7, 5)]
    assert found(text, "HL304") == [("HL304", 5, 5)]


def fix_all(text):
    linter = Linter(Config(preset="strict"), today=TODAY)
    return fix_source(linter, SourceFile(COMPOSE, text, "compose"), unsafe=True)


def test_fixes_for_the_extending_service_edit_only_it():
    text = """\
services:
  base:
    image: app:1
    user: "1000"
    cap_drop: [NET_RAW]
    security_opt: [label=type:x]
    read_only: true
    mem_limit: 512m
    cpus: "1.0"
    pids_limit: 100
  web:
    extends: base
"""
    web_start = text.index("  web:")
    for f in lint(text, COMPOSE):
        if f.fix is not None and f.message.startswith("service `web`"):
            assert all(e.start >= web_start for e in f.fix.edits), f
    out = fix_all(text)
    data = yaml.safe_load(out.text)
    assert "ALL" in data["services"]["web"]["cap_drop"]
    assert [f for f in out.result.findings if f.rule in MISSING] == []


def test_fix_adds_the_missing_key_to_the_extending_service():
    text = BASE.replace("    mem_limit: 512m\n", "") + "  web:\n    extends: base\n"
    out = fix_all(text)
    data = yaml.safe_load(out.text)
    assert data["services"]["web"]["mem_limit"] == "512M" and data["services"]["base"]["mem_limit"] == "512M"
    assert text.splitlines()[1:9] == out.text.splitlines()[1:9]  # base's own lines untouched
