"""The words the assistant uses when it cannot answer normally, from serving/messages.yml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

from routes.content import read_yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


class MessagesError(ValueError):
    """serving/messages.yml is missing a message or is not a mapping of texts."""


@lru_cache(maxsize=1)
def messages() -> Dict[str, str]:
    data = read_yaml(MESSAGES_FILE, MessagesError)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise MessagesError(f"{MESSAGES_FILE}: expected a mapping of message names to texts")
    return data


def message(name: str, **values: object) -> str:
    """The message called `name`, with {placeholders} filled from `values`."""
    try:
        text = messages()[name]
    except KeyError:
        raise MessagesError(f"{MESSAGES_FILE}: no message called {name!r}") from None
    return text.format(**values) if values else text
