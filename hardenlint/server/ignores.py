"""Suppression comments the "Ignore HLxxx for this line / file" code actions insert.

The comment is written in the file's own syntax and where `suppress.py` reads it: alone on the
line above the Dockerfile instruction (or the YAML key / list item) the finding is in, or, for the
whole file, near the top (after a Dockerfile's parser directives). A suppression comment already
there gets the id added (`# hardenlint ignore=HL301,HL307`). JSON has no comments: none offered.
"""
from __future__ import annotations

import re
from typing import Optional

from ..model.findings import Edit, Finding
from ..model.parsed import Parsed

_DIRECTIVE = re.compile(r"^#[ \t]*[A-Za-z][A-Za-z0-9_-]*[ \t]*=")
_ALONE = re.compile(r"^(?P<indent>[ \t]*)#[ \t]*hardenlint[ \t]*:?[ \t]*(?P<verb>ignore-file|ignore)[ \t]*=[ \t]*"
                    r"(?P<ids>[A-Za-z0-9_\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-]+)*)")
MAX_CLIMB = 400  # lines walked up from a finding to the YAML key or list item that owns it


def _extend(parsed: Parsed, line: int, verb: str, rule: str) -> Optional[Edit]:
    """An edit adding `rule` to the suppression comment alone on `line`, if there is one."""
    index = parsed.source.index
    if not 1 <= line <= index.line_count:
        return None
    m = _ALONE.match(index.line_text(line))
    if m is None or m.group("verb") != verb:
        return None
    at = index.offset(line) + m.end("ids")
    return Edit(at, at, f",{rule}")


def line_edit(parsed: Parsed, finding: Finding) -> Optional[Edit]:
    """The edit suppressing `finding`'s rule for the instruction / YAML node it is in."""
    if parsed.model is None or finding.rule == "HL001":
        return None
    index = parsed.source.index
    target = _dockerfile_line(parsed, finding) if parsed.kind == "dockerfile" else _yaml_line(parsed, finding)
    if target is None:
        return None
    existing = _extend(parsed, target - 1, "ignore", finding.rule)
    if existing is not None:
        return existing
    text = index.line_text(target)
    indent = text[:len(text) - len(text.lstrip(" \t"))]
    at = index.offset(target)
    return Edit(at, at, f"{indent}# hardenlint ignore={finding.rule}\n")


def file_edit(parsed: Parsed, rule: str) -> Optional[Edit]:
    """The edit suppressing `rule` in the whole file (`ignore-file=`)."""
    index = parsed.source.index
    for line in range(1, index.line_count + 1):
        existing = _extend(parsed, line, "ignore-file", rule)
        if existing is not None:
            return existing
    line = 1
    if parsed.kind == "dockerfile":  # parser directives must stay the first lines
        while line <= index.line_count and _DIRECTIVE.match(index.line_text(line)):
            line += 1
    if line > index.line_count:
        return Edit(len(index.text), len(index.text), ("" if index.text.endswith("\n") or not index.text else "\n")
                    + f"# hardenlint ignore-file={rule}\n")
    at = index.offset(line)
    return Edit(at, at, f"# hardenlint ignore-file={rule}\n")


def _dockerfile_line(parsed: Parsed, finding: Finding) -> Optional[int]:
    instruction = parsed.model.instruction_at(finding.span.line)
    return instruction.span.line if instruction is not None else None


def _yaml_line(parsed: Parsed, finding: Finding) -> Optional[int]:
    """The first line of the innermost key or list item whose scope covers the finding's line,
    where a comment line can go (not inside a multi-line scalar or a flow collection)."""
    model = parsed.model
    index = parsed.source.index
    want = finding.span.line
    inside = _Inside(parsed)
    for k in range(want, max(0, want - MAX_CLIMB), -1):
        if not index.line_text(k).strip() or index.line_text(k).lstrip().startswith("#"):
            continue
        scope = model.suppression_scope(k - 1)
        if scope is None or scope[0] != k or not scope[0] <= want <= scope[1]:
            continue
        if inside.scalar_or_flow(index.offset(k)):
            continue
        return k
    return None


class _Inside:
    """Whether an offset lies inside a multi-line scalar or a flow collection of the file."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self._ranges = None

    def scalar_or_flow(self, offset: int) -> bool:
        if self._ranges is None:
            from ..model.yamlnodes import ScalarNode, YamlLimitError, is_flow, walk

            text = self.parsed.source.text
            ranges = []
            try:
                for root in getattr(self.parsed.model, "documents", ()):
                    for node, _depth in walk(root):
                        s, e = node.start_mark.index, node.end_mark.index
                        if (isinstance(node, ScalarNode) and "\n" in text[s:e]) or (not isinstance(node, ScalarNode) and is_flow(node)):
                            ranges.append((s, e))
            except YamlLimitError:  # too large to tell: offer no line comment
                ranges = [(-1, len(text) + 1)]
            self._ranges = ranges
        return any(s < offset < e for s, e in self._ranges)
