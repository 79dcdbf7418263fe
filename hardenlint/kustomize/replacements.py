"""kustomize `replacements`: copy a field of one object into fields of others.

Field paths are kustomize's: dot-separated keys, `[key=value]` to pick list items, numeric list
indexes, `*` for every item, `[a.b]` for keys holding dots. With `options.delimiter` the value is
one part of a delimited string (`index` picks it) on either side. The copied node keeps the
position of the text it was read from; a value assembled from parts is `Synthetic`.
"""
from __future__ import annotations

import re
from typing import List, Optional

from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode
from .nodes import items, lookup, mapping, scalar, sequence, text, with_key
from .resources import Resource, selects

_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[]+")


class ReplacementError(Exception):
    pass


def tokens(path: str) -> List[str]:
    return [t for t in _TOKEN.findall(path) if t]


def _match(item: Node, tok: str) -> bool:
    k, _, v = tok[1:-1].partition("=")
    return text(lookup(item, k)) == v


def get_field(node: Optional[Node], toks: List[str]) -> Optional[Node]:
    for t in toks:
        if node is None:
            return None
        if t.startswith("[") and "=" in t:
            node = next((i for i in items(node) if _match(i, t)), None)
        elif t.isdigit() and isinstance(node, SequenceNode):
            i = int(t)
            node = node.value[i] if i < len(node.value) else None
        else:
            node = lookup(node, t[1:-1] if t.startswith("[") else t)
    return node


def set_field(node: Node, toks: List[str], fn, create: bool) -> Node:
    """A copy of `node` with the field at `toks` replaced by `fn(old)`."""
    if not toks:
        return fn(node)
    t, rest = toks[0], toks[1:]
    if isinstance(node, SequenceNode):
        new_items = list(node.value)
        changed = False
        for i, it in enumerate(node.value):
            if t == "*" or (t.startswith("[") and "=" in t and _match(it, t)) or (t.isdigit() and int(t) == i):
                new_items[i] = set_field(it, rest, fn, create)
                changed = changed or new_items[i] is not it
        return sequence(new_items, like=node) if changed else node
    if not isinstance(node, MappingNode):
        return node
    key = t[1:-1] if t.startswith("[") else t
    child = lookup(node, key)
    if child is None:
        if not create:
            return node
        child = mapping([], origin=node) if rest else None
        if child is None:
            new = fn(None)
            return with_key(node, key, new, new) if new is not None else node
    new_child = set_field(child, rest, fn, create)
    return node if new_child is child else with_key(node, key, new_child)


def apply(res: List[Resource], entries: List[Node]) -> List[str]:
    """Run `replacements:` entries; returns problems (one line each)."""
    problems = []
    for e in entries:
        src = lookup(e, "source")
        fp = text(lookup(src, "fieldPath")) or "metadata.name"
        sel = [r for r in res if selects(src, r)]
        if len(sel) != 1:
            problems.append(f"replacement source {text(lookup(src, 'kind'))} {text(lookup(src, 'name'))}: "
                            f"{'no' if not sel else 'several'} matching objects")
            continue
        value = get_field(sel[0].node, tokens(fp))
        if value is None:
            problems.append(f"replacement source field {fp} not found")
            continue
        delim = text(lookup(lookup(src, "options"), "delimiter"))
        if delim and isinstance(value, ScalarNode):
            parts = value.value.split(delim)
            idx = int(text(lookup(lookup(src, "options"), "index")) or 0)
            if 0 <= idx < len(parts):
                value = scalar(parts[idx], value)
        for tgt in items(lookup(e, "targets")):
            select = lookup(tgt, "select")
            rejects = items(lookup(tgt, "reject"))
            opts = lookup(tgt, "options")
            create = text(lookup(opts, "create")) == "true"
            tdelim = text(lookup(opts, "delimiter"))
            tidx = int(text(lookup(opts, "index")) or 0)

            def put(old: Optional[Node], value=value, tdelim=tdelim, tidx=tidx) -> Optional[Node]:
                if tdelim and isinstance(old, ScalarNode) and isinstance(value, ScalarNode):
                    parts = old.value.split(tdelim)
                    if tidx >= len(parts):
                        parts.extend([""] * (tidx - len(parts) + 1))
                    parts[tidx] = value.value
                    return scalar(tdelim.join(parts), old)
                if old is None and not create:
                    return None
                return value

            for r in res:
                if select is not None and not selects(select, r):
                    continue
                if any(selects(rj, r) for rj in rejects):
                    continue
                node = r.node
                for path in items(lookup(tgt, "fieldPaths")):
                    node = set_field(node, tokens(text(path) or ""), put, create)
                if node is not r.node:
                    r.set_node(node)
    return problems
