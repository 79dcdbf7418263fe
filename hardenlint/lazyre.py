"""`lazyre.compile`: a module-level regular expression compiled on first use.

Compiling every pattern of every check at import cost a one-file run more than linting the file.
A lazy pattern behaves like the compiled one (`.search`, `.sub`, `.pattern`, ...); the first
attribute looked up compiles it, and every method is then bound on the instance, so later calls
cost what calls on a compiled pattern cost.
"""
from __future__ import annotations

import re


class LazyPattern:
    __slots__ = ("_args", "_compiled", "__dict__")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled = None

    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def __getattr__(self, name: str):
        value = getattr(self.compiled(), name)
        if not name.startswith("__"):
            self.__dict__[name] = value  # next time: a plain instance attribute
        return value

    def __repr__(self) -> str:
        return f"lazyre.compile({self._args[0]!r}, {self._args[1]!r})"


def compile(pattern: str, flags: int = 0) -> LazyPattern:  # noqa: A001 - mirrors re.compile
    return LazyPattern(pattern, flags)
