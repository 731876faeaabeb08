"""Who is told: the people behind each role and unit, looked up once for every app.

Each returns a list of active users (what ``zonehub.notifications.notify`` takes)."""

from __future__ import annotations

from collections.abc import Iterable

from zonehub.models import Role, User


def _active(**filters) -> list[User]:
    return list(User.objects.filter(is_active=True, **filters))


def leaders() -> list[User]:
    return _active(role=Role.LEADER)


def administrators() -> list[User]:
    return _active(role=Role.ADMIN)


def workstation_heads(workstation_id: int | None) -> list[User]:
    """The heads of a workstation; nobody for an enterprise with none."""
    return _active(role=Role.WORKSTATION_HEAD, workstation_id=workstation_id) if workstation_id else []


def department_users(department_ids: int | Iterable[int]) -> list[User]:
    ids = [department_ids] if isinstance(department_ids, int) else list(department_ids)
    return _active(role=Role.DEPARTMENT, department_id__in=ids)


def department_heads(department_id: int) -> list[User]:
    """The department's heads, or all its users when it has named none (someone must hear)."""
    return _active(role=Role.DEPARTMENT, department_id=department_id, is_department_head=True) \
        or department_users(department_id)


def enterprise_users(enterprise_id: int) -> list[User]:
    return _active(role=Role.ENTERPRISE, enterprise_id=enterprise_id)
