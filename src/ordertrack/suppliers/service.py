"""Supplier use cases: suppliers kept, and their terms (name and cost) for the merchant's SKUs.

Purchase orders are in :mod:`ordertrack.suppliers.purchase_orders`.
"""

from __future__ import annotations

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page
from ordertrack.suppliers import repository
from ordertrack.suppliers.model import Supplier, SupplierSku
from ordertrack.suppliers.schemas import SUPPLIER_SKU_CURSOR, SupplierIn, SupplierSkuIn


class SupplierNotFound(NotFound):
    code = "supplier_not_found"


class UnknownSupplier(Unprocessable):
    code = "unknown_supplier"


class DuplicateSupplier(Conflict):
    code = "duplicate_supplier"


class UnknownSku(Unprocessable):
    code = "unknown_sku"


def create_supplier(uow: UnitOfWork, merchant_id: str, data: SupplierIn) -> Supplier:
    if repository.supplier_named(uow, merchant_id, data.name) is not None:
        raise DuplicateSupplier(f"a supplier named {data.name!r} already exists")
    now = utcnow()
    supplier = Supplier(
        id=new_id("sup"), merchant_id=merchant_id, created_at=now, updated_at=now, **data.columns()
    )
    uow.session.add(supplier)
    uow.flush()
    return supplier


def find_supplier(uow: UnitOfWork, merchant_id: str, supplier_id: str) -> Supplier:
    """The merchant's supplier; another merchant's is not found."""
    supplier = repository.supplier(uow, merchant_id, supplier_id)
    if supplier is None:
        raise SupplierNotFound(f"no supplier {supplier_id!r}")
    return supplier


def update_supplier(uow: UnitOfWork, merchant_id: str, supplier_id: str, data: SupplierIn) -> Supplier:
    """Replace the supplier's details (a field left out takes its default)."""
    supplier = find_supplier(uow, merchant_id, supplier_id)
    other = repository.supplier_named(uow, merchant_id, data.name)
    if other is not None and other.id != supplier.id:
        raise DuplicateSupplier(f"a supplier named {data.name!r} already exists")
    for column, value in data.columns().items():
        setattr(supplier, column, value)
    supplier.updated_at = utcnow()
    uow.flush()
    return supplier


def supplier_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Supplier]:
    return repository.suppliers_page(uow, merchant_id, cursor, limit)


def suppliers_by_id(uow: UnitOfWork, merchant_id: str, ids: set[str]) -> dict[str, Supplier]:
    return repository.suppliers_by_id(uow, merchant_id, ids)


def check_skus_known(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> None:
    """422 unknown_sku, naming them, when the catalog lacks any of ``skus``."""
    unknown = sorted(skus - catalog_service.known_skus(uow, merchant_id, skus))
    if unknown:
        raise UnknownSku(
            f"not in the catalog: {', '.join(unknown)}",
            details=[
                {"code": "unknown_sku", "sku": sku, "message": f"no product {sku!r}"} for sku in unknown
            ],
        )


def set_supplier_sku(
    uow: UnitOfWork, merchant_id: str, supplier_id: str, sku: str, data: SupplierSkuIn
) -> SupplierSku:
    """What this supplier calls ``sku`` and what it costs from them (created or replaced)."""
    supplier = find_supplier(uow, merchant_id, supplier_id)
    check_skus_known(uow, merchant_id, {sku})
    term = repository.supplier_sku(uow, supplier.id, sku)
    if term is None:
        term = SupplierSku(id=new_id("sps"), merchant_id=merchant_id, supplier_id=supplier.id, sku=sku)
        uow.session.add(term)
    term.supplier_sku = data.supplier_sku
    term.unit_cost = data.unit_cost
    term.currency = data.currency
    term.updated_at = utcnow()
    uow.flush()
    return term


def supplier_sku_page(
    uow: UnitOfWork, merchant_id: str, supplier_id: str, cursor: str | None, limit: int
) -> Page[SupplierSku]:
    supplier = find_supplier(uow, merchant_id, supplier_id)
    return repository.supplier_skus_page(uow, supplier.id, SUPPLIER_SKU_CURSOR, cursor, limit)


def supplier_skus(uow: UnitOfWork, supplier_id: str, skus: set[str]) -> dict[str, SupplierSku]:
    return repository.supplier_skus(uow, supplier_id, skus)
