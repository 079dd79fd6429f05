"""The health report (serving/health.py) on its own; tests/serving/test_public_surface.py asks a running server."""
import asyncio
import sqlite3
import time

import sqlalchemy as sa

from serving import health


class Store:
    strict = True

    def __init__(self, fault=None, delay=0.0):
        self.fault, self.delay = fault, delay

    async def ping(self):
        await asyncio.sleep(self.delay)
        if self.fault:
            raise self.fault


class Agent:
    def __init__(self, tracker_store, lock_store, ready=True):
        self.tracker_store, self.lock_store, self.ready = tracker_store, lock_store, ready

    def is_ready(self):
        return self.ready


def report(agent):
    return asyncio.run(health.health(agent))


def test_both_stores_answering_is_200():
    assert report(Agent(Store(), Store())) == (
        {"status": "ok", "model": "ok", "tracker_store": "ok", "lock_store": "ok"}, 200)


def test_a_model_that_failed_to_load_is_503():
    body, status = report(Agent(Store(), Store(), ready=False))
    assert status == 503 and body["model"] != "ok" and body["tracker_store"] == "ok"


def test_a_tracker_store_in_memory_is_503():
    """Rasa's silent fallback when the configured store cannot be loaded: not persistent."""
    from rasa.core.tracker_store import InMemoryTrackerStore

    body, status = report(Agent(InMemoryTrackerStore(None), Store()))
    assert status == 503 and "InMemoryTrackerStore" in body["tracker_store"]


def test_a_store_without_ping_lives_in_the_process_and_is_up():
    assert report(Agent(Store(), object()))[1] == 200


def test_a_store_down_is_503_naming_it_and_the_fault(caplog):
    body, status = report(Agent(Store(), Store(ConnectionError("Error 111 connecting to 127.0.0.1:6379"))))
    assert status == 503
    assert body == {"status": "unavailable", "model": "ok", "tracker_store": "ok",
                    "lock_store": "ConnectionError: Error 111 connecting to 127.0.0.1:6379"}
    assert "lock_store ConnectionError" in caplog.text


def test_a_store_that_hangs_is_down_after_the_ping_timeout(monkeypatch):
    monkeypatch.setattr(health, "PING_TIMEOUT", 0.2)
    started = time.monotonic()
    body, status = report(Agent(Store(delay=30), Store()))
    assert status == 503 and body["tracker_store"] == "no answer within 0.2 s"
    assert time.monotonic() - started < 5


def test_no_agent_yet_is_503():
    assert report(None)[1] == 503


def test_a_database_error_is_described_without_the_statement_or_what_visitors_typed():
    error = sa.exc.OperationalError(
        "INSERT INTO events (sender_id, data) VALUES (?, ?)",
        ("visitor-1", '{"text": "my landlord is Mr Smith"}'),
        sqlite3.OperationalError("unable to open database file"),
    )
    assert "Mr Smith" in str(error)  # what SQLAlchemy itself would log
    assert health.describe(error) == "OperationalError: unable to open database file"
