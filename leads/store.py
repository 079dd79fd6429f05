"""Leads and their notification outbox in the tracker store's database; deletion, retention and export.

A lead is stored only with the visitor's consent (its wording and time), together with one outbox
row per configured notification channel, in one transaction: a lead is never saved without the
rows that will announce it, nor announced without being saved.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import logging
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TextIO

import sqlalchemy as sa

from leads.db import create_engine, migrate, shown_url
from leads.schema import CHANNELS, LENGTHS, lead_outbox, leads, utc_now
from leads.validate import is_email, is_phone

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): only the columns used here.
events = sa.table("events", sa.column("sender_id", sa.String), sa.column("timestamp", sa.Float))

CSV_COLUMNS = (
    "id", "created_at", "sender_id", "name", "organisation", "email", "phone", "council_or_area",
    "route", "recommendation_title", "facts", "consent_text", "consent_at",
    "email_delivered_at", "webhook_delivered_at",
)
# Text a spreadsheet would run as a formula when the CSV is opened (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class LeadError(ValueError):
    """A lead that cannot be stored as given; the message names the field."""


@dataclasses.dataclass(frozen=True)
class Lead:
    id: int
    created_at: datetime
    sender_id: str
    name: str
    organisation: str
    email: str
    phone: str | None
    council_or_area: str
    facts: dict[str, Any]
    route: str
    recommendation_title: str
    consent_text: str
    consent_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["consent_at"] = self.consent_at.isoformat()
        return data


@dataclasses.dataclass(frozen=True)
class Deleted:
    """What delete_visitor_data removed: leads, their outbox rows, and conversation events."""
    leads: int
    outbox: int
    events: int


@dataclasses.dataclass(frozen=True)
class Purged:
    """What purge_expired removed for being older than the retention periods."""
    leads: int
    outbox: int
    events: int


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One outbox row that is due, with the lead it announces."""
    outbox_id: int
    channel: str
    attempts: int
    next_attempt_at: datetime
    lead: Lead


def _text(field: str, value: Any, required: bool = True) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        if required:
            raise LeadError(f"lead field '{field}' is missing or empty")
        return None
    limit = LENGTHS.get(field)
    if limit and len(text) > limit:
        raise LeadError(f"lead field '{field}' is {len(text)} characters long; at most {limit}")
    return text


def _aware(field: str, value: Any) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise LeadError(f"lead field '{field}' must be a datetime with a time zone (UTC), got {value!r}")
    return value


def lead_values(
    *, sender_id: str, name: str, organisation: str, email: str, council_or_area: str,
    facts: Mapping[str, Any], route: str, recommendation_title: str, consent_text: str,
    consent_at: datetime, phone: str | None = None,
) -> dict[str, Any]:
    """The lead's columns, cleaned; raises LeadError naming the first field that is unusable."""
    values: dict[str, Any] = {
        field: _text(field, value) for field, value in (
            ("sender_id", sender_id), ("name", name), ("organisation", organisation),
            ("council_or_area", council_or_area), ("route", route),
            ("recommendation_title", recommendation_title), ("consent_text", consent_text),
        )
    }
    values["email"] = _text("email", email)
    if not is_email(values["email"]):
        raise LeadError(f"lead field 'email' is not an email address: {values['email']!r}")
    values["phone"] = _text("phone", phone, required=False)
    if values["phone"] is not None and not is_phone(values["phone"]):
        raise LeadError(f"lead field 'phone' is not a phone number: {values['phone']!r}")
    if not isinstance(facts, Mapping):
        raise LeadError(f"lead field 'facts' must be a mapping of fact to value, got {type(facts).__name__}")
    try:
        values["facts"] = json.loads(json.dumps(dict(facts)))
    except (TypeError, ValueError) as error:
        raise LeadError(f"lead field 'facts' must hold JSON values only: {error}") from None
    values["consent_at"] = _aware("consent_at", consent_at)
    return values


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1 minute, doubling, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(_FORMULA_START) and not is_phone(text):
        return "'" + text
    return text


class LeadStore:
    """The leads tables on one database; the schema is upgraded on first use."""

    def __init__(self, url: str, channels: Iterable[str] = (), lead_retention_days: int = 365,
                 conversation_retention_days: int = 90) -> None:
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown notification channel(s) {sorted(unknown)}; known: {', '.join(CHANNELS)}")
        self.url = url
        self.channels: tuple[str, ...] = tuple(c for c in CHANNELS if c in set(channels))
        self.lead_retention = timedelta(days=lead_retention_days)
        self.conversation_retention = timedelta(days=conversation_retention_days)
        self._engine = create_engine(url)
        self._migrated = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LeadStore({shown_url(self.url)}, channels={self.channels})"

    @property
    def engine(self) -> sa.engine.Engine:
        """The engine, once the schema is at the newest migration."""
        if not self._migrated:
            with self._lock:
                if not self._migrated:
                    migrate(self._engine)
                    self._migrated = True
        return self._engine

    def dispose(self) -> None:
        self._engine.dispose()

    # --- leads -----------------------------------------------------------------------------
    def save_lead(self, *, now: datetime | None = None, **lead: Any) -> int:
        """Stores a consented lead and its outbox rows; the same consent again returns the same id."""
        values = lead_values(**lead)
        now = _aware("now", now or utc_now())
        same = sa.select(leads.c.id).where(
            leads.c.sender_id == values["sender_id"], leads.c.consent_at == values["consent_at"]
        )
        try:
            with self.engine.begin() as connection:
                existing = connection.execute(same).scalar()
                if existing is not None:
                    logger.info("Lead %d was already stored; not stored again", existing)
                    return existing
                lead_id = connection.execute(leads.insert().values(created_at=now, **values)).inserted_primary_key[0]
                if self.channels:
                    connection.execute(lead_outbox.insert(), [
                        {"lead_id": lead_id, "channel": channel, "attempts": 0, "next_attempt_at": now}
                        for channel in self.channels
                    ])
        except sa.exc.IntegrityError:
            # Another process stored the same consent between our look and our insert.
            with self.engine.connect() as connection:
                existing = connection.execute(same).scalar()
            if existing is None:
                raise
            return existing
        logger.info("Lead %d stored; to be sent by %s", lead_id, ", ".join(self.channels) or "no channel")
        return lead_id

    def all_leads(self) -> list[Lead]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(leads).order_by(leads.c.id)).mappings().all()
        return [Lead(**row) for row in rows]

    def delete_visitor_data(self, sender_id: str) -> Deleted:
        """Deletes the visitor's leads, their outbox rows and their conversation events, in one transaction."""
        theirs = sa.select(leads.c.id).where(leads.c.sender_id == sender_id)
        with self.engine.begin() as connection:
            outbox = connection.execute(lead_outbox.delete().where(lead_outbox.c.lead_id.in_(theirs))).rowcount
            removed = connection.execute(leads.delete().where(leads.c.sender_id == sender_id)).rowcount
            conversation = 0
            if sa.inspect(connection).has_table("events"):
                conversation = connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
        logger.info("Deleted a visitor's data: %d lead(s), %d outbox row(s), %d event(s)", removed, outbox, conversation)
        return Deleted(leads=removed, outbox=outbox, events=conversation)

    def purge_expired(self, now: datetime | None = None) -> Purged:
        """Deletes leads older than the lead retention and conversation events older than the conversation retention."""
        now = _aware("now", now or utc_now())
        old = sa.select(leads.c.id).where(leads.c.created_at < now - self.lead_retention)
        before = (now - self.conversation_retention).timestamp()
        with self.engine.begin() as connection:
            outbox = connection.execute(lead_outbox.delete().where(lead_outbox.c.lead_id.in_(old))).rowcount
            removed = connection.execute(leads.delete().where(leads.c.created_at < now - self.lead_retention)).rowcount
            conversation = 0
            if sa.inspect(connection).has_table("events"):
                conversation = connection.execute(events.delete().where(events.c.timestamp < before)).rowcount
        if removed or conversation:
            logger.info("Retention: deleted %d lead(s), %d outbox row(s), %d event(s)", removed, outbox, conversation)
        return Purged(leads=removed, outbox=outbox, events=conversation)

    def export_csv(self, out: TextIO) -> int:
        """Writes every lead as CSV (a header, then one row a lead, oldest first); returns the number of leads."""
        delivered = {
            (lead_id, channel): at for lead_id, channel, at in self._query(
                sa.select(lead_outbox.c.lead_id, lead_outbox.c.channel, lead_outbox.c.delivered_at)
            )
        }
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        count = 0
        for lead in self.all_leads():
            row = dataclasses.asdict(lead)
            for channel in CHANNELS:
                row[f"{channel}_delivered_at"] = delivered.get((lead.id, channel))
            writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
            count += 1
        return count

    # --- the outbox ------------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 50) -> list[Delivery]:
        """Undelivered outbox rows whose time has come, oldest first, with their leads."""
        query = (
            sa.select(lead_outbox, leads)
            .join(leads, leads.c.id == lead_outbox.c.lead_id)
            .where(lead_outbox.c.delivered_at.is_(None), lead_outbox.c.next_attempt_at <= now)
            .order_by(lead_outbox.c.next_attempt_at, lead_outbox.c.id)
            .limit(limit)
        )
        lead_columns = [column.name for column in leads.columns]
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Delivery(
                outbox_id=row[0], channel=row.channel, attempts=row.attempts, next_attempt_at=row.next_attempt_at,
                lead=Lead(**dict(zip(lead_columns, row[len(lead_outbox.columns):]))),
            )
            for row in rows
        ]

    def claim(self, delivery: Delivery, until: datetime) -> bool:
        """Takes the row for one sender until `until`; False when another worker took it first."""
        with self.engine.begin() as connection:
            taken = connection.execute(
                lead_outbox.update()
                .where(lead_outbox.c.id == delivery.outbox_id, lead_outbox.c.delivered_at.is_(None),
                       lead_outbox.c.next_attempt_at == delivery.next_attempt_at)
                .values(next_attempt_at=until)
            ).rowcount
        return taken == 1

    def record_delivered(self, delivery: Delivery, now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                lead_outbox.update().where(lead_outbox.c.id == delivery.outbox_id)
                .values(delivered_at=now, attempts=delivery.attempts + 1, last_error=None)
            )

    def record_failure(self, delivery: Delivery, now: datetime, error: str) -> datetime:
        """Counts the failed try and sets the next one after the back-off; returns its time."""
        attempts = delivery.attempts + 1
        retry_at = now + retry_delay(attempts)
        with self.engine.begin() as connection:
            connection.execute(
                lead_outbox.update().where(lead_outbox.c.id == delivery.outbox_id)
                .values(attempts=attempts, next_attempt_at=retry_at, last_error=error[:2000])
            )
        return retry_at

    def outbox(self) -> list[dict[str, Any]]:
        """Every outbox row (id, lead_id, channel, attempts, next_attempt_at, delivered_at, last_error)."""
        return [dict(row._mapping) for row in self._query(sa.select(lead_outbox).order_by(lead_outbox.c.id))]

    def _query(self, query) -> list[Any]:
        with self.engine.connect() as connection:
            return connection.execute(query).all()
