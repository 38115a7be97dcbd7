"""Shippo, the aggregator: Track objects and its ``track_updated`` webhook bodies."""

from ordertrack.carriers.registry import Connector
from ordertrack.carriers.shippo.mapping import read
from ordertrack.carriers.shippo.webhook import verify

CONNECTOR = Connector(
    slug="shippo",
    name="Shippo",
    kind="aggregator",
    read=read,
    verify_webhook=verify,
)
