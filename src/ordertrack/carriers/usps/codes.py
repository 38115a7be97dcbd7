"""USPS event codes (``trackingEvents[].eventCode``) onto ordertrack's statuses.

Sources: USPS Publication 97, Appendix I, the tracking extract event codes
(https://about.usps.com/publications/pub97/pub97_appi.htm, also reproduced as the "Customer Daily
Extract" table, https://online.documentine.com/usps-zip-code-file-download/3/usps-customer-daily-extract-external-usps-com-second.html),
and for the pre-acceptance codes the USPS code list in eHub's tracking reference
(https://app.theneo.io/ehub/ehub-api/tracking-event-descriptions). The regional-facility codes
(A1, T1, TL, SF) are the codes USPS Tracking v3 itself pairs with those descriptions.
Codes not listed fall back to ``in_transit`` with an ``unknown_code`` message.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as S

USPS_CODES = CodeTable(
    carrier="usps",
    codes={
        # Label and pre-shipment data: the item is not in USPS's hands yet.
        **meanings(S.info_received, "GX MA 89 TM"),
        # Acceptance, processing and movement between facilities.
        **meanings(S.in_transit, "03 OA UA AD 10 07 06 A1 T1 TL SF"),
        **meanings(S.out_for_delivery, "OF"),
        **meanings(S.delivered, "01"),
        # Notice left: delivery attempted, the notice tells the addressee how to get the item.
        **meanings(S.failed_attempt, "02", "recipient_unavailable"),
        # Notice left because the path to the receptacle was blocked (code 53 in the extract table).
        **meanings(S.failed_attempt, "53", "no_access"),
        **meanings(S.available_for_pickup, "16"),
        # 04 Refused: the addressee refused the item; it goes back to the sender.
        **meanings(S.exception, "04", "refused"),
        # 05 Undeliverable as Addressed.
        **meanings(S.exception, "05", "address_issue"),
        # 11 Dead Letter: undeliverable and without a usable return address.
        **meanings(S.exception, "11", "undeliverable"),
        # 09 Return to Sender: on its way back.
        **meanings(S.returning, "09", "returned_to_sender"),
    },
)
