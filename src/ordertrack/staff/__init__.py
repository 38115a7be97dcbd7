"""Merchant staff: accounts that sign in to the dashboard."""
