"""Where a carrier account's calls go: the connector's production or sandbox root.

A merchant chooses an environment, never a URL: a free-text URL made the poller fetch any
address and keep the answer readable in the quarantine (server-side request forgery). Each
pollable carrier's ``client.py`` declares ``PRODUCTION_BASE_URL`` and ``SANDBOX_BASE_URL``.
Only the operator can point a carrier elsewhere, for the whole process
(``ORDERTRACK_CARRIER_BASE_URLS``, for fake carriers in development and tests), and every call
still goes through the outgoing-address rule of :mod:`ordertrack.kit.outgoing`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ordertrack.config import Settings
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks

Environment = Literal["production", "sandbox"]
ENVIRONMENTS: tuple[Environment, ...] = ("production", "sandbox")


class NoSandbox(Unprocessable):
    code = "carrier_has_no_sandbox"


def connector_base_url(carrier: str, environment: str) -> str:
    """The carrier's own API root for ``environment``, as its ``client.py`` declares it."""
    module = importlib.import_module(f"ordertrack.carriers.{carrier}.client")
    if environment == "sandbox":
        sandbox: str | None = getattr(module, "SANDBOX_BASE_URL", None)
        if sandbox is None:
            raise NoSandbox(f"{carrier} has no sandbox; use the production environment")
        return sandbox
    if environment != "production":
        raise ValueError(f"unknown environment {environment!r}")
    return str(module.PRODUCTION_BASE_URL)


@dataclass(frozen=True)
class CarrierTargets:
    """The process's carrier roots (the connectors', unless the operator overrode one) and
    the outgoing-address rule their calls follow."""

    base_urls: Mapping[str, str] = field(default_factory=dict)
    outgoing: OutgoingPolicy = OutgoingPolicy()

    @classmethod
    def from_settings(cls, settings: Settings) -> CarrierTargets:
        return cls(
            base_urls=dict(settings.carrier_base_urls),
            outgoing=OutgoingPolicy(allowed_networks=parse_networks(settings.outgoing_allowed_networks)),
        )

    def base_url(self, carrier: str, environment: str) -> str:
        return self.base_urls.get(carrier) or connector_base_url(carrier, environment)
