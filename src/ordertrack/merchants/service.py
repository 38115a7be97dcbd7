"""Create merchants, issue API keys, authenticate requests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import NotFound, Unauthorized, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.merchants import repository
from ordertrack.merchants.model import ApiKey, Merchant

KEY_PREFIX = "otk_"


@dataclass(frozen=True)
class NewMerchant:
    merchant_id: str
    name: str
    api_key: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def issue_api_key(
    uow: UnitOfWork, merchant_id: str, label: str = "default", api_key: str | None = None
) -> str:
    """A new key for the merchant (random unless ``api_key`` is given, as the demo's is); only its
    hash is stored, so show it now or never."""
    api_key = api_key or KEY_PREFIX + secrets.token_urlsafe(32)
    repository.add_api_key(
        uow,
        ApiKey(
            id=new_id("key"),
            merchant_id=merchant_id,
            key_hash=hash_api_key(api_key),
            prefix=api_key[:12],
            label=label,
            created_at=utcnow(),
        ),
    )
    return api_key


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


def api_key_works(uow: UnitOfWork, merchant_id: str, api_key: str) -> bool | None:
    """Whether the merchant holds this key: True while it works, False once revoked, None if never issued."""
    key = repository.api_key_by_hash(uow, merchant_id, hash_api_key(api_key))
    return None if key is None else key.revoked_at is None


def list_api_keys(uow: UnitOfWork, merchant_id: str) -> list[ApiKey]:
    """The merchant's keys (hashes and prefixes only), newest first."""
    return repository.api_keys(uow, merchant_id)


def revoke_api_key(uow: UnitOfWork, merchant_id: str, key_id: str) -> ApiKey:
    """Stop a key from working (within the API's key cache time); revoking twice keeps the first time."""
    key = repository.locked_api_key(uow, merchant_id, key_id)
    if key is None:
        raise ApiKeyNotFound(f"no API key {key_id!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def create_merchant(uow: UnitOfWork, name: str, api_key: str | None = None) -> NewMerchant:
    name = name.strip()
    if not name:
        raise ValueError("merchant name must not be empty")
    merchant = Merchant(id=new_id("mer"), name=name, settings={}, created_at=utcnow())
    repository.add_merchant(uow, merchant)
    api_key = issue_api_key(uow, merchant.id, api_key=api_key)
    return NewMerchant(merchant_id=merchant.id, name=merchant.name, api_key=api_key)


async def merchant_for_key(reader: Reader, api_key: str) -> str:
    """The merchant id an API key belongs to, or :class:`Unauthorized`."""
    merchant_id = await repository.merchant_id_for_key_hash(reader, hash_api_key(api_key))
    if merchant_id is None:
        raise Unauthorized("the API key is not valid")
    return merchant_id


def merchant_name(uow: UnitOfWork, merchant_id: str) -> str:
    return repository.merchant_name(uow, merchant_id) or ""


# --- branding of the shopper's pages ---------------------------------------------------------

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_BRAND_COLOUR = "#1f4e79"
# A logo is kept inline (a data: URI) so the tracking page fetches nothing from elsewhere.
MAX_LOGO_BYTES = 200_000
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp", "image/svg+xml")
# Mail clients block data: images, so emails show the logo from an https address: the merchant's,
# else the uploaded one served by this server at LOGO_PATH (mail clients do not show SVG).
LOGO_PATH = "/brand/{merchant_id}/logo"
EMAIL_LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")
MAX_LOGO_URL_CHARS = 500
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::\d{1,5})?/[^\s\"'<>\\]*$")


class InvalidBranding(Unprocessable):
    code = "invalid_branding"


@dataclass(frozen=True)
class Branding:
    """How the merchant's tracking pages look: its name, logo and colours."""

    display_name: str
    logo_data_uri: str | None
    primary_colour: str
    accent_colour: str
    email_logo_url: str | None = None  # https only: shown at the top of every email

    def uploaded_logo(self) -> tuple[str, bytes] | None:
        """The uploaded logo as (content type, bytes), if there is one."""
        if not self.logo_data_uri or ";base64," not in self.logo_data_uri:
            return None
        head, data = self.logo_data_uri.split(";base64,", 1)
        return head.removeprefix("data:"), base64.b64decode(data)

    def email_logo(self, public_url: str, merchant_id: str) -> str | None:
        """The logo's address for emails: the one the merchant gave, else the uploaded PNG, JPEG
        or WebP as this server serves it (LOGO_PATH), when the server is reached over https."""
        if self.email_logo_url:
            return self.email_logo_url
        uploaded = self.uploaded_logo()
        if uploaded is None or uploaded[0] not in EMAIL_LOGO_TYPES or not public_url.startswith("https://"):
            return None
        version = hashlib.sha256(uploaded[1]).hexdigest()[:12]
        return f"{public_url.rstrip('/')}{LOGO_PATH.format(merchant_id=merchant_id)}?v={version}"


def branding(uow: UnitOfWork, merchant_id: str) -> Branding:
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    stored = (merchant.settings or {}).get("branding", {})
    return Branding(
        display_name=stored.get("display_name") or merchant.name,
        logo_data_uri=stored.get("logo_data_uri"),
        primary_colour=stored.get("primary_colour") or DEFAULT_BRAND_COLOUR,
        accent_colour=stored.get("accent_colour") or stored.get("primary_colour") or DEFAULT_BRAND_COLOUR,
        email_logo_url=stored.get("email_logo_url"),
    )


def set_branding(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    display_name: str | None,
    primary_colour: str | None,
    accent_colour: str | None,
    logo: tuple[str, bytes] | None = None,
    remove_logo: bool = False,
    email_logo_url: str | None = None,
) -> Branding:
    """Change the branding; a logo is ``(content type, bytes)``; ``email_logo_url`` "" forgets
    the emails' logo. Bad input is a clear 422."""
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    stored = dict((merchant.settings or {}).get("branding", {}))
    if display_name is not None:
        name = " ".join(display_name.split())
        if not 1 <= len(name) <= 120:
            raise InvalidBranding("the display name must be 1 to 120 characters")
        stored["display_name"] = name
    for key, value in (("primary_colour", primary_colour), ("accent_colour", accent_colour)):
        if value is not None:
            if not _COLOUR.match(value):
                raise InvalidBranding(f"{key.replace('_', ' ')} must look like #1f4e79")
            stored[key] = value.lower()
    if remove_logo:
        stored.pop("logo_data_uri", None)
    elif logo is not None:
        content_type, data = logo
        if content_type not in LOGO_TYPES:
            raise InvalidBranding(f"a logo must be one of {', '.join(LOGO_TYPES)}")
        if not 0 < len(data) <= MAX_LOGO_BYTES:
            raise InvalidBranding(f"a logo must be at most {MAX_LOGO_BYTES // 1000} KB")
        stored["logo_data_uri"] = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
    if email_logo_url is not None:
        url = email_logo_url.strip()
        if not url:
            stored.pop("email_logo_url", None)
        elif len(url) > MAX_LOGO_URL_CHARS or not _HTTPS_URL.match(url):
            raise InvalidBranding(
                "the emails' logo must be an https:// address of an image (mail clients block others), "
                f"at most {MAX_LOGO_URL_CHARS} characters"
            )
        else:
            stored["email_logo_url"] = url
    merchant.settings = {**(merchant.settings or {}), "branding": stored}
    uow.flush()
    return branding(uow, merchant_id)


# --- plain settings of other features ----------------------------------------------------------


def setting(uow: UnitOfWork, merchant_id: str, name: str) -> Any:
    """One of the merchant's plain settings (a JSON value), or None when never set."""
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    return (merchant.settings or {}).get("features", {}).get(name)


def set_setting(uow: UnitOfWork, merchant_id: str, name: str, value: Any) -> None:
    """Keep one plain setting; the feature that owns it checked the value."""
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    features = {**(merchant.settings or {}).get("features", {}), name: value}
    merchant.settings = {**(merchant.settings or {}), "features": features}
    uow.flush()
