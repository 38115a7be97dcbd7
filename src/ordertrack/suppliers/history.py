"""A purchase order's history: every change, with who made it.

Each use case that changes a purchase order (drafting, sending, the supplier's confirmation,
an advance shipping notice declared or cancelled, a count at the dock, a short-close) calls
:func:`record` in the same unit of work as the change, so the history can never say something
happened that was rolled back, nor miss something that was committed. Rows are never updated
or deleted.

Who made it (``actor``) is written as people read it, by the edge that knows:

- ``"api key <prefix>"`` (the first characters of the key, as the key list shows them),
- ``"staff:<email>"`` (the dashboard's signed-in staff member),
- ``"supplier link"`` (the supplier's signed link; it has no account),
- ``"csv <file name>"`` (a file uploaded through the link or imported by the CLI),
- ``"system"`` (the worker, e.g. a reminder sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderChange

SYSTEM = "system"
SUPPLIER_LINK = "supplier link"
# The column is 100 characters; a long file name or email is cut, never refused.
MAX_ACTOR_LENGTH = 100


# What each recorded action is called on the pages.
ACTION_WORDS = {
    "created": "Drafted",
    "sent": "Sent to the supplier",
    "resent": "Sent again",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "line_short_closed": "Line closed short",
    "asn_declared": "Shipment declared",
    "asn_cancelled": "Shipment withdrawn",
    "received": "Counted at the dock",
    "supplier_reminded": "Supplier reminded",
}


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or action.replace("_", " ").capitalize()


def actor_words(actor: str) -> str:
    """Who, as staff read it: the staff member's email without its ``staff:`` tag."""
    return actor.removeprefix("staff:")


def api_key_actor(prefix: str) -> str:
    return f"api key {prefix}"


def staff_actor(email: str) -> str:
    return f"staff:{email}"


def csv_actor(file_name: str) -> str:
    return f"csv {file_name or 'upload.csv'}"


def _plain(value: Any) -> Any:
    """Details as JSON keeps them: dates as ISO strings, decimals as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record(
    uow: UnitOfWork,
    po: PurchaseOrder,
    actor: str,
    action: str,
    details: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> PurchaseOrderChange:
    """Write one line of ``po``'s history: ``actor`` did ``action`` (``details``: what exactly,
    JSON-able; dates and decimals are turned into strings)."""
    change = PurchaseOrderChange(
        id=new_id("poc"),
        merchant_id=po.merchant_id,
        purchase_order_id=po.id,
        at=at or utcnow(),
        actor=(actor or SYSTEM)[:MAX_ACTOR_LENGTH],
        action=action,
        details=_plain(dict(details)) if details else None,
    )
    uow.session.add(change)
    return change


def changes(uow: UnitOfWork, merchant_id: str, purchase_order_id: str) -> list[PurchaseOrderChange]:
    """The order's history, oldest first (the order it happened in)."""
    return list(
        uow.session.scalars(
            select(PurchaseOrderChange)
            .where(
                PurchaseOrderChange.merchant_id == merchant_id,
                PurchaseOrderChange.purchase_order_id == purchase_order_id,
            )
            .order_by(PurchaseOrderChange.at, PurchaseOrderChange.id)
        )
    )
