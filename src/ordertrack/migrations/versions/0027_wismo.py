"""where-is-my-order demand and contacts (issue 22)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def _merchant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["merchant_id"], ["merchants.id"], name=op.f(f"fk_{table}_merchant_id_merchants")
    )


def upgrade() -> None:
    op.create_table(
        "tracking_demand_days",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("page_views", sa.Integer(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        _merchant_fk("tracking_demand_days"),
        sa.PrimaryKeyConstraint("merchant_id", "order_id", "day", name=op.f("pk_tracking_demand_days")),
    )
    op.create_index("ix_tracking_demand_days_merchant_day", "tracking_demand_days", ["merchant_id", "day"])
    op.create_table(
        "message_clicks",
        sa.Column("notification_id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("first_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        _merchant_fk("message_clicks"),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_message_clicks")),
    )
    op.create_index("ix_message_clicks_merchant_first", "message_clicks", ["merchant_id", "first_at"])
    op.create_table(
        "support_contacts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _merchant_fk("support_contacts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_contacts")),
        sa.UniqueConstraint("merchant_id", "source", "external_id", name="uq_support_contacts_external"),
    )
    op.create_index(
        "ix_support_contacts_merchant_occurred", "support_contacts", ["merchant_id", "occurred_at"]
    )
    op.create_index("ix_support_contacts_merchant_order", "support_contacts", ["merchant_id", "order_id"])
    op.create_table(
        "helpdesk_receivers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_received_at", UTCDateTime(timezone=True), nullable=True),
        _merchant_fk("helpdesk_receivers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_receivers")),
        sa.UniqueConstraint("merchant_id", "provider", name="uq_helpdesk_receivers_provider"),
    )


def downgrade() -> None:
    op.drop_table("helpdesk_receivers")
    op.drop_index("ix_support_contacts_merchant_order", table_name="support_contacts")
    op.drop_index("ix_support_contacts_merchant_occurred", table_name="support_contacts")
    op.drop_table("support_contacts")
    op.drop_index("ix_message_clicks_merchant_first", table_name="message_clicks")
    op.drop_table("message_clicks")
    op.drop_index("ix_tracking_demand_days_merchant_day", table_name="tracking_demand_days")
    op.drop_table("tracking_demand_days")
