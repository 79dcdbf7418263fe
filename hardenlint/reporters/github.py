"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=Dockerfile,line=3,col=1,endLine=3,endColumn=9,title=HL302 user-root::message

Levels map to the commands `error`, `warning` and `notice` (for our `note`). Escaping follows the
runner's rules (the same as @actions/core): in the message `%`, CR and LF become `%25`, `%0D`,
`%0A`; in property values `:` and `,` also become `%3A` and `%2C`.

Positions are 1-based. GitHub takes a column range only on a single line, so `col` and
`endColumn` are left out when a finding spans several lines. `endColumn` is the last column
covered (inclusive, so `col=5,endColumn=5` is one character); our spans are end-exclusive and are
converted. A span that ends just after a line break ends, for GitHub, on the line before.
"""
from __future__ import annotations

import os

from ..report import Report

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, props: list, message: str) -> str:
    """One workflow command line; `props` is a list of (name, value) pairs, in order."""
    rendered = ",".join(f"{name}={escape_property(str(value))}" for name, value in props)
    return f"::{command} {rendered}::{escape_data(message)}\n"


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        s = f.span
        path = f.path.replace(os.sep, "/") if os.sep != "/" else f.path  # GitHub wants "/" paths
        props = [("file", path), ("line", s.line)]
        end_line = s.end_line
        if end_line > s.line and s.end_column == 1:
            end_line -= 1  # the span ends with a line break: it covers whole lines up to the one before
            props.append(("endLine", end_line))
        elif end_line == s.line:
            props += [("col", s.column), ("endLine", end_line), ("endColumn", max(s.column, s.end_column - 1))]
        else:
            props.append(("endLine", end_line))
        props.append(("title", f"{f.rule} {f.name}"))
        out.append(annotation(COMMANDS.get(f.level, "notice"), props, f.message))
    return "".join(out)
