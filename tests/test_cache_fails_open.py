"""The cache (rate-limit counts, the leader's charts) fails open: with Redis unreachable a page
still answers and a submission is still saved, with no 500."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from stewards.models import ServiceRequest

DEAD_REDIS = {"default": {"BACKEND": "zonehub.cache.FailOpenRedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                          "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}


def test_every_call_answers_as_a_miss(settings):
    settings.CACHES = DEAD_REDIS
    cache = caches.create_connection("default")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1, 60) is True
    assert cache.incr("k") == 1
    assert cache.get_or_set("k", lambda: "computed", 60) == "computed"
    cache.set("k", 1)
    cache.delete("k")


@pytest.mark.django_db
def test_rate_limited_form_still_saves_when_the_cache_is_down(client, zone, settings):
    settings.CACHES = DEAD_REDIS
    settings.ZONEHUB_RATELIMIT_SUBMIT = "1/m"
    settings.ZONEHUB_DASHBOARD_CACHE_SECONDS = 300
    client.force_login(zone.ent_user_a)
    for title in ("缓存宕机时的诉求一", "缓存宕机时的诉求二"):
        response = client.post(reverse("stewards:request_create"), {
            "category": "policy", "urgency": "normal", "title": title, "description": "Redis 不可用时也要保存。"})
        assert response.status_code == 302, response.status_code
        assert ServiceRequest.objects.filter(title=title).exists()
    client.force_login(zone.leader)
    assert client.get(reverse("home")).status_code == 200


@pytest.fixture(autouse=True)
def _redis_up_again():
    from zonehub.cache import FailOpenRedisCache

    FailOpenRedisCache.down_until = 0.0
    yield
    FailOpenRedisCache.down_until = 0.0


def test_after_one_failure_calls_skip_redis_for_a_while_so_a_hung_redis_costs_one_timeout(settings, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    settings.CACHES = DEAD_REDIS
    cache = caches.create_connection("default")
    calls = []
    original = RedisCache.get

    def counted(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counted)
    assert cache.get("a", "miss") == "miss"
    assert cache.get("b", default="miss") == "miss" and cache.incr("c") == 1 and cache.add("d", 1) is True
    assert len(calls) == 1  # only the first call went to Redis
