"""The whole demo zone: a year of a real zone, lived through the real services with the clock moved.

``build`` sets the zone up at the replay's launch (the organisation, the enterprises, who serves
whom), lets each app's ``demo.py`` put its part of the year on the replay (``zonehub.demo.Replay``:
requests, escalations, visits and complaint meetings; projects and the five-key list; rating
campaigns and department grades, each with its app's beat tasks), and plays the year from about
twelve months ago to now. Every chart, ranking and grade on the home pages is then what the real
services and tasks made of that year.

Each floor draws from its own random stream (``"{seed}-{app}"``), so the zone is the same at every
run and an app's part does not shift when another's changes. Running it again changes nothing: a
zone that has lived its year is not replayed (``zonehub.demo.build_zone``)."""

from __future__ import annotations

from enterprises import demo as enterprises_demo
from evaluations import demo as evaluations_demo
from meetings import demo as meetings_demo
from policies import demo as policies_demo
from projects import demo as projects_demo
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest
from supply import demo as supply_demo
from zonehub import demo as zonehub_demo

# Re-exported for the command and the tests: every demo login shares this password.
DEMO_PASSWORD = zonehub_demo.DEMO_PASSWORD
LOGIN_HELP = zonehub_demo.LOGIN_HELP


FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build),
          ("projects", projects_demo.build), ("evaluations", evaluations_demo.build),
          ("policies", policies_demo.build), ("meetings", meetings_demo.build),
          ("supply", supply_demo.build)]


def build(seed: int = 2026) -> dict:
    return zonehub_demo.build_zone(seed, FLOORS, lived=ServiceRequest.objects.exists)
