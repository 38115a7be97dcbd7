"""DHL Shipment Tracking - Unified API (JSON): every DHL business's tracking in one shape."""

from ordertrack.carriers.dhl.mapping import read
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="dhl",
    name="DHL",
    kind="carrier",
    read=read,
    media_type="json",
    tracking_url="https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
)
