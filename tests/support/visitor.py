"""One visitor's conversation over the REST channel, and helpers to read the bot's replies."""
from __future__ import annotations

import uuid

import requests


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
