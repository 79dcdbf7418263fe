"""Code actions for one linted document version.

- a quick fix per finding that has a fix the settings allow (unsafe ones only with `unsafeFixes`,
  and then "(unsafe)" in the title; safe ones `isPreferred`), with the edits `--fix` would write;
- `source.fixAll.hardenlint`: the text `--fix` would give (the fixer's loop, safe fixes only),
  as one edit;
- "Ignore HLxxx for this line" / "…for this file": a suppression comment (`ignores.py`).

A fix whose text would show a literal secret is left out, as in JSON and SARIF output; in a JSON
document, a fix is offered only when the result is still JSON.
"""
from __future__ import annotations

import json
from typing import Dict, List, Optional, Sequence

from lsprotocol import types as lsp

from ..fixer import allowed, apply_fixes, fix_source
from ..model.findings import Edit, Fix
from . import ignores
from .convert import diagnostic, text_edits, whole_change
from .documents import Linted, source_of, span_of

FIX_ALL = "source.fixAll.hardenlint"
FIX_ALL_TITLE = "Fix all hardenlint findings (safe fixes)"


def wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """Whether an action of `kind` answers a request limited to `only` (hierarchical kinds)."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


class Builder:
    """Makes the actions of one request on one document version."""

    def __init__(self, linted: Linted, uri: str, unsafe_fixes: bool, document_changes: bool) -> None:
        self.linted = linted
        self.uri = uri
        self.unsafe = unsafe_fixes
        self.document_changes = document_changes

    def workspace_edit(self, edits: List[lsp.TextEdit]) -> lsp.WorkspaceEdit:
        if self.document_changes:
            ident = lsp.OptionalVersionedTextDocumentIdentifier(uri=self.uri, version=self.linted.version)
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=ident, edits=edits)])
        return lsp.WorkspaceEdit(changes={self.uri: edits})

    def _acceptable(self, edits: Sequence[Edit], new_text: Optional[str] = None) -> bool:
        if any(self.linted.shows_secret(e.content) for e in edits):
            return False
        if self.linted.json:
            if new_text is None:
                new_text = apply_fixes(self.linted.text, [Fix("", tuple(edits))])
            try:
                json.loads(new_text)
            except ValueError:
                return False
        return True

    def for_range(self, rng: lsp.Range, context: lsp.CodeActionContext) -> List[lsp.CodeAction]:
        """Actions for the findings under `rng` and those the context's diagnostics are about
        (editors send the diagnostics of the cursor's line)."""
        linted = self.linted
        out: List[lsp.CodeAction] = []
        if linted.result is None:
            return out
        only = context.only
        start, end = span_of(linted, rng)
        asked = {(str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
                 for d in context.diagnostics or () if d.source == "hardenlint"}
        here = []
        for f in linted.findings:
            if f.span.start <= end and start <= f.span.end:
                here.append(f)
            elif asked:
                r = linted.pmap.range(f.span.start, f.span.end)
                if (f.rule, r.start.line, r.start.character, r.end.line, r.end.character) in asked:
                    here.append(f)
        if wanted(lsp.CodeActionKind.QuickFix, only):
            out.extend(self.quick_fixes(here))
            out.extend(self.ignore_actions(here))
        if wanted(FIX_ALL, only) and any(allowed(f.fix, False) for f in linted.findings):
            out.append(lsp.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL,
                                      data={"uri": self.uri, "version": linted.version}))
        return out

    def quick_fixes(self, findings) -> List[lsp.CodeAction]:
        out = []
        for f in findings:
            if not allowed(f.fix, self.unsafe) or not self._acceptable(f.fix.edits):
                continue
            safe = f.fix.applicability == "safe"
            title = f"{f.rule}: {f.fix.title}" if safe else f"{f.rule} (unsafe): {f.fix.title}"
            edits = text_edits(self.linted.text, f.fix.edits, self.linted.pmap)
            out.append(lsp.CodeAction(
                title=title, kind=lsp.CodeActionKind.QuickFix, is_preferred=safe,
                diagnostics=[diagnostic(f, self.linted.pmap, self.linted.redact)],
                edit=self.workspace_edit(edits)))
        return out

    def ignore_actions(self, findings) -> List[lsp.CodeAction]:
        linted = self.linted
        if linted.json or linted.parsed is None:
            return []
        out = []
        rules: Dict[str, list] = {}
        for f in findings:
            rules.setdefault(f.rule, []).append(f)
        for rule, group in rules.items():
            diags = [diagnostic(f, linted.pmap, linted.redact) for f in group]
            line = ignores.line_edit(linted.parsed, group[0])
            if line is not None:
                out.append(lsp.CodeAction(
                    title=f"Ignore {rule} for this line", kind=lsp.CodeActionKind.QuickFix, diagnostics=diags,
                    edit=self.workspace_edit(text_edits(linted.text, [line], linted.pmap))))
            whole = ignores.file_edit(linted.parsed, rule)
            if whole is not None:
                out.append(lsp.CodeAction(
                    title=f"Ignore {rule} for this file", kind=lsp.CodeActionKind.QuickFix, diagnostics=diags,
                    edit=self.workspace_edit(text_edits(linted.text, [whole], linted.pmap))))
        return out

    def fix_all_edit(self) -> Optional[lsp.WorkspaceEdit]:
        """The fixer's result on this version as one edit (None when nothing changes, or when the
        edit would show a secret or break JSON)."""
        linted = self.linted
        if linted.result is None or linted.parsed is None:
            return None
        outcome = fix_source(linted.resolved.linter, source_of(linted, linted.text), unsafe=False)
        if outcome.text is None or outcome.text == linted.text:
            return None
        edit = whole_change(linted.text, outcome.text, linted.pmap)
        if edit is None or not self._acceptable([Edit(0, 0, edit.new_text)], outcome.text):
            return None
        return self.workspace_edit([edit])
