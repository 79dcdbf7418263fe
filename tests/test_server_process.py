"""`hardenlint server` as a process: the wire format, the missing extra, and a core that never
imports it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

SERVER = [sys.executable, "-m", "hardenlint", "server"]
TIMEOUT = 60
DOCKERFILE = "FROM python:3.12\nRUN sudo apt-get update\n"


def test_initialize_advertises_what_the_server_does():
    """Raw frames on stdin, so the wire format itself is checked too."""
    pytest.importorskip("pygls.lsp.server")
    proc = subprocess.run(SERVER, input=_frames(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None, "rootUri": None}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"}), capture_output=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    replies = _parse_frames(proc.stdout)
    init = next(r for r in replies if r.get("id") == 1)["result"]
    assert init["serverInfo"]["name"] == "hardenlint"
    caps = init["capabilities"]
    assert caps["hoverProvider"] is True
    assert set(caps["codeActionProvider"]["codeActionKinds"]) == {"quickfix", "source.fixAll.hardenlint"}
    assert caps["textDocumentSync"]["change"] == 2  # incremental
    assert next(r for r in replies if r.get("id") == 2)["result"] is None


def _frames(*messages) -> bytes:
    out = b""
    for m in messages:
        body = json.dumps(m).encode()
        out += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return out


def _parse_frames(data: bytes) -> List[dict]:
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        fields = dict(line.split(b":", 1) for line in head.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out


def test_without_the_extra_one_line_and_exit_2(tmp_path: Path):
    code = ("import sys, importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('pygls', 'lsprotocol'): raise ImportError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from hardenlint.cli import main\n"
            "sys.exit(main(['server']))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr == "hardenlint: hardenlint server needs the lsp extra: pip install 'hardenlint[lsp]'\n"
    assert p.stdout == ""


def test_the_core_does_not_import_the_server(tmp_path: Path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    code = ("import sys\nfrom hardenlint.cli import main\n"
            f"main(['check', '--fix', '--format', 'json', {str(tmp_path)!r}])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs', 'attrs')"
            " or m.startswith('hardenlint.server')), file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stderr.strip().splitlines()[-1] == "[]"
