"""Reorder suggestions: per SKU and warehouse, whether the stock runs out before the next inbound
arrives, and how much to order from whom; selected suggestions become draft purchase orders.

The arithmetic is pure (:mod:`ordertrack.suppliers.replenishment`); this module gathers the
facts (the ledger's shipments, levels, backorders, open purchase orders, supplier terms and
learned lead times) in a fixed handful of queries, whatever the number of SKUs.

Which supplier: of those with terms for the SKU, the one whose learned lead time (p90) is the
shortest, then the cheapest, then by name. Running out costs a merchant more than a few cents a
unit; the merchant can pick another supplier with the ``supplier`` filter, which prefers that
supplier for every SKU it has terms for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import sales
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.suppliers import history, performance, purchase_orders, repository
from ordertrack.suppliers.calendar import local_date
from ordertrack.suppliers.model import PurchaseOrder, Supplier
from ordertrack.suppliers.replenishment import SALES_WINDOW_DAYS, ReorderAdvice, StockPosition, advise
from ordertrack.suppliers.rules import PurchaseOrderStatus
from ordertrack.suppliers.schemas import PurchaseOrderIn, PurchaseOrderLineIn
from ordertrack.suppliers.scoring import LeadTime
from ordertrack.suppliers.service import SupplierNotFound, UnknownSupplier, find_supplier

# Purchase orders whose missing units are still coming (a draft is about to be sent: it is
# counted too, so the same shortfall is not suggested twice).
OPEN_STATUSES = (
    PurchaseOrderStatus.draft,
    PurchaseOrderStatus.sent,
    PurchaseOrderStatus.confirmed,
    PurchaseOrderStatus.partially_shipped,
    PurchaseOrderStatus.shipped,
    PurchaseOrderStatus.partially_received,
)


class NoSupplierForSku(Unprocessable):
    code = "no_supplier_for_sku"


@dataclass(frozen=True, slots=True)
class Term:
    """A supplier's terms for one SKU, as reorder suggestions read them."""

    supplier_id: str
    sku: str
    supplier_sku: str | None
    unit_cost: Decimal
    currency: str


@dataclass(frozen=True)
class Suggestion:
    sku: str
    warehouse: Warehouse
    supplier: Supplier | None
    term: Term | None
    lead_time: LeadTime | None
    lead_days: int  # calendar days the lead time's p90 spans from today
    position: StockPosition
    advice: ReorderAdvice


def _inbound(
    uow: UnitOfWork, merchant_id: str, lead_times: dict[str, LeadTime], suppliers: dict[str, Supplier]
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], date]]:
    """Units still to come per (warehouse id, SKU), and when the first of them is expected:
    units on an inbound shipment when it is expected (tracking's estimate, else the supplier's
    date); units not shipped yet by the supplier's promised arrival, else the order's send day
    plus the supplier's p50 lead time."""
    units: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], date] = {}
    shipped = repository.open_inbound_by_line(uow, merchant_id)
    for po in repository.purchase_orders_in(uow, merchant_id, OPEN_STATUSES):
        expected_on = _expected_on(po, lead_times, suppliers)
        for line in po.lines:
            if line.short_closed_at is not None:
                continue
            expected = line.quantity if line.confirmed_quantity is None else line.confirmed_quantity
            missing = expected - line.received_quantity - line.damaged_quantity
            if missing <= 0:
                continue
            key = (po.warehouse_id, line.sku)
            units[key] += missing
            on_the_way, shipment_on = shipped.get(line.id, (0, None))
            days = [shipment_on] if on_the_way > 0 and shipment_on is not None else []
            if missing > on_the_way and expected_on is not None:
                days.append(expected_on)  # units no shipment carries yet
            for day in days:
                if key not in first or day < first[key]:
                    first[key] = day
    return units, first


def _expected_on(
    po: PurchaseOrder, lead_times: dict[str, LeadTime], suppliers: dict[str, Supplier]
) -> date | None:
    if po.promised_arrival_date is not None:
        return po.promised_arrival_date
    supplier = suppliers.get(po.supplier_id)
    lead = lead_times.get(po.supplier_id)
    if po.sent_at is None or supplier is None or lead is None:
        return None
    return performance.expected_arrival(supplier, po.sent_at, lead, p90=False)


def _choose(
    terms: Sequence[Term],
    lead_times: dict[str, LeadTime],
    suppliers: dict[str, Supplier],
    prefer: str | None,
) -> Term | None:
    if not terms:
        return None
    preferred = [t for t in terms if t.supplier_id == prefer]
    if preferred:
        return preferred[0]
    return min(
        terms,
        key=lambda t: (lead_times[t.supplier_id].p90_days, t.unit_cost, suppliers[t.supplier_id].name),
    )


def suggestions(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    warehouse: str | None = None,
    supplier_id: str | None = None,
    everything: bool = False,
    now: datetime | None = None,
) -> list[Suggestion]:
    """The SKUs to reorder (those with a quantity to suggest or running out before their next
    inbound; ``everything``: every SKU with stock, sales or inbound), soonest to run out first."""
    now = now or utcnow()
    today = now.date()
    warehouses = sales.warehouses_in_shipping_order(uow, merchant_id)
    if warehouse is not None:
        try:
            chosen = inventory_service.find_warehouse(uow, merchant_id, warehouse)
        except inventory_service.WarehouseNotFound:
            raise inventory_service.UnknownWarehouse(f"no warehouse {warehouse!r}") from None
        warehouses = [w for w in warehouses if w.id == chosen.id]
    if supplier_id is not None:
        try:
            find_supplier(uow, merchant_id, supplier_id)
        except SupplierNotFound:
            raise UnknownSupplier(f"no supplier {supplier_id!r}") from None
    by_id = {w.id: w for w in warehouses}
    only = warehouses[0].id if warehouse is not None and warehouses else None
    levels = sales.levels(uow, merchant_id, only)
    shipped = sales.shipped_since(uow, merchant_id, now - timedelta(days=SALES_WINDOW_DAYS), only)

    all_terms = [Term(*row) for row in repository.supplier_terms_of_merchant(uow, merchant_id)]
    suppliers = repository.suppliers_by_id(
        uow,
        merchant_id,
        {t.supplier_id for t in all_terms} | repository.open_order_supplier_ids(uow, merchant_id),
    )
    lead_times = performance.learned_lead_times(uow, merchant_id, list(suppliers.values()), now=now)
    inbound, next_inbound = _inbound(uow, merchant_id, lead_times, suppliers)

    # Backorders wait for any warehouse: they are counted at the first one that stocks the SKU.
    backordered = sales.backordered_units(uow, merchant_id)
    all_warehouses = sales.warehouses_in_shipping_order(uow, merchant_id) if warehouse else warehouses
    stocked = set(sales.levels(uow, merchant_id, skus=set(backordered))) if warehouse else set(levels)
    backorder_at: dict[tuple[str, str], int] = {}
    for sku, units in backordered.items():
        home = next((w.id for w in all_warehouses if (w.id, sku) in stocked), None)
        if home is None and all_warehouses:
            home = all_warehouses[0].id
        if home is not None:
            backorder_at[(home, sku)] = units

    terms_by_sku: dict[str, list[Term]] = defaultdict(list)
    for term in all_terms:
        terms_by_sku[term.sku].append(term)

    keys = {k for k in (*levels, *shipped, *inbound, *backorder_at) if k[0] in by_id}
    # Calendar days each supplier's p90 spans from its today (one calendar walk per supplier).
    lead_days_of: dict[str, int] = {}
    for sid, learned in lead_times.items():
        start = local_date(now, suppliers[sid].timezone)
        end = performance.calendar_of(suppliers[sid]).add_business_days(start, learned.p90_days)
        lead_days_of[sid] = (end - start).days
    found = []
    chosen_terms: dict[str, Term | None] = {}  # one choice per SKU, whatever the warehouses
    for warehouse_id, sku in keys:
        if sku not in chosen_terms:
            chosen_terms[sku] = _choose(terms_by_sku.get(sku, []), lead_times, suppliers, supplier_id)
        term = chosen_terms[sku]
        if supplier_id is not None and (term is None or term.supplier_id != supplier_id):
            continue
        supplier = suppliers[term.supplier_id] if term is not None else None
        lead = lead_times.get(term.supplier_id) if term is not None else None
        lead_days = lead_days_of.get(supplier.id, 0) if supplier is not None else 0
        on_hand, reserved = levels.get((warehouse_id, sku), (0, 0))
        position = StockPosition(
            on_hand=on_hand,
            reserved=reserved,
            backordered=backorder_at.get((warehouse_id, sku), 0),
            shipped_recently=shipped.get((warehouse_id, sku), 0),
            inbound=inbound.get((warehouse_id, sku), 0),
            next_inbound_on=next_inbound.get((warehouse_id, sku)),
        )
        advice = advise(position, today=today, lead_days=lead_days)
        if everything or advice.suggested_quantity > 0 or advice.runs_out_before_inbound:
            found.append(
                Suggestion(sku, by_id[warehouse_id], supplier, term, lead, lead_days, position, advice)
            )
    found.sort(key=lambda s: (s.advice.runs_out_on or date.max, s.sku, s.warehouse.code))
    return found


@dataclass(frozen=True)
class Selection:
    """One suggestion the merchant ticked: the SKU at the warehouse, the quantity (absent: the
    suggested one) and the supplier (absent: the suggested one)."""

    sku: str
    warehouse: str
    quantity: int | None = None
    supplier_id: str | None = None


class NothingToOrder(Unprocessable):
    code = "nothing_to_order"


def draft_purchase_orders(
    uow: UnitOfWork,
    merchant_id: str,
    selections: Sequence[Selection],
    *,
    actor: str = history.SYSTEM,
    now: datetime | None = None,
) -> list[PurchaseOrder]:
    """One draft purchase order per supplier, warehouse and currency for the selected SKUs,
    through :func:`ordertrack.suppliers.purchase_orders.create_purchase_order` (its checks
    apply), at the supplier's unit cost. All or nothing: one bad selection drafts none."""
    now = now or utcnow()
    groups: dict[tuple[str, str, str], list[PurchaseOrderLineIn]] = defaultdict(list)
    # One computation per warehouse and supplier asked, however many SKUs are selected.
    computed: dict[tuple[str, str | None], list[Suggestion]] = {}
    for index, chosen in enumerate(selections):
        asked = (chosen.warehouse, chosen.supplier_id)
        if asked not in computed:
            computed[asked] = suggestions(
                uow, merchant_id, warehouse=asked[0], supplier_id=asked[1], everything=True, now=now
            )
        found = computed[asked]
        match = next((s for s in found if s.sku == chosen.sku), None)
        if match is None or match.term is None or match.supplier is None:
            whose = f" from supplier {chosen.supplier_id!r}" if chosen.supplier_id else ""
            raise NoSupplierForSku(
                f"items.{index}: no supplier has terms for {chosen.sku!r}{whose};"
                " add its cost on the supplier first",
                details=[{"code": "no_supplier_for_sku", "field": f"items.{index}.sku", "sku": chosen.sku}],
            )
        quantity = chosen.quantity if chosen.quantity is not None else match.advice.suggested_quantity
        if quantity <= 0:
            raise NothingToOrder(
                f"items.{index}: nothing to suggest for {chosen.sku} at {chosen.warehouse}; give a quantity",
                details=[{"code": "nothing_to_order", "field": f"items.{index}.quantity", "sku": chosen.sku}],
            )
        key = (match.supplier.id, match.warehouse.code, match.term.currency)
        lines = groups[key]
        same = next((i for i, line in enumerate(lines) if line.sku == chosen.sku), None)
        if same is not None:
            lines[same] = PurchaseOrderLineIn(sku=chosen.sku, quantity=lines[same].quantity + quantity)
        else:
            lines.append(PurchaseOrderLineIn(sku=chosen.sku, quantity=quantity))
    drafts = []
    for (supplier_id, warehouse_code, currency), lines in sorted(groups.items()):
        number = _free_number(uow, merchant_id, now)
        data = PurchaseOrderIn(
            number=number,
            supplier_id=supplier_id,
            warehouse=warehouse_code,
            currency=currency,
            lines=lines,
            notes="Drafted from reorder suggestions",
        )
        drafts.append(purchase_orders.create_purchase_order(uow, merchant_id, data, actor=actor))
    return drafts


def _free_number(uow: UnitOfWork, merchant_id: str, now: datetime) -> str:
    """The next free number of the day's drafts: PO-20260305-1, PO-20260305-2, ..."""
    n = 1
    while repository.number_taken(uow, merchant_id, f"PO-{now:%Y%m%d}-{n}"):
        n += 1
    return f"PO-{now:%Y%m%d}-{n}"
