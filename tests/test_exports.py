"""The shared Excel export (zonehub.exports): streams, stays within memory, Chinese headers and
file name, and every list page exports exactly what it shows (scoping, filters, all its pages)."""

import datetime as dt
import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zonehub.exports import xlsx_response
from zonehub.workdays import SHANGHAI


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def test_100000_rows_stream_in_constant_memory():
    """write_only keeps no rows: the peak of Python allocations while 100,000 rows are written
    is a small constant (an ordinary workbook holding them needs well over 50 MB)."""

    def rows():
        for i in range(100_000):
            yield {"n": i}

    tracemalloc.start()
    try:
        response = xlsx_response(rows(), [("编号", "n")], filename="十万行")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<row r="100001"' in sheet and b"<v>99999</v>" in sheet and b'<row r="100002"' not in sheet


def test_headers_values_and_file_name_are_chinese():
    when = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    rows = [{"name": "华芯半导体", "at": when, "ok": True, "none": None, "day": dt.date(2026, 3, 2)}]
    response = xlsx_response(rows, [("企业", "name"), ("时间", "at"), ("规上", "ok"), ("空", "none"), ("日期", "day")],
                             filename="企业名单")
    assert "filename*=utf-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%8D%95.xlsx" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    header, row = sheet_rows(response)
    assert header == ("企业", "时间", "规上", "空", "日期")
    # Beijing time, as people read it (UTC 01:30 is 09:30 in Shanghai).
    assert row[0] == "华芯半导体" and row[1] == dt.datetime(2026, 3, 2, 9, 30) and row[2] == "是"
    assert row[3] is None and row[4].date() == dt.date(2026, 3, 2)
    assert SHANGHAI is not None


# --- every list page -------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    """Two rows a page, so "all pages, not just the current one" is tested with a few rows."""
    from enterprises.views import EnterpriseListView
    from projects.views import ProjectListView
    from stewards.views import InboxView, LedgerView, RequestListView

    for view in (EnterpriseListView, ProjectListView, InboxView, LedgerView, RequestListView):
        monkeypatch.setattr(view, "paginate_by", 2)


def test_enterprise_export_is_the_filtered_scoped_list_on_every_page(client, zone, small_pages,
                                                                     django_assert_max_num_queries):
    from tests.factories import EnterpriseFactory

    for i in range(4):
        EnterpriseFactory(name=f"甲站企业{i}", workstation=zone.ws_a, steward=zone.steward_a)
        EnterpriseFactory(name=f"乙站企业{i}", workstation=zone.ws_b, steward=zone.steward_b)
    client.force_login(zone.steward_a.user)
    url = reverse("enterprises:list")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"q": "甲站"})
    assert page.context["paginator"].count == 4 and len(page.context["object_list"]) == 2
    assert 'data-testid="export-xlsx"' in page.content.decode() and "format=xlsx" in page.context["export_url"]
    with django_assert_max_num_queries(6):
        rows = sheet_rows(client.get(url, {"q": "甲站", "format": "xlsx", "o": "-name", "page": 2}))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "主导产业")
    assert [r[0] for r in rows[1:]] == [f"甲站企业{i}" for i in (3, 2, 1, 0)]
    assert {r[7] for r in rows[1:]} == {zone.steward_a.name}
    client.force_login(zone.leader)
    assert len(sheet_rows(client.get(url, {"format": "xlsx"}))) == 1 + 10


def test_request_export_follows_role_scoping_and_filters(client, zone, small_pages, django_assert_max_num_queries):
    from stewards.models import ServiceRequest
    from stewards.tests.factories import ServiceRequestFactory

    for i in range(3):
        ServiceRequestFactory(enterprise=zone.ent_a, title=f"甲企业诉求{i}")
        ServiceRequestFactory(enterprise=zone.ent_b, title=f"乙企业诉求{i}")
    ServiceRequestFactory(enterprise=zone.ent_a, title="甲企业已受理", status=ServiceRequest.Status.ACCEPTED)
    url = reverse("stewards:request_list")
    for user, own in ((zone.ent_user_a, "甲"), (zone.steward_b.user, "乙"), (zone.head_a, "甲")):
        client.force_login(user)
        with django_assert_max_num_queries(14):
            page = client.get(url)
        with django_assert_max_num_queries(8):
            rows = sheet_rows(client.get(url, {"format": "xlsx"}))
        assert len(rows) - 1 == page.context["paginator"].count
        assert rows[1:] and all(r[1].startswith(own) for r in rows[1:])
    client.force_login(zone.head_a)
    rows = sheet_rows(client.get(url, {"format": "xlsx", "status": "submitted"}))
    assert rows[0][:5] == ("编号", "标题", "企业", "类别", "状态")
    assert sorted(r[1] for r in rows[1:]) == ["甲企业诉求0", "甲企业诉求1", "甲企业诉求2"]
    assert len({r[4] for r in rows[1:]}) == 1


def test_inbox_export_is_the_department_escalations_with_the_page_default(client, zone, small_pages,
                                                                          django_assert_max_num_queries):
    from stewards.models import Escalation
    from stewards.tests.factories import EscalationFactory, ServiceRequestFactory

    for i in range(3):
        EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a, title=f"甲部门事项{i}"),
                          department=zone.dept_a)
        EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_b, title=f"乙部门事项{i}"),
                          department=zone.dept_b)
    EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a, title="甲部门已答复"),
                      department=zone.dept_a, status=Escalation.Status.REPLIED)
    client.force_login(zone.dept_user_a)
    url = reverse("stewards:inbox")
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.context["paginator"].count == 3
    with django_assert_max_num_queries(6):
        rows = sheet_rows(client.get(url, {"format": "xlsx", "page": 2}))
    assert sorted(r[1] for r in rows[1:]) == ["甲部门事项0", "甲部门事项1", "甲部门事项2"]
    rows = sheet_rows(client.get(url, {"format": "xlsx", "state": "all", "o": "sent_at"}))
    assert len(rows) == 1 + 4 and rows[0][:2] == ("诉求编号", "诉求标题")


def test_project_export_is_scoped_filtered_and_sorted(client, zone, small_pages, django_assert_max_num_queries):
    from projects.tests.factories import ProjectFactory, ProjectStewardFactory

    for i in range(3):
        ProjectStewardFactory(project=ProjectFactory(name=f"甲项目{i}", total_investment=1000 * (i + 1)),
                              steward=zone.steward_a)
        ProjectStewardFactory(project=ProjectFactory(name=f"乙项目{i}"), steward=zone.steward_b)
    url = reverse("projects:project_list")
    client.force_login(zone.steward_a.user)
    with django_assert_max_num_queries(14):
        page = client.get(url, {"o": "-total_investment"})
    assert [p.name for p in page.context["object_list"]] == ["甲项目2", "甲项目1"]
    with django_assert_max_num_queries(6):
        rows = sheet_rows(client.get(url, {"format": "xlsx", "o": "-total_investment"}))
    assert rows[0][:2] == ("项目名称", "阶段")
    assert [r[0] for r in rows[1:]] == ["甲项目2", "甲项目1", "甲项目0"]
    assert {r[-1] for r in rows[1:]} == {zone.steward_a.name}
    client.force_login(zone.leader)
    assert len(sheet_rows(client.get(url, {"format": "xlsx", "q": "乙"}))) == 1 + 3


def test_ledger_export(client, zone, small_pages, django_assert_max_num_queries):
    from stewards.models import LedgerItem

    for i, ent in enumerate((zone.ent_a, zone.ent_b, zone.ent_a)):
        LedgerItem.objects.create(enterprise=ent, title=f"吐槽事项{i}", description="路灯不亮",
                                  meeting_date=dt.date(2026, 10, 10 + i), recorded_by=zone.leader,
                                  department=zone.dept_a if i == 1 else None,
                                  status=LedgerItem.Status.DISPATCHED if i == 1 else LedgerItem.Status.UNASSIGNED)
    client.force_login(zone.leader)
    url = reverse("stewards:ledger")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"status": "unassigned"})
    assert page.context["paginator"].count == 2
    with django_assert_max_num_queries(6):
        rows = sheet_rows(client.get(url, {"format": "xlsx", "status": "unassigned", "o": "meeting_date"}))
    assert rows[0][:3] == ("会议日期", "企业", "类别")
    assert [r[3] for r in rows[1:]] == ["吐槽事项0", "吐槽事项2"]


def test_board_export_streams_through_the_shared_export(client, zone):
    from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory

    FiveKeyNodeFactory(item=FiveKeyItemFactory(title="供热管网", year=2026, responsible_unit=zone.dept_a))
    client.force_login(zone.leader)
    response = client.get(reverse("projects:board_export"), {"year": 2026})
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[1][:3] == ("序号", "类别", "任务名称") and rows[2][2] == "供热管网"


def test_grade_export_is_the_month_shown(client, zone, django_assert_max_num_queries):
    from evaluations.models import DepartmentMonthlyGrade

    month = dt.date(2026, 9, 1)
    for dept, score, grade in ((zone.dept_a, 92, "A"), (zone.dept_b, 71, "C")):
        DepartmentMonthlyGrade.objects.create(department=dept, month=month, score=score, grade=grade)
    DepartmentMonthlyGrade.objects.create(department=zone.dept_a, month=dt.date(2026, 8, 1), score=80, grade="B")
    client.force_login(zone.leader)
    url = reverse("evaluations:grade_list")
    page = client.get(url, {"month": "2026-09"})
    assert 'data-testid="export-xlsx"' in page.content.decode()
    with django_assert_max_num_queries(8):
        rows = sheet_rows(client.get(url, {"month": "2026-09", "format": "xlsx"}))
    assert rows[0][:4] == ("排名", "部门", "得分", "等级")
    assert [(r[1], r[3]) for r in rows[1:]] == [(zone.dept_a.name, "A"), (zone.dept_b.name, "C")]
    assert rows[1][4] == 12


def test_exports_are_refused_to_who_cannot_see_the_list(client, zone):
    client.force_login(zone.ent_user_a)
    assert client.get(reverse("enterprises:list"), {"format": "xlsx"}).status_code == 403
    assert client.get(reverse("stewards:inbox"), {"format": "xlsx"}).status_code == 403
    client.force_login(zone.steward_a.user)
    assert client.get(reverse("stewards:inbox"), {"format": "xlsx"}).status_code == 403


def test_escalation_list_and_export_for_staff(client, zone, small_pages, django_assert_max_num_queries):
    from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
    from stewards.views import EscalationListView

    EscalationListView.paginate_by = 2
    try:
        for i in range(3):
            EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a, title=f"甲站吹哨{i}"),
                              department=zone.dept_a if i else zone.dept_b)
            EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_b, title=f"乙站吹哨{i}"),
                              department=zone.dept_a)
        url = reverse("stewards:escalation_list")
        client.force_login(zone.head_a)
        with django_assert_max_num_queries(14):
            page = client.get(url)
        assert page.context["paginator"].count == 3
        with django_assert_max_num_queries(6):
            rows = sheet_rows(client.get(url, {"format": "xlsx"}))
        assert sorted(r[1] for r in rows[1:]) == ["甲站吹哨0", "甲站吹哨1", "甲站吹哨2"]
        client.force_login(zone.leader)
        rows = sheet_rows(client.get(url, {"format": "xlsx", "department": zone.dept_a.pk, "o": "-sent_at"}))
        assert len(rows) == 1 + 5 and {r[4] for r in rows[1:]} == {zone.dept_a.name}
    finally:
        EscalationListView.paginate_by = 30


def test_rating_list_filters_sorts_paginates_and_exports(client, zone, django_assert_max_num_queries):
    from evaluations.models import Campaign, Rating
    from evaluations.tests.factories import CampaignFactory, RatingFactory
    from evaluations.views import RatingListView
    from tests.factories import EnterpriseFactory

    campaign = CampaignFactory(status=Campaign.Status.CLOSED, closed_at=dt.datetime(2026, 6, 24, tzinfo=SHANGHAI))
    for i in range(3):
        ent = EnterpriseFactory(name=f"甲评价企业{i}", workstation=zone.ws_a, steward=zone.steward_a)
        RatingFactory(campaign=campaign, enterprise=ent, steward=zone.steward_a, rated_by=zone.ent_user_a,
                      value=Rating.Value.UNSATISFIED if i == 0 else Rating.Value.SATISFIED,
                      reason="未及时回复" if i == 0 else "")
        ent = EnterpriseFactory(name=f"乙评价企业{i}", workstation=zone.ws_b, steward=zone.steward_b)
        RatingFactory(campaign=campaign, enterprise=ent, steward=zone.steward_b, rated_by=zone.ent_user_b)
    RatingListView.paginate_by = 2
    try:
        url = reverse("evaluations:rating_list")
        client.force_login(zone.head_a)
        with django_assert_max_num_queries(14):
            page = client.get(url, {"o": "-enterprise"})
        assert page.context["paginator"].count == 3
        assert [r.enterprise.name for r in page.context["object_list"]] == ["甲评价企业2", "甲评价企业1"]
        with django_assert_max_num_queries(8):
            rows = sheet_rows(client.get(url, {"format": "xlsx", "value": "unsatisfied"}))
        assert rows[0][:4] == ("评价活动", "企业", "工作站", "服务管家")
        assert [(r[1], r[4], r[5]) for r in rows[1:]] == [("甲评价企业0", "不满意", "未及时回复")]
        client.force_login(zone.steward_b.user)
        assert len(sheet_rows(client.get(url, {"format": "xlsx"}))) == 1 + 3
        client.force_login(zone.leader)
        assert len(sheet_rows(client.get(url, {"format": "xlsx", "campaign": campaign.pk}))) == 1 + 6
        client.force_login(zone.ent_user_a)
        assert client.get(url).status_code == 403
    finally:
        RatingListView.paginate_by = 50


def test_board_sorts_and_its_export_follows(client, zone, django_assert_max_num_queries):
    from projects.services import fivekey_progress_refresh_stale
    from projects.tests.factories import FiveKeyItemFactory

    for title in ("丙任务", "甲任务", "乙任务"):
        FiveKeyItemFactory(title=title, year=2026, responsible_unit=zone.dept_a)
    fivekey_progress_refresh_stale(year=2026)  # the day's progress, as the 07:30 run leaves it
    client.force_login(zone.leader)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("projects:board"), {"year": 2026, "sort": "title"})
    assert [row.item.title for row in page.context["board"]["rows"]] == sorted(["丙任务", "甲任务", "乙任务"])
    rows = sheet_rows(client.get(reverse("projects:board_export"), {"year": 2026, "sort": "title"}))
    assert [r[2] for r in rows[2:]] == sorted(["丙任务", "甲任务", "乙任务"])


def test_grade_list_sorts_by_its_column_headers_and_the_export_follows(client, zone):
    from evaluations.models import DepartmentMonthlyGrade

    month = dt.date(2026, 9, 1)
    for dept, score, grade, overdue in ((zone.dept_a, 92, "A", 0), (zone.dept_b, 71, "C", 3)):
        DepartmentMonthlyGrade.objects.create(department=dept, month=month, score=score, grade=grade, overdue=overdue)
    client.force_login(zone.leader)
    url = reverse("evaluations:grade_list")
    page = client.get(url, {"month": "2026-09", "o": "-overdue"})
    assert [r.grade.department for r in page.context["rows"]] == [zone.dept_b, zone.dept_a]
    assert "o=-score" in page.content.decode()
    rows = sheet_rows(client.get(url, {"month": "2026-09", "o": "-overdue", "format": "xlsx"}))
    assert [r[1] for r in rows[1:]] == [zone.dept_b.name, zone.dept_a.name]
    assert client.get(url, {"month": "2026-09", "o": "no-such-field"}).status_code == 200
