"""The product's own 403, 404 and 500 pages: in Chinese, with the menu and a way back."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from zonehub import views


@pytest.fixture
def zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.mark.django_db
def test_an_enterprise_opening_a_staff_page_gets_the_chinese_403_page_with_its_menu(client, zone, zh):
    client.force_login(zone.ent_user_a)
    response = client.get("/enterprises/", HTTP_REFERER="http://testserver/requests/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="error-403"' in page and "无权访问" in page
    assert "返回首页" in page and 'href="http://testserver/requests/"' in page  # the way back
    assert "/requests/" in page  # the menu is there
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_a_missing_page_is_the_chinese_404_page_and_never_links_back_outside(client, zone, zh):
    client.force_login(zone.leader)
    response = client.get("/requests/999999/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="error-404"' in page and "页面不存在" in page
    assert "evil.example" not in page


@pytest.mark.django_db
def test_the_500_page_keeps_its_menu_and_falls_back_to_plain_text_when_even_that_fails(zone, monkeypatch):
    request = RequestFactory().get("/")
    request.user = zone.leader
    with translation.override("zh-hans"):
        response = views.server_error(request)
    assert response.status_code == 500 and "出错了" in response.content.decode()

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(views, "render", broken)
    response = views.server_error(request)
    assert response.status_code == 500 and "返回首页" in response.content.decode()
