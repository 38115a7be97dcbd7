"""attention items become a workflow (assignee, acknowledged, resolved with a reason, a
history of notes and actions, carrier claims); staff get roles (owner, staff) and
single-use invite and reset links

Every login that existed before roles becomes an owner (each could do everything).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordertrack.db.base import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="owner", nullable=False))
        batch_op.add_column(sa.Column("link_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("invited_at", UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("attention_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("problem_ended_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_attention_items_assignee_id_staff_users"),
            "staff_users",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Items that closed by themselves before: their problem ended when they closed.
    op.execute("UPDATE attention_items SET problem_ended_at = closed_at WHERE closed_at IS NOT NULL")

    op.create_table(
        "attention_activity",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["attention_items.id"],
            name=op.f("fk_attention_activity_item_id_attention_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_attention_activity_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_activity")),
    )
    op.create_index("ix_attention_activity_item_at", "attention_activity", ["item_id", "at"])

    op.create_table(
        "carrier_claims",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=True),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("opened_by", sa.String(length=32), nullable=True),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["attention_items.id"],
            name=op.f("fk_carrier_claims_item_id_attention_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_carrier_claims_merchant_id_merchants")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_carrier_claims_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_carrier_claims_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_claims")),
    )
    op.create_index("ix_carrier_claims_merchant_opened", "carrier_claims", ["merchant_id", "opened_at"])
    op.create_index("ix_carrier_claims_item_id", "carrier_claims", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_carrier_claims_item_id", table_name="carrier_claims")
    op.drop_index("ix_carrier_claims_merchant_opened", table_name="carrier_claims")
    op.drop_table("carrier_claims")
    op.drop_index("ix_attention_activity_item_at", table_name="attention_activity")
    op.drop_table("attention_activity")
    with op.batch_alter_table("attention_items", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_attention_items_assignee_id_staff_users"), type_="foreignkey")
        for column in (
            "problem_ended_at",
            "resolved_by",
            "resolution",
            "acknowledged_by",
            "acknowledged_at",
            "assignee_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        for column in ("invited_at", "link_nonce", "role"):
            batch_op.drop_column(column)
