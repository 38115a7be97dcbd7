"""UPS, read from the Track API (``GET /api/track/v1/details/{inquiryNumber}``).

Webhooks (UPS Track Alert) are out of scope for now, so there is no verifier; a polling
client may join this folder as ``client.py``.
"""

from ordertrack.carriers.registry import Connector
from ordertrack.carriers.ups.mapping import read

CONNECTOR = Connector(
    slug="ups",
    name="UPS",
    kind="carrier",
    read=read,
    media_type="json",
    verify_webhook=None,
    tracking_url="https://www.ups.com/track?tracknum={number}",
)
