"""`--fix --unsafe-fixes` over a copy of the whole shared corpus, then:

- every Dockerfile that BuildKit's parser (the `dockerfile` package) read before still parses;
- every YAML file that loaded before still loads, with as many documents, and its loaded data
  differs from the original only under the keys the fixes touched (the keys written on the lines
  the fix changed, in the original and in the fixed text; see `touched_paths`);
- every fixed compose file has no error against the Compose Specification schema (checked with
  `jsonschema`) that the original did not have, and in every fixed Kubernetes manifest a path
  that held only lists (or only mappings) still does (`kind_problem`);
- no finding that had a safe or unsafe fix is left at the same place (SARIF fingerprints of the
  findings before, against the findings the fix run reports after), and nothing fixable is left;
- a second `--fix` changes nothing.

The number of fixes applied per rule is printed (`pytest -s`). Skips without the corpus."""
from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple
from urllib.parse import unquote

import pytest
import yaml

from hardenlint import runner

from .test_sarif_corpus import corpus_paths

ARGS = ["--preset", "strict"]
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "compose-spec.json"
Path_ = Tuple[Any, ...]  # (document index, key or list index, ...)


# --- which YAML keys a change touched --------------------------------------------------------

def _last_line(node) -> int:
    """0-based last line of a node (a block node's end mark sits at the start of the next line)."""
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def line_owners(text: str) -> Dict[int, Set[Path_]]:
    """0-based line -> the paths of the innermost keys written on it. A key owns its own line(s)
    and, when its value is a scalar, a flow collection or a block list of scalars/flow items, the
    lines of that value; block mappings (also as list items) hand their lines to their own keys."""
    owners: Dict[int, Set[Path_]] = {}

    def own(first: int, last: int, path: Path_) -> None:
        for line in range(first, last + 1):
            owners.setdefault(line, set()).add(path)

    def leaf(node) -> bool:
        return not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) or bool(node.flow_style)

    def walk(node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            for k, v in node.value:
                p = path + (str(k.value) if isinstance(k, yaml.ScalarNode) else repr(k),)
                own(k.start_mark.line, _last_line(k), p)
                if leaf(v):
                    own(v.start_mark.line, _last_line(v), p)
                else:
                    walk_value(v, p)
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style:
            walk_value(node, path)

    def walk_value(v, p: Path_) -> None:
        if isinstance(v, yaml.SequenceNode):
            for i, item in enumerate(v.value):
                if leaf(item):
                    own(item.start_mark.line, _last_line(item), p)
                else:
                    walk(item, p + (i,))
        else:
            walk(v, p)

    for n, doc in enumerate(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))):
        if doc is not None:
            walk(doc, (n,))
    return owners


def touched_paths(before: str, after: str) -> Set[Path_]:
    """Paths of the keys on the lines a fix changed: deleted or replaced lines of `before`, and
    inserted or replacing lines of `after`."""
    a, b = before.splitlines(), after.splitlines()
    own_a, own_b = line_owners(before), line_owners(after)
    out: Set[Path_] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for i in range(i1, i2):
            out |= own_a.get(i, set())
        for j in range(j1, j2):
            out |= own_b.get(j, set())
    return out


def _drop(data: Any, path: Path_) -> None:
    *head, last = path
    for key in head:
        if isinstance(data, dict):
            data = next((v for k, v in data.items() if str(k) == key), None)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return
    if isinstance(data, dict):
        for k in [k for k in data if str(k) == last]:
            del data[k]


def differences(a: Any, b: Any, path: Path_ = ()) -> List[Path_]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: List[Path_] = []
        for k in set(map(str, a)) | set(map(str, b)):
            va = next((v for kk, v in a.items() if str(kk) == k), _MISSING)
            vb = next((v for kk, v in b.items() if str(kk) == k), _MISSING)
            out += differences(va, vb, path + (k,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, path + (i,))]
    return [] if a == b else [path]


_MISSING = object()


def yaml_docs(text: str) -> Optional[List[Any]]:
    try:
        return list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError:
        return None


def yaml_problem(name: str, before: str, after: str) -> Optional[str]:
    """None when `after` loads like `before` except under the touched keys."""
    old = yaml_docs(before)
    if old is None:
        return None
    new = yaml_docs(after)
    if new is None:
        return f"{name}: no longer loads"
    if len(new) != len(old):
        return f"{name}: {len(old)} documents became {len(new)}"
    touched = touched_paths(before, after)
    names = {p[-1] for p in touched if len(p) > 1}
    shared = "<<" in before or "*" in before  # anchors: a change to shared text shows up elsewhere
    for n, (x, y) in enumerate(zip(old, new)):
        for p in touched:
            if p[0] == n and len(p) > 1:
                _drop(x, p[1:])
                _drop(y, p[1:])
        left = [d for d in differences(x, y) if not (shared and d and d[-1] in names)]
        if left:
            return f"{name}: document {n} changed outside the fixed keys at {['.'.join(map(str, d)) for d in left[:5]]}"
    return None


# --- valid of its kind -------------------------------------------------------------------------

def _schema_errors(docs: List[Any]) -> Set[Tuple[Path_, str]]:
    """(path with list indices as "*", validator) of every Compose schema error, with jsonschema."""
    import jsonschema

    with open(SCHEMA, encoding="utf-8") as f:
        validator = jsonschema.Draft7Validator(json.load(f))
    out = set()
    for doc in docs:
        if doc is not None:
            data = json.loads(json.dumps(doc, default=str))
            out |= {(tuple("*" if isinstance(p, int) else p for p in e.absolute_path), e.validator)
                    for e in validator.iter_errors(data)}
    return out


def _shapes(docs: List[Any]) -> Dict[Path_, Set[str]]:
    out: Dict[Path_, Set[str]] = {}

    def walk(node: Any, path: Path_) -> None:
        out.setdefault(path, set()).add(type(node).__name__)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (str(k),))
        elif isinstance(node, list):
            for item in node:
                walk(item, path + ("*",))

    for n, doc in enumerate(docs):
        walk(doc, (n,))
    return out


def kind_problem(name: str, kind: str, before: str, after: str) -> Optional[str]:
    """None when the fixed text is as valid of its kind as the original (see the module doc)."""
    old, new = yaml_docs(before), yaml_docs(after)
    if old is None or new is None:
        return None  # yaml_problem reports these
    if kind == "compose":
        added = _schema_errors(new) - _schema_errors(old)
        return f"{name}: new Compose schema errors {sorted(added)[:3]}" if added else None
    was, now = _shapes(old), _shapes(new)
    for path, types in now.items():
        if was.get(path) and was[path] <= {"list", "dict"} and not types <= was[path]:
            return f"{name}: {'.'.join(map(str, path))} held {sorted(was[path])}, now {sorted(types)}"
    return None


# --- the test ---------------------------------------------------------------------------------

def _fixable(result: dict) -> bool:
    return any(f.get("properties", {}).get("applicability") in ("safe", "unsafe") for f in result.get("fixes", []))


def _key(result: dict) -> Tuple[str, str, str]:
    uri = unquote(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    return uri, result["ruleId"], result["partialFingerprints"]["hardenlint/v1"]


def _buildkit_parses(text: str) -> bool:
    import dockerfile

    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


def test_corpus_fix_round_trip(corpus, tmp_path, monkeypatch, capsys):
    pytest.importorskip("dockerfile")
    from hardenlint.cli import main

    started = time.monotonic()
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    paths = corpus_paths(corpus)
    # The findings before fixing, from the untouched corpus, while the copy is being fixed.
    before_out = tmp_path / "before.sarif"
    before_proc = subprocess.Popen(
        [sys.executable, "-m", "hardenlint", "check", *ARGS, "--format", "sarif", "--output", str(before_out), *paths],
        cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ, NO_COLOR="1"))

    reports = []
    real_run = runner.run

    def recording_run(*args, **kwargs):
        report, diff = real_run(*args, **kwargs)
        reports.append(report)
        return report, diff

    monkeypatch.setattr(runner, "run", recording_run)
    monkeypatch.chdir(work)
    after_out = tmp_path / "after.sarif"
    main(["check", *ARGS, "--fix", "--unsafe-fixes", "--format", "sarif", "--output", str(after_out), *paths])
    _, err = before_proc.communicate()
    assert "Traceback" not in err, err[-2000:]
    fixed_at = time.monotonic()
    applied: Counter = reports[-1].fixed_by_rule
    changed: Set[str] = {str(p.relative_to(work)) for p in work.rglob("*")
                         if p.is_file() and p.read_bytes() != (corpus / p.relative_to(work)).read_bytes()}

    with capsys.disabled():
        print(f"\nfixes applied per rule over the corpus ({sum(applied.values())} in {len(changed)} files):")
        for rule, n in sorted(applied.items()):
            print(f"  {rule}: {n}")
    assert applied, "the corpus round trip applied no fix"

    failures: List[str] = []
    for rel in sorted(changed):
        before = (corpus / rel).read_text(encoding="utf-8-sig")
        after = (work / rel).read_text(encoding="utf-8-sig")
        if rel.endswith((".yml", ".yaml")):
            problem = yaml_problem(rel, before, after)
            if problem is None and rel.split("/")[0] in ("compose", "k8s"):
                problem = kind_problem(rel, "compose" if rel.startswith("compose/") else "kubernetes", before, after)
            if problem:
                failures.append(problem)
        elif _buildkit_parses(before) and not _buildkit_parses(after):
            failures.append(f"{rel}: BuildKit no longer parses it")

    # Nothing fixable is left, and no fixed finding is still reported at its place.
    before_log = json.loads(before_out.read_text(encoding="utf-8"))["runs"][0]["results"]
    after_log = json.loads(after_out.read_text(encoding="utf-8"))["runs"][0]["results"]
    left = [_key(r)[:2] for r in after_log if _fixable(r)]
    if left:
        failures.append(f"{len(left)} fixable finding(s) left after --fix, e.g. {left[:10]}")
    fixed_keys = {_key(r) for r in before_log if _fixable(r)}
    still = sorted(k[:2] for k in {_key(r) for r in after_log} & fixed_keys)
    if still:
        failures.append(f"{len(still)} fixed finding(s) still reported at the same place, e.g. {still[:10]}")

    # A second --fix changes nothing (files the first run left alone were already at rest).
    snapshot = {rel: (work / rel).read_bytes() for rel in changed}
    if changed:
        main(["check", *ARGS, "--fix", "--unsafe-fixes", "--format", "json", "--output", str(tmp_path / "again.json"),
              *sorted(changed)])
    second = reports[-1].fixed_by_rule if changed else Counter()
    if second:
        failures.append(f"a second --fix applied {dict(second)}")
    moved = [rel for rel in changed if (work / rel).read_bytes() != snapshot[rel]]
    if moved:
        failures.append(f"a second --fix changed {moved[:10]}")

    with capsys.disabled():
        print(f"round trip: fixing {fixed_at - started:.1f}s, checks {time.monotonic() - fixed_at:.1f}s")
    assert not failures, "\n".join(failures[:40])


# --- the key-touching logic itself ------------------------------------------------------------

def test_kind_problem_sees_a_null_list_and_a_misplaced_key():
    pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip("shared schemas not present")
    before = "services:\n  web:\n    image: a\n    cap_add:\n      - NET_ADMIN\n      - SYS_ADMIN\n"
    assert kind_problem("c.yaml", "compose", before, before.replace("      - SYS_ADMIN\n", "")) is None
    assert "new Compose schema errors" in kind_problem("c.yaml", "compose", before, before.split("      - NET")[0])
    assert "new Compose schema errors" in kind_problem("c.yaml", "compose", before, before + "user: root\n")
    pod = "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities:\n        add:\n        - X\n"
    assert kind_problem("k.yaml", "kubernetes", pod, pod.replace("        - X\n", "")) is not None
    assert kind_problem("k.yaml", "kubernetes", pod, pod.replace("        - X\n", "        []\n")) is None


def test_touched_paths_and_differences():
    before = "services:\n  web:\n    image: a\n    privileged: true\n    environment:\n      - A=1\n      - B=2\n"
    after = "services:\n  web:\n    image: a\n    environment:\n      - A=1\n    cap_drop:\n      - ALL\n"
    touched = touched_paths(before, after)
    assert touched == {(0, "services", "web", "privileged"), (0, "services", "web", "environment"),
                       (0, "services", "web", "cap_drop")}
    assert yaml_problem("c.yaml", before, after) is None


def test_an_insertion_that_moves_unchanged_lines_is_caught():
    before = "a:\n  b:\n    c: 1\n  d: 2\n"
    after = "a:\n  b:\n    c: 1\ne:\n  d: 2\n"  # `d` now sits under the inserted `e`
    assert touched_paths(before, after) == {(0, "e")}
    assert "changed outside the fixed keys at ['a.d']" in yaml_problem("x.yaml", before, after)


def test_yaml_problem_sees_a_change_outside_the_fixed_keys():
    before = "a:\n  b: 1\n  c: 2\n"
    assert yaml_problem("x.yaml", before, "a:\n  b: 1\n  c: 2\n  d: 3\n") is None
    assert yaml_problem("x.yaml", before, "a:\n  b: 1\n  c: 2\nd: [\n") == "x.yaml: no longer loads"
    assert yaml_problem("x.yaml", before, "a:\n  b: 1\n  c: 2\n---\ne: 1\n").endswith("1 documents became 2")
