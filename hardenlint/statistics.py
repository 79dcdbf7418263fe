"""`--statistics`: findings counted per rule, with how many carry a fix, for sizing the work on a
repository. Sorted by count (most first), then rule id; text or JSON."""
from __future__ import annotations

import json
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List

    from .report import Report


def rows(report: Report) -> List[Dict]:
    count: Counter = Counter()
    safe: Counter = Counter()
    unsafe: Counter = Counter()
    names: Dict[str, str] = {}
    levels: Dict[str, Counter] = {}
    for f in report.findings:
        count[f.rule] += 1
        names[f.rule] = f.name
        levels.setdefault(f.rule, Counter())[f.level] += 1
        if f.fix is not None and f.fix.applicability == "safe":
            safe[f.rule] += 1
        elif f.fix is not None and f.fix.applicability == "unsafe":
            unsafe[f.rule] += 1
    return [{"rule": r, "name": names[r], "count": n, "fixable": safe[r] + unsafe[r], "safe_fixes": safe[r],
             "unsafe_fixes": unsafe[r], "levels": {lvl: c for lvl, c in sorted(levels[r].items())}}
            for r, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(report: Report, fmt: str) -> str:
    table = rows(report)
    if fmt == "json":
        total = {"findings": len(report.findings), "fixable": sum(r["fixable"] for r in table), "files": report.files}
        return json.dumps({"statistics": table, "total": total}, indent=2) + "\n"
    if not table:
        return f"0 findings in {report.files} file{'s' if report.files != 1 else ''}.\n"
    lines = [f"{'COUNT':>6}  {'RULE':<6} {'NAME':<36} FIXABLE"]
    for r in table:
        fixable = f"{r['fixable']} ({r['safe_fixes']} safe)" if r["fixable"] else "-"
        lines.append(f"{r['count']:>6}  {r['rule']:<6} {r['name']:<36} {fixable}")
    n, fx = len(report.findings), sum(r["fixable"] for r in table)
    lines.append(f"{n:>6}  total, {fx} fixable, in {report.files} file{'s' if report.files != 1 else ''}")
    return "\n".join(lines) + "\n"
