"""FedEx, read from the Track API (``POST /track/v1/trackingnumbers``).

FedEx tracking webhooks are out of scope for now, so there is no verifier; a polling
client may join this folder as ``client.py``.
"""

from ordertrack.carriers.fedex.mapping import read
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="fedex",
    name="FedEx",
    kind="carrier",
    read=read,
    media_type="json",
    verify_webhook=None,
    tracking_url="https://www.fedex.com/fedextrack/?trknbr={number}",
)
