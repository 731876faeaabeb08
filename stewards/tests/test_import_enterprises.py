"""Excel import of enterprises (issue 6): template, checking, preview, all-or-nothing, re-import.

The enterprise sheet is stewards' (``stewards.imports.EnterpriseSheet``: its steward column); the
upload, preview and confirm machinery is enterprises' (``enterprises.services.imports``)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from enterprises.models import Enterprise, ImportBatch, IndustryChain, Park
from enterprises.services import imports
from enterprises.validators import CHARSET, credit_code_check_char
from stewards.imports import EnterpriseSheet
from stewards.models import AssignmentBar, StewardAssignment
from tests.factories import StewardFactory, WorkstationFactory
from zonehub.models import Event, Notification

SHEET = EnterpriseSheet()
KEYS = [k for k, _h, _r in SHEET.columns]
HEADERS = [h for _k, h, _r in SHEET.columns]


def code_for(i: int) -> str:
    """A distinct, valid credit code for every i (the organisation-code part carries i)."""
    body = f"{i:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    first17 = "91" + "411200" + body + {10: "X", 11: "0"}.get(check, str(check))
    return first17 + credit_code_check_char(first17)


def wrong_check(code: str) -> str:
    return code[:17] + next(c for c in CHARSET if c != code[17])


def xlsx(rows, headers=HEADERS, name="企业.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def row(i, *, steward="", industry="新材料", size="是", ownership="民企", code=None, tags="高新技术企业、专精特新"):
    return [f"导入企业{i:05d}有限公司", code or code_for(i), industry, "高新技术产业园", "", size, ownership, tags,
            f"科技大道{i}号", "张三", "李四", "13900000000", steward]


@pytest.fixture
def lookups(zone):
    IndustryChain.objects.get_or_create(name="新材料")
    IndustryChain.objects.get_or_create(name="电子信息")
    Park.objects.get_or_create(name="高新技术产业园")
    return zone


def upload(client, user, file, kind="enterprises"):
    client.force_login(user)
    return client.post(reverse("enterprises:import"), {"kind": kind, "file": file})


def test_a_small_sheet_is_checked_previewed_and_imported_only_on_confirm(client, lookups):
    zone = lookups
    steward = zone.steward_a
    response = upload(client, zone.admin, xlsx([row(1, steward=steward.phone), row(2, steward=steward.name)]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("enterprises:import_detail", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALID and batch.to_create == 2
    assert not Enterprise.objects.filter(name__startswith="导入企业").exists()  # nothing before the confirm
    page = client.get(response.url).content.decode()
    assert "导入企业00001有限公司" in page and "确认导入" in page

    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and (batch.created_count, batch.updated_count) == (2, 0)
    imported = Enterprise.objects.get(credit_code=code_for(1))
    assert imported.workstation == steward.user.workstation  # taken from the steward when left empty
    assert imported.above_designated_size and imported.ownership == Enterprise.Ownership.PRIVATE
    assert sorted(t.name for t in imported.tags.all()) == ["专精特新", "高新技术企业"]
    assert StewardAssignment.objects.active().get(enterprise=imported).steward == steward
    kinds = set(Event.objects.filter(root_id=imported.pk, root_type__model="enterprise").values_list("kind", flat=True))
    assert {"enterprise.imported", "steward.assigned"} <= kinds
    assert Event.objects.filter(kind="import.done").count() == 1


def test_reimport_updates_by_credit_code_and_changes_the_steward_through_the_service(client, lookups):
    zone = lookups
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_a.phone)]))
    client.post(reverse("enterprises:import_confirm", args=[ImportBatch.objects.get().pk]))
    changed = row(1, steward=zone.steward_b.phone, industry="电子信息")
    changed[0] = "导入企业改名有限公司"
    upload(client, zone.admin, xlsx([changed]))
    batch = ImportBatch.objects.latest("id")
    assert (batch.status, batch.to_create, batch.to_update) == ("valid", 0, 1)
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 0)
    enterprise = Enterprise.objects.get(credit_code=code_for(1))
    assert enterprise.name == "导入企业改名有限公司" and enterprise.industry.name == "电子信息"
    history = list(StewardAssignment.objects.filter(enterprise=enterprise).order_by("started_at", "id"))
    assert [a.steward for a in history] == [zone.steward_a, zone.steward_b]
    assert history[0].ended_at is not None and history[1].ended_at is None
    assert Event.objects.filter(kind="enterprise.import_updated", root_id=enterprise.pk).exists()


def test_five_thousand_rows_with_twenty_bad_ones_are_refused_then_corrected_imported_and_reimported(
        client, lookups, settings, django_capture_on_commit_callbacks):
    """Issue 6 "Done when": refused with exactly the 20 rows named; corrected imports in full;
    again changes nothing. Large sheets go through the Celery task (eager in tests)."""
    zone = lookups
    settings.ZONEHUB_IMPORT_SYNC_ROWS = 500
    before = Enterprise.objects.count()
    good = [row(i, steward=zone.steward_a.phone if i % 100 == 0 else "") for i in range(5000)]
    bad = [list(r) for r in good]
    broken: dict[int, str] = {}  # index in the list -> what is wrong
    for n, index in enumerate(range(7, 5000, 250)):  # 20 rows spread through the sheet
        kind = n % 6
        if kind == 0:
            bad[index][1] = wrong_check(bad[index][1])
        elif kind == 1:
            bad[index][2] = "量子养生"
        elif kind == 2:
            bad[index][12] = "查无此人"
        elif kind == 3:
            bad[index][1] = bad[index - 1][1]  # the row above's credit code
        elif kind == 4:
            bad[index][5] = "可能"
        else:
            bad[index][6] = "个体"
        broken[index] = kind
    assert len(broken) == 20
    expected_rows = {index + 2 for index in broken}  # Excel row numbers: header on row 1

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, zone.admin, xlsx(bad))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID and batch.total == 5000
    assert {e["row"] for e in batch.errors} == expected_rows
    assert len(batch.errors) == 20
    page = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert "共 20 行有错误" in page and "不会导入任何数据" in page
    for number in expected_rows:
        assert f"<td>{number}</td>" in page
    response = client.post(reverse("enterprises:import_confirm", args=[batch.pk]), follow=True)
    assert "表格中有错误" in response.content.decode()
    assert Enterprise.objects.count() == before

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, zone.admin, xlsx(good))
    batch = ImportBatch.objects.latest("id")
    assert (batch.status, batch.to_create) == (ImportBatch.Status.VALID, 5000)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (5000, 0, 0)
    assert Enterprise.objects.count() == before + 5000
    assert StewardAssignment.objects.filter(steward=zone.steward_a, enterprise__name__startswith="导入企业").count() == 50

    counts = (Enterprise.objects.count(), StewardAssignment.objects.count(), Event.objects.count(),
              Notification.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, zone.admin, xlsx(good))
    batch = ImportBatch.objects.latest("id")
    assert (batch.status, batch.to_create, batch.to_update, batch.unchanged_count) == ("valid", 0, 0, 5000)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 0, 5000)
    page = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert "新增 0，更新 0，未变 5000" in page
    # Only the import's own record is new: no enterprise, assignment, per-enterprise event or notification.
    assert (Enterprise.objects.count(), StewardAssignment.objects.count(), Event.objects.count() - 1,
            Notification.objects.count()) == counts


def test_checking_loads_lookups_once_not_per_row(lookups, django_assert_max_num_queries):
    zone = lookups
    for i in range(0, 1000, 3):  # a third already exists: those rows are updates
        Enterprise.objects.create(name=f"导入企业{i:05d}有限公司", credit_code=code_for(i),
                                  industry=IndustryChain.objects.get(name="新材料"),
                                  park=Park.objects.first(), ownership="private")
    rows = [(i + 2, dict(zip(KEYS, row(i, steward=zone.steward_a.phone if i % 10 else ""), strict=True)))
            for i in range(1000)]
    with django_assert_max_num_queries(25):
        result = SHEET.check(rows)
    assert not result.errors
    assert result.count("create") == 666 and result.count("update") == 334


@pytest.mark.parametrize("name,content,fragment", [
    ("企业.xlsx", b"this is not a workbook", "不是 Excel 工作簿"),
    ("企业.csv", b"a,b,c", "只能导入 Excel .xlsx 文件"),
])
def test_a_file_that_is_not_xlsx_is_refused_with_a_message(client, lookups, name, content, fragment):
    response = upload(client, lookups.admin, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_empty_file_is_refused(client, lookups):
    response = upload(client, lookups.admin, SimpleUploadedFile("企业.xlsx", b""))
    assert response.status_code == 200 and "文件是空的" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_missing_header_columns_are_named(client, lookups):
    headers = [h for h in HEADERS if h not in ("主导产业", "所有制")]
    response = upload(client, lookups.admin, xlsx([["甲公司", code_for(1)]], headers=headers))
    page = response.content.decode()
    assert response.status_code == 200 and "表头缺少这些列：主导产业、所有制" in page
    assert not ImportBatch.objects.exists()


def test_headers_without_rows_are_refused(client, lookups):
    response = upload(client, lookups.admin, xlsx([]))
    assert response.status_code == 200 and "没有数据行" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client, lookups, settings):
    settings.ZONEHUB_IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("企业.xlsx", b"0" * (1024 * 1024 + 1))
    response = upload(client, lookups.admin, big)
    assert response.status_code == 200 and "大于 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_unknown_stewards_and_same_name_stewards_are_reported(client, lookups):
    zone = lookups
    twin = StewardFactory(user__name=zone.steward_a.name, user__workstation=WorkstationFactory())
    assert twin.name == zone.steward_a.name
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_a.name), row(2, steward="没有这个人")]))
    errors = ImportBatch.objects.get().errors
    assert [(e["row"], e["column"]) for e in errors] == [(2, "服务管家"), (3, "服务管家")]
    assert "手机号" in errors[0]["message"]


def test_the_enterprise_template_has_chinese_headers_and_explains_the_allowed_values(client, lookups):
    client.force_login(lookups.admin)
    response = client.get(reverse("enterprises:import_template", args=["enterprises"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    notes = [c.value for r in workbook.worksheets[1].iter_rows() for c in r if c.value]
    assert "新材料" in notes and "高新技术产业园" in notes and lookups.ws_a.name in notes
    assert any(lookups.steward_a.phone in str(v) for v in notes)
    assert "混合所有制" in notes


def test_the_template_itself_uploads_as_headers_without_rows(client, lookups):
    client.force_login(lookups.admin)
    content = client.get(reverse("enterprises:import_template", args=["enterprises"])).content
    response = upload(client, lookups.admin, SimpleUploadedFile("模板.xlsx", content))
    assert "没有数据行" in response.content.decode()


@pytest.mark.parametrize("who", ["leader", "head_a", "steward_a", "ent_user_a", "dept_user_a"])
def test_only_administrators_reach_the_import_pages(client, lookups, who):
    zone = lookups
    batch = ImportBatch.objects.create(kind="enterprises", file="imports/x.xlsx", file_name="x.xlsx",
                                       created_by=zone.admin, status=ImportBatch.Status.VALID)
    user = getattr(zone, who)
    client.force_login(user.user if who == "steward_a" else user)
    for url in (reverse("enterprises:import"), reverse("enterprises:import_template", args=["enterprises"]),
                reverse("enterprises:import_detail", args=[batch.pk]),
                reverse("enterprises:import_progress", args=[batch.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("enterprises:import_confirm", args=[batch.pk])).status_code == 403
    assert client.post(reverse("enterprises:import"), {"kind": "enterprises", "file": xlsx([row(1)])}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALID


def test_anonymous_users_go_to_the_login_page(client, db):
    response = client.get(reverse("enterprises:import"))
    assert response.status_code == 302 and "login" in response.url


def test_the_import_runs_once_even_if_the_task_is_delivered_twice(client, lookups):
    zone = lookups
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_a.phone)]))
    batch = ImportBatch.objects.get()
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    events = Event.objects.count()
    imports.import_run(batch_id=batch.pk)
    imports.import_validate(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and Event.objects.count() == events
    assert Enterprise.objects.filter(credit_code=code_for(1)).count() == 1
    response = client.post(reverse("enterprises:import_confirm", args=[batch.pk]), follow=True)
    assert "不在等待确认" in response.content.decode()


def test_data_changed_after_the_preview_is_checked_again_and_nothing_is_imported(client, lookups):
    zone = lookups
    upload(client, zone.admin, xlsx([row(1), row(2)]))
    batch = ImportBatch.objects.get()
    IndustryChain.objects.filter(name="新材料").update(name="新材料（改名）")
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID and {e["row"] for e in batch.errors} == {2, 3}
    assert not Enterprise.objects.filter(name__startswith="导入企业").exists()


def test_a_failing_assignment_rolls_back_every_row(client, lookups, monkeypatch):
    """The assignment service refuses (say a steward left between the check and the import): the
    rows already written are rolled back and the batch names the row."""
    from django.core.exceptions import ValidationError

    from stewards import services as steward_services

    zone = lookups
    upload(client, zone.admin, xlsx([row(1), row(2, steward=zone.steward_a.phone)]))
    batch = ImportBatch.objects.get()

    def refuse(**kwargs):
        raise ValidationError("该管家已离岗")

    monkeypatch.setattr(steward_services, "steward_assign", refuse)
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [{"row": 3, "column": "服务管家", "message": "该管家已离岗"}]
    assert not Enterprise.objects.filter(name__startswith="导入企业").exists()
    assert not Event.objects.filter(kind="enterprise.imported").exists()


def test_progress_partial_polls_while_running_and_reloads_when_done(client, lookups):
    zone = lookups
    batch = ImportBatch.objects.create(kind="enterprises", file="imports/x.xlsx", file_name="x.xlsx",
                                       created_by=zone.admin, status=ImportBatch.Status.VALIDATING, total=1000,
                                       progress=250)
    client.force_login(zone.admin)
    url = reverse("enterprises:import_progress", args=[batch.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "25%" in body and "HX-Refresh" not in response.headers
    page = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    batch.status, batch.progress = ImportBatch.Status.VALID, 1000
    batch.save(update_fields=["status", "progress"])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true" and "every 1s" not in response.content.decode()


def test_the_enterprise_list_links_to_the_import_for_admins_only(client, lookups):
    client.force_login(lookups.admin)
    assert reverse("enterprises:import") in client.get(reverse("enterprises:list")).content.decode()
    client.force_login(lookups.leader)
    assert reverse("enterprises:import") not in client.get(reverse("enterprises:list")).content.decode()


def test_history_lists_the_imports(client, lookups):
    zone = lookups
    upload(client, zone.admin, xlsx([row(1)], name="我的企业表.xlsx"))
    page = client.get(reverse("enterprises:import")).content.decode()
    assert "我的企业表.xlsx" in page


def test_uploaded_files_stay_under_media_imports(client, lookups, settings):
    upload(client, lookups.admin, xlsx([row(1)]))
    batch = ImportBatch.objects.get()
    assert batch.file.name.startswith("imports/") and batch.file.path.startswith(str(settings.MEDIA_ROOT))


def test_a_steward_the_enterprise_rated_unsatisfied_cannot_come_back_by_import(client, lookups):
    """Rule 4's bar (stewards' AssignmentBar, raised by evaluations when a campaign closes) is
    asked of the assignment check for the rows it concerns."""
    from zonehub.workdays import local_date

    zone = lookups
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_a.phone)]))
    client.post(reverse("enterprises:import_confirm", args=[ImportBatch.objects.get().pk]))
    enterprise = Enterprise.objects.get(credit_code=code_for(1))
    year = local_date(timezone.now()).year
    AssignmentBar.objects.create(steward=zone.steward_b, enterprise=enterprise, year=year, reason="不上门",
                                 source="test:rating")
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_b.phone)]))
    batch = ImportBatch.objects.latest("id")
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["row"] == 2 and batch.errors[0]["column"] == "服务管家"
    assert "不满意" in batch.errors[0]["message"]

    # A leader lifts the bar: the same sheet now puts the steward back, and the import does it.
    AssignmentBar.objects.update(lifted_at=timezone.now(), lifted_by=zone.leader, lift_reason="领导同意")
    upload(client, zone.admin, xlsx([row(1, steward=zone.steward_b.phone)]))
    batch = ImportBatch.objects.latest("id")
    assert (batch.status, batch.to_update) == (ImportBatch.Status.VALID, 1)
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert StewardAssignment.objects.active().get(enterprise=enterprise).steward == zone.steward_b


def test_a_stored_file_that_disappeared_fails_with_a_message(client, lookups):
    zone = lookups
    upload(client, zone.admin, xlsx([row(1)]))
    batch = ImportBatch.objects.get()
    batch.file.storage.delete(batch.file.name)
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "重新上传" in batch.message
    page = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert "重新上传" in page


def test_a_batch_whose_task_was_lost_can_be_started_again(client, lookups, settings,
                                                          django_capture_on_commit_callbacks, monkeypatch):
    """enqueue_on_commit swallows a broker outage; the page then offers to send the task again."""
    import datetime as dt

    import time_machine

    from enterprises import tasks

    zone = lookups
    settings.ZONEHUB_IMPORT_SYNC_ROWS = 1
    monkeypatch.setattr(tasks.import_validate_task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OSError))
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, zone.admin, xlsx([row(1), row(2)]))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.UPLOADED
    detail = reverse("enterprises:import_detail", args=[batch.pk])
    assert 'data-testid="import-resume"' not in client.get(detail).content.decode()
    response = client.post(reverse("enterprises:import_resume", args=[batch.pk]), follow=True)
    assert "没有停滞" in response.content.decode()
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        assert 'data-testid="import-resume"' in client.get(detail).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("enterprises:import_resume", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALID and batch.to_create == 2


def test_writing_a_thousand_new_enterprises_takes_a_bounded_number_of_queries(lookups, django_assert_max_num_queries):
    """Rows without a steward change are written in bulk: the cost does not grow with the rows."""
    zone = lookups
    rows = [(i + 2, dict(zip(KEYS, row(i), strict=True))) for i in range(1000)]
    result = SHEET.check(rows)
    batch = ImportBatch.objects.create(kind="enterprises", file="imports/x.xlsx", file_name="x.xlsx",
                                       created_by=zone.admin)
    with django_assert_max_num_queries(40):
        SHEET.apply(result, actor=zone.admin, batch=batch)
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 1000
    assert Enterprise.tags.through.objects.filter(enterprise__name__startswith="导入企业").count() == 2000
    assert Event.objects.filter(kind="enterprise.imported").count() == 1000


def test_the_admin_home_links_to_the_import(client, lookups):
    client.force_login(lookups.admin)
    assert reverse("enterprises:import") in client.get(reverse("home")).content.decode()
    client.force_login(lookups.leader)
    assert reverse("enterprises:import") not in client.get(reverse("home")).content.decode()
