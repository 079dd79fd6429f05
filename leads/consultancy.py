"""The consultancy's details (name, how to reach it, privacy notice, retention) from consultancy.yml.

One file, each field overridable from the environment (CONSULTANCY_<FIELD>, mapping in the file's
header), checked on load so that a reply never shows a malformed address or a placeholder.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from leads.validate import is_email, is_phone, is_web_url, placeholder_in

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = PROJECT_ROOT / "consultancy.yml"
ENV_PREFIX = "CONSULTANCY_"


class ConsultancyError(ValueError):
    """consultancy.yml or its environment overrides hold something unusable."""


@dataclasses.dataclass(frozen=True)
class Consultancy:
    name: str
    contact_url: str
    email: str
    phone: str
    opening_hours: str
    privacy_url: str
    lead_retention_days: int
    conversation_retention_days: int

    def as_text(self) -> dict[str, str]:
        """Every field as text, keyed `consultancy_<field>`, for filling in reply templates."""
        return {f"consultancy_{key}": str(value) for key, value in dataclasses.asdict(self).items()}


FIELDS = tuple(field.name for field in dataclasses.fields(Consultancy))
_RETENTION = ("lead_retention_days", "conversation_retention_days")
_URLS = ("contact_url", "privacy_url")


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConsultancyError(f"{path}: no such file (set CONSULTANCY_FILE or create it)") from None
    except yaml.YAMLError as error:
        raise ConsultancyError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConsultancyError(f"{path}: expected the fields {', '.join(FIELDS)} as a mapping")
    unknown = sorted(set(map(str, data)) - set(FIELDS))
    if unknown:
        raise ConsultancyError(f"{path}: unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}")
    return data


def _checked(field: str, value: Any, where: str) -> Any:
    """The field's value, cleaned; raises ConsultancyError naming the field and where it came from."""
    def fail(problem: str) -> ConsultancyError:
        return ConsultancyError(f"consultancy field '{field}' ({where}): {problem}")

    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail("is missing or empty")
    if field in _RETENTION:
        if isinstance(value, bool):
            raise fail(f"must be a whole number of days, got {value!r}")
        try:
            days = int(str(value).strip())
        except ValueError:
            raise fail(f"must be a whole number of days, got {value!r}") from None
        if days <= 0:
            raise fail(f"must be a positive number of days, got {days}")
        return days
    text = " ".join(str(value).split())
    placeholder = placeholder_in(text)
    if placeholder:
        raise fail(f"still holds placeholder wording {placeholder!r}: set the real value")
    if field in _URLS and not is_web_url(text):
        raise fail(f"must be an http:// or https:// URL, got {text!r}")
    if field == "email" and not is_email(text):
        raise fail(f"must be an email address like name@example.co.uk, got {text!r}")
    if field == "phone" and not is_phone(text):
        raise fail(f"must be a phone number (digits, spaces, +, brackets; at least 7 digits), got {text!r}")
    return text


def load_consultancy(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Consultancy:
    """The consultancy's details: `path` (else CONSULTANCY_FILE, else consultancy.yml), then the environment."""
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get("CONSULTANCY_FILE") or DEFAULT_FILE)
    data = _read(path)
    values = {}
    for field in FIELDS:
        name = env_name(field)
        if environ.get(name, "").strip():
            values[field] = _checked(field, environ[name], f"from {name}")
        else:
            values[field] = _checked(field, data.get(field), f"in {path}")
    return Consultancy(**values)
