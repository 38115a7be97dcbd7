"""The shoppers who place orders."""
