"""Development containers: reading devcontainer.json (JSONC) and the compose files it names.

A compose file belongs to a development container when a devcontainer.json names it in
`dockerComposeFile` (a string or a list, relative to the json's folder). The devcontainer.json
files looked at are those the spec places in a folder: `.devcontainer/devcontainer.json`,
`.devcontainer/<name>/devcontainer.json` and `.devcontainer.json`, in the compose file's folder
and every folder above it (up to the repository root, the folder holding `.git`).
"""
from __future__ import annotations

import functools
import glob
import json
import os
from typing import Any, FrozenSet, List, Optional

MAX_LEVELS = 32  # folders walked up from a compose file


def strip_jsonc(text: str) -> str:
    """JSON text from JSONC: `//` and `/* */` comments and trailing commas removed (strings kept
    as written). An unterminated comment or string is left for `json.loads` to reject."""
    out: List[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j == -1:
                out.append(text[i:])
                break
            out.append(" ")
            i = j + 2
        elif ch == ",":
            k = _skip_comments(text, i + 1)
            if k < n and text[k] in "}]":  # a trailing comma
                i += 1
                continue
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _skip_comments(text: str, i: int) -> int:
    """The index of the first character at or after `i` that is neither blank nor in a comment."""
    n = len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j == -1:
                return n
            i = j + 2
        else:
            break
    return i


def load_jsonc(text: str) -> Optional[Any]:
    """The value of a JSONC text, or None when it is not valid JSONC (never raises)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(strip_jsonc(text))
    except (ValueError, RecursionError):
        return None


def compose_files_of(json_path: str) -> FrozenSet[str]:
    """Real paths of the compose files a devcontainer.json names (empty when it names none, cannot
    be read or is not valid JSONC)."""
    try:
        with open(json_path, encoding="utf-8", errors="replace") as f:
            data = load_jsonc(f.read())
    except OSError:
        return frozenset()
    refs = data.get("dockerComposeFile") if isinstance(data, dict) else None
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list):
        return frozenset()
    folder = os.path.dirname(os.path.abspath(json_path))
    return frozenset(os.path.normcase(os.path.realpath(os.path.join(folder, r)))
                     for r in refs if isinstance(r, str) and r.strip())


@functools.lru_cache(maxsize=1024)
def _named_in(folder: str) -> FrozenSet[str]:
    """Compose files named by the devcontainer.json files that belong to `folder`."""
    out: set = set()
    candidates = [os.path.join(folder, ".devcontainer.json"),
                  os.path.join(folder, ".devcontainer", "devcontainer.json")]
    candidates += sorted(glob.glob(os.path.join(glob.escape(folder), ".devcontainer", "*", "devcontainer.json")))
    for path in candidates:
        if os.path.isfile(path):
            out |= compose_files_of(path)
    return frozenset(out)


def named_by_devcontainer(path: str) -> bool:
    """Whether a devcontainer.json in this file's folder or a folder above names it in
    `dockerComposeFile`."""
    target = os.path.normcase(os.path.realpath(path))
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(MAX_LEVELS):
        if target in _named_in(folder):
            return True
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            return False
        folder = parent
    return False
