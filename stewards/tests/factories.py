"""Factories and small helpers for the stewards app's tests."""

import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from stewards.models import Escalation, ServiceRequest
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="证明材料.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


class ServiceRequestFactory(DjangoModelFactory):
    """A bare request row (no events): for scoping and list tests. Behaviour goes through services."""

    class Meta:
        model = ServiceRequest

    enterprise = factory.SubFactory(EnterpriseFactory)
    category = ServiceRequest.Category.FACTORS
    title = factory.Sequence(lambda n: f"用电增容申请{n}")
    description = "新产线需要增容 800 千伏安。"
    created_by = factory.SubFactory(UserFactory, role=Role.ENTERPRISE,
                                    enterprise=factory.SelfAttribute("..enterprise"))
    steward = factory.LazyAttribute(
        lambda o: (a.steward if (a := o.enterprise.steward_assignments.filter(ended_at__isnull=True).first()) else None)
    )


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    request = factory.SubFactory(ServiceRequestFactory, status=ServiceRequest.Status.ESCALATED)
    department = factory.SubFactory(DepartmentFactory)
    sent_by = factory.LazyAttribute(lambda o: o.request.steward.user if o.request.steward else o.request.created_by)
    reason = "请协调供电公司。"
    due_at = factory.LazyFunction(lambda: shanghai(2030, 1, 1))
    remind_at = factory.LazyFunction(lambda: shanghai(2029, 12, 31, 9))
    clock_stopped_at = None
    # As the services store it when the clock stops: before the deadline or not.
    answered_on_time = factory.LazyAttribute(
        lambda o: None if o.clock_stopped_at is None else o.clock_stopped_at < o.due_at)
