"""Cluster objects of a Kubernetes file: RBAC roles and bindings, ServiceAccounts, Namespaces.

`cluster_model(yaml_file)` gives the positioned model the per-file checks read (computed once per
file): Roles/ClusterRoles with every rule entry and, for each of its list fields, every item with
its span; RoleBindings/ClusterRoleBindings with their `roleRef` and every subject with its span;
ServiceAccounts (`automountServiceAccountToken`); Namespaces (labels).

`facts_of(kind, group, obj, pod)` gives the small, position-free summary the run-wide object
index keeps for an object (`hardenlint.model.objects`): `RoleFacts`, `BindingFacts`,
`ServiceAccountFacts`, `NamespaceFacts`, and `PodFacts` for any object with a pod spec.

Normalisation, as the API server matches requests: verbs and resources are compared in lower case
(`pods/exec` is a subresource, `*/scale` any resource's subresource); an API group is kept as
written, `""` being the core group; `resourceNames` narrow a rule to named objects. RBAC kinds
count only in the `rbac.authorization.k8s.io` group (a custom resource called `Role` is not one).
"""
from __future__ import annotations

from .record import field, record
from typing import Any, Dict, List, Optional, Tuple

from .findings import Span
from .yamlnodes import (
    MappingNode, Node, ScalarNode, SequenceNode, as_bool, get, get_entry, item_ranges, mapping_entries,
    node_end, scalar_text_range, text_value,
)

__all__ = [
    "RBAC_GROUP", "ROLE_KINDS", "BINDING_KINDS", "BOOTSTRAP_LABEL", "PolicyRule", "Item", "RuleEntry",
    "Role", "Subject", "Binding", "ServiceAccount", "Namespace", "ClusterModel", "cluster_model",
    "RoleFacts", "BindingFacts", "ServiceAccountFacts", "NamespaceFacts", "PodFacts", "facts_of",
    "pod_service_account",
]

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")
_CLUSTER_KINDS = frozenset(ROLE_KINDS + BINDING_KINDS + ("ServiceAccount", "Namespace"))
_FIELDS = ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs")
_LOWERED = ("resources", "verbs")


# --------------------------------------------------------------------------- values


@record(frozen=True)
class PolicyRule:
    """One RBAC rule, normalised (verbs and resources lower case; everything else as written)."""

    api_groups: Tuple[str, ...] = ()
    resources: Tuple[str, ...] = ()
    verbs: Tuple[str, ...] = ()
    resource_names: Tuple[str, ...] = ()
    non_resource_urls: Tuple[str, ...] = ()

    def allows(self, verb: str, group: str, resource: str) -> bool:
        """Whether this rule lets a request `verb` on `resource` (`pods`, `pods/exec`) of `group`
        through, ignoring resourceNames (see `named_only`)."""
        if "*" not in self.verbs and verb not in self.verbs:
            return False
        if "*" not in self.api_groups and group not in self.api_groups:
            return False
        return bool(self.matching_resource(resource))

    def matching_resource(self, resource: str) -> Optional[str]:
        """The entry of `resources` that covers `resource`: itself, `*`, or `*/<sub>`."""
        if resource in self.resources:
            return resource
        if "*" in self.resources:
            return "*"
        if "/" in resource:
            wild = "*/" + resource.split("/", 1)[1]
            if wild in self.resources:
                return wild
        return None

    @property
    def named_only(self) -> bool:
        """The rule is limited to named objects (so it never allows `create` of a new object)."""
        return bool(self.resource_names)


@record(frozen=True)
class Item:
    """One list item as written: its normalised value and the span of its text."""

    value: str
    span: Span


@record
class RuleEntry:
    """A rule of a Role/ClusterRole: the normalised rule, the span of its list item, and the items
    of each field (`apiGroups`, `resources`, `verbs`, `resourceNames`, `nonResourceURLs`)."""

    rule: PolicyRule
    span: Span
    items: Dict[str, List[Item]] = field(default_factory=dict)

    def item(self, field_name: str, value: str) -> Optional[Item]:
        """The first item of `field_name` whose value is `value`."""
        return next((i for i in self.items.get(field_name, ()) if i.value == value), None)


@record
class Role:
    """A Role or ClusterRole. `aggregated`: a ClusterRole with an `aggregationRule` (its rules are
    filled in by the controller manager); `bootstrap`: labelled `kubernetes.io/bootstrapping:
    rbac-defaults` (the cluster's own)."""

    kind: str
    name: str
    namespace: str
    node: MappingNode
    name_span: Span
    rules: List[RuleEntry] = field(default_factory=list)
    aggregated: bool = False
    bootstrap: bool = False

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`"


@record
class Subject:
    """A binding subject: kind (`User`, `Group`, `ServiceAccount`), name, namespace as written."""

    kind: str
    name: str
    namespace: Optional[str]
    span: Span

    def describe(self, binding_namespace: str) -> str:
        if self.kind == "ServiceAccount":
            ns = self.namespace or binding_namespace
            return f"ServiceAccount `{ns}/{self.name}`" if ns else f"ServiceAccount `{self.name}` (no namespace)"
        return f"{self.kind} `{self.name}`"


@record
class Binding:
    """A RoleBinding or ClusterRoleBinding with its `roleRef` and subjects."""

    kind: str
    name: str
    namespace: str
    node: MappingNode
    name_span: Span
    role_kind: str
    role_name: str
    role_span: Span
    subjects: List[Subject] = field(default_factory=list)
    bootstrap: bool = False

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`"


@record
class ServiceAccount:
    name: str
    namespace: str
    node: MappingNode
    name_span: Span
    automount: Optional[bool] = None


@record
class Namespace:
    """A Namespace: its `metadata` mapping, its labels (`{key: (value, span of the value)}`) and
    the labels mapping node (None when absent)."""

    name: str
    node: MappingNode
    metadata: MappingNode
    name_span: Span
    labels: Dict[str, Tuple[Optional[str], Span]] = field(default_factory=dict)
    labels_node: Optional[MappingNode] = None


@record
class ClusterModel:
    """The cluster objects of one file; `derived` holds what checks compute once per file."""

    roles: List[Role] = field(default_factory=list)
    bindings: List[Binding] = field(default_factory=list)
    service_accounts: List[ServiceAccount] = field(default_factory=list)
    namespaces: List[Namespace] = field(default_factory=list)
    derived: Dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- index facts


@record(frozen=True)
class RoleFacts:
    rules: Tuple[PolicyRule, ...]
    aggregated: bool = False


@record(frozen=True)
class BindingFacts:
    role_kind: str
    role_name: str
    subjects: Tuple[Tuple[str, str, Optional[str]], ...]  # (kind, name, namespace as written)


@record(frozen=True)
class ServiceAccountFacts:
    automount: Optional[bool]


@record(frozen=True)
class NamespaceFacts:
    labels: Tuple[Tuple[str, Optional[str]], ...]


@record(frozen=True)
class PodFacts:
    """The pod spec of a workload: its ServiceAccount and its own automount setting."""

    service_account: str
    automount: Optional[bool]


# --------------------------------------------------------------------------- reading objects


def _group(obj: MappingNode) -> str:
    av = text_value(get(obj, "apiVersion")) or ""
    return av.rsplit("/", 1)[0] if "/" in av else ""


def _is_rbac(obj: MappingNode, kind: str, kinds: Tuple[str, ...]) -> bool:
    return kind in kinds and _group(obj) == RBAC_GROUP


def _labels(obj: MappingNode) -> Dict[str, Optional[str]]:
    return {k: text_value(e.value_node) for k, e in mapping_entries(get(obj, "metadata", "labels")).items()}


def _is_bootstrap(obj: MappingNode) -> bool:
    return _labels(obj).get(BOOTSTRAP_LABEL[0]) == BOOTSTRAP_LABEL[1]


def _strings(node: Optional[Node], lower: bool) -> Tuple[str, ...]:
    out = []
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode):
                v = item.value.strip()
                out.append(v.lower() if lower else v)
    elif isinstance(node, ScalarNode) and text_value(node) is not None:  # a lone scalar: one item
        v = node.value.strip()
        out.append(v.lower() if lower else v)
    return tuple(out)


def policy_rule(node: Node) -> PolicyRule:
    """The normalised PolicyRule of a rule mapping."""
    ents = mapping_entries(node)
    vals = {f: _strings(ents[f].value_node if f in ents else None, f in _LOWERED) for f in _FIELDS}
    return PolicyRule(vals["apiGroups"], vals["resources"], vals["verbs"], vals["resourceNames"],
                      vals["nonResourceURLs"])


def _rules(obj: MappingNode) -> List[Node]:
    seq = get(obj, "rules")
    return [r for r in seq.value if isinstance(r, MappingNode)] if isinstance(seq, SequenceNode) else []


def _name_span(source, obj: MappingNode) -> Span:
    e = get_entry(get(obj, "metadata"), "name")
    node = e.value_node if e is not None else obj
    return Span.of(source.index, node.start_mark.index, node_end(source.text, node) if e is not None
                   else node.start_mark.index)


def _item_span(source, node: Node, start: int, end: int) -> Span:
    if isinstance(node, ScalarNode):
        start, end = scalar_text_range(source.text, node, start, end)
    return Span.of(source.index, start, end)


def _rule_entry(source, node: MappingNode, start: int, end: int) -> RuleEntry:
    entry = RuleEntry(policy_rule(node), Span.of(source.index, start, end))
    for f, e in mapping_entries(node).items():
        if f not in _FIELDS:
            continue
        items = []
        if isinstance(e.value_node, SequenceNode):
            for item, s, en in item_ranges(source.text, e.value_node):
                if isinstance(item, ScalarNode):
                    v = item.value.strip()
                    items.append(Item(v.lower() if f in _LOWERED else v, _item_span(source, item, s, en)))
        elif isinstance(e.value_node, ScalarNode) and text_value(e.value_node) is not None:
            v = e.value_node.value.strip()
            items.append(Item(v.lower() if f in _LOWERED else v,
                              _item_span(source, e.value_node, e.value_node.start_mark.index,
                                         e.value_node.end_mark.index)))
        entry.items[f] = items
    return entry


def _metadata_namespace(obj: MappingNode) -> Optional[str]:
    return text_value(get(obj, "metadata", "namespace")) or None


def _subjects(source, obj: MappingNode) -> List[Subject]:
    seq = get(obj, "subjects")
    out = []
    if not isinstance(seq, SequenceNode):
        return out
    for item, s, e in item_ranges(source.text, seq):
        if not isinstance(item, MappingNode):
            continue
        kind, name = text_value(get(item, "kind")), text_value(get(item, "name"))
        if kind and name:
            out.append(Subject(kind, name, text_value(get(item, "namespace")) or None, Span.of(source.index, s, e)))
    return out


def cluster_model(f: Any) -> ClusterModel:
    """The cluster objects of a Kubernetes `YamlFile` (computed once, kept on the file)."""
    cached = f.__dict__.get("_cluster_model")
    if cached is not None:
        return cached
    source = f.source
    m = ClusterModel()
    for obj in f.objects:
        kind = text_value(get(obj, "kind")) or ""
        if kind not in _CLUSTER_KINDS:
            continue
        name = text_value(get(obj, "metadata", "name"))
        if not name:
            continue
        ns = _metadata_namespace(obj)
        if _is_rbac(obj, kind, ROLE_KINDS):
            role = Role(kind, name, "" if kind == "ClusterRole" else (ns or "default"), obj, _name_span(source, obj),
                        aggregated=kind == "ClusterRole" and get_entry(obj, "aggregationRule") is not None,
                        bootstrap=_is_bootstrap(obj))
            seq = get(obj, "rules")
            for item, s, e in item_ranges(source.text, seq) if isinstance(seq, SequenceNode) else ():
                if isinstance(item, MappingNode):
                    role.rules.append(_rule_entry(source, item, s, e))
            m.roles.append(role)
        elif _is_rbac(obj, kind, BINDING_KINDS):
            ref = get(obj, "roleRef")
            ref_e = get_entry(ref, "name")
            if ref_e is None:
                continue
            role_span = _item_span(source, ref_e.value_node, ref_e.value_node.start_mark.index,
                                   ref_e.value_node.end_mark.index)
            m.bindings.append(Binding(kind, name, "" if kind == "ClusterRoleBinding" else (ns or "default"), obj,
                                      _name_span(source, obj), text_value(get(ref, "kind")) or "ClusterRole",
                                      text_value(ref_e.value_node) or "", role_span, _subjects(source, obj),
                                      _is_bootstrap(obj)))
        elif kind == "ServiceAccount" and _group(obj) == "":
            m.service_accounts.append(ServiceAccount(name, ns or "default", obj, _name_span(source, obj),
                                                     as_bool(get(obj, "automountServiceAccountToken"))))
        elif kind == "Namespace" and _group(obj) == "":
            meta = get(obj, "metadata")
            labels_node = get(meta, "labels")
            nsm = Namespace(name, obj, meta, _name_span(source, obj),
                            labels_node=labels_node if isinstance(labels_node, MappingNode) else None)
            for k, e in mapping_entries(labels_node).items():
                v = e.value_node
                nsm.labels[k] = (text_value(v), Span.of(source.index, *scalar_text_range(
                    source.text, v, v.start_mark.index, node_end(source.text, v))) if isinstance(v, ScalarNode)
                    else Span.of(source.index, e.key_node.start_mark.index, e.key_node.end_mark.index))
            m.namespaces.append(nsm)
    f.__dict__["_cluster_model"] = m
    return m


def pod_service_account(spec: Optional[Node]) -> str:
    """The ServiceAccount a pod spec runs as: `serviceAccountName`, else the deprecated
    `serviceAccount`, else `default`."""
    return text_value(get(spec, "serviceAccountName")) or text_value(get(spec, "serviceAccount")) or "default"


def facts_of(kind: str, group: str, obj: MappingNode, pod: Any = None) -> Any:
    """The index facts of one object (None for kinds no cross-object rule reads)."""
    if pod is None and kind not in _CLUSTER_KINDS:
        return None
    if pod is not None:
        return PodFacts(pod_service_account(pod.spec), as_bool(get(pod.spec, "automountServiceAccountToken")))
    if group == RBAC_GROUP and kind in ROLE_KINDS:
        return RoleFacts(tuple(policy_rule(r) for r in _rules(obj)),
                         kind == "ClusterRole" and get_entry(obj, "aggregationRule") is not None)
    if group == RBAC_GROUP and kind in BINDING_KINDS:
        ref = get(obj, "roleRef")
        subjects = []
        seq = get(obj, "subjects")
        for item in seq.value if isinstance(seq, SequenceNode) else ():
            k, n = text_value(get(item, "kind")), text_value(get(item, "name"))
            if k and n:
                subjects.append((k, n, text_value(get(item, "namespace")) or None))
        return BindingFacts(text_value(get(ref, "kind")) or "ClusterRole", text_value(get(ref, "name")) or "",
                            tuple(subjects))
    if group == "" and kind == "ServiceAccount":
        return ServiceAccountFacts(as_bool(get(obj, "automountServiceAccountToken")))
    if group == "" and kind == "Namespace":
        return NamespaceFacts(tuple(sorted(_labels(obj).items())))
    return None
