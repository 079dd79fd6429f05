"""Shape checks shared by the consultancy's details, the lead and the notification settings."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# One @, no spaces, a dot in the domain: the shape a person can type and a mail server accepts.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# Wording left in for someone to fill in: "[name]", "{email}", "<phone>", "TODO", "TBC", "CHANGE ME".
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>|\bTODO\b|\bTBC\b|\bCHANGE ?ME\b|\bXXX+\b", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")


def is_email(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.match(value))


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def is_phone(value: str) -> bool:
    """Digits with the spacing, brackets and leading + people write; at least 7 digits."""
    return bool(_PHONE.match(value)) and sum(c.isdigit() for c in value) >= 7


def placeholder_in(value: str) -> str:
    """The placeholder wording in `value` ("[name]", "TODO"...), or ""."""
    found = _PLACEHOLDER.search(value)
    return found.group(0) if found else ""
