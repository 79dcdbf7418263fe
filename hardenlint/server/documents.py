"""Open documents: which kind each is, and linting one version of its text.

A document is ours when the CLI would lint a file of that name found in a folder
(Dockerfiles/Containerfiles, compose files, YAML whose content is a compose file or a Kubernetes
manifest, JSON whose content is a Kubernetes manifest). The editor's language id only helps when the name says
nothing (an unsaved buffer set to `dockerfile`). Other YAML and JSON get no diagnostics.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from lsprotocol import types as lsp

from ..discover import kind_by_name
from ..engine import FileResult
from ..model.parsed import Parsed
from ..source import SourceFile
from .convert import PositionMap, diagnostic
from .settings import Resolved

def classify(path: Optional[str], language_id: Optional[str]) -> Optional[str]:
    """The kind `discover.kind_by_name` gives ("dockerfile", "compose", "yaml" or "json", the last
    two decided by the parser from the content), else from the editor's language id for a
    name that says nothing; None: never ours."""
    name = os.path.basename(path or "")
    kind = kind_by_name(name) if name else None
    if kind is not None:
        return kind
    if language_id in ("json", "jsonc"):
        return "json"
    if language_id == "dockerfile" and not os.path.splitext(name)[1]:
        return "dockerfile"
    if language_id == "dockercompose":
        return "compose"
    if language_id == "yaml":
        return "yaml"
    return None


def is_json(kind: Optional[str]) -> bool:
    """JSON documents take no comments (no ignore actions) and no fix that breaks JSON."""
    return kind == "json"


@dataclass
class Linted:
    """One version of a document, linted."""

    version: Optional[int]
    text: str
    resolved: Resolved
    kind: Optional[str]
    result: Optional[FileResult] = None  # None when the document is not ours or is excluded
    parsed: Optional[Parsed] = None
    encoding: str = "utf-16"
    json: bool = False
    generation: int = 0  # the server's settings generation it was linted under
    _pmap: Optional[PositionMap] = field(default=None, repr=False)

    @property
    def pmap(self) -> PositionMap:
        if self._pmap is None:
            index = self.parsed.source.index if self.parsed is not None else None
            self._pmap = PositionMap(self.text, self.encoding, index)
        return self._pmap

    @property
    def findings(self):
        return self.result.findings if self.result is not None else []

    def redact(self, text: str) -> str:
        """`text` with the document's literal secret values masked (as every CLI output does)."""
        for value in self.result.secrets if self.result is not None else ():
            if value in text:
                text = text.replace(value, "*" * len(value))
        return text

    def shows_secret(self, content: str) -> bool:
        return any(v in content for v in (self.result.secrets if self.result is not None else ()))

    def diagnostics(self) -> List[lsp.Diagnostic]:
        return [diagnostic(f, self.pmap, self.redact) for f in self.findings]

    def findings_at(self, start: int, end: int):
        """Findings whose span touches [start, end]."""
        return [f for f in self.findings if f.span.start <= end and start <= f.span.end]


def lint(path: Optional[str], uri: str, kind: Optional[str], json: bool, text: str, version: Optional[int],
         resolved: Resolved, encoding: str, objects=None) -> Linted:
    """Lint one version of a document (no I/O: the text is the editor's). With `objects` (the
    workspace's Kubernetes objects), cross-file rules see them, and this text's objects join them."""
    linted = Linted(version, text, resolved, kind, encoding=encoding, json=json)
    if kind is None or resolved.excluded:
        return linted
    source = SourceFile(path or uri, text, kind)
    if objects is not None and objects.enabled:
        resolved.linter.index = objects.index()
    result, parsed = resolved.linter.lint_source(source)
    if objects is not None and objects.enabled:
        objects.update(path, getattr(result, "objects", ()))
    linted.kind = result.kind
    if result.kind is None:  # other YAML / JSON, or a Helm template: nothing to say
        return linted
    linted.result, linted.parsed = result, parsed
    return linted


def source_of(linted: Linted, text: str) -> SourceFile:
    """A SourceFile for another text of the same document (the fixer's input)."""
    return SourceFile(linted.parsed.source.path, text, linted.parsed.source.kind)


def span_of(linted: Linted, rng: lsp.Range) -> Tuple[int, int]:
    return linted.pmap.offset(rng.start), linted.pmap.offset(rng.end)
