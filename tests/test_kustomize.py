"""Kustomize: rendering (against `kubectl kustomize`), what a run lints, positions, fixes, notes.

Fixture trees: tests/fixtures/kustomize/ (see its README). The kubeflow oracle uses
../shared/kustomize (skipped when absent or without kubectl); kubectl's output is digested once
and cached (see `_kubectl_digests`).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from hardenlint.kustomize.build import build
from hardenlint.kustomize.load import Workspace
from hardenlint.kustomize.nodes import data

from .conftest import REPO

FIX = REPO / "tests" / "fixtures" / "kustomize"
SHARED = REPO.parent / "shared" / "kustomize"
KUBECTL = shutil.which("kubectl")
FIXTURE_ROOTS = ["basic/overlays/prod", "basic/overlays/dev", "basic/base", "features/overlay", "features/base",
                 "shared/overlays/a", "shared/overlays/b"]


def run(args, cwd, env=None):
    e = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "hardenlint", *args], cwd=cwd, capture_output=True, text=True, env=e)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def tree(tmp_path):
    """A copy of the fixture trees (fixes write into it)."""
    shutil.copytree(FIX, tmp_path / "k")
    return tmp_path / "k"


def findings(cwd, *args):
    code, out, err = run(["check", "--format", "json", "--preset", "strict", *args], cwd)
    assert code in (0, 1), err
    return json.loads(out)["findings"], err


def _key(o):
    md = o.get("metadata") or {}
    return (o.get("apiVersion"), o.get("kind"), md.get("namespace"), md.get("name"))


def _canon(o) -> str:
    return hashlib.sha256(json.dumps(o, sort_keys=True, default=str).encode()).hexdigest()


def _rendered(directory, ws=None):
    return {_key(o): o for o in (data(r.node) for r in build(str(directory), ws).resources)}


def _kubectl(directory):
    p = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return {_key(o): o for o in yaml.load_all(p.stdout, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if o}


# --------------------------------------------------------------------------- rendering

@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize("root", FIXTURE_ROOTS)
def test_fixture_renders_as_kubectl(root):
    assert _rendered(FIX / root) == _kubectl(FIX / root)


def test_rendered_values_remember_their_file_and_line():
    b = build(str(FIX / "features" / "overlay"))
    dep = next(r for r in b.resources if r.kind == "Deployment")
    from hardenlint.kustomize.nodes import lookup_path

    items = lookup_path(dep.node, "spec", "template", "spec", "containers").value
    names = [lookup_path(i, "name").value for i in items]
    assert names == ["api", "proxy"]  # debug deleted by `$patch: delete`, proxy from the component
    proxy_image = lookup_path(items[1], "image")
    assert proxy_image.value.startswith("envoyproxy/envoy@sha256:")
    # retagged by the overlay's `images:` digest: the value points at that entry
    assert proxy_image.start_mark.name.endswith(os.path.join("overlay", "kustomization.yaml"))
    new_env = lookup_path(items[0], "env", 0, "value")
    assert new_env.value == "2"  # from the inline patch: positioned inside the kustomization
    ktext = (FIX / "features" / "overlay" / "kustomization.yaml").read_text()
    assert ktext[new_env.start_mark.index:new_env.end_mark.index] == '"2"'
    limits = lookup_path(items[0], "resources", "limits", "memory")
    assert limits.start_mark.name.endswith(os.path.join("base", "app.yaml"))


def test_unsupported_features_are_notes_and_the_rest_renders():
    b = build(str(FIX / "unsupported"))
    assert [r.kind for r in b.resources] == ["Pod"]
    text = " ".join(n.message for n in b.notes)
    assert "remote resource" in text and "helmCharts" in text and "replacement source" in text


def _oracle_cache() -> Path:
    builds = (SHARED / "BUILDS.txt").read_bytes()
    version = subprocess.run([KUBECTL, "version", "--client", "-o", "json"], capture_output=True, text=True).stdout
    key = hashlib.sha256(builds + version.encode()).hexdigest()[:16]
    return Path(os.environ.get("HARDENLINT_ORACLE_CACHE", tempfile.gettempdir())) / f"hardenlint-kustomize-oracle-{key}.json"


def _kubectl_digests(dirs):
    """{folder: {object key: digest}} of `kubectl kustomize` output, computed once (2 processes,
    several minutes) and cached in the temp folder for later sessions."""
    cache = _oracle_cache()
    if cache.is_file():
        return json.loads(cache.read_text())

    def one(d):
        objs = _kubectl(SHARED / "kubeflow-manifests" / d)
        return d, {repr(k): _canon(o) for k, o in objs.items()}

    with ThreadPoolExecutor(2) as pool:
        out = dict(pool.map(one, dirs))
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    os.replace(tmp, cache)
    return out


# kubeflow kustomizations whose rendering differs from kubectl's, and why (keep this short)
ORACLE_EXCEPTIONS: dict = {}  # none left; add "folder": "reason" when a difference is accepted


@pytest.mark.skipif(KUBECTL is None or not (SHARED / "BUILDS.txt").is_file(),
                    reason="kubectl or ../shared/kustomize not present")
def test_kubeflow_renders_as_kubectl():
    dirs = [d.strip() for d in (SHARED / "BUILDS.txt").read_text().splitlines() if d.strip()]
    want = _kubectl_digests(dirs)
    ws = Workspace()
    wrong = {}
    for d in dirs:
        mine = {repr(k): _canon(o) for k, o in _rendered(SHARED / "kubeflow-manifests" / d, ws).items()}
        if mine != want[d]:
            bad = sorted(k for k in set(mine) | set(want[d]) if mine.get(k) != want[d].get(k))
            wrong[d] = bad[:3]
    unexpected = {d: v for d, v in wrong.items() if d not in ORACLE_EXCEPTIONS}
    assert not unexpected, f"{len(unexpected)} kustomizations render differently: {unexpected}"
    fixed = [d for d in ORACLE_EXCEPTIONS if d not in wrong]
    assert not fixed, f"now rendered as kubectl does, drop from ORACLE_EXCEPTIONS: {fixed}"
    assert len(dirs) - len(wrong) >= len(dirs) - len(ORACLE_EXCEPTIONS)


# --------------------------------------------------------------------------- what a run lints

def test_run_lints_roots_and_positions_point_at_the_text(tree):
    fs, _err = findings(tree, "basic")
    by = {(f["rule"], f["path"].split("basic/", 1)[1], f["line"]) for f in fs}
    # a value set by a patch: the patch line
    assert ("HL304", "overlays/prod/limits.yaml", 14) in by
    # an image retagged by `images:`: the newTag entry
    assert ("HL102", "overlays/prod/kustomization.yaml", 8) in by
    # an inline patch: its line inside the kustomization
    assert ("HL312", "overlays/dev/kustomization.yaml", 18) in by
    # a setting only one overlay lacks: at the base object, naming that overlay
    hl308 = [f for f in fs if f["rule"] == "HL308"]
    assert len(hl308) == 1 and hl308[0]["path"].endswith("base/deployment.yaml") and hl308[0]["line"] == 9
    assert "overlays/dev" in hl308[0]["message"] and "overlays/prod" not in hl308[0]["message"]
    # the patch alone gives no missing-setting findings (it is not linted on its own)
    assert not [f for f in fs if f["path"].endswith("limits.yaml") and f["rule"] not in ("HL304", "HL311")]


def test_shared_finding_reported_once_naming_the_overlays(tree):
    fs, _ = findings(tree, "shared", "--select", "HL309")  # no CPU limit: in the base, for every overlay
    assert len(fs) == 1
    f = fs[0]
    assert f["path"].endswith("base/worker.yaml") and f["line"] == 21  # the `limits:` block of the base
    assert "overlays/a" in f["message"] and "overlays/b" in f["message"]
    assert f["fix"] is not None  # every root reaching the base needs it: the base may be edited
    # where the overlays differ (dev removes `resources`, prod patches the limits) the findings
    # point at different text, each naming its overlay, and no fix edits the shared base
    fs, _ = findings(tree, "basic", "--select", "HL309")
    assert len(fs) == 2 and all(f["path"].endswith("base/deployment.yaml") and f["fix"] is None for f in fs)
    assert sorted(("overlays/dev" in f["message"], "overlays/prod" in f["message"]) for f in fs) == \
        [(False, True), (True, False)]


def test_fix_not_offered_into_a_base_shared_with_overlays_that_do_not_need_it(tree):
    fs, _ = findings(tree, "basic", "--select", "HL308")
    assert len(fs) == 1 and fs[0]["fix"] is None


def test_fix_edits_the_file_holding_the_text(tree):
    code, _out, err = run(["check", "--fix", "--unsafe-fixes", "--select", "HL309", "shared"], tree)
    assert code == 0, err
    assert "cpu:" in (tree / "shared" / "base" / "worker.yaml").read_text()
    fs, _ = findings(tree, "shared", "--select", "HL309")
    assert fs == []


def test_bases_outside_the_given_paths_are_read_but_not_fixed(tree):
    before = (tree / "shared" / "base" / "worker.yaml").read_text()
    fs, _ = findings(tree, "shared/overlays/a", "--select", "HL309")
    assert len(fs) == 1 and fs[0]["path"].endswith("base/worker.yaml") and fs[0]["fix"] is None
    run(["check", "--fix", "--unsafe-fixes", "--select", "HL309", "shared/overlays/a"], tree)
    assert (tree / "shared" / "base" / "worker.yaml").read_text() == before


def test_suppression_comment_in_the_file_holding_the_text(tree):
    p = tree / "basic" / "overlays" / "prod" / "limits.yaml"
    p.write_text(p.read_text().replace("          privileged: true",
                                       "          # hardenlint ignore=HL304 -- test\n          privileged: true"))
    fs, _ = findings(tree, "basic")
    assert not [f for f in fs if f["rule"] == "HL304"]
    assert [f for f in fs if f["rule"] == "HL311"]


def test_partial_object_without_kustomization(tree):
    lone = tree / "lone.yaml"
    lone.write_text((FIX / "basic" / "overlays" / "prod" / "limits.yaml").read_text())
    fs, _ = findings(tree, "lone.yaml")
    assert sorted(f["rule"] for f in fs) == ["HL304", "HL311"]


def test_unsupported_features_note_on_stderr_and_in_sarif(tree):
    code, out, err = run(["check", "--format", "sarif", "unsupported"], tree)
    assert code == 1 and "Traceback" not in err
    assert "helmCharts" in err and "remote resource" in err
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("helmCharts" in n["message"]["text"] for n in notes)
    assert any(r["ruleId"] == "HL304" for r in json.loads(out)["runs"][0]["results"])


def test_reached_files_still_get_hl001_and_hl002(tree):
    (tree / "basic" / "base" / "deployment.yaml").write_text(
        (FIX / "basic" / "base" / "deployment.yaml").read_text().replace(
            "      containers:", "      # hardenlint ignore=HL999\n      containers:"))
    (tree / "basic" / "overlays" / "prod" / "limits.yaml").write_text("kind: Deployment\nspec: [\n")
    fs, err = findings(tree, "basic")
    assert any(f["rule"] == "HL002" and f["path"].endswith("base/deployment.yaml") for f in fs)
    assert any(f["rule"] == "HL001" and f["path"].endswith("prod/limits.yaml") for f in fs)
    assert "Traceback" not in err and "limits.yaml" in err  # the patch that could not be read: a note
