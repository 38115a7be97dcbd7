"""Queries of the catalog's own table: products."""

from __future__ import annotations

from sqlalchemy import select

from ordertrack.catalog.model import Product
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page


def sku_taken(uow: UnitOfWork, merchant_id: str, sku: str) -> bool:
    return (
        uow.session.scalar(select(Product.id).where(Product.merchant_id == merchant_id, Product.sku == sku))
        is not None
    )


def add_product(uow: UnitOfWork, product: Product) -> None:
    uow.session.add(product)
    uow.flush()


def products_page(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, cursor: str | None, limit: int
) -> Page[Product]:
    query = select(Product).where(Product.merchant_id == merchant_id)
    if sku:
        query = query.where(Product.sku == sku)
    return keyset_page(uow.session, query, Product.id, cursor, limit)


def names_by_sku(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, str]:
    rows = uow.session.execute(
        select(Product.sku, Product.name).where(Product.merchant_id == merchant_id, Product.sku.in_(skus))
    )
    return {sku: name for sku, name in rows}


def known_weights_by_sku(uow: UnitOfWork, merchant_id: str, skus: set[str]) -> dict[str, int]:
    rows = uow.session.execute(
        select(Product.sku, Product.weight_grams).where(
            Product.merchant_id == merchant_id, Product.sku.in_(skus), Product.weight_grams.is_not(None)
        )
    )
    return {sku: weight for sku, weight in rows if weight is not None}
