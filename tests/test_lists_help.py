"""Help where it is needed (issue 6, item 6): every page says in one line what it is for, empty
lists say what to do next, and form errors say how to fix them, in Chinese."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Pages that are not full pages of their own, or bring their own explanation.
NOT_PAGES = {"base.html", "registration/login.html", "registration/login_phone.html"}


def test_every_page_template_has_its_one_line_help():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        if name in NOT_PAGES or not re.search(r'{% extends "(base|stewards/form_page)\.html" %}', text):
            continue
        if name != "stewards/form_page.html" and text.startswith('{% extends "stewards/form_page.html"'):
            continue  # the form page shows each view's help_text
        if not re.search(r"{% block help %}\s*\S", text):
            missing.append(name)
    assert missing == []


def test_empty_lists_say_what_to_do_next(client, zone):
    client.force_login(zone.leader)
    page = client.get(reverse("projects:project_list")).content.decode()
    assert "新建项目" in page
    page = client.get(reverse("stewards:escalation_list")).content.decode()
    assert "暂无吹哨事项" in page


def test_a_form_error_says_how_to_fix_it_in_chinese(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {"title": "", "description": ""})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "该字段是必填项" in page and "This field is required" not in page
