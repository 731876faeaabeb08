"""Helpers for the meetings app's tests: meetings convened and held through the services, as the
pages do; and bare rows for the permission matrix (``matrix_objects``)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import services
from meetings.models import AgendaItem, Decision, Invitation, Meeting, SupervisionNotice
from meetings.selectors import subject_of_key
from stewards.tests.factories import PDF_BYTES
from zonehub.workdays import SHANGHAI


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def subjects(*objs):
    """The form's subjects for requests, escalations or projects."""
    keys = []
    for obj in objs:
        keys.append(f"{obj._meta.model_name.replace('servicerequest', 'request')}:{obj.pk}")
    return [subject_of_key(key) for key in keys]


def convene(actor, *about, departments=(), starts_at=None, kind=Meeting.Kind.ORDINARY, title="用电增容协调会",
            place="管委会3楼会议室", **kwargs) -> Meeting:
    return services.meeting_convene(actor=actor, kind=kind, title=title, purpose="协调解决企业用电增容问题",
                                    starts_at=starts_at or at(2026, 11, 25, 14, 30), subjects=subjects(*about),
                                    place=place, departments=list(departments), **kwargs)


def hold(meeting: Meeting, actor, *decisions: services.DecisionDraft, when=None, attendees="王局长；李科长") -> Meeting:
    """Record the minutes at ``when`` (default: an hour after the meeting started)."""
    with time_machine.travel(when or meeting.starts_at + dt.timedelta(hours=1), tick=False):
        return services.minutes_record(meeting=meeting, actor=actor, attendees=attendees, summary="",
                                       discussions={}, decisions=list(decisions))


def decision(text="三个工作日内完成线路勘察", *, department=None, steward=None, days=3, item=None):
    return services.DecisionDraft(text=text, working_days=days, department=department, steward=steward, item=item)


def matrix_objects(z, objects) -> dict:
    """The A and B side of the meetings' routes for tests/test_permission_matrix.py: a meeting held
    (convened by the side's steward about the side's escalation, its department invited and
    confirmed), a decision of it owned by the side's department (A's closed with an evidence
    file), a chase-up on the side's escalation. Bare rows: the matrix asks who may open them."""
    found: dict = {}
    for side, (steward, dept, ws) in enumerate(((z.steward_a, z.dept_a, z.ws_a), (z.steward_b, z.dept_b, z.ws_b))):
        escalation = objects["escalation"][side]
        request = escalation.request
        meeting = Meeting.objects.create(
            kind=Meeting.Kind.ORDINARY, status=Meeting.Status.HELD, title=f"协调会{side}", purpose="协调",
            starts_at=at(2026, 11, 20, 10), place="会议室", workstation=ws, convened_by=steward.user,
            convened_at=at(2026, 11, 18, 10), notice_year=2026, notice_number=900 + side, minutes_year=2026,
            minutes_number=900 + side, attendees="王局长", minutes_at=at(2026, 11, 20, 12), minutes_by=steward.user)
        item = AgendaItem.objects.create(meeting=meeting, title=request.title, request=request, escalation=escalation)
        Invitation.objects.create(meeting=meeting, department=dept, status=Invitation.Status.CONFIRMED,
                                  attendees="王局长")
        closed = side == 0
        row = Decision.objects.create(
            meeting=meeting, item=item, text="完成勘察", department=dept, request=request, working_days=3,
            due_at=at(2026, 11, 26), remind_at=at(2026, 11, 25, 9),
            status=Decision.Status.CLOSED if closed else Decision.Status.OPEN,
            closed_at=at(2026, 11, 21, 9) if closed else None, closed_on_time=True if closed else None,
            evidence="已完成" if closed else "",
            evidence_file=SimpleUploadedFile("勘察报告.pdf", PDF_BYTES) if closed else "",
            evidence_name="勘察报告.pdf" if closed else "")
        notice = SupervisionNotice.objects.create(
            year=2026, number=900 + side, escalation=escalation, request=request, department=dept, reason="请尽快答复",
            respond_by=at(2026, 11, 26), issued_by=steward.user, issued_at=at(2026, 11, 21, 10))
        for kind, obj in (("meeting", meeting), ("decision", row), ("notice", notice)):
            found.setdefault(kind, []).append(obj)
    return found
