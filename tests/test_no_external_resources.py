"""Nothing a page needs comes from the internet (issue 12): the zone's intranet has none, so a
font, an icon, a script or a stylesheet from another host is a page that hangs or shows broken.

Every pattern of the URLconf is opened, found by walking it (the admin's and the API router's
included), not from a hand-kept list: a pattern whose arguments the walk cannot fill fails the
test with its name, so a new page is checked from the day it is added. Each URL is asked for the
way a browser asks (Accept: text/html, so the API answers with its browsable pages), by the first
role it opens for; every HTML answer is read for each address the browser would fetch or follow
(src, href, action, srcset, style url(...), inline <style> and <script>), and none may name
another host. No page may answer 500.

The static files (ours and the vendored ones: Bootstrap, its icons, ECharts, htmx, the admin's,
DRF's, Swagger UI and Redoc) are read for remote url(...), @import and source maps, and our
templates for any address of another host. What scripts fetch while they run is the browser's to
see: tests/browser/test_no_external_requests.py.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from enterprises.models import EnterpriseIndicator, EnterpriseTag, ImportBatch
from evaluations.models import GradePolicy
from projects.models import CoordinationNote, Project, ProjectStageChange, UnitMonthlyScore
from stewards.models import EscalationProgress, RequestComment
from tests.test_permission_matrix import QUERIES, build_objects, route_kind
from zonehub.events import EVENT_LABELS, record_event
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db

# The roles tried in turn: the first that opens a URL (2xx) is the one whose page is read. The
# superuser first, who opens the admin and most pages; the others for the pages only they get.
ROLE_ORDER = ("admin", "leader", "enterprise", "steward", "workstation_head", "department_head", "department",
              "audit_admin", "security_admin", "anonymous")

# How a browser asks for a page: the API then answers with DRF's browsable pages, not JSON.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# Patterns not opened at all, each with its reason. (POST-only pages and file downloads need no
# entry: a GET to them is harmless, answers 405 or a file, and must not be a 500 either.)
SKIP: dict[str, str] = {}

# Patterns that answer no role with a page, on purpose.
NEVER_OPENS = {
    # The admin's catch-all: an address it does not know is its 404 page (read like any other).
    "admin/(?P<url>.*)$",
}

# Hosts that are this site: the test client's, and the live server's in the browser test.
OWN_HOSTS = {"testserver", "localhost", "127.0.0.1", "[::1]"}
# Addresses that fetch nothing from anywhere.
LOCAL_SCHEMES = {"", "http", "https", "data", "blob", "mailto", "tel", "javascript", "about"}

CSS_REMOTE = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+(?:url\(\s*)?['"]?)\s*((?:https?:)?//[^'")\s;]+)""", re.IGNORECASE)
SOURCE_MAP = re.compile(r"""[#@]\s*sourceMappingURL\s*=\s*(\S+)""")
# An absolute address in a string of an inline script: "https://host/..." or '//host/...'.
SCRIPT_REMOTE = re.compile(r"""["'`]((?:https?:)?//[\w.-]+[^"'`\s]*)""")
META_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)

# Attributes that hold an address the browser fetches, follows or submits to.
URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "background", "xlink:href", "manifest",
             "ping", "longdesc", "cite", "codebase", "archive", "icon", "hx-get", "hx-post", "hx-put",
             "hx-patch", "hx-delete", "data-url", "data-src", "data-href", "spec-url"}
SRCSET_ATTRS = {"srcset", "imagesrcset"}


def is_remote(url: str) -> bool:
    """True when the browser would go to another host (or by a scheme that is not the web's)."""
    url = url.strip()
    if not url or url.startswith(("#", "?")) or "{{" in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    if parts.scheme.lower() not in LOCAL_SCHEMES:
        return True
    return bool(parts.netloc) and (parts.hostname or "") not in {h.strip("[]") for h in OWN_HOSTS}


def css_remote(text: str) -> list[str]:
    return [url for url in CSS_REMOTE.findall(text) if is_remote(url)]


class AddressParser(HTMLParser):
    """Every address in a page a browser would fetch, follow or submit to, as (tag, attr, url)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRS:
                self.found.append((tag, name, value))
            elif name in SRCSET_ATTRS:
                for candidate in value.split(","):
                    if candidate.strip():
                        self.found.append((tag, name, candidate.strip().split()[0]))
            elif name == "style":
                self.found.extend((tag, "style", url) for url in CSS_REMOTE.findall(value))
            elif tag == "meta" and name == "content" and ("http-equiv", "refresh") in [
                    (k, (v or "").lower()) for k, v in attrs]:
                self.found.extend((tag, "refresh", url) for url in META_REFRESH_URL.findall(value))
        if tag in ("style", "script"):
            self._in = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found.extend(("style", "url()", url) for url in CSS_REMOTE.findall(data))
        elif self._in == "script":
            self.found.extend(("script", "string", url) for url in SCRIPT_REMOTE.findall(data))
            self.found.extend(("script", "sourceMappingURL", url) for url in SOURCE_MAP.findall(data))


def remote_addresses(html: str) -> list[str]:
    parser = AddressParser()
    parser.feed(html)
    parser.close()
    return sorted({f"<{tag} {attr}={url!r}>" for tag, attr, url in parser.found if is_remote(url)})


def test_the_reader_finds_every_way_a_page_names_another_host():
    """The reader itself, on what drf-spectacular's own Redoc page and its like carry: it must see
    each of these, and nothing in the same page that stays on this site."""
    page = """<html><head>
      <link href="https://fonts.googleapis.com/css?family=Montserrat" rel="stylesheet">
      <link rel="icon" href="//cdn.example.com/favicon.ico">
      <style>@import url("https://fonts.example.com/a.css"); .x { background: url(http://img.example.com/b.png) }</style>
      <script src="https://cdn.jsdelivr.net/npm/redoc/bundles/redoc.standalone.js"></script>
      <script nonce="n">fetch("https://api.example.com/data.json")</script>
      <meta http-equiv="refresh" content="0; url=https://elsewhere.example.com/">
    </head><body style="background-image: url('https://img.example.com/c.png')">
      <img srcset="/static/a.png 1x, https://img.example.com/d.png 2x" src="/static/a.png">
      <iframe src="https://maps.example.com/embed"></iframe>
      <form action="https://forms.example.com/submit"></form>
      <a href="https://www.django-rest-framework.org/">DRF</a>
      <a href="/requests/">ours</a> <a href="http://testserver/api/">ours</a> <a href="#top">top</a>
      <img src="data:image/svg+xml;base64,AAAA"> <a href="mailto:a@b.cn">mail</a> <a href="tel:12345">call</a>
    </body></html>"""
    found = " ".join(remote_addresses(page))
    for host in ("fonts.googleapis.com", "cdn.example.com", "fonts.example.com", "img.example.com/b.png",
                 "cdn.jsdelivr.net", "api.example.com", "elsewhere.example.com", "img.example.com/c.png",
                 "img.example.com/d.png", "maps.example.com", "forms.example.com", "django-rest-framework.org"):
        assert host in found, f"{host} not found in {found}"
    assert "testserver" not in found and "/requests/" not in found and "data:" not in found
    assert "mailto" not in found and "tel:" not in found
    assert css_remote("@font-face { src: url(./fonts/icons.woff2) } a { background: url(//x.example.com/i) }") == [
        "//x.example.com/i"]
    assert [url for url in SOURCE_MAP.findall("//# sourceMappingURL=https://x.example.com/a.map") if is_remote(url)]


# --- The walk ----------------------------------------------------------------------------------


def walk(resolver=None, levels=(), namespace=""):
    """(label, route text, levels, URLPattern) for every pattern, the admin's and the API router's
    included: levels are the patterns from the root down to it."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, (*levels, entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = "".join(str(level) for level in (*levels, entry.pattern))
            label = f"{namespace}{entry.name}  {route}" if entry.name else f"(unnamed)  {route}"
            yield label, route, (*levels, entry.pattern), entry


class Unfillable(Exception):
    pass


ROUTE_ARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_ARG = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def admin_object(route: str):
    """The object an admin URL with an object_id opens: the first of its model in the fixture."""
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if not match:
        raise Unfillable("an object_id outside a model's admin")
    model = apps.get_model(match[1], match[2])
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        raise Unfillable(f"no {model._meta.label} in the fixture: create one in objects_for_every_page()")
    return obj


def arg_values(name: str, route: str, objects, own_notification) -> list[str]:
    """The values to fill an argument with (several: one URL each)."""
    if name in ("pk", "node_pk"):
        try:
            kind = route_kind(route)
        except AssertionError as exc:
            raise Unfillable(str(exc)) from exc
        if kind is None:
            raise Unfillable(f"no object kind for {name}")
        obj = own_notification if kind == "notification" else objects[kind][0]
        return [str(obj.pk)]
    if name == "file_pk":
        return [str(objects["evidence" if "evidence" in route else "attachment"][0].pk)]
    if name == "steward_pk":
        return [str(objects["steward"][0].pk)]
    if name in ("object_id", "id"):
        return [str(admin_object(route).pk)]
    if name == "content_type_id":  # the admin's "view on site": an object with a page of its own
        return [str(ContentType.objects.get_for_model(Project).pk)]
    if name == "app_label":  # every app's admin index
        return REGEX_ARG.search(route.split("admin/", 1)[1])["body"].split("|")
    if name == "kind":  # the import workbook templates
        return [kind.value for kind in ImportBatch.Kind]
    if name == "format":
        return ["json"]
    if name == "uidb64":
        return ["MQ"]
    if name == "token":
        return ["set-password"]
    if name == "url":  # the admin's catch-all
        return ["no-such-page/"]
    raise Unfillable(f"no value for the argument {name!r}: teach arg_values() what it is")


def fill(route: str, levels, objects, own_notification) -> list[str]:
    """The concrete URLs of one pattern (several when an argument takes several values)."""
    urls = [""]
    for level in levels:
        if isinstance(level, RoutePattern):
            pieces = []
            last = 0
            text = str(level)
            for match in ROUTE_ARG.finditer(text):
                name = match["name"]
                converter = level.converters[name]
                if name == "object_id" and text.startswith("r/"):  # the admin's "view on site": a Project
                    values = [str(objects["project"][0].pk)]
                else:
                    values = arg_values(name, route, objects, own_notification)
                pieces.append((text[last:match.start()], [converter.to_url(converter.to_python(v)) for v in values]))
                last = match.end()
            expanded = [""]
            for literal, values in pieces:
                expanded = [e + literal + v for e in expanded for v in values]
            expanded = [e + text[last:] for e in expanded]
        elif isinstance(level, RegexPattern):
            text = str(level).removeprefix("^").removesuffix("$")
            expanded = [text]
            for match in REGEX_ARG.finditer(str(level)):
                values = arg_values(match["name"], route, objects, own_notification)
                expanded = [e.replace(match[0], v, 1) for e in expanded for v in values]
            expanded = [e.replace(r"\.", ".").replace("/?", "") for e in expanded]
            if any(re.search(r"[\\^$()\[\]*+?|{}]", e) for e in expanded):
                raise Unfillable(f"a regular expression the walk cannot write out: {level}")
        else:
            raise Unfillable(f"an unknown kind of pattern: {type(level).__name__}")
        urls = [u + e for u in urls for e in expanded]
    return ["/" + u for u in urls]


# --- The fixture -------------------------------------------------------------------------------


def make_what_only_the_admin_shows(zone, objects):
    """One row of each model whose admin pages take an id and which the matrix's objects leave out."""
    ent, request, escalation = objects["enterprise"][0], objects["request"][0], objects["escalation"][0]
    Group.objects.create(name="测试组")
    record_event(request, actor=zone.leader, kind=next(iter(EVENT_LABELS)))
    EnterpriseIndicator.objects.create(enterprise=ent, year=2025, revenue=100, employees=10)
    EnterpriseTag.objects.create(name="专精特新")
    EscalationProgress.objects.create(escalation=escalation, text="正在办理", reported_by=zone.dept_user_a)
    RequestComment.objects.create(request=request, author=zone.ent_user_a, body="请尽快")
    ProjectStageChange.objects.create(project=objects["project"][0], to_stage=objects["project"][0].stage,
                                      changed_on=dt.date(2026, 11, 2), changed_by=zone.leader)
    CoordinationNote.objects.create(item=objects["item"][0], author=zone.leader, note="协调")
    UnitMonthlyScore.objects.create(department=zone.dept_a, year=2026, month=10, score=95)
    GradePolicy.objects.get_or_create()
    # Pay and the stewards' grades (issue 19): a post, the thresholds, a year's grade.
    from evaluations.models import PayPost, StewardGradePolicy, StewardYearGrade

    PayPost.objects.create(user=zone.dept_user_a, base=3000, department=zone.dept_a, effective_from=dt.date(2026, 1, 1))
    StewardGradePolicy.objects.get_or_create()
    StewardYearGrade.objects.create(steward=zone.steward_a, year=2025, grade="B", grade_by_thresholds="B")
    # A wrong password: django-axes records the attempt and the failure.
    Client().post("/accounts/login/", {"username": zone.leader.username, "password": "wrong"})


@pytest.fixture
def objects_for_every_page(zone):
    """The permission matrix's A and B side of everything a route can open, and one object of each
    model the admin shows that it does not make. Returns (clients by role, objects, notifications)."""
    users, objects, notifications, _other = build_objects(zone)
    make_what_only_the_admin_shows(zone, objects)
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients, objects, notifications


# --- The tests ---------------------------------------------------------------------------------


def read(response) -> str:
    if getattr(response, "streaming", False):
        # Consumed, not closed by hand: the test client then closes it as a server would, without
        # letting request_finished close the test's database connection (it is older than
        # CONN_MAX_AGE by the time the walk gets here on PostgreSQL).
        for _chunk in response.streaming_content:
            pass
        return ""
    return response.content.decode(response.charset or "utf-8", errors="replace")


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith(("text/html", "application/xhtml"))


def test_every_page_of_the_urlconf_loads_nothing_from_another_host(objects_for_every_page):
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        clients, objects, notifications = objects_for_every_page
        patterns = list(walk())
        unfilled, wrong_url, errors, outside, never_opened, opened, shadowed = [], [], [], [], [], [], []
        walked = set()  # the views of the patterns before this one
        html_pages = 0
        for label, route, levels, pattern in patterns:
            walked_before = set(walked)
            walked.add(pattern.callback)
            if route in SKIP:
                continue
            try:
                urls = fill(route, levels, objects, notifications["admin"])
            except Unfillable as exc:
                unfilled.append(f"  {label}: {exc}")
                continue
            query = QUERIES.get(pattern.name or "", "")
            pattern_opened = False
            for url in urls:
                match = resolve(url)
                if match.func is not pattern.callback:
                    if match.func in walked_before:
                        # An earlier pattern answers this address (ours before django.contrib.auth.urls'):
                        # this one is never served, and the earlier one is read on its own.
                        shadowed.append(url)
                    else:
                        wrong_url.append(f"  {label}: {url} opens {match.view_name or match.route}")
                    continue
                for role in ROLE_ORDER:
                    response = clients[role].get(url + query, HTTP_ACCEPT=BROWSER_ACCEPT)
                    if response.status_code < 400 or response.status_code in (405, 500):
                        break
                status = response.status_code
                body = read(response)
                # /healthz answers 503 by design when the database or the broker does not answer (it
                # says which in its JSON): a report, not a crash, and the page was read.
                reported = status == 503 and url == "/healthz"
                if status >= 500 and not reported:
                    exc = (getattr(response, "exc_info", None) or (None, None))[1]
                    errors.append(f"  {label}: {url} answers {status} to {role}"
                                  + (f" ({type(exc).__name__}: {str(exc)[:200]})" if exc else ""))
                if status < 400 or status == 405 or reported:
                    pattern_opened = True
                if is_html(response):
                    html_pages += 1
                    found = remote_addresses(body)
                    if found:
                        outside.append(f"  {url} ({role}): {', '.join(found)}")
                for link in response.get("Link", "").split(","):
                    if link.strip().startswith("<") and is_remote(link.strip()[1:].split(">")[0]):
                        outside.append(f"  {url} ({role}): Link header {link.strip()}")
                opened.append(url)
            if not pattern_opened and route not in NEVER_OPENS and not set(urls) <= set(shadowed):
                never_opened.append(f"  {label}: {urls[0]} answers {status} to every role")

    assert not errors, "Pages that fail with a server error:\n" + "\n".join(errors)
    assert not unfilled, (
        "Patterns whose arguments the walk cannot fill (give them an object in the fixture or a value in "
        "arg_values(), or a reasoned entry in SKIP):\n" + "\n".join(unfilled))
    assert not wrong_url, "URLs written out for one pattern that another answers:\n" + "\n".join(wrong_url)
    assert not never_opened, (
        "Patterns no role opens with the fixture's objects (so their page was never read):\n" + "\n".join(never_opened))
    assert not outside, "Pages that load or link to another host (the intranet has no internet):\n" + "\n".join(outside)
    # The walk must not silently shrink: every pattern is asked for, the admin's and the API's too.
    assert len(patterns) > 350 and len(opened) + len(shadowed) >= len(patterns) - len(SKIP)
    assert html_pages > 300, f"only {html_pages} answers were HTML pages: is the API answering browsers in JSON?"
    assert len(shadowed) < 10, f"most patterns are shadowed: the walk writes wrong URLs? {shadowed}"


def test_every_role_s_home_and_menu_pages_load_nothing_from_another_host(objects_for_every_page):
    """The home page and the menu differ by role: each role's own, read as that role."""
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI), tick=False):
        clients, _objects, _notifications = objects_for_every_page
        outside, read_pages = [], 0
        for role, client in clients.items():
            if role == "anonymous":
                continue
            home = client.get("/", HTTP_ACCEPT=BROWSER_ACCEPT)
            assert home.status_code == 200, f"{role}: home answers {home.status_code}"
            for item in home.context["nav_items"]:
                response = client.get(item["url"], HTTP_ACCEPT=BROWSER_ACCEPT)
                assert response.status_code == 200, f"{role}: {item['url']} answers {response.status_code}"
                found = remote_addresses(read(response))
                if found:
                    outside.append(f"  {item['url']} ({role}): {', '.join(found)}")
                read_pages += 1
    assert not outside, "Pages that load or link to another host:\n" + "\n".join(outside)
    assert read_pages > 40


def static_files():
    for finder in finders.get_finders():
        yield from finder.list([])


def test_no_static_file_loads_anything_from_another_host():
    """Stylesheets: no url(...) or @import of another host; scripts and stylesheets: no source map
    there; static HTML pages (Swagger UI's OAuth page): nothing a page may not have either."""
    outside, read_files = [], 0
    for path, storage in static_files():
        if not path.endswith((".css", ".js", ".mjs", ".html", ".htm", ".svg")):
            continue
        with storage.open(path) as f:
            text = f.read().decode("utf-8", errors="replace")
        read_files += 1
        found = [f"source map {url}" for url in SOURCE_MAP.findall(text) if is_remote(url)]
        if path.endswith((".css", ".svg")):
            found += [f"url/@import {url}" for url in css_remote(text)]
        if path.endswith((".html", ".htm")):
            found += remote_addresses(text)
        if found:
            outside.append(f"  {path}: {', '.join(found)}")
    assert not outside, "Static files that load from another host:\n" + "\n".join(outside)
    # Ours and the vendored ones were all read (the finders did not come up empty).
    paths = {path for path, _storage in static_files()}
    for expected in ("vendor/bootstrap", "vendor/bootstrap-icons", "vendor/echarts", "django_htmx", "admin/",
                     "rest_framework/", "drf_spectacular_sidecar/swagger-ui-dist", "drf_spectacular_sidecar/redoc"):
        assert any(path.startswith(expected) for path in paths), f"no static file under {expected}"
    assert read_files > 100


# Addresses that may appear in our templates: XML namespaces name, they fetch nothing.
TEMPLATE_ALLOWED = re.compile(r"""xmlns(?::\w+)?=["']https?://""")
ABSOLUTE = re.compile(r"""((?:https?:)?//[\w-]+\.[\w.-]+[^\s"'<>)]*)""")


def test_no_template_of_ours_names_another_host():
    """A page a role shows only in a state the fixture does not reach is read here, in its source:
    no address of another host in any of our templates (comments included: they move to code)."""
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(app.path) / "templates" for app in apps.get_app_configs()
              if Path(app.path).parent == Path(settings.BASE_DIR)]  # our apps, not the installed packages
    found, read_files = [], 0
    for root in roots:
        for path in sorted(root.rglob("*.html")) + sorted(root.rglob("*.txt")):
            text = TEMPLATE_ALLOWED.sub("", path.read_text(encoding="utf-8"))
            read_files += 1
            remote = [url for url in ABSOLUTE.findall(text) if is_remote(url)]
            if remote:
                found.append(f"  {path.relative_to(settings.BASE_DIR)}: {', '.join(remote)}")
    assert not found, "Templates that name another host:\n" + "\n".join(found)
    assert read_files > 50
