"""The files a kustomize run reads, each read and composed once and shared by every kustomization.

`Workspace.documents(path)` gives the composed documents of a YAML (or JSON) file; every node's
`start_mark.name` is the file's path (the composer reads a named stream), which is how a rendered
value remembers its file. `Workspace.text(path)` reads any file (generators, env files).
`kustomization_file(dir)` finds `kustomization.yaml` / `.yml` / `Kustomization`.
"""
from __future__ import annotations

import io
import os
from typing import Dict, List, Optional, Tuple

import yaml

from ..model.yamlnodes import LOADER, MappingNode, Node, ScalarNode, _fast_loader, is_null
from ..source import SourceError, decode

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class LoadError(Exception):
    """A file a kustomization names cannot be read or parsed (one line)."""


def kustomization_file(directory: str) -> Optional[str]:
    for name in KUSTOMIZATION_NAMES:
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    return None


def is_remote(ref: str) -> bool:
    r = ref.strip()
    return "://" in r or r.startswith(("git@", "github.com/", "gitlab.com/", "bitbucket.org/")) or \
        (r.split("/", 1)[0].count(".") >= 1 and "?ref=" in r)


def compose_named(text: str, path: str) -> List[Node]:
    """Compose every document of `text`; marks carry `path` as their name."""
    stream = io.StringIO(text)
    stream.name = path  # type: ignore[attr-defined]
    loader = _fast_loader(LOADER)(stream)
    try:
        docs = []
        while loader.check_node():
            n = loader.get_node()
            if n is not None:
                docs.append(n)
        return docs
    finally:
        loader.dispose()


class Workspace:
    """Every file read by a run (text and composed documents), keyed by normalised absolute path."""

    def __init__(self) -> None:
        self.texts: Dict[str, str] = {}
        self.boms: Dict[str, bool] = {}
        self.docs: Dict[str, List[Node]] = {}

    def text(self, path: str) -> str:
        t = self.texts.get(path)
        if t is not None:
            return t
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise LoadError(f"{path}: cannot read: {e.strerror or e}") from None
        try:
            t, bom = decode(data, path)
        except SourceError as e:
            raise LoadError(str(e)) from None
        self.texts[path] = t
        self.boms[path] = bom
        return t

    def documents(self, path: str) -> List[Node]:
        docs = self.docs.get(path)
        if docs is not None:
            return docs
        t = self.text(path)
        try:
            docs = compose_named(t, path)
        except (yaml.YAMLError, RecursionError, ValueError) as e:
            mark = getattr(e, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            raise LoadError(f"{path}{where}: YAML error: {getattr(e, 'problem', None) or e}") from None
        self.docs[path] = docs
        return docs

    def kustomization(self, directory: str) -> Tuple[str, MappingNode]:
        path = kustomization_file(directory)
        if path is None:
            raise LoadError(f"{directory}: no kustomization.yaml")
        docs = self.documents(path)
        root = docs[0] if docs else None
        if not isinstance(root, MappingNode):
            if root is None or (isinstance(root, ScalarNode) and is_null(root)):
                from .nodes import mapping
                return path, mapping([], origin=None)
            raise LoadError(f"{path}: a kustomization must be a mapping")
        return path, root
