"""A rendered Kubernetes object and how kustomize identifies and selects it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List

from ..model.yamlnodes import MappingNode, Node
from .nodes import lookup, lookup_path, pairs, text

# kinds that have no namespace (the namespace transformer leaves them alone)
CLUSTER_SCOPED = frozenset((
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding", "PriorityClass", "RuntimeClass", "CSIDriver", "CSINode",
    "VolumeAttachment", "IngressClass", "PodSecurityPolicy", "Node",
    "CertificateSigningRequest", "ComponentStatus", "FlowSchema", "PriorityLevelConfiguration",
))  # built-in kinds only: kustomize namespaces custom kinds (even `Cluster...` ones) it has no schema for


@dataclass
class Resource:
    """One rendered object: its current node, the file defining it, its earlier names.

    `origin`: the file the object (or the generator entry) is written in; `names`: every name it
    had (first: as written), for patch targets and name references; `hash`: a generated ConfigMap or
    Secret that gets kustomize's content-hash suffix at the end of the top-level build;
    `behavior`: a generator's create/merge/replace.
    """

    node: MappingNode
    origin: str
    names: List[str] = field(default_factory=list)
    hash: bool = False
    behavior: str = "create"
    namespaces: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stub = bool(self.node.__dict__.get("_hl_stub"))  # a CRD composed without its spec
        if not self.names:
            self.names = [self.name]
        if not self.namespaces:
            self.namespaces = [self.namespace]

    @property
    def kind(self) -> str:
        return text(lookup(self.node, "kind")) or ""

    @property
    def api_version(self) -> str:
        return text(lookup(self.node, "apiVersion")) or ""

    @property
    def group(self) -> str:
        av = self.api_version
        return av.split("/", 1)[0] if "/" in av else ""

    @property
    def version(self) -> str:
        return self.api_version.rsplit("/", 1)[-1]

    @property
    def name(self) -> str:
        return text(lookup_path(self.node, "metadata", "name")) or ""

    @property
    def namespace(self) -> str:
        return text(lookup_path(self.node, "metadata", "namespace")) or ""

    def labels(self) -> Dict[str, str]:
        return {k: (text(v) or "") for k, _kn, v in pairs(lookup_path(self.node, "metadata", "labels"))}

    def annotations(self) -> Dict[str, str]:
        return {k: (text(v) or "") for k, _kn, v in pairs(lookup_path(self.node, "metadata", "annotations"))}

    def set_node(self, node: Node) -> None:
        self.node = node  # type: ignore[assignment]
        n = self.name
        if n and n != self.names[-1]:
            self.names.append(n)
        ns = self.namespace
        if ns != self.namespaces[-1]:
            self.namespaces.append(ns)

    def key(self):
        return (self.group, self.kind, self.namespace, self.name)


def _label_selector_matches(selector: str, labels: Dict[str, str]) -> bool:
    for term in _split_terms(selector):
        term = term.strip()
        if not term:
            continue
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", term)
        if m:
            vals = {v.strip() for v in m.group(3).split(",")}
            has = labels.get(m.group(1))
            if (m.group(2) == "in") != (has in vals):
                return False
            continue
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


def _split_terms(selector: str) -> List[str]:
    out, depth, cur = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _matches_name(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


def selects(target: Node, r: Resource) -> bool:
    """Whether a patch `target:` selector (group, version, kind, name, namespace, labelSelector,
    annotationSelector; name/kind/namespace are anchored regular expressions) picks `r`."""
    for key, actual in (("group", [r.group]), ("version", [r.version]), ("kind", [r.kind]),
                        ("name", r.names), ("namespace", r.namespaces)):
        want = text(lookup(target, key))
        if want is None:
            continue
        if not any(_matches_name(want, a) for a in actual):
            return False
    ls = text(lookup(target, "labelSelector"))
    if ls and not _label_selector_matches(ls, r.labels()):
        return False
    an = text(lookup(target, "annotationSelector"))
    if an and not _label_selector_matches(an, r.annotations()):
        return False
    return True


def same_object(patch: MappingNode, r: Resource) -> bool:
    """A strategic merge patch without a target applies to the object with its kind and name
    (and namespace, when the patch gives one)."""
    kind = text(lookup(patch, "kind"))
    name = text(lookup_path(patch, "metadata", "name"))
    ns = text(lookup_path(patch, "metadata", "namespace"))
    if kind != r.kind or name not in r.names:
        return False
    if ns is not None and ns not in r.namespaces:
        return False
    av = text(lookup(patch, "apiVersion"))
    if av and "/" in av and r.group and av.split("/", 1)[0] != r.group:
        return False
    return True
