"""DHL Express XML Services (XML-PI) ``TrackingResponse`` read into a :class:`Reading`.

Structure (DHL "XML Services - Tracking" reference document, section "Tracking Response"): one
``AWBInfo`` per waybill asked for, its ``Status/ActionStatus`` (``success``, ``No Shipments Found``)
and, when found, ``ShipmentInfo`` with its checkpoints in ``ShipmentEvent``. A checkpoint has a local
``Date`` and ``Time`` without offset; its place is the ``ServiceArea`` (see :mod:`.places`), and
a checkpoint whose area names no zone (a US area without its state) is kept, placed by
``scan_times.place_scan_times`` (the waybill's other checkpoints, else the country's principal zone)
and marked approximate. A
request DHL cannot process comes back as ``ShipmentTrackingErrorResponse`` with a ``Condition``.
Parsing goes through defusedxml: a response is never trusted with entities or DTDs.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ordertrack.carriers.dhl_express.codes import DHL_EXPRESS_CODES
from ordertrack.carriers.dhl_express.places import service_area
from ordertrack.carriers.reading import (
    CarrierEvent,
    CarrierTracking,
    EstimatedDelivery,
    Message,
    Notes,
    Reading,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import UnplacedScan, parse_day, parse_scan_time, place_scan_times, scan_at
from ordertrack.statuses import EventStatus

CARRIER = "dhl"  # the parcel moves with DHL; this connector is only the XML way of asking

# ConditionCode 103: "No Shipments Found" (as the samples of the Tracking reference show it).
_NOT_FOUND_CONDITIONS = frozenset({"103"})
# Words in ConditionData that point at the credentials (SiteID/Password) rather than the request.
_CREDENTIAL_WORDS = ("password", "siteid", "site id", "authenticat", "unauthori", "login")

# GlobalProductCode, from the DHL Express reference data "Global product codes".
_PRODUCTS = {
    "D": "Express Worldwide",
    "P": "Express Worldwide",
    "U": "Express Worldwide",
    "K": "Express 9:00",
    "E": "Express 9:00",
    "T": "Express 12:00",
    "Y": "Express 12:00",
    "N": "Domestic Express",
    "X": "Express Envelope",
    "W": "Economy Select",
    "H": "Economy Select",
}


def read(payload: bytes) -> Reading:
    """Everything one XML-PI tracking response says; never raises."""
    try:
        root = fromstring(payload)
    except (ParseError, DefusedXmlException, ValueError, UnicodeDecodeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"not readable XML: {error}"),))
    name = _local(root.tag)
    if name == "ShipmentTrackingErrorResponse":
        return Reading(messages=(_condition_message(root.find("Response/Status"), "Response/Status"),))
    if name != "TrackingResponse":
        return Reading(messages=(Message("unreadable_payload", f"<{name}> is not a DHL tracking response"),))
    notes = Notes()
    trackings = []
    for index, info in enumerate(root.findall("AWBInfo")):
        found = _tracking(info, f"AWBInfo[{index}]", notes)
        if found is not None:
            trackings.append(found)
    if not trackings and not notes.messages:
        notes.add("unreadable_payload", "a tracking response without any AWBInfo")
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    return text(found.text) if found is not None else None


def _condition_message(status: Element | None, where: str) -> Message:
    action = _text(status, "ActionStatus")
    conditions = status.findall("Condition") if status is not None else []
    codes = {_text(c, "ConditionCode") for c in conditions}
    data = [_text(c, "ConditionData") for c in conditions]
    said = "; ".join(d for d in data if d) or action or "DHL Express answered with a failure and no detail"
    if codes & _NOT_FOUND_CONDITIONS or (action and "not found" in action.lower()):
        return Message("not_found", said, where)
    if any(word in said.lower() for word in _CREDENTIAL_WORDS):
        return Message("auth_error", said, where)
    return Message("carrier_error", said, where)


def _tracking(info: Element, where: str, reading_notes: Notes) -> CarrierTracking | None:
    shipment = info.find("ShipmentInfo")
    action = _text(info, "Status/ActionStatus")
    if shipment is None and (action or "").lower() != "success":
        reading_notes.messages.append(_condition_message(info.find("Status"), f"{where}.Status"))
        return None
    number = tracking_number(_text(info, "AWBNumber"))
    if number is None:
        reading_notes.add("missing_tracking_number", "an AWBInfo without a usable AWBNumber", where)
        return None
    notes = Notes()
    scans: list[CarrierEvent | UnplacedScan] = []
    signed_by = None
    for index, checkpoint in enumerate(_checkpoints(shipment)):
        scan = _event(checkpoint, f"{where}.ShipmentEvent[{index}]", notes)
        if scan is None:
            continue
        scans.append(scan)
        if (scan.event if isinstance(scan, UnplacedScan) else scan).status == EventStatus.delivered:
            # Signatory is only a name on the delivery checkpoint; on others DHL fills it with
            # account numbers, weights or "00:00:00" (see the recorded samples).
            signed_by = _text(checkpoint, "Signatory") or signed_by
    ordered = sorted_events(place_scan_times(scans))
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=ordered,
        estimated_delivery=_estimated_delivery(shipment, where, notes),
        signed_by=signed_by,
        service=_service(_text(shipment, "GlobalProductCode")),
        messages=notes.freeze(),
    )


def _checkpoints(shipment: Element | None) -> Iterator[Element]:
    if shipment is None:
        return iter(())
    return iter(shipment.findall("ShipmentEvent"))


def _event(checkpoint: Element, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    area = checkpoint.find("ServiceArea")
    place = service_area(_text(area, "ServiceAreaCode"), _text(area, "Description"))
    day, time = _text(checkpoint, "Date"), _text(checkpoint, "Time")
    stamp = f"{day}T{time}" if day and time else day or time
    occurred_at = parse_scan_time(notes, f"{where}.Date", stamp, place=place)
    if occurred_at is None:
        return None
    code = _text(checkpoint, "ServiceEvent/EventCode")
    description = _text(checkpoint, "ServiceEvent/Description")
    status, reason = DHL_EXPRESS_CODES.lookup(code, notes, where, description)
    return scan_at(occurred_at, status, reason, code, description, place)


def _estimated_delivery(shipment: Element | None, where: str, notes: Notes) -> EstimatedDelivery | None:
    """``EstDlvyDate`` is written ``2021-05-07 23:59:00 GMT-04:00``: the day is what it promises."""
    raw = _text(shipment, "EstDlvyDate")
    day = parse_day(notes, f"{where}.EstDlvyDate", raw.split(" ", 1)[0] if raw else None)
    return EstimatedDelivery(day, day) if day is not None else None


def _service(code: str | None) -> str | None:
    if code is None:
        return None
    return _PRODUCTS.get(code.upper(), code)
