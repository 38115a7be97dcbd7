"""Background jobs: the loop that ``ordertrack worker`` and ``serve`` (embedded) run."""
