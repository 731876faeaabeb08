"""Fault tests (CI's PostgreSQL + Redis run): nothing lost, nothing done twice, when the worker is
killed, the broker stops, the database restarts, or fifty people click at once."""
