"""The meetings' part of the demo zone, lived on the replay's clock (``zonehub.demo.Replay``):

- about five weeks before the build, the month's joint meeting of the workstation heads (联席会):
  its agenda drafted from the zone's data (what is under joint consultation, overdue, reopened),
  convened by the demo head (东区工作站) with the departments concerned and the other heads; the
  departments confirm (one declines); three working days later it is held and its minutes give
  three decisions: 发展改革局 closes its own on time, 国网供电公司 too, 规划建设局 misses its
  deadline (the deadline sweep marks it overdue) and is chased up twice (督办), the second time
  with the leaders told — it is still open at the build;
- the demo steward chases up an escalation of its enterprises that is overdue (督办 on an
  escalation), flags one of its requests for the joint meeting, and convenes a coordination
  meeting on one of its open escalations for two working days after the build (one department
  has confirmed, one has not);
- the joint meeting agenda beat would hold drafted on the build's day (the month's own before the
  20th, next month's from it).

The decisions' deadlines ride the stewards' deadline sweep (``zonehub.deadline_sweeps``), which
the stewards' demo runs at its moments. Running the build again adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings

from meetings import services
from meetings.models import Meeting
from meetings.selectors import Subject, joint_agenda_candidates, subject_choices
from stewards.models import Escalation
from zonehub.models import Department, Role, User
from zonehub.workdays import local_date, next_month_start

JOINT_ITEMS = 4


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None or not ctx.get("heads"):
        return
    demo = MeetingsDemo(ctx, rng)
    end = local_date(replay.end)
    start = demo.workdays_before(end, 24)
    replay.schedule(replay.at(start, 10), demo.joint_meeting(start))
    replay.schedule(replay.at(demo.workdays_before(end, 3), 15), demo.flag)
    replay.schedule(replay.at(demo.workdays_before(end, 2), 10), demo.coordination_meeting())
    replay.schedule(replay.end - dt.timedelta(hours=1), demo.chase_escalation)
    replay.schedule(replay.end - dt.timedelta(minutes=30), demo.next_month_draft)


class MeetingsDemo:
    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.head = ctx["heads"][0]
        self.other_heads = list(ctx["heads"][1:])
        self.steward = User.objects.get(username="steward")
        self.leader = User.objects.get(username="leader")
        self.departments = {d.name: d for d in ctx["departments"]}

    # --- when and who

    def workdays_before(self, day: dt.date, n: int) -> dt.date:
        calendar = self.replay.calendar
        while n:
            day -= dt.timedelta(days=1)
            if calendar.is_workday(day):
                n -= 1
        return day

    def later(self, day: dt.date, n: int) -> dt.date:
        return self.replay.workdays_after(day, n)

    def department_head(self, department: Department) -> User:
        return (User.objects.filter(role=Role.DEPARTMENT, department=department, is_active=True)
                .order_by("-is_department_head", "pk").first())

    # --- the month's joint meeting, held, its decisions on the clock

    def joint_meeting(self, day: dt.date):
        replay = self.replay
        draft = services.joint_meeting_draft(month=day.replace(day=1), now=replay.now)
        if draft is None:
            return
        kept = [s for s in (self._subject(item) for item in draft.items.order_by("position")) if s][:JOINT_ITEMS]
        if not kept:  # nothing collected: the heads meet on what they raise themselves
            kept = joint_agenda_candidates(now=replay.now, exclude_meeting=draft)[:JOINT_ITEMS]
        if not kept:
            return
        concerned = {s.escalation.department_id for s in kept if s.escalation is not None}
        departments = [d for d in self.ctx["departments"]
                       if d.pk in concerned or d.name in ("发展改革局", "规划建设局", "国网供电公司")]
        starts = replay.at(self.later(day, 3), 14, 30)
        meeting = services.meeting_convene(
            actor=self.head, title=draft.title, purpose="研究解决跨工作站、跨部门的企业诉求和项目推进中的堵点问题",
            starts_at=starts, subjects=kept, place="管委会1号会议室", departments=departments,
            heads=self.other_heads, draft=draft)
        yield replay.at(self.later(day, 1), 11)
        declined = False
        for invitation in meeting.invitations.select_related("department").order_by("department__name"):
            user = self.department_head(invitation.department)
            if user is None:
                continue
            if not declined and invitation.department.name not in ("发展改革局", "规划建设局", "国网供电公司"):
                declined = True
                services.invitation_answer(invitation=invitation, actor=user, attending=False,
                                           reason="同日承办省级专项检查，书面提交意见。")
            else:
                services.invitation_answer(invitation=invitation, actor=user, attending=True,
                                           attendees=f"{user.display_name.split(' ')[-1]} 副局长；业务科室负责人")
        yield starts + dt.timedelta(hours=2, minutes=30)
        items = list(meeting.items.order_by("position"))
        drafts = [
            services.DecisionDraft(text="牵头梳理跨站企业诉求清单，建立周调度机制，逐项明确责任单位和完成时限",
                                   working_days=5, department=self.departments["发展改革局"], item=items[0]),
            services.DecisionDraft(text="对涉及道路开口和管网接入的事项出具规划条件意见，并与企业现场对接",
                                   working_days=3, department=self.departments["规划建设局"],
                                   item=items[1] if len(items) > 1 else items[0]),
            services.DecisionDraft(text="完成相关企业供电线路勘察，出具供电方案并明确送电时间",
                                   working_days=5, department=self.departments["国网供电公司"],
                                   item=items[-1]),
        ]
        discussions = {item.pk: "与会单位逐项研究，明确牵头单位、配合单位和完成时限。" for item in items}
        confirmed = [f"{i.department.name}：{i.attendees}" for i in meeting.invitations.select_related("department")
                     if i.status == "confirmed"]
        attendees = "；".join([f"{self.head.display_name}（主持）", *[h.display_name for h in self.other_heads],
                              *confirmed])
        services.minutes_record(meeting=meeting, actor=self.head, attendees=attendees, discussions=discussions,
                                summary="各工作站对本站跨部门事项实行台账管理，下次联席会议通报办理情况。", decisions=drafts)
        drc, plan, grid = meeting.decisions.order_by("position")
        yield replay.at(self.later(local_date(starts), 3), 16)
        services.decision_close(decision=drc, actor=self.department_head(drc.department),
                                evidence="已建立跨站诉求周调度台账，首批12项事项已明确责任单位和时限。")
        yield replay.at(self.later(local_date(starts), 4), 11)
        services.decision_close(decision=grid, actor=self.department_head(grid.department),
                                evidence="已完成线路勘察并出具供电方案，计划两周内送电。")
        # 规划建设局 misses its deadline: the sweep marks it overdue; the head chases it up, twice.
        yield replay.at(self.later(local_date(plan.due_at), 0), 10)
        plan.refresh_from_db()
        services.supervision_issue(actor=self.head, decision=plan,
                                   reason="请于两个工作日内出具规划条件意见并与企业现场对接，办理结果在系统中反馈。")
        yield replay.at(self.later(local_date(plan.due_at), 3), 10)
        plan.refresh_from_db()
        if plan.is_open:
            services.supervision_issue(actor=self.head, decision=plan,
                                       reason="经第一次督办仍未办结，请分管负责同志亲自协调，明确办结时间。")

    def _subject(self, item) -> Subject | None:
        return Subject(key=item.subject_key, request=item.request, escalation=item.escalation, project=item.project,
                       source=item.source, flag=item.flag)

    # --- the demo steward's powers

    def flag(self) -> None:
        subjects = [s for s in subject_choices(self.steward) if s.project is None and s.escalation is None]
        for subject in subjects:
            try:
                services.joint_flag(actor=self.steward, request=subject.request,
                                    reason="涉及规划建设局和国网供电公司两个部门，且企业厂区跨东区、科创城两个工作站，需联席会议统筹。")
            except Exception:  # noqa: BLE001 - flagged already, or closed meanwhile: the next one
                continue
            return

    def coordination_meeting(self):
        replay = self.replay
        escalations = [s for s in subject_choices(self.steward) if s.escalation is not None
                       and s.escalation.status == Escalation.Status.OPEN]
        if not escalations:
            return
        subject = escalations[0]
        department = subject.escalation.department
        plan = self.departments["规划建设局"]
        invited = [department] + ([plan] if plan.pk != department.pk else [])
        meeting = services.meeting_convene(
            actor=self.steward, title=f"{subject.request.enterprise.name}诉求现场协调会",
            purpose=f"协调解决“{subject.request.title}”", starts_at=replay.at(self.later(local_date(replay.end), 2), 15),
            subjects=[subject], on_site=True, site_enterprise=subject.request.enterprise, place="企业会议室",
            departments=invited, enterprises=[subject.request.enterprise])
        yield replay.at(self.later(local_date(replay.now), 1), 10)
        invitation = meeting.invitations.filter(department=department).first()
        user = self.department_head(department)
        if invitation is not None and user is not None and meeting.starts_at > replay.now:
            services.invitation_answer(invitation=invitation, actor=user, attending=True,
                                       attendees=f"{user.display_name.split(' ')[-1]} 科长")

    def chase_escalation(self) -> None:
        for escalation in (Escalation.objects.visible_to(self.steward).open().overdue(self.replay.now)
                           .select_related("request", "department").order_by("due_at")[:5]):
            if services.escalation_chase_state(escalation, now=self.replay.now) == "overdue":
                services.supervision_issue(actor=self.steward, escalation=escalation,
                                           reason=f"该诉求已超过答复时限，请{escalation.department.name}于两个工作日内答复企业并在系统中反馈。")
                return

    def next_month_draft(self) -> None:
        # The draft beat would hold on the build's day: next month's from the 20th, before it the
        # month's own (drafted on the 20th of the month before, not yet convened).
        day = local_date(self.replay.now)
        month = next_month_start(day) if day.day >= settings.ZONEHUB_JOINT_MEETING_DRAFT_DAY else day.replace(day=1)
        if not Meeting.objects.filter(kind=Meeting.Kind.JOINT, month=month).exists():
            services.joint_meeting_draft(month=month, now=self.replay.now)
