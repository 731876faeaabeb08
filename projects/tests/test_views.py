import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects import selectors
from projects.models import Category, FiveKeyItem, FiveKeyNode
from projects.tests.factories import (
    ApprovalFactory,
    FiveKeyItemFactory,
    FiveKeyNodeFactory,
    ProjectFactory,
    ProjectStewardFactory,
)
from tests.test_permission_matrix import ROUTES
from zonehub.models import Role

pytestmark = pytest.mark.django_db
D = dt.date


def users(zone):
    return {
        Role.ENTERPRISE: zone.ent_user_a, Role.STEWARD: zone.steward_a.user, Role.WORKSTATION_HEAD: zone.head_a,
        Role.DEPARTMENT: zone.dept_user_a, Role.LEADER: zone.leader, Role.ADMIN: zone.admin,
    }


@pytest.fixture
def board(zone):
    """Items of two units: one lagging (dept A), one ahead (dept B), one on schedule, one open to claim."""
    lagging = FiveKeyItemFactory(title="盘活僵尸企业土地", category=Category.KEY_WORK, responsible_unit=zone.dept_a,
                                 lead_leader=zone.leader)
    FiveKeyNodeFactory(item=lagging, name="法律清算", planned_date=D(2026, 3, 31), completed_on=D(2026, 3, 30))
    FiveKeyNodeFactory(item=lagging, name="资产处置", planned_date=D(2026, 11, 13))
    ahead = FiveKeyItemFactory(title="供热管网二期", category=Category.KEY_WORK, responsible_unit=zone.dept_b)
    FiveKeyNodeFactory(item=ahead, name="管网铺设", planned_date=D(2026, 12, 15), completed_on=D(2026, 11, 2))
    normal = FiveKeyItemFactory(title="引进储能电池项目", category=Category.INVESTMENT, responsible_unit=zone.dept_b)
    FiveKeyNodeFactory(item=normal, planned_date=D(2026, 12, 20))
    open_item = FiveKeyItemFactory(title="推进5G基站建设", category=Category.REFORMS, responsible_unit=None)
    return type("B", (), {"lagging": lagging, "ahead": ahead, "normal": normal, "open": open_item})


# --- the board ---------------------------------------------------------------------------------


def test_board_shows_lagging_items_first_with_the_late_node_and_working_days(client, zone, board):
    client.force_login(zone.leader)
    page = client.get(reverse("projects:board")).content.decode()
    assert page.index("盘活僵尸企业土地") < page.index("供热管网二期")
    assert "资产处置" in page and "6" in page
    assert re.search(r'data-testid="count-lagging"><a [^>]*data-count="1">1</a>', page)


def test_board_filters_by_unit_status_and_leader(client, zone, board):
    client.force_login(zone.leader)
    page = client.get(reverse("projects:board"), {"status": "lagging"}).content.decode()
    assert "盘活僵尸企业土地" in page and "供热管网二期" not in page
    page = client.get(reverse("projects:board"), {"unit": zone.dept_b.pk}).content.decode()
    assert "供热管网二期" in page and "盘活僵尸企业土地" not in page
    page = client.get(reverse("projects:board"), {"leader": zone.leader.pk}).content.decode()
    assert "盘活僵尸企业土地" in page and "供热管网二期" not in page
    # Nonsense in the query string is ignored, never a 500.
    assert client.get(reverse("projects:board"), {"year": "abc", "unit": "x"}).status_code == 200


def test_board_for_two_thousand_items_runs_a_fixed_number_of_queries(client, zone, django_assert_max_num_queries):
    """Items written straight to the database, as the scale seed does: the first view of the day
    stores their progress (in batches), every later view reads it at a fixed cost."""
    items = FiveKeyItem.objects.bulk_create([
        FiveKeyItem(category=list(Category)[i % 5], year=2026, title=f"任务{i}", lead_leader=zone.leader,
                    responsible_unit=zone.dept_a if i % 2 else zone.dept_b)
        for i in range(2000)
    ])
    FiveKeyNode.objects.bulk_create([
        FiveKeyNode(item=item, name="节点", planned_date=D(2026, 1 + i % 12, 10),
                    completed_on=D(2026, 1, 5) if i % 3 else None)
        for i, item in enumerate(items) for _ in range(2)
    ])
    for item in items[:50]:
        item.cooperating_units.add(zone.dept_a)
    client.force_login(zone.leader)
    # The day's first view computes the year in batches, then counts it (the lock, the count, the day).
    with django_assert_max_num_queries(34):
        assert client.get(reverse("projects:board")).status_code == 200
    assert not FiveKeyItem.objects.progress_stale(D(2026, 11, 23)).exists()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:board"))
    assert response.status_code == 200 and response.context["board"]["total"] == 2000
    # The print and the export stream the items BOARD_STREAM_CHUNK at a time, each chunk with its
    # nodes and cooperating units: a fixed cost and two queries a chunk, memory for one chunk.
    chunks = -(-2000 // selectors.BOARD_STREAM_CHUNK)
    for name in ("projects:board_export", "projects:board_print"):
        with django_assert_max_num_queries(7 + 2 * chunks):
            response = client.get(reverse(name))
            assert response.status_code == 200 and len(b"".join(response.streaming_content)) > 100_000


def test_print_view_is_one_a3_landscape_page_per_category(client, zone, board):
    client.force_login(zone.leader)
    page = b"".join(client.get(reverse("projects:board_print")).streaming_content).decode()
    assert "size: A3 landscape" in page
    assert page.count('class="category"') == 5
    for heading in ("一、重点企业", "二、重大招商", "三、重大项目", "四、重大改革", "五、重点工作"):
        assert heading in page
    assert "资产处置，滞后6个工作日" in page
    assert "http://" not in page and "https://" not in page


def test_export_is_an_xlsx_with_chinese_headers_and_lagging_first(client, zone, board):
    client.force_login(zone.leader)
    response = client.get(reverse("projects:board_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:7] == ("序号", "类别", "任务名称", "目标", "牵头领导", "责任单位", "配合单位")
    titles = [row[2] for row in rows[2:]]
    assert set(titles) == {"盘活僵尸企业土地", "供热管网二期", "引进储能电池项目", "推进5G基站建设"}
    key_work = [row for row in rows[2:] if row[1] == "重点工作"]
    assert key_work[0][2] == "盘活僵尸企业土地" and key_work[0][10] == "滞后" and key_work[0][12] == 6
    assert next(row for row in rows[2:] if row[2] == "推进5G基站建设")[5] == "待认领"


# --- scoping -----------------------------------------------------------------------------------


def test_enterprise_users_see_nothing_of_the_five_key_list(client, zone, board):
    client.force_login(zone.ent_user_a)
    for name in ("projects:board", "projects:board_print", "projects:board_export", "projects:ranking"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("projects:item_detail", args=[board.lagging.pk])).status_code == 403
    assert client.get("/api/fivekey-items/").json()["count"] == 0
    assert client.get("/api/fivekey-nodes/").json()["count"] == 0
    assert client.get(f"/api/fivekey-items/{board.lagging.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT])
def test_staff_read_the_whole_board(client, zone, board, role):
    client.force_login(users(zone)[role])
    page = client.get(reverse("projects:board")).content.decode()
    assert "盘活僵尸企业土地" in page and "供热管网二期" in page
    assert "projects/fivekey/new/" not in page  # only leaders add items


def test_a_department_marks_only_its_own_nodes_done(client, zone, board):
    own = board.lagging.nodes.get(name="资产处置")
    other = board.ahead.nodes.get()
    client.force_login(zone.dept_user_a)
    assert client.get(reverse("projects:node_complete", args=[own.pk])).status_code == 200
    response = client.post(reverse("projects:node_complete", args=[other.pk]),
                           {"completed_on": "2026-11-20", "evidence": "x"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.completed_on == D(2026, 11, 2) and other.evidence == ""


def test_bad_node_completion_is_shown_on_the_form_and_changes_nothing(client, zone, board):
    node = board.lagging.nodes.get(name="资产处置")
    client.force_login(zone.dept_user_a)
    response = client.post(reverse("projects:node_complete", args=[node.pk]),
                           {"completed_on": "2026-12-01", "evidence": "挂牌公告"})
    assert response.status_code == 200
    assert "完成日期不能晚于今天" in response.content.decode()
    node.refresh_from_db()
    assert node.completed_on is None


def test_claiming_an_assigned_item_shows_a_message_and_changes_nothing(client, zone, board):
    client.force_login(zone.dept_user_a)
    response = client.post(reverse("projects:item_claim", args=[board.ahead.pk]), follow=True)
    assert response.status_code == 200
    assert "只有未分配的任务才能认领" in response.content.decode()
    board.ahead.refresh_from_db()
    assert board.ahead.claim == "" and board.ahead.responsible_unit == zone.dept_b


def test_a_node_outside_the_items_year_is_refused_on_the_form(client, zone, board):
    client.force_login(zone.leader)
    response = client.post(reverse("projects:node_add", args=[board.normal.pk]),
                           {"name": "验收", "planned_date": "2027-01-15"})
    assert response.status_code == 200
    assert "计划日期必须在任务所属年度 2026 内" in response.content.decode()
    assert board.normal.nodes.count() == 1


def test_projects_are_scoped_by_role(client, zone, django_assert_max_num_queries):
    mine = ProjectFactory(name="甲项目", investor=zone.ent_a)
    theirs = ProjectFactory(name="乙项目", investor=zone.ent_b)
    ProjectStewardFactory(project=mine, steward=zone.steward_a)
    ProjectStewardFactory(project=theirs, steward=zone.steward_b)
    ApprovalFactory(project=mine, department=zone.dept_a)
    ApprovalFactory(project=theirs, department=zone.dept_b)
    for i in range(4):
        p = ProjectFactory(name=f"丙项目{i}")
        ProjectStewardFactory(project=p, steward=zone.steward_b)
    for user in (zone.steward_a.user, zone.head_a, zone.dept_user_a, zone.ent_user_a):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("projects:project_list")).content.decode()
        assert "甲项目" in page and "乙项目" not in page, user
        assert client.get(reverse("projects:project_detail", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("projects:project_detail", args=[mine.pk])).status_code == 200
        assert [p["name"] for p in client.get("/api/projects/").json()["results"]] == ["甲项目"]
        assert client.get(f"/api/projects/{theirs.pk}/").status_code == 404
    client.force_login(zone.leader)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("projects:project_list")).content.decode()
    assert "甲项目" in page and "乙项目" in page and "丙项目3" in page


def test_project_page_shows_approvals_side_by_side_and_what_holds_it_up(client, zone):
    project = ProjectFactory(name="智慧供应链产业园", stage="land")
    ApprovalFactory(project=project, kind="filing", status="approved", approved_on=D(2026, 3, 1))
    ApprovalFactory(project=project, kind="eia", status="in_progress", due_on=D(2026, 11, 10))
    ApprovalFactory(project=project, kind="energy", status="blocked", note="能耗指标待省里批复")
    ApprovalFactory(project=project, kind="fire", status="in_progress", due_on=D(2026, 12, 30))
    client.force_login(zone.leader)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert page.count('data-testid="approval-holding-up"') == 2
    assert 'data-testid="holding-up"' in page


def test_investment_page_shows_year_on_year(client, zone):
    ProjectFactory(signed_on=D(2026, 4, 1), stage="signed", total_investment=60000)
    ProjectFactory(signed_on=D(2025, 4, 1), stage="signed", total_investment=40000)
    client.force_login(zone.leader)
    page = client.get(reverse("projects:investment"), {"year": "2026"}).content.decode()
    assert "+50.0%" in page
    assert client.get(reverse("projects:investment"), {"year": "x"}).status_code == 200


def test_ranking_page_shows_month_on_month_change(client, zone):
    from projects.models import UnitMonthlyScore

    UnitMonthlyScore.objects.create(department=zone.dept_a, year=2026, month=9, score=80, on_time=4, late=1)
    UnitMonthlyScore.objects.create(department=zone.dept_b, year=2026, month=9, score=90, on_time=9, open=1)
    UnitMonthlyScore.objects.create(department=zone.dept_a, year=2026, month=10, score=95, on_time=19, open=1)
    UnitMonthlyScore.objects.create(department=zone.dept_b, year=2026, month=10, score=85, on_time=17, late=3)
    client.force_login(zone.dept_user_a)
    page = client.get(reverse("projects:ranking"), {"month": "2026-10"}).content.decode()
    assert page.index(zone.dept_a.name) < page.index(zone.dept_b.name)
    assert "+15.00" in page and "-5.00" in page and "↑1" in page
    assert client.get(reverse("projects:ranking"), {"month": "2026-13"}).status_code == 200


def test_the_ranking_ranks_only_units_with_something_assessed(client, zone):
    """A unit with nothing due, late or claimed has no score to rank (it used to get 100.00 and
    a rank move); a change shows only when both months have a score."""
    from projects.models import UnitMonthlyScore
    from tests.factories import DepartmentFactory

    idle = DepartmentFactory(name="档案馆")
    new = DepartmentFactory(name="数据局")
    UnitMonthlyScore.objects.create(department=zone.dept_a, year=2026, month=9, score=50, on_time=1, open=1)
    UnitMonthlyScore.objects.create(department=idle, year=2026, month=9, score=100)  # nothing assessed
    UnitMonthlyScore.objects.create(department=new, year=2026, month=9, score=100)   # nothing assessed
    UnitMonthlyScore.objects.create(department=zone.dept_a, year=2026, month=10, score=75, on_time=3, open=1)
    UnitMonthlyScore.objects.create(department=new, year=2026, month=10, score=100, on_time=2)
    UnitMonthlyScore.objects.create(department=idle, year=2026, month=10, score=100)  # nothing again
    client.force_login(zone.leader)
    response = client.get(reverse("projects:ranking"), {"month": "2026-10"})
    rows = response.context["rows"]
    assert [(r.department, r.rank, r.change, r.rank_change) for r in rows] == [
        (new, 1, None, None), (zone.dept_a, 2, Decimal("25.00"), -1)]
    assert [row.department for row in response.context["unassessed"]] == [idle]
    page = response.content.decode()
    ranking = page[page.index('data-testid="ranking"'):page.index("</table>", page.index('data-testid="ranking"'))]
    # The only unit ranked both months moved from first of one to second of two.
    assert "档案馆" not in ranking and "↑" not in ranking and "↓1" in ranking
    assert "+25.00" in ranking and "+100" not in ranking
    assert "档案馆" in page[page.index('data-testid="unassessed"'):]
    # A month where nobody had anything: nothing ranked, and the page says why.
    response = client.get(reverse("projects:ranking"), {"month": "2026-09"})
    assert [r.department for r in response.context["rows"]] == [zone.dept_a]
    assert response.context["rows"][0].change is None


# --- every page, every role: never a 500 ---------------------------------------------------------

# Every id is 999999 (an object nobody has), then the real one below.
PROJECT_ROUTES = [(name, "/" + re.sub(r"<(?:\w+:)?\w+>", "999999", pattern))
                  for name, pattern in ROUTES.items() if name.startswith("projects:")]


@pytest.mark.parametrize("role", [
    Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN])
def test_no_projects_page_answers_any_role_with_a_server_error(client, zone, board, role):
    project = ProjectFactory(investor=zone.ent_a)
    ProjectStewardFactory(project=project, steward=zone.steward_a)
    approval = ApprovalFactory(project=project, department=zone.dept_a)
    node = board.lagging.nodes.first()
    client.force_login(users(zone)[role])
    assert len(PROJECT_ROUTES) > 15
    failures = []
    for name, path in PROJECT_ROUTES:
        real = (path.replace("999999", str({"projects:approval_update": approval.pk, "projects:node_edit": node.pk,
                                            "projects:node_complete": node.pk}.get(
            name, board.lagging.pk if "fivekey" in path else project.pk))))
        for url in (path, real):
            status = client.get(url).status_code
            if status >= 500:
                failures.append((name, url, status))
    assert failures == []


# --- the director's story --------------------------------------------------------------------------


def test_the_directors_story(client, zone, board):
    client.force_login(zone.leader)
    board_page = client.get(reverse("projects:board")).content.decode()
    first_link = board.lagging.get_absolute_url()
    assert board_page.index(first_link) < board_page.index(board.ahead.get_absolute_url())
    item_page = client.get(first_link).content.decode()
    assert "资产处置" in item_page and 'data-testid="late-node"' in item_page and 'data-testid="timeline"' in item_page
    assert client.get(reverse("projects:board_print")).status_code == 200
    assert client.get(reverse("projects:board_export")).status_code == 200
    # The department marks the late node done; the item is no longer lagging.
    client.force_login(zone.dept_user_a)
    node = board.lagging.nodes.get(name="资产处置")
    response = client.post(reverse("projects:node_complete", args=[node.pk]),
                           {"completed_on": "2026-11-23", "evidence": "资产处置公告及成交确认书"})
    assert response.status_code == 302
    client.force_login(zone.leader)
    item_page = client.get(first_link).content.decode()
    # Done six working days after its due date: no longer lagging, but done late (逾期完成).
    assert 'data-testid="late-node"' not in item_page and 'data-status="done_late"' in item_page
    assert 'data-testid="done-late-node"' in item_page and "逾期 6 个工作日" in item_page
    assert "资产处置公告及成交确认书" in item_page
    assert 'data-testid="count-lagging">0<' in client.get(reverse("projects:board")).content.decode()


def test_the_project_steward_adds_approvals_and_nodes_and_others_cannot(client, zone):
    project = ProjectFactory(name="维特新材料项目")
    ProjectStewardFactory(project=project, steward=zone.steward_a)
    ApprovalFactory(project=project, kind="filing", department=zone.dept_a)
    client.force_login(zone.steward_a.user)
    response = client.post(reverse("projects:approval_add", args=[project.pk]),
                           {"kind": "eia", "department": zone.dept_b.pk, "due_on": "2026-12-15"})
    assert response.status_code == 302
    response = client.post(reverse("projects:approval_add", args=[project.pk]),
                           {"kind": "filing", "department": zone.dept_b.pk})
    assert response.status_code == 200 and "该项目已有这项审批" in response.content.decode()
    response = client.post(reverse("projects:construction_node_add", args=[project.pk]),
                           {"name": "主体结构封顶", "planned_date": "2026-12-20"})
    assert response.status_code == 302
    assert sorted(project.approvals.values_list("kind", flat=True)) == ["eia", "filing"]
    assert project.construction_nodes.get().name == "主体结构封顶"
    # The approving department may update its approval but not edit the project.
    client.force_login(zone.dept_user_a)
    assert client.get(reverse("projects:project_edit", args=[project.pk])).status_code == 403
    assert client.get(reverse("projects:approval_add", args=[project.pk])).status_code == 403
    filing = project.approvals.get(kind="filing")
    eia = project.approvals.get(kind="eia")
    assert client.get(reverse("projects:approval_update", args=[filing.pk])).status_code == 200
    assert client.get(reverse("projects:approval_update", args=[eia.pk])).status_code == 403


def test_a_department_cannot_open_the_completion_form_of_another_units_node(client, zone, board):
    client.force_login(zone.dept_user_a)
    assert client.get(reverse("projects:node_complete", args=[board.ahead.nodes.get().pk])).status_code == 403


def test_home_panels_per_role(client, zone, board):
    project = ProjectFactory(name="割胶机器人项目")
    ProjectStewardFactory(project=project, steward=zone.steward_a)
    ApprovalFactory(project=project, kind="fire", status="blocked", note="消防设计审查意见待复核")
    client.force_login(zone.leader)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-fivekey"' in page and "盘活僵尸企业土地" in page
    assert 'data-testid="panel-project-stages"' in page
    client.force_login(zone.dept_user_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-my-nodes"' in page and "资产处置" in page and "管网铺设" not in page
    client.force_login(zone.steward_a.user)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-my-projects"' in page and "割胶机器人项目" in page and "消防验收" in page
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("home")).content.decode()
    assert "panel-fivekey" not in page and "盘活僵尸企业土地" not in page
