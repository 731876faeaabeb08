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


@pytest.mark.django_db
def test_after_the_warm_up_a_page_compiles_no_expression_to_check_the_urls_it_links_to(monkeypatch):
    """Each URL's check of what it reversed is a regular expression compiled on first use: the
    warm-up compiles those of every URL of the product (with arguments too)."""
    import re

    re.purge()  # as in a fresh process: nothing compiled by the tests before
    try:
        warm_up()
    finally:
        gc.unfreeze()
    compiled = []
    original = re._compile
    monkeypatch.setattr(re, "_compile", lambda pattern, flags: (
        compiled.append(pattern) if (type(pattern), pattern, flags) not in re._cache else None,
        original(pattern, flags))[1])
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("stewards:request_list")
            reverse("stewards:request_detail", args=[12345])
            reverse("projects:board")
            reverse("evaluations:campaign_detail", args=[7])
    assert [p for p in compiled if isinstance(p, str) and p.startswith("^/")] == []
