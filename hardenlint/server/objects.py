"""The Kubernetes objects of the workspace, for the rules that look across files (RBAC and
ServiceAccount rules reading the run-wide object index, `hardenlint.model.objects`).

The workspace folders' manifests are indexed in the background (a few files per step, so the
lints of open documents go in between); an open document's objects are those of its latest text.
Where this installation has no object index (an engine without cross-file rules), everything
here does nothing.
"""
from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional, Tuple

STEP = 20  # files indexed per step of the background scan


def available() -> bool:
    try:
        from ..model.objects import ObjectIndex, object_records  # noqa: F401
    except ImportError:
        return False
    return True


class WorkspaceObjects:
    """Object records by file path (absolute), and the index built from them when first asked."""

    def __init__(self) -> None:
        self.enabled = available()
        self.by_path: Dict[str, tuple] = {}
        self._index = None

    def index(self):
        """The ObjectIndex of everything known (None without the feature)."""
        if not self.enabled:
            return None
        if self._index is None:
            from ..model.objects import ObjectIndex

            self._index = ObjectIndex.build(r for path in sorted(self.by_path) for r in self.by_path[path])
        return self._index

    def update(self, path: Optional[str], records) -> bool:
        """Record a file's objects; True when they changed."""
        if not self.enabled or not path:
            return False
        records = tuple(records or ())
        if self.by_path.get(path) == records:
            return False
        if records:
            self.by_path[path] = records
        else:
            self.by_path.pop(path, None)
        self._index = None
        return True

    def index_file(self, path: str) -> bool:
        """(Re-)read one file from disk; True when its objects changed."""
        return self.update(path, read_objects(path))

    def remove(self, path: str) -> bool:
        return self.update(path, ())


def manifest_files(folder: str) -> Iterator[str]:
    """The YAML and JSON files under a workspace folder, walked as `hardenlint check` walks."""
    from ..discover import walk

    try:
        for path, kind in walk([folder]):
            if kind != "dockerfile":
                yield os.path.abspath(path)
    except (FileNotFoundError, OSError):
        return


def read_objects(path: str) -> Tuple:
    """The Kubernetes object records of a file on disk (none when unreadable or not a manifest)."""
    from ..discover import kind_by_name
    from ..engine import parse
    from ..model.objects import object_records
    from ..source import SourceError, read_source

    kind = kind_by_name(path)
    if kind not in ("yaml", "json"):
        return ()
    try:
        parsed = parse(read_source(path, path, kind))
    except (SourceError, Exception):  # a file that cannot be read or parsed adds nothing
        return ()
    if parsed.kind != "kubernetes" or parsed.model is None:
        return ()
    try:
        return tuple(object_records(parsed.model))
    except Exception:
        return ()


def steps(folders: List[str]) -> Iterator[List[str]]:
    """The background scan's work, STEP files at a time."""
    batch: List[str] = []
    for folder in folders:
        for path in manifest_files(folder):
            batch.append(path)
            if len(batch) >= STEP:
                yield batch
                batch = []
    if batch:
        yield batch
