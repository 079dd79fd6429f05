"""Leads for the consultancy: stored with consent, announced by email/webhook, deleted on request or
after the retention period, exported as CSV. No Rasa imports: the actions call the functions below.

    from leads import save_lead, delete_visitor_data, load_consultancy

Each function uses the set-up from the environment and consultancy.yml (`configured()`, read once
per process). They block on the database: call them from an async action through an executor.
"""
from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from typing import Any, TextIO

from leads import notify
from leads.consultancy import Consultancy, ConsultancyError, load_consultancy
from leads.db import DatabaseError, database_url
from leads.notify import (
    Delivered,
    NotificationError,
    Notifications,
    notification_settings,
)
from leads.store import Deleted, Lead, LeadError, LeadStore, Purged

__all__ = [
    "Consultancy", "ConsultancyError", "DatabaseError", "Deleted", "Delivered", "Lead", "LeadError",
    "LeadStore", "NotificationError", "Notifications", "Purged", "Setup", "configured",
    "delete_visitor_data", "deliver_due", "export_csv", "load_consultancy", "purge_expired", "save_lead",
]


@dataclasses.dataclass(frozen=True)
class Setup:
    consultancy: Consultancy
    notifications: Notifications
    store: LeadStore


@functools.lru_cache(maxsize=1)
def configured() -> Setup:
    """The consultancy, the notification channels and the lead store, from the environment; checked."""
    consultancy = load_consultancy()
    notifications = notification_settings(consultancy)
    store = LeadStore(
        database_url(), channels=notifications.channels,
        lead_retention_days=consultancy.lead_retention_days,
        conversation_retention_days=consultancy.conversation_retention_days,
    )
    return Setup(consultancy, notifications, store)


def save_lead(*, sender_id: str, name: str, organisation: str, email: str, council_or_area: str,
              facts: Any, route: str, recommendation_title: str, consent_text: str, consent_at: datetime,
              phone: str | None = None) -> int:
    """Stores a consented lead and queues its notifications; returns its id (the same id for the same consent)."""
    return configured().store.save_lead(
        sender_id=sender_id, name=name, organisation=organisation, email=email, phone=phone,
        council_or_area=council_or_area, facts=facts, route=route, recommendation_title=recommendation_title,
        consent_text=consent_text, consent_at=consent_at,
    )


def delete_visitor_data(sender_id: str) -> Deleted:
    """Deletes the visitor's leads, outbox rows and conversation events; returns how many of each."""
    return configured().store.delete_visitor_data(sender_id)


def purge_expired(now: datetime | None = None) -> Purged:
    """Deletes leads and conversation events older than consultancy.yml's retention periods."""
    return configured().store.purge_expired(now)


def export_csv(out: TextIO) -> int:
    """Writes every lead to `out` as CSV; returns the number of leads."""
    return configured().store.export_csv(out)


def deliver_due(now: datetime | None = None) -> Delivered:
    """Sends the notifications that are due (the worker calls this every few seconds)."""
    setup = configured()
    return notify.deliver_due(setup.store, setup.notifications, setup.consultancy, now)
