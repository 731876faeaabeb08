"""The scale benchmark (make bench) and the synthetic zone it measures: a tool outside the floors, which may import every app."""
