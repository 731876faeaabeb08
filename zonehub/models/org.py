from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class DepartmentQuerySet(ScopedQuerySet):
    # Every signed-in user may see the directory of departments: stewards pick them when
    # escalating, and enterprises see which bureau holds their request.
    def _visible_to_enterprise(self, user):
        return self.all()

    _visible_to_steward = _visible_to_enterprise
    _visible_to_workstation_head = _visible_to_enterprise
    _visible_to_department = _visible_to_enterprise


class Department(models.Model):
    class Kind(models.TextChoices):
        BUREAU = "bureau", _("functional bureau")
        AGENCY = "agency", _("outside agency")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BUREAU)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkstationQuerySet(ScopedQuerySet):
    def _visible_to_steward(self, user):
        return self.filter(pk=user.workstation_id)

    _visible_to_workstation_head = _visible_to_steward

    def _visible_to_department(self, user):
        return self.all()


class Workstation(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    area = models.CharField(_("area served"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = WorkstationQuerySet.as_manager()

    class Meta:
        verbose_name = _("workstation")
        verbose_name_plural = _("workstations")
        ordering = ["name"]

    def __str__(self):
        return self.name
