"""The language server: open documents, linting on change, diagnostics, code actions, hover.

Linting runs on one worker thread, so the protocol keeps reading while a large file is linted.
Each document has at most one lint running; changes that arrive meanwhile are coalesced and the
latest text is linted next (with an optional quiet time, `debounceMs`). Diagnostics are published
only for the version that is still current: a result for an older text is dropped.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..config import CONFIG_NAMES
from . import hover as hover_text
from .actions import FIX_ALL, Builder
from .documents import Linted, classify, is_json, lint
from .objects import WorkspaceObjects, steps
from .protocol import Protocol
from .settings import Configs, Settings, parse_settings

log = logging.getLogger("hardenlint.server")


@dataclass
class Doc:
    """Server-side state of one open document."""

    uri: str
    path: Optional[str]
    kind: Optional[str]
    json: bool
    pending: bool = False
    task: Optional[asyncio.Task] = None
    last: Optional[Linted] = None  # the latest lint of this document
    closed: bool = False


class HardenlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("hardenlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
                         protocol_cls=Protocol)
        self.configs = Configs()
        self.settings = Settings()
        self.init_settings: Any = None
        self.docs: Dict[str, Doc] = {}
        self.lint_pool = ThreadPoolExecutor(1, thread_name_prefix="hardenlint-lint")
        self.shown: Set[str] = set()
        self.generation = 0  # bumped when settings or config files change: older lints are stale
        self.objects = WorkspaceObjects()  # Kubernetes objects of the workspace (cross-file rules)

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or "utf-16")

    @property
    def root_folder(self) -> Optional[str]:
        try:
            return self.workspace.root_path
        except Exception:
            return None

    def show_once(self, message: str, kind: lsp.MessageType = lsp.MessageType.Error) -> None:
        """window/showMessage, once per distinct message for the life of the server."""
        if message in self.shown:
            return
        self.shown.add(message)
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def use_settings(self, data: Any) -> None:
        settings, errors = parse_settings(data)
        for e in errors:
            self.show_once(e, lsp.MessageType.Warning)
        self.settings = settings

    async def run_lint(self, doc: Doc) -> Optional[Linted]:
        """Lint the document's current text on the worker thread (None once it is closed)."""
        td = self.workspace.get_text_document(doc.uri)
        text, version = td.source, td.version
        generation = self.generation
        last = doc.last
        if last is not None and last.version == version and last.text is text and last.generation == generation:
            return last
        resolved = self.configs.resolve(doc.path, self.settings, self.root_folder)
        if resolved.error:
            self.show_once(f"hardenlint: {resolved.error} (using the default configuration until it is fixed)")
        loop = asyncio.get_running_loop()
        linted = await loop.run_in_executor(
            self.lint_pool, lint, doc.path, doc.uri, doc.kind, doc.json, text, version, resolved, self.encoding,
            self.objects)
        if doc.closed:
            return None
        linted.generation = generation
        doc.last = linted
        return linted

    def schedule(self, doc: Doc, delay_ms: int = 0) -> None:
        """Lint `doc` soon; a lint already running for it is followed by one of the latest text."""
        doc.pending = True
        if doc.task is None or doc.task.done():
            doc.task = asyncio.ensure_future(self._lint_loop(doc, delay_ms))

    async def _lint_loop(self, doc: Doc, delay_ms: int) -> None:
        try:
            while doc.pending and not doc.closed:
                await asyncio.sleep(delay_ms / 1000 if delay_ms else 0)  # lets queued changes land first
                doc.pending = False
                linted = await self.run_lint(doc)
                if linted is None or doc.closed:
                    return
                if doc.pending or linted.version != self.workspace.get_text_document(doc.uri).version:
                    continue  # the text or the settings changed meanwhile: never publish a stale result
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                    uri=doc.uri, diagnostics=linted.diagnostics(), version=linted.version))
        except Exception as e:  # never let one document take the server down
            log.exception("lint of %s failed", doc.uri)
            self.show_once(f"hardenlint: internal error while linting: {type(e).__name__}: {e}")

    def relint_all(self) -> None:
        self.generation += 1
        for doc in self.docs.values():
            self.schedule(doc)

    def relint_kubernetes(self, but: Optional[Doc] = None) -> None:
        """Lint the open manifests again (the workspace's objects changed)."""
        for doc in self.docs.values():
            if doc is not but and doc.last is not None and doc.last.kind == "kubernetes":
                doc.last = None
                self.schedule(doc)

    async def scan_workspace(self) -> None:
        """Index the workspace folders' manifests in the background, STEP files per turn of the
        lint thread, then lint the open manifests again if anything was found."""
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()] or [self.root_folder]
        work = steps([f for f in folders if f])
        loop = asyncio.get_running_loop()
        changed = False
        while True:
            got = await loop.run_in_executor(self.lint_pool, self._scan_step, work)
            if got is None:
                break
            changed = changed or got
        if changed:
            self.relint_kubernetes()

    def _scan_step(self, work) -> Optional[bool]:
        batch = next(work, None)
        if batch is None:
            return None
        open_paths = {d.path for d in list(self.docs.values())}
        return any([self.objects.index_file(p) for p in batch if p not in open_paths])

    async def fetch_settings(self) -> None:
        caps = self.client_capabilities.workspace
        if caps is None or not caps.configuration:
            self.use_settings(self.init_settings)
            return
        try:
            got = await self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="hardenlint")]))
        except Exception:
            got = None
        value = got[0] if got else None
        self.use_settings(value if value is not None else self.init_settings)

    def resolve_images(self, linter) -> dict:
        """`resolve = true` in the config, on save: ask the registries about the images of every
        open document linted with `linter` (their answers replace the linter's earlier ones)."""
        from ..oci.session import resolve
        from ..source import SourceFile

        sources = []
        for doc in list(self.docs.values()):
            if doc.kind is None or self.configs.resolve(doc.path, self.settings, self.root_folder).linter is not linter:
                continue
            td = self.workspace.get_text_document(doc.uri)
            sources.append(SourceFile(doc.path or doc.uri, td.source, doc.kind))
        try:
            errors = dict(resolve(linter, sources=sources).errors)
        finally:
            linter.preparsed.clear()  # kept for a run's next lint; here the texts change
        return errors

    def client_resolves_edits(self) -> bool:
        td = self.client_capabilities.text_document
        ca = td.code_action if td is not None else None
        support = ca.resolve_support if ca is not None else None
        return bool(support and "edit" in support.properties)

    def document_changes(self) -> bool:
        ws = self.client_capabilities.workspace
        return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)


server = HardenlintServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: HardenlintServer, params: lsp.InitializeParams) -> None:
    ls.init_settings = params.initialization_options
    ls.use_settings(params.initialization_options)


@server.feature(lsp.INITIALIZED)
async def initialized(ls: HardenlintServer, params: lsp.InitializedParams) -> None:
    ws = ls.client_capabilities.workspace
    watched = ws.did_change_watched_files if ws is not None else None
    if watched is not None and watched.dynamic_registration:
        watchers = [lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
        if ls.objects.enabled:
            watchers.append(lsp.FileSystemWatcher(glob_pattern="**/*.{yaml,yml,json}"))
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="hardenlint-config-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))
        except Exception:
            log.warning("the client refused to watch config files")
    before = ls.settings
    await ls.fetch_settings()
    if ls.settings != before:
        ls.relint_all()
    if ls.objects.enabled:
        await ls.scan_workspace()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: HardenlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    td = params.text_document
    path = to_fs_path(td.uri) if td.uri.startswith("file:") else None
    kind = classify(path or td.uri, td.language_id)
    doc = Doc(td.uri, path, kind, is_json(kind))
    old = ls.docs.get(td.uri)
    if old is not None:
        old.closed = True
    ls.docs[td.uri] = doc
    if doc.kind is not None:
        ls.schedule(doc)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: HardenlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    doc = ls.docs.get(params.text_document.uri)
    if doc is not None and doc.kind is not None:
        ls.schedule(doc, ls.settings.debounce_ms)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: HardenlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    doc = ls.docs.get(params.text_document.uri)
    if doc is None or doc.kind is None:
        return
    resolved = ls.configs.resolve(doc.path, ls.settings, ls.root_folder)
    if resolved.config.resolve and not resolved.excluded:  # the only time the server uses the network
        loop = asyncio.get_running_loop()
        errors = await loop.run_in_executor(ls.lint_pool, ls.resolve_images, resolved.linter)
        for ref, message in sorted(errors.items()):
            ls.window_log_message(lsp.LogMessageParams(
                type=lsp.MessageType.Warning, message=f"hardenlint: cannot resolve {ref}: {message}"))
    doc.last = None
    ls.schedule(doc)
    if ls.objects.enabled:
        ls.relint_kubernetes(but=doc)  # its objects as saved may change the others' findings


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: HardenlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    doc = ls.docs.pop(params.text_document.uri, None)
    if doc is None:
        return
    doc.closed = True
    doc.last = None
    if doc.task is not None and not doc.task.done():
        doc.task.cancel()
    if ls.objects.enabled and doc.path:  # back to what the file on disk says
        ls.objects.index_file(doc.path)
    if doc.kind is not None:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=doc.uri, diagnostics=[]))


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: HardenlintServer, params: lsp.DidChangeConfigurationParams) -> None:
    caps = ls.client_capabilities.workspace
    if caps is not None and caps.configuration:
        await ls.fetch_settings()
    elif params.settings is not None:
        ls.use_settings(params.settings)
    ls.relint_all()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: HardenlintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    paths = [to_fs_path(c.uri) or c.uri for c in params.changes]
    if {os.path.basename(p) for p in paths} & set(CONFIG_NAMES):
        ls.configs.clear()
        ls.shown = {m for m in ls.shown if not m.startswith("hardenlint: ")}  # a new error is worth showing
        ls.relint_all()
    if ls.objects.enabled:
        open_paths = {d.path for d in ls.docs.values()}
        changed = False
        for change, path in zip(params.changes, paths):
            if path in open_paths:
                continue
            if change.type == lsp.FileChangeType.Deleted:
                changed = ls.objects.remove(path) or changed
            else:
                changed = ls.objects.index_file(path) or changed
        if changed:
            ls.relint_kubernetes()


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True),
)
async def code_action(ls: HardenlintServer, params: lsp.CodeActionParams) -> Optional[List[lsp.CodeAction]]:
    doc = ls.docs.get(params.text_document.uri)
    if doc is None or doc.kind is None:
        return None
    linted = await ls.run_lint(doc)
    if linted is None or linted.result is None:
        return None
    builder = Builder(linted, doc.uri, ls.settings.unsafe_fixes, ls.document_changes())
    actions = builder.for_range(params.range, params.context)
    eager = params.context.only is not None or not ls.client_resolves_edits()
    out = []
    for action in actions:
        if action.kind == FIX_ALL and eager:
            loop = asyncio.get_running_loop()
            action.edit = await loop.run_in_executor(ls.lint_pool, builder.fix_all_edit)
            if action.edit is None:
                continue
        out.append(action)
    return out or None


@server.feature(lsp.CODE_ACTION_RESOLVE)
async def code_action_resolve(ls: HardenlintServer, action: lsp.CodeAction) -> lsp.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    doc = ls.docs.get(data.get("uri", ""))
    if action.kind != FIX_ALL or doc is None or action.edit is not None:
        return action
    linted = await ls.run_lint(doc)
    if linted is None or linted.version != data.get("version"):
        return action  # the document changed: no edit rather than a stale one
    builder = Builder(linted, doc.uri, ls.settings.unsafe_fixes, ls.document_changes())
    loop = asyncio.get_running_loop()
    action.edit = await loop.run_in_executor(ls.lint_pool, builder.fix_all_edit)
    if action.edit is None:
        action.edit = lsp.WorkspaceEdit(changes={})
    return action


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: HardenlintServer, params: lsp.HoverParams) -> Optional[lsp.Hover]:
    doc = ls.docs.get(params.text_document.uri)
    if doc is None or doc.kind is None:
        return None
    linted = await ls.run_lint(doc)
    if linted is None or linted.result is None:
        return None
    at = linted.pmap.offset(params.position)
    found = linted.findings_at(at, at)
    if not found:
        return None
    parts, seen = [], set()
    for f in found:
        if (f.rule, f.message) in seen:
            continue
        seen.add((f.rule, f.message))
        parts.append(hover_text.markdown(f.rule, f.level, linted.redact(f.message)))
    first = min(found, key=lambda f: f.span.end - f.span.start)
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=linted.pmap.range(first.span.start, first.span.end))


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: HardenlintServer, params: Any) -> None:
    for doc in ls.docs.values():
        doc.closed = True
        if doc.task is not None and not doc.task.done():
            doc.task.cancel()
    ls.lint_pool.shutdown(wait=False, cancel_futures=True)


def serve() -> int:
    """Run the server on stdin/stdout; returns when the client has sent `exit`."""
    logging.basicConfig(level=logging.WARNING, format="hardenlint server: %(message)s")
    server.start_io()  # pygls ends it on `exit` (and on a closed stdin)
    return 0 if server.protocol._shutdown else 1  # LSP: 1 when `exit` came without `shutdown`
