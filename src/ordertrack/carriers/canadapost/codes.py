"""Canada Post tracking event identifiers onto ordertrack's unified statuses.

Source of the codes and their meanings: Canada Post Developer Program, "Messages and Code
Tables" > "Tracking scan events"
(https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/messagescodetables.jsf),
cross-read with the event descriptions Canada Post sends in ``event-description``.

The API writes identifiers with or without leading zeros (``0174`` and ``174`` are the same
event), so the table holds them without; :func:`table_code` strips them before a lookup.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, Meaning, meanings
from ordertrack.statuses import EventStatus as E

_CODES: dict[str, Meaning] = {
    # Shipping label created and transmitted, not yet in Canada Post's hands.
    **meanings(E.info_received, "3000 3002"),
    # Accepted, picked up, processed, moved between facilities, international hand-overs.
    **meanings(
        E.in_transit,
        "100 102 104 105 106 107 170 175 400 405 410 804 815 1240 1241 1244 1300 1301 1302 1303 2300 2500 "
        "2501 113 114 115 116 130 700 701 800 900 910 4000 4100 4202 4310 4311 4330 4400 4500 4550 4600 "
        "4900 4950 5201 8901 2601 1703 1705 629 630",
    ),
    # Notices about the parcel that change nothing about where it is: expected date updated,
    # delivery preference recorded, redirection requested or done, label corrected, COD money,
    # duty paid or refunded, "delivery scheduled for next business day".
    **meanings(
        E.in_transit,
        "1200 1203 1210 1214 1215 1216 1220 1221 1223 1224 1225 1230 1232 1234 1444 1480 1490 198 152 2101",
    ),
    # Held at the post office at the recipient's own request: not a problem.
    **meanings(E.in_transit, "1410 2410", "held_at_carrier"),
    **meanings(E.out_for_delivery, "174 500"),
    # Notice card left / item available for pick-up at a post office or locker.
    **meanings(E.available_for_pickup, "1407 1435 1436 1437 1438 1479 1488 1701 2407 156"),
    # "Attempted delivery. Item rescheduled for delivery next business day."
    **meanings(E.failed_attempt, "1443"),
    # "Business closed for the day. Item on hold for second delivery attempt."
    **meanings(E.failed_attempt, "1411 2411", "business_closed"),
    # Delivered (door, garage, parcel box, safe drop, mailroom, community mailbox, locker,
    # concierge, delivery partner) and the signature/photo records that come with a delivery.
    **meanings(
        E.delivered,
        "1405 1406 1408 1409 1421 1422 1423 1424 1425 1426 1427 1428 1429 1430 1431 1432 1433 1434 1441 "
        "1442 1461 1462 1463 1465 1466 1467 1468 1469 1471 1472 1473 1475 1476 1496 1497 1498 1499 20 21 "
        "2001 610 611 612 613 614 615 616 617 618 619 620",
    ),
    # Problems on the way.
    **meanings(E.exception, "120 171 173 1412 2412", "address_issue"),
    **meanings(E.exception, "117 127 810 1487 1495", "customs_hold"),
    **meanings(E.exception, "121", "refused"),
    **meanings(E.exception, "159", "weather"),
    # Demonstration, labour disruption, transport delay, power outage, re-routed after a
    # processing error, delivery put off to the next business day.
    **meanings(E.exception, "160 161 162 163 172 1414 2414 621 622 623 624 625 626 627 628", "delayed"),
    **meanings(E.exception, "118 1450 1484 1494 4700", "held_at_carrier"),
    **meanings(E.exception, "179 1483 1493 4650", "undeliverable"),
    **meanings(E.exception, "710", "damaged"),
    **meanings(E.exception, "150", "disposed"),
    **meanings(E.exception, "190", "cancelled"),
    **meanings(E.exception, "1245"),
    # On its way back to the sender, with the reason Canada Post gives.
    **meanings(E.returning, "1415 1416 1481 1491", "address_issue"),
    **meanings(E.returning, "1417 1482 1492", "refused"),
    **meanings(E.returning, "1419", "unclaimed"),
    **meanings(E.returning, "1418", "age_verification_failed"),
    **meanings(E.returning, "1100", "customs_refused"),
    **meanings(E.returning, "167", "insufficient_postage"),
    **meanings(E.returning, "168 184", "not_mailable"),
    **meanings(E.returning, "169 181", "label_issue"),
    **meanings(E.returning, "182", "documentation_issue"),
    **meanings(E.returning, "183", "service_suspended"),
    **meanings(E.returning, "2802", "undeliverable"),
    **meanings(E.returning, "1420 2600 3001", "returned_to_sender"),
}

CODES = CodeTable("canadapost", _CODES)


def table_code(raw: str | None) -> str | None:
    """The identifier as the table holds it: ``0174`` -> ``174``; non-numeric codes unchanged."""
    if raw is None:
        return None
    cleaned = raw.strip()
    # isascii: str.isdigit() also accepts superscripts and other scripts' digits, which int() refuses.
    return str(int(cleaned)) if cleaned.isascii() and cleaned.isdigit() else cleaned
