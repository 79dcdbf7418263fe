"""SARIF 2.1.0 output: one log, one run, every file kind; built from `sarif_om` objects and
serialised by our own walker.

Choices (see also the README):
- Paths are relative (forward slashes, percent-encoded) with `uriBaseId: "%SRCROOT%"`; the run's
  `originalUriBaseIds` describes `%SRCROOT%` (the working directory of the run, normally the
  repository root) but gives it no `uri`: SARIF allows an entry without one, and an absolute
  `file://` URI would put a machine path in the output. GitHub resolves relative paths against the
  repository root, which is what the run's working directory is in CI.
- `partialFingerprints` carries our own versioned key `hardenlint/v1`: a sha256 of the rule id,
  the path, the whitespace-normalised text of the flagged line, the flagged text itself when the
  span is on one line, and the index of the finding among findings with the same values. It does
  not change when lines move. We do not write `primaryLocationLineHash`: GitHub's upload action
  computes it only when it is absent.
- `precision` per rule: "very-high" when the rule reads one explicit setting or its absence,
  "high" when it interprets shell commands, image references or version data, "medium" when it
  relies on naming heuristics or judgement (HL201, HL303, HL501).
- `security-severity` follows the rule's default level (error 8.0, warning 5.0, note 2.0) and is
  given only for the security rules (HL1xx-HL5xx, tagged "security"); the tool's own rules
  (HL001, HL002) carry `problem.severity` instead, so GitHub does not list them as security alerts.
- Every finding with a fix carries it in `fixes` (display-only ones too), with the fix's
  `applicability` ("safe", "unsafe", "display-only") in the fix's property bag; inserted text is
  normalised as `--fix` writes it (CRLF files, no added final newline), so applying the safe and
  unsafe fixes gives the bytes of one `--fix --unsafe-fixes` pass.
- A fix whose inserted text would contain a literal secret value of the file (as HL501 finds them,
  `Report.secrets`) is left out of `fixes` (the finding stays), so no output format echoes a secret.
- Files that could not be read and internal errors are `toolExecutionNotifications` (level
  error, absolute paths made relative) and make `executionSuccessful` false; skipped files
  (Helm templates) are notifications of level note.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

import attr
import sarif_om as om

from .. import __version__
from ..catalogue import RULES, RuleInfo
from ..docs import page_text, page_url
from ..model.findings import Finding, Fix, Span
from ..model.positions import LineIndex
from ..report import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/hardenlint/hardenlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "hardenlint/v1"
MAX_TEXT = 1024  # GitHub's limit for shortDescription / fullDescription

SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_HIGH = {"HL101", "HL103", "HL105", "HL106", "HL107", "HL202", "HL203", "HL204", "HL205", "HL206",
         "HL207", "HL301", "HL314", "HL318", "HL502"}
_MEDIUM = {"HL201", "HL303", "HL501"}


def precision(rule_id: str) -> str:
    if rule_id in _MEDIUM:
        return "medium"
    if rule_id in _HIGH:
        return "high"
    return "very-high"


@attr.s
class _RuleProperties(om.PropertyBag):
    """The property bag of a rule: tags plus the keys GitHub code scanning reads."""

    precision = attr.ib(default=None, metadata={"schema_property_name": "precision"})
    security_severity = attr.ib(default=None, metadata={"schema_property_name": "security-severity"})
    problem_severity = attr.ib(default=None, metadata={"schema_property_name": "problem.severity"})


@attr.s
class _FixProperties(om.PropertyBag):
    applicability = attr.ib(default=None, metadata={"schema_property_name": "applicability"})


# --- serialisation ---------------------------------------------------------------------------

def _mk(cls, **kwargs):
    """Build a sarif_om object and remember which fields we set: exactly those are written,
    even when a value equals the class default (`level: "warning"`, `results: []`)."""
    obj = cls(**kwargs)
    obj.__dict__["_hl_set"] = frozenset(kwargs)
    return obj


def _json_name(f: attr.Attribute) -> str:
    name = f.metadata.get("schema_property_name")
    if name:
        return name
    head, *rest = f.name.split("_")
    return head + "".join(p.title() for p in rest)


# Written first, in this order, where present (the rest follow in sarif_om's order): easier to read.
_FIRST = ("$schema", "version", "id", "name", "ruleId", "ruleIndex", "level", "message", "locations", "tool")


def to_json(obj: Any) -> Any:
    """sarif_om objects (and dicts/lists of them) to plain JSON values with the schema's names."""
    if attr.has(type(obj)):
        chosen = obj.__dict__.get("_hl_set")
        out: Dict[str, Any] = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            if chosen is not None:
                if f.name not in chosen or value is None:
                    continue
            else:
                default = f.default.factory() if isinstance(f.default, attr.Factory) else f.default
                if value is None or value == default:
                    continue
            out[_json_name(f)] = to_json(value)
        first = {k: out.pop(k) for k in _FIRST if k in out}
        return {**first, **out}
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj


# --- paths, regions, fingerprints ------------------------------------------------------------

def artifact_uri(path: str) -> str:
    """A relative URI reference for a display path: forward slashes, percent-encoded."""
    p = path
    if os.path.isabs(p):
        try:
            p = os.path.relpath(p)
        except ValueError:  # another drive (Windows): keep the name only
            p = os.path.basename(p)
    p = p.replace(os.sep, "/").replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return quote(p, safe="/")


def _artifact_location(path: str):
    return _mk(om.ArtifactLocation, uri=artifact_uri(path), uri_base_id=SRCROOT)


def _region(sl: int, sc: int, el: int, ec: int):
    return _mk(om.Region, start_line=sl, start_column=sc, end_line=el, end_column=ec)


def _location_region(span: Span, index: Optional[LineIndex]):
    """The region shown for a finding. A span that ends at the start of a line (a whole line or
    block with its newline) is shown as ending at the end of the line before."""
    el, ec = span.end_line, span.end_column
    if ec == 1 and el > span.line and index is not None and el - 1 <= index.line_count:
        el -= 1
        ec = len(index.line_text(el)) + 1
    return _region(span.line, span.column, el, ec)


def _normal(s: str) -> str:
    return " ".join(s.split())


def fingerprints(findings: Sequence[Finding], report: Report) -> List[str]:
    """One `hardenlint/v1` value per finding (see the module docstring)."""
    counts: Dict[str, int] = {}
    out: List[str] = []
    for f in findings:
        index = report.index(f.path)
        if index is not None and 1 <= f.span.line <= index.line_count:
            line = _normal(index.line_text(f.span.line))
            flagged = _normal(index.text[f.span.start:f.span.end]) if f.span.end_line == f.span.line else ""
        else:
            line, flagged = "", _normal(f.message)
        base = "\0".join((f.rule, artifact_uri(f.path), line, flagged))
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append(hashlib.sha256(f"{base}\0{n}".encode("utf-8")).hexdigest())
    return out


# --- rules -----------------------------------------------------------------------------------

def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_paragraph(page: Optional[str]) -> Optional[str]:
    """The summary paragraph of a rule page: the first block after the title and `Kinds:` line."""
    if not page:
        return None
    for block in re.split(r"\n[ \t]*\n", page):
        b = block.strip()
        if not b or b.startswith(("#", "Kinds:", "```", "|", ">")):
            continue
        return " ".join(line.strip() for line in b.splitlines())
    return None


def _descriptor(info: RuleInfo):
    page = page_text(info.id)
    url = page_url(info.id)
    full = first_paragraph(page) or info.summary
    if page:
        help_ = _mk(om.MultiformatMessageString, text=page, markdown=page)
    else:
        text = f"{info.summary}\n\nSee {url}"
        help_ = _mk(om.MultiformatMessageString, text=text, markdown=f"{info.summary}\n\nSee [{info.id}]({url}).")
    security = info.practice != "tool"
    tags = (["security"] if security else []) + [info.practice] + list(info.kind_names)
    props = {"tags": tags, "precision": precision(info.id)}
    if security:
        props["security_severity"] = SECURITY_SEVERITY[info.level]
    else:
        props["problem_severity"] = PROBLEM_SEVERITY[info.level]
    return _mk(
        om.ReportingDescriptor,
        id=info.id,
        name=info.name,
        short_description=_mk(om.MultiformatMessageString, text=_clip(info.summary)),
        full_description=_mk(om.MultiformatMessageString, text=_clip(full)),
        help=help_,
        help_uri=url,
        default_configuration=_mk(om.ReportingConfiguration, level=info.level),
        properties=_mk(_RuleProperties, **props),
    )


# --- results ---------------------------------------------------------------------------------

def _sarif_fix(f: Finding, fix: Fix, index: LineIndex, secrets: Sequence[str]):
    from ..fixer import normalise_edit, uses_crlf

    text = index.text
    crlf = uses_crlf(text)
    replacements = []
    for e in sorted(fix.edits, key=lambda e: (e.start, e.end)):
        if not 0 <= e.start <= e.end <= len(text):
            return None
        e = normalise_edit(text, e, crlf)
        if any(s in e.content for s in secrets):
            return None
        sl, sc = index.position(e.start)
        el, ec = index.position(e.end)
        kw = {"deleted_region": _region(sl, sc, el, ec)}
        if e.content:
            kw["inserted_content"] = _mk(om.ArtifactContent, text=e.content)
        replacements.append(_mk(om.Replacement, **kw))
    change = _mk(om.ArtifactChange, artifact_location=_artifact_location(f.path), replacements=replacements)
    return _mk(om.Fix, description=_mk(om.Message, text=fix.title), artifact_changes=[change],
               properties=_mk(_FixProperties, applicability=fix.applicability))


def _results(report: Report, rule_index: Dict[str, int]) -> list:
    results = []
    for f, fp in zip(report.findings, fingerprints(report.findings, report)):
        index = report.index(f.path)
        location = _mk(om.Location, physical_location=_mk(
            om.PhysicalLocation, artifact_location=_artifact_location(f.path), region=_location_region(f.span, index)))
        kw = dict(rule_id=f.rule, rule_index=rule_index[f.rule], level=f.level,
                  message=_mk(om.Message, text=f.message), locations=[location],
                  partial_fingerprints={FINGERPRINT_KEY: fp})
        if f.fix is not None and f.fix.edits and index is not None:
            fx = _sarif_fix(f, f.fix, index, report.secrets.get(f.path, ()))
            if fx is not None:
                kw["fixes"] = [fx]
        results.append(_mk(om.Result, **kw))
    return results


# --- invocation ------------------------------------------------------------------------------

_ABS_PATH = re.compile(r"""(?:^|(?<=[\s'"(=]))/[^\s'":,)]+""")
_RULE_IN = re.compile(r"internal error in (HL\d{3})")


def scrub(message: str) -> str:
    """A message with absolute paths made relative to the working directory."""
    def rel(m: "re.Match[str]") -> str:
        try:
            return os.path.relpath(m.group(0))
        except ValueError:
            return os.path.basename(m.group(0))

    return _ABS_PATH.sub(rel, message)


def _invocation(report: Report, rule_index: Dict[str, int]):
    notes = []
    for path, msg in sorted(report.unreadable.items()):
        loc = _mk(om.Location, physical_location=_mk(om.PhysicalLocation, artifact_location=_artifact_location(path)))
        notes.append(_mk(om.Notification, level="error", message=_mk(om.Message, text=scrub(msg)), locations=[loc]))
    for msg in report.internal_errors:
        kw = {"level": "error", "message": _mk(om.Message, text=scrub(msg))}
        m = _RULE_IN.search(msg)
        if m and m.group(1) in rule_index:
            kw["associated_rule"] = _mk(om.ReportingDescriptorReference, id=m.group(1), index=rule_index[m.group(1)])
        notes.append(_mk(om.Notification, **kw))
    for path, reason in sorted(report.skipped.items()):
        loc = _mk(om.Location, physical_location=_mk(om.PhysicalLocation, artifact_location=_artifact_location(path)))
        notes.append(_mk(om.Notification, level="note", message=_mk(om.Message, text=f"skipped: {scrub(reason)}"),
                         locations=[loc]))
    for path, msg in report.notes:
        loc = _mk(om.Location, physical_location=_mk(om.PhysicalLocation, artifact_location=_artifact_location(path)))
        notes.append(_mk(om.Notification, level="note", message=_mk(om.Message, text=scrub(msg)), locations=[loc]))
    for ref, msg in sorted((report.unresolved or {}).items()):  # --resolve: not findings
        notes.append(_mk(om.Notification, level="warning", message=_mk(om.Message, text=f"cannot resolve `{ref}`: {msg}")))
    kw: Dict[str, Any] = {"execution_successful": not (report.internal_errors or report.unreadable)}
    if notes:
        kw["tool_execution_notifications"] = notes
    return _mk(om.Invocation, **kw)


def automation_id(category: Optional[str]) -> Optional[str]:
    """`runAutomationDetails.id` for a code scanning category: GitHub reads everything up to the
    last `/` as the category, so the id is the category followed by `/` (no run id)."""
    if category is None or not category.strip():
        return None
    c = category.strip()
    return c if c.endswith("/") else c + "/"


# --- the log ---------------------------------------------------------------------------------

def build(report: Report, category: Optional[str] = None):
    """The sarif_om SarifLog for a report."""
    ids = sorted(set(report.enabled_rules) | {f.rule for f in report.findings})
    infos = [RULES[i] for i in ids if i in RULES]
    rule_index = {info.id: n for n, info in enumerate(infos)}
    driver = _mk(om.ToolComponent, name="hardenlint", version=__version__, semantic_version=__version__,
                 information_uri=INFORMATION_URI, rules=[_descriptor(i) for i in infos])
    run_kw: Dict[str, Any] = dict(
        tool=_mk(om.Tool, driver=driver),
        invocations=[_invocation(report, rule_index)],
        original_uri_base_ids={SRCROOT: _mk(om.ArtifactLocation, description=_mk(
            om.Message, text="The root of the repository: the working directory of the run."))},
        column_kind="unicodeCodePoints",
        results=_results(report, rule_index),
    )
    aid = automation_id(category)
    if aid is not None:
        run_kw["automation_details"] = _mk(om.RunAutomationDetails, id=aid)
    return _mk(om.SarifLog, schema_uri=SCHEMA_URI, version="2.1.0", runs=[_mk(om.Run, **run_kw)])


# --- GitHub code scanning's limits --------------------------------------------------------
# docs.github.com, "SARIF support for code scanning" / "SARIF results exceed limit": an upload is
# at most 10 MB gzip-compressed; a run may hold 25,000 results and rules, but only 5,000 results
# (by severity) and 100 locations per result are kept. We stay within what is kept.

MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_RESULTS = 5000
MAX_LOCATIONS = 100
MAX_RULES = 25000
_LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2, "none": 3}


def _dumps(log: Any) -> str:
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _gzip_size(text: str) -> int:
    import gzip

    return len(gzip.compress(text.encode("utf-8"), compresslevel=6))


def fit_github_limits(log: Dict[str, Any], max_results: int = MAX_RESULTS,
                      max_gzip_bytes: int = MAX_GZIP_BYTES) -> Tuple[str, Optional[str]]:
    """The log's text within code scanning's limits, and a message saying what was left out (None
    when nothing was). Results are dropped lowest level first (notes, then warnings, then errors),
    the most severe kept; the message is also a `toolExecutionNotifications` entry."""
    run = log["runs"][0]
    results: List[Dict[str, Any]] = run.get("results") or []
    rules = run["tool"]["driver"].get("rules") or []
    if len(rules) > MAX_RULES:
        raise ValueError(f"{len(rules)} rules in one SARIF run; code scanning takes at most {MAX_RULES}")
    clipped = 0
    for r in results:
        if len(r.get("locations") or ()) > MAX_LOCATIONS:
            r["locations"] = r["locations"][:MAX_LOCATIONS]
            clipped += 1
    by_severity = sorted(range(len(results)), key=lambda i: (_LEVEL_ORDER.get(results[i].get("level", "warning"), 1), i))
    keep = min(len(results), max_results)
    text = ""
    while True:
        kept = sorted(by_severity[:keep])
        if keep < len(results):
            run["results"] = [results[i] for i in kept]
        text = _dumps(log)
        if len(text.encode("utf-8")) <= max_gzip_bytes or _gzip_size(text) <= max_gzip_bytes or keep == 0:
            break
        keep = keep * 9 // 10
    dropped = [results[i] for i in by_severity[keep:]]
    if not dropped and not clipped:
        return text, None
    parts = []
    if dropped:
        counts = {lvl: sum(1 for r in dropped if r.get("level", "warning") == lvl) for lvl in ("error", "warning", "note")}
        what = ", ".join(f"{n} {lvl}" for lvl, n in counts.items() if n)
        parts.append(f"left out {len(dropped)} of {len(results)} results ({what}), lowest levels first; "
                     f"the {keep} kept are the most severe")
    if clipped:
        parts.append(f"kept the first {MAX_LOCATIONS} locations of {clipped} results")
    message = ("SARIF output is cut to what GitHub code scanning ingests (at most "
               f"{max_results} results per run, {MAX_LOCATIONS} locations per result, "
               f"{max_gzip_bytes // (1024 * 1024)} MB gzip-compressed): " + "; ".join(parts)
               + ". Run with --format json for every finding.")
    inv = run.setdefault("invocations", [{"executionSuccessful": True}])[0]
    inv.setdefault("toolExecutionNotifications", []).append({"level": "warning", "message": {"text": message}})
    return _dumps(log), message


def render(report: Report, category: Optional[str] = None) -> str:
    text, message = fit_github_limits(to_json(build(report, category)))
    if message is not None:
        report.notices.append(message)
    return text
