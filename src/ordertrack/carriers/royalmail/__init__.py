"""Royal Mail: the JSON of its Tracking API v2 (events and summary operations)."""

from ordertrack.carriers.registry import Connector
from ordertrack.carriers.royalmail.mapping import read

CONNECTOR = Connector(
    slug="royalmail",
    name="Royal Mail",
    kind="carrier",
    read=read,
    media_type="json",
    tracking_url="https://www.royalmail.com/track-your-item#/tracking-results/{number}",
)
