"""Writes about policies and their pushes: one function per state change, each checking who may,
validating (a ValidationError in the user's language, nothing changed), writing in one
transaction and recording an event. Notifications are rows written by tasks enqueued after the
commit; every task is safe to run twice (the push's unique constraint, stamps set by conditional
updates, and the notifications' dedupe keys).

What may happen to a push is one table, ``PUSH_ACTIONS``: the services enforce it and the pages
read it (``push_can``) to decide which buttons to show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from policies.conditions import (
    THRESHOLD_FIELDS,
    policy_conditions,
    qualifying_enterprises,
    reasons_text,
)
from policies.events import PolicyEvent
from policies.models import Policy, PolicyPush
from policies.selectors import CONDITION_PREFETCH, open_policy_list
from stewards.models import ServiceRequest, StewardAssignment
from stewards.services import (
    DESCRIPTION_MAX_LENGTH,
    attachment_name,
    attachment_validate,
    request_submit,
)
from zonehub.dates import cn_date
from zonehub.events import record_event
from zonehub.models import Notification, Role, User
from zonehub.notifications import notify_many
from zonehub.numbers import yuan
from zonehub.permissions import require
from zonehub.tasking import enqueue_on_commit
from zonehub.workdays import WorkCalendar, local_date

P = PolicyPush.Status
S = Policy.Status
PUSH_BATCH = 1000
NOTIFY_BATCH = 500


# --- who may do what -------------------------------------------------------------------------

def can_edit_policies(user) -> bool:
    """The catalogue is kept by the committee: leaders and administrators."""
    return bool(user and user.is_authenticated and user.is_active and user.effective_role in (Role.LEADER, Role.ADMIN))


def can_record_outcome(user, policy: Policy) -> bool:
    """Leaders, administrators, and the department that handles the policy."""
    if can_edit_policies(user):
        return True
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.DEPARTMENT
                and policy.department_id and user.department_id == policy.department_id)


def _is_enterprise_of(user, push: PolicyPush) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.ENTERPRISE
                and user.enterprise_id == push.enterprise_id)


@dataclass(frozen=True)
class PushAction:
    sources: frozenset
    party: str  # "enterprise": a user of the push's enterprise; "handler": can_record_outcome


# What may happen to a push: from which states, by whom.
PUSH_ACTIONS = {
    "decline": PushAction(frozenset({P.PUSHED}), "enterprise"),
    "apply": PushAction(frozenset({P.PUSHED, P.DECLINED}), "enterprise"),
    "outcome": PushAction(frozenset({P.APPLIED, P.REDEEMED, P.REFUSED}), "handler"),
}


def _party_ok(user, push: PolicyPush, party: str) -> bool:
    if party == "enterprise":
        return _is_enterprise_of(user, push)
    return can_record_outcome(user, push.policy)


def push_can(user, push: PolicyPush, action: str, *, on: dt.date | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``push`` now: what the pages ask before a button."""
    rule = PUSH_ACTIONS[action]
    if push.status not in rule.sources or not _party_ok(user, push, rule.party):
        return False
    if action == "apply":
        return push.policy.is_open_on(on or local_date(timezone.now()))
    return True


def _require_push_action(user, push: PolicyPush, action: str) -> None:
    rule = PUSH_ACTIONS[action]
    if not _party_ok(user, push, rule.party):
        raise PermissionDenied(_("Only the enterprise the policy was pushed to may do this.") if rule.party == "enterprise"
                               else _("Only leaders and the department handling the policy record outcomes."))
    if push.status not in rule.sources:
        raise ValidationError(_("This cannot be done now: the policy is %(status)s for this enterprise.")
                              % {"status": push.get_status_display()})


# --- the catalogue ---------------------------------------------------------------------------

POLICY_FIELDS = (
    "title", "issuer", "document_number", "level", "kind", "summary", "benefit_type", "benefit_amount",
    "benefit_rate", "benefit_note", "opens_on", "closes_on", "materials", "department",
    "ownerships", "above_designated_size", "min_years_in_zone", *THRESHOLD_FIELDS,
)
M2M_FIELDS = ("tags_all", "tags_any", "industries", "parks")
MONEY_MAX = Decimal("1e12")


def _validate(fields: dict) -> dict:
    """The policy's fields checked and tidied; every problem at once, by field."""
    errors: dict = {}
    for name, message in (("title", _("Give the policy its title.")), ("issuer", _("Name the issuing body.")),
                          ("summary", _("Summarise the policy in a few lines."))):
        fields[name] = (fields.get(name) or "").strip()
        if not fields[name]:
            errors[name] = message
    for name in ("document_number", "benefit_note", "materials"):
        fields[name] = (fields.get(name) or "").strip()
    for name, choices in (("level", Policy.Level), ("kind", Policy.Kind), ("benefit_type", Policy.BenefitType)):
        if fields.get(name) not in choices.values:
            errors[name] = _("Choose one of the options.")
    opens, closes = fields.get("opens_on"), fields.get("closes_on")
    if not opens:
        errors["opens_on"] = _("Give the day applications open.")
    if not closes:
        errors["closes_on"] = _("Give the day applications close.")
    if opens and closes and closes < opens:
        errors["closes_on"] = _("The window cannot close before it opens.")
    for name in ("benefit_amount", *[n for n in THRESHOLD_FIELDS if "employees" not in n]):
        value = fields.get(name)
        if value is None:
            continue
        try:
            value = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            errors[name] = _("Write a number.")
            continue
        if not value.is_finite() or value < 0:
            errors[name] = _("This figure cannot be negative.")
        elif value >= MONEY_MAX:
            errors[name] = _("This number is too large.")
        else:
            fields[name] = value.quantize(Decimal("0.01"))
    rate = fields.get("benefit_rate")
    if rate is not None and not (0 <= Decimal(rate) <= 1000):
        errors["benefit_rate"] = _("Give a rate between 0 and 1000 per cent.")
    for name in ("min_employees", "max_employees", "min_years_in_zone"):
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or value < 0 or value > 10**9):
            errors[name] = _("Write a whole number, 0 or more.")
    for low, high in (("min_revenue", "max_revenue"), ("min_employees", "max_employees")):
        if fields.get(low) is not None and fields.get(high) is not None and fields[low] > fields[high] \
                and high not in errors:
            errors[high] = _("The upper limit cannot be below the lower limit.")
    ownerships = list(fields.get("ownerships") or [])
    if any(o not in Enterprise.Ownership.values for o in ownerships):
        errors["ownerships"] = _("Choose ownership types from the list.")
    fields["ownerships"] = sorted(set(ownerships))
    if errors:
        raise ValidationError(errors)
    return fields


def policy_fields_check(fields: dict) -> dict:
    """The checks ``policy_create`` makes of a policy's own fields, without writing: what the
    import's preview asks of every row. Returns the fields tidied."""
    return _validate({name: fields.get(name) for name in POLICY_FIELDS} | dict(fields))


def _set_m2m(policy: Policy, m2m: dict) -> list[str]:
    changed = []
    for name in M2M_FIELDS:
        if name in m2m and m2m[name] is not None:
            wanted = {obj.pk for obj in m2m[name]}
            if wanted != set(getattr(policy, name).values_list("pk", flat=True)):
                getattr(policy, name).set(list(wanted))
                changed.append(name)
    return changed


def _full_text(file):
    """The policy's full text (PDF, Word…), checked by extension and content as attachments are."""
    if not file:
        return None
    try:
        attachment_validate(file=file)
    except ValidationError as exc:
        raise ValidationError({"full_text": exc.messages}) from exc
    return file


def _attach(policy: Policy, file) -> None:
    name = attachment_name(file.name)
    file.seek(0)
    policy.full_text.save(name, file, save=False)
    policy.full_text_name = name
    policy.save(update_fields=["full_text", "full_text_name"])


def _split(fields: dict) -> tuple[dict, dict]:
    unknown = set(fields) - set(POLICY_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    return ({k: v for k, v in fields.items() if k not in M2M_FIELDS},
            {k: v for k, v in fields.items() if k in M2M_FIELDS})


@transaction.atomic
def policy_create(*, actor, full_text=None, **fields) -> Policy:
    """A new policy, as a draft: nothing is pushed before it is published. ``full_text``: the
    document itself (an uploaded file), optional."""
    require(can_edit_policies(actor), _("Only leaders and administrators keep the policy catalogue."))
    plain, m2m = _split(fields)
    plain = _validate({name: plain.get(name) for name in POLICY_FIELDS} | plain)
    full_text = _full_text(full_text)
    policy = Policy.objects.create(created_by=actor, status=S.DRAFT, **plain)
    _set_m2m(policy, m2m)
    if full_text:
        _attach(policy, full_text)
    record_event(policy, actor=actor, kind=PolicyEvent.POLICY_CREATED, to_state=S.DRAFT)
    return policy


@transaction.atomic
def policy_update(*, policy: Policy, actor, full_text=None, **fields) -> Policy:
    """Change a draft or a published policy. A published one is matched again after the commit:
    enterprises it now reaches are pushed (those pushed before keep their push)."""
    require(can_edit_policies(actor), _("Only leaders and administrators keep the policy catalogue."))
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.status not in (S.DRAFT, S.PUBLISHED):
        raise ValidationError(_("A %(status)s policy can no longer be changed.") % {"status": policy.get_status_display()})
    plain, m2m = _split(fields)
    merged = _validate({name: getattr(policy, name) for name in POLICY_FIELDS} | plain)
    if policy.status == S.PUBLISHED and merged["closes_on"] < local_date(timezone.now()):
        raise ValidationError({"closes_on": _("A published policy cannot close in the past: withdraw it instead.")})
    full_text = _full_text(full_text)
    changed = [name for name in POLICY_FIELDS if getattr(policy, name) != merged[name]]
    for name in changed:
        setattr(policy, name, merged[name])
    if changed:
        policy.save(update_fields=[*changed, "updated_at"])
    changed += _set_m2m(policy, m2m)
    if full_text:
        _attach(policy, full_text)
        changed.append("full_text")
    if changed:
        record_event(policy, actor=actor, kind=PolicyEvent.POLICY_UPDATED, data={"fields": sorted(changed)})
        if policy.status == S.PUBLISHED:
            from policies.tasks import policy_match_task

            enqueue_on_commit(policy_match_task, policy.pk)
    return policy


def _push_new(policy: Policy, *, enterprise_ids=None, now=None) -> int:
    """Push ``policy`` to the qualifying enterprises (among ``enterprise_ids``, if given) it was never
    pushed to: one query finds them, bulk inserts write them; a row another run inserted meanwhile is
    skipped by the unique constraint. Returns how many were found."""
    now = now or timezone.now()
    conditions = policy_conditions(policy, today=local_date(now))
    if not conditions:  # a policy with no condition would flood the zone: never pushed
        return 0
    found = qualifying_enterprises(policy, conditions).exclude(
        Exists(PolicyPush.objects.filter(policy=policy, enterprise_id=OuterRef("pk"))))
    if enterprise_ids is not None:
        found = found.filter(pk__in=list(enterprise_ids))
    ids = list(found.order_by("pk").values_list("pk", flat=True))
    reasons = [c.as_reason() for c in conditions]
    for start in range(0, len(ids), PUSH_BATCH):
        PolicyPush.objects.bulk_create(
            [PolicyPush(policy=policy, enterprise_id=pk, reasons=reasons, created_at=now)
             for pk in ids[start:start + PUSH_BATCH]],
            ignore_conflicts=True)
    return len(ids)


def _enqueue_notify() -> None:
    from policies.tasks import pushes_notify_task

    enqueue_on_commit(pushes_notify_task)


@transaction.atomic
def policy_publish(*, policy: Policy, actor) -> int:
    """Publish a draft: it is pushed, once, to every enterprise that qualifies now (and later to
    those that come to qualify). Returns how many enterprises it was pushed to."""
    require(can_edit_policies(actor), _("Only leaders and administrators publish policies."))
    policy = Policy.objects.select_for_update().prefetch_related(*CONDITION_PREFETCH).get(pk=policy.pk)
    if policy.status != S.DRAFT:
        raise ValidationError(_("Only a draft can be published; this policy is %(status)s.")
                              % {"status": policy.get_status_display()})
    now = timezone.now()
    if policy.closes_on < local_date(now):
        raise ValidationError(_("The application window closed on %(day)s: set a new window before publishing.")
                              % {"day": cn_date(policy.closes_on)})
    if not policy_conditions(policy):
        raise ValidationError(_("Give the policy at least one condition before publishing it: a policy for "
                                "everyone would be pushed to every enterprise."))
    policy.status, policy.published_at, policy.published_by = S.PUBLISHED, now, actor
    policy.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    pushed = _push_new(policy, now=now)
    record_event(policy, actor=actor, kind=PolicyEvent.POLICY_PUBLISHED, from_state=S.DRAFT, to_state=S.PUBLISHED,
                 data={"pushed": pushed})
    _enqueue_notify()
    return pushed


@transaction.atomic
def policy_withdraw(*, policy: Policy, actor, reason: str) -> Policy:
    """Withdraw a published policy: no more applications; the enterprises that had applied, and
    their stewards, are told why."""
    require(can_edit_policies(actor), _("Only leaders and administrators withdraw policies."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the policy is withdrawn: the enterprises that applied are told.")})
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.status != S.PUBLISHED:
        raise ValidationError(_("Only a published policy can be withdrawn; this one is %(status)s.")
                              % {"status": policy.get_status_display()})
    policy.status, policy.withdrawn_at, policy.withdraw_reason = S.WITHDRAWN, timezone.now(), reason[:2000]
    policy.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    applied = list(PolicyPush.objects.filter(policy=policy, status=P.APPLIED).values_list("pk", "enterprise_id"))
    record_event(policy, actor=actor, kind=PolicyEvent.POLICY_WITHDRAWN, from_state=S.PUBLISHED, to_state=S.WITHDRAWN,
                 note=reason, data={"applied": len(applied)})
    users, stewards = _recipients([e for _pk, e in applied])
    title = _("Policy withdrawn: %(title)s") % {"title": policy.title}
    rows = []
    for pk, enterprise_id in applied:
        for user_id, url in [(u, reverse("policies:mine")) for u in users.get(enterprise_id, [])] + \
                [(s, reverse("policies:detail", args=[policy.pk])) for s in stewards.get(enterprise_id, [])]:
            rows.append(Notification(recipient_id=user_id, kind="policy.withdrawn", title=title, body=reason, url=url,
                                     dedupe_key=f"policy-push:{pk}:withdrawn"))
    notify_many(rows)
    return policy


# --- pushes ----------------------------------------------------------------------------------

def _recipients(enterprise_ids) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The active users of each enterprise, and its steward's user: two queries for a batch."""
    ids = sorted(set(enterprise_ids))
    users: dict[int, list[int]] = {}
    stewards: dict[int, list[int]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for enterprise_id, user_id in User.objects.filter(is_active=True, role=Role.ENTERPRISE,
                                                          enterprise_id__in=chunk).values_list("enterprise_id", "pk"):
            users.setdefault(enterprise_id, []).append(user_id)
        for enterprise_id, user_id in (StewardAssignment.objects.active()
                                       .filter(enterprise_id__in=chunk, steward__user__is_active=True)
                                       .values_list("enterprise_id", "steward__user_id")):
            stewards.setdefault(enterprise_id, []).append(user_id)
    return users, stewards


def _push_notifications(pushes: list[PolicyPush]) -> list[Notification]:
    users, stewards = _recipients(p.enterprise_id for p in pushes)
    rows = []
    for push in pushes:
        policy = push.policy
        url = reverse("policies:detail", args=[policy.pk])
        why = "\n".join(f"· {line}" for line in reasons_text(push.reasons))
        window = _("Applications from %(opens)s to %(closes)s.") % {"opens": cn_date(policy.opens_on),
                                                                     "closes": cn_date(policy.closes_on)}
        body = "\n".join([_("Why you qualify:"), why, window])
        for user_id in users.get(push.enterprise_id, []):
            rows.append(Notification(
                recipient_id=user_id, kind="policy.pushed", url=url, body=body, dedupe_key=f"policy-push:{push.pk}",
                title=_("A policy for you: %(title)s (closes %(closes)s)") % {"title": policy.title,
                                                                             "closes": cn_date(policy.closes_on)}))
        for user_id in stewards.get(push.enterprise_id, []):
            rows.append(Notification(
                recipient_id=user_id, kind="policy.pushed", url=url, body=body, dedupe_key=f"policy-push:{push.pk}",
                title=_("%(enterprise)s qualifies for %(title)s: help it apply by %(closes)s") % {
                    "enterprise": push.enterprise.name, "title": policy.title, "closes": cn_date(policy.closes_on)}))
    return rows


def pushes_notify(*, limit: int | None = None) -> int:
    """Tell each enterprise (its users and its steward) of each policy pushed to it and not yet
    told: batches of ``NOTIFY_BATCH`` pushes, each one transaction (rows locked, notifications
    inserted, pushes stamped). Safe to run twice or concurrently: a stamped push is skipped, and
    a notification's dedupe key makes a repeat insert nothing. Returns the pushes told."""
    told = 0
    while limit is None or told < limit:
        with transaction.atomic():
            pushes = list(PolicyPush.objects.select_for_update(skip_locked=True, of=("self",))
                          .filter(notified_at__isnull=True, policy__status=S.PUBLISHED)
                          .select_related("policy", "enterprise").order_by("pk")[:NOTIFY_BATCH])
            if not pushes:
                break
            notify_many(_push_notifications(pushes))
            PolicyPush.objects.filter(pk__in=[p.pk for p in pushes], notified_at__isnull=True).update(
                notified_at=timezone.now())
        told += len(pushes)
    return told


def policy_push_matches(*, policy_ids=None, enterprise_ids=None) -> int:
    """Push the open published policies (or ``policy_ids``) to the enterprises (or
    ``enterprise_ids``) that qualify now and were never pushed them, then tell them. One query per
    policy. What a changed enterprise, a changed policy and the daily sweep call."""
    policies = open_policy_list()
    if policy_ids is not None:
        policies = policies.filter(pk__in=list(policy_ids))
    pushed = 0
    now = timezone.now()
    for policy in policies:
        with transaction.atomic():
            pushed += _push_new(policy, enterprise_ids=enterprise_ids, now=now)
    if pushed:
        _enqueue_notify()
    return pushed


def enterprises_changed(enterprise_ids) -> None:
    """An enterprise's data changed (a tag, a year of indicators, its chain or size): after the
    commit, push it the policies it now qualifies for. The ids a transaction gathers go out in one
    task, sent by the first of its commit callbacks (the others find nothing left to send); ids
    of a rolled-back change only cost a re-match that pushes nothing."""
    ids = {int(pk) for pk in enterprise_ids if pk}
    if not ids:
        return
    connection = transaction.get_connection()
    pending = getattr(connection, "_policies_changed_enterprises", None)
    if pending is None:
        pending = connection._policies_changed_enterprises = set()
    pending.update(ids)

    def send():
        batch = sorted(pending)
        pending.clear()
        if batch:
            from policies.tasks import enterprises_match_task

            enqueue_on_commit(enterprises_match_task, batch)

    transaction.on_commit(send)


def push_mark_viewed(*, push: PolicyPush, actor) -> bool:
    """The enterprise opened the policy: the first time is kept (the "viewed" figure)."""
    if not _is_enterprise_of(actor, push) or push.viewed_at is not None:
        return False
    return bool(PolicyPush.objects.filter(pk=push.pk, viewed_at__isnull=True).update(viewed_at=timezone.now()))


def _lock_push(push: PolicyPush) -> PolicyPush:
    return PolicyPush.objects.select_for_update(of=("self",)).select_related("policy", "enterprise").get(pk=push.pk)


@transaction.atomic
def push_decline(*, push: PolicyPush, actor, reason: str) -> PolicyPush:
    """The enterprise does not need the policy ("不需要"): it is hidden, with the reason it gave."""
    push = _lock_push(push)
    _require_push_action(actor, push, "decline")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the policy is not needed: it helps the committee aim better.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason within 200 characters.")})
    push.status, push.declined_at, push.decline_reason = P.DECLINED, timezone.now(), reason
    push.viewed_at = push.viewed_at or push.declined_at
    push.save(update_fields=["status", "declined_at", "decline_reason", "viewed_at"])
    record_event(push, root=push.enterprise, actor=actor, kind=PolicyEvent.PUSH_DECLINED, from_state=P.PUSHED,
                 to_state=P.DECLINED, note=reason, data={"policy": push.policy.title})
    return push


def _application_text(push: PolicyPush, note: str) -> str:
    policy = push.policy
    lines = [_("Application for the policy %(title)s") % {"title": policy.title}]
    if policy.document_number:
        lines.append(_("Document number: %(number)s") % {"number": policy.document_number})
    lines.append(_("Issued by: %(issuer)s") % {"issuer": policy.issuer})
    lines.append(_("Why we qualify:"))
    lines += [f"· {line}" for line in reasons_text(push.reasons)]
    if note:
        lines += ["", note]
    text = "\n".join(lines)
    return text[:DESCRIPTION_MAX_LENGTH]


@transaction.atomic
def push_apply(*, push: PolicyPush, actor, note: str = "") -> PolicyPush:
    """The enterprise applies ("申请"): a 政策兑现 service request in the stewards' workflow, its
    steward attached and told; the push is linked to it."""
    push = _lock_push(push)
    _require_push_action(actor, push, "apply")
    today = local_date(timezone.now())
    if not push.policy.is_open_on(today):
        policy = push.policy
        if policy.status != S.PUBLISHED:
            raise ValidationError(_("The policy is %(status)s: it takes no application.")
                                  % {"status": policy.get_status_display()})
        raise ValidationError(_("Applications are taken from %(opens)s to %(closes)s.")
                              % {"opens": cn_date(policy.opens_on), "closes": cn_date(policy.closes_on)})
    note = (note or "").strip()
    request = request_submit(actor=actor, category=ServiceRequest.Category.POLICY,
                             title=(_("Policy redemption: %(title)s") % {"title": push.policy.title})[:200],
                             description=_application_text(push, note))
    from_state = push.status
    now = timezone.now()
    push.status, push.request, push.applied_at = P.APPLIED, request, now
    push.viewed_at = push.viewed_at or now
    push.save(update_fields=["status", "request", "applied_at", "viewed_at"])
    record_event(push, root=push.enterprise, actor=actor, kind=PolicyEvent.PUSH_APPLIED, from_state=from_state,
                 to_state=P.APPLIED, data={"policy": push.policy.title, "request": request.pk})
    return push


def _parse_amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Write the amount in yuan, e.g. 120000.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("The amount redeemed must be more than 0.")})
    if amount >= MONEY_MAX:
        raise ValidationError({"amount": _("This number is too large.")})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def push_record_outcome(*, push: PolicyPush, actor, approved: bool, amount=None, approved_on: dt.date | None = None,
                        reason: str = "") -> PolicyPush:
    """Record what came of an application: redeemed (the amount and the day), or refused (why).
    A recorded outcome may be corrected; each recording is an event."""
    push = _lock_push(push)
    _require_push_action(actor, push, "outcome")
    today = local_date(timezone.now())
    reason = (reason or "").strip()
    if approved:
        amount = _parse_amount(amount)
        errors = {}
        if amount is None:
            errors["amount"] = _("Give the amount redeemed, in yuan.")
        if approved_on is None:
            errors["approved_on"] = _("Give the day the money was granted.")
        elif approved_on > today:
            errors["approved_on"] = _("The day cannot be in the future.")
        elif push.applied_at and approved_on < local_date(push.applied_at):
            errors["approved_on"] = _("The day cannot be before the application (%(day)s).") % {
                "day": cn_date(push.applied_at)}
        if errors:
            raise ValidationError(errors)
        to_state, push.approved_amount, push.approved_on, push.refuse_reason = P.REDEEMED, amount, approved_on, ""
    else:
        if not reason:
            raise ValidationError({"reason": _("Say why the application was refused: the enterprise is told.")})
        to_state, push.approved_amount, push.approved_on, push.refuse_reason = P.REFUSED, None, None, reason[:2000]
    from_state = push.status
    push.status, push.outcome_at, push.outcome_by = to_state, timezone.now(), actor
    push.save(update_fields=["status", "approved_amount", "approved_on", "refuse_reason", "outcome_at", "outcome_by"])
    record_event(push, root=push.enterprise, actor=actor,
                 kind=PolicyEvent.PUSH_REDEEMED if approved else PolicyEvent.PUSH_REFUSED,
                 from_state=from_state, to_state=to_state, note=reason,
                 data={"policy": push.policy.title, "amount": str(push.approved_amount or "")})
    users, stewards = _recipients([push.enterprise_id])
    if approved:
        title = _("%(title)s: %(amount)s redeemed") % {"title": push.policy.title, "amount": yuan(amount)}
    else:
        title = _("%(title)s: the application was refused") % {"title": push.policy.title}
    key = f"policy-push:{push.pk}:{to_state}:{push.outcome_at.timestamp():.0f}"
    notify_many([Notification(recipient_id=user_id, kind=f"policy.{to_state}", title=title, body=reason,
                              url=reverse("policies:mine") if user_id in users.get(push.enterprise_id, [])
                              else reverse("policies:detail", args=[push.policy_id]), dedupe_key=key)
                 for user_id in users.get(push.enterprise_id, []) + stewards.get(push.enterprise_id, [])])
    return push


# --- the sweep: windows that closed, reminders before they close ------------------------------

def policies_expire(*, on: dt.date) -> int:
    """Published policies whose window closed before ``on`` are expired (each once)."""
    expired = 0
    for policy in Policy.objects.filter(status=S.PUBLISHED, closes_on__lt=on).order_by("pk"):
        with transaction.atomic():
            if Policy.objects.filter(pk=policy.pk, status=S.PUBLISHED).update(status=S.EXPIRED):
                record_event(policy, actor=None, kind=PolicyEvent.POLICY_EXPIRED, from_state=S.PUBLISHED,
                             to_state=S.EXPIRED)
                expired += 1
    return expired


def pushes_remind(*, now: dt.datetime) -> int:
    """``ZONEHUB_POLICY_REMIND_WORKING_DAYS`` working days (or fewer) before a window closes, the
    enterprises that still qualify and have neither applied nor declined, and their stewards, are
    reminded once (the push's ``reminded_at``, set by a conditional update). Returns how many."""
    today = local_date(now)
    days = settings.ZONEHUB_POLICY_REMIND_WORKING_DAYS
    calendar = WorkCalendar()
    reminded = 0
    for policy in open_policy_list(on=today).filter(opens_on__lte=today):
        if calendar.workdays_between(today, policy.closes_on) > days:
            continue
        qualifying = qualifying_enterprises(policy).values("pk")
        while True:
            with transaction.atomic():
                pushes = list(PolicyPush.objects.select_for_update(skip_locked=True, of=("self",))
                              .filter(policy=policy, status=P.PUSHED, reminded_at__isnull=True,
                                      enterprise__in=qualifying)
                              .select_related("enterprise").order_by("pk")[:NOTIFY_BATCH])
                if not pushes:
                    break
                users, stewards = _recipients(p.enterprise_id for p in pushes)
                url = reverse("policies:detail", args=[policy.pk])
                rows = []
                for push in pushes:
                    key = f"policy-push:{push.pk}:reminder"
                    rows += [Notification(recipient_id=u, kind="policy.reminder", url=url, dedupe_key=key,
                                          title=_("%(title)s closes on %(closes)s: you have not applied yet") % {
                                              "title": policy.title, "closes": cn_date(policy.closes_on)})
                             for u in users.get(push.enterprise_id, [])]
                    rows += [Notification(recipient_id=s, kind="policy.reminder", url=url, dedupe_key=key,
                                          title=_("%(enterprise)s has not applied for %(title)s, which closes on "
                                                  "%(closes)s") % {"enterprise": push.enterprise.name,
                                                                   "title": policy.title,
                                                                   "closes": cn_date(policy.closes_on)})
                             for s in stewards.get(push.enterprise_id, [])]
                notify_many(rows)
                reminded += PolicyPush.objects.filter(pk__in=[p.pk for p in pushes], reminded_at__isnull=True).update(
                    reminded_at=now)
    return reminded


def policy_sweep(*, now: dt.datetime | None = None) -> dict:
    """What beat runs: expire the policies whose window closed, tell the pushes not yet told, and
    (from ``ZONEHUB_REMINDER_HOUR``) send the reminders that are due. Safe to run twice."""
    now = now or timezone.now()
    result = {"expired": policies_expire(on=local_date(now)), "notified": pushes_notify()}
    if timezone.localtime(now).hour >= settings.ZONEHUB_REMINDER_HOUR:
        result["reminded"] = pushes_remind(now=now)
    return result


__all__ = [
    "PUSH_ACTIONS",
    "can_edit_policies",
    "can_record_outcome",
    "enterprises_changed",
    "policies_expire",
    "policy_create",
    "policy_fields_check",
    "policy_publish",
    "policy_push_matches",
    "policy_sweep",
    "policy_update",
    "policy_withdraw",
    "push_apply",
    "push_can",
    "push_decline",
    "push_mark_viewed",
    "push_record_outcome",
    "pushes_notify",
    "pushes_remind",
]
