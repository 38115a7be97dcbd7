"""Typical service-level transit times, in business days from hand-off, for a cold start."""

from __future__ import annotations

# (min, max) business days from hand-off to delivery as the carriers advertise them for their
# home market (published service descriptions; rounded, no guarantee). Used only until the
# merchant's own deliveries say otherwise.
SERVICE_TRANSIT_DAYS: dict[str, dict[str, tuple[int, int]]] = {
    "ups": {"next_day_air": (1, 1), "2nd_day_air": (2, 2), "3_day_select": (3, 3), "ground": (1, 5)},
    "fedex": {
        "priority_overnight": (1, 1),
        "standard_overnight": (1, 1),
        "2day": (2, 2),
        "express_saver": (3, 3),
        "ground": (1, 5),
        "home_delivery": (1, 5),
    },
    "usps": {
        "priority_mail_express": (1, 2),
        "priority_mail": (1, 3),
        "ground_advantage": (2, 5),
        "first_class": (1, 5),
        "media_mail": (2, 8),
    },
    "dhl": {"parcel_connect": (2, 4), "paket": (1, 2), "ecommerce": (2, 8)},
    "dhl_express": {"express_worldwide": (1, 4), "express_12": (1, 1), "economy_select": (2, 6)},
    "canadapost": {"priority": (1, 2), "xpresspost": (1, 3), "expedited": (1, 7), "regular": (2, 9)},
    "royalmail": {
        "special_delivery": (1, 1),
        "tracked_24": (1, 2),
        "tracked_48": (2, 3),
        "second_class": (2, 3),
    },
    "purolator": {"express": (1, 1), "ground": (1, 6)},
}

# The carrier's everyday service when the service is unknown.
CARRIER_DEFAULT_DAYS: dict[str, tuple[int, int]] = {
    "ups": (1, 5),
    "fedex": (1, 5),
    "usps": (2, 5),
    "dhl": (2, 5),
    "dhl_express": (1, 4),
    "canadapost": (2, 7),
    "royalmail": (1, 3),
    "purolator": (1, 6),
}

# Neither carrier nor service known: a domestic parcel or an international one (customs included).
DOMESTIC_DEFAULT_DAYS = (2, 7)
INTERNATIONAL_DEFAULT_DAYS = (4, 15)
# Express services abroad take a day or two longer than at home; economy ones much more.
_INTERNATIONAL_EXTRA_DAYS = (1, 3)


def advertises(carrier: str | None) -> bool:
    """Whether the carrier's transit times are in the tables above."""
    return (carrier or "").strip().lower() in CARRIER_DEFAULT_DAYS


def service_transit_days(carrier: str | None, service: str | None, *, international: bool) -> tuple[int, int]:
    """Advertised (min, max) business days from hand-off for a carrier's service, with defaults."""
    carrier_key = (carrier or "").strip().lower()
    service_key = (service or "").strip().lower().replace(" ", "_").replace("-", "_")
    known = SERVICE_TRANSIT_DAYS.get(carrier_key, {}).get(service_key) or CARRIER_DEFAULT_DAYS.get(
        carrier_key
    )
    if known is None:
        return INTERNATIONAL_DEFAULT_DAYS if international else DOMESTIC_DEFAULT_DAYS
    if not international:
        return known
    return known[0] + _INTERNATIONAL_EXTRA_DAYS[0], known[1] + _INTERNATIONAL_EXTRA_DAYS[1]
