"""A merchant's carrier accounts: the credentials ordertrack polls a carrier's tracking API
with, and which parcels start being polled when an account or a shipment appears.

Separate from :mod:`ordertrack.carriers.polling` (the worker's rounds), so configuring an
account or shipping an order never reaches into the poller.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from ordertrack.carriers import repository
from ordertrack.carriers.model import CarrierAccount
from ordertrack.carriers.registry import connector
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ShipmentCreated
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.tracking import parcels as tracking_parcels


class NotPollable(Unprocessable):
    code = "carrier_not_pollable"


def client_module(carrier: str) -> ModuleType | None:
    """The carrier folder's ``client.py``, when the carrier can be polled."""
    try:
        return importlib.import_module(f"ordertrack.carriers.{carrier}.client")
    except ModuleNotFoundError:
        return None


def save_account(uow: UnitOfWork, merchant_id: str, carrier: str, fields: dict[str, Any]) -> CarrierAccount:
    """Create or replace the merchant's polling account for a carrier; open parcels start polling."""
    connector(carrier)  # UnknownCarrier (404) for a slug no folder claims
    if client_module(carrier) is None:
        raise NotPollable(f"{carrier} pushes its updates; it has no tracking API to poll")
    now = utcnow()
    row = repository.account(uow, merchant_id, carrier)
    if row is None:
        row = CarrierAccount(merchant_id=merchant_id, carrier=carrier, created_at=now)
        repository.add(uow, row)
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_at = now
    uow.flush()
    if row.enabled:
        tracking_parcels.poll_open_parcels(uow, merchant_id, carrier, now)
    return row


def get_account(uow: UnitOfWork, merchant_id: str, carrier: str) -> CarrierAccount | None:
    return repository.account(uow, merchant_id, carrier)


def enabled_accounts(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(merchant, carrier) of every account polling is on for."""
    return repository.enabled_accounts(uow)


def start_polling_new_parcels(uow: UnitOfWork, events: Sequence[ShipmentCreated]) -> None:
    """Handler: parcels of a new shipment are due at once when the merchant polls their carrier."""
    for event in events:
        account = get_account(uow, event.merchant_id, event.carrier)
        if account is not None and account.enabled:
            tracking_parcels.poll_parcels_at(uow, event.parcel_ids, utcnow())
