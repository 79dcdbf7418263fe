"""What an RBAC role's rules let their holder do: the permissions HL405-HL408 flag.

`grants(rules)` judges the PolicyRules of one Role/ClusterRole (as the positioned model or the
object index holds them) and returns one `Grant` per rule entry and rule id. The per-object checks
(HL405-HL408) report them on the rule entry; HL410 follows a workload's token to them.
"""
from __future__ import annotations

from ...model.record import record
from typing import List, Optional, Sequence, Tuple

from ...model.rbac import PolicyRule

CORE, APPS, BATCH, EXT = "", "apps", "batch", "extensions"
RBAC = "rbac.authorization.k8s.io"
ADMISSION = "admissionregistration.k8s.io"
CERTS = "certificates.k8s.io"
AUTHN = "authentication.k8s.io"

READ_VERBS = ("get", "list", "watch")

# HL407: (verbs, groups, resources, what the holder can do)
_RUNS = (
    (("create",), (CORE,), ("pods",), "create pods"),
    (("create",), (APPS, EXT), ("deployments", "daemonsets", "statefulsets", "replicasets"), "create workloads"),
    (("create",), (CORE,), ("replicationcontrollers",), "create workloads"),
    (("create",), (BATCH,), ("jobs", "cronjobs"), "create workloads"),
    (("create", "get"), (CORE,), ("pods/exec", "pods/attach", "pods/portforward"), "exec into pods"),
    (("update", "patch"), (CORE,), ("pods/ephemeralcontainers",), "add ephemeral containers to pods"),
    (("get", "create"), (CORE,), ("nodes/proxy",), "reach the kubelet API through nodes/proxy"),
)
# HL408: (verbs, groups, resources, what)
_ESCALATES = (
    (("escalate",), (RBAC,), ("roles", "clusterroles"), "escalate roles (grant permissions it does not hold)"),
    (("bind",), (RBAC,), ("roles", "clusterroles"), "bind roles it does not hold"),
    (("impersonate",), (CORE,), ("users", "groups", "serviceaccounts"), "impersonate other identities"),
    (("impersonate",), (AUTHN,), ("uids", "userextras/*"), "impersonate other identities"),
    (("create",), (CORE,), ("serviceaccounts/token",), "mint ServiceAccount tokens"),
    (("create", "update", "patch", "delete"), (ADMISSION,),
     ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"), "change admission webhooks"),
    (("create", "update", "patch"), (RBAC,), ("roles", "clusterroles", "rolebindings", "clusterrolebindings"),
     "write RBAC roles and bindings"),
)
_CLUSTER_SCOPED = frozenset(("nodes/proxy", "clusterroles", "clusterrolebindings", "mutatingwebhookconfigurations",
                             "validatingwebhookconfigurations", "certificatesigningrequests/approval", "signers",
                             "users", "groups", "uids", "userextras/*"))
_WHY = {
    "HL405": "a wildcard also grants every verb or resource added later, CRDs included",
    "HL406": "list and watch return every Secret's data, not just names",
    "HL407": "whoever can start or enter a pod in a namespace can mount every Secret and use every "
             "ServiceAccount there",
    "HL408": "it lets its holder grant itself more than RBAC gave it",
}


@record(frozen=True)
class Grant:
    """A flagged permission of one rule entry.

    - `rule`: HL405..HL408; `index`: the rule entry's position in the role's `rules`;
    - `what`: what the holder can do ("create pods, exec into pods"); `headline`: its first part
      (what HL410 names); `why`: one sentence on why it matters;
    - `level`: a level other than the rule's default (HL405 both-wildcard error, HL406 note);
    - `field`, `value`: the list item the finding points at (`resources`, `secrets`);
    - `cluster_only`: only granted through a ClusterRoleBinding (cluster-scoped resources and
      non-resource URLs; a RoleBinding grants a role's namespaced permissions only).
    """

    rule: str
    index: int
    what: str
    why: str
    field: str
    value: str
    level: Optional[str] = None
    cluster_only: bool = False
    headline: str = ""


def _verbs_allowed(rule: PolicyRule, verbs: Sequence[str], resource: str) -> List[str]:
    """The verbs of `verbs` this rule allows on `resource`, `create` of a new top-level object
    excluded when `resourceNames` narrow the rule (a new object has no name to match)."""
    out = []
    for v in verbs:
        if "*" not in rule.verbs and v not in rule.verbs:
            continue
        if v == "create" and rule.named_only and "/" not in resource:
            continue
        out.append(v)
    return out


def _match(rule: PolicyRule, table, namespaced_only: bool) -> List[Tuple[str, str, List[str], str]]:
    """(what, resource entry matched, verbs, resource) for every row of `table` this rule allows
    (cluster-scoped resources left out when `namespaced_only`)."""
    out = []
    for verbs, groups, resources, what in table:
        if "*" not in rule.api_groups and not any(g in rule.api_groups for g in groups):
            continue
        for res in resources:
            if namespaced_only and res in _CLUSTER_SCOPED:
                continue
            entry = rule.matching_resource(res)
            if entry is None:
                continue
            allowed = _verbs_allowed(rule, verbs, res)
            if allowed:
                out.append((what, entry, allowed, res))
    return out


def _wildcard(i: int, rule: PolicyRule, namespaced_only: bool) -> Optional[Grant]:
    verbs_all, res_all = "*" in rule.verbs, "*" in rule.resources
    urls_all = "*" in rule.non_resource_urls and not namespaced_only
    if verbs_all and (res_all or urls_all):
        field = "verbs"
        what = "use every verb on every resource" if res_all else "use every verb on every non-resource URL"
        return Grant("HL405", i, what, _WHY["HL405"], field, "*", "error", cluster_only=not res_all)
    if verbs_all and rule.resources:
        return Grant("HL405", i, f"use every verb on {', '.join(rule.resources)}", _WHY["HL405"], "verbs", "*", "warning")
    if res_all and rule.verbs:
        return Grant("HL405", i, f"use {', '.join(rule.verbs)} on every resource", _WHY["HL405"], "resources", "*",
                     "warning")
    if urls_all and rule.verbs:
        return Grant("HL405", i, f"use {', '.join(rule.verbs)} on every non-resource URL", _WHY["HL405"],
                     "nonResourceURLs", "*", "warning", cluster_only=True)
    return None


def _secrets(i: int, rule: PolicyRule) -> Optional[Grant]:
    if "*" not in rule.api_groups and CORE not in rule.api_groups:
        return None
    entry = rule.matching_resource("secrets")
    if entry is None:
        return None
    verbs = _verbs_allowed(rule, READ_VERBS, "secrets")
    if not verbs:
        return None
    if rule.named_only and verbs == ["get"]:
        return Grant("HL406", i, f"get the Secrets {', '.join(rule.resource_names)}",
                     "anyone holding it reads those Secrets' data", "resources", entry, "note")
    what = "read Secrets" if "*" not in rule.verbs else "read (and do anything to) Secrets"
    return Grant("HL406", i, f"{what} ({', '.join(verbs)})", _WHY["HL406"], "resources", entry)


def _table_grant(rule_id: str, i: int, rule: PolicyRule, table, namespaced_only: bool) -> Optional[Grant]:
    found = _match(rule, table, namespaced_only)
    if not found:
        return None
    whats = []
    for what, _entry, _verbs, _res in found:
        if what not in whats:
            whats.append(what)
    entry = found[0][1]
    cluster_only = all(res in _CLUSTER_SCOPED for _w, _e, _v, res in found)
    return Grant(rule_id, i, ", ".join(whats), _WHY[rule_id], "resources", entry, cluster_only=cluster_only,
                 headline=whats[0])


def _csr_approval(rules: Sequence[PolicyRule]) -> Optional[Tuple[int, str]]:
    """(index, resource entry) of the rule that updates CSR approvals, when the role can also
    `approve` on `signers` (both are needed to approve a certificate)."""
    approves = any(r.allows("approve", CERTS, "signers") for r in rules)
    if not approves:
        return None
    for i, r in enumerate(rules):
        if any(r.allows(v, CERTS, "certificatesigningrequests/approval") for v in ("update", "patch")):
            return i, r.matching_resource("certificatesigningrequests/approval") or "*"
    return None


def grants(rules: Sequence[PolicyRule], namespaced_only: bool = False) -> List[Grant]:
    """Every flagged permission of a role's rules, in rule order (HL405, HL406, HL407, HL408 per
    entry). `namespaced_only`: what a Role, or any role bound by a RoleBinding, can grant (no
    cluster-scoped resources, no non-resource URLs)."""
    out: List[Grant] = []
    csr = None if namespaced_only else _csr_approval(rules)
    for i, rule in enumerate(rules):
        for g in (_wildcard(i, rule, namespaced_only), _secrets(i, rule),
                  _table_grant("HL407", i, rule, _RUNS, namespaced_only)):
            if g is not None:
                out.append(g)
        g = _table_grant("HL408", i, rule, _ESCALATES, namespaced_only)
        if csr is not None and csr[0] == i:
            what = "approve certificate signing requests"
            g = Grant("HL408", i, f"{g.what}, {what}" if g else what, _WHY["HL408"], "resources",
                      g.value if g else csr[1], cluster_only=True if g is None else g.cluster_only,
                      headline=g.headline if g else what)
        if g is not None:
            out.append(g)
    return out


# The cluster's own ClusterRoles that bindings name without the run holding them: their rules are
# fixed by the API server's bootstrap policy (cluster-admin), or always include these (admin, edit).
BUILTIN_CLUSTER_ROLES = {
    "cluster-admin": (PolicyRule(("*",), ("*",), ("*",)), PolicyRule((), (), ("*",), (), ("*",))),
    "admin": (PolicyRule(("",), ("pods", "pods/exec", "secrets"), ("create", "get", "list", "watch")),),
    "edit": (PolicyRule(("",), ("pods", "pods/exec", "secrets"), ("create", "get", "list", "watch")),),
}
