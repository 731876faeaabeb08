"""The header is one line from 1280 px up, for every role, in Chinese and in English (issue 12):
the admin's menu used to stack its labels one character per line at 1366 px, and the English
leader's menu wrapped onto two lines. The pages a role uses less fold under 更多 ("More"); on a
phone the opened menu still lists every page, folded ones included.

One demo zone for the whole check (building it takes half a minute): every role logs in once, in
its own tab of one browser, and is looked at in both languages at each width."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, PHONE, SCREENSHOTS, Browsing

pytestmark = [pytest.mark.browser]

ROLES = ["admin", "leader", "head", "steward", "dept", "enterprise", "security", "audit"]
LANGUAGES = ["zh-hans", "en"]
WIDTHS = [1280, 1366]
# One line of the header: the brand and the buttons (2.5rem) with the navbar's padding are 56 px.
ONE_LINE_PX = 70

MEASURE_JS = """() => {
    const box = el => el.getBoundingClientRect();
    const shown = el => el.offsetParent !== null;
    const nav = document.querySelector('nav.navbar');
    const links = [...nav.querySelectorAll('#nav .navbar-nav > .nav-item > .nav-link')].filter(shown);
    const logout = nav.querySelector('form[action$="/logout/"] button');
    const style = getComputedStyle(links[0]);
    const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return {
        height: box(nav).height,
        line,
        // A label broken over two lines is taller than one line of text plus the link's padding.
        wrapped: links.filter(a => box(a).height > line + padding + 1)
                      .map(a => `${a.innerText} (${Math.round(box(a).height)} px)`),
        // Nothing of the header hidden past the right edge (the body never scrolls sideways).
        logoutRight: box(logout).right,
        width: window.innerWidth,
        inBar: links.filter(a => a.getAttribute('href')).map(a => a.getAttribute('href')),
        folded: [...nav.querySelectorAll('#nav .dropdown-menu a')].map(a => a.getAttribute('href')),
    };
}"""


def _expected_hrefs(username: str) -> set[str]:
    """What the menu must offer the role (portal/navigation.py), with the administration site for staff."""
    from django.urls import reverse

    from portal.navigation import nav_for
    from zonehub.models import User

    user = User.objects.get(username=username)
    hrefs = {item["url"] for item in nav_for(user)}
    if user.is_staff:
        hrefs.add(reverse("admin:index"))
    return hrefs


def _log_in(tab: Browsing, username: str):
    tab.goto("/accounts/login/")
    tab.page.fill("#id_username", username)
    tab.page.fill("#id_password", PASSWORD)
    tab.page.locator("main form button[type=submit]").click()
    tab.page.wait_for_url(tab.url("/"))
    tab.check_page()


def _choose_language(tab: Browsing, code: str):
    """Through the header's own switch, the way a user does (it submits itself on change)."""
    if tab.page.evaluate("() => document.documentElement.lang") != code:
        with tab.page.expect_navigation():
            tab.page.locator("[data-testid=language-switch] select").select_option(code)
        tab.check_page()
    assert tab.page.evaluate("() => document.documentElement.lang") == code


def test_the_header_is_one_line_for_every_role_in_both_languages(chromium, live_server, demo, settings):
    settings.RATELIMIT_ENABLE = False  # eight logins from one address within the minute
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for username in ROLES:
        expected = _expected_hrefs(username)
        tab = Browsing(chromium, live_server.url, {"width": WIDTHS[0], "height": 800}, username)
        try:
            _log_in(tab, username)
            for language in LANGUAGES:
                _choose_language(tab, language)
                for width in WIDTHS:
                    tab.page.set_viewport_size({"width": width, "height": 800})
                    tab.goto("/")
                    got = tab.page.evaluate(MEASURE_JS)
                    where = f"{username} {language} {width} px"
                    if got["height"] > ONE_LINE_PX:
                        problems.append(f"{where}: the header is {got['height']:.0f} px tall")
                    if got["wrapped"]:
                        problems.append(f"{where}: menu labels broken over lines: {got['wrapped']}")
                    if got["logoutRight"] > got["width"]:
                        problems.append(f"{where}: the log-out button ends at {got['logoutRight']:.0f} px, off the screen")
                    offered = set(got["inBar"]) | set(got["folded"])
                    if offered != expected:
                        problems.append(f"{where}: the menu offers {sorted(offered)}, not {sorted(expected)}")
                    if got["folded"]:
                        # 更多 opens onto the folded pages.
                        tab.page.locator("[data-testid=nav-more]").click()
                        for href in got["folded"]:
                            if not tab.page.locator(f"#nav .dropdown-menu a[href='{href}']").is_visible():
                                problems.append(f"{where}: {href} is not shown when 更多 is opened")
                    if width == WIDTHS[0]:
                        tab.page.screenshot(path=str(SCREENSHOTS / f"header-{username}-{language}-{width}.png"),
                                            clip={"x": 0, "y": 0, "width": width, "height": 320})

            # A phone: the toggler opens a menu with every page, the folded ones too.
            tab.page.set_viewport_size(PHONE)
            tab.goto("/")
            tab.page.locator(".navbar-toggler").click()
            tab.page.locator("#nav.show").wait_for()
            tab.page.wait_for_function("() => !document.querySelector('#nav.collapsing')")
            shown = set(tab.page.eval_on_selector_all(
                "#nav a.nav-link", "links => links.filter(a => a.offsetParent !== null).map(a => a.getAttribute('href'))"))
            if shown != expected:
                problems.append(f"{username} phone: the opened menu shows {sorted(shown)}, not {sorted(expected)}")
            sticking_out = tab.page.evaluate(
                "() => document.querySelector('nav.navbar').scrollWidth - window.innerWidth")
            if sticking_out > 0:
                problems.append(f"{username} phone: the header is {sticking_out} px wider than the screen")
            tab.page.screenshot(path=str(SCREENSHOTS / f"header-{username}-en-phone.png"))
        finally:
            tab.close()
        assert not tab.outside, f"loaded from outside the live server: {tab.outside}"
    assert not problems, "\n".join(problems)
