"""How the API shows a delivery promise and its revisions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, computed_field

from ordertrack.eta.causes import cause_words
from ordertrack.kit.schema import OutModel


class EstimateOut(OutModel):
    """The delivery window now, in the destination's calendar."""

    earliest: date
    latest: date
    most_likely: date


class EstimateRevisionOut(OutModel):
    earliest: date
    latest: date
    most_likely: date
    stage: str = Field(description="order, shipped, handoff, carrier, check or delivered: what prompted it")
    reason: str = Field(description="why this window, in words")
    cause: str | None = Field(
        default=None,
        description="why it changed, from the event that prompted it: order_placed, shipped, picked_up,"
        " carrier_estimate, customs_delay, exception, missed_delivery, out_for_delivery, running_late,"
        " delivered, stock_arrived or learned (null on revisions older than causes)",
    )
    basis: str | None = Field(
        default=None,
        description="what the window was based on: route (deliveries on this route), wider (deliveries on"
        " wider lanes, held within the route's bounds), typical (the distance and service), carrier or"
        " delivered",
    )
    basis_deliveries: int | None = Field(default=None, description="how many deliveries it was based on")
    delayed: bool = Field(description="it moved the last day later than the revision before")
    recorded_at: datetime

    @computed_field(description="why it changed, in the shopper's words (English)")  # type: ignore[prop-decorator]
    @property
    def cause_text(self) -> str | None:
        return cause_words(self.cause)


def estimate_out(earliest: date | None, latest: date | None, most_likely: date | None) -> EstimateOut | None:
    if earliest is None or latest is None or most_likely is None:
        return None
    return EstimateOut(earliest=earliest, latest=latest, most_likely=most_likely)
