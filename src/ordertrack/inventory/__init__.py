"""Warehouses, stock levels, the stock movement ledger, reservations and backorders."""
