"""HTTP edge: app assembly, authentication, error rendering, idempotency."""
