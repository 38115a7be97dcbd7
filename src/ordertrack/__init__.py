"""ordertrack: self-hosted order tracking for online shops."""

__version__ = "0.1.0"
