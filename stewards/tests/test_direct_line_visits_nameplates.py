"""Issue 16 in the stewards app: 一键直达 (a steward's item straight to its head), the monthly word
on enterprises not visited, the visits page of heads and leaders, and the name plates."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from stewards import services
from stewards.models import DirectLine, ServiceRequest, Visit
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory, shanghai
from tests.factories import EnterpriseFactory, StewardFactory, UserFactory, WorkstationFactory
from zonehub.events import event_list_for
from zonehub.models import Notification, Role

pytestmark = pytest.mark.django_db

S = ServiceRequest.Status


# --- 一键直达 ---------------------------------------------------------------------------------


def test_a_steward_raises_a_request_to_its_head_who_sees_it_on_top_until_acting(client, zone, run_on_commit):
    z = zone
    request = ServiceRequestFactory(enterprise=z.ent_a, status=S.ACCEPTED, title="用地指标卡住")
    escalation = EscalationFactory(request=request, department=z.dept_a)
    client.force_login(z.steward_a.user)
    page = client.get(reverse("stewards:request_detail", args=[request.pk])).content.decode()
    assert 'data-testid="direct-line-raise"' in page
    # No note: the form says so, nothing is raised.
    response = client.post(reverse("stewards:direct_line_raise", args=[request.pk]), {"note": "  "})
    assert response.status_code == 200 and not DirectLine.objects.exists()
    with run_on_commit():
        response = client.post(reverse("stewards:direct_line_raise", args=[request.pk]),
                               {"note": "规建局三天未回复，请站长协调", "escalation": escalation.pk})
    assert response.status_code == 302
    item = DirectLine.objects.get()
    assert item.workstation == z.ws_a and item.escalation == escalation and item.status == DirectLine.Status.OPEN
    assert Notification.objects.filter(recipient=z.head_a, kind="direct_line.raised").count() == 1
    assert not Notification.objects.filter(recipient=z.head_b).exists()
    # Once only while it waits.
    with pytest.raises(ValidationError):
        services.direct_line_raise(request=request, actor=z.steward_a.user, note="再催")
    # The head: on top of the home page; the other head: not there.
    client.force_login(z.head_a)
    home = client.get(reverse("home"))
    assert home.context["panels"][0]["template"] == "stewards/panels/direct_lines.html"
    assert "用地指标卡住" in home.content.decode()
    client.force_login(z.head_b)
    assert 'data-testid="panel-direct-lines"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("stewards:direct_line_act", args=[request.pk])).status_code == 404
    # The head answers: the steward is told, the item leaves the head's list, the timeline shows both.
    client.force_login(z.head_a)
    response = client.post(reverse("stewards:direct_line_act", args=[request.pk]), {"action": "answer", "answer": ""})
    assert response.status_code == 200  # an answer needs words
    with run_on_commit():
        response = client.post(reverse("stewards:direct_line_act", args=[request.pk]),
                               {"action": "answer", "answer": "已约规建局明早会商"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == DirectLine.Status.ANSWERED and item.acted_by == z.head_a
    assert Notification.objects.filter(recipient=z.steward_a.user, kind="direct_line.answer").count() == 1
    assert 'data-testid="panel-direct-lines"' not in client.get(reverse("home")).content.decode()
    kinds = [e.kind for e in event_list_for(request)]
    assert "direct_line.raised" in kinds and "direct_line.answered" in kinds
    with pytest.raises(ValidationError):
        services.direct_line_act(item=item, actor=z.head_a, action="take_over")
    # The enterprise's timeline does not carry what steward and head say to each other.
    client.force_login(z.ent_user_a)
    assert "规建局三天未回复" not in client.get(reverse("stewards:request_detail", args=[request.pk])).content.decode()


def test_only_the_request_s_steward_raises_and_only_its_head_acts(zone):
    z = zone
    request = ServiceRequestFactory(enterprise=z.ent_a, status=S.ACCEPTED)
    for outsider in (z.steward_b.user, z.dept_user_a, z.head_a, z.ent_user_a):
        with pytest.raises(PermissionDenied):
            services.direct_line_raise(request=request, actor=outsider, note="x")
    item = services.direct_line_raise(request=request, actor=z.steward_a.user, note="请协调")
    for outsider in (z.head_b, z.steward_a.user, z.leader):
        with pytest.raises(PermissionDenied):
            services.direct_line_act(item=item, actor=outsider, action="acknowledge")
    services.direct_line_act(item=item, actor=z.head_a, action="take_over")
    item.refresh_from_db()
    assert item.status == DirectLine.Status.TAKEN_OVER


# --- visits -------------------------------------------------------------------------------------


def test_the_first_working_day_of_a_month_tells_each_steward_and_head_once(zone):
    z = zone
    visited = EnterpriseFactory(workstation=z.ws_a, steward=z.steward_a, name="已走访企业")
    Visit.objects.create(steward=z.steward_a, enterprise=visited, visited_on=dt.date(2026, 11, 20),
                         created_by=z.steward_a.user)
    Visit.objects.create(steward=z.steward_a, enterprise=z.ent_a, visited_on=dt.date(2026, 10, 20),  # not November
                         created_by=z.steward_a.user)
    # 2026-12-01 is a Tuesday: the first working day of December.
    assert services.visits_missed_notify(today=dt.date(2026, 11, 30)) == 0  # not the day
    services.visits_missed_notify(today=dt.date(2026, 12, 1))
    services.visits_missed_notify(today=dt.date(2026, 12, 1))  # twice: told once
    services.visits_missed_notify(today=dt.date(2026, 12, 2))  # a catching-up run: still once
    steward_notice = Notification.objects.get(recipient=z.steward_a.user, kind="visits.missed")
    assert z.ent_a.name in steward_notice.body and "已走访企业" not in steward_notice.body
    assert "2026年11月" in steward_notice.title
    head_notice = Notification.objects.get(recipient=z.head_a, kind="visits.missed")
    assert z.ent_a.name in head_notice.body and z.ent_b.name not in head_notice.body
    assert Notification.objects.get(recipient=z.head_b, kind="visits.missed").body == z.ent_b.name
    assert Notification.objects.filter(kind="visits.missed").count() == 4


def test_the_visits_page_shows_coverage_and_the_requests_findings_became(client, zone, django_assert_max_num_queries):
    z = zone
    for i in range(6):
        ent = EnterpriseFactory(workstation=z.ws_a, steward=z.steward_a, name=f"甲站企业{i}")
        Visit.objects.create(steward=z.steward_a, enterprise=ent, visited_on=dt.date(2026, 11, 3 + i),
                             findings=f"发现{i}", created_by=z.steward_a.user)
    Visit.objects.create(steward=z.steward_b, enterprise=z.ent_b, visited_on=dt.date(2026, 11, 5), findings="乙的发现",
                         created_by=z.steward_b.user)
    with time_machine.travel(shanghai(2026, 11, 20, 10), tick=False):
        visit = services.visit_log(actor=z.steward_a.user, enterprise=z.ent_a, visited_on=dt.date(2026, 11, 19),
                                   findings="配电房老化", requests=[{"category": "factors", "title": "配电改造",
                                                                     "description": "配电房老化需改造"}])
    url = reverse("stewards:visits") + "?month=2026-11"
    client.force_login(z.head_a)
    client.get(url)  # warm what a first page reads once (sessions, calendar)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    cov = response.context["coverage"]
    assert [(r["served"], r["visited_count"]) for r in cov["by_steward"]] == [(7, 7)]
    assert cov["total"] == 7 and cov["rate"] == 100.0
    assert "乙的发现" not in html and "发现3" in html
    assert reverse("stewards:request_detail", args=[visit.service_requests.get().pk]) in html
    # A month without visits is 0%, and a workstation with nothing to visit says so, never 100%.
    later = client.get(reverse("stewards:visits") + "?month=2030-01").context["coverage"]
    assert later["by_workstation"][0]["visited_count"] == 0 and later["rate"] == 0.0
    client.force_login(UserFactory(role=Role.WORKSTATION_HEAD, workstation=WorkstationFactory()))
    empty = client.get(url)
    assert empty.context["coverage"]["rate"] is None and "无可考核" in empty.content.decode()
    client.force_login(z.head_a)
    # A bad month is said, no 500.
    assert client.get(reverse("stewards:visits") + "?month=2026-13").context["error"]
    # The leader sees both workstations; the export holds the month's visits.
    client.force_login(z.leader)
    response = client.get(url)
    assert {r["workstation_id"] for r in response.context["coverage"]["by_workstation"]} == {z.ws_a.pk, z.ws_b.pk}
    export = client.get(url + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 + 8 and any("配电改造" in (row[5] or "") for row in rows[2:])
    # Stewards and departments do not open it.
    client.force_login(z.steward_a.user)
    assert client.get(url).status_code == 403


# --- name plates --------------------------------------------------------------------------------


def test_a_name_plate_shows_the_steward_and_a_qr_code_to_the_request_form(client, zone):
    z = zone
    z.steward_a.user.phone = "13812345678"
    z.steward_a.user.save()
    client.force_login(z.steward_a.user)
    html = client.get(reverse("assignments:nameplate", args=[z.ent_a.pk])).content.decode()
    assert z.steward_a.name in html and "13812345678" in html and z.ws_a.name in html and z.ent_a.name in html
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")  # inline, nothing fetched
    assert client.get(reverse("assignments:nameplate", args=[z.ent_b.pk])).status_code == 404
    # The QR code's address opens the request form (the login page first for a stranger).
    client.logout()
    response = client.get(reverse("stewards:request_create") + f"?enterprise={z.ent_a.pk}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_workstation_s_plates_print_at_once_for_its_head_and_a_leader(client, zone):
    z = zone
    extra = EnterpriseFactory(workstation=z.ws_a, name="无管家企业")
    client.force_login(z.head_a)
    response = client.get(reverse("assignments:nameplates"))
    cards = response.context["cards"]
    assert {c["enterprise"].pk for c in cards} == {z.ent_a.pk, extra.pk}
    assert "服务管家待定" in response.content.decode()
    client.force_login(z.leader)
    assert "nameplate-workstations" in client.get(reverse("assignments:nameplates")).content.decode()
    response = client.get(reverse("assignments:nameplates") + f"?workstation={z.ws_b.pk}")
    assert {c["enterprise"].pk for c in response.context["cards"]} == {z.ent_b.pk}
    for who in (z.dept_user_a, z.ent_user_a):
        client.force_login(who)
        assert client.get(reverse("assignments:nameplates")).status_code == 403


def test_a_steward_prints_only_its_own_enterprises(client, zone):
    other = StewardFactory(user=UserFactory(role=Role.STEWARD, workstation=zone.ws_a))
    EnterpriseFactory(workstation=zone.ws_a, steward=other)
    client.force_login(zone.steward_a.user)
    cards = client.get(reverse("assignments:nameplates")).context["cards"]
    assert [c["enterprise"].pk for c in cards] == [zone.ent_a.pk]
