"""Rasa's tracker and lock stores, configured from the environment, never silently in memory.

endpoints.yml names these classes and holds the defaults; the environment overrides them:
- `TRACKER_STORE_URL`: an SQLAlchemy URL for Rasa's SQL tracker store. The default is a SQLite
  file (`sqlite:///.rasa/conversations.db`), so a restart loses nothing; production uses
  PostgreSQL (`postgresql://user:password@host:5432/db`; Rasa needs the dialect `postgresql`).
- `LOCK_STORE_URL`: unset keeps Rasa's in-memory lock store (one Rasa process); a Redis URL
  (`redis://host:6379/1`) gives Rasa's RedisLockStore, required for more than one replica,
  with each change to a conversation's lock made under a Redis mutex (Rasa's is not atomic).

Both wait up to `STORE_CONNECT_TIMEOUT` seconds (default 30) for their server at start-up and
then stop Rasa with an error naming the store, instead of Rasa's endless retry or its switch to
an in-memory store. Both are `strict`: serving/patches.py keeps Rasa from wrapping the tracker
store in its fall-back-to-memory wrapper, and each has `ping()` for the health check.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import time
from pathlib import Path
from collections import OrderedDict
from typing import Any, Callable, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core import lock_store as rasa_lock_store
from rasa.core import tracker_store as rasa_tracker_store
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig

import serving  # noqa: F401  (Rasa imports this module first when it reads endpoints.yml)

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 30.0
# Conversations kept in memory between turns (TRACKER_CACHE_SIZE; 0 turns the cache off).
DEFAULT_CACHE_SIZE = 1000
# The longest a replica holds a conversation's lock record while changing it (a few Redis calls).
MUTEX_SECONDS = 5


class StoreUnavailable(ConnectionError):
    """A store's server did not answer in time at start-up."""


def connect_timeout() -> float:
    return float(os.environ.get("STORE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT))


def shown_url(url: Text) -> Text:
    """The URL without its password, for logs and errors."""
    try:
        return sa.engine.make_url(url).__repr__()
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as its scheme only
        return url.split("://", 1)[0] + "://..."


def _wait_for(what: Text, url: Text, check: Callable[[], Any]) -> None:
    """Calls `check` until it succeeds or the connect timeout passes, then raises StoreUnavailable."""
    deadline = time.monotonic() + connect_timeout()
    while True:
        try:
            check()
            return
        except Exception as error:  # noqa: BLE001 - any failure to connect is retried, then reported
            if time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"Cannot reach the {what} at {shown_url(url)} after {connect_timeout():g} s: "
                    f"{error}. Check {what.split()[0].upper()}_STORE_URL and that the server is up."
                ) from error
            logger.warning("Waiting for the %s at %s: %s", what, shown_url(url), error)
            time.sleep(1.0)


# On a tracker this store retrieved or saved: how many of its events are in the database.
STORED = "_route_advisor_stored_events"


def _row(sender_id: Text, event) -> dict:
    """An event as Rasa's SQLTrackerStore stores it (rasa/core/tracker_store.py, `save`)."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _engine_kwargs(url: Text) -> dict:
    """Rasa's engine options; for a SQLite file, a pool that keeps its connections open.

    SQLAlchemy 1.4 opens and closes a SQLite file connection per use (NullPool); closing the last
    one checkpoints the write-ahead log to disk, which made every save wait for the disk (5 ms).
    Kept open, a commit in WAL mode with synchronous=NORMAL doesn't. The health check runs in a
    worker thread, hence connections usable from another thread (one at a time, from the pool).
    """
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}
    return rasa_tracker_store.create_engine_kwargs(url)


def _sqlite_file_still_there(database: Text) -> Callable[..., None]:
    """A kept-open connection to a SQLite file that was moved or deleted would go on writing to a
    file nobody can find again; on checkout it is dropped instead, and reconnecting fails loudly
    ("unable to open database file"), as it did when every use opened the file anew."""
    path = Path(database).resolve()

    def check(_connection, _record, _proxy) -> None:
        if not path.exists():
            raise sa.exc.DisconnectionError(f"{path} is gone")

    return check


def _sqlite_write_ahead_log(connection, _record) -> None:
    """Readers don't wait for the writer, and a commit doesn't wait for the disk each time."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class SQLTrackerStore(rasa_tracker_store.SQLTrackerStore):
    """Rasa's SQL tracker store on the URL from TRACKER_STORE_URL or endpoints.yml."""

    strict = True

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None, **kwargs: Any) -> None:
        self._cache: "OrderedDict[Text, Tuple[Optional[int], Any]]" = OrderedDict()
        self._cache_size = int(os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_CACHE_SIZE))
        url = os.environ.get("TRACKER_STORE_URL", "").strip() or host
        if not url or "://" not in url:
            raise ValueError(
                "The tracker store needs an SQLAlchemy URL (TRACKER_STORE_URL or `url` in "
                f"endpoints.yml), e.g. sqlite:///.rasa/conversations.db; got {url!r}"
            )
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        engine = sa.create_engine(url, pool_pre_ping=True)
        _wait_for("tracker store", url, lambda: engine.connect().close())
        engine.dispose()
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        # Rasa's engine has no pre-ping: after a database restart its pooled connections are dead.
        self.engine = sa.create_engine(url, pool_pre_ping=True, **_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
            if self.engine.url.database:
                sa.event.listen(self.engine.pool, "checkout", _sqlite_file_still_there(self.engine.url.database))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Built once: building the statement cost more than running it (twice a turn).
        events = self.SQLEvent.__table__
        self._last_event_id_query = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        self._insert_events = events.insert()
        logger.info("Conversations are stored in %s", shown_url(url))

    async def retrieve(self, sender_id: Text):
        """The conversation; from memory when the database holds nothing newer than it.

        Rebuilding a tracker means parsing and replaying every stored event (a sixth of Rasa's
        CPU under load). The tracker last saved here is handed out once (taken out of the
        cache, so a turn that fails before saving can't leave half its events in it) if the
        database's last event for the sender is still the one it saved; another replica's
        turn, or anything else written meanwhile, makes it load from the database as before.
        """
        cached = self._cache.pop(sender_id, None)
        if cached is not None and cached[0] == self._last_event_id(sender_id):
            return cached[1]
        return await super().retrieve(sender_id)

    def _last_event_id(self, sender_id: Text, connection=None) -> Optional[int]:
        params = {"sender_id": sender_id}
        if connection is not None:
            return connection.execute(self._last_event_id_query, params).scalar()
        with self.engine.connect() as own:
            return own.execute(self._last_event_id_query, params).scalar()

    def _remember(self, tracker, last_event_id: Optional[int]) -> None:
        if self._cache_size <= 0:
            return
        self._cache[tracker.sender_id] = (last_event_id, tracker)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool):
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def save(self, tracker) -> None:
        """Rasa's save, as one multi-row INSERT that also reads back the last event id.

        Rasa adds each event through the ORM (a flush per row) and the cache then asked for the
        last id in a second transaction: together two thirds of a turn's time in the store.
        The rows are the ones Rasa writes, column for column.
        """
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = getattr(tracker, STORED, None)
            if stored is None:
                with self.session_scope() as session:
                    new_events = list(super()._additional_events(session, tracker))
            else:
                new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            if new_events:
                connection.execute(
                    self._insert_events, [_row(tracker.sender_id, event) for event in new_events]
                )
            last_event_id = self._last_event_id(tracker.sender_id, connection)
        setattr(tracker, STORED, len(tracker.events))
        self._remember(tracker, last_event_id)

    async def ping(self) -> None:
        """Raises when the database does not answer."""

        def select_one() -> None:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))

        await asyncio.get_running_loop().run_in_executor(None, select_one)


class RedisLockStore(rasa_lock_store.RedisLockStore):
    """Rasa's Redis lock store on a redis:// URL."""

    strict = True

    def __init__(self, url: Text) -> None:
        from redis.connection import parse_url

        options = parse_url(url)
        self.url = url
        super().__init__(
            host=options.get("host", "localhost"),
            port=options.get("port", 6379),
            db=options.get("db", 1),
            username=options.get("username"),
            password=options.get("password"),
            use_ssl=url.startswith("rediss://"),
        )
        _wait_for("lock store", url, self.red.ping)
        logger.info("Conversation locks are held in Redis at %s", shown_url(url))

    async def ping(self) -> None:
        """Raises when Redis does not answer."""
        await asyncio.get_running_loop().run_in_executor(None, self.red.ping)

    # Rasa reads a conversation's lock, changes it in memory and writes it back, so two replicas
    # taking a message each at the same moment could both be issued the same ticket and both run
    # (rasa#3933 calls it "far from atomic"). Each read-change-write here holds a short Redis mutex.
    def _exclusive(self, conversation_id: Text):
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_SECONDS, blocking_timeout=MUTEX_SECONDS
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = rasa_lock_store.LOCK_LIFETIME) -> int:
        with self._exclusive(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._exclusive(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        with self._exclusive(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes the ticket and deletes the lock if no one waits, as one step."""
        with self._exclusive(conversation_id):
            rasa_lock_store.LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)


class LockStore:
    """The lock store endpoints.yml names: Redis when LOCK_STORE_URL (or `url`) is set, else memory.

    Rasa instantiates the class named in endpoints.yml with `endpoint_config=`; this one returns
    the store that fits, so one endpoints file serves one process and many replicas alike.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> rasa_lock_store.LockStore:
        url = os.environ.get("LOCK_STORE_URL", "").strip() or (endpoint_config.url if endpoint_config else None)
        if not url:
            return rasa_lock_store.InMemoryLockStore()
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"LOCK_STORE_URL must be a redis:// URL; got {shown_url(url)}")
        return RedisLockStore(url)
