"""AfterShip, the aggregator: tracking results of its Tracking API and its ``tracking_update`` webhooks."""

from ordertrack.carriers.aftership.mapping import read
from ordertrack.carriers.aftership.webhook import verify
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="aftership",
    name="AfterShip",
    kind="aggregator",
    read=read,
    verify_webhook=verify,
)
