"""How the API shows a delivery promise and its revisions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

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
    delayed: bool = Field(description="it moved the last day later than the revision before")
    recorded_at: datetime


def estimate_out(earliest: date | None, latest: date | None, most_likely: date | None) -> EstimateOut | None:
    if earliest is None or latest is None or most_likely is None:
        return None
    return EstimateOut(earliest=earliest, latest=latest, most_likely=most_likely)
