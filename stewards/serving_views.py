"""The pages of issue 16 in the stewards app: 一键直达 (a steward's item straight to the head), the
visits page of heads and leaders, and the name plates (电话名牌). Thin, as the request pages: reads
through ``stewards.coverage`` / ``stewards.selectors``, each form calls one service."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from stewards import coverage, services
from stewards.models import DirectLine, Escalation
from stewards.views import RequestActionView
from zonehub.exports import export_url, wants_export, xlsx_response
from zonehub.forms import BootstrapFormMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import HEADS_AND_LEADERS
from zonehub.views import RoleRequiredMixin
from zonehub.workdays import parse_month

# --- 一键直达 ---------------------------------------------------------------------------------


class DirectLineForm(BootstrapFormMixin, forms.Form):
    escalation = forms.ModelChoiceField(
        label=_("About the escalation (optional)"), queryset=Escalation.objects.none(), required=False,
        empty_label=gettext_lazy("the request as a whole"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of this request's escalations.")})
    note = forms.CharField(label=gettext_lazy("What you need from the head"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000, error_messages={"required": gettext_lazy("Say what you need from the head.")})

    def __init__(self, *args, user, request_obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escalation"].queryset = (Escalation.objects.visible_to(user).filter(request=request_obj)
                                              .select_related("department").order_by("sent_at", "pk"))
        self.fields["escalation"].label_from_instance = lambda e: f"{e.department.name}（{e.get_status_display()}）"


class DirectLineRaiseView(RequestActionView):
    """The steward raises the request (or one of its escalations) to the workstation head."""

    allowed_roles = (Role.STEWARD, Role.ADMIN)
    allowed_capacities = (Role.STEWARD,)
    form_class = DirectLineForm
    page_title = gettext_lazy("Raise it straight to the workstation head (一键直达)")
    help_text = gettext_lazy("The head is told at once and sees it on top of the home page until acting on it.")
    submit_label = gettext_lazy("Raise to the head")
    success_message = gettext_lazy("Raised: the workstation head has been told.")

    def get_form_kwargs(self):
        return {"user": self.request.user, "request_obj": self.object}

    def perform(self, form):
        d = form.cleaned_data
        return services.direct_line_raise(request=self.object, actor=self.request.user, note=d["note"],
                                          escalation=d["escalation"])


class DirectLineActForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What you do"), widget=forms.RadioSelect,
        choices=[("acknowledge", gettext_lazy("Acknowledge")), ("take_over", gettext_lazy("Take it over")),
                 ("answer", gettext_lazy("Answer the steward"))],
        error_messages={"required": gettext_lazy("Choose what you do.")})
    answer = forms.CharField(label=gettext_lazy("Answer or note to the steward"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DirectLineActView(RequestActionView):
    """The head acts on the item waiting on this request (the page says so when none is)."""

    allowed_roles = (Role.WORKSTATION_HEAD, Role.ADMIN)
    form_class = DirectLineActForm
    template_name = "stewards/direct_line_act.html"
    page_title = gettext_lazy("一键直达: act on it")
    submit_label = gettext_lazy("Done")
    success_message = gettext_lazy("Done: the steward has been told.")

    def get_context(self, form):
        item = (DirectLine.objects.visible_to(self.request.user).waiting().filter(request=self.object)
                .select_related("raised_by", "escalation__department").first())
        return {**super().get_context(form), "item": item}

    def perform(self, form):
        item = DirectLine.objects.visible_to(self.request.user).waiting().filter(request=self.object).first()
        if item is None:
            raise ValidationError(_("Nothing is waiting for you on this request."))
        return services.direct_line_act(item=item, actor=self.request.user, action=form.cleaned_data["action"],
                                        answer=form.cleaned_data["answer"])

    def success_url(self, target):
        return reverse("home")


# --- the visits page ----------------------------------------------------------------------------

VISIT_EXPORT_COLUMNS = [
    ("走访日期", "visited_on"), ("企业", "enterprise.name"), ("工作站", "enterprise.workstation.name"),
    ("服务管家", "steward.name"), ("走访发现", "findings"),
    ("转为诉求", lambda v: "；".join(f"#{r.pk} {r.title}" for r in v.service_requests.all())),
]


class VisitsView(RoleRequiredMixin, View):
    """走访: coverage by steward and by workstation for a month, the visits of the month with the
    requests their findings became, the enterprises not visited; exportable."""

    allowed_roles = HEADS_AND_LEADERS
    template_name = "stewards/visits.html"

    def get(self, request):
        user = request.user
        month = parse_month(request.GET.get("month")) if request.GET.get("month") else coverage.this_month()
        error = None
        if month is None:
            error, month = _("Give the month as YYYY-MM, e.g. 2026-11."), coverage.this_month()
        workstation_id = _int(request.GET.get("workstation"))
        steward_id = _int(request.GET.get("steward"))
        if workstation_id and not coverage.workstations_for(user).filter(pk=workstation_id).exists():
            raise Http404
        visits = coverage.visit_list_for_month(user, month=month, workstation_id=workstation_id, steward_id=steward_id)
        if wants_export(request):
            return xlsx_response(visits, VISIT_EXPORT_COLUMNS, filename=f"走访记录{month:%Y-%m}",
                                 heading=f"{month.year}年{month.month}月走访记录", wrap=True)
        page = CappedPaginator(visits, 30)
        try:
            page_obj = page.page(request.GET.get("page") or 1)
        except InvalidPage as exc:
            raise Http404 from exc
        unvisited = coverage.unvisited_enterprises(user, month=month, workstation_id=workstation_id,
                                                   steward_id=steward_id)
        return render(request, self.template_name, {
            "month": month, "month_value": f"{month:%Y-%m}", "error": error, "workstation_id": workstation_id,
            "steward_id": steward_id, "workstations": list(coverage.workstations_for(user)),
            "coverage": coverage.visit_coverage(user, month=month, workstation_id=workstation_id),
            "page_obj": page_obj, "visits": page_obj.object_list,
            "unvisited": list(unvisited[:50]), "export_url": export_url(request),
            "show_workstations": user.sees_everything,
        })


def _int(value) -> int | None:
    return int(value) if value and str(value).isascii() and str(value).isdigit() else None


# --- name plates (电话名牌) ----------------------------------------------------------------------

NAMEPLATE_ROLES = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)


class NameplateView(RoleRequiredMixin, View):
    """One enterprise's plate, to print (A6): its steward's name and phone, the workstation, and a
    QR code that opens the request form for it. The enterprise's steward, its head, leaders."""

    allowed_roles = NAMEPLATE_ROLES
    allowed_capacities = (Role.STEWARD,)

    def get(self, request, pk):
        enterprise = get_object_or_404(coverage.nameplate_enterprises(request.user, enterprise_id=pk))
        return render(request, "stewards/nameplates.html", {
            "cards": coverage.nameplate_cards(request, [enterprise]), "single": True, "printed_on": timezone.now()})


class NameplatesView(RoleRequiredMixin, View):
    """Every plate of a workstation on one printout (four A6 cards to an A4 sheet): a head's own
    workstation, a leader's choice, a steward's own enterprises."""

    allowed_roles = NAMEPLATE_ROLES
    allowed_capacities = (Role.STEWARD,)

    def get(self, request):
        user = request.user
        workstations = list(coverage.workstations_for(user)) if user.sees_everything else []
        workstation_id = _int(request.GET.get("workstation"))
        if user.role == Role.WORKSTATION_HEAD:
            workstation_id = user.workstation_id
        elif user.sees_everything and workstation_id is None:
            # A leader picks the workstation first: the zone at once is no printout.
            return render(request, "stewards/nameplates_pick.html", {"workstations": workstations})
        elif user.sees_everything and not any(w.pk == workstation_id for w in workstations):
            raise Http404
        elif not user.sees_everything:
            workstation_id = None  # a steward: its own enterprises, wherever they are
        enterprises = coverage.nameplate_enterprises(user, workstation_id=workstation_id)
        workstation = next((w for w in workstations if w.pk == workstation_id), None) or (
            user.workstation if user.role == Role.WORKSTATION_HEAD else None)
        return render(request, "stewards/nameplates.html", {
            "cards": coverage.nameplate_cards(request, enterprises), "single": False, "workstation": workstation,
            "printed_on": timezone.now()})

