"""JSON manifests, and the kind of a file whose name says nothing (named on the command line or
read from stdin) decided by its content: `kubectl get ... -o yaml|json | hardenlint check -`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from hardenlint.config import Config
from hardenlint.discover import kind_by_content, kind_by_name, kind_for_explicit, walk
from hardenlint.engine import Linter
from hardenlint.fixer import fix_source
from hardenlint.source import SourceFile

from .conftest import REPO, apply_edits, lint, rules_of

DEPLOY_JSON = """{
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:latest",
                        "securityContext": {"privileged": true, "readOnlyRootFilesystem": false}
                    }
                ]
            }
        }
    }
}
"""

KUBECTL_YAML = """apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
    namespace: shop
  spec:
    selector:
      matchLabels:
        app: api
    template:
      metadata:
        labels:
          app: api
      spec:
        containers:
        - image: registry.example.com/shop/api:1.4.2
          name: api
          securityContext:
            privileged: true
        hostNetwork: true
  status:
    replicas: 1
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: default
    namespace: shop
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata:
    name: reader
    namespace: shop
  rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata:
    name: reader
    namespace: shop
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: Role
    name: reader
  subjects:
  - kind: ServiceAccount
    name: default
    namespace: shop
kind: List
metadata:
  resourceVersion: ""
"""


def run(args, cwd=None, stdin=None):
    p = subprocess.run([sys.executable, "-m", "hardenlint", *args], cwd=cwd, input=stdin, capture_output=True,
                       text=True, env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr


def at(findings, rule):
    return [(f.span.line, f.span.column) for f in findings if f.rule == rule]


# --- which files are JSON manifests ----------------------------------------------------------

def test_json_files_are_found_by_name_and_judged_by_content(tmp_path):
    (tmp_path / "deploy.json").write_text(DEPLOY_JSON)
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    found = [(os.path.basename(p), k) for p, k in walk([str(tmp_path)])]
    assert found == [("deploy.json", "json"), ("package.json", "json")]
    code, out, err = run(["check", "--format", "json", str(tmp_path)])
    report = json.loads(out)
    assert code == 1 and not err
    assert {os.path.basename(f["path"]) for f in report["findings"]} == {"deploy.json"}
    assert report["summary"]["files"] == 1  # package.json: skipped silently


@pytest.mark.parametrize("text", [
    '{"name": "x", "scripts": {"test": "jest"}}',
    '{"$schema": "x", "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}}}',
    '[{"apiVersion": "v1"}]',
    '{"compilerOptions": {"strict": true}, // a comment\n}',
    '{"services": {"web": {"image": "nginx:latest", "privileged": true}}}',
])
def test_json_that_is_not_a_manifest_is_skipped_silently(text):
    result, _ = Linter(Config(preset="strict")).lint_source(SourceFile("x.json", text, "json"))
    assert result.kind is None and result.findings == [] and result.skipped is None


def test_json_manifest_findings_have_exact_positions():
    found = lint(DEPLOY_JSON, "deploy.json")
    assert at(found, "HL304") == [(12, 45)]  # "privileged": true
    assert at(found, "HL307") == [(12, 65)]  # "readOnlyRootFilesystem": false
    assert at(found, "HL102") == [(11, 35)]  # the image text inside the quotes
    f = next(f for f in found if f.rule == "HL102")
    assert DEPLOY_JSON[f.span.start:f.span.end] == "nginx:latest"


def test_json_list_as_kubectl_prints_it():
    found = lint((REPO / "examples" / "cluster-dump.json").read_text(), "cluster-dump.json")
    assert {"HL304", "HL314", "HL102"} <= set(rules_of(found))
    assert "HL001" not in rules_of(found)


def test_broken_json_manifest_is_hl001_at_the_json_error():
    text = DEPLOY_JSON.replace('"kind": "Deployment",', '"kind": "Deployment"')
    found = lint(text, "deploy.json")
    assert rules_of(found) == ["HL001"]
    assert found[0].message == "JSON error: Expecting ',' delimiter"
    assert (found[0].span.line, found[0].span.column) == (4, 5)


def test_every_fix_offered_in_json_keeps_json_and_fix_writes_json():
    found = lint(DEPLOY_JSON, "deploy.json")
    offered = [f for f in found if f.fix is not None]
    assert {f.rule for f in offered} >= {"HL304", "HL307"}
    for f in offered:
        json.loads(apply_edits(DEPLOY_JSON, f.fix.edits))
    # fixes that would add a YAML block key (a missing memory limit, runAsNonRoot) are not offered
    assert all(f.fix is None for f in found if f.rule in ("HL303", "HL308", "HL306"))
    outcome = fix_source(Linter(Config(preset="strict")), SourceFile("deploy.json", DEPLOY_JSON, "json"), unsafe=True)
    fixed = json.loads(outcome.text)
    sc = fixed["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    assert sc == {"readOnlyRootFilesystem": True}


def test_the_same_fixes_are_offered_in_yaml():
    import yaml

    text = yaml.safe_dump(json.loads(DEPLOY_JSON), sort_keys=False)
    found = lint(text, "deploy.yaml")
    assert next(f for f in found if f.rule == "HL308").fix is not None


# --- kind by content ------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind", [
    ("FROM alpine:3.20\nRUN apk add curl\n", "dockerfile"),
    ("# syntax=docker/dockerfile:1\n\nfrom alpine\n", "dockerfile"),
    ("RUN apt-get update\n", "dockerfile"),
    ("FRM alpine\n", "dockerfile"),
    ("user 1000\n", "dockerfile"),
    ("", "dockerfile"),
    ("apiVersion: v1\nkind: Pod\n", "yaml"),
    ("# comment\n---\nservices:\n  web: {}\n", "yaml"),
    ("- name: x\n", "yaml"),
    ("user: root\n", "yaml"),
    ('"quoted key": 1\n', "yaml"),
    ('{\n  "kind": "Pod"\n}\n', "json"),
    ("\ufeff[]", "json"),
])
def test_kind_by_content(text, kind):
    assert kind_by_content(text) == kind


def test_explicit_file_with_an_unknown_name_is_classified_by_content(tmp_path):
    assert kind_for_explicit("build.txt") == "auto" and kind_for_explicit("deploy.json") == "json"
    (tmp_path / "manifest").write_text(KUBECTL_YAML)
    (tmp_path / "build.txt").write_text("FROM alpine:3.20\nRUN sudo apk add curl\n")
    code, out, err = run(["check", "--format", "json", "manifest", "build.txt"], cwd=tmp_path)
    report = json.loads(out)
    kinds = {(f["path"], f["kind"]) for f in report["findings"]}
    assert ("manifest", "kubernetes") in kinds and ("build.txt", "dockerfile") in kinds
    assert not any(f["rule"] == "HL001" for f in report["findings"]), report["findings"]


def test_explicit_json_file_is_a_manifest(tmp_path):
    (tmp_path / "deploy.json").write_text(DEPLOY_JSON)
    code, out, err = run(["check", "--format", "gcc", "deploy.json"], cwd=tmp_path)
    assert code == 1 and "deploy.json:12:45: error:" in out and "HL001" not in out


def test_kubectl_yaml_on_stdin_is_linted_as_kubernetes():
    code, out, err = run(["check", "-", "--format", "json"], stdin=KUBECTL_YAML)
    report = json.loads(out)
    rules = {f["rule"] for f in report["findings"]}
    assert code == 1 and "HL001" not in rules and {"HL304", "HL312"} <= rules, report
    assert {f["path"] for f in report["findings"]} == {"-"}
    assert {f["kind"] for f in report["findings"]} == {"kubernetes"}


def test_kubectl_json_on_stdin_is_linted_as_kubernetes():
    code, out, err = run(["check", "-", "--format", "gcc"], stdin=DEPLOY_JSON)
    assert code == 1 and "-:12:45: error:" in out and "HL001" not in out


def test_dockerfile_on_stdin_without_a_name_is_still_a_dockerfile():
    code, out, err = run(["check", "-", "--format", "gcc"], stdin="FROM alpine:3.20\nRUN sudo apk add curl\n")
    assert code == 1 and "-:2:5: warning:" in out and "HL204" in out and "HL001" not in out


def test_stdin_filename_still_decides_the_kind():
    code, out, err = run(["check", "-", "--stdin-filename", "notes.yaml", "--format", "json"],
                         stdin="FROM alpine\n")
    assert code == 0 and json.loads(out)["findings"] == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_what_kubectl_prints_is_linted(fmt):
    printed = subprocess.run(["kubectl", "create", "deployment", "web", "--image=nginx:latest", "--dry-run=client",
                              "-o", fmt], capture_output=True, text=True, check=True).stdout
    code, out, err = run(["check", "-", "--format", "json"], stdin=printed)
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert code == 1 and "HL102" in rules and "HL001" not in rules


def test_pre_commit_hook_hands_over_json():
    import re

    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for name in ("deploy.json", "k8s/List.JSON", "package.json"):
        for hook in hooks:
            assert re.search(hook["files"], name) and kind_by_name(name) == "json"
