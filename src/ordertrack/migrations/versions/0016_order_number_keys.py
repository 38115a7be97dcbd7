"""orders get ``number_key``, the number as people type it is matched (``Nw-10442``,
``#NW 10442`` and ``nw10442`` all find ``NW-10442``), and lists sort by when orders were placed

- ``orders.number_key``: the order number without white space, ``#`` and dashes, case-folded
  (``ordertrack.kit.number_keys.number_key``; a frozen copy below computes it for the rows
  already there, so this revision means the same thing whatever the function becomes).
- ``ix_orders_number_key`` (number_key, merchant_id): the shopper's lookup (of one store or of
  every store) and the support search by number.
- ``ix_orders_merchant_placed`` (merchant_id, placed_at, id): the order lists, newest placed
  first, paged by (placed_at, id).

Two numbers of one merchant that differ only in case, spaces, ``#`` or dashes may already
exist; they keep working (the shopper's proof, email or postal code, tells them apart) and no
new one is accepted. The key is filled in batches of 1000 rows; on a large PostgreSQL table,
build the indexes first with ``CREATE INDEX CONCURRENTLY IF NOT EXISTS`` (they are kept).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 1000
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}

orders = sa.table(
    "orders", sa.column("id", sa.String), sa.column("number", sa.String), sa.column("number_key", sa.String)
)


def _number_key(value: str) -> str:
    # ordertrack.kit.number_keys.number_key as of this revision.
    kept = "".join(
        char
        for char in value.translate(_FULL_WIDTH)
        if not (char == "#" or char.isspace() or unicodedata.category(char) == "Pd")
    )
    return kept.casefold()


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_key", sa.String(length=192), nullable=True))
    bind = op.get_bind()
    after = ""
    while True:
        rows = bind.execute(
            sa.select(orders.c.id, orders.c.number)
            .where(orders.c.id > after)
            .order_by(orders.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            orders.update()
            .where(orders.c.id == sa.bindparam("order_id"))
            .values(number_key=sa.bindparam("key")),
            [{"order_id": order_id, "key": _number_key(number)} for order_id, number in rows],
        )
        after = rows[-1][0]
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("number_key", existing_type=sa.String(length=192), nullable=False)
    op.create_index("ix_orders_number_key", "orders", ["number_key", "merchant_id"], if_not_exists=True)
    op.create_index(
        "ix_orders_merchant_placed", "orders", ["merchant_id", "placed_at", "id"], if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index("ix_orders_merchant_placed", table_name="orders")
    op.drop_index("ix_orders_number_key", table_name="orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("number_key")
