"""The buying side of a simulated run: the shop's suppliers, the purchase orders it sends them,
and the goods coming in, with the faults suppliers have (late, short, damaged, split in two
shipments).

Opt-in (``SimConfig.purchase_orders``): a run without purchase orders is the stream it always
was. With them, the run starts with the catalog, warehouses and suppliers the orders need, and
each purchase order is a story of records over simulated time: drafted, sent, confirmed, one
or two advance shipping notices (ASNs) when its goods leave, the carrier's scans of their
parcels (sent as outbound scans are: unified events or the carrier's own pushes, with the same
scan faults), counts at the dock once a parcel is delivered, and a short line closed.

The supplier's promised dates (in its own calendar) travel in the record
(``promised_ship_date``, ``promised_arrival_date``). They go into the requests too (the
confirmation's dates, the notice's expected arrival) only when ``promises`` is set: the API
refuses a promise before the server's today, so that is for a run sent as it happens
(``simulate --speed`` from now), not for one that lies in the past. A late supplier ships
after its promised date, so its parcels arrive after the promised arrival.

Pure: a seeded ``random.Random`` per purchase order, so the same configuration gives the same
records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ordertrack.simulate import journeys
from ordertrack.simulate.journeys import Journey
from ordertrack.simulate.network import SimulatedWarehouse, country
from ordertrack.statuses import EventStatus as E


@dataclass(frozen=True)
class InboundFaults:
    """How often a purchase order goes wrong in each way (per purchase order)."""

    late: float = 0.2  # the supplier ships 3-8 days after its promised ship date
    short: float = 0.15  # one line ships 60-90% of its quantity; the line is short-closed after counting
    damaged: float = 0.1  # 1-5 units of a line arrive damaged
    split: float = 0.25  # the goods leave in two shipments, days apart


@dataclass(frozen=True)
class SimSupplier:
    name: str
    site: SimulatedWarehouse  # where its goods leave from (a warehouse of the network's shape)
    timezone: str
    currency: str
    lead_days: int  # days from a confirmation to the promised ship date


# (town index in its country, country, currency, lead days): domestic suppliers for each
# warehouse country, and one abroad whose goods cross customs.
_SUPPLIER_PLACES = (("US", 5, "USD", 6), ("DE", 2, "EUR", 8), ("GB", 5, "GBP", 5))
_NAMES = {"US": "Ridgeway Supply Co.", "DE": "Kessler Outdoor GmbH", "GB": "Pennine Textiles Ltd"}
# Per-unit cost as a share of the product's price.
_COST_SHARE = Decimal("0.4")


def suppliers(prefix: str) -> tuple[SimSupplier, ...]:
    """The run's suppliers; ``prefix`` (the run's order prefix) keeps names apart between runs."""
    found = []
    for code, town, currency, lead in _SUPPLIER_PLACES:
        city = country(code).towns[town]
        found.append(
            SimSupplier(
                f"{prefix}{_NAMES[code]}",
                SimulatedWarehouse(f"SUP-{code}", city, cut_off_hour=12),
                city.timezone,
                currency,
                lead,
            )
        )
    return tuple(found)


@dataclass
class InboundItem:
    """One record to send (``kind``, ``payload``) at ``at``; ``parcel`` is set for a parcel whose
    scans are to be reported like an outbound parcel's."""

    at: datetime
    kind: str
    payload: dict[str, Any]
    parcel: tuple[Journey, str] | None = None  # the journey and its tracking number


def setup_items(
    at: datetime,
    sites: tuple[SimulatedWarehouse, ...],
    products: tuple[tuple[str, str, Decimal], ...],
    sim_suppliers: tuple[SimSupplier, ...],
) -> list[InboundItem]:
    """What the purchase orders need to exist first: products, warehouses, suppliers."""
    items = [InboundItem(at, "product", {"product": {"sku": sku, "name": name}}) for sku, name, _ in products]
    for site in sites:
        items.append(
            InboundItem(
                at,
                "warehouse",
                {
                    "warehouse": {
                        "code": site.code,
                        "name": f"Warehouse {site.code}",
                        "address": {
                            "line1": "1 Dock Road",
                            "city": site.city.name,
                            "country": site.city.country,
                        },
                        "timezone": site.city.timezone,
                    }
                },
            )
        )
    for supplier in sim_suppliers:
        city = supplier.site.city
        items.append(
            InboundItem(
                at,
                "supplier",
                {
                    "supplier": {
                        "name": supplier.name,
                        "address": {"line1": "1 Mill Lane", "city": city.name, "country": city.country},
                        "timezone": supplier.timezone,
                        "lead_time_days": supplier.lead_days,
                    }
                },
            )
        )
    return items


def purchase_order_items(
    rng: random.Random,
    number: str,
    sent_at: datetime,
    supplier: SimSupplier,
    warehouse: SimulatedWarehouse,
    products: tuple[tuple[str, str, Decimal], ...],
    faults: InboundFaults,
    parcel_faults: journeys.FaultRates,
    tracking_number: Any,
    *,
    promises: bool = False,
) -> list[InboundItem]:
    """One purchase order's story as records. ``tracking_number(rng, carrier)`` gives a new number;
    ``promises``: the requests carry the supplier's dates."""
    chosen = rng.sample(products, min(len(products), rng.randint(1, 3)))
    lines = [(sku, rng.randint(2, 40) * 5, price) for sku, _name, price in chosen]
    late = rng.random() < faults.late
    short = rng.randrange(len(lines)) if rng.random() < faults.short else None
    damaged = rng.randrange(len(lines)) if rng.random() < faults.damaged else None
    split = rng.random() < faults.split
    service = journeys.choose_service(rng, supplier.site, warehouse.city)
    confirmed_at = sent_at + timedelta(hours=rng.uniform(2, 40))
    promised_ship = confirmed_at + timedelta(days=supplier.lead_days)
    transit_days = service.promised_days + 2
    where = ZoneInfo(supplier.timezone)
    promise = {
        "promised_ship_date": promised_ship.astimezone(where).date().isoformat(),
        "promised_arrival_date": (promised_ship + timedelta(days=transit_days))
        .astimezone(where)
        .date()
        .isoformat(),
    }
    record = {"purchase_order": number, "supplier": supplier.name, **promise}
    body = {
        "number": number,
        "warehouse": warehouse.code,
        "currency": supplier.currency,
        "lines": [
            {"sku": sku, "quantity": qty, "unit_cost": str((price * _COST_SHARE).quantize(Decimal("0.01")))}
            for sku, qty, price in lines
        ],
        "notes": "simulated",
    }
    items = [
        InboundItem(sent_at, "purchase_order", {**record, "body": body}),
        InboundItem(
            sent_at + timedelta(minutes=3), "purchase_order_action", {**record, "action": "send", "body": {}}
        ),
        InboundItem(
            confirmed_at,
            "purchase_order_action",
            {**record, "action": "confirm", "body": dict(promise) if promises else {}},
        ),
    ]
    # What leaves: a short line ships 60-90% of its quantity.
    shipping = [
        (sku, int(qty * rng.uniform(0.6, 0.9)) if index == short else qty)
        for index, (sku, qty, _p) in enumerate(lines)
    ]
    if not split:
        parts = [shipping]
    elif len(shipping) == 1:
        sku, qty = shipping[0]
        parts = [[(sku, qty // 2)], [(sku, qty - qty // 2)]]
    else:
        half = len(shipping) // 2
        parts = [shipping[:half], shipping[half:]]
    leaves = promised_ship + timedelta(days=rng.uniform(3, 8) if late else rng.uniform(-1, 0.5))
    counted: list[datetime] = []
    for seq, part in enumerate(parts, start=1):
        label_at = journeys.label_time(
            rng, supplier.site, leaves + timedelta(days=(seq - 1) * rng.uniform(1, 4))
        )
        trip = journeys.journey(rng, supplier.site, warehouse.city, service, label_at, parcel_faults)
        tracking = tracking_number(rng, service.carrier)
        asn = f"{number}-{seq}"
        notice: dict[str, Any] = {
            "number": asn,
            "carrier": service.carrier,
            "parcels": [{"tracking_number": tracking, "carrier": service.carrier}],
            "lines": [{"sku": sku, "quantity": qty, "parcel": 1} for sku, qty in part],
        }
        if promises:
            # What the supplier expects when the goods leave: the carrier's days, no fault.
            expected = label_at + timedelta(days=transit_days)
            notice["expected_arrival_date"] = expected.astimezone(where).date().isoformat()
        items.append(
            InboundItem(
                label_at,
                "inbound_shipment",
                {
                    **record,
                    "inbound_shipment": asn,
                    "late": late,
                    "body": notice,
                },
                parcel=(trip, tracking),
            )
        )
        last = trip.scans[-1]
        if last.status != E.delivered:
            continue  # lost or sent back: nothing reaches the dock
        at = last.at + timedelta(hours=rng.uniform(1, 20))
        counts = []
        for sku, qty in part:
            broken = min(qty, rng.randint(1, 5)) if damaged is not None and lines[damaged][0] == sku else 0
            counts.append({"sku": sku, "good": qty - broken, "damaged": broken, "count_id": f"{asn}:{sku}"})
        items.append(
            InboundItem(at, "receipt", {**record, "inbound_shipment": asn, "body": {"lines": counts}})
        )
        counted.append(at)
    if short is not None and len(counted) == len(parts):
        items.append(
            InboundItem(
                max(counted) + timedelta(hours=rng.uniform(1, 30)),
                "purchase_order_action",
                {
                    **record,
                    "action": f"lines/{short + 1}/short-close",
                    "body": {"reason": "supplier ran short"},
                },
            )
        )
    return items


def placed_at(start: datetime, span: timedelta, index: int, count: int, seed: int) -> datetime:
    """When the shop sends purchase order ``index`` of ``count``: spread over the run's first
    two thirds, so most of their goods arrive within it."""
    jitter = random.Random(f"{seed}:po:{index}:placed").random()
    return start + span * (2 / 3) * ((index + jitter) / max(count, 1))


__all__ = ["InboundFaults", "InboundItem", "SimSupplier"]
