"""The policy office's sheet: template, upload, a preview that names every problem (nothing
imported), confirm (all rows or none), the same sheet again changes nothing; the catalogue's
export imports back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.models import ImportBatch
from policies.imports import POLICY_COLUMNS
from policies.models import Policy

pytestmark = pytest.mark.django_db

ROW = {"title": "专精特新“小巨人”企业奖励", "issuer": "市工业和信息化局", "document_number": "市工信〔2026〕15号",
       "level": "市级", "kind": "资金补贴/奖励", "summary": "对新认定的国家级专精特新“小巨人”企业给予一次性奖励。",
       "benefit_type": "定额", "benefit_amount": "500000", "opens_on": "2026-11-01", "closes_on": "2026-12-31",
       "department": "科技创新局", "tags_all": "专精特新", "tags_any": "", "industries": "新材料", "size": "是",
       "min_revenue": "5000"}


def sheet(rows) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append([header for _key, header, _required in POLICY_COLUMNS])
    for row in rows:
        ws.append([row.get(key, "") for key, _header, _required in POLICY_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("政策目录.xlsx", buffer.getvalue())


def upload(client, rows):
    response = client.post(reverse("policies:import"), {"file": sheet(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_the_template_lists_what_the_columns_take(client, policy_zone):
    client.force_login(policy_zone.admin)
    response = client.get(reverse("enterprises:import_template", args=["policies"]))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["政策名称", "发文机关", "文号"]
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True)]
    assert "专精特新" in notes and "市级" in notes


def test_preview_names_every_problem_then_confirm_imports_drafts(client, policy_zone):
    z = policy_zone
    client.force_login(z.admin)
    bad = dict(ROW, level="县级", closes_on="2026-10-01", tags_all="专精特新、不存在的标签")
    batch = upload(client, [bad])
    assert batch.status == ImportBatch.Status.INVALID
    columns = {e["column"] for e in batch.errors}
    assert {"层级", "申报截止", "须全部具备的标签"} <= columns
    assert not Policy.objects.filter(title=ROW["title"]).exists()
    batch = upload(client, [ROW, dict(ROW, title="研发费用加计扣除", document_number="", kind="税收减免",
                                      benefit_type="按比例", benefit_amount="", benefit_rate="100", tags_all="高新技术企业")])
    assert batch.status == ImportBatch.Status.VALID and batch.to_create == 2
    preview = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert ROW["title"] in preview and "研发费用加计扣除" in preview  # the machinery's own preview page
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    policy = Policy.objects.get(document_number="市工信〔2026〕15号")
    assert (policy.status, policy.level, policy.above_designated_size, policy.department) == (
        Policy.Status.DRAFT, "municipal", True, z.handler)
    assert [t.name for t in policy.tags_all.all()] == ["专精特新"] and policy.min_revenue == 5000
    again = upload(client, [ROW])
    assert (again.to_create, again.to_update, again.unchanged_count) == (0, 0, 1)
    changed = upload(client, [dict(ROW, benefit_amount="600000")])
    assert changed.to_update == 1


def test_the_exported_catalogue_imports_back_unchanged(client, policy_zone):
    z = policy_zone
    client.force_login(z.admin)
    response = client.get(reverse("policies:list") + "?format=xlsx")
    upload_file = SimpleUploadedFile("导出.xlsx", b"".join(response.streaming_content))
    response = client.post(reverse("policies:import"), {"file": upload_file})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.VALID, batch.errors
    assert (batch.to_create, batch.to_update, batch.unchanged_count) == (0, 0, 1)


def test_only_administrators_import(client, policy_zone):
    client.force_login(policy_zone.leader)
    assert client.get(reverse("policies:import")).status_code == 403
