"""inbound shipments (the supplier's ASNs) whose parcels are tracking parcels, receipts at the
dock tied to the stock ledger, damaged counts, and each purchase order's history of changes
(issue 21)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ordertrack.db.base import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _merchant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["merchant_id"], ["merchants.id"], name=op.f(f"fk_{table}_merchant_id_merchants")
    )


def upgrade() -> None:
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("damaged_quantity", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "inbound_shipments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_order_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_key", sa.String(length=192), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("expected_arrival_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column("arrived_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _merchant_fk("inbound_shipments"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_inbound_shipments_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_shipments")),
        sa.UniqueConstraint(
            "merchant_id", "number_key", name=op.f("uq_inbound_shipments_merchant_id_number_key")
        ),
        sa.UniqueConstraint(
            "purchase_order_id", "seq", name=op.f("uq_inbound_shipments_purchase_order_id_seq")
        ),
    )
    with op.batch_alter_table("inbound_shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_shipments_merchant_status", ["merchant_id", "status", "id"], unique=False
        )

    op.create_table(
        "inbound_shipment_lines",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("inbound_shipment_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_order_line_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("parcel_seq", sa.Integer(), nullable=True),
        sa.Column("received_quantity", sa.Integer(), server_default="0", nullable=False),
        sa.Column("damaged_quantity", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_inbound_shipment_lines_quantity_positive")),
        sa.CheckConstraint(
            "received_quantity >= 0", name=op.f("ck_inbound_shipment_lines_received_not_negative")
        ),
        sa.CheckConstraint(
            "damaged_quantity >= 0", name=op.f("ck_inbound_shipment_lines_damaged_not_negative")
        ),
        _merchant_fk("inbound_shipment_lines"),
        sa.ForeignKeyConstraint(
            ["inbound_shipment_id"],
            ["inbound_shipments.id"],
            name=op.f("fk_inbound_shipment_lines_inbound_shipment_id_inbound_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_inbound_shipment_lines_purchase_order_line_id_purchase_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_shipment_lines")),
    )
    with op.batch_alter_table("inbound_shipment_lines", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_shipment_lines_po_line", ["purchase_order_line_id"], unique=False)
        batch_op.create_index("ix_inbound_shipment_lines_merchant_sku", ["merchant_id", "sku"], unique=False)

    op.create_table(
        "receipts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_order_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_order_line_id", sa.String(length=32), nullable=False),
        sa.Column("inbound_shipment_id", sa.String(length=32), nullable=True),
        sa.Column("inbound_shipment_line_id", sa.String(length=32), nullable=True),
        sa.Column("warehouse_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("good_quantity", sa.Integer(), nullable=False),
        sa.Column("damaged_quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(length=40), nullable=True),
        sa.Column("stock_movement_id", _EVENT_ID, nullable=True),
        sa.Column("count_key", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("good_quantity >= 0", name=op.f("ck_receipts_good_not_negative")),
        sa.CheckConstraint("damaged_quantity >= 0", name=op.f("ck_receipts_damaged_not_negative")),
        sa.CheckConstraint("good_quantity + damaged_quantity > 0", name=op.f("ck_receipts_counts_something")),
        _merchant_fk("receipts"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_receipts_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_receipts_purchase_order_line_id_purchase_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["inbound_shipment_id"],
            ["inbound_shipments.id"],
            name=op.f("fk_receipts_inbound_shipment_id_inbound_shipments"),
        ),
        sa.ForeignKeyConstraint(
            ["inbound_shipment_line_id"],
            ["inbound_shipment_lines.id"],
            name=op.f("fk_receipts_inbound_shipment_line_id_inbound_shipment_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_receipts_warehouse_id_warehouses")
        ),
        sa.ForeignKeyConstraint(
            ["stock_movement_id"],
            ["stock_movements.id"],
            name=op.f("fk_receipts_stock_movement_id_stock_movements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("merchant_id", "count_key", name=op.f("uq_receipts_merchant_id_count_key")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index("ix_receipts_po_line", ["purchase_order_line_id"], unique=False)
        batch_op.create_index(
            "ix_receipts_merchant_po", ["merchant_id", "purchase_order_id", "created_at"], unique=False
        )

    op.create_table(
        "purchase_order_changes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_order_id", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", _JSON, nullable=True),
        _merchant_fk("purchase_order_changes"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_changes_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_changes")),
    )
    with op.batch_alter_table("purchase_order_changes", schema=None) as batch_op:
        batch_op.create_index("ix_purchase_order_changes_po", ["purchase_order_id", "at"], unique=False)

    # A parcel is an outbound shipment's or an inbound shipment's, never both, never neither.
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inbound_shipment_id", sa.String(length=32), nullable=True))
        batch_op.alter_column("shipment_id", existing_type=sa.String(length=32), nullable=True)
        batch_op.create_foreign_key(
            op.f("fk_parcels_inbound_shipment_id_inbound_shipments"),
            "inbound_shipments",
            ["inbound_shipment_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_parcels_inbound_shipment_id", ["inbound_shipment_id"], unique=False)
        batch_op.create_check_constraint(
            "one_owner", "(shipment_id IS NULL) <> (inbound_shipment_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM parcels WHERE inbound_shipment_id IS NOT NULL")
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_parcels_one_owner"), type_="check")
        batch_op.drop_index("ix_parcels_inbound_shipment_id")
        batch_op.drop_constraint(op.f("fk_parcels_inbound_shipment_id_inbound_shipments"), type_="foreignkey")
        batch_op.alter_column("shipment_id", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("inbound_shipment_id")
    op.drop_table("purchase_order_changes")
    op.drop_table("receipts")
    op.drop_table("inbound_shipment_lines")
    op.drop_table("inbound_shipments")
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_column("damaged_quantity")
