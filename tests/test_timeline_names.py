"""Issues 12 and 13: each timeline line names its department and its actor with the actor's unit,
reads only Chinese words (no raw "overdue" or "True"), and the department's inbox names who
blew the whistle, not the department's own user."""

import re

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from evaluations import services as evaluations
from evaluations.models import ReplacementCase
from stewards import services
from stewards.models import Escalation
from stewards.selectors import request_events
from stewards.tests.factories import shanghai
from tests.factories import StewardFactory
from zonehub.events import EVENT_LABELS, event_list_for
from zonehub.workdays import local_date

pytestmark = pytest.mark.django_db

FRIDAY = shanghai(2025, 2, 7, 10, 0)  # an escalation sent now is due at 00:00 on Wed 12 Feb
AFTER_DUE = shanghai(2025, 2, 12, 1, 0)
IN_CAMPAIGN = shanghai(2026, 6, 2, 10, 0)  # the first-half rating campaign (1–23 June) is running


def label(kind: str) -> str:
    with translation.override("zh-hans"):
        return str(EVENT_LABELS[kind])


def timeline_lines(html: str) -> list[str]:
    """The visible text of each line of the page's timeline."""
    timeline = html[html.index('data-testid="timeline"'):]
    timeline = timeline[:timeline.index("</ol>")]
    return [" ".join(strip_tags(line).split())
            for line in re.findall(r'<li[^>]*data-testid="timeline-line"[^>]*>(.*?)</li>', timeline, re.S)]


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def escalate(zone, departments, title="用电增容"):
    request = services.request_submit(actor=zone.ent_user_a, category="factors", title=title,
                                      description="新产线需要增容。")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=departments,
                              reason="请协助办理")
    return request


def test_a_request_escalated_to_two_departments_names_each_department_and_who_sent_it(client, zone):
    request = escalate(zone, [zone.dept_a, zone.dept_b])
    services.escalation_reply(escalation=Escalation.objects.get(department=zone.dept_a), actor=zone.dept_user_a,
                              reply="已安排现场勘查。")
    url = reverse("stewards:request_detail", args=[request.pk])
    lines = timeline_lines(page(client, zone.steward_a.user, url))

    sent = [line for line in lines if label("escalation.sent") in line and label("request.escalated") not in line]
    assert len(sent) == 2
    assert {zone.dept_a.name, zone.dept_b.name} == {
        name for line in sent for name in (zone.dept_a.name, zone.dept_b.name) if f"部门：{name}" in line}
    assert sent[0] != sent[1]
    steward = f"{zone.steward_a.user.display_name}（{zone.ws_a.name}）"
    assert all(steward in line for line in sent)
    (replied,) = [line for line in lines if label("escalation.replied") in line]
    assert f"{zone.dept_user_a.display_name}（{zone.dept_a.name}）" in replied
    assert f"部门：{zone.dept_a.name}" in replied
    # The enterprise user submitted it: named with its enterprise.
    (submitted,) = [line for line in lines if label("request.submitted") in line]
    assert f"{zone.ent_user_a.display_name}（{zone.ent_a.name}）" in submitted

    # A department reads its own escalation's lines, not which other department holds the request.
    own = " ".join(timeline_lines(page(client, zone.dept_user_b, url)))
    assert f"部门：{zone.dept_b.name}" in own and zone.dept_a.name not in own


def test_the_timeline_costs_one_query_however_many_lines_it_has(zone, django_assert_num_queries):
    request = escalate(zone, [zone.dept_a, zone.dept_b])
    for escalation in Escalation.objects.filter(request=request):
        user = zone.dept_user_a if escalation.department == zone.dept_a else zone.dept_user_b
        services.escalation_reply(escalation=escalation, actor=user, reply="已办理。")
    event_list_for(request).first()  # the content types are cached, as on any page after the first
    with django_assert_num_queries(1):
        events = list(event_list_for(request))
    assert len(events) >= 6
    with django_assert_num_queries(0), translation.override("zh-hans"):
        html = render_to_string("includes/timeline.html", {"events": events})
    assert html.count('data-testid="event-department"') == 4  # two sent, two replies


def test_the_request_page_costs_the_same_for_one_department_as_for_four(client, zone):
    departments = [zone.dept_a, zone.dept_b, *(type(zone.dept_a).objects.create(name=f"第{i}号局") for i in range(2))]
    small, large = escalate(zone, departments[:1], "一个部门"), escalate(zone, departments, "四个部门")
    client.force_login(zone.leader)
    counts = []
    for request in (small, large, small):  # the first view warms the caches: count the last two
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("stewards:request_detail", args=[request.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[2]


def test_the_inbox_names_the_steward_who_escalated_not_the_departments_own_user(client, zone):
    escalate(zone, [zone.dept_a], "由管家吹哨的诉求")
    # A complaint-meeting item the department claimed itself: nobody blew a whistle on it.
    item = services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="台账认领的事项",
                                       description="企业在吐槽大会上反映。", meeting_date=local_date(timezone.now()))
    services.ledger_item_claim(item=item, actor=zone.dept_user_a)

    html = page(client, zone.dept_user_a, reverse("stewards:inbox"))
    rows = {title: row for row in html.split('data-testid="inbox-row"')[1:]
            for title in ("由管家吹哨的诉求", "台账认领的事项") if title in row}
    whistle = {title: " ".join(strip_tags(row.split('data-testid="whistle-blower">')[1].split("</span>")[0]).split())
               for title, row in rows.items()}
    steward, own = zone.steward_a.user.display_name, zone.dept_user_a.display_name
    assert whistle["由管家吹哨的诉求"].startswith(f"{steward} 于") and whistle["由管家吹哨的诉求"].endswith("吹哨")
    claimed = whistle["台账认领的事项"]
    assert "吹哨" not in claimed and "从吐槽大会台账认领" in claimed
    assert f"服务管家：{steward}" in claimed and claimed.startswith(f"{own} 于")


def english_words(lines: list[str]) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", " ".join(lines))


def test_an_overdue_escalation_reads_in_chinese_on_the_timeline(client, zone):
    with time_machine.travel(FRIDAY, tick=False):
        request = escalate(zone, [zone.dept_a])
    with time_machine.travel(AFTER_DUE, tick=False):
        assert services.deadline_sweep(now=AFTER_DUE)["overdue"] == 1
        lines = timeline_lines(page(client, zone.leader, reverse("stewards:request_detail", args=[request.pk])))
    (overdue,) = [line for line in lines if label("escalation.overdue") in line]
    assert "待答复 → 超期" in overdue and f"部门：{zone.dept_a.name}" in overdue and "系统" in overdue
    assert english_words(lines) == []  # not "→ overdue"


def test_a_closed_replacement_case_reads_in_chinese_on_the_timeline(client, zone):
    with time_machine.travel(IN_CAMPAIGN, tick=False):
        campaign = evaluations.campaign_open(year=2026, half="H1", actor=zone.leader)
        evaluations.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                                  value="unsatisfied", reason="长期不走访", actor=zone.ent_user_a)
        evaluations.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
        case = ReplacementCase.objects.get()
        evaluations.replacement_name(case=case, steward=StewardFactory(user__workstation=zone.ws_a), actor=zone.head_a)
        evaluations.case_review(case=case, lack_of_effort=True, reason="长期不走访", actor=zone.leader)
        evaluations.case_review(case=case, lack_of_effort=False, reason="复核：企业自身原因", actor=zone.leader)
        lines = timeline_lines(page(client, zone.leader, reverse("evaluations:case_detail", args=[case.pk])))
    reviews = [line for line in lines if label("case.reviewed") in line]
    assert len(reviews) == 2
    assert "→ 主观不努力" in reviews[0] and "主观不努力 → 不属于主观不努力" in reviews[1]
    assert english_words(lines) == []  # not "→ True"


def test_the_enterprise_reads_the_department_holding_its_request(client, zone):
    request = escalate(zone, [zone.dept_a])
    lines = timeline_lines(page(client, zone.ent_user_a, reverse("stewards:request_detail", args=[request.pk])))
    (sent,) = [line for line in lines if label("escalation.sent") in line and label("request.escalated") not in line]
    assert f"部门：{zone.dept_a.name}" in sent
    # The selector the page uses gives the same lines (the timeline's one source).
    assert len(request_events(request, user=zone.ent_user_a)) == len(lines)
