"""GET /health: whether the model is loaded and the stores the conversations depend on answer.

The tracker store and the lock store each get a `ping()` (serving/stores.py); a store without
one (Rasa's in-memory lock store) lives in the process and is up while the process is.
The answer names what is down, so a load balancer takes the replica out and an operator
knows where to look; the details go to the log.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Tuple

logger = logging.getLogger(__name__)

PING_TIMEOUT = 3.0
OK = "ok"


def describe(error: BaseException) -> str:
    """A one-line description of a store's error, without the SQL or its parameters.

    SQLAlchemy's messages carry the statement and its parameters, which hold what visitors
    typed; the driver's own error (`orig`) says what went wrong without them.
    """
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    text = lines[0].strip() if lines else ""
    name = type(cause).__name__
    return f"{name}: {text}"[:200] if text else name


async def ping(store: Any) -> str:
    """"ok", or what is wrong with `store`."""
    check = getattr(store, "ping", None)
    if check is None:
        return OK
    try:
        await asyncio.wait_for(check(), PING_TIMEOUT)
        return OK
    except asyncio.TimeoutError:
        return f"no answer within {PING_TIMEOUT:g} s"
    except Exception as error:  # noqa: BLE001 - any failure means the store is down
        return describe(error)


async def health(agent: Optional[Any]) -> Tuple[Dict[str, str], int]:
    """The health report for `agent`'s stores and the HTTP status to answer with."""
    if agent is None:
        report = {"model": "no model loaded", "tracker_store": "no model loaded", "lock_store": "no model loaded"}
    else:
        tracker, lock = await asyncio.gather(ping(agent.tracker_store), ping(agent.lock_store))
        if tracker == OK and not getattr(agent.tracker_store, "strict", False):
            # Rasa falls back to memory when the configured store can't be loaded.
            tracker = f"{type(agent.tracker_store).__name__}: conversations would be lost on restart"
        # Rasa keeps serving, answering nothing, when the model fails to load.
        model = OK if agent.is_ready() else "the model failed to load (see the log)"
        report = {"model": model, "tracker_store": tracker, "lock_store": lock}
    down = {name: state for name, state in report.items() if state != OK}
    if down:
        logger.error("Health check: %s", ", ".join(f"{name} {state}" for name, state in down.items()))
    status = "unavailable" if down else OK
    return {"status": status, **report}, (503 if down else 200)
