"""Zone-wide tallies: what the leaders' home page counts over the whole zone, kept in a small
table (``Tally``) instead of counted on every view (issue 15).

An app registers a tally with ``register_tally(name, compute)`` in its ``AppConfig.ready``:
``compute()`` returns JSON-ready counts (or, for the portal, the leaders' home page built). The
beat counts every tally again each ``ZONEHUB_TALLY_SECONDS`` (``zonehub.tasks.tallies_refresh_task``),
so a page reads them in one query whatever the zone holds, on its first view in a fresh process
too, and says when they were counted. A tally never counted, or not counted for five periods (the
beat is down), is counted by the page that asks for it, and stored. With ``ZONEHUB_TALLY_SECONDS =
0`` tallies are off: ``tallies`` answers nothing and each caller counts live, in its user's scope
(the tests, which read what they just wrote).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone

from zonehub.models import Tally

logger = logging.getLogger(__name__)

_TALLIES: dict[str, Callable[[], Any]] = {}

# A tally older than this many periods is counted again by the page (the beat is not running).
STALE_PERIODS = 5


class Counted(NamedTuple):
    data: Any
    computed_at: dt.datetime


def register_tally(name: str, compute: Callable[[], Any]) -> None:
    """Keep ``compute()`` as the tally ``name``; registering the same name again replaces it."""
    _TALLIES[name] = compute


def _store(name: str, *, now: dt.datetime) -> Counted:
    data = _TALLIES[name]()
    # One statement, safe when two processes count the same tally at once.
    Tally.objects.bulk_create([Tally(name=name, data=data, computed_at=now)], update_conflicts=True,
                              unique_fields=["name"], update_fields=["data", "computed_at"])
    return Counted(data, now)


def tallies(*names: str) -> dict[str, Counted]:
    """The tallies ``names`` with when each was counted: one query when all are fresh; nothing
    when tallies are off (``ZONEHUB_TALLY_SECONDS = 0``)."""
    now = timezone.now()
    seconds = settings.ZONEHUB_TALLY_SECONDS
    if not seconds:
        return {}
    stored = {t.name: Counted(t.data, t.computed_at) for t in Tally.objects.filter(name__in=names)}
    oldest = now - dt.timedelta(seconds=seconds * STALE_PERIODS)
    for name in names:
        if name not in stored or stored[name].computed_at < oldest:
            stored[name] = _store(name, now=now)
    return stored


def tallies_refresh() -> int:
    """Count every registered tally again (the beat). One that fails is logged and keeps its last
    counts: it stops neither the others nor the pages."""
    done = 0
    for name in list(_TALLIES):
        try:
            _store(name, now=timezone.now())
        except Exception:  # noqa: BLE001 - logged with its traceback; the others go on
            logger.exception("tally %s failed; its last counts stay", name)
            continue
        done += 1
    return done
