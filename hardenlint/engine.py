"""The lint pipeline for one file and for a whole run: parse, check, suppress, set levels."""
from __future__ import annotations

import fnmatch
import os
import time

from . import lazyre
from . import registry
from .catalogue import RULES
from .config import Config
from .model.findings import Finding, Fix, Violation
from .model.parsed import Parsed
from .model.record import field, record
from .source import DecodeError, SourceError, SourceFile, read_source
from .suppress import collect

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from typing import Callable, Iterable, List, Optional, Tuple

KIND_LETTER = {"dockerfile": "D", "compose": "C", "kubernetes": "K"}


@record
class FileResult:
    """What linting one file gave: findings, or why it was skipped, and internal errors."""

    path: str
    kind: Optional[str]
    findings: List[Finding] = field(default_factory=list)
    skipped: Optional[str] = None
    internal_errors: List[str] = field(default_factory=list)
    unreadable: Optional[str] = None
    text: Optional[str] = None  # the linted text, kept when there are findings (for reporters)
    secrets: Tuple[str, ...] = ()  # literal secret values in the file: never to be echoed
    secret_spans: Tuple[Tuple[int, int], ...] = ()  # where they are written in `text` (masked in output)
    fixed: int = 0
    objects: Tuple = ()  # Kubernetes objects of the file, for the run-wide ObjectIndex
    pending: List[Tuple[Finding, object]] = field(default_factory=list)  # (finding, Deferred) to resolve


def parse(source: SourceFile, environment: Optional[Callable[[], dict]] = None) -> Parsed:
    """Parse a source with the parser for its kind (imported on first use); `environment` gives
    the variables a compose file is interpolated with (see `model.interpolation`)."""
    if source.kind == "dockerfile":
        from .parsers import dockerfile

        return dockerfile.parse(source)
    from .parsers import yaml as yaml_parser

    return yaml_parser.parse(source, environment)


class Linter:
    """Lints sources under one configuration; reusable across files (and by the fixer).

    Cross-object findings (see `hardenlint.model.objects`): with `defer` set, `lint_source` leaves
    them in `FileResult.pending` for the caller to resolve against the whole run's index
    (`resolve_pending`); otherwise they are resolved at once against `index` (the run's index,
    with this file's objects as just parsed) or, when there is none, against the file's own objects.
    """

    def __init__(self, config: Config, today: Optional[datetime.date] = None, index=None) -> None:
        self.config = config
        self.enabled = config.enabled_rules()
        # the run's date as checks read it: ISO text, like the dates of the data files (and no
        # `datetime` import, which a one-file run would notice)
        self.today = today.isoformat() if today else time.strftime("%Y-%m-%d")
        self.index = index  # an ObjectIndex of the run, or None
        self.defer = False
        self.resolved = None  # --resolve: the registry's answers (hardenlint.oci.resolve.Resolutions)
        self.preparsed: dict = {}  # (path, text) -> Parsed, filled by the --resolve gathering pass
        self._env_files: dict = {}  # compose variables per folder (or per --env-file list)
        self._contexts: dict = {}  # rule -> RuleContext (see _context)

    def compose_environment(self, source: SourceFile) -> dict:
        """The variables a compose file is interpolated with (see `model.interpolation`)."""
        from .model.interpolation import environment_for

        return environment_for(source.path, self.config.env_files, self.config.compose_env, self._env_files)

    def lint_source(self, source: SourceFile) -> Tuple[FileResult, Optional[Parsed]]:
        result = FileResult(source.path, None)
        try:
            parsed = self.preparsed.pop((source.path, source.text), None) or parse(source, lambda: self.compose_environment(source))
        except RecursionError:
            parsed = Parsed(source, source.kind if source.kind != "yaml" else None,
                            errors=[_whole_file_error(source, "nesting too deep to parse")])
        except Exception as e:  # a parser bug must not lose the rest of the run
            result.internal_errors.append(f"{source.path}: internal error while parsing: {type(e).__name__}: {e}")
            return result, None
        result.kind, result.skipped = parsed.kind, parsed.skipped
        if parsed.kind is None:
            return result, parsed
        violations: List[Tuple[str, Violation]] = [("HL001", v) for v in parsed.errors]
        if parsed.model is not None:
            found = list(self._run_checks(parsed, result))
            if parsed.kind == "kubernetes":  # a patch lying around: only what it writes is judged
                found = drop_missing_in_partial(parsed.model, found)
            violations.extend(found)
        if parsed.model is not None:
            result.secrets, result.secret_spans = find_secrets(parsed)
            if parsed.kind == "kubernetes":
                result.objects = self._objects(parsed, result)
        interpolated = getattr(parsed.model, "interpolated", None)
        if interpolated:
            from .model.interpolation import annotate

            violations = [(rule, annotate(v, interpolated)) for rule, v in violations]
        sup = collect(parsed)
        violations.extend(("HL002", v) for v in sup.unknown)
        ignored = self._per_file_ignores(source.path) | self._profile_ignores(source.path, parsed.kind)
        seen = set()
        for rule, v in violations:
            if rule not in self.enabled or rule in ignored or sup.covers(rule, v.span.line):
                continue
            key = (rule, v.span.start, v.span.end, v.message)
            if key in seen:
                continue
            seen.add(key)
            info = RULES[rule]
            level = self.config.severity.get(rule) or v.level or info.level
            fix = v.fix if v.fix is None or not source.is_json or keeps_json(source.text, v.fix) else None
            finding = Finding(rule, info.name, level, source.path, v.span, v.message, fix, parsed.kind)
            if v.deferred is not None:
                result.pending.append((finding, v.deferred))
            else:
                result.findings.append(finding)
        if result.pending and not self.defer:
            from .model.objects import ObjectIndex

            index = self.index.replace(source.path, result.objects) if self.index is not None \
                else ObjectIndex.build(result.objects)
            resolve_pending(result, index)
        result.findings.sort(key=lambda f: f.sort_key)
        return result, parsed

    @staticmethod
    def _objects(parsed: Parsed, result: FileResult) -> Tuple:
        from .model.objects import object_records

        try:
            return object_records(parsed.model)
        except Exception as e:  # reported, never a traceback
            result.internal_errors.append(
                f"{parsed.source.path}: internal error while indexing objects: {type(e).__name__}: {e}")
            return ()

    def _run_checks(self, parsed: Parsed, result: FileResult) -> Iterable[Tuple[str, Violation]]:
        letter = KIND_LETTER[parsed.kind]
        broken_stages = parsed.kind == "dockerfile" and bool(parsed.errors)
        for chk in registry.checks_for(letter):
            if chk.rule not in self.enabled or (chk.needs_stages and broken_stages):
                continue
            try:
                for v in chk.func(parsed.model, self._context(chk)):
                    yield chk.rule, v
            except Exception as e:  # reported, never a traceback; the other rules still run
                result.internal_errors.append(
                    f"{parsed.source.path}: internal error in {chk.rule}: {type(e).__name__}: {e}")

    def _context(self, chk: registry.Check) -> registry.RuleContext:
        """What `chk` may read besides the model: made once per rule (and per set of registry
        answers: `resolved` is set after the Linter is made, under --resolve)."""
        ctx = self._contexts.get(chk.rule)
        if ctx is None or ctx.resolved is not self.resolved:
            opts = {name: o.default for name, o in chk.options.items()}
            opts.update(self.config.rule_options.get(chk.rule, {}))
            ctx = self._contexts[chk.rule] = registry.RuleContext(chk.rule, opts, self.today,
                                                                  self.config.trusted_registries, self.resolved)
        return ctx

    def _per_file_ignores(self, path: str) -> frozenset:
        if not self.config.per_file_ignores:
            return frozenset()
        rel = _relative_to(path, self.config.root).replace(os.sep, "/")
        out = set()
        for pattern, ids in self.config.per_file_ignores.items():
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(os.path.basename(rel), pattern):
                out.update(ids)
        return frozenset(out)

    def _profile_ignores(self, path: str, kind: Optional[str]) -> frozenset:
        """Rules the profiles that apply to this file leave out (see profiles.py)."""
        if not self.config.profiles:
            return frozenset()
        from .profiles import applying

        rel = _relative_to(path, self.config.root)
        hits = applying(path, rel, kind, self.config.profiles.values())
        return frozenset(r for p in hits for r in p.ignore)

    def lint_path(self, fs_path: str, kind: str, display: Optional[str] = None) -> FileResult:
        display = display or display_path(fs_path)
        try:
            source = read_source(fs_path, display, kind)
        except DecodeError as e:
            return self._undecodable(display, kind, str(e))
        except SourceError as e:
            result = FileResult(display, kind, skipped="unreadable")
            result.unreadable = str(e)
            return result
        result = self.lint_source(source)[0]
        if result.findings or result.pending:
            result.text = source.text
        return result

    def _undecodable(self, display: str, kind: str, message: str) -> FileResult:
        """Not UTF-8: HL001 for a Dockerfile or compose file; YAML or JSON of unknown kind is not
        ours; a file named on the command line whose name says nothing counts as a Dockerfile."""
        kind = "dockerfile" if kind == "auto" else kind
        result = FileResult(display, None if kind in ("yaml", "json") else kind)
        if kind in ("dockerfile", "compose") and "HL001" in self.enabled:
            from .model.findings import Span

            info = RULES["HL001"]
            level = self.config.severity.get("HL001") or info.level
            result.findings.append(Finding("HL001", info.name, level, display, Span(0, 0, 1, 1, 1, 1), message, None, kind))
        return result


def resolve_pending(result: FileResult, index) -> None:
    """Decide a result's deferred findings against the run-wide `index` (an ObjectIndex): each
    rule's resolver keeps a finding (with the message it returns) or drops it."""
    for finding, deferred in result.pending:
        resolver = registry.resolver_for(deferred.rule)
        try:
            message = resolver(index, deferred.args, finding.message) if resolver is not None else None
        except Exception as e:  # reported, never a traceback
            result.internal_errors.append(
                f"{result.path}: internal error in {deferred.rule}: {type(e).__name__}: {e}")
            continue
        if message:
            finding.message = message
            result.findings.append(finding)
    result.pending = []
    result.findings.sort(key=lambda f: f.sort_key)


def drop_missing_in_partial(model, found: List[Tuple[str, Violation]]) -> List[Tuple[str, Violation]]:
    """`found` without the findings about settings a *partial* workload lacks.

    A workload with a container that has no `image` is a fragment (a kustomize patch, a tree
    copied without its kustomization): rules about settings it writes still apply, rules about
    settings it lacks do not. A finding about a written setting points inside that setting's text
    (an entry, a list item, a mount, an env var, the image); one about a missing setting points at
    a container, the pod spec or the block that would hold it. So, within a partial workload's
    lines, only findings inside a written setting's span are kept."""
    partial = [p for p in getattr(model, "pods", ()) if p.containers and any(c.image_setting is None for c in p.containers)]
    if not partial:
        return found
    written = []
    for pod in partial:
        holders = [pod] + list(pod.containers)
        for h in holders:
            for value in vars(h).values():
                for item in (value if isinstance(value, list) else [value]):
                    for attr in ("span", "value_span", "mount_span", "name_span"):
                        sp = getattr(item, attr, None)
                        if sp is not None and hasattr(sp, "start") and item is not h:
                            written.append((sp.start, sp.end))
        for c in pod.containers:
            if c.image_span is not None:
                written.append((c.image_span.start, c.image_span.end))
    lines = [p.lines for p in partial]
    out = []
    for rule, v in found:
        in_partial = any(first <= v.span.line <= last for first, last in lines)
        if in_partial and not any(s <= v.span.start and v.span.end <= e for s, e in written):
            continue
        out.append((rule, v))
    return out


# Credentials written into commands: `https://user:PASSWORD@host`, `Authorization: Bearer TOKEN`.
_URL_USERINFO = lazyre.compile(r"://[^/\s:@'\"]+:([^/\s@'\"$]{3,})@")  # after a scheme
_AUTH_HEADER = lazyre.compile(r"(?i)authorization:[ \t]*(?:bearer|basic|token)[ \t]+([^\s'\"$]{6,})")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SCHEME = _LETTERS | frozenset("0123456789+.-")


def credential_spans(text: str) -> List[Tuple[int, int]]:
    """Spans of the passwords written in URLs (`scheme://user:PASSWORD@host`, the scheme a letter
    then letters, digits, `+`, `.` or `-`) and of Authorization header tokens. A URL is looked for
    at each `://`, not at each letter of the text (a pattern starting with the scheme retried at
    every word)."""
    spans: List[Tuple[int, int]] = []
    end = 0  # matches do not overlap
    at = text.find("://")
    while at != -1:
        if at >= end and _scheme_before(text, at, end):
            m = _URL_USERINFO.match(text, at)
            if m:
                spans.append(m.span(1))
                end = m.end()
        at = text.find("://", at + 1)
    if "author" in text.lower():  # the pattern's (?i) also takes `İ` and `ı` for `i`: no `i` here
        spans.extend(m.span(1) for m in _AUTH_HEADER.finditer(text))
    return spans


def _scheme_before(text: str, at: int, start: int) -> bool:
    """Whether the scheme characters just before `at` (not before `start`) hold a letter."""
    i = at
    while i > start and text[i - 1] in _SCHEME:
        i -= 1
        if text[i] in _LETTERS:
            return True
    return False


def find_secrets(parsed: Parsed) -> Tuple[Tuple[str, ...], Tuple[Tuple[int, int], ...]]:
    """The literal secret values of a parsed file (as written and as read) and the spans where
    they are written (HL501's own finder, run whether or not HL501 is selected, plus passwords
    in URLs and Authorization headers; see masking.secret_spans), so reporters can keep them out
    of every output: the spans are masked in source lines and diffs, and a fix or suggestion
    whose text holds a value is left out."""
    from .masking import secret_spans

    text = parsed.source.text
    read = set()
    written: List[Tuple[int, int]] = []
    if parsed.kind == "dockerfile":
        from .checks.dockerfile.secrets import literal_secrets

        for _ins, name, span, value in literal_secrets(parsed.model):
            read.add(value)
            written.append((span.start + len(name) + 1, span.end))
    else:
        from .checks.container.secrets import literal_secrets as container_secrets

        for _c, env in container_secrets(parsed.model):
            read.add(env.value)
            if env.value_span is not None:
                written.append((env.value_span.start, env.value_span.end))
    written.extend(credential_spans(text))
    spans = secret_spans(text, written, read)
    values = read | {text[s:e] for s, e in written}
    return tuple(sorted((v for v in values if v), key=len, reverse=True)), spans


def keeps_json(text: str, fix: Fix) -> bool:
    """Whether applying `fix` alone to a JSON text leaves valid JSON (fixes write YAML syntax: a
    value replaced or removed in place often stays JSON, a key added in block style does not)."""
    import json

    out = text
    for e in sorted(fix.edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[:e.start] + e.content + out[e.end:]
    try:
        json.loads(out)
    except ValueError:
        return False
    return True


def _whole_file_error(source: SourceFile, message: str) -> Violation:
    from .model.findings import Span

    return Violation(Span.of(source.index, 0, 0), message)


def _relative_to(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def display_path(path: str) -> str:
    """The path as the user gave it, relative to the working directory when it is under it."""
    if os.path.isabs(path):
        rel = _relative_to(path, os.getcwd())
        return rel
    return os.path.normpath(path)
