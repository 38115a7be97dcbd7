"""Domain-agnostic building blocks: clock, ids, errors, pagination."""
