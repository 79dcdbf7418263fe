#!/usr/bin/env python3
"""Render and lint every kustomization listed in a BUILDS file, each as its own root (files read
once and shared), as `benchmarks/bench.py` times it:

    python benchmarks/kustomize_roots.py ../shared/kustomize
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardenlint.config import Config  # noqa: E402
from hardenlint.engine import Linter  # noqa: E402
from hardenlint.kustomize.lint import KustomizeRun  # noqa: E402


def main(shared: str) -> int:
    tree = os.path.join(shared, "kubeflow-manifests")
    with open(os.path.join(shared, "BUILDS.txt")) as fh:
        roots = [os.path.join(tree, line.strip()) for line in fh if line.strip()]
    run = KustomizeRun(Linter(Config()), [tree], [], roots=roots)
    found, errors = run.lint()
    print(f"{len(roots)} roots, {sum(len(b.resources) for b in run.builds)} objects, "
          f"{sum(map(len, found.values()))} findings, {len(errors)} internal errors")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "shared" / "kustomize")))
