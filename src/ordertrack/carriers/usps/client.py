"""USPS Tracking 3.0 client: an OAuth token, then one ``GET`` per tracking number.

Sources: USPS OAuth 2.0, https://developers.usps.com/Oauth (``POST /oauth2/v3/token``,
``grant_type=client_credentials`` with ``client_id`` and ``client_secret``, as a form or JSON;
tokens carry ``expires_in``), and USPS Tracking 3.0, https://developers.usps.com/trackingv3r2
(``GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL`` for every scan, not just the
summary). The USPS/api-examples repository and karrio's USPS proxy use the same calls.
USPS grants new apps a quota of 60 requests per hour unless raised on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from ordertrack.carriers.http import CarrierHttp, TrackingClient
from ordertrack.carriers.oauth import OAuthClientCredentials

PRODUCTION_BASE_URL = "https://apis.usps.com"
SANDBOX_BASE_URL = "https://apis-tem.usps.com"
# The default quota: 60 requests an hour. Merchants with a raised quota set their own rate.
REQUESTS_PER_SECOND = 60 / 3600

OAUTH = OAuthClientCredentials(token_path="/oauth2/v3/token", credentials_in="form")


class UspsTrackingClient:
    """One request per number; the tracking path takes a single number."""

    def __init__(self, http: CarrierHttp) -> None:
        self.http = http

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        bodies = []
        for number in tracking_numbers:
            response = await self.http.request(
                "GET",
                f"/tracking/v3/tracking/{quote(number, safe='')}",
                oauth=OAUTH,
                headers={"Accept": "application/json"},
                params={"expand": "DETAIL"},
                # USPS answers a number it does not know or cannot parse with an error body
                # for that number; the mapping turns it into a message.
                body_statuses=(400, 404),
            )
            bodies.append(response.content)
        return bodies


def make_client(http: CarrierHttp) -> TrackingClient:
    http.adopt_carrier_rate(REQUESTS_PER_SECOND)
    return UspsTrackingClient(http)
