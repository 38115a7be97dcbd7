"""Carrier knowledge: tracking-number formats and, later, one folder per carrier."""
