"""UPS Track API client: an OAuth token, then one ``GET`` per tracking number.

Sources: UPS OAuth Client Credentials, https://developer.ups.com/api/reference/oauth/client-credentials
(``POST /security/v1/oauth/token``, HTTP Basic client_id:client_secret, form body
``grant_type=client_credentials``, optional ``x-merchant-id`` with the shipper number; a token
lives about four hours and ``expires_in`` comes as a string), and UPS Tracking API,
https://developer.ups.com/api/reference?loc=en_US#tag/Tracking
(``GET /api/track/v1/details/{inquiryNumber}`` with the ``transId`` and ``transactionSrc``
headers, each at most 32 characters). karrio's UPS proxy (karrioapi/karrio,
modules/connectors/ups) calls the same endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from urllib.parse import quote

from ordertrack.carriers.http import CarrierHttp, TrackingClient
from ordertrack.carriers.oauth import OAuthClientCredentials

PRODUCTION_BASE_URL = "https://onlinetools.ups.com"
SANDBOX_BASE_URL = "https://wwwcie.ups.com"  # UPS's Customer Integration Environment
# UPS publishes no per-second figure for the Track API; stay well below anything abusive.
REQUESTS_PER_SECOND = 5.0
TRANSACTION_SOURCE = "ordertrack"

OAUTH = OAuthClientCredentials(
    token_path="/security/v1/oauth/token",
    credentials_in="basic",
    account_header="x-merchant-id",
)


class UpsTrackingClient:
    """One request per number: the Track API takes a single inquiry number in its path."""

    def __init__(self, http: CarrierHttp) -> None:
        self.http = http

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        bodies = []
        for number in tracking_numbers:
            response = await self.http.request(
                "GET",
                f"/api/track/v1/details/{quote(number, safe='')}",
                oauth=OAUTH,
                headers={
                    "Accept": "application/json",
                    "transId": uuid.uuid4().hex,  # 32 characters, unique per request
                    "transactionSrc": TRANSACTION_SOURCE,
                },
                # An unknown or malformed number is that number's answer (TW0001 / TV1002 in
                # the body), read by the mapping as a message, not a failure of the batch.
                body_statuses=(400, 404),
            )
            bodies.append(response.content)
        return bodies


def make_client(http: CarrierHttp) -> TrackingClient:
    http.adopt_carrier_rate(REQUESTS_PER_SECOND)
    return UpsTrackingClient(http)
