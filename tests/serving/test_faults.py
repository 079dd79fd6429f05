"""Faults: the database or Redis down is an error the visitor, the logs and /health all see;
the conversation is never switched to memory, and carries on when the server is back."""
from __future__ import annotations

import time

import pytest
import requests

from serving.messages import message
from tests.support.servers import free_port, running_assistant
from tests.support.services import running_postgres, running_redis
from tests.support.visitor import Visitor, question, said


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """PostgreSQL, Redis and the assistant using both, as one production replica would."""
    log_dir = tmp_path_factory.mktemp("faults")
    with running_postgres() as pg, running_redis() as redis, running_assistant(
        log_dir=log_dir, env={"TRACKER_STORE_URL": pg.url, "LOCK_STORE_URL": redis.url}
    ) as bot:
        yield bot, pg, redis


def health(bot):
    response = requests.get(f"{bot.rasa_url}/health", timeout=10)
    return response.status_code, response.json()


def wait_healthy(bot, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if health(bot)[0] == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"/health still says {health(bot)} after {timeout:.0f} s")


def log_since(path, offset):
    return path.read_text(errors="replace")[offset:]


def test_healthy_stack_says_so(stack):
    bot, _, _ = stack
    status, body = health(bot)
    assert status == 200 and body["tracker_store"] == "ok" and body["lock_store"] == "ok", body


@pytest.mark.parametrize("server, store", [("database", "tracker_store"), ("redis", "lock_store")])
def test_a_store_outage_is_reported_and_the_conversation_survives_it(stack, server, store):
    bot, pg, redis = stack
    outage = pg if server == "database" else redis
    visitor = Visitor(bot)
    assert question(visitor.say("home care in Kent"))[0] == "registration"
    offset = len(bot.rasa_log.read_text(errors="replace"))
    outage.stop()
    try:
        reply = visitor.post("we're registered with CQC", timeout=60)
        status, body = health(bot)
    finally:
        outage.start()
    assert reply.status_code == 503, reply.text
    assert said(reply.json()) == message("unavailable")
    assert status == 503 and body[store] != "ok", body
    logged = log_since(bot.rasa_log, offset)
    assert "ERROR" in logged and "we're registered with CQC" not in logged
    wait_healthy(bot)
    asking, _ = question(visitor.say("we're registered with CQC"))
    assert asking == "stage", "the conversation must continue from the store, not start again in memory"


def test_rasa_refuses_to_start_without_its_database(tmp_path):
    unreachable = f"postgresql://route_advisor:secret-password@127.0.0.1:{free_port()}/route_advisor"
    with pytest.raises(RuntimeError) as failure:
        with running_assistant(log_dir=tmp_path, timeout=90,
                               env={"TRACKER_STORE_URL": unreachable, "STORE_CONNECT_TIMEOUT": "2"}):
            pass
    assert "exited early" in str(failure.value)
    assert "Cannot reach the tracker store" in str(failure.value)
    assert "secret-password" not in (tmp_path / "rasa.log").read_text(errors="replace")
