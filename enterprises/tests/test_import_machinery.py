"""The Excel import's machinery knows no kind of sheet: any registered importer goes through the
same upload, check, preview, confirm and all-or-nothing import (the enterprise sheet is stewards',
the project sheet projects')."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.imports import (
    CheckResult,
    Importer,
    RowFailed,
    RowPlan,
    cell_text,
    importer_for,
    register_importer,
    registry,
)
from enterprises.models import EnterpriseTag, ImportBatch
from enterprises.services import imports

KIND = ImportBatch.Kind.ENTERPRISES  # a kind the batch's field knows; the registration is swapped for the test


class TagSheet(Importer):
    """A toy sheet: one tag per row."""

    kind = KIND
    sheet_title = "标签"
    template_filename = "标签.xlsx"
    columns = [("name", "标签名", True), ("fail", "失败", False)]
    column_help = {"name": "必填。", "fail": "可填。"}

    def template_lists(self):
        return [("已有标签", list(EnterpriseTag.objects.values_list("name", flat=True)))]

    def check(self, rows, *, progress=None):
        result = CheckResult()
        for done, (number, raw) in enumerate(rows, start=1):
            name = cell_text(raw.get("name"))
            if not name:
                result.error(number, "标签名", "必填")
            elif EnterpriseTag.objects.filter(name=name).exists():
                result.plans.append(RowPlan(row=number, action="unchanged", label=name))
            else:
                result.plans.append(RowPlan(row=number, action="create", label=name,
                                            values={"fail": cell_text(raw.get("fail"))}))
            if progress:
                progress(done)
        return result

    def apply(self, result, *, actor, batch):
        for plan in result.plans:
            if plan.action == "create":
                EnterpriseTag.objects.create(name=plan.label)
                if plan.values["fail"]:
                    raise RowFailed(plan.row, "失败", ["不行"])


@pytest.fixture
def tag_sheet():
    previous = importer_for(KIND)
    register_importer(TagSheet())
    yield
    registry._IMPORTERS[KIND] = previous


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(["标签名", "失败"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("标签.xlsx", buffer.getvalue())


def test_a_registered_importer_is_checked_previewed_and_applied_on_confirm(client, zone, tag_sheet):
    EnterpriseTag.objects.create(name="已有")
    client.force_login(zone.admin)
    client.post(reverse("enterprises:import"), {"kind": KIND, "file": xlsx([["新标签"], ["已有"]])})
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.to_create, batch.unchanged_count, batch.preview) == (
        ImportBatch.Status.VALID, 1, 1, [[2, "create", "新标签"]])
    assert not EnterpriseTag.objects.filter(name="新标签").exists()
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.unchanged_count) == (ImportBatch.Status.DONE, 1, 1)
    assert EnterpriseTag.objects.filter(name="新标签").exists()


def test_a_row_the_importer_refuses_rolls_every_row_back(zone, tag_sheet):
    batch = imports.import_upload(actor=zone.admin, kind=KIND, file=xlsx([["甲"], ["乙", "是"]]))
    batch = imports.import_confirm(batch=batch, actor=zone.admin)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors == [{"row": 3, "column": "失败", "message": "不行"}]
    assert not EnterpriseTag.objects.filter(name__in=["甲", "乙"]).exists()


def test_the_template_is_the_importers(client, zone, tag_sheet):
    EnterpriseTag.objects.create(name="已有")
    client.force_login(zone.admin)
    response = client.get(reverse("enterprises:import_template", args=[KIND]))
    assert "%E6%A0%87%E7%AD%BE.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0].title == "标签"
    assert [c.value for c in workbook.worksheets[0][1]] == ["标签名", "失败"]
    assert "已有" in [c.value for r in workbook.worksheets[1].iter_rows() for c in r]


def test_a_kind_nobody_registered_is_refused(client, zone):
    client.force_login(zone.admin)
    assert client.get(reverse("enterprises:import_template", args=["nothing"])).status_code == 404
    with pytest.raises(ValidationError):
        imports.import_upload(actor=zone.admin, kind="nothing", file=xlsx([["甲"]]))
    assert not ImportBatch.objects.exists()
