"""The rules of issue 3, through the services: what a user would notice."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from stewards import services
from stewards.models import (
    Escalation,
    LedgerItem,
    RequestAttachment,
    ServiceRequest,
    Visit,
)
from stewards.tests.factories import pdf, png, shanghai
from tests.factories import DepartmentFactory, UserFactory
from zonehub.cache import dashboard_generation
from zonehub.events import EVENT_LABELS, event_list_for
from zonehub.models import CalendarDay, CalendarYear, Event, Notification, Role
from zonehub.services import calendar_changed

pytestmark = pytest.mark.django_db

S, E = ServiceRequest.Status, Escalation.Status
FRIDAY_BEFORE_MAKEUP_SATURDAY = shanghai(2025, 2, 7, 10, 0)  # Sat 2025-02-08 is a 调休 working day


def submit(zone, **kw):
    fields = {"category": "factors", "title": "用电增容", "description": "新产线需要增容。", **kw}
    return services.request_submit(actor=zone.ent_user_a, **fields)


def accepted(zone, **kw):
    return services.request_accept(request=submit(zone, **kw), actor=zone.steward_a.user)


def escalate(zone, request, *departments, reason="请协调。"):
    return services.request_escalate(request=request, actor=zone.steward_a.user,
                                     departments=list(departments) or [zone.dept_a], reason=reason)


def notified(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return list(qs.filter(kind=kind) if kind else qs)


# --- submitting ------------------------------------------------------------------------------


def test_submit_attaches_the_active_steward_notifies_it_and_sets_the_acceptance_deadline(zone):
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        request = submit(zone, files=[pdf(), png()])
    assert request.status == S.SUBMITTED
    assert request.steward == zone.steward_a
    assert request.channel == ServiceRequest.Channel.WEB
    # One working day: the make-up Saturday counts, so it ends at 24:00 that Saturday.
    assert request.accept_due_at == shanghai(2025, 2, 9)
    assert [a.original_name for a in request.attachments.all()] == ["证明材料.pdf", "现场照片.png"]
    (note,) = notified(zone.steward_a.user, "request.submitted")
    assert "用电增容" in note.title and zone.ent_a.name in note.title
    assert [e.kind for e in event_list_for(request)] == ["request.submitted"]


def test_a_submission_is_one_read_and_three_rows_sent_together(zone, django_assert_num_queries):
    """The submission path stays lean (issue 15): the enterprise, its steward and the new
    request's id in one read, then the request, its event and the steward's notice, sent to
    PostgreSQL in one round trip which is its own transaction (elsewhere one statement each, in
    one transaction); the calendar comes from the process, no query asks what a unique
    constraint already guarantees."""
    submit(zone)  # the calendar is read once per process
    zone.ent_user_a.refresh_from_db()  # as a new web request: nothing of the enterprise cached
    together = connection.vendor == "postgresql"
    with django_assert_num_queries(2 if together else 4, connection=None) as ctx:
        request = submit(zone, title="第二件")
    sql = [q["sql"] for q in ctx.captured_queries]
    # The read is the statement PostgreSQL prepared on the first submission (zonehub.db).
    assert sum(s.startswith(("SELECT", "EXECUTE")) for s in sql) == 1
    inserts = [len(re.findall(r"^INSERT |;\nINSERT ", s)) for s in sql if s.startswith("INSERT ")]
    assert inserts == ([3] if together else [1, 1, 1])
    assert ServiceRequest.objects.filter(pk=request.pk, title="第二件").exists()
    assert [e.kind for e in event_list_for(request)] == ["request.submitted"]
    (note,) = [n for n in notified(zone.steward_a.user, "request.submitted") if "第二件" in n.title]
    assert (note.dedupe_key, note.url) == (f"request:{request.pk}:submitted", f"/requests/{request.pk}/")


def test_the_next_request_goes_to_the_steward_named_meanwhile(zone):
    """The steward is read on each submission (the process keeps the query, never its answer):
    once another steward is named, the next request is theirs and only they hear of it."""
    from stewards.services import steward_assign
    from tests.factories import StewardFactory

    first = submit(zone, title="第一件")
    newcomer = StewardFactory(user__workstation=zone.ws_a, user__name="新管家")
    steward_assign(enterprise=zone.ent_a, steward=newcomer, actor=zone.admin)
    second = submit(zone, title="第二件")
    assert (first.steward, second.steward) == (zone.steward_a, newcomer)
    assert ServiceRequest.objects.get(pk=second.pk).steward == newcomer
    (note,) = notified(newcomer.user, "request.submitted")
    assert "第二件" in note.title and zone.ent_a.name in note.title
    assert all("第二件" not in n.title for n in notified(zone.steward_a.user, "request.submitted"))
    (event,) = event_list_for(second)
    assert event.data["steward"] == "新管家"


def test_a_steward_whose_login_is_disabled_gets_the_request_but_no_notice(zone):
    zone.steward_a.user.is_active = False
    zone.steward_a.user.save(update_fields=["is_active"])
    request = submit(zone)
    assert ServiceRequest.objects.get(pk=request.pk).steward == zone.steward_a
    assert not notified(zone.steward_a.user)


def test_only_enterprise_users_submit(zone):
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=zone.steward_a.user, category="other", title="x", description="y")


@pytest.mark.parametrize("field", ["title", "description"])
def test_submit_without_a_required_field_changes_nothing(zone, field):
    with pytest.raises(ValidationError) as exc:
        submit(zone, **{field: "  "})
    assert field in exc.value.message_dict
    assert not ServiceRequest.objects.exists()


def test_submit_with_an_unknown_category_is_refused(zone):
    with pytest.raises(ValidationError):
        submit(zone, category="bribes")


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 20),
    SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 this is an executable"),  # right name, wrong content
    SimpleUploadedFile("fake.docx", b"PK\x03\x04 not a real office file"),
    SimpleUploadedFile("empty.pdf", b""),
])
def test_a_rejected_file_changes_nothing(zone, upload):
    with pytest.raises(ValidationError) as exc:
        submit(zone, files=[upload])
    assert exc.value.message_dict["files"]
    assert not ServiceRequest.objects.exists()
    assert not RequestAttachment.objects.exists()


def test_an_oversize_file_is_refused_with_the_limit_in_the_message(zone, settings):
    settings.ZONEHUB_ATTACHMENT_MAX_MB = 1
    big = pdf(content=b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        submit(zone, files=[big])
    assert "1 MB" in exc.value.message_dict["files"][0]
    assert not ServiceRequest.objects.exists()


def test_real_office_documents_are_accepted(zone):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx = SimpleUploadedFile("说明.docx", buffer.getvalue())
    xls = SimpleUploadedFile("表格.xls", services.OLE_MAGIC + b"\x00" * 64)
    request = submit(zone, files=[docx, xls])
    assert request.attachments.count() == 2


def test_attachments_are_stored_under_media_root_with_a_generated_name(zone, settings):
    request = submit(zone, files=[pdf("../../etc/passwd.pdf")])
    attachment = request.attachments.get()
    assert attachment.original_name == "passwd.pdf"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "passwd" not in attachment.file.name


def test_an_enterprise_without_steward_still_submits_and_its_workstation_head_is_told(zone):
    from stewards.services import steward_unassign

    steward_unassign(enterprise=zone.ent_a, actor=zone.admin, reason="steward_left")
    request = submit(zone)
    assert request.steward is None
    assert notified(zone.head_a, "request.submitted")


# --- accepting, commenting, resolving --------------------------------------------------------


def test_accept_twice_is_refused(zone):
    request = accepted(zone)
    with pytest.raises(ValidationError):
        services.request_accept(request=request, actor=zone.steward_a.user)


def test_another_steward_cannot_accept(zone):
    with pytest.raises(PermissionDenied):
        services.request_accept(request=submit(zone), actor=zone.steward_b.user)


def test_a_comment_notifies_the_other_side(zone):
    request = submit(zone)
    services.request_comment(request=request, actor=zone.steward_a.user, body="请补充用电负荷表。")
    services.request_comment(request=request, actor=zone.ent_user_a, body="已补充。")
    assert [n.body for n in notified(zone.ent_user_a, "request.commented")] == ["请补充用电负荷表。"]
    assert [n.body for n in notified(zone.steward_a.user, "request.commented")] == ["已补充。"]
    with pytest.raises(ValidationError):
        services.request_comment(request=request, actor=zone.ent_user_a, body=" ")


def test_resolve_directly_reports_to_the_enterprise_and_starts_the_auto_close_clock(zone):
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        request = services.request_resolve_directly(request=accepted(zone), actor=zone.steward_a.user,
                                                    report="已协调供电所上门。")
    assert request.status == S.REPORTED and request.resolved_directly
    # 5 working days: Sat 8, Mon 10 … Thu 13 → ends 24:00 Thu 13 February.
    assert request.auto_close_due_at == shanghai(2025, 2, 14)
    assert notified(zone.ent_user_a, "request.resolved")


# --- escalating and the 3-working-day clock ---------------------------------------------------


def test_escalating_to_two_departments_gives_each_its_own_clock(zone):
    request = accepted(zone)
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        first, second = escalate(zone, request, zone.dept_a, zone.dept_b)
    # Friday is not counted; Sat 8 (make-up), Mon 10, Tue 11 → due 00:00 Wed 12 February.
    assert first.due_at == second.due_at == shanghai(2025, 2, 12)
    assert first.remind_at == shanghai(2025, 2, 11, 9)
    request.refresh_from_db()
    assert request.status == S.ESCALATED
    assert notified(zone.dept_user_a, "escalation.sent") and notified(zone.dept_user_b, "escalation.sent")
    services.escalation_reply(escalation=first, actor=zone.dept_user_a, reply="已办理。")
    second.refresh_from_db()
    assert second.clock_stopped_at is None  # one department's reply does not stop the other's clock


def test_escalating_to_no_department_is_refused(zone):
    request = accepted(zone)
    with pytest.raises(ValidationError) as exc:
        services.request_escalate(request=request, actor=zone.steward_a.user, departments=[], reason="x")
    assert "departments" in exc.value.message_dict
    assert not Escalation.objects.exists()


def test_escalating_again_to_a_department_holding_it_is_refused_and_changes_nothing(zone):
    request = accepted(zone)
    escalate(zone, request, zone.dept_a)
    with pytest.raises(ValidationError):
        escalate(zone, request, zone.dept_b, zone.dept_a)
    assert list(Escalation.objects.values_list("department", flat=True)) == [zone.dept_a.pk]


def test_the_database_also_forbids_two_open_escalations_to_one_department(zone):
    from django.db import IntegrityError, transaction

    request = accepted(zone)
    (escalation,) = escalate(zone, request, zone.dept_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(request=request, department=zone.dept_a, sent_by=zone.steward_a.user,
                                  reason="x", due_at=escalation.due_at, remind_at=escalation.remind_at)


def test_escalating_a_closed_request_is_refused(zone):
    request = services.request_resolve_directly(request=accepted(zone), actor=zone.steward_a.user, report="好了")
    services.request_confirm(request=request, actor=zone.ent_user_a)
    with pytest.raises(ValidationError):
        escalate(zone, request)
    with pytest.raises(ValidationError):
        services.request_comment(request=request, actor=zone.ent_user_a, body="还有一事")


def test_escalating_without_a_reason_is_refused(zone):
    with pytest.raises(ValidationError):
        escalate(zone, accepted(zone), zone.dept_a, reason="")


def test_a_reply_exactly_at_due_at_is_late_and_one_microsecond_before_is_on_time(zone):
    request = accepted(zone)
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        late, on_time = escalate(zone, request, zone.dept_a, zone.dept_b)
    with time_machine.travel(late.due_at, tick=False):
        late = services.escalation_reply(escalation=late, actor=zone.dept_user_a, reply="答复")
    with time_machine.travel(on_time.due_at - dt.timedelta(microseconds=1), tick=False):
        on_time = services.escalation_reply(escalation=on_time, actor=zone.dept_user_b, reply="答复")
    assert late.answered_on_time is False
    assert on_time.answered_on_time is True
    assert late.status == on_time.status == E.REPLIED


def test_a_second_reply_is_refused_and_changes_nothing(zone):
    (escalation,) = escalate(zone, accepted(zone))
    services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="第一次")
    with pytest.raises(ValidationError):
        services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="第二次")
    escalation.refresh_from_db()
    assert escalation.reply == "第一次"


def test_only_the_department_it_was_sent_to_may_answer(zone):
    (escalation,) = escalate(zone, accepted(zone), zone.dept_a)
    for user in (zone.dept_user_b, zone.steward_a.user, zone.ent_user_a):
        with pytest.raises(PermissionDenied):
            services.escalation_reply(escalation=escalation, actor=user, reply="x")


def test_joint_consultation_stops_the_reply_clock_and_asks_for_progress_every_three_working_days(zone):
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        (escalation,) = escalate(zone, accepted(zone))
        escalation = services.escalation_mark_consultation(escalation=escalation, actor=zone.dept_user_a,
                                                           reason="涉及规划与供电两家")
    assert escalation.status == E.CONSULTATION and escalation.needs_consultation
    assert escalation.answered_on_time is True
    assert escalation.next_progress_due_at == shanghai(2025, 2, 12)
    with pytest.raises(ValidationError):
        services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="x")
    with time_machine.travel(shanghai(2025, 2, 11, 15), tick=False):
        progress = services.escalation_progress_report(escalation=escalation, actor=zone.dept_user_a, text="已会商一次")
    assert progress.on_time
    escalation.refresh_from_db()
    assert escalation.next_progress_due_at == shanghai(2025, 2, 15)  # Wed 12, Thu 13, Fri 14
    escalation = services.escalation_conclude(escalation=escalation, actor=zone.dept_user_a, conclusion="已解决")
    assert escalation.status == E.CONCLUDED
    with pytest.raises(ValidationError):
        services.escalation_progress_report(escalation=escalation, actor=zone.dept_user_a, text="再报")


def test_a_returned_escalation_stops_its_clock_and_the_steward_can_escalate_elsewhere_or_again(zone):
    request = accepted(zone)
    (escalation,) = escalate(zone, request, zone.dept_a)
    escalation = services.escalation_return(escalation=escalation, actor=zone.dept_user_a, reason="不属于本局职责")
    assert escalation.status == E.RETURNED and escalation.clock_stopped_at is not None
    assert notified(zone.steward_a.user, "escalation.returned")
    escalate(zone, request, zone.dept_b)
    escalate(zone, request, zone.dept_a, reason="请再看一下")  # the earlier one is no longer open
    with pytest.raises(ValidationError):
        services.request_report_back(request=request, actor=zone.steward_a.user, report="x")


# --- closing the loop ------------------------------------------------------------------------


def test_report_back_waits_for_every_department(zone):
    request = accepted(zone)
    first, second = escalate(zone, request, zone.dept_a, zone.dept_b)
    services.escalation_reply(escalation=first, actor=zone.dept_user_a, reply="好")
    with pytest.raises(ValidationError):
        services.request_report_back(request=request, actor=zone.steward_a.user, report="办结")
    services.escalation_return(escalation=second, actor=zone.dept_user_b, reason="非本局")
    assert notified(zone.steward_a.user, "request.all_answered")
    request = services.request_report_back(request=request, actor=zone.steward_a.user, report="办结")
    assert request.status == S.REPORTED and request.auto_close_due_at


def test_reopen_needs_a_reason_and_goes_back_to_the_steward(zone):
    request = services.request_resolve_directly(request=accepted(zone), actor=zone.steward_a.user, report="好了")
    with pytest.raises(ValidationError):
        services.request_reopen(request=request, actor=zone.ent_user_a, reason="")
    with pytest.raises(PermissionDenied):
        services.request_reopen(request=request, actor=zone.ent_user_b, reason="不满意")
    request = services.request_reopen(request=request, actor=zone.ent_user_a, reason="电压仍不稳")
    assert request.status == S.REOPENED and request.reopen_count == 1 and request.auto_close_due_at is None
    assert notified(zone.steward_a.user, "request.reopened")
    with pytest.raises(ValidationError):
        services.request_confirm(request=request, actor=zone.ent_user_a)
    escalate(zone, request, zone.dept_b)  # the steward tries another department
    request.refresh_from_db()
    assert request.status == S.ESCALATED


def test_confirm_closes_it_as_confirmed_by_the_enterprise(zone):
    request = services.request_resolve_directly(request=accepted(zone), actor=zone.steward_a.user, report="好了")
    request = services.request_confirm(request=request, actor=zone.ent_user_a)
    assert request.status == S.CLOSED and request.close_reason == ServiceRequest.CloseReason.CONFIRMED
    assert request.closed_at


def test_auto_close_only_after_the_due_time_and_only_once(zone):
    request = services.request_resolve_directly(request=accepted(zone), actor=zone.steward_a.user, report="好了")
    assert not services.request_auto_close(request=request, now=request.auto_close_due_at - dt.timedelta(seconds=1))
    assert services.request_auto_close(request=request, now=request.auto_close_due_at)
    assert not services.request_auto_close(request=request, now=request.auto_close_due_at)
    request.refresh_from_db()
    assert request.close_reason == ServiceRequest.CloseReason.AUTO
    assert [e.kind for e in event_list_for(request)].count("request.auto_closed") == 1


# --- the timeline ----------------------------------------------------------------------------


def test_the_request_timeline_holds_every_state_change_of_the_request_and_its_escalations(zone):
    request = accepted(zone)
    first, second = escalate(zone, request, zone.dept_a, zone.dept_b)
    services.escalation_reply(escalation=first, actor=zone.dept_user_a, reply="好")
    services.escalation_mark_consultation(escalation=second, actor=zone.dept_user_b, reason="需会商")
    services.escalation_progress_report(escalation=second, actor=zone.dept_user_b, text="进展")
    services.escalation_conclude(escalation=second, actor=zone.dept_user_b, conclusion="结论")
    request = services.request_report_back(request=request, actor=zone.steward_a.user, report="办结")
    services.request_confirm(request=request, actor=zone.ent_user_a)
    events = list(event_list_for(request))
    assert [e.kind for e in events] == [
        "request.submitted", "request.accepted", "escalation.sent", "escalation.sent", "request.escalated",
        "escalation.replied", "escalation.consultation", "escalation.progress", "escalation.concluded",
        "request.reported", "request.confirmed",
    ]
    replied = events[5]
    assert (replied.actor, replied.from_state, replied.to_state) == (zone.dept_user_a, "open", "replied")
    assert all(e.kind in EVENT_LABELS for e in Event.objects.all())


# --- stewards' own requests, visits and the ledger --------------------------------------------


def test_a_steward_logs_a_request_on_the_enterprises_behalf(zone):
    request = services.request_log_on_behalf(
        actor=zone.steward_a.user, enterprise=zone.ent_a, channel="phone", category="talent",
        title="招聘技工", description="需要 20 名焊工。")
    assert request.status == S.ACCEPTED and request.channel == "phone" and request.steward == zone.steward_a
    assert notified(zone.ent_user_a, "request.logged")
    with pytest.raises(PermissionDenied):
        services.request_log_on_behalf(actor=zone.steward_a.user, enterprise=zone.ent_b, channel="phone",
                                       category="talent", title="x", description="y")
    with pytest.raises(ValidationError):
        services.request_log_on_behalf(actor=zone.steward_a.user, enterprise=zone.ent_a, channel="web",
                                       category="talent", title="x", description="y")


def test_a_visit_with_findings_becomes_requests(zone):
    visit = services.visit_log(
        actor=zone.steward_a.user, enterprise=zone.ent_a, visited_on=dt.date(2025, 2, 7), findings="厂区路灯不亮",
        requests=[{"category": "infrastructure", "title": "路灯维修", "description": "厂区东侧路灯"}])
    request = ServiceRequest.objects.get(visit=visit)
    assert request.channel == "visit" and request.enterprise == zone.ent_a
    assert Visit.objects.visible_to(zone.steward_b.user).count() == 0
    with pytest.raises(PermissionDenied):
        services.visit_log(actor=zone.steward_b.user, enterprise=zone.ent_a, visited_on=dt.date(2025, 2, 7))


def test_a_visit_in_the_future_is_refused(zone):
    with pytest.raises(ValidationError):
        services.visit_log(actor=zone.steward_a.user, enterprise=zone.ent_a, visited_on=dt.date(2999, 1, 1))


def test_a_ledger_item_dispatched_by_a_leader_runs_on_the_same_clock(zone):
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        item = services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="园区道路积水",
                                           description="雨后积水严重", meeting_date=dt.date(2025, 2, 6),
                                           category="infrastructure")
        assert item.status == LedgerItem.Status.UNASSIGNED
        item = services.ledger_item_dispatch(item=item, actor=zone.leader, department=zone.dept_a)
    assert item.status == LedgerItem.Status.DISPATCHED and item.department == zone.dept_a
    assert item.request.channel == "complaint_meeting" and item.request.status == S.ESCALATED
    escalation = item.request.escalations.get()
    assert escalation.due_at == shanghai(2025, 2, 12)
    assert notified(zone.dept_user_a, "escalation.sent")
    with pytest.raises(ValidationError):
        services.ledger_item_claim(item=item, actor=zone.dept_user_b)


def test_departments_see_unassigned_items_and_claim_them(zone):
    item = services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="停车难",
                                       description="员工停车位不足", meeting_date=dt.date(2025, 2, 6))
    assert list(LedgerItem.objects.visible_to(zone.dept_user_b)) == [item]
    item = services.ledger_item_claim(item=item, actor=zone.dept_user_b)
    assert item.status == LedgerItem.Status.CLAIMED and item.department == zone.dept_b
    assert item.request.escalations.get().department == zone.dept_b
    assert list(LedgerItem.objects.visible_to(zone.dept_user_a)) == []
    assert notified(zone.leader, "ledger.claimed")


def test_only_leaders_keep_the_ledger(zone):
    with pytest.raises(PermissionDenied):
        services.ledger_item_record(actor=zone.steward_a.user, enterprise=zone.ent_a, title="x", description="y",
                                    meeting_date=dt.date(2025, 2, 6))


# --- scoping ---------------------------------------------------------------------------------


def test_scoping_of_requests_and_escalations(zone):
    mine = accepted(zone)
    escalate(zone, mine, zone.dept_a)
    theirs = services.request_submit(actor=zone.ent_user_b, category="other", title="B", description="b")
    visible = {u: set(ServiceRequest.objects.visible_to(u)) for u in (
        zone.ent_user_a, zone.ent_user_b, zone.steward_a.user, zone.steward_b.user, zone.head_a, zone.head_b,
        zone.dept_user_a, zone.dept_user_b, zone.leader)}
    assert visible[zone.ent_user_a] == {mine} and visible[zone.ent_user_b] == {theirs}
    assert visible[zone.steward_a.user] == {mine} and visible[zone.steward_b.user] == {theirs}
    assert visible[zone.head_a] == {mine} and visible[zone.head_b] == {theirs}
    assert visible[zone.dept_user_a] == {mine} and visible[zone.dept_user_b] == set()
    assert visible[zone.leader] == {mine, theirs}
    assert Escalation.objects.visible_to(zone.dept_user_b).count() == 0
    assert RequestAttachment.objects.visible_to(zone.ent_user_b).count() == 0
    outsider = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    assert not ServiceRequest.objects.visible_to(outsider).exists()


def test_a_new_steward_sees_the_enterprises_history_and_the_old_one_keeps_its_own(zone):
    from stewards.services import steward_assign
    from tests.factories import StewardFactory

    request = submit(zone)
    newcomer = StewardFactory(user__workstation=zone.ws_a)
    steward_assign(enterprise=zone.ent_a, steward=newcomer, actor=zone.admin)
    assert list(ServiceRequest.objects.visible_to(newcomer.user)) == [request]
    assert list(ServiceRequest.objects.visible_to(zone.steward_a.user)) == [request]
    services.request_accept(request=request, actor=newcomer.user)


# --- the calendar changes ---------------------------------------------------------------------


def test_deadlines_are_recomputed_when_the_calendar_of_their_year_changes(zone):
    with time_machine.travel(shanghai(2025, 2, 7, 10), tick=False):
        (escalation,) = escalate(zone, accepted(zone))
        waiting = submit(zone, title="待受理")
    assert escalation.due_at == shanghai(2025, 2, 12)
    # An admin declares Monday 10 February a day off: the clock runs one working day longer.
    CalendarDay.objects.create(year=CalendarYear.objects.get(year=2025), date=dt.date(2025, 2, 10),
                               is_workday=False, name="临时调整")
    calendar_changed.send(sender=CalendarYear, years=[2025])
    escalation.refresh_from_db()
    waiting.refresh_from_db()
    assert escalation.due_at == shanghai(2025, 2, 13)
    assert escalation.remind_at == shanghai(2025, 2, 12, 9)
    assert waiting.accept_due_at == shanghai(2025, 2, 9)  # Saturday 8 is still a working day
    assert "escalation.due_changed" in [e.kind for e in event_list_for(escalation.request)]


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=-3 * 86_400_000_000, max_value=3 * 86_400_000_000))
def test_a_reply_is_on_time_exactly_when_it_comes_before_due_at(zone, offset):
    """DESIGN.md rule 1 for any reply instant around the deadline (microsecond resolution)."""
    with time_machine.travel(FRIDAY_BEFORE_MAKEUP_SATURDAY, tick=False):
        request = accepted(zone)
        (escalation,) = escalate(zone, request, zone.dept_a)
    replied_at = escalation.due_at + dt.timedelta(microseconds=offset)
    with time_machine.travel(replied_at, tick=False):
        escalation = services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="答复")
    assert escalation.replied_at == replied_at
    assert escalation.answered_on_time is (replied_at < shanghai(2025, 2, 12))


@pytest.mark.django_db(transaction=True)
def test_once_a_submission_is_written_the_dashboards_move_and_the_steward_is_told(zone):
    """Written outside any transaction of the caller (as by a web request): what follows the
    commit, the dashboards' new generation and the notice's delivery, runs once the rows are in,
    and not for a submission refused."""
    before = dashboard_generation()
    with pytest.raises(ValidationError):
        submit(zone, title="")
    assert dashboard_generation() == before
    request = submit(zone, title="夜间施工许可")
    assert dashboard_generation() != before
    note = Notification.objects.get(recipient=zone.steward_a.user, dedupe_key=f"request:{request.pk}:submitted")
    assert note.delivery != Notification.Delivery.PENDING  # delivered (tests run tasks at once)
