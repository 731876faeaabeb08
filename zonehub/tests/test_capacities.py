"""Capacities (zonehub.scoping, issue 16): a second hat beside a user's role, whose rows are added
to the role's, and which a page may admit beside its roles."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import View

from tests.factories import DepartmentFactory, UserFactory, WorkstationFactory
from zonehub.models import Role, Workstation
from zonehub.roles import admits_user
from zonehub.scoping import CAPACITIES, ScopedQuerySet, has_capacity, register_capacity
from zonehub.services import capacity_set
from zonehub.views import RoleRequiredMixin

pytestmark = pytest.mark.django_db


class _Rows(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(name="dept")

    def _visible_to_tester(self, user):
        return self.filter(name="tester")


@pytest.fixture
def tester_capacity():
    register_capacity("tester")
    yield
    CAPACITIES.remove("tester")


def hold(user, name="tester"):
    capacity_set(user.pk, name, True)
    user.refresh_from_db()


def test_a_capacity_adds_its_rows_to_the_role_s_and_nothing_else(tester_capacity):
    for name in ("dept", "tester", "other"):
        WorkstationFactory(name=name)
    user = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    rows = _Rows(model=Workstation)
    assert {w.name for w in rows.visible_to(user)} == {"dept"}
    hold(user)
    assert {w.name for w in rows.visible_to(user)} == {"dept", "tester"}
    assert {w.name for w in rows.visible_as(user, "tester")} == {"tester"}  # one hat only
    assert {w.name for w in rows.visible_as(user, Role.DEPARTMENT)} == {"dept"}
    stranger = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    assert not rows.visible_as(stranger, "tester").exists()  # not held: nothing


def test_has_capacity_reads_the_user_s_row_and_costs_no_query(tester_capacity, django_assert_num_queries):
    user = UserFactory(role=Role.LEADER)
    hold(user)
    hold(user, "unregistered")
    with django_assert_num_queries(0):
        assert has_capacity(user, "tester")
        assert has_capacity(user, Role.LEADER)  # a role is its own capacity
        assert not has_capacity(user, "unregistered")  # nobody registered it: it opens nothing
    capacity_set(user.pk, "tester", False)
    user.refresh_from_db()
    assert not has_capacity(user, "tester") and user.capacities == ["unregistered"]


def test_a_page_admits_a_capacity_beside_its_roles(tester_capacity):
    class Page(RoleRequiredMixin, View):
        allowed_roles = (Role.STEWARD,)
        allowed_capacities = ("tester",)

        def get(self, request):
            from django.http import HttpResponse

            return HttpResponse("ok")

    user = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    request = RequestFactory().get("/")
    request.user = user
    with pytest.raises(PermissionDenied):
        Page.as_view()(request)
    assert not admits_user(Page.as_view(), user)
    hold(user)
    assert Page.as_view()(request).status_code == 200
    assert admits_user(Page.as_view(), user)
