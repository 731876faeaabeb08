import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.validators import validate_credit_code
from stewards.models import StewardAssignment
from stewards.services import steward_assign
from tests.factories import EnterpriseFactory, StewardFactory


@pytest.mark.parametrize("code", ["91350100M000100Y43", "911100007109250324", " 91350100m000100y43 "])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code,fragment",
    [
        ("91350100M000100Y4", "18"),
        ("91350100M000100Y44", "校验位"),
        ("91350100MO00100Y43", "O"),
        ("", "18"),
    ],
)
def test_wrong_credit_codes_get_a_clear_message(code, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert fragment in " ".join(exc.value.messages)


def test_wrong_credit_code_message_is_in_chinese(settings):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert "校验" in exc.value.messages[0]


@pytest.mark.django_db
def test_admin_form_refuses_a_wrong_code_and_saves_nothing(zone, client):
    client.force_login(zone.admin)
    before = Enterprise.objects.count()
    response = client.post(reverse("admin:enterprises_enterprise_add"), {
        "name": "错误代码公司", "credit_code": "91350100M000100Y44", "industry": zone.ent_a.industry_id,
        "park": zone.ent_a.park_id, "ownership": "private",
        "contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0,
        "indicators-TOTAL_FORMS": 0, "indicators-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "校验位" in response.content.decode() or "check character" in response.content.decode()
    assert Enterprise.objects.count() == before


@pytest.mark.django_db
def test_database_refuses_a_second_active_steward(zone):
    with pytest.raises(IntegrityError), transaction.atomic():
        StewardAssignment.objects.create(enterprise=zone.ent_a, steward=zone.steward_b)
    assert StewardAssignment.objects.active().filter(enterprise=zone.ent_a).count() == 1


@pytest.mark.django_db
def test_admin_form_refuses_a_second_active_steward_with_a_message(zone, client):
    client.force_login(zone.admin)
    response = client.post(reverse("admin:stewards_stewardassignment_add"), {
        "enterprise": zone.ent_a.pk, "steward": zone.steward_b.pk,
        "started_at_0": "2026-11-01", "started_at_1": "09:00",
    })
    assert response.status_code == 200
    assert "active steward" in response.content.decode() or "在岗" in response.content.decode()
    assert StewardAssignment.objects.filter(enterprise=zone.ent_a).count() == 1


@pytest.mark.django_db
def test_assigning_a_steward_ends_the_old_assignment_with_history(zone, django_capture_on_commit_callbacks):
    new = StewardFactory(user__workstation=zone.ws_a)
    with django_capture_on_commit_callbacks(execute=True):
        steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a, note="调整分工")
    rows = list(StewardAssignment.objects.filter(enterprise=zone.ent_a).order_by("started_at"))
    assert [r.steward for r in rows] == [zone.steward_a, new]
    assert rows[0].ended_at is not None and rows[0].end_reason == "reassigned"
    assert rows[1].ended_at is None
    # The enterprise is told who its new steward is.
    assert zone.ent_user_a.notifications.filter(kind="steward.assigned").exists()


@pytest.mark.django_db
def test_another_workstations_head_cannot_assign(zone):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        steward_assign(enterprise=zone.ent_a, steward=zone.steward_b, actor=zone.head_b)
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == zone.steward_a


@pytest.mark.django_db
def test_assign_page_changes_the_steward(zone, client):
    new = StewardFactory(user__workstation=zone.ws_a)
    client.force_login(zone.head_a)
    response = client.post(reverse("enterprises:assign", args=[zone.ent_a.pk]), {"steward": new.pk, "note": "x"})
    assert response.status_code == 302
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == new
    # A steward of another workstation is not offered.
    response = client.post(reverse("enterprises:assign", args=[zone.ent_a.pk]), {"steward": zone.steward_b.pk})
    assert response.status_code == 200
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == new


@pytest.mark.django_db
def test_uncovered_page_lists_enterprises_without_steward(zone, client):
    lonely = EnterpriseFactory(workstation=zone.ws_a)
    other = EnterpriseFactory(workstation=zone.ws_b)
    client.force_login(zone.head_a)
    page = client.get(reverse("enterprises:uncovered")).content.decode()
    assert lonely.name in page
    assert zone.ent_a.name not in page  # covered
    assert other.name not in page  # another workstation's
    client.force_login(zone.leader)
    page = client.get(reverse("enterprises:uncovered")).content.decode()
    assert lonely.name in page and other.name in page


@pytest.mark.django_db
def test_enterprise_list_query_count_is_flat(zone, client, django_assert_max_num_queries):
    for _ in range(30):
        EnterpriseFactory(workstation=zone.ws_a, steward=zone.steward_a)
    client.force_login(zone.leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("enterprises:list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("enterprise-list")).status_code == 200
