"""Royal Mail Tracking API event codes onto ordertrack's unified statuses.

Source: Royal Mail Tracking API v2 (developer.royalmail.net, "Tracking API" > events); Royal
Mail publishes no complete list, so the codes here are the ones its documentation and recorded
replies show with their ``eventName``. Any other code falls back to in transit with an
``unknown_code`` message, and the code table grows from those messages.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, Meaning, meanings
from ordertrack.statuses import EventStatus as E

_CODES: dict[str, Meaning] = {
    # EVAIE / EVAIP: "Sender preparing item" / "Sender despatching item": data only.
    **meanings(E.info_received, "EVAIE EVAIP"),
    # EVPPA "Accepted at Parcelshop", EVDAV / EVDAC / EVIMC "Item received", EVOAC "Item received
    # at", EVOCO "received and being processed", EVORI "Arrived at", EVODO "Despatched to delivery
    # office / mail centre", EVNMI "Forwarded - Mis-sort" (Royal Mail's own summary calls it IN
    # TRANSIT: "It's being redirected"), EVNSR "Item prepared for redelivery", RSRXS "Delivery
    # request received".
    **meanings(E.in_transit, "EVPPA EVDAV EVDAC EVIMC EVOAC EVOCO EVORI EVODO EVNMI EVNSR RSRXS"),
    # EVGPD "Due to be delivered today" (on the van).
    **meanings(E.out_for_delivery, "EVGPD"),
    # EVNDA "Available for redelivery or collection" at the delivery office.
    **meanings(E.available_for_pickup, "EVNDA"),
    # EVKNA "Delivery attempted - no answer"; EVKNR "Delivery attempted".
    **meanings(E.failed_attempt, "EVKNA", "recipient_unavailable"),
    **meanings(E.failed_attempt, "EVKNR"),
    # EVKSP "Delivered and signed for", EVKSF "Delivered to safeplace", EVKOP "Delivered".
    **meanings(E.delivered, "EVKSP EVKSF EVKOP"),
    # EVNRT "Item retention": Royal Mail is holding the item at the delivery office.
    **meanings(E.exception, "EVNRT", "held_at_carrier"),
}

CODES = CodeTable("royalmail", _CODES)
