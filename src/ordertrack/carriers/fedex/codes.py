"""FedEx Track API event codes onto ordertrack's statuses: our reading of FedEx's status table.

FedEx lists the codes of ``scanEvents[].eventType`` / ``derivedStatusCode`` in "Tracking
Status Codes" (https://developer.fedex.com/api/en-us/guides/api-reference.html#trackingstatuscodes),
in a Movement and a Regulatory section. Only our decisions live here, never FedEx's wording.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as S

EVENT_CODES = CodeTable(
    "fedex",
    {
        # Label or order data, or the courier not yet holding the parcel (pickup on its way).
        **meanings(S.info_received, "OC AP EP DS RP RG"),
        **meanings(
            S.in_transit,
            "AA AC AF AO AR AX CH DP DR EA EO FD IT IX LO OF OW OX PF PL PM PU PX RR RM RC SF SP TR CC CP",
        ),
        **meanings(S.out_for_delivery, "OD ED AD"),
        **meanings(S.available_for_pickup, "HL HP"),
        **meanings(S.delivered, "DL"),
        **meanings(S.exception, "DE SE"),
        **meanings(S.exception, "DD DY PD", "delayed"),
        **meanings(S.exception, "CD", "customs_hold"),
        **meanings(S.exception, "CA LP RD", "cancelled"),
        **meanings(S.returning, "RS", "returned_to_sender"),
    },
)

# ``delayDetail.type`` on a scan (Track API schema, DelayDetail): why FedEx says it is late.
DELAY_REASONS: dict[str, str] = {
    "WEATHER": "weather",
    "CLEARANCE": "customs_hold",
    "OPERATIONAL": "delayed",
    "LOCAL": "delayed",
    "GENERAL": "delayed",
}
