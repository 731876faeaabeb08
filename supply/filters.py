"""One FilterSet per list, for its page and its API: offers, needs, cases, contracts, deliveries.
The figures link to these lists with their parameters (``state``, ``stage``, ``month``…)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import IndustryChain
from supply.models import OPEN_STAGES, ChainLink, Delivery, MatchCase, Source, Stage, SupplyContract, SupplyNeed, SupplyOffer
from zonehub.filters import FilterSet, IdFilter, MonthField, SearchFilter
from zonehub.workdays import next_month_start


class _DeclarationFilterSet(FilterSet):
    q = SearchFilter(fields=["enterprise__name", "product__name", "note"])
    chain = IdFilter(label=_("industry chain"), field_name="link__chain_id", queryset=IndustryChain.objects.none())
    link = IdFilter(label=_("chain link"), field_name="link_id", queryset=ChainLink.objects.none())
    active = django_filters.ChoiceFilter(label=_("status"), method="filter_active", empty_label=_("active"),
                                         choices=[("withdrawn", _("withdrawn")), ("all", _("all"))])
    # The API's: by enterprise or product id (the list is scoped already).
    enterprise = IdFilter(label=_("enterprise"), field_name="enterprise_id")
    product = IdFilter(label=_("product"), field_name="product_id")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["chain"].queryset = IndustryChain.objects.all()
        self.filters["link"].queryset = ChainLink.objects.select_related("chain").order_by("chain", "position")

    def filter_queryset(self, queryset):
        # Active lines unless asked otherwise: an empty status is "active".
        if not self.form.cleaned_data.get("active"):
            queryset = queryset.filter(is_active=True)
        return super().filter_queryset(queryset)

    def filter_active(self, queryset, name, value):
        if value == "withdrawn":
            return queryset.filter(is_active=False)
        return queryset


class SupplyOfferFilterSet(_DeclarationFilterSet):
    page_fields = ["q", "chain", "link", "active"]

    class Meta:
        model = SupplyOffer
        fields = ["q", "chain", "link", "active", "enterprise", "product"]


class SupplyNeedFilterSet(_DeclarationFilterSet):
    source = django_filters.ChoiceFilter(label=_("bought from"), field_name="current_source", choices=Source.choices)

    page_fields = ["q", "chain", "link", "source", "active"]

    class Meta:
        model = SupplyNeed
        fields = ["q", "chain", "link", "source", "active", "enterprise", "product"]


class MatchCaseFilterSet(FilterSet):
    q = SearchFilter(fields=["buyer__name", "supplier__name", "product__name"], id_field="pk")
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Stage.choices)
    state = django_filters.ChoiceFilter(label=_("open or closed"), method="filter_state",
                                        choices=[("open", _("open")), ("closed", _("closed"))])
    chain = IdFilter(label=_("industry chain"), field_name="chain_id", queryset=IndustryChain.objects.none())
    broker = django_filters.ChoiceFilter(label=_("broker"), method="filter_broker",
                                         choices=[("mine", _("mine")), ("none", _("no broker yet"))])
    enterprise = IdFilter(label=_("enterprise"), method="filter_enterprise")

    page_fields = ["q", "stage", "state", "chain", "broker"]

    class Meta:
        model = MatchCase
        fields = ["q", "stage", "state", "chain", "broker", "enterprise"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        self.filters["chain"].queryset = IndustryChain.objects.all()

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(stage__in=OPEN_STAGES)
        if value == "closed":
            return queryset.exclude(stage__in=OPEN_STAGES)
        return queryset

    def filter_broker(self, queryset, name, value):
        if value == "mine" and self.user is not None:
            return queryset.filter(broker_id=self.user.pk)
        if value == "none":
            return queryset.filter(broker__isnull=True)
        return queryset

    def filter_enterprise(self, queryset, name, value):
        return queryset.filter(Q(buyer_id=value) | Q(supplier_id=value)) if value else queryset


class SignedMonthFilter(django_filters.CharFilter):
    """Contracts signed in a month ("2026-11")."""

    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(signed_on__gte=value, signed_on__lt=next_month_start(value))


class SupplyContractFilterSet(FilterSet):
    q = SearchFilter(fields=["number", "buyer__name", "supplier__name", "product__name"])
    stage = django_filters.ChoiceFilter(label=_("stage"), field_name="case__stage", choices=Stage.choices)
    month = SignedMonthFilter(label=_("signed in"))
    chain = IdFilter(label=_("industry chain"), field_name="chain_id", queryset=IndustryChain.objects.none())
    broker = IdFilter(label=_("broker"), field_name="broker_id")
    enterprise = IdFilter(label=_("enterprise"), method="filter_enterprise")

    page_fields = ["q", "stage", "chain", "month"]

    class Meta:
        model = SupplyContract
        fields = ["q", "stage", "chain", "month", "broker", "enterprise"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["chain"].queryset = IndustryChain.objects.all()

    def filter_enterprise(self, queryset, name, value):
        return queryset.filter(Q(buyer_id=value) | Q(supplier_id=value)) if value else queryset


class DeliveryMonthFilter(django_filters.CharFilter):
    """Deliveries of a month ("2026-11"), by their date."""

    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(delivered_on__gte=value, delivered_on__lt=next_month_start(value))


class DeliveryFilterSet(FilterSet):
    """The deliveries: the rows behind fee income, volumes and the local supply ratio."""

    q = SearchFilter(fields=["contract__number", "contract__buyer__name", "contract__supplier__name", "batch"])
    month = DeliveryMonthFilter(label=_("month"))
    year = django_filters.NumberFilter(label=_("year"), field_name="delivered_on", lookup_expr="year", min_value=2000,
                                       max_value=2100)
    chain = IdFilter(label=_("industry chain"), field_name="contract__chain_id", queryset=IndustryChain.objects.none())
    contract = IdFilter(label=_("contract"), field_name="contract_id")
    broker = IdFilter(label=_("broker"), field_name="contract__broker_id")

    page_fields = ["q", "month", "year", "chain"]

    class Meta:
        model = Delivery
        fields = ["q", "month", "year", "chain", "contract", "broker"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["chain"].queryset = IndustryChain.objects.all()
