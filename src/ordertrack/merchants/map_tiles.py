"""A merchant's own map tiles for the tracking page's route map (optional).

By default the map is drawn over the country outlines ordertrack ships; a merchant with a tile
service (their own, or a provider they have an agreement with) may set its URL template
instead, ``https://tiles.example.com/{z}/{x}/{y}.png``, and the credit line the provider asks
for. Kept in the merchant's settings (``settings["map_tiles"]``). Only https, one fixed host
(the page's Content-Security-Policy lets images come from that host alone, on that page), and
exactly the ``{z}``, ``{x}`` and ``{y}`` placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound, Unprocessable
from ordertrack.merchants import repository

MAX_TEMPLATE = 500
MAX_ATTRIBUTION = 200
_PLACEHOLDERS = ("{z}", "{x}", "{y}")
# A host name (or IPv4 address) and an optional port: it is written into a CSP header as is.
_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$"
)
# Characters a URL template may hold: URL characters, with braces only in the placeholders.
_URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%{}]+$")


class InvalidMapTiles(Unprocessable):
    code = "invalid_map_tiles"


@dataclass(frozen=True)
class MapTiles:
    """The merchant's tile service, or none (both None): the shipped outlines are drawn."""

    url_template: str | None = None
    attribution: str | None = None

    @property
    def origin(self) -> str | None:
        """``https://host[:port]``: what the page's CSP allows images from."""
        if not self.url_template:
            return None
        parts = urlsplit(self.url_template)
        return f"https://{parts.netloc}"


def check_template(raw: str) -> str:
    """The URL template, checked: https, a plain host, {z}, {x} and {y} once each."""
    text = raw.strip()
    if len(text) > MAX_TEMPLATE:
        raise InvalidMapTiles(f"the tile URL must be at most {MAX_TEMPLATE} characters")
    if not _URL_CHARS.match(text):
        raise InvalidMapTiles("the tile URL has characters a URL cannot hold (spaces, quotes or <>)")
    parts = urlsplit(text)
    text = urlunsplit(parts._replace(netloc=parts.netloc.lower()))  # host names ignore case
    parts = urlsplit(text)
    if parts.scheme != "https":
        raise InvalidMapTiles("the tile URL must start with https:// (the page is served over https)")
    if not _HOST.match(parts.netloc):
        raise InvalidMapTiles("the tile URL must name a plain host, like https://tiles.example.com/")
    if parts.fragment:
        raise InvalidMapTiles("the tile URL cannot have a #fragment")
    for placeholder in _PLACEHOLDERS:
        if text.count(placeholder) != 1:
            raise InvalidMapTiles("the tile URL must hold {z}, {x} and {y} once each")
    rest = text
    for placeholder in _PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise InvalidMapTiles("the tile URL may hold only the {z}, {x} and {y} placeholders")
    return text


def check_attribution(raw: str) -> str:
    text = " ".join(raw.split())
    if not text:
        raise InvalidMapTiles("map tiles need the credit line their provider asks for (attribution)")
    if len(text) > MAX_ATTRIBUTION:
        raise InvalidMapTiles(f"the attribution must be at most {MAX_ATTRIBUTION} characters")
    return text


def map_tiles(uow: UnitOfWork, merchant_id: str) -> MapTiles:
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    stored = (merchant.settings or {}).get("map_tiles") or {}
    if not stored.get("url_template"):
        return MapTiles()
    return MapTiles(url_template=stored["url_template"], attribution=stored.get("attribution"))


def set_map_tiles(
    uow: UnitOfWork, merchant_id: str, *, url_template: str | None, attribution: str | None
) -> MapTiles:
    """Set the tile service; an empty or missing template goes back to the shipped outlines."""
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    settings = dict(merchant.settings or {})
    if not (url_template or "").strip():
        settings.pop("map_tiles", None)
    else:
        settings["map_tiles"] = {
            "url_template": check_template(url_template or ""),
            "attribution": check_attribution(attribution or ""),
        }
    merchant.settings = settings
    uow.flush()
    return map_tiles(uow, merchant_id)
