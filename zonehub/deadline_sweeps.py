"""Other apps' deadlines on the one deadline sweep (DESIGN.md rule 3).

The stewards app runs the sweep (``stewards.services.sweep.deadline_sweep``, beat every minute).
An app above it with deadlines of its own (a meeting's decisions, its invitations) registers a
function here in its ``AppConfig.ready``; the sweep calls every registered function after its own
work, before it sends the pending notifications. So the stewards app never imports the apps
above it, and every deadline of the zone rides one schedule.

A registered function takes ``now`` and returns a dict of counts (those not zero are merged into
the sweep's own, prefixed with its name). It owns its exactly-once guarantees (conditional UPDATEs whose WHERE
repeats the due condition) and its transactions. One that raises is logged and left for the next
run: it stops neither the others nor the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_SWEEPS: dict[str, Callable[..., dict]] = {}


def register_deadline_sweep(name: str, fn: Callable[..., dict]) -> None:
    """Run ``fn(now=...)`` on every deadline sweep; registering the same name again replaces it."""
    _SWEEPS[name] = fn


def registered_deadline_sweeps() -> dict[str, Callable[..., dict]]:
    return dict(_SWEEPS)


def run_deadline_sweeps(*, now) -> dict[str, int]:
    """Every registered sweep, in the order registered; the counts that are not zero, as
    ``{name}_{count}`` (a sweep that found nothing due adds nothing to the stewards' counts)."""
    from celery.exceptions import SoftTimeLimitExceeded

    counts: dict[str, int] = {}
    for name, fn in list(_SWEEPS.items()):
        try:
            result = fn(now=now) or {}
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # noqa: BLE001 - logged with its traceback; the other sweeps go on
            logger.exception("deadline sweep %s failed; left for the next run", name)
            continue
        counts.update({f"{name}_{key}": value for key, value in result.items() if value})
    return counts
