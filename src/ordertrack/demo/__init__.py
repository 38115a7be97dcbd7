"""Demo data: a seeded merchant with orders, shipments and carrier scans to explore."""
