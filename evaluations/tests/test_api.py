"""The same story through the API, and the schema."""

import pytest

from evaluations.models import ReplacementCase
from tests.factories import StewardFactory

pytestmark = pytest.mark.django_db


def test_story_through_the_api(client, in_campaign, zone):
    client.force_login(zone.leader)
    response = client.post("/api/campaigns/open/", {"year": 2026, "half": "H1"}, content_type="application/json")
    assert response.status_code == 201
    campaign = response.json()["id"]
    assert client.post("/api/campaigns/open/", {"year": 2026, "half": "H1"},
                       content_type="application/json").status_code == 400

    client.force_login(zone.ent_user_a)
    assert client.post("/api/ratings/", {"campaign": campaign, "steward": zone.steward_a.pk, "value": "unsatisfied",
                                         "reason": "进展缓慢"}, content_type="application/json").status_code == 201
    client.force_login(zone.ent_user_b)
    assert client.post("/api/ratings/", {"campaign": campaign, "steward": zone.steward_b.pk, "value": "satisfied"},
                       content_type="application/json").status_code == 201

    client.force_login(zone.steward_a.user)
    assert client.post(f"/api/campaigns/{campaign}/close/").status_code == 403
    client.force_login(zone.leader)
    results = client.get(f"/api/campaigns/{campaign}/results/").json()
    assert (results["satisfied"], results["unsatisfied"], results["participation"]) == (1, 1, 1.0)
    # Before its planned close, a reason is required (400, nothing changed); with it, closed.
    assert client.post(f"/api/campaigns/{campaign}/close/").status_code == 400
    assert client.post(f"/api/campaigns/{campaign}/close/", {"reason": "全部企业已评价"},
                       content_type="application/json").json()["status"] == "closed"

    case = ReplacementCase.objects.get()
    new = StewardFactory(user__workstation=zone.ws_a)
    client.force_login(zone.head_a)
    assert [c["id"] for c in client.get("/api/replacement-cases/").json()["results"]] == [case.pk]
    response = client.post(f"/api/replacement-cases/{case.pk}/name/", {"steward": zone.steward_a.pk},
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/api/replacement-cases/{case.pk}/name/", {"steward": new.pk},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "replaced"

    client.force_login(zone.head_a)
    assert client.post(f"/api/replacement-cases/{case.pk}/review/", {"lack_of_effort": True, "reason": "x"},
                       content_type="application/json").status_code == 403
    client.force_login(zone.leader)
    response = client.post(f"/api/replacement-cases/{case.pk}/review/", {"lack_of_effort": True, "reason": "未跟进"},
                           content_type="application/json")
    assert response.json()["lack_of_effort"] is True
    rows = {r["steward"]: r for r in client.get("/api/appraisals/?year=2026").json()}
    assert rows[zone.steward_a.pk]["eligible"] is False and rows[zone.steward_b.pk]["eligible"] is True
    assert rows[zone.steward_a.pk]["h1_unsatisfied"] == 1


def test_schema_describes_the_evaluations_api(client, zone):
    client.force_login(zone.leader)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/campaigns/", "/api/campaigns/open/", "/api/ratings/", "/api/replacement-cases/{id}/name/",
                 "/api/replacement-cases/{id}/review/", "/api/appraisals/", "/api/grades/", "/api/grades/ranking/"):
        assert path in body, path
