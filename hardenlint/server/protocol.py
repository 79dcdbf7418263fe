"""The JSON-RPC protocol of the server: pygls' own, minus its memory leak on notifications.

pygls (2.x) keeps the future of every handler it runs in `_request_futures`, keyed by the message
id, and removes it only when it sends a response. Notifications (didOpen, didChange, didClose...)
get a fresh id and no response, as do the steps of pygls' built-in generator handlers, so their
futures stayed there for the life of the server: about two per document opened and closed.
Here every future leaves that table once it is done (on the event loop's next turn; requests
still answer first).
"""
from __future__ import annotations

import asyncio
from typing import Any

from pygls.protocol import LanguageServerProtocol


class Protocol(LanguageServerProtocol):
    def _execute_handler(self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:  # forgotten on the loop: the callback may run in a worker thread,
            loop = asyncio.get_running_loop()  # or while pygls' shutdown iterates the table
            future.add_done_callback(lambda done: loop.call_soon_threadsafe(self._forget, msg_id, done))

    def _forget(self, msg_id: Any, future: Any) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]
