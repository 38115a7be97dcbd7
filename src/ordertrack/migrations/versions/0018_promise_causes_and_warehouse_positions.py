"""promise revisions say why they happened and what they were based on; warehouses get a position

- ``edd_revisions.cause``: why the promise changed, from the event that prompted it
  (``order_placed``, ``shipped``, ``picked_up``, ``carrier_estimate``, ``customs_delay``,
  ``exception``, ``missed_delivery``, ``out_for_delivery``, ``running_late``, ``delivered``,
  ``stock_arrived``, ``learned``). Rows already there get the cause their stage implies
  (a ``check`` row could have had several causes and keeps none).
- ``edd_revisions.basis``, ``basis_deliveries``, ``origin_country``, ``destination_country``:
  what the window was based on (the route's own deliveries, wider lanes, what is typical for
  the distance and service, the carrier's estimate) and between which countries.
- ``warehouses.latitude`` / ``longitude``: where a warehouse is, for choosing the one nearest
  an order and for transit bounds; without them its city, region or country places it.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None

# The cause each stage implied when causes were first kept (eta.estimating.Stage -> Cause).
_CAUSE_OF_STAGE = {
    "order": "order_placed",
    "shipped": "shipped",
    "handoff": "picked_up",
    "carrier": "carrier_estimate",
    "delivered": "delivered",
}

revisions = sa.table("edd_revisions", sa.column("stage", sa.String), sa.column("cause", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("edd_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("basis_deliveries", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("destination_country", sa.String(length=2), nullable=True))
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Double(), nullable=True))
    bind = op.get_bind()
    for stage, cause in _CAUSE_OF_STAGE.items():
        bind.execute(sa.update(revisions).where(revisions.c.stage == stage).values(cause=cause))


def downgrade() -> None:
    with op.batch_alter_table("warehouses", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    with op.batch_alter_table("edd_revisions", schema=None) as batch_op:
        batch_op.drop_column("destination_country")
        batch_op.drop_column("origin_country")
        batch_op.drop_column("basis_deliveries")
        batch_op.drop_column("basis")
        batch_op.drop_column("cause")
