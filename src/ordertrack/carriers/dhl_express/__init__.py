"""DHL Express XML Services (XML-PI) ``TrackingResponse``: DHL Express air waybills, by XML."""

from ordertrack.carriers.dhl_express.mapping import read
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="dhl_express",
    name="DHL Express",  # the XML-PI feed; the unified JSON API is the "dhl" connector
    kind="carrier",
    read=read,
    media_type="xml",
    tracking_url="https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={number}",
)
