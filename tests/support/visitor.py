"""One visitor's conversation over REST or socket.io, and helpers to read the bot's replies."""
from __future__ import annotations

import queue
import uuid

import requests
import socketio


class Visitor:
    """One conversation over REST: say() returns the bot's messages for that turn."""

    def __init__(self, assistant_or_url, sender: str = ""):
        base = getattr(assistant_or_url, "rasa_url", assistant_or_url)
        self.url = f"{base}/webhooks/rest/webhook"
        self.sender = sender or f"e2e-{uuid.uuid4().hex[:8]}"

    def post(self, text: str, timeout: float = 60) -> requests.Response:
        return requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=timeout)

    def say(self, text: str):
        response = self.post(text)
        response.raise_for_status()
        return response.json()


def said(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def question(messages):
    """The fact being asked (from the progress payload) and the buttons' payloads."""
    asking = [m["custom"]["asking"] for m in messages if "asking" in (m.get("custom") or {})]
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    return (asking[-1] if asking else None), buttons


def converse(url, session_id, text, wait=30):
    """Send one message in a fresh connection with the given session; return what came back."""
    received = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", received.put)
    confirmed = queue.Queue()
    client.on("session_confirm", confirmed.put)
    client.connect(url, transports=["polling"], socketio_path="/socket.io")
    try:
        client.emit("session_request", {"session_id": session_id})
        confirmed.get(timeout=10)
        client.emit("user_uttered", {"message": text, "session_id": session_id})
        messages = [received.get(timeout=wait)]
        while True:
            try:
                messages.append(received.get(timeout=3))
            except queue.Empty:
                return messages
    finally:
        client.disconnect()
