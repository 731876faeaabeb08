import pytest
import time_machine
from django.urls import reverse

from evaluations.models import Campaign, GradePolicy, ReplacementCase
from evaluations.services import rating_create

pytestmark = pytest.mark.django_db


def test_admin_opens_and_closes_a_campaign_through_the_services(client, in_campaign, zone):
    client.force_login(zone.admin)
    url = reverse("admin:evaluations_campaign_changelist")
    client.post(url, {"action": "open_current", "index": 0})
    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.half, campaign.is_open, campaign.opened_by) == (2026, "H1", True, zone.admin)
    rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="unsatisfied",
                  reason="慢", actor=zone.ent_user_a)
    # Before its planned close a campaign ends only deliberately, with a reason, from its page.
    response = client.post(url, {"action": "close_selected", "index": 0, "_selected_action": [campaign.pk]},
                           follow=True)
    campaign.refresh_from_db()
    assert campaign.status == "open" and "提前结束" in response.content.decode()
    with time_machine.travel(campaign.closes_at):
        client.force_login(zone.admin)  # three weeks on: a new session
        client.post(url, {"action": "close_selected", "index": 0, "_selected_action": [campaign.pk]})
    campaign.refresh_from_db()
    assert campaign.status == "closed" and ReplacementCase.objects.count() == 1
    # Opening the same half again is refused with a message, nothing changes.
    response = client.post(url, {"action": "open_current", "index": 0}, follow=True)
    assert response.status_code == 200 and Campaign.objects.count() == 1


def test_grade_thresholds_have_defaults_and_refuse_a_wrong_order(client, zone):
    policy = GradePolicy.current()
    assert (policy.a_min, policy.b_min, policy.c_min) == (90, 80, 60)
    client.force_login(zone.admin)
    response = client.post(reverse("admin:evaluations_gradepolicy_change", args=[policy.pk]),
                           {"a_min": "70", "b_min": "80", "c_min": "60"})
    assert response.status_code == 200  # the form is shown again with the message
    policy.refresh_from_db()
    assert policy.a_min == 90


def test_the_administrator_sets_posts_and_coefficients_dated_and_sees_no_pay(client, zone):
    import datetime as dt

    from evaluations.models import PayCoefficients, PayPost
    from zonehub.models import Event

    client.force_login(zone.admin)
    for name in ("paypost", "paycoefficients", "stewardgradepolicy", "assessmentplan", "stewardyeargrade",
                 "enteredindicator"):
        assert client.get(reverse(f"admin:evaluations_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:evaluations_paypost_add")).status_code == 200
    response = client.post(reverse("admin:evaluations_paypost_add"), {
        "user": zone.dept_user_a.pk, "kind": "performance", "base": "3000", "department": zone.dept_a.pk,
        "effective_from": "2026-01-01", "active": "on", "note": ""})
    assert response.status_code == 302
    post = PayPost.objects.get()
    assert (post.base, post.set_by, post.effective_from) == (3000, zone.admin, dt.date(2026, 1, 1))
    assert Event.objects.filter(kind="admin.added", subject_id=post.pk).exists()
    response = client.post(reverse("admin:evaluations_paycoefficients_add"), {
        "effective_from": "2026-01-01", "a": "1.3", "b": "1.0", "c": "0.7", "d": "-1", "ungraded": "1",
        "auxiliary_share": "0.5", "note": ""})
    assert response.status_code == 200 and not PayCoefficients.objects.exists()  # shown again, nothing saved
    # Pay sheets are not in the admin at all.
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin:evaluations_paysheet_changelist")
