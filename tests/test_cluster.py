"""Cluster objects and the run-wide object index: HL316's ServiceAccount, HL405-HL412, HL410.

Rule tests are written from RULES.md; the runner tests put objects in several files and force the
worker-process pool, as a large run would.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, List

import pytest

from hardenlint import runner
from hardenlint.config import Config
from hardenlint.model.findings import Span
from hardenlint.model.objects import KubeObject, ObjectIndex

from .conftest import apply_edits, lint

K8S = "k8s.yaml"
RBAC = "rbac.authorization.k8s.io/v1"


def found(text: str, rule: str):
    return [f for f in lint(text, K8S, select=[rule]) if f.rule == rule]


def deployment(name="ci", ns="build", sa="builder", automount=None, extra=""):
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {name}"]
    if ns:
        lines.append(f"  namespace: {ns}")
    lines += ["spec:", "  template:", "    spec:"]
    if sa:
        lines.append(f"      serviceAccountName: {sa}")
    if automount is not None:
        lines.append(f"      automountServiceAccountToken: {str(automount).lower()}")
    lines += ["      containers:", "        - name: app", "          image: example/app:1.0"]
    return "\n".join(lines) + "\n" + extra


def service_account(name="builder", ns="build", automount=None):
    out = f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"
    if ns:
        out += f"  namespace: {ns}\n"
    if automount is not None:
        out += f"automountServiceAccountToken: {str(automount).lower()}\n"
    return out


def binding(kind="ClusterRoleBinding", name="builder-admin", ns=None, role_kind="ClusterRole", role="cluster-admin",
            subjects=("ServiceAccount:builder:build",), labels=""):
    out = f"apiVersion: {RBAC}\nkind: {kind}\nmetadata:\n  name: {name}\n"
    if ns:
        out += f"  namespace: {ns}\n"
    out += labels
    out += f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {role_kind}\n  name: {role}\nsubjects:\n"
    for s in subjects:
        k, n, *rest = s.split(":", 2) if not s.startswith(("User:", "Group:")) else s.split(":", 1)
        out += f"  - kind: {k}\n    name: \"{n}\"\n"
        if rest and rest[0]:
            out += f"    namespace: {rest[0]}\n"
    return out


def role(kind="ClusterRole", name="r", ns=None, rules="", extra=""):
    out = f"apiVersion: {RBAC}\nkind: {kind}\nmetadata:\n  name: {name}\n"
    if ns:
        out += f"  namespace: {ns}\n"
    return out + extra + "rules:\n" + rules


def join(*docs: str) -> str:
    return "---\n".join(docs)


# --------------------------------------------------------------------------- the index


def _rec(kind, ns, name, path="a.yaml"):
    return KubeObject(kind, "", ns, name, path, Span(0, 0, 1, 1, 1, 1))


def test_index_keys_first_record_wins_and_replace_keeps_order():
    idx = ObjectIndex.build([_rec("ServiceAccount", "a", "x", "1.yaml"), _rec("ServiceAccount", "a", "x", "2.yaml"),
                             _rec("Namespace", "", "a", "3.yaml")])
    assert idx.get("ServiceAccount", "a", "x").path == "1.yaml"
    assert idx.get("ServiceAccount", "b", "x") is None
    assert [r.path for r in idx.of_kind("ServiceAccount")] == ["1.yaml", "2.yaml"]
    new = idx.replace("1.yaml", [_rec("ServiceAccount", "a", "y", "1.yaml")])
    assert new.get("ServiceAccount", "a", "x").path == "2.yaml"
    assert [r.name for r in new] == ["y", "x", "a"]
    assert len(new.replace("4.yaml", [_rec("Namespace", "", "b", "4.yaml")])) == 4


def _same_index(a: ObjectIndex, b: ObjectIndex) -> None:
    assert list(a) == list(b)
    kinds = sorted({r.kind for r in a} | {r.kind for r in b} | {"Missing"})
    for kind in kinds:
        assert a.of_kind(kind) == b.of_kind(kind)
        for other in kinds:
            assert a.of_kind(kind, other) == b.of_kind(kind, other)
    for r in list(a) + list(b):
        assert a.get(*r.key) is b.get(*r.key) or a.get(*r.key) == b.get(*r.key)


def test_splice_is_replace_at_the_cost_of_the_records_swapped():
    """The fixer swaps one document's records on every pass (`splice`): the same index as a
    fresh build, for first-wins keys, kinds (one or several, in run order) and the order."""
    sa, rb, crb, ns = "ServiceAccount", "RoleBinding", "ClusterRoleBinding", "Namespace"
    base = ObjectIndex.build([_rec(sa, "a", "x", "1.yaml"), _rec(rb, "a", "b", "2.yaml"), _rec(sa, "a", "x", "2.yaml"),
                              _rec(crb, "", "c", "2.yaml"), _rec(ns, "", "a", "2.yaml"), _rec(rb, "a", "b", "3.yaml"),
                              _rec(sa, "a", "y", "3.yaml")])
    swaps = [[], [_rec(sa, "a", "x", "2.yaml")], [_rec(sa, "a", "y", "2.yaml"), _rec(crb, "", "d", "2.yaml")],
             [_rec("Role", "a", "r", "2.yaml"), _rec(rb, "a", "b", "2.yaml"), _rec(rb, "a", "b", "2.yaml")]]
    for start in range(len(base) + 1):
        for stop in range(start, len(base) + 1):
            for records in swaps:
                spliced = base.splice(start, stop, records)
                _same_index(spliced, ObjectIndex.build(list(base)[:start] + records + list(base)[stop:]))
                # and again from the spliced one (its places come from the index it was cut from)
                _same_index(spliced.splice(0, 1, []), ObjectIndex.build((list(base)[:start] + records + list(base)[stop:])[1:]))
    assert base.splice(1, 1, [])._by_key == base._by_key  # nothing swapped: same tables


def test_object_records_namespaces_and_facts():
    from hardenlint.engine import Linter
    from hardenlint.source import SourceFile

    text = join(deployment(ns=None, sa=None), service_account(ns=None, automount=False),
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
                role(rules="  - apiGroups: ['']\n    resources: [Pods]\n    verbs: [GET]\n"))
    result, _ = Linter(Config(preset="strict")).lint_source(SourceFile("m.yaml", text, "kubernetes"))
    recs = {r.kind: r for r in result.objects}
    assert recs["Deployment"].namespace == "default" and not recs["Deployment"].namespace_written
    assert recs["Deployment"].facts.service_account == "default"
    assert recs["ServiceAccount"].facts.automount is False
    assert recs["Namespace"].namespace == "" and recs["ClusterRole"].namespace == ""
    assert recs["ClusterRole"].facts.rules[0].verbs == ("get",)  # normalised like the API server's requests
    assert recs["ClusterRole"].facts.rules[0].resources == ("pods",)
    assert recs["Deployment"].span.line == 4  # the name


def test_dockerfile_only_run_imports_no_cluster_code():
    import subprocess
    import sys

    code = ("import sys; from hardenlint.engine import Linter; from hardenlint.config import Config; "
            "from hardenlint.source import SourceFile; "
            "Linter(Config()).lint_source(SourceFile('Dockerfile', 'FROM x\\nRUN apt-get install y\\n', 'dockerfile')); "
            "print(any(m.startswith(('hardenlint.model.objects', 'hardenlint.model.rbac', 'hardenlint.checks.cluster', "
            "'yaml')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --------------------------------------------------------------------------- HL316


def test_hl316_service_account_turns_automount_off():
    assert found(join(deployment(), service_account(automount=False)), "HL316") == []


def test_hl316_default_service_account():
    assert found(join(deployment(sa=None), service_account("default", automount=False)), "HL316") == []
    assert found(join(deployment(sa=None), service_account("other", automount=False)), "HL316")


def test_hl316_account_elsewhere_or_on_or_missing_is_a_finding():
    assert found(join(deployment(), service_account(ns="other", automount=False)), "HL316")
    assert found(join(deployment(), service_account(automount=True)), "HL316")
    assert found(join(deployment(), service_account()), "HL316")
    assert found(deployment(), "HL316")


def test_hl316_pod_overrides_account():
    out = found(join(deployment(automount=True), service_account(automount=False)), "HL316")
    assert len(out) == 1 and out[0].fix is not None
    assert found(join(deployment(automount=False), service_account(automount=True)), "HL316") == []


def test_hl316_missing_namespace_means_default():
    assert found(join(deployment(ns=None), service_account(ns="default", automount=False)), "HL316") == []
    assert found(join(deployment(ns="default"), service_account(ns=None, automount=False)), "HL316") == []


# --------------------------------------------------------------------------- HL405-HL408


WILD = "  - apiGroups: ['*']\n    resources: ['*']\n    verbs: ['*']\n"


def test_hl405_levels_and_positions():
    out = found(role(rules=WILD), "HL405")
    assert len(out) == 1 and out[0].level == "error" and out[0].span.line == 8  # the verbs' `*`
    one = found(role(rules="  - apiGroups: ['']\n    resources: [pods]\n    verbs: ['*']\n"), "HL405")
    assert len(one) == 1 and one[0].level == "warning" and one[0].span.line == 8
    res = found(role(rules="  - apiGroups: ['']\n    resources: ['*']\n    verbs: [get]\n"), "HL405")
    assert len(res) == 1 and res[0].level == "warning" and res[0].span.line == 7
    urls = found(role(rules="  - nonResourceURLs: ['*']\n    verbs: [get]\n"), "HL405")
    assert len(urls) == 1 and urls[0].span.line == 6


def test_hl405_not_for_api_groups_only_or_aggregated():
    assert found(role(rules="  - apiGroups: ['*']\n    resources: [deployments]\n    verbs: [get]\n"), "HL405") == []
    agg = "aggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {a: b}\n"
    assert found(role(rules=WILD, extra=agg), "HL405") == []
    # a custom resource called ClusterRole is not RBAC
    assert found(role(rules=WILD).replace(RBAC, "example.com/v1"), "HL405") == []


def test_hl406_secrets_and_resource_names():
    out = found(role(rules="  - apiGroups: ['']\n    resources: [configmaps, Secrets]\n    verbs: [LIST]\n"), "HL406")
    assert len(out) == 1 and out[0].level == "warning"
    assert (out[0].span.column, out[0].span.end_column) == (29, 36)  # the `Secrets` item
    named = found(role(rules="  - apiGroups: ['']\n    resources: [secrets]\n    resourceNames: [tls]\n"
                             "    verbs: [get]\n"), "HL406")
    assert len(named) == 1 and named[0].level == "note"
    listed = found(role(rules="  - apiGroups: ['']\n    resources: [secrets]\n    resourceNames: [tls]\n"
                              "    verbs: [get, list]\n"), "HL406")
    assert listed[0].level == "warning"
    assert found(role(rules="  - apiGroups: [apps]\n    resources: [secrets]\n    verbs: [get]\n"), "HL406") == []
    assert found(role(rules="  - apiGroups: ['']\n    resources: [secrets]\n    verbs: [create, delete]\n"), "HL406") == []


def test_hl407_pods_workloads_exec():
    rules = ("  - apiGroups: [batch]\n    resources: [cronjobs]\n    verbs: [create]\n"
             "  - apiGroups: ['']\n    resources: ['*/exec']\n    verbs: [get]\n"
             "  - apiGroups: ['']\n    resources: [pods/ephemeralcontainers]\n    verbs: [patch]\n"
             "  - apiGroups: ['']\n    resources: [nodes/proxy]\n    verbs: [get]\n")
    out = found(role(rules=rules), "HL407")
    assert [f.span.line for f in out] == [7, 10, 13, 16]
    assert "exec into pods" in out[1].message
    # a Role cannot grant the cluster-scoped nodes/proxy
    assert len(found(role("Role", ns="x", rules=rules), "HL407")) == 3
    # wrong group, read-only verbs, create narrowed by resourceNames: not findings
    assert found(role(rules="  - apiGroups: [apps]\n    resources: [pods]\n    verbs: [create]\n"
                            "  - apiGroups: ['']\n    resources: [pods]\n    verbs: [get, list]\n"
                            "  - apiGroups: ['']\n    resources: [pods]\n    resourceNames: [x]\n    verbs: ['*']\n"),
                 "HL407") == []


def test_hl408_escalation_kinds():
    cases = {
        "  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [clusterroles]\n    verbs: [bind]\n": "bind roles",
        "  - apiGroups: ['']\n    resources: [users]\n    verbs: [impersonate]\n": "impersonate",
        "  - apiGroups: ['']\n    resources: [serviceaccounts/token]\n    verbs: [create]\n": "mint",
        "  - apiGroups: [admissionregistration.k8s.io]\n    resources: [validatingwebhookconfigurations]\n"
        "    verbs: [delete]\n": "admission webhooks",
        "  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [rolebindings]\n    verbs: [patch]\n": "write RBAC",
    }
    for rules, word in cases.items():
        out = found(role(rules=rules), "HL408")
        assert len(out) == 1 and word in out[0].message, rules
    csr = ("  - apiGroups: [certificates.k8s.io]\n    resources: [certificatesigningrequests/approval]\n"
           "    verbs: [update]\n")
    assert found(role(rules=csr), "HL408") == []
    both = csr + "  - apiGroups: [certificates.k8s.io]\n    resources: [signers]\n    verbs: [approve]\n"
    out = found(role(rules=both), "HL408")
    assert len(out) == 1 and "certificate" in out[0].message and out[0].span.line == 7
    assert found(role(rules="  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles]\n"
                            "    verbs: [get, list, watch]\n"), "HL408") == []


# --------------------------------------------------------------------------- HL409


def test_hl409_cluster_admin_everyone_and_default_account():
    out = found(binding(), "HL409")
    assert len(out) == 1 and out[0].span.line == 10 and "cluster-admin" in out[0].message
    edit = binding(role="edit", subjects=("User:alice",))
    assert found(edit, "HL409")
    assert found(binding("RoleBinding", ns="x", role="edit", subjects=("User:alice",)), "HL409") == []
    anon = binding("RoleBinding", ns="x", role_kind="Role", role="view", subjects=("User:alice", "Group:system:authenticated"))
    out = found(anon, "HL409")
    assert len(out) == 1 and "system:authenticated" in out[0].message and out[0].span.line == 13
    dflt = binding("RoleBinding", ns="x", role_kind="Role", role="view", subjects=("ServiceAccount:default",))
    assert "ServiceAccount `x/default`" in found(dflt, "HL409")[0].message


def test_hl409_skips_bootstrap_objects():
    labels = "  labels:\n    kubernetes.io/bootstrapping: rbac-defaults\n"
    assert found(binding(subjects=("Group:system:masters",), labels=labels), "HL409") == []
    assert found(binding(subjects=("Group:system:masters",)), "HL409")


# --------------------------------------------------------------------------- HL410


def hl410(text: str):
    return found(text, "HL410")


def test_hl410_chain_message():
    out = hl410(join(deployment(), binding()))
    assert len(out) == 1
    f = out[0]
    assert f.span.line == 9 and f.level == "error"  # serviceAccountName
    assert ("Deployment `ci` uses ServiceAccount `builder`" in f.message
            and "ClusterRoleBinding `builder-admin` grants ClusterRole `cluster-admin`: it can create pods in every "
                "namespace" in f.message)


def test_hl410_automount_on_account_and_pod():
    base = join(deployment(), binding())
    assert hl410(join(base, service_account(automount=False))) == []
    assert hl410(join(deployment(automount=True), binding(), service_account(automount=False)))
    assert hl410(join(deployment(automount=False), binding())) == []


def test_hl410_default_service_account_and_no_binding():
    text = join(deployment(sa=None), binding(subjects=("ServiceAccount:default:build",)))
    out = hl410(text)
    assert len(out) == 1 and "ServiceAccount `default`" in out[0].message and out[0].span.line == 8  # spec:
    assert hl410(deployment()) == []
    assert hl410(join(deployment(), binding(subjects=("ServiceAccount:builder:other",)))) == []


def test_hl410_role_binding_in_namespace_and_subjects_in_other_namespaces():
    r = role("Role", "deployer", "build", "  - apiGroups: ['']\n    resources: [pods]\n    verbs: [create]\n")
    rb = binding("RoleBinding", "b", "build", "Role", "deployer", subjects=("ServiceAccount:builder",))
    out = hl410(join(deployment(), r, rb))
    assert len(out) == 1 and "in namespace `build`" in out[0].message and "Role `deployer`" in out[0].message
    # a RoleBinding in another namespace names `builder` of its own namespace, not ours
    rb_other = binding("RoleBinding", "b", "prod", "ClusterRole", "cluster-admin", subjects=("ServiceAccount:builder",))
    assert hl410(join(deployment(), rb_other)) == []
    # ... unless the subject says our namespace: then it grants in `prod`
    rb_ours = binding("RoleBinding", "b", "prod", "ClusterRole", "cluster-admin", subjects=("ServiceAccount:builder:build",))
    assert "in namespace `prod`" in hl410(join(deployment(), rb_ours))[0].message
    # a Role named by the binding must be in the binding's namespace
    r_other = role("Role", "deployer", "else", "  - apiGroups: ['']\n    resources: [pods]\n    verbs: [create]\n")
    assert hl410(join(deployment(), r_other, rb)) == []


def test_hl410_groups_and_unknown_roles():
    assert hl410(join(deployment(), binding(role="ci", subjects=("Group:system:serviceaccounts:build",)),
                      role(name="ci", rules=WILD)))
    assert hl410(join(deployment(), binding(role="ci-unknown"))) == []  # not in the run: never guessed
    harmless = role(name="ci", rules="  - apiGroups: ['']\n    resources: [configmaps]\n    verbs: [get]\n")
    assert hl410(join(deployment(), binding(role="ci"), harmless)) == []
    # a RoleBinding never grants cluster-scoped permissions
    nodes = role(name="np", rules="  - apiGroups: ['']\n    resources: [nodes/proxy]\n    verbs: [get]\n")
    assert hl410(join(deployment(), binding("RoleBinding", "b", "build", "ClusterRole", "np"), nodes)) == []
    assert "in the cluster" in hl410(join(deployment(), binding(role="np"), nodes))[0].message


# --------------------------------------------------------------------------- HL411, HL412


NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"


def test_hl411_and_fix():
    text = NS + "  labels:\n    pod-security.kubernetes.io/enforce: \"Privileged\"\n"
    out = found(text, "HL411")
    assert len(out) == 1 and out[0].fix.applicability == "unsafe"
    fixed = apply_edits(text, out[0].fix.edits)
    assert 'enforce: "baseline"' in fixed and found(fixed, "HL411") == []
    assert found(NS + "  labels:\n    pod-security.kubernetes.io/warn: privileged\n", "HL411") == []


def test_hl412_and_fix():
    out = found(NS, "HL412")
    assert len(out) == 1 and out[0].span.line == 4
    fixed = apply_edits(NS, out[0].fix.edits)
    assert found(fixed, "HL412") == [] and "pod-security.kubernetes.io/enforce: baseline" in fixed
    with_labels = NS + "  labels:\n    team: a\n"
    fixed = apply_edits(with_labels, found(with_labels, "HL412")[0].fix.edits)
    assert "    team: a\n    pod-security.kubernetes.io/enforce: baseline\n" in fixed


# --------------------------------------------------------------------------- runs over many files


def _args(**kw):
    base = dict(diff=False, fix=False, unsafe_fixes=False, force_exclude=False, stdin_filename=None)
    base.update(kw)
    return argparse.Namespace(**base)


def _run(paths: List[str], tmp_path: Path, **kw):
    cfg = Config(preset="strict", root=str(tmp_path))
    report, _ = runner.run(paths, cfg, _args(**kw))
    assert not report.internal_errors, report.internal_errors
    return report


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_acceptance_chain_across_files(tmp_path):
    """A Deployment whose token reaches cluster-admin through a ClusterRoleBinding in another file
    is reported on the Deployment with the full chain."""
    _write(tmp_path, {"app/deploy.yaml": deployment(), "rbac/binding.yaml": binding()})
    report = _run([str(tmp_path)], tmp_path)
    out = [f for f in report.findings if f.rule == "HL410"]
    assert len(out) == 1
    assert out[0].path.endswith("deploy.yaml") and out[0].span.line == 9
    assert "ClusterRoleBinding `builder-admin` (" in out[0].message and "binding.yaml:4)" in out[0].message
    assert "grants ClusterRole `cluster-admin`: it can create pods in every namespace" in out[0].message


def _many(tmp_path: Path) -> None:
    files = {f"noise/{i:03}.yaml": service_account(f"sa{i}", "noise") for i in range(210)}
    files["a/deploy.yaml"] = deployment() + "---\n" + deployment("web", "shop", "web")
    files["z/sa.yaml"] = service_account("web", "shop", automount=False)
    files["m/binding.yaml"] = binding()
    _write(tmp_path, files)


@pytest.mark.parametrize("pool", [False, True])
def test_cross_file_with_and_without_worker_processes(tmp_path, monkeypatch, pool):
    _many(tmp_path)
    if pool:
        monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 2)
        monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
        import multiprocessing

        calls = []
        real = multiprocessing.get_context
        monkeypatch.setattr(multiprocessing, "get_context", lambda *a: (calls.append(a), real(*a))[1])
    report = _run([str(tmp_path)], tmp_path)
    if pool:
        assert calls == [("fork",)], "the run did not use worker processes"
    rules = [(f.rule, f.span.line) for f in report.findings if f.path.endswith("deploy.yaml") and f.rule in ("HL316", "HL410")]
    # `ci` (lines 1-13): both; `web` (second document): its ServiceAccount in z/sa.yaml turns automount off
    assert rules == [("HL316", 8), ("HL410", 9)]
    again = _run([str(tmp_path)], tmp_path)
    assert [(f.path, f.rule, f.span, f.message) for f in again.findings] == \
        [(f.path, f.rule, f.span, f.message) for f in report.findings]


def test_fix_uses_the_whole_run(tmp_path, monkeypatch):
    """--fix only applies HL316's fix where the finding stands once every file is known."""
    _write(tmp_path, {"a.yaml": deployment("web", "shop", "web") + "---\n" + deployment(),
                      "b.yaml": service_account("web", "shop", automount=False)})
    report = _run([str(tmp_path)], tmp_path, fix=True, unsafe_fixes=True)
    text = (tmp_path / "a.yaml").read_text()
    assert text.count("automountServiceAccountToken: false") == 1
    assert report.fixed_by_rule["HL316"] == 1
    assert not [f for f in report.findings if f.rule in ("HL316", "HL410")]


def test_fix_of_one_yaml_file_needs_no_run_index(tmp_path, monkeypatch):
    """With one YAML file the run reads no file for an index first (its objects are all there
    is): the fix and the findings are those of the same file fixed next to an unrelated file."""
    text = deployment("web", "shop", "web") + "---\n" + service_account("web", "shop", automount=False) + \
        "---\n" + deployment("api", "shop", "api")
    indexed: List[str] = []
    real = runner._objects_of
    monkeypatch.setattr(runner, "_objects_of", lambda linter, path, kind: indexed.append(path) or real(linter, path, kind))
    results = []
    for extra in ({}, {"other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}):
        root = tmp_path / str(len(results))
        root.mkdir()
        _write(root, {"a.yaml": text, **extra})
        report = _run([str(root)], root, fix=True, unsafe_fixes=True)
        results.append(((root / "a.yaml").read_text(), report.fixed_by_rule,
                        [(f.rule, f.span, f.message) for f in report.findings if f.path.endswith("a.yaml")]))
    assert results[0] == results[1] and results[0][0] != text
    assert results[0][1]["HL316"] == 1  # `api` only: `web`'s account turns automount off
    assert len(indexed) == 2  # the run with two files


def test_kustomize_renders_feed_the_index(tmp_path):
    """Objects a kustomization renders are indexed per root: the chain is found on the rendered
    Deployment (namespace set by the kustomization), and no unresolved placeholder is reported."""
    _write(tmp_path, {
        "base/kustomization.yaml": "namespace: build\nresources:\n  - deploy.yaml\n  - sa.yaml\n  - binding.yaml\n",
        "base/deploy.yaml": deployment(ns=None) + "---\n" + deployment("web", None, "web"),
        "base/sa.yaml": service_account("web", None, automount=False),
        "base/binding.yaml": binding(),
    })
    report = _run([str(tmp_path)], tmp_path)
    out = [(f.path.rsplit("/", 1)[-1], f.rule, f.message) for f in report.findings if f.rule in ("HL316", "HL410")]
    assert [(p, r) for p, r, _m in out] == [("deploy.yaml", "HL316"), ("deploy.yaml", "HL410")], out
    assert "grants ClusterRole `cluster-admin`: it can create pods in every namespace" in out[1][2]
