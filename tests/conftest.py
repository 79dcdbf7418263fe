"""Shared test helpers: lint a text in memory, and find the shared corpus (skip when absent)."""
from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

from hardenlint.config import Config
from hardenlint.discover import kind_for_explicit
from hardenlint.engine import Linter
from hardenlint.source import SourceFile

REPO = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True, scope="session")
def _user_cache(tmp_path_factory):
    """Every test (and the processes it starts) uses a cache folder of its own session, never the
    user's (parsed config files, the resolver's answers)."""
    folder = tmp_path_factory.mktemp("user-cache")
    old = os.environ.get("HARDENLINT_CACHE_DIR")
    os.environ["HARDENLINT_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("HARDENLINT_CACHE_DIR", None)
    else:
        os.environ["HARDENLINT_CACHE_DIR"] = old


def corpus_root() -> Optional[Path]:
    """The shared corpus folder, or None (tests that need it skip)."""
    env = os.environ.get("HARDENLINT_CORPUS")
    path = Path(env) if env else REPO.parent / "shared" / "corpus"
    return path if path.is_dir() else None


@pytest.fixture
def corpus() -> Path:
    root = corpus_root()
    if root is None:
        pytest.skip("shared corpus not present")
    return root


def lint(text: str, filename: str = "Dockerfile", select: Optional[Sequence[str]] = None,
         preset: str = "strict", today: datetime.date = TODAY, resolved=None, **config) -> List:
    """Findings for `text` linted as if it were a file called `filename`.

    Defaults to the strict preset so every rule runs; `select` narrows it to some rules;
    `resolved` stands for the registry's answers of a `--resolve` run.
    """
    cfg = Config(preset=preset, select=tuple(select) if select else None, **config)
    source = SourceFile(filename, text, kind_for_explicit(filename))
    linter = Linter(cfg, today=today)
    linter.resolved = resolved
    result, _ = linter.lint_source(source)
    assert not result.internal_errors, result.internal_errors
    return result.findings


def rules_of(findings) -> List[str]:
    return [f.rule for f in findings]


def apply_edits(text: str, edits) -> str:
    """Apply non-overlapping edits (offsets into `text`) from last to first."""
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: e.start] + e.content + text[e.end:]
    return text
