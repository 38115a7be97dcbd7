"""USPS Tracking API v3: a tracking response (polled) read into ordertrack's scans."""

from ordertrack.carriers.registry import Connector
from ordertrack.carriers.usps.mapping import read

CONNECTOR = Connector(
    slug="usps",
    name="USPS",
    kind="carrier",
    read=read,
    media_type="json",
    tracking_url="https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
)
