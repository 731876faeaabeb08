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


class Directory:
    """The same lookups for a whole batch at once, each read once (a sweep's thousand escalations
    cost one query per kind of recipient, not one per escalation)."""

    def __init__(self):
        self._leaders: list[User] | None = None
        self._departments: dict[int, list[User]] = {}
        self._workstations: dict[int, list[User]] = {}

    def leaders(self) -> list[User]:
        if self._leaders is None:
            self._leaders = leaders()
        return self._leaders

    def load_departments(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self._departments.keys()
        for pk in missing:
            self._departments[pk] = []
        for user in (_active(role=Role.DEPARTMENT, department_id__in=missing) if missing else ()):
            self._departments[user.department_id].append(user)

    def department_users(self, department_id: int) -> list[User]:
        self.load_departments([department_id])
        return self._departments[department_id]

    def department_heads(self, department_id: int) -> list[User]:
        users = self.department_users(department_id)
        return [u for u in users if u.is_department_head] or users

    def load_workstations(self, ids: Iterable[int | None]) -> None:
        missing = {pk for pk in ids if pk} - self._workstations.keys()
        for pk in missing:
            self._workstations[pk] = []
        for user in (_active(role=Role.WORKSTATION_HEAD, workstation_id__in=missing) if missing else ()):
            self._workstations[user.workstation_id].append(user)

    def workstation_heads(self, workstation_id: int | None) -> list[User]:
        if not workstation_id:
            return []
        self.load_workstations([workstation_id])
        return self._workstations[workstation_id]
