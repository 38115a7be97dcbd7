"""Catalog use cases."""

from __future__ import annotations

from sqlalchemy import select

from ordertrack.catalog.model import Product
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, keyset_page


class DuplicateSku(Conflict):
    code = "duplicate_sku"


def create_product(uow: UnitOfWork, merchant_id: str, data: ProductIn) -> Product:
    exists = uow.session.scalar(
        select(Product.id).where(Product.merchant_id == merchant_id, Product.sku == data.sku)
    )
    if exists is not None:
        raise DuplicateSku(f"a product with SKU {data.sku!r} already exists")
    product = Product(id=new_id("prd"), merchant_id=merchant_id, created_at=utcnow(), **data.model_dump())
    uow.session.add(product)
    uow.flush()
    return product


def list_products(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, cursor: str | None, limit: int
) -> Page[Product]:
    query = select(Product).where(Product.merchant_id == merchant_id)
    if sku:
        query = query.where(Product.sku == sku)
    return keyset_page(uow.session, query, Product.id, cursor, limit)


def product_names(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, str]:
    if not skus:
        return {}
    rows = uow.session.execute(
        select(Product.sku, Product.name).where(Product.merchant_id == merchant_id, Product.sku.in_(skus))
    )
    return {sku: name for sku, name in rows}


def product_weights(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, int]:
    """Unit weight in grams of the SKUs whose weight the catalog knows."""
    if not skus:
        return {}
    rows = uow.session.execute(
        select(Product.sku, Product.weight_grams).where(
            Product.merchant_id == merchant_id, Product.sku.in_(skus), Product.weight_grams.is_not(None)
        )
    )
    return {sku: weight for sku, weight in rows if weight is not None}
