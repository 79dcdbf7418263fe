"""The YAML patcher: text edits that add, change or remove settings the way the file is written.

Every function returns a tuple of `Edit`s (offsets into `source.text`, non-overlapping) and never
rewrites the tree, so comments, quoting, indentation, flow/block style and line endings stay as
the user wrote them. `file` is a `YamlFile` (or anything with `.source`) or a `SourceFile`.

- `set_key(file, mapping, path, value)`: make `path` (a key or a tuple of keys) under `mapping`
  hold `value`. Missing intermediate mappings are created; existing ones (block or flow) are
  merged into; an existing value is replaced. New keys go after the mapping's last entry (after its
  trailing comment), indented like its keys (a sequence item's mapping: aligned with the key after
  `- `), nested levels by the file's indent step; in a flow mapping inside the braces. A key that
  is only present through `<<:` gets an explicit key (which overrides the merged one); an
  intermediate mapping that only exists through `<<:` or an alias is edited at its anchor.
- `append_item(file, seq_or_mapping, key, item)`: append to a list (block or flow, as written),
  creating `key` (str or tuple path) when absent: as a block list (`key:` then `- item`, dashes
  indented as the file's other lists) or, in a flow mapping, `key: [item]`. An item already present
  (same scalar) gives no edit.
- `remove_entry(file, target, mapping=None)` deletes a `key: value` entry (target: a Setting,
  the key node or the value node): whole lines, line ending included. When the mapping would become
  empty it is replaced by `{}` (`securityContext: {}`, `- {}`), so the file keeps its structure and
  stays valid; an `&anchor` (or `!tag`) on the emptied collection is kept (`x: &a {}`) so aliases
  still resolve. In a flow mapping the entry and its comma go.
- `remove_item(file, seq, item)`: deletes a list item (target: a Setting or the item node) the same
  way; a list that becomes empty is written `[]` (`cap_add: []`), which keeps the key with the
  clear meaning "none" rather than a null. The removals of entries of one block mapping, or of
  items of one block list, carry an empty edit at one shared point, so no two of them are applied
  together and the last one writes `{}` / `[]` (`_tie`).

Values (`value` / `item`): a Python bool/int/float is written as YAML (`true`, `512`). A str is
YAML scalar text, resolved as PyYAML (YAML 1.1) does: `true`/`yes` are booleans, `512`/`1:30`
ints, `RuntimeDefault` a string; text starting with a quote, `[` or `{` is used as given (so pass
`'"yes"'` for the string yes). Text that resolves to a string is quoted when it would not read
back as that string as a plain scalar where it goes (`a: b`, `#x`, blanks around it), and
quoted like its siblings when they are quoted strings (same quote character).
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any, Iterator, List, Optional, Sequence, Tuple, Union

import yaml

from ..source import SourceFile
from .findings import Edit
from .yamlnodes import (
    STR, MappingNode, Node, ScalarNode, SequenceNode, compose_stream, is_null, item_ranges,
    mapping_entries, node_end, value_range,
)

__all__ = ["set_key", "append_item", "remove_entry", "remove_item", "render_scalar", "indent_step", "newline"]

_RESOLVER = yaml.resolver.Resolver()


# --------------------------------------------------------------------------- file facts

def _source(file: Any) -> SourceFile:
    if isinstance(file, SourceFile):
        return file
    return file.source


def _documents(file: Any) -> List[Node]:
    docs = getattr(file, "documents", None)
    if docs:
        return list(docs)
    return [d.root for d in compose_stream(_source(file).text)[0] if d.root is not None]


def newline(text: str) -> str:
    """The file's line ending: "\\r\\n" when its first line ends so, else "\\n"."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


_INDENT_CACHE: dict = {}


def indent_step(text: str) -> int:
    """The file's indentation step: the most common increase of indentation between a `key:`
    line and the next content line (2 when none)."""
    key = text
    if key in _INDENT_CACHE:
        return _INDENT_CACHE[key]
    counts: Counter = Counter()
    prev_indent, prev_opens = None, False
    for line in text.splitlines():
        s = line.lstrip(" ")
        if not s or s.startswith("#"):
            continue
        ind = len(line) - len(s)
        if prev_opens and prev_indent is not None and ind > prev_indent and not s.startswith("- "):
            d = ind - prev_indent
            if 1 <= d <= 8:
                counts[d] += 1
        body = s[2:].lstrip() if s.startswith("- ") else s
        prev_indent = ind + (len(s) - len(body)) if s.startswith("- ") else ind
        prev_opens = body.rstrip().endswith(":") and not body.startswith("#")
    step = counts.most_common(1)[0][0] if counts else 2
    if len(_INDENT_CACHE) > 8:
        _INDENT_CACHE.clear()
    _INDENT_CACHE[key] = step
    return step


_SEQ_CACHE: dict = {}


def _seq_indented(text: str) -> bool:
    """Whether block lists under a key are indented (`key:` / `  - x`) rather than flush (`- x`)."""
    key = text
    if key not in _SEQ_CACHE:
        if len(_SEQ_CACHE) > 8:
            _SEQ_CACHE.clear()
        _SEQ_CACHE[key] = _seq_indented_uncached(text)
    return _SEQ_CACHE[key]


def _seq_indented_uncached(text: str) -> bool:
    lines = text.splitlines()
    votes = Counter()
    for i in range(len(lines) - 1):
        a = lines[i]
        s = a.lstrip(" ")
        if not s.rstrip().endswith(":") or s.startswith("#"):
            continue
        body = s[2:] if s.startswith("- ") else s
        key_col = len(a) - len(s) + (len(s) - len(body))
        for b in lines[i + 1:i + 3]:
            t = b.lstrip(" ")
            if not t or t.startswith("#"):
                continue
            if t.startswith("- ") or t == "-":
                votes[len(b) - len(t) > key_col] += 1
            break
        if sum(votes.values()) >= 5:
            break
    return votes[True] >= votes[False]


def _col(text: str, offset: int) -> int:
    """0-based column (code points) of an offset."""
    return offset - (text.rfind("\n", 0, offset) + 1)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _line_end(text: str, offset: int) -> int:
    """Offset of the line ending (before "\\r\\n"/"\\n") of the line holding `offset`."""
    j = text.find("\n", offset)
    if j == -1:
        return len(text)
    return j - 1 if j > 0 and text[j - 1] == "\r" else j


def _next_line_start(text: str, offset: int) -> int:
    j = text.find("\n", offset)
    return len(text) if j == -1 else j + 1


def _only_blank_before(text: str, offset: int) -> bool:
    return text[_line_start(text, offset):offset].strip(" \t") == ""


def _rest_of_line_blank(text: str, offset: int) -> bool:
    """Nothing but blanks or a comment after `offset` on its line."""
    rest = text[offset:_line_end(text, offset)]
    s = rest.lstrip(" \t")
    return s == "" or (s.startswith("#") and (rest != s or offset == 0 or text[offset - 1] in " \t"))


def _colon_after(text: str, key: Node) -> int:
    """Offset just after the `:` that follows a key."""
    j = key.end_mark.index
    while j < len(text) and text[j] in " \t":
        j += 1
    return j + 1 if j < len(text) and text[j] == ":" else key.end_mark.index


# --------------------------------------------------------------------------- scalars

def _quote(value: str, q: str) -> str:
    if q == "'":
        return "'" + value.replace("'", "''") + "'"
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + out + '"'


@lru_cache(maxsize=4096)  # a safe_load per call; fixes write the same few values over and over
def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or "\n" in value:
        return False
    doc = f"[{value}]" if flow else f"k: {value}"
    try:
        data = yaml.safe_load(doc)
    except yaml.YAMLError:
        return False
    got = data[0] if flow and isinstance(data, list) and len(data) == 1 else (
        data.get("k") if isinstance(data, dict) and len(data) == 1 else None)
    return got == value and isinstance(got, str)


def render_scalar(value: Any, flow: bool = False, quote: Optional[str] = None) -> str:
    """YAML text for a value (see the module docstring). `quote` is the siblings' quote char."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if text[:1] in ("'", '"', "[", "{"):
        return text
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag != STR and text == text.strip() and text:
        return text
    if quote in ("'", '"'):
        return _quote(text, quote)
    return text if _plain_ok(text, flow) else _quote(text, '"')


def _sibling_quote(nodes: Sequence[Node]) -> Optional[str]:
    """The quote char most string scalars among `nodes` use (None when most are plain)."""
    styles = Counter()
    for n in nodes:
        if isinstance(n, ScalarNode) and n.tag == STR:
            styles[n.style if n.style in ("'", '"') else "plain"] += 1
    if not styles:
        return None
    best, _ = styles.most_common(1)[0]
    return best if best in ("'", '"') else None


# --------------------------------------------------------------------------- set_key

def _written_entry(mapping: MappingNode, key: str) -> Optional[Tuple[Node, Node]]:
    """The last `key: value` pair written in this mapping's own text (merges not followed)."""
    found = None
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key and k.tag != "tag:yaml.org,2002:merge":
            found = (k, v)
    return found


def _key_indent(text: str, mapping: MappingNode) -> int:
    for k, _ in mapping.value:
        return _col(text, k.start_mark.index)
    return _col(text, mapping.start_mark.index)


def _block_lines(keys: Sequence[str], value_text: str, indent: int, step: int, nl: str,
                 list_item: bool = False, seq_indented: bool = True) -> str:
    """Text for a nested block: `k1:` / `  k2: value` (leading newline included)."""
    out = []
    for depth, k in enumerate(keys):
        pad = " " * (indent + depth * step)
        if depth == len(keys) - 1:
            if list_item:
                dash_pad = " " * (indent + depth * step + (step if seq_indented else 0))
                out.append(f"{nl}{pad}{k}:{nl}{dash_pad}- {value_text}")
            else:
                out.append(f"{nl}{pad}{k}: {value_text}")
        else:
            out.append(f"{nl}{pad}{k}:")
    return "".join(out)


def _flow_text(keys: Sequence[str], value_text: str) -> str:
    s = value_text
    for k in reversed(keys[1:]):
        s = "{" + f"{k}: {s}" + "}"
    return f"{keys[0]}: {s}"


def _insert_into(text: str, mapping: MappingNode, keys: Sequence[str], value_text: str,
                 list_item: bool = False) -> Edit:
    """Insert `keys...: value` as new entries of `mapping` (which lacks keys[0])."""
    if getattr(mapping, "flow_style", False):
        close = mapping.end_mark.index - 1
        while close > mapping.start_mark.index and text[close] != "}":
            close -= 1
        inner = _flow_text(keys, f"[{value_text}]" if list_item else value_text)
        if not mapping.value:
            return Edit(close, close, inner)
        last_k, last_v = mapping.value[-1]
        end = max(value_range(text, last_k, last_v)[1], last_k.end_mark.index)
        return Edit(end, end, ", " + inner)
    nl = newline(text)
    step = indent_step(text)
    indent = _key_indent(text, mapping)
    block = _block_lines(keys, value_text, indent, step, nl, list_item, _seq_indented(text))
    last = _last_value(mapping)
    if last is not None and _keeps_trailing_lines(text, last):
        # `|+` keeps its trailing blank lines: insert after them, not after its last text
        pos = last.end_mark.index
        if pos == _line_start(text, pos) and pos > 0:
            return Edit(pos, pos, block[len(nl):] + nl)
    end = node_end(text, mapping)
    pos = _line_end(text, max(end - 1, mapping.start_mark.index))
    return Edit(pos, pos, block)


def _last_value(mapping: MappingNode) -> Optional[Node]:
    node: Node = mapping
    for _ in range(400):
        if isinstance(node, MappingNode) and node.value and not _inside_flow(node):
            k, v = node.value[-1]
            if v.start_mark.index < k.end_mark.index:
                return None
            node = v
        elif isinstance(node, SequenceNode) and node.value and not _inside_flow(node):
            node = node.value[-1]
        else:
            return node if node is not mapping else None
    return None


def _keeps_trailing_lines(text: str, node: Node) -> bool:
    if not isinstance(node, ScalarNode) or node.style not in ("|", ">"):
        return False
    s = node.start_mark.index
    header = text[s:_line_end(text, s)].split("#", 1)[0]
    return "+" in header


def _value_replacement(text: str, key: Node, value: Node, new_text: str) -> Edit:
    colon = _colon_after(text, key)
    vs, ve = value_range(text, key, value)
    end = max(ve, colon)
    return Edit(colon, end, " " + new_text)


def set_key(file: Any, mapping: Node, path: Union[str, Sequence[str]], value: Any) -> Tuple[Edit, ...]:
    """Make `path` under `mapping` hold `value` (see the module docstring). Returns the edits
    (empty when the value is already written exactly so)."""
    src = _source(file)
    text = src.text
    keys = (path,) if isinstance(path, str) else tuple(path)
    if not keys or not isinstance(mapping, MappingNode):
        raise ValueError("set_key needs a mapping node and a non-empty path")
    node = mapping
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        rest = keys[i:]
        written = _written_entry(node, key)
        flow = bool(getattr(node, "flow_style", False))
        if written is None:
            e = mapping_entries(node).get(key)
            if e is not None and not last and isinstance(e.value_node, MappingNode):
                node = e.value_node  # only through `<<:`: edit the anchor's mapping
                continue
            quote = _sibling_quote([v for _, v in node.value]) if last else None
            vt = render_scalar(value, flow or _inside_flow(node), quote)
            return (_insert_into(text, node, rest, vt),)
        k, v = written
        if last:
            quote = _sibling_quote([vv for _, vv in node.value if vv is not v])
            vt = render_scalar(value, flow, quote)
            if isinstance(v, ScalarNode) and v.start_mark.index >= k.end_mark.index and \
                    text[v.start_mark.index:v.end_mark.index] == vt:
                return ()
            return (_value_replacement(text, k, v, vt),)
        if isinstance(v, MappingNode):
            node = v
            continue
        # null or wrong type: write the rest of the path as the value
        vt = render_scalar(value, flow)
        return (_replace_with_nested(text, k, v, keys[i + 1:], vt, flow, False),)
    return ()


def _replace_with_nested(text: str, k: Node, v: Node, rest: Sequence[str], value_text: str, flow: bool,
                         list_item: bool) -> Edit:
    """Replace the (null or wrongly typed) value of `k` by a new mapping holding `rest: value`."""
    if flow:
        inner = f"[{value_text}]" if list_item else value_text
        return _value_replacement(text, k, v, "{" + _flow_text(rest, inner) + "}")
    step = indent_step(text)
    block = _block_lines(rest, value_text, _col(text, k.start_mark.index) + step, step, newline(text),
                         list_item, _seq_indented(text))
    colon = _colon_after(text, k)
    return Edit(colon, max(value_range(text, k, v)[1], colon), block)


def _inside_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


# --------------------------------------------------------------------------- append_item

def append_item(file: Any, target: Node, key: Union[str, Sequence[str], None], item: Any) -> Tuple[Edit, ...]:
    """Append `item` to the list at `key` under mapping `target` (or to `target` itself when it is
    a sequence; `key` is then ignored). Creates the key (and intermediate mappings) if absent."""
    src = _source(file)
    text = src.text
    if isinstance(target, SequenceNode):
        return _append_to_seq(text, target, item)
    keys = () if key is None else ((key,) if isinstance(key, str) else tuple(key))
    if not isinstance(target, MappingNode) or not keys:
        raise ValueError("append_item needs a sequence, or a mapping and a key")
    node = target
    for i, k in enumerate(keys):
        last = i == len(keys) - 1
        written = _written_entry(node, k)
        flow = _inside_flow(node)
        if written is None:
            e = mapping_entries(node).get(k)
            if e is not None and isinstance(e.value_node, (MappingNode, SequenceNode)) and not last:
                node = e.value_node
                continue
            if e is not None and last and isinstance(e.value_node, SequenceNode):
                # only through `<<:`: extend the anchor's list
                return _append_to_seq(text, e.value_node, item)
            it = render_scalar(item, True if flow else False)
            return (_insert_into(text, node, keys[i:], it, list_item=True),)
        kn, v = written
        if last:
            if isinstance(v, SequenceNode):
                return _append_to_seq(text, v, item)
            it = render_scalar(item, True)
            if is_null(v) or isinstance(v, ScalarNode):
                if is_null(v) and not flow:
                    nl = newline(text)
                    ind = _col(text, kn.start_mark.index)
                    pad = " " * (ind + (indent_step(text) if _seq_indented(text) else 0))
                    colon = _colon_after(text, kn)
                    ve = max(value_range(text, kn, v)[1], colon)
                    return (Edit(colon, ve, f"{nl}{pad}- {render_scalar(item, False)}"),)
                return (_value_replacement(text, kn, v, f"[{it}]"),)
            return (_value_replacement(text, kn, v, f"[{it}]"),)
        if isinstance(v, MappingNode):
            node = v
            continue
        it = render_scalar(item, flow)
        return (_replace_with_nested(text, kn, v, keys[i + 1:], it, flow, True),)
    return ()


def _append_to_seq(text: str, seq: SequenceNode, item: Any) -> Tuple[Edit, ...]:
    flow = _inside_flow(seq)
    quote = _sibling_quote(seq.value)
    it = render_scalar(item, flow, quote)
    want = _scalar_of(it)
    for n in seq.value:
        if isinstance(n, ScalarNode) and want is not None and _scalar_of_node(n) == want:
            return ()
    ranges = item_ranges(text, seq)
    if flow:
        close = seq.end_mark.index - 1
        while close > seq.start_mark.index and text[close] != "]":
            close -= 1
        if not ranges:
            return (Edit(close, close, it),)
        end = ranges[-1][2]
        return (Edit(end, end, ", " + it),)
    nl = newline(text)
    _, s, e = ranges[-1]
    dash = _dash_before(text, s)
    col = _col(text, dash if dash is not None else s)
    pos = _line_end(text, max(e - 1, s))
    return (Edit(pos, pos, f"{nl}{' ' * col}- {it}"),)


def _scalar_of(text: str) -> Optional[Tuple[str, Any]]:
    try:
        v = yaml.safe_load(f"[{text}]")
    except yaml.YAMLError:
        return None
    return ("v", v[0]) if isinstance(v, list) and len(v) == 1 and not isinstance(v[0], (list, dict)) else None


def _scalar_of_node(node: ScalarNode) -> Optional[Tuple[str, Any]]:
    from .yamlnodes import scalar_value
    return ("v", scalar_value(node))


def _dash_before(text: str, offset: int) -> Optional[int]:
    j = offset - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j if j >= 0 and text[j] == "-" else None


# --------------------------------------------------------------------------- removal

def _find_container(docs: List[Node], text: str, start: int, end: int, want_seq: bool) -> Optional[Tuple[Node, Optional[Tuple[Node, Node]], Optional[Node]]]:
    """Find the mapping (or sequence) that holds a pair/item written at [start, end).

    Returns (container, its own parent entry (key, value) or None, parent container)."""
    for root in docs:
        if root is None or not (root.start_mark.index <= start <= max(root.end_mark.index, end)):
            continue
        parent_entry = None
        parent = None
        node = root
        for _ in range(400):
            if isinstance(node, MappingNode):
                if not want_seq:
                    for k, v in node.value:
                        if k.start_mark.index == start:
                            return node, parent_entry, parent
                nxt = None
                for k, v in node.value:
                    if v.start_mark.index < k.end_mark.index:
                        continue
                    if v.start_mark.index <= start < max(node_end(text, v), v.start_mark.index + 1):
                        nxt = (k, v)
                        break
                if nxt is None:
                    return None
                parent_entry, parent, node = nxt, node, nxt[1]
            elif isinstance(node, SequenceNode):
                rs = item_ranges(text, node)
                if want_seq and any(s == start for _, s, _ in rs):
                    return node, parent_entry, parent
                nxt = None
                for it, s, e in rs:
                    if it.start_mark.index == s and s <= start < max(e, s + 1):
                        nxt = it
                        break
                if nxt is None:
                    return None
                parent_entry, parent, node = None, node, nxt
            else:
                return None
    return None


def _target_nodes(target: Any) -> Tuple[Optional[Node], Optional[Node], Optional[Node]]:
    """(key node, value node, parent) from a Setting or a node."""
    if hasattr(target, "node") and hasattr(target, "key_node"):
        return target.key_node, target.node, getattr(target, "parent", None)
    return None, target, None


def remove_entry(file: Any, target: Any, mapping: Optional[MappingNode] = None) -> Tuple[Edit, ...]:
    """Delete a `key: value` entry (see the module docstring). `target`: a Setting, or the key
    node (or value node) of the entry; `mapping`: the mapping holding it (found if omitted)."""
    src = _source(file)
    text = src.text
    key, value, parent = _target_nodes(target)
    mapping = mapping if isinstance(mapping, MappingNode) else (parent if isinstance(parent, MappingNode) else None)
    if mapping is not None:
        pair = _pair_in(mapping, key, value)
    else:
        pair = None
    docs = None
    if pair is None:
        docs = _documents(file)
        probe = key if key is not None else value
        for root in docs:
            found = _find_pair(text, root, probe)
            if found:
                mapping, pair = found
                break
    if pair is None or mapping is None:
        raise ValueError("entry not found in the file")
    k, v = pair
    start = k.start_mark.index
    end = max(value_range(text, k, v)[1], _colon_after(text, k))
    pairs = [p for p in mapping.value]
    idx = next(i for i, p in enumerate(pairs) if p[0] is k)
    if _inside_flow(mapping):
        return (_remove_flow(text, [(pk.start_mark.index, max(value_range(text, pk, pv)[1], _colon_after(text, pk)))
                                    for pk, pv in pairs], idx, mapping, "{}"),)
    if len(pairs) == 1:
        return (_empty_block(file, text, mapping, start, end, "{}", docs),)
    tie = _tie(text, pairs[0][0].start_mark.index)
    if _only_blank_before(text, start):
        return (Edit(_line_start(text, start), _removal_end(text, end), ""),) + tie
    # first key on a `- ` line: pull the next key up onto the dash line
    nk = pairs[idx + 1][0] if idx + 1 < len(pairs) else None
    if nk is not None:
        return (Edit(start, nk.start_mark.index, ""),) + tie
    return (Edit(start, _line_end(text, end), "{}"),) + tie


def _removal_end(text: str, end: int) -> int:
    """End of the deletion for content ending at `end`: through the line ending."""
    return _next_line_start(text, max(end - 1, 0)) if _rest_of_line_blank(text, end) else end


def _pair_in(mapping: MappingNode, key: Optional[Node], value: Optional[Node]) -> Optional[Tuple[Node, Node]]:
    for k, v in mapping.value:
        if (key is not None and k is key) or (key is None and (v is value or k is value)):
            return k, v
    if key is not None:
        for k, v in mapping.value:
            if k.start_mark.index == key.start_mark.index:
                return k, v
    return None


def _pairs(root: Node, descend=lambda node: True) -> Iterator[Tuple[MappingNode, Node, Node]]:
    """(mapping, key, value) of every mapping entry under `root`, each node visited once (aliases
    make a graph), going only into the children for which `descend(child)` is true."""
    stack, seen = [root], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, MappingNode):
            for k, v in n.value:
                yield n, k, v
                if descend(v):
                    stack.append(v)
        elif isinstance(n, SequenceNode):
            stack.extend(c for c in n.value if descend(c))


def _find_pair(text: str, root: Node, probe: Node) -> Optional[Tuple[MappingNode, Tuple[Node, Node]]]:
    want = probe.start_mark.index
    for n, k, v in _pairs(root):
        if k is probe or v is probe or k.start_mark.index == want or (
                v.start_mark.index == want and v.start_mark.index >= k.end_mark.index):
            return n, (k, v)
    return None


def _remove_flow(text: str, ranges: List[Tuple[int, int]], idx: int, node: Node, empty: str) -> Edit:
    """Remove entry/item `idx` of a flow collection with its comma; the last one leaves `[]`/`{}`."""
    if len(ranges) == 1:
        open_ = node.start_mark.index
        while open_ < node.end_mark.index and text[open_] not in "[{":
            open_ += 1
        return Edit(open_, node.end_mark.index, empty)
    s, e = ranges[idx]
    if idx + 1 < len(ranges):
        return Edit(s, ranges[idx + 1][0], "")
    return Edit(ranges[idx - 1][1], e, "")


def _empty_block(file: Any, text: str, container: Node, start: int, end: int, empty: str,
                 docs: Optional[List[Node]]) -> Edit:
    """Replace a block collection's only entry/item: `key: {}` / `- {}` / `key: []`."""
    docs = docs if docs is not None else _documents(file)
    props = _properties(text, container)  # keep `&anchor` / `!tag`: aliases still refer to it
    empty = f"{props} {empty}" if props else empty
    found = _find_owner(docs, text, container)
    if found is not None:
        owner_key = found
        colon = _colon_after(text, owner_key)
        return Edit(colon, _line_end(text, end), " " + empty)
    dash = _dash_before(text, container.start_mark.index)
    if dash is not None:
        return Edit(dash + 1, _line_end(text, end), " " + empty)
    return Edit(container.start_mark.index if props else start, _line_end(text, end), empty)


def _properties(text: str, node: Node) -> str:
    """The `&anchor` and `!tag` written before a node's content ('' when none)."""
    i = node.start_mark.index
    out = []
    while i < len(text) and text[i] in "&!":
        j = i
        while j < len(text) and text[j] not in " \t\r\n":
            j += 1
        out.append(text[i:j])
        while j < len(text) and text[j] in " \t\r\n":
            j += 1
        i = j
    return " ".join(out)


def _find_owner(docs: List[Node], text: str, container: Node) -> Optional[Node]:
    """The key whose value is `container` (written there, not via alias), or None."""
    s = container.start_mark.index

    def holds(node: Node) -> bool:  # only nodes whose text contains the container's start
        return node.start_mark.index <= s < max(node.end_mark.index, node.start_mark.index + 1)

    for root in docs:
        for _, k, v in _pairs(root, holds):
            if (v is container or (v.start_mark.index == s and type(v) is type(container))) \
                    and v.start_mark.index >= k.end_mark.index:
                return k
    return None


def remove_item(file: Any, seq: Optional[SequenceNode], item: Any) -> Tuple[Edit, ...]:
    """Delete a list item (see the module docstring). `item`: a Setting or the item node; `seq`:
    the sequence (taken from the Setting's parent, or found, when None)."""
    src = _source(file)
    text = src.text
    _, node, parent = _target_nodes(item)
    if seq is None and isinstance(parent, SequenceNode):
        seq = parent
    span_start = getattr(getattr(item, "span", None), "start", None)
    docs = None
    if seq is None:
        docs = _documents(file)
        seq = _find_seq(docs, node, span_start)
        if seq is None:
            raise ValueError("item not found in the file")
    ranges = item_ranges(text, seq)
    idx = None
    for i, (n, s, e) in enumerate(ranges):
        if (span_start is not None and s == span_start) or (span_start is None and n is node):
            idx = i
            break
    if idx is None:
        for i, (n, s, e) in enumerate(ranges):
            if n is node or n.start_mark.index == node.start_mark.index:
                idx = i
                break
    if idx is None:
        raise ValueError("item not in the sequence")
    _, s, e = ranges[idx]
    if _inside_flow(seq):
        return (_remove_flow(text, [(a, b) for _, a, b in ranges], idx, seq, "[]"),)
    if len(ranges) == 1:
        return (_empty_block(file, text, seq, s, e, "[]", docs),)
    dash = _dash_before(text, s)
    first = dash if dash is not None else s
    first_dash = _dash_before(text, ranges[0][1])
    tie = _tie(text, first_dash if first_dash is not None else ranges[0][1])
    if _only_blank_before(text, first):
        return (Edit(_line_start(text, first), _removal_end(text, e), ""),) + tie
    # `- - x` nested on one line, or the dash follows other text: remove up to the next item
    nxt = ranges[idx + 1][1] if idx + 1 < len(ranges) else None
    if nxt is not None:
        nd = _dash_before(text, nxt)
        return (Edit(first, nd if nd is not None else nxt, ""),) + tie
    prev_end = ranges[idx - 1][2]
    return (Edit(prev_end, e, ""),) + tie


def _tie(text: str, first: int) -> Tuple[Edit, ...]:
    """An empty edit at the line break before a block collection's first entry (at `first`),
    added to every removal of one of its entries or items: removals computed for the collection
    as written would together empty it and leave its key null (`cap_add:`, `seLinuxOptions:`),
    so the tie makes them conflict and the fixer (or a SARIF consumer applying the
    non-overlapping fixes) applies one per pass, the last one writing `[]` / `{}`. None when the
    first entry does not start its line (a mapping in a `- ` item: the item keeps other keys)."""
    start = _line_start(text, first)
    if start == 0 or not _only_blank_before(text, first):
        return ()
    return (Edit(start - 1, start - 1, ""),)


def _find_seq(docs: List[Node], node: Node, start: Optional[int]) -> Optional[SequenceNode]:
    for root in docs:
        stack = [root]
        seen = set()
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            if isinstance(n, SequenceNode):
                if any(c is node for c in n.value):
                    return n
                stack.extend(n.value)
            elif isinstance(n, MappingNode):
                for _, v in n.value:
                    stack.append(v)
    return None
