"""Queries of the carrier tables: own-number counters, webhook settings, received payloads,
unknown-code counters and polling accounts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from ordertrack.carriers.model import (
    CarrierAccount,
    CarrierPayload,
    CarrierWebhook,
    TrackingSequence,
    UnknownCarrierCode,
)
from ordertrack.carriers.schemas import UNKNOWN_CODE_CURSOR
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, key_page, keyset_page

Row = TrackingSequence | CarrierWebhook | CarrierPayload | UnknownCarrierCode | CarrierAccount


def add(uow: UnitOfWork, row: Row) -> None:
    """A new carrier row, written with the transaction."""
    uow.session.add(row)


# --- own numbers -----------------------------------------------------------------------------------


def locked_sequence(uow: UnitOfWork, merchant_id: str) -> TrackingSequence | None:
    """The merchant's own-number counter, locked until commit (None before the first issue)."""
    return uow.session.scalars(
        select(TrackingSequence).where(TrackingSequence.merchant_id == merchant_id).with_for_update()
    ).first()


# --- webhook settings ------------------------------------------------------------------------------


def webhook(uow: UnitOfWork, merchant_id: str, carrier: str) -> CarrierWebhook | None:
    return uow.session.get(CarrierWebhook, (merchant_id, carrier))


def webhook_by_token_hash(uow: UnitOfWork, carrier: str, token_hash: str) -> CarrierWebhook | None:
    return uow.session.scalars(
        select(CarrierWebhook).where(
            CarrierWebhook.token_hash == token_hash, CarrierWebhook.carrier == carrier
        )
    ).first()


# --- payloads --------------------------------------------------------------------------------------


def payload(uow: UnitOfWork, merchant_id: str, payload_id: str) -> CarrierPayload | None:
    return uow.session.scalars(
        select(CarrierPayload).where(
            CarrierPayload.merchant_id == merchant_id, CarrierPayload.id == payload_id
        )
    ).first()


def payload_page(
    uow: UnitOfWork, merchant_id: str, *, states: Sequence[str], cursor: str | None, limit: int
) -> Page[CarrierPayload]:
    """The merchant's payloads in any of ``states`` (all when empty), oldest first."""
    query = select(CarrierPayload).where(CarrierPayload.merchant_id == merchant_id)
    if states:
        query = query.where(CarrierPayload.state.in_(states))
    return keyset_page(uow.session, query, CarrierPayload.id, cursor, limit)


# --- unknown codes ---------------------------------------------------------------------------------


def unknown_code(uow: UnitOfWork, merchant_id: str, carrier: str, code: str) -> UnknownCarrierCode | None:
    return uow.session.get(UnknownCarrierCode, (merchant_id, carrier, code))


def unknown_code_page(
    uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int
) -> Page[UnknownCarrierCode]:
    """Unknown codes by carrier, then code, a page at a time."""
    query = select(UnknownCarrierCode).where(UnknownCarrierCode.merchant_id == merchant_id)
    columns = (UnknownCarrierCode.carrier, UnknownCarrierCode.code)
    return key_page(uow.session, query, columns, UNKNOWN_CODE_CURSOR, cursor, limit)


# --- polling accounts ------------------------------------------------------------------------------


def account(uow: UnitOfWork, merchant_id: str, carrier: str) -> CarrierAccount | None:
    return uow.session.get(CarrierAccount, (merchant_id, carrier))


def enabled_accounts(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(merchant, carrier) of every account polling is on for."""
    rows = uow.session.execute(
        select(CarrierAccount.merchant_id, CarrierAccount.carrier).where(CarrierAccount.enabled.is_(True))
    )
    return [(merchant_id, carrier) for merchant_id, carrier in rows]
