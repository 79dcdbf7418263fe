"""Map character offsets in a text to 1-based (line, column) and back.

Columns count Unicode code points, as SARIF's `columnKind: unicodeCodePoints` does; offsets index
the decoded text (BOM removed), which is what every Span and Edit uses.
"""
from __future__ import annotations

from bisect import bisect_right

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Tuple


class LineIndex:
    """Line starts of one text. A line ends after "\\n"; "\\r" stays part of its line."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts: List[int] = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def position(self, offset: int) -> Tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        if offset < 0:
            offset = 0
        elif offset > len(self.text):
            offset = len(self.text)
        starts = self.starts
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def positions(self, start: int, end: int) -> Tuple[int, int, int, int]:
        """`position(start) + position(end)`, without a second search when both are on one line."""
        line, column = self.position(start)
        if 0 <= start <= end <= len(self.text) and (line == len(self.starts) or end < self.starts[line]):
            return line, column, line, column + end - start
        return (line, column) + self.position(end)

    def offset(self, line: int, column: int = 1) -> int:
        """Character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_end(self, line: int) -> int:
        """Offset just before the line ending of a 1-based line."""
        return self.starts[line - 1] + len(self.line_text(line))
