"""EasyPost's tracker statuses and status details onto ordertrack's unified status and reason.

Source: https://docs.easypost.com/docs/trackers (Tracker object: ``status`` and
``status_detail`` values) and the carrier names of https://docs.easypost.com/docs/carriers.
"""

from __future__ import annotations

import re

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as E

STATUSES = CodeTable(
    "easypost",
    {
        **meanings(E.info_received, "pre_transit"),
        # "unknown": EasyPost could not classify the carrier's text; it says nothing false to
        # treat it as still on its way (the table's own fallback), but it is a documented value.
        **meanings(E.in_transit, "in_transit unknown"),
        **meanings(E.out_for_delivery, "out_for_delivery"),
        **meanings(E.delivered, "delivered"),
        **meanings(E.available_for_pickup, "available_for_pickup"),
        **meanings(E.returning, "return_to_sender", "returned_to_sender"),
        **meanings(E.exception, "failure"),
        **meanings(E.exception, "cancelled", "cancelled"),
        # "error": the carrier's tracking answered with an error for this parcel.
        **meanings(E.exception, "error", "carrier_error"),
    },
)

# status_detail -> reason. None: a detail that adds no reason (the status says it all).
# Source: https://docs.easypost.com/docs/trackers#tracking-status-detail
DETAIL_REASONS: dict[str, str | None] = {
    "address_correction": "address_issue",
    "address_not_found": "address_issue",
    "arrived_at_destination": None,
    "arrived_at_facility": None,
    "arrived_at_pickup_location": None,
    "awaiting_information": None,
    "cancelled": "cancelled",
    "damaged": "damaged",
    "delayed": "delayed",
    "delivery_exception": None,
    "departed_facility": None,
    "departed_origin_facility": None,
    "expired": "tracking_expired",
    "failure": None,
    "held": "held_at_carrier",
    "in_transit": None,
    "label_created": None,
    "lost": "lost",
    "missorted": "delayed",
    "out_for_delivery": None,
    "received_at_destination_facility": None,
    "received_at_origin_facility": None,
    "refused": "refused",
    "return": "returned_to_sender",
    "status_update": None,
    "transferred_to_destination_carrier": None,
    "transit_exception": None,
    "unknown": None,
    "weather_delay": "weather",
}

# EasyPost's carrier names (``carrier`` on a Tracker) onto ordertrack's slugs.
CARRIERS = {
    "usps": "usps",
    "ups": "ups",
    "upsmailinnovations": "ups",
    "upssurepost": "ups",
    "fedex": "fedex",
    "fedexsmartpost": "fedex",
    "dhlexpress": "dhl",
    "dhlecommerce": "dhl",
    "dhlecs": "dhl",
    "dhlpaket": "dhl",
    "canadapost": "canadapost",
    "royalmail": "royalmail",
    "dpd": "dpd",
    "dpduk": "dpd",
    "gls": "gls",
}


def carrier_slug(name: str | None) -> str:
    """ordertrack's slug for EasyPost's carrier name; an unknown one lower-cased and made safe."""
    if name is None:
        return "easypost"
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return CARRIERS.get(key) or re.sub(r"[^a-z0-9_]", "_", name.lower())
