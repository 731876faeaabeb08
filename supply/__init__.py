"""Industry chains and in-zone supply matchmaking (产业链撮合, 三方购销, issue 18): the operations
centre's work. A floor of its own beside ``policies`` (pyproject.toml)."""
