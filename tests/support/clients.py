"""Clients for the running assistant that a test can pin to a loopback address of its own.

All of 127.0.0.0/8 is loopback on Linux, so a test that connects from 127.0.0.2 is, to the
server, another visitor's address: the per-IP rate limit of one test does not spill into the
next. The socket.io client holds its connection open like the widget and waits for the
server's acknowledgement of each event, which python-socketio sends only when the handler has
returned without an exception.
"""
from __future__ import annotations

import queue
import uuid
from typing import Any, List, Optional

import requests
import socketio
from requests.adapters import HTTPAdapter

SETTLE_SECONDS = 0.1


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def http_from(address: Optional[str] = None) -> requests.Session:
    """A requests session whose connections come from `address` (any 127.x.y.z)."""
    session = requests.Session()
    if address:
        adapter = _FromAddress(address)
        session.mount("http://", adapter)
    return session


class SocketVisitor:
    """One widget-like socket.io connection with a persistent session (credentials.yml)."""

    def __init__(self, rasa_url: str, session_id: str = "", address: Optional[str] = None, timeout: float = 30,
                 origin: Optional[str] = None):
        self.session_id = session_id or f"sock-{uuid.uuid4().hex[:12]}"
        self.timeout = timeout
        self.received: "queue.Queue[Any]" = queue.Queue()
        self.client = socketio.Client(reconnection=False, http_session=http_from(address))
        self.client.on("bot_uttered", self.received.put)
        self.client.connect(rasa_url, transports=["polling"], socketio_path="/socket.io", wait_timeout=10,
                            headers={"Origin": origin} if origin else {})
        self.call("session_request", {"session_id": self.session_id}, settle=0)

    def __enter__(self) -> "SocketVisitor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.client.disconnect()

    def call(self, event: str, data: Any = None, settle: float = SETTLE_SECONDS) -> List[Any]:
        """Emits `event`; the bot messages that arrived before the server acknowledged it.

        Raises socketio.exceptions.TimeoutError when there is no acknowledgement (the handler
        raised) and BadNamespaceError when the connection is gone. `settle` is how long to wait
        for messages still being handed over (0: the caller only wants the acknowledgement).
        """
        while not self.received.empty():
            self.received.get_nowait()
        self.client.call(event, data, timeout=self.timeout)
        messages = []
        while settle:  # python-socketio hands each event to its own thread: let them land
            try:
                messages.append(self.received.get(timeout=settle))
            except queue.Empty:
                break
        return messages

    def say(self, text: str) -> List[Any]:
        return self.call("user_uttered", {"message": text, "session_id": self.session_id})
