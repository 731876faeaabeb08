"""A Redis cache that fails open.

The cache holds what can be recomputed or forgotten: rate-limit counts and the leader's charts.
When Redis is down, a page must still answer and a submission must still be saved, so every cache
call that cannot reach Redis is logged and answered as a miss (``get``), as done (``set``,
``add``: the counter starts again, so a rate limit lets the request through) or as nothing
(``delete``). Data a user submitted never depends on it.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _warn(operation: str) -> None:
    logger.warning("cache unreachable: %s answered as a miss", operation, exc_info=True)


# Once Redis failed to answer, calls skip it for this long (per process), so a page that makes
# several cache calls while Redis hangs waits for one timeout, not one per call.
RETRY_AFTER_SECONDS = 15


def _fail_open(fallback):
    """The operation as RedisCache does it; when Redis cannot be reached, or failed to answer a
    moment ago, ``fallback(*args)`` instead (a miss, done, or nothing)."""

    def decorate(method):
        name = method.__name__

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < FailOpenRedisCache.down_until:
                return fallback(*args, **kwargs)
            try:
                return getattr(super(FailOpenRedisCache, self), name)(*args, **kwargs)
            except UNREACHABLE:
                FailOpenRedisCache.down_until = time.monotonic() + RETRY_AFTER_SECONDS
                _warn(name)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


class FailOpenRedisCache(RedisCache):
    down_until = 0.0

    @_fail_open(_default)
    def get(self, key, default=None, version=None): ...

    @_fail_open(lambda *args, **kwargs: {})
    def get_many(self, keys, version=None): ...

    @_fail_open(lambda *args, **kwargs: False)
    def has_key(self, key, version=None): ...

    @_fail_open(lambda *args, **kwargs: True)  # the counter starts again: a rate limit lets the request through
    def add(self, key, value, timeout=None, version=None): ...

    @_fail_open(lambda *args, **kwargs: None)
    def set(self, key, value, timeout=None, version=None): ...

    @_fail_open(lambda data, *args, **kwargs: list(data))
    def set_many(self, data, timeout=None, version=None): ...

    @_fail_open(lambda *args, **kwargs: False)
    def touch(self, key, timeout=None, version=None): ...

    @_fail_open(lambda key, delta=1, version=None: delta)
    def incr(self, key, delta=1, version=None): ...

    @_fail_open(lambda *args, **kwargs: False)
    def delete(self, key, version=None): ...

    @_fail_open(lambda *args, **kwargs: None)
    def delete_many(self, keys, version=None): ...


# --- The zone-wide dashboards' generation ------------------------------------------------------
# The leader's zone-wide figures are cached (portal.dashboard.zone_wide), but a user's own change
# must show on their next page. Every write that changes what they count bumps a generation token
# once its transaction commits (record_event does it for every state change); zone_wide puts the
# token in its key, so the next view recomputes. A token, not a counter: if the cache forgets it,
# the new one cannot collide with keys an old counter value wrote.
DASHBOARD_GENERATION_KEY = "zonehub:dashboard-generation"


def dashboard_generation() -> str:
    """The current token (one cache read); a new one is stored when the cache has none."""
    from django.core.cache import cache

    token = cache.get(DASHBOARD_GENERATION_KEY)
    if token is None:
        token = _new_token()
        if not cache.add(DASHBOARD_GENERATION_KEY, token, None):
            token = cache.get(DASHBOARD_GENERATION_KEY) or token
    return str(token)


def bump_dashboard_generation() -> None:
    """Make every cached zone-wide figure stale now."""
    from django.core.cache import cache

    cache.set(DASHBOARD_GENERATION_KEY, _new_token(), None)


def bump_dashboard_generation_on_commit(using=None) -> None:
    """``bump_dashboard_generation`` once the current transaction commits (at once outside one),
    scheduled once per (sub)transaction however many rows it writes: a second call in the same
    savepoint adds nothing, in constant time (a long transaction, such as the demo's year, records
    tens of thousands of events)."""
    from django.db import transaction

    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        # Django replaces its list of on-commit callbacks on commit and on a savepoint rollback: the
        # marks are kept with the list they describe, so they never outlive it.
        marks = getattr(connection, "_dashboard_bump_marks", None)
        if marks is None or marks[0] is not connection.run_on_commit:
            marks = (connection.run_on_commit, set())
            connection._dashboard_bump_marks = marks
        key = tuple(connection.savepoint_ids)
        if key in marks[1]:
            return
        marks[1].add(key)
    transaction.on_commit(bump_dashboard_generation, using=using)


def _new_token() -> str:
    import time
    import uuid

    return f"{time.time_ns():x}{uuid.uuid4().hex[:8]}"
