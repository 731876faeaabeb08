"""Convening, invitations, minutes and decisions on the clock, the sweep's exactly-once effects,
chase-ups numbered per year, the joint meeting's agenda, the request's timeline, the grade's counts."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from meetings import services
from meetings.events import MeetingEvent
from meetings.models import DocumentCounter, Invitation, JointFlag, Meeting, SupervisionNotice
from meetings.selectors import department_month_counts, joint_agenda_candidates
from meetings.tests.factories import at, convene, decision, hold, subjects
from stewards import services as stewards_services
from stewards.selectors import request_events
from stewards.services import deadline_sweep
from zonehub.models import Notification

pytestmark = pytest.mark.django_db
needs_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="concurrent sessions need PostgreSQL (SQLite serialises writers)")


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- convening -----------------------------------------------------------------------------------

def test_a_steward_convenes_a_meeting_on_an_escalation(mz, django_capture_on_commit_callbacks):
    z = mz
    with django_capture_on_commit_callbacks(execute=True):
        meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c], enterprises=[z.ent_a],
                          heads=[z.head_b])
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.workstation_id == z.ws_a.pk
    assert meeting.notice_code == "会通〔2026〕1号"
    item = meeting.items.get()
    assert (item.escalation, item.request) == (z.esc_a, z.request_a)
    invitations = {i.department_id: i for i in meeting.invitations.all()}
    assert set(invitations) == {z.dept_a.pk, z.dept_c.pk}
    # Reminded on the morning of the working day before (Tuesday 24th, 09:00).
    assert invitations[z.dept_a.pk].remind_at == at(2026, 11, 24, 9)
    assert "meeting.invited" in _kinds(z.dept_plain_c) and "meeting.invited" in _kinds(z.head_b)
    assert "meeting.invited" in _kinds(z.ent_user_a)
    # The request's timeline shows the meeting.
    kinds = [e.kind for e in request_events(z.request_a, user=z.ent_user_a)]
    assert MeetingEvent.MEETING_CONVENED in kinds


@pytest.mark.parametrize("change, field", [
    ({"starts_at": at(2026, 11, 23, 9)}, "starts_at"),
    ({"title": "  "}, "title"),
    ({"place": "", "on_site": False}, "place"),
    ({"on_site": True, "site_enterprise": None}, "site_enterprise"),
    ({"departments": []}, "departments"),
])
def test_convening_refuses_what_cannot_be(mz, change, field):
    z = mz
    kwargs = {"departments": [z.dept_a], **change}
    with pytest.raises(ValidationError) as exc:
        convene(z.steward_a.user, z.esc_a, **kwargs)
    assert field in exc.value.message_dict
    assert not Meeting.objects.exists() and not DocumentCounter.objects.exists()


def test_nobody_convenes_about_what_they_cannot_see(mz):
    z = mz
    with pytest.raises(ValidationError):
        convene(z.steward_a.user, z.esc_b, departments=[z.dept_a])
    with pytest.raises(PermissionDenied):
        convene(z.dept_user_a, z.esc_a, departments=[z.dept_a])
    with pytest.raises(PermissionDenied):  # the joint meeting is the heads'
        convene(z.steward_a.user, z.esc_a, departments=[z.dept_a], kind=Meeting.Kind.JOINT)


def test_an_on_site_office_at_the_enterprise(mz):
    z = mz
    meeting = convene(z.head_a, z.request_a, departments=[z.dept_a], on_site=True, site_enterprise=z.ent_a, place="二号车间")
    assert meeting.on_site and z.ent_a.name in str(meeting.where) and "二号车间" in str(meeting.where)


# --- invitations ---------------------------------------------------------------------------------

def test_departments_confirm_or_decline_before_the_meeting(mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    inv_a = meeting.invitations.get(department=z.dept_a)
    inv_c = meeting.invitations.get(department=z.dept_c)
    with pytest.raises(ValidationError):
        services.invitation_answer(invitation=inv_a, actor=z.dept_user_a, attending=True, attendees="  ")
    services.invitation_answer(invitation=inv_a, actor=z.dept_user_a, attending=True, attendees="王芳 副局长")
    with pytest.raises(ValidationError):
        services.invitation_answer(invitation=inv_c, actor=z.dept_plain_c, attending=False, reason="")
    services.invitation_answer(invitation=inv_c, actor=z.dept_plain_c, attending=False, reason="同日有省公司检查")
    with pytest.raises(PermissionDenied):  # another department's invitation
        services.invitation_answer(invitation=inv_c, actor=z.dept_user_a, attending=True, attendees="王芳")
    inv_a.refresh_from_db()
    inv_c.refresh_from_db()
    assert (inv_a.status, inv_a.attendees) == (Invitation.Status.CONFIRMED, "王芳 副局长")
    assert (inv_c.status, inv_c.decline_reason) == (Invitation.Status.DECLINED, "同日有省公司检查")
    assert _kinds(z.steward_a.user).count("meeting.answered") == 2
    with time_machine.travel(meeting.starts_at, tick=False), pytest.raises(ValidationError):
        services.invitation_answer(invitation=inv_c, actor=z.dept_plain_c, attending=True, attendees="李明")


def test_an_unanswered_invitation_is_reminded_once(mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    services.invitation_answer(invitation=meeting.invitations.get(department=z.dept_a), actor=z.dept_user_a,
                               attending=True, attendees="王芳")
    before = at(2026, 11, 24, 8, 59)
    assert services.meetings_deadline_sweep(now=before)["invitations_reminded"] == 0
    due = at(2026, 11, 24, 9, 1)
    assert services.meetings_deadline_sweep(now=due)["invitations_reminded"] == 1
    assert services.meetings_deadline_sweep(now=due)["invitations_reminded"] == 0
    assert _kinds(z.dept_plain_c).count("invitation.reminded") == 1
    assert "invitation.reminded" not in _kinds(z.dept_user_a)


def test_no_reminder_when_its_morning_has_passed(mz):
    z = mz
    # Convened on Monday 10:00 for Tuesday 09:30: Monday 09:00 has passed.
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a], starts_at=at(2026, 11, 24, 9, 30))
    assert meeting.invitations.get().remind_at is None
    # Over a weekend: a Monday meeting is reminded on the Friday before.
    assert services.invitation_remind_at(at(2026, 11, 30, 14), now=at(2026, 11, 23, 10)) == at(2026, 11, 27, 9)


# --- minutes and decisions ---------------------------------------------------------------------

def test_minutes_once_the_meeting_has_started_with_decisions_on_the_calendar(mz, django_capture_on_commit_callbacks):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    with pytest.raises(ValidationError):  # not started yet
        services.minutes_record(meeting=meeting, actor=z.head_a, attendees="王芳", decisions=[])
    item = meeting.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        hold(meeting, z.head_a, decision("完成线路勘察", department=z.dept_c, days=3, item=item),
             decision("出具增容方案", department=z.dept_a, days=5, item=item))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.minutes_code == "纪要〔2026〕1号"
    d1, d2 = meeting.decisions.order_by("position")
    # Decided Wednesday 25th 15:30: three working days are 26, 27, 30 November; due 1 December 00:00.
    assert d1.due_at == at(2026, 12, 1) and d1.remind_at == at(2026, 11, 30, 9)
    assert d2.due_at == at(2026, 12, 3)
    assert d1.request == z.request_a
    assert "decision.made" in _kinds(z.dept_plain_c)
    kinds = [e.kind for e in request_events(z.request_a, user=z.steward_a.user)]
    assert kinds.count(MeetingEvent.DECISION_MADE) == 2 and MeetingEvent.MEETING_HELD in kinds
    with pytest.raises(ValidationError):  # once
        hold(meeting, z.head_a)


def test_a_decision_has_one_owner_and_concerns_the_meeting(mz):
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a])
    with pytest.raises(ValidationError) as exc:
        hold(meeting, z.head_a, decision(department=z.dept_a, steward=z.steward_a))
    assert "decisions-0-department" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        hold(meeting, z.head_a, decision(department=z.dept_a, days=0))
    assert "decisions-0-working_days" in exc.value.message_dict
    other = convene(z.steward_b.user, z.esc_b, departments=[z.dept_b])
    with pytest.raises(ValidationError):
        hold(meeting, z.head_a, decision(department=z.dept_a, item=other.items.get()))
    with pytest.raises(PermissionDenied):  # the other workstation's head
        hold(meeting, z.head_b, decision(department=z.dept_a))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and not meeting.decisions.exists()


def _held(z, *drafts):
    """A meeting on A's escalation, held with ``drafts`` (each about its one item)."""
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    for draft in drafts:
        draft.item = draft.item or meeting.items.get()
    hold(meeting, z.head_a, *drafts)
    return meeting


def test_the_sweep_reminds_on_the_last_working_day_and_marks_overdue_exactly_once(mz):
    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3))
    d = meeting.decisions.get()
    assert deadline_sweep(now=at(2026, 11, 30, 8))["reminded"] == 0
    counts = deadline_sweep(now=at(2026, 11, 30, 9, 5))
    assert counts["meetings_decisions_reminded"] == 1
    assert "meetings_decisions_reminded" not in deadline_sweep(now=at(2026, 11, 30, 9, 6))
    counts = deadline_sweep(now=at(2026, 12, 1, 0, 1))
    assert counts["meetings_decisions_overdue"] == 1
    assert "meetings_decisions_overdue" not in deadline_sweep(now=at(2026, 12, 1, 0, 2))
    d.refresh_from_db()
    assert d.overdue_at == at(2026, 12, 1, 0, 1) and d.reminded_at == at(2026, 11, 30, 9, 5)
    assert _kinds(z.dept_plain_c).count("decision.reminded") == 1
    # The overdue mark goes to the department's head, who convened it, and the leaders: once each.
    assert _kinds(z.dept_user_c).count("decision.overdue") == 1 and "decision.overdue" not in _kinds(z.dept_plain_c)
    assert _kinds(z.steward_a.user).count("decision.overdue") == 1 and _kinds(z.leader).count("decision.overdue") == 1
    assert [e.kind for e in request_events(z.request_a, user=z.leader)].count(MeetingEvent.DECISION_OVERDUE) == 1


def test_a_sweep_that_was_down_marks_overdue_without_a_stale_reminder(mz):
    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3))
    counts = deadline_sweep(now=at(2026, 12, 2, 10))
    assert counts.get("meetings_decisions_overdue") == 1 and "meetings_decisions_reminded" not in counts
    assert meeting.decisions.get().reminded_at is None


def test_a_second_sweep_marks_nothing(mz):
    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3))
    results = [services.meetings_deadline_sweep(now=at(2026, 12, 1, 1)) for _ in range(2)]
    assert sorted(r["decisions_overdue"] for r in results) == [0, 1]
    assert meeting.decisions.get().overdue_at is not None


def test_the_owner_closes_with_evidence_on_time_or_late(mz):
    from stewards.tests.factories import pdf

    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3), decision(department=z.dept_a, days=3))
    d_c, d_a = meeting.decisions.order_by("position")
    with pytest.raises(PermissionDenied):
        services.decision_close(decision=d_c, actor=z.dept_user_a, evidence="已完成")
    with pytest.raises(ValidationError):
        services.decision_close(decision=d_c, actor=z.dept_plain_c, evidence=" ")
    with time_machine.travel(at(2026, 11, 30, 16), tick=False):
        services.decision_close(decision=d_c, actor=z.dept_plain_c, evidence="已完成勘察", file=pdf("勘察报告.pdf"))
    with time_machine.travel(at(2026, 12, 1, 0, 0, 30), tick=False):  # before the sweep came by
        services.decision_close(decision=d_a, actor=z.dept_user_a, evidence="已出具方案")
    d_c.refresh_from_db()
    d_a.refresh_from_db()
    assert (d_c.closed_on_time, d_c.overdue_at, d_c.evidence_name) == (True, None, "勘察报告.pdf")
    assert d_a.closed_on_time is False and d_a.overdue_at == at(2026, 12, 1, 0, 0, 30)
    assert "meetings_decisions_overdue" not in deadline_sweep(now=at(2026, 12, 1, 1))
    with pytest.raises(ValidationError):
        services.decision_close(decision=d_c, actor=z.dept_plain_c, evidence="再次")


def test_a_steward_owned_decision(mz):
    z = mz
    meeting = _held(z, decision("联系企业确认负荷", steward=z.steward_a, days=2))
    d = meeting.decisions.get()
    assert d.owner_name == z.steward_a.user.display_name
    with pytest.raises(PermissionDenied):
        services.decision_close(decision=d, actor=z.head_a, evidence="已确认")
    services.decision_close(decision=d, actor=z.steward_a.user, evidence="已确认负荷")


# --- chase-ups (督办) ------------------------------------------------------------------------------

def test_chase_ups_are_numbered_per_year_and_the_second_goes_to_the_leaders(mz, django_capture_on_commit_callbacks):
    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3))
    d = meeting.decisions.get()
    with pytest.raises(ValidationError):  # three working days left: on track
        services.supervision_issue(actor=z.steward_a.user, decision=d, reason="请加快")
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        first = services.supervision_issue(actor=z.steward_a.user, decision=d, reason="请于两个工作日内完成勘察")
        with pytest.raises(PermissionDenied):  # the other workstation's steward
            services.supervision_issue(actor=z.steward_b.user, decision=d, reason="请加快")
        second = services.supervision_issue(actor=z.head_a, decision=d, reason="再次督办")
    assert (first.code, first.sequence, first.leaders_told) == ("督办〔2026〕1号", 1, False)
    assert (second.code, second.sequence, second.leaders_told) == ("督办〔2026〕2号", 2, True)
    assert first.respond_by == at(2026, 12, 4)  # two working days: 2 and 3 December
    assert _kinds(z.dept_plain_c).count("supervision.issued") == 2 and _kinds(z.dept_user_c).count("supervision.issued") == 2
    assert "supervision.escalated" in _kinds(z.leader) and "supervision.escalated" in _kinds(z.leader2)
    assert _kinds(z.leader).count("supervision.escalated") == 1
    timeline = request_events(z.request_a, user=z.steward_a.user)
    assert [e.to_state for e in timeline if e.kind == MeetingEvent.SUPERVISION_ISSUED] == ["督办〔2026〕1号", "督办〔2026〕2号"]
    # A new year starts at 1.
    with time_machine.travel(at(2027, 1, 4, 10), tick=False):
        third = services.supervision_issue(actor=z.head_a, decision=d, reason="三次督办")
    assert third.code == "督办〔2027〕1号"


def test_a_chase_up_on_an_escalation_late_or_at_risk(mz):
    z = mz
    # Escalated Monday 23rd 10:00: reply due before Friday 27th 00:00; at risk on Thursday 26th.
    with time_machine.travel(at(2026, 11, 24, 10), tick=False), pytest.raises(ValidationError):
        services.supervision_issue(actor=z.steward_a.user, escalation=z.esc_c, reason="请答复")
    with time_machine.travel(at(2026, 11, 25, 10), tick=False):
        notice = services.supervision_issue(actor=z.steward_a.user, escalation=z.esc_c, reason="请于明日答复")
    assert notice.department == z.dept_c and notice.request == z.request_a
    with pytest.raises(PermissionDenied):
        services.supervision_issue(actor=z.dept_user_a, escalation=z.esc_c, reason="x")
    stewards_services.escalation_reply(escalation=z.esc_a, actor=z.dept_user_a, reply="已受理")
    z.esc_a.refresh_from_db()
    with time_machine.travel(at(2026, 12, 1, 10), tick=False), pytest.raises(ValidationError):  # answered
        services.supervision_issue(actor=z.steward_a.user, escalation=z.esc_a, reason="请答复")


def test_numbers_are_taken_in_turn(mz):
    numbers = [services.next_number("supervision", 2026) for _ in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    assert services.next_number("supervision", 2027) == 1 and services.next_number("minutes", 2026) == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_under_concurrent_issuers(zone):
    got, errors = [], []

    def take():
        try:
            for _ in range(5):
                got.append(services.next_number("supervision", 2030))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == list(range(1, 16))


# --- the joint meeting -------------------------------------------------------------------------

def test_the_joint_agenda_collects_flags_consultations_overdue_and_reopened(mz):
    z = mz
    services.joint_flag(actor=z.steward_b.user, request=z.request_b, reason="涉及两个工作站的排水管网")
    with pytest.raises(ValidationError):  # one open flag per request
        services.joint_flag(actor=z.steward_b.user, request=z.request_b, reason="again")
    with pytest.raises(PermissionDenied):
        services.joint_flag(actor=z.steward_a.user, request=z.request_b, reason="not mine")
    stewards_services.escalation_mark_consultation(escalation=z.esc_a, actor=z.dept_user_a, reason="需规建、供电会商")
    found = {s.request.pk: s.source for s in joint_agenda_candidates(now=at(2026, 11, 24, 10))}
    assert found == {z.request_b.pk: "flagged", z.request_a.pk: "consultation"}
    # Overdue: B's escalation passes its deadline (its flag still wins).
    found = {s.request.pk: s.source for s in joint_agenda_candidates(now=at(2026, 12, 2, 10))}
    assert found[z.request_b.pk] == "flagged"


def test_the_monthly_draft_is_made_once_and_a_head_convenes_it(mz, django_capture_on_commit_callbacks):
    z = mz
    services.joint_flag(actor=z.steward_b.user, request=z.request_b, reason="跨站")
    assert services.joint_meeting_draft_due(now=at(2026, 11, 19, 7)) is None  # before the 20th
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.joint_meeting_draft_due(now=at(2026, 11, 23, 7))
    assert draft.status == Meeting.Status.DRAFT and draft.month == dt.date(2026, 12, 1)
    assert services.joint_meeting_draft_due(now=at(2026, 11, 24, 7)) is None
    assert Meeting.objects.filter(kind=Meeting.Kind.JOINT).count() == 1
    assert [i.request for i in draft.items.all()] == [z.request_b]
    assert JointFlag.objects.get().meeting == draft
    assert "meeting.drafted" in _kinds(z.head_a) and "meeting.drafted" in _kinds(z.head_b)
    # A head convenes it, with A's escalation too; it keeps B's flagged item (another workstation's).
    meeting = services.meeting_convene(
        actor=z.head_a, title=draft.title, purpose=draft.purpose, starts_at=at(2026, 12, 3, 14),
        subjects=subjects(z.request_b, z.esc_a), place="管委会1号会议室", heads=[z.head_b],
        departments=[z.dept_a, z.dept_b], draft=draft)
    assert meeting.pk == draft.pk and meeting.status == Meeting.Status.SCHEDULED
    assert [i.source for i in meeting.items.order_by("position")] == ["flagged", "convener"]
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(meeting=meeting, actor=z.steward_b.user, reason="x")
    services.meeting_cancel(meeting=meeting, actor=z.head_b, reason="改期")
    assert JointFlag.objects.open().count() == 1  # waits for the next joint meeting


# --- the grade's counts ---------------------------------------------------------------------------

def test_department_month_counts(mz):
    z = mz
    meeting = _held(z, decision(department=z.dept_c, days=3), decision(department=z.dept_a, days=3),
                    decision(department=z.dept_a, days=30))
    d_c, d_a, d_later = meeting.decisions.order_by("position")
    with time_machine.travel(at(2026, 11, 30, 10), tick=False):
        services.decision_close(decision=d_a, actor=z.dept_user_a, evidence="已完成")
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        services.supervision_issue(actor=z.steward_a.user, decision=d_c, reason="请尽快")
    # Both decisions' periods end on 30 November (due 1 December 00:00, exclusive): November's.
    november = department_month_counts(2026, 11)
    assert november[z.dept_c.pk] == {"decisions_due": 1, "decisions_on_time": 0, "decisions_overdue": 1, "chase_ups": 0,
                                     "decision_ids": [d_c.pk], "chase_up_ids": []}
    assert november[z.dept_a.pk] == {"decisions_due": 1, "decisions_on_time": 1, "decisions_overdue": 0, "chase_ups": 0,
                                     "decision_ids": [d_a.pk], "chase_up_ids": []}
    december = department_month_counts(2026, 12)
    notice = SupervisionNotice.objects.get()
    assert december[z.dept_c.pk]["chase_ups"] == 1 and december[z.dept_c.pk]["decisions_due"] == 0
    assert december[z.dept_c.pk]["chase_up_ids"] == [notice.pk]
    assert z.dept_b.pk not in november
    assert SupervisionNotice.objects.count() == 1 and d_later.status == "open"


def test_a_failing_registered_sweep_stops_neither_the_others_nor_the_stewards(mz, monkeypatch, caplog):
    from zonehub import deadline_sweeps

    z = mz
    _held(z, decision(department=z.dept_c, days=3))

    def broken(*, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(deadline_sweeps, "_SWEEPS", {"broken": broken, **deadline_sweeps.registered_deadline_sweeps()})
    counts = deadline_sweep(now=at(2026, 12, 1, 0, 1))
    assert counts["meetings_decisions_overdue"] == 1 and counts["overdue"] == 3  # A's two escalations and B's
    assert "deadline sweep broken failed" in caplog.text
