"""A small request-body limit on the visitor-facing routes, answered with 413 before parsing.

Sanic 21.12 (Rasa's) reads up to REQUEST_MAX_SIZE (100 MB) of every body into memory before a
handler runs, and that limit is app-wide, so it cannot be lowered without also capping
Rasa's HTTP API (model uploads). Sanic does let a signal handler lower the limit of one
request after routing and before the body is read; the limit is then checked against
Content-Length and again while a chunked body streams in.
"""
from __future__ import annotations

from typing import Any

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

# After answering 413, Sanic reads and discards what remains of the body up to this size, so
# an ordinary client gets the answer on a clean connection; a larger body is cut off.
DISCARD_BYTES = 1024 * 1024


def cap_request_bodies(app: Sanic, path_prefix: str, max_bytes: int) -> None:
    """Limits the body of every request under `path_prefix` to `max_bytes`."""
    prefix = "/" + path_prefix.strip("/")

    async def cap(request: Request, route: Any, kwargs: Any, handler: Any) -> None:
        if request.stream is not None and (request.path == prefix or request.path.startswith(prefix + "/")):
            request.stream.request_max_size = min(request.stream.request_max_size, max_bytes)

    app.signal("http.routing.after")(cap)
    app.exception(PayloadTooLarge)(too_large)


async def too_large(request: Request, exception: PayloadTooLarge) -> response.HTTPResponse:
    if request.stream is not None:
        request.stream.request_max_size = max(request.stream.request_max_size, DISCARD_BYTES)
    return response.json({"reason": "the request body is too large"}, status=413)
