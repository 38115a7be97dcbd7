"""Products the merchant sells."""
