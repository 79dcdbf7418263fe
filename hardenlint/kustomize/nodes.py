"""Copy-on-write helpers over positioned PyYAML nodes (never mutate a loaded node: bases are shared).

A value a transformer makes (an image retagged by `images:`, a hashed name) is a `Synthetic`
scalar: its marks are those of the text that produced it, but its value differs from that text,
so nothing may edit the text at its span (see `lint`).
"""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Tuple

from ..model.yamlnodes import (
    MAP, NULL, SEQ, STR, MappingNode, Node, ScalarNode, SequenceNode, is_null, scalar_value,
    to_python,
)


class Synthetic(ScalarNode):
    """A scalar whose value is not the text at its marks."""


def mapping(pairs: List[Tuple[Node, Node]], like: Optional[Node] = None, origin: Optional[Node] = None) -> MappingNode:
    """A new mapping holding `pairs`, with the marks (and style) of `like` (else `origin`)."""
    src = like if like is not None else origin
    node = MappingNode(MAP, pairs, src.start_mark if src is not None else None,
                       src.end_mark if src is not None else None,
                       flow_style=getattr(like, "flow_style", False) if like is not None else False)
    return node


def sequence(items: List[Node], like: Optional[Node] = None, origin: Optional[Node] = None) -> SequenceNode:
    src = like if like is not None else origin
    return SequenceNode(SEQ, items, src.start_mark if src is not None else None,
                        src.end_mark if src is not None else None,
                        flow_style=getattr(like, "flow_style", False) if like is not None else False)


def scalar(value: str, origin: Optional[Node], tag: str = STR) -> ScalarNode:
    """A synthetic scalar `value` located at `origin`'s text."""
    sm = origin.start_mark if origin is not None else None
    em = origin.end_mark if origin is not None else None
    style = origin.style if isinstance(origin, ScalarNode) else None
    return Synthetic(tag, value, sm, em, style=style)


def key_of(k: Node) -> Optional[str]:
    return k.value if isinstance(k, ScalarNode) else None


def lookup(node: Optional[Node], key: str) -> Optional[Node]:
    """The value of `key` in a mapping (last occurrence), or None."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = v
    return found


def lookup_path(node: Optional[Node], *path: Any) -> Optional[Node]:
    for p in path:
        if node is None:
            return None
        if isinstance(p, int):
            node = node.value[p] if isinstance(node, SequenceNode) and 0 <= p < len(node.value) else None
        else:
            node = lookup(node, p)
    return node


def text(node: Optional[Node]) -> Optional[str]:
    """The text of a non-null scalar, else None."""
    if isinstance(node, ScalarNode) and not is_null(node):
        return node.value
    return None


def with_key(node: MappingNode, key: str, value: Optional[Node], key_origin: Optional[Node] = None) -> MappingNode:
    """A copy of `node` where `key` holds `value` (None: the key is removed)."""
    pairs = []
    done = False
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            if value is not None and not done:
                pairs.append((k, value))
                done = True
            continue
        pairs.append((k, v))
    if value is not None and not done:
        knode = scalar(key, key_origin if key_origin is not None else value)
        pairs.append((knode, value))
    return mapping(pairs, like=node)


def set_path(node: MappingNode, path: Tuple[str, ...], value: Node, origin: Node, create: bool = True) -> Optional[MappingNode]:
    """A copy of `node` with `value` at `path` (mappings created when `create`), or None when a
    step is missing (and not created) or not a mapping."""
    if len(path) == 1:
        return with_key(node, path[0], value, origin)
    child = lookup(node, path[0])
    if child is None or is_null(child):
        if not create:
            return None
        child = mapping([], origin=origin)
    if not isinstance(child, MappingNode):
        return None
    new_child = set_path(child, path[1:], value, origin, create)
    if new_child is None:
        return None
    return with_key(node, path[0], new_child, origin)


def update_path(node: Node, path: Tuple[Any, ...], fn) -> Node:
    """A copy of `node` where the node at `path` (str keys, int indexes, "[]" = every item)
    is replaced by `fn(old)` (old None when absent; a None result leaves it absent). Absent
    intermediate keys stop the update (the node is returned unchanged)."""
    if not path:
        return fn(node)
    step, rest = path[0], path[1:]
    if step == "[]":
        if not isinstance(node, SequenceNode):
            return node
        items = [update_path(i, rest, fn) for i in node.value]
        if all(a is b for a, b in zip(items, node.value)):
            return node
        return sequence(items, like=node)
    if not isinstance(node, MappingNode):
        return node
    child = lookup(node, step)
    if child is None:
        if rest:
            return node
        new = fn(None)
        return node if new is None else with_key(node, step, new, node)
    new = update_path(child, rest, fn)
    if new is child:
        return node
    return with_key(node, step, new, node)


def data(node: Optional[Node]) -> Any:
    """Plain Python data of a rendered node (YAML 1.1 scalars, as PyYAML's safe loader)."""
    return to_python(node)


def items(node: Optional[Node]) -> List[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def pairs(node: Optional[Node]) -> Iterable[Tuple[str, Node, Node]]:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode):
                yield k.value, k, v


def value_of(node: Optional[Node]) -> Any:
    return scalar_value(node) if isinstance(node, ScalarNode) else None


def null(origin: Optional[Node]) -> ScalarNode:
    return Synthetic(NULL, "", origin.start_mark if origin else None, origin.end_mark if origin else None)
