"""The leads tables as the code queries them; leads/migrations/ creates and changes them.

tests/leads/test_migrations.py checks that the migrated database and these definitions agree.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

CHANNELS = ("email", "webhook")
# The limits each text column holds, shared with save_lead's checks so bad input gets a message.
LENGTHS = {
    "sender_id": 255, "name": 200, "organisation": 200, "email": 254, "phone": 40,
    "council_or_area": 200, "route": 64, "recommendation_title": 300,
}


class UTCDateTime(sa.types.TypeDecorator):
    """An aware UTC datetime in and out; SQLite keeps no zone, so its values are read as UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a time with no time zone: {value!r}; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


metadata = sa.MetaData()

leads = sa.Table(
    "leads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("sender_id", sa.String(LENGTHS["sender_id"]), nullable=False, index=True),
    sa.Column("name", sa.String(LENGTHS["name"]), nullable=False),
    sa.Column("organisation", sa.String(LENGTHS["organisation"]), nullable=False),
    sa.Column("email", sa.String(LENGTHS["email"]), nullable=False),
    sa.Column("phone", sa.String(LENGTHS["phone"]), nullable=True),
    sa.Column("council_or_area", sa.String(LENGTHS["council_or_area"]), nullable=False),
    sa.Column("facts", sa.JSON, nullable=False),
    sa.Column("route", sa.String(LENGTHS["route"]), nullable=False),
    sa.Column("recommendation_title", sa.String(LENGTHS["recommendation_title"]), nullable=False),
    sa.Column("consent_text", sa.Text, nullable=False),
    sa.Column("consent_at", UTCDateTime, nullable=False),
    # One consent is one lead: a retried action finds the lead it stored the first time.
    sa.UniqueConstraint("sender_id", "consent_at", name="uq_leads_sender_consent"),
)

lead_outbox = sa.Table(
    "lead_outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False, index=True),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.CheckConstraint("channel IN ('email', 'webhook')", name="ck_lead_outbox_channel"),
    # Each lead goes to each channel once.
    sa.UniqueConstraint("lead_id", "channel", name="uq_lead_outbox_lead_channel"),
)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
