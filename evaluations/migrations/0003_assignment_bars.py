"""Rule 4's bar becomes stewards' data (stewards.AssignmentBar): one bar for every unsatisfied
rating of a campaign already closed, and the leaders' overrides already given become lifts, so
an existing database keeps refusing (and allowing) exactly the stewards it did before."""

from django.db import migrations
from django.utils import timezone
from django.utils.translation import gettext


def _campaign_label(campaign) -> str:
    # str(Campaign) without the model's methods: "2026 first half".
    half = gettext("first half") if campaign.half == "H1" else gettext("second half")
    return f"{campaign.year} {half}"


def bars_from_ratings(apps, schema_editor):
    Rating = apps.get_model("evaluations", "Rating")
    ReplacementCase = apps.get_model("evaluations", "ReplacementCase")
    AssignmentBar = apps.get_model("stewards", "AssignmentBar")
    unsatisfied = (Rating.objects.filter(value="unsatisfied", campaign__status="closed")
                   .select_related("campaign").order_by("pk"))
    for rating in unsatisfied.iterator(chunk_size=500):
        campaign = rating.campaign
        AssignmentBar.objects.get_or_create(
            source=f"evaluations.rating:{rating.pk}",
            defaults={
                "steward_id": rating.steward_id, "enterprise_id": rating.enterprise_id, "year": campaign.year,
                "reason": (gettext("rated unsatisfied in campaign %(campaign)s")
                           % {"campaign": _campaign_label(campaign)})[:200],
                "created_at": campaign.closed_at or timezone.now(),
            },
        )
    overrides = (ReplacementCase.objects.filter(override_steward__isnull=False)
                 .select_related("campaign").order_by("pk"))
    for case in overrides.iterator(chunk_size=500):
        AssignmentBar.objects.filter(
            steward_id=case.override_steward_id, enterprise_id=case.enterprise_id, year=case.campaign.year,
            lifted_at__isnull=True,
        ).update(
            lifted_at=case.replaced_at or timezone.now(), lifted_by_id=case.override_by_id,
            lift_reason=case.override_reason or "—", lift_source=f"evaluations.replacementcase:{case.pk}",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0002_rating_api_order_index"),
        ("stewards", "0006_assignment_bar"),
    ]

    operations = [
        migrations.RunPython(bars_from_ratings, migrations.RunPython.noop),
    ]
