"""carrier connectors: webhook settings, received payloads and quarantine, unknown codes, polling

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _merchant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["merchant_id"], ["merchants.id"], name=op.f(f"fk_{table}_merchant_id_merchants")
    )


def upgrade() -> None:
    op.create_table(
        "carrier_webhooks",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_secret", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _merchant_fk("carrier_webhooks"),
        sa.PrimaryKeyConstraint("merchant_id", "carrier", name=op.f("pk_carrier_webhooks")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_carrier_webhooks_token_hash")),
    )
    op.create_table(
        "carrier_payloads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("messages", _JSON, nullable=True),
        sa.Column("events_accepted", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        _merchant_fk("carrier_payloads"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_payloads")),
    )
    with op.batch_alter_table("carrier_payloads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_carrier_payloads_merchant_state", ["merchant_id", "state", "id"], unique=False
        )
    op.create_table(
        "carrier_unknown_codes",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("example", sa.String(length=500), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        _merchant_fk("carrier_unknown_codes"),
        sa.PrimaryKeyConstraint("merchant_id", "carrier", "code", name=op.f("pk_carrier_unknown_codes")),
    )
    op.create_table(
        "carrier_accounts",
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=True),
        sa.Column("client_secret", sa.String(length=300), nullable=True),
        sa.Column("api_key", sa.String(length=300), nullable=True),
        sa.Column("account_number", sa.String(length=64), nullable=True),
        sa.Column("requests_per_second", sa.Double(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _merchant_fk("carrier_accounts"),
        sa.PrimaryKeyConstraint("merchant_id", "carrier", name=op.f("pk_carrier_accounts")),
    )
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_parcels_next_poll_at", ["next_poll_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index("ix_parcels_next_poll_at")
        batch_op.drop_column("last_polled_at")
        batch_op.drop_column("next_poll_at")
    op.drop_table("carrier_accounts")
    op.drop_table("carrier_unknown_codes")
    with op.batch_alter_table("carrier_payloads", schema=None) as batch_op:
        batch_op.drop_index("ix_carrier_payloads_merchant_state")
    op.drop_table("carrier_payloads")
    op.drop_table("carrier_webhooks")
