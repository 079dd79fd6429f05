"""The lead flow's words (actions/leads.yml), and the free assessment offer the recommendation ends with."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.consultancy import consultancy_details

MESSAGES: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("leads.yml").read_text(encoding="utf-8"))
ASSESSMENT, DENY = "/request_assessment", "/deny"


def say(key: str, **values: Any) -> str:
    """A message from actions/leads.yml ("invalid.phone" for a nested one), filled in."""
    text: Any = MESSAGES
    for part in key.split("."):
        text = text[part]
    return str(text).format(**values)


def offer(dispatcher: CollectingDispatcher, key: str = "offer") -> None:
    """The free assessment offer ("offer" or "offer_after_recommendation") with its two buttons."""
    dispatcher.utter_message(text=say(f"{key}.text", **consultancy_details()), buttons=[
        {"title": say(f"{key}.accept"), "payload": ASSESSMENT},
        {"title": say(f"{key}.decline"), "payload": DENY},
    ])
