import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprises.models import Enterprise
from enterprises.validators import validate_credit_code
from tests.factories import EnterpriseFactory


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
