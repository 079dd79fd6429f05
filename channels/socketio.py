"""Rasa's socket.io channel for the website widget (still named "socketio"), guarded.

Loaded through this module (credentials.yml) so the `serving` package, and with it the fix for
custom payloads on socket.io (serving/patches.py), is in place before the first message.

Frames on an open websocket never pass a proxy's limits, so the channel applies them itself
(serving/guard.py), around Rasa's own handlers:
- a `user_uttered` that is not a message (not an object, no text, a bad session id) is dropped
  with a debug log;
- one sent faster than the rate limits, or longer than MAX_MESSAGE_CHARS, is answered on that
  socket with the "slow down" or "too long" reply and never reaches Rasa;
- when Rasa cannot handle it (a store is down), the socket gets the "unavailable" reply and
  the log an error that names the fault but not the message;
- engine.io packets and long-polling bodies are capped at MAX_BODY_BYTES;
- a browser on an origin outside ALLOWED_ORIGINS (when set) cannot connect: CORS covers
  long-polling, but browsers do not apply it to websockets.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, Sanic

import serving  # noqa: F401  (applies serving/patches.py)
from channels.bodies import cap_request_bodies
from serving.guard import (
    MAX_SENDER_CHARS,
    BadMessage,
    Guard,
    allowed_origins,
    check_name,
    check_text,
    client_ip,
    origin_allowed,
    process_guard,
)
from serving.health import describe
from serving.messages import message

logger = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[Any]]


class _CappedSocketBlueprint(rasa_socketio.SocketBlueprint):
    """Rasa's SocketBlueprint that also caps the request bodies under the socket.io path."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        cap_request_bodies(app, self.ctx.socketio_path, self.ctx.max_body_bytes)
        super().register(app, options)


class SocketIOInput(rasa_socketio.SocketIOInput):
    """The stock channel with the visitor-facing limits inside it."""

    def __init__(self, *args: Any, guard: Optional[Guard] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = guard or process_guard()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        max_body_bytes = self.guard.limits.max_body_bytes
        self.sio.eio.max_http_buffer_size = max_body_bytes
        # Rasa builds its SocketBlueprint inside blueprint(); this makes it the capped kind.
        webhook.__class__ = _CappedSocketBlueprint
        webhook.ctx.max_body_bytes = max_body_bytes
        handlers = self.sio.handlers[self.namespace or "/"]
        handlers[self.user_message_evt] = self._guarded_message(handlers[self.user_message_evt])
        handlers["session_request"] = self._checked_session_request(handlers["session_request"])
        handlers["connect"] = self._site_only(handlers["connect"], allowed_origins())
        return webhook

    async def _say(self, sid: Text, text: Text) -> None:
        """One bot message to the socket `sid` only."""
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

    def _client_ip(self, sid: Text) -> Optional[Text]:
        environ = self.sio.get_environ(sid, self.namespace) or {}
        request = environ.get("sanic.request")
        return client_ip(request) if request is not None else environ.get("REMOTE_ADDR")

    def _visitor(self, sid: Text, data: Any) -> Text:
        """The conversation the message belongs to; BadMessage when the payload is not a message."""
        if not isinstance(data, dict):
            raise BadMessage("the payload is not an object")
        check_text(data.get("message"))
        metadata = data.get(self.metadata_key)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except (ValueError, RecursionError):
                raise BadMessage(f"'{self.metadata_key}' is not valid JSON") from None
        if metadata is not None and not isinstance(metadata, dict):
            raise BadMessage(f"'{self.metadata_key}' is not an object")
        if self.session_persistence:
            return check_name(data.get("session_id"), "session_id", MAX_SENDER_CHARS)
        return sid

    def _guarded_message(self, handle_message: Handler) -> Handler:
        async def guarded(sid: Text, *args: Any) -> None:
            data = args[0] if len(args) == 1 else None
            try:
                visitor = self._visitor(sid, data)
            except BadMessage as problem:
                logger.debug("Ignored a %s from %s: %s", self.user_message_evt, sid, problem)
                return
            wait = self.guard.admit(visitor, self._client_ip(sid))
            if wait:
                await self._say(sid, message("slow_down"))
                return
            if self.guard.too_long(data["message"]):
                await self._say(sid, message("too_long", limit=self.guard.limits.max_message_chars))
                return
            try:
                await handle_message(sid, data)
            except Exception as error:  # noqa: BLE001 - any fault: the visitor is asked to resend
                logger.error(
                    "Could not handle a message on the socket.io channel (%s); the visitor was "
                    "asked to send it again.", describe(error),
                )
                logger.debug("The fault in full:", exc_info=True)
                await self._say(sid, message("unavailable"))

        return guarded

    def _site_only(self, connect: Handler, allowed: Tuple[Text, ...]) -> Handler:
        async def checked(sid: Text, environ: Dict[Text, Any], auth: Any = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, allowed):
                logger.debug("Refused a socket.io connection from the origin %s", origin)
                return False
            return await connect(sid, environ, auth)

        return checked

    def _checked_session_request(self, session_request: Handler) -> Handler:
        async def checked(sid: Text, *args: Any) -> None:
            data = args[0] if len(args) == 1 else None
            try:
                if data is not None and not isinstance(data, dict):
                    raise BadMessage("the payload is not an object")
                if data and data.get("session_id") is not None:
                    check_name(data["session_id"], "session_id", MAX_SENDER_CHARS)
            except BadMessage as problem:
                logger.debug("Ignored a session_request from %s: %s", sid, problem)
                return
            await session_request(sid, data)

        return checked
