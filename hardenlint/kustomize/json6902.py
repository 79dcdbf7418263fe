"""JSON patches (RFC 6902) on positioned nodes: add, remove, replace, move, copy, test.

Operations copy only the path they touch; the values they insert are the patch's own nodes, so
they keep their position in the patch file (or in the kustomization for an inline patch).
"""
from __future__ import annotations

from typing import Any, List, Optional

from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode
from .nodes import data, lookup, mapping, sequence, text


class PatchError(Exception):
    """An operation that cannot apply (kustomize fails the build on it too)."""


def _tokens(path: str) -> List[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"JSON patch path {path!r} does not start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _get(node: Optional[Node], toks: List[str]) -> Optional[Node]:
    for t in toks:
        if isinstance(node, MappingNode):
            node = lookup(node, t)
        elif isinstance(node, SequenceNode) and t.isdigit() and int(t) < len(node.value):
            node = node.value[int(t)]
        else:
            return None
    return node


def _apply(node: Node, toks: List[str], op: str, value: Optional[Node]) -> Node:
    """A copy of `node` with `op` done at `toks` (non-empty)."""
    t, rest = toks[0], toks[1:]
    if isinstance(node, MappingNode):
        idx = next((i for i, (k, _v) in enumerate(node.value) if isinstance(k, ScalarNode) and k.value == t), None)
        pairs = list(node.value)
        if rest:
            if idx is None:
                raise PatchError(f"path segment {t!r} not found")
            k, v = pairs[idx]
            pairs[idx] = (k, _apply(v, rest, op, value))
            return mapping(pairs, like=node)
        if op == "remove":
            if idx is None:
                raise PatchError(f"cannot remove missing key {t!r}")
            del pairs[idx]
        elif idx is None:
            if op == "replace":
                raise PatchError(f"cannot replace missing key {t!r}")
            from .nodes import scalar
            pairs.append((scalar(t, value), value))
        else:
            pairs[idx] = (pairs[idx][0], value)
        return mapping(pairs, like=node)
    if isinstance(node, SequenceNode):
        items = list(node.value)
        if t == "-":
            i = len(items)
        elif t.isdigit():
            i = int(t)
        else:
            raise PatchError(f"bad list index {t!r}")
        if rest:
            if i >= len(items):
                raise PatchError(f"list index {t} out of range")
            items[i] = _apply(items[i], rest, op, value)
            return sequence(items, like=node)
        if op == "add":
            if i > len(items):
                raise PatchError(f"list index {t} out of range")
            items.insert(i, value)
        elif i >= len(items):
            raise PatchError(f"list index {t} out of range")
        elif op == "remove":
            del items[i]
        else:
            items[i] = value
        return sequence(items, like=node)
    raise PatchError(f"path segment {t!r} goes through a scalar")


def apply_ops(target: Node, ops: List[Node]) -> Node:
    """Apply every operation of a JSON patch (a list of `{op, path, value|from}` mappings)."""
    for op_node in ops:
        op = text(lookup(op_node, "op"))
        path = text(lookup(op_node, "path")) or ""
        toks = _tokens(path)
        if op in ("add", "replace"):
            value = lookup(op_node, "value")
            if value is None:
                raise PatchError(f"{op} at {path} has no value")
            if not toks:
                target = value
                continue
            target = _apply(target, toks, op, value)
        elif op == "remove":
            target = _apply(target, toks, "remove", None)
        elif op in ("move", "copy"):
            src_toks = _tokens(text(lookup(op_node, "from")) or "")
            value = _get(target, src_toks)
            if value is None:
                raise PatchError(f"{op} from a missing path")
            if op == "move":
                target = _apply(target, src_toks, "remove", None)
            target = _apply(target, toks, "add", value)
        elif op == "test":
            want = data(lookup(op_node, "value"))
            if data(_get(target, toks)) != want:
                raise PatchError(f"test failed at {path}")
        else:
            raise PatchError(f"unknown JSON patch op {op!r}")
    return target


def is_json6902(node: Any) -> bool:
    """A parsed patch that is a JSON 6902 operation list."""
    return isinstance(node, SequenceNode) and all(
        isinstance(i, MappingNode) and lookup(i, "op") is not None for i in node.value)
