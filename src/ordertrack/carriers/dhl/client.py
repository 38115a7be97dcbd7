"""DHL Shipment Tracking - Unified client: an API key header, one ``GET`` per number.

Source: DHL Shipment Tracking - Unified, https://developer.dhl.com/api-reference/shipment-tracking
(``GET /track/shipments?trackingNumber=...`` on ``https://api-eu.dhl.com``, the key in the
``DHL-API-Key`` header, no OAuth; an unknown number is a 404 problem document "No result
found"; the starter service level allows 1 call per second and 250 per day, 429 beyond).
karrio's dhl_universal proxy makes the same call.
"""

from __future__ import annotations

from collections.abc import Sequence

from ordertrack.carriers.errors import CarrierAuthFailed
from ordertrack.carriers.http import CarrierHttp, TrackingClient

PRODUCTION_BASE_URL = "https://api-eu.dhl.com"
# The sandbox of the same API (developer.dhl.com, "Test" environment): canned answers for
# DHL's sample numbers, its own test API key.
SANDBOX_BASE_URL = "https://api-test.dhl.com"
REQUESTS_PER_SECOND = 1.0  # the starter service level's "maximum calls per second"


class DhlTrackingClient:
    """One request per number, authenticated by the account's API key."""

    def __init__(self, http: CarrierHttp) -> None:
        self.http = http

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        api_key = self.http.account.api_key
        if not api_key:
            raise CarrierAuthFailed("the DHL account has no API key", carrier=self.http.carrier)
        bodies = []
        for number in tracking_numbers:
            response = await self.http.request(
                "GET",
                "/track/shipments",
                headers={"Accept": "application/json", "DHL-API-Key": api_key},
                params={"trackingNumber": number},
                body_statuses=(404,),
            )
            bodies.append(response.content)
        return bodies


def make_client(http: CarrierHttp) -> TrackingClient:
    http.adopt_carrier_rate(REQUESTS_PER_SECOND)
    return DhlTrackingClient(http)
