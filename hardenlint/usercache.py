"""The user cache folder, and the parsed config files kept in it.

Parsing a `.hardenlint.yaml` means importing PyYAML, and a `[tool.hardenlint]` table tomllib:
about 35 and 15 ms, more than linting one Dockerfile, paid on every pre-commit run. So what a
config file parsed to is kept here, one small JSON file per config path holding the SHA-256 of
the file's bytes and its parsed hardenlint settings, and is used only while the file's bytes are
the same (no timestamps: an edit, a checkout or a copy always re-parses). The file's text is not
kept (a pyproject.toml may hold a package index URL with a password), and settings that JSON
cannot carry exactly (a YAML date, a non-string key) are never kept. Writes are atomic; a cache
that cannot be read or written is ignored. `--no-cache` neither reads nor writes it, and
`HARDENLINT_CACHE_DIR` moves the folder (the resolver's cache lives there too).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

VERSION = 1


def cache_dir() -> str:
    """`HARDENLINT_CACHE_DIR`, else the platform's user cache folder + `hardenlint`."""
    env = os.environ.get("HARDENLINT_CACHE_DIR")
    if env:
        return env
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "hardenlint")


def _entry_path(config_path: str) -> str:
    key = os.path.abspath(config_path)
    return os.path.join(cache_dir(), "config", _digest(key.encode("utf-8", "surrogatepass"))[:16] + ".json")


def parsed_config(config_path: str, raw: bytes) -> Optional[tuple]:
    """`(settings,)` as parsed from the bytes `raw` by an earlier run, or None when not kept."""
    try:
        with open(_entry_path(config_path), encoding="utf-8") as f:
            entry = json.load(f)
    except (OSError, ValueError):
        return None
    if (isinstance(entry, dict) and entry.get("version") == VERSION
            and entry.get("path") == os.path.abspath(config_path) and entry.get("sha256") == _digest(raw)):
        return (entry.get("settings"),)
    return None


def keep_parsed_config(config_path: str, raw: bytes, settings: Any) -> None:
    """Keep what the bytes `raw` parsed to, when JSON carries it exactly; errors are ignored."""
    if not _json_exact(settings):
        return
    from .atomic import replace_file

    target = _entry_path(config_path)
    entry = {"version": VERSION, "path": os.path.abspath(config_path), "sha256": _digest(raw), "settings": settings}
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        replace_file(target, json.dumps(entry).encode("utf-8"))  # key order kept, as parsed
    except (OSError, ValueError):
        pass


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _json_exact(value: Any) -> bool:
    """Whether `value` comes back from JSON equal and of the same types."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(_json_exact(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    return False
