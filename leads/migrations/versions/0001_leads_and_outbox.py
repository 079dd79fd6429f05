"""The leads table and its notification outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("council_or_area", sa.String(200), nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("route", sa.String(64), nullable=False),
        sa.Column("recommendation_title", sa.String(300), nullable=False),
        sa.Column("consent_text", sa.Text, nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender_id", "consent_at", name="uq_leads_sender_consent"),
    )
    op.create_index("ix_leads_created_at", "leads", ["created_at"])
    op.create_index("ix_leads_sender_id", "leads", ["sender_id"])
    op.create_table(
        "lead_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name="ck_lead_outbox_channel"),
        sa.UniqueConstraint("lead_id", "channel", name="uq_lead_outbox_lead_channel"),
    )
    op.create_index("ix_lead_outbox_next_attempt_at", "lead_outbox", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table("lead_outbox")
    op.drop_table("leads")
