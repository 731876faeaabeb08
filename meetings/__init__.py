"""The steward's powers to convene and to supervise (会议召集权, 事项督办权, issue 16): meetings and
the workstation heads' joint meeting (联席会), their minutes and decisions on the working-day
clock, formal chase-ups (督办), and the official documents (Word) of each. A floor of its own
beside ``policies`` and ``supply`` (pyproject.toml)."""
