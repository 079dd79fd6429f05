"""serving/stores.py on a real SQLite file: what Rasa stores is exactly the conversation."""
from __future__ import annotations

import asyncio
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from serving.stores import STORED, SQLTrackerStore
from tests.support.servers import REPO_ROOT

DOMAIN = Domain.load(str(REPO_ROOT / "domain.yml"))


def stored_types(database, sender):
    with sqlite3.connect(database) as db:
        return [t for (t,) in db.execute("SELECT type_name FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


def test_each_event_is_stored_once_across_retrieves_and_saves(tmp_path, monkeypatch):
    database = tmp_path / "conversations.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")  # every retrieve from the database
    store = SQLTrackerStore(domain=DOMAIN, host="sqlite:///ignored.db")

    async def conversation():
        tracker = await store.get_or_create_tracker("visitor")
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        assert getattr(tracker, STORED) == len(tracker.events)
        tracker.update(UserUttered("hello"))
        await store.save(tracker)
        again = await store.retrieve("visitor")
        assert getattr(again, STORED) == len(again.events) == 3
        again.update(SlotSet("stage", "new"))
        await store.save(again)
        stale = await store.retrieve("visitor")
        delattr(stale, STORED)  # a tracker the store never saw: Rasa's count query decides
        stale.update(ActionExecuted("action_listen"))
        await store.save(stale)

    asyncio.run(conversation())
    assert stored_types(database, "visitor") == ["action", "session_started", "action", "user", "slot", "action"]
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_tracker_comes_from_memory_only_while_the_database_has_nothing_newer(tmp_path, monkeypatch):
    database = tmp_path / "conversations.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{database}")
    here = SQLTrackerStore(domain=DOMAIN)
    elsewhere = SQLTrackerStore(domain=DOMAIN)  # another replica on the same database

    async def turns():
        tracker = await here.get_or_create_tracker("visitor")
        tracker.update(UserUttered("hello"))
        await here.save(tracker)
        assert await here.retrieve("visitor") is tracker, "unchanged since saved here: from memory"
        assert await here.retrieve("visitor") is not tracker, "handed out once, then from the database"
        await here.save(tracker)
        other = await elsewhere.retrieve("visitor")
        other.update(SlotSet("stage", "new"))
        await elsewhere.save(other)
        fresh = await here.retrieve("visitor")
        assert fresh is not tracker and fresh.get_slot("stage") == "new", "a newer turn elsewhere wins"

    asyncio.run(turns())
