"""manage.py demo_data: every app's part of the demo zone, floor by floor, the same zone at every run."""

import datetime as dt
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from enterprises.models import Enterprise
from stewards.models import Steward, StewardAssignment
from zonehub.demo import LOGIN_HELP
from zonehub.models import User
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in ("zonehub", "enterprises", "stewards", "projects", "evaluations")}


def test_demo_data_builds_every_floor_once_and_prints_the_logins():
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=False):
        call_command("demo_data", stdout=out)
        counts = _counts()
        call_command("demo_data", stdout=io.StringIO())
        assert _counts() == counts  # running it again adds nothing, anywhere
    assert "demo data ready" in out.getvalue()
    for username, _what in LOGIN_HELP:
        assert f"  {username} " in out.getvalue()
        assert User.objects.get(username=username).check_password("zonehub2026")
    # The organisation (core), the enterprises and their logins, the stewards and whom they serve.
    assert (User.objects.count(), Enterprise.objects.count(), Steward.objects.count()) == (103, 150, 40)
    assert Enterprise.objects.filter(steward_assignments__isnull=True).count() == 4  # the coverage page's work
    assert StewardAssignment.objects.filter(steward__user__username="steward").exists()
    # The floors above: requests, projects and the five-key list, a closed campaign.
    assert counts["stewards.ServiceRequest"] > 0 and counts["projects.Project"] == 40
    assert counts["projects.FiveKeyItem"] == 60 and counts["evaluations.Campaign"] >= 1


def test_demo_data_if_empty_leaves_a_database_with_users_alone():
    User.objects.create_user("someone", password="x")
    out = io.StringIO()
    call_command("demo_data", if_empty=True, stdout=out)
    assert "database already has data" in out.getvalue() and not Enterprise.objects.exists()
