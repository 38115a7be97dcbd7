"""Suppliers, their terms per SKU, and the purchase orders placed with them (docs/suppliers.md)."""
