"""The meetings' pages: convening through the form, answering, the minutes' formset, closing with
evidence, chase-ups; lists scoped and pinned in queries; the home panels and their links."""

import re

import pytest
import time_machine
from django.urls import reverse

from meetings.models import Decision, Invitation, Meeting, SupervisionNotice
from meetings.selectors import leader_decision_panel
from meetings.services import supervision_issue
from meetings.tests.factories import at, convene, decision, hold
from stewards.services import deadline_sweep
from stewards.tests.factories import pdf

pytestmark = pytest.mark.django_db


def test_a_steward_convenes_through_the_form_and_what_was_typed_survives(client, mz):
    z = mz
    client.force_login(z.steward_a.user)
    url = reverse("meetings:create") + f"?escalation={z.esc_a.pk}"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert f"escalation:{z.esc_a.pk}" in form.initial["subjects"]
    # The other workstation's escalation is not offered.
    assert f"escalation:{z.esc_b.pk}" not in dict(form.fields["subjects"].choices)
    data = {"kind": "ordinary", "title": "用电增容协调会", "purpose": "协调增容", "subjects": [f"escalation:{z.esc_a.pk}"],
            "starts_at": "2026-11-20T14:30", "place": "3楼会议室", "departments": [z.dept_a.pk, z.dept_c.pk]}
    response = client.post(url, data)
    assert response.status_code == 200 and "starts_at" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "用电增容协调会"
    assert not Meeting.objects.exists()
    data["starts_at"] = "2026-11-25T14:30"
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.starts_at == at(2026, 11, 25, 14, 30) and meeting.invitations.count() == 2


def test_departments_answer_on_the_meeting_page(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    client.force_login(z.dept_plain_c)
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.context["can_answer"] and b'data-testid="answer-form"' in page.content
    client.post(reverse("meetings:answer", args=[meeting.pk]), {"answer": "decline", "reason": ""})
    assert meeting.invitations.get(department=z.dept_c).status == Invitation.Status.PENDING
    client.post(reverse("meetings:answer", args=[meeting.pk]), {"answer": "attend", "attendees": "赵工 主任"})
    assert meeting.invitations.get(department=z.dept_c).attendees == "赵工 主任"
    client.force_login(z.dept_user_b)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("meetings:answer", args=[meeting.pk]), {"answer": "attend"}).status_code == 404


def test_the_head_records_the_minutes_with_decisions(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    item = meeting.items.get()
    client.force_login(z.head_a)
    url = reverse("meetings:minutes", args=[meeting.pk])
    with time_machine.travel(at(2026, 11, 25, 16), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "formset" in page.context
        data = {"minutes-attendees": "王芳；李明", "minutes-summary": "", f"minutes-discussion_{item.pk}": "逐项研究",
                "decisions-TOTAL_FORMS": "3", "decisions-INITIAL_FORMS": "0", "decisions-MIN_NUM_FORMS": "0",
                "decisions-MAX_NUM_FORMS": "30",
                "decisions-0-text": "完成线路勘察", "decisions-0-department": z.dept_c.pk, "decisions-0-working_days": "3",
                "decisions-0-item": item.pk,
                "decisions-1-text": "出具方案", "decisions-1-department": z.dept_a.pk,
                "decisions-1-steward": z.steward_a.pk, "decisions-1-working_days": "5", "decisions-1-item": "",
                "decisions-2-text": "", "decisions-2-working_days": "5"}
        response = client.post(url, data)
        assert response.status_code == 200  # two owners on decision 2
        assert response.context["formset"].forms[1].errors
        assert response.context["form"]["attendees"].value() == "王芳；李明"
        data["decisions-1-steward"] = ""
        response = client.post(url, data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and item.__class__.objects.get(pk=item.pk).discussion == "逐项研究"
    assert list(meeting.decisions.order_by("position").values_list("department_id", "request_id")) == [
        (z.dept_c.pk, z.request_a.pk), (z.dept_a.pk, None)]


def test_the_department_closes_its_decision_with_evidence_and_the_head_chases_the_other(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    item = meeting.items.get()
    hold(meeting, z.head_a, decision("勘察", department=z.dept_c, item=item), decision("方案", department=z.dept_a, item=item))
    d_c, d_a = meeting.decisions.order_by("position")
    client.force_login(z.dept_user_a)
    assert client.get(reverse("meetings:decision_detail", args=[d_c.pk])).status_code == 404
    page = client.get(reverse("meetings:decision_detail", args=[d_a.pk]))
    assert page.context["can_close"]
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        client.force_login(z.dept_user_a)  # sessions last three days
        response = client.post(reverse("meetings:decision_close", args=[d_a.pk]),
                               {"evidence": "已出具增容方案", "file": pdf("方案.pdf")})
    assert response.status_code == 302
    d_a.refresh_from_db()
    assert d_a.closed_on_time and d_a.evidence_name == "方案.pdf"
    assert client.get(reverse("meetings:decision_evidence", args=[d_a.pk])).status_code == 200
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        client.force_login(z.head_a)
        page = client.get(reverse("meetings:detail", args=[meeting.pk]))
        rows = {d.pk: d for d in page.context["decisions"]}
        assert rows[d_c.pk].can_supervise and not rows[d_a.pk].can_supervise
        url = reverse("meetings:decision_supervise", args=[d_c.pk])
        assert client.post(url, {"reason": ""}).status_code == 200
        response = client.post(url, {"reason": "请两个工作日内办结"})
    notice = SupervisionNotice.objects.get()
    assert response["Location"] == reverse("meetings:notice_detail", args=[notice.pk])
    assert notice.code == "督办〔2026〕1号" and notice.department == z.dept_c
    # The request's page shows the chase-up on its timeline.
    client.force_login(z.steward_a.user)
    page = client.get(reverse("stewards:request_detail", args=[z.request_a.pk]))
    assert "督办〔2026〕1号" in page.content.decode()


def test_an_escalation_chase_up_page(client, mz):
    z = mz
    client.force_login(z.steward_a.user)
    url = reverse("meetings:escalation_supervise", args=[z.esc_c.pk])
    page = client.get(url)
    assert page.context["state"] is None and b'data-testid="not-late"' in page.content
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        client.force_login(z.steward_a.user)
        response = client.post(url, {"reason": "请今日答复"})
    assert response.status_code == 302 and SupervisionNotice.objects.get().escalation == z.esc_c
    assert client.get(reverse("meetings:escalation_supervise", args=[z.esc_b.pk])).status_code == 404


def test_lists_are_scoped_and_their_queries_pinned(client, mz, django_assert_max_num_queries):
    z = mz
    for _i in range(3):
        meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
        hold(meeting, z.head_a, decision(department=z.dept_a, item=meeting.items.get()),
             decision(department=z.dept_c, item=meeting.items.get()))
        other = convene(z.steward_b.user, z.esc_b, departments=[z.dept_b])
        hold(other, z.head_b, decision(department=z.dept_b, item=other.items.get()))
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        for d in Decision.objects.filter(department=z.dept_c):
            supervision_issue(actor=z.head_a, decision=d, reason="请办结")
    cases = [
        (z.dept_user_a, "meetings:list", 3), (z.dept_user_a, "meetings:decision_list", 3),
        (z.dept_user_b, "meetings:decision_list", 3), (z.dept_plain_c, "meetings:notice_list", 3),
        (z.dept_user_a, "meetings:notice_list", 0), (z.steward_a.user, "meetings:list", 3),
        (z.steward_b.user, "meetings:decision_list", 3), (z.head_a, "meetings:notice_list", 3),
        (z.ent_user_a, "meetings:list", 3), (z.ent_user_b, "meetings:list", 3), (z.leader, "meetings:list", 6),
        (z.leader, "meetings:decision_list", 9),
    ]
    for user, name, expected in cases:
        client.force_login(user)
        with django_assert_max_num_queries(16):
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == expected, (user, name)


def test_the_department_sees_its_decisions_beside_its_escalations_and_the_leader_per_department(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    hold(meeting, z.head_a, decision(department=z.dept_c, item=meeting.items.get()),
         decision(department=z.dept_c, days=10, item=meeting.items.get()))
    convene(z.steward_a.user, z.esc_a, departments=[z.dept_c], starts_at=at(2026, 12, 10, 9))
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        client.force_login(z.dept_plain_c)
        home = client.get(reverse("home"))
        panel = next(p for p in home.context["panels"] if p.get("testid") == "panel-meetings-department")
        counts = {t["url"]: t["count"] for t in panel["tiles"]}
        for url, count in counts.items():  # every figure is the length of the list it opens
            assert len(client.get(url).context["object_list"]) == count, url
        assert sorted(counts.values()) == [1, 1, 2]
        overdue = Decision.objects.get(overdue_at__isnull=False)
        supervision_issue(actor=z.head_a, decision=overdue, reason="请办结")
        panel = leader_decision_panel(z.leader)
        (row,) = panel["rows"]
        assert (row["open"], row["overdue"], row["chase_ups"], panel["chase_total"]) == (2, 1, 1, 1)
        client.force_login(z.leader)
        for url, count in ((row["open_url"], 2), (row["overdue_url"], 1), (panel["overdue_url"], 1),
                           (row["chase_url"], 1), (panel["chase_url"], 1)):
            assert len(client.get(url).context["object_list"]) == count
        assert b'data-testid="panel-decisions"' in client.get(reverse("home")).content


def test_flagging_for_the_joint_meeting(client, mz):
    z = mz
    client.force_login(z.steward_a.user)
    page = client.get(reverse("meetings:flag_create") + f"?request={z.request_a.pk}")
    assert page.context["form"].initial["subject"] == f"request:{z.request_a.pk}"
    response = client.post(reverse("meetings:flag_create"), {"subject": f"request:{z.request_a.pk}", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("meetings:flag_create"), {"subject": f"request:{z.request_a.pk}", "reason": "跨站"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:flag_list"))
    assert len(page.context["object_list"]) == 1


def test_bad_ids_and_strange_input_never_500(client, mz):
    z = mz
    client.force_login(z.head_a)
    for url in (reverse("meetings:create") + "?escalation=99999999999999999999&request=abc",
                reverse("meetings:decision_list") + "?department=99999999999999999999999&state=bogus",
                reverse("meetings:notice_list") + "?year=1e400&department=x",
                reverse("meetings:list") + "?when=x&kind=y"):
        assert client.get(url).status_code in (200, 400), url
    response = client.post(reverse("meetings:create"), {"kind": "joint", "subjects": ["escalation:1<script>"],
                                                        "title": "=cmd()", "starts_at": "not a date"})
    assert response.status_code == 200 and not re.search(r"<script>", response.content.decode().split("<main")[1])


def test_a_head_sees_its_coming_meetings_at_home(client, mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a])
    for user in (z.head_a,):
        client.force_login(user)
        page = client.get(reverse("home"))
        panel = next(p for p in page.context["panels"] if p.get("testid") == "panel-meetings")
        assert panel["meetings"] == [meeting]
        assert b'data-testid="upcoming-meeting"' in page.content
    client.force_login(z.head_b)
    page = client.get(reverse("home"))
    assert not [p for p in page.context["panels"] if p.get("testid") == "panel-meetings"]


def test_a_head_convenes_the_drafted_joint_meeting_from_its_page(client, mz):
    from meetings.services import joint_flag, joint_meeting_draft

    z = mz
    joint_flag(actor=z.steward_b.user, request=z.request_b, reason="跨站排水")
    draft = joint_meeting_draft(month=at(2026, 12, 1).date(), now=at(2026, 11, 23, 7))
    client.force_login(z.head_a)
    assert client.get(reverse("meetings:list")).context["drafts"] == [draft]
    url = reverse("meetings:convene", args=[draft.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form.initial["subjects"] == [f"request:{z.request_b.pk}"]
    assert dict(form.fields["kind"].choices) == {"joint": "工作站站长联席会"}
    response = client.post(url, {"kind": "joint", "title": draft.title, "purpose": draft.purpose,
                                 "subjects": [f"request:{z.request_b.pk}"], "starts_at": "2026-12-03T14:00",
                                 "place": "1号会议室", "heads": [z.head_b.pk], "departments": [z.dept_b.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.SCHEDULED and draft.heads.get() == z.head_b
    assert client.get(url).status_code == 302  # convened already: to its page
    client.force_login(z.steward_a.user)
    assert client.get(url).status_code == 403
