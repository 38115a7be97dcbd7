"""AfterShip's tags and subtags onto ordertrack's unified status and reason.

Tags: https://www.aftership.com/docs/tracking/enum/delivery-statuses
Subtags: https://www.aftership.com/docs/tracking/enum/delivery-sub-statuses (and the help
centre's "Learn about delivery sub-status", which lists Exception_016..021 added in 2026).
Checked against that table: AttemptFail_001 "Failed Attempt", _002 "Addressee not available",
_003 "Business Closed"; InTransit_001..009 (008 "Problem resolved", 009 "Forwarded to a different
delivery address"); OutForDelivery_001 "Out for Delivery", _002 (older) "Available for pickup",
_003 "Customer contacted", _004 "Delivery appointment scheduled"; Pending_001 "No information
available on the carrier website"; Expired_001 "No tracking information ... from last 30 days".
Pending_002..006 are listed in AfterShip's SDK enums without a description we could check; they
keep their tag's meaning.
A subtag refines its tag: it gives the reason, and for the exceptions that really are a
return or a missed pickup it gives the status too.
"""

from __future__ import annotations

import re

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as E

TAGS = CodeTable(
    "aftership",
    {
        # Pending: "new shipments ... without tracking information yet"; a checkpoint carrying it
        # says the carrier knows of the parcel and nothing more.
        **meanings(E.info_received, "InfoReceived Pending"),
        **meanings(E.in_transit, "InTransit"),
        **meanings(E.out_for_delivery, "OutForDelivery"),
        **meanings(E.failed_attempt, "AttemptFail"),
        **meanings(E.delivered, "Delivered"),
        **meanings(E.available_for_pickup, "AvailableForPickup"),
        **meanings(E.exception, "Exception"),
        # Expired: "no tracking information for 30 days since added".
        **meanings(E.exception, "Expired", "tracking_expired"),
    },
)

SUBTAGS = CodeTable(
    "aftership",
    {
        **meanings(
            E.info_received,
            "InfoReceived_001 Pending_001 Pending_002 Pending_003 Pending_004 Pending_005 Pending_006",
        ),
        **meanings(
            E.in_transit,
            "InTransit_001 InTransit_002 InTransit_003 InTransit_004 InTransit_005 InTransit_006 "
            "InTransit_007 InTransit_008 InTransit_009",
        ),
        # _003 "Customer contacted": "the customer is contacted before the final delivery".
        **meanings(E.out_for_delivery, "OutForDelivery_001 OutForDelivery_003"),
        # _004 "Delivery appointment scheduled": the appointment may be days ahead, so it is not
        # "on the van today" even though AfterShip files it under OutForDelivery.
        **meanings(E.in_transit, "OutForDelivery_004", "delivery_scheduled"),
        **meanings(E.available_for_pickup, "AvailableForPickup_001 OutForDelivery_002"),
        **meanings(E.failed_attempt, "AttemptFail_001"),
        **meanings(E.failed_attempt, "AttemptFail_002", "recipient_unavailable"),
        **meanings(E.failed_attempt, "AttemptFail_003", "business_closed"),
        **meanings(E.delivered, "Delivered_001 Delivered_002 Delivered_003 Delivered_004 Delivered_005"),
        **meanings(E.exception, "Exception_001"),
        **meanings(E.exception, "Exception_002", "recipient_moved"),
        **meanings(E.exception, "Exception_003", "refused"),
        **meanings(E.exception, "Exception_004", "customs_hold"),
        **meanings(E.exception, "Exception_005", "delayed"),
        **meanings(E.exception, "Exception_006", "payment_required"),
        **meanings(E.exception, "Exception_007", "address_issue"),
        **meanings(E.exception, "Exception_008", "pickup_missed"),
        **meanings(E.exception, "Exception_009", "rejected_by_carrier"),
        **meanings(E.returning, "Exception_010", "returned_to_sender"),
        **meanings(E.returned, "Exception_011", "returned_to_sender"),
        **meanings(E.exception, "Exception_012", "damaged"),
        **meanings(E.exception, "Exception_013", "lost"),
        **meanings(E.exception, "Exception_016", "delayed"),
        **meanings(E.exception, "Exception_017", "weather"),
        **meanings(E.exception, "Exception_018", "missing_documents"),
        **meanings(E.exception, "Exception_019", "delayed"),
        **meanings(E.exception, "Exception_020", "cancelled"),
        **meanings(E.exception, "Exception_021", "disposed"),
        **meanings(E.exception, "Expired_001", "tracking_expired"),
    },
)

# AfterShip courier slugs (https://www.aftership.com/docs/tracking/others/supported-couriers)
# onto ordertrack's slugs; the rest keep AfterShip's, made safe.
CARRIERS = {
    "usps": "usps",
    "ups": "ups",
    "ups-mi": "ups",
    "fedex": "fedex",
    "fedex-uk": "fedex",
    "dhl": "dhl",
    "dhl-global-mail": "dhl",
    "dhl-germany": "dhl",
    "dhl-ecommerce": "dhl",
    "canada-post": "canadapost",
    "royal-mail": "royalmail",
    "dpd": "dpd",
    "dpd-uk": "dpd",
    "dpd-de": "dpd",
    "gls": "gls",
}


def carrier_slug(slug: str | None) -> str:
    """ordertrack's slug for AfterShip's courier slug."""
    if slug is None:
        return "aftership"
    lowered = slug.lower()
    return CARRIERS.get(lowered) or re.sub(r"[^a-z0-9_]", "_", lowered)
