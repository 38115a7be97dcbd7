"""Use cases that span features: shipping (part of) an order."""
