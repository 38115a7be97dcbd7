"""The carrier connectors: one folder per carrier under ``ordertrack.carriers``, found at import.

A folder is a connector when its ``__init__.py`` defines ``CONNECTOR``; adding a carrier
is adding a folder. Nothing here knows a carrier with a folder by name: its connector names it.

This is also the one table of carrier display names (:func:`carrier_name`): every page, email,
API answer and CLI line names a carrier through it, so ``dhl`` reads "DHL" everywhere.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from ordertrack.carriers.reading import Reading
from ordertrack.kit.errors import NotFound, Unauthorized


class UnknownCarrier(NotFound):
    code = "unknown_carrier"


class BadSignature(Unauthorized):
    code = "bad_signature"


class WebhookVerifier(Protocol):
    def __call__(self, body: bytes, headers: Mapping[str, str], secret: str, *, now: float) -> None:
        """Return when ``body`` was signed with ``secret`` recently enough; else raise BadSignature.

        ``headers`` are lower-cased. ``now`` is the current Unix time, so tests can replay.
        """


@dataclass(frozen=True)
class Connector:
    slug: str
    name: str
    kind: Literal["carrier", "aggregator"]
    read: Callable[[bytes], Reading]  # pure: raw payload -> what it says
    media_type: Literal["json", "xml"] = "json"
    verify_webhook: WebhookVerifier | None = None  # None: the sender does not sign
    tracking_url: str | None = None  # the carrier's own page, with {number}

    def page_for(self, tracking_number: str) -> str | None:
        return self.tracking_url.format(number=tracking_number) if self.tracking_url else None


@functools.cache
def connectors() -> dict[str, Connector]:
    """Every connector, by slug."""
    import ordertrack.carriers as package  # noqa: PLC0415

    found: dict[str, Connector] = {}
    for module in pkgutil.iter_modules(package.__path__):
        if not module.ispkg:
            continue
        connector = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "CONNECTOR", None)
        if isinstance(connector, Connector):
            if connector.slug in found:
                raise RuntimeError(f"two carrier folders claim the slug {connector.slug!r}")
            found[connector.slug] = connector
    return dict(sorted(found.items()))


def connector(slug: str) -> Connector:
    found = connectors().get(slug.lower())
    if found is None:
        known = ", ".join(connectors())
        raise UnknownCarrier(f"no carrier connector {slug!r}; known: {known}")
    return found


# Carriers recognised by their tracking numbers (carriers.tracking_numbers) that have no folder.
_NAMED_WITHOUT_CONNECTOR = {
    "dpd": "DPD",
    "amazon": "Amazon Logistics",
    "ontrac": "OnTrac",
    "lasership": "LaserShip",
    "purolator": "Purolator",
    "own": "own courier",  # tracking_numbers.OWN_CARRIER: the merchant's own numbers
}


def carrier_name(slug: str) -> str:
    """How a carrier is named to people: its connector's name, else the name of a carrier known
    only by its numbers, else the slug in capitals."""
    found = connectors().get(slug)
    if found is not None:
        return found.name
    return _NAMED_WITHOUT_CONNECTOR.get(slug, slug.upper())


def carrier_names() -> dict[str, str]:
    """Every carrier that can be named (not the aggregators), by slug, in the order people read them."""
    names = {slug: c.name for slug, c in connectors().items() if c.kind == "carrier"}
    names.update(_NAMED_WITHOUT_CONNECTOR)
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))
