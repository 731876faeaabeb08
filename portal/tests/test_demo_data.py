"""manage.py demo_data: every app's part of the demo zone, a year lived through the real services,
the same zone at every run; and what the first pages a visitor opens make of it."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from enterprises.models import Enterprise
from stewards.models import Steward, StewardAssignment
from zonehub.demo import LOGIN_HELP
from zonehub.models import Event, Role, User
from zonehub.workdays import SHANGHAI

NOW = dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)  # a Monday morning, before the December survey

pytestmark = pytest.mark.django_db


def test_demo_data_if_empty_leaves_a_database_with_users_alone():
    # First in the module: it runs before the module's zone is built.
    User.objects.create_user("someone", password="x")
    out = io.StringIO()
    call_command("demo_data", if_empty=True, stdout=out)
    assert "database already has data" in out.getvalue() and not Enterprise.objects.exists()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        out = io.StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _login(client, username):
    assert client.post(reverse("login"), {"username": username, "password": "zonehub2026"}).status_code == 302


def test_demo_data_builds_every_floor_once_and_prints_the_logins(built):
    assert "demo data ready" in built
    for username, _what in LOGIN_HELP:
        assert f"  {username} " in built
        assert User.objects.get(username=username).check_password("zonehub2026")
    counts = (User.objects.count(), Event.objects.count(), StewardAssignment.objects.count())
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        call_command("demo_data", stdout=io.StringIO())
    assert (User.objects.count(), Event.objects.count(), StewardAssignment.objects.count()) == counts
    # The organisation (core), the enterprises each with its login, the stewards and whom they serve.
    assert (Enterprise.objects.count(), Steward.objects.filter(user__role=Role.STEWARD).count()) == (150, 40)
    assert User.objects.filter(role=Role.ENTERPRISE).count() == 150
    assert Enterprise.objects.filter(steward_assignments__isnull=True).count() == 4  # the coverage page's work
    assert StewardAssignment.objects.filter(steward__user__username="steward").exists()


def test_no_person_has_two_roles_or_a_namesake(built):
    people = {}
    for user in User.objects.exclude(role__in=[Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]):
        name = user.name.split(" ")[-1].removesuffix("（站长）")  # "发改 王伟", "李霞（站长）"
        assert name not in people, (user.username, people.get(name))
        people[name] = user.username
    for enterprise in Enterprise.objects.all():
        assert enterprise.legal_representative not in people


def test_the_leaders_home_shows_six_months_of_replies_grades_and_the_five_key_list(built, client):
    _login(client, "leader")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="on-time-too-little"' not in page
    table = page[page.index('data-testid="on-time-table"'):]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><th class=\"text-start\">(.*?)</tr>", table, re.S)
    assert len(rows) >= 10
    months_with_data = [len(re.findall(r"\d+(?:\.\d)?%", row)) for row in rows]
    assert sum(n >= 4 for n in months_with_data) >= 8, months_with_data
    # Last month's grades: more than one letter, explained by their figures.
    grades = client.get(reverse("evaluations:grade_list") + "?month=2026-10").content.decode()
    letters = set(re.findall(r'<span class="badge text-bg-\w+">([ABCD])</span>', grades))
    assert len(letters) >= 2, letters
    ranking = client.get(reverse("projects:ranking") + "?year=2026&month=10").content.decode()
    assert len(re.findall(r"<tr data-unit=", ranking)) >= 8


def test_the_first_half_survey_is_closed_with_its_replacements_and_the_second_not_open_yet(built, client):
    from evaluations.models import Campaign, ReplacementCase

    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.half, campaign.status) == (2026, "H1", "closed")
    cases = ReplacementCase.objects.all()
    assert cases.exists() and not cases.filter(status=ReplacementCase.Status.PENDING).exists()
    _login(client, "head")
    assert client.get(reverse("evaluations:case_list")).status_code == 200
