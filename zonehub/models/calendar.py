from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year the working-day calendar knows. Provisional years use only the statutory holidays
    until an admin enters the State Council's notice for them."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar package")
        STATUTORY = "statutory", _("statutory holidays only")
        ADMIN = "admin", _("entered by an administrator")
        NOTICE = "notice", _("the State Council's notice, imported")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the weekend rule: a holiday on a weekday or a make-up working day
    (调休) on a weekend. Holidays that fall on a weekend are kept too, for their names."""

    year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.date and self.year_id and self.date.year != self.year_id:
            raise ValidationError({"date": _("The date must fall in the year %(year)s.") % {"year": self.year_id}})
