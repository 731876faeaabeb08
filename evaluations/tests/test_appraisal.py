"""The steward appraisal on fixed data, against values counted by hand."""

import datetime as dt

import pytest
import time_machine

from evaluations import services
from evaluations.models import Campaign, Rating
from evaluations.selectors import appraisal_list, appraisal_summary
from stewards.models import StewardAssignment, Visit
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from tests.factories import EnterpriseFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def year_2026(zone):
    """Steward A serves ent_a since December 2025 and ent_c since 15 February 2026."""
    s = zone.steward_a
    StewardAssignment.objects.filter(enterprise=zone.ent_a).update(started_at=at(2025, 12, 1))
    ent_c = EnterpriseFactory(workstation=zone.ws_a)
    StewardAssignment.objects.create(enterprise=ent_c, steward=s, started_at=at(2026, 2, 15))
    ent_d = EnterpriseFactory(workstation=zone.ws_a)
    h1 = Campaign.objects.create(year=2026, half="H1", status="closed", opened_at=at(2026, 6, 1),
                                 closes_at=at(2026, 6, 24), closed_at=at(2026, 6, 24))
    open_h2 = Campaign.objects.create(year=2026, half="H2", opened_at=at(2026, 12, 1), closes_at=at(2026, 12, 23))
    user = UserFactory(role=Role.ENTERPRISE, enterprise=zone.ent_a)
    for ent, value in [(zone.ent_a, "satisfied"), (ent_c, "satisfied"), (ent_d, "unsatisfied")]:
        Rating.objects.create(campaign=h1, enterprise=ent, steward=s, value=value, reason="慢" if value != "satisfied"
                              else "", rated_by=user)
    # An open campaign's ratings do not count yet.
    Rating.objects.create(campaign=open_h2, enterprise=zone.ent_a, steward=s, value="unsatisfied", reason="x",
                          rated_by=user)
    # Requests: three in 2026 (two accepted in time, one late), one in 2025 (not counted).
    for created, due, accepted in [
        (at(2026, 3, 2, 9), at(2026, 3, 4), at(2026, 3, 2, 10)),
        (at(2026, 3, 5, 9), at(2026, 3, 7), at(2026, 3, 6, 18)),
        (at(2026, 4, 1, 9), at(2026, 4, 3), at(2026, 4, 8, 9)),
        (at(2025, 5, 1, 9), at(2025, 5, 3), at(2025, 5, 1, 10)),
    ]:
        ServiceRequestFactory(enterprise=zone.ent_a, steward=s, created_at=created, accept_due_at=due,
                              accepted_at=accepted)
    # Escalations of its requests: two due in 2026 — one answered in time, one late.
    req = ServiceRequestFactory(enterprise=zone.ent_a, steward=s, created_at=at(2026, 3, 2))
    EscalationFactory(request=req, department=zone.dept_a, due_at=at(2026, 3, 6), remind_at=at(2026, 3, 5),
                      clock_stopped_at=at(2026, 3, 5, 9), status="replied")
    EscalationFactory(request=req, department=zone.dept_b, due_at=at(2026, 3, 6), remind_at=at(2026, 3, 5),
                      clock_stopped_at=at(2026, 3, 9, 9), status="replied")
    # Visits: ent_a in January and March (twice); ent_c in March.
    for ent, day in [(zone.ent_a, dt.date(2026, 1, 20)), (zone.ent_a, dt.date(2026, 3, 3)),
                     (zone.ent_a, dt.date(2026, 3, 20)), (ent_c, dt.date(2026, 3, 9))]:
        Visit.objects.create(steward=s, enterprise=ent, visited_on=day, created_by=s.user)
    return h1


def test_appraisal_counts_by_hand(zone, year_2026):
    case_rating = Rating.objects.get(campaign=year_2026, value="unsatisfied")
    from evaluations.models import ReplacementCase

    ReplacementCase.objects.create(rating=case_rating, campaign=year_2026, enterprise=case_rating.enterprise,
                                   steward=zone.steward_a, workstation=zone.ws_a, due_at=at(2026, 7, 2),
                                   lack_of_effort=True, review_reason="主观不努力")
    # As of 15 April 2026 the completed months are January–March.
    rows = appraisal_list(user=zone.leader, year=2026, today=dt.date(2026, 4, 15))
    row = next(r for r in rows if r.steward == zone.steward_a)
    assert (row.h1_satisfied, row.h1_unsatisfied, row.h2_satisfied, row.h2_unsatisfied) == (2, 1, 0, 0)
    assert row.rate == pytest.approx(2 / 3)
    assert (row.requests_handled, row.accepted, row.accepted_on_time) == (4, 3, 2)  # 3 + the escalated one
    assert (row.escalations_due, row.escalations_on_time) == (2, 1)
    # ent_a: Jan, Feb, Mar required, Jan and Mar met; ent_c: Feb (from the 15th) and Mar, Mar met → 3 of 5.
    assert (row.visits, row.visit_months_required, row.visit_months_met) == (4, 5, 3)
    assert (row.replacements, row.eligible) == (1, False)
    other = next(r for r in rows if r.steward == zone.steward_b)
    assert other.eligible and other.rate is None
    zone_total = appraisal_summary(rows)
    assert (zone_total["satisfied"], zone_total["unsatisfied"], zone_total["ineligible"]) == (2, 1, 1)


def test_a_finding_without_lack_of_effort_keeps_eligibility(zone, year_2026, in_campaign):
    rating = Rating.objects.get(campaign=year_2026, value="unsatisfied")
    from evaluations.models import ReplacementCase

    case = ReplacementCase.objects.create(rating=rating, campaign=year_2026, enterprise=rating.enterprise,
                                          steward=zone.steward_a, workstation=zone.ws_a, due_at=at(2026, 7, 2))
    services.case_review(case=case, lack_of_effort=False, reason="企业自身原因", actor=zone.leader)
    row = next(r for r in appraisal_list(user=zone.leader, year=2026) if r.steward == zone.steward_a)
    assert row.eligible


def test_appraisal_runs_a_fixed_number_of_queries(zone, year_2026, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        rows = appraisal_list(user=zone.leader, year=2026, today=dt.date(2026, 12, 31))
    assert len(rows) == 2


def test_appraisal_is_scoped(zone, year_2026, client):
    assert {r.steward for r in appraisal_list(user=zone.head_a, year=2026)} == {zone.steward_a}
    assert {r.steward for r in appraisal_list(user=zone.steward_b.user, year=2026)} == {zone.steward_b}
    assert appraisal_list(user=zone.ent_user_a, year=2026) == []
    client.force_login(zone.ent_user_a)
    assert client.get("/api/appraisals/?year=2026").status_code == 403
    client.force_login(zone.head_b)
    assert [r["steward"] for r in client.get("/api/appraisals/?year=2026").json()] == [zone.steward_b.pk]


def test_appraisal_page_sorts(zone, year_2026, client):
    with time_machine.travel(at(2026, 12, 31, 9), tick=False):
        client.force_login(zone.leader)
        page = client.get("/evaluations/appraisal/?year=2026&sort=-rate").content.decode()
        assert client.get("/evaluations/appraisal/?year=99999").status_code == 404
    a, b = (page.index(f'data-testid="eligible-{s.pk}"') for s in (zone.steward_a, zone.steward_b))
    assert a < b
