"""EasyPost, the aggregator: Tracker objects, tracker lists and ``tracker.updated`` webhook events."""

from ordertrack.carriers.easypost.mapping import read
from ordertrack.carriers.easypost.webhook import verify
from ordertrack.carriers.registry import Connector

CONNECTOR = Connector(
    slug="easypost",
    name="EasyPost",
    kind="aggregator",
    read=read,
    verify_webhook=verify,
)
