"""Command line: `hardenlint check|pin|rules|explain|server`. Exit 0 clean, 1 findings, 2 errors."""
from __future__ import annotations

import argparse
import functools
import os
import sys

from . import __version__
from .catalogue import RULES, expand_selector
from .config import THRESHOLDS, Config, ConfigError, find_config, load_file
from .report import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple

FORMATS = ("text", "json", "sarif", "gcc", "github", "rdjson")


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, measuring the terminal without importing shutil (and with it
    bz2, lzma and zlib) on every run: argparse builds a formatter for each option it adds."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: Optional[int] = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


@functools.lru_cache(maxsize=None)  # argparse builds a formatter for every option it adds
def _terminal_columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


HELP = {  # the commands, with the line the top-level help gives each
    "check": "lint files and folders (default: .)",
    "pin": "pin every image reference to its registry digest (network)",
    "rules": "list every rule",
    "explain": "print a rule's documentation page",
    "server": "language server for editors (LSP over stdio; needs hardenlint[lsp])",
}


def _parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The parser of `command` alone (`hardenlint check ...`), or without one the top-level parser
    whose help lists the commands: a run builds only the options it can use (argparse spends
    about 0.1 ms on each, which a one-file run notices)."""
    if command is not None:
        p = argparse.ArgumentParser(prog=f"hardenlint {command}", formatter_class=_Formatter)
        ARGUMENTS[command](p)
        return p
    p = argparse.ArgumentParser(prog="hardenlint", formatter_class=_Formatter,
                                description="Container hardening linter for Dockerfiles, Compose files and Kubernetes manifests.")
    p.add_argument("--version", action="version", version=f"hardenlint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in HELP.items():
        sub.add_parser(name, help=text, add_help=False)
    return p


def _check_args(c: argparse.ArgumentParser) -> None:
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; - reads stdin")
    c.add_argument("--format", action="append", metavar="FORMAT[=FILE]",
                   help=f"report format ({', '.join(FORMATS)}; default text); repeat with =FILE for several "
                        "reports from one lint, e.g. --format sarif=out.sarif --format github")
    c.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    c.add_argument("--statistics", action="store_true", help="print counts per rule (and how many are fixable) instead of the findings")
    c.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE (see --write-baseline)")
    c.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    c.add_argument("--select", metavar="IDS", help="only these rules (ids, prefixes like HL3, aliases like DL3002)")
    c.add_argument("--extend-select", metavar="IDS", help="these rules on top of the preset")
    c.add_argument("--ignore", metavar="IDS", help="skip these rules")
    c.add_argument("--preset", choices=("recommended", "strict"))
    c.add_argument("--config", metavar="FILE", help="config file (default: nearest .hardenlint.yaml or pyproject.toml)")
    c.add_argument("--failure-threshold", choices=THRESHOLDS, help="lowest level that fails the run (default: note)")
    c.add_argument("--trusted-registry", action="append", metavar="HOST", help="allow images from this registry (enables HL104)")
    c.add_argument("--exclude", action="append", metavar="GLOB", help="skip paths matching GLOB (adds to config)")
    c.add_argument("--no-profiles", action="store_true", help="lint dev container files (and other profiles' paths) like any other file")
    c.add_argument("--force-exclude", action="store_true", help="apply excludes to files named explicitly too")
    c.add_argument("--env-file", action="append", metavar="FILE",
                   help="compose variables from FILE instead of the .env beside each compose file (repeatable)")
    c.add_argument("--compose-env", action="store_true",
                   help="interpolate compose files with the process environment too (over the env files)")
    c.add_argument("--stdin-filename", metavar="NAME", help="file name for text read from stdin (decides its kind; without it the content does)")
    c.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    c.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff, apply unsafe fixes too")
    c.add_argument("--diff", action="store_true", help="print the diff the fixes would make; write nothing (also with --fix)")
    c.add_argument("--sarif-category", metavar="ID", help="SARIF runAutomationDetails id (code scanning category)")
    c.add_argument("--no-color", action="store_true", help="plain text output")
    c.add_argument("--quiet", "-q", action="store_true", help="findings only: no source lines, no summary on success")
    _resolver_args(c)
    c.add_argument("--resolve", action="store_true", default=None,
                   help="ask registries for digests (network): online rules HL109/HL208 and the pin fixes")


def _pin_args(pn: argparse.ArgumentParser) -> None:
    pn.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    pn.add_argument("--update", action="store_true", help="also move outdated digests to what their tag means now")
    pn.add_argument("--diff", action="store_true", help="print the diff; write nothing")
    pn.add_argument("--check", action="store_true", help="write nothing; exit 1 when a reference is unpinned or outdated")
    pn.add_argument("--config", metavar="FILE", help="config file (default: nearest .hardenlint.yaml or pyproject.toml)")
    pn.add_argument("--exclude", action="append", metavar="GLOB", help="skip paths matching GLOB (adds to config)")
    pn.add_argument("--force-exclude", action="store_true", help="apply excludes to files named explicitly too")
    pn.add_argument("--no-color", action="store_true", help="plain text output")
    _resolver_args(pn)


def _rules_args(r: argparse.ArgumentParser) -> None:
    r.add_argument("--format", choices=("text", "json"), default="text")


def _explain_args(e: argparse.ArgumentParser) -> None:
    e.add_argument("rule", metavar="RULE", help="rule id or alias, e.g. HL301 or DL3002")


def _server_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only transport)")


ARGUMENTS = {"check": _check_args, "pin": _pin_args, "rules": _rules_args, "explain": _explain_args,
             "server": _server_args}


def _resolver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--insecure-registry", action="append", metavar="HOST[:PORT]",
                   help="with --resolve: allow plain HTTP to this registry host (repeatable)")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write hardenlint's user cache (parsed config files; with --resolve, registry answers)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_list: List[str] = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in HELP and args_list[0] not in ("-h", "--help", "--version"):
        args_list.insert(0, "check")
    command = args_list[0] if args_list and args_list[0] in HELP else None
    parser = _parser(command)
    args = parser.parse_args(args_list[1:] if command else args_list)  # no command: --help, --version or nothing
    args.command = command
    try:
        if args.command == "rules":
            return _cmd_rules(args)
        if args.command == "explain":
            return _cmd_explain(args)
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "pin":
            return _cmd_pin(args)
        if args.command == "server":
            from .server import main as serve

            return serve()
        parser.print_help()
        return 2
    except (UsageError, ConfigError) as e:
        print(f"hardenlint: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def _ids_arg(value: Optional[str], flag: str) -> Optional[tuple]:
    if value is None:
        return None
    out: List[str] = []
    for tok in value.replace(",", " ").split():
        got = expand_selector(tok)
        if not got:
            raise UsageError(f"{flag}: unknown rule id {tok!r} (see `hardenlint rules`)")
        out.extend(got)
    return tuple(dict.fromkeys(out))


def build_config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is not None and not os.path.isfile(path):
        raise UsageError(f"--config: no such file: {path}")
    path = path or find_config(".")
    cfg = load_file(path, cache=not args.no_cache) if path else Config()
    if args.preset:
        cfg.preset = args.preset
    sel = _ids_arg(args.select, "--select")
    if sel is not None:
        cfg.select = sel
    ext = _ids_arg(args.extend_select, "--extend-select")
    if ext:
        cfg.extend_select = cfg.extend_select + ext
    ign = _ids_arg(args.ignore, "--ignore")
    if ign:
        cfg.ignore = cfg.ignore + ign
    if args.failure_threshold:
        cfg.failure_threshold = args.failure_threshold
    if args.trusted_registry:
        cfg.trusted_registries = cfg.trusted_registries + tuple(r.lower().rstrip("/") for r in args.trusted_registry)
    if args.exclude:
        cfg.exclude = cfg.exclude + tuple(args.exclude)
    if getattr(args, "resolve", None):
        cfg.resolve = True
    if args.insecure_registry:
        cfg.insecure_registries = cfg.insecure_registries + tuple(h.lower().rstrip("/") for h in args.insecure_registry)
    if args.no_cache:
        cfg.resolve_cache = False
    if getattr(args, "no_profiles", False):
        cfg.profiles = {}
    for path in getattr(args, "env_file", None) or ():
        if not os.path.isfile(path):
            raise UsageError(f"--env-file: no such file: {path}")
    cfg.env_files = tuple(getattr(args, "env_file", None) or ())
    cfg.compose_env = bool(getattr(args, "compose_env", False))
    return cfg


def _cmd_check(args: argparse.Namespace) -> int:
    from .runner import RunError, run

    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    if args.diff:
        args.fix = False  # --diff writes nothing, with --fix too
    cfg = build_config(args)
    paths = args.paths or ["."]
    if "-" in paths and len(paths) > 1:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    reports = _reports(args)
    try:
        report, diff = _run_with_progress(run, paths, cfg, args)
    except RunError as e:
        raise UsageError(str(e)) from None
    if args.write_baseline:
        return _write_baseline(report, args.write_baseline)
    baseline = args.baseline or cfg.baseline
    if baseline:
        _apply_baseline(report, baseline)
    # stdout carries the fixed text (`- --fix`) or the diff (`--diff`): the report goes to stderr.
    stream = sys.stderr if (args.fix and paths == ["-"]) or args.diff else sys.stdout
    if args.diff:
        sys.stdout.write(diff)
    for fmt, path in reports:
        if path is not None:
            _write_output(path, _render(report, args, fmt, True))
        elif args.statistics:
            from .statistics import render

            stream.write(render(report, fmt))
        elif fmt == "text":
            from .reporters import text

            text.write(report, stream, _use_color(args, stream), quiet=args.quiet)
        else:
            stream.write(_render(report, args, fmt, False))
    if _print_errors(report):
        return 2
    if args.diff:
        return 1 if diff else 0
    return 1 if report.at_or_above(cfg.failure_threshold) else 0


def _run_with_progress(run, paths: List[str], cfg: Config, args: argparse.Namespace):
    """`run(...)` with progress on a terminal for long runs, erased before the report prints."""
    from .progress import Progress, wanted

    progress = Progress(wanted(args, paths), color=not getattr(args, "no_color", False))
    try:
        return run(paths, cfg, args, progress)
    finally:
        progress.close()


def _print_errors(report: Report) -> bool:
    """Internal errors, unreadable paths, unresolved references, notes (what a kustomization uses
    that was not rendered) and notices (a symlink --fix did not write through) on stderr; True
    when the run failed (an unresolved reference, a note or a notice alone never fails it)."""
    for ref, msg in sorted((report.unresolved or {}).items()):
        print(f"hardenlint: cannot resolve `{ref}`: {msg}", file=sys.stderr)
    for path, msg in report.notes:  # what a kustomization uses that was not rendered
        print(f"hardenlint: note: {path}: {msg}", file=sys.stderr)
    for msg in report.internal_errors:
        print(f"hardenlint: {msg}", file=sys.stderr)
    for msg in report.unreadable.values():
        print(f"hardenlint: {msg}", file=sys.stderr)
    for msg in report.notices:
        print(f"hardenlint: {msg}", file=sys.stderr)
    return bool(report.internal_errors or report.unreadable)


def _cmd_pin(args: argparse.Namespace) -> int:
    """`hardenlint pin`: the pin fixes of HL101-HL103 (and with --update HL208's), whatever the
    preset, through the fixer; --diff/--check write nothing."""
    from .oci.session import PIN_RULES
    from .runner import RunError, run

    for name in ("preset", "select", "extend_select", "ignore", "failure_threshold", "trusted_registry"):
        setattr(args, name, None)
    cfg = build_config(args)
    cfg.select, cfg.extend_select, cfg.ignore, cfg.resolve = PIN_RULES + ("HL208",), (), (), True
    dry = args.diff or args.check
    run_args = argparse.Namespace(fix=not dry, diff=dry, unsafe_fixes=args.update, force_exclude=args.force_exclude,
                                  stdin_filename=None)
    try:
        report, diff = _run_with_progress(run, args.paths or ["."], cfg, run_args)
    except RunError as e:
        raise UsageError(str(e)) from None
    stream = sys.stderr if args.diff else sys.stdout
    if args.diff:
        sys.stdout.write(diff)
    from .reporters import text

    if report.findings:
        text.write(report, stream, _use_color(args, stream), quiet=True)
    pinned = report.fixed
    verb = "would pin" if dry else "pinned"
    left = len(report.findings)
    print(f"hardenlint pin: {verb} {pinned} image reference{'s' if pinned != 1 else ''}"
          + (f"; {left} left unpinned or outdated" if left else ""), file=sys.stderr)
    if _print_errors(report):
        return 2
    if args.check:
        return 1 if diff or report.findings else 0
    if args.diff:
        return 1 if diff else 0
    return 0


def _reports(args: argparse.Namespace) -> List[Tuple[str, Optional[str]]]:
    """The reports to write, as (format, file or None for the output stream): every `--format
    FORMAT[=FILE]`; `--output` is the file of the one given without `=FILE`."""
    out: List[Tuple[str, Optional[str]]] = []
    for value in args.format or ["text"]:
        fmt, sep, path = value.partition("=")
        if fmt not in FORMATS:
            raise UsageError(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        if sep and not path:
            raise UsageError(f"--format {value}: no file name after `=`")
        out.append((fmt, path or None))
    streamed = [i for i, (_, path) in enumerate(out) if path is None]
    if len(streamed) > 1:
        raise UsageError("--format: only one report can go to the output stream; give the others a file (FORMAT=FILE)")
    if args.output:
        if not streamed:
            raise UsageError("--output: every --format already names its file")
        out[streamed[0]] = (out[streamed[0]][0], args.output)
    if args.statistics and any(fmt not in ("text", "json") for fmt, path in out if path is None):
        raise UsageError("--statistics: the report on the output stream must be text or json")
    args.format = out[streamed[0]][0] if streamed else out[0][0]  # the main format, for code that asks
    return out


def _write_baseline(report: Report, path: str) -> int:
    from .baseline import BaselineError, write

    try:
        n = write(report, path)
    except BaselineError as e:
        raise UsageError(str(e)) from None
    print(f"hardenlint: wrote {path} with {n} finding{'s' if n != 1 else ''}", file=sys.stderr)
    return 2 if _print_errors(report) else 0


def _apply_baseline(report: Report, path: str) -> None:
    from .baseline import BaselineError, apply

    try:
        applied = apply(report, path, report.linted)
    except BaselineError as e:
        raise UsageError(str(e)) from None
    report.baseline = {"file": path, "hidden": applied.hidden, "stale": applied.stale}
    for e in applied.stale:
        report.notices.append(f"baseline {path}: {e['count']} {e['rule']} finding(s) in {e['path']} no longer "
                              "occur; rewrite the baseline with --write-baseline to drop them")


def _render(report: Report, args: argparse.Namespace, fmt: str, to_file: bool) -> str:
    if fmt == "text":
        from .reporters import text

        return "".join(t for t, _ in text.lines_for(report, args.quiet)) if to_file else ""
    import importlib

    mod = importlib.import_module(f".reporters.{fmt}", __package__)
    if fmt == "sarif":
        return mod.render(report, category=args.sarif_category)
    return mod.render(report)


def _write_output(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"--output: cannot write {path}: {e.strerror or e}") from None


def _use_color(args: argparse.Namespace, stream) -> bool:
    if args.no_color or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _cmd_rules(args: argparse.Namespace) -> int:
    rows = [
        {"id": r.id, "name": r.name, "kinds": list(r.kind_names), "level": r.level, "preset": r.preset,
         "fix": r.fix, "aliases": list(r.aliases), "summary": r.summary}
        for r in RULES.values()
    ]
    if args.format == "json":
        import json

        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'ID':<6} {'NAME':<34} {'KINDS':<6} {'LEVEL':<8} {'PRESET':<12} FIX")
    for r in RULES.values():
        print(f"{r.id:<6} {r.name:<34} {r.kinds:<6} {r.level:<8} {r.preset:<12} {r.fix}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from .catalogue import resolve_id
    from .docs import page_text

    rid = resolve_id(args.rule)
    if rid is None:
        raise UsageError(f"unknown rule {args.rule!r} (see `hardenlint rules`)")
    text = page_text(rid)
    if text is None:
        raise UsageError(f"{rid} has no documentation page in this installation")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
