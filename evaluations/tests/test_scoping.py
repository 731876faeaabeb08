"""Who sees what, by URL and by API, and pinned query counts on every list."""

import datetime as dt

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from stewards.models import StewardAssignment
from stewards.services import steward_assign
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def history(in_campaign, zone):
    """Three closed campaigns and the open one; in each, both enterprises rated their steward,
    ent_a unsatisfied in the closed ones (so each closed campaign has a case in workstation A
    and, for ent_b in 2025, one in workstation B)."""
    campaigns = []
    for year, half in [(2024, "H2"), (2025, "H1"), (2025, "H2")]:
        c = Campaign.objects.create(year=year, half=half, opened_at=at(year, 6, 1), closes_at=at(year, 6, 20))
        campaigns.append(c)
        Rating.objects.create(campaign=c, enterprise=zone.ent_a, steward=zone.steward_a, value="unsatisfied",
                              reason="慢", rated_by=zone.ent_user_a)
        Rating.objects.create(campaign=c, enterprise=zone.ent_b, steward=zone.steward_b,
                              value="unsatisfied" if year == 2025 else "satisfied",
                              reason="慢" if year == 2025 else "", rated_by=zone.ent_user_b)
        services.campaign_close(campaign=c, actor=zone.leader)
    # Each close took the steward rated unsatisfied off (the head served in the meantime); a year
    # later the bars are over and the same stewards serve again.
    for enterprise, steward, head in ((zone.ent_a, zone.steward_a, zone.head_a), (zone.ent_b, zone.steward_b,
                                                                                  zone.head_b)):
        if StewardAssignment.objects.active().get(enterprise=enterprise).steward_id != steward.pk:
            steward_assign(enterprise=enterprise, steward=steward, actor=head)
    open_campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=open_campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="仍然很慢", actor=zone.ent_user_a)
    services.rating_create(campaign=open_campaign, enterprise=zone.ent_b, steward=zone.steward_b,
                           value="satisfied", actor=zone.ent_user_b)
    return {"closed": campaigns, "open": open_campaign}


def ids(response):
    data = response.json()
    return sorted(row["id"] for row in (data["results"] if isinstance(data, dict) else data))


# --- ratings -------------------------------------------------------------------------------------

def test_enterprise_sees_only_its_own_ratings(client, zone, history, django_assert_max_num_queries):
    client.force_login(zone.ent_user_a)
    with django_assert_max_num_queries(6):
        response = client.get("/api/ratings/")
    assert ids(response) == sorted(Rating.objects.filter(enterprise=zone.ent_a).values_list("pk", flat=True))
    other = Rating.objects.filter(enterprise=zone.ent_b).first()
    assert client.get(f"/api/ratings/{other.pk}/").status_code == 404
    assert client.patch(f"/api/ratings/{other.pk}/", {"value": "unsatisfied", "reason": "x"},
                        content_type="application/json").status_code == 404
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evaluations:campaign_list")).content.decode()
    assert "仍然很慢" in page and zone.ent_b.name not in page


def test_steward_never_sees_individual_ratings_of_an_open_campaign(client, zone, history):
    client.force_login(zone.steward_a.user)
    seen = ids(client.get("/api/ratings/"))
    assert seen == sorted(Rating.objects.filter(steward=zone.steward_a, campaign__status="closed")
                          .values_list("pk", flat=True))
    open_rating = Rating.objects.get(campaign=history["open"], steward=zone.steward_a)
    assert client.get(f"/api/ratings/{open_rating.pk}/").status_code == 404
    assert client.get(f"/api/ratings/?campaign={history['open'].pk}").json()["count"] == 0
    page = client.get(reverse("evaluations:campaign_detail", args=[history["open"].pk])).content.decode()
    assert "仍然很慢" not in page and zone.ent_a.name not in page
    assert client.get(f"/api/campaigns/{history['open'].pk}/results/").status_code == 403
    # The campaign list shows no counts of an open campaign to a steward.
    listing = client.get(reverse("evaluations:campaign_list"))
    row = [c for c in listing.context["campaigns"] if c.pk == history["open"].pk][0]
    assert row.is_open and "—" in listing.content.decode()


def test_steward_sees_its_own_ratings_once_closed_not_others(client, zone, history):
    client.force_login(zone.steward_b.user)
    seen = ids(client.get("/api/ratings/"))
    assert seen and set(Rating.objects.filter(pk__in=seen).values_list("steward", flat=True)) == {zone.steward_b.pk}


def test_head_sees_its_workstations_ratings_and_cases(client, zone, history, django_assert_max_num_queries):
    client.force_login(zone.head_a)
    with django_assert_max_num_queries(6):
        response = client.get("/api/replacement-cases/")
    mine = sorted(ReplacementCase.objects.filter(workstation=zone.ws_a).values_list("pk", flat=True))
    assert ids(response) == mine and len(mine) == 3
    other = ReplacementCase.objects.filter(workstation=zone.ws_b).first()
    assert client.get(f"/api/replacement-cases/{other.pk}/").status_code == 404
    assert client.get(reverse("evaluations:case_detail", args=[other.pk])).status_code == 404
    with django_assert_max_num_queries(8):
        page = client.get(reverse("evaluations:case_list"))
    assert len(list(page.context["cases"])) == 3
    assert client.post(f"/api/replacement-cases/{other.pk}/name/", {"steward": zone.steward_a.pk},
                       content_type="application/json").status_code == 404


def test_leader_lists_with_pinned_queries(client, zone, history, django_assert_max_num_queries):
    client.force_login(zone.leader)
    with django_assert_max_num_queries(6):
        assert len(ids(client.get("/api/ratings/"))) == 8
    with django_assert_max_num_queries(6):
        assert len(ids(client.get("/api/replacement-cases/"))) == 5
    with django_assert_max_num_queries(6):
        assert len(ids(client.get("/api/campaigns/"))) == 4
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluations:campaign_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluations:case_list")).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("evaluations:campaign_detail", args=[history["closed"][1].pk]))
    results = response.context["results"]
    assert (results.satisfied, results.unsatisfied, results.rated_enterprises) == (0, 2, 2)
    export = client.get(reverse("evaluations:campaign_export", args=[history["closed"][1].pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_has_chinese_headers(client, zone, history):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(zone.leader)
    content = b"".join(client.get(reverse("evaluations:campaign_export", args=[history["closed"][1].pk])).streaming_content)
    wb = load_workbook(BytesIO(content))
    headers = [c.value for c in next(wb.worksheets[3].iter_rows(max_row=1))]
    assert headers[:3] == ["企业", "服务管家", "原因"]
    assert wb.worksheets[3].max_row == 3  # two unsatisfied ratings


def test_enterprises_and_departments_cannot_read_results_or_export(client, zone, history):
    for user in (zone.ent_user_a, zone.dept_user_a, zone.steward_a.user):
        client.force_login(user)
        assert client.get(reverse("evaluations:campaign_export", args=[history["open"].pk])).status_code == 403
        assert client.get(f"/api/campaigns/{history['open'].pk}/results/").status_code == 403


# --- department grades -------------------------------------------------------------------------

@pytest.fixture
def grades(zone):
    rows = {}
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
        for dept, score, grade in [(zone.dept_a, "91.0", "A"), (zone.dept_b, "72.5", "C")]:
            rows[(dept.pk, month)] = DepartmentMonthlyGrade.objects.create(
                department=dept, month=month, score=score, grade=grade, detail={"late": [], "overdue": [],
                                                                                "returned": []})
    return rows


def test_department_sees_the_ranking_but_only_its_own_detail(client, zone, grades, django_assert_max_num_queries):
    client.force_login(zone.dept_user_a)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("evaluations:grade_list") + "?month=2026-10")
    rows = page.context["rows"]
    assert [r.grade.department for r in rows] == [zone.dept_a, zone.dept_b]
    assert [r.detail_visible for r in rows] == [True, False]
    mine, theirs = grades[(zone.dept_a.pk, dt.date(2026, 10, 1))], grades[(zone.dept_b.pk, dt.date(2026, 10, 1))]
    assert client.get(reverse("evaluations:grade_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluations:grade_detail", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/grades/{mine.pk}/").status_code == 200
    assert client.get(f"/api/grades/{theirs.pk}/").status_code == 404
    with django_assert_max_num_queries(6):
        assert len(ids(client.get("/api/grades/"))) == 4


def test_leader_reads_every_detail_and_enterprises_nothing(client, zone, grades):
    theirs = grades[(zone.dept_b.pk, dt.date(2026, 10, 1))]
    client.force_login(zone.leader)
    assert client.get(reverse("evaluations:grade_detail", args=[theirs.pk])).status_code == 200
    assert client.get("/api/grades/ranking/?month=2026-10").json()[0]["department"] == zone.dept_a.pk
    client.force_login(zone.ent_user_a)
    assert client.get(reverse("evaluations:grade_list")).status_code == 403
    assert client.get("/api/grades/").json()["count"] == 0


def test_home_panels_per_role(client, zone, history):
    client.force_login(zone.steward_a.user)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="steward-ratings"' in home and "仍然很慢" not in home
    client.force_login(zone.leader)
    assert 'data-testid="ratings-panel"' in client.get(reverse("home")).content.decode()
    client.force_login(zone.ent_user_b)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="rate-prompt"' in home and zone.steward_a.name not in home


def test_head_participation_counts_its_own_workstation(client, zone, history):
    client.force_login(zone.head_a)
    results = client.get(f"/api/campaigns/{history['closed'][1].pk}/results/").json()
    assert (results["expected"], results["rated_enterprises"], results["unsatisfied"]) == (1, 1, 1)
