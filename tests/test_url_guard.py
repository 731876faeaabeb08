"""Built from the URLconf itself: no page answers an anonymous visitor except the public ones,
and no page answers any role with a server error. A new page cannot be added unguarded."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from zonehub.models import Role

# Pages anyone may open without logging in.
PUBLIC = {"login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
          "password_reset_complete", "healthz", "set_language"}


def named_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def concrete_path(pattern: str) -> str | None:
    """A URL for a pattern, with 999999 for every id (an object nobody has)."""
    path = pattern.lstrip("^").rstrip("$")
    path = re.sub(r"<(?:int:)?\w*pk>|<int:\w+>", "999999", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "999999", path)
    if "<" in path or "(" in path or "\\" in path:
        return None
    return "/" + path.replace("\\.", ".").replace("^", "")


ROUTES = sorted(
    {(name, concrete_path(pattern)) for name, pattern in named_patterns()
     if not name.startswith("admin:") and concrete_path(pattern) is not None}
)


@pytest.mark.django_db
@pytest.mark.parametrize("name,path", ROUTES, ids=[name for name, _ in ROUTES])
def test_anonymous_visitors_are_sent_to_log_in(client, name, path):
    response = client.get(path)
    if name in PUBLIC or name.split(":")[-1] in PUBLIC:
        assert response.status_code < 500
        return
    assert response.status_code in (302, 401, 403, 404, 405), (name, path, response.status_code)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"], (name, path)


ROLES = [Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_any_role_with_a_server_error(client, zone, role):
    user = {
        Role.ENTERPRISE: zone.ent_user_a, Role.STEWARD: zone.steward_a.user, Role.WORKSTATION_HEAD: zone.head_a,
        Role.DEPARTMENT: zone.dept_user_a, Role.LEADER: zone.leader, Role.ADMIN: zone.admin,
    }[role]
    client.force_login(user)
    failures = []
    for name, path in ROUTES:
        if name in ("logout", "set_language"):
            continue
        status = client.get(path).status_code
        if status >= 500:
            failures.append((name, path, status))
    assert failures == []


def test_every_route_is_covered():
    # The matrix must not silently shrink to nothing when the URLconf changes shape.
    assert len(ROUTES) > 10
