"""Issue 13, item 7: joint consultation (需会商) asked for after the reply deadline does not lift
the overdue mark. The escalation stays overdue in the department's inbox, the escalation list and
the grades, and its page says why."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from stewards import services
from stewards.models import Escalation
from stewards.selectors import escalation_facts
from stewards.tests.factories import shanghai
from zonehub.models import Notification

pytestmark = pytest.mark.django_db

FRIDAY = shanghai(2025, 2, 7, 10, 0)  # due 00:00 Wed 12 Feb
DUE = shanghai(2025, 2, 12)
LATE_NOTE = "已超期后申请会商：仍计为超期"


def escalate(zone, title):
    with time_machine.travel(FRIDAY, tick=False):
        request = services.request_submit(actor=zone.ent_user_a, category="factors", title=title, description="说明")
        (escalation,) = services.request_escalate(request=request, actor=zone.steward_a.user,
                                                  departments=[zone.dept_a], reason="请办理")
    return escalation


def consult(client, zone, escalation, at):
    client.force_login(zone.dept_user_a)
    with time_machine.travel(at, tick=False):
        response = client.post(reverse("stewards:escalation_consult", args=[escalation.pk]),
                               {"reason": "需规建、供电公司会商。"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    return escalation


def overdue_tab(client, user, at):
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        return client.get(reverse("stewards:inbox"), {"state": "overdue"}).content.decode()


def test_consultation_after_the_sweep_marked_it_overdue_keeps_it_overdue(client, zone):
    escalation = escalate(zone, "超期后会商的诉求")
    with time_machine.travel(DUE + dt.timedelta(hours=1), tick=False):
        assert services.deadline_sweep(now=DUE + dt.timedelta(hours=1))["overdue"] == 1
    later = DUE + dt.timedelta(days=1)
    assert "超期后会商的诉求" in overdue_tab(client, zone.dept_user_a, later)

    escalation = consult(client, zone, escalation, later)
    assert escalation.status == Escalation.Status.CONSULTATION
    assert escalation.answered_on_time is False and escalation.overdue_at is not None

    # Still in the inbox's overdue tab, the escalation list's "overdue now" and the overdue query.
    assert "超期后会商的诉求" in overdue_tab(client, zone.dept_user_a, later + dt.timedelta(hours=1))
    client.force_login(zone.leader)
    with time_machine.travel(later + dt.timedelta(hours=1), tick=False):
        listed = client.get(reverse("stewards:escalation_list"), {"deadline": "overdue"}).content.decode()
        assert Escalation.objects.overdue().filter(pk=escalation.pk).exists()
    assert "超期后会商的诉求" in listed

    # The page says so, to the department and to the steward.
    for user in (zone.dept_user_a, zone.steward_a.user):
        client.force_login(user)
        html = client.get(reverse("stewards:escalation_detail", args=[escalation.pk])).content.decode()
        assert LATE_NOTE in html

    # The grades count it as due and not answered on time.
    facts = escalation_facts(month=dt.date(2025, 2, 1))[zone.dept_a.pk]
    assert escalation.pk in facts["late"] and escalation.pk not in facts["on_time"]
    assert escalation.pk in facts["overdue"]


def test_consultation_after_the_deadline_before_the_sweep_is_marked_overdue_once(client, zone):
    escalation = escalate(zone, "截止后、清扫前会商")
    after_due = DUE + dt.timedelta(minutes=1)
    escalation = consult(client, zone, escalation, after_due)
    assert escalation.overdue_at == after_due and escalation.answered_on_time is False

    # The sweep does not mark it again nor tell anyone it "has not replied".
    with time_machine.travel(after_due + dt.timedelta(minutes=5), tick=False):
        assert services.deadline_sweep(now=after_due + dt.timedelta(minutes=5))["overdue"] == 0
    assert not Notification.objects.filter(kind="escalation.overdue").exists()

    assert "截止后、清扫前会商" in overdue_tab(client, zone.dept_user_a, after_due + dt.timedelta(hours=1))
    client.force_login(zone.dept_user_a)
    html = client.get(reverse("stewards:escalation_detail", args=[escalation.pk])).content.decode()
    assert LATE_NOTE in html and 'data-testid="late-consultation"' in html


def test_consultation_in_time_is_not_overdue(client, zone):
    escalation = escalate(zone, "按时会商的诉求")
    escalation = consult(client, zone, escalation, DUE - dt.timedelta(hours=2))
    assert escalation.answered_on_time is True and escalation.overdue_at is None
    with time_machine.travel(DUE + dt.timedelta(hours=1), tick=False):
        assert services.deadline_sweep(now=DUE + dt.timedelta(hours=1))["overdue"] == 0
    assert "按时会商的诉求" not in overdue_tab(client, zone.dept_user_a, DUE + dt.timedelta(days=1))
    client.force_login(zone.dept_user_a)
    assert LATE_NOTE not in client.get(reverse("stewards:escalation_detail", args=[escalation.pk])).content.decode()
