import datetime as dt

import factory
from factory.django import DjangoModelFactory

from evaluations.models import Campaign, Rating
from zonehub.workdays import SHANGHAI


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["year", "half"]

    year = 2026
    half = Campaign.Half.H1
    opened_at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    closes_at = dt.datetime(2026, 6, 24, 0, 0, tzinfo=SHANGHAI)


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = Rating

    campaign = factory.SubFactory(CampaignFactory)
    value = Rating.Value.SATISFIED
    reason = ""
