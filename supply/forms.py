"""The supply pages' forms. They read and check what was typed; the services write and check
again, so a page, the API and the import refuse the same things. Numbers are read as text (the
services parse "26,000" and say what is wrong in the user's language)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stewards.models import ServiceRequest
from supply.models import Payment, Product, Source
from zonehub.forms import BootstrapFormMixin
from zonehub.models import Department, Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.TextInput(attrs={"inputmode": "decimal"})


def number_field(label, *, required=True, help_text=""):
    return forms.CharField(label=label, required=required, max_length=30, widget=NUMBER, help_text=help_text)


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.link.chain.name} · {obj.link.name} · {obj.name}（{obj.link.unit}）"


def product_field():
    return ProductChoiceField(
        label=_("product"), queryset=Product.objects.select_related("link__chain")
        .order_by("link__chain__order", "link__chain__name", "link__position", "name"),
        error_messages={"required": _("Choose the product from the list."),
                        "invalid_choice": _("Choose the product from the list.")},
        help_text=_("Chain · link · product (unit). A product missing from the list: ask the operations centre."))


class OfferForm(BootstrapFormMixin, forms.Form):
    product = product_field()
    yearly_capacity = number_field(_("yearly capacity"), help_text=_("In the link's unit, e.g. 30000."))
    unit_price = number_field(_("unit price (yuan)"), required=False,
                        help_text=_("Optional. Seen only by your enterprise, its steward and the operations centre."))
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_field().queryset


class NeedForm(BootstrapFormMixin, forms.Form):
    product = product_field()
    yearly_volume = number_field(_("yearly volume"), help_text=_("In the link's unit, e.g. 60000."))
    current_source = forms.ChoiceField(label=_("bought from now"), choices=Source.choices)
    unit_price = number_field(_("unit price paid now (yuan)"), required=False,
                        help_text=_("Optional. Seen only by your enterprise, its steward and the operations centre."))
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_field().queryset


class LinkForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    position = forms.IntegerField(label=_("position"), required=False, min_value=0, max_value=999,
                                  help_text=_("Upstream first: 1 is the first link of the chain. Empty: after the last."))
    unit = forms.CharField(label=_("unit"), max_length=10, initial="吨")
    description = forms.CharField(label=_("description"), required=False, max_length=200)


class ProductForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("product"), max_length=60)


class TargetForm(BootstrapFormMixin, forms.Form):
    """A gap → an investment target (a 重大招商 five-key item)."""

    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    lead_leader = forms.ModelChoiceField(label=_("lead leader"), queryset=User.objects.none())
    responsible_unit = forms.ModelChoiceField(label=_("responsible unit"), required=False,
                                              queryset=Department.objects.none(),
                                              help_text=_("Leave empty to let a unit claim the item."))
    goal = forms.CharField(label=_("goal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].queryset = User.objects.filter(role=Role.LEADER, is_active=True).order_by("name")
        self.fields["responsible_unit"].queryset = Department.objects.filter(is_active=True).order_by("name")


class CaseOpenForm(BootstrapFormMixin, forms.Form):
    need = forms.IntegerField(widget=forms.HiddenInput)
    offer = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("what was found"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Why these two could deal, and what stood in the way so far."))


class StageForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(choices=[("take", "take"), ("talks", "talks"), ("done", "done"), ("fail", "fail")])
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ObstacleForm(BootstrapFormMixin, forms.Form):
    """An obstacle, as a service request of one side, escalated at once to the departments chosen."""

    party = forms.ChoiceField(label=_("whose obstacle"), widget=forms.RadioSelect,
                              choices=[("buyer", _("the buyer's")), ("supplier", _("the supplier's"))])
    category = forms.ChoiceField(label=_("category"), choices=ServiceRequest.Category.choices,
                                 initial=ServiceRequest.Category.FACTORS)
    title = forms.CharField(label=_("title"), max_length=200,
                            help_text=_("E.g. a power line to lay, a road to open, payment terms to settle."))
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}))
    departments = forms.ModelMultipleChoiceField(
        label=_("escalate to"), required=False, queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Each department chosen has 3 working days to reply. None: the steward handles it."))
    reason = forms.CharField(label=_("what the departments are asked to do"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("kind", "name")
        if parties is not None:
            self.fields["party"].choices = [c for c in self.fields["party"].choices if c[0] in parties]
            if len(parties) == 1:
                self.fields["party"].initial = parties[0]


class ObstacleLinkForm(BootstrapFormMixin, forms.Form):
    request = forms.IntegerField(label=_("request number"), min_value=1, max_value=2**63 - 1,
                                 help_text=_("The number of a request of the buyer or of the supplier, e.g. 1024."))


class ContractForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=_("contract number"), required=False, max_length=30,
                             help_text=_("The paper contract's number; empty: one is given (SG2026-0001)."))
    quantity = number_field(_("contracted quantity"))
    unit_price = number_field(_("unit price to the supplier (yuan)"),
                        help_text=_("Per unit: what the operations company pays the supplier."))
    fee_rate = number_field(_("operations fee per unit (yuan)"),
                      help_text=_("The company's fee: the buyer pays the unit price plus this, per unit."))
    signed_on = forms.DateField(label=_("signed on"), widget=DATE)
    starts_on = forms.DateField(label=_("term starts"), widget=DATE)
    ends_on = forms.DateField(label=_("term ends"), widget=DATE)
    payment_terms = forms.CharField(label=_("payment terms"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    initial="买方向运营公司付款，运营公司向供方付款，供方直接向买方供货。")
    buyer_saving = number_field(_("buyer's saving per unit (yuan)"), required=False)
    supplier_saving = number_field(_("supplier's saving per unit (yuan)"), required=False)


class DeliveryForm(BootstrapFormMixin, forms.Form):
    delivered_on = forms.DateField(label=_("delivered on"), widget=DATE)
    quantity = number_field(_("quantity"))
    batch = forms.CharField(label=_("batch"), required=False, max_length=50)
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class PaymentForm(BootstrapFormMixin, forms.Form):
    direction = forms.ChoiceField(label=_("who paid whom"), choices=Payment.Direction.choices)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)
    amount = number_field(_("amount (yuan)"))
    reference = forms.CharField(label=_("reference"), required=False, max_length=50)


class SavingForm(BootstrapFormMixin, forms.Form):
    side = forms.ChoiceField(choices=[("buyer", _("the buyer")), ("supplier", _("the supplier"))],
                             widget=forms.HiddenInput)
    amount = number_field(_("saving per unit (yuan)"))


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Fill in the template, then upload it here. Nothing is imported before you have read the check "
                    "and confirmed."),
        error_messages={"required": _("Choose the Excel file to upload."),
                        "empty": _("The file is empty: choose the filled-in sheet.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

