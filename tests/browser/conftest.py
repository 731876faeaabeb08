"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's
live server, built from the demo zone. No browser is ever downloaded (never `playwright install`).

Without Chromium the tests skip, so `make test` works on any machine; with CI=true a missing
Chromium fails the run instead, so CI can never pass without having run them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
# The smallest comfortable touch target for a thumb (Apple asks 44 pt, Material 48 dp).
THUMB_PX = 40

PASSWORD = "zonehub2026"

CULPRITS_JS = """(width) => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 1 && r.width > 0 && !out.some(o => o.el.contains(el))) {
            const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '');
            out.push({el, text: `${name} right=${Math.round(r.right)} «${(el.innerText || '').slice(0, 40)}»`});
        }
    }
    return out.slice(0, 8).map(o => o.text);
}"""


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    """Playwright's sync API keeps an asyncio loop registered as running in this thread, which makes
    Django refuse ORM calls from fixtures and tests. Allowed only while the browser modules run
    (the tests of one module stay together even under pytest-randomly)."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def chromium(_async_unsafe_allowed):
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -r requirements-dev.txt")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, except that it is built with a MEDIA_URL: ours is None on
    purpose (attachments are served only by a view that checks the user's scope), and Django's
    live-server thread cannot build its media handler from None. Nothing links to this URL."""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="/_no_public_media/"):
        server = LiveServer(addr)
    yield server
    server.stop()


# The demo zone as the first browser test built it (SQLite): later tests start from a copy of it
# instead of replaying the year again (half a minute each).
_DEMO_SNAPSHOT = None


@pytest.fixture
def demo(transactional_db, live_server):
    """The demo zone in the test database, with the working-day calendar the migrations seed
    (a transactional test starts from empty tables). Built once; on SQLite each later test gets a
    fresh copy of it through SQLite's backup API (the tables are emptied after every test)."""
    global _DEMO_SNAPSHOT
    import sqlite3

    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from portal import demo as zone_demo
    from zonehub import services as calendar_services
    from zonehub.workdays import local_date

    cache.clear()  # figures cached by an earlier test's pages describe its data, not this one's
    connection.ensure_connection()
    if connection.vendor == "sqlite" and _DEMO_SNAPSHOT is not None:
        _DEMO_SNAPSHOT.backup(connection.connection)
        return zone_demo
    calendar_services.calendar_seed_from_package()
    year = local_date(timezone.now()).year
    for y in (year - 1, year, year + 1):
        calendar_services.calendar_ensure_year(year=y)
    zone_demo.build()
    if connection.vendor == "sqlite":
        _DEMO_SNAPSHOT = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(_DEMO_SNAPSHOT)
    return zone_demo


class Browsing:
    """One user's browser tab, with the checks every page must pass: nothing fetched from outside
    the live server, no script error, and at phone size nothing wider than the screen."""

    def __init__(self, browser, base_url: str, viewport: dict, name: str):
        self.base_url = base_url
        self.viewport = viewport
        self.phone = viewport["width"] < 576
        self.name = name
        self.context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            is_mobile=self.phone, has_touch=self.phone, device_scale_factor=2 if self.phone else 1,
        )
        self.context.set_default_timeout(15_000)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", self._on_request)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))

    def _on_request(self, request):
        url = request.url
        # data: and blob: are inline (Bootstrap's SVG icons), never a fetch from anywhere.
        if not (url.startswith(self.base_url + "/") or url == self.base_url or url.startswith(("data:", "blob:"))):
            self.outside.append(url)

    def url(self, path: str) -> str:
        return self.base_url + path

    def url_re(self, path_pattern: str):
        return re.compile("^" + re.escape(self.base_url) + path_pattern + r"(\?.*)?$")

    # --- navigation -------------------------------------------------------------------------

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
        self.check_page()
        return response

    def login(self, username: str):
        from playwright.sync_api import expect

        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        submit = self.page.locator("main form button[type=submit]")
        self.assert_thumb_sized(submit)
        submit.click()
        self.page.wait_for_url(self.url("/"))
        expect(self.page.locator("[data-testid=panels]")).to_be_attached()
        self.check_page()

    def nav(self, path: str):
        """Follow the header's link to ``path`` the way a user does (through the menu on a phone)."""
        if self.phone:
            self.page.locator(".navbar-toggler").click()
        link = self.page.locator(f"#nav a.nav-link[href='{path}']")
        if not self.phone and not link.is_visible():  # a page the header folds under 更多
            self.page.locator("#nav [data-testid=nav-more]").click()
            link = self.page.locator(f"#nav .dropdown-menu a[href='{path}']")
        link.click()
        self.page.wait_for_url(self.url_re(re.escape(path)))
        self.check_page()

    # --- checks -----------------------------------------------------------------------------

    def check_page(self):
        """Run on every page shown: the browser's own checks, not the server's."""
        self.page.wait_for_load_state("load")
        assert not self.outside, f"loaded from outside the live server: {self.outside}"
        assert not self.errors, f"script errors: {self.errors}"
        if self.phone:
            self.assert_no_sideways_scroll()

    def assert_no_sideways_scroll(self):
        width = self.viewport["width"]
        sizes = self.page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
            " client: document.documentElement.clientWidth})"
        )
        if sizes["scroll"] <= sizes["inner"] and sizes["scroll"] <= width:
            return
        # Name the culprits: the outermost elements that stick out on the right.
        culprits = self.page.evaluate(CULPRITS_JS, width)
        raise AssertionError(f"{self.page.url} scrolls sideways at {width} px ({sizes}): {culprits}")

    def assert_thumb_sized(self, locator):
        if not self.phone:
            return
        box = locator.bounding_box()
        assert box is not None, "the submit button is not visible"
        assert box["height"] >= THUMB_PX, f"{self.page.url}: submit button only {box['height']:.0f} px tall"

    def screenshot(self, what: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = "phone" if self.phone else "desktop"
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{what}-{size}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def browse(chromium, live_server, demo):
    """browse(viewport, name) → a fresh tab (own cookies) at that size; closed after the test,
    which fails if anything came from outside the live server on any page."""
    opened: list[Browsing] = []

    def open_tab(viewport: dict = DESKTOP, name: str = "user") -> Browsing:
        tab = Browsing(chromium, live_server.url, viewport, name)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()
    outside = [url for tab in opened for url in tab.outside]
    assert not outside, f"loaded from outside the live server: {outside}"

