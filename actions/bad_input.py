"""Tell the visitor, kindly, why a message could not be understood.

Messages too long to read never get here: the channels answer them (serving/guard.py).
"""
from __future__ import annotations

import re
import unicodedata

EMPTY = "I didn't receive any text there. Could you type your message again?"
NO_WORDS = "I can only read words, not emoji or symbols. Could you tell me in a few words?"
MARKUP = "That looks like code or markup, which I can't read. Could you tell me in plain words?"
NOT_ENGLISH = "Sorry, I can only chat in English at the moment. Could you tell me in English?"
UNCLEAR = ("Sorry, I didn't quite follow that. I can recommend a framework, DPS or spot route for your care "
           "service, or explain how those routes work.")


def describe_problem(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return EMPTY
    if not any(unicodedata.category(ch).startswith("L") for ch in stripped):
        return NO_WORDS
    if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>|\{\{|\}\}|;\s*\w+\(|javascript:", stripped):
        return MARKUP
    letters = [ch for ch in stripped if unicodedata.category(ch).startswith("L")]
    if sum(ch.isascii() for ch in letters) < 0.6 * len(letters):
        return NOT_ENGLISH
    return UNCLEAR
