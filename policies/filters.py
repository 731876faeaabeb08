"""One FilterSet per list, for its page and its API: the catalogue, and the pushes (the list behind
every figure: ``state`` says which figure)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import IndustryChain, Park
from policies.models import Policy, PolicyPush
from zonehub.filters import FilterSet, IdFilter, SearchFilter
from zonehub.models import Department


class PolicyFilterSet(FilterSet):
    q = SearchFilter(fields=["title", "document_number", "issuer"])
    status = django_filters.ChoiceFilter(label=_("status"), choices=Policy.Status.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=Policy.Level.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Policy.Kind.choices)
    department = IdFilter(label=_("handling department"), field_name="department_id",
                          queryset=Department.objects.none())
    window = django_filters.ChoiceFilter(label=_("application window"), method="filter_window",
                                         choices=[("open", _("open now")), ("closed", _("closed"))])

    page_fields = ["q", "status", "level", "kind", "department", "window"]

    class Meta:
        model = Policy
        fields = ["q", "status", "level", "kind", "department", "window"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(is_active=True).order_by("name")

    def filter_window(self, queryset, name, value):
        from policies.selectors import today

        day = today()
        is_open = Q(status=Policy.Status.PUBLISHED, opens_on__lte=day, closes_on__gte=day)
        if value == "open":
            return queryset.filter(is_open)
        if value == "closed":
            return queryset.filter(closes_on__lt=day)
        return queryset


class PolicyPushFilterSet(FilterSet):
    """The pushes: of a policy, of a chain, of a park; ``state`` is the figure they make up."""

    STATES = [
        ("viewed", _("viewed")), ("not_viewed", _("not viewed yet")), ("applied", _("applied")),
        ("redeemed", _("redeemed")), ("refused", _("not approved")), ("declined", _("marked not needed")),
        ("waiting", _("neither applied nor declined")), ("reminded", _("reminded")),
    ]

    q = SearchFilter(fields=["enterprise__name", "policy__title"])
    policy = IdFilter(label=_("policy"), field_name="policy_id", queryset=Policy.objects.none())
    industry = IdFilter(label=_("industry chain"), field_name="enterprise__industry_id",
                        queryset=IndustryChain.objects.none())
    park = IdFilter(label=_("park"), field_name="enterprise__park_id", queryset=Park.objects.none())
    state = django_filters.ChoiceFilter(label=_("state"), method="filter_state", choices=STATES)
    # The API's: the enterprise, by id (the list is scoped already).
    enterprise = IdFilter(label=_("enterprise"), field_name="enterprise_id")

    page_fields = ["q", "policy", "industry", "park", "state"]

    class Meta:
        model = PolicyPush
        fields = ["q", "policy", "industry", "park", "state", "enterprise"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["policy"].queryset = (Policy.objects.visible_to(user).exclude(status=Policy.Status.DRAFT)
                                           .order_by("-created_at") if user is not None else Policy.objects.none())
        self.filters["industry"].queryset = IndustryChain.objects.all()
        self.filters["park"].queryset = Park.objects.all()

    def filter_state(self, queryset, name, value):
        P = PolicyPush.Status
        conditions = {
            "viewed": Q(viewed_at__isnull=False), "not_viewed": Q(viewed_at__isnull=True),
            "applied": Q(applied_at__isnull=False), "redeemed": Q(status=P.REDEEMED), "refused": Q(status=P.REFUSED),
            "declined": Q(status=P.DECLINED), "waiting": Q(status=P.PUSHED), "reminded": Q(reminded_at__isnull=False),
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset
