"""What the demo shop buys: its suppliers (with the catalog's SKUs they sell), its purchase
orders, each with the status its facts should derive, and the notices and counts that get it
there. Plain data, read by :mod:`ordertrack.demo.purchasing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ordertrack.demo.catalog_data import DemoPlace

# What the shop pays its suppliers, as a share of its list price.
COST_SHARE = Decimal("0.42")
# The sold-out product customers wait for, and who waits.
WAITING_SKU = "NW-TN040-2P"
WAITING_ORDERS = (("NW-10901", 0, 1), ("NW-10902", 1, 1), ("NW-10903", 2, 2))  # number, customer, qty


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    email: str
    phone: str
    line1: str
    place: DemoPlace
    lead_time_days: int
    currency: str
    carrier: str  # how its goods travel to the shop
    hubs: tuple[str, ...]
    skus: tuple[str, ...]
    holiday_subdivision: str | None = None


SUPPLIERS = (
    DemoSupplier(
        "Kessler Outdoor GmbH",
        "orders@kessler-outdoor.example",
        "+49 89 2180 3344",
        "Lindwurmstraße 88",
        DemoPlace("Munich", "BY", "80337", "DE", 48.1288, 11.5566, "Europe/Berlin"),
        12,
        "EUR",
        "dpd",
        ("aschaffenburg",),
        ("NW-BT901-BRN-42", "NW-BT901-BRN-44", "NW-BT902-SLT-39", "NW-HT701-ORG", "NW-GL801-BLK-M"),
        holiday_subdivision="BY",
    ),
    DemoSupplier(
        "Pacific Crest Supply Co.",
        "po@pacificcrest.example",
        "+1 510-555-0188",
        "2201 Embarcadero",
        DemoPlace("Oakland", "CA", "94606", "US", 37.7880, -122.2450, "America/Los_Angeles"),
        8,
        "USD",
        "fedex",
        ("reno",),
        ("NW-SK601-GRY-M", "NW-SK601-GRY-L", "NW-SK602-NVY-L", "NW-PT501-CHR-32", "NW-PT501-CHR-34"),
    ),
    DemoSupplier(
        "Saigon Peak Garments",
        "export@saigonpeak.example",
        "+84 28 3822 4455",
        "12 Nguyen Hue",
        DemoPlace("Ho Chi Minh City", None, "700000", "VN", 10.7740, 106.7030, "Asia/Ho_Chi_Minh"),
        25,
        "USD",
        "dhl",
        ("los_angeles",),
        ("NW-JK101-NVY-M", "NW-JK101-NVY-L", "NW-JK101-OLV-M", "NW-BP010-BLK", WAITING_SKU),
    ),
)


@dataclass(frozen=True)
class DemoNotice:
    """One notice of a plan: which lines (by index into the plan's) and how its parcel ends."""

    lines: tuple[tuple[int, int], ...]  # (index of the plan's line, quantity)
    outcome: str  # a demo journey outcome (demo.scans)
    days_ago: int = 0  # settled journeys end this many days before now
    expected_in_days: int | None = None
    counts: tuple[tuple[int, int, int], ...] = ()  # (line index, good, damaged) counted at the dock
    note: str | None = None


@dataclass(frozen=True)
class PoPlan:
    number: str
    supplier: int
    warehouse: str
    lines: tuple[tuple[str, int], ...]
    expect: str  # the status its facts should derive
    send: bool = True
    confirm: bool = True
    promise_in_days: tuple[int, int] | None = None  # ship, arrival
    inbound: tuple[DemoNotice, ...] = ()
    short_close: tuple[int, ...] = ()  # line numbers closed short after counting
    cancel: bool = False
    notes: str | None = None


PLANS = (
    PoPlan(
        "PO-2401",
        0,
        "LEJ1",
        (("NW-BT901-BRN-42", 24), ("NW-BT901-BRN-44", 24)),
        "received",
        inbound=(DemoNotice(((0, 24), (1, 24)), "delivered", 9, counts=((0, 24, 0), (1, 24, 0))),),
    ),
    PoPlan(
        "PO-2402",
        1,
        "RNO1",
        (("NW-SK601-GRY-M", 120), ("NW-SK601-GRY-L", 120)),
        "received",
        # The supplier ran short of one size: 90 came, the rest will not.
        inbound=(DemoNotice(((0, 120), (1, 90)), "delivered", 6, counts=((0, 120, 0), (1, 90, 0))),),
        short_close=(2,),
    ),
    PoPlan(
        "PO-2403",
        0,
        "LEJ1",
        (("NW-HT701-ORG", 60), ("NW-GL801-BLK-M", 48)),
        "partially_received",
        inbound=(
            DemoNotice(
                ((1, 48),),
                "delivered",
                2,
                counts=((1, 46, 2),),
                note="two cartons crushed at one corner; gloves wet",
            ),
        ),
        promise_in_days=(3, 9),
    ),
    PoPlan(
        "PO-2404",
        2,
        "RNO1",
        ((WAITING_SKU, 40), ("NW-JK101-NVY-M", 30)),
        "shipped",
        promise_in_days=(0, 6),
        # Split in two notices; the first one's parcel is held up by weather on the way.
        inbound=(
            DemoNotice(((0, 20), (1, 30)), "exception_weather", expected_in_days=4),
            DemoNotice(((0, 20),), "in_transit", expected_in_days=7),
        ),
        notes="Tents first, please: customers are waiting",
    ),
    PoPlan(
        "PO-2405",
        1,
        "RNO1",
        (("NW-PT501-CHR-32", 36), ("NW-PT501-CHR-34", 36)),
        "partially_shipped",
        promise_in_days=(1, 5),
        inbound=(DemoNotice(((0, 36),), "in_transit", expected_in_days=3),),
    ),
    PoPlan("PO-2406", 0, "NTH1", (("NW-BT902-SLT-39", 18),), "confirmed", promise_in_days=(6, 12)),
    PoPlan("PO-2407", 2, "RNO1", (("NW-BP010-BLK", 50), ("NW-JK101-OLV-M", 25)), "sent", confirm=False),
    PoPlan(
        "PO-2408",
        1,
        "RNO1",
        (("NW-SK602-NVY-L", 80),),
        "draft",
        send=False,
        confirm=False,
        notes="Waiting for the autumn sales figures",
    ),
    PoPlan("PO-2409", 2, "RNO1", (("NW-JK101-NVY-L", 30),), "cancelled", confirm=False, cancel=True),
)
