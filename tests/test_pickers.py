"""Issue 13, item 9: a picker of more than 50 choices searches as you type (an <input list> over
the choices the form may offer), and a steward is shown with its unit, so two stewards named alike
can be told apart."""

import re

import pytest
from django.urls import reverse

from evaluations.forms import OverrideForm
from projects.forms import ProjectStewardForm
from stewards.forms import AssignStewardForm, LedgerItemForm
from stewards.models import LedgerItem
from tests.factories import EnterpriseFactory, StewardFactory, UserFactory, WorkstationFactory
from zonehub.forms import PICKER_LIMIT
from zonehub.models import Role

pytestmark = pytest.mark.django_db


def picker(html, name):
    """(tag, options) of the picker called ``name``: "select" or "input" and the option texts."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        return "select", re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))
    field = next((tag for tag in re.findall(r"<input[^>]*>", html) if f'name="{name}"' in tag), None)
    assert field, f"no picker {name}"
    list_id = re.search(r'list="([^"]+)"', field).group(1)
    datalist = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', html, re.S).group(1)
    return "input", re.findall(r'<option value="([^"]*)"', datalist)


def test_the_complaint_meeting_form_searches_153_enterprises_as_you_type(client, zone):
    for i in range(151):
        EnterpriseFactory(workstation=zone.ws_a, name=f"园区企业{i:03d}")
    client.force_login(zone.leader)
    html = client.get(reverse("stewards:ledger_create")).content.decode()
    tag, options = picker(html, "enterprise")
    assert tag == "input" and len(options) == 153 and "园区企业042" in options
    assert 'data-picker="search"' in html

    response = client.post(reverse("stewards:ledger_create"), {
        "enterprise": "园区企业042", "meeting_date": "2026-11-20", "category": "other",
        "title": "路灯不亮", "description": "园区北路路灯不亮。"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert LedgerItem.objects.get(title="路灯不亮").enterprise.name == "园区企业042"

    # A name that is no choice is the form's error, nothing saved, no 500.
    response = client.post(reverse("stewards:ledger_create"), {
        "enterprise": "不存在的企业", "meeting_date": "2026-11-20", "category": "other",
        "title": "另一条", "description": "说明"})
    assert response.status_code == 200 and not LedgerItem.objects.filter(title="另一条").exists()
    assert 'value="不存在的企业"' in response.content.decode()


def test_few_choices_stay_a_select(zone):
    form = LedgerItemForm(user=zone.leader)
    tag, options = picker(str(form["enterprise"]), "enterprise")
    assert tag == "select" and len(options) <= PICKER_LIMIT + 1


def test_stewards_named_alike_are_told_apart_by_their_unit(zone):
    east, west = WorkstationFactory(name="东区工作站"), WorkstationFactory(name="西区工作站")
    a = StewardFactory(user=UserFactory(role=Role.STEWARD, name="萧刚", workstation=east))
    b = StewardFactory(user=UserFactory(role=Role.STEWARD, name="萧刚", workstation=west))
    _tag, options = picker(str(AssignStewardForm(user=zone.leader)["steward"]), "steward")
    assert "萧刚（东区工作站）" in options and "萧刚（西区工作站）" in options
    _tag, options = picker(str(ProjectStewardForm(user=zone.leader)["steward"]), "steward")
    assert "萧刚（东区工作站）" in options
    assert a.pk != b.pk


def test_allow_back_over_50_stewards_searches_and_reads_the_chosen_name(zone):
    east = WorkstationFactory(name="东区工作站")
    for i in range(PICKER_LIMIT):
        StewardFactory(user=UserFactory(role=Role.STEWARD, name=f"管家{i:02d}", workstation=east))
    chosen = StewardFactory(user=UserFactory(role=Role.STEWARD, name="萧刚", workstation=east))
    twin = StewardFactory(user=UserFactory(role=Role.STEWARD, name="萧刚", workstation=east))
    tag, options = picker(str(OverrideForm(user=zone.leader)["steward"]), "steward")
    assert tag == "input"
    # Same name, same unit: the number tells them apart.
    assert f"萧刚（东区工作站） #{chosen.pk}" in options and f"萧刚（东区工作站） #{twin.pk}" in options

    form = OverrideForm({"steward": f"萧刚（东区工作站） #{chosen.pk}", "reason": "复核后准许"}, user=zone.leader)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["steward"] == chosen
    form = OverrideForm({"steward": "管家07（东区工作站）", "reason": "复核后准许"}, user=zone.leader)
    assert form.is_valid() and form.cleaned_data["steward"].name == "管家07"


def test_a_picker_offers_only_what_the_user_may_choose(zone):
    for i in range(PICKER_LIMIT + 5):
        EnterpriseFactory(workstation=zone.ws_b, name=f"乙站企业{i:03d}")
    # A steward of workstation A sees its own enterprise only: a select of one.
    from stewards.forms import VisitForm

    tag, options = picker(str(VisitForm(user=zone.steward_a.user)["enterprise"]), "enterprise")
    assert tag == "select" and not any(o.startswith("乙站企业") for o in options)
    # A name it may not choose, typed in, is refused.
    form = VisitForm({"enterprise": "乙站企业001", "visited_on": "2026-11-20"}, user=zone.steward_a.user)
    assert not form.is_valid() and "enterprise" in form.errors
