"""Between hardenlint's values and LSP's: offsets and positions, findings and diagnostics, edits.

hardenlint counts character offsets in the decoded text (Unicode code points); LSP positions are
(0-based line, column in the negotiated encoding: UTF-16 code units unless the client chose
UTF-8 or UTF-32).
"""
from __future__ import annotations

from typing import Iterable, List, Optional

from lsprotocol import types as lsp

from ..docs import page_url
from ..model.findings import Edit, Finding
from ..model.positions import LineIndex

SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "note": lsp.DiagnosticSeverity.Information,
}


class PositionMap:
    """Offsets of one text to LSP positions and back, in the client's position encoding."""

    def __init__(self, text: str, encoding: Optional[str] = "utf-16", index: Optional[LineIndex] = None) -> None:
        self.text = text
        self.index = index if index is not None and index.text is text else LineIndex(text)
        self.encoding = (encoding or "utf-16").lower()

    def _units(self, chars: str) -> int:
        if self.encoding == "utf-32" or chars.isascii():
            return len(chars)
        if self.encoding == "utf-8":
            return len(chars.encode("utf-8", "surrogatepass"))
        return len(chars) + sum(1 for c in chars if ord(c) > 0xFFFF)

    def position(self, offset: int) -> lsp.Position:
        offset = max(0, min(offset, len(self.text)))
        line, column = self.index.position(offset)
        start = self.index.starts[line - 1]
        return lsp.Position(line - 1, self._units(self.text[start:start + column - 1]))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.position(start), self.position(end))

    def offset(self, position: lsp.Position) -> int:
        """The character offset of an LSP position (clamped to the text, and to its line)."""
        starts = self.index.starts
        if position.line >= len(starts):
            return len(self.text)
        start = starts[position.line]
        end = self.index.line_end(position.line + 1)
        want = position.character
        if self.encoding == "utf-32" or self.text[start:end].isascii():
            return min(start + want, end)
        units = 0
        i = start
        while i < end and units < want:
            units += self._units(self.text[i])
            i += 1
        return i


def diagnostic(finding: Finding, pmap: PositionMap, redact=None) -> lsp.Diagnostic:
    """The LSP diagnostic of a finding: range, severity, code and its page, the CLI's message."""
    s = finding.span
    message = finding.message if redact is None else redact(finding.message)
    return lsp.Diagnostic(
        range=pmap.range(s.start, s.end),
        message=message,
        severity=SEVERITY.get(finding.level, lsp.DiagnosticSeverity.Hint),
        code=finding.rule,
        code_description=lsp.CodeDescription(href=page_url(finding.rule)),
        source="hardenlint",
    )


def text_edits(text: str, edits: Iterable[Edit], pmap: PositionMap) -> List[lsp.TextEdit]:
    """LSP text edits for hardenlint edits on `text`, written as `--fix` writes them (CRLF kept,
    no final newline added to a file without one)."""
    from ..fixer import normalise_edit, uses_crlf

    crlf = uses_crlf(text)
    out = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        n = normalise_edit(text, e, crlf)
        out.append(lsp.TextEdit(range=pmap.range(n.start, n.end), new_text=n.content))
    return out


def whole_change(old: str, new: str, pmap: PositionMap) -> Optional[lsp.TextEdit]:
    """One edit turning `old` into `new`: the span between their common prefix and suffix."""
    if old == new:
        return None
    start = _common(old, new, lambda s, k: s[:k])
    rest = min(len(old), len(new)) - start
    tail = _common(old, new, lambda s, k: s[len(s) - k:], rest)
    return lsp.TextEdit(range=pmap.range(start, len(old) - tail), new_text=new[start:len(new) - tail])


def _common(a: str, b: str, part, limit: Optional[int] = None) -> int:
    """Length of the longest common prefix (or suffix, with `part` taking the end) of a and b."""
    lo, hi = 0, min(len(a), len(b)) if limit is None else limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if part(a, mid) == part(b, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo
