"""The browser fixtures of tests/browser (Chromium through Playwright against a live server filled
with the demo zone, built once per run), for the supply app's own browser test."""

from tests.browser.conftest import _async_unsafe_allowed, browse, chromium, demo, live_server  # noqa: F401
