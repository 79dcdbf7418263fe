"""Baselines: record today's findings (`--write-baseline FILE`), then report only new ones
(`--baseline FILE`, config key `baseline`).

A finding is keyed on its rule, its file (relative to the baseline file's folder, `/`-separated)
and a fingerprint of the text it flags with whitespace runs collapsed (the line's text for a
finding at a point), so edits elsewhere in the file and moved lines keep matching. Each key
carries the number of findings it had: when a file gains one more identical finding, the extra
one is reported (the later ones in file order), so a baseline never hides a new finding. Entries
whose findings are gone (or fewer) are reported as stale so the file can shrink.

The file is JSON, sorted, without line numbers, times or absolute paths: stable across runs and
machines and reviewable in a diff. It holds no source text (a flagged value may be a secret),
only a hash of it and the finding's message for the reader.
"""
from __future__ import annotations

import hashlib
import json
import os

from .atomic import replace_file
from .model.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Tuple

    from .model.findings import Finding
    from .report import Report

    Key = Tuple[str, str, str]

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written: one line, exit 2."""


@record
class Applied:
    """What applying a baseline did: how many findings it hid, and its stale entries."""

    hidden: int = 0
    stale: List[Dict] = None  # entries (with the count that no longer matches)


def _rel(path: str, base_dir: str) -> str:
    if path == "-" or path.startswith("<"):
        return path
    rel = os.path.relpath(os.path.abspath(path), base_dir)
    return rel.replace(os.sep, "/")


def _flagged(report: Report, f: Finding) -> str:
    text = report.texts.get(f.path)
    if text is None:
        return ""
    s, e = f.span.start, f.span.end
    flagged = text[s:e] if e > s else (report.line_text(f.path, f.span.line) or "")
    return " ".join(flagged.split())


def _key(report: Report, f: Finding, base_dir: str) -> Key:
    digest = hashlib.sha256(_flagged(report, f).encode("utf-8")).hexdigest()[:16]
    return f.rule, _rel(f.path, base_dir), digest


def build(report: Report, path: str) -> str:
    """The baseline file's text for the findings of `report`, written to `path`."""
    base_dir = os.path.dirname(os.path.abspath(path))
    entries: Dict[Key, Dict] = {}
    for f in report.findings:
        k = _key(report, f, base_dir)
        e = entries.get(k)
        if e is None:
            entries[k] = {"rule": f.rule, "path": k[1], "fingerprint": k[2], "count": 1, "message": f.message}
        else:
            e["count"] += 1
    rows = [entries[k] for k in sorted(entries)]
    return json.dumps({"version": VERSION, "entries": rows}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(report: Report, path: str) -> int:
    """Write the baseline atomically; returns the number of findings it records."""
    text = build(report, path)
    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as e:
        raise BaselineError(f"cannot write baseline {path}: {e.strerror or e}") from None
    return len(report.findings)


def load(path: str) -> List[Dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BaselineError(f"baseline {path}: no such file (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BaselineError(f"baseline {path}: cannot read it: {e}") from None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("rule"), str) and isinstance(e.get("path"), str)
            and isinstance(e.get("fingerprint"), str) and isinstance(e.get("count"), int) for e in entries):
        raise BaselineError(f"baseline {path}: not a hardenlint baseline (expected {{\"entries\": [...]}})")
    return entries


def apply(report: Report, path: str, linted_paths: List[str] = ()) -> Applied:
    """Drop from `report` the findings the baseline at `path` records; returns what it did.
    Stale entries are only judged for files this run linted (a run on part of the tree does not
    call the rest stale)."""
    base_dir = os.path.dirname(os.path.abspath(path))
    budget: Dict[Key, int] = {}
    for e in load(path):
        k = (e["rule"], e["path"], e["fingerprint"])
        budget[k] = budget.get(k, 0) + e["count"]
    remaining = dict(budget)
    kept: List[Finding] = []
    hidden = 0
    for f in sorted(report.findings, key=lambda f: f.sort_key):
        k = _key(report, f, base_dir)
        if remaining.get(k, 0) > 0:
            remaining[k] -= 1
            hidden += 1
        else:
            kept.append(f)
    report.findings[:] = kept
    linted = {_rel(p, base_dir) for p in linted_paths}
    stale = [{"rule": k[0], "path": k[1], "fingerprint": k[2], "count": n}
             for k, n in sorted(remaining.items()) if n > 0 and k[1] in linted]
    return Applied(hidden, stale)
