"""Unified tracking events: ingest, matching to parcels, derived status and lookup."""
