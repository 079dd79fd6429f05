"""Reads Rasa's tracker store and the leads table, read-only, through SQLAlchemy.

The URL is TRACKER_STORE_URL, else endpoints.yml's default (a SQLite file under .rasa/); leads
are where the lead capture keeps them (leads/db.py: LEADS_DB_URL, else the same database). SQLite
is opened in read-only mode (a missing file is an error, not a new empty database); PostgreSQL
sessions are read-only transactions. Every failure is a StoreError naming the database without
its password.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from leads.db import DatabaseError, database_url

DEFAULT_URL = "sqlite:///.rasa/conversations.db"
CONNECT_TIMEOUT_S = 10
EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("timestamp"), sa.column("data"))


class StoreError(RuntimeError):
    """The tracker store can't be read; the message says which and why."""


def tracker_store_url() -> str:
    return os.environ.get("TRACKER_STORE_URL", "").strip() or DEFAULT_URL


def leads_url() -> str:
    """The leads database's URL, as the lead capture chooses it."""
    try:
        return database_url()
    except DatabaseError as error:
        raise StoreError(str(error)) from None


def shown(url: str | sa.engine.URL) -> str:
    """The URL with its password masked (SQLAlchemy's own masking)."""
    return repr(sa.engine.make_url(url))


def read_only_engine(url: str, what: str = "tracker store") -> sa.engine.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as error:
        raise StoreError(f"The {what} URL is not a database URL ({error}); "
                         f"e.g. {DEFAULT_URL} or postgresql://user:password@host:5432/db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError(f"{shown(parsed)} names no database file")
        path = Path(parsed.database)
        if not path.is_file():
            raise StoreError(f"No {what} at {path.resolve()} ({shown(parsed)}): "
                             "check the URL, or talk to the assistant first")
        read_only = parsed.set(database=f"file:{path}", query={"mode": "ro", "uri": "true"})
        return sa.create_engine(read_only)
    if backend == "postgresql":
        return sa.create_engine(parsed, connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S, "options": "-c default_transaction_read_only=on"})
    return sa.create_engine(parsed)


@contextlib.contextmanager
def reading(engine: sa.engine.Engine, what: str = "tracker store") -> Iterator[sa.engine.Connection]:
    """A connection; any database failure becomes a StoreError naming the database."""
    try:
        with engine.connect() as connection:
            yield connection
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StoreError(f"Cannot read the {what} at {shown(engine.url)}: {reason}. "
                         "Check its URL and that the database is up.") from error


def _epoch(day: date) -> float:
    return datetime.combine(day, time(), tzinfo=timezone.utc).timestamp()


def load_events(connection: sa.engine.Connection, first_day: date | None = None,
                last_day: date | None = None) -> list[tuple[str, list[dict]]]:
    """Every event of each sender with an event in the range, in the order Rasa stored them.

    The whole history of those senders is read, so a session is split where it really starts.
    """
    if not sa.inspect(connection).has_table("events"):
        raise StoreError(f"{shown(connection.engine.url)} has no `events` table: it is not Rasa's "
                         "SQL tracker store, or no conversation has been stored yet")
    query = sa.select(EVENTS.c.sender_id, EVENTS.c.data).order_by(EVENTS.c.sender_id, EVENTS.c.id)
    if first_day or last_day:
        in_range = sa.select(EVENTS.c.sender_id).distinct()
        if first_day:
            in_range = in_range.where(EVENTS.c.timestamp >= _epoch(first_day))
        if last_day:
            in_range = in_range.where(EVENTS.c.timestamp < _epoch(last_day + timedelta(days=1)))
        query = query.where(EVENTS.c.sender_id.in_(in_range.scalar_subquery()))
    senders: list[tuple[str, list[dict]]] = []
    for sender_id, data in connection.execute(query):
        if not senders or senders[-1][0] != sender_id:
            senders.append((sender_id, []))
        senders[-1][1].append(json.loads(data))
    return senders


def _utc(value: object) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def count_leads(connection: sa.engine.Connection, first_day: date | None = None,
                last_day: date | None = None) -> int | None:
    """Leads created (UTC) in the range, or None when the database has no `leads` table yet."""
    if not sa.inspect(connection).has_table("leads"):
        return None
    leads = sa.Table("leads", sa.MetaData(), autoload_with=connection)
    if "created_at" not in leads.c:
        raise StoreError("The `leads` table has no `created_at` column, so leads can't be counted by date")
    days = [_utc(value).date() for (value,) in connection.execute(sa.select(leads.c.created_at))
            if value is not None]
    return sum(1 for day in days if (first_day is None or day >= first_day)
               and (last_day is None or day <= last_day))
