"""DESIGN.md rule 4 holds for project stewards: a steward the investor enterprise rated
unsatisfied this year cannot be put back on its project — not from the project page, not through
the API, not by the Excel import — unless a leader lifted the bar. All three call
``project_steward_assign``, which asks the one check (``stewards.services.steward_assignment_check``)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from enterprises.models import ImportBatch
from projects import services
from projects.imports import PROJECT_COLUMNS
from projects.models import ProjectStewardAssignment
from projects.tests.factories import ProjectFactory, ProjectStewardFactory
from stewards.services import assignment_bar_add, assignment_bar_lift
from tests.factories import StewardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def barred(zone, fixed_day):
    """ent_a rated steward_b unsatisfied this year (the bar evaluations writes when the campaign
    closed); its project now has another steward."""
    project = ProjectFactory(name="年产150万吨型钢生产线", investor=zone.ent_a)
    ProjectStewardFactory(project=project, steward=StewardFactory(user__workstation=zone.ws_a))
    assignment_bar_add(steward=zone.steward_b, enterprise=zone.ent_a, year=fixed_day.year,
                       reason="rated unsatisfied in campaign 2026 second half", source="test:rating")
    return project


def active_steward(project):
    return ProjectStewardAssignment.objects.active().get(project=project).steward


def test_the_service_refuses_and_a_leaders_lift_allows(zone, barred, fixed_day):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.project_steward_assign(project=barred, steward=zone.steward_b, actor=zone.leader)
    assert zone.steward_b.name in exc.value.messages[0]
    assert active_steward(barred) != zone.steward_b
    # Another enterprise's project is not barred.
    other = ProjectFactory(investor=zone.ent_b)
    services.project_steward_assign(project=other, steward=zone.steward_b, actor=zone.leader)
    # A leader lifts the bar: now it may go back.
    assignment_bar_lift(steward=zone.steward_b, enterprise=zone.ent_a, year=fixed_day.year, actor=zone.leader,
                        reason="企业书面撤回评价")
    services.project_steward_assign(project=barred, steward=zone.steward_b, actor=zone.leader)
    assert active_steward(barred) == zone.steward_b


def test_the_project_page_shows_the_refusal_on_the_form(client, zone, barred):
    client.force_login(zone.leader)
    response = client.post(reverse("projects:project_steward", args=[barred.pk]),
                           {"steward": zone.steward_b.pk, "note": "调回"})
    assert response.status_code == 200
    assert zone.steward_b.name in response.content.decode()
    assert active_steward(barred) != zone.steward_b


def test_the_api_answers_400(client, zone, barred):
    client.force_login(zone.leader)
    response = client.post(f"/api/projects/{barred.pk}/steward/", {"steward": zone.steward_b.pk},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert zone.steward_b.name in response.content.decode()
    assert active_steward(barred) != zone.steward_b
    # The same endpoint assigns a steward who is not barred.
    fresh = StewardFactory(user__workstation=zone.ws_a)
    response = client.post(f"/api/projects/{barred.pk}/steward/", {"steward": fresh.pk},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["steward"] == fresh.pk and active_steward(barred) == fresh


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _key, header, _required in PROJECT_COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("项目.xlsx", buffer.getvalue())


def test_the_excel_import_does_not_put_the_steward_back(client, zone, barred):
    keys = [key for key, _header, _required in PROJECT_COLUMNS]
    row = dict.fromkeys(keys)
    row.update(name=barred.name, investor=zone.ent_a.credit_code, industry=barred.industry.name,
               steward=zone.steward_b.phone)
    client.force_login(zone.admin)
    client.post(reverse("enterprises:import"), {"kind": "projects", "file": xlsx([[row[k] for k in keys]])})
    batch = ImportBatch.objects.latest("id")
    if batch.status == ImportBatch.Status.VALID:
        client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
    assert active_steward(barred) != zone.steward_b
    assert batch.status != ImportBatch.Status.DONE or batch.errors, (batch.status, batch.errors)
    assert zone.steward_b.name in str(batch.errors) + str(batch.message)
