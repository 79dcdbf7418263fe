"""The resolver's on-disk cache: one JSON file in the user cache folder.

- tag -> digest (and the platforms of an index) for `ttl` seconds;
- `latest` -> the version tag chosen for it, for `ttl` seconds;
- digests known to exist, for good (a digest names its content forever).

Only image names, tags and digests are stored, never a credential. Writes are atomic (temp file
and rename), and a write first merges what another run wrote meanwhile, so parallel runs never
leave a broken file. `HARDENLINT_CACHE_DIR` overrides the folder.
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Dict, Optional

from ..atomic import replace_file
from ..usercache import cache_dir

VERSION = 1
FILE_NAME = "resolve-v1.json"
SECTIONS = ("tags", "versions", "digests")


class Cache:
    def __init__(self, folder: Optional[str] = None, ttl: float = 3600.0, now: Optional[float] = None) -> None:
        self.path = os.path.join(folder or cache_dir(), FILE_NAME)
        self.ttl = ttl
        self.now = time.time() if now is None else now
        self.data = self._read()
        self.dirty: Dict[str, Dict[str, Any]] = {s: {} for s in SECTIONS}

    def _read(self) -> Dict[str, Dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("version") != VERSION:
            data = {}
        return {s: data.get(s) if isinstance(data.get(s), dict) else {} for s in SECTIONS}

    def get(self, section: str, key: str) -> Optional[Any]:
        entry = self.data[section].get(key)
        if not isinstance(entry, dict):
            return None
        if section != "digests" and not (0 <= self.now - entry.get("at", 0) < self.ttl):
            return None
        return entry

    def put(self, section: str, key: str, entry: Dict[str, Any]) -> None:
        entry = dict(entry, at=self.now)
        self.data[section][key] = entry
        self.dirty[section][key] = entry

    def save(self) -> None:
        """Merge this run's entries into the file as it is now, atomically. Errors are ignored:
        a cache that cannot be written only costs the next run some requests."""
        if not any(self.dirty.values()):
            return
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, exist_ok=True)
            current = self._read()
            for section, entries in self.dirty.items():
                current[section].update(entries)
                if section != "digests":  # drop expired entries so the file stays small
                    current[section] = {k: v for k, v in current[section].items()
                                        if isinstance(v, dict) and self.now - v.get("at", 0) < self.ttl}
            body = json.dumps({"version": VERSION, **current}, separators=(",", ":"), sort_keys=True)
            replace_file(self.path, body.encode("utf-8"))
        except OSError:
            pass
