"""kustomize's built-in transformers and generators on `Resource`s (copy-on-write).

Each transformer's new values are `Synthetic` scalars at the kustomization text that produced
them (the `namespace:` value, the `images:` entry, the label pair), or the kustomization's own
node where the value is that text unchanged.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from typing import Callable, Dict, List, Optional, Tuple

from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, STR
from .nodes import (
    Synthetic, items, lookup, lookup_path, mapping, pairs, scalar, sequence, set_path, text,
    update_path, with_key,
)
from . import fieldspecs
from .resources import CLUSTER_SCOPED, Resource

POD_TEMPLATE_KINDS = {
    "Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"), "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"), "PodTemplate": ("template",),
}


# --------------------------------------------------------------------------- namespace

def namespace(res: List[Resource], value: Node, config=None) -> None:
    ns = text(value)
    if ns is None:
        return
    accounts = {r.names[0] for r in res if r.kind == "ServiceAccount"} | {r.name for r in res if r.kind == "ServiceAccount"}
    services = {n for r in res if r.kind == "Service" for n in r.names}

    def _svc(s: Optional[Node]) -> Optional[Node]:
        # a webhook's service namespace follows only a Service of the build
        return _set_if(s, "namespace", value) if text(lookup(s, "name")) in services else s

    for r in res:
        kind = r.kind
        node = r.node
        if kind not in CLUSTER_SCOPED:
            node = set_path(node, ("metadata", "namespace"), value, value) or node
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            node = update_path(node, ("subjects", "[]"), lambda s: _subject_ns(s, value, accounts))
        elif kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            node = update_path(node, ("webhooks", "[]", "clientConfig", "service"), _svc)
        elif kind == "APIService":
            node = update_path(node, ("spec", "service"), _svc)
        elif kind == "CustomResourceDefinition":
            node = update_path(node, ("spec", "conversion", "webhook", "clientConfig", "service"), _svc)
        if config is not None:
            for fs in config.namespace:
                if fs.applies(kind, r.group):
                    node = fieldspecs.update(node, fs.path, lambda _old: value, fs.create)
        if node is not r.node:
            r.set_node(node)


def _set_if(node: Optional[Node], key: str, value: Node) -> Optional[Node]:
    if not isinstance(node, MappingNode):
        return node
    return with_key(node, key, value, value)


def _subject_ns(s: Node, value: Node, accounts) -> Node:
    """ServiceAccount subjects in the `default` namespace, or naming an account of the build."""
    if not isinstance(s, MappingNode) or text(lookup(s, "kind")) != "ServiceAccount":
        return s
    cur = text(lookup(s, "namespace"))
    if cur == "default" or text(lookup(s, "name")) in accounts:
        return with_key(s, "namespace", value, value)
    return s


# --------------------------------------------------------------------------- names

def prefix_suffix(res: List[Resource], prefix: Optional[Node], suffix: Optional[Node]) -> None:
    p = text(prefix) or ""
    s = text(suffix) or ""
    if not p and not s:
        return
    origin = prefix if p else suffix
    for r in res:
        if r.kind == "CustomResourceDefinition" or not r.name:
            continue
        new = scalar(p + r.name + s, origin)
        r.set_node(set_path(r.node, ("metadata", "name"), new, origin))


# --------------------------------------------------------------------------- labels / annotations

# (kind or None for every kind, path) where label selectors live; `create`: add when missing
_SELECTOR_PATHS: List[Tuple[Optional[str], Tuple[str, ...], bool]] = [
    ("Service", ("spec", "selector"), True),
    ("ReplicationController", ("spec", "selector"), True),
    ("Deployment", ("spec", "selector", "matchLabels"), True),
    ("ReplicaSet", ("spec", "selector", "matchLabels"), True),
    ("DaemonSet", ("spec", "selector", "matchLabels"), True),
    ("StatefulSet", ("spec", "selector", "matchLabels"), True),
    ("Job", ("spec", "selector", "matchLabels"), False),
    ("PodDisruptionBudget", ("spec", "selector", "matchLabels"), False),
    ("NetworkPolicy", ("spec", "podSelector", "matchLabels"), False),
]
_TEMPLATE_PATHS: List[Tuple[str, Tuple[str, ...], bool]] = [
    ("ReplicationController", ("spec", "template", "metadata", "labels"), True),
    ("Deployment", ("spec", "template", "metadata", "labels"), True),
    ("ReplicaSet", ("spec", "template", "metadata", "labels"), True),
    ("DaemonSet", ("spec", "template", "metadata", "labels"), True),
    ("StatefulSet", ("spec", "template", "metadata", "labels"), True),
    ("Job", ("spec", "template", "metadata", "labels"), True),
    ("CronJob", ("spec", "jobTemplate", "metadata", "labels"), True),
    ("CronJob", ("spec", "jobTemplate", "spec", "template", "metadata", "labels"), True),
]


def _add_pairs(node: Node, path: Tuple[str, ...], kvs: List[Tuple[Node, Node]], create: bool) -> Node:
    target = lookup_path(node, *path)
    if target is None and not create:
        return node
    if target is not None and not isinstance(target, MappingNode):
        if create and text(target) is None:
            target = None
        else:
            return node
    if target is None:
        target = mapping([], origin=kvs[0][1])
    for k, v in kvs:
        target = with_key(target, k.value, v, k)
    return set_path(node, path, target, kvs[0][1]) or node


def _stringify(kvs: List[Tuple[Node, Node]]) -> List[Tuple[Node, Node]]:
    out = []
    for k, v in kvs:
        if isinstance(v, ScalarNode) and v.tag != STR:
            v = scalar(v.value, v)  # labels and annotations are strings
        out.append((k, v))
    return out


def labels(res: List[Resource], kvs: List[Tuple[Node, Node]], selectors: bool, templates: bool, config=None) -> None:
    if not kvs:
        return
    kvs = _stringify(kvs)
    for r in res:
        node = _add_pairs(r.node, ("metadata", "labels"), kvs, True)
        kind = r.kind
        if selectors:
            for k, path, create in _SELECTOR_PATHS:
                if k == kind:
                    node = _add_pairs(node, path, kvs, create)
            if kind == "NetworkPolicy":
                for direction, peer in (("ingress", "from"), ("egress", "to")):
                    node = update_path(node, ("spec", direction, "[]", peer, "[]", "podSelector", "matchLabels"),
                                       lambda m: _merge_labels(m, kvs))
        if selectors and config is not None:
            for fs in config.common_labels:
                if fs.applies(kind, r.group):
                    node = _add_pairs(node, fs.path, kvs, fs.create)
        if selectors and kind in POD_TEMPLATE_KINDS and kind != "CronJob":
            spec = POD_TEMPLATE_KINDS[kind] + ("spec",)
            for aff in ("podAffinity", "podAntiAffinity"):
                base = spec + ("affinity", aff)
                node = update_path(node, base + ("preferredDuringSchedulingIgnoredDuringExecution", "[]",
                                                 "podAffinityTerm", "labelSelector", "matchLabels"),
                                   lambda m: _merge_labels(m, kvs))
                node = update_path(node, base + ("requiredDuringSchedulingIgnoredDuringExecution", "[]",
                                                 "labelSelector", "matchLabels"),
                                   lambda m: _merge_labels(m, kvs))
            node = update_path(node, spec + ("topologySpreadConstraints", "[]", "labelSelector", "matchLabels"),
                               lambda m: _merge_labels(m, kvs))
        if selectors or templates:
            for k, path, create in _TEMPLATE_PATHS:
                if k == kind:
                    node = _add_pairs(node, path, kvs, create)
            if kind == "StatefulSet":
                node = update_path(node, ("spec", "volumeClaimTemplates", "[]"),
                                   lambda t: _add_pairs(t, ("metadata", "labels"), kvs, True))
        if node is not r.node:
            r.set_node(node)


def _merge_labels(m: Optional[Node], kvs) -> Optional[Node]:
    if not isinstance(m, MappingNode):
        return m
    for k, v in kvs:
        m = with_key(m, k.value, v, k)
    return m


def annotations(res: List[Resource], kvs: List[Tuple[Node, Node]]) -> None:
    if not kvs:
        return
    kvs = _stringify(kvs)
    for r in res:
        node = _add_pairs(r.node, ("metadata", "annotations"), kvs, True)
        path = POD_TEMPLATE_KINDS.get(r.kind)
        if path is not None:
            node = _add_pairs(node, path + ("metadata", "annotations"), kvs, True)
        if r.kind == "CronJob":
            node = _add_pairs(node, ("spec", "jobTemplate", "metadata", "annotations"), kvs, True)
        if node is not r.node:
            r.set_node(node)


# --------------------------------------------------------------------------- images

def split_image(image: str) -> Tuple[str, str, str]:
    """(name, tag, digest) of an image reference; tag/digest "" when absent."""
    digest = ""
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = ""
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image, tag = image[:colon], image[colon + 1:]
    return image, tag, digest


def images(res: List[Resource], entries: List[Node]) -> None:
    """`images:` entries (name, newName, newTag, digest) on every `containers` / `initContainers`
    list of every object (kustomize's legacy image filter walks them all)."""
    table = []
    for e in entries:
        name = text(lookup(e, "name"))
        if name:
            table.append((name, e))
    if not table:
        return
    for r in res:
        node = _walk_images(r.node, table, 0)
        if node is not r.node:
            r.set_node(node)


def container_images(node: Node, depth: int = 0) -> List[str]:
    """The `image` of every item of every `containers` / `initContainers` list in `node`."""
    out: List[str] = []
    if depth > 60:
        return out
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value in ("containers", "initContainers") and isinstance(v, SequenceNode):
                out.extend(t for t in (text(lookup(c, "image")) for c in v.value) if t)
            else:
                out.extend(container_images(v, depth + 1))
    elif isinstance(node, SequenceNode):
        for i in node.value:
            out.extend(container_images(i, depth + 1))
    return out


def _walk_images(node: Node, table, depth: int) -> Node:
    if depth > 60:
        return node
    if isinstance(node, MappingNode):
        new_pairs = None
        for i, (k, v) in enumerate(node.value):
            if isinstance(k, ScalarNode) and k.value in ("containers", "initContainers") and isinstance(v, SequenceNode):
                nv = sequence([_retag(c, table) for c in v.value], like=v)
                if any(a is not b for a, b in zip(nv.value, v.value)):
                    new_pairs = new_pairs or list(node.value)
                    new_pairs[i] = (k, _walk_images(nv, table, depth + 1))
                    continue
            nv2 = _walk_images(v, table, depth + 1)
            if nv2 is not v:
                new_pairs = new_pairs or list(node.value)
                new_pairs[i] = (k, nv2)
        return mapping(new_pairs, like=node) if new_pairs is not None else node
    if isinstance(node, SequenceNode):
        new = [_walk_images(i, table, depth + 1) for i in node.value]
        if any(a is not b for a, b in zip(new, node.value)):
            return sequence(new, like=node)
    return node


def _retag(container: Node, table) -> Node:
    img_node = lookup(container, "image")
    img = text(img_node)
    if img is None:
        return container
    name, tag, digest = split_image(img)
    for ename, e in table:
        if ename != name:
            continue
        new_name_n, new_tag_n, digest_n = lookup(e, "newName"), lookup(e, "newTag"), lookup(e, "digest")
        new_name = text(new_name_n) or name
        if text(digest_n):
            result = f"{new_name}@{text(digest_n)}"
            origin = digest_n
        elif new_tag_n is not None and text(new_tag_n) is not None:
            result = f"{new_name}:{new_tag_n.value}"
            origin = new_tag_n
        else:
            result = new_name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
            origin = new_name_n if (tag == "" and digest == "" and new_name_n is not None) else img_node
        if result == img:
            return container
        return with_key(container, "image", scalar(result, origin), e)
    return container


# --------------------------------------------------------------------------- replicas

def replicas(res: List[Resource], entries: List[Node]) -> None:
    for e in entries:
        name = text(lookup(e, "name"))
        count = lookup(e, "count")
        if not name or count is None:
            continue
        for r in res:
            if name in r.names and r.kind in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"):
                r.set_node(set_path(r.node, ("spec", "replicas"), count, count) or r.node)


# --------------------------------------------------------------------------- generators

def _env_pairs(content: str) -> List[Tuple[str, str]]:
    out = []
    for line in content.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if "=" in s:
            k, v = line.lstrip().split("=", 1)
            out.append((k.strip(), v))
        else:
            out.append((s, os.environ.get(s, "")))
    return out


def generate(kind: str, entry: Node, directory: str, read: Callable[[str], str], options: Optional[Node],
             kpath: str) -> Tuple[Resource, List[Tuple[str, str]]]:
    """A ConfigMap or Secret from a generator entry; also the (key, value) pairs, for merging."""
    kvs: List[Tuple[str, str]] = []
    for lit in items(lookup(entry, "literals")):
        t = text(lit) or ""
        if "=" in t:
            k, v = t.split("=", 1)
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            kvs.append((k, v))
    for env in items(lookup(entry, "envs")) + ([lookup(entry, "env")] if text(lookup(entry, "env")) else []):
        kvs.extend(_env_pairs(read(os.path.join(directory, text(env) or ""))))
    for f in items(lookup(entry, "files")):
        t = text(f) or ""
        key, _, path = t.partition("=") if "=" in t else (os.path.basename(t), "", t)
        kvs.append((key, read(os.path.join(directory, path))))
    name = text(lookup(entry, "name")) or ""
    origin = lookup(entry, "name") or entry
    pairs_: List[Tuple[Node, Node]] = [
        (scalar("apiVersion", origin), scalar("v1", origin)),
        (scalar("kind", origin), scalar(kind, origin)),
    ]
    meta = [(scalar("name", origin), lookup(entry, "name") or scalar(name, origin))]
    ns = lookup(entry, "namespace")
    if text(ns):
        meta.append((scalar("namespace", ns), ns))
    labels_, annotations_ = [], []
    disable = False
    immutable = None
    for opts in (options, lookup(entry, "options")):
        if opts is None:
            continue
        labels_ += [(k, v) for _n, k, v in pairs(lookup(opts, "labels"))]
        annotations_ += [(k, v) for _n, k, v in pairs(lookup(opts, "annotations"))]
        d = text(lookup(opts, "disableNameSuffixHash"))
        if d is not None:
            disable = d.lower() == "true"
        im = lookup(opts, "immutable")
        if text(im) is not None:
            immutable = im
    if labels_:
        meta.append((scalar("labels", origin), mapping(_stringify(labels_), origin=origin)))
    if annotations_:
        meta.append((scalar("annotations", origin), mapping(_stringify(annotations_), origin=origin)))
    pairs_.append((scalar("metadata", origin), mapping(meta, origin=origin)))
    if kind == "Secret":
        t = lookup(entry, "type")
        pairs_.append((scalar("type", origin), t if text(t) else scalar("Opaque", origin)))
    if immutable is not None:
        pairs_.append((scalar("immutable", immutable), immutable))
    pairs_.append((scalar("data", origin), _data_node(kind, kvs, origin)))
    node = mapping(pairs_, origin=origin)
    behavior = text(lookup(entry, "behavior")) or "create"
    return Resource(node, kpath, hash=not disable, behavior=behavior), kvs


def _data_node(kind: str, kvs: List[Tuple[str, str]], origin: Node) -> MappingNode:
    out = []
    for k, v in kvs:
        if kind == "Secret":
            v = base64.b64encode(v.encode("utf-8")).decode("ascii")
        out.append((scalar(k, origin), scalar(v, origin)))
    return mapping(out, origin=origin)


def merge_generated(existing: Resource, new: Resource, kvs: List[Tuple[str, str]]) -> None:
    """`behavior: merge|replace` against a ConfigMap/Secret of a base."""
    if new.behavior == "replace":
        node = with_key(existing.node, "data", lookup(new.node, "data"))
    else:
        data_node = lookup(existing.node, "data")
        data_node = data_node if isinstance(data_node, MappingNode) else mapping([], origin=new.node)
        for k, kn, v in pairs(lookup(new.node, "data")):
            data_node = with_key(data_node, k, v, kn)
        node = with_key(existing.node, "data", data_node)
    for what in ("labels", "annotations"):
        for k, kn, v in pairs(lookup_path(new.node, "metadata", what)):
            node = _add_pairs(node, ("metadata", what), [(kn, v)], True)
    existing.set_node(node)
    existing.hash = existing.hash or new.hash
    if not new.hash:
        existing.hash = False


def _go_json(value) -> str:
    s = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def content_hash(r: Resource) -> str:
    """kustomize's name suffix for a generated ConfigMap / Secret."""
    data = {k: (text(v) if text(v) is not None else "") for k, _kn, v in pairs(lookup(r.node, "data"))}
    m = {"kind": r.kind, "name": "", "data": data}  # kustomize 5.5 hashes an empty name (measured)
    if r.kind == "Secret":
        m["type"] = text(lookup(r.node, "type")) or ""
    else:
        bd = {k: (text(v) or "") for k, _kn, v in pairs(lookup(r.node, "binaryData"))}
        if bd:
            m["binaryData"] = bd
    im = lookup(r.node, "immutable")
    if text(im) is not None:
        m["immutable"] = text(im) == "true"
    h = hashlib.sha256(_go_json(m).encode("utf-8")).hexdigest()[:10]
    return h.translate(str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"}))


def add_hashes(res: List[Resource]) -> None:
    for r in res:
        if r.hash and r.kind in ("ConfigMap", "Secret"):
            origin = lookup_path(r.node, "metadata", "name")
            r.set_node(set_path(r.node, ("metadata", "name"), scalar(f"{r.name}-{content_hash(r)}", origin), origin))


def clear_empty_annotations(res: List[Resource]) -> None:
    """kustomize drops an empty or null `metadata.annotations`."""
    for r in res:
        ann = lookup_path(r.node, "metadata", "annotations")
        if (isinstance(ann, MappingNode) and not ann.value) or (isinstance(ann, ScalarNode) and ann.tag.endswith(":null")):
            meta = lookup(r.node, "metadata")
            r.node = with_key(r.node, "metadata", with_key(meta, "annotations", None))


# --------------------------------------------------------------------------- name references

def _pod_spec_paths(kind: str) -> List[Tuple[str, ...]]:
    if kind == "Pod":
        return [("spec",)]
    p = POD_TEMPLATE_KINDS.get(kind)
    return [p + ("spec",)] if p else []


def fix_references(res: List[Resource], config=None) -> None:
    """Point references (volumes, envFrom, serviceAccountName, roleRef, subjects, ...) at the
    final names of ConfigMaps, Secrets, ServiceAccounts, Roles, Services and PVCs renamed by
    prefixes, suffixes and hashes."""
    # (kind, old name) -> [(namespace, new name)]: a reference follows a rename only from the
    # same namespace (or to a cluster-scoped object), as kustomize matches them
    renames: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
    for r in res:
        if len(r.names) > 1:
            for old in r.names[:-1]:
                renames.setdefault((r.kind, old), []).append((r.namespace, r.name))
    if not renames:
        return
    referrer_ns = [""]

    def lookup_rename(kind: str, name: Optional[str], ns: Optional[str] = None) -> Optional[str]:
        cands = renames.get((kind, name)) if name is not None else None
        if not cands:
            return None
        want = referrer_ns[0] if ns is None else ns
        if kind in CLUSTER_SCOPED or not want:  # cluster-scoped on either side: by name
            return cands[0][1]
        return next((new for n, new in cands if n == want), None)

    def ren(kind: str) -> Callable[[Optional[Node]], Optional[Node]]:
        def fn(n: Optional[Node]) -> Optional[Node]:
            hit = lookup_rename(kind, text(n))
            return scalar(hit, n) if hit is not None else n
        return fn

    def ctr_refs(node: Node, base: Tuple[str, ...]) -> Node:
        for lst in ("containers", "initContainers", "ephemeralContainers"):
            c = base + (lst, "[]")
            node = update_path(node, c + ("env", "[]", "valueFrom", "configMapKeyRef", "name"), ren("ConfigMap"))
            node = update_path(node, c + ("env", "[]", "valueFrom", "secretKeyRef", "name"), ren("Secret"))
            node = update_path(node, c + ("envFrom", "[]", "configMapRef", "name"), ren("ConfigMap"))
            node = update_path(node, c + ("envFrom", "[]", "secretRef", "name"), ren("Secret"))
        v = base + ("volumes", "[]")
        node = update_path(node, v + ("configMap", "name"), ren("ConfigMap"))
        node = update_path(node, v + ("secret", "secretName"), ren("Secret"))
        node = update_path(node, v + ("projected", "sources", "[]", "configMap", "name"), ren("ConfigMap"))
        node = update_path(node, v + ("projected", "sources", "[]", "secret", "name"), ren("Secret"))
        node = update_path(node, v + ("persistentVolumeClaim", "claimName"), ren("PersistentVolumeClaim"))
        node = update_path(node, base + ("imagePullSecrets", "[]", "name"), ren("Secret"))
        node = update_path(node, base + ("serviceAccountName",), ren("ServiceAccount"))
        node = update_path(node, base + ("serviceAccount",), ren("ServiceAccount"))
        return node

    for r in res:
        node = r.node
        kind = r.kind
        referrer_ns[0] = "" if kind in CLUSTER_SCOPED else r.namespace
        for base in _pod_spec_paths(kind):
            node = ctr_refs(node, base)
        if kind == "StatefulSet":
            node = update_path(node, ("spec", "serviceName"), ren("Service"))
        if kind in ("RoleBinding", "ClusterRoleBinding"):
            rk = text(lookup_path(node, "roleRef", "kind"))
            if rk in ("Role", "ClusterRole"):
                node = update_path(node, ("roleRef", "name"), ren(rk))
            node = update_path(node, ("subjects", "[]"), lambda s: _subject(s, lookup_rename))
        if kind == "ServiceAccount":
            node = update_path(node, ("secrets", "[]", "name"), ren("Secret"))
            node = update_path(node, ("imagePullSecrets", "[]", "name"), ren("Secret"))
        if kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            node = update_path(node, ("webhooks", "[]", "clientConfig", "service", "name"), ren("Service"))
        if kind == "APIService":
            node = update_path(node, ("spec", "service", "name"), ren("Service"))
        if kind == "CustomResourceDefinition":
            node = update_path(node, ("spec", "conversion", "webhook", "clientConfig", "service", "name"),
                               ren("Service"))
        if kind == "Ingress":
            node = update_path(node, ("spec", "rules", "[]", "http", "paths", "[]", "backend", "service", "name"),
                               ren("Service"))
            node = update_path(node, ("spec", "tls", "[]", "secretName"), ren("Secret"))
        if kind == "HorizontalPodAutoscaler":
            tk = text(lookup_path(node, "spec", "scaleTargetRef", "kind"))
            if tk:
                node = update_path(node, ("spec", "scaleTargetRef", "name"), ren(tk))
        if config is not None:
            for ref_kind, specs in config.name_refs:
                for fs in specs:
                    if fs.applies(kind, r.group):
                        node = fieldspecs.update(node, fs.path, ren(ref_kind), False)
        if node is not r.node:
            r.node = node  # references do not rename the object itself


def _subject(s: Node, lookup_rename) -> Node:
    if text(lookup(s, "kind")) != "ServiceAccount":
        return s
    n = lookup(s, "name")
    hit = lookup_rename("ServiceAccount", text(n), text(lookup(s, "namespace")))
    return with_key(s, "name", scalar(hit, n)) if hit else s


# --------------------------------------------------------------------------- vars

_VAR = re.compile(r"\$\(([A-Za-z0-9_.\-]+)\)")


def resolve_vars(res: List[Resource], var_nodes: List[Node], config=None) -> List[str]:
    """Replace `$(NAME)` of declared `vars:` in the fields of the varReference field specs
    (built-in: container command, args, env values, mount paths; plus `configurations:`).
    Returns the names that could not be resolved."""
    values: Dict[str, str] = {}
    missing = []
    for v in var_nodes:
        name = text(lookup(v, "name"))
        ref = lookup(v, "objref")
        kind, oname = text(lookup(ref, "kind")), text(lookup(ref, "name"))
        fp = text(lookup_path(v, "fieldref", "fieldPath")) or text(lookup_path(v, "fieldref", "fieldpath")) or "metadata.name"
        target = next((r for r in res if r.kind == kind and oname in r.names), None)
        if name is None or target is None:
            missing.append(name or "?")
            continue
        val = _field(target.node, fp)
        if val is None:
            missing.append(name)
            continue
        values[name] = val
    if not values:
        return missing

    def sub(n: Node, depth: int = 0) -> Node:
        if isinstance(n, ScalarNode):
            if "$(" in n.value:
                new = _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), n.value)
                if new != n.value:
                    return scalar(new, n)
            return n
        if depth > 100:
            return n
        if isinstance(n, MappingNode):
            ps = [(k, sub(v, depth + 1)) for k, v in n.value]
            return mapping(ps, like=n) if any(a[1] is not b[1] for a, b in zip(ps, n.value)) else n
        if isinstance(n, SequenceNode):
            its = [sub(i, depth + 1) for i in n.value]
            return sequence(its, like=n) if any(a is not b for a, b in zip(its, n.value)) else n
        return n

    for r in res:
        node = r.node
        if config is None:
            node = sub(node)
        else:
            for fs in config.var_refs:
                if fs.applies(r.kind, r.group):
                    node = fieldspecs.update(node, fs.path, sub, False)
        r.node = node  # type: ignore[assignment]
    return missing


def _field(node: Node, path: str) -> Optional[str]:
    cur: Optional[Node] = node
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            idx = int(part[1:-1])
            cur = cur.value[idx] if isinstance(cur, SequenceNode) and idx < len(cur.value) else None
        else:
            cur = lookup(cur, part)
        if cur is None:
            return None
    return text(cur)
