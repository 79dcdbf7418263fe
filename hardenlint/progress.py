"""Progress of a long run on a terminal: files linted or fixed, registry lookups.

Shown with rich on stderr, and only for a person watching: stderr is a terminal, not in CI, not
with `--quiet`, not for stdin (editors). Nothing is shown (and rich is not imported) until the run
has taken `delay` seconds, so short runs pay nothing. The display is transient and is stopped
before the report is printed, even when the report goes to stderr (`--diff`, `- --fix`).

No refresh thread: the display is redrawn from the counting calls (at most ten times a second),
so forking the worker pool never copies a thread holding the console's lock.
"""
from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, Mapping, Optional, Sequence, TypeVar

    T = TypeVar("T")

DELAY = 1.0  # seconds before anything is shown
DELAY_ENV = "HARDENLINT_PROGRESS_DELAY"  # for tests: a shorter delay (seconds)
REFRESH = 0.1


def wanted(args, paths: Sequence[str], stream=None, environ: Optional[Mapping[str, str]] = None) -> bool:
    """Whether this run may show progress on `stream` (default stderr)."""
    stream = sys.stderr if stream is None else stream
    env = os.environ if environ is None else environ
    if list(paths) == ["-"] or getattr(args, "quiet", False):
        return False  # stdin (editors, `- --fix`), or the user asked for findings only
    if any(env.get(name, "").strip().lower() not in ("", "0", "false") for name in ("CI", "GITHUB_ACTIONS")):
        return False
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def delay_from(environ: Optional[Mapping[str, str]] = None) -> float:
    env = os.environ if environ is None else environ
    try:
        return max(0.0, float(env[DELAY_ENV]))
    except (KeyError, ValueError):
        return DELAY


class Progress:
    """Counts the steps of the current phase; draws them once the run is older than `delay`."""

    def __init__(self, enabled: bool = False, delay: Optional[float] = None, stream=None, color: bool = True) -> None:
        self.enabled, self.color = enabled, color
        self.delay = delay_from() if delay is None else delay
        self.stream = stream
        self.started = time.monotonic()
        self.label, self.total, self.done = "", None, 0
        self.shown = False  # whether the display ever started (tests)
        self._bar = None  # rich.progress.Progress while shown
        self._task = None
        self._drawn = 0.0

    def phase(self, label: str, total: Optional[int] = None) -> None:
        """Start counting a new kind of step (`total` steps, or unknown)."""
        if not self.enabled:
            return
        self.label, self.total, self.done = label, total, 0
        if self._bar is not None:
            self._bar.update(self._task, visible=False)
            self._task = self._bar.add_task(label, total=total)
            self._draw(force=True)
        else:
            self._maybe_show()

    def advance(self, steps: int = 1) -> None:
        if not self.enabled:
            return
        self.done += steps
        if self._bar is None:
            self._maybe_show()
            return
        self._bar.update(self._task, completed=self.done)
        self._draw(force=self.done == self.total)

    def iterate(self, items: Iterable[T], label: str) -> Iterator[T]:
        """The items, counted as one phase."""
        if not self.enabled:
            yield from items
            return
        self.phase(label, len(items) if hasattr(items, "__len__") else None)  # type: ignore[arg-type]
        for item in items:
            yield item
            self.advance()

    def close(self) -> None:
        """Erase the display (before anything else is printed)."""
        bar, self._bar = self._bar, None
        self.enabled = False
        if bar is not None:
            bar.stop()

    def _maybe_show(self) -> None:
        if time.monotonic() - self.started >= self.delay:
            self._show()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        console = Console(file=self.stream if self.stream is not None else sys.stderr, no_color=not self.color)
        self._bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True, auto_refresh=False,
                        redirect_stdout=False, redirect_stderr=False)
        self._task = self._bar.add_task(self.label, total=self.total, completed=self.done)
        self._bar.start()
        self.shown = True
        self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._drawn >= REFRESH:
            self._drawn = now
            self._bar.refresh()
