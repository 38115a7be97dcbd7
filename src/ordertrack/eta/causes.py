"""Why a promise changed and what it was based on, in the shopper's plain words (English here;
the pages translate these very strings with gettext: ``web/locale/*/track_eta.po``)."""

from __future__ import annotations

from ordertrack.eta.engine import BASIS_CARRIER, BASIS_ROUTE, BASIS_TYPICAL, BASIS_WIDER
from ordertrack.eta.estimating import Cause

CAUSE_WORDS: dict[str, str] = {
    Cause.order_placed: "The order was placed",
    Cause.shipped: "The store packed and labelled it",
    Cause.picked_up: "The carrier picked it up",
    Cause.carrier_estimate: "The carrier changed its estimate",
    Cause.customs_delay: "Delayed at customs",
    Cause.exception: "The carrier reported a problem",
    Cause.missed_delivery: "A delivery attempt was missed",
    Cause.out_for_delivery: "Out for delivery",
    Cause.running_late: "Taking longer than expected",
    Cause.delivered: "Delivered",
    Cause.stock_arrived: "The missing items came into stock",
    Cause.learned: "Updated with recent deliveries on this route",
    Cause.waiting_for_stock: "Waiting for stock to arrive",
    Cause.supplier_delay: "The stock it waits for will arrive later",
    Cause.supplier_confirmed: "The supplier confirmed when the stock arrives",
}

# What a window was based on; ``%(count)s``, ``%(origin)s`` and ``%(destination)s`` are filled in.
BASIS_WORDS: dict[str, str] = {
    BASIS_ROUTE: "Based on %(count)s recent deliveries from %(origin)s to %(destination)s",
    BASIS_WIDER: "Based on %(count)s recent deliveries of this store, within what the distance and service"
    " allow",
    BASIS_TYPICAL: "Typical for this distance and service",
    BASIS_CARRIER: "The carrier's own estimate",
}
# The same route inside one country.
BASIS_ROUTE_DOMESTIC = "Based on %(count)s recent deliveries within %(destination)s"


def cause_words(cause: str | None) -> str | None:
    """The shopper's words for a cause (None: not known, e.g. a revision older than causes)."""
    return CAUSE_WORDS.get(cause or "")
