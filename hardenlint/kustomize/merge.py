"""Strategic merge patches on positioned nodes (kustomize's `patchesStrategicMerge` / `patches`).

Mappings merge key by key (a null value deletes the key); lists of objects merge by Kubernetes'
merge keys (containers, volumes, env by `name`, volumeMounts by `mountPath`, ports by
`containerPort` / `port`, ...) and, for kinds without a schema, by the first of kustomize's
associative keys every item has; other lists are replaced. `$patch: delete` removes a mapping or
a list item, `$patch: replace` replaces instead of merging; `$setElementOrder/...` and
`$retainKeys` are ignored. The result shares every untouched node with its inputs.
"""
from __future__ import annotations

from typing import List, Optional

from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, is_null
from .nodes import lookup, mapping, sequence

# field name -> merge key (Kubernetes API patchMergeKey)
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath",
    "volumeDevices": "devicePath", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name", "readinessGates": "conditionType", "ownerReferences": "uid",
    "conditions": "type", "resizePolicy": "resourceName", "ports": None,  # decided by item shape
}
# kyaml's associative keys, for objects without a known schema
ASSOCIATIVE_KEYS = ("mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort")
# lists that merge as sets of scalars
PRIMITIVE_MERGE = frozenset(("finalizers",))
DIRECTIVES = ("$patch", "$retainKeys")


def _directive(node: Node) -> Optional[str]:
    v = lookup(node, "$patch")
    return v.value if isinstance(v, ScalarNode) else None


def _is_directive_key(k: Node) -> bool:
    return isinstance(k, ScalarNode) and (k.value in DIRECTIVES or k.value.startswith("$setElementOrder/")
                                          or k.value.startswith("$deleteFromPrimitiveList/"))


def clean(node: Node) -> Optional[Node]:
    """A patch value with its directives removed (what gets added where nothing is merged)."""
    if isinstance(node, MappingNode):
        if _directive(node) == "delete":
            return None
        changed = False
        pairs = []
        for k, v in node.value:
            if _is_directive_key(k):
                changed = True
                continue
            c = clean(v)
            if c is None or (isinstance(c, ScalarNode) and c.tag.endswith(":null")):
                changed = True
                continue
            changed = changed or c is not v
            pairs.append((k, c))
        return mapping(pairs, like=node) if changed else node
    if isinstance(node, SequenceNode):
        out = []
        changed = False
        for i in node.value:
            if isinstance(i, MappingNode) and _directive(i) in ("delete", "replace") and len(i.value) == 1:
                changed = True
                continue
            c = clean(i)
            if c is None:
                changed = True
                continue
            changed = changed or c is not i
            out.append(c)
        return sequence(out, like=node) if changed else node
    return node


def merge(target: Node, patch: Node, schema: bool = True, field: str = "") -> Optional[Node]:
    """`patch` strategically merged into `target`; None when the patch deletes it.
    `schema`: the object is a built-in kind (Kubernetes merge keys apply)."""
    if isinstance(patch, MappingNode):
        d = _directive(patch)
        if d == "delete":
            return None
        if d == "replace" or not isinstance(target, MappingNode):
            return clean(patch)
        return _merge_mapping(target, patch, schema)
    if isinstance(patch, SequenceNode) and isinstance(target, SequenceNode):
        return _merge_list(target, patch, schema, field)
    if isinstance(patch, SequenceNode):
        return clean(patch)
    return patch


def _merge_mapping(target: MappingNode, patch: MappingNode, schema: bool) -> MappingNode:
    pairs = list(target.value)
    index = {k.value: i for i, (k, _v) in enumerate(pairs) if isinstance(k, ScalarNode)}
    removed = set()
    for k, v in patch.value:
        if _is_directive_key(k) or not isinstance(k, ScalarNode):
            continue
        i = index.get(k.value)
        if isinstance(v, ScalarNode) and is_null(v) and v.tag.endswith(":null"):
            if i is not None:
                removed.add(i)
            continue
        if i is None or i in removed:
            c = clean(v)
            if c is not None:
                index[k.value] = len(pairs)
                pairs.append((k, c))
                removed.discard(index[k.value])
            continue
        old_k, old_v = pairs[i]
        if isinstance(v, ScalarNode) and isinstance(old_v, ScalarNode) and v.value == old_v.value and v.tag == old_v.tag:
            continue  # the patch restates the value: it stays where it was first written
        new_v = merge(old_v, v, schema, k.value)
        if new_v is None:
            removed.add(i)
        else:
            # a replaced value is the patch's text, key included; a merged one keeps the target's key
            pairs[i] = (k if isinstance(v, ScalarNode) or new_v is v else old_k, new_v)
    if removed:
        pairs = [p for i, p in enumerate(pairs) if i not in removed]
    return mapping(pairs, like=target)


def strip_nulls(node: Node, depth: int = 0) -> Node:
    """`node` without null-valued mapping fields, at any depth (kustomize's merge walks the whole
    patched object and drops them; `metadata.creationTimestamp: null` stays, as kustomize 5.5 keeps it)."""
    if depth > 200:
        return node
    if isinstance(node, MappingNode):
        out = []
        changed = False
        for k, v in node.value:
            if _null(v) and not (depth == 1 and isinstance(k, ScalarNode) and k.value == "creationTimestamp"):
                changed = True
                continue
            nv = strip_nulls(v, depth + 1)
            changed = changed or nv is not v
            out.append((k, nv))
        return mapping(out, like=node) if changed else node
    if isinstance(node, SequenceNode):
        its = [strip_nulls(i, depth + 1) for i in node.value]
        if any(a is not b for a, b in zip(its, node.value)):
            return sequence(its, like=node)
    return node


def _null(n: Node) -> bool:
    return isinstance(n, ScalarNode) and n.tag.endswith(":null")


def _merge_key(field: str, target: List[Node], patch: List[Node], schema: bool) -> Optional[str]:
    objs = [i for i in target + patch if isinstance(i, MappingNode)]
    if not objs or len(objs) != len(target) + len(patch):
        return None
    if field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        if key is None:  # ports: containerPort (containers) or port (services)
            key = "containerPort" if all(lookup(i, "containerPort") is not None for i in objs) else "port"
        return key
    if schema:
        return None
    for key in ASSOCIATIVE_KEYS:
        if all(lookup(i, key) is not None for i in objs):
            return key
    return None


def _key_value(node: Node, key: str):
    v = lookup(node, key)
    return v.value if isinstance(v, ScalarNode) else None


def _merge_list(target: SequenceNode, patch: SequenceNode, schema: bool, field: str) -> SequenceNode:
    titems, pitems = list(target.value), list(patch.value)
    if any(isinstance(i, MappingNode) and _directive(i) == "replace" for i in pitems):
        return clean(patch)  # type: ignore[return-value]
    if field in PRIMITIVE_MERGE and all(isinstance(i, ScalarNode) for i in titems + pitems):
        have = {i.value for i in titems}
        return sequence(titems + [i for i in pitems if i.value not in have], like=target)
    live_p = [i for i in pitems if not (isinstance(i, MappingNode) and _directive(i) == "delete")]
    key = _merge_key(field, titems, live_p or pitems, schema)
    if key is None:
        return clean(patch)  # type: ignore[return-value]
    order = {}
    for n, i in enumerate(titems):
        order.setdefault(_key_value(i, key), n)
    mentioned = set()
    right: List[Node] = []  # the patch's items, merged, in the patch's order
    for p in pitems:
        kv = _key_value(p, key)
        mentioned.add(kv)
        if _directive(p) == "delete":
            continue
        n = order.get(kv)
        if n is None:
            c = clean(p)
            if c is not None:
                right.append(c)
        else:
            m = merge(titems[n], p, schema, "")
            if m is not None:
                right.append(m)
    left = [i for i in titems if _key_value(i, key) not in mentioned]
    # as kustomize 5.5 orders them (measured against kubectl): the patch's items first, in the
    # patch's order, then the items only the target has, in the target's order
    result = right + left
    return sequence(result, like=target)
