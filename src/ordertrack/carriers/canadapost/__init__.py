"""Canada Post: the tracking details XML of its Developer Program web services (track-v2)."""

from ordertrack.carriers.canadapost.mapping import read
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="canadapost",
    name="Canada Post",
    kind="carrier",
    read=read,
    media_type="xml",
    tracking_url="https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}",
)
