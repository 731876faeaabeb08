"""Excel import of major projects (issue 6): matched by name and investor, through the projects services
(``projects.imports.ProjectSheet``)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from enterprises.models import ImportBatch, IndustryChain
from projects.imports import PROJECT_COLUMNS
from projects.models import Project, ProjectStageChange, ProjectStewardAssignment, Stage
from zonehub.models import Event

HEADERS = [h for _k, h, _r in PROJECT_COLUMNS]


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("项目.xlsx", buffer.getvalue())


@pytest.fixture
def sheet_rows(zone):
    IndustryChain.objects.get_or_create(name="新材料")
    return [
        ["新材料产业园项目", zone.ent_a.credit_code, "新材料", 50000, 8000, 1000, 120000, 200, 150000, "签约",
         "2026-03-01", dt.datetime(2027, 6, 30), zone.steward_a.phone, "一期厂房"],
        ["孵化器项目", zone.ent_b.name, "新材料", "1,200.5", None, None, None, None, None, "", None, None, "", ""],
    ]


def run(client, admin, rows):
    client.force_login(admin)
    client.post(reverse("enterprises:import"), {"kind": "projects", "file": xlsx(rows)})
    batch = ImportBatch.objects.latest("id")
    if batch.status == ImportBatch.Status.VALID:
        client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
    return batch


def test_projects_are_created_with_their_stage_and_steward_and_a_reimport_changes_nothing(client, zone, sheet_rows):
    batch = run(client, zone.admin, sheet_rows)
    assert batch.status == ImportBatch.Status.DONE, (batch.errors, batch.message)
    assert (batch.created_count, batch.updated_count) == (2, 0)
    park = Project.objects.get(name="新材料产业园项目")
    assert park.investor == zone.ent_a and park.stage == Stage.SIGNED
    assert park.total_investment == Decimal("50000") and park.planned_completion == dt.date(2027, 6, 30)
    assert ProjectStewardAssignment.objects.active().get(project=park).steward == zone.steward_a
    assert Project.objects.get(name="孵化器项目").total_investment == Decimal("1200.50")
    assert Event.objects.filter(kind="project.created").count() == 2

    events = Event.objects.count()
    again = run(client, zone.admin, sheet_rows)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Project.objects.count() == 2 and Event.objects.count() == events + 1  # the import's own record


def test_a_changed_sheet_updates_the_figures_and_moves_the_stage_one_step(client, zone, sheet_rows):
    run(client, zone.admin, sheet_rows)
    sheet_rows[0][3] = 60000
    sheet_rows[0][9] = "供地"
    batch = run(client, zone.admin, sheet_rows)
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 1)
    park = Project.objects.get(name="新材料产业园项目")
    assert park.total_investment == Decimal("60000") and park.stage == Stage.LAND
    assert ProjectStageChange.objects.filter(project=park, to_stage=Stage.LAND).exists()


def test_bad_project_rows_are_named_and_nothing_is_imported(client, zone, sheet_rows):
    run(client, zone.admin, sheet_rows)
    bad = [
        ["新材料产业园项目", zone.ent_a.credit_code, "新材料", 50000, 8000, 1000, 120000, 200, 150000, "投产"],  # stage jump
        ["甲项目", "不存在的公司", "新材料"],
        ["乙项目", "", "生物医药"],
        ["丙项目", "", "新材料", "很多"],
        ["丁项目", "", "新材料", 100, None, 200],
        ["戊项目", "", "新材料", None, None, None, None, None, None, "", "明年春天"],
        ["己项目", "", "新材料", None, None, None, None, None, None, "筹备"],
        ["庚项目", "", "新材料", None, None, None, None, None, None, "", None, None, "查无此人"],
        ["新项目", "", "新材料"],
    ]
    count = Project.objects.count()
    batch = run(client, zone.admin, bad)
    assert batch.status == ImportBatch.Status.INVALID
    assert sorted((e["row"], e["column"]) for e in batch.errors) == [
        (2, "阶段"), (3, "投资企业"), (4, "主导产业"), (5, "总投资(万元)"), (6, "到位资金(万元)"),
        (7, "计划开工日期"), (8, "阶段"), (9, "项目管家")]
    assert Project.objects.count() == count  # row 10 is fine but nothing is imported


def test_the_project_template_has_chinese_headers_and_the_stages(client, zone, sheet_rows):
    client.force_login(zone.admin)
    response = client.get(reverse("enterprises:import_template", args=["projects"]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    notes = [c.value for r in workbook.worksheets[1].iter_rows() for c in r if c.value]
    assert {"洽谈", "签约", "供地", "开工", "竣工", "投产", "新材料"} <= set(notes)


def test_the_import_page_offers_both_kinds(client, zone):
    client.force_login(zone.admin)
    page = client.get(reverse("enterprises:import") + "?kind=projects").content.decode()
    assert reverse("enterprises:import_template", args=["projects"]) in page
    assert 'value="projects" selected' in page or 'value="projects" checked' in page


def _stage_record(project):
    """What a stage change leaves behind: its rows and its timeline events, without ids and times."""
    changes = [(c.from_stage, c.to_stage, c.changed_on, c.changed_by_id, c.note)
               for c in ProjectStageChange.objects.filter(project=project).order_by("id")]
    events = [(e.kind, e.subject_type.model, e.from_state, e.to_state, e.note, e.actor_id, e.data)
              for e in Event.objects.filter(root_id=project.pk, root_type__model="project", kind="project.stage")
              .order_by("id")]
    return changes, events


def test_an_imported_stage_move_records_what_a_change_on_the_page_records(client, zone, sheet_rows, fixed_day):
    """Issue 11: the import goes through the stage-change service, so it leaves the same
    stage-change row and timeline event (and key date) as the project page's stage form."""
    note = gettext("Excel import")  # the import's note; the page change is given the same
    run(client, zone.admin, sheet_rows)
    imported = Project.objects.get(name="新材料产业园项目")
    paged = Project.objects.get(name="孵化器项目")
    client.post(reverse("projects:project_stage", args=[paged.pk]),
                {"to_stage": Stage.SIGNED, "on": fixed_day.isoformat(), "note": note})
    paged.refresh_from_db()
    assert paged.stage == Stage.SIGNED

    sheet_rows[0][9] = "供地"
    batch = run(client, zone.admin, sheet_rows)
    assert batch.status == ImportBatch.Status.DONE, (batch.errors, batch.message)
    imported.refresh_from_db()
    assert imported.stage == Stage.LAND and imported.land_granted_on == fixed_day
    changes, events = _stage_record(imported)
    assert changes[-1] == (Stage.SIGNED, Stage.LAND, fixed_day, zone.admin.pk, note)
    assert events[-1] == ("project.stage", "projectstagechange", Stage.SIGNED.label, Stage.LAND.label,
                          note, zone.admin.pk, {"on": fixed_day.isoformat()})
    page_changes, page_events = _stage_record(paged)
    assert page_changes == [(Stage.NEGOTIATING, Stage.SIGNED, fixed_day, zone.admin.pk, note)]
    assert page_events == [("project.stage", "projectstagechange", Stage.NEGOTIATING.label, Stage.SIGNED.label,
                            note, zone.admin.pk, {"on": fixed_day.isoformat()})]


def test_a_new_project_reaches_the_sheets_stage_through_recorded_stage_changes(client, zone, sheet_rows, fixed_day):
    """A project taken over at a later stage gets there one stage after another, each step a
    stage-change row and event (before issue 11 the stage was written with no row at all)."""
    sheet_rows[0][9] = "开工"
    batch = run(client, zone.admin, sheet_rows)
    assert batch.status == ImportBatch.Status.DONE, (batch.errors, batch.message)
    project = Project.objects.get(name="新材料产业园项目")
    assert project.stage == Stage.CONSTRUCTION
    changes, events = _stage_record(project)
    assert [(c[0], c[1]) for c in changes] == [(Stage.NEGOTIATING, Stage.SIGNED), (Stage.SIGNED, Stage.LAND),
                                               (Stage.LAND, Stage.CONSTRUCTION)]
    assert len(events) == 3
    # A project whose sheet leaves the stage empty (or says 洽谈) stays where it starts, with no change.
    other = Project.objects.get(name="孵化器项目")
    assert other.stage == Stage.NEGOTIATING and _stage_record(other) == ([], [])
