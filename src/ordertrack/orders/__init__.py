"""Orders, their lines and their derived status."""
