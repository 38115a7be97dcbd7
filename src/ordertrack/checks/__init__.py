"""The scheduled shipment checks: promises revised and attention opened or closed."""
