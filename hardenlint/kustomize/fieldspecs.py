"""kustomize field specs: `path` (slash-separated, lists walked implicitly) for a `kind`, from the
built-in tables and from a kustomization's `configurations:` files (varReference,
nameReference, commonLabels, namespace)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from ..model.yamlnodes import MappingNode, Node, SequenceNode
from .nodes import items, lookup, mapping, text, with_key, sequence

POD_SPECS = {
    "Pod": "spec", "Deployment": "spec/template/spec", "StatefulSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec", "ReplicaSet": "spec/template/spec", "Job": "spec/template/spec",
    "ReplicationController": "spec/template/spec", "CronJob": "spec/jobTemplate/spec/template/spec",
}


@dataclass(frozen=True)
class FieldSpec:
    kind: Optional[str]
    path: Tuple[str, ...]
    create: bool = False
    group: Optional[str] = None

    def applies(self, kind: str, group: str) -> bool:
        return (self.kind is None or self.kind == kind) and (self.group is None or self.group == group)


def _default_var_refs() -> List[FieldSpec]:
    out = []
    for kind, spec in POD_SPECS.items():
        for lst in ("containers", "initContainers"):
            for leaf in ("command", "args", "env/value", "volumeMounts/mountPath", "workingDir"):
                out.append(FieldSpec(kind, tuple(f"{spec}/{lst}/{leaf}".split("/"))))
        out.append(FieldSpec(kind, tuple(f"{spec}/volumes/nfs/server".split("/"))))
    for p in ("spec/rules/host", "spec/tls/hosts", "spec/tls/secretName"):
        out.append(FieldSpec("Ingress", tuple(p.split("/"))))
    return out


@dataclass
class Config:
    """Field specs gathered from `configurations:` (plus the built-in var references)."""

    var_refs: List[FieldSpec] = field(default_factory=_default_var_refs)
    name_refs: List[Tuple[str, List[FieldSpec]]] = field(default_factory=list)  # (referenced kind, referrers)
    common_labels: List[FieldSpec] = field(default_factory=list)
    namespace: List[FieldSpec] = field(default_factory=list)

    def read(self, doc: Node) -> None:
        def spec(n: Node) -> Optional[FieldSpec]:
            p = text(lookup(n, "path"))
            if not p:
                return None
            return FieldSpec(text(lookup(n, "kind")), tuple(x for x in p.split("/") if x),
                             text(lookup(n, "create")) == "true", text(lookup(n, "group")))

        for n in items(lookup(doc, "varReference")):
            s = spec(n)
            if s:
                self.var_refs.append(s)
        for n in items(lookup(doc, "commonLabels")):
            s = spec(n)
            if s:
                self.common_labels.append(s)
        for n in items(lookup(doc, "namespace")):
            s = spec(n)
            if s:
                self.namespace.append(s)
        for n in items(lookup(doc, "nameReference")):
            kind = text(lookup(n, "kind"))
            specs = [s for s in (spec(f) for f in items(lookup(n, "fieldSpecs"))) if s]
            if kind and specs:
                self.name_refs.append((kind, specs))


def update(node: Node, path: Tuple[str, ...], fn: Callable[[Optional[Node]], Optional[Node]], create: bool) -> Node:
    """A copy of `node` with `fn` applied at `path` (lists walked implicitly; `[]` steps skipped)."""
    if not path:
        new = fn(node)
        return node if new is None else new
    if isinstance(node, SequenceNode):
        new_items = [update(i, path, fn, create) for i in node.value]
        return sequence(new_items, like=node) if any(a is not b for a, b in zip(new_items, node.value)) else node
    if not isinstance(node, MappingNode):
        return node
    step, rest = path[0], path[1:]
    if step.endswith("[]"):
        step = step[:-2]
    child = lookup(node, step)
    if child is None:
        if not create:
            return node
        if rest:
            child = mapping([], origin=node)
        else:
            new = fn(None)
            return node if new is None else with_key(node, step, new, new)
    new_child = update(child, rest, fn, create)
    return node if new_child is child else with_key(node, step, new_child)
