"""The values that flow out of checks: spans, text edits, fixes and findings."""
from __future__ import annotations

from .positions import LineIndex
from .record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Tuple


@record(frozen=True)
class Span:
    """A region of a text: character offsets (end exclusive) and 1-based line/column.

    `end_column` is exclusive, like `end`. Build one with `Span.of(index, start, end)`.
    """

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, index: LineIndex, start: int, end: Optional[int] = None) -> "Span":
        end = start if end is None else end
        return cls(start, end, *index.positions(start, end))


@record(frozen=True)
class Edit:
    """Replace text[start:end] with `content` (offsets in the unmodified text)."""

    start: int
    end: int
    content: str


@record(frozen=True)
class Fix:
    """A set of non-overlapping edits that together resolve one finding."""

    title: str
    edits: Tuple[Edit, ...]
    applicability: str = "safe"  # "safe", "unsafe" or "display-only"


@record(frozen=True)
class Violation:
    """What a check reports; the engine turns it into a Finding.

    `level` is only set by rules whose catalogue entry gives a level that depends on the case
    (for example HL305 is an error for SYS_ADMIN); config overrides still win.
    `deferred` (a `hardenlint.model.objects.Deferred`) marks a finding that the run-wide object
    index decides once every file is read (cross-object rules such as HL316 and HL410).
    """

    span: Span
    message: str
    fix: Optional[Fix] = None
    level: Optional[str] = None
    deferred: Any = None


@record
class Finding:
    """One reported problem, with everything a reporter needs."""

    rule: str
    name: str
    level: str
    path: str
    span: Span
    message: str
    fix: Optional[Fix] = None
    kind: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def sort_key(self):
        return (self.path, self.span.line, self.span.column, self.rule)
