"""The one table of what may happen to a request and an escalation: the services refuse exactly
what the pages do not offer."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stewards import services, transitions
from stewards.models import Escalation, ServiceRequest
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory

S = ServiceRequest.Status
SERVICE_OF = {
    "accept": lambda r, u: services.request_accept(request=r, actor=u),
    "confirm": lambda r, u: services.request_confirm(request=r, actor=u),
    "reopen": lambda r, u: services.request_reopen(request=r, actor=u, reason="还没解决"),
    "report": lambda r, u: services.request_report_back(request=r, actor=u, report="已办结"),
    "resolve": lambda r, u: services.request_resolve_directly(request=r, actor=u, report="已解决"),
    "comment": lambda r, u: services.request_comment(request=r, actor=u, body="您好"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCEPTED, S.REPORTED, S.REOPENED, S.CLOSED])
@pytest.mark.parametrize("who", ["ent_user_a", "steward", "head_a", "dept_user_a", "leader", "ent_user_b"])
def test_a_request_service_accepts_exactly_what_the_page_offers(zone, status, who):
    user = zone.steward_a.user if who == "steward" else getattr(zone, who)
    for action, call in SERVICE_OF.items():
        sr = ServiceRequestFactory(enterprise=zone.ent_a, steward=zone.steward_a, status=status,
                                   closed_at=timezone.now() if status == S.CLOSED else None)
        offered = action in transitions.request_actions(user, sr, escalations=[])
        try:
            call(sr, user)
        except (PermissionDenied, ValidationError):
            accepted = False
        else:
            accepted = True
        assert accepted == offered, (action, status, who)


@pytest.mark.django_db
def test_only_the_department_it_was_sent_to_answers_an_escalation(zone):
    esc = EscalationFactory(request__enterprise=zone.ent_a, department=zone.dept_a)
    assert transitions.escalation_actions(zone.dept_user_a, esc) == {"reply", "consult", "return"}
    for other in (zone.dept_user_b, zone.admin, zone.leader, zone.steward_a.user):
        assert transitions.escalation_actions(other, esc) == set()
        with pytest.raises(PermissionDenied):
            services.escalation_reply(escalation=esc, actor=other, reply="已办")
    services.escalation_mark_consultation(escalation=esc, actor=zone.dept_user_a, reason="需多部门会商")
    esc.refresh_from_db()
    assert esc.status == Escalation.Status.CONSULTATION
    assert transitions.escalation_actions(zone.dept_user_a, esc) == {"progress", "conclude", "return"}
    with pytest.raises(ValidationError, match="joint consultation|会商"):
        services.escalation_reply(escalation=esc, actor=zone.dept_user_a, reply="已办")


@pytest.mark.django_db
@pytest.mark.parametrize("escalation_status", [Escalation.Status.OPEN, Escalation.Status.REPLIED])
def test_with_departments_involved_the_steward_reports_back_only_once_all_have_answered(zone, escalation_status):
    user = zone.steward_a.user
    for action in ("report", "resolve"):
        sr = ServiceRequestFactory(enterprise=zone.ent_a, steward=zone.steward_a, status=S.ESCALATED)
        esc = EscalationFactory(request=sr, status=escalation_status)
        offered = transitions.request_actions(user, sr, escalations=[esc])
        # Held by a department: neither; all answered: report back on the answers, not "resolve".
        expected = {"report"} if escalation_status == Escalation.Status.REPLIED else set()
        assert offered & {"report", "resolve"} == expected
        try:
            SERVICE_OF[action](sr, user)
        except ValidationError:
            accepted = False
        else:
            accepted = True
        assert accepted == (action in expected)
