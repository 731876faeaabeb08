import pytest

from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    StewardFactory,
    UserFactory,
    WorkstationFactory,
)
from zonehub.models import Role


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _calendar_read_afresh():
    """Each test reads the calendar from its own database: the years a process keeps
    (zonehub.workdays) may describe rows an earlier test rolled back."""
    from zonehub.workdays import forget_calendar

    forget_calendar()


@pytest.fixture
def celery_worker():
    """A real worker on the configured broker (only meaningful with Redis; see tests/celery_worker.py)."""
    from tests.celery_worker import start_celery_worker

    with start_celery_worker() as worker:
        yield worker


@pytest.fixture
def zone(db):
    """Two of everything, so every scoping test has someone else's data to not see."""
    ws_a, ws_b = WorkstationFactory(), WorkstationFactory()
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    steward_a, steward_b = StewardFactory(user__workstation=ws_a), StewardFactory(user__workstation=ws_b)
    ent_a = EnterpriseFactory(workstation=ws_a, steward=steward_a)
    ent_b = EnterpriseFactory(workstation=ws_b, steward=steward_b)
    z = type("Zone", (), {})()
    z.ws_a, z.ws_b, z.dept_a, z.dept_b = ws_a, ws_b, dept_a, dept_b
    z.steward_a, z.steward_b, z.ent_a, z.ent_b = steward_a, steward_b, ent_a, ent_b
    z.ent_user_a = UserFactory(role=Role.ENTERPRISE, enterprise=ent_a)
    z.ent_user_b = UserFactory(role=Role.ENTERPRISE, enterprise=ent_b)
    z.head_a = UserFactory(role=Role.WORKSTATION_HEAD, workstation=ws_a)
    z.head_b = UserFactory(role=Role.WORKSTATION_HEAD, workstation=ws_b)
    z.dept_user_a = UserFactory(role=Role.DEPARTMENT, department=dept_a, is_department_head=True)
    z.dept_user_b = UserFactory(role=Role.DEPARTMENT, department=dept_b, is_department_head=True)
    z.leader = UserFactory(role=Role.LEADER)
    z.admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    return z
