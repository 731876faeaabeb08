"""factory_boy factories shared by every app's tests."""

import factory
from factory.django import DjangoModelFactory

from enterprises.demo import make_credit_code
from enterprises.models import Enterprise, IndustryChain, Park
from stewards.models import Steward, StewardAssignment
from zonehub.models import Department, Role, User, Workstation


class WorkstationFactory(DjangoModelFactory):
    class Meta:
        model = Workstation

    name = factory.Sequence(lambda n: f"第{n}工作站")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"第{n}局")
    short_name = factory.Sequence(lambda n: f"局{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@zone.test")
    password = factory.django.Password("pw")
    role = Role.LEADER


class IndustryChainFactory(DjangoModelFactory):
    class Meta:
        model = IndustryChain
        django_get_or_create = ["name"]

    name = "新材料"


class ParkFactory(DjangoModelFactory):
    class Meta:
        model = Park
        django_get_or_create = ["name"]

    name = "高新技术产业园"


class StewardFactory(DjangoModelFactory):
    class Meta:
        model = Steward

    user = factory.SubFactory(UserFactory, role=Role.STEWARD, workstation=factory.SubFactory(WorkstationFactory))
    title = "服务专员"


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试{n}有限公司")
    credit_code = factory.Sequence(lambda n: make_credit_code(__import__("random").Random(n)))
    industry = factory.SubFactory(IndustryChainFactory)
    park = factory.SubFactory(ParkFactory)
    workstation = factory.SubFactory(WorkstationFactory)
    ownership = Enterprise.Ownership.PRIVATE
    contact_name = "联系人"
    contact_phone = "13900000000"

    @factory.post_generation
    def steward(obj, create, extracted, **kwargs):
        if create and extracted:
            StewardAssignment.objects.create(enterprise=obj, steward=extracted)
