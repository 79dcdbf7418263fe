"""JSON output: `{"version", "findings", "summary"}`; positions 1-based, end column exclusive."""
from __future__ import annotations

import json

from .. import __version__
from ..model.findings import Finding
from ..model.positions import LineIndex
from ..report import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List


def edit_dict(index: LineIndex, start: int, end: int, content: str) -> Dict[str, Any]:
    sl, sc = index.position(start)
    el, ec = index.position(end)
    return {"start_line": sl, "start_column": sc, "end_line": el, "end_column": ec, "content": content}


def finding_dict(f: Finding, report: Report) -> Dict[str, Any]:
    s = f.span
    fix = None
    index = report.index(f.path)
    if f.fix is not None and index is not None and not report.shows_secret(f.path, f.fix):
        fix = {
            "title": f.fix.title,
            "applicability": f.fix.applicability,
            "edits": [edit_dict(index, e.start, e.end, e.content) for e in f.fix.edits],
        }
    return {
        "rule": f.rule,
        "name": f.name,
        "level": f.level,
        "path": f.path,
        "kind": f.kind,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "message": f.message,
        "fix": fix,
    }


def render(report: Report) -> str:
    findings: List[Dict[str, Any]] = [finding_dict(f, report) for f in report.findings]
    summary = {
        "files": report.files,
        "findings": len(report.findings),
        "by_level": report.counts(),
        "fixable": report.fixable(),
        "fixed": report.fixed,
        "fixed_by_rule": dict(sorted(report.fixed_by_rule.items())),
        "fixes_written": report.fixed > 0 and not report.dry_run,
        "skipped": [{"path": p, "reason": r} for p, r in sorted(report.skipped.items())],
        "unreadable": [{"path": p, "message": m} for p, m in sorted(report.unreadable.items())],
    }
    if report.unresolved is not None:  # only with --resolve
        summary["unresolved"] = [{"reference": r, "message": m} for r, m in sorted(report.unresolved.items())]
    return json.dumps({"version": __version__, "findings": findings, "summary": summary}, indent=2, ensure_ascii=False) + "\n"
