"""A carrier-network simulator: orders, shipments and carrier journeys with real-world faults."""
