"""Chinese unless the user chooses otherwise (issue 13, item 11), and no English left on a Chinese
page: not in a sort menu, not in the language switch, not in the admin's sidebar; a menu item is
called what its page is called, and the rating deadline reads the same everywhere."""

from __future__ import annotations

import datetime as dt
import html
import re

import django_filters
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from evaluations import services as evaluation_services
from tests.factories import UserFactory
from zonehub.models import Notification, Role
from zonehub.workdays import SHANGHAI, local_date

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "pw"}, **ENGLISH_BROWSER)
    assert response.status_code == 302, "the login failed"


# --- the language -----------------------------------------------------------------------------


def test_an_english_browser_still_gets_chinese(client, zone):
    login = _page(client.get(reverse("login"), **ENGLISH_BROWSER))
    assert '<html lang="zh-hans">' in login and "登录" in login
    _log_in(client, zone.leader)
    home = _page(client.get(reverse("home"), **ENGLISH_BROWSER))
    assert "退出" in home and "Log out" not in home


def test_the_chosen_language_is_kept_across_logging_out_and_in(client, zone):
    _log_in(client, zone.leader)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 180 * 24 * 3600  # not a session cookie
    assert "Log out" in _page(client.get(reverse("home"), **ENGLISH_BROWSER))

    client.post(reverse("logout"))
    login = _page(client.get(reverse("login")))
    assert '<html lang="en">' in login and "Log in" in login
    _log_in(client, zone.leader)
    assert "Log out" in _page(client.get(reverse("home")))

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "退出" in _page(client.get(reverse("home"), **ENGLISH_BROWSER))


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client, zone):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-hans">' in _page(client.get(reverse("login"), **ENGLISH_BROWSER))


def test_the_language_switch_reads_in_chinese_and_names_each_language_in_its_own(client, zone):
    _log_in(client, zone.leader)
    page = _page(client.get(reverse("home")))
    switch = re.search(r'<form[^>]*data-testid="language-switch".*?</form>', page, re.S).group(0)
    assert 'aria-label="语言"' in switch
    options = [html.unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", switch)]
    assert options == ["简体中文", "English"]
    assert ">切换<" in switch  # the button shown without JavaScript


# --- English left on Chinese pages ------------------------------------------------------------


def test_the_enterprise_list_sorts_by_industry_in_chinese(client, zone):
    _log_in(client, zone.leader)
    page = _page(client.get(reverse("enterprises:list")))
    sort = re.search(r'<select name="o".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="industry">\s*主导产业\s*</option>', sort)
    assert "Industry" not in sort


def _filtersets():
    seen, todo = [], list(django_filters.FilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in {"zonehub", "enterprises", "stewards", "projects", "evaluations", "portal"}:
            seen.append(cls)
    return seen


def test_every_sort_menu_is_in_chinese():
    """Every choice of every list's sort menu, as it is shown in Chinese: no Latin letters."""
    english = []
    with translation.override("zh-hans"):
        for filterset in _filtersets():
            for name, f in filterset.base_filters.items():
                if isinstance(f, django_filters.OrderingFilter):
                    english += [f"{filterset.__name__}.{name}: {value} → {label}"
                                for value, label in f.extra["choices"] if re.search(r"[A-Za-z]", str(label))]
    assert _filtersets(), "no filter set found"
    assert english == []


def test_the_admin_names_the_login_records_in_chinese(client):
    """django-axes names its app "Axes" and its models in English: the security administrator,
    who reads them, sees them in Chinese."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="zhangsan", ip_address="10.0.0.8", user_agent="Mozilla/5.0",
                                 http_accept="*/*", path_info="/accounts/login/", get_data="", post_data="",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    client.force_login(UserFactory(role=Role.SECURITY_ADMIN, is_staff=True))
    page = _page(client.get(reverse("admin:index")))
    for name in ("登录安全", "登录锁定", "登录失败记录", "登录日志"):
        assert name in page, name
    assert "Axes" not in page and "Access attempts" not in page and "Access failures" not in page
    changelist = _page(client.get(reverse("admin:axes_accessattempt_changelist")))
    for column in ("尝试时间", "IP 地址", "浏览器标识", "失败次数", "状态", "已锁定"):
        assert column in changelist, column
    assert "User Agent" not in changelist and "Status" not in changelist and "Locked Out" not in changelist


# --- a menu item and its page agree -----------------------------------------------------------


def _h1(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def _menu_label(page: str, url: str) -> str:
    return html.unescape(re.search(rf'<a class="nav-link[^"]*"[^>]*href="{re.escape(url)}">([^<]*)</a>', page).group(1))


@pytest.mark.parametrize("who", ["ent_user_a", "steward", "leader", "dept_user_a", "head_a"])
def test_the_rating_menu_item_is_called_what_its_page_is_called(client, zone, who):
    user = zone.steward_a.user if who == "steward" else getattr(zone, who)
    client.force_login(user)
    url = reverse("evaluations:campaign_list")
    page = _page(client.get(url))
    assert _menu_label(page, url) == _h1(page)
    assert _h1(page) == ("评价我的管家" if user.role == Role.ENTERPRISE else "满意度评价")


# --- the rating deadline ----------------------------------------------------------------------


def test_the_rating_deadline_reads_the_same_everywhere(client, zone):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        campaign = evaluation_services.campaign_open(year=2026, half="H2", actor=zone.leader)
        last = local_date(campaign.closes_at) - dt.timedelta(days=1)
        deadline = f"{last.year}年{last.month}月{last.day}日（含）"
        day_after = f"{campaign.closes_at.astimezone(SHANGHAI).day}日 00:00"

        client.force_login(zone.ent_user_a)
        for url in (reverse("home"), reverse("evaluations:campaign_list")):
            page = _page(client.get(url))
            assert deadline in page, url
        title = Notification.objects.get(recipient=zone.ent_user_a, kind="campaign.opened").title
        assert deadline in title

        client.force_login(zone.leader)
        for url in (reverse("evaluations:campaign_list"), reverse("evaluations:campaign_detail", args=[campaign.pk])):
            page = _page(client.get(url))
            assert deadline in page and day_after not in page, url
