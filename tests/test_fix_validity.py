"""A fix leaves a valid file of its kind: the Compose schema, Kubernetes shapes (fixvalidity)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hardenlint import fixvalidity
from hardenlint.config import Config
from hardenlint.engine import Linter
from hardenlint.fixer import fix_source
from hardenlint.fixvalidity import SCHEMA_PATH, facts, still_valid
from hardenlint.source import SourceFile

from .conftest import REPO, corpus_root
from .test_fixer import StubLinter, replace, src

SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "compose-spec.json"


def fix(text: str, filename: str, select: str) -> str:
    linter = Linter(Config(preset="strict", select=(select,)))
    kind = "compose" if filename.startswith("compose") else "yaml"
    return fix_source(linter, SourceFile(filename, text, kind), unsafe=True).text


COMPOSE_CAPS = "services:\n  app:\n    image: a:1\n    cap_add:\n      - SYS_ADMIN\n      - NET_ADMIN\n    ports: [\"80:80\"]\n"
POD_CAPS = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a:1\n"
            "    securityContext:\n      capabilities:\n        add:\n        - SYS_ADMIN\n        - NET_ADMIN\n")


def test_removing_every_cap_add_item_writes_an_empty_list_not_null():
    out = fix(COMPOSE_CAPS, "compose.yaml", "HL305")
    assert "cap_add: []\n" in out and yaml.safe_load(out)["services"]["app"]["cap_add"] == []
    out = fix(POD_CAPS, "pod.yaml", "HL305")
    assert "add: []\n" in out
    assert yaml.safe_load(out)["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] == []


def test_compose_schema_errors_the_original_lacked_are_refused():
    base = "services:\n  web:\n    image: a\n    privileged: true\n    ro: 1\n"
    # `user` written at the top level (additionalProperties), a list left null, a wrong type
    for bad in ("user: root\nservices:", "    cap_add:\n    privileged: true", "    privileged: [true]"):
        old = "services:" if bad.startswith("user") else "    privileged: true"
        linter = StubLinter(replace("HL304", old, bad), replace("HL311", "ro: 1", "ro: 2"))
        out = fix_source(linter, src(base, "compose.yaml", "compose"), unsafe=True)
        assert out.text == base.replace("ro: 1", "ro: 2"), bad


def test_a_file_already_off_spec_can_still_be_fixed_elsewhere():
    base = "services:\n  web:\n    image: a\n    nonsense: 1\n    privileged: true\n"
    linter = StubLinter(replace("HL304", "    privileged: true\n", ""))
    out = fix_source(linter, src(base, "compose.yaml", "compose"), unsafe=True)
    assert out.text == "services:\n  web:\n    image: a\n    nonsense: 1\n"


def test_kubernetes_lists_stay_lists_and_mappings_mappings():
    before = facts("kubernetes", POD_CAPS)
    assert still_valid("kubernetes", before, POD_CAPS.replace("        - NET_ADMIN\n", ""))
    assert still_valid("kubernetes", before, POD_CAPS + "    resources: {}\n")  # a new key of the right shape
    assert not still_valid("kubernetes", before, POD_CAPS.replace("        - SYS_ADMIN\n        - NET_ADMIN\n", ""))
    assert not still_valid("kubernetes", before, POD_CAPS.replace("        add:\n        - SYS_ADMIN\n        - NET_ADMIN\n",
                                                                  "        add: {a: 1}\n"))
    assert not still_valid("kubernetes", before, POD_CAPS + "    resources: [1]\n")  # a known key, wrong shape
    assert not still_valid("kubernetes", before, POD_CAPS + "    env:\n")
    labels = POD_CAPS.replace("  name: p\n", "  name: p\n  labels:\n    env: prod\n")
    assert still_valid("kubernetes", facts("kubernetes", labels), labels.replace("prod", "dev"))


def test_stub_fix_making_a_kubernetes_list_null_is_refused():
    linter = StubLinter(replace("HL305", "        - SYS_ADMIN\n        - NET_ADMIN\n", ""))
    out = fix_source(linter, src(POD_CAPS, "pod.yaml", "kubernetes"), unsafe=True)
    assert out.text == POD_CAPS


def test_shipped_schema_is_the_shared_copy():
    if not SHARED_SCHEMA.is_file():
        pytest.skip("shared schemas not present")
    assert Path(SCHEMA_PATH).read_bytes() == SHARED_SCHEMA.read_bytes()


@pytest.mark.parametrize("doc", [
    {"services": {"a": {"image": "x", "cap_add": None}}},
    {"services": {"a": {"image": "x", "cap_add": ["A", "A"]}}},
    {"services": {"a": {"image": "x", "ports": [{"target": "x"}]}}},
    {"services": {"a": {"image": "x", "read_only": "yes"}}},
    {"services": {"a": {"image": "x", "ulimits": {"nofile": {"soft": 1}}}}},
    {"services": {"a": {"image": "x", "deploy": {"resources": {"limits": {"cpus": 0.5, "memory": "1G"}}}}}},
    {"services": {"a b": {"image": "x"}}},
    {"services": {"a": {"image": "x", "user": 1000, "security_opt": ["no-new-privileges:true"]}}},
    {"services": {"a": {"build": {"context": ".", "args": {"A": 1}}}}, "x-anything": [1]},
    {"version": 3, "services": {}},
])
def test_validator_agrees_with_jsonschema(doc):
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    expected = not list(jsonschema.Draft7Validator(schema).iter_errors(doc))
    mine: set = set()
    fixvalidity._validate(doc, schema, (), mine)
    assert (not mine) == expected, mine


def test_validator_agrees_with_jsonschema_on_the_corpus():
    jsonschema = pytest.importorskip("jsonschema")
    root = corpus_root()
    if root is None or not (root / "compose").is_dir():
        pytest.skip("shared corpus not present")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    checked = invalid = 0
    for path in sorted((root / "compose").iterdir()):
        try:
            docs = list(yaml.load_all(path.read_text(encoding="utf-8", errors="replace"), Loader=yaml.SafeLoader))
        except yaml.YAMLError:
            continue
        for doc in docs:
            if doc is None:
                continue
            data = json.loads(json.dumps(doc, default=str))
            mine: set = set()
            fixvalidity._validate(data, schema, (), mine)
            theirs = list(validator.iter_errors(data))
            assert (not mine) == (not theirs), (path.name, sorted(mine)[:3], [e.message for e in theirs[:3]])
            checked += 1
            invalid += bool(theirs)
    assert checked > 100 and invalid > 0


def test_removals_from_one_list_are_tied_so_no_pass_empties_it():
    from hardenlint.fixer import choose

    from .conftest import lint

    for text, name in ((COMPOSE_CAPS, "compose.yaml"), (POD_CAPS, "pod.yaml")):
        findings = [f for f in lint(text, name, select=["HL305"]) if f.fix]
        assert len(findings) == 2
        assert len(choose(findings, True, text)) == 1, "one removal per list and pass"
    three = COMPOSE_CAPS.replace("      - NET_ADMIN\n", "      - NET_ADMIN\n      - SYS_PTRACE\n")
    assert "cap_add: []\n" in fix(three, "compose.yaml", "HL305")


def test_removals_from_one_mapping_are_tied_and_the_last_writes_braces():
    from hardenlint.fixer import choose

    from .conftest import lint

    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    seLinuxOptions:\n"
           "      user: system_u\n      type: spc_t\n  containers:\n    - name: a\n      image: a:1\n")
    findings = [f for f in lint(pod, "pod.yaml", select=["HL404"]) if f.fix]
    assert len(findings) == 2 and len(choose(findings, True, pod)) == 1
    out = yaml.safe_load(fix(pod, "pod.yaml", "HL404"))["spec"]["securityContext"]
    assert isinstance(out, dict) and isinstance(out.get("seLinuxOptions", {}), dict), "never a null mapping"
