"""The store's own settings that the shopper's pages show: how shoppers contact the store."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import in_transaction, json_response
from ordertrack.db.uow import Database
from ordertrack.kit.schema import error_responses
from ordertrack.merchants import contact

router = APIRouter(prefix="/api/v1/settings", tags=["settings"])


class StoreContactIn(BaseModel):
    """The whole contact; a field left out, null or empty removes that channel."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=contact.MAX_EMAIL, examples=["help@example.com"])
    phone: str | None = Field(
        default=None,
        max_length=contact.MAX_PHONE,
        description="with its country code",
        examples=["+1 502 555 0100"],
    )
    help_url: str | None = Field(
        default=None, max_length=contact.MAX_URL, examples=["https://example.com/help"]
    )


class StoreContactOut(BaseModel):
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
