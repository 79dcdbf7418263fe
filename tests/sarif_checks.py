"""Checks a SARIF log the way it will be judged: the OASIS 2.1.0 schema (draft-04, with format
checking that really checks `uri` and `uri-reference`) and GitHub code scanning's ingestion rules
(required fields non-empty, limits, consistent rule references).

`problems(log)` lists every problem found (empty when the log is fine); `assert_valid(log)` fails
with all of them.
"""
from __future__ import annotations

import copy
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

from jsonschema import Draft4Validator, FormatChecker

SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"  # see schemas/SOURCES.md

# GitHub's limits (docs: "SARIF support for code scanning" and its sarif-limits table).
MAX_RUNS = 20
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_EXTENSIONS = 100
MAX_LOCATIONS = 1_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1_024
MAX_NAME = 255
MAX_GZIP = 10 * 1024 * 1024  # upload size limit of one gzip-compressed SARIF file
LEVELS = {"none", "note", "warning", "error"}
PRECISIONS = {"very-high", "high", "medium", "low"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def format_checker() -> FormatChecker:
    """Draft-04's format checker plus `uri-reference` (draft-04 does not define it, so
    jsonschema skips it for Draft4Validator, but the SARIF schema uses it). `uri` needs the
    `rfc3986-validator` (or `rfc3987`) package; without it jsonschema silently checks nothing."""
    checker = copy.deepcopy(Draft4Validator.FORMAT_CHECKER)
    every = FormatChecker()
    for name in ("uri", "uri-reference"):
        if name not in every.checkers:
            raise RuntimeError(f"jsonschema cannot check format {name!r}: install rfc3986-validator")
        checker.checkers[name] = every.checkers[name]
    return checker


@lru_cache(maxsize=1)
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft4Validator(schema, format_checker=format_checker())


def schema_problems(log: Dict[str, Any]) -> List[str]:
    return [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(log)]


def _text(obj: Any, key: str = "text") -> str:
    return obj.get(key, "") if isinstance(obj, dict) else ""


def _strings(value: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}/{i}")
    elif isinstance(value, str):
        yield path, value


def _region_problems(region: Any, where: str, full: bool) -> List[str]:
    out: List[str] = []
    if not isinstance(region, dict):
        return [f"{where}: no region"]
    keys = ("startLine", "startColumn", "endLine", "endColumn") if full else ("startLine",)
    for k in keys:
        if not isinstance(region.get(k), int) or region[k] < 1:
            out.append(f"{where}: region.{k} missing or < 1")
    if not out and full:
        if region["endLine"] < region["startLine"] or (
                region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]):
            out.append(f"{where}: region ends before it starts")
    return out


def _uri_problems(loc: Any, where: str) -> List[str]:
    if not isinstance(loc, dict) or not loc.get("uri"):
        return [f"{where}: artifactLocation.uri missing or empty"]
    uri = loc["uri"]
    out = []
    if _SCHEME.match(uri) or uri.startswith("/") or "\\" in uri:
        out.append(f"{where}: uri {uri!r} is not a relative path with forward slashes")
    return out


def ingestion_problems(log: Dict[str, Any]) -> List[str]:
    """GitHub code scanning's upload rules, as documented; required values must be non-empty."""
    out: List[str] = []
    if not log.get("$schema"):
        out.append("$schema missing")
    if log.get("version") != "2.1.0":
        out.append("version is not 2.1.0")
    runs = log.get("runs")
    if not isinstance(runs, list) or not runs:
        return out + ["runs missing or empty"]
    if len(runs) > MAX_RUNS:
        out.append(f"{len(runs)} runs > {MAX_RUNS}")
    for r, run in enumerate(runs):
        where = f"runs[{r}]"
        driver = (run.get("tool") or {}).get("driver") or {}
        if not driver.get("name"):
            out.append(f"{where}: tool.driver.name missing")
        rules = driver.get("rules")
        if not isinstance(rules, list):
            out.append(f"{where}: tool.driver.rules missing")
            rules = []
        if len(rules) > MAX_RULES:
            out.append(f"{where}: {len(rules)} rules > {MAX_RULES}")
        if len((run.get("tool") or {}).get("extensions") or []) > MAX_EXTENSIONS:
            out.append(f"{where}: too many tool extensions")
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids):
            out.append(f"{where}: duplicate rule ids")
        for i, rule in enumerate(rules):
            w = f"{where}.rules[{i}] ({rule.get('id')})"
            if not rule.get("id"):
                out.append(f"{w}: id missing")
            if len(rule.get("name") or "") > MAX_NAME:
                out.append(f"{w}: name longer than {MAX_NAME}")
            for key in ("shortDescription", "fullDescription", "help"):
                text = _text(rule.get(key))
                if not text.strip():
                    out.append(f"{w}: {key}.text missing or empty")
                elif key != "help" and len(text) > MAX_DESCRIPTION:
                    out.append(f"{w}: {key}.text longer than {MAX_DESCRIPTION}")
            level = (rule.get("defaultConfiguration") or {}).get("level")
            if level is not None and level not in ("note", "warning", "error"):
                out.append(f"{w}: defaultConfiguration.level {level!r}")
            props = rule.get("properties") or {}
            tags = props.get("tags") or []
            if len(tags) > MAX_TAGS:
                out.append(f"{w}: {len(tags)} tags > {MAX_TAGS}")
            if "precision" in props and props["precision"] not in PRECISIONS:
                out.append(f"{w}: precision {props['precision']!r}")
            if "security-severity" in props:
                try:
                    score = float(props["security-severity"])
                except (TypeError, ValueError):
                    score = -1.0
                if not isinstance(props["security-severity"], str) or not 0.0 < score <= 10.0:
                    out.append(f"{w}: security-severity {props['security-severity']!r} is not a score in (0, 10]")
                if "security" not in tags:
                    out.append(f"{w}: security-severity without the `security` tag is ignored")
        results = run.get("results")
        if not isinstance(results, list):
            out.append(f"{where}: results missing")
            results = []
        if len(results) > MAX_RESULTS:
            out.append(f"{where}: {len(results)} results > {MAX_RESULTS}")
        for n, res in enumerate(results):
            w = f"{where}.results[{n}]"
            if not _text(res.get("message")).strip():
                out.append(f"{w}: message.text missing or empty")
            if res.get("level", "warning") not in LEVELS:
                out.append(f"{w}: level {res.get('level')!r}")
            rid, idx = res.get("ruleId"), res.get("ruleIndex")
            if rid is None or rid not in ids:
                out.append(f"{w}: ruleId {rid!r} not among the rules")
            if idx is not None and (not isinstance(idx, int) or not 0 <= idx < len(rules) or rules[idx].get("id") != rid):
                out.append(f"{w}: ruleIndex {idx!r} does not point at rule {rid!r}")
            locs = res.get("locations")
            if not isinstance(locs, list) or not locs:
                out.append(f"{w}: no location")
                continue
            if len(locs) > MAX_LOCATIONS:
                out.append(f"{w}: {len(locs)} locations > {MAX_LOCATIONS}")
            phys = locs[0].get("physicalLocation") or {}
            out += _uri_problems(phys.get("artifactLocation"), w)
            out += _region_problems(phys.get("region"), w, full=True)
            pf = res.get("partialFingerprints")
            if not isinstance(pf, dict) or not pf or not all(isinstance(v, str) and v for v in pf.values()):
                out.append(f"{w}: partialFingerprints missing or empty")
            for k, fix in enumerate(res.get("fixes") or []):
                wf = f"{w}.fixes[{k}]"
                if not _text(fix.get("description")).strip():
                    out.append(f"{wf}: description.text missing")
                changes = fix.get("artifactChanges") or []
                if not changes:
                    out.append(f"{wf}: no artifactChanges")
                for change in changes:
                    out += _uri_problems(change.get("artifactLocation"), wf)
                    if not change.get("replacements"):
                        out.append(f"{wf}: no replacements")
                    for rep in change.get("replacements") or []:
                        out += _region_problems(rep.get("deletedRegion"), wf, full=True)
        auto = run.get("automationDetails")
        if auto is not None and not auto.get("id"):
            out.append(f"{where}: automationDetails.id empty")
        for inv in run.get("invocations") or []:
            if not isinstance(inv.get("executionSuccessful"), bool):
                out.append(f"{where}: invocation.executionSuccessful missing")
            for note in inv.get("toolExecutionNotifications") or []:
                if not _text(note.get("message")).strip():
                    out.append(f"{where}: notification without message text")
    return out


def absolute_path_problems(log: Dict[str, Any], roots: Tuple[str, ...] = ()) -> List[str]:
    """Strings in the log that carry an absolute path: file:// URIs, the working directory, the
    given roots (such as a test's tmp folder)."""
    roots = tuple(r for r in (os.getcwd(), *roots) if r and r != "/")
    out = []
    for where, s in _strings(log):
        if s.startswith("file:") or any(r in s for r in roots):
            out.append(f"{where}: {s[:120]!r} carries an absolute path")
    return out


def problems(log: Dict[str, Any], roots: Tuple[str, ...] = ()) -> List[str]:
    return schema_problems(log) + ingestion_problems(log) + absolute_path_problems(log, roots)


def assert_valid(log: Dict[str, Any], roots: Tuple[str, ...] = ()) -> None:
    found = problems(log, roots)
    assert not found, f"{len(found)} problem(s) in the SARIF log:\n" + "\n".join(found[:50])


# --- secrets: an independent, regex-based finder of secret values, to check outputs against ---

_NAME = r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)"
_ASSIGN = re.compile(r"(?=" + _NAME + r"""["']?[ \t]*(?:=|:[ \t]|[ \t])[ \t]*["']?(?P<value>[^\s"'#,}\]=]{4,}))""")
_K8S_ENV = re.compile(r"""name:[ \t]*["']?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*\r?\n[ \t-]*value:[ \t]*["']?(?P<value>[^\s"'#]{4,})""")
_NOT_VALUES = {"true", "false", "null", "none", "yes"}
_FALLBACK_SECRET = re.compile(r"PASS(WORD|WD|PHRASE)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL", re.I)


def _is_secret_name(name: str) -> bool:
    return bool(_FALLBACK_SECRET.search(name))


def secret_values(text: str) -> List[str]:
    """Literal values given to secret-looking names in `text` (ENV/ARG, compose, Kubernetes)."""
    out = set()
    for rx in (_ASSIGN, _K8S_ENV):
        for m in rx.finditer(text):
            value = m.group("value")
            if value.startswith("$") or value.lower() in _NOT_VALUES:
                continue
            if _is_secret_name(m.group("name")):
                out.add(value)
    return sorted(out)
