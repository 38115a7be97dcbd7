"""Shippo's tracking statuses and substatus codes onto ordertrack's unified status and reason.

Source: https://docs.goshippo.com/docs/tracking/tracking (tracking statuses) and the Track
object's ``substatus.code`` list in https://docs.goshippo.com/shippoapi/public-api/tracks.
"""

from __future__ import annotations

import re

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as E

STATUSES = CodeTable(
    "shippo",
    {
        # UNKNOWN: "not found via the carrier's tracking system, or found but not yet scanned";
        # Shippo uses it for the carrier's "shipment information received" lines.
        **meanings(E.info_received, "PRE_TRANSIT UNKNOWN"),
        **meanings(E.in_transit, "TRANSIT"),
        **meanings(E.delivered, "DELIVERED"),
        **meanings(E.returned, "RETURNED", "returned_to_sender"),
        **meanings(E.exception, "FAILURE"),
    },
)

# A substatus refines the status; it overrides the status except on DELIVERED and RETURNED,
# which are the carrier's final word.
SUBSTATUSES = CodeTable(
    "shippo",
    {
        **meanings(E.info_received, "information_received"),
        **meanings(
            E.in_transit,
            "package_accepted package_arrived package_departed package_forwarded package_processing "
            "package_processed delivery_scheduled other",
        ),
        **meanings(E.in_transit, "delayed", "delayed"),
        **meanings(E.in_transit, "delivery_rescheduled", "delivery_rescheduled"),
        **meanings(E.out_for_delivery, "out_for_delivery"),
        **meanings(E.available_for_pickup, "pickup_available"),
        **meanings(E.failed_attempt, "delivery_attempted"),
        **meanings(E.failed_attempt, "notice_left", "notice_left"),
        **meanings(E.failed_attempt, "location_inaccessible", "location_inaccessible"),
        **meanings(E.failed_attempt, "reschedule_delivery", "reschedule_required"),
        **meanings(E.exception, "address_issue", "address_issue"),
        **meanings(E.exception, "contact_carrier", "contact_carrier"),
        **meanings(E.exception, "package_damaged", "damaged"),
        **meanings(E.exception, "package_disposed", "disposed"),
        **meanings(E.exception, "package_held", "held_at_carrier"),
        **meanings(E.exception, "package_lost", "lost"),
        **meanings(E.exception, "package_undeliverable", "undeliverable"),
        **meanings(E.exception, "package_unclaimed", "pickup_missed"),
        **meanings(E.returning, "return_to_sender", "returned_to_sender"),
        **meanings(E.delivered, "delivered"),
    },
)

# Shippo carrier tokens (https://docs.goshippo.com/docs/carriers/carriers) onto ordertrack's slugs.
CARRIERS = {
    "usps": "usps",
    "ups": "ups",
    "fedex": "fedex",
    "dhl_express": "dhl",
    "dhl_ecommerce": "dhl",
    "dhl_germany": "dhl",
    "canada_post": "canadapost",
    "royal_mail": "royalmail",
    "dpd_uk": "dpd",
    "dpd_de": "dpd",
    "gls_de": "gls",
    "gls_us": "gls",
}


def carrier_slug(token: str | None) -> str:
    """ordertrack's slug for Shippo's carrier token."""
    if token is None:
        return "shippo"
    lowered = token.lower()
    return CARRIERS.get(lowered) or re.sub(r"[^a-z0-9_]", "_", lowered)
