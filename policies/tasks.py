"""Celery tasks of the policies app: thin, take ids, safe to run twice (the services guard every
effect with the push's unique constraint, conditional stamps and notification dedupe keys)."""

from celery import shared_task


@shared_task
def pushes_notify_task():
    """After a publication or a re-match: tell each enterprise and its steward of the new pushes."""
    from policies.services import pushes_notify

    return pushes_notify()


@shared_task
def policy_match_task(policy_id: int):
    """A published policy changed: push it to the enterprises it now reaches."""
    from policies.services import policy_push_matches

    return policy_push_matches(policy_ids=[policy_id])


@shared_task
def enterprises_match_task(enterprise_ids: list[int]):
    """Enterprises' data changed (tags, indicators, chain, size): push them what they now qualify for."""
    from policies.services import policy_push_matches

    return policy_push_matches(enterprise_ids=enterprise_ids)


@shared_task
def policy_match_sweep_task():
    """Daily: every open policy against every enterprise, for what no signal told (bulk writes,
    years in the zone that came round)."""
    from policies.services import policy_push_matches

    return policy_push_matches()


@shared_task
def policy_sweep_task():
    """Hourly: expired windows, pushes not yet told, reminders before a window closes."""
    from policies.services import policy_sweep

    return policy_sweep()
