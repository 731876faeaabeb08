"""Factories for the policies app's tests. A ``PolicyFactory`` row is a bare draft: publishing,
pushing and applying go through the services, as the pages do."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from enterprises.models import EnterpriseIndicator, EnterpriseTag
from policies.models import Policy
from tests.factories import UserFactory
from zonehub.models import Role


class TagFactory(DjangoModelFactory):
    class Meta:
        model = EnterpriseTag
        django_get_or_create = ["name"]

    name = "高新技术企业"


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = EnterpriseIndicator

    year = 2025
    revenue = 6000
    output = 5000
    tax = 300
    employees = 120


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"高新技术企业认定奖励{n}")
    issuer = "高新区管委会"
    document_number = factory.Sequence(lambda n: f"高管〔2026〕{n}号")
    level = Policy.Level.ZONE
    kind = Policy.Kind.SUBSIDY
    summary = "对首次认定的高新技术企业给予一次性奖励。"
    benefit_type = Policy.BenefitType.AMOUNT
    benefit_amount = 300000
    opens_on = dt.date(2026, 11, 1)
    closes_on = dt.date(2026, 12, 31)
    created_by = factory.SubFactory(UserFactory, role=Role.LEADER)

    @factory.post_generation
    def tags_all(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags_all.set(extracted)

    @factory.post_generation
    def tags_any(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags_any.set(extracted)

    @factory.post_generation
    def industries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.industries.set(extracted)

    @factory.post_generation
    def parks(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.parks.set(extracted)
