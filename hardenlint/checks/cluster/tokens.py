"""ServiceAccount tokens across objects: HL316's ServiceAccount lookup and HL410.

Both read the run-wide object index (`hardenlint.model.objects`), so their per-file checks yield
deferred findings that the resolvers below decide once every file of the run is read.

HL410 follows a workload's token: pod spec -> ServiceAccount (`serviceAccountName`, else
`default`; no token when the pod turns automounting off, or when it says nothing and its
ServiceAccount in the run does) -> every RoleBinding/ClusterRoleBinding of the run whose subjects
take in that account (the ServiceAccount itself, `system:serviceaccount:<ns>:<name>`, the groups
`system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`) -> the
Role/ClusterRole it names (a Role in the binding's namespace; the built-in `cluster-admin`,
`admin` and `edit` ClusterRoles when the run does not hold them) -> the permissions HL405-HL408
flag. A RoleBinding grants only in its own namespace and never cluster-scoped permissions; a role
or binding the run does not hold is never guessed.
"""
from __future__ import annotations

from typing import Iterable, List, Optional, Tuple

from ...model.container import YamlFile
from ...model.findings import Span, Violation
from ...model.objects import Deferred, KubeObject, ObjectIndex, effective_namespace
from ...model.rbac import (
    RBAC_GROUP, BindingFacts, RoleFacts, ServiceAccountFacts, pod_service_account,
)
from ...model.yamlnodes import entry_range, get, get_entry, text_value
from ...registry import RuleContext, check, cross_object
from .permissions import BUILTIN_CLUSTER_ROLES, Grant, grants

_PRIORITY = ("HL407", "HL408", "HL406", "HL405")  # which permission a message names first


def account_turns_automount_off(index: ObjectIndex, namespace: str, name: str) -> bool:
    """The run holds ServiceAccount `namespace/name` and it sets automountServiceAccountToken: false."""
    acc = index.get("ServiceAccount", namespace, name)
    return acc is not None and isinstance(acc.facts, ServiceAccountFacts) and acc.facts.automount is False


@cross_object("HL316")
def _hl316(index: ObjectIndex, args: Tuple[str, str], message: str) -> Optional[str]:
    namespace, account = args
    return None if account_turns_automount_off(index, namespace, account) else message


def _takes_in(b: KubeObject, facts: BindingFacts, namespace: str, account: str) -> bool:
    """Whether binding `b` names ServiceAccount `namespace/account` among its subjects."""
    for kind, name, ns in facts.subjects:
        if kind == "ServiceAccount":
            sa_ns = ns or (b.namespace if b.kind == "RoleBinding" else None)
            if name == account and sa_ns == namespace:
                return True
        elif kind == "User" and name == f"system:serviceaccount:{namespace}:{account}":
            return True
        elif kind == "Group" and name in ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                          "system:authenticated"):
            return True
    return False


def _bindings(index: ObjectIndex) -> List[Tuple[KubeObject, BindingFacts]]:
    table = index.cache.get("rbac-bindings")
    if table is None:
        table = [(b, b.facts) for b in index.of_kind("RoleBinding", "ClusterRoleBinding")
                 if b.group == RBAC_GROUP and isinstance(b.facts, BindingFacts)]
        index.cache["rbac-bindings"] = table
    return table


def _role_rules(index: ObjectIndex, b: KubeObject, facts: BindingFacts):
    """(role kind, role name, where, rules) of the role a binding names, or None when unknown."""
    if facts.role_kind == "Role":
        if b.kind != "RoleBinding":
            return None
        role = index.get("Role", b.namespace, facts.role_name)
    elif facts.role_kind == "ClusterRole":
        role = index.get("ClusterRole", "", facts.role_name)
        if role is None and facts.role_name in BUILTIN_CLUSTER_ROLES:
            return facts.role_kind, facts.role_name, None, BUILTIN_CLUSTER_ROLES[facts.role_name]
    else:
        return None
    if role is None or role.group != RBAC_GROUP or not isinstance(role.facts, RoleFacts):
        return None
    return facts.role_kind, facts.role_name, role, role.facts.rules


def token_chains(index: ObjectIndex, namespace: str, account: str) -> List[Tuple[KubeObject, str, str, Optional[KubeObject], List[Grant]]]:
    """(binding, role kind, role name, role object, flagged grants) for every binding of the run
    that gives ServiceAccount `namespace/account` a permission HL405-HL408 flag, in run order."""
    out = []
    for b, facts in _bindings(index):
        if not _takes_in(b, facts, namespace, account):
            continue
        found = _role_rules(index, b, facts)
        if found is None:
            continue
        role_kind, role_name, role, rules = found
        flagged = grants(rules, namespaced_only=b.kind == "RoleBinding")
        if flagged:
            out.append((b, role_kind, role_name, role, flagged))
    return out


def _first(flagged: List[Grant]) -> Grant:
    return min(flagged, key=lambda g: (_PRIORITY.index(g.rule), g.index))


def _where(obj: Optional[KubeObject], path: str) -> str:
    return f" ({obj.where})" if obj is not None and obj.path != path else ""


@cross_object("HL410")
def _hl410(index: ObjectIndex, args: Tuple, message: str) -> Optional[str]:
    path, label, namespace, account, pod_sets_true = args
    if not pod_sets_true and account_turns_automount_off(index, namespace, account):
        return None
    chains = token_chains(index, namespace, account)
    if not chains:
        return None
    b, role_kind, role_name, role, flagged = min(
        chains, key=lambda c: (_PRIORITY.index(_first(c[4]).rule), chains.index(c)))
    g = _first(flagged)
    if b.kind == "ClusterRoleBinding":
        scope = "in the cluster" if g.cluster_only else "in every namespace"
    else:
        scope = f"in namespace `{b.namespace}`"
    more = f" (and {len(chains) - 1} more binding{'s' if len(chains) > 2 else ''})" if len(chains) > 1 else ""
    return (f"{label} uses ServiceAccount `{account}` (namespace `{namespace}`) and mounts its token; "
            f"{b.kind} `{b.name}`{_where(b, path)} grants {role_kind} `{role_name}`{_where(role, path)}: "
            f"it can {g.headline or g.what} {scope}{more}. A compromised container owns what the token can do")


@check("HL410", "K")
def workload_token_escalates(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Every pod spec that mounts a token is a candidate; the resolver follows the chain."""
    for pod in f.pods:
        s = pod.automount_service_account_token
        if s is not None and s.is_false():
            continue
        e = get_entry(pod.spec, "serviceAccountName") or get_entry(pod.spec, "serviceAccount")
        if e is not None and text_value(e.value_node):
            span = Span.of(f.source.index, *entry_range(f.text, e.key_node, e.value_node))
        else:
            span = pod.anchor
        ns = effective_namespace(pod.kind, text_value(get(pod.object, "metadata", "namespace")))
        args = (f.source.path, pod.label, ns, pod_service_account(pod.spec), s is not None and s.is_true())
        yield Violation(span, f"{pod.label} mounts a ServiceAccount token", deferred=Deferred("HL410", args))

