"""Rasa's REST channel (still named "rest": POST /webhooks/rest/webhook), hardened for the public.

Differences from Rasa's own channel, all in the request handler:
- a body over MAX_BODY_BYTES gets 413 before it is read (channels/bodies.py);
- a request that is not a message (not JSON, wrong or missing fields) gets 400 with the reason;
- a visitor or an IP address sending faster than the rate limits gets 429, Retry-After and the
  "slow down" reply; a message over MAX_MESSAGE_CHARS gets the "too long" reply without NLU
  (serving/guard.py);
- when the message cannot be handled (a store is down), 503 and the "unavailable" reply, and an
  error in the log that names the fault but not the message (Rasa's logs the text);
- the response is always the list of bot messages (Rasa's `?stream=true` is not offered).
Registering the channel also adds GET /health to the app (serving/health.py).
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels import rest as rasa_rest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

import serving  # noqa: F401  (applies serving/patches.py)
from channels.bodies import cap_request_bodies
from serving.guard import BadMessage, Guard, client_ip, process_guard, rest_message, retry_after
from serving.health import describe, health
from serving.messages import message

logger = logging.getLogger(__name__)


def replies(recipient_id: Text, text: Text) -> List[Dict[Text, Any]]:
    """One bot message, in the shape the REST channel answers with."""
    return [{"recipient_id": recipient_id, "text": text}]


async def health_check(request: Request) -> HTTPResponse:
    report, status = await health(getattr(request.app.ctx, "agent", None))
    return response.json(report, status=status)


class _PublicBlueprint(Blueprint):
    """The REST channel's routes; registering them also adds the app-level routes and body cap.

    Rasa only registers channels' blueprints on its app; Rasa's socket.io channel attaches its
    server the same way (SocketBlueprint.register).
    """

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        cap_request_bodies(app, options.get("url_prefix") or self.url_prefix or "/", self.ctx.max_body_bytes)
        app.add_route(health_check, "/health", methods=["GET"], name="route_advisor_health")
        super().register(app, options)


class RestInput(rasa_rest.RestInput):
    """POST /webhooks/rest/webhook with {"sender": "...", "message": "..."}."""

    def __init__(self, guard: Optional[Guard] = None) -> None:
        self.guard = guard or process_guard()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = _PublicBlueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)
        webhook.ctx.max_body_bytes = self.guard.limits.max_body_bytes

        @webhook.route("/", methods=["GET"])
        async def channel_health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return webhook

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        limits = self.guard.limits
        try:
            visit = rest_message(request.body or b"", limits)
        except BadMessage as problem:
            return response.json({"reason": str(problem)}, status=400)

        wait = self.guard.admit(visit.sender, client_ip(request))
        if wait:
            return response.json(
                replies(visit.sender, message("slow_down")), status=429,
                headers={"Retry-After": str(retry_after(wait))},
            )
        if self.guard.too_long(visit.text):
            return response.json(replies(visit.sender, message("too_long", limit=limits.max_message_chars)))

        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(
                    visit.text, collector, visit.sender,
                    input_channel=visit.input_channel or self.name(), metadata=visit.metadata,
                )
            )
        except Exception as error:  # noqa: BLE001 - any fault: the visitor is asked to resend
            logger.error(
                "Could not handle a message on the REST channel (%s); the visitor was asked to "
                "send it again.", describe(error),
            )
            logger.debug("The fault in full:", exc_info=True)
            return response.json(replies(visit.sender, message("unavailable")), status=503)
        return response.json(collector.messages)
