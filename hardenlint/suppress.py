"""Inline suppressions: `# hardenlint ignore=HL203,DL3002 -- reason` and `ignore-file=`.

A comment alone on its line covers the next instruction (Dockerfile) or the next key / list item
and everything under it (YAML); in YAML a comment at the end of a line covers that line.
`ignore-file` anywhere covers the whole file. Ids and peer aliases are accepted; an unknown id is
reported as HL002 at the id.
"""
from __future__ import annotations

from . import lazyre
from .catalogue import resolve_id
from .model.findings import Span, Violation
from .model.parsed import Parsed
from .model.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import FrozenSet, List, Optional, Tuple

_COMMENT = lazyre.compile(
    r"(?P<lead>^[ \t]*|[ \t])#[ \t]*hardenlint[ \t]*:?[ \t]*(?P<verb>ignore-file|ignore)[ \t]*=[ \t]*"
    r"(?P<ids>[A-Za-z0-9_\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-]+)*)"
)
_ID = lazyre.compile(r"[A-Za-z0-9_\-]+")


@record
class Suppressions:
    """Where each rule is suppressed in one file."""

    whole_file: set = field(default_factory=set)
    ranges: List[Tuple[FrozenSet[str], int, int]] = field(default_factory=list)
    unknown: List[Violation] = field(default_factory=list)  # HL002

    def covers(self, rule: str, line: int) -> bool:
        if rule in self.whole_file:
            return True
        return any(rule in ids and first <= line <= last for ids, first, last in self.ranges)


def collect(parsed: Parsed) -> Suppressions:
    """Read every suppression comment of a parsed file (and the model's annotation ones)."""
    out = Suppressions()
    for token, span in getattr(parsed.model, "unknown_suppressions", ()):
        out.unknown.append(Violation(span, f"unknown rule id {token!r} in a suppression annotation (it suppresses nothing)"))
    text = parsed.source.text
    if "hardenlint" not in text:
        out.ranges.extend(parsed.extra_suppressions)
        return out
    index = parsed.source.index
    yaml_kind = parsed.kind in ("compose", "kubernetes")
    for lineno in range(1, index.line_count + 1):
        line = index.line_text(lineno)
        if "hardenlint" not in line:
            continue
        m = _COMMENT.search(line)
        if m is None:
            continue
        alone = not line[: m.start("lead") + len(m.group("lead"))].strip()
        if not alone and not yaml_kind:
            continue  # a `#` after an instruction is not a comment in a Dockerfile
        ids = set()
        base = index.offset(lineno)
        for tok in _ID.finditer(m.group("ids")):
            rid = resolve_id(tok.group())
            if rid:
                ids.add(rid)
            else:
                start = base + m.start("ids") + tok.start()
                out.unknown.append(Violation(
                    Span.of(index, start, start + len(tok.group())),
                    f"unknown rule id {tok.group()!r} in a suppression comment (it suppresses nothing)",
                ))
        if not ids:
            continue
        if m.group("verb") == "ignore-file":
            out.whole_file |= ids
            continue
        scope: Optional[Tuple[int, int]] = parsed.suppression_scope(lineno) if alone else (lineno, lineno)
        if scope:
            out.ranges.append((frozenset(ids), scope[0], scope[1]))
    out.ranges.extend(parsed.extra_suppressions)
    return out
