"""What the supplier's page shows of one purchase order, read through the features' services.

Only the order the link names, of the merchant that signed it: its lines with what the supplier
calls each SKU, the warehouse the goods go to, the promised dates, the notices declared so far
with their parcels' tracking status, what receiving found different, and the history. Nothing
of the merchant's other orders, suppliers, stock or customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import NotFound
from ordertrack.merchants import service as merchants_service
from ordertrack.purchasing import declaring
from ordertrack.suppliers import history, inbound_shipments, purchase_orders, receipts, rules
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.inbound_schemas import InboundShipmentOut
from ordertrack.suppliers.model import PurchaseOrderChange


@dataclass(frozen=True)
class Store:
    """The merchant as its pages' header shows it."""

    merchant_id: str
    name: str
    logo_data_uri: str | None


@dataclass(frozen=True)
class PageLine:
    line_no: int
    sku: str
    supplier_sku: str | None
    ordered: int
    confirmed: int | None
    shipped: int
    received: int
    damaged: int
    still_expected: int
    short_closed: bool

    @property
    def expected(self) -> int:
        return self.ordered if self.confirmed is None else self.confirmed


@dataclass(frozen=True)
class PageChange:
    """A line of the history as the supplier reads it: the merchant's side is the store, never
    a staff member's address or an API key."""

    at: datetime
    action: str
    who: str  # "you", "file" (a CSV of yours: ``file``), "store", "system"
    file: str | None
    notice: str | None  # the notice it was about, when it was about one


def page_change(change: PurchaseOrderChange) -> PageChange:
    actor = change.actor
    if actor == history.SUPPLIER_LINK:
        who, file = "you", None
    elif actor.startswith("csv "):
        who, file = "file", actor.removeprefix("csv ")
    elif actor == history.SYSTEM:
        who, file = "system", None
    else:
        who, file = "store", None
    notice = (change.details or {}).get("inbound_shipment")
    return PageChange(change.at, change.action, who, file, str(notice) if notice else None)


@dataclass(frozen=True)
class WarehouseAddress:
    name: str
    lines: list[str]
    country: str


@dataclass(frozen=True)
class SupplierOrderPage:
    store: Store
    purchase_order_id: str
    number: str
    status: str
    supplier_name: str
    supplier_timezone: str
    supplier_today: date
    currency: str
    notes: str | None
    promised_ship_date: date | None
    promised_arrival_date: date | None
    sent_at: datetime | None
    confirmed_at: datetime | None
    ship_to: WarehouseAddress
    lines: list[PageLine]
    notices: list[InboundShipmentOut]
    discrepancies: list[receipts.LineDiscrepancy]
    changes: list[PageChange]  # newest first

    @property
    def can_confirm(self) -> bool:
        return self.status in rules.ALLOWED_ACTIONS["confirm"]

    @property
    def can_declare(self) -> bool:
        return self.status in declaring.DECLARABLE

    @property
    def open_notices(self) -> list[InboundShipmentOut]:
        """Notices the supplier may still withdraw: not cancelled, nothing counted in."""
        return [
            n
            for n in self.notices
            if n.cancelled_at is None
            and not any(line.received_quantity or line.damaged_quantity for line in n.lines)
        ]


def load_page(
    uow: UnitOfWork, merchant_id: str, purchase_order_id: str, *, now: datetime | None = None
) -> SupplierOrderPage | None:
    """The page of the order the link names, or None when it no longer exists (not found)."""
    try:
        po = purchase_orders.find_purchase_order(uow, merchant_id, purchase_order_id)
        branding = merchants_service.branding(uow, merchant_id)
        supplier = suppliers_service.find_supplier(uow, merchant_id, po.supplier_id)
    except NotFound:
        return None
    if po.id != purchase_order_id:
        return None  # a link names an order by id, never by a number that could be another's
    warehouse = next(
        w for w in inventory_service.list_warehouses(uow, merchant_id) if w.id == po.warehouse_id
    )
    terms = suppliers_service.supplier_skus(uow, supplier.id, {line.sku for line in po.lines})
    notices = inbound_shipments.of_purchase_order(uow, merchant_id, po.id)
    address = [part for part in (warehouse.line1, warehouse.line2, _town(warehouse)) if part]
    return SupplierOrderPage(
        store=Store(merchant_id, branding.display_name, branding.logo_data_uri),
        purchase_order_id=po.id,
        number=po.number,
        status=po.status,
        supplier_name=supplier.name,
        supplier_timezone=supplier.timezone,
        supplier_today=purchase_orders.supplier_today(supplier, now or utcnow()),
        currency=po.currency,
        notes=po.notes,
        promised_ship_date=po.promised_ship_date,
        promised_arrival_date=po.promised_arrival_date,
        sent_at=po.sent_at,
        confirmed_at=po.confirmed_at,
        ship_to=WarehouseAddress(f"{branding.display_name} — {warehouse.name}", address, warehouse.country),
        lines=[
            PageLine(
                line_no=line.line_no,
                sku=line.sku,
                supplier_sku=terms[line.sku].supplier_sku if line.sku in terms else None,
                ordered=line.quantity,
                confirmed=line.confirmed_quantity,
                shipped=line.shipped_quantity,
                received=line.received_quantity,
                damaged=line.damaged_quantity,
                still_expected=declaring.still_expected(line),
                short_closed=line.short_closed_at is not None,
            )
            for line in po.lines
        ],
        notices=declaring.views(uow, merchant_id, notices),
        discrepancies=receipts.discrepancies(uow, merchant_id, po),
        changes=[page_change(c) for c in reversed(history.changes(uow, merchant_id, po.id))],
    )


# Where the postal code is written before the town ("10115 Berlin"); elsewhere it follows the
# town and region, as in "Sparks, NV 89431" or "London SW1A 1AA".
_POSTAL_CODE_FIRST = frozenset(
    [
        "AR",
        "AT",
        "BE",
        "BR",
        "CH",
        "CL",
        "CZ",
        "DE",
        "DK",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IL",
        "IS",
        "IT",
        "LU",
        "MX",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "TR",
        "VN",
    ]
)


def _town(warehouse: Warehouse) -> str:
    """The warehouse's town line in its country's order."""
    city, region, postal = warehouse.city or "", warehouse.region or "", warehouse.postal_code or ""
    if warehouse.country in _POSTAL_CODE_FIRST:
        return " ".join(p for p in (postal, city) if p) + (f", {region}" if region else "")
    place = ", ".join(p for p in (city, region) if p)
    return " ".join(p for p in (place, postal) if p)
