#!/usr/bin/env python3
"""Benchmark `hardenlint server`: didChange → publishDiagnostics on a warm server, and memory.

    python benchmarks/server_bench.py [--corpus ../shared/corpus] [--changes 30] [--exe PATH]

- latency: a 100-line Dockerfile and a 2,000-line Kubernetes manifest are opened, then edited
  `--changes` times (one line changed, sent as an incremental change, as editors do); the time
  from sending each didChange to receiving the publishDiagnostics of that version is reported
  (median and 90th percentile);
- memory: every file of the shared corpus is opened, its diagnostics awaited, and closed; the
  server's resident memory (VmRSS) is read after the first pass and after a second pass over the
  same files (growth between the two passes would be a leak per document).

Needs the `lsp` extra (pygls, lsprotocol). Targets (issue 13): 100-line Dockerfile < 20 ms,
2,000-line manifest < 200 ms, memory < 150 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

REPO = Path(__file__).resolve().parents[1]

_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      hostNetwork: {host}
      containers:
        - name: web
          image: registry.example.com/team/app-{i}:1.{i}
          ports:
            - containerPort: 8080
          env:
            - name: MODE
              value: production
          securityContext:
            privileged: {priv}
            allowPrivilegeEscalation: false
          resources:
            limits:
              memory: 256Mi
        - name: sidecar
          image: busybox
          command: ["sh", "-c", "sleep 3600"]
---
"""


def manifest(lines: int) -> str:
    """A multi-document Kubernetes manifest of at least `lines` lines, with findings in it."""
    out: List[str] = []
    n = 0
    i = 0
    while n < lines:
        doc = _DEPLOYMENT.format(i=i, host="true" if i % 3 == 0 else "false", priv="true" if i % 4 == 0 else "false")
        out.append(doc)
        n += doc.count("\n")
        i += 1
    return "".join(out)


def dockerfile(lines: int = 100) -> str:
    """A multi-stage Dockerfile of `lines` lines with a realistic mix of instructions."""
    head = [
        "# syntax=docker/dockerfile:1",
        "FROM python:3.12 AS build",
        "WORKDIR /src",
        "RUN apt-get update && apt-get install -y build-essential curl",
        "COPY requirements.txt .",
        "RUN pip install -r requirements.txt",
    ]
    body = []
    k = 0
    while len(head) + len(body) < lines - 6:
        body.append(f"RUN echo step {k} && mkdir -p /opt/step{k} && \\")
        body.append(f"    cp -r /src /opt/step{k}/ && chmod 755 /opt/step{k}")
        body.append(f"ENV STEP_{k}=done")
        k += 1
    tail = [
        "FROM python:3.12-slim",
        "COPY --from=build /opt /opt",
        "RUN sudo chown -R app /opt",
        "EXPOSE 8080",
        'CMD ["python", "/opt/app.py"]',
        "",
    ]
    return "\n".join(head + body[:lines - len(head) - len(tail) + 1] + tail)


class Session:
    """A pygls client talking to one server process."""

    def __init__(self, cmd: List[str]) -> None:
        from lsprotocol import types as lsp
        from pygls.lsp.client import LanguageClient

        self.lsp = lsp
        self.cmd = cmd
        self.client = LanguageClient("bench", "1")
        self.waiters: Dict[Tuple[str, int], asyncio.Future] = {}
        self.seen: Dict[Tuple[str, int], float] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params):
            key = (params.uri, params.version)
            self.seen[key] = time.perf_counter()
            fut = self.waiters.pop(key, None)
            if fut is not None and not fut.done():
                fut.set_result(self.seen[key])

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def _message(params):
            print(f"server says: {params.message}", file=sys.stderr)

    async def start(self, root: Path) -> None:
        lsp = self.lsp
        await self.client.start_io(*self.cmd)
        await self.client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=root.as_uri(), process_id=os.getpid()))
        self.client.initialized(lsp.InitializedParams())

    @property
    def pid(self) -> int:
        return self.client._server.pid

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    async def wait(self, uri: str, version: int, timeout: float = 120) -> float:
        key = (uri, version)
        if key in self.seen:
            return self.seen[key]
        fut = asyncio.get_running_loop().create_future()
        self.waiters[key] = fut
        return await asyncio.wait_for(fut, timeout)

    def open(self, uri: str, text: str, language: str) -> None:
        lsp = self.lsp
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))

    def change(self, uri: str, version: int, line: int, old_len: int, new: str) -> None:
        lsp = self.lsp
        rng = lsp.Range(lsp.Position(line, 0), lsp.Position(line, old_len))
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangePartial(range=rng, text=new)]))

    def close(self, uri: str) -> None:
        lsp = self.lsp
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def latency(session: Session, root: Path, name: str, text: str, language: str, changes: int) -> List[float]:
    """Milliseconds from each didChange to the diagnostics of its version (warm server)."""
    uri = (root / name).as_uri()
    session.open(uri, text, language)
    await session.wait(uri, 1)
    lines = text.split("\n")
    line = len(lines) // 2
    while not lines[line].strip() or lines[line].rstrip().endswith("\\") or lines[line - 1].rstrip().endswith("\\"):
        line += 1
    original = lines[line]
    out = []
    version = 1
    for k in range(changes):
        version += 1
        new = original + (f"  # edit {k}" if language == "yaml" and ":" in original and k % 2 else "")
        if language == "dockerfile":
            new = original + (" " * (k % 2))
        current = lines[line]
        start = time.perf_counter()
        session.change(uri, version, line, len(current), new)
        lines[line] = new
        done = await session.wait(uri, version)
        out.append((done - start) * 1000)
        await asyncio.sleep(0.02)  # an editor's keystrokes are not back to back
    session.close(uri)
    return out


async def memory(session: Session, corpus: Path) -> Tuple[float, float, float, int]:
    """(RSS at start, after one pass, after a second pass) in MB, and files per pass."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix not in (".tsv",))
    start = session.rss_mb()
    after = []
    for _ in range(2):
        for path in files:
            uri = path.as_uri()
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            language = "yaml" if path.suffix in (".yaml", ".yml") else "json" if path.suffix == ".json" else "dockerfile"
            session.open(uri, text, language)
            await session.wait(uri, 1)
            session.close(uri)
        await asyncio.sleep(0.5)
        after.append(session.rss_mb())
        session.seen.clear()
    return start, after[0], after[1], len(files)


async def main_async(args) -> int:
    cmd = [args.exe, "server"] if args.exe else [sys.executable, "-m", "hardenlint", "server"]
    root = Path(args.workdir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    session = Session(cmd)
    await session.start(root)
    try:
        for label, name, text, language, target in (
            ("100-line Dockerfile", "Dockerfile", dockerfile(100), "dockerfile", 20),
            ("2,000-line manifest", "all.yaml", manifest(2000), "yaml", 200),
        ):
            times = await latency(session, root, name, text, language, args.changes)
            times.sort()
            p90 = times[int(len(times) * 0.9) - 1]
            print(f"{label:<22} didChange→publishDiagnostics: median {statistics.median(times):6.1f} ms, "
                  f"p90 {p90:6.1f} ms, min {times[0]:6.1f} ms (target < {target} ms)")
        corpus = Path(args.corpus)
        if corpus.is_dir():
            t0 = time.perf_counter()
            start, one, two, n = await memory(session, corpus)
            dt = time.perf_counter() - t0
            print(f"memory: {start:.0f} MB warm, {one:.0f} MB after opening and closing {n} corpus files, "
                  f"{two:.0f} MB after a second pass ({(two - one) * 1024 / n:+.2f} KB per document; target < 150 MB); "
                  f"{dt:.1f} s for both passes")
        else:
            print(f"memory: corpus not found at {corpus}", file=sys.stderr)
    finally:
        await session.stop()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--exe", help="the hardenlint executable (default: this Python's `-m hardenlint`)")
    ap.add_argument("--workdir", default="/tmp/hardenlint-server-bench", help="folder the test documents are said to be in")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
