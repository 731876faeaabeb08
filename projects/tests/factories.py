import datetime as dt

import factory
from factory.django import DjangoModelFactory

from projects.models import Approval, Category, FiveKeyItem, FiveKeyNode, Project, ProjectStewardAssignment
from tests.factories import DepartmentFactory, IndustryChainFactory, UserFactory
from zonehub.models import Role


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"重大项目{n}")
    industry = factory.SubFactory(IndustryChainFactory)
    total_investment = 50000
    funds_in_place = 10000
    agreed_annual_output = 80000


class ProjectStewardFactory(DjangoModelFactory):
    class Meta:
        model = ProjectStewardAssignment

    project = factory.SubFactory(ProjectFactory)


class ApprovalFactory(DjangoModelFactory):
    class Meta:
        model = Approval

    project = factory.SubFactory(ProjectFactory)
    kind = Approval.Kind.FILING
    department = factory.SubFactory(DepartmentFactory)


def store_progress(item_id: int) -> None:
    """What the services do after every node change: the board reads the stored progress, so
    the objects made here carry it too (a test that wants stale rows says so)."""
    from projects.services import fivekey_items_progress_store

    fivekey_items_progress_store([item_id])


class FiveKeyItemFactory(DjangoModelFactory):
    class Meta:
        model = FiveKeyItem
        skip_postgeneration_save = True

    category = Category.PROJECTS
    year = 2026
    title = factory.Sequence(lambda n: f"五重任务{n}")
    goal = "年底前完成"
    lead_leader = factory.SubFactory(UserFactory, role=Role.LEADER)
    responsible_unit = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def progress(obj, create, extracted, **kwargs):
        if create:
            store_progress(obj.pk)


class FiveKeyNodeFactory(DjangoModelFactory):
    class Meta:
        model = FiveKeyNode
        skip_postgeneration_save = True

    item = factory.SubFactory(FiveKeyItemFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = dt.date(2026, 6, 30)

    @factory.post_generation
    def progress(obj, create, extracted, **kwargs):
        if create:
            store_progress(obj.item_id)
