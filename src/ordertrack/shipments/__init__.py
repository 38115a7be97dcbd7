"""Shipments: what left which warehouse, by which carrier, in which parcels."""
