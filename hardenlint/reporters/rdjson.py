"""reviewdog Diagnostic Format, `rdjson` (a `DiagnosticResult`), for `reviewdog -f=rdjson`.

Positions follow the format's definition: lines and columns are 1-based, a column counts UTF-8
bytes (not characters), and a range's end is exclusive. Severities are ERROR, WARNING and INFO.

Each fix (safe or unsafe; not display-only) becomes ONE suggestion that rewrites whole lines:
from the first line any of its edits touches to the last, with every edit applied. reviewdog's
GitHub reviewers post a suggestion only when its line range is the comment's line range (they take
that range from the first suggestion), so one whole-line suggestion per finding is what lets a
multi-edit fix, or one that inserts a line, appear as a "commit suggestion" on a pull request.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

from ..docs import page_url
from ..model.findings import Finding, Fix
from ..model.positions import LineIndex
from ..report import Report
from .json import finding_dict

SOURCE = {"name": "hardenlint", "url": "https://github.com/hardenlint/hardenlint"}
SEVERITY = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class _Positions:
    """Offsets of one text to rdjson positions (byte columns)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)

    def at(self, offset: int) -> Dict[str, int]:
        offset = max(0, min(offset, len(self.text)))
        line, _ = self.index.position(offset)
        start = self.index.starts[line - 1]
        return {"line": line, "column": _utf8_len(self.text[start:offset]) + 1}


def _index(report: Report, path: str) -> Optional[_Positions]:
    text = report.texts.get(path)
    return _Positions(text) if text is not None else None


def _range(f: Finding, pos: Optional[_Positions]) -> Dict[str, Any]:
    s = f.span
    if pos is not None and 0 <= s.start <= s.end <= len(pos.text):
        return {"start": pos.at(s.start), "end": pos.at(s.end)}
    # No text to measure bytes with: character columns (the same for ASCII).
    return {"start": {"line": s.line, "column": s.column}, "end": {"line": s.end_line, "column": s.end_column}}


def _eol(chunk: str) -> str:
    if chunk.endswith("\r\n"):
        return "\r\n"
    if chunk.endswith("\n"):
        return "\n"
    return ""


def suggestion(fix: Fix, pos: _Positions) -> Optional[Dict[str, Any]]:
    """The fix as one suggestion replacing whole lines, or None when it cannot be placed.

    The new lines are what `--fix` would write (the fixer's own edit application: CRLF kept, a
    missing final newline kept missing)."""
    from ..fixer import _valid, apply_fixes

    text, index = pos.text, pos.index
    if not fix.edits or not _valid(fix, len(text)):
        return None
    lo = min(e.start for e in fix.edits)
    hi = max(e.end for e in fix.edits)
    last = index.line_count
    phantom = text.endswith("\n")  # then the last "line" is the empty one after the final break
    first_line = index.position(lo)[0]
    end_line = index.position(hi - 1)[0] if hi > lo and index.position(hi)[1] == 1 else index.position(hi)[0]
    end_line = max(end_line, first_line)
    if phantom and first_line == last and first_line > 1:
        first_line -= 1  # an insertion at the very end: anchor it on the last real line
    if phantom and end_line == last and end_line > 1:
        end_line -= 1
    cs = index.starts[first_line - 1]
    ce = index.starts[end_line] if end_line < last else len(text)
    fixed = apply_fixes(text, [fix])
    new = fixed[cs:len(fixed) - (len(text) - ce)]  # outside [cs, ce) nothing changes
    eol = _eol(text[cs:ce])
    start = {"line": first_line, "column": 1}
    end_line_start = index.starts[end_line - 1]
    if eol and new.endswith(eol):  # the usual case: rewrite the lines' content, keep the last break
        end = {"line": end_line, "column": _utf8_len(text[end_line_start:ce - len(eol)]) + 1}
        return {"range": {"start": start, "end": end}, "text": new[: -len(eol)]}
    if not eol:  # the last line, without a final line break
        end = {"line": end_line, "column": _utf8_len(text[end_line_start:ce]) + 1}
        return {"range": {"start": start, "end": end}, "text": new}
    # The fix removes the last line break (deleting whole lines): end at the next line's start.
    return {"range": {"start": start, "end": {"line": end_line + 1, "column": 1}}, "text": new}


def diagnostic(f: Finding, report: Report, pos: Optional[_Positions]) -> Dict[str, Any]:
    d = finding_dict(f, report)
    out: Dict[str, Any] = {
        "message": d["message"],
        "location": {"path": d["path"].replace(os.sep, "/") if os.sep != "/" else d["path"], "range": _range(f, pos)},
        "severity": SEVERITY.get(d["level"], "INFO"),
        "code": {"value": d["rule"], "url": page_url(d["rule"])},
    }
    if f.fix is not None and f.fix.applicability != "display-only" and pos is not None:
        s = suggestion(f.fix, pos)
        # a suggestion rewrites whole lines: leave it out when they hold a secret value
        if s is not None and not report.holds_secret(f.path, s["text"]):
            out["suggestions"] = [s]
    return out


def render(report: Report) -> str:
    cache: Dict[str, Optional[_Positions]] = {}
    diagnostics: List[Dict[str, Any]] = []
    for f in report.findings:
        if f.path not in cache:
            cache[f.path] = _index(report, f.path)
        diagnostics.append(diagnostic(f, report, cache[f.path]))
    result = {"source": SOURCE, "diagnostics": diagnostics}
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
