"""FedEx Track API client: an OAuth token, then batches of up to 30 numbers per ``POST``.

Sources: FedEx API Authorization, https://developer.fedex.com/api/en-us/catalog/authorization/docs.html
(``POST /oauth/token`` with form fields ``grant_type=client_credentials``, ``client_id`` (the
API key) and ``client_secret``; a token lives an hour), and FedEx Track API,
https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html
(``POST /track/v1/trackingnumbers`` with ``includeDetailedScans`` and ``trackingInfo``, "Maximum
limit is 30" tracking numbers per request; unknown numbers come back inside a 200 answer).
Rate limits: https://developer.fedex.com/api/en-us/guides/ratelimits.html (1,400
transactions per 10 seconds per project, plus a daily quota answered with 429).
"""

from __future__ import annotations

from collections.abc import Sequence

from ordertrack.carriers.http import CarrierHttp, TrackingClient, chunks
from ordertrack.carriers.oauth import OAuthClientCredentials

PRODUCTION_BASE_URL = "https://apis.fedex.com"
SANDBOX_BASE_URL = "https://apis-sandbox.fedex.com"
# Far below 140/s: one merchant's polling shares the project quota with its shipping calls.
REQUESTS_PER_SECOND = 10.0
BATCH_SIZE = 30  # the Track API's documented maximum of trackingInfo entries

OAUTH = OAuthClientCredentials(token_path="/oauth/token", credentials_in="form")


def tracking_request(numbers: Sequence[str]) -> dict[str, object]:
    """The Track API body for one batch."""
    return {
        "includeDetailedScans": True,
        "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": number}} for number in numbers],
    }


class FedexTrackingClient:
    """Batches numbers, one response body per batch of at most ``BATCH_SIZE``."""

    def __init__(self, http: CarrierHttp) -> None:
        self.http = http

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        bodies = []
        for batch in chunks(tracking_numbers, BATCH_SIZE):
            response = await self.http.request(
                "POST",
                "/track/v1/trackingnumbers",
                oauth=OAUTH,
                headers={"Accept": "application/json", "X-locale": "en_US"},
                json=tracking_request(batch),
            )
            bodies.append(response.content)
        return bodies


def make_client(http: CarrierHttp) -> TrackingClient:
    http.adopt_carrier_rate(REQUESTS_PER_SECOND)
    return FedexTrackingClient(http)
