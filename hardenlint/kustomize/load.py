"""The files a kustomize run reads, each read and composed once and shared by every kustomization.

`Workspace.documents(path)` gives the composed documents of a YAML (or JSON) file; every node's
`start_mark.name` is the file's path (the composer reads a named stream), which is how a rendered
value remembers its file. `Workspace.text(path)` reads any file (generators, env files).
`kustomization_file(dir)` finds `kustomization.yaml` / `.yml` / `Kustomization`.
"""
from __future__ import annotations

import io
import os
import re
from typing import Dict, List, Optional, Tuple

import yaml

from ..model.yamlnodes import LOADER, MappingNode, Node, ScalarNode, _fast_loader, is_null
from ..source import SourceError, decode

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class LoadError(Exception):
    """A file a kustomization names cannot be read or parsed (one line)."""


def _kind(doc: Node) -> Optional[Node]:
    if isinstance(doc, MappingNode):
        for k, v in doc.value:
            if isinstance(k, ScalarNode) and k.value == "kind":
                return v
    return None


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


_CRD_KIND = re.compile(r"(?m)^kind:[ \t]*CustomResourceDefinition[ \t]*\r?$")
_DOC_SEP = re.compile(r"(?m)^---[ \t]*(?:#.*)?\r?$")
_TOP_KEY = re.compile(r"(?m)^[A-Za-z_\"'][^\n]*:")
STUB_MIN = 4096


def stub_crd_specs(text: str) -> Tuple[str, List[int]]:
    """`text` with the `spec:` block of every large CustomResourceDefinition blanked out (same
    length, newlines kept, so every offset still indexes `text`), and the offsets of the
    documents blanked. CRDs are most of the bytes of real trees and no rule reads their schema."""
    if "CustomResourceDefinition" not in text:
        return text, []
    seps = list(_DOC_SEP.finditer(text))
    starts = [0] + [m.end() for m in seps]
    ends = [m.start() for m in seps] + [len(text)]
    out = []
    pos = 0
    stubbed = []
    for a, b in zip(starts, ends):
        if b - a < STUB_MIN or not _CRD_KIND.search(text, a, b):
            continue
        m = re.compile(r"(?m)^spec:").search(text, a, b)
        if m is None:
            continue
        nxt = _TOP_KEY.search(text, m.end(), b)
        end = nxt.start() if nxt is not None else b
        out.append(text[pos:m.start()])
        out.append("\n".join(" " * len(line) for line in text[m.start():end].split("\n")))
        pos = end
        stubbed.append(a)
    out.append(text[pos:])
    return "".join(out), stubbed


class Workspace:
    """Every file read by a run (text and composed documents), keyed by normalised absolute path.

    `stub_crds`: CustomResourceDefinitions are composed without their `spec` (see
    `stub_crd_specs`); their root node is marked `_hl_stub` (linting never reads them).
    """

    def __init__(self, stub_crds: bool = False) -> None:
        self.stub_crds = stub_crds
        self.texts: Dict[str, str] = {}
        self.boms: Dict[str, bool] = {}
        self.docs: Dict[str, List[Node]] = {}
        self.errors: Dict[str, Tuple[str, int]] = {}  # path -> (YAML error, offset): HL001 when linted

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
        stubbed: List[int] = []
        if self.stub_crds:
            t, stubbed = stub_crd_specs(t)
        try:
            docs = compose_named(t, path)
        except (yaml.YAMLError, RecursionError, ValueError) as e:
            mark = getattr(e, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            self.errors[path] = (f"YAML error: {getattr(e, 'problem', None) or e}", mark.index if mark is not None else 0)
            raise LoadError(f"{path}{where}: YAML error: {getattr(e, 'problem', None) or e}") from None
        for d in docs:
            if stubbed and d.start_mark is not None and any(d.start_mark.index >= a for a in stubbed) \
                    and "CustomResourceDefinition" == getattr(_kind(d), "value", None):
                d.__dict__["_hl_stub"] = True
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
