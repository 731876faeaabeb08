"""Issue 16 in the projects app: every major project is served by a project steward (a new one
gets one within ZONEHUB_PROJECT_STEWARD_WORKING_DAYS working days, chased by a beat task), and a
project steward escalates a project's blockers to the departments exactly like a request, on the
same clock (the stewards app's request and escalation services do the work)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.events import ProjectsEvent
from projects.models import Approval, Project, ProjectBlocker, ProjectStewardAssignment
from stewards.models import ServiceRequest
from stewards.services import reminder_at, request_escalate, request_raise_project_blocker
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Notification
from zonehub.notifications import notify_many
from zonehub.permissions import require
from zonehub.scoping import has_capacity

# --- every project served ----------------------------------------------------------------------


def projects_steward_flag_refresh(project_ids=None) -> int:
    """Set ``Project.has_steward`` from the open project steward assignments, for ``project_ids``
    (all when None): one UPDATE. Run whenever an assignment is saved (projects.apps connects it),
    and after a bulk load (seed_scale)."""
    projects = Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=list(project_ids))
    return projects.update(has_steward=Exists(
        ProjectStewardAssignment.objects.filter(project=OuterRef("pk"), ended_at__isnull=True)))


def on_project_assignment_saved(sender, instance, **kwargs) -> None:
    projects_steward_flag_refresh([instance.project_id])


def _waiting(now):
    return Project.objects.filter(has_steward=False, steward_overdue_at__isnull=True, steward_due_at__isnull=False)


def project_steward_sweep(*, now=None) -> dict:
    """Beat, hourly: a new major project still without its project steward. On its last working
    day (the morning, as the escalations' reminder) the leaders are reminded; once the period has
    passed it is marked overdue and the head of the investor's workstation is told (the leaders
    when it has none). Each effect once: a conditional UPDATE decides, the notice's key repeats
    nothing, however many sweeps run. Reads only the projects waiting (a partial index)."""
    now = now or timezone.now()
    done = {"reminded": 0, "overdue": 0}
    leaders = None
    for project in _waiting(now).filter(steward_due_at__lte=now).select_related("investor").order_by("pk"):
        with transaction.atomic():
            if not Project.objects.filter(pk=project.pk, has_steward=False, steward_overdue_at__isnull=True).update(
                    steward_overdue_at=now):
                continue
            record_event(project, actor=None, kind=ProjectsEvent.PROJECT_STEWARD_OVERDUE,
                         data={"due_at": project.steward_due_at.isoformat()})
            workstation_id = project.investor.workstation_id if project.investor_id else None
            heads = recipients.workstation_heads(workstation_id)
            if not heads:
                leaders = recipients.leaders() if leaders is None else leaders
            _tell(heads or leaders, project, kind="project.steward_overdue",
                  title=_("%(project)s still has no project steward: its %(days)s working days are over") % {
                      "project": project.name, "days": _days()})
            done["overdue"] += 1
    for project in _waiting(now).filter(steward_reminded_at__isnull=True, steward_due_at__gt=now).order_by("pk"):
        if reminder_at(project.steward_due_at) > now:
            continue
        with transaction.atomic():
            if not Project.objects.filter(pk=project.pk, has_steward=False, steward_reminded_at__isnull=True).update(
                    steward_reminded_at=now):
                continue
            leaders = recipients.leaders() if leaders is None else leaders
            _tell(leaders, project, kind="project.steward_reminder",
                  title=_("%(project)s needs its project steward by the end of today") % {"project": project.name})
            done["reminded"] += 1
    return done


def _days():
    from django.conf import settings

    return settings.ZONEHUB_PROJECT_STEWARD_WORKING_DAYS


def _tell(users, project: Project, *, kind: str, title: str) -> None:
    notify_many([Notification(recipient_id=u.pk, kind=kind, title=title, url=project.get_absolute_url(),
                              dedupe_key=f"project:{project.pk}:{kind}") for u in users if u.is_active])


# --- a project's blockers ------------------------------------------------------------------------

# The request category each kind of blocker is filed under.
BLOCKER_CATEGORY = {
    ProjectBlocker.Kind.APPROVAL: ServiceRequest.Category.APPROVAL,
    ProjectBlocker.Kind.POWER: ServiceRequest.Category.FACTORS,
    ProjectBlocker.Kind.UTILITIES: ServiceRequest.Category.FACTORS,
    ProjectBlocker.Kind.LAND: ServiceRequest.Category.FACTORS,
    ProjectBlocker.Kind.ROAD: ServiceRequest.Category.INFRASTRUCTURE,
    ProjectBlocker.Kind.OTHER: ServiceRequest.Category.OTHER,
}


def is_project_steward(user, project: Project) -> bool:
    return has_capacity(user, "steward") and ProjectStewardAssignment.objects.active().filter(
        project=project, steward__user_id=user.pk).exists()


@transaction.atomic
def project_blocker_raise(*, project: Project, actor, kind: str, title: str, description: str, departments: list,
                          reason: str, approval: Approval | None = None, urgency: str = "normal") -> ProjectBlocker:
    """The project steward escalates a blocker of ``project`` to ``departments`` (吹哨): a request
    of the investor enterprise (channel "project blocker"), raised and accepted by the steward,
    escalated by the stewards' own service, each department on its 3-working-day clock, reminded
    and marked overdue by the same sweep and counted in the same grades. Nothing is written when
    any part is refused."""
    require(is_project_steward(actor, project), _("Only the project's steward may escalate its blockers."))
    if kind not in ProjectBlocker.Kind.values:
        raise ValidationError({"kind": _("Choose a valid option.")})
    if project.investor_id is None:
        raise ValidationError(_("This project has no investor enterprise: record it on the project first."))
    if approval is not None and approval.project_id != project.pk:
        raise ValidationError({"approval": _("Choose one of this project's approvals.")})
    title = (title or "").strip()
    request = request_raise_project_blocker(
        actor=actor, enterprise=project.investor, category=BLOCKER_CATEGORY[ProjectBlocker.Kind(kind)],
        title=f"【{project.name}】{title}" if title else "", description=description, urgency=urgency)
    request_escalate(request=request, actor=actor, departments=departments, reason=reason)
    blocker = ProjectBlocker.objects.create(project=project, request=request, kind=kind, approval=approval,
                                            raised_by=actor)
    record_event(blocker, root=project, actor=actor, kind=ProjectsEvent.PROJECT_BLOCKER_RAISED, note=title,
                 to_state=blocker.get_kind_display(),
                 data={"request": request.pk, "departments": [d.name for d in departments]})
    return blocker

