"""The store's own settings that the shopper's pages show: how shoppers contact the store."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import EmailStr, Field, StringConstraints

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import in_transaction, json_response
from ordertrack.customers.schemas import DELIVERABLE_DOMAIN_PATTERN, E164_PATTERN
from ordertrack.db.uow import Database
from ordertrack.kit.schema import ApiModel, OutModel, error_responses
from ordertrack.merchants import contact

router = APIRouter(prefix="/api/v1/settings", tags=["settings"])


class StoreContactIn(ApiModel):
    """The whole contact; a field left out or null removes that channel."""

    email: EmailStr | None = Field(
        default=None,
        max_length=contact.MAX_EMAIL,
        examples=["help@example.com"],
        json_schema_extra={"pattern": DELIVERABLE_DOMAIN_PATTERN},
    )
    phone: Annotated[str, StringConstraints(min_length=8, max_length=32, pattern=E164_PATTERN)] | None = (
        Field(
            default=None,
            description="with its country code; it must be a number in that country's numbering plan",
            examples=["+1 502 555 0100"],
        )
    )
    help_url: (
        Annotated[str, StringConstraints(max_length=contact.MAX_URL, pattern=contact.HELP_URL_PATTERN)] | None
    ) = Field(default=None, examples=["https://example.com/help"])


class StoreContactOut(OutModel):
    email: str | None
    phone: str | None = Field(description="E.164")
    help_url: str | None


def _out(found: contact.StoreContact) -> StoreContactOut:
    return StoreContactOut(email=found.email, phone=found.phone, help_url=found.help_url)


@router.get("/store-contact", response_model=StoreContactOut)
def get_store_contact(
    merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    with db.uow(write=False) as uow:
        return json_response(_out(contact.store_contact(uow, merchant_id)))


@router.put("/store-contact", response_model=StoreContactOut, responses=error_responses(422))
def put_store_contact(
    data: StoreContactIn, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Replace the contact the tracking page shows.

    A bad email, phone or URL is `422 invalid_store_contact`."""
    saved = in_transaction(
        db,
        lambda uow: contact.set_store_contact(
            uow, merchant_id, email=data.email or "", phone=data.phone or "", help_url=data.help_url or ""
        ),
    )
    return json_response(_out(saved))
