"""The one place that decides which rows a user may see.

Every model a user can list has a queryset deriving from ``ScopedQuerySet``; views, API views and
selectors start from ``Model.objects.visible_to(user)``. A role with no ``_visible_to_<role>``
method sees nothing, so a new model is closed until someone opens it on purpose.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        method = getattr(self, f"_visible_to_{user.role}", None)
        if method is None:
            return self.none()
        return method(user)
