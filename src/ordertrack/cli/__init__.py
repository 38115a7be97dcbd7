"""The ``ordertrack`` command line."""
