"""Fulfilment documents: shipping labels (PDF and ZPL) and packing slips, rendered from plain data."""
