"""A whole run: walk the paths, lint (or fix) every file, gather one Report.

Many files are spread over worker processes; one file (the pre-commit and editor case) stays in
this process so start-up stays small.

Cross-object rules read the run-wide object index (`hardenlint.model.objects`). Linting: every
file is linted (in workers or not) with its cross-object findings held back; the results carry
each file's objects, the index is built from all of them in file order, then the held findings
are decided. Fixing: the index is built first (one parse of the Kubernetes/YAML files), since a
fix must only be offered for a finding that stands.
"""
from __future__ import annotations

import functools
import os
import sys

from .collector import young_generation
from .config import Config
from .discover import inside, kind_for_explicit, walk
from .engine import FileResult, Linter, display_path
from .progress import Progress
from .report import Report
from .source import SourceError, SourceFile, decode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, Optional, Tuple

PARALLEL_MIN_FILES = 200


class RunError(Exception):
    """A path or input problem that stops the run (exit 2)."""


def _collect(paths: List[str], cfg: Config, force_exclude: bool) -> List[Tuple[str, str]]:
    try:
        return list(walk(paths, cfg.exclude, cfg.root, force_exclude))
    except FileNotFoundError as e:
        raise RunError(f"no such file or folder: {e.args[0]}") from None


def run(paths: List[str], cfg: Config, args, progress: Optional[Progress] = None) -> Tuple[Report, str]:
    """Lint (and with --fix/--diff, fix) everything; returns the report and a unified diff.
    `progress` counts the files (and registry lookups); the caller closes it. The collector's
    youngest generation is enlarged meanwhile (`collector.py`; worker processes inherit it)."""
    with young_generation():
        return _run(paths, cfg, args, progress or Progress())


def _run(paths: List[str], cfg: Config, args, progress: Progress) -> Tuple[Report, str]:
    linter = Linter(cfg)
    report = Report(enabled_rules=linter.enabled, dry_run=args.diff and not args.fix)
    fixing = args.fix or args.diff
    unsafe = args.unsafe_fixes
    diffs: List[str] = []
    if paths == ["-"]:
        _run_stdin(linter, args, report, diffs, fixing, unsafe)
        return report, "".join(diffs)
    files = _collect(paths, cfg, args.force_exclude)
    kust = _kustomize(linter, paths, files, progress)
    if kust is not None:
        files = kust.remaining
    if cfg.resolve:  # before any worker is forked: the workers inherit the answers
        from .oci.session import resolve

        report.unresolved = resolve(linter, files, images=kust.images() if kust is not None else (),
                                    progress=progress).errors
    if fixing:
        linter.index = _index_first(linter, files, progress)
        writable = _writable(paths)
        items = []
        for path, kind in files:
            mode = "write" if args.fix else "diff"
            if args.fix and not writable(path):
                mode = "lint"
                report.notices.append(f"{display_path(path)}: not fixed: a symlink to "
                                      f"{os.path.realpath(path)}, outside the paths given")
            items.append((path, kind, mode))
        work = functools.partial(_fix_one, unsafe=unsafe)
        progress.phase("fixing files", len(items))
        for outcome in _map(work, linter, items, progress):
            _add(report, outcome.result, outcome.text)
            report.fixed_by_rule.update(outcome.applied)
            if args.diff and outcome.diff:
                diffs.append(outcome.diff)  # secret values masked where written
        if kust is not None:
            _fix_kustomize(report, kust, unsafe, bool(args.fix), bool(args.diff), diffs)
        return report, "".join(diffs)
    linter.defer = True
    progress.phase("linting files", len(files))
    results = _map(Linter.lint_path, linter, files, progress)
    if any(r.pending for r in results):
        from .engine import resolve_pending
        from .model.objects import ObjectIndex

        index = ObjectIndex.build(o for r in results for o in r.objects)
        for result in results:
            if result.pending:
                resolve_pending(result, index)
    for result in results:
        _add(report, result)
    if kust is not None:
        found, errors = kust.lint()
        _add_kustomize(report, kust, found, errors)
    return report, ""


def _index_first(linter: Linter, files: List[Tuple[str, str]], progress: Progress):
    """The run's ObjectIndex before fixing, or None when no selected rule needs one, or when one
    YAML file is all there is: its own objects, as each lint of it finds them, are the index."""
    yaml_files = [item for item in files if item[1] != "dockerfile"]
    if len(yaml_files) < 2:
        return None
    from . import registry

    registry.load("K")
    if not any(rule in linter.enabled for rule in registry.RESOLVERS):
        return None
    from .model.objects import ObjectIndex

    progress.phase("indexing objects", len(yaml_files))
    return ObjectIndex.build(o for objs in _map(_objects_of, linter, yaml_files, progress) for o in objs)


def _objects_of(linter: Linter, fs_path: str, kind: str) -> tuple:
    """The Kubernetes objects of one file (none when it cannot be read or parsed)."""
    from .engine import display_path, parse
    from .model.objects import object_records
    from .source import read_source

    try:
        source = read_source(fs_path, display_path(fs_path), kind)
        if source.kind == "dockerfile":
            return ()
        parsed = parse(source)
        return object_records(parsed.model) if parsed.kind == "kubernetes" and parsed.model is not None else ()
    except Exception:  # the lint of the same file reports what is wrong with it
        return ()


def _kustomize(linter: Linter, paths: List[str], files: List[Tuple[str, str]], progress: Progress):
    """The kustomize part of the run (roots rendered), or None when no kustomization is found."""
    names = ("kustomization.yaml", "kustomization.yml", "Kustomization")
    if not any(os.path.basename(p) in names for p, _k in files):
        return None
    from .kustomize.lint import KustomizeRun

    return KustomizeRun(linter, paths, files, progress=progress)


def _add_kustomize(report: Report, kust, found, errors: List[str]) -> None:
    """Every file the kustomize roots reached, with the findings rendered objects gave it."""
    from .engine import display_path

    report.internal_errors.extend(errors)
    for note in kust.all_notes():
        report.notes.append((display_path(note.path), note.message))
    for path in sorted(kust.reached):
        findings = found.get(path, [])
        text = kust.ws.texts.get(path)
        result = FileResult(display_path(path), "kubernetes", findings=findings)
        if findings and text is not None:
            result.text = text
            result.secrets, result.secret_spans = kust.secrets(path)
        _add(report, result)


def _fix_kustomize(report: Report, kust, unsafe: bool, write: bool, diff: bool, diffs: List[str]) -> None:
    from .engine import display_path
    from .fixer import unified_diff, write_atomic

    found, errors, applied, originals = kust.fix(unsafe)
    for path, old in sorted(originals.items()):
        new = kust.ws.texts[path]
        if write:
            data = (b"\xef\xbb\xbf" if kust.ws.boms.get(path) else b"") + new.encode("utf-8")
            try:
                write_atomic(path, data)
            except OSError as e:
                errors.append(f"{display_path(path)}: cannot write fixes: {e.strerror or e}")
                continue
        if diff:
            shown = display_path(path)
            from .masking import secret_spans

            values, mask = kust.secrets(path)  # the values, and their spans in the fixed text
            diffs.append(unified_diff(shown, old, new, secret_spans(old, [], values), mask))
    report.fixed_by_rule.update(applied)
    _add_kustomize(report, kust, found, errors)


def _writable(paths: List[str]) -> Callable[[str], bool]:
    """Whether --fix may write a file: only when it is (through symlinks) in a folder given, or
    is a file given that is not a symlink. A symlink to a file outside the paths given is linted,
    never written through."""
    folders = [os.path.normcase(os.path.realpath(p)) for p in paths if os.path.isdir(p)]
    files = {os.path.normcase(os.path.realpath(p)) for p in paths if os.path.isfile(p) and not os.path.islink(p)}
    return lambda path: inside(path, folders) or os.path.normcase(os.path.realpath(path)) in files


def _fix_one(linter: Linter, path: str, kind: str, mode: str, unsafe: bool):
    """Fix one file: mode "write" (--fix), "diff" (--diff: computed, not written) or "lint" (a
    file --fix must not write: linted as it is)."""
    from . import fixer

    if mode == "lint":
        result = linter.lint_path(path, kind)
        return fixer.FixOutcome(result, result.text)
    return fixer.fix_path(linter, path, kind, unsafe=unsafe, write=mode == "write")


_worker: Optional[Tuple[Callable, Linter]] = None


def _init_worker(func: Callable, linter: Linter) -> None:
    global _worker
    _worker = (func, linter)


def _work(item: Tuple[str, str]):
    func, linter = _worker  # type: ignore[misc]
    return func(linter, *item)


def _map(func: Callable, linter: Linter, files: List[Tuple[str, str]], progress: Optional[Progress] = None) -> List:
    """`func(linter, path, kind)` for every file, in order; in worker processes for large runs.
    `progress` advances by one per file done."""
    advance = progress.advance if progress is not None else (lambda: None)
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_MIN_FILES or workers < 2:
        return _in_process(func, linter, files, advance)
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows, some macOS setups): stay in this process
        return _in_process(func, linter, files, advance)
    out = []
    with ctx.Pool(workers, initializer=_init_worker, initargs=(func, linter)) as pool:
        for result in pool.imap(_work, files, chunksize=max(1, len(files) // (workers * 8))):  # in order
            out.append(result)
            advance()
    return out


def _in_process(func: Callable, linter: Linter, files: List[Tuple[str, str]], advance: Callable[[], None]) -> List:
    out = []
    for item in files:
        out.append(func(linter, *item))
        advance()
    return out


def _add(report: Report, result: FileResult, text: Optional[str] = None) -> None:
    report.internal_errors.extend(result.internal_errors)
    if result.kind is None and result.skipped is None and not result.unreadable:
        return  # unrelated YAML: silent
    if result.unreadable:
        report.unreadable[result.path] = result.unreadable
        return
    if result.skipped:
        report.skipped[result.path] = result.skipped
        return
    report.files += 1
    report.linted.append(result.path)
    report.findings.extend(result.findings)
    if result.secrets:
        report.secrets[result.path] = result.secrets
        report.secret_spans[result.path] = result.secret_spans
    text = text if text is not None else result.text
    if text is not None and result.findings:
        report.texts[result.path] = text


def _run_stdin(linter: Linter, args, report: Report, diffs: List[str], fixing: bool, unsafe: bool) -> None:
    name = args.stdin_filename or "-"
    kind = kind_for_explicit(name)
    data = sys.stdin.buffer.read()
    try:
        text, bom = decode(data, name)
    except SourceError as e:
        raise RunError(f"stdin: {e}") from None
    source = SourceFile(name, text, kind, bom)
    if linter.config.resolve:
        from .oci.session import resolve

        report.unresolved = resolve(linter, sources=[source]).errors
    if fixing:
        from .fixer import fix_source

        outcome = fix_source(linter, source, unsafe=unsafe)
        _add(report, outcome.result, outcome.text)
        report.fixed_by_rule.update(outcome.applied)
        if args.diff and outcome.diff:
            diffs.append(outcome.diff)
        if args.fix:  # editors: the fixed text goes to stdout
            sys.stdout.write(outcome.text)
        return
    result, _ = linter.lint_source(source)
    _add(report, result, text)
