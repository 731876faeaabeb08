"""What every answer carries, and what the app refuses before reading it (issue 14, items 4, 7, 17):
a Content-Security-Policy under which an injected script would not run, no caching of anything a
logged-in user is shown, a cap on the request body, and production's refusals."""

import base64
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from evaluations.models import DepartmentMonthlyGrade
from stewards.models import ServiceRequest
from stewards.tests.factories import ServiceRequestFactory, pdf

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def basic(user) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user.username}:pw".encode()).decode()}


# --- Content-Security-Policy ----------------------------------------------------------------


def test_every_page_has_a_policy_that_runs_only_the_sites_own_scripts(client, zone):
    for response in (client.get(reverse("login")), (client.force_login(zone.leader), client.get(reverse("home")))[1]):
        assert response.status_code == 200
        policy = csp(response)
        assert policy["script-src"][0] == "'self'"
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert all(source.startswith("'nonce-") for source in policy["script-src"][1:])
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]


def test_no_template_has_a_script_the_policy_would_block():
    """Inline scripts carry the request's nonce; JSON data blocks are not run; no on…= handler
    and no javascript: link (those a nonce cannot allow)."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag or 'nonce="{{ request.csp_nonce }}"' in tag, \
                f"{path}: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: an inline event handler"
        assert "javascript:" not in text, f"{path}: a javascript: link"


def test_an_inline_script_carries_the_nonce_of_its_answer(client, zone):
    DepartmentMonthlyGrade.objects.create(department=zone.dept_a, month=dt.date(2026, 10, 1), score=91, grade="A",
                                          escalations_due=4, replied_on_time=3)
    client.force_login(zone.leader)
    response = client.get(reverse("evaluations:grade_list"))
    nonces = re.findall(r'<script nonce="([^"]+)">', response.content.decode())
    assert len(nonces) == 1 and f"'nonce-{nonces[0]}'" in csp(response)["script-src"]
    assert csp(client.get(reverse("evaluations:grade_list")))["script-src"] != csp(response)["script-src"]


def test_the_api_documentation_pages_work_under_the_policy(client, zone):
    client.force_login(zone.leader)
    for name in ("api_docs", "api_redoc"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200 and "Content-Security-Policy" in response
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html)), name
        assert "fonts.googleapis.com" not in html and "cdn.jsdelivr.net" not in html
    script = client.get(reverse("api_docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_an_attachment_keeps_its_own_stricter_policy(client, zone):
    sr = ServiceRequestFactory(enterprise=zone.ent_a, status=ServiceRequest.Status.ACCEPTED)
    from stewards import services

    services.request_attach(request=sr, files=[pdf()], actor=zone.ent_user_a)
    attachment = sr.attachments.get()
    client.force_login(zone.ent_user_a)
    response = client.get(reverse("stewards:attachment", args=[sr.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    assert "no-store" in response["Cache-Control"]


# --- Nothing a logged-in user is shown is cached ----------------------------------------------


def test_logged_in_pages_api_answers_and_exports_are_never_cached(client, zone):
    client.force_login(zone.leader)
    for url in (reverse("home"), reverse("stewards:request_list"), reverse("stewards:request_list") + "?format=xlsx",
                "/api/requests/"):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url
    client.logout()
    response = client.get("/api/requests/", headers=basic(zone.leader))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


# --- The body cap ----------------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_before_it_is_read(client, zone, settings):
    assert settings.ZONEHUB_MAX_BODY_MB == 10 * settings.ZONEHUB_ATTACHMENT_MAX_MB + 5
    client.force_login(zone.ent_user_a)
    huge = str(150 * 1024 * 1024)  # what the client says it sends; the app reads none of it
    response = client.post(reverse("stewards:request_create"), {"title": "x"}, CONTENT_LENGTH=huge)
    assert response.status_code == 413
    assert "提交的内容超过 105 MB（本站单次提交的上限），未保存任何内容。" in response.content.decode()
    response = client.post("/api/requests/", {"title": "x"}, CONTENT_LENGTH=huge)
    assert response.status_code == 413 and "105 MB" in response.json()["detail"]
    assert not ServiceRequest.objects.exists()

    settings.ZONEHUB_MAX_BODY_MB = 1
    assert client.post("/api/requests/", {"title": "x"}, CONTENT_LENGTH=str(2 * 1024 * 1024)).status_code == 413
    assert client.post("/api/requests/", {"title": "x"}).status_code == 400  # a small body reaches the view


# --- Production -------------------------------------------------------------------------------


def production(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "zonehub.settings.production",
        "SECRET_KEY": "k" * 20 + "-not-a-real-key-but-long-enough-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "ALLOWED_HOSTS": "zonehub.example.gov.cn",
    }
    script = "import django; django.setup(); from django.conf import settings as s; print(s.ALLOWED_HOSTS)"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_a_secret_key_of_few_distinct_characters(tmp_path):
    for key in ("x" * 50, "ab" * 30, "012345678" * 5):
        result = production(tmp_path, SECRET_KEY=key)
        assert result.returncode != 0 and "fewer than 10 distinct characters" in result.stderr, key
    assert production(tmp_path).returncode == 0


def test_production_never_allows_the_test_clients_host(tmp_path):
    result = production(tmp_path, ALLOWED_HOSTS="")
    assert result.returncode == 0 and "testserver" not in result.stdout
    for hosts in ("zonehub.example.gov.cn,testserver", "*"):
        result = production(tmp_path, ALLOWED_HOSTS=hosts)
        assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr, hosts
