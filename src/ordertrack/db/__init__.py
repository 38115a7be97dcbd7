"""Engine, unit of work, shared metadata and migrations."""
