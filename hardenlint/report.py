"""The result of a whole run, as the reporters see it."""
from __future__ import annotations

from collections import Counter

from .model.findings import Finding, Fix
from .model.positions import LineIndex
from .model.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

LEVEL_RANK = {"error": 3, "warning": 2, "note": 1, "none": 0}


@record
class Report:
    findings: List[Finding] = field(default_factory=list)
    files: int = 0  # files linted (of our kinds)
    skipped: Dict[str, str] = field(default_factory=dict)  # path -> reason (Helm, ...)
    unreadable: Dict[str, str] = field(default_factory=dict)  # path -> message
    internal_errors: List[str] = field(default_factory=list)
    fixed_by_rule: Counter = field(default_factory=Counter)  # rule -> fixes applied
    dry_run: bool = False  # --diff: the fixes were computed, not written
    texts: Dict[str, str] = field(default_factory=dict)  # path -> text, for reporters showing source lines
    secrets: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # path -> literal secret values
    secret_spans: Dict[str, Tuple[Tuple[int, int], ...]] = field(default_factory=dict)  # path -> where they are written in texts[path]
    enabled_rules: frozenset = frozenset()
    linted: List[str] = field(default_factory=list)  # paths of the files linted (of our kinds)
    baseline: Optional[Dict] = None  # --baseline: {file, hidden, stale entries}
    notes: List[Tuple[str, str]] = field(default_factory=list)  # (path, message): what was not linted, and why
    notices: List[str] = field(default_factory=list)  # one-line notes for stderr (a symlink not fixed, ...)
    unresolved: Optional[Dict[str, str]] = None  # --resolve: image reference -> why it was not resolved
    _indexes: Dict[str, LineIndex] = field(default_factory=dict, repr=False)

    def index(self, path: str) -> Optional[LineIndex]:
        """Line index of a file whose text the report kept (files with findings), else None."""
        text = self.texts.get(path)
        if text is None:
            return None
        idx = self._indexes.get(path)
        if idx is None:
            idx = self._indexes[path] = LineIndex(text)
        return idx

    def line_text(self, path: str, line: int) -> Optional[str]:
        idx = self.index(path)
        return idx.line_text(line) if idx is not None and 1 <= line <= idx.line_count else None

    @property
    def fixed(self) -> int:
        return sum(self.fixed_by_rule.values())

    def shown_line(self, path: str, line: int) -> Optional[str]:
        """`line_text` as output shows it: the spans where secret values are written masked with
        `*` (same length, so columns hold), every other character as it is."""
        src = self.line_text(path, line)
        spans = self.secret_spans.get(path)
        if src is None or not spans:
            return src
        from .masking import mask

        return mask(src, spans, self.index(path).offset(line))

    def holds_secret(self, path: str, text: str) -> bool:
        """Whether `text` (a fix's or suggestion's new text) contains a secret value of `path`:
        such text is left out of the output, not masked."""
        return any(v in text for v in self.secrets.get(path, ()))

    def shows_secret(self, path: str, fix: Optional[Fix]) -> bool:
        """Whether printing this fix (its inserted text) would echo a secret value."""
        return fix is not None and any(self.holds_secret(path, e.content) for e in fix.edits)

    def counts(self) -> Dict[str, int]:
        c = Counter(f.level for f in self.findings)
        return {lvl: c.get(lvl, 0) for lvl in ("error", "warning", "note")}

    def fixable(self) -> Dict[str, int]:
        c = Counter(f.fix.applicability for f in self.findings if f.fix is not None)
        return {"safe": c.get("safe", 0), "unsafe": c.get("unsafe", 0)}

    def at_or_above(self, threshold: str) -> int:
        if threshold == "none":
            return 0
        rank = LEVEL_RANK[threshold]
        return sum(1 for f in self.findings if LEVEL_RANK.get(f.level, 0) >= rank)
