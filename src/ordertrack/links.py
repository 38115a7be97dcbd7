"""Signed links that services and pages both make (tracking pages, unsubscribe, documents)."""
