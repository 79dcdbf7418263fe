"""`hardenlint server` end to end: a real server process spoken to over stdio (pytest-lsp).

Every test drives the server as an editor would (initialize, didOpen/didChange/didSave, code
actions, hover, configuration, shutdown/exit), applies the edits it returns to the text, and checks
the result by linting it again through the server.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")  # Python 3.10+ (the `test` extra)

from lsprotocol import types as lsp  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from hardenlint.catalogue import expand_selector  # noqa: E402
from hardenlint.config import Config  # noqa: E402
from hardenlint.engine import Linter  # noqa: E402
from hardenlint.fixer import fix_source  # noqa: E402
from hardenlint.source import SourceFile  # noqa: E402

from hardenlint.server.objects import available as objects_available  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

SERVER = [sys.executable, "-m", "hardenlint", "server"]
TIMEOUT = float(os.environ.get("HARDENLINT_LSP_TIMEOUT", "60"))  # seconds to wait for a notification (the machine is shared)

DOCKERFILE = """FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN sudo ./install.sh
COPY app.py /app/app.py
CMD ["python", "/app/app.py"]
"""
COMPOSE = """services:
  web:
    image: nginx:1.27
    privileged: true
"""
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
"""
POD_JSON = json.dumps({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "securityContext": {"privileged": True}}]},
}, indent=2) + "\n"
OTHER_YAML = "name: CI\non:\n  push: {}\njobs: {}\n"


# --- the client ------------------------------------------------------------------------------

def _publish(client: LanguageClient, params: lsp.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register(client: LanguageClient, params: lsp.RegistrationParams):
    client.registrations = getattr(client, "registrations", []) + list(params.registrations)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[lsp.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client,
                            server_env={**os.environ, "PYTHONUNBUFFERED": "1"})


def init_params(root: Path, options=None, spec: str = "neovim") -> lsp.InitializeParams:
    return lsp.InitializeParams(capabilities=client_capabilities(spec), root_uri=root.as_uri(),
                                workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
                                initialization_options=options)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ws")


@pytest_lsp.fixture(scope="module", config=CONFIG)
async def client(lsp_client: LanguageClient, workspace: Path):
    result = await lsp_client.initialize_session(init_params(workspace))
    lsp_client.encoding = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


class Doc:
    """An open document on the client side: its text and version, kept in step with the server."""

    def __init__(self, client: LanguageClient, path: Path, text: str, language: str) -> None:
        self.client, self.path, self.text, self.version = client, path, text, 1
        self.uri = path.as_uri()
        self.encoding = getattr(client, "encoding", None) or "utf-16"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=self.uri, language_id=language, version=1, text=text)))

    def replace(self, text: str) -> None:
        self.version += 1
        self.text = text
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    def edit(self, start: lsp.Position, end: lsp.Position, new: str) -> None:
        """An incremental change, as editors send them."""
        self.version += 1
        self.text = apply_edits(self.text, [lsp.TextEdit(lsp.Range(start, end), new)], self.encoding)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(start, end), text=new)]))

    async def diagnostics(self, version: Optional[int] = None) -> List[lsp.Diagnostic]:
        """The diagnostics published for `version` (default: the current one)."""
        want = self.version if version is None else version
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while loop.time() < deadline:
            for p in reversed(self.client.published):
                if p.uri == self.uri and p.version == want:
                    return list(p.diagnostics)
            await asyncio.sleep(0.01)
        raise AssertionError(f"no diagnostics for {self.path.name} version {want}")

    async def actions(self, rng: lsp.Range, only=None) -> List[lsp.CodeAction]:
        """Code actions at `rng`, with the diagnostics of its lines in the context (as Neovim
        sends them)."""
        lines = range(rng.start.line, rng.end.line + 1)
        context = [d for d in self.client.diagnostics.get(self.uri, []) if d.range.start.line in lines]
        got = await self.client.text_document_code_action_async(lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(self.uri), range=rng,
            context=lsp.CodeActionContext(diagnostics=context, only=only)))
        return list(got or [])

    async def apply(self, action: lsp.CodeAction) -> str:
        """Apply the action's edit to the text, send it, and wait for the new diagnostics."""
        if action.edit is None:
            action = await self.client.code_action_resolve_async(action)
        edits: List[lsp.TextEdit] = []
        for change in action.edit.document_changes or []:
            assert change.text_document.uri == self.uri and change.text_document.version == self.version
            edits.extend(change.edits)
        for uri, more in (action.edit.changes or {}).items():
            assert uri == self.uri
            edits.extend(more)
        self.replace(apply_edits(self.text, edits, self.encoding))
        return self.text


def units(chars: str, encoding: str) -> int:
    """Length of `chars` in the position encoding's code units."""
    if encoding == "utf-8":
        return len(chars.encode("utf-8"))
    if encoding == "utf-32":
        return len(chars)
    return len(chars.encode("utf-16-le")) // 2


def _offset(text: str, pos: lsp.Position, encoding: str) -> int:
    """Offset of an LSP position in `text`."""
    lines = text.split("\n")
    off = sum(len(line) + 1 for line in lines[:pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    i = 0
    while i < len(line) and units(line[:i], encoding) < pos.character:
        i += 1
    return off + i


def apply_edits(text: str, edits: List[lsp.TextEdit], encoding: str = "utf-16") -> str:
    spans = sorted(((_offset(text, e.range.start, encoding), _offset(text, e.range.end, encoding), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: lsp.CodeAction) -> List[lsp.TextEdit]:
    edits = [e for c in action.edit.document_changes or [] for e in c.edits]
    return edits + [e for more in (action.edit.changes or {}).values() for e in more]


def codes(diags) -> List[str]:
    return sorted(str(d.code) for d in diags)


def lint_here(text: str, name: str, **cfg) -> List[str]:
    kind = "dockerfile" if "Dockerfile" in name else "yaml"
    result, _ = Linter(Config(**cfg)).lint_source(SourceFile(name, text, kind))
    return sorted(f.rule for f in result.findings)


def line_range(line: int) -> lsp.Range:
    return lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0))


# --- the tests -------------------------------------------------------------------------------

async def test_dockerfile_diagnostics_as_the_cli_reports_them(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "app" / "Dockerfile", DOCKERFILE, "dockerfile")
    diags = await doc.diagnostics()
    assert codes(diags) == lint_here(DOCKERFILE, "Dockerfile")
    sudo = next(d for d in diags if d.code == "HL204")
    assert sudo.range == lsp.Range(lsp.Position(2, 4), lsp.Position(2, 8))
    assert sudo.severity == lsp.DiagnosticSeverity.Warning and sudo.source == "hardenlint"
    assert sudo.code_description.href.endswith("/rules/HL204.md")
    user = next(d for d in diags if d.code == "HL301")
    assert user.severity == lsp.DiagnosticSeverity.Error
    cli = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--format", "json", str(doc.path)],
                         capture_output=True, text=True)
    messages = {(f["rule"], f["message"]) for f in json.loads(cli.stdout)["findings"]}
    assert {(d.code, d.message) for d in diags} == messages


@pytest.mark.parametrize("name, text, language, rule", [
    ("compose.yaml", COMPOSE, "yaml", "HL304"),
    ("deploy/pod.yaml", POD, "yaml", "HL304"),
    ("deploy/pod.json", POD_JSON, "json", "HL304"),
])
async def test_yaml_and_json_documents(client: LanguageClient, workspace: Path, name, text, language, rule):
    doc = Doc(client, workspace / "kinds" / name, text, language)
    diags = await doc.diagnostics()
    assert rule in codes(diags)
    assert codes(diags) == lint_here(text, name)


async def test_other_yaml_gets_nothing(client: LanguageClient, workspace: Path):
    other = Doc(client, workspace / ".github" / "workflows" / "ci.yaml", OTHER_YAML, "yaml")
    assert await other.diagnostics() == []
    readme = Doc(client, workspace / "README.md", "# FROM nothing\nRUN sudo x\n", "markdown")
    marker = Doc(client, workspace / "marker" / "Dockerfile", "FROM scratch\n", "dockerfile")
    await marker.diagnostics()  # handled after the README: it had its turn
    assert not any(p.uri == readme.uri for p in client.published)


async def test_edit_updates_diagnostics_and_never_publishes_an_older_version(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "edit" / "Dockerfile", DOCKERFILE, "dockerfile")
    assert "HL204" in codes(await doc.diagnostics())
    # remove `sudo ` with an incremental change
    doc.edit(lsp.Position(2, 4), lsp.Position(2, 9), "")
    assert "HL204" not in codes(await doc.diagnostics())
    # a burst of changes: whatever is published belongs to the text of its version, and the last
    # version is always published
    texts = {}
    for i in range(8):
        doc.replace(DOCKERFILE + ("RUN sudo true\n" if i % 2 else f"# change {i}\n"))
        texts[doc.version] = doc.text
    final = await doc.diagnostics()
    assert codes(final) == lint_here(doc.text, "Dockerfile")
    for p in client.published:
        if p.uri == doc.uri and p.version in texts:
            assert codes(p.diagnostics) == lint_here(texts[p.version], "Dockerfile"), p.version
    versions = [p.version for p in client.published if p.uri == doc.uri]
    assert versions == sorted(versions)


async def test_quick_fix_applied_relints_clean_for_its_rule(client: LanguageClient, workspace: Path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER 10001\n"
    doc = Doc(client, workspace / "quick" / "Dockerfile", text, "dockerfile")
    assert "HL203" in codes(await doc.diagnostics())
    actions = await doc.actions(line_range(1))
    fix = next(a for a in actions if a.title.startswith("HL203: "))
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics[0].code == "HL203"
    assert "rm -rf /var/lib/apt/lists/*" in fix.title
    new = await doc.apply(fix)
    assert "HL203" not in codes(await doc.diagnostics())
    assert "HL203" not in lint_here(new, "Dockerfile")


async def test_unsafe_fixes_only_when_the_setting_allows_them(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "unsafe" / "Dockerfile", "FROM python:3.12-slim\nCMD [\"python\"]\n", "dockerfile")
    assert "HL301" in codes(await doc.diagnostics())
    titles = [a.title for a in await doc.actions(line_range(0))]
    assert not any(t.startswith("HL301") for t in titles)
    assert "Ignore HL301 for this line" in titles


@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def unsafe_client(lsp_client: LanguageClient, tmp_path: Path):
    await lsp_client.initialize_session(init_params(tmp_path, {"unsafeFixes": True}))
    yield
    await lsp_client.shutdown_session()


async def test_unsafe_fix_marked_and_not_preferred(unsafe_client: LanguageClient, tmp_path: Path):
    doc = Doc(unsafe_client, tmp_path / "Dockerfile", "FROM python:3.12-slim\nCMD [\"python\"]\n", "dockerfile")
    assert "HL301" in codes(await doc.diagnostics())
    fix = next(a for a in await doc.actions(line_range(0)) if a.title.startswith("HL301"))
    assert fix.title == "HL301 (unsafe): add `USER 65532`" and not fix.is_preferred
    await doc.apply(fix)
    assert "HL301" not in codes(await doc.diagnostics())


async def test_fix_all_is_the_cli_fix_as_one_edit(client: LanguageClient, workspace: Path):
    text = ("FROM python:3.12\n"
            "RUN apt-get update && apt-get install -y curl\n"
            "RUN pip install flask\n"
            "USER 10001\n")
    doc = Doc(client, workspace / "fixall" / "Dockerfile", text, "dockerfile")
    await doc.diagnostics()
    actions = await doc.actions(line_range(0), only=["source.fixAll.hardenlint"])
    assert [a.kind for a in actions] == ["source.fixAll.hardenlint"]
    assert len(edits_of(actions[0])) == 1
    new = await doc.apply(actions[0])
    cli = subprocess.run([sys.executable, "-m", "hardenlint", "check", "-", "--stdin-filename", "Dockerfile", "--fix"],
                         input=text, capture_output=True, text=True)
    assert new == cli.stdout
    expected = fix_source(Linter(Config()), SourceFile("Dockerfile", text, "dockerfile"), unsafe=False)
    assert new == expected.text
    diags = await doc.diagnostics()
    assert codes(diags) == sorted(f.rule for f in expected.result.findings)
    # nothing safe is left to fix: no fix-all offered
    assert await doc.actions(line_range(0), only=["source.fixAll"]) == []


async def test_fix_all_resolved_lazily_when_the_client_resolves(client: LanguageClient, workspace: Path):
    text = "FROM python:3.12-slim\nRUN pip install flask\nUSER 10001\n"
    doc = Doc(client, workspace / "lazy" / "Dockerfile", text, "dockerfile")
    await doc.diagnostics()
    fix_all = [a for a in await doc.actions(line_range(1)) if a.kind == "source.fixAll.hardenlint"]
    assert len(fix_all) == 1 and fix_all[0].edit is None  # neovim resolves edits
    new = await doc.apply(fix_all[0])
    assert "--no-cache-dir" in new
    assert "HL203" not in codes(await doc.diagnostics())


@pytest.mark.parametrize("name, text, language, line, rule", [
    ("Dockerfile", "FROM python:3.12-slim\nRUN apt-get update && \\\n    sudo apt-get install -y --no-install-recommends curl\nUSER 10001\n",
     "dockerfile", 2, "HL204"),
    ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    read_only: true\n", "yaml", 3, "HL304"),
    ("pod.yaml", POD, "yaml", 9, "HL304"),
])
async def test_ignore_for_this_line_and_file(client: LanguageClient, workspace: Path, name, text, language, line, rule):
    base = workspace / "ignore" / name.replace(".", "_")
    doc = Doc(client, base / "line" / name, text, language)
    before = codes(await doc.diagnostics())
    assert rule in before
    actions = {a.title: a for a in await doc.actions(line_range(line))}
    await doc.apply(actions[f"Ignore {rule} for this line"])
    after = await doc.diagnostics()
    assert rule not in codes(after)
    assert f"# hardenlint ignore={rule}" in doc.text
    others = [c for c in before if c != rule]
    assert codes(after) == sorted(others)  # only that rule went
    # for the file
    whole = Doc(client, base / "file" / name, text, language)
    await whole.diagnostics()
    actions = {a.title: a for a in await whole.actions(line_range(line))}
    await whole.apply(actions[f"Ignore {rule} for this file"])
    assert rule not in codes(await whole.diagnostics())
    assert f"# hardenlint ignore-file={rule}" in whole.text


async def test_ignore_extends_an_existing_comment_and_keeps_directives(client: LanguageClient, workspace: Path):
    text = "# syntax=docker/dockerfile:1\nFROM python:3.12\n# hardenlint ignore=HL201\nRUN sudo true\nUSER 10001\n"
    doc = Doc(client, workspace / "extend" / "Dockerfile", text, "dockerfile")
    assert "HL204" in codes(await doc.diagnostics())
    actions = {a.title: a for a in await doc.actions(line_range(3))}
    await doc.apply(actions["Ignore HL204 for this line"])
    assert "# hardenlint ignore=HL201,HL204\n" in doc.text
    assert "HL204" not in codes(await doc.diagnostics())
    actions = {a.title: a for a in await doc.actions(line_range(1))}
    await doc.apply(actions["Ignore HL201 for this file"])
    assert doc.text.startswith("# syntax=docker/dockerfile:1\n# hardenlint ignore-file=HL201\n")


async def test_json_gets_no_comment_and_no_json_breaking_fix(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "json" / "pod.json", POD_JSON, "json")
    await doc.diagnostics()
    line = next(i for i, t in enumerate(POD_JSON.splitlines()) if "privileged" in t)
    for action in await doc.actions(lsp.Range(lsp.Position(0, 0), lsp.Position(line + 1, 0))):
        assert not action.title.startswith("Ignore")
        if action.edit is not None:
            new = apply_edits(doc.text, edits_of(action), doc.encoding)
            json.loads(new)  # still JSON


async def test_hover_on_a_flagged_range(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "hover" / "Dockerfile", DOCKERFILE, "dockerfile")
    await doc.diagnostics()
    got = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(doc.uri), lsp.Position(2, 5)))
    assert got.contents.kind == lsp.MarkupKind.Markdown
    text = got.contents.value
    assert "**HL204 sudo-in-build** · warning" in text
    assert "**Why it matters**" in text and "**Fix**" in text
    assert got.range == lsp.Range(lsp.Position(2, 4), lsp.Position(2, 8))
    nothing = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(doc.uri), lsp.Position(3, 1)))
    assert nothing is None


async def test_columns_in_the_negotiated_position_encoding(client: LanguageClient, workspace: Path):
    assert client.encoding == "utf-8"  # Neovim offers UTF-8 first
    text = 'FROM python:3.12-slim\nRUN echo "\U0001F600 é" && sudo true\nUSER 10001\n'
    doc = Doc(client, workspace / "utf8" / "Dockerfile", text, "dockerfile")
    sudo = next(d for d in await doc.diagnostics() if d.code == "HL204")
    line = text.splitlines()[1]
    col = units(line[:line.index("sudo")], "utf-8")
    assert sudo.range.start == lsp.Position(1, col) and sudo.range.end == lsp.Position(1, col + 4)


async def test_utf16_columns(fresh: LanguageClient, tmp_path: Path):
    await fresh.initialize_session(init_params(tmp_path, spec="visual_studio_code"))
    fresh.encoding = "utf-16"
    text = 'FROM python:3.12-slim\nRUN echo "\U0001F600 é" && sudo true\nUSER 10001\n'
    doc = Doc(fresh, tmp_path / "Dockerfile", text, "dockerfile")
    sudo = next(d for d in await doc.diagnostics() if d.code == "HL204")
    # VS Code can watch files for the server: it is asked to watch the config files
    watched = {w["globPattern"] for r in fresh.registrations for w in r.register_options["watchers"]}
    assert {"**/.hardenlint.yaml", "**/.hardenlint.yml", "**/pyproject.toml"} <= watched
    assert ("**/*.{yaml,yml,json}" in watched) == objects_available()  # manifests, for cross-file rules
    line = text.splitlines()[1]
    col = line.index("sudo") + 1  # the emoji is two UTF-16 code units
    assert sudo.range.start == lsp.Position(1, col) and sudo.range.end == lsp.Position(1, col + 4)
    # an incremental edit after the emoji lands where the editor meant it
    doc.edit(lsp.Position(1, col), lsp.Position(1, col + 5), "")
    assert "HL204" not in codes(await doc.diagnostics())
    await fresh.shutdown_session()


async def test_secrets_never_reach_the_client(client: LanguageClient, workspace: Path):
    secret = "hunter2hunter2XYZ"
    text = f"FROM python:3.12-slim\nENV DB_PASSWORD={secret}\nRUN curl -u admin:{secret} https://x/ && sudo true\nUSER 10001\n"
    doc = Doc(client, workspace / "secret" / "Dockerfile", text, "dockerfile")
    diags = await doc.diagnostics()
    assert "HL501" in codes(diags)
    payload = [d.message for d in diags]
    for line in range(4):
        for a in await doc.actions(line_range(line)):
            payload.append(a.title)
            if a.edit is not None:
                payload.extend(e.new_text for e in edits_of(a))
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(doc.uri), lsp.Position(1, 5)))
    payload.append(hover.contents.value)
    assert not any(secret in p for p in payload)


async def test_broken_files_give_hl001_and_the_server_carries_on(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "broken" / "pod.yaml", "apiVersion: v1\nkind: Pod\nspec: [unclosed\n", "yaml")
    assert "HL001" in codes(await doc.diagnostics())
    bad = Doc(client, workspace / "broken" / "Dockerfile", "FROM\nRUN [\"unterminated\n", "dockerfile")
    assert "HL001" in codes(await bad.diagnostics())
    await bad.actions(line_range(0))
    ok = Doc(client, workspace / "broken" / "ok" / "Dockerfile", "FROM python:3.12-slim\nRUN sudo x\nUSER 1\n", "dockerfile")
    assert "HL204" in codes(await ok.diagnostics())


async def test_large_manifest(client: LanguageClient, workspace: Path):
    from benchmarks.server_bench import manifest  # the same generator the benchmark uses

    text = manifest(5000)
    assert text.count("\n") >= 5000
    doc = Doc(client, workspace / "large" / "all.yaml", text, "yaml")
    diags = await doc.diagnostics()
    assert codes(diags) == lint_here(text, "all.yaml")
    doc.edit(lsp.Position(0, 0), lsp.Position(0, 0), "# edited\n")
    assert len(await doc.diagnostics()) == len(diags)


async def test_close_clears_diagnostics(client: LanguageClient, workspace: Path):
    doc = Doc(client, workspace / "close" / "Dockerfile", DOCKERFILE, "dockerfile")
    assert await doc.diagnostics()
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(doc.uri)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while client.diagnostics.get(doc.uri) and loop.time() < deadline:
        await asyncio.sleep(0.01)
    assert list(client.diagnostics.get(doc.uri)) == []


# --- configuration ---------------------------------------------------------------------------

@pytest_lsp.fixture(config=CONFIG, loop_scope="module")
async def fresh(lsp_client: LanguageClient):
    """A server of its own; the test initializes it (and shuts it down, else the fixture does)."""
    yield
    if lsp_client.capabilities is not None and lsp_client._server.returncode is None:
        await lsp_client.shutdown_session()


async def test_config_file_is_the_nearest_and_reloads_when_it_changes(fresh: LanguageClient, tmp_path: Path):
    project = tmp_path / "project"
    (project / "svc").mkdir(parents=True)
    cfg = project / ".hardenlint.yaml"
    cfg.write_text("ignore: [HL204]\n")
    await fresh.initialize_session(init_params(tmp_path))
    doc = Doc(fresh, project / "svc" / "Dockerfile", DOCKERFILE, "dockerfile")
    assert "HL204" not in codes(await doc.diagnostics())
    outside = Doc(fresh, tmp_path / "Dockerfile", DOCKERFILE, "dockerfile")
    assert "HL204" in codes(await outside.diagnostics())
    count = len([p for p in fresh.published if p.uri == doc.uri])
    cfg.write_text("ignore: [HL301]\n")
    fresh.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        [lsp.FileEvent(uri=cfg.as_uri(), type=lsp.FileChangeType.Changed)]))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while len([p for p in fresh.published if p.uri == doc.uri]) == count and loop.time() < deadline:
        await asyncio.sleep(0.01)
    got = codes(fresh.diagnostics[doc.uri])
    assert "HL204" in got and "HL301" not in got
    # a broken config: said once, and linting goes on with the defaults
    cfg.write_text("ignore: [HL999]\n")
    fresh.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
        [lsp.FileEvent(uri=cfg.as_uri(), type=lsp.FileChangeType.Changed)]))
    other = Doc(fresh, project / "svc" / "two" / "Dockerfile", DOCKERFILE, "dockerfile")
    assert "HL301" in codes(await other.diagnostics())
    errors = [m for m in fresh.messages if "HL999" in m.message]
    assert len(errors) == 1 and errors[0].type == lsp.MessageType.Error
    assert ".hardenlint.yaml" in errors[0].message
    await fresh.shutdown_session()


async def test_client_settings_from_workspace_configuration(fresh: LanguageClient, tmp_path: Path):
    fresh.set_configuration({"select": ["HL2"]}, section="hardenlint")
    await fresh.initialize_session(init_params(tmp_path, {"preset": "strict"}))
    doc = Doc(fresh, tmp_path / "Dockerfile", DOCKERFILE, "dockerfile")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:  # the settings arrive after `initialized`: wait for their lint
        got = fresh.diagnostics.get(doc.uri)
        if got is not None and all(str(d.code).startswith("HL2") for d in got) and got:
            break
        await asyncio.sleep(0.01)
    assert codes(fresh.diagnostics[doc.uri]) == lint_here(DOCKERFILE, "Dockerfile", select=expand_selector("HL2"))
    fresh.set_configuration({"ignore": ["HL204"], "bogus": 1}, section="hardenlint")
    count = len(fresh.published)
    fresh.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    while len(fresh.published) == count and loop.time() < deadline:
        await asyncio.sleep(0.01)
    assert "HL204" not in codes(fresh.diagnostics[doc.uri])
    assert "HL301" in codes(fresh.diagnostics[doc.uri])
    assert any("bogus" in m.message for m in fresh.messages)
    await fresh.shutdown_session()


async def test_initialization_options_without_workspace_configuration(fresh: LanguageClient, tmp_path: Path):
    params = init_params(tmp_path, {"hardenlint": {"select": ["HL301"]}}, spec="visual_studio_code")
    params.capabilities.workspace.configuration = False
    await fresh.initialize_session(params)
    doc = Doc(fresh, tmp_path / "Dockerfile", DOCKERFILE, "dockerfile")
    assert codes(await doc.diagnostics()) == ["HL301"]
    await fresh.shutdown_session()


async def test_registry_only_on_save_and_only_when_the_config_says_resolve(fresh: LanguageClient, tmp_path: Path):
    """A closed port on the loopback stands for a registry: asking it fails at once, and the
    failure is logged, which shows when the server asked."""
    (tmp_path / ".hardenlint.yaml").write_text("resolve: true\n")
    (tmp_path / "off").mkdir()
    (tmp_path / "off" / ".hardenlint.yaml").write_text("preset: recommended\n")
    await fresh.initialize_session(init_params(tmp_path))
    text = "FROM 127.0.0.1:9/app:latest\nUSER 10001\n"
    doc = Doc(fresh, tmp_path / "Dockerfile", text, "dockerfile")
    off = Doc(fresh, tmp_path / "off" / "Dockerfile", text, "dockerfile")
    await doc.diagnostics()
    await off.diagnostics()
    doc.replace(text + "# typing\n")
    off.replace(text + "# typing\n")
    await doc.diagnostics()
    await off.diagnostics()

    def asked() -> List[str]:
        return [m.message for m in fresh.log_messages if "127.0.0.1:9" in m.message]

    assert asked() == []  # not on open, not on a keystroke
    fresh.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(off.uri)))
    fresh.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(doc.uri)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not asked() and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert len(asked()) == 1 and "cannot resolve 127.0.0.1:9/app:latest" in asked()[0]


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: ci
  namespace: build
spec:
  template:
    spec:
      serviceAccountName: builder
      containers:
        - name: ci
          image: example/ci:4.2
"""
BINDING = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: builder-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: builder
    namespace: build
"""


async def test_cross_file_rules_see_the_workspace_and_open_documents(fresh: LanguageClient, tmp_path: Path):
    pytest.importorskip("hardenlint.model.objects")  # the run-wide object index (cross-file rules)
    (tmp_path / "rbac").mkdir()
    (tmp_path / "rbac" / "binding.yaml").write_text(BINDING)  # on disk only: indexed in the background
    await fresh.initialize_session(init_params(tmp_path, {"extendSelect": ["HL410"]}))
    doc = Doc(fresh, tmp_path / "deploy.yaml", DEPLOY, "yaml")
    loop = asyncio.get_running_loop()

    async def until(pred):
        deadline = loop.time() + TIMEOUT
        while loop.time() < deadline:
            if pred(codes(fresh.diagnostics.get(doc.uri, []))):
                return
            await asyncio.sleep(0.02)
        raise AssertionError(codes(fresh.diagnostics.get(doc.uri, [])))

    await until(lambda c: "HL410" in c)
    # the binding opened and changed to a harmless role: once saved, the finding goes
    binding = Doc(fresh, tmp_path / "rbac" / "binding.yaml", BINDING.replace("cluster-admin", "view"), "yaml")
    await binding.diagnostics()
    fresh.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(binding.uri)))
    await until(lambda c: "HL410" not in c)


# --- process ---------------------------------------------------------------------------------

async def test_shutdown_then_exit_ends_the_process_with_0(fresh: LanguageClient, tmp_path: Path):
    await fresh.initialize_session(init_params(tmp_path))
    await fresh.shutdown_session()
    assert fresh._server.returncode == 0
