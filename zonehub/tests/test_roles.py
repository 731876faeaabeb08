"""A view's declared roles: what the menu and the permission matrix read (zonehub.roles.view_roles)."""

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.views import View
from django.views.decorators.http import require_POST

from zonehub.models import Role, User
from zonehub.roles import LEADERS, admits, view_roles
from zonehub.views import RoleRequiredMixin, role_required


@login_required
@require_POST
@role_required(*LEADERS)
def leaders_only(request):
    return HttpResponse("ok")


class StaffPage(RoleRequiredMixin, View):
    allowed_roles = (Role.STEWARD,)


def test_the_declaration_is_read_through_decorators_and_from_class_views():
    assert view_roles(leaders_only) == LEADERS
    assert view_roles(StaffPage.as_view()) == (Role.STEWARD,)
    assert view_roles(login_required(lambda request: None)) is None  # every signed-in user
    assert admits(leaders_only, Role.ADMIN) and not admits(leaders_only, Role.STEWARD)
    assert admits(login_required(lambda request: None), Role.ENTERPRISE)


def test_role_required_refuses_other_roles_and_sends_visitors_to_log_in():
    view = role_required(*LEADERS)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/somewhere/")
    request.user = User(role=Role.LEADER)
    assert view(request).status_code == 200
    request.user = User(role=Role.STEWARD)
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/somewhere/")
