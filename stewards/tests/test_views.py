"""The request pages as their users meet them: forms, messages, scoping by URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from stewards import services
from stewards.models import Escalation, RequestAttachment, ServiceRequest
from stewards.tests.factories import PDF_BYTES, pdf, png
from zonehub.events import EVENT_LABELS
from zonehub.models import Event

pytestmark = pytest.mark.django_db

S, E = ServiceRequest.Status, Escalation.Status


def page(response) -> str:
    return response.content.decode()


def shows(html: str, message) -> bool:
    """The page shows this (translated) message, as the template escapes it."""
    return escape(str(message)) in html


def label(kind: str) -> str:
    return escape(str(EVENT_LABELS[kind]))


def submit(zone, user=None, **kw):
    fields = {"category": "factors", "title": "用电增容", "description": "新产线需要增容。", **kw}
    return services.request_submit(actor=user or zone.ent_user_a, **fields)


def escalated(zone, *departments):
    request = submit(zone)
    services.request_escalate(request=request, actor=zone.steward_a.user,
                              departments=list(departments) or [zone.dept_a], reason="请协调供电。")
    request.refresh_from_db()
    return request


def snapshot(request: ServiceRequest):
    """What a user would notice changing on a request."""
    request.refresh_from_db()
    return (request.status, request.escalations.count(), Event.objects.filter(root_id=request.pk).count(),
            request.attachments.count())


# --- the enterprise's form story --------------------------------------------------------------


def test_enterprise_submits_and_lands_on_its_request_page_with_steward_and_timeline(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {
        "category": "factors", "title": "二号线用电增容", "description": "新产线需要增容 800 千伏安。",
        "urgency": "urgent", "attachments": [pdf(), png()],
    }, follow=True)
    request = ServiceRequest.objects.get(title="二号线用电增容")
    assert response.redirect_chain[-1][0] == reverse("stewards:request_detail", args=[request.pk])
    html = page(response)
    steward = zone.steward_a
    assert steward.name in html
    assert f'href="tel:{steward.phone}"' in html
    assert 'data-testid="timeline"' in html and label("request.submitted") in html
    timeline = html.split('data-testid="timeline"')[1]
    assert escape(str(S.SUBMITTED.label)) in timeline and "→ submitted" not in timeline
    assert request.enterprise == zone.ent_a and request.steward == steward
    assert [a.original_name for a in request.attachments.all()] == ["证明材料.pdf", "现场照片.png"]
    for a in request.attachments.all():
        assert reverse("stewards:attachment", args=[request.pk, a.pk]) in html


def test_the_form_page_names_the_steward_who_will_take_the_request(client, zone):
    client.force_login(zone.ent_user_a)
    html = page(client.get(reverse("stewards:request_create")))
    assert zone.steward_a.name in html and 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize("bad_file, words", [
    (SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream"), "病毒.exe"),
    (SimpleUploadedFile("假的.pdf", b"<html>not a pdf</html>", content_type="application/pdf"), "假的.pdf"),
])
def test_a_wrong_type_file_is_refused_with_a_message_and_the_form_keeps_what_was_typed(client, zone, bad_file, words):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {
        "category": "policy", "title": "研发补贴兑现", "description": "去年的研发补贴还没有到账。", "urgency": "normal",
        "attachments": [pdf(), bad_file],
    })
    assert response.status_code == 200
    html = page(response)
    assert words in html and "invalid-feedback" in html
    assert 'value="研发补贴兑现"' in html and "去年的研发补贴还没有到账。" in html
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


def test_an_oversize_file_is_refused_with_a_message(client, zone, settings):
    settings.ZONEHUB_ATTACHMENT_MAX_MB = 1
    client.force_login(zone.ent_user_a)
    big = SimpleUploadedFile("大图纸.pdf", PDF_BYTES + b"0" * (1024 * 1024 + 1), content_type="application/pdf")
    response = client.post(reverse("stewards:request_create"), {
        "category": "approval", "title": "施工许可", "description": "请帮助办理施工许可。", "urgency": "normal",
        "attachments": [big],
    })
    html = page(response)
    assert response.status_code == 200
    assert "大图纸.pdf" in html and "1 MB" in html
    assert 'value="施工许可"' in html
    assert not ServiceRequest.objects.exists()


def test_missing_fields_are_named_and_nothing_is_saved(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {"title": "只有标题"})
    html = page(response)
    assert response.status_code == 200
    assert html.count("invalid-feedback") >= 2  # category and description
    assert 'value="只有标题"' in html
    assert not ServiceRequest.objects.exists()


def test_only_enterprise_users_get_the_submit_form(client, zone):
    client.force_login(zone.steward_a.user)
    assert client.get(reverse("stewards:request_create")).status_code == 403
    client.force_login(zone.dept_user_a)
    assert client.post(reverse("stewards:request_create"), {"title": "x"}).status_code == 403


# --- scoping by URL ----------------------------------------------------------------------------


def test_an_enterprise_cannot_open_another_enterprises_request_or_attachment(client, zone):
    theirs = submit(zone, user=zone.ent_user_b, files=[pdf()])
    attachment = theirs.attachments.get()
    client.force_login(zone.ent_user_a)
    assert client.get(reverse("stewards:request_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("stewards:attachment", args=[theirs.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("stewards:attachment", args=[theirs.pk, 999999])).status_code == 404
    assert client.post(reverse("stewards:request_comment", args=[theirs.pk]), {"body": "hi"}).status_code == 404
    assert "用电增容" not in page(client.get(reverse("stewards:request_list")))


def test_attachments_download_through_the_scoped_view_only(client, zone):
    mine = submit(zone, files=[pdf()])
    attachment = mine.attachments.get()
    client.force_login(zone.ent_user_a)
    response = client.get(reverse("stewards:attachment", args=[mine.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # The file name in the URL of the wrong request is not enough.
    other = submit(zone)
    assert client.get(reverse("stewards:attachment", args=[other.pk, attachment.pk])).status_code == 404
    # A file lost from the disk is a 404, not a 500.
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(reverse("stewards:attachment", args=[mine.pk, attachment.pk])).status_code == 404


def test_a_steward_sees_only_its_enterprises_requests(client, zone):
    mine, theirs = submit(zone), submit(zone, user=zone.ent_user_b, title="燃气报装")
    client.force_login(zone.steward_a.user)
    assert client.get(reverse("stewards:request_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("stewards:request_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("stewards:request_accept", args=[theirs.pk])).status_code == 404
    html = page(client.get(reverse("stewards:request_list")))
    assert "用电增容" in html and "燃气报装" not in html


def test_a_steward_gets_404_on_another_stewards_escalation_and_a_department_lists_only_its_requests(client, zone):
    theirs = submit(zone, user=zone.ent_user_b, title="燃气报装")
    services.request_escalate(request=theirs, actor=zone.steward_b.user, departments=[zone.dept_b], reason="x")
    esc = theirs.escalations.get()
    client.force_login(zone.steward_a.user)
    assert client.get(reverse("stewards:escalation_detail", args=[esc.pk])).status_code == 404
    escalated(zone, zone.dept_a)
    client.force_login(zone.dept_user_a)
    html = page(client.get(reverse("stewards:request_list")))
    assert "用电增容" in html and "燃气报装" not in html


def test_a_department_sees_only_its_escalations(client, zone):
    request = escalated(zone, zone.dept_a)
    esc = request.escalations.get()
    client.force_login(zone.dept_user_b)
    assert client.get(reverse("stewards:escalation_detail", args=[esc.pk])).status_code == 404
    assert client.post(reverse("stewards:escalation_reply", args=[esc.pk]), {"reply": "x"}).status_code == 404
    assert client.get(reverse("stewards:request_detail", args=[request.pk])).status_code == 404
    assert "用电增容" not in page(client.get(reverse("stewards:inbox")))
    client.force_login(zone.dept_user_a)
    assert "用电增容" in page(client.get(reverse("stewards:inbox")))
    assert client.get(reverse("stewards:escalation_detail", args=[esc.pk])).status_code == 200


# --- the steward's forms -----------------------------------------------------------------------


def test_escalating_to_no_department_gets_a_message_and_changes_nothing(client, zone):
    request = submit(zone)
    before = snapshot(request)
    client.force_login(zone.steward_a.user)
    response = client.post(reverse("stewards:request_escalate", args=[request.pk]), {"reason": "请协调供电。"})
    html = page(response)
    assert response.status_code == 200
    assert shows(html, _("Choose at least one department to escalate to."))
    assert "请协调供电。" in html
    assert snapshot(request) == before


def test_the_steward_escalates_to_two_departments_each_with_its_clock(client, zone):
    request = submit(zone)
    client.force_login(zone.steward_a.user)
    response = client.post(reverse("stewards:request_escalate", args=[request.pk]),
                           {"departments": [zone.dept_a.pk, zone.dept_b.pk], "reason": "请协调供电。"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("stewards:request_detail", args=[request.pk])
    request.refresh_from_db()
    assert request.status == S.ESCALATED
    assert set(request.escalations.values_list("department", flat=True)) == {zone.dept_a.pk, zone.dept_b.pk}
    html = page(response)
    assert zone.dept_a.name in html and zone.dept_b.name in html
    assert 'data-testid="clock-left"' in html


def test_escalating_with_htmx_swaps_the_form_on_error_and_redirects_on_success(client, zone):
    request = submit(zone)
    client.force_login(zone.steward_a.user)
    url = reverse("stewards:request_escalate", args=[request.pk])
    bad = client.post(url, {"reason": "请协调。"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "<html" not in page(bad) and 'data-testid="action-form"' in page(bad)
    good = client.post(url, {"departments": [zone.dept_a.pk], "reason": "请协调。"}, headers={"HX-Request": "true"})
    assert good.status_code == 204 and good["HX-Redirect"] == reverse("stewards:request_detail", args=[request.pk])


def test_acting_on_a_closed_request_gets_a_message_and_changes_nothing(client, zone):
    request = submit(zone)
    services.request_resolve_directly(request=request, actor=zone.steward_a.user, report="已协调解决。")
    services.request_confirm(request=request, actor=zone.ent_user_a)
    before = snapshot(request)
    client.force_login(zone.steward_a.user)
    for name, data in [("request_escalate", {"departments": [zone.dept_a.pk], "reason": "再看看"}),
                       ("request_comment", {"body": "还在吗"}), ("request_accept", {}),
                       ("request_resolve", {"report": "again"})]:
        response = client.post(reverse(f"stewards:{name}", args=[request.pk]), data)
        assert response.status_code == 200, name
        assert shows(page(response), _("This request is closed; nothing more can be done on it.")), name
    assert snapshot(request) == before
    # And the page offers nothing to do on it.
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert 'data-testid="steward-actions"' not in html


def test_accept_comment_and_resolve_directly(client, zone):
    request = submit(zone)
    client.force_login(zone.steward_a.user)
    assert 'data-testid="accept"' in page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    client.post(reverse("stewards:request_accept", args=[request.pk]))
    client.post(reverse("stewards:request_comment", args=[request.pk]), {"body": "明天上午到现场。"})
    client.post(reverse("stewards:request_resolve", args=[request.pk]), {"report": "已协调供电所当场办理。"})
    request.refresh_from_db()
    assert request.status == S.REPORTED and request.resolved_directly
    client.force_login(zone.ent_user_a)
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert "明天上午到现场。" in html and "已协调供电所当场办理。" in html and 'data-testid="confirm"' in html


# --- the department's reply --------------------------------------------------------------------


def test_a_reply_to_an_escalation_already_answered_gets_a_message_and_changes_nothing(client, zone):
    request = escalated(zone, zone.dept_a)
    esc = request.escalations.get()
    client.force_login(zone.dept_user_a)
    first = client.post(reverse("stewards:escalation_reply", args=[esc.pk]), {"reply": "已安排供电所办理。"})
    assert first.status_code == 302
    esc.refresh_from_db()
    answered = (esc.status, esc.reply, esc.replied_at)
    events = Event.objects.count()
    second = client.post(reverse("stewards:escalation_reply", args=[esc.pk]), {"reply": "再答一次"})
    assert second.status_code == 200
    assert shows(page(second), _("This escalation has already been answered."))
    assert "再答一次" in page(second)
    esc.refresh_from_db()
    assert (esc.status, esc.reply, esc.replied_at) == answered and Event.objects.count() == events


def test_department_marks_consultation_posts_progress_and_concludes(client, zone):
    request = escalated(zone, zone.dept_a)
    esc = request.escalations.get()
    client.force_login(zone.dept_user_a)
    assert client.post(reverse("stewards:escalation_consult", args=[esc.pk]), {"reason": ""}).status_code == 200
    client.post(reverse("stewards:escalation_consult", args=[esc.pk]), {"reason": "需规建、供电公司会商。"})
    client.post(reverse("stewards:escalation_progress", args=[esc.pk]), {"text": "已召开第一次会商会。"})
    html = page(client.get(reverse("stewards:escalation_detail", args=[esc.pk])))
    assert "已召开第一次会商会。" in html and shows(html, _("next progress report by"))
    client.post(reverse("stewards:escalation_conclude", args=[esc.pk]), {"conclusion": "同意增容。"})
    esc.refresh_from_db()
    assert esc.status == E.CONCLUDED and esc.conclusion == "同意增容。"


def test_department_returns_an_escalation_with_a_reason(client, zone):
    request = escalated(zone, zone.dept_a)
    esc = request.escalations.get()
    client.force_login(zone.dept_user_a)
    response = client.post(reverse("stewards:escalation_return", args=[esc.pk]),
                           {"reason": "属于燃气公司职责。", "next": "inbox"})
    assert response["Location"] == reverse("stewards:inbox")
    esc.refresh_from_db()
    assert esc.status == E.RETURNED


# --- closing the loop --------------------------------------------------------------------------


def test_report_back_then_reopen_then_report_back_then_confirm(client, zone):
    request = escalated(zone, zone.dept_a)
    esc = request.escalations.get()
    client.force_login(zone.steward_a.user)
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert reverse("stewards:request_report", args=[request.pk]) not in html  # a department still holds it
    services.escalation_reply(escalation=esc, actor=zone.dept_user_a, reply="已安排。")
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert reverse("stewards:request_report", args=[request.pk]) in html
    client.post(reverse("stewards:request_report", args=[request.pk]), {"report": "供电所已答复，下周增容。"})

    client.force_login(zone.ent_user_a)
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert "供电所已答复，下周增容。" in html and 'data-testid="confirm"' in html
    response = client.post(reverse("stewards:request_reopen", args=[request.pk]), {"reason": ""})
    assert response.status_code == 200 and "invalid-feedback" in page(response)
    client.post(reverse("stewards:request_reopen", args=[request.pk]), {"reason": "到现在还没有增容。"})
    request.refresh_from_db()
    assert request.status == S.REOPENED and request.reopen_count == 1

    client.force_login(zone.steward_a.user)
    html = page(client.get(reverse("stewards:worklist")))
    assert "用电增容" in html and 'data-testid="wl-reopened"' in html
    client.post(reverse("stewards:request_report", args=[request.pk]), {"report": "已增容完毕。"})
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_confirm", args=[request.pk]), follow=True)
    request.refresh_from_db()
    assert request.status == S.CLOSED and request.close_reason == ServiceRequest.CloseReason.CONFIRMED
    assert 'data-testid="confirm"' not in page(response)


def test_only_the_enterprise_confirms(client, zone):
    request = submit(zone)
    services.request_resolve_directly(request=request, actor=zone.steward_a.user, report="已解决。")
    client.force_login(zone.steward_a.user)
    assert client.post(reverse("stewards:request_confirm", args=[request.pk])).status_code == 403
    # An enterprise user of another company does not even find it.
    client.force_login(zone.ent_user_b)
    assert client.post(reverse("stewards:request_confirm", args=[request.pk])).status_code == 404
    request.refresh_from_db()
    assert request.status == S.REPORTED


def test_the_workstation_head_can_take_over_a_request_of_its_workstation(client, zone):
    request = submit(zone)
    client.force_login(zone.head_b)
    assert client.post(reverse("stewards:request_accept", args=[request.pk])).status_code == 404
    client.force_login(zone.head_a)
    html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert 'data-testid="accept"' in html
    assert client.post(reverse("stewards:request_accept", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == S.ACCEPTED and request.accepted_by == zone.head_a


def test_a_refusal_from_a_service_is_a_403_and_under_htmx_reloads_the_page_with_the_message(client, zone,
                                                                                           monkeypatch):
    # The pages' role checks and scoping leave no ordinary way to reach a service refusal, so
    # the service is made to refuse.
    from django.core.exceptions import PermissionDenied

    def refuse(**kwargs):
        raise PermissionDenied("不允许这样做")

    request = submit(zone)
    monkeypatch.setattr(services, "request_resolve_directly", refuse)
    client.force_login(zone.steward_a.user)
    url = reverse("stewards:request_resolve", args=[request.pk])
    assert client.post(url, {"report": "已解决"}).status_code == 403
    response = client.post(url, {"report": "已解决"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Redirect"] == reverse("stewards:request_detail", args=[request.pk])
    assert "不允许这样做" in page(client.get(response["HX-Redirect"]))
