"""What a visitor may send: body and message size, the shape of a message, and how fast.

Pure Python (no Rasa), so the limits are unit-tested without a server; the channels
(channels/rest.py, channels/socketio.py) apply them. Every limit has a default here and an
environment variable that overrides it; a rate of 0 turns that limit off (the load benchmark
does). The rate limits are token buckets kept in memory by each Rasa process: behind several
replicas each replica counts on its own, and nginx limits the whole site (docs/deploy.md).
"""
from __future__ import annotations

import json
import math
import os
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

MAX_SENDER_CHARS = 128
MAX_CHANNEL_CHARS = 64
# Line breaks and tabs are text; every other control character (and a lone surrogate, which
# no encoder can write) is not something a person typed.
TEXT_CONTROLS = {"\t", "\n", "\r"}


class BadMessage(ValueError):
    """The request is not a message the assistant can read; str() is the reason for the sender."""


class SettingError(ValueError):
    """A limit in the environment is not a number the guard can use."""


@dataclass(frozen=True)
class Rate:
    """`per_minute` messages a minute on average, up to `burst` at once; 0 per minute = no limit."""

    per_minute: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass(frozen=True)
class Limits:
    """The limits in force. Defaults are for people: a fast typist never meets them."""

    max_message_chars: int = 1000
    max_body_bytes: int = 64 * 1024
    visitor: Rate = field(default_factory=lambda: Rate(per_minute=20, burst=10))
    ip: Rate = field(default_factory=lambda: Rate(per_minute=120, burst=40))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Limits":
        """MAX_MESSAGE_CHARS, MAX_BODY_BYTES, RATE_LIMIT_VISITOR[_BURST], RATE_LIMIT_IP[_BURST]."""
        default = cls()
        return cls(
            max_message_chars=_number(environ, "MAX_MESSAGE_CHARS", default.max_message_chars, int, 1),
            max_body_bytes=_number(environ, "MAX_BODY_BYTES", default.max_body_bytes, int, 1024),
            visitor=_rate(environ, "RATE_LIMIT_VISITOR", default.visitor),
            ip=_rate(environ, "RATE_LIMIT_IP", default.ip),
        )


def _number(environ: Mapping[str, str], name: str, default: float, kind: Callable, least: float):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value) or value < least:
        raise SettingError(f"{name}={raw!r}: must be at least {least}")
    return value


def _rate(environ: Mapping[str, str], name: str, default: Rate) -> Rate:
    per_minute = _number(environ, name, default.per_minute, float, 0)
    burst = _number(environ, f"{name}_BURST", default.burst, int, 1)
    return Rate(per_minute=per_minute, burst=burst)


class TokenBuckets:
    """One token bucket per key (a visitor, an IP address), refilled at `rate`, holding `burst`.

    Buckets are kept in the order they were last used; one that has been idle long enough to
    be full again is the same as no bucket and is dropped, so memory follows the number of
    recently active keys. `max_keys` bounds it even under a flood of new keys (the oldest
    buckets go first).
    """

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()  # key -> (tokens, when)

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, now: float) -> float:
        tokens, when = self._buckets.get(key, (float(self.rate.burst), now))
        return min(float(self.rate.burst), tokens + (now - when) * self.rate.per_second)

    def wait(self, key: str) -> float:
        """Seconds until `key` may send again; 0 when it may send now. Takes nothing."""
        if not self.rate.enabled:
            return 0.0
        tokens = self._tokens(key, self._clock())
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate.per_second

    def take(self, key: str) -> None:
        """Spends one token of `key`'s bucket."""
        if not self.rate.enabled:
            return
        now = self._clock()
        self._buckets[key] = (self._tokens(key, now) - 1, now)
        self._buckets.move_to_end(key)
        self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        refill_all = self.rate.burst / self.rate.per_second
        while self._buckets:
            oldest, (_, when) = next(iter(self._buckets.items()))
            if now - when < refill_all and len(self._buckets) <= self._max_keys:
                return
            del self._buckets[oldest]


class Guard:
    """The limits for one process: rate per visitor and per IP address, and message length."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._visitors = TokenBuckets(limits.visitor, clock)
        self._ips = TokenBuckets(limits.ip, clock)

    def admit(self, visitor: str, ip: Optional[str]) -> float:
        """0 when the message may go on (and it is counted); else the seconds to wait.

        A refused message is not counted, so a visitor who keeps sending while told to slow
        down is let in as soon as the wait is over.
        """
        wait = max(self._visitors.wait(visitor), self._ips.wait(ip) if ip else 0.0)
        if wait > 0:
            return wait
        self._visitors.take(visitor)
        if ip:
            self._ips.take(ip)
        return 0.0

    def too_long(self, text: str) -> bool:
        return len(text) > self.limits.max_message_chars


@lru_cache(maxsize=1)
def process_guard() -> Guard:
    """The guard every channel of this process shares, so an IP address has one budget."""
    return Guard(Limits.from_environment())


def allowed_origins(environ: Mapping[str, str] = os.environ) -> Tuple[str, ...]:
    """The site origins from ALLOWED_ORIGINS (space-separated, as `rasa run --cors` takes them);
    empty or "*" = any origin."""
    origins = tuple(environ.get("ALLOWED_ORIGINS", "").split())
    return () if "*" in origins else origins


def origin_allowed(origin: Optional[str], allowed: Tuple[str, ...]) -> bool:
    """Whether a browser on `origin` may connect. No Origin header is not a browser: CORS is a
    browser's rule, and anything else could send any header it liked."""
    return not allowed or not origin or origin.rstrip("/").lower() in {o.rstrip("/").lower() for o in allowed}


def client_ip(request: Any) -> str:
    """A Sanic request's client address: the forwarded one when Sanic trusts the proxy
    (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER), else the peer's."""
    return request.remote_addr or request.ip


def retry_after(wait: float) -> int:
    """A Retry-After value: whole seconds, at least 1."""
    return max(1, math.ceil(wait))


# -- the shape of a message -------------------------------------------------------------------
def unreadable(text: str) -> Optional[str]:
    """Why `text` is not text a person typed (a control character, a lone surrogate), or None."""
    for char in text:
        if char not in TEXT_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            return f"contains the control character U+{ord(char):04X}"
    return None


def check_name(value: Any, field_name: str, longest: int) -> str:
    """A sender id or channel name: a non-empty string of at most `longest` plain characters."""
    if value is None:
        raise BadMessage(f"'{field_name}' is missing")
    if not isinstance(value, str):
        raise BadMessage(f"'{field_name}' must be a string")
    if not value.strip():
        raise BadMessage(f"'{field_name}' is empty")
    if len(value) > longest:
        raise BadMessage(f"'{field_name}' is longer than {longest} characters")
    if value.strip() != value or any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in value):
        raise BadMessage(f"'{field_name}' may only hold printable characters")
    return value


def check_text(value: Any) -> str:
    """A message's text: a string without control characters (length is checked apart).

    An empty or blank text is a message all the same: the dialogue answers it kindly and asks
    its question again (actions/bad_input.py).
    """
    if value is None:
        raise BadMessage("'message' is missing")
    if not isinstance(value, str):
        raise BadMessage("'message' must be a string")
    problem = unreadable(value)
    if problem:
        raise BadMessage(f"'message' {problem}")
    return value


@dataclass(frozen=True)
class RestMessage:
    """One visitor message sent to the REST channel."""

    sender: str
    text: str
    input_channel: Optional[str]
    metadata: Optional[Dict[str, Any]]


def rest_message(body: bytes, limits: Limits) -> RestMessage:
    """The message in a REST request body, or BadMessage saying what is wrong with it.

    The body is {"sender": str, "message": str} with optional "metadata" (an object) and
    "input_channel" (a name), as Rasa's REST channel takes it.
    """
    if len(body) > limits.max_body_bytes:
        raise BadMessage(f"the body is larger than {limits.max_body_bytes} bytes")
    if not body.strip():
        raise BadMessage("the body is empty; send a JSON object with 'sender' and 'message'")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested beyond the parser
        raise BadMessage("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadMessage("the body must be a JSON object with 'sender' and 'message'")
    sender = check_name(data.get("sender"), "sender", MAX_SENDER_CHARS)
    text = check_text(data.get("message"))
    channel = data.get("input_channel")
    if channel is not None:
        check_name(channel, "input_channel", MAX_CHANNEL_CHARS)
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadMessage("'metadata' must be a JSON object")
    return RestMessage(sender=sender, text=text, input_channel=channel, metadata=metadata)
