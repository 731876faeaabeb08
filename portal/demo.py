"""The whole demo zone, floor by floor: each app's ``demo.py`` adds its part to what the floors
below it built (``ctx``). ``manage.py demo_data`` runs it; tests and browser tests build it here.

The organisation and the enterprises draw from one random stream (``seed``), the others each from
their own (``"{seed}-{app}"``), so the zone is the same at every run and an app's part does not
shift when another's changes. Running it again changes nothing."""

from __future__ import annotations

import random

from enterprises import demo as enterprises_demo
from evaluations import demo as evaluations_demo
from projects import demo as projects_demo
from stewards import demo as stewards_demo
from zonehub import demo as zonehub_demo

# Re-exported for the command and the tests: every demo login shares this password.
DEMO_PASSWORD = zonehub_demo.DEMO_PASSWORD
LOGIN_HELP = zonehub_demo.LOGIN_HELP


def build(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    ctx = zonehub_demo.build_organisation(rng)
    enterprises_demo.build(ctx, rng)
    stewards_demo.build(ctx, random.Random(f"{seed}-stewards"))
    projects_demo.build(ctx, random.Random(f"{seed}-projects"))
    evaluations_demo.build(ctx, random.Random(f"{seed}-evaluations"))
    return ctx
