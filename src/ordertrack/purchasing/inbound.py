"""Inbound shipments are parcels: a supplier's advance shipping notice (ASN) registers its
tracking numbers as ordinary tracking parcels, owned by the inbound shipment instead of an
outbound one. Carrier detection and check digits, webhooks, polling, unified statuses and
local scan times are then the tracking engine's, unchanged; this module is what purchasing
adds on top: the ASN's status and expected arrival, derived from its parcels and receipts.

It sits in the use-case layer because it spans carriers (numbers, polling accounts),
tracking (parcels), eta (the carrier's estimates) and suppliers (the ASN rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ordertrack.carriers import accounts as carrier_accounts
from ordertrack.carriers.tracking_numbers import (
    InvalidTrackingNumber,
    canonical_tracking_number,
    detect_carriers,
    validate_tracking_number,
)
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Conflict, Unprocessable
from ordertrack.shipments.rules import recycled_after
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import service as tracking_service

# As the server's default (Settings.recycle_window_days): a number is a carrier's to hand out
# again after this long; scans older than that are not claimed by a new parcel.
DEFAULT_RECYCLE_WINDOW = timedelta(days=60)


class CarrierNotDetected(Unprocessable):
    """No carrier's format fits the number: the supplier has to say which carrier it is."""

    code = "carrier_not_detected"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"{number!r} has the form of no carrier ordertrack knows: name the carrier",
            details={"number": number},
        )


class CarrierAmbiguous(Unprocessable):
    """The number fits more than one carrier's format, check digit and all."""

    code = "carrier_ambiguous"

    def __init__(self, number: str, carriers: Sequence[str]) -> None:
        super().__init__(
            f"{number!r} can be a number of {', '.join(carriers)}: name the carrier",
            details={"number": number, "carriers": list(carriers)},
        )


class DuplicateTrackingNumber(Unprocessable):
    code = "duplicate_tracking_number"


class InboundNumberInUse(Conflict):
    """The number is on a parcel still travelling (outbound or inbound): a typo, not recycling."""

    code = "tracking_number_in_use"


def check_inbound_numbers(parcels: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The parcels as (canonical number, carrier), each checked as outbound numbers are.

    Nothing is read or written, so a bad ASN is refused (422) before any row exists. A named
    carrier checks the number's form and check digit (``invalid_tracking_number``); without
    one the carrier is the one whose format and check digit fit (a form that fits with a wrong
    check digit is ``invalid_tracking_number`` too, several that fit is ``carrier_ambiguous``,
    none ``carrier_not_detected``). The same number twice in one notice is refused.
    """
    checked: list[tuple[str, str]] = []
    for number, carrier in parcels:
        if carrier is not None:
            checked.append((validate_tracking_number(carrier, number), carrier))
            continue
        checked.append((canonical_tracking_number("unknown", number), _detected_carrier(number)))
    seen: set[str] = set()
    for number, _carrier in checked:
        if number in seen:
            raise DuplicateTrackingNumber(
                f"tracking number {number} is given twice: each parcel needs its own",
                details={"number": number},
            )
        seen.add(number)
    return checked


def _detected_carrier(number: str) -> str:
    matches = detect_carriers(number)
    valid = sorted({m.carrier for m in matches if m.valid})
    if len(valid) == 1:
        return valid[0]
    if len(valid) > 1:
        raise CarrierAmbiguous(number, valid)
    if matches:
        # It has a carrier's shape but its check digit is wrong: a typo, said as for outbound.
        raise InvalidTrackingNumber(matches[0].carrier, number, "check digit does not match")
    raise CarrierNotDetected(number)


def add_inbound_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    inbound_shipment_id: str,
    parcels: Sequence[tuple[str, str | None]],
    *,
    now: datetime,
    recycle_window: timedelta = DEFAULT_RECYCLE_WINDOW,
) -> list[str]:
    """Register an inbound shipment's parcels (tracking number, carrier or None to detect) as
    tracking parcels, exactly as shipping an order registers its own, and return their ids.

    Numbers are checked (:func:`check_inbound_numbers`); one still travelling on another
    parcel is refused (409 ``tracking_number_in_use``); scans that came before the notice are
    claimed, as they are for an outbound shipment; parcels of carriers the merchant polls are
    due for a poll at once. The inbound shipment row must exist (flushed or not).
    """
    checked = check_inbound_numbers(parcels)
    if not checked:
        return []
    since = recycled_after(now, recycle_window)
    for carrier in sorted({c for _n, c in checked}):
        numbers = [n for n, c in checked if c == carrier]
        clash = tracking_parcels.number_in_flight(uow, merchant_id, carrier, numbers, since)
        if clash is not None:
            raise InboundNumberInUse(
                f"tracking number {clash[0]} is already on a parcel still under way",
                details={"number": clash[0]},
            )
    uow.flush()  # the inbound shipment row, before parcels that point at it
    rows = tracking_parcels.new_inbound_parcels(
        merchant_id,
        inbound_shipment_id,
        checked,
        first_seq=tracking_parcels.next_inbound_seq(uow, inbound_shipment_id),
        now=now,
    )
    uow.session.add_all(rows)
    uow.flush()
    tracking_service.claim_events_for_new_parcels(
        uow,
        merchant_id,
        [(p.id, p.tracking_number, p.carrier, p.created_at) for p in rows],
        recycle_window=recycle_window,
        now=now,
    )
    for carrier in sorted({p.carrier for p in rows}):
        account = carrier_accounts.get_account(uow, merchant_id, carrier)
        if account is not None and account.enabled:
            tracking_parcels.poll_parcels_at(uow, [p.id for p in rows if p.carrier == carrier], now)
    return [p.id for p in rows]
