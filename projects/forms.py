from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, IndustryChain
from projects.models import STAGE_ORDER, Approval, Category, FiveKeyItem, Project, ProjectBlocker, Stage
from projects.progress import Status
from stewards.forms import MultipleFileField, StewardChoiceField
from stewards.models import Steward
from zonehub.forms import BootstrapFormMixin, SearchSelect
from zonehub.models import Department, Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def leader_choices():
    return User.objects.filter(role=Role.LEADER, is_active=True).order_by("name", "username")


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ProjectForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "investor", "industry", "total_investment", "planned_investment_this_year",
                  "funds_in_place", "agreed_annual_output", "land_mu", "floor_area", "planned_start",
                  "planned_completion", "description"]
        widgets = {"planned_start": DATE, "planned_completion": DATE, "description": forms.Textarea(attrs={"rows": 3}),
                   "investor": SearchSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investor"].queryset = Enterprise.objects.filter(is_active=True).order_by("name")
        self.fields["industry"].queryset = IndustryChain.objects.all()


class StageForm(BootstrapFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        index = STAGE_ORDER.index(project.stage)
        allowed = STAGE_ORDER[max(index - 1, 0): index + 2]
        self.fields["to_stage"].choices = [(s, Stage(s).label) for s in allowed if s != project.stage]
        if index + 1 < len(STAGE_ORDER):
            self.fields["to_stage"].initial = STAGE_ORDER[index + 1]


class ProjectStewardForm(BootstrapFormMixin, forms.Form):
    steward = StewardChoiceField(label=_("Project steward"), queryset=Steward.objects.none())
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Every active steward, whatever its role (issue 16: a leader or department user serving too).
        qs = Steward.objects.active().select_related("user", "workstation")
        if user.role == Role.WORKSTATION_HEAD:
            qs = qs.filter(workstation_id=user.workstation_id)
        self.fields["steward"].queryset = qs


class ApprovalForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Approval
        fields = ["status", "started_on", "due_on", "approved_on", "note"]
        widgets = {"started_on": DATE, "due_on": DATE, "approved_on": DATE}


class FiveKeyItemForm(BootstrapFormMixin, forms.ModelForm):
    lead_leader = LeaderChoiceField(label=_("Lead leader"), queryset=User.objects.none())

    class Meta:
        model = FiveKeyItem
        fields = ["category", "year", "title", "goal", "lead_leader", "responsible_unit", "cooperating_units",
                  "enterprise", "project"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 3}), "cooperating_units": forms.SelectMultiple(attrs={"size": 6}),
                   "enterprise": SearchSelect, "project": SearchSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].queryset = leader_choices()
        self.fields["responsible_unit"].queryset = Department.objects.filter(is_active=True)
        self.fields["cooperating_units"].queryset = Department.objects.filter(is_active=True)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(is_active=True).order_by("name")
        self.fields["project"].queryset = Project.objects.order_by("name")


class NodeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Node"), max_length=150)
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE)


class NodeCompleteForm(BootstrapFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("What shows it is done: a document number, a photo, a meeting."))
    files = MultipleFileField(label=_("Evidence files"),
                              help_text=_("Photos, PDF or Office documents; several files may be chosen."))


class CoordinationForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Coordination"), widget=forms.Textarea(attrs={"rows": 3}))


class BoardFilterForm(BootstrapFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All"))] + Category.choices)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Department.objects.none(), required=False,
                                  empty_label=_("All"))
    leader = LeaderChoiceField(label=_("Lead leader"), queryset=User.objects.none(), required=False,
                               empty_label=_("All"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + Status.choices)
    sort = forms.ChoiceField(label=_("sort by"), required=False, choices=[
        ("", _("lagging first")), ("title", _("item")), ("unit", _("responsible unit")), ("leader", _("lead leader")),
        ("progress", _("nodes done (fewest first)")),
    ])

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["unit"].queryset = Department.objects.all()
        self.fields["leader"].queryset = leader_choices()


class ApprovalAddForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Approval
        fields = ["kind", "department", "due_on", "note"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)

    def validate_unique(self):
        # The service says so, in the same words, when the project already has this approval.
        pass


class ConstructionNodeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Node"), max_length=100)
    planned_date = forms.DateField(label=_("Planned date"), widget=DATE)


class BlockerForm(BootstrapFormMixin, forms.Form):
    """A project's blocker, escalated to departments like a request (issue 16)."""

    kind = forms.ChoiceField(label=_("What holds the project up"), choices=ProjectBlocker.Kind.choices)
    approval = forms.ModelChoiceField(label=_("The approval stuck (optional)"), queryset=Approval.objects.none(),
                                      required=False)
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one department.")})
    reason = forms.CharField(label=_("What the departments are asked to do"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)
    urgency = forms.ChoiceField(label=_("urgency"), choices=[("normal", _("normal")), ("urgent", _("urgent"))],
                                initial="normal")

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approval"].queryset = project.approvals.select_related("department").order_by("pk")
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(is_active=True)
