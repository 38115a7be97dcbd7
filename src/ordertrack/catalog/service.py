"""Catalog use cases."""

from __future__ import annotations

from ordertrack.catalog import repository
from ordertrack.catalog.model import Product
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page


class DuplicateSku(Conflict):
    code = "duplicate_sku"


def create_product(uow: UnitOfWork, merchant_id: str, data: ProductIn) -> Product:
    if repository.sku_taken(uow, merchant_id, data.sku):
        raise DuplicateSku(f"a product with SKU {data.sku!r} already exists")
    product = Product(id=new_id("prd"), merchant_id=merchant_id, created_at=utcnow(), **data.model_dump())
    repository.add_product(uow, product)
    return product


def list_products(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, cursor: str | None, limit: int
) -> Page[Product]:
    return repository.products_page(uow, merchant_id, sku=sku, cursor=cursor, limit=limit)


def product_names(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, str]:
    if not skus:
        return {}
    return repository.names_by_sku(uow, merchant_id, skus)


def product_weights(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, int]:
    """Unit weight in grams of the SKUs whose weight the catalog knows."""
    if not skus:
        return {}
    return repository.known_weights_by_sku(uow, merchant_id, skus)


def known_skus(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> set[str]:
    """Those of ``skus`` the merchant's catalog holds."""
    return set(product_names(uow, merchant_id, skus))
