"""The fixer's check that a fixed file is still a valid file of its kind, not just valid YAML.

- Compose: the data is validated against the Compose Specification's JSON Schema (shipped as
  `hardenlint/data/compose-spec.json`; its source is in `hardenlint/data/SOURCES.md`) with the
  small draft-07 validator below, which knows the keywords that schema uses for structure
  (`$ref`, `type`, `properties`, `patternProperties`, `additionalProperties`, `items`, `oneOf`,
  `anyOf`, `allOf`, `required`, `enum`, `uniqueItems`, `minimum`, `maximum`, `pattern`; `format`
  is not checked). hardenlint does not depend on `jsonschema` at run time, and these keywords
  are all a text edit of a fix can break (a list left null, a key at the wrong level, a value of
  the wrong type, a duplicated item); the tests check that it agrees with `jsonschema`.
- Kubernetes: lists stay lists and mappings stay mappings (a key that held a list may not end up
  null, a scalar or a mapping), and keys hardenlint writes or edits (`securityContext`,
  `capabilities`, `resources`, `add`, `drop`, `env`, ...) hold the shape the API expects.

A fixed text is refused only for problems the original did not have (a file that was already
off-spec somewhere can still be fixed elsewhere): problems are compared as (path, keyword), with
list indices generalised so that removing an item does not move the others' problems.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from .model.record import field, record

Problem = Tuple[Tuple[str, ...], str]  # (path with list indices as "*", keyword)

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "data", "compose-spec.json")


# --- entry point ------------------------------------------------------------------------------

@record(frozen=True)
class Facts:
    """What the check knows of one text: its problems and, for Kubernetes, the shapes found at
    each path (list indices as "*")."""

    problems: FrozenSet[Problem]
    shapes: Dict[Tuple[str, ...], FrozenSet[str]] = field(default_factory=dict)

    def admits(self, after: "Facts") -> bool:
        """Whether `after` (the facts of a fixed text) adds no problem to these: no new schema
        or known-key problem, and no path that held only lists (or only mappings) now holding
        something else."""
        if not after.problems <= self.problems:
            return False
        for path, shapes in after.shapes.items():
            before = self.shapes.get(path)
            if before and before <= {"list", "mapping"} and not shapes <= before:
                return False
        return True


def facts(kind: Optional[str], text: str, documents: Optional[Sequence[Any]] = None,
          numbers: Optional[Sequence[int]] = None) -> Optional[Facts]:
    """The facts of a YAML text of `kind`, or None when it does not load or the kind has no such
    check (only compose and kubernetes have). For Kubernetes, `documents` (the parsed model's
    document root nodes) spare composing the text again: manifests can be large; with `numbers`
    (their places in the file) they are some of the file's documents, and the facts are theirs."""
    if kind == "compose":
        docs = _load(text)
        if docs is None:
            return None
        out: Set[Problem] = set()
        for doc in docs:
            if doc is not None:
                _validate(doc, _schema(), (), out)
        return Facts(frozenset(out))
    if kind != "kubernetes":
        return None
    roots = list(documents) if documents is not None else _compose(text)
    if roots is None:
        return None
    problems: Set[Problem] = set()
    shapes: Dict[Tuple[str, ...], Set[str]] = {}
    for n, root in zip(range(len(roots)) if numbers is None else numbers, roots):
        _walk_k8s(root, (str(n),), problems, shapes)
    return Facts(frozenset(problems), {p: frozenset(s) for p, s in shapes.items()})


def still_valid(kind: Optional[str], before: Optional[Facts], text: str,
                documents: Optional[Sequence[Any]] = None, numbers: Optional[Sequence[int]] = None) -> bool:
    """Whether `text`, a fixed version of a file whose facts were `before`, is still a valid
    file of its kind (see `Facts.admits`); True when the original could not be checked. With
    `numbers` (see `facts`), for those documents: problems and shapes are per document, so the
    file is valid when each document is."""
    if before is None:
        return True
    after = facts(kind, text, documents, numbers)
    return after is not None and before.admits(after)


def _load(text: str) -> Optional[List[Any]]:
    import yaml

    try:
        return list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None


def _compose(text: str) -> Optional[List[Any]]:
    import yaml

    try:
        return [d for d in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d is not None]
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None


# --- compose: a small draft-07 validator ------------------------------------------------------

@lru_cache(maxsize=1)
def _schema() -> Dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


def _resolve(ref: str) -> Dict[str, Any]:
    node: Any = _schema()
    for part in ref.lstrip("#").strip("/").split("/"):
        node = node[part]
    return node


def _is_valid(value: Any, schema: Dict[str, Any]) -> bool:
    out: Set[Problem] = set()
    _validate(value, schema, (), out)
    return not out


def _validate(value: Any, schema: Any, path: Tuple[str, ...], out: Set[Problem]) -> None:
    """Add the problems of `value` against `schema` (at `path`) to `out`."""
    if schema is True or schema is None:
        return
    if schema is False:
        out.add((path, "false"))
        return
    if "$ref" in schema:  # draft-07: the keywords next to $ref are ignored
        _validate(value, _resolve(schema["$ref"]), path, out)
        return
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_TYPES[x](value) for x in types if x in _TYPES):
            out.add((path, "type"))
            return
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        out.add((path, "enum"))
    if "oneOf" in schema and sum(_is_valid(value, s) for s in schema["oneOf"]) != 1:
        out.add((path, "oneOf"))
    if "anyOf" in schema and not any(_is_valid(value, s) for s in schema["anyOf"]):
        out.add((path, "anyOf"))
    for sub in schema.get("allOf", ()):
        _validate(value, sub, path, out)
    if isinstance(value, dict):
        _validate_object(value, schema, path, out)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for item in value:
                _validate(item, items, path + ("*",), out)
        if schema.get("uniqueItems") and len({_key(v) for v in value}) != len(value):
            out.add((path, "uniqueItems"))
    elif isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.add((path, "pattern"))
    elif _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            out.add((path, "minimum"))
        if "maximum" in schema and value > schema["maximum"]:
            out.add((path, "maximum"))


def _validate_object(value: Dict[Any, Any], schema: Dict[str, Any], path: Tuple[str, ...], out: Set[Problem]) -> None:
    props = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extra = schema.get("additionalProperties", True)
    for k, v in value.items():
        key = str(k)
        matched = False
        if key in props:
            matched = True
            _validate(v, props[key], path + (key,), out)
        for pattern, sub in patterns.items():
            if re.search(pattern, key):
                matched = True
                _validate(v, sub, path + (key,), out)
        if not matched:
            if extra is False:
                out.add((path + (key,), "additionalProperties"))
            elif isinstance(extra, dict):
                _validate(v, extra, path + (key,), out)
    for name in schema.get("required", ()):
        if name not in value:
            out.add((path + (name,), "required"))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (_TYPES["number"](a) and _TYPES["number"](b) and a == b)


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


# --- kubernetes: shapes -----------------------------------------------------------------------

K8S_LISTS = frozenset({
    "containers", "initContainers", "ephemeralContainers", "volumes", "volumeMounts", "env",
    "envFrom", "ports", "add", "drop", "imagePullSecrets", "tolerations",
})
K8S_MAPPINGS = frozenset({
    "metadata", "spec", "template", "jobTemplate", "securityContext", "capabilities", "resources",
    "limits", "requests", "labels", "annotations", "seccompProfile", "appArmorProfile",
    "seLinuxOptions",
})


def _walk_k8s(root: Any, path: Tuple[str, ...], out: Set[Problem], shapes: Dict[Tuple[str, ...], Set[str]]) -> None:
    """Record the shape at every path of a document's node graph (each collection once per path:
    aliases make a graph) and the known keys holding the wrong shape."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    from .model.yamlnodes import NULL

    def note(node: Any, at: Tuple[str, ...]) -> bool:
        """Record one node; True when it is a collection to walk into."""
        if isinstance(node, MappingNode):
            shape = "mapping"
        elif isinstance(node, SequenceNode):
            shape = "list"
        else:
            shape = "null" if isinstance(node, ScalarNode) and node.tag == NULL else "scalar"
        got = shapes.get(at)
        if got is None:
            shapes[at] = {shape}
        else:
            got.add(shape)
        if len(at) >= 2 and at[-2] not in ("labels", "annotations"):
            if at[-1] in K8S_LISTS and shape != "list":
                out.add((at, "list"))
            elif at[-1] in K8S_MAPPINGS and shape != "mapping":
                out.add((at, "mapping"))
        return shape in ("mapping", "list")

    stack = [(root, path)] if note(root, path) else []
    seen: Set[Tuple[int, Tuple[str, ...]]] = set()
    while stack:
        node, at = stack.pop()
        if (id(node), at) in seen:
            continue
        seen.add((id(node), at))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                child = at + (str(k.value),)
                if note(v, child):
                    stack.append((v, child))
        else:
            child = at + ("*",)
            for item in node.value:
                if note(item, child):
                    stack.append((item, child))
