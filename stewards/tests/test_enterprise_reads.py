"""What enterprises reads of stewards' data through reverse relations (stewards builds on
enterprises, so enterprises never imports its models): the current steward on the lists, who a
steward sees, the enterprises without a steward, and the "visited this month" filter."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list, uncovered_enterprise_list
from stewards.models import StewardAssignment, Visit
from stewards.services import steward_assign, steward_unassign
from tests.factories import EnterpriseFactory, StewardFactory
from zonehub.workdays import local_date

pytestmark = pytest.mark.django_db


def test_the_list_names_the_current_steward_only_and_repeats_no_enterprise(zone):
    new = StewardFactory(user__workstation=zone.ws_a)
    steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a)  # steward_a's assignment ends
    rows = list(enterprise_list(zone.leader).filter(pk__in=[zone.ent_a.pk, zone.ent_b.pk]).order_by("pk"))
    assert [(e.pk, e.steward_name, e.steward_phone) for e in rows] == [
        (zone.ent_a.pk, new.user.name, new.user.phone), (zone.ent_b.pk, zone.steward_b.user.name, zone.steward_b.phone)]
    lonely = EnterpriseFactory(workstation=zone.ws_a)
    assert enterprise_list(zone.leader).get(pk=lonely.pk).steward_name is None


def test_the_list_sorts_by_steward(zone, rf):
    request = rf.get("/", {"o": "steward"})
    request.user = zone.leader
    qs = EnterpriseFilterSet(request.GET, queryset=enterprise_list(zone.leader), request=request).qs
    names = [e.steward_name for e in qs if e.steward_name]
    assert len(names) == 2 and names == sorted(names)


def test_a_steward_sees_the_enterprises_it_serves_now(zone):
    assert list(Enterprise.objects.visible_to(zone.steward_a.user)) == [zone.ent_a]
    steward_assign(enterprise=zone.ent_a, steward=zone.steward_b, actor=zone.admin)
    assert list(Enterprise.objects.visible_to(zone.steward_a.user)) == []
    assert set(Enterprise.objects.visible_to(zone.steward_b.user)) == {zone.ent_a, zone.ent_b}


def test_uncovered_means_no_open_assignment(zone):
    assert zone.ent_a not in uncovered_enterprise_list(zone.leader)
    steward_unassign(enterprise=zone.ent_a, actor=zone.admin, reason=StewardAssignment.EndReason.STEWARD_LEFT)
    never = EnterpriseFactory(workstation=zone.ws_a)
    assert set(uncovered_enterprise_list(zone.leader)) == {zone.ent_a, never}
    assert set(Enterprise.objects.without_active_steward()) == {zone.ent_a, never}


def test_has_steward_follows_every_assignment_change(zone):
    """The flag the coverage figures read (Enterprise.has_steward) agrees with the open
    assignments after each way they change: assign, take off, assign again, an admin's delete."""
    from django.db.models import Exists, OuterRef

    def flags_agree():
        truth = Enterprise.objects.annotate(open=Exists(StewardAssignment.objects.filter(
            enterprise=OuterRef("pk"), ended_at__isnull=True))).values_list("pk", "open")
        return dict(Enterprise.objects.values_list("pk", "has_steward")) == dict(truth)

    assert Enterprise.objects.get(pk=zone.ent_a.pk).has_steward and flags_agree()
    steward_unassign(enterprise=zone.ent_a, actor=zone.admin, reason=StewardAssignment.EndReason.STEWARD_LEFT)
    assert not Enterprise.objects.get(pk=zone.ent_a.pk).has_steward and flags_agree()
    steward_assign(enterprise=zone.ent_a, steward=zone.steward_b, actor=zone.admin)
    assert Enterprise.objects.get(pk=zone.ent_a.pk).has_steward and flags_agree()
    StewardAssignment.objects.get(enterprise=zone.ent_b, ended_at__isnull=True).delete()
    assert not Enterprise.objects.get(pk=zone.ent_b.pk).has_steward and flags_agree()


def test_visited_this_month_lists_each_enterprise_once(zone, client):
    today = local_date(timezone.now())
    for day in (1, 2):  # two visits this month: still one row
        Visit.objects.create(steward=zone.steward_a, enterprise=zone.ent_a, visited_on=today.replace(day=day),
                             created_by=zone.steward_a.user)
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    Visit.objects.create(steward=zone.steward_b, enterprise=zone.ent_b, visited_on=last_month,
                         created_by=zone.steward_b.user)
    everything = Enterprise.objects.all()
    visited = EnterpriseFilterSet({"visited": "yes"}, queryset=everything).qs
    assert list(visited) == [zone.ent_a]
    assert list(EnterpriseFilterSet({"visited": "no"}, queryset=everything).qs) == [zone.ent_b]
    client.force_login(zone.leader)
    page = client.get(reverse("enterprises:list"), {"visited": "yes"}).content.decode()
    assert page.count(f'href="{reverse("enterprises:detail", args=[zone.ent_a.pk])}"') == 1


def test_the_enterprise_page_links_to_the_assign_page_for_who_may_assign(zone, client):
    url = reverse("assignments:assign", args=[zone.ent_a.pk])
    assert url == f"/enterprises/{zone.ent_a.pk}/assign/"
    detail = reverse("enterprises:detail", args=[zone.ent_a.pk])
    for user, shown in ((zone.head_a, True), (zone.admin, True), (zone.leader, False), (zone.steward_a.user, False)):
        client.force_login(user)
        page = client.get(detail)
        assert page.status_code == 200
        assert (url in page.content.decode()) is shown, user.role
        assert zone.steward_a.user.name in page.content.decode()  # the assignments' history
