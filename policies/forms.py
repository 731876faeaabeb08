"""The policies' forms. They only read and check what was typed; the services write (and check
again), so a page, the API and the import refuse the same things."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseTag, IndustryChain, Park
from policies.models import Policy
from stewards.services import ATTACHMENT_EXTENSIONS_TEXT, attachment_validate
from zonehub.forms import BootstrapFormMixin
from zonehub.models import Department

SIZE_CHOICES = [("", _("any size")), ("yes", _("above designated size only")), ("no", _("below designated size only"))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class PolicyForm(BootstrapFormMixin, forms.ModelForm):
    """What a policy says, and who qualifies. Conditions left empty do not restrict."""

    tags_all = forms.ModelMultipleChoiceField(
        label=_("tags required (all of)"), required=False, queryset=EnterpriseTag.objects.order_by("name"),
        widget=CHECKS, help_text=_("The enterprise must have every tag ticked."))
    tags_any = forms.ModelMultipleChoiceField(
        label=_("tags required (any of)"), required=False, queryset=EnterpriseTag.objects.order_by("name"),
        widget=CHECKS, help_text=_("The enterprise must have at least one of the tags ticked."))
    industries = forms.ModelMultipleChoiceField(
        label=_("industry chains"), required=False, queryset=IndustryChain.objects.all(),
        widget=CHECKS)
    parks = forms.ModelMultipleChoiceField(label=_("parks"), required=False, queryset=Park.objects.order_by("name"),
                                           widget=CHECKS)
    ownerships = forms.MultipleChoiceField(label=_("ownership"), required=False, choices=Enterprise.Ownership.choices,
                                           widget=CHECKS)
    size = forms.ChoiceField(label=_("above designated size"), required=False, choices=SIZE_CHOICES)
    department = forms.ModelChoiceField(label=_("handling department"), required=False,
                                        queryset=Department.objects.filter(is_active=True).order_by("name"),
                                        help_text=_("It records the outcome of each application."))
    full_text = forms.FileField(label=_("full text"), required=False,
                                help_text=_("The policy document: %(types)s.") % {"types": ATTACHMENT_EXTENSIONS_TEXT})

    class Meta:
        model = Policy
        fields = ["title", "issuer", "document_number", "level", "kind", "summary", "benefit_type", "benefit_amount",
                  "benefit_rate", "benefit_note", "opens_on", "closes_on", "materials", "department",
                  "tags_all", "tags_any", "industries", "parks", "ownerships", "min_years_in_zone",
                  "min_revenue", "max_revenue", "min_output", "min_tax", "min_employees", "max_employees"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "summary": forms.Textarea(attrs={"rows": 4}),
                   "materials": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"min_years_in_zone": _("Counted from the enterprise's registration in the zone."),
                      "benefit_amount": _("In yuan: the fixed amount, or the ceiling.")}

    # The conditions' fields, after the policy's own (the template shows them under their own heading).
    CONDITION_FIELDS = ("tags_all", "tags_any", "industries", "parks", "ownerships", "size", "min_years_in_zone",
                        "min_revenue", "max_revenue", "min_output", "min_tax", "min_employees", "max_employees")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and not self.is_bound:
            self.initial["size"] = {True: "yes", False: "no"}.get(instance.above_designated_size, "")
        order = [name for name in self.fields if name not in self.CONDITION_FIELDS and name != "full_text"]
        order.insert(order.index("materials") + 1, "full_text")
        self.order_fields(order + list(self.CONDITION_FIELDS))

    def clean_full_text(self):
        file = self.cleaned_data.get("full_text")
        if file:
            attachment_validate(file=file)
        return file

    def _post_clean(self):
        # The services validate the policy as a whole (and record who did it); the form does not
        # build or check a model instance of its own.
        pass

    @property
    def policy_fields(self):
        return [self[name] for name in self.fields if name not in self.CONDITION_FIELDS]

    @property
    def condition_fields(self):
        return [self[name] for name in self.CONDITION_FIELDS]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["above_designated_size"] = {"yes": True, "no": False}.get(data.pop("size", ""))
        if not data.get("full_text"):
            data.pop("full_text", None)
        return data


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why the policy is withdrawn: the enterprises that "
                                                           "applied are told.")})


class DeclineForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("why it is not needed"), max_length=200,
                             error_messages={"required": _("Say why the policy is not needed: it helps the committee "
                                                           "aim better.")})


class ApplyForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("note for your steward (optional)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=[("redeemed", _("redeemed")), ("refused", _("not approved"))],
                                widget=forms.RadioSelect)
    amount = forms.CharField(label=_("amount redeemed (yuan)"), required=False, max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    approved_on = forms.DateField(label=_("redeemed on"), required=False, widget=DATE)
    reason = forms.CharField(label=_("why it was refused"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Fill in the template, then upload it here. Nothing is imported before you have read the check "
                    "and confirmed."),
        error_messages={"required": _("Choose the Excel file to upload."),
                        "empty": _("The file is empty: choose the filled-in sheet.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
