"""Issue 16 in the projects app: projects without a project steward are listed and flagged; a new
one gets its steward within 3 working days (reminded, then told to the head); a project steward
escalates a project's blockers to departments exactly like a request, on the same clock."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from projects import services, serving
from projects.models import Project, ProjectBlocker
from projects.tests.factories import ApprovalFactory, ProjectFactory, ProjectStewardFactory
from stewards import services as steward_services
from stewards.models import Escalation, ServiceRequest
from stewards.tests.factories import shanghai
from tests.factories import EnterpriseFactory, IndustryChainFactory
from zonehub.models import Notification

pytestmark = pytest.mark.django_db


def test_a_new_project_gets_its_steward_within_3_working_days_or_the_head_hears(zone):
    z = zone
    investor = EnterpriseFactory(workstation=z.ws_a)
    # Friday 2026-11-20, 10:00: the period ends with Wednesday 25th (exclusive 00:00 on the 26th).
    with time_machine.travel(shanghai(2026, 11, 20, 10), tick=False):
        project = services.project_create(actor=z.leader, name="氢能装备产业园", industry=IndustryChainFactory(),
                                          investor=investor, total_investment=80000)
    assert project.steward_due_at == shanghai(2026, 11, 26) and not project.has_steward
    with time_machine.travel(shanghai(2026, 11, 24, 10), tick=False):
        assert serving.project_steward_sweep() == {"reminded": 0, "overdue": 0}
    with time_machine.travel(shanghai(2026, 11, 25, 9, 30), tick=False):  # the last working day
        assert serving.project_steward_sweep()["reminded"] == 1
        assert serving.project_steward_sweep()["reminded"] == 0  # once
    assert Notification.objects.filter(recipient=z.leader, kind="project.steward_reminder").count() == 1
    with time_machine.travel(shanghai(2026, 11, 26, 0, 5), tick=False):
        assert serving.project_steward_sweep()["overdue"] == 1
        assert serving.project_steward_sweep()["overdue"] == 0
    assert Notification.objects.filter(recipient=z.head_a, kind="project.steward_overdue").count() == 1
    assert not Notification.objects.filter(recipient=z.head_b).exists()
    project.refresh_from_db()
    assert project.steward_overdue_at is not None
    # Without a workstation, the leaders hear it.
    with time_machine.travel(shanghai(2026, 11, 20, 10), tick=False):
        orphan = services.project_create(actor=z.leader, name="无站项目", industry=IndustryChainFactory())
    with time_machine.travel(shanghai(2026, 11, 27, 10), tick=False):
        serving.project_steward_sweep()
    assert Notification.objects.filter(recipient=z.leader, kind="project.steward_overdue",
                                       url=orphan.get_absolute_url()).count() == 1


def test_a_project_with_its_steward_in_time_is_not_chased(zone):
    with time_machine.travel(shanghai(2026, 11, 20, 10), tick=False):
        project = services.project_create(actor=zone.leader, name="储能", industry=IndustryChainFactory(),
                                          investor=zone.ent_a)
        services.project_steward_assign(project=project, steward=zone.steward_a, actor=zone.leader)
    project.refresh_from_db()
    assert project.has_steward
    with time_machine.travel(shanghai(2026, 11, 30, 10), tick=False):
        assert serving.project_steward_sweep() == {"reminded": 0, "overdue": 0}


def test_projects_without_a_steward_are_listed_and_flagged(client, zone, django_assert_max_num_queries):
    z = zone
    served = ProjectFactory(investor=z.ent_a, name="有管家项目")
    ProjectStewardFactory(project=served, steward=z.steward_a)
    late = ProjectFactory(investor=z.ent_a, name="超期项目", steward_due_at=shanghai(2026, 11, 1),
                          steward_overdue_at=shanghai(2026, 11, 1))
    waiting = [ProjectFactory(investor=EnterpriseFactory(workstation=z.ws_a), name=f"待配项目{i}") for i in range(4)]
    ProjectFactory(investor=z.ent_b, name="乙站项目")
    client.force_login(z.head_a)
    client.get(reverse("projects:uncovered"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:uncovered"))
    names = [p.name for p in response.context["object_list"]]
    assert set(names) == {"超期项目", *(p.name for p in waiting)}
    assert 'data-testid="overdue"' in response.content.decode()
    client.force_login(z.leader)
    assert "乙站项目" in {p.name for p in client.get(reverse("projects:uncovered")).context["object_list"]}
    html = client.get(reverse("projects:project_detail", args=[late.pk])).content.decode()
    assert 'data-testid="no-project-steward"' in html
    assert 'data-testid="no-project-steward"' in client.get(reverse("projects:project_list")).content.decode()


@pytest.fixture
def blocked(zone):
    z = zone
    z.project = ProjectFactory(investor=z.ent_b, name="新能源电池项目")  # the investor has another steward
    ProjectStewardFactory(project=z.project, steward=z.steward_a)
    z.approval = ApprovalFactory(project=z.project, department=z.dept_a)
    return z


def test_a_project_steward_escalates_a_blocker_on_the_requests_clock(client, blocked,
                                                                      django_capture_on_commit_callbacks):
    z = blocked
    client.force_login(z.steward_a.user)
    url = reverse("projects:blocker_raise", args=[z.project.pk])
    assert 'data-testid="raise-blocker"' in client.get(z.project.get_absolute_url()).content.decode()
    response = client.post(url, {"kind": "approval", "title": "", "description": "", "departments": [], "reason": ""})
    assert response.status_code == 200 and not ProjectBlocker.objects.exists()  # errors, nothing written
    with time_machine.travel(shanghai(2026, 11, 20, 10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "approval", "approval": z.approval.pk, "title": "施工许可卡壳",
                                     "description": "材料齐全已20天未批", "departments": [z.dept_a.pk, z.dept_b.pk],
                                     "reason": "请三日内答复", "urgency": "normal"})
    assert response.status_code == 302
    blocker = ProjectBlocker.objects.get()
    request = blocker.request
    assert request.channel == ServiceRequest.Channel.PROJECT and request.enterprise == z.ent_b
    assert request.steward == z.steward_a and request.status == ServiceRequest.Status.ESCALATED
    escalations = list(request.escalations.order_by("department__pk"))
    assert len(escalations) == 2 and all(e.due_at == shanghai(2026, 11, 26) for e in escalations)
    assert Notification.objects.filter(recipient=z.dept_user_a, kind="escalation.sent").count() == 1
    # The same sweep marks it overdue, once.
    with time_machine.travel(shanghai(2026, 11, 26, 0, 5), tick=False):
        steward_services.deadline_sweep()
    assert Escalation.objects.filter(request=request, overdue_at__isnull=False).count() == 2
    # The project page shows it, with its departments' clocks.
    html = client.get(z.project.get_absolute_url()).content.decode()
    assert "施工许可卡壳" in html and z.dept_a.name in html
    # The department answers it in its inbox like any escalation.
    client.force_login(z.dept_user_a)
    assert request.pk in {e.request_id for e in client.get(reverse("stewards:inbox")).context["object_list"]}
    # It stays with the project steward when the enterprise's steward changes.
    steward_services.steward_assign(enterprise=z.ent_b, steward=z.steward_a, actor=z.admin)
    request.refresh_from_db()
    assert request.steward == z.steward_a


def test_only_the_project_s_steward_raises_its_blockers(client, blocked):
    z = blocked
    for outsider in (z.steward_b.user, z.head_a, z.leader):
        with pytest.raises(PermissionDenied):
            serving.project_blocker_raise(project=z.project, actor=outsider, kind="power", title="用电",
                                          description="说明", departments=[z.dept_a], reason="请协调")
    client.force_login(z.steward_b.user)
    assert client.get(reverse("projects:blocker_raise", args=[z.project.pk])).status_code in (403, 404)
    assert Project.objects.get(pk=z.project.pk).blockers.count() == 0
