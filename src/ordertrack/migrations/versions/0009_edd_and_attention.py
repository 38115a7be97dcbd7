"""delivery-date engine and attention: EDD revisions, current EDD on orders and shipments,
the shipments' check schedule, attention items

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edd_revisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=True),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("most_likely", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("delayed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_edd_revisions_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_edd_revisions_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_edd_revisions_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edd_revisions")),
    )
    op.create_index("ix_edd_revisions_order", "edd_revisions", ["order_id", "recorded_at"])
    op.create_index("ix_edd_revisions_shipment", "edd_revisions", ["shipment_id", "recorded_at"])

    op.create_table(
        "attention_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_attention_items_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_attention_items_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_attention_items_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_items")),
    )
    op.create_index("ix_attention_items_merchant_opened", "attention_items", ["merchant_id", "opened_at"])
    op.create_index("ix_attention_items_order_id", "attention_items", ["order_id"])
    op.create_index(
        "uq_attention_items_open",
        "attention_items",
        ["shipment_id", "kind"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )

    for column in ("edd_earliest", "edd_latest", "edd_most_likely"):
        op.add_column("orders", sa.Column(column, sa.Date(), nullable=True))
        op.add_column("shipments", sa.Column(column, sa.Date(), nullable=True))
    op.add_column("shipments", sa.Column("promised_latest", sa.Date(), nullable=True))
    op.add_column("shipments", sa.Column("next_check_at", UTCDateTime(timezone=True), nullable=True))
    op.create_index("ix_shipments_next_check_at", "shipments", ["next_check_at"])
    # Shipments still under way get their first check straight away.
    op.execute(
        sa.text(
            "UPDATE shipments SET next_check_at = updated_at WHERE status NOT IN ('delivered', 'returned')"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_next_check_at", table_name="shipments")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        for column in ("next_check_at", "promised_latest", "edd_most_likely", "edd_latest", "edd_earliest"):
            batch_op.drop_column(column)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for column in ("edd_most_likely", "edd_latest", "edd_earliest"):
            batch_op.drop_column(column)
    op.drop_index("uq_attention_items_open", table_name="attention_items")
    op.drop_index("ix_attention_items_order_id", table_name="attention_items")
    op.drop_index("ix_attention_items_merchant_opened", table_name="attention_items")
    op.drop_table("attention_items")
    op.drop_index("ix_edd_revisions_shipment", table_name="edd_revisions")
    op.drop_index("ix_edd_revisions_order", table_name="edd_revisions")
    op.drop_table("edd_revisions")
