"""Human-readable output: a finding per block with the source line and the span underlined.

Plain text when the stream is not a terminal, NO_COLOR is set or `--no-color` is given; rich
(colours) only on a terminal, imported only then.
"""
from __future__ import annotations

from ..report import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, TextIO

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def lines_for(report: Report, quiet: bool = False) -> List[tuple]:
    """(text, style) pairs; style None for plain parts. Shared by the plain and rich writers."""
    out: List[tuple] = []
    for f in report.findings:
        s = f.span
        out.append((f"{f.path}:{s.line}:{s.column}", "bold"))
        out.append((f"  {f.rule}  ", "dim"))
        out.append((f"{f.level:<7}", _STYLE.get(f.level)))
        out.append((f"  {f.message}\n", None))
        if quiet:
            continue
        src = report.shown_line(f.path, s.line)
        if src is not None:
            gutter = f"{s.line:>5} | "
            out.append((gutter, "dim"))
            out.append((src.expandtabs(1) + "\n", None))
            end_col = s.end_column if s.end_line == s.line else len(src) + 1
            width = max(1, end_col - s.column)
            out.append((" " * (len(gutter) - 2) + "| " + " " * (s.column - 1), "dim"))
            out.append(("^" * width + "\n", _STYLE.get(f.level)))
        if f.fix is not None:
            how = "--fix" if f.fix.applicability == "safe" else "--fix --unsafe-fixes"
            out.append((f"      = fix ({f.fix.applicability}, {how}): {f.fix.title}\n", "green"))
    out.append(("\n" if report.findings and not quiet else "", None))
    out.append((summary(report) + "\n", "bold"))
    return out


def summary(report: Report) -> str:
    c = report.counts()
    n = len(report.findings)
    parts = [f"{_plural(n, 'finding')} in {_plural(report.files, 'file')}"]
    if n:
        parts.append(f"({c['error']} error, {c['warning']} warning, {c['note']} note)")
    text = " ".join(parts) + "."
    fx = report.fixable()
    if report.fixed:
        text += f" Would fix {report.fixed} (nothing written)." if report.dry_run else f" Fixed {report.fixed}."
    if fx["safe"] or fx["unsafe"]:
        text += f" {fx['safe']} fixable with --fix"
        text += f", {fx['unsafe']} more with --unsafe-fixes." if fx["unsafe"] else "."
    if report.skipped:
        text += f" Skipped {_plural(len(report.skipped), 'file')} (Helm templates)."
    return text


def write(report: Report, stream: TextIO, color: bool, quiet: bool = False) -> None:
    if not report.files and not report.findings and not report.skipped:
        return  # nothing of ours was given (e.g. unrelated YAML from pre-commit): stay silent
    parts = lines_for(report, quiet)
    if not color:
        stream.write("".join(t for t, _ in parts))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True)
    text = Text()
    for t, style in parts:
        text.append(t, style=style or "")
    console.print(text, end="")
