"""Learning partnerships: built by the learning partners issue."""
