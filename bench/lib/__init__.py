"""Helpers shared by the bench/*.py scripts (this package itself is not a benchmark)."""
