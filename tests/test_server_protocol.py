"""The server's protocol forgets each handler's future once it is done (pygls kept the futures of
notifications forever: the server's memory grew with every document opened and closed)."""
from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.server import LanguageServer  # noqa: E402

from hardenlint.server.protocol import Protocol  # noqa: E402


class Writer:
    def __init__(self) -> None:
        self.sent = []

    def write(self, data: bytes) -> None:
        self.sent.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass


def make_server() -> LanguageServer:
    ls = LanguageServer("leak-test", "1", protocol_cls=Protocol)
    seen = []

    @ls.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params):  # a plain handler, run by pygls' built-in generator handler
        seen.append(("open", params.text_document.uri))

    @ls.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls, params):  # an async handler behind the built-in one
        await asyncio.sleep(0)
        seen.append(("save", params.text_document.uri))

    @ls.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params):
        seen.append(("close", params.text_document.uri))

    @ls.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params):
        await asyncio.sleep(0)
        return lsp.Hover(contents="here")

    ls.seen = seen
    return ls


def send(ls: LanguageServer, method: str, params: dict, msg_id=None) -> None:
    data = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        data["id"] = msg_id
    ls.protocol.handle_message(ls.protocol.structure_message(data))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_notifications_leave_no_futures_behind():
    async def run():
        ls = make_server()
        writer = Writer()
        ls.protocol.set_writer(writer)
        send(ls, "initialize", {"capabilities": {}, "processId": None, "rootUri": None}, msg_id=1)
        await settle()
        send(ls, "initialized", {})
        n = 50
        for i in range(n):
            uri = f"file:///tmp/leak/Dockerfile.{i}"
            send(ls, "textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "dockerfile", "version": 1, "text": "FROM alpine\n"}})
            send(ls, "textDocument/didSave", {"textDocument": {"uri": uri}})
            send(ls, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
                 msg_id=100 + i)
            await settle()
            send(ls, "textDocument/didClose", {"textDocument": {"uri": uri}})
        await settle()
        return ls, writer, n

    ls, writer, n = asyncio.run(run())
    assert [kind for kind, _ in ls.seen].count("close") == n and [k for k, _ in ls.seen].count("save") == n
    answered = {m["id"]: m.get("result") for m in writer.sent if "id" in m}
    assert all(answered.get(100 + i) == {"contents": "here"} for i in range(n))  # requests still answered
    assert ls.protocol._request_futures == {}
    assert ls.workspace.text_documents == {}


def test_the_server_uses_it():
    from hardenlint.server.app import server

    assert isinstance(server.protocol, Protocol)
