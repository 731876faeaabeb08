"""Issue 13, item 4: every rate of the steward appraisal is counted over one set of rows (never
above 100%), the monthly visits are computed, and each figure opens the rows behind it."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from stewards import services
from stewards.models import ServiceRequest, StewardAssignment, Visit
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=SHANGHAI)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def href(html, testid):
    match = re.search(rf'href="([^"]+)" data-testid="{testid}"', html)
    assert match, testid
    return match.group(1).replace("&amp;", "&")


def rows_behind(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.context is not None and "paginator" in response.context:
        return response.context["paginator"].count
    return response.json()["count"]


@pytest.fixture
def escalations(zone):
    """Steward A's escalations of 2026: one answered on time, one answered early though not yet
    due (counted on time, once it is decided), one overdue without a reply, one returned, and one
    whose request was handed to steward B before the department answered it on time."""
    StewardAssignment.objects.filter(enterprise=zone.ent_a).update(started_at=at(2025, 12, 1))
    a = zone.steward_a
    req = ServiceRequestFactory(enterprise=zone.ent_a, steward=a, created_at=at(2026, 3, 2))
    EscalationFactory(request=req, department=zone.dept_a, due_at=at(2026, 3, 6), clock_stopped_at=at(2026, 3, 5))
    EscalationFactory(request=req, department=zone.dept_b, due_at=at(2026, 4, 20), clock_stopped_at=at(2026, 4, 14))
    EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a, steward=a, created_at=at(2026, 3, 9)),
                      department=zone.dept_a, due_at=at(2026, 3, 12))
    EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a, steward=a, created_at=at(2026, 3, 9)),
                      department=zone.dept_b, due_at=at(2026, 3, 12), clock_stopped_at=at(2026, 3, 10),
                      returned_at=at(2026, 3, 10), status="returned")
    # Escalated by A, handed over to B, answered (on time) after the hand-over.
    with time_machine.travel(at(2026, 4, 13, 9), tick=False):
        moved = services.request_submit(actor=zone.ent_user_a, category="factors", title="交接后答复的诉求",
                                        description="说明")
        services.request_accept(request=moved, actor=a.user)
        (esc,) = services.request_escalate(request=ServiceRequest.objects.get(pk=moved.pk), actor=a.user,
                                           departments=[zone.dept_a], reason="请办理")
    ServiceRequest.objects.filter(pk=moved.pk).update(steward=zone.steward_b)
    with time_machine.travel(at(2026, 4, 14, 9), tick=False):
        services.escalation_reply(escalation=esc, actor=zone.dept_user_a, reply="已办结")
    for day in (dt.date(2026, 1, 20), dt.date(2026, 3, 3), dt.date(2026, 3, 20), dt.date(2026, 4, 2)):
        Visit.objects.create(steward=a, enterprise=zone.ent_a, visited_on=day, created_by=a.user)


def test_rates_never_exceed_their_rows_and_each_figure_opens_them(client, zone, escalations):
    client.force_login(zone.leader)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("evaluations:appraisal"), {"year": 2026}).content.decode()
        a, b = zone.steward_a.pk, zone.steward_b.pk
        # A: decided = on time (3-6), overdue (3-12), answered early (due 4-20) → 2 of 3; returned aside.
        rate_a = re.search(rf'data-testid="escalation-rate-{a}">([^<]*)<', html).group(1).strip()
        assert rate_a == "66.7%"
        assert "(<span data-testid=\"on-time\">2</span>/3)" in html
        # B: the escalation handed over and answered on time → 1 of 1, not above 100%.
        assert re.search(rf'data-testid="escalation-rate-{b}">([^<]*)<', html).group(1).strip() == "100.0%"
        assert "125.0%" not in html and "120.0%" not in html

        # The link opens exactly the rows counted; "on time" among them is the numerator.
        url = href(html, f"escalations-{a}")
        assert rows_behind(client, url) == 3
        assert rows_behind(client, url.replace("reply=decided", "reply=on_time")) == 2
        assert rows_behind(client, href(html, f"escalations-{b}")) == 1

        # Visits per month: 4 visits ÷ 4 months served (January to April) = 1.0, linked to the visits.
        assert re.search(rf'data-testid="visits-per-month-{a}">([^<]*)<', html).group(1).strip() == "1.0"
        assert rows_behind(client, href(html, f"visits-{a}")) == 4
        # Requests and acceptance open the request list of that steward and year.
        assert rows_behind(client, href(html, f"requests-{a}")) == 3
        assert rows_behind(client, href(html, f"accepted-{a}")) == 0
