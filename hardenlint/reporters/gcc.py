"""gcc-style lines for editors and problem matchers: `path:line:col: level: message [HLxxx]`.

One finding per line, nothing else (no summary), so `errorformat`, VS Code problem matchers and
nvim-lint can parse every line the same way. Levels are gcc's own words: `error`, `warning` and
`note`. Lines and columns are 1-based; columns count characters (Unicode code points).
"""
from __future__ import annotations

from ..report import Report


def _one_line(text: str) -> str:
    """A message on one line: line breaks (and the whitespace around them) become one space."""
    if "\n" not in text and "\r" not in text:
        return text
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        s = f.span
        level = f.level if f.level in ("error", "warning", "note") else "note"
        out.append(f"{f.path}:{s.line}:{s.column}: {level}: {_one_line(f.message)} [{f.rule}]\n")
    return "".join(out)
