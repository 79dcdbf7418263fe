"""Positioned YAML: PyYAML nodes with their text positions, merge keys and aliases resolved.

Loading
- `compose_stream(text)` composes every document with `yaml.CSafeLoader` (falling back to
  `yaml.SafeLoader` when PyYAML has no libyaml). Only safe loaders are ever used, and nothing is
  *constructed*: we keep the node graph, which holds every node's start and end mark.
- `mark.index` is a code-point offset into the text passed in, for both loaders, with CRLF line
  ends, non-BMP characters and after source.py stripped a BOM (tested), so it indexes
  `SourceFile.text` directly and `Span.of(source.index, start, end)` gives the span.
- When the stream has a broken document, the text is split on `---` lines at column 0 and each
  chunk is composed on its own; marks of the nodes from a chunk are shifted so offsets still index
  the whole text. A broken chunk becomes a `YamlError` (message + offset); the others survive.

Nodes and values
- `mapping_entries(node)` gives `{key text: Entry}` with `<<:` merge keys resolved as YAML 1.1
  (and PyYAML) do: a single mapping or a list of mappings (earlier ones win), nested merges,
  explicit keys override merged ones, a duplicated explicit key keeps its last occurrence. A
  merged entry has `merged=True` and its nodes are the ones written in the anchor.
- `get(node, *path)` follows str keys (mappings, merges resolved) and int indexes (sequences).
- `scalar_value(node)` resolves a scalar the way PyYAML's SafeLoader would (YAML 1.1: `yes`/`on`
  are booleans, `1:30` is a sexagesimal int, ...); `text_value(node)` is the raw text, which is
  what Compose (YAML 1.2, strings) means for fields such as `ports`, `user` or `mem_limit`.
- An alias is the very node of its anchor (PyYAML shares nodes), so its marks point at the anchor.
  Functions that answer "where is this written *here*" (`value_range`, `item_ranges`,
  `node_end`) detect an alias by position and locate the `*name` text instead.

Hostile input
- Composing is cheap even for "billion laughs" (aliases are shared nodes), and libyaml refuses
  nesting deeper than 1000. Every walk in hardenlint is iterative or bounded: `walk()` and
  `to_python()` count visits (`MAX_VISITS`) and depth (`MAX_DEPTH`) and raise `YamlLimitError`,
  which the parser turns into HL001 "document too large or too deeply aliased".
  `check_expansion(node)` measures a document's alias-expanded size in linear time (run by the
  parser on documents that use anchors).
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .findings import Span
from .positions import LineIndex

try:  # pragma: no cover - depends on how PyYAML was built
    LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    LOADER = yaml.SafeLoader

MAX_DEPTH = 200
MAX_VISITS = 1_000_000

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"

__all__ = [
    "LOADER", "MAX_DEPTH", "MAX_VISITS", "Node", "MappingNode", "SequenceNode", "ScalarNode",
    "YamlLimitError", "YamlError", "Document", "Entry", "compose_stream", "split_documents",
    "check_expansion", "mapping_entries", "mapping_items", "get", "get_entry", "items",
    "scalar_value", "text_value", "as_bool", "is_null", "to_python", "walk", "span", "node_range",
    "node_start", "node_end", "value_range", "entry_range", "item_ranges", "scalar_text_range",
    "is_flow", "key_text",
]


class YamlLimitError(Exception):
    """A document is too large once aliases are expanded, too deep, or recursive."""

    MESSAGE = "document too large or too deeply aliased"

    def __init__(self, detail: str = "", node: Optional[Node] = None) -> None:
        super().__init__(f"{self.MESSAGE}{': ' + detail if detail else ''}")
        self.node = node


class YamlError(NamedTuple):
    """A document that failed to compose: the problem text and the offset it points at."""

    message: str  # "YAML error: <problem> (<context>)"
    offset: int


class Document(NamedTuple):
    """One composed document: its root node (None for an empty document) and its text range."""

    root: Optional[Node]
    start: int
    end: int


class Entry(NamedTuple):
    """One key of a mapping after merge keys are resolved.

    `mapping` is the mapping node the pair is written in (the anchor's mapping for a merged key).
    """

    key: str
    key_node: Node
    value_node: Node
    merged: bool
    mapping: MappingNode


# --------------------------------------------------------------------------- loading

_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


_RESOLVE_CACHE: Dict[str, str] = {}
_LOADER_CLASSES: Dict[type, type] = {}


def _fast_loader(base: type) -> type:
    """`base` with a memoised implicit-tag resolver (the composer's main Python-side cost: the
    same plain scalars, `name`, `image`, `true`, recur across files) and no-op path resolvers
    (safe loaders have none). Tags are exactly what `base.resolve` gives."""
    cls = _LOADER_CLASSES.get(base)
    if cls is not None:
        return cls
    resolve = base.resolve
    if base.yaml_path_resolvers:  # pragma: no cover - a safe loader has none
        _LOADER_CLASSES[base] = base
        return base
    default = base.DEFAULT_SCALAR_TAG

    def fast_resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if not implicit[0]:
                return default
            tag = _RESOLVE_CACHE.get(value)
            if tag is None:
                tag = resolve(self, kind, value, implicit)
                if len(value) < 64:
                    if len(_RESOLVE_CACHE) > 50_000:
                        _RESOLVE_CACHE.clear()
                    _RESOLVE_CACHE[value] = tag
            return tag
        return resolve(self, kind, value, implicit)

    def no_path(self, *args):
        return None

    cls = type(base.__name__ + "Fast", (base,), {
        "resolve": fast_resolve, "descend_resolver": no_path, "ascend_resolver": no_path})
    _LOADER_CLASSES[base] = cls
    return cls


try:  # pragma: no cover - depends on how PyYAML was built
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover
    _CParser = None
_DEEP_FLOW = re.compile(r"[\[{](?:[ \t\r\n]*[\[{]){%d,}" % MAX_DEPTH)


def _compose_all(text: str) -> List[Optional[Node]]:
    if (_CParser is None or not issubclass(LOADER, _CParser)) and ("[" in text or "{" in text):
        # PyYAML's pure-Python scanner is quadratic in flow nesting depth: refuse early
        m = _DEEP_FLOW.search(text)
        if m is not None:
            raise yaml.parser.ParserError(None, None, "flow collections nested too deeply",
                                          Mark("<text>", m.start(), 0, 0, None, None))
    loader = _fast_loader(LOADER)(text)
    try:
        docs = []
        while loader.check_node():
            docs.append(loader.get_node())
        return docs
    finally:
        loader.dispose()


def _error_of(exc: BaseException, shift: int = 0, fallback: int = 0) -> YamlError:
    if isinstance(exc, RecursionError):
        return YamlError("YAML error: nesting too deep to parse", fallback)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        offset = (mark.index + shift) if mark is not None else fallback
        return YamlError(f"YAML error: {problem}{context}", offset)
    return YamlError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", fallback)


def split_documents(text: str) -> List[Tuple[int, int]]:
    """Text ranges of the documents of a stream, cut at `---` lines (column 0)."""
    cuts = [m.start() for m in _DOC_START.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(text))
    ranges = [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b or a == 0]
    # `%YAML` / `%TAG` directives belong to the document after them
    out: List[Tuple[int, int]] = []
    carry = None
    for a, b in ranges:
        if carry is not None:
            a, carry = carry, None
        body = [ln for ln in text[a:b].splitlines()[1 if text.startswith("---", a) else 0:]
                if ln.strip() and not ln.lstrip().startswith("#")]
        if body and all(ln.startswith("%") for ln in body) and b < len(text):
            carry = a
            continue
        out.append((a, b))
    return out


def map_marks(roots: Iterable[Node], move: Callable[[Mark], Mark]) -> None:
    """Replace every start and end mark under `roots` by `move(mark)` (iterative, each node once,
    aliases included)."""
    seen = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        for attr in ("start_mark", "end_mark"):
            m = getattr(n, attr)
            if m is not None:
                setattr(n, attr, move(m))
        if isinstance(n, MappingNode):
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)


def _shift_marks(root: Node, offset: int, lines: int) -> None:
    """Move every node's marks by `offset` characters and `lines` lines."""
    map_marks((root,), lambda m: Mark(m.name, m.index + offset, m.line + lines, m.column, None, None))


def compose_documents(text: str) -> List[Optional[Node]]:
    """Every document root of `text` (None for an empty document), with the tags the parser
    gives; raises what PyYAML raises (the fixer's independent check that a text loads)."""
    return list(yaml.compose_all(text, Loader=_fast_loader(LOADER)))


def compose_stream(text: str) -> Tuple[List[Document], List[YamlError]]:
    """Compose every document of `text`; broken documents become errors, the others survive.

    Fast path: one `compose_all` over the whole text. When it fails, the text is split at `---`
    lines and each chunk is composed alone (marks shifted to whole-text offsets).
    """
    try:
        roots = _compose_all(text)
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        first_error = e
    else:
        return [Document(r, r.start_mark.index, r.end_mark.index) for r in roots if r is not None], []
    chunks = split_documents(text)
    if len(chunks) == 1:
        err = _error_of(first_error, 0, 0)
        last = len(text.rstrip())
        return [], [err._replace(offset=max(0, last - 1)) if err.offset >= last else err]
    docs: List[Document] = []
    errors: List[YamlError] = []
    line_shift, counted = 0, 0
    for a, b in chunks:
        chunk = text[a:b]
        line_shift += text.count("\n", counted, a)
        counted = a
        try:
            roots = _compose_all(chunk)
        except (yaml.YAMLError, RecursionError, ValueError) as e:
            err = _error_of(e, a, a)
            # an error at the end of the chunk ("expected node content") belongs to its last text
            last = a + len(chunk.rstrip())
            errors.append(err._replace(offset=min(err.offset, max(a, last - 1))) if err.offset >= last else err)
            continue
        for r in roots:
            if r is not None and a:
                _shift_marks(r, a, line_shift)
            if r is not None:
                docs.append(Document(r, r.start_mark.index, r.end_mark.index))
    return docs, errors


def check_expansion(root: Optional[Node], max_visits: int = MAX_VISITS) -> None:
    """Raise YamlLimitError when `root` expands (aliases followed) to more than `max_visits`
    nodes or is recursive. Linear in the number of distinct nodes."""
    if root is None:
        return
    size: Dict[int, int] = {}
    on_path = set()
    stack: List[Tuple[Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        i = id(n)
        if done:
            on_path.discard(i)
            if isinstance(n, MappingNode):
                total = 1 + sum(size[id(k)] + size[id(v)] for k, v in n.value)
            elif isinstance(n, SequenceNode):
                total = 1 + sum(size[id(c)] for c in n.value)
            else:
                total = 1
            if total > max_visits:
                raise YamlLimitError(f"more than {max_visits} nodes once aliases are expanded", n)
            size[i] = total
            continue
        if i in size:
            continue
        if i in on_path:
            raise YamlLimitError("recursive alias", n)
        on_path.add(i)
        stack.append((n, True))
        if isinstance(n, MappingNode):
            for k, v in n.value:
                for c in (k, v):
                    if id(c) in on_path:
                        raise YamlLimitError("recursive alias", c)
                    if id(c) not in size:
                        stack.append((c, False))
        elif isinstance(n, SequenceNode):
            for c in n.value:
                if id(c) in on_path:
                    raise YamlLimitError("recursive alias", c)
                if id(c) not in size:
                    stack.append((c, False))


# --------------------------------------------------------------------------- values

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_NULL_TEXTS = frozenset(("", "~", "null", "Null", "NULL"))


def scalar_value(node: Optional[Node]) -> Any:
    """The Python value PyYAML's SafeLoader gives a scalar: bool/int/float/None/str.

    Timestamps, binary and unknown (custom `!tag`) scalars give their raw text. Non-scalars
    (and None) give None.
    """
    if not isinstance(node, ScalarNode):
        return None
    tag = node.tag
    try:
        if tag == STR:
            return node.value
        if tag == NULL:
            return None
        if tag == BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == INT:
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, KeyError, yaml.YAMLError):
        return node.value
    return node.value


def is_null(node: Optional[Node]) -> bool:
    """True for a missing node or a null scalar (`key:`, `~`, `null`)."""
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL)


def text_value(node: Optional[Node]) -> Optional[str]:
    """The scalar's text as written (unquoted), or None for null and non-scalars.

    Use it for fields Compose reads as strings (YAML 1.2), where PyYAML's YAML 1.1 resolution
    would mislead: `ports: [22:22]` (sexagesimal int), `user: 1000:1000`, `mem_limit: 1e9`.
    """
    if not isinstance(node, ScalarNode) or node.tag == NULL:
        return None
    return node.value


_TRUE = frozenset(("true", "yes", "on", "y", "1"))
_FALSE = frozenset(("false", "no", "off", "n", "0"))


def as_bool(node_or_value: Any) -> Optional[bool]:
    """A boolean reading of a node or value: YAML booleans, and strings Compose casts
    (`"true"`, `"yes"`, `"on"`, `"y"`, `"1"` / their false forms, any case); None otherwise."""
    v = scalar_value(node_or_value) if isinstance(node_or_value, Node) else node_or_value
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return {1: True, 0: False}.get(v)
    if isinstance(v, str):
        low = v.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    return None


def key_text(node: Node) -> Optional[str]:
    """The text of a scalar key (None for complex keys)."""
    return node.value if isinstance(node, ScalarNode) else None


def mapping_entries(node: Optional[Node], _stack: Optional[set] = None) -> Dict[str, Entry]:
    """`{key text: Entry}` of a mapping with `<<:` merges resolved (see module docstring).

    Not a mapping -> {}. A mapping with merge keys has its result memoised on the node (do not
    mutate it), so nested merges cost linear time. Raises YamlLimitError for merges nested deeper
    than MAX_DEPTH or recursive merges.
    """
    if not isinstance(node, MappingNode):
        return {}
    cached = node.__dict__.get("_hl_entries")
    if cached is not None:
        return cached
    explicit: Dict[str, Entry] = {}
    merges: List[Node] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode):
            if k.tag == MERGE:
                merges.append(v)
            else:
                explicit.pop(k.value, None)
                explicit[k.value] = Entry(k.value, k, v, False, node)
    if not merges:
        # not memoised: the Entries point back at `node`, and a cycle through every mapping would
        # keep whole documents alive for the garbage collector (3x slower on the corpus)
        return explicit
    stack = _stack if _stack is not None else set()
    if id(node) in stack:
        raise YamlLimitError("recursive merge key", node)
    if len(stack) >= MAX_DEPTH:
        raise YamlLimitError("merge keys nested too deeply", node)
    stack.add(id(node))
    try:
        merged: Dict[str, Entry] = {}
        for m in merges:
            subs = [m] if isinstance(m, MappingNode) else (
                [s for s in m.value if isinstance(s, MappingNode)] if isinstance(m, SequenceNode) else [])
            layer: Dict[str, Entry] = {}
            for sub in reversed(subs):  # earlier mappings in the list win
                for key, e in mapping_entries(sub, stack).items():
                    layer[key] = e if e.merged else e._replace(merged=True)
            merged.update(layer)  # a later `<<` key wins over an earlier one (as PyYAML)
    finally:
        stack.discard(id(node))
    result = {k: e for k, e in merged.items() if k not in explicit}
    result.update(explicit)
    node.__dict__["_hl_entries"] = result
    return result


def mapping_items(node: Optional[Node]) -> List[Tuple[Node, Node]]:
    """(key node, value node) pairs of a mapping, merges resolved; [] when not a mapping."""
    return [(e.key_node, e.value_node) for e in mapping_entries(node).values()]


def get_entry(node: Optional[Node], key: str) -> Optional[Entry]:
    """The Entry for `key` in a mapping (merges resolved), or None."""
    if not isinstance(node, MappingNode):
        return None
    cached = node.__dict__.get("_hl_entries")
    if cached is not None:
        return cached.get(key)
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode):
            if k.tag == MERGE:
                return mapping_entries(node).get(key)
            if k.value == key:
                found = (k, v)
    return Entry(key, found[0], found[1], False, node) if found is not None else None


def get(node: Optional[Node], *path: Union[str, int]) -> Optional[Node]:
    """Follow `path` (str: mapping key, int: sequence index) from `node`; None if absent."""
    for p in path:
        if node is None:
            return None
        if isinstance(p, int):
            if not isinstance(node, SequenceNode) or not -len(node.value) <= p < len(node.value):
                return None
            node = node.value[p]
        else:
            e = get_entry(node, p)
            node = e.value_node if e is not None else None
    return node


def items(node: Optional[Node]) -> List[Node]:
    """The items of a sequence node; [] for anything else."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def walk(root: Optional[Node], max_depth: int = MAX_DEPTH, max_visits: int = MAX_VISITS) -> Iterator[Tuple[Node, int]]:
    """Every node under `root` (aliases followed, so shared nodes come once per use), as
    (node, depth), depth-first. Raises YamlLimitError past `max_depth` or `max_visits`."""
    if root is None:
        return
    visits = 0
    stack: List[Tuple[Node, int]] = [(root, 0)]
    while stack:
        n, d = stack.pop()
        visits += 1
        if visits > max_visits:
            raise YamlLimitError(f"more than {max_visits} nodes", n)
        if d > max_depth:
            raise YamlLimitError(f"nested deeper than {max_depth}", n)
        yield n, d
        if isinstance(n, MappingNode):
            for k, v in reversed(n.value):
                stack.append((v, d + 1))
                stack.append((k, d + 1))
        elif isinstance(n, SequenceNode):
            for c in reversed(n.value):
                stack.append((c, d + 1))


def to_python(node: Optional[Node], max_depth: int = MAX_DEPTH, max_visits: int = MAX_VISITS) -> Any:
    """Construct plain Python data from a node (merges resolved, scalars as `scalar_value`),
    bounded: raises YamlLimitError past `max_depth`/`max_visits`. Shared (aliased) nodes are
    built once and shared in the result. Complex keys become their tuple/str form."""
    memo: Dict[int, Any] = {}
    budget = [0]

    def build(n: Node, depth: int) -> Any:
        budget[0] += 1
        if budget[0] > max_visits:
            raise YamlLimitError(f"more than {max_visits} nodes", n)
        if depth > max_depth:
            raise YamlLimitError(f"nested deeper than {max_depth}", n)
        i = id(n)
        if i in memo:
            return memo[i]
        if isinstance(n, ScalarNode):
            return scalar_value(n)
        if isinstance(n, SequenceNode):
            out: Any = []
            memo[i] = out
            out.extend(build(c, depth + 1) for c in n.value)
            return out
        out = {}
        memo[i] = out
        for e in mapping_entries(n).values():
            out[scalar_value(e.key_node) if e.key_node.tag != STR else e.key] = build(e.value_node, depth + 1)
        for k, v in n.value:
            if not isinstance(k, ScalarNode):
                try:
                    out[repr(build(k, depth + 1))] = build(v, depth + 1)
                except TypeError:
                    pass
        return out

    if node is None:
        return None
    try:
        return build(node, 0)
    except RecursionError:
        raise YamlLimitError("nested too deeply", node) from None


# --------------------------------------------------------------------------- positions

def is_flow(node: Node) -> bool:
    """True for a flow collection (`[...]`, `{...}`)."""
    return bool(getattr(node, "flow_style", False))


_WS = " \t\r\n"


def _skip_to_alias(text: str, pos: int, limit: int = 4096) -> Optional[Tuple[int, int]]:
    """From `pos`, skip blanks, comments, indicators (`- : , ? [ {`), anchors and tags; if an
    alias `*name` follows, return its (start, end)."""
    n = len(text)
    end = min(n, pos + limit)
    i = pos
    while i < end:
        c = text[i]
        if c in _WS or c in "-:,?[{":
            i += 1
        elif c == "#":
            j = text.find("\n", i)
            i = n if j == -1 else j
        elif c in "&!":
            while i < n and text[i] not in _WS and text[i] not in ",[]{}":
                i += 1
        elif c == "*":
            j = i + 1
            while j < n and text[j] not in _WS and text[j] not in ",[]{}":
                j += 1
            return i, j
        else:
            return None
    return None


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _WS:
        end -= 1
    return end


def node_start(node: Node) -> int:
    """Offset where the node's text starts (its anchor or tag included)."""
    return node.start_mark.index


def node_end(text: str, node: Node) -> int:
    """Offset just after the node's own text, trailing blank lines and comments excluded.

    A block collection ends where its last entry (as written, an alias's `*name` included) ends.
    """
    for _ in range(MAX_DEPTH * 4):
        if isinstance(node, ScalarNode):
            end = node.end_mark.index
            if node.style in ("|", ">"):
                end = _rstrip_end(text, node.start_mark.index, end)
            return end
        if is_flow(node) or not node.value:
            return node.end_mark.index
        if isinstance(node, MappingNode):
            k, v = node.value[-1]
            if v.start_mark.index < k.end_mark.index:
                al = _skip_to_alias(text, k.end_mark.index)
                return al[1] if al else k.end_mark.index
            node = v
        else:
            vals = node.value
            last = vals[-1]
            bound = vals[-2].end_mark.index if len(vals) > 1 else node.start_mark.index
            if last.start_mark.index < bound or last is node:
                al = _skip_to_alias(text, bound)
                return al[1] if al else _rstrip_end(text, bound, node.end_mark.index)
            node = last
    raise YamlLimitError("nested too deeply", node)


def node_range(text: str, node: Node) -> Tuple[int, int]:
    """(start, end) of the node's own text (see `node_end`)."""
    return node.start_mark.index, node_end(text, node)


def value_range(text: str, key_node: Node, value_node: Node) -> Tuple[int, int]:
    """Where the value of `key: value` is written: the `*alias` text when the value is an alias,
    else the node's range. A null value (`key:`) gives an empty range after the colon."""
    if value_node.start_mark.index < key_node.end_mark.index:
        al = _skip_to_alias(text, key_node.end_mark.index)
        if al:
            return al
    return value_node.start_mark.index, node_end(text, value_node)


def entry_range(text: str, key_node: Node, value_node: Node) -> Tuple[int, int]:
    """(start, end) of a whole `key: value` entry as written (value included, aliases as `*name`)."""
    start = key_node.start_mark.index
    end = max(value_range(text, key_node, value_node)[1], key_node.end_mark.index)
    if end == key_node.end_mark.index:  # null value: include the colon
        j = key_node.end_mark.index
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == ":":
            end = j + 1
    return start, end


def item_ranges(text: str, seq: Node) -> List[Tuple[Node, int, int]]:
    """(item node, start, end) of every item of a sequence as written here (aliases as `*name`);
    the `- ` indicator is not included."""
    out: List[Tuple[Node, int, int]] = []
    if not isinstance(seq, SequenceNode):
        return out
    bound = seq.start_mark.index
    first = True
    for item in seq.value:
        s = item.start_mark.index
        if s < bound or (first and s <= bound and item is seq):
            al = _skip_to_alias(text, bound)
            if al:
                out.append((item, al[0], al[1]))
                bound = al[1]
                first = False
                continue
        e = node_end(text, item)
        out.append((item, s, e))
        bound = max(bound, item.end_mark.index, e)
        first = False
    return out


def scalar_text_range(text: str, node: ScalarNode, start: Optional[int] = None,
                      end: Optional[int] = None) -> Tuple[int, int]:
    """The range of a scalar's *content*: anchor/tag prefix skipped, inside the quotes when
    quoted. For a quoted scalar with escapes the range still covers the whole quoted text."""
    s = node.start_mark.index if start is None else start
    e = node.end_mark.index if end is None else end
    while s < e and text[s] in "&!":
        while s < e and text[s] not in _WS:
            s += 1
        while s < e and text[s] in _WS:
            s += 1
    if node.style in ('"', "'") and e - s >= 2 and text[s] == node.style and text[e - 1] == node.style:
        return s + 1, e - 1
    if node.style in ("|", ">"):
        return s, _rstrip_end(text, s, e)
    return s, e


def span(index: Union[LineIndex, Any], node: Node) -> Span:
    """The Span of a node's own text (`index`: a LineIndex, or anything with `.index`)."""
    idx = index if isinstance(index, LineIndex) else index.index
    s, e = node_range(idx.text, node)
    return Span.of(idx, s, e)
