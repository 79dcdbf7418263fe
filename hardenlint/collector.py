"""The cyclic garbage collector's setting while hardenlint lints or fixes.

Every file (and every fixing pass) builds a parse tree and a model that live a moment. With
Python's default youngest generation (700 objects) they are promoted before they die, and the
collector walks the growing heap for them again and again: about a third of the time of fixing a
large manifest, a tenth of linting it. A run (`runner.run`) and `fixer.fix_source` therefore let
the youngest generation hold YOUNG objects, and put the process's thresholds back afterwards.
Objects without reference cycles are freed at once either way; only cycles wait a little longer.
"""
from __future__ import annotations

import contextlib
import gc

YOUNG = 10_000  # objects


@contextlib.contextmanager
def young_generation(size: int = YOUNG):
    """The youngest generation holds at least `size` objects inside the block."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], size), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
