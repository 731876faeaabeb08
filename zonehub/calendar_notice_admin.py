"""The admin page that imports a year's calendar from the State Council's notice (issue 20).

On the calendar years' list, "从国务院通知导入" opens a page with a text box: 预览 reads the pasted
notice and shows the year as twelve month grids, every date it names, what differs from the
calendar stored now and the pieces it could not read; 确认导入 stores it through
``services.calendar_notice_apply``. The page only reads and renders; the service decides.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zonehub import services
from zonehub.calendar_notice import HOLIDAY, WORKDAY, NoticeParse
from zonehub.dates import cn_date
from zonehub.models import CalendarYear
from zonehub.workdays import WorkCalendar

# Monday first, as Chinese calendars print it: 一 二 三 四 五 六 日.
WEEKDAY_HEADINGS = (gettext_lazy("Mo"), gettext_lazy("Tu"), gettext_lazy("We"), gettext_lazy("Th"),
                    gettext_lazy("Fr"), gettext_lazy("Sa"), gettext_lazy("Su"))
NOTICE_MAX_CHARS = 20_000


def notice_digest(text: str) -> str:
    """What the administrator previewed: 确认导入 stores only the text that was shown."""
    return hashlib.sha256(text.encode()).hexdigest()


class NoticeImportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the notice"), required=False, max_length=NOTICE_MAX_CHARS, strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100, "class": "vLargeTextField"}),
        help_text=gettext_lazy("Paste the whole notice from the government's website, title included "
                               "(国务院办公厅关于YYYY年部分节假日安排的通知)."),
    )
    unread_confirmed = forms.BooleanField(
        label=gettext_lazy("I have checked what could not be read: store the rest without it."), required=False)
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)


def notice_preview(parse: NoticeParse) -> dict:
    """The year as twelve month grids, the dates the notice names, and the days whose working
    status the notice changes from the calendar stored now."""
    year = parse.year
    named = parse.by_date()
    weeks_of = pycalendar.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                notice_day = named.get(day)
                kind = notice_day.kind if notice_day else ("weekend" if day.weekday() >= 5 else "")
                row.append({"day": day.day, "kind": kind, "name": notice_day.name if notice_day else "",
                            "title": cn_date(day)})
            weeks.append(row)
        months.append({"label": _("%(month)s/%(year)s") % {"month": month, "year": year}, "weeks": weeks})

    stored = WorkCalendar.for_years(parse.years or [year])
    changes = []
    for day in _days_to_compare(parse):
        now = named[day].is_workday if day in named else day.weekday() < 5
        before = stored.is_workday(day)
        if now != before:
            changes.append({"date": cn_date(day), "weekday": WEEKDAYS[day.weekday()],
                            "before": _("working day") if before else _("day off"),
                            "after": _("working day") if now else _("day off")})
    calendar_year = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "months": months,
        "weekday_headings": WEEKDAY_HEADINGS,
        "days": [{"date": cn_date(d.date), "iso": d.date.isoformat(), "weekday": WEEKDAYS[d.date.weekday()],
                  "kind": d.kind, "label": _("day off") if d.kind == HOLIDAY else _("make-up working day"),
                  "name": d.name, "other_year": d.date.year != year} for d in parse.days],
        "holiday_count": len(parse.holidays),
        "workday_count": len(parse.workdays),
        "unread": parse.unread,
        "skipped": parse.skipped,
        "changes": changes,
        "stored": calendar_year,
        "HOLIDAY": HOLIDAY,
        "WORKDAY": WORKDAY,
    }


def _days_to_compare(parse: NoticeParse):
    """Every day of the notice's year, and the days it names before it."""
    day = dt.date(parse.year, 1, 1)
    earlier = sorted(d.date for d in parse.days if d.date < day)
    yield from earlier
    while day.year == parse.year:
        yield day
        day += dt.timedelta(days=1)


class CalendarNoticeAdminMixin:
    """For CalendarYearAdmin: the import page and the button on the list that opens it."""

    change_list_template = "admin/zonehub/calendaryear/change_list.html"

    def get_urls(self):
        return [
            path("import-notice/", self.admin_site.admin_view(self.notice_import_view),
                 name="zonehub_calendaryear_notice_import"),
            *super().get_urls(),
        ]

    def notice_import_view(self, request):
        if not (request.user.is_admin and self.has_change_permission(request)):
            raise PermissionDenied
        form = NoticeImportForm(request.POST or None)
        preview, digest = None, ""
        if form.is_bound and form.is_valid():
            text = form.cleaned_data["text"]
            try:
                parse = services.calendar_notice_read(text=text)
            except ValidationError as exc:
                form.add_error("text", exc)
            else:
                digest = notice_digest(text)
                if "apply" in request.POST and form.cleaned_data["previewed"] == digest:
                    try:
                        calendar_year = services.calendar_notice_apply(
                            text=text, actor=request.user, unread_confirmed=form.cleaned_data["unread_confirmed"])
                    except ValidationError as exc:
                        form.add_error(None, exc)
                    else:
                        messages.success(request, _(
                            "The calendar of %(year)s is stored from the notice: %(holidays)s days off and "
                            "%(workdays)s make-up working days. Deadlines on it will be computed again.") % {
                            "year": calendar_year.year, "holidays": len(parse.holidays),
                            "workdays": len(parse.workdays)})
                        return redirect(reverse("admin:zonehub_calendaryear_changelist"))
                elif "apply" in request.POST:
                    form.add_error(None, _("The text changed after the preview: check the preview again, then confirm."))
                preview = notice_preview(parse)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import from the State Council's notice"),
            "form": form,
            "preview": preview,
            "digest": digest,
            "hide_calendar_banner": True,  # the banner's link leads here
        }
        return TemplateResponse(request, "admin/zonehub/calendaryear/notice_import.html", context)
