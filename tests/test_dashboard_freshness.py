"""Issue 13, item 5: the leader's zone-wide home page is cached, but a user's own change shows on
their next page: every committed state change bumps the dashboards' generation."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from evaluations import services as evaluations
from evaluations.models import Campaign
from zonehub.cache import bump_dashboard_generation_on_commit, dashboard_generation

pytestmark = pytest.mark.django_db

OPEN = "评价进行中"
NONE_OPEN = "当前没有进行中的满意度评价。"


@pytest.fixture
def cached(settings):
    settings.ZONEHUB_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_a_leader_closes_a_campaign_and_the_next_home_page_says_so(client, zone, cached,
                                                                  django_capture_on_commit_callbacks):
    campaign = evaluations.campaign_open(year=2026, half="H2", actor=zone.leader)
    client.force_login(zone.leader)
    assert OPEN in client.get(reverse("home")).content.decode()
    assert OPEN in client.get(reverse("home")).content.decode()  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):  # the server's transaction commits
        response = client.post(reverse("evaluations:campaign_close", args=[campaign.pk]),
                               {"confirm": "yes", "reason": "提前完成全部评价"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED

    html = client.get(reverse("home")).content.decode()
    assert NONE_OPEN in html and OPEN not in html


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_once_the_transaction_commits_and_not_on_rollback(cached):
    before = dashboard_generation()
    with transaction.atomic():
        bump_dashboard_generation_on_commit()
        bump_dashboard_generation_on_commit()
        assert dashboard_generation() == before  # not yet: a page read meanwhile is still right
    after = dashboard_generation()
    assert after != before

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        bump_dashboard_generation_on_commit()
        raise Rollback
    assert dashboard_generation() == after


def test_a_change_after_the_beat_built_the_page_shows_on_the_next_one(client, zone, cached, settings,
                                                                       django_capture_on_commit_callbacks):
    """A fresh process reads the zone-wide half of the page the beat built (portal.selectors); a
    change committed after it still shows on the next page, not at the beat's next build."""
    from zonehub.tallies import tallies_refresh

    settings.ZONEHUB_TALLY_SECONDS = 60
    campaign = evaluations.campaign_open(year=2026, half="H2", actor=zone.leader)
    tallies_refresh()  # the beat
    cache.clear()  # a fresh process
    client.force_login(zone.leader)
    assert OPEN in client.get(reverse("home")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluations:campaign_close", args=[campaign.pk]), {"confirm": "yes", "reason": "提前完成全部评价"})
    html = client.get(reverse("home")).content.decode()
    assert NONE_OPEN in html and OPEN not in html
