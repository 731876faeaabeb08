"""Pages of pay (以等级定薪酬, issue 19): the pay sheets (drafted by the assessment office, approved
by a leader, corrected after locking), their .xlsx for the payroll office, the coefficients and
posts, and the post rotation pool. Only leaders and the assessment office open them; a person
reads their own line on 我的考核 (evaluations.assessment_views.my_assessment)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations import assessment_selectors as selectors
from evaluations import pay, rotation
from evaluations.exports import pay_sheet_response
from evaluations.forms import CorrectionForm, PaySheetDraftForm, PaySheetRecomputeForm, RotationDecideForm, add_service_errors
from evaluations.models import PayLine, PaySheet, RotationCase
from evaluations.periods import period_kind, period_label, period_start, previous_period
from zonehub.events import event_list_for
from zonehub.exports import wants_export
from zonehub.models import Role
from zonehub.views import role_required

PAY_READERS = (Role.LEADER, Role.ASSESSMENT)
PAY_SETTINGS_READERS = (Role.ADMIN, Role.LEADER, Role.ASSESSMENT)


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _list_context(request, form=None) -> dict:
    user = request.user
    kind = period_kind()
    last = previous_period(period_start(selectors.today(), kind), kind)
    return {"sheets": selectors.pay_sheet_list(user), "can_draft": pay.sheet_can(user, None, "draft"),
            "form": form or PaySheetDraftForm(initial={"period": f"{last:%Y-%m}"}),
            "period_kind": PaySheet.Period(kind).label, "last_label": period_label(last, kind)}


@role_required(*PAY_READERS)
def pay_sheet_list(request):
    return render(request, "evaluations/pay_sheet_list.html", _list_context(request))


@login_required
@require_POST
@role_required(Role.ASSESSMENT)
def pay_sheet_draft(request):
    form = PaySheetDraftForm(request.POST)
    if form.is_valid():
        try:
            sheet = pay.pay_sheet_draft(period_start_on=form.cleaned_data["period"], pool=form.cleaned_data["pool"],
                                        note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The pay sheet of %(period)s is drafted: the leaders are asked to approve "
                                        "it.") % {"period": sheet.label})
            return redirect(sheet)
    return render(request, "evaluations/pay_sheet_list.html", _list_context(request, form), status=400)


@role_required(*PAY_READERS)
def pay_sheet_detail(request, pk):
    user = request.user
    sheet = selectors.pay_sheet_get(user, pk)
    lines = selectors.with_paid(selectors.pay_lines(user, sheet))
    if wants_export(request):
        return pay_sheet_response(sheet, lines)
    return render(request, "evaluations/pay_sheet_detail.html", {
        "sheet": sheet, "lines": lines, "events": event_list_for(sheet),
        "total": sum((line.amount for line in lines), 0), "paid": sum((line.paid for line in lines), 0),
        "can_recompute": pay.sheet_can(user, sheet, "recompute"), "can_approve": pay.sheet_can(user, sheet, "approve"),
        "can_correct": pay.sheet_can(user, sheet, "correct"),
        "recompute_form": PaySheetRecomputeForm(initial={"pool": sheet.pool}),
        "correction_form": CorrectionForm(),
    })


@login_required
@require_POST
@role_required(Role.ASSESSMENT)
def pay_sheet_recompute(request, pk):
    sheet = selectors.pay_sheet_get(request.user, pk)
    form = PaySheetRecomputeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(sheet)
    try:
        pay.pay_sheet_recompute(sheet=sheet, pool=form.cleaned_data["pool"], actor=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The sheet is drafted again from today's grades, posts and coefficients."))
    return redirect(sheet)


@login_required
@require_POST
@role_required(Role.LEADER)
def pay_sheet_approve(request, pk):
    sheet = selectors.pay_sheet_get(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that you approve the sheet: tick the box."))
        return redirect(sheet)
    try:
        pay.pay_sheet_approve(sheet=sheet, actor=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The sheet is approved and locked; each person can read their line."))
    return redirect(sheet)


@login_required
@require_POST
@role_required(*PAY_READERS)
def pay_correction(request, pk):
    user = request.user
    sheet = selectors.pay_sheet_get(user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        line = get_object_or_404(PayLine.objects.visible_to(user).filter(sheet=sheet), pk=form.cleaned_data["line"])
        try:
            pay.pay_correction_record(line=line, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                                      actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The correction is recorded for %(name)s.") % {"name": line.user.display_name})
            return redirect(sheet)
    lines = selectors.with_paid(selectors.pay_lines(user, sheet))
    return render(request, "evaluations/pay_sheet_detail.html", {
        "sheet": sheet, "lines": lines, "events": event_list_for(sheet),
        "total": sum((line.amount for line in lines), 0), "paid": sum((line.paid for line in lines), 0),
        "can_correct": pay.sheet_can(user, sheet, "correct"), "correction_form": form,
        "failed_line": form.data.get("line")}, status=400)


@role_required(*PAY_SETTINGS_READERS)
def pay_settings(request):
    return render(request, "evaluations/pay_settings.html", {
        **selectors.pay_settings(request.user), "period_kind": PaySheet.Period(period_kind()).label,
        "is_admin": request.user.is_admin})


# --- the rotation pool -----------------------------------------------------------------------

@role_required(*PAY_READERS)
def rotation_list(request):
    status = request.GET.get("status", "")
    user = request.user
    return render(request, "evaluations/rotation_list.html", {
        "cases": selectors.rotation_list(user, status=status), "status": status,
        "can_decide": rotation.can_decide_rotation(user), "form": RotationDecideForm()})


@login_required
@require_POST
@role_required(Role.LEADER)
def rotation_decide(request, pk):
    case = get_object_or_404(RotationCase.objects.visible_to(request.user), pk=pk)
    form = RotationDecideForm(request.POST)
    if form.is_valid():
        try:
            rotation.rotation_decide(case=case, outcome=form.cleaned_data["outcome"], reason=form.cleaned_data["reason"],
                                     actor=request.user)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("evaluations:rotation_list")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{case.name}：{message}")
    user = request.user
    return render(request, "evaluations/rotation_list.html", {
        "cases": selectors.rotation_list(user), "status": "", "can_decide": True, "form": RotationDecideForm(),
        "failed": case.pk, "failed_form": form}, status=400)
