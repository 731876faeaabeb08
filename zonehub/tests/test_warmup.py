"""A web process warms up when it starts, so its first page pays for no table Django fills lazily."""

import gc

import pytest
from django.conf import settings
from django.urls import reverse
from django.urls.resolvers import URLResolver
from django.utils import translation

from zonehub.warmup import warm_up


@pytest.mark.django_db
def test_after_the_warm_up_no_reverse_lookup_table_is_filled_in_any_language(monkeypatch):
    """Django fills each namespace's reverse table on its first use, per language (a third of the
    leader's first page in a fresh process): the warm-up fills them all."""
    try:
        warm_up()
    finally:
        gc.unfreeze()
    filled = []
    original = URLResolver._populate
    monkeypatch.setattr(URLResolver, "_populate", lambda self: (filled.append(self), original(self)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("stewards:request_list")
            reverse("projects:board")
            reverse("supply:figures")
    assert filled == []
