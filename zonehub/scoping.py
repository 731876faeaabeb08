"""The one place that decides which rows a user may see.

Every model a user can list has a queryset deriving from ``ScopedQuerySet``; views, API views and
selectors start from ``Model.objects.visible_to(user)``. A role with no ``_visible_to_<role>``
method sees nothing, so a new model is closed until someone opens it on purpose.
"""

from django.db import models

# Capacities (issue 16, "every cadre can serve"): a second hat a user may wear beside their role
# (a department user who also serves enterprises as a steward). An app that owns a capacity
# registers its name (``register_capacity``, in its AppConfig.ready) and keeps who holds it
# (``zonehub.services.capacity_set``, into ``User.capacities``, read with the user: asking costs no query). A
# queryset then adds the rows of ``_visible_to_<capacity>`` to those of the user's role, and a page
# admits a capacity beside its roles (``allowed_capacities``, zonehub/views.py). A capacity has
# the name of the role whose scope it adds (``"steward"``).
CAPACITIES: list[str] = []


def register_capacity(name: str) -> None:
    if name not in CAPACITIES:
        CAPACITIES.append(name)


def has_capacity(user, name: str) -> bool:
    """Whether ``user`` acts as ``name``: its role, or a capacity it holds."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role == name or (name in CAPACITIES and name in (user.capacities or ()))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        method = getattr(self, f"_visible_to_{user.role}", None)
        rows = self.none() if method is None else method(user)
        # The rows of each capacity the user holds beside its role, added to its role's.
        for name in CAPACITIES:
            extra = getattr(self, f"_visible_to_{name}", None)
            if name != user.role and extra is not None and has_capacity(user, name):
                rows = rows | extra(user)
        return rows

    def visible_as(self, user, name: str):
        """The rows ``user`` sees in one of its hats only (its role, or a capacity it holds): a
        steward's worklist shows what it serves, not what its department holds."""
        if not has_capacity(user, name):
            return self.none()
        if user.sees_everything and name == user.role:
            return self.all()
        method = getattr(self, f"_visible_to_{name}", None)
        return self.none() if method is None else method(user)
