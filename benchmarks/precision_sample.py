#!/usr/bin/env python3
"""Draw a repeatable sample of findings per rule, with context, for a precision read.

    python benchmarks/precision_sample.py [FOLDER] [--per-rule 6] [--seed 0] [--context 3]
                                          [--preset strict] [--select IDS] [--no-profiles]
                                          [--counts-out counts.json] [--compare old.json]

Lints FOLDER (default: the shared corpus, ../shared/corpus) in this process with the
installed hardenlint, then for every rule prints its finding count and a fixed-seed sample of
`--per-rule` findings, each as `path:line:column`, the message, and `--context` lines either side
(secret values masked as in every hardenlint output). In the corpus layout, the original
repository path from MANIFEST.tsv is printed too, and the Dockerfiles the corpus names
`<repo>__<path>__<name>` are linted although a folder walk would not pick them by name.

A reviewer marks each sampled finding right / wrong / not worth reporting; the same seed gives
the same sample on the same results, so a read can be repeated after a change. `--counts-out`
writes the per-rule counts as JSON; `--compare` prints each rule's count against such a file,
flagging moves over 5%.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hardenlint.config import Config, find_config, load_file  # noqa: E402
from hardenlint.discover import kind_by_name  # noqa: E402
from hardenlint.report import Report  # noqa: E402
from hardenlint.runner import run  # noqa: E402


def lint_paths(folder: Path) -> List[str]:
    """The folder, plus corpus-style Dockerfiles (`dockerfile/*`) a walk does not pick by name."""
    extra = []
    sub = folder / "dockerfile"
    if sub.is_dir():
        extra = sorted(str(p) for p in sub.iterdir() if p.is_file() and kind_by_name(p.name) is None)
    return [str(folder), *extra]


def manifest(folder: Path) -> Dict[str, str]:
    """Corpus file name -> `repo: original path`, from MANIFEST.tsv when there is one."""
    path = folder / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {row["file_name"]: f"{row['repo']}: {row['original_path']}" for row in csv.DictReader(f, delimiter="\t")}


def lint(folder: Path, args: argparse.Namespace) -> Report:
    cfg_path = args.config or find_config(str(folder))
    cfg = load_file(cfg_path) if cfg_path else Config()
    cfg.preset = args.preset
    if args.select:
        from hardenlint.catalogue import expand_selector

        cfg.select = tuple(r for tok in args.select.replace(",", " ").split() for r in expand_selector(tok))
    if args.no_profiles:
        cfg.profiles = {}
    run_args = argparse.Namespace(fix=False, diff=False, unsafe_fixes=False, force_exclude=False, stdin_filename=None)
    report, _ = run(lint_paths(folder), cfg, run_args)
    return report


def print_sample(report: Report, origins: Dict[str, str], per_rule: int, seed: int, context: int) -> None:
    by_rule = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    print(f"{len(report.findings)} findings in {report.files} files; sample of {per_rule} per rule, seed {seed}\n")
    for rule in sorted(by_rule):
        found = sorted(by_rule[rule], key=lambda f: (f.path, f.span.start, f.message))
        rng = random.Random(f"{seed}:{rule}")  # one stream per rule: adding a rule moves no other sample
        picked = sorted(rng.sample(range(len(found)), min(per_rule, len(found))))
        print("=" * 100)
        print(f"{rule} {found[0].name}: {len(found)} findings")
        for n, i in enumerate(picked, 1):
            f = found[i]
            origin = origins.get(Path(f.path).name)
            print(f"\n[{rule} #{n}] {f.path}:{f.span.line}:{f.span.column}  {f.level}" + (f"  ({origin})" if origin else ""))
            print(f"    {f.message}")
            idx = report.index(f.path)
            if idx is None:
                continue
            first, last = max(1, f.span.line - context), min(idx.line_count, f.span.end_line + context)
            for line in range(first, last + 1):
                mark = ">" if f.span.line <= line <= f.span.end_line else " "
                print(f"  {mark}{line:>5} | {report.shown_line(f.path, line)}")
        print()


def counts(report: Report) -> Dict[str, int]:
    out: Dict[str, int] = defaultdict(int)
    for f in report.findings:
        out[f.rule] += 1
    return dict(sorted(out.items()))


def compare(now: Dict[str, int], old_path: str) -> None:
    with open(old_path, encoding="utf-8") as f:
        old = json.load(f)
    print(f"{'rule':<6} {'before':>7} {'after':>7} {'change':>8}")
    for rule in sorted(set(old) | set(now)):
        a, b = old.get(rule, 0), now.get(rule, 0)
        pct = (b - a) / a * 100 if a else (100.0 if b else 0.0)
        flag = "  <- over 5%" if abs(pct) > 5 else ""
        print(f"{rule:<6} {a:>7} {b:>7} {pct:>+7.1f}%{flag}")
    print(f"{'all':<6} {sum(old.values()):>7} {sum(now.values()):>7}")


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    p.add_argument("--per-rule", type=int, default=6, help="findings sampled per rule (default 6)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--context", type=int, default=3, help="lines shown either side (default 3)")
    p.add_argument("--preset", choices=("recommended", "strict"), default="strict")
    p.add_argument("--select", metavar="IDS", help="only these rules")
    p.add_argument("--config", metavar="FILE", help="config file (default: the nearest to FOLDER)")
    p.add_argument("--no-profiles", action="store_true", help="as hardenlint's --no-profiles")
    p.add_argument("--counts-out", metavar="FILE", help="write the per-rule counts as JSON")
    p.add_argument("--compare", metavar="FILE", help="print the counts against a --counts-out file; no sample")
    args = p.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"precision_sample: no such folder: {folder}", file=sys.stderr)
        return 2
    report = lint(folder, args)
    for msg in report.internal_errors:
        print(f"precision_sample: {msg}", file=sys.stderr)
    now = counts(report)
    if args.counts_out:
        with open(args.counts_out, "w", encoding="utf-8") as f:
            json.dump(now, f, indent=1)
    if args.compare:
        compare(now, args.compare)
        return 0
    print_sample(report, manifest(folder), args.per_rule, args.seed, args.context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
