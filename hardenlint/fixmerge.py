"""Merging the fixer's insertions at one point into one pass (see `fixer.choose`).

Fixes that add missing settings to one container (or service) all insert at the end of its
mapping. Each was written for the file as it was, so `fixer` applies one of them per pass and lets
the next pass recompute the others, which then nest into what the first one created
(`securityContext:` written once) and land after it. This module gives that text in one pass,
for the insertions whose result it can tell without re-linting:

- each is one `set_key` block (`patch.set_key`): a newline, then `key:` lines, one per level, each
  indented one step deeper than the one before, and a last `key: value` line;
- they are merged as `set_key` would write them one after the other: a key an earlier insertion
  created is entered, the rest goes at the end of that mapping; insertions into deeper mappings
  (a container's keys) come before those into the mappings around them (the pod's);
- nothing is merged that a recomputation could write differently: an insertion whose key is
  already there (it would replace a value), or one whose last `key: value` lands among other
  insertions' string values when its value is a string (`set_key` quotes a string like its
  string siblings; true/false, numbers, null and flow collections are written as given); the
  insertions after a refused one wait for the next pass with it (they would land after it), and
  `fixer` merges nothing at a point another fix's edit touches.

What a merge cannot see is a finding that another insertion would settle (after that insertion it
would not be found again, yet merged it is applied). The rules that insert settings today do not
bear on each other's findings (each looks at its own missing setting); tests/test_fix_merge.py
fixes every corpus manifest and compose file both ways and compares, so a rule that would is
caught there.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple

from .model.findings import Edit, Fix

_KEY_LINE = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_.\-/]*):(?: (\S.*))?\Z")
_NOT_A_STRING = re.compile(r"(?:true|false|null|-?[0-9]+|-?[0-9]+\.[0-9]+)\Z|[\[{]")  # no sibling quotes it


class Block:
    """One insertion as `set_key` writes it: `keys` (one per level), the value of the last,
    each level `step` deeper than `indent`."""

    def __init__(self, newline: str, indent: int, step: int, keys: Tuple[str, ...], value: str) -> None:
        self.newline, self.indent, self.step, self.keys, self.value = newline, indent, step, keys, value

    def lines(self, depth: int) -> str:
        """The text of levels `depth`.. (what goes in when the first `depth` levels exist)."""
        out = []
        for d in range(depth, len(self.keys)):
            pad = " " * (self.indent + d * self.step)
            last = d == len(self.keys) - 1
            out.append(f"{self.newline}{pad}{self.keys[d]}:" + (f" {self.value}" if last else ""))
        return "".join(out)


def block(fix: Fix) -> Optional[Tuple[int, Block]]:
    """(point, block) when `fix` is one `set_key` insertion, else None."""
    if len(fix.edits) != 1:
        return None
    e = fix.edits[0]
    if e.start != e.end:
        return None
    nl = "\r\n" if e.content.startswith("\r\n") else "\n"
    if not e.content.startswith(nl):
        return None
    rows = e.content[len(nl):].split(nl)
    keys: List[str] = []
    indents: List[int] = []
    value = None
    for i, row in enumerate(rows):
        m = _KEY_LINE.match(row)
        if m is None or "\r" in row or "\n" in row:
            return None
        last = i == len(rows) - 1
        if (m.group(3) is None) == last:  # `key:` opens the next level; only the last holds a value
            return None
        keys.append(m.group(2))
        indents.append(len(m.group(1)))
        value = m.group(3)
    step = indents[1] - indents[0] if len(indents) > 1 else 2
    if step <= 0 or any(b - a != step for a, b in zip(indents, indents[1:])):
        return None
    b = Block(nl, indents[0], step, tuple(keys), value)
    return (e.start, b) if b.lines(0) == e.content else None


class _Node:
    """A mapping the merged insertions created (or the one they go into: the root)."""

    def __init__(self) -> None:
        self.children: Dict[str, Optional["_Node"]] = {}  # key -> mapping, or None for a value
        self.strings = False  # holds a string value an insertion wrote
        self.attached: List["_Piece"] = []  # the insertions that went in here, in order


class _Piece:
    def __init__(self, rule: str, fix: Fix, text: str, created: List[_Node]) -> None:
        self.rule, self.fix, self.text, self.created = rule, fix, text, created


class Group:
    """The insertions merged at one point, by the indentation of the mapping they go into."""

    def __init__(self) -> None:
        self.levels: Dict[int, _Node] = {}
        self.steps: Dict[int, int] = {}
        self.fixes: List[Fix] = []  # those taken in, in finding order
        self.closed = False

    def add(self, rule: str, fix: Fix, b: Block) -> bool:
        """Take `b` in when its merged text is what `set_key` would write after the others. Once
        one is refused, so are the ones after it: they would come after it, a pass later."""
        place = None if self.closed else self._place(b)
        if place is None:
            self.closed = True
            return False
        node, depth = place
        created: List[_Node] = []
        at = node
        for key in b.keys[depth:-1]:
            at.children[key] = at = _Node()
            created.append(at)
        at.children[b.keys[-1]] = None
        at.strings = at.strings or not _NOT_A_STRING.match(b.value)
        node.attached.append(_Piece(rule, fix, b.lines(depth), created))
        self.fixes.append(fix)
        return True

    def _place(self, b: Block) -> Optional[Tuple[_Node, int]]:
        """(the mapping `b` goes into, how many of its levels exist), or None when the merged
        text could differ from what `set_key` would write."""
        if len(b.keys) > 1 and self.steps.setdefault(b.indent, b.step) != b.step:
            return None
        node, depth = self.levels.setdefault(b.indent, _Node()), 0
        while depth < len(b.keys) - 1 and b.keys[depth] in node.children:
            node, depth = node.children[b.keys[depth]], depth + 1
            if node is None:
                return None  # a value where this one needs a mapping
        if b.keys[depth] in node.children:
            return None  # the key is there: it would be replaced, not added
        if depth == len(b.keys) - 1 and node.strings and not _NOT_A_STRING.match(b.value):
            return None  # a string among strings others wrote: quoted like them, maybe
        return node, depth

    def pieces(self, point: int) -> List[Tuple[str, Fix]]:
        """The (rule, fix) pairs that write the merged text: each fix keeps its title and
        applicability, its insertion is its part of the text, in the order of the text."""
        out: List[Tuple[str, Fix]] = []

        def emit(p: _Piece) -> None:
            out.append((p.rule, Fix(p.fix.title, (Edit(point, point, p.text),), p.fix.applicability)))
            for node in reversed(p.created):
                for q in node.attached:
                    emit(q)

        for indent in sorted(self.levels, reverse=True):
            for p in self.levels[indent].attached:
                emit(p)
        return out
