"""RBAC roles and bindings, one object at a time: HL405-HL409.

HL405-HL408 judge each rule entry of a Role/ClusterRole (see `permissions.grants`) and report one
finding per entry and rule id, on the list item that grants it (the `*`, or the resource).
ClusterRoles with an `aggregationRule` are skipped (the controller fills their rules in). HL409
judges each subject of a binding. Objects labelled `kubernetes.io/bootstrapping: rbac-defaults`
(the cluster's own, as a `kubectl get -o yaml` dump shows them) are skipped by HL409 only.
"""
from __future__ import annotations

from typing import Iterable, Optional

from ...model.container import YamlFile
from ...model.findings import Violation
from ...model.rbac import Binding, Role, Subject, cluster_model
from ...registry import RuleContext, check
from .permissions import grants

EVERYONE = {
    "system:anonymous": "every unauthenticated request",
    "system:unauthenticated": "every unauthenticated request",
    "system:authenticated": "every authenticated user and ServiceAccount",
    "system:masters": "the `system:masters` group (which bypasses RBAC anyway)",
}
BROAD_ROLES = ("cluster-admin", "admin", "edit")


def _role_grants(f: YamlFile):
    """(role, grants) of every non-aggregated role of the file, computed once for HL405-HL408."""
    cm = cluster_model(f)
    out = cm.derived.get("grants")
    if out is None:
        out = cm.derived["grants"] = [(role, grants([e.rule for e in role.rules], namespaced_only=role.kind == "Role"))
                                      for role in cm.roles if not role.aggregated]
    return out


def _role_findings(f: YamlFile, rule_id: str) -> Iterable[Violation]:
    for role, found in _role_grants(f):
        for g in found:
            if g.rule != rule_id:
                continue
            entry = role.rules[g.index]
            item = entry.item(g.field, g.value)
            span = item.span if item is not None else entry.span
            yield Violation(span, f"{role.label} rule {g.index + 1} lets its holder {g.what}: {g.why}",
                            level=g.level)


@check("HL405", "K")
def rbac_wildcard(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`*` in verbs or resources (or nonResourceURLs) of a rule entry."""
    return _role_findings(f, "HL405")


@check("HL406", "K")
def rbac_reads_secrets(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """get/list/watch on Secrets in the core group."""
    return _role_findings(f, "HL406")


@check("HL407", "K")
def rbac_runs_workloads(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """create pods or workload controllers, exec/attach/port-forward, ephemeral containers, nodes/proxy."""
    return _role_findings(f, "HL407")


@check("HL408", "K")
def rbac_escalation(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """escalate/bind, impersonate, token minting, CSR approval, webhooks, RBAC writes."""
    return _role_findings(f, "HL408")


def broad_binding_reason(b: Binding, s: Subject) -> Optional[str]:
    """Why granting `b`'s role to subject `s` is too broad (a message tail), or None."""
    who = s.describe(b.namespace)
    role = f"{b.role_kind} `{b.role_name}`"
    if b.role_kind == "ClusterRole" and b.role_name == "cluster-admin":
        scope = "in the whole cluster" if b.kind == "ClusterRoleBinding" else f"in namespace `{b.namespace}`"
        return f"grants {role} to {who}: every permission {scope}"
    if b.kind == "ClusterRoleBinding" and b.role_kind == "ClusterRole" and b.role_name in BROAD_ROLES:
        return f"grants {role} to {who} in every namespace (it can read Secrets and run pods everywhere)"
    if s.kind in ("User", "Group") and s.name in EVERYONE:
        return f"grants {role} to {who}: {EVERYONE[s.name]}"
    if s.kind == "ServiceAccount" and s.name == "default":
        return f"grants {role} to {who}, which every pod of that namespace that names no ServiceAccount uses"
    return None


@check("HL409", "K")
def rbac_broad_binding(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Bindings of cluster-admin (admin/edit cluster-wide), to everyone, or to `default` ServiceAccounts."""
    for b in cluster_model(f).bindings:
        if b.bootstrap:
            continue
        for s in b.subjects:
            why = broad_binding_reason(b, s)
            if why:
                yield Violation(s.span, f"{b.label} {why}")
