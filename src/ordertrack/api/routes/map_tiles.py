"""The tracking page's map tiles: read and set the merchant's tile service (optional)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import in_transaction, json_response
from ordertrack.db.uow import Database
from ordertrack.kit.schema import error_responses
from ordertrack.merchants import map_tiles

router = APIRouter(prefix="/api/v1", tags=["settings"])


class MapTilesIn(BaseModel):
    """``url_template`` null or empty: the map goes back to the outlines ordertrack ships."""

    model_config = ConfigDict(extra="forbid")

    url_template: str | None = Field(
        default=None,
        max_length=map_tiles.MAX_TEMPLATE,
        description="https URL with {z}, {x} and {y}, e.g. https://tiles.example.com/{z}/{x}/{y}.png",
    )
    attribution: str | None = Field(
        default=None,
        max_length=map_tiles.MAX_ATTRIBUTION,
        description="the credit line the tile provider asks for; required with a template",
    )


class MapTilesOut(BaseModel):
    url_template: str | None
    attribution: str | None
    image_origin: str | None = Field(description="the host the page's CSP lets images come from")


def _out(tiles: map_tiles.MapTiles) -> MapTilesOut:
    return MapTilesOut(
        url_template=tiles.url_template, attribution=tiles.attribution, image_origin=tiles.origin
    )


@router.get("/settings/map-tiles", response_model=MapTilesOut)
def get_map_tiles(merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)) -> Response:
    with db.uow(write=False) as uow:
        return json_response(_out(map_tiles.map_tiles(uow, merchant_id)))


@router.put("/settings/map-tiles", response_model=MapTilesOut, responses=error_responses(422))
def put_map_tiles(
    data: MapTilesIn, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Draw the route map over the merchant's tiles (422 ``invalid_map_tiles`` for a template
    that is not https, names more than a plain host, or lacks {z}, {x} or {y})."""
    saved = in_transaction(
        db,
        lambda uow: map_tiles.set_map_tiles(
            uow, merchant_id, url_template=data.url_template, attribution=data.attribution
        ),
    )
    return json_response(_out(saved))
