"""The supplier's link: one purchase order's page, for a supplier without an account."""
