"""The analytics tables: daily rollup cells, each shipment's contribution to its cell, and the
queue of shipments whose facts changed (issue 22; docs/analytics.md, "Rollups in the database").

A cell's dimensions are stored with ``''`` for "none" (no warehouse, no region), never NULL, so the
unique index over them holds on PostgreSQL as on SQLite; the store turns ``''`` back into None.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column

# The dimensions of a cell besides merchant and day, in ``rollup.CellKey`` order, with their width.
DIMENSIONS = (
    ("carrier", 40),
    ("service", 80),
    ("warehouse", 32),
    ("origin_country", 2),
    ("origin_region", 120),
    ("destination_country", 2),
    ("destination_region", 120),
)
DIMENSION_NAMES = tuple(name for name, _ in DIMENSIONS)


class AnalyticsCell(Base):
    """The counts of one merchant's shipments of one day and one value of every dimension."""

    __tablename__ = "analytics_cells"
    __table_args__ = (
        # Also the index of a merchant's range of days (its first two columns).
        Index("uq_analytics_cells_key", "merchant_id", "day", *DIMENSION_NAMES, unique=True),
        # The coarse cells: a day's or week's total, one dimension's, a pair's (store.ALL in the
        # others). Every read of them names the first six columns (ALL or a value), so it seeks to
        # its rows; warehouse and carrier come last, so their values (what a filter can be set to)
        # and the warehouse × carrier cells are a short range, not a walk past the lane cells.
        Index(
            "ix_analytics_cells_coarse",
            "merchant_id",
            "destination_region",
            "destination_country",
            "origin_country",
            "origin_region",
            "service",
            "warehouse",
            "carrier",
            "day",
        ),
        # Lane cells (ALL in origin region; WEEK in the weekly ones) of a range of days.
        Index("ix_analytics_cells_span", "merchant_id", "origin_region", "day"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    day: Mapped[date]
    carrier: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(80))
    warehouse: Mapped[str] = mapped_column(String(32))
    origin_country: Mapped[str] = mapped_column(String(2))
    origin_region: Mapped[str] = mapped_column(String(120))
    destination_country: Mapped[str] = mapped_column(String(2))
    destination_region: Mapped[str] = mapped_column(String(120))
    shipments: Mapped[int]
    # The ``rollup.Cell`` but its dwell counts, as JSON text (``store.encode_cell``).
    counts: Mapped[str] = mapped_column(Text)
    # Its dwell counts (``where_parcels_wait``) as JSON text, ``''`` for none: apart from the rest
    # because they are most of a large cell and only that one figure reads them (PostgreSQL keeps
    # a long value out of line, so the other figures never read it).
    places: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class AnalyticsShipment(Base):
    """Which cell a shipment is counted in and exactly what it added there (so it can be taken
    back when its facts change), with the plain figures a drill-down lists."""

    __tablename__ = "analytics_shipments"
    __table_args__ = (Index("ix_analytics_shipments_merchant_day", "merchant_id", "day"),)

    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merchant_id: Mapped[str] = merchant_column()
    day: Mapped[date]
    carrier: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(80))
    warehouse: Mapped[str] = mapped_column(String(32))
    origin_country: Mapped[str] = mapped_column(String(2))
    origin_region: Mapped[str] = mapped_column(String(120))
    destination_country: Mapped[str] = mapped_column(String(2))
    destination_region: Mapped[str] = mapped_column(String(120))
    delivered: Mapped[bool]
    # Days outside the hand-off promise (negative early, 0 inside); None: not delivered or no promise.
    promise_offset_days: Mapped[int | None]
    transit_hours: Mapped[int | None]
    # Its one-shipment ``rollup.Cell`` as JSON text.
    contribution: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class AnalyticsDue(Base):
    """A shipment whose facts changed since it was last counted: the worker folds it in."""

    __tablename__ = "analytics_due"
    __table_args__ = (Index("ix_analytics_due_due_at", "due_at"),)

    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merchant_id: Mapped[str] = merchant_column()
    due_at: Mapped[datetime]


class AnalyticsFold(Base):
    """When a merchant's cells last changed (a fold or a rebuild): what the worker's judgement of
    lanes that got worse asks before counting again (``lane_judgements.changed_since``). One row
    per merchant, written once per fold transaction, so the cells themselves need no index on
    their ``updated_at`` (an indexed column that every fold rewrites would cost every index an
    entry per cell changed)."""

    __tablename__ = "analytics_folds"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    folded_at: Mapped[datetime]
