"""Fuzzing the REST API from its own OpenAPI description: schemathesis reads /api/schema/ from the
WSGI app in-process and sends generated input, valid and invalid, to every operation, GETs and
POSTs alike. Whatever arrives, the answer is never a server error.

It runs as two users, with Basic auth (the session needs a CSRF token for writes): an
administrator, who passes most permission checks and so reaches the serializers and services,
and an enterprise user, whose scoping is the narrowest. The zone holds objects with small ids
(the permission matrix's), so generated ids often find one. Bounded and seeded: the same cases
every run, in about a minute and a half.
"""

import base64

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.test_permission_matrix import build_objects
from zonehub.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app itself, not through Django's test client, so the start and end of each
    request would close the database connection inside the test's transaction (on PostgreSQL the
    next request then fails with "connection already closed"). The test client disconnects the
    same handler."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def basic_auth(user) -> dict:
    token = base64.b64encode(f"{user.username}:pw".encode()).decode()  # factories' password
    return {"Authorization": f"Basic {token}"}


# The administrator gets the full budget; the enterprise user, refused most operations at the
# permission check, a smaller one (its scoping is also walked by the permission matrix).
EXAMPLES = {"admin": 20, "enterprise": 5}


def operations(user):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=basic_auth(user))
    for result in schema.get_all_operations():
        yield result.ok()


def known_ids(operation) -> list[int]:
    """Ids of the objects behind an operation's {id}, read from its viewset's model: random ids
    almost never exist, and the interesting answers come from real objects."""
    if "{id}" not in operation.path:
        return []
    view = resolve(operation.path.replace("{id}", "1")).func
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    return [] if queryset is None else list(queryset.model.objects.order_by("pk").values_list("pk", flat=True)[:20])


def strategy_for(operation):
    """Valid and invalid input; for an operation on one object, half of it on objects that exist."""
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    ids = known_ids(operation)
    if not ids:
        return cases
    return st.tuples(cases, st.none() | st.sampled_from(ids)).map(with_id)


def with_id(pair):
    case, pk = pair
    if pk is not None:
        case.path_parameters = {**(case.path_parameters or {}), "id": pk}
    return case


# schemathesis' own pytest integration (schema.parametrize) does not run under pytest 9.2, so the
# operations are looped here, each one a seeded Hypothesis run.
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])


@pytest.mark.parametrize("who", list(EXAMPLES))
def test_no_input_makes_the_api_fail(zone, who):
    users, *_ = build_objects(zone)
    cache.clear()
    user = users[who]
    headers = basic_auth(user)
    failures = []
    for operation in operations(user):

        @settings(FUZZ, max_examples=EXAMPLES[who])
        @given(case=strategy_for(operation))
        def fuzz(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 - every failing operation is reported together below
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
